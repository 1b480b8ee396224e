//! The readability guarantee, part two: decode the drawing with decoders we did not write and
//! require exactly the payload's bytes and, for text, the text a phone shows. The judges are the
//! family phones scan with ([`Decoder::JUDGES`]): `rxing`, ZXing's algorithm, which Android
//! scanner apps descend from, and zxing-cpp, inside many Android and iOS apps. `rqrr` (quirc's
//! algorithm) is asked and reported, not obeyed: no phone platform scans with it. Each returns the
//! segments' raw bytes, whatever their modes; the judges also return their text, decoded in the
//! character set the symbol's ECI designator names or, without one, in the one they guess.

use crate::colour::grey;
use image::{GrayImage, RgbImage};
use qrveil_style::Rgb;
use rxing::{BarcodeFormat, Exceptions};
use std::fmt;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A QR decoder the SDK runs, one list for the SDK, the lab and the tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decoder {
    Rxing,
    ZxingCpp,
    Rqrr,
}

impl Decoder {
    /// A code is returned only when both read exactly the payload.
    pub const JUDGES: [Decoder; 2] = [Decoder::Rxing, Decoder::ZxingCpp];
    /// Every decoder in this process: the judges, then the one reported.
    pub const ALL: [Decoder; 3] = [Decoder::Rxing, Decoder::ZxingCpp, Decoder::Rqrr];

    pub fn name(self) -> &'static str {
        match self {
            Decoder::Rxing => "rxing",
            Decoder::ZxingCpp => "zxing-cpp",
            Decoder::Rqrr => "rqrr",
        }
    }

    /// The bytes of the QR symbol this decoder finds in `img` (`Ok(None)`: no symbol found;
    /// `Err`: one found but not decoded, with the kind of failure, never data).
    pub fn read(self, img: &GrayImage) -> Result<Option<Vec<u8>>, String> {
        self.readings(img).map(|found| found.map(|mut reading| reading.bytes.swap_remove(0)))
    }

    /// The text this decoder shows for the QR symbol it finds in `img`, as a scanner app built
    /// on it would (`Ok(None)`: no symbol found, or a decoder that gives no text: rqrr).
    pub fn text(self, img: &GrayImage) -> Result<Option<String>, String> {
        self.readings(img).map(|found| found.and_then(|reading| reading.text))
    }

    /// What this decoder read in the symbol found.
    fn readings(self, img: &GrayImage) -> Result<Option<Reading>, String> {
        match self {
            Decoder::Rxing => read_rxing(img),
            Decoder::ZxingCpp => read_zxing_cpp(img),
            Decoder::Rqrr => read_rqrr(img).map(|f| f.map(|bytes| Reading { text: None, bytes: vec![bytes] })),
        }
    }

    /// Whether this decoder reads exactly `payload`'s bytes in `img` (the text it shows is the
    /// judges' business: [`judge_reads`]).
    pub fn reads(self, img: &GrayImage, payload: &[u8]) -> bool {
        self.readings(img).is_ok_and(|found| found.is_some_and(|r| r.bytes.iter().any(|b| b == payload)))
    }
}

/// What a decoder read: the text it shows, and every reading of the bytes, the text's first.
struct Reading {
    text: Option<String>,
    bytes: Vec<Vec<u8>>,
}

impl Reading {
    /// Whether the text shown is not `payload`'s, when `payload` is text: UTF-8 without NUL
    /// (zxing-cpp hands its text over as a C string, which ends at one). Binary payloads have
    /// no text to compare; their bytes are compared alone.
    fn shows_other_text(&self, payload: &[u8]) -> bool {
        match (std::str::from_utf8(payload), &self.text) {
            (Ok(text), Some(shown)) if !payload.contains(&0) => shown != text,
            _ => false,
        }
    }
}

impl fmt::Display for Decoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a drawing did not verify; never repeats what was decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("{0} found no QR code in the rendered image")]
    NoCode(Decoder),
    #[error("{0} found a QR code but could not decode it ({1})")]
    Undecodable(Decoder, String),
    #[error("{0} decoded the image to different data")]
    OtherData(Decoder),
    /// The payload's bytes, but not its text: the reader guessed the character set.
    #[error(
        "{0} decoded the payload's bytes but shows different text (it guessed the character set wrong; write ECI)"
    )]
    OtherText(Decoder),
    /// Read clean, but not from a simulated phone capture of itself.
    #[error(
        "{judge} could not read the code from a simulated {scan} phone scan, the check its readability level makes"
    )]
    PhoneScan { scan: crate::capture::Scan, judge: Decoder },
}

