//! A centre image over the code, as qr-code-styling's `image` and `imageOptions` place it, but
//! capped as decoders pay for it: every module the image hides is lost, each lost module spoils
//! its whole codeword, and each Reed–Solomon block corrects only so many codewords. A logo is
//! allowed when every block keeps a quarter of its correction for the camera.

mod read;

use crate::codewords::CodewordMap;
use crate::qr::{encode_with, EcLevel, QrSymbol};
use crate::SdkError;
use image::RgbaImage;
use qrveil_style::FixedModules;

/// Share of each block's correction a logo may use; the rest is left for blur, noise and
/// glare on the way to a camera.
pub const LOGO_SHARE: f32 = 0.75;

/// The image and how it sits on the code.
#[derive(Clone, Debug)]
pub struct Logo {
    pub image: RgbaImage,
    /// The original bytes and their media type, embedded as they are in SVG output.
    pub source: Vec<u8>,
    pub media_type: &'static str,
    /// The image's longer side as a share of the symbol's side (qr-code-styling's
    /// `imageSize`, default 0.4).
    pub size: f32,
    /// Clear space around the image, in modules.
    pub margin: f32,
    /// Leave the modules under the image (and its margin) undrawn (qr-code-styling's
    /// `hideBackgroundDots`); otherwise the image is drawn over them.
    pub hide_background_dots: bool,
    /// Shrink the image to the largest size that fits, up to `size` (as qr-code-styling
    /// shrinks it), instead of refusing a size that does not fit.
    pub shrink_to_fit: bool,
}

/// The smallest size a logo is shrunk to before it is refused instead.
pub const SMALLEST_LOGO: f32 = 0.1;

fn invalid(detail: impl Into<String>) -> SdkError {
    SdkError::InvalidOption { what: "logo", detail: detail.into() }
}

impl Logo {
    /// The most bytes a logo may have (4 MiB, as the studio takes): far more than a logo drawn
    /// a few hundred pixels wide needs, and checked before anything is parsed.
    pub const BYTES_LIMIT: usize = 4 << 20;
    /// The most pixels a raster logo, or a raster image inside an SVG logo, may have: 4096 x
    /// 4096 (64 MiB as RGBA), read from its header before it is decoded.
    pub const PIXELS_LIMIT: u64 = 4096 * 4096;
    /// The most images an SVG logo may embed as `data:` URIs (each `<use>` of one counts).
    pub const SVG_IMAGES_LIMIT: usize = 8;

