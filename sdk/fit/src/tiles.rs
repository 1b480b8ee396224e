//! Learning the tiles: the mean ink coverage of each quarter of each vertex code's tile over
//! every example, traced at half coverage into polygons.

use crate::contour::{simplify, Field};
use crate::grid::{Grid, PixelBox};
use image::RgbImage;
use qrveil_sdk::{Area, Fill};
use qrveil_style::recipe::fitted::{quarter_box, Polygon, Quarters, MAX_QUARTER_POINTS};
use qrveil_style::{FixedModules, ModuleGrid};

/// From this many pixels per module on, coverage is interpolated between pixels.
const FINE_MODULE_PX: f32 = 4.0;
/// Coverage samples per quarter side (a quarter is half a module).
pub const SAMPLES: usize = 8;
/// How far a traced outline may stray from the coverage it follows (module units).
const SIMPLIFY: f32 = 0.004;
/// Pad width outside a quarter, so loops close along its edges (module units).
const PAD: f32 = 1e-3;

/// The ink's and the background's colour fields, placed on one example: the ink's over
/// `area`, the background's over the image.
pub struct Colours<'a> {
    pub ink: &'a Fill,
    pub background: &'a Fill,
    pub area: Area,
    pub grid: Grid,
    /// The image's size in pixels.
    pub size: (u32, u32),
}

impl Colours<'_> {
    /// How much of pixel position (px, py)'s colour is ink: its projection on the line from
    /// the background's colour to the ink's there, 0..1.
    pub fn coverage(&self, img: &RgbImage, px: f32, py: f32) -> f32 {
        let (ink, bg) = self.ends(px, py);
        projection(self.read(img, px, py, None), ink, bg)
    }

    /// The coverage at (px, py), a point of module (mx, my), read as [`Colours::coverage`]
    /// reads it (for outlines: interpolating finds an edge within a pixel), and from that
    /// module's own pixels only (for deciding what a look reads: where a module is a few pixels
    /// wide, interpolating mixes in the neighbours' ink, and which neighbours are dark looks
    /// like part of the shape; `swell` at 4 px per module was fitted as an 11-class side
    /// pattern instead of its 4-class count of dark sides).
    pub fn module_coverage(&self, img: &RgbImage, (mx, my): (i64, i64), px: f32, py: f32) -> (f32, f32) {
        let (ink, bg) = self.ends(px, py);
        let own = self.grid.module_pixels(mx, my);
        (projection(self.read(img, px, py, None), ink, bg), projection(self.read(img, px, py, Some(own)), ink, bg))
    }

    /// The ink's and the background's colours at (px, py).
    fn ends(&self, px: f32, py: f32) -> ([f32; 3], [f32; 3]) {
        let (ix, iy) = ink_point(self.area, &self.grid, self.size, px, py);
        let ink = self.ink.at(ix, iy);
        let bg = self.background.at(px / self.size.0 as f32, py / self.size.1 as f32);
        ([ink.0, ink.1, ink.2].map(f32::from), [bg.0, bg.1, bg.2].map(f32::from))
    }

    /// The image's colour at (px, py), from the pixels `within` only when given.
    fn read(&self, img: &RgbImage, px: f32, py: f32, within: Option<PixelBox>) -> [f32; 3] {
        // Where pixels are large against a quarter, a point takes its pixel's colour: between
        // pixel centres a module one pixel wide would blur into a rounded blob. Where they are
        // small, interpolating recovers where an anti-aliased edge lies within a pixel.
        if self.grid.module < FINE_MODULE_PX {
            nearest_within(img, px, py, within)
        } else {
            bilinear_within(img, px, py, within)
        }
    }
}

/// How much of colour `p` is `ink` rather than `bg`, 0..1 (0 where the two are alike).
fn projection(p: [f32; 3], ink: [f32; 3], bg: [f32; 3]) -> f32 {
    let (mut dot, mut norm) = (0.0, 0.0);
    for c in 0..3 {
        dot += (p[c] - bg[c]) * (ink[c] - bg[c]);
        norm += (ink[c] - bg[c]).powi(2);
    }
    if norm < 1.0 {
        return 0.0;
    }
    (dot / norm).clamp(0.0, 1.0)
}