impl VerifyError {
    /// What to change, for people.
    pub fn advice(&self) -> &'static str {
        match self {
            VerifyError::PhoneScan { .. } => {
                "a larger version (more modules), a higher error correction level or a lower readability level passes more often"
            }
            VerifyError::OtherText(_) => {
                "leave ECI on (qrOptions.eci, the default): it names the text's character set, UTF-8, so readers need not guess"
            }
            _ => "try a larger module size or another style",
        }
    }

    /// The decoder that refused.
    pub fn decoder(&self) -> Decoder {
        match *self {
            VerifyError::NoCode(d)
            | VerifyError::Undecodable(d, _)
            | VerifyError::OtherData(d)
            | VerifyError::OtherText(d) => d,
            VerifyError::PhoneScan { judge, .. } => judge,
        }
    }
}

/// The image as decoders see it: Rec. 601 grey.
pub fn greys(img: &RgbImage) -> GrayImage {
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        let p = img.get_pixel(x, y);
        image::Luma([grey(Rgb(p[0], p[1], p[2]))])
    })
}

fn read_rxing(img: &GrayImage) -> Result<Option<Reading>, String> {
    match rxing::helpers::detect_in_luma(img.as_raw().clone(), img.width(), img.height(), Some(BarcodeFormat::QR_CODE))
    {
        Ok(found) => Ok(Some(readings_of(&found))),
        Err(Exceptions::NotFoundException(_)) => Ok(None),
        Err(Exceptions::ChecksumException(_)) => Err("too many errors to correct".into()),
        Err(Exceptions::FormatException(_)) => Err("format or version information unreadable".into()),
        Err(_) => Err("decoder error".into()),
    }
}

/// What rxing read, as each of its fields has it: the text (what a scanner app shows), the
/// raw bytes and the byte segments. Its two QR readers fill them differently (its port of
/// zxing-cpp's reader: raw bytes are the content; its port of ZXing Java's, which reads codes
/// the other misses, round finder rings among them: raw bytes are the codewords, and the text
/// decodes binary bytes in a guessed charset), so a payload's bytes are read when any of them
/// is them. Both honour an ECI designator in the text.
fn readings_of(found: &rxing::RXingResult) -> Reading {
    use rxing::{RXingResultMetadataType, RXingResultMetadataValue};
    let text = found.getText().to_string();
    let mut bytes = vec![text.as_bytes().to_vec(), found.getRawBytes().to_vec()];
    if let Some(RXingResultMetadataValue::ByteSegments(segments)) =
        found.getRXingResultMetadata().get(&RXingResultMetadataType::BYTE_SEGMENTS)
    {
        bytes.push(segments.concat());
    }
    Reading { text: Some(text), bytes }
}

/// zxing-cpp as phone apps configure it: every `try_*` on, QR Model 2 only (Micro QR and rMQR
/// look-alikes would only add false finds), codes found but not decoded reported, and the text
/// plain (the bytes in the designated or guessed character set, as apps show it, not escaped).
fn read_zxing_cpp(img: &GrayImage) -> Result<Option<Reading>, String> {
    use zxingcpp::{BarcodeError, BarcodeFormat, BarcodeReader, ImageFormat, ImageView, TextMode};
    let view = ImageView::from_slice(img.as_raw(), img.width(), img.height(), ImageFormat::Lum)
        .map_err(|e| format!("the image: {e}"))?;
    // Readers are not Send: one per call, which costs microseconds.
    let reader = BarcodeReader::new()
        .formats([BarcodeFormat::QRCodeModel2])
        .try_harder(true)
        .try_rotate(true)
        .try_invert(true)
        .return_errors(true)
        .text_mode(TextMode::Plain);
    let found = reader.from(view).map_err(|e| format!("decoder error: {e}"))?;
    let mut failure = None;
    for code in &found {
        if code.is_valid() {
            return Ok(Some(Reading { text: Some(code.text()), bytes: vec![code.bytes()] }));
        }
        failure.get_or_insert_with(|| match code.error() {
            BarcodeError::Checksum(_) => "too many errors to correct".to_string(),
            BarcodeError::Format(_) => "format or version information unreadable".to_string(),
            BarcodeError::Unsupported(_) => "an unsupported variant".to_string(),
            BarcodeError::None() => "decoder error".to_string(),
        });
    }
    failure.map_or(Ok(None), Err)
}

