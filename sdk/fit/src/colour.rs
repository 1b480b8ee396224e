//! Colour fields: the ink's and the background's colour as a function of position, fitted as
//! the simplest fill that explains the samples (one colour, or a linear or radial gradient
//! through evenly spaced stops, as qr-code-styling lays them).

use qrveil_sdk::{ColourMap, Fill, GradientKind, Stop};
use qrveil_style::Rgb;
use rayon::prelude::*;

/// A colour seen at a point of the area (units of the area, 0..1).
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    pub x: f32,
    pub y: f32,
    pub rgb: [f32; 3],
}

/// A fitted fill and its root-mean-square error over the samples, in 0..255 units.
#[derive(Clone, Debug)]
pub struct Fitted {
    pub fill: Fill,
    pub rms: f32,
}

/// How much more error a simpler fill may have and still be preferred (0..255 units): below
/// what 8-bit rounding and anti-aliasing leave.
const SIMPLER_SLACK: f32 = 1.0;
/// Gradients explaining the samples this well (rms, 0..255) are kept over a colour map.
const GRADIENT_ENOUGH: f32 = 3.0;
/// Points per side of a fitted colour map.
const MAP_SIDE: usize = 9;

/// The simplest gradient, or a colour map where no gradient explains the samples within
/// [`GRADIENT_ENOUGH`] and the map explains them at least a fifth better.
pub fn fit_fill_or_map(samples: &[Sample]) -> Option<Fitted> {
    let gradient = fit_fill(samples)?;
    if gradient.rms <= GRADIENT_ENOUGH {
        return Some(gradient);
    }
    match fit_map(samples) {
        Some(map) if map.rms < 0.8 * gradient.rms => Some(map),
        _ => Some(gradient),
    }
}

/// Least squares of a map's point colours, each point a bilinear hat over the area, with a
/// little smoothness between neighbouring points so that points no sample reaches follow
/// their neighbours.
fn fit_map(samples: &[Sample]) -> Option<Fitted> {
    let (side, k) = (MAP_SIDE, MAP_SIDE * MAP_SIDE);
    let last = (side - 1) as f32;
    let mut a = vec![vec![0f64; k]; k];
    let mut b = vec![[0f64; 3]; k];
    for s in samples {
        let (fx, fy) = (s.x.clamp(0.0, 1.0) * last, s.y.clamp(0.0, 1.0) * last);
        let (i, j) = ((fx as usize).min(side - 2), (fy as usize).min(side - 2));
        let (tx, ty) = (fx - i as f32, fy - j as f32);
        let w = [
            (j * side + i, (1.0 - tx) * (1.0 - ty)),
            (j * side + i + 1, tx * (1.0 - ty)),
            ((j + 1) * side + i, (1.0 - tx) * ty),
            ((j + 1) * side + i + 1, tx * ty),
        ];
        for &(p, wp) in &w {
            for &(q, wq) in &w {
                a[p][q] += (wp * wq) as f64;
            }
            for (r, &v) in b[p].iter_mut().zip(&s.rgb) {
                *r += (wp * v) as f64;
            }
        }
    }
    let smooth = 1e-3 * samples.len() as f64 / k as f64;
    for j in 0..side {
        for i in 0..side {
            let p = j * side + i;
            for q in [(i + 1 < side).then_some(p + 1), (j + 1 < side).then_some(p + side)].into_iter().flatten() {
                a[p][p] += smooth;
                a[q][q] += smooth;
                a[p][q] -= smooth;
                a[q][p] -= smooth;
            }
        }
    }
    let colours = solve(a, b)?.into_iter().map(|c| Rgb(byte(c[0]), byte(c[1]), byte(c[2]))).collect();
    let fill = Fill::Map(ColourMap::new(side, colours).ok()?);
    Some(Fitted { rms: rms(&fill, samples), fill })
}

/// Root-mean-square error of `fill` over the samples, 0..255.
pub fn rms(fill: &Fill, samples: &[Sample]) -> f32 {
    let sum: f32 = samples
        .iter()
        .map(|s| {
            let c = fill.at(s.x, s.y);
            [c.0, c.1, c.2].iter().zip(s.rgb).map(|(&p, q)| (p as f32 - q).powi(2)).sum::<f32>()
        })
        .sum();
    (sum / samples.len().max(1) as f32).sqrt()
}

