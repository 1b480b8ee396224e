//! Drawing tiles to PNG (with `image`) and SVG, with a quiet zone and a horizontal gradient
//! across the whole image (as Python `qrcode`'s `HorizontalGradiantColorMask` does).

use crate::colour::{darken_to, lighten_to, mix, DARK_MAX_LUMA, LIGHT_MIN_LUMA};
use image::{ImageEncoder, RgbImage};
use qrveil_function::recipe::{Quarter, Shape, Tile};
use qrveil_function::styles::{Preset, Rgb};
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

pub fn encode_png(img: &RgbImage) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::Rgb8)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// What to draw: tiles (row-major), their size and the quiet zone.
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
                Quarter::Round => d2 <= 0.25,
                Quarter::Fillet => d2 > 0.25,
            },
        }
    }

    /// Rasterise with 4×4 supersampling on curved tiles.
    pub fn to_image(&self) -> RgbImage {
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
            let coverage = if (0..n).contains(&mx) && (0..n).contains(&my) {
                let tile = &self.tiles[(my * n + mx) as usize];
                let u0 = (x % self.module_px) as f32 / px;
                let v0 = (y % self.module_px) as f32 / px;
                if tile.shape == Shape::Square {
                    if tile.ink { 1.0 } else { 0.0 }
                } else {
                    let mut hits = 0;
                    for sy in 0..4 {
                        for sx in 0..4 {
                            let u = u0 + (sx as f32 + 0.5) / (4.0 * px);
                            let v = v0 + (sy as f32 + 0.5) / (4.0 * px);
                            hits += Self::inked(tile, u, v) as u32;
                        }
                    }
                    hits as f32 / 16.0
                }
            } else {
                0.0
            };
            let c = mix(bg, ink[x as usize], coverage);
            *pixel = image::Rgb([c.0, c.1, c.2]);
        }
        img
    }

    pub fn to_png(&self) -> Result<Vec<u8>, String> {
        encode_png(&self.to_image())
    }

    /// An SVG with the same geometry: one path of ink over a background rectangle.
    pub fn to_svg(&self) -> String {
        let size = self.size_px();
        let s = self.module_px as f32;
        let r = s / 2.0;
        let mut d = String::new();
        for (i, tile) in self.tiles.iter().enumerate() {
            let x = ((i as u32 % self.side) + self.quiet_zone) as f32 * s;
            let y = ((i as u32 / self.side) + self.quiet_zone) as f32 * s;
            let (cx, cy) = (x + r, y + r);
            match tile.shape {
                Shape::Square if tile.ink => {
                    let _ = write!(d, "M{x} {y}h{s}v{s}h-{s}z");
                }
                Shape::Square => {}
                Shape::Dot { radius } if tile.ink => {
                    let rr = radius * s;
                    let _ = write!(d, "M{} {cy}a{rr} {rr} 0 1 0 {} 0a{rr} {rr} 0 1 0 -{} 0z", cx - rr, 2.0 * rr, 2.0 * rr);
                }
                Shape::Dot { .. } => {}
                Shape::Quarters(quarters) => {
                    for (q, quarter) in quarters.iter().enumerate() {
                        let sx = if q & 1 == 1 { 1.0 } else { -1.0 };
                        let sy = if q & 2 == 2 { 1.0 } else { -1.0 };
                        let (ex, ey) = (cx + sx * r, cy); // middle of the side edge
                        let (tx, ty) = (cx, cy + sy * r); // middle of the top/bottom edge
                        let sweep = u8::from(sx == sy);
                        match quarter {
                            Quarter::Empty => {}
                            Quarter::Full => {
                                let _ = write!(d, "M{cx} {cy}H{ex}V{}H{cx}z", cy + sy * r);
                            }
                            Quarter::Round => {
                                let _ = write!(d, "M{cx} {cy}L{ex} {ey}A{r} {r} 0 0 {sweep} {tx} {ty}z");
                            }
                            Quarter::Fillet => {
                                let _ = write!(d, "M{} {}L{ex} {ey}A{r} {r} 0 0 {sweep} {tx} {ty}z", cx + sx * r, cy + sy * r);
                            }
                        }
                    }
                }
            }
        }
        let bg = self.palette.background;
        let mut stops = String::new();
        for k in 0..=16 {
            let t = k as f32 / 16.0;
            let c = self.palette.ink_at(t);
            let _ = write!(stops, r#"<stop offset="{t}" stop-color="rgb({},{},{})"/>"#, c.0, c.1, c.2);
        }
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}" shape-rendering="geometricPrecision"><defs><linearGradient id="ink" gradientUnits="userSpaceOnUse" x1="0" y1="0" x2="{size}" y2="0">{stops}</linearGradient></defs><rect width="{size}" height="{size}" fill="rgb({},{},{})"/><path fill="url(#ink)" d="{d}"/></svg>
"#,
            bg.0, bg.1, bg.2
        )
    }
}
