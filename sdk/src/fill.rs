//! Colour over an area: one colour, a gradient as qr-code-styling draws it (linear at any
//! angle, or radial from the centre) through colour stops, or a low-resolution colour map (what
//! a fitted look uses where no gradient explains its examples). Points are in units of the
//! area, (0, 0) its top-left corner and (1, 1) its bottom-right.

use crate::colour::{luma, mix};
use qrveil_style::Rgb;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stop {
    pub offset: f32,
    pub colour: Rgb,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GradientKind {
    /// Along a line through the centre at `rotation` radians (clockwise, 0 left to right),
    /// from one edge of the area to the opposite one, as qr-code-styling lays it.
    Linear { rotation: f32 },
    /// Outwards from the centre to half the area's side.
    Radial,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Fill {
    Solid(Rgb),
    /// Stops sorted by offset, at least one.
    Gradient {
        kind: GradientKind,
        stops: Vec<Stop>,
    },
    Map(ColourMap),
}

/// Colours at `side` × `side` evenly spaced points over the area, corners included, blended
/// bilinearly between them.
#[derive(Clone, Debug, PartialEq)]
pub struct ColourMap {
    side: usize,
    colours: Vec<Rgb>,
}

/// Points a colour map may have per side: enough for any smooth field, small enough for a
/// style document.
pub const MAP_SIDES: std::ops::RangeInclusive<usize> = 2..=16;

impl ColourMap {
    /// Colours row by row, `side` × `side` of them.
    pub fn new(side: usize, colours: Vec<Rgb>) -> Result<Self, FillError> {
        if !MAP_SIDES.contains(&side) || colours.len() != side * side {
            return Err(FillError::Map { side, colours: colours.len() });
        }
        Ok(Self { side, colours })
    }

    pub fn side(&self) -> usize {
        self.side
    }

    pub fn colours(&self) -> &[Rgb] {
        &self.colours
    }

    pub fn at(&self, x: f32, y: f32) -> Rgb {
        let last = (self.side - 1) as f32;
        let (fx, fy) = (x.clamp(0.0, 1.0) * last, y.clamp(0.0, 1.0) * last);
        let (i, j) = ((fx as usize).min(self.side - 2), (fy as usize).min(self.side - 2));
        let (tx, ty) = (fx - i as f32, fy - j as f32);
        let c = |i: usize, j: usize| self.colours[j * self.side + i];
        mix(mix(c(i, j), c(i + 1, j), tx), mix(c(i, j + 1), c(i + 1, j + 1), tx), ty)
    }
}

/// Why a gradient cannot be drawn.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FillError {
    #[error("a gradient needs at least two colour stops, got {0}")]
    TooFewStops(usize),
    #[error("colour stop offsets run from 0 to 1; got {0}")]
    Offset(f32),
    #[error("a gradient's rotation must be a finite number of radians; got {0}")]
    Rotation(f32),
    #[error("a colour map has side x side colours, side 2 to 16; got side {side} and {colours} colours")]
    Map { side: usize, colours: usize },
}

impl Fill {
    /// A gradient through `stops` (any order).
    pub fn gradient(kind: GradientKind, mut stops: Vec<Stop>) -> Result<Fill, FillError> {
        if stops.len() < 2 {
            return Err(FillError::TooFewStops(stops.len()));
        }
        if let Some(bad) = stops.iter().find(|s| !(0.0..=1.0).contains(&s.offset)) {
            return Err(FillError::Offset(bad.offset));
        }
        if let GradientKind::Linear { rotation } = kind {
            if !rotation.is_finite() {
                return Err(FillError::Rotation(rotation));
            }
        }
        stops.sort_by(|a, b| a.offset.total_cmp(&b.offset));
        Ok(Fill::Gradient { kind, stops })
    }

    /// Python qrcode's `HorizontalGradiantColorMask`: left to right, two colours.
    pub fn horizontal(left: Rgb, right: Rgb) -> Fill {
        let stops = vec![Stop { offset: 0.0, colour: left }, Stop { offset: 1.0, colour: right }];
        Fill::Gradient { kind: GradientKind::Linear { rotation: 0.0 }, stops }
    }

    /// Where (x, y) falls along the gradient, 0..=1 (0 for a solid fill or a map).
    pub fn position(&self, x: f32, y: f32) -> f32 {
        let Fill::Gradient { kind, .. } = self else { return 0.0 };
        let t = match *kind {
            GradientKind::Radial => 2.0 * ((x - 0.5).powi(2) + (y - 0.5).powi(2)).sqrt(),
            GradientKind::Linear { rotation } => {
                let ((x0, y0), (x1, y1)) = linear_ends(rotation);
                let (dx, dy) = (x1 - x0, y1 - y0);
                ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)
            }
        };
        t.clamp(0.0, 1.0)
    }

    /// The colour at position `t` along the gradient (see [`Fill::position`]).
    pub fn colour_at(&self, t: f32) -> Rgb {
        let stops = match self {
            Fill::Solid(c) => return *c,
            Fill::Map(m) => return m.colours[0],
            Fill::Gradient { stops, .. } => stops,
        };
        let first = stops[0];
        let last = stops[stops.len() - 1];
        if t <= first.offset {
            return first.colour;
        }
        for pair in stops.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if t <= b.offset {
                let span = b.offset - a.offset;
                return if span > 0.0 { mix(a.colour, b.colour, (t - a.offset) / span) } else { b.colour };
            }
        }
        last.colour
    }

    pub fn at(&self, x: f32, y: f32) -> Rgb {
        match self {
            Fill::Map(m) => m.at(x, y),
            _ => self.colour_at(self.position(x, y)),
        }
    }

    /// The colours it passes through: luma is linear in sRGB, so its extremes are at stops
    /// (or a map's points).
    pub fn colours(&self) -> Vec<Rgb> {
        match self {
            Fill::Solid(c) => vec![*c],
            Fill::Gradient { stops, .. } => stops.iter().map(|s| s.colour).collect(),
            Fill::Map(m) => m.colours.clone(),
        }
    }

    pub fn darkest_luma(&self) -> f32 {
        self.colours().into_iter().map(luma).fold(f32::INFINITY, f32::min)
    }

    /// The same fill with every colour passed through `f`.
    pub fn map(&self, f: impl Fn(Rgb) -> Rgb) -> Fill {
        match self {
            Fill::Solid(c) => Fill::Solid(f(*c)),
            Fill::Gradient { kind, stops } => Fill::Gradient {
                kind: *kind,
                stops: stops.iter().map(|s| Stop { offset: s.offset, colour: f(s.colour) }).collect(),
            },
            Fill::Map(m) => Fill::Map(ColourMap { side: m.side, colours: m.colours.iter().map(|&c| f(c)).collect() }),
        }
    }
}

