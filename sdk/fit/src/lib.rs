//! Learned looks: fit a style from example images (`qrveil style fit`).
//!
//! An example is a pair: `NAME.png`, a code in the look, and `NAME.plain.png`, the plain
//! black-on-white code of the same symbol, at any resolution. The fitter finds the grid in the
//! plain image ([`grid`]), fits the ink's and the background's colour fields ([`colour`]), and
//! learns, for every vertex block code, the ink of the unit tile around the vertex
//! ([`tiles`], traced into polygons by [`contour`]). Every shape of python-qrcode's and
//! qr-code-styling's catalogues is a function of that block, so this model can draw them
//! exactly, and the function evaluates it in the linear tier at 0 PBS. The result is a style
//! document (`dotsOptions.type` `fitted`, with its `tiles`), used like any other.
//!
//! Fitting is deterministic: no randomness, examples in name order, sums in a fixed order.

pub mod colour;
pub mod contour;
mod eyes;
pub mod grid;
mod model;
mod report;
pub mod tiles;
pub mod wide;
mod write;

use image::{GrayImage, RgbImage};
use std::path::Path;

pub use model::{Model, ModelChoice, POOR_FIT};
pub use report::{compare, draw, fit, mean_difference, ExampleFit, FitOptions, FitReport, Progress};

/// What stops a fit; every message names the example or file at fault.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    #[error("cannot read the examples folder {path}: {detail}")]
    Folder { path: String, detail: String },
    #[error("{path} holds no examples: put pairs NAME.png (the styled code) and NAME.plain.png (the plain black-on-white code of the same symbol) in it")]
    NoExamples { path: String },
    #[error("example {name}: {detail}")]
    Example { name: String, detail: String },
    #[error("{0}")]
    Colours(String),
    #[error("the fitted tiles cannot be drawn: {0}")]
    Tiles(#[from] qrveil_style::recipe::TileSetError),
    #[error(transparent)]
    Sdk(#[from] qrveil_sdk::SdkError),
}

/// One example: the styled code (over white where it is transparent) and its plain original.
pub struct Example {
    pub name: String,
    pub styled: RgbImage,
    pub plain: GrayImage,
}

/// Largest example image, in pixels: a version-40 code at 40 px per module is 7,000 px a side.
pub const MAX_EXAMPLE_PIXELS: u64 = 8192 * 8192;

impl Example {
    /// An example from the bytes of its two files, `NAME.png` and `NAME.plain.png` (PNG, or any
    /// format `image` reads); errors name the file.
    pub fn decode(name: &str, styled: &[u8], plain: &[u8]) -> Result<Self, FitError> {
        let bad = |detail: String| FitError::Example { name: name.to_string(), detail };
        let read = |bytes: &[u8], which: &str| {
            let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
                .with_guessed_format()
                .map_err(|e| bad(format!("cannot read {which}: {e}")))?;
            let (w, h) = reader.into_dimensions().map_err(|e| bad(format!("cannot read {which}: {e}")))?;
            if w as u64 * h as u64 > MAX_EXAMPLE_PIXELS {
                return Err(bad(format!("{which} is {w}x{h} pixels; examples may have at most {MAX_EXAMPLE_PIXELS}")));
            }
            let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
                .with_guessed_format()
                .map_err(|e| bad(format!("cannot read {which}: {e}")))?;
            reader.decode().map_err(|e| bad(format!("cannot read {which}: {e}")))
        };
        let styled = over_white(&read(styled, &format!("{name}.png"))?.to_rgba8());
        let plain = read(plain, &format!("{name}.plain.png"))?;
        let plain = image::DynamicImage::ImageRgb8(over_white(&plain.to_rgba8())).to_luma8();
        Ok(Example { name: name.to_string(), styled, plain })
    }
}

/// The pairs in `dir`, in name order. A styled image without its plain one (or the reverse),
/// or an image that cannot be decoded, is an error naming it.
pub fn load_examples(dir: &Path) -> Result<Vec<Example>, FitError> {
    let folder = |e: std::io::Error| FitError::Folder { path: dir.display().to_string(), detail: e.to_string() };
    let mut names: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(folder)? {
        let file = entry.map_err(folder)?.file_name().to_string_lossy().into_owned();
        if file.to_ascii_lowercase().ends_with(".png") {
            names.push(file);
        }
    }
    names.sort();
    let plain_of = |name: &str| format!("{name}.plain.png");
    let mut examples = Vec::new();
    for file in &names {
        let bad = |detail: String| FitError::Example { name: file.clone(), detail };
        if let Some(stem) = file.strip_suffix(".plain.png") {
            if !names.iter().any(|n| n == &format!("{stem}.png")) {
                return Err(bad(format!("no {stem}.png (the styled code) beside it")));
            }
            continue;
        }
        let stem = &file[..file.len() - 4];
        if !names.contains(&plain_of(stem)) {
            return Err(bad(format!("no {} (the plain code of the same symbol) beside it", plain_of(stem))));
        }
        let read = |f: &str| std::fs::read(dir.join(f)).map_err(|e| bad(format!("cannot read {f}: {e}")));
        examples.push(Example::decode(stem, &read(file)?, &read(&plain_of(stem))?)?);
    }
    if examples.is_empty() {
        return Err(FitError::NoExamples { path: dir.display().to_string() });
    }
    Ok(examples)
}

/// Transparent pixels show white, as a page shows them.
fn over_white(img: &image::RgbaImage) -> RgbImage {
    RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let p = img.get_pixel(x, y).0;
        let a = p[3] as u32;
        image::Rgb([0, 1, 2].map(|c| ((p[c] as u32 * a + 255 * (255 - a) + 127) / 255) as u8))
    })
}
