//! Camera-like degradations at fixed, documented strengths. Renders come in at
//! [`RENDER_PX`] pixels per module; each condition returns what a decoder gets to read.

use crate::tolerance::capture::Family;
use image::codecs::jpeg::{JpegDecoder, JpegEncoder};
use image::{imageops, DynamicImage, Rgb, RgbImage};
use imageproc::geometric_transformations::{rotate_about_center, warp, Border, Interpolation, Projection};

/// Pixels per module of the clean renders the conditions start from.
pub const RENDER_PX: u32 = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Condition {
    /// The render as produced.
    Clean,
    /// Resized to 3 px per module (bilinear), as a small code in a camera frame.
    Downscale,
    /// Gaussian blur, σ = ¼ module (2 px).
    Blur,
    /// JPEG at quality 50.
    Jpeg,
    /// Additive Gaussian noise, σ = 25 of 255.
    Noise,
    /// Rotated by 7° about the centre (bilinear, white outside).
    Rotate,
    /// Keystone: the top edge 12% narrower than the bottom (bilinear).
    Perspective,
    /// Lighting falling from 100% to 55% across the diagonal.
    Lighting,
    /// The published experiment's protocol: drawn at 1 px per module (here: each module's
    /// pixels averaged), then enlarged ×10 by nearest neighbour.
    Experiment,
    /// The compound phone capture ([`Family::Capture`]) at strength 0.5, 1 (a typical
    /// handheld shot) and 1.5.
    CaptureLight,
    CaptureTypical,
    CaptureHard,
}

impl Condition {
    pub const ALL: [Condition; 12] = [
        Condition::Clean,
        Condition::Downscale,
        Condition::Blur,
        Condition::Jpeg,
        Condition::Noise,
        Condition::Rotate,
        Condition::Perspective,
        Condition::Lighting,
        Condition::Experiment,
        Condition::CaptureLight,
        Condition::CaptureTypical,
        Condition::CaptureHard,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Condition::Clean => "clean",
            Condition::Downscale => "downscale",
            Condition::Blur => "blur",
            Condition::Jpeg => "jpeg50",
            Condition::Noise => "noise",
            Condition::Rotate => "rotate",
            Condition::Perspective => "perspective",
            Condition::Lighting => "lighting",
            Condition::Experiment => "experiment",
            Condition::CaptureLight => "capture0.5",
            Condition::CaptureTypical => "capture1",
            Condition::CaptureHard => "capture1.5",
        }
    }

    /// Apply to `img`; `seed` makes noise reproducible per case.
    pub fn apply(self, img: &RgbImage, seed: u64) -> RgbImage {
        let white = Border::Constant(Rgb([255, 255, 255]));
        let (w, h) = img.dimensions();
        match self {
            Condition::Clean => img.clone(),
            Condition::Downscale => {
                let scale = 3.0 / RENDER_PX as f32;
                let (sw, sh) = ((w as f32 * scale).round() as u32, (h as f32 * scale).round() as u32);
                imageops::resize(img, sw.max(1), sh.max(1), imageops::FilterType::Triangle)
            }
            Condition::Blur => imageproc::filter::gaussian_blur_f32(img, RENDER_PX as f32 / 4.0),
            Condition::Jpeg => {
                let mut bytes = Vec::new();
                let encoded = JpegEncoder::new_with_quality(&mut bytes, 50).encode_image(img);
                let decoded = encoded.ok().and_then(|_| JpegDecoder::new(std::io::Cursor::new(bytes)).ok());
                decoded
                    .and_then(|d| DynamicImage::from_decoder(d).ok())
                    .map(|d| d.to_rgb8())
                    .unwrap_or_else(|| img.clone())
            }
            Condition::Noise => imageproc::noise::gaussian_noise(img, 0.0, 25.0, seed),
            Condition::Rotate => rotate_about_center(img, 7f32.to_radians(), Interpolation::Bilinear, white),
            Condition::Perspective => {
                let (wf, hf) = (w as f32, h as f32);
                let inset = 0.06 * wf;
                let from = [(0.0, 0.0), (wf, 0.0), (wf, hf), (0.0, hf)];
                let to = [(inset, 0.0), (wf - inset, 0.0), (wf, hf), (0.0, hf)];
                match Projection::from_control_points(from, to) {
                    Some(p) => warp(img, p, Interpolation::Bilinear, white),
                    None => img.clone(),
                }
            }
            Condition::Lighting => {
                let mut out = img.clone();
                let span = (w + h).max(1) as f32;
                for (x, y, p) in out.enumerate_pixels_mut() {
                    let f = 1.0 - 0.45 * (x + y) as f32 / span;
                    for c in p.0.iter_mut() {
                        *c = (*c as f32 * f).round() as u8;
                    }
                }
                out
            }
            Condition::Experiment => {
                // Area averaging: a module's pixels become its one pixel, edges blended as a
                // 1 px render anti-aliases them.
                let small = imageops::thumbnail(img, w / RENDER_PX, h / RENDER_PX);
                imageops::resize(&small, small.width() * 10, small.height() * 10, imageops::FilterType::Nearest)
            }
            Condition::CaptureLight => Family::Capture.apply(img, 0.5, seed),
            Condition::CaptureTypical => Family::Capture.apply(img, 1.0, seed),
            Condition::CaptureHard => Family::Capture.apply(img, 1.5, seed),
        }
    }
}
