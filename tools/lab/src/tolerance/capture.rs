//! Degradations with a strength: each family is a ladder of strengths, increasing with
//! difficulty, wide enough that plain codes stop decoding inside it. Renders come in at
//! [`RENDER_PX`] pixels per module.

use crate::eval::conditions::RENDER_PX;
use image::codecs::jpeg::{JpegDecoder, JpegEncoder};
use image::{imageops, DynamicImage, Rgb, RgbImage};
use imageproc::geometric_transformations::{warp, Border, Interpolation, Projection};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub const STEPS: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// Gaussian blur; strength: σ in modules.
    Blur,
    /// Additive Gaussian noise; strength: σ in grey levels of 255.
    Noise,
    /// Bilinear downscale; strength: modules per pixel (1 / pixels per module).
    Downscale,
    /// A phone capture: keystone and tilt, defocus, downscale to a camera-like size,
    /// signal-dependent sensor noise, JPEG; strength: 1 is a typical handheld shot.
    Capture,
}

impl Family {
    pub const ALL: [Family; 4] = [Family::Blur, Family::Noise, Family::Downscale, Family::Capture];

    pub fn name(self) -> &'static str {
        match self {
            Family::Blur => "blur",
            Family::Noise => "noise",
            Family::Downscale => "downscale",
            Family::Capture => "capture",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            Family::Blur => "σ modules",
            Family::Noise => "σ grey levels",
            Family::Downscale => "modules per px",
            Family::Capture => "strength",
        }
    }

    /// The strengths measured, easiest first.
    pub fn ladder(self) -> [f32; STEPS] {
        match self {
            Family::Blur => [0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.9],
            Family::Noise => [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 75.0, 90.0],
            Family::Downscale => [0.3, 0.4, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9],
            Family::Capture => [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5],
        }
    }

    /// `img` degraded at `strength`; `seed` makes the noise reproducible per case.
    pub fn apply(self, img: &RgbImage, strength: f32, seed: u64) -> RgbImage {
        match self {
            Family::Blur => imageproc::filter::gaussian_blur_f32(img, strength * RENDER_PX as f32),
            Family::Noise => imageproc::noise::gaussian_noise(img, 0.0, strength as f64, seed),
            Family::Downscale => downscale(img, 1.0 / strength),
            Family::Capture => capture(img, strength, seed),
        }
    }
}

/// Resize to `px` pixels per module.
fn downscale(img: &RgbImage, px: f32) -> RgbImage {
    let scale = px / RENDER_PX as f32;
    let (w, h) = img.dimensions();
    let (sw, sh) = ((w as f32 * scale).round() as u32, (h as f32 * scale).round() as u32);
    imageops::resize(img, sw.max(1), sh.max(1), imageops::FilterType::Triangle)
}

/// A handheld phone shot at strength `s`.
fn capture(img: &RgbImage, s: f32, seed: u64) -> RgbImage {
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
    // Defocus, then the sensor's sampling: 3.2 px per module at s = 1, 2 at s = 2.
    let blurred = imageproc::filter::gaussian_blur_f32(&tilted, 0.12 * s * RENDER_PX as f32);
    let mut small = downscale(&blurred, RENDER_PX as f32 / (1.0 + 1.5 * s));
    // Shot noise grows with the signal: σ = s · (3 + 0.06 · value).
    let mut rng = StdRng::seed_from_u64(seed);
    for p in small.pixels_mut() {
        for c in p.0.iter_mut() {
            let sigma = s * (3.0 + 0.06 * *c as f32);
            *c = (*c as f32 + sigma * standard_normal(&mut rng)).round().clamp(0.0, 255.0) as u8;
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

fn jpeg(img: &RgbImage, quality: u8) -> RgbImage {
    let mut bytes = Vec::new();
    let encoded = JpegEncoder::new_with_quality(&mut bytes, quality).encode_image(img);
    let decoded = encoded.ok().and_then(|_| JpegDecoder::new(std::io::Cursor::new(bytes)).ok());
    decoded.and_then(|d| DynamicImage::from_decoder(d).ok()).map(|d| d.to_rgb8()).unwrap_or_else(|| img.clone())
}
