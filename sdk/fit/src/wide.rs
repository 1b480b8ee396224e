//! The wide model, for looks one vertex block cannot explain: each module gets a class from its
//! 3×3 neighbourhood, and each class a tile laid on the module (`recipe::classes`).
//!
//! The class is computed by two layers of 4-bit lookups: a stencil over the eight neighbours
//! (one of [`SUMMARIES`]) is grouped by a first lookup into at most 8 groups, and
//! `8·self + group` is looked up into the class. A stencil whose values need no grouping skips
//! the first lookup. On the linear tier the client encodes `8·self + group` from its own grid
//! and the server's lookup is a clear-weighted sum (0 PBS); a fixed encoding of fewer codes is
//! used where it captures the program (the tier analysis finds it). The PBS tier evaluates
//! both layers. The fit tries each summary: groups and classes are
//! merged bottom-up (Ward's criterion on the mean coverage), and the summary that explains the
//! coverage best wins, unless a cheaper one explains it nearly as well.

use crate::tiles::{trace_quarter, Colours, SAMPLES};
use image::RgbImage;
use qrveil_style::program::{Domain, Node, Program, ServerProgram, Tap};
use qrveil_style::recipe::classes::NEIGHBOURHOOD;
use qrveil_style::recipe::fitted::{quarter_box, Quarters};
use qrveil_style::{cost, FixedModules, ModuleGrid};

/// Coverage samples of one module: 4 quarters of SAMPLES × SAMPLES.
const PER_MODULE: usize = 4 * SAMPLES * SAMPLES;
/// Patterns of a 3×3 neighbourhood (bit k: `NEIGHBOURHOOD[k]`, bit 0 the module itself).
const PATTERNS: usize = 512;
/// Most groups the first lookup may make: `8·self + group` must stay a 4-bit value.
const MAX_GROUPS: usize = 8;
/// A cheaper model is kept when its error is within this fraction of the best one's (plus a
/// floor for looks every candidate explains).
const CHEAPER_SLACK: f64 = 0.10;
/// An RMS coverage of about 0.03 per sample: what anti-aliased edges and sampling leave when a
/// model draws a look exactly. Below it a richer summary only fits that noise: `swell` drawn
/// with its timing and alignment patterns as dots left its own count summary 0.0016 and a
/// 12-class side pattern 0.0008 (1e-4 then chose the side pattern, 1,160 PBS for 0).
const ERROR_FLOOR: f64 = 1e-3;

/// How a class program summarises the eight neighbours: a name and a weight per neighbour (in
/// `NEIGHBOURHOOD[1..]` order: NW, N, NE, W, E, SW, S, SE). A count's values are ordered (the
/// first lookup groups neighbouring counts); a pattern's are bits (any two may share a group).
pub struct Summary {
    pub name: &'static str,
    pub weights: [u8; 8],
    pub count: bool,
}

/// The summaries the fit tries: counts (how dense the neighbours are), the sides and corners
/// as 4-bit patterns (which neighbours), and the two axes.
pub const SUMMARIES: [Summary; 7] = [
    Summary { name: "dark neighbours", weights: [1, 1, 1, 1, 1, 1, 1, 1], count: true },
    Summary { name: "dark sides", weights: [0, 1, 0, 1, 1, 0, 1, 0], count: true },
    Summary { name: "dark corners", weights: [1, 0, 1, 0, 0, 1, 0, 1], count: true },
    Summary { name: "side pattern", weights: [0, 1, 0, 8, 2, 0, 4, 0], count: false },
    Summary { name: "corner pattern", weights: [1, 0, 2, 0, 0, 4, 0, 8], count: false },
    Summary { name: "horizontal neighbours", weights: [0, 0, 0, 1, 2, 0, 0, 0], count: false },
    Summary { name: "vertical neighbours", weights: [0, 1, 0, 0, 0, 0, 2, 0], count: false },
];

impl Summary {
    fn value(&self, pattern: usize) -> usize {
        self.weights.iter().enumerate().map(|(k, &w)| (pattern >> (k + 1) & 1) * w as usize).sum()
    }
    fn max(&self) -> usize {
        self.weights.iter().map(|&w| w as usize).sum()
    }
}

/// Summed coverage per 3×3 pattern, over every module outside the finder and alignment
/// patterns, read two ways ([`Colours::module_coverage`]): interpolated, which the tiles are
/// traced from, and from each module's own pixels, which decide the summary, groups and
/// classes (with sums of squares, so any grouping's error is exact), so that what a look is
/// found to read does not change with its pixels per module.
pub struct ModuleCoverage {
    sums: Vec<[f64; PER_MODULE]>,
    own: Vec<[f64; PER_MODULE]>,
    squares: Vec<f64>,
    counts: Vec<u64>,
}