    /// A PNG, JPEG or SVG image, with qr-code-styling's defaults. The image is read from these
    /// bytes alone: an SVG's `<image>`s are drawn only from `data:` URIs, never from a path or
    /// URL, and its text is not drawn (no fonts are loaded). Over [`Logo::BYTES_LIMIT`] bytes
    /// or [`Logo::PIXELS_LIMIT`] pixels, it is refused before it is decoded.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SdkError> {
        let (image, media_type) = read::image(bytes)?;
        if image.width() == 0 || image.height() == 0 {
            return Err(invalid("the image is empty"));
        }
        Ok(Self {
            image,
            source: bytes.to_vec(),
            media_type,
            size: 0.4,
            margin: 0.0,
            hide_background_dots: true,
            shrink_to_fit: true,
        })
    }

    /// The image's box on a symbol `side` modules wide: left, top, width, height in modules.
    pub fn frame(&self, side: u32) -> (f32, f32, f32, f32) {
        let (w, h) = (self.image.width() as f32, self.image.height() as f32);
        let long = self.size * side as f32;
        let (bw, bh) = if w >= h { (long, long * h / w) } else { (long * w / h, long) };
        ((side as f32 - bw) / 2.0, (side as f32 - bh) / 2.0, bw, bh)
    }

    /// The data modules the image hides (row-major): every one whose square meets its box
    /// grown by the margin. Function patterns are drawn over the image and never hidden.
    pub fn hidden(&self, side: u32) -> Vec<bool> {
        let (x, y, w, h) = self.frame(side);
        let m = self.margin;
        let (x0, y0, x1, y1) = (x - m, y - m, x + w + m, y + h + m);
        let fixed = FixedModules::for_side(side);
        (0..side * side)
            .map(|i| {
                let (mx, my) = ((i % side) as f32, (i / side) as f32);
                let meets = mx + 1.0 > x0 && mx < x1 && my + 1.0 > y0 && my < y1;
                meets && fixed.get((i % side) as i64, (i / side) as i64).is_none()
            })
            .collect()
    }

    /// Why the logo cannot sit on `symbol`, if it cannot: the first block it would spoil past
    /// its share.
    pub fn fits(&self, symbol: &QrSymbol) -> Result<(), String> {
        let side = symbol.grid.side();
        let map = CodewordMap::new(symbol.version, symbol.ec).ok_or("no codeword map for this symbol")?;
        let hidden = self.hidden(side);
        let lost = map.damage((0..side * side).filter(|&i| hidden[i as usize]).map(|i| (i % side, i / side)));
        for (block, &n) in lost.iter().enumerate() {
            let allowed = allowed(map.capacity(block));
            if n > allowed {
                return Err(format!(
                    "it hides parts of {n} codewords of Reed-Solomon block {} of {}, which corrects {} (a logo may use {allowed})",
                    block + 1,
                    map.blocks(),
                    map.capacity(block)
                ));
            }
        }
        Ok(())
    }

    /// The largest `size` (to 0.01) that fits `symbol`.
    pub fn largest_size(&self, symbol: &QrSymbol) -> f32 {
        let mut at = self.clone();
        let mut best = 0.0;
        for k in 1..=100 {
            at.size = k as f32 / 100.0;
            if at.fits(symbol).is_err() {
                break;
            }
            best = at.size;
        }
        best
    }

    /// The logo as drawn on the code `payload` makes at `ec` and `version` (with or without
    /// its ECI designator, `eci`): as asked if it fits, shrunk to fit if it may be (down to
    /// [`SMALLEST_LOGO`]); otherwise an error that names the largest size each error correction
    /// level holds.
    pub fn resolve(&self, payload: &[u8], ec: EcLevel, version: Option<u8>, eci: bool) -> Result<Logo, SdkError> {
        let sane = self.size > 0.0 && self.size <= 1.0 && (0.0..=10.0).contains(&self.margin);
        if !sane {
            return Err(invalid(format!(
                "imageSize {} must be in (0, 1] and margin {} in 0..=10 modules",
                self.size, self.margin
            )));
        }
        let symbol = encode_with(payload, ec, version, eci)?;
        let Err(why) = self.fits(&symbol) else { return Ok(self.clone()) };
        let largest = self.largest_size(&symbol);
        if self.shrink_to_fit && largest >= SMALLEST_LOGO {
            return Ok(Logo { size: largest, ..self.clone() });
        }
        let levels: Vec<String> = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H]
            .into_iter()
            .filter(|&level| level >= ec)
            .filter_map(|level| {
                let s = encode_with(payload, level, version, eci).ok()?;
                Some(format!("{level} {:.2} (version {})", self.largest_size(&s), s.version))
            })
            .collect();
        Err(invalid(format!(
            "an image of imageSize {:.2} does not fit this version-{} code at error correction {ec}: {why}. The largest sizes that fit: {}",
            self.size,
            symbol.version,
            levels.join(", ")
        )))
    }
}

