//! From a sampled ink coverage to polygons: marching squares at half coverage over a
//! rectilinear grid, loops closed along the edges of the quarter, then simplified.

use std::collections::HashMap;

/// A coverage field on a rectilinear grid: `values[j * xs.len() + i]` at (xs[i], ys[j]).
pub struct Field<'a> {
    pub xs: &'a [f32],
    pub ys: &'a [f32],
    pub values: &'a [f32],
}

/// A grid edge a contour crosses: horizontal (from (i, j) to (i+1, j)) or vertical (to (i, j+1)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Edge {
    H(usize, usize),
    V(usize, usize),
}

impl Field<'_> {
    fn at(&self, i: usize, j: usize) -> f32 {
        self.values[j * self.xs.len() + i]
    }

    /// Where the level crosses `edge`, by linear interpolation.
    fn point(&self, edge: Edge, level: f32) -> [f32; 2] {
        let ((i0, j0), (i1, j1)) = match edge {
            Edge::H(i, j) => ((i, j), (i + 1, j)),
            Edge::V(i, j) => ((i, j), (i, j + 1)),
        };
        let (a, b) = (self.at(i0, j0), self.at(i1, j1));
        let t = if (b - a).abs() < 1e-9 { 0.5 } else { ((level - a) / (b - a)).clamp(0.0, 1.0) };
        [self.xs[i0] + t * (self.xs[i1] - self.xs[i0]), self.ys[j0] + t * (self.ys[j1] - self.ys[j0])]
    }

    /// Closed loops around where the field exceeds `level`. The field must be below the level
    /// all along its border, so that every loop closes.
    pub fn loops(&self, level: f32) -> Vec<Vec<[f32; 2]>> {
        let (nx, ny) = (self.xs.len(), self.ys.len());
        let mut links: HashMap<Edge, Vec<Edge>> = HashMap::new();
        let mut order = Vec::new();
        for j in 0..ny - 1 {
            for i in 0..nx - 1 {
                let corners = [self.at(i, j), self.at(i + 1, j), self.at(i + 1, j + 1), self.at(i, j + 1)];
                let inside = corners.map(|v| v > level);
                let (top, right, bottom, left) = (Edge::H(i, j), Edge::V(i + 1, j), Edge::H(i, j + 1), Edge::V(i, j));
                let case = inside.iter().enumerate().fold(0, |c, (k, &b)| c | usize::from(b) << k);
                let centre_inside = corners.iter().sum::<f32>() / 4.0 > level;
                let segments: &[(Edge, Edge)] = match case {
                    0 | 15 => &[],
                    1 | 14 => &[(left, top)],
                    2 | 13 => &[(top, right)],
                    4 | 11 => &[(right, bottom)],
                    8 | 7 => &[(bottom, left)],
                    3 | 12 => &[(left, right)],
                    6 | 9 => &[(top, bottom)],
                    // Saddles: the centre decides which corners are joined.
                    5 if centre_inside => &[(left, bottom), (top, right)],
                    5 => &[(left, top), (right, bottom)],
                    10 if centre_inside => &[(left, top), (right, bottom)],
                    _ => &[(left, bottom), (top, right)],
                };
                for &(a, b) in segments {
                    for (from, to) in [(a, b), (b, a)] {
                        let entry = links.entry(from).or_default();
                        if entry.is_empty() {
                            order.push(from);
                        }
                        entry.push(to);
                    }
                }
            }
        }
        let mut used: HashMap<Edge, bool> = HashMap::new();
        let mut loops = Vec::new();
        for &start in &order {
            if used.contains_key(&start) {
                continue;
            }
            let mut path = vec![start];
            used.insert(start, true);
            let mut at = start;
            while let Some(&next) = links.get(&at).and_then(|n| n.iter().find(|e| !used.contains_key(e))) {
                used.insert(next, true);
                path.push(next);
                at = next;
            }
            if path.len() >= 3 {
                loops.push(path.into_iter().map(|e| self.point(e, level)).collect());
            }
        }
        loops
    }
}