impl Default for ModuleCoverage {
    fn default() -> Self {
        ModuleCoverage {
            sums: vec![[0.0; PER_MODULE]; PATTERNS],
            own: vec![[0.0; PER_MODULE]; PATTERNS],
            squares: vec![0.0; PATTERNS],
            counts: vec![0; PATTERNS],
        }
    }
}

/// A group of patterns and its summed coverage: interpolated (`sums`, for its tile) and from
/// each module's own pixels (`own`, for the merge costs and errors).
#[derive(Clone)]
struct Cell {
    sums: Vec<f64>,
    own: Vec<f64>,
    count: u64,
}

impl Cell {
    fn empty() -> Self {
        Cell { sums: vec![0.0; PER_MODULE], own: vec![0.0; PER_MODULE], count: 0 }
    }
    fn add(&mut self, other: &Cell) {
        self.sums.iter_mut().zip(&other.sums).for_each(|(a, b)| *a += b);
        self.own.iter_mut().zip(&other.own).for_each(|(a, b)| *a += b);
        self.count += other.count;
    }
    /// What merging `self` and `other` adds to the summed squared error (Ward).
    fn merge_cost(&self, other: &Cell) -> f64 {
        if self.count == 0 || other.count == 0 {
            return 0.0;
        }
        let (n1, n2) = (self.count as f64, other.count as f64);
        let d: f64 = self.own.iter().zip(&other.own).map(|(a, b)| (a / n1 - b / n2).powi(2)).sum();
        n1 * n2 / (n1 + n2) * d
    }
    /// Σ sum² / count: what this cell's mean explains of the squares.
    fn explained(&self) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        self.own.iter().map(|s| s * s).sum::<f64>() / self.count as f64
    }
}

impl ModuleCoverage {
    /// Add another example's (or examples') sums.
    pub fn merge(&mut self, other: &ModuleCoverage) {
        for (a, b) in self.sums.iter_mut().zip(&other.sums).chain(self.own.iter_mut().zip(&other.own)) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        self.squares.iter_mut().zip(&other.squares).for_each(|(x, y)| *x += y);
        self.counts.iter_mut().zip(&other.counts).for_each(|(x, y)| *x += y);
    }

    /// Add one example.
    pub fn add(&mut self, img: &RgbImage, modules: &ModuleGrid, colours: &Colours) {
        let n = modules.side() as i64;
        let alignment = FixedModules::for_side(modules.side()).alignment_centres();
        let offsets: [f32; SAMPLES] = std::array::from_fn(|i| (i as f32 + 0.5) / SAMPLES as f32 * 0.5);
        for my in 0..n {
            for mx in 0..n {
                if crate::tiles::in_pattern(modules.side(), &alignment, mx, my) {
                    continue;
                }
                let pattern = NEIGHBOURHOOD.iter().enumerate().fold(0usize, |p, (k, &(dx, dy))| {
                    p | usize::from(modules.is_dark(mx + dx as i64, my + dy as i64)) << k
                });
                let (sums, own) = (&mut self.sums[pattern], &mut self.own[pattern]);
                for q in 0..4 {
                    let (x0, y0, _, _) = quarter_box(q);
                    for (j, oy) in offsets.iter().enumerate() {
                        for (i, ox) in offsets.iter().enumerate() {
                            let (px, py) = colours.grid.pixel(mx as f32 + x0 + ox, my as f32 + y0 + oy);
                            let (v, v_own) = colours.module_coverage(img, (mx, my), px, py);
                            let k = q * SAMPLES * SAMPLES + j * SAMPLES + i;
                            sums[k] += v as f64;
                            own[k] += v_own as f64;
                            self.squares[pattern] += (v_own as f64).powi(2);
                        }
                    }
                }
                self.counts[pattern] += 1;
            }
        }
    }

    fn cell(&self, pattern: usize) -> Cell {
        Cell { sums: self.sums[pattern].to_vec(), own: self.own[pattern].to_vec(), count: self.counts[pattern] }
    }

    fn samples(&self) -> f64 {
        self.counts.iter().sum::<u64>() as f64 * PER_MODULE as f64
    }

    /// The best class program over the summaries, with its tiles.
    pub fn fit(&self) -> Option<WideFit> {
        let fits: Vec<WideFit> = SUMMARIES.iter().filter_map(|s| self.fit_summary(s)).collect();
        let best = fits.iter().map(|f| f.error).fold(f64::INFINITY, f64::min);
        let good_enough = best * (1.0 + CHEAPER_SLACK) + ERROR_FLOOR;
        fits.into_iter()
            .filter(|f| f.error <= good_enough)
            .min_by(|a, b| (a.pbs, a.bytes_up).cmp(&(b.pbs, b.bytes_up)).then(a.error.total_cmp(&b.error)))
    }