/// The share of a block's `capacity` a logo may use.
pub fn allowed(capacity: u32) -> u32 {
    (capacity as f32 * LOGO_SHARE).floor() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::encode;

    fn square_logo(size: f32) -> Logo {
        let mut png = Vec::new();
        let img = RgbaImage::from_pixel(40, 40, image::Rgba([200, 30, 30, 255]));
        image::DynamicImage::ImageRgba8(img)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("png");
        Logo { size, ..Logo::from_bytes(&png).expect("a PNG") }
    }

    #[test]
    fn a_logo_too_big_is_shrunk_or_refused_with_the_sizes_each_level_holds() {
        let payload = b"https://qrveil.invalid/s/logo";
        let strict = Logo { shrink_to_fit: false, ..square_logo(0.3) };
        let err = strict.resolve(payload, EcLevel::L, None, true).expect_err("0.3 of a code at L").to_string();
        assert!(err.contains("The largest sizes that fit: L 0.") && err.contains(", H 0."), "{err}");
        assert_eq!(strict.resolve(payload, EcLevel::H, None, true).expect("fits at H").size, 0.3);
        // Shrunk to the largest that fits, which fits, and the error names no smaller level.
        let shrunk = square_logo(0.4).resolve(payload, EcLevel::Q, None, true).expect("shrinks");
        let symbol = encode(payload, EcLevel::Q, None).expect("fits");
        assert!(shrunk.size < 0.4 && shrunk.fits(&symbol).is_ok(), "{}", shrunk.size);
        let err = strict.resolve(payload, EcLevel::Q, None, true).map(|l| l.size);
        assert!(err.is_ok() || !err.unwrap_err().to_string().contains(" L 0."));
        assert!(Logo { size: 1.5, ..square_logo(0.3) }.resolve(payload, EcLevel::H, None, true).is_err());
    }

    #[test]
    fn the_largest_size_fits_and_a_little_more_does_not() {
        for ec in [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H] {
            let symbol = encode(b"https://qrveil.invalid/s/largest", ec, None).expect("fits");
            let logo = square_logo(0.1);
            let best = logo.largest_size(&symbol);
            assert!(Logo { size: best, ..logo.clone() }.fits(&symbol).is_ok(), "{ec}");
            assert!(Logo { size: best + 0.05, ..logo.clone() }.fits(&symbol).is_err(), "{ec}");
        }
    }

    /// At every EC level, the largest logo allowed on a code of each of three styles renders,
    /// verifies with the judges, and encodes; a logo without hidden modules too.
    #[test]
    fn the_largest_logo_allowed_scans_at_every_level() {
        use crate::finish::{finish, RenderOptions};
        use crate::palette::Palette;
        use qrveil_style::{clear, Readability, StyleId, PRESETS};
        let payload = b"https://qrveil.invalid/s/largest-logo?k=Zm9v";
        for ec in [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H] {
            let symbol = encode(payload, ec, None).expect("fits");
            let mut logo = square_logo(0.1);
            logo.size = logo.largest_size(&symbol);
            assert!(logo.size > 0.05, "{ec}: {}", logo.size);
            for (id, hide) in [(StyleId::Square, true), (StyleId::Rounded, true), (StyleId::Dots, false)] {
                let style = id.style().expect("a built-in style");
                let outputs = clear::evaluate(&style.server, &symbol.grid).expect("evaluates");
                let look = RenderOptions {
                    module_px: 10,
                    quiet_zone: 4,
                    palette: Palette::new(&PRESETS[0]),
                    patterns: Default::default(),
                    jpeg_quality: None,
                    logo: Some(Logo { hide_background_dots: hide, ..logo.clone() }),
                    fitted: None,
                    scan: crate::capture::Scan::of(Readability::default()),
                };
                let done = finish(style.geometry, &symbol.grid, &outputs, payload, look);
                assert!(done.is_ok(), "{ec} {id} logo {}: {:?}", logo.size, done.err());
                let done = done.expect("ok");
                assert!(done.svg.contains("data:image/png;base64,"), "{ec} {id}");
            }
        }
    }

    #[test]
    fn hidden_modules_are_data_modules_under_the_box() {
        let logo = square_logo(0.4);
        let hidden = logo.hidden(25);
        let fixed = FixedModules::for_side(25);
        // Version 2's alignment pattern (centre 18, 18) is drawn over the image.
        assert!(!hidden[18 * 25 + 18] && fixed.get(18, 18).is_some());
        assert!(hidden[12 * 25 + 12], "the centre module");
        assert!(!hidden[0], "a corner");
        let (x, _, w, _) = logo.frame(25);
        assert!((w - 10.0).abs() < 1e-4 && (x - 7.5).abs() < 1e-4);
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10" fill="red"/></svg>"#;
        let wide = Logo::from_bytes(svg).expect("an SVG");
        assert_eq!((wide.image.width(), wide.image.height(), wide.media_type), (1024, 512, "image/svg+xml"));
        assert!(Logo::from_bytes(b"GIF89a").is_err());
    }
}
