//! The client's finishing step: the style's outputs (as this device evaluated them) become
//! tiles through the public render recipe, every module's ink is corrected to the true bitmap,
//! and the code is drawn in the chosen colours (or the least change its checks need,
//! [`crate::settle`]), verified by the judges ([`crate::Decoder::JUDGES`]) and encoded as PNG and
//! SVG. The pipeline, the readability lab and the tests all draw through here.

use crate::capture::{seed_of, Scan};
use crate::correct::correct;
use crate::error::Internal;
use crate::logo::Logo;
use crate::palette::Palette;
use crate::render::{encode_png, over_white, Canvas};
use crate::settle::{settle, ColourChoice, Shapes, VERIFY_MIN_MODULE_PX};
use crate::verify::verify;
use crate::SdkError;
use image::RgbImage;
use qrveil_style::recipe::{square, Patterns, Squaring, TileSet};
use qrveil_style::{tiles, Geometry, ModuleGrid, RecipeError, Tile};
use std::sync::Arc;
use std::time::Instant;

/// A code's tiles, ready to draw, with the ink of every module equal to the true bitmap.
#[derive(Clone, Debug)]
pub struct Drawing {
    side: u32,
    geometry: Geometry,
    tiles: Vec<Tile>,
    corrected: usize,
}

impl Drawing {
    /// The style's tiles for its decrypted `outputs`, corrected against `truth`: whatever the
    /// outputs say, the ink of every module is the QR encoder's.
    pub fn styled(geometry: Geometry, truth: &ModuleGrid, outputs: &[u8]) -> Result<Self, RecipeError> {
        let mut tiles = tiles(geometry, truth.side(), outputs)?;
        let corrected = correct(&mut tiles, truth);
        Ok(Self { side: truth.side(), geometry, tiles, corrected })
    }

    /// The plain code: every module a square of its own ink.
    pub fn plain(grid: &ModuleGrid) -> Self {
        let tiles = grid.bits().iter().map(|&dark| if dark { Tile::DARK } else { Tile::LIGHT }).collect();
        Self { side: grid.side(), geometry: Geometry::Squares, tiles, corrected: 0 }
    }

    /// The same drawing with the modules `squaring` names drawn square.
    pub fn squared(&self, squaring: Squaring) -> Self {
        let mut tiles = self.tiles.clone();
        square(self.geometry, self.side, &mut tiles, squaring);
        Self { side: self.side, geometry: self.geometry, tiles, corrected: self.corrected }
    }

    /// Modules whose style disagreed with the true bitmap and were redrawn.
    pub fn corrected_modules(&self) -> usize {
        self.corrected
    }

    /// Leave the modules marked in `hidden` (row-major) undrawn, under a logo.
    pub fn hide(&mut self, hidden: &[bool]) {
        for (tile, _) in self.tiles.iter_mut().zip(hidden).filter(|(_, &h)| h) {
            *tile = Tile::LIGHT;
        }
    }

    pub fn tiles(&self) -> &[Tile] {
        &self.tiles
    }

    /// What to rasterise, at `module_px` pixels per module with `quiet_zone` modules around.
    pub fn canvas(&self, module_px: u32, quiet_zone: u32, palette: Palette) -> Canvas<'_> {
        Canvas {
            side: self.side,
            tiles: &self.tiles,
            module_px,
            quiet_zone,
            palette,
            patterns: Patterns::default(),
            logo: None,
            fitted: None,
        }
    }
}

/// Where the finishing step spent its time, in seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct FinishTimings {
    /// Tiles from the outputs, and correction.
    pub draw: f64,
    pub render: f64,
    pub verify: f64,
    /// PNG, SVG and JPEG encoding (and the JPEG's own verification).
    pub encode: f64,
}

