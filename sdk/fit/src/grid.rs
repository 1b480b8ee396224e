//! Finding the module grid in a plain code (black squares on white, any resolution) and
//! reading its modules.

use crate::FitError;
use image::GrayImage;
use qrveil_style::{FixedModules, ModuleGrid};

/// Where the symbol lies in an image: its top-left corner and module size in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Grid {
    pub left: f32,
    pub top: f32,
    pub module: f32,
    pub side: u32,
}

impl Grid {
    /// Pixel position of module point (x, y) (module units from the symbol's corner).
    pub fn pixel(&self, x: f32, y: f32) -> (f32, f32) {
        (self.left + x * self.module, self.top + y * self.module)
    }

    /// The pixels whose centres lie in module (mx, my), as inclusive index ranges; a module
    /// smaller than a pixel gets the pixel its centre falls in.
    pub fn module_pixels(&self, mx: i64, my: i64) -> PixelBox {
        let span = |start: f32| {
            let (a, b) = (start, start + self.module);
            let (first, last) = ((a - 0.5).ceil() as i64, (b - 0.5).ceil() as i64 - 1);
            if last < first {
                let centre = ((a + b) / 2.0).floor() as i64;
                (centre, centre)
            } else {
                (first, last)
            }
        };
        let (x0, y0) = self.pixel(mx as f32, my as f32);
        PixelBox { x: span(x0), y: span(y0) }
    }

    /// The same grid in an image `scale` times as large.
    pub fn scaled(&self, scale: f32) -> Grid {
        Grid { left: self.left * scale, top: self.top * scale, module: self.module * scale, side: self.side }
    }

    /// Whole pixels per module and quiet-zone modules, when the image is drawn on whole
    /// pixels (as a renderer at an integer scale draws it).
    pub fn whole_pixels(&self, width: u32) -> Option<(u32, u32)> {
        let px = self.module.round();
        let qz = self.left / px;
        let whole = |v: f32| (v - v.round()).abs() < 0.02;
        let fits = (self.side as f32 + 2.0 * qz.round()) * px == width as f32;
        (px >= 1.0 && whole(self.module) && whole(qz) && fits).then_some((px as u32, qz.round() as u32))
    }
}

/// Inclusive ranges of pixel indices: the pixels one module owns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PixelBox {
    pub x: (i64, i64),
    pub y: (i64, i64),
}

/// Dark below half luma.
fn dark(img: &GrayImage, x: u32, y: u32) -> bool {
    img.get_pixel(x, y)[0] < 128
}

/// The grid of a plain code: the dark pixels' bounding box is the symbol (its corners are
/// finder patterns), and the top-left finder's top edge is 7 modules long.
pub fn find_grid(img: &GrayImage) -> Result<Grid, String> {
    let (w, h) = img.dimensions();
    let mut bounds: Option<(u32, u32, u32, u32)> = None;
    for (x, y, _) in img.enumerate_pixels().filter(|&(x, y, _)| dark(img, x, y)) {
        let b = bounds.get_or_insert((x, y, x, y));
        *b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
    }
    let (x0, y0, x1, y1) = bounds.ok_or("no dark pixels")?;
    let (width, height) = ((x1 - x0 + 1) as f32, (y1 - y0 + 1) as f32);
    if (width - height).abs() > 1.0 + 0.02 * width {
        return Err(format!("the dark area is {width}x{height} px, not square"));
    }
    let run_right = (x0..w).take_while(|&x| dark(img, x, y0)).count() as f32;
    let run_down = (y0..h).take_while(|&y| dark(img, x0, y)).count() as f32;
    if (run_right - run_down).abs() > 1.0 + 0.1 * run_right {
        return Err("no finder pattern at the top-left corner".into());
    }
    let side = (7.0 * width / (run_right + run_down) * 2.0).round() as u32;
    if !(21..=177).contains(&side) || side % 4 != 1 {
        return Err(format!("the symbol measures {side} modules a side, not a QR size (21, 25, ... 177)"));
    }
    Ok(Grid { left: x0 as f32, top: y0 as f32, module: width / side as f32, side })
}

/// The modules at the grid's centres; refused when the standard's fixed modules (finders,
/// timing, alignment) do not read as the standard fixes them.
pub fn read_modules(img: &GrayImage, grid: &Grid) -> Result<ModuleGrid, String> {
    let n = grid.side;
    let bits: Vec<bool> = (0..n * n)
        .map(|i| {
            let (px, py) = grid.pixel((i % n) as f32 + 0.5, (i / n) as f32 + 0.5);
            dark(img, (px as u32).min(img.width() - 1), (py as u32).min(img.height() - 1))
        })
        .collect();
    let fixed = FixedModules::for_side(n);
    let (mut seen, mut wrong) = (0, 0);
    for (i, &bit) in bits.iter().enumerate() {
        if let Some(v) = fixed.get((i as u32 % n) as i64, (i as u32 / n) as i64) {
            seen += 1;
            wrong += usize::from(v != bit);
        }
    }
    if wrong > seen / 50 {
        return Err(format!("{wrong} of the {seen} modules the QR standard fixes read wrong; is it a plain QR code?"));
    }
    ModuleGrid::new(n, bits).map_err(|e| e.to_string())
}

/// The grid and modules of one plain image, errors naming it.
pub fn plain_code(img: &GrayImage, name: &str) -> Result<(Grid, ModuleGrid), FitError> {
    let bad = |detail: String| FitError::Example { name: name.into(), detail };
    let grid = find_grid(img).map_err(|d| bad(format!("plain image: {d}")))?;
    let modules = read_modules(img, &grid).map_err(|d| bad(format!("plain image: {d}")))?;
    Ok((grid, modules))
}