/// The simplest fill within [`SIMPLER_SLACK`] of the best: one colour, then linear and radial
/// gradients with 2, 3 and 5 stops. Linear rotations are searched every degree over half a
/// turn (the stops' order covers the other half), then refined to a tenth of a degree.
pub fn fit_fill(samples: &[Sample]) -> Option<Fitted> {
    if samples.is_empty() {
        return None;
    }
    let mut candidates = vec![fit_stops(samples, None, 1)];
    for stops in [2, 3, 5] {
        candidates.push(best_linear(samples, stops));
        candidates.push(fit_stops(samples, Some(GradientKind::Radial), stops));
    }
    let candidates: Vec<Fitted> = candidates.into_iter().flatten().collect();
    let best = candidates.iter().map(|c| c.rms).fold(f32::INFINITY, f32::min);
    candidates.into_iter().find(|c| c.rms <= best + SIMPLER_SLACK)
}

/// Samples the whole-degree search of a linear gradient's rotation reads: an even spread of
/// them is enough to find the degree, which the refinement then fits on every sample.
const COARSE_SAMPLES: usize = 4096;

fn best_linear(samples: &[Sample], stops: usize) -> Option<Fitted> {
    let fit_at = |samples: &[Sample], deg: f32| {
        fit_stops(samples, Some(GradientKind::Linear { rotation: deg.to_radians() }), stops)
    };
    let spread: Vec<Sample> = samples.iter().step_by(samples.len().div_ceil(COARSE_SAMPLES).max(1)).cloned().collect();
    let coarse: Vec<(f32, f32)> =
        (0..180).into_par_iter().filter_map(|d| fit_at(&spread, d as f32).map(|f| (d as f32, f.rms))).collect();
    let (deg, _) = coarse.into_iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
    let fine: Vec<Fitted> = (-10..=10).into_par_iter().filter_map(|k| fit_at(samples, deg + k as f32 / 10.0)).collect();
    fine.into_iter().min_by(|a, b| a.rms.total_cmp(&b.rms))
}

/// Least squares of the stops' colours, each stop a hat function over the fill's position, with
/// a little smoothness between neighbouring stops so that a stop no sample reaches takes its
/// neighbour's colour.
fn fit_stops(samples: &[Sample], kind: Option<GradientKind>, stops: usize) -> Option<Fitted> {
    let offsets: Vec<f32> = (0..stops).map(|k| if stops == 1 { 0.0 } else { k as f32 / (stops - 1) as f32 }).collect();
    let probe = match kind {
        Some(kind) => Fill::Gradient {
            kind,
            stops: offsets.iter().map(|&offset| Stop { offset, colour: Rgb(0, 0, 0) }).collect(),
        },
        None => Fill::Solid(Rgb(0, 0, 0)),
    };
    let weights = |s: &Sample| hat_weights(&offsets, probe.position(s.x, s.y));
    let k = stops;
    let mut a = vec![vec![0f64; k]; k];
    let mut b = vec![[0f64; 3]; k];
    for s in samples {
        let w = weights(s);
        for ((row, rhs), &wi) in a.iter_mut().zip(b.iter_mut()).zip(&w) {
            for (cell, &wj) in row.iter_mut().zip(&w) {
                *cell += (wi * wj) as f64;
            }
            for (r, &v) in rhs.iter_mut().zip(&s.rgb) {
                *r += (wi * v) as f64;
            }
        }
    }
    let smooth = 1e-3 * samples.len() as f64;
    for i in 0..k.saturating_sub(1) {
        a[i][i] += smooth;
        a[i + 1][i + 1] += smooth;
        a[i][i + 1] -= smooth;
        a[i + 1][i] -= smooth;
    }
    let colours = solve(a, b)?;
    let rgb = |c: [f64; 3]| Rgb(byte(c[0]), byte(c[1]), byte(c[2]));
    let fill = match kind {
        None => Fill::Solid(rgb(colours[0])),
        Some(kind) => {
            let stops = offsets.iter().zip(&colours).map(|(&offset, &c)| Stop { offset, colour: rgb(c) }).collect();
            Fill::gradient(kind, stops).ok()?
        }
    };
    Some(Fitted { rms: rms(&fill, samples), fill })
}

fn byte(v: f64) -> u8 {
    v.round().clamp(0.0, 255.0) as u8
}

