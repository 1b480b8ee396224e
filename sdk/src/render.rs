//! Drawing tiles to PNG (with `image`) and SVG, with a quiet zone and a horizontal gradient
//! across the whole image (as Python `qrcode`'s `HorizontalGradiantColorMask` does).

use crate::colour::{darken_to, lighten_to, mix, DARK_MAX_LUMA, DEEP_INK, LIGHT_MIN_LUMA};
use image::{ImageEncoder, RgbImage};
use qrveil_style::recipe::{Quarter, CORNER_RADIUS};
use qrveil_style::{FixedModules, Preset, Rgb, Shape, Tile};
use std::fmt::Write;

/// Readable colours: the preset's gradient ends and background, each forced into its band.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Palette {
    pub left: Rgb,
    pub right: Rgb,
    pub background: Rgb,
}

impl Palette {
    pub fn readable(preset: &Preset) -> Self {
        Self {
            left: darken_to(preset.left, DARK_MAX_LUMA),
            right: darken_to(preset.right, DARK_MAX_LUMA),
            background: lighten_to(preset.background, LIGHT_MIN_LUMA),
        }
    }

    /// Ink colour at horizontal position `t` (0..1). A mix of two colours in the band can
    /// drift above it in between, so each mix is forced into the band again.
    pub fn ink_at(&self, t: f32) -> Rgb {
        darken_to(mix(self.left, self.right, t), DARK_MAX_LUMA)
    }
}

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
    Deep,
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
            Paint::Deep
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
                            Paint::Deep => DEEP_INK,
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

    /// An SVG with the same geometry over a background rectangle: one path in the style's
    /// ink gradient, one in black for the function patterns.
    pub fn to_svg(&self) -> String {
        let size = self.size_px();
        let s = self.module_px as f32;
        let fixed = FixedModules::for_side(self.side);
        let (mut d, mut deep) = (String::new(), String::new());
        for (i, tile) in self.tiles.iter().enumerate() {
            let (mx, my) = (i as u32 % self.side, i as u32 / self.side);
            let x = (mx + self.quiet_zone) as f32 * s;
            let y = (my + self.quiet_zone) as f32 * s;
            let d = if fixed.get(mx as i64, my as i64).is_some() { &mut deep } else { &mut d };
            if tile.ink || matches!(tile.shape, Shape::Quarters(_)) {
                tile_path(d, tile.shape, x, y, s);
            }
        }
        let bg = self.palette.background;
        let ink = self.ink_gradient(size);
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}" shape-rendering="geometricPrecision"><defs>{ink}</defs><rect width="{size}" height="{size}" fill="rgb({},{},{})"/><path fill="url(#ink)" d="{d}"/><path fill="rgb({},{},{})" d="{deep}"/></svg>
"#,
            bg.0, bg.1, bg.2, DEEP_INK.0, DEEP_INK.1, DEEP_INK.2
        )
    }

    /// The ink gradient across the image, sampled as the raster draws it.
    fn ink_gradient(&self, size: u32) -> String {
        let mut stops = String::new();
        for k in 0..=16 {
            let t = k as f32 / 16.0;
            let c = self.palette.ink_at(t);
            let _ = write!(stops, r#"<stop offset="{t}" stop-color="rgb({},{},{})"/>"#, c.0, c.1, c.2);
        }
        format!(
            r#"<linearGradient id="ink" gradientUnits="userSpaceOnUse" x1="0" y1="0" x2="{size}" y2="0">{stops}</linearGradient>"#
        )
    }
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
    use crate::colour::luma;
    use qrveil_style::PRESETS;

    /// Every pixel of an all-dark version-2 symbol: function-pattern modules (the standard's
    /// finder, timing and alignment positions, listed here by hand) exactly black, the other
    /// modules in the dark band, the quiet zone in the light band.
    #[test]
    fn function_patterns_are_black_and_every_pixel_stays_in_its_band() {
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
        for preset in PRESETS {
            let canvas =
                Canvas { side, tiles: &tiles, module_px: 2, quiet_zone: 1, palette: Palette::readable(&preset) };
            let img = canvas.to_image();
            for (x, y, p) in img.enumerate_pixels() {
                let l = luma(Rgb(p[0], p[1], p[2]));
                let (mx, my) = (x as i64 / 2 - 1, y as i64 / 2 - 1);
                let inside = (0..side as i64).contains(&mx) && (0..side as i64).contains(&my);
                if !inside {
                    assert!(l >= LIGHT_MIN_LUMA, "{} quiet zone ({x},{y}) luma {l}", preset.name);
                } else if is_function(mx, my) {
                    assert_eq!(p.0, [0, 0, 0], "{} function pattern ({x},{y})", preset.name);
                } else {
                    assert!(
                        l <= DARK_MAX_LUMA && (l > 0.02 || preset.name == "mono"),
                        "{} ({x},{y}) luma {l}",
                        preset.name
                    );
                }
            }
            let svg = canvas.to_svg();
            assert_eq!(svg.matches("<path").count(), 2, "{svg}");
            assert!(svg.contains(r#"fill="rgb(0,0,0)""#));
        }
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
    use qrveil_style::{clear, StyleId, PRESETS};

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
            let canvas = drawing.canvas(8, 4, Palette::readable(&PRESETS[0]));
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