/// A finished code: verified, as PNG and as SVG, and as JPEG when asked.
pub struct Finished {
    pub png: Vec<u8>,
    pub svg: String,
    pub jpeg: Option<Vec<u8>>,
    pub corrected_modules: usize,
    /// Whether rqrr (quirc's algorithm) also reads the code: reported, not required (`None`:
    /// no answer within [`crate::verify::QUIRC_BUDGET`]).
    pub quirc_family: Option<bool>,
    /// Which modules were drawn square for the checks, if any.
    pub shapes: Shapes,
    /// Every chosen colour and how it was drawn (as chosen unless the checks needed a change).
    pub colours: Vec<ColourChoice>,
    /// Median CIEDE2000 between the chosen and the drawn data ink, along its fill.
    pub ink_delta_e: f32,
    pub seconds: FinishTimings,
}

/// How a finished code is drawn.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    pub module_px: u32,
    pub quiet_zone: u32,
    pub palette: Palette,
    pub patterns: Patterns,
    /// JPEG quality (1-100), when a JPEG is wanted too.
    pub jpeg_quality: Option<u8>,
    /// A centre image, already checked to fit ([`Logo::check`]).
    pub logo: Option<Logo>,
    /// A fitted look's tiles.
    pub fitted: Option<Arc<TileSet>>,
    /// The phone check: the simulated scan every code must also read from.
    pub scan: Scan,
}

/// Decrypted style outputs → tiles → correction → render → verify → PNG and SVG. Fails only
/// when the outputs do not fit the style's layout (a bad result) or the drawn code does not
/// decode to `payload` with both verifiers; it never returns a code that reads as anything else.
pub fn finish(
    geometry: Geometry,
    truth: &ModuleGrid,
    outputs: &[u8],
    payload: &[u8],
    look: RenderOptions,
) -> Result<Finished, SdkError> {
    let t = Instant::now();
    let mut drawing = Drawing::styled(geometry, truth, outputs).map_err(|e| SdkError::BadResult(e.to_string()))?;
    if let Some(logo) = look.logo.as_ref().filter(|l| l.hide_background_dots) {
        drawing.hide(&logo.hidden(truth.side()));
    }
    let draw = t.elapsed().as_secs_f64();

    let canvas = Canvas {
        patterns: look.patterns,
        logo: look.logo.as_ref(),
        fitted: look.fitted.as_deref(),
        ..drawing.canvas(look.module_px, look.quiet_zone, look.palette)
    };
    let settled = settle(&drawing, &canvas, payload, look.scan, seed_of(truth))?;
    let canvas = Canvas { palette: settled.palette.clone(), tiles: settled.drawing.tiles(), ..canvas };
    let image = over_white(&settled.rgba);

    let t = Instant::now();
    let png = encode_png(&settled.rgba, canvas.palette.transparent()).map_err(Internal::from)?;
    let svg = canvas.to_svg();
    // JPEG's compression moves pixels: the bytes delivered are decoded and verified again
    // (a code too small to check at its own size was checked larger, from the same colours).
    let jpeg = match look.jpeg_quality {
        Some(quality) => {
            let bytes = encode_jpeg(&image, quality).map_err(Internal::from)?;
            if canvas.module_px >= VERIFY_MIN_MODULE_PX {
                verify(&image::load_from_memory(&bytes).map_err(Internal::from)?.into_rgb8(), payload)?;
            }
            Some(bytes)
        }
        None => None,
    };
    let encode = t.elapsed().as_secs_f64();
    Ok(Finished {
        png,
        svg,
        jpeg,
        corrected_modules: drawing.corrected_modules(),
        quirc_family: settled.quirc_family,
        shapes: settled.shapes,
        ink_delta_e: canvas.palette.ink_delta_e(),
        colours: settled.colours,
        seconds: FinishTimings { draw, render: settled.render, verify: settled.verify, encode },
    })
}

/// JPEG bytes of `img` (opaque: a transparent code is shown on white).
fn encode_jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, image::ImageError> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode_image(img)?;
    Ok(out)
}
