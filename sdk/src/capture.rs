//! The phone check: every code the SDK returns is also read by the judges from a simulated
//! phone capture of itself, at the strength its readability level names ([`Scan`]).
//!
//! A capture is what a scanner app gets from the camera: the code seen at an angle (keystone
//! and tilt), slightly out of focus, sampled by the sensor at about three pixels per module,
//! lit unevenly (fall-off towards the corners), with noise that grows with the signal, and
//! JPEG-compressed. Its noise is fixed by a seed taken from the code's own modules, so a code
//! always meets the same capture and a result can be reproduced. The strengths are calibrated
//! on plain codes in the lab (`qrveil-lab scan`, `docs/readability.md`).

use image::codecs::jpeg::{JpegDecoder, JpegEncoder};
use image::{imageops, DynamicImage, Rgb, RgbImage};
use imageproc::geometric_transformations::{warp, Border, Interpolation, Projection};
use qrveil_style::{ModuleGrid, Readability};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::fmt;

/// How hard the phone check's scan is: what each readability level promises to survive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scan {
    /// A steady hand in good light: every plain code of the lab's corpus reads.
    Ordinary,
    /// At an angle, a little shaky or dim: at least 97% of plain codes read.
    Poor,
    /// Far off, blurred and noisy: at least 90% of plain codes read.
    Bad,
}

impl Scan {
    pub const ALL: [Scan; 3] = [Scan::Ordinary, Scan::Poor, Scan::Bad];

    /// The scan a readability level checks every code with.
    pub fn of(level: Readability) -> Self {
        match level {
            Readability::Vivid => Scan::Ordinary,
            Readability::Balanced => Scan::Poor,
            Readability::Robust => Scan::Bad,
        }
    }

    /// The capture's strength (1: a typical handheld shot), calibrated on plain codes by
    /// `qrveil-lab scan` (`docs/readability.md`, "The phone check").
    pub fn strength(self) -> f32 {
        match self {
            Scan::Ordinary => 0.35,
            Scan::Poor => 0.7,
            Scan::Bad => 0.9,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Scan::Ordinary => "ordinary",
            Scan::Poor => "poor",
            Scan::Bad => "bad",
        }
    }
}

impl fmt::Display for Scan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The capture's seed for a code: FNV-1a over its modules, so each code has its own capture
/// and meets it every time.
pub fn seed_of(grid: &ModuleGrid) -> u64 {
    grid.bits().iter().fold(0xcbf2_9ce4_8422_2325, |h, &dark| (h ^ u64::from(dark)).wrapping_mul(0x0100_0000_01b3))
}

/// `img`, drawn at `module_px` pixels per module, as a phone camera gets it at `strength`.
pub fn capture(img: &RgbImage, module_px: f32, strength: f32, seed: u64) -> RgbImage {
    let s = strength.max(0.0);
    let white = Border::Constant(Rgb([255, 255, 255]));
    let (w, h) = img.dimensions();
    let (wf, hf) = (w as f32, h as f32);
    // Keystone (top narrower) and a tilt: the corners move by up to 6% of the side at s = 1.
    let (inset, tilt) = (0.04 * s * wf, 0.02 * s * hf);
    let from = [(0.0, 0.0), (wf, 0.0), (wf, hf), (0.0, hf)];
    let to = [(inset, tilt), (wf - inset, 0.0), (wf, hf), (0.0, hf - tilt)];
    let tilted = match Projection::from_control_points(from, to) {
        Some(p) => warp(img, p, Interpolation::Bilinear, white),
        None => img.clone(),
    };
    // Defocus (σ 0.12 module at s = 1), then the sensor's sampling: 3.2 px per module at s = 1,
    // 2 at s = 2.
    let blurred = imageproc::filter::gaussian_blur_f32(&tilted, (0.12 * s * module_px).max(0.01));
    let scale = 8.0 / (1.0 + 1.5 * s) / module_px;
    let (sw, sh) = ((wf * scale).round().max(1.0) as u32, (hf * scale).round().max(1.0) as u32);
    let mut small = imageops::resize(&blurred, sw, sh, imageops::FilterType::Triangle);
    // Light falls off towards the corners (to 1 − 0.15·s of the centre's), and shot noise
    // grows with the signal: σ = s · (3 + 0.06 · value).
    let mut rng = StdRng::seed_from_u64(seed);
    let (cx, cy) = (sw as f32 / 2.0, sh as f32 / 2.0);
    let reach = cx * cx + cy * cy;
    for (x, y, p) in small.enumerate_pixels_mut() {
        let r2 = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)) / reach;
        let light = 1.0 - 0.15 * s * r2;
        for c in p.0.iter_mut() {
            let lit = *c as f32 * light;
            let sigma = s * (3.0 + 0.06 * lit);
            *c = (lit + sigma * standard_normal(&mut rng)).round().clamp(0.0, 255.0) as u8;
        }
    }
    jpeg(&small, (90.0 - 25.0 * s).clamp(20.0, 95.0) as u8)
}

