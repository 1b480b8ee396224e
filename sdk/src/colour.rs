//! Colour maths for the readability guarantee: luma as decoders see it, CIEDE2000 as people see
//! it, and the least change that gives a colour the contrast a readability level asks for. A
//! colour is corrected by its CIELAB lightness alone (hue and chroma kept, chroma given up only
//! where the lighter or darker colour would leave the sRGB gamut).

use palette::color_difference::Ciede2000;
use palette::{IntoColor, IsWithinBounds, Lab, LinSrgb, Srgb};
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
pub fn darken_to(c: Rgb, max: f32) -> Rgb {
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

/// The darkest colour of `c`'s hue and chroma whose luma is at least `min` (`c` itself if
/// it already is).
pub fn lighten_to(c: Rgb, min: f32) -> Rgb {
    if luma(c) >= min {
        return c;
    }
    let (mut lo, mut hi) = (lab(c).l, 100.0f32);
    for _ in 0..24 {
        let mid = (lo + hi) / 2.0;
        if luma(with_lightness(c, mid)) >= min {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let out = with_lightness(c, hi);
    if luma(out) >= min {
        out
    } else {
        Rgb(255, 255, 255)
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

    fn lab_of(l: f32, a: f32, b: f32) -> Lab {
        Lab::new(l, a, b)
    }

    /// CIELAB hue angle in degrees.
    fn hue(c: Rgb) -> f32 {
        let Lab { a, b, .. } = lab(c);
        b.atan2(a).to_degrees()
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
    fn darkening_moves_lightness_only_and_just_far_enough() {
        for (c, max) in [(Rgb(247, 105, 9), 0.45), (Rgb(21, 137, 6), 0.3), (Rgb(138, 43, 226), 0.2)] {
            let d = darken_to(c, max);
            assert!(luma(d) <= max && luma(d) > max - 0.01, "{c:?} -> {d:?}: luma {}", luma(d));
            assert!((hue(c) - hue(d)).abs() < 3.0, "{c:?} -> {d:?}: hue {} -> {}", hue(c), hue(d));
            assert!(lab(d).l < lab(c).l);
        }
        let pale = lighten_to(Rgb(128, 0, 128), 0.8);
        assert!(luma(pale) >= 0.8 && luma(pale) < 0.81, "{pale:?}");
    }

    #[test]
    fn colours_that_already_qualify_are_left_alone() {
        let navy = Rgb(0, 0, 128);
        assert_eq!(darken_to(navy, 0.15), navy);
        assert_eq!(lighten_to(Rgb(255, 255, 255), 0.8), Rgb(255, 255, 255));
        assert_eq!(contrast(Rgb(0, 0, 0), Rgb(255, 255, 255)), 1.0);
    }

    #[test]
    fn out_of_gamut_lightness_gives_up_chroma_not_hue() {
        // Saturated blue lightened far: no sRGB colour keeps its chroma there.
        let c = lighten_to(Rgb(0, 0, 255), 0.7);
        assert!(luma(c) >= 0.7);
        assert!((hue(c) - hue(Rgb(0, 0, 255))).abs() < 10.0, "{c:?}");
    }
}
