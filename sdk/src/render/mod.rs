//! Drawing tiles to PNG (with `image`) and SVG ([`svg`]), with a quiet zone, in the
//! [`Palette`]'s colours.

mod svg;

use crate::logo::Logo;
use crate::palette::{Area, Palette, Part, Shade};
use image::{ImageEncoder, RgbImage, RgbaImage};
use qrveil_style::recipe::patterns::PatternBox;
use qrveil_style::recipe::{Corner, Patterns, TileSet};
use qrveil_style::{FixedModules, Rgb, Shape, Tile};
use rayon::prelude::*;

/// PNG bytes: RGB, or RGBA when the background is transparent.
pub fn encode_png(img: &RgbaImage, transparent: bool) -> Result<Vec<u8>, image::ImageError> {
    let mut out = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new(&mut out);
    if transparent {
        encoder.write_image(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::Rgba8)?;
    } else {
        let rgb = image::DynamicImage::ImageRgba8(img.clone()).into_rgb8();
        encoder.write_image(rgb.as_raw(), img.width(), img.height(), image::ExtendedColorType::Rgb8)?;
    }
    Ok(out)
}

/// `img` over white: what a decoder sees of a transparent code on a white page.
pub fn over_white(img: &RgbaImage) -> RgbImage {
    RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let p = img.get_pixel(x, y).0;
        let a = p[3] as u32;
        let c = |v: u8| ((v as u32 * a + 255 * (255 - a) + 127) / 255) as u8;
        image::Rgb([c(p[0]), c(p[1]), c(p[2])])
    })
}

/// The inks, in the order [`Coverage`] counts them.
const PARTS: [Part; 4] = [Part::Data, Part::Ring, Part::Centre, Part::Timing];

/// A canvas's geometry per pixel, row-major: the samples of each ink of [`PARTS`], then the
/// samples taken (0 outside the symbol).
#[derive(Clone, Debug, PartialEq)]
pub struct Coverage {
    size: u32,
    cells: Vec<[u8; 5]>,
}

/// What one point of the canvas shows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Paint {
    Background,
    Ink(Part),
}

/// What to draw: tiles (row-major), their size and the quiet zone.
#[derive(Clone)]
pub struct Canvas<'a> {
    pub side: u32,
    pub tiles: &'a [Tile],
    pub module_px: u32,
    pub quiet_zone: u32,
    pub palette: Palette,
    /// The finder patterns' shapes (timing and alignment patterns are tiles like the data).
    pub patterns: Patterns,
    /// A centre image, drawn over everything but the function patterns.
    pub logo: Option<&'a Logo>,
    /// A fitted look's tiles, for [`Shape::Quadrants`] (without them those are squares).
    pub fitted: Option<&'a TileSet>,
}