/// One draw of N(0, 1) (Box–Muller).
fn standard_normal(rng: &mut StdRng) -> f32 {
    let u1: f32 = rng.random_range(f32::EPSILON..1.0);
    let u2: f32 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}

/// `img` through JPEG at `quality` and back (unchanged if the codec fails, which it does not
/// for an image it made).
fn jpeg(img: &RgbImage, quality: u8) -> RgbImage {
    let mut bytes = Vec::new();
    let encoded = JpegEncoder::new_with_quality(&mut bytes, quality).encode_image(img);
    let decoded = encoded.ok().and_then(|_| JpegDecoder::new(std::io::Cursor::new(bytes)).ok());
    decoded.and_then(|d| DynamicImage::from_decoder(d).ok()).map(|d| d.to_rgb8()).unwrap_or_else(|| img.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_capture_is_the_same_for_the_same_code_and_harder_when_stronger() {
        let grid = ModuleGrid::new(21, (0..441).map(|i| i % 3 == 0).collect()).expect("square");
        let other = ModuleGrid::new(21, (0..441).map(|i| i % 5 == 0).collect()).expect("square");
        assert_ne!(seed_of(&grid), seed_of(&other));
        let img =
            RgbImage::from_fn(232, 232, |x, y| if (x / 8 + y / 8) % 2 == 0 { Rgb([0, 0, 0]) } else { Rgb([255; 3]) });
        let a = capture(&img, 8.0, 1.0, seed_of(&grid));
        assert_eq!(a, capture(&img, 8.0, 1.0, seed_of(&grid)), "the same code, the same capture");
        assert_ne!(a, capture(&img, 8.0, 1.0, seed_of(&other)), "another code, other noise");
        // About 3.2 px per module at strength 1, 2 at strength 2, whatever the drawing's size.
        assert_eq!(a.width(), (232.0f32 * 3.2 / 8.0).round() as u32);
        let big = RgbImage::from_fn(464, 464, |x, y| *img.get_pixel(x / 2, y / 2));
        assert_eq!(capture(&big, 16.0, 2.0, 1).width(), (232.0f32 * 2.0 / 8.0).round() as u32);
        // Stronger captures blur the checkerboard more: less contrast left.
        let spread = |c: &RgbImage| {
            let v: Vec<f32> = c.pixels().map(|p| p[0] as f32).collect();
            let mean = v.iter().sum::<f32>() / v.len() as f32;
            (v.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / v.len() as f32).sqrt()
        };
        assert!(spread(&capture(&img, 8.0, 0.5, 1)) > spread(&capture(&img, 8.0, 2.0, 1)));
        let levels: Vec<f32> = Scan::ALL.iter().map(|s| s.strength()).collect();
        assert!(levels.windows(2).all(|w| w[0] < w[1]), "{levels:?}");
    }
}