/// qr-code-styling's linear gradient line for `rotation`, in area units: through the centre,
/// from the edge it starts on to the opposite edge, its other end sliding along those edges
/// with the tangent of the angle.
pub fn linear_ends(rotation: f32) -> ((f32, f32), (f32, f32)) {
    use std::f32::consts::PI;
    let r = rotation.rem_euclid(2.0 * PI);
    let (tan, cot) = (rotation.tan(), 1.0 / rotation.tan());
    if r <= 0.25 * PI || r > 1.75 * PI {
        ((0.0, 0.5 - 0.5 * tan), (1.0, 0.5 + 0.5 * tan))
    } else if r <= 0.75 * PI {
        ((0.5 - 0.5 * cot, 0.0), (0.5 + 0.5 * cot, 1.0))
    } else if r <= 1.25 * PI {
        ((1.0, 0.5 + 0.5 * tan), (0.0, 0.5 - 0.5 * tan))
    } else {
        ((0.5 + 0.5 * cot, 1.0), (0.5 - 0.5 * cot, 0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f32::consts::PI;

    const RED: Rgb = Rgb(255, 0, 0);
    const BLUE: Rgb = Rgb(0, 0, 255);

    fn two(kind: GradientKind) -> Fill {
        Fill::gradient(kind, vec![Stop { offset: 1.0, colour: BLUE }, Stop { offset: 0.0, colour: RED }])
            .expect("valid")
    }

    #[test]
    fn linear_gradients_run_edge_to_edge_at_their_angle() {
        // Rotation 0: left to right; π/2: top to bottom; π: right to left; 3π/2: bottom to top.
        for (rotation, start, end) in [
            (0.0, (0.0, 0.5), (1.0, 0.5)),
            (PI / 2.0, (0.5, 0.0), (0.5, 1.0)),
            (PI, (1.0, 0.5), (0.0, 0.5)),
            (1.5 * PI, (0.5, 1.0), (0.5, 0.0)),
            (-PI / 2.0, (0.5, 1.0), (0.5, 0.0)),
        ] {
            let f = two(GradientKind::Linear { rotation });
            assert_eq!(f.at(start.0, start.1), RED, "rotation {rotation}");
            assert_eq!(f.at(end.0, end.1), BLUE, "rotation {rotation}");
            assert_eq!(f.at(0.5, 0.5), mix(RED, BLUE, 0.5), "rotation {rotation}");
        }
        // 45°: corner to corner.
        let f = two(GradientKind::Linear { rotation: PI / 4.0 });
        assert_eq!((f.at(0.0, 0.0), f.at(1.0, 1.0)), (RED, BLUE));
        assert!((f.position(1.0, 0.0) - 0.5).abs() < 1e-5, "the other diagonal is half way");
    }

    #[test]
    fn radial_gradients_grow_from_the_centre_and_stops_interpolate_in_order() {
        let f = two(GradientKind::Radial);
        assert_eq!((f.at(0.5, 0.5), f.at(0.5, 0.0), f.at(0.0, 0.0)), (RED, BLUE, BLUE));
        let three = Fill::gradient(
            GradientKind::Linear { rotation: 0.0 },
            vec![
                Stop { offset: 0.0, colour: RED },
                Stop { offset: 0.5, colour: Rgb(0, 255, 0) },
                Stop { offset: 1.0, colour: BLUE },
            ],
        )
        .expect("valid");
        assert_eq!(three.at(0.25, 0.3), mix(RED, Rgb(0, 255, 0), 0.5));
        assert_eq!(three.at(0.75, 0.9), mix(Rgb(0, 255, 0), BLUE, 0.5));
        assert_eq!(three.darkest_luma(), luma(BLUE));
    }

    #[test]
    fn a_colour_map_blends_its_points_bilinearly() {
        let map = ColourMap::new(2, vec![RED, BLUE, BLUE, RED]).expect("valid");
        let f = Fill::Map(map);
        assert_eq!((f.at(0.0, 0.0), f.at(1.0, 0.0), f.at(0.0, 1.0), f.at(1.0, 1.0)), (RED, BLUE, BLUE, RED));
        assert_eq!(f.at(0.5, 0.0), mix(RED, BLUE, 0.5));
        assert_eq!(f.at(0.5, 0.5), mix(mix(RED, BLUE, 0.5), mix(BLUE, RED, 0.5), 0.5));
        assert_eq!(f.at(-1.0, 2.0), BLUE, "outside the area: its edge");
        assert_eq!(f.map(|_| RED).colours(), vec![RED; 4]);
        assert_eq!(ColourMap::new(3, vec![RED; 4]), Err(FillError::Map { side: 3, colours: 4 }));
    }

    #[test]
    fn gradients_that_cannot_be_drawn_say_why() {
        let one = vec![Stop { offset: 0.0, colour: RED }];
        assert_eq!(Fill::gradient(GradientKind::Radial, one), Err(FillError::TooFewStops(1)));
        let off = vec![Stop { offset: 0.0, colour: RED }, Stop { offset: 1.5, colour: BLUE }];
        assert_eq!(Fill::gradient(GradientKind::Radial, off), Err(FillError::Offset(1.5)));
    }
}
