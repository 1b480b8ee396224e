//! Colour maths for the readability guarantee: luma as decoders see it, CIEDE2000 as people see
//! it, and the least change that gives a colour the contrast a code's checks need: the nearest
//! colour in CIEDE2000 on the far side of a luma, in any direction of colour space
//! ([`nearest_darker`], [`nearest_lighter`]): nearer than moving lightness alone.

use palette::color_difference::Ciede2000;
use palette::{IntoColor, Lab, Srgb};
use qrveil_style::Rgb;

/// Rec. 601 luma on 0..255: the grey level decoders convert a colour to.
fn rec601(c: Rgb) -> f32 {
    0.299 * c.0 as f32 + 0.587 * c.1 as f32 + 0.114 * c.2 as f32
}

/// Luma in 0..1 (Rec. 601 on sRGB, as zbar, ZXing and OpenCV convert to grey).
pub fn luma(c: Rgb) -> f32 {
    rec601(c) / 255.0
}

/// Grey level 0..=255, rounded, as a decoder reading the image sees the colour.
pub fn grey(c: Rgb) -> u8 {
    rec601(c).round() as u8
}

/// How far apart a decoder sees ink and background: the difference of their lumas (1 for
/// black on white). Sensor noise and blur eat into this difference, so it is what a
/// readability level asks for.
pub fn contrast(ink: Rgb, background: Rgb) -> f32 {
    luma(background) - luma(ink)
}

fn lab(c: Rgb) -> Lab {
    Srgb::new(c.0, c.1, c.2).into_format::<f32>().into_linear().into_color()
}

/// The CIEDE2000 colour difference: about 1 is just noticeable, over 10 a different colour.
pub fn delta_e(a: Rgb, b: Rgb) -> f32 {
    lab(a).difference(lab(b))
}

/// The colour nearest `c` in CIEDE2000 whose luma is at most `max` (`c` itself if it already
/// is): hue, chroma and lightness all move, as little as people see. Luma is linear in sRGB, so
/// the nearest such colour lies on the plane of luma `max` (or in a corner of the gamut): a
/// coarse grid over that plane, then a finer one around the best point.
pub fn nearest_darker(c: Rgb, max: f32) -> Rgb {
    nearest_across(c, max, true)
}

/// The colour nearest `c` in CIEDE2000 whose luma is at least `min` (`c` itself if it is).
pub fn nearest_lighter(c: Rgb, min: f32) -> Rgb {
    nearest_across(c, min, false)
}

fn nearest_across(c: Rgb, bound: f32, below: bool) -> Rgb {
    let ok = |x: Rgb| if below { luma(x) <= bound } else { luma(x) >= bound };
    if ok(c) {
        return c;
    }
    let target = lab(c);
    // The colour of red `r` and blue `b` on the plane, its green rounded to the feasible side.
    let on_plane = |r: i32, b: i32| -> Option<Rgb> {
        let (r, b) = (r.clamp(0, 255), b.clamp(0, 255));
        let g = (bound * 255.0 - 0.299 * r as f32 - 0.114 * b as f32) / 0.587;
        let g = if below { g.floor() } else { g.ceil() };
        let x = Rgb(r as u8, g.clamp(0.0, 255.0) as u8, b as u8);
        ok(x).then_some(x)
    };
    let score = |r: i32, b: i32| on_plane(r, b).map(|x| (target.difference(lab(x)), r.clamp(0, 255), b.clamp(0, 255)));
    let better = |a: Option<(f32, i32, i32)>, b: Option<(f32, i32, i32)>| match (a, b) {
        (Some(x), Some(y)) => Some(if y.0 < x.0 { y } else { x }),
        (x, y) => x.or(y),
    };
    let grid = (0..=256).step_by(16).flat_map(|r| (0..=256).step_by(16).map(move |b| (r, b)));
    let mut best = grid.fold(None, |best, (r, b)| better(best, score(r, b)));
    for step in [8, 4, 2, 1] {
        for _ in 0..4 {
            let Some((_, r0, b0)) = best else { break };
            let around = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)];
            best = around.iter().fold(best, |best, (dr, db)| better(best, score(r0 + dr * step, b0 + db * step)));
        }
    }
    match best.and_then(|(_, r, b)| on_plane(r, b)) {
        Some(x) => x,
        None if below => Rgb(0, 0, 0),
        None => Rgb(255, 255, 255),
    }
}