/// rqrr reads every grid it detects; the first that decodes, else the first failure.
fn read_rqrr(img: &GrayImage) -> Result<Option<Vec<u8>>, String> {
    let mut prepared = rqrr::PreparedImage::prepare(img.clone());
    let mut failure = None;
    for grid in prepared.detect_grids() {
        let mut bytes = Vec::new();
        match grid.decode_to(&mut bytes) {
            Ok(_) => return Ok(Some(bytes)),
            Err(e) => {
                failure.get_or_insert(e.to_string());
            }
        }
    }
    failure.map_or(Ok(None), Err)
}

/// How long the report waits for rqrr. It reads most codes in milliseconds (0.1-0.2 s at
/// version 40 on two cores), but on some large ones its region cache (251 regions) thrashes:
/// one version-40 code in eight took 24-42 s here. Its answer is reported, never required, so
/// it is not worth that wait.
pub const QUIRC_BUDGET: Duration = Duration::from_secs(2);

/// rqrr's reading of a drawing, made on a thread of its own while the caller goes on.
pub struct QuircReading {
    answer: mpsc::Receiver<bool>,
    started: Instant,
}

impl QuircReading {
    /// Starts reading `grey`: whether rqrr finds exactly `payload` in it.
    pub fn start(grey: GrayImage, payload: &[u8]) -> Self {
        let (tell, answer) = mpsc::sync_channel(1);
        let payload = payload.to_vec();
        // Detached: when the budget runs out the answer is dropped, and the thread ends on its
        // own when rqrr does (its CPU is spent, nothing else is held).
        std::thread::spawn(move || {
            let _ = tell.send(Decoder::Rqrr.reads(&grey, &payload));
        });
        Self { answer, started: Instant::now() }
    }

    /// Its answer, or `None` when rqrr gave none within [`QUIRC_BUDGET`] of the start.
    pub fn answer(self) -> Option<bool> {
        let left = QUIRC_BUDGET.saturating_sub(self.started.elapsed());
        self.answer.recv_timeout(left).ok()
    }
}

/// Ok if `img` decodes to exactly `payload` with every judge, and text to the same text.
/// The judges read side by side (each on its own core when there are two); the first judge's
/// refusal, in [`Decoder::JUDGES`] order, is the error.
pub fn verify(img: &RgbImage, payload: &[u8]) -> Result<(), VerifyError> {
    let grey = greys(img);
    let [first, second] = Decoder::JUDGES;
    let (a, b) = rayon::join(|| judge_reads(&grey, payload, first), || judge_reads(&grey, payload, second));
    a.and(b)
}