/// Pixel position (px, py) in the units of `area`: the symbol's or the whole image's.
pub fn ink_point(area: Area, grid: &Grid, (w, h): (u32, u32), px: f32, py: f32) -> (f32, f32) {
    match area {
        Area::Symbol => {
            let span = grid.module * grid.side as f32;
            ((px - grid.left) / span, (py - grid.top) / span)
        }
        Area::Image => (px / w as f32, py / h as f32),
    }
}

/// Colour at a pixel position, pixel centres at +0.5, edges clamped.
pub fn bilinear(img: &RgbImage, px: f32, py: f32) -> [f32; 3] {
    bilinear_within(img, px, py, None)
}

/// A pixel index clamped to `span` (a module's own pixels) and to the image's `size`.
fn clamp_index(v: i64, size: u32, span: Option<(i64, i64)>) -> u32 {
    let v = span.map_or(v, |(first, last)| v.clamp(first, last));
    v.clamp(0, size as i64 - 1) as u32
}

/// Colour of the pixel that position (px, py) falls in, clamped to `within` and the image.
fn nearest_within(img: &RgbImage, px: f32, py: f32, within: Option<PixelBox>) -> [f32; 3] {
    let x = clamp_index(px.floor() as i64, img.width(), within.map(|b| b.x));
    let y = clamp_index(py.floor() as i64, img.height(), within.map(|b| b.y));
    img.get_pixel(x, y).0.map(f32::from)
}

/// [`bilinear`], reading only the pixels `within` when given.
fn bilinear_within(img: &RgbImage, px: f32, py: f32, within: Option<PixelBox>) -> [f32; 3] {
    let (fx, fy) = (px - 0.5, py - 0.5);
    let (x0, y0) = (fx.floor(), fy.floor());
    let (tx, ty) = (fx - x0, fy - y0);
    let get = |x: i64, y: i64| {
        let x = clamp_index(x, img.width(), within.map(|b| b.x));
        let y = clamp_index(y, img.height(), within.map(|b| b.y));
        img.get_pixel(x, y).0.map(f32::from)
    };
    let (x0, y0) = (x0 as i64, y0 as i64);
    let (a, b, c, d) = (get(x0, y0), get(x0 + 1, y0), get(x0, y0 + 1), get(x0 + 1, y0 + 1));
    std::array::from_fn(|k| (a[k] * (1.0 - tx) + b[k] * tx) * (1.0 - ty) + (c[k] * (1.0 - tx) + d[k] * tx) * ty)
}

/// Where a quarter's samples lie along one axis, from its near edge (module units).
fn sample_offsets() -> [f32; SAMPLES] {
    std::array::from_fn(|i| (i as f32 + 0.5) / SAMPLES as f32 * 0.5)
}

/// Summed coverage per code, quarter and sample, and how many quarters were summed.
pub struct Coverage {
    sums: Vec<[[f32; SAMPLES * SAMPLES]; 4]>,
    counts: Vec<[u32; 4]>,
    /// Σ coverage², for the model's error.
    squares: f64,
}

impl Default for Coverage {
    fn default() -> Self {
        Coverage { sums: vec![[[0.0; SAMPLES * SAMPLES]; 4]; 16], counts: vec![[0; 4]; 16], squares: 0.0 }
    }
}

/// Whether a module is drawn by the pattern shapes, not the tiles: the finders with their
/// separators, and the alignment patterns (which a look may colour as its finders).
pub(crate) fn in_pattern(side: u32, alignment: &[(i64, i64)], mx: i64, my: i64) -> bool {
    let n = side as i64;
    let near = |v: i64| v < 8;
    let far = |v: i64| v >= n - 8;
    (near(mx) && near(my))
        || (far(mx) && near(my))
        || (near(mx) && far(my))
        || alignment.iter().any(|&(ax, ay)| (mx - ax).abs() <= 2 && (my - ay).abs() <= 2)
}