/// The weight of each stop at position `t`: linear interpolation between the two around it.
fn hat_weights(offsets: &[f32], t: f32) -> Vec<f32> {
    let mut w = vec![0.0; offsets.len()];
    if offsets.len() == 1 {
        w[0] = 1.0;
        return w;
    }
    let last = offsets.len() - 1;
    let i = offsets.iter().rposition(|&o| o <= t).unwrap_or(0).min(last - 1);
    let f = ((t - offsets[i]) / (offsets[i + 1] - offsets[i])).clamp(0.0, 1.0);
    w[i] = 1.0 - f;
    w[i + 1] = f;
    w
}

/// Gaussian elimination with partial pivoting, three right-hand sides at once.
#[allow(clippy::needless_range_loop)] // Row and column indices read as the textbook algorithm.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<[f64; 3]>) -> Option<Vec<[f64; 3]>> {
    let n = a.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-9 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..n {
            let f = a[row][col] / a[col][col];
            for k in col..n {
                a[row][k] -= f * a[col][k];
            }
            for c in 0..3 {
                b[row][c] -= f * b[col][c];
            }
        }
    }
    let mut x = vec![[0f64; 3]; n];
    for row in (0..n).rev() {
        for c in 0..3 {
            let s: f64 = (row + 1..n).map(|k| a[row][k] * x[k][c]).sum();
            x[row][c] = (b[row][c] - s) / a[row][row];
        }
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples_of(f: impl Fn(f32, f32) -> [f32; 3]) -> Vec<Sample> {
        (0..40 * 40)
            .map(|i| (i % 40, i / 40))
            .map(|(x, y)| (x as f32 / 39.0, y as f32 / 39.0))
            .map(|(x, y)| Sample { x, y, rgb: f(x, y) })
            .collect()
    }

    #[test]
    fn one_colour_is_fitted_as_one_colour() {
        let f = fit_fill(&samples_of(|_, _| [10.0, 20.0, 30.0])).expect("fits");
        assert_eq!(f.fill, Fill::Solid(Rgb(10, 20, 30)));
    }

    #[test]
    fn a_vertical_gradient_is_found_with_its_angle_and_ends() {
        // Top (0, 0, 0) to bottom (0, 0, 255), as python-qrcode's VerticalGradiantColorMask.
        let f = fit_fill(&samples_of(|_, y| [0.0, 0.0, 255.0 * y])).expect("fits");
        assert!(f.rms < 1.5, "rms {}", f.rms);
        let Fill::Gradient { kind: GradientKind::Linear { rotation }, stops } = &f.fill else { panic!("{:?}", f.fill) };
        // 90° runs top to bottom; 270° with the stops reversed is the same gradient.
        let deg = rotation.to_degrees().rem_euclid(180.0);
        assert!((deg - 90.0).abs() < 1.0, "{deg}");
        assert_eq!(stops.len(), 2);
    }

    #[test]
    fn a_field_no_gradient_draws_becomes_a_colour_map() {
        // python-qrcode's square mask: distance to the centre by the larger axis.
        let square = |x: f32, y: f32| [0.0, 0.0, 255.0 * ((x - 0.5).abs().max((y - 0.5).abs()) * 2.0)];
        let f = fit_fill_or_map(&samples_of(square)).expect("fits");
        assert!(matches!(f.fill, Fill::Map(_)), "{:?}", f.fill);
        assert!(f.rms < 4.0 && f.rms < 0.5 * fit_fill(&samples_of(square)).expect("fits").rms, "rms {}", f.rms);
        // A gradient stays a gradient.
        let vertical = fit_fill_or_map(&samples_of(|_, y| [0.0, 0.0, 255.0 * y])).expect("fits");
        assert!(matches!(vertical.fill, Fill::Gradient { .. }));
    }

    #[test]
    fn a_radial_gradient_is_told_from_a_linear_one() {
        let f = fit_fill(&samples_of(|x, y| {
            let r = ((x - 0.5).powi(2) + (y - 0.5).powi(2)).sqrt() * 2.0;
            [200.0 * r.min(1.0), 50.0, 0.0]
        }))
        .expect("fits");
        assert!(matches!(f.fill, Fill::Gradient { kind: GradientKind::Radial, .. }), "{:?}", f.fill);
        assert!(f.rms < 2.0, "rms {}", f.rms);
    }
}