/// Ok if `judge` decodes `grey` to exactly `payload` and, when `payload` is text, shows it.
pub fn judge_reads(grey: &GrayImage, payload: &[u8], judge: Decoder) -> Result<(), VerifyError> {
    match judge.readings(grey) {
        Ok(Some(reading)) if !reading.bytes.iter().any(|bytes| bytes == payload) => Err(VerifyError::OtherData(judge)),
        Ok(Some(reading)) if reading.shows_other_text(payload) => Err(VerifyError::OtherText(judge)),
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(VerifyError::NoCode(judge)),
        Err(e) => Err(VerifyError::Undecodable(judge, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finish::Drawing;
    use crate::palette::Palette;
    use crate::qr::{encode, EcLevel, QrSymbol};
    use qrveil_style::PRESETS;

    fn plain(symbol: &QrSymbol) -> RgbImage {
        let mono = PRESETS[2];
        Drawing::plain(&symbol.grid).canvas(8, 4, Palette::new(&mono)).to_image()
    }

    #[test]
    fn every_decoder_reads_every_segment_mode_and_binary_bytes() {
        // Numeric, alphanumeric, UTF-8 with a digit run (mixed segments), invalid UTF-8, and
        // bytes around a digit run.
        let payloads: [&[u8]; 5] = [
            b"0123456789012345",
            b"HTTPS://QRVEIL.INVALID/ABC",
            "Zoë Müller ☎ 044 123456789".as_bytes(),
            &[0, 255, 7, 0xC3, 0x28, 1],
            &[0xff, b'0', b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8', b'9', b'0', b'1', 0xfe],
        ];
        for payload in payloads {
            let img = plain(&encode(payload, EcLevel::M, None).expect("fits"));
            assert_eq!(verify(&img, payload), Ok(()), "{payload:?}");
            for decoder in Decoder::ALL {
                assert!(decoder.reads(&greys(&img), payload), "{decoder}: {payload:?}");
            }
        }
    }

    #[test]
    fn rqrr_reading_on_its_own_thread_answers_yes_for_the_payload_and_no_for_other_data() {
        let img = greys(&plain(&encode(b"the payload", EcLevel::M, None).expect("fits")));
        assert_eq!(QuircReading::start(img.clone(), b"the payload").answer(), Some(true));
        assert_eq!(QuircReading::start(img, b"other data").answer(), Some(false));
        let blank = GrayImage::from_pixel(200, 200, image::Luma([255]));
        assert_eq!(QuircReading::start(blank, b"the payload").answer(), Some(false));
    }

    #[test]
    fn a_code_of_other_data_or_no_code_or_a_damaged_one_is_refused_by_name() {
        let img = plain(&encode(b"another one", EcLevel::M, None).expect("fits"));
        assert_eq!(verify(&img, b"the payload"), Err(VerifyError::OtherData(Decoder::Rxing)));
        assert_eq!(verify(&img, b"another one"), Ok(()));
        let blank = RgbImage::from_pixel(200, 200, image::Rgb([255, 255, 255]));
        assert_eq!(verify(&blank, b"the payload"), Err(VerifyError::NoCode(Decoder::Rxing)));
        for decoder in Decoder::ALL {
            assert_eq!(decoder.read(&greys(&blank)), Ok(None), "{decoder}");
        }
        // The data area painted over: zxing-cpp finds the code and says it cannot decode it.
        let mut damaged = img.clone();
        for y in 13 * 8..24 * 8 {
            for x in 13 * 8..24 * 8 {
                damaged.put_pixel(x, y, image::Rgb([255, 255, 255]));
            }
        }
        assert!(Decoder::ZxingCpp.read(&greys(&damaged)).is_err(), "zxing-cpp read a painted-over code");
        assert!(verify(&damaged, b"another one").is_err());
    }
    /// Round finder rings send rxing to its port of ZXing Java's reader, whose raw bytes are
    /// the codewords: the judge compares the content (it once called these codes "different
    /// data" from version 7 up).
    #[test]
    fn rxing_reads_the_content_of_codes_with_round_rings() {
        use crate::render::Canvas;
        use qrveil_style::recipe::{CentreShape, Patterns, RingShape};
        let style = qrveil_style::StyleId::Rounded.style().expect("a built-in style");
        for (payload, version) in [("https://example.org/ring/7", 7), ("WIFI:T:WPA;S:ring;P:round;;", 10)] {
            let symbol = encode(payload.as_bytes(), EcLevel::L, Some(version)).expect("fits");
            let outputs = qrveil_style::clear::evaluate(&style.server, &symbol.grid).expect("evaluates");
            let drawing = Drawing::styled(style.geometry, &symbol.grid, &outputs).expect("layout");
            let patterns = Patterns { ring: RingShape::Dot, centre: CentreShape::Dot };
            let img = Canvas { patterns, ..drawing.canvas(8, 4, Palette::new(&PRESETS[2])) }.to_image();
            assert_eq!(verify(&img, payload.as_bytes()), Ok(()), "{payload}");
            assert_eq!(Decoder::Rxing.read(&greys(&img)), Ok(Some(payload.as_bytes().to_vec())), "{payload}: the text");
        }
    }
}
