//! Degradations with a strength: each family is a ladder of strengths, increasing with
//! difficulty, wide enough that plain codes stop decoding inside it. Renders come in at
//! [`RENDER_PX`] pixels per module.

use crate::eval::conditions::RENDER_PX;
use image::{imageops, RgbImage};

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
    /// A phone capture, the SDK's own (its phone check): keystone and tilt, defocus, downscale
    /// to a camera-like size, light fall-off, signal-dependent sensor noise, JPEG; strength: 1
    /// is a typical handheld shot.
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
            Family::Capture => qrveil_sdk::capture::capture(img, RENDER_PX as f32, strength, seed),
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