/// Linear interpolation between two colours, `t` in 0..=1, in sRGB as the stylers draw
/// gradients.
pub fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    let f = |x: u8, y: u8| (x as f32 + (y as f32 - x as f32) * t).round() as u8;
    Rgb(f(a.0, b.0), f(a.1, b.1), f(a.2, b.2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use palette::{IsWithinBounds, LinSrgb};

    // The old correction, by lightness alone, for comparison.
    /// `c` with CIELAB lightness `l` (0..=100) and the same hue and chroma, or, where that is
    /// outside sRGB, the most chroma that fits.
    fn with_lightness(c: Rgb, l: f32) -> Rgb {
        let Lab { a, b, .. } = lab(c);
        let at = |s: f32| -> Srgb {
            let linear: LinSrgb = Lab::new(l, a * s, b * s).into_color();
            Srgb::from_linear(linear)
        };
        let (mut lo, mut hi) = (0.0f32, 1.0f32);
        if at(1.0).is_within_bounds() {
            lo = 1.0;
        } else {
            for _ in 0..20 {
                let mid = (lo + hi) / 2.0;
                if at(mid).is_within_bounds() {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
        }
        let s: Srgb<u8> = at(lo).into_format();
        Rgb(s.red, s.green, s.blue)
    }

    /// The lightest colour of `c`'s hue and chroma whose luma is at most `max` (`c` itself if
    /// it already is).
    fn darken_to(c: Rgb, max: f32) -> Rgb {
        if luma(c) <= max {
            return c;
        }
        let (mut lo, mut hi) = (0.0f32, lab(c).l);
        for _ in 0..24 {
            let mid = (lo + hi) / 2.0;
            if luma(with_lightness(c, mid)) <= max {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let out = with_lightness(c, lo);
        if luma(out) <= max {
            out
        } else {
            Rgb(0, 0, 0)
        }
    }

    fn lab_of(l: f32, a: f32, b: f32) -> Lab {
        Lab::new(l, a, b)
    }

    #[test]
    fn lab_and_delta_e_match_published_values() {
        // sRGB red in CIELAB (D65): 53.24, 80.09, 67.20 (Lindbloom's calculator).
        let red = lab(Rgb(255, 0, 0));
        assert!((red.l - 53.24).abs() < 0.05 && (red.a - 80.09).abs() < 0.1 && (red.b - 67.20).abs() < 0.1);
        assert!((delta_e(Rgb(0, 0, 0), Rgb(255, 255, 255)) - 100.0).abs() < 0.01);
        assert_eq!(delta_e(Rgb(21, 137, 6), Rgb(21, 137, 6)), 0.0);
        // Sharma, Wu and Dalal's CIEDE2000 test data, pair 1: 2.0425.
        let d = lab_of(50.0, 2.6772, -79.7751).difference(lab_of(50.0, 0.0, -82.7485));
        assert!((d - 2.0425).abs() < 1e-3, "{d}");
    }

    #[test]
    fn the_nearest_colour_with_the_contrast_is_nearer_than_by_lightness_alone() {
        // Orange needing contrast 0.75 on white: about ΔE 28 by lightness, nearer in any direction.
        let orange = Rgb(247, 105, 9);
        for max in [0.45, 0.25, 0.1] {
            let near = nearest_darker(orange, max);
            let by_lightness = darken_to(orange, max);
            assert!(luma(near) <= max && luma(near) > max - 0.02, "{near:?}: luma {}", luma(near));
            assert!(
                delta_e(orange, near) <= delta_e(orange, by_lightness) + 0.01,
                "{max}: {near:?} vs {by_lightness:?}"
            );
        }
        let (near, dark) = (nearest_darker(orange, 0.25), darken_to(orange, 0.25));
        assert!(
            delta_e(orange, near) < delta_e(orange, dark) - 3.0,
            "{} vs {}",
            delta_e(orange, near),
            delta_e(orange, dark)
        );
        // Exhaustive over a coarse sRGB grid: nothing darker enough is nearer.
        let brute = (0..=255u8)
            .step_by(5)
            .flat_map(|r| (0..=255u8).step_by(5).flat_map(move |g| (0..=255u8).step_by(5).map(move |b| Rgb(r, g, b))));
        let best = brute.filter(|&x| luma(x) <= 0.25).map(|x| delta_e(orange, x)).fold(f32::MAX, f32::min);
        assert!(delta_e(orange, near) <= best + 0.5, "{} vs brute force {best}", delta_e(orange, near));
        // Lighter: a dark background made light enough for black ink.
        let navy = Rgb(20, 30, 90);
        let light = nearest_lighter(navy, 0.8);
        assert!(luma(light) >= 0.8 && luma(light) < 0.82, "{light:?}");
        assert_eq!(nearest_darker(navy, 0.5), navy, "already dark enough");
    }

    #[test]
    fn colours_that_already_qualify_are_left_alone() {
        let navy = Rgb(0, 0, 128);
        assert_eq!(nearest_darker(navy, 0.15), navy);
        assert_eq!(nearest_lighter(Rgb(255, 255, 255), 0.8), Rgb(255, 255, 255));
        assert_eq!(contrast(Rgb(0, 0, 0), Rgb(255, 255, 255)), 1.0);
    }
}
