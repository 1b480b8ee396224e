//! Drawing tiles to PNG (with `image`) and SVG, with a quiet zone, in the [`Palette`]'s
//! colours.

use crate::palette::Palette;
use image::{ImageEncoder, RgbImage};
use qrveil_style::recipe::{Quarter, CORNER_RADIUS};
use qrveil_style::{FixedModules, Rgb, Shape, Tile};
use std::fmt::Write;

pub fn encode_png(img: &RgbImage) -> Result<Vec<u8>, image::ImageError> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out).write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        image::ExtendedColorType::Rgb8,
    )?;
    Ok(out)
}

/// What one point of the canvas shows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Paint {
    Background,
    Ink,
    /// Function patterns.
    Pattern,
}

/// What to draw: tiles (row-major), their size and the quiet zone.
#[derive(Clone, Copy)]
pub struct Canvas<'a> {
    pub side: u32,
    pub tiles: &'a [Tile],
    pub module_px: u32,
    pub quiet_zone: u32,
    pub palette: Palette,
}

impl Canvas<'_> {
    pub fn size_px(&self) -> u32 {
        (self.side + 2 * self.quiet_zone) * self.module_px
    }

    /// Whether point (u, v) of a tile (module units, 0..1) is inked.
    fn inked(tile: &Tile, u: f32, v: f32) -> bool {
        let d2 = (u - 0.5).powi(2) + (v - 0.5).powi(2);
        match tile.shape {
            Shape::Square => tile.ink,
            Shape::Dot { radius } => tile.ink && d2 <= radius * radius,
            Shape::Quarters(q) => match q[(u >= 0.5) as usize + 2 * (v >= 0.5) as usize] {
                Quarter::Empty => false,
                Quarter::Full => true,
                Quarter::Round => !Self::corner(u, v),
                Quarter::Fillet => Self::corner(u, v),
            },
        }
    }

    /// Whether (u, v) lies in the part of its quarter that a [`CORNER_RADIUS`] rounds off:
    /// outside the corner's circle, in the square of that radius at the tile corner.
    fn corner(u: f32, v: f32) -> bool {
        let inset = 0.5 - CORNER_RADIUS;
        let (a, b) = ((u - 0.5).abs() - inset, (v - 0.5).abs() - inset);
        a > 0.0 && b > 0.0 && a * a + b * b > CORNER_RADIUS * CORNER_RADIUS
    }

    /// What point (u, v) of module (mx, my) shows (module units, 0..1 within the tile).
    fn paint_at(&self, fixed: &FixedModules, mx: u32, my: u32, u: f32, v: f32) -> Paint {
        let tile = &self.tiles[(my * self.side + mx) as usize];
        if !Self::inked(tile, u, v) {
            Paint::Background
        } else if fixed.get(mx as i64, my as i64).is_some() {
            Paint::Pattern
        } else {
            Paint::Ink
        }
    }

    /// Rasterise with 4×4 supersampling (curves are anti-aliased).
    pub fn to_image(&self) -> RgbImage {
        let fixed = FixedModules::for_side(self.side);
        let size = self.size_px();
        let px = self.module_px as f32;
        let qz = self.quiet_zone as i64;
        let bg = self.palette.background;
        let ink: Vec<Rgb> = (0..size).map(|x| self.palette.ink_at(x as f32 / size as f32)).collect();
        let pattern_ink: Vec<Rgb> = (0..size).map(|x| self.palette.pattern_ink_at(x as f32 / size as f32)).collect();
        let mut img = RgbImage::new(size, size);
        for (x, y, pixel) in img.enumerate_pixels_mut() {
            let mx = (x / self.module_px) as i64 - qz;
            let my = (y / self.module_px) as i64 - qz;
            let n = self.side as i64;
            let c = if (0..n).contains(&mx) && (0..n).contains(&my) {
                let u0 = (x % self.module_px) as f32 / px;
                let v0 = (y % self.module_px) as f32 / px;
                // Square tiles cover whole pixels: one sample says it all.
                let samples = if self.tiles[(my * n + mx) as usize].shape == Shape::Square { 1 } else { 4 };
                let mut sum = [0u32; 3];
                for sy in 0..samples {
                    for sx in 0..samples {
                        let u = u0 + (sx as f32 + 0.5) / (samples as f32 * px);
                        let v = v0 + (sy as f32 + 0.5) / (samples as f32 * px);
                        let c = match self.paint_at(&fixed, mx as u32, my as u32, u, v) {
                            Paint::Background => bg,
                            Paint::Ink => ink[x as usize],
                            Paint::Pattern => pattern_ink[x as usize],
                        };
                        sum[0] += c.0 as u32;
                        sum[1] += c.1 as u32;
                        sum[2] += c.2 as u32;
                    }
                }
                let count = samples * samples;
                let avg = |s: u32| ((s + count / 2) / count) as u8;
                Rgb(avg(sum[0]), avg(sum[1]), avg(sum[2]))
            } else {
                bg
            };
            *pixel = image::Rgb([c.0, c.1, c.2]);
        }
        img
    }

    /// An SVG with the same geometry over a background rectangle: one path in the data ink's
    /// gradient, one in the function patterns' gradient.
    pub fn to_svg(&self) -> String {
        let size = self.size_px();
        let s = self.module_px as f32;
        let fixed = FixedModules::for_side(self.side);
        let (mut data, mut patterns) = (String::new(), String::new());
        for (i, tile) in self.tiles.iter().enumerate() {
            let (mx, my) = (i as u32 % self.side, i as u32 / self.side);
            let x = (mx + self.quiet_zone) as f32 * s;
            let y = (my + self.quiet_zone) as f32 * s;
            let d = if fixed.get(mx as i64, my as i64).is_some() { &mut patterns } else { &mut data };
            if tile.ink || matches!(tile.shape, Shape::Quarters(_)) {
                tile_path(d, tile.shape, x, y, s);
            }
        }
        let bg = self.palette.background;
        let ink = gradient("ink", size, |t| self.palette.ink_at(t));
        let pattern_ink = gradient("patterns", size, |t| self.palette.pattern_ink_at(t));
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}" shape-rendering="geometricPrecision"><defs>{ink}{pattern_ink}</defs><rect width="{size}" height="{size}" fill="rgb({},{},{})"/><path fill="url(#ink)" d="{data}"/><path fill="url(#patterns)" d="{patterns}"/></svg>
"#,
            bg.0, bg.1, bg.2
        )
    }
}