    /// Mean squared error per sample of drawing every module of each group with its mean.
    fn error(&self, groups: &[Cell]) -> f64 {
        let explained: f64 = groups.iter().map(Cell::explained).sum();
        (self.squares.iter().sum::<f64>() - explained) / self.samples().max(1.0)
    }

    fn fit_summary(&self, summary: &'static Summary) -> Option<WideFit> {
        let values = summary.max() + 1;
        // Coverage per (self, value).
        let mut by_value = vec![[Cell::empty(), Cell::empty()]; values];
        for p in (0..PATTERNS).filter(|&p| self.counts[p] > 0) {
            by_value[summary.value(p)][p & 1].add(&self.cell(p));
        }
        let seen: Vec<usize> = (0..values).filter(|&v| by_value[v].iter().any(|c| c.count > 0)).collect();
        if seen.is_empty() {
            return None;
        }
        // First layer: merge values into at most MAX_GROUPS groups, costing light and dark together.
        let mut groups: Vec<(Vec<usize>, [Cell; 2])> = seen.iter().map(|&v| (vec![v], by_value[v].clone())).collect();
        while groups.len() > MAX_GROUPS {
            merge_cheapest(
                &mut groups,
                summary.count,
                |a, b| a[0].merge_cost(&b[0]) + a[1].merge_cost(&b[1]),
                |a, b| {
                    a[0].add(&b[0]);
                    a[1].add(&b[1]);
                },
            );
        }
        // Values no example showed take the group of the nearest value one did: the nearest
        // count, or the pattern fewest neighbours away.
        let distance = |a: usize, b: usize| if summary.count { a.abs_diff(b) } else { (a ^ b).count_ones() as usize };
        let group_of: Vec<u8> = (0..16)
            .map(|v: usize| {
                let nearest = seen.iter().min_by_key(|&&s| (distance(s, v), s)).copied().unwrap_or(0);
                groups.iter().position(|(vs, _)| vs.contains(&nearest)).unwrap_or(0) as u8
            })
            .collect();
        // Second layer: merge (self, group) cells into classes, light and dark apart, down to
        // the fewest that stay within the slack of every cell apart (one output holds 4
        // classes, two hold 16).
        let mut classes: Vec<Class> = Vec::new();
        for (g, (_, cells)) in groups.iter().enumerate() {
            for (ink, cell) in cells.iter().enumerate().filter(|(_, c)| c.count > 0) {
                classes.push((vec![(ink, g)], cell.clone()));
            }
        }
        let error_of = |classes: &[Class]| self.error(&classes.iter().map(|c| c.1.clone()).collect::<Vec<_>>());
        let acceptable = error_of(&classes) * (1.0 + CHEAPER_SLACK) + ERROR_FLOOR;
        let mut chosen: Option<Vec<Class>> = None;
        loop {
            if classes.len() <= 16 && (chosen.is_none() || error_of(&classes) <= acceptable) {
                chosen = Some(classes.clone());
            }
            if !merge_within_ink(&mut classes) {
                break;
            }
        }
        let classes = chosen?;
        // Both inks need a class: examples whose data modules are all dark (or all light) say
        // nothing about the other, and a class program must keep every module's ink.
        if !(0..2).all(|ink| classes.iter().any(|(m, _)| m[0].0 == ink)) {
            return None;
        }
        let error = error_of(&classes);
        let class_of = |ink: usize, g: usize| -> u8 {
            let exact = classes.iter().position(|(m, _)| m.contains(&(ink, g)));
            // A (self, group) no example showed takes the biggest class of its ink.
            let fallback = || {
                (0..classes.len())
                    .filter(|&k| classes[k].0[0].0 == ink)
                    .max_by_key(|&k| classes[k].1.count)
                    .unwrap_or(0)
            };
            exact.unwrap_or_else(fallback) as u8
        };
        let program = build_program(summary, &group_of, groups.len(), classes.len(), class_of);
        let chosen = cost(&program, 21).ok()?.chosen().clone();
        let (pbs, bytes_up) = (chosen.pbs, chosen.bytes_up);
        let tiles = classes.iter().map(|(_, cell)| trace_module(cell)).collect();
        Some(WideFit {
            summary: summary.name,
            program,
            tiles,
            error,
            pbs,
            bytes_up,
            groups: groups.len(),
            classes: classes.len(),
        })
    }
}

/// A class: the (self, group) cells it holds, and their summed coverage.
type Class = (Vec<(usize, usize)>, Cell);