/// Every quarter of every vertex tile of one example whose module is in the symbol and outside
/// the finder and alignment patterns: its block code, quarter and coverage samples.
fn quarters(img: &RgbImage, modules: &ModuleGrid, colours: &Colours, mut f: impl FnMut(usize, usize, &[f32])) {
    let n = modules.side() as i64;
    let offsets = sample_offsets();
    let alignment = FixedModules::for_side(modules.side()).alignment_centres();
    let mut samples = [0f32; SAMPLES * SAMPLES];
    for vy in 0..=n {
        for vx in 0..=n {
            let block = [(vx - 1, vy - 1), (vx, vy - 1), (vx - 1, vy), (vx, vy)];
            let code =
                block.iter().enumerate().fold(0usize, |c, (k, &(x, y))| c | usize::from(modules.is_dark(x, y)) << k);
            for (q, &(mx, my)) in block.iter().enumerate() {
                if !(0..n).contains(&mx) || !(0..n).contains(&my) || in_pattern(modules.side(), &alignment, mx, my) {
                    continue;
                }
                let (x0, y0, _, _) = quarter_box(q);
                for (j, oy) in offsets.iter().enumerate() {
                    for (i, ox) in offsets.iter().enumerate() {
                        let (px, py) = colours.grid.pixel(vx as f32 - 0.5 + x0 + ox, vy as f32 - 0.5 + y0 + oy);
                        samples[j * SAMPLES + i] = colours.coverage(img, px, py);
                    }
                }
                f(code, q, &samples);
            }
        }
    }
}

impl Coverage {
    /// Add one example.
    /// Add another example's (or examples') sums.
    pub fn merge(&mut self, other: &Coverage) {
        for (a, b) in self.sums.iter_mut().zip(&other.sums) {
            for (qa, qb) in a.iter_mut().zip(b) {
                qa.iter_mut().zip(qb).for_each(|(x, y)| *x += y);
            }
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        self.squares += other.squares;
    }

    pub fn add(&mut self, img: &RgbImage, modules: &ModuleGrid, colours: &Colours) {
        quarters(img, modules, colours, |code, q, samples| {
            for (sum, v) in self.sums[code][q].iter_mut().zip(samples) {
                *sum += v;
                self.squares += (v * v) as f64;
            }
            self.counts[code][q] += 1;
        });
    }

    /// Mean squared coverage error per sample of drawing each quarter with its code's mean:
    /// what the vertex model leaves unexplained (comparable with `wide::ModuleCoverage`'s).
    pub fn error(&self) -> f64 {
        let mut explained = 0.0;
        let mut samples = 0.0;
        for (sums, counts) in self.sums.iter().zip(&self.counts) {
            for (q, &count) in counts.iter().enumerate().filter(|(_, &c)| c > 0) {
                explained += sums[q].iter().map(|&s| (s as f64).powi(2)).sum::<f64>() / count as f64;
                samples += (count as usize * SAMPLES * SAMPLES) as f64;
            }
        }
        (self.squares - explained) / f64::max(samples, 1.0)
    }

    /// How far one example's coverage lies from the mean of all, per sample (0..1): small for
    /// every example of one look, large for an example of another.
    pub fn deviation(&self, img: &RgbImage, modules: &ModuleGrid, colours: &Colours) -> f32 {
        let (mut sum, mut count) = (0.0, 0usize);
        quarters(img, modules, colours, |code, q, samples| {
            let n = self.counts[code][q].max(1) as f32;
            sum += samples.iter().zip(&self.sums[code][q]).map(|(v, s)| (v - s / n).abs()).sum::<f32>();
            count += samples.len();
        });
        sum / count.max(1) as f32
    }

    /// The learned polygons per code and quarter, and the (code, quarter) pairs no example
    /// showed (drawn as a plain module's quarter).
    pub fn trace(&self) -> (Vec<Quarters>, Vec<(usize, usize)>) {
        let mut unseen = Vec::new();
        let codes = (0..16)
            .map(|code| {
                std::array::from_fn(|q| {
                    let count = self.counts[code][q];
                    if count == 0 {
                        unseen.push((code, q));
                        return plain_quarter(code, q);
                    }
                    let mean: Vec<f32> = self.sums[code][q].iter().map(|s| s / count as f32).collect();
                    trace_quarter(&mean, q)
                })
            })
            .collect();
        (codes, unseen)
    }
}

/// A plain module's quarter: all ink where the module is dark.
fn plain_quarter(code: usize, q: usize) -> Vec<Polygon> {
    let (x0, y0, x1, y1) = quarter_box(q);
    if code >> q & 1 == 1 {
        vec![vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1]]]
    } else {
        Vec::new()
    }
}

