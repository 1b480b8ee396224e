//! Colour maths for the readability guarantee: luma as decoders see it, and moving a colour's
//! lightness (keeping its hue and saturation) until it falls in a readable band.

use qrveil_style::Rgb;

/// Dark data modules must have luma at most this (0..1, Rec. 601 on sRGB, as zbar, ZXing and
/// OpenCV convert to grey): lighter ink fades under sensor noise for binarisers that threshold
/// against a local mean (why this value: `docs/readability.md`).
pub const DARK_MAX_LUMA: f32 = 0.15;
/// Ink of the function patterns (finders, timing, alignment): exactly black, whatever the
/// preset, because decoders find the symbol and fit its grid by these patterns first, and a
/// channel at 0 clips sensor noise (`docs/readability.md`).
pub const DEEP_INK: Rgb = Rgb(0, 0, 0);
/// Light modules and the background must have luma at least this.
pub const LIGHT_MIN_LUMA: f32 = 0.80;

/// Rec. 601 luma on 0..255: the grey level decoders convert a colour to.
fn rec601(c: Rgb) -> f32 {
    0.299 * c.0 as f32 + 0.587 * c.1 as f32 + 0.114 * c.2 as f32
}

/// Luma in 0..1.
pub fn luma(c: Rgb) -> f32 {
    rec601(c) / 255.0
}

/// Grey level 0..=255, rounded, as a decoder reading the image sees the colour.
pub fn grey(c: Rgb) -> u8 {
    rec601(c).round() as u8
}

fn to_hsl(c: Rgb) -> (f32, f32, f32) {
    let (r, g, b) = (c.0 as f32 / 255.0, c.1 as f32 / 255.0, c.2 as f32 / 255.0);
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let l = (max + min) / 2.0;
    if max == min {
        return (0.0, 0.0, l);
    }
    let d = max - min;
    let s = if l > 0.5 { d / (2.0 - max - min) } else { d / (max + min) };
    let h = if max == r {
        ((g - b) / d).rem_euclid(6.0)
    } else if max == g {
        (b - r) / d + 2.0
    } else {
        (r - g) / d + 4.0
    };
    (h * 60.0, s, l)
}

fn from_hsl(h: f32, s: f32, l: f32) -> Rgb {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = h / 60.0;
    let x = c * (1.0 - (hp.rem_euclid(2.0) - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let to = |v: f32| ((v + m).clamp(0.0, 1.0) * 255.0).round() as u8;
    Rgb(to(r), to(g), to(b))
}

/// The colour with the same hue and saturation and the highest lightness whose luma is
/// at most `max` (unchanged if it already is).
pub fn darken_to(c: Rgb, max: f32) -> Rgb {
    if luma(c) <= max {
        return c;
    }
    let (h, s, l) = to_hsl(c);
    let (mut lo, mut hi) = (0.0f32, l);
    for _ in 0..24 {
        let mid = (lo + hi) / 2.0;
        if luma(from_hsl(h, s, mid)) <= max {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let out = from_hsl(h, s, lo);
    if luma(out) <= max {
        out
    } else {
        Rgb(0, 0, 0)
    }
}

/// The colour with the same hue and saturation and the lowest lightness whose luma is at
/// least `min` (unchanged if it already is).
pub fn lighten_to(c: Rgb, min: f32) -> Rgb {
    if luma(c) >= min {
        return c;
    }
    let (h, s, l) = to_hsl(c);
    let (mut lo, mut hi) = (l, 1.0f32);
    for _ in 0..24 {
        let mid = (lo + hi) / 2.0;
        if luma(from_hsl(h, s, mid)) >= min {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let out = from_hsl(h, s, hi);
    if luma(out) >= min {
        out
    } else {
        Rgb(255, 255, 255)
    }
}

/// Linear interpolation between two colours, `t` in 0..=1.
pub fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    let f = |x: u8, y: u8| (x as f32 + (y as f32 - x as f32) * t).round() as u8;
    Rgb(f(a.0, b.0), f(a.1, b.1), f(a.2, b.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orange_is_darkened_into_the_band_keeping_its_hue() {
        let orange = Rgb(247, 105, 9);
        assert!(luma(orange) > DARK_MAX_LUMA);
        let d = darken_to(orange, DARK_MAX_LUMA);
        assert!(luma(d) <= DARK_MAX_LUMA && luma(d) > DARK_MAX_LUMA - 0.02, "{d:?}");
        let (h0, _, _) = to_hsl(orange);
        let (h1, _, _) = to_hsl(d);
        assert!((h0 - h1).abs() < 2.0, "hue {h0} -> {h1}");
    }

    #[test]
    fn readable_colours_are_left_alone() {
        let navy = Rgb(0, 0, 128);
        assert!(luma(navy) < DARK_MAX_LUMA);
        assert_eq!(darken_to(navy, DARK_MAX_LUMA), navy);
        assert_eq!(lighten_to(Rgb(255, 255, 255), LIGHT_MIN_LUMA), Rgb(255, 255, 255));
        let pale = lighten_to(Rgb(128, 0, 128), LIGHT_MIN_LUMA);
        assert!(luma(pale) >= LIGHT_MIN_LUMA);
    }

    #[test]
    fn hsl_round_trips() {
        for c in [Rgb(21, 137, 6), Rgb(247, 105, 9), Rgb(138, 43, 226), Rgb(10, 20, 30)] {
            let (h, s, l) = to_hsl(c);
            let back = from_hsl(h, s, l);
            let close = |a: u8, b: u8| (a as i32 - b as i32).abs() <= 1;
            assert!(close(c.0, back.0) && close(c.1, back.1) && close(c.2, back.2), "{c:?} {back:?}");
        }
    }
}