/// Merge the two classes of the same ink whose merge costs least; false when none can merge.
fn merge_within_ink(classes: &mut Vec<Class>) -> bool {
    let mut best: Option<(f64, usize, usize)> = None;
    for i in 0..classes.len() {
        for j in i + 1..classes.len() {
            if classes[i].0[0].0 != classes[j].0[0].0 {
                continue;
            }
            let c = classes[i].1.merge_cost(&classes[j].1);
            if best.is_none_or(|(b, _, _)| c < b) {
                best = Some((c, i, j));
            }
        }
    }
    let Some((_, i, j)) = best else { return false };
    let (members, cell) = classes.remove(j);
    classes[i].0.extend(members);
    classes[i].1.add(&cell);
    true
}

/// Merge the two entries whose merge costs least: of neighbouring entries when `ordered`
/// (entries in value order), else of any two.
fn merge_cheapest<T>(
    items: &mut Vec<(Vec<usize>, T)>,
    ordered: bool,
    cost: impl Fn(&T, &T) -> f64,
    merge: impl Fn(&mut T, &T),
) {
    let n = items.len();
    let pairs = (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).filter(|&(i, j)| !ordered || j == i + 1);
    let cheapest =
        pairs.min_by(|&(a, b), &(c, d)| cost(&items[a].1, &items[b].1).total_cmp(&cost(&items[c].1, &items[d].1)));
    let Some((i, j)) = cheapest else { return };
    let (values, other) = items.remove(j);
    merge(&mut items[i].1, &other);
    items[i].0.extend(values);
}

/// A fitted class program and what it costs.
pub struct WideFit {
    /// Which summary of the neighbours it reads.
    pub summary: &'static str,
    pub program: ServerProgram,
    /// One tile per class, laid on the module.
    pub tiles: Vec<Quarters>,
    /// Mean squared coverage error per sample.
    pub error: f64,
    /// PBS for a version-1 code on the tier it runs on (0 when a linear encoding captures it).
    pub pbs: u64,
    /// Bytes a version-1 job uploads (a fixed encoding of fewer codes, or the client-encoded
    /// input of the second lookup, 16 codes).
    pub bytes_up: u64,
    pub groups: usize,
    pub classes: usize,
}

fn tap(dx: i8, dy: i8, weight: u8) -> Tap {
    Tap { dx, dy, weight }
}

/// The class program: the summary (grouped by a first lookup when its values do not fit beside
/// the module's own bit), plus 8·self, looked up into the class; one program per 2 bits of
/// class.
fn build_program(
    summary: &Summary,
    group_of: &[u8],
    groups: usize,
    classes: usize,
    class_of: impl Fn(usize, usize) -> u8,
) -> ServerProgram {
    let taps: Vec<Tap> = NEIGHBOURHOOD[1..]
        .iter()
        .zip(summary.weights)
        .filter(|(_, w)| *w > 0)
        .map(|(&(dx, dy), w)| tap(dx, dy, w))
        .collect();
    let direct = summary.max() < MAX_GROUPS;
    let channels = if classes <= 4 { 1 } else { 2 };
    let index_class = |index: usize| -> u8 {
        let (ink, group) = (index / 8, index % 8);
        if direct {
            class_of(ink, group_of[group] as usize)
        } else {
            class_of(ink, group.min(groups.saturating_sub(1)))
        }
    };
    let programs = (0..channels)
        .map(|k| {
            let table: Vec<u8> = (0..16).map(|i| index_class(i) >> (2 * k) & 3).collect();
            let mut nodes = Vec::new();
            if direct {
                let mut with_self = taps.clone();
                with_self.push(tap(0, 0, 8));
                nodes.push(Node::Stencil { taps: with_self });
            } else {
                nodes.push(Node::Stencil { taps: taps.clone() });
                nodes.push(Node::Lut { input: 0, table: group_of.to_vec() });
                nodes.push(Node::Stencil { taps: vec![tap(0, 0, 8)] });
                nodes.push(Node::Add { a: 1, b: 2 });
            }
            nodes.push(Node::Lut { input: nodes.len() - 1, table });
            Program { domain: Domain::Modules, output: nodes.len() - 1, nodes }
        })
        .collect();
    ServerProgram { version: 1, programs }
}

/// A class's tile: its mean coverage per quarter, traced.
fn trace_module(cell: &Cell) -> Quarters {
    std::array::from_fn(|q| {
        let n = SAMPLES * SAMPLES;
        let mean: Vec<f32> =
            cell.sums[q * n..(q + 1) * n].iter().map(|s| (s / cell.count.max(1) as f64) as f32).collect();
        trace_quarter(&mean, q)
    })
}