/// Douglas-Peucker on a closed loop: points closer than `tolerance` to the simplified outline
/// are dropped. The loop is split at its first point and the point farthest from it.
pub fn simplify(points: &[[f32; 2]], tolerance: f32) -> Vec<[f32; 2]> {
    if points.len() < 4 {
        return points.to_vec();
    }
    let far = (1..points.len())
        .max_by(|&a, &b| dist2(points[0], points[a]).total_cmp(&dist2(points[0], points[b])))
        .unwrap_or(1);
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[far] = true;
    mark(points, 0, far, tolerance, &mut keep);
    let mut tail: Vec<[f32; 2]> = points[far..].to_vec();
    tail.push(points[0]);
    let mut keep_tail = vec![false; tail.len()];
    mark(&tail, 0, tail.len() - 1, tolerance, &mut keep_tail);
    for (k, &kept) in keep_tail.iter().enumerate().take(tail.len() - 1) {
        keep[far + k] |= kept;
    }
    points.iter().zip(&keep).filter(|(_, &k)| k).map(|(&p, _)| p).collect()
}

fn mark(points: &[[f32; 2]], a: usize, b: usize, tolerance: f32, keep: &mut [bool]) {
    if b <= a + 1 {
        return;
    }
    let (index, d) = (a + 1..b)
        .map(|i| (i, segment_distance(points[i], points[a], points[b])))
        .max_by(|x, y| x.1.total_cmp(&y.1))
        .unwrap_or((a, 0.0));
    if d > tolerance {
        keep[index] = true;
        mark(points, a, index, tolerance, keep);
        mark(points, index, b, tolerance, keep);
    }
}

fn dist2(a: [f32; 2], b: [f32; 2]) -> f32 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

fn segment_distance(p: [f32; 2], a: [f32; 2], b: [f32; 2]) -> f32 {
    let l2 = dist2(a, b);
    if l2 == 0.0 {
        return dist2(p, a).sqrt();
    }
    let t = (((p[0] - a[0]) * (b[0] - a[0]) + (p[1] - a[1]) * (b[1] - a[1])) / l2).clamp(0.0, 1.0);
    dist2(p, [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]).sqrt()
}

/// Twice the signed area (positive counter-clockwise in y-down coordinates is clockwise on
/// screen; only the magnitude is used).
pub fn area(points: &[[f32; 2]]) -> f32 {
    let n = points.len();
    (0..n).map(|i| points[i][0] * points[(i + 1) % n][1] - points[(i + 1) % n][0] * points[i][1]).sum::<f32>() / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disc_becomes_one_loop_of_its_area() {
        let xs: Vec<f32> = (0..=40).map(|i| i as f32 / 40.0).collect();
        let values: Vec<f32> = xs
            .iter()
            .flat_map(|&y| {
                xs.iter().map(move |&x| 0.5 + (0.3 - ((x - 0.5f32).powi(2) + (y - 0.5f32).powi(2)).sqrt()) * 5.0)
            })
            .collect();
        let loops = Field { xs: &xs, ys: &xs, values: &values }.loops(0.5);
        assert_eq!(loops.len(), 1);
        let a = area(&loops[0]).abs();
        let disc = std::f32::consts::PI * 0.09;
        assert!((a - disc).abs() < 0.01 * disc, "{a} vs {disc}");
        let simple = simplify(&loops[0], 0.002);
        assert!(simple.len() < loops[0].len() && (area(&simple).abs() - disc).abs() < 0.02 * disc);
    }

    #[test]
    fn two_blobs_and_a_hole_make_three_loops() {
        let xs: Vec<f32> = (0..8).map(|i| i as f32).collect();
        #[rustfmt::skip]
        let values = [
            0., 0., 0., 0., 0., 0., 0., 0.,
            0., 1., 1., 1., 0., 0., 0., 0.,
            0., 1., 0., 1., 0., 1., 1., 0.,
            0., 1., 1., 1., 0., 1., 1., 0.,
            0., 0., 0., 0., 0., 0., 0., 0.,
        ];
        let loops = Field { xs: &xs, ys: &xs[..5], values: &values }.loops(0.5);
        assert_eq!(loops.len(), 3);
    }
}