/// Polygons around half coverage in one quarter. The samples sit inside the quarter; the
/// nearest one's value is carried to the quarter's edge, then a pad of no coverage just outside
/// closes the loops along the edge.
pub(crate) fn trace_quarter(mean: &[f32], q: usize) -> Vec<Polygon> {
    let (x0, y0, x1, y1) = quarter_box(q);
    let axis = |lo: f32, hi: f32| -> Vec<f32> {
        let mut v = vec![lo - PAD, lo];
        v.extend(sample_offsets().iter().map(|o| lo + o));
        v.extend([hi, hi + PAD]);
        v
    };
    let (xs, ys) = (axis(x0, x1), axis(y0, y1));
    let m = SAMPLES + 4;
    let values: Vec<f32> = (0..m * m)
        .map(|k| {
            let (i, j) = (k % m, k / m);
            if i == 0 || j == 0 || i == m - 1 || j == m - 1 {
                return 0.0;
            }
            let clamp = |v: usize| v.clamp(2, SAMPLES + 1) - 2;
            mean[clamp(j) * SAMPLES + clamp(i)]
        })
        .collect();
    let clamp = |p: [f32; 2]| [p[0].clamp(x0, x1), p[1].clamp(y0, y1)];
    Field { xs: &xs, ys: &ys, values: &values }
        .loops(0.5)
        .into_iter()
        .map(|l| {
            let mut points: Vec<[f32; 2]> = l.into_iter().map(clamp).collect();
            points.dedup();
            simplify(&points, SIMPLIFY).into_iter().map(|[x, y]| [round3(x), round3(y)]).collect::<Vec<_>>()
        })
        .filter(|p: &Polygon| p.len() >= 3 && crate::contour::area(p).abs() > 1e-5)
        .take(MAX_QUARTER_POINTS / 4)
        .collect()
}

/// Three decimals keep style documents small; a thousandth of a module is below a pixel.
fn round3(v: f32) -> f32 {
    (v * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrveil_style::Rgb;

    /// Three modules of `module` px in a row, the first black, the others white.
    fn row(module: f32) -> (RgbImage, Grid) {
        let width = (3.0 * module).ceil() as u32;
        let img = RgbImage::from_fn(width, 4, |x, _| {
            if (x as f32 + 0.5) < module {
                image::Rgb([0, 0, 0])
            } else {
                image::Rgb([255, 255, 255])
            }
        });
        (img, Grid { left: 0.0, top: 0.0, module, side: 3 })
    }

    #[test]
    fn a_modules_own_coverage_reads_only_its_own_pixels() {
        let (ink, background) = (Fill::Solid(Rgb(0, 0, 0)), Fill::Solid(Rgb(255, 255, 255)));
        for module in [4.0, 5.0, 6.0] {
            let (img, grid) = row(module);
            let colours =
                Colours { ink: &ink, background: &background, area: Area::Image, grid, size: img.dimensions() };
            // A point of the light module a twentieth of a module inside its edge: interpolated,
            // it takes in the dark neighbour's pixel; from the module's own pixels it does not.
            let (px, py) = grid.pixel(1.05, 0.5);
            let (interpolated, own) = colours.module_coverage(&img, (1, 0), px, py);
            assert!(
                interpolated > 0.1 && interpolated == colours.coverage(&img, px, py),
                "{module} px: {interpolated}"
            );
            assert_eq!(own, 0.0, "{module} px");
            // The dark module keeps its ink up to its edge.
            let (px, py) = grid.pixel(0.95, 0.5);
            assert_eq!(colours.module_coverage(&img, (0, 0), px, py).1, 1.0, "{module} px");
        }
    }

    #[test]
    fn a_module_owns_the_pixels_whose_centres_it_holds() {
        let grid = |module: f32| Grid { left: 0.0, top: 2.0, module, side: 21 };
        assert_eq!(grid(4.0).module_pixels(1, 0), PixelBox { x: (4, 7), y: (2, 5) });
        // 2.5 px per module: the centres 0.5 and 1.5, then 2.5 to 4.5.
        assert_eq!(grid(2.5).module_pixels(0, 0).x, (0, 1));
        assert_eq!(grid(2.5).module_pixels(1, 0).x, (2, 4));
        // Smaller than a pixel: the one its centre falls in, even when it holds no centre.
        assert_eq!(grid(0.8).module_pixels(1, 0).x, (1, 1));
        assert_eq!(grid(0.8).module_pixels(2, 0).x, (2, 2));
    }
}