impl Canvas<'_> {
    pub fn size_px(&self) -> u32 {
        (self.side + 2 * self.quiet_zone) * self.module_px
    }

    /// Whether point (u, v) of a tile (module units, 0..1) is inked.
    fn inked(&self, tile: &Tile, u: f32, v: f32) -> bool {
        let d2 = (u - 0.5).powi(2) + (v - 0.5).powi(2);
        match tile.shape {
            Shape::Square => tile.ink,
            Shape::Dot { radius } => tile.ink && d2 <= radius * radius,
            // A dark tile is inked but where a rounded corner cuts it; a light one only in its
            // fillets.
            Shape::Corners(corners) if tile.ink => corners.iter().enumerate().all(|(q, c)| match *c {
                Corner::Round(r) => !Self::cut(q, r, u, v),
                _ => true,
            }),
            Shape::Corners(corners) => {
                corners.iter().enumerate().any(|(q, c)| matches!(*c, Corner::Fillet(r) if Self::cut(q, r, u, v)))
            }
            Shape::Quadrants(codes) => match self.fitted {
                Some(set) => set.inked_in_module(codes, u, v),
                None => tile.ink,
            },
            // A class's tile is laid on the module: tile units are module units.
            Shape::Class(class) => match self.fitted {
                Some(set) => set.inked(class, u, v),
                None => tile.ink,
            },
        }
    }

    /// Whether (u, v) lies in the part of corner `q` (0 TL, 1 TR, 2 BL, 3 BR) that a radius `r`
    /// rounds off: in the r×r square at the corner, outside the circle of radius r inside it.
    fn cut(q: usize, r: f32, u: f32, v: f32) -> bool {
        let cu = if q & 1 == 1 { 1.0 - r } else { r };
        let cv = if q & 2 == 2 { 1.0 - r } else { r };
        let beyond = |p: f32, c: f32, far: bool| if far { p > c } else { p < c };
        beyond(u, cu, q & 1 == 1) && beyond(v, cv, q & 2 == 2) && (u - cu).powi(2) + (v - cv).powi(2) > r * r
    }

    /// What point (u, v) of module (mx, my) shows (module units, 0..1 within the tile).
    /// Finder and alignment patterns are drawn as whole shapes, the rest tile by tile.
    fn paint_at(&self, fixed: &FixedModules, owner: Option<&PatternBox>, mx: u32, my: u32, u: f32, v: f32) -> Paint {
        if let Some(b) = owner {
            let (px, py) = (mx as f32 + u, my as f32 + v);
            return if b.centre.contains(px, py) {
                Paint::Ink(Part::Centre)
            } else if b.ring.contains(px, py) {
                Paint::Ink(Part::Ring)
            } else {
                Paint::Background
            };
        }
        if !self.inked(&self.tiles[(my * self.side + mx) as usize], u, v) {
            Paint::Background
        } else if fixed.get(mx as i64, my as i64).is_some() {
            Paint::Ink(Part::Timing)
        } else {
            Paint::Ink(Part::Data)
        }
    }

    /// Where pixel position (x, y) lies in `area`'s units.
    pub fn area_point(&self, area: Area, x: f32, y: f32) -> (f32, f32) {
        match area {
            Area::Image => (x / self.size_px() as f32, y / self.size_px() as f32),
            Area::Symbol => {
                let (origin, span) = ((self.quiet_zone * self.module_px) as f32, (self.side * self.module_px) as f32);
                ((x - origin) / span, (y - origin) / span)
            }
        }
    }

    /// For each module (row-major), the finder or alignment pattern it belongs to.
    fn owners(&self, boxes: &[PatternBox]) -> Vec<Option<usize>> {
        let n = self.side as i64;
        (0..n * n).map(|i| boxes.iter().position(|b| b.holds_module(i % n, i / n))).collect()
    }

    /// Rasterise over white (a transparent background shows white): what decoders are shown.
    pub fn to_image(&self) -> RgbImage {
        over_white(&self.to_rgba())
    }

    /// Rasterise with 4×4 supersampling (curves are anti-aliased). Opaque, but for a
    /// transparent background, where a pixel's alpha is the share of it that is inked.
    pub fn to_rgba(&self) -> RgbaImage {
        self.paint(&self.coverage())
    }

    /// The geometry of every pixel, before any colour: how many of its samples each kind of
    /// ink covers. Colours are laid on it by [`Canvas::paint`], so a palette can change
    /// without tracing the shapes again.
    pub fn coverage(&self) -> Coverage {
        let fixed = FixedModules::for_side(self.side);
        let size = self.size_px();
        let px = self.module_px as f32;
        let qz = self.quiet_zone as i64;
        let n = self.side as i64;
        let boxes = self.patterns.boxes(self.side);
        let owners = self.owners(&boxes);
        let curved_patterns = self.patterns != Patterns::default();
        let mut cells = vec![[0u8; 5]; (size * size) as usize];
        // Rows are independent: traced side by side.
        cells.par_chunks_mut(size as usize).enumerate().for_each(|(y, row)| {
            let y = y as u32;
            for (x, cell) in row.iter_mut().enumerate() {
                let x = x as u32;
                let (mx, my) = ((x / self.module_px) as i64 - qz, (y / self.module_px) as i64 - qz);
                if !((0..n).contains(&mx) && (0..n).contains(&my)) {
                    continue;
                }
                let (u0, v0) = ((x % self.module_px) as f32 / px, (y % self.module_px) as f32 / px);
                let owner = owners[(my * n + mx) as usize].map(|i| &boxes[i]);
                // Square tiles cover whole pixels: one sample says it all.
                let square = match owner {
                    Some(_) => !curved_patterns,
                    None => self.tiles[(my * n + mx) as usize].shape == Shape::Square,
                };
                let samples: u8 = if square { 1 } else { 4 };
                cell[4] = samples * samples;
                for sy in 0..samples {
                    for sx in 0..samples {
                        let u = u0 + (sx as f32 + 0.5) / (samples as f32 * px);
                        let v = v0 + (sy as f32 + 0.5) / (samples as f32 * px);
                        if let Paint::Ink(part) = self.paint_at(&fixed, owner, mx as u32, my as u32, u, v) {
                            cell[PARTS.iter().position(|&p| p == part).unwrap_or(0)] += 1;
                        }
                    }
                }
            }
        });
        Coverage { size, cells }
    }

    /// Lay the palette's colours on `coverage` (this canvas's own), then the logo.
    pub fn paint(&self, coverage: &Coverage) -> RgbaImage {
        let shades = PARTS.map(|p| self.palette.shade(p));
        let background = self.palette.background_shade();
        let size = coverage.size;
        let mut img = RgbaImage::new(size, size);
        // Rows are independent: painted side by side.
        let rows = img.as_mut().par_chunks_mut(size as usize * 4).zip(coverage.cells.par_chunks(size as usize));
        rows.enumerate().for_each(|(y, (row, cells))| {
            for (x, (pixel, cell)) in row.chunks_exact_mut(4).zip(cells).enumerate() {
                let rgba = self.paint_pixel(x as f32, y as f32, cell, &shades, background.as_ref());
                pixel.copy_from_slice(&rgba);
            }
        });
        if let Some(logo) = self.logo {
            self.draw_logo(&mut img, logo, &FixedModules::for_side(self.side));
        }
        img
    }

    /// One pixel's colour from its coverage: the inks' and the background's colours at its
    /// corner (as Python qrcode's colour masks take them), weighted by the samples each covers.
    fn paint_pixel(&self, x: f32, y: f32, cell: &[u8; 5], shades: &[Shade; 4], background: Option<&Shade>) -> [u8; 4] {
        let (ix, iy) = self.area_point(self.palette.area, x, y);
        let (bx, by) = self.area_point(Area::Image, x, y);
        let bg = background.map(|s| s.at(bx, by));
        let total = u32::from(cell[4]);
        if total == 0 {
            let c = bg.unwrap_or(Rgb(0, 0, 0));
            return [c.0, c.1, c.2, if bg.is_some() { 255 } else { 0 }];
        }
        let inked: u32 = cell[..4].iter().map(|&c| u32::from(c)).sum();
        let mut sum = [0u32; 3];
        let mut add = |c: Rgb, times: u32| {
            sum[0] += c.0 as u32 * times;
            sum[1] += c.1 as u32 * times;
            sum[2] += c.2 as u32 * times;
        };
        for (shade, &count) in shades.iter().zip(&cell[..4]) {
            if count > 0 {
                add(shade.at(ix, iy), u32::from(count));
            }
        }
        if let Some(c) = bg {
            add(c, total - inked);
        }
        let drawn = if bg.is_some() { total } else { inked };
        let avg = |s: u32| (s + drawn / 2).checked_div(drawn).unwrap_or(0) as u8;
        let alpha = if bg.is_some() { 255 } else { (inked * 255 + total / 2) / total };
        [avg(sum[0]), avg(sum[1]), avg(sum[2]), alpha as u8]
    }

    /// The logo's box in pixels: left, top, width, height.
    pub fn logo_px(&self, logo: &Logo) -> (u32, u32, u32, u32) {
        let (x, y, w, h) = logo.frame(self.side);
        let px = self.module_px as f32;
        let at = |v: f32| ((v + self.quiet_zone as f32) * px).round() as u32;
        (at(x), at(y), ((w * px).round() as u32).max(1), ((h * px).round() as u32).max(1))
    }

    /// Composite the logo over `img`, except on the function patterns' modules.
    fn draw_logo(&self, img: &mut RgbaImage, logo: &Logo, fixed: &FixedModules) {
        let (x0, y0, w, h) = self.logo_px(logo);
        let scaled = image::imageops::resize(&logo.image, w, h, image::imageops::FilterType::CatmullRom);
        let qz = self.quiet_zone as i64;
        for (x, y, p) in scaled.enumerate_pixels() {
            let (ix, iy) = (x0 + x, y0 + y);
            let (mx, my) = ((ix / self.module_px) as i64 - qz, (iy / self.module_px) as i64 - qz);
            if ix >= img.width() || iy >= img.height() || fixed.get(mx, my).is_some() {
                continue;
            }
            let under = img.get_pixel_mut(ix, iy);
            let a = p[3] as u32;
            let mix = |top: u8, bottom: u8| ((top as u32 * a + bottom as u32 * (255 - a) + 127) / 255) as u8;
            *under = image::Rgba([
                mix(p[0], under[0]),
                mix(p[1], under[1]),
                mix(p[2], under[2]),
                (a + under[3] as u32 * (255 - a) / 255) as u8,
            ]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colour::{contrast, luma, mix};
    use crate::palette::Contrast;
    use qrveil_style::{Preset, PRESETS};

    /// Every pixel of an all-dark version-2 symbol, for every preset, a pale and a too-dark
    /// background, at every level: function-pattern modules (the standard's finder, timing and
    /// alignment positions, listed here by hand) and data modules each with their contrast and
    /// no more than needed, the chosen colour itself wherever it already has the contrast, the
    /// quiet zone in the background.
    #[test]
    fn ink_keeps_its_contrast_and_moves_no_further_than_needed() {
        let side = 25;
        let is_function = |x: i64, y: i64| {
            let finder = |a: i64, b: i64| (x - a).abs() <= 4 && (y - b).abs() <= 4; // with separator
            finder(3, 3)
                || finder(21, 3)
                || finder(3, 21)
                || x == 6
                || y == 6
                || ((x - 18).abs() <= 2 && (y - 18).abs() <= 2)
        };
        let tiles = vec![Tile::DARK; (side * side) as usize];
        let mut presets = PRESETS.to_vec();
        presets.push(Preset { name: "pale", background: Rgb(255, 246, 214), ..PRESETS[0] });
        presets.push(Preset { name: "dusk", background: Rgb(90, 90, 140), ..PRESETS[1] });
        let slack = 1.0 / 255.0;
        let asked = [Contrast::NONE, Contrast { data: 0.6, patterns: 0.9 }, Contrast { data: 0.75, patterns: 1.0 }];
        for (preset, level) in presets.iter().flat_map(|p| asked.map(|c| (p, c))) {
            let palette = Palette::with_contrast(preset, level);
            let bg = palette.background_shade().expect("opaque").along(0.0);
            let canvas = Canvas {
                side,
                tiles: &tiles,
                module_px: 2,
                quiet_zone: 1,
                palette: palette.clone(),
                patterns: Patterns::default(),
                logo: None,
                fitted: None,
            };
            let fixed = FixedModules::for_side(side);
            let img = canvas.to_image();
            let what = format!("{} at {level:?}", preset.name);
            for (x, y, p) in img.enumerate_pixels() {
                let c = Rgb(p[0], p[1], p[2]);
                let (mx, my) = (x as i64 / 2 - 1, y as i64 / 2 - 1);
                if !((0..side as i64).contains(&mx) && (0..side as i64).contains(&my)) {
                    assert_eq!(c, bg, "{what}: quiet zone ({x},{y})");
                    continue;
                }
                // The finder patterns are drawn as the standard has them, light
                // rings included, whatever the tiles say.
                let in_pattern = canvas.patterns.boxes(side).iter().any(|b| b.holds_module(mx, my));
                if in_pattern && fixed.get(mx, my) == Some(false) {
                    assert_eq!(c, bg, "{what}: a pattern's light module ({x},{y})");
                    continue;
                }
                let need = if is_function(mx, my) { palette.contrast.patterns } else { palette.contrast.data };
                let chosen = mix(preset.left, preset.right, x as f32 / img.width() as f32);
                let got = contrast(c, bg);
                assert!(got >= need - slack, "{what} ({x},{y}): contrast {got} < {need}");
                if contrast(chosen, bg) >= need {
                    assert_eq!(c, chosen, "{what} ({x},{y}): a colour with contrast enough was changed");
                } else {
                    assert!(got <= need + 0.01 || c == Rgb(0, 0, 0), "{what} ({x},{y}): darkened to {got}");
                }
            }
            let svg = canvas.to_svg();
            assert_eq!(svg.matches("<path").count(), 4, "{svg}");
        }
        // The too-dark background was lightened just enough for black ink.
        let dusk = Palette::with_contrast(&presets[4], Contrast { data: 0.9, patterns: 1.0 });
        let bg = luma(dusk.background_shade().expect("opaque").along(0.0));
        assert!(bg >= dusk.contrast.patterns && bg < dusk.contrast.patterns + 0.01);
    }
}