/// A horizontal gradient across the image with id `id`, sampled as the raster draws it.
fn gradient(id: &str, size: u32, colour_at: impl Fn(f32) -> Rgb) -> String {
    let mut stops = String::new();
    for k in 0..=16 {
        let t = k as f32 / 16.0;
        let c = colour_at(t);
        let _ = write!(stops, r#"<stop offset="{t}" stop-color="rgb({},{},{})"/>"#, c.0, c.1, c.2);
    }
    format!(
        r#"<linearGradient id="{id}" gradientUnits="userSpaceOnUse" x1="0" y1="0" x2="{size}" y2="0">{stops}</linearGradient>"#
    )
}

/// Append the SVG path of one inked tile whose top-left corner is (x, y), `s` units a side.
/// (A light tile draws only its fillets: `Quarters` decide per quarter.)
fn tile_path(d: &mut String, shape: Shape, x: f32, y: f32, s: f32) {
    let r = s / 2.0;
    let (cx, cy) = (x + r, y + r);
    match shape {
        Shape::Square => {
            let _ = write!(d, "M{x} {y}h{s}v{s}h-{s}z");
        }
        Shape::Dot { radius } if radius * s <= r => {
            let rr = radius * s;
            let _ = write!(d, "M{} {cy}a{rr} {rr} 0 1 0 {} 0a{rr} {rr} 0 1 0 -{} 0z", cx - rr, 2.0 * rr, 2.0 * rr);
        }
        Shape::Dot { radius } => {
            // The disc clipped by the module: each side straight for ±a about its middle,
            // quarter arcs of the disc between the sides.
            let rr = radius * s;
            let a = (rr * rr - r * r).sqrt().min(r);
            let _ = write!(
                d,
                "M{} {}H{}A{rr} {rr} 0 0 1 {} {}V{}A{rr} {rr} 0 0 1 {} {}H{}A{rr} {rr} 0 0 1 {} {}V{}A{rr} {rr} 0 0 1 {} {}z",
                cx - a, cy - r, cx + a, cx + r, cy - a, cy + a, cx + a, cy + r, cx - a, cx - r, cy + a, cy - a, cx - a, cy - r
            );
        }
        Shape::Quarters(quarters) => {
            let rc = CORNER_RADIUS * s;
            for (q, quarter) in quarters.iter().enumerate() {
                let sx = if q & 1 == 1 { 1.0 } else { -1.0 };
                let sy = if q & 2 == 2 { 1.0 } else { -1.0 };
                let (kx, ky) = (cx + sx * r, cy + sy * r); // the tile's corner
                let (ox, oy) = (kx - sx * rc, ky - sy * rc); // centre of the corner's circle
                let sweep = u8::from(sx == sy);
                let _ = match quarter {
                    Quarter::Empty => Ok(()),
                    Quarter::Full => write!(d, "M{cx} {cy}H{kx}V{ky}H{cx}z"),
                    Quarter::Round => write!(d, "M{cx} {cy}H{kx}V{oy}A{rc} {rc} 0 0 {sweep} {ox} {ky}H{cx}z"),
                    Quarter::Fillet => write!(d, "M{kx} {ky}V{oy}A{rc} {rc} 0 0 {sweep} {ox} {ky}z"),
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colour::{contrast, luma, mix};
    use qrveil_style::{Preset, Readability, PRESETS};

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
        for (preset, level) in presets.iter().flat_map(|p| Readability::ALL.map(|l| (p, l))) {
            let palette = Palette::new(preset, level);
            let bg = palette.background;
            let canvas = Canvas { side, tiles: &tiles, module_px: 2, quiet_zone: 1, palette };
            let img = canvas.to_image();
            let what = format!("{} at {level}", preset.name);
            for (x, y, p) in img.enumerate_pixels() {
                let c = Rgb(p[0], p[1], p[2]);
                let (mx, my) = (x as i64 / 2 - 1, y as i64 / 2 - 1);
                if !((0..side as i64).contains(&mx) && (0..side as i64).contains(&my)) {
                    assert_eq!(c, bg, "{what}: quiet zone ({x},{y})");
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
            assert_eq!(svg.matches("<path").count(), 2, "{svg}");
        }
        // The too-dark background was lightened just enough for black ink.
        let dusk = Palette::new(&presets[4], Readability::Robust);
        assert!(
            luma(dusk.background) >= dusk.contrast.patterns && luma(dusk.background) < dusk.contrast.patterns + 0.01
        );
    }
}

/// The SVG against the PNG: both are drawn from the same tiles by separate code, so a shape
/// wrong in one shows up as a difference, and the rasterised SVG must still decode.
#[cfg(test)]
mod svg_tests {
    use super::*;
    use crate::finish::Drawing;
    use crate::qr::{encode, EcLevel};
    use crate::verify::decode_all;
    use qrveil_style::{clear, Readability, StyleId, PRESETS};

    fn rasterise(svg: &str) -> RgbImage {
        let tree = resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default()).expect("valid SVG");
        let size = tree.size().to_int_size();
        let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).expect("pixmap");
        resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
        // Opaque everywhere (the background rectangle), so premultiplied RGB is plain RGB.
        RgbImage::from_fn(size.width(), size.height(), |x, y| {
            let p = pixmap.pixel(x, y).expect("in bounds");
            image::Rgb([p.red(), p.green(), p.blue()])
        })
    }

    #[test]
    fn every_style_svg_matches_its_png_and_decodes() {
        let payload = b"https://qrveil.invalid/s/8f3a?k=Zm9v";
        let symbol = encode(payload, EcLevel::M, Some(3)).expect("fits");
        for id in StyleId::ALL {
            let style = id.style();
            let outputs = clear::evaluate(&style.server, &symbol.grid).expect("evaluates");
            let drawing = Drawing::styled(style.geometry, &symbol.grid, &outputs).expect("tiles");
            let canvas = drawing.canvas(8, 4, Palette::new(&PRESETS[0], Readability::default()));
            let png = canvas.to_image();
            let svg = rasterise(&canvas.to_svg());
            assert_eq!(svg.dimensions(), png.dimensions(), "{id}");
            let (mut sum, mut far) = (0u64, 0usize);
            for (a, b) in png.pixels().zip(svg.pixels()) {
                let d: u32 = (0..3).map(|c| (a.0[c] as i32 - b.0[c] as i32).unsigned_abs()).sum();
                sum += d as u64;
                far += usize::from(d > 3 * 96);
            }
            let pixels = (png.width() * png.height()) as usize;
            let mean = sum as f64 / (3.0 * 255.0 * pixels as f64);
            // Only anti-aliased edges may differ, and never by much.
            assert!(
                mean < 0.01 && far * 200 < pixels,
                "{id}: mean difference {mean:.4}, {far} of {pixels} pixels far apart"
            );
            assert!(
                decode_all(&svg).iter().any(|r| r.as_deref() == Ok(&payload[..])),
                "{id}: the rasterised SVG does not decode"
            );
        }
    }
}
