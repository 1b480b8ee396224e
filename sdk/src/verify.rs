//! The readability guarantee, part two: decode the rendered image with two decoders we did not
//! write, of two families, `rqrr` (quirc's algorithm) and `rxing` (ZXing's, which Android
//! scanners descend from), and require exactly the payload's bytes from both. (rxing's raw
//! bytes are the segments' bytes, whatever their modes, not its character-set guess.)

use crate::colour::grey;
use image::RgbImage;
use qrveil_style::Rgb;
use rxing::{BarcodeFormat, Exceptions};
use std::fmt;

/// Which verifier refused an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoder {
    Rqrr,
    Rxing,
}

impl fmt::Display for Decoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Decoder::Rqrr => "rqrr",
            Decoder::Rxing => "rxing",
        })
    }
}

/// Why a rendered image did not verify; never repeats what was decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("{0} found no QR code in the rendered image")]
    NoCode(Decoder),
    #[error("{0} found a QR code but could not decode it ({1})")]
    Undecodable(Decoder, String),
    #[error("{0} decoded the image to different data")]
    OtherData(Decoder),
}

/// The image as decoders see it: Rec. 601 grey, row-major.
fn greys(img: &RgbImage) -> Vec<u8> {
    img.pixels().map(|p| grey(Rgb(p[0], p[1], p[2]))).collect()
}

/// Decode every QR symbol `rqrr` finds in `img`; the payloads as raw bytes.
pub fn decode_all(img: &RgbImage) -> Vec<Result<Vec<u8>, String>> {
    let luma = greys(img);
    let width = img.width() as usize;
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(width, img.height() as usize, |x, y| luma[y * width + x]);
    prepared
        .detect_grids()
        .into_iter()
        .map(|grid| {
            let mut bytes = Vec::new();
            grid.decode_to(&mut bytes).map(|_| bytes).map_err(|e| e.to_string())
        })
        .collect()
}

/// The bytes of the QR symbol `rxing` finds in `img` (`Ok(None)`: no symbol found; `Err`: one
/// found but not decoded, with the kind of failure, never data).
pub fn decode_rxing(img: &RgbImage) -> Result<Option<Vec<u8>>, String> {
    match rxing::helpers::detect_in_luma(greys(img), img.width(), img.height(), Some(BarcodeFormat::QR_CODE)) {
        Ok(found) => Ok(Some(found.getRawBytes().to_vec())),
        Err(Exceptions::NotFoundException(_)) => Ok(None),
        Err(Exceptions::ChecksumException(_)) => Err("too many errors to correct".into()),
        Err(Exceptions::FormatException(_)) => Err("format or version information unreadable".into()),
        Err(_) => Err("decoder error".into()),
    }
}

/// Ok if `img` decodes to exactly `payload` with rqrr and with rxing.
pub fn verify(img: &RgbImage, payload: &[u8]) -> Result<(), VerifyError> {
    let results = decode_all(img);
    if !results.iter().any(|r| r.as_deref() == Ok(payload)) {
        return Err(match results.into_iter().next() {
            None => VerifyError::NoCode(Decoder::Rqrr),
            Some(Err(e)) => VerifyError::Undecodable(Decoder::Rqrr, e),
            Some(Ok(_)) => VerifyError::OtherData(Decoder::Rqrr),
        });
    }
    match decode_rxing(img) {
        Ok(Some(bytes)) if bytes == payload => Ok(()),
        Ok(Some(_)) => Err(VerifyError::OtherData(Decoder::Rxing)),
        Ok(None) => Err(VerifyError::NoCode(Decoder::Rxing)),
        Err(e) => Err(VerifyError::Undecodable(Decoder::Rxing, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finish::Drawing;
    use crate::palette::Palette;
    use crate::qr::{encode, EcLevel, QrSymbol};
    use qrveil_style::{Readability, PRESETS};

    fn plain(symbol: &QrSymbol) -> RgbImage {
        let mono = PRESETS[2];
        Drawing::plain(&symbol.grid).canvas(8, 4, Palette::new(&mono, Readability::Robust)).to_image()
    }

    #[test]
    fn both_decoders_read_every_segment_mode_and_binary_bytes() {
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
            let symbol = encode(payload, EcLevel::M, None).expect("fits");
            assert_eq!(verify(&plain(&symbol), payload), Ok(()), "{payload:?}");
        }
    }

    #[test]
    fn a_code_of_other_data_or_no_code_is_refused_by_name() {
        let other = encode(b"another one", EcLevel::M, None).expect("fits");
        let img = plain(&other);
        assert_eq!(verify(&img, b"the payload"), Err(VerifyError::OtherData(Decoder::Rqrr)));
        assert_eq!(verify(&img, b"another one"), Ok(()));
        assert_eq!(decode_rxing(&img), Ok(Some(b"another one".to_vec())));
        let blank = RgbImage::from_pixel(200, 200, image::Rgb([255, 255, 255]));
        assert_eq!(verify(&blank, b"the payload"), Err(VerifyError::NoCode(Decoder::Rqrr)));
        assert_eq!(decode_rxing(&blank), Ok(None));
    }
}
