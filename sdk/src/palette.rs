//! The colours a code is drawn in: fills as chosen (one colour or a gradient, [`Fill`]) for the
//! data modules, the finder rings and centres, and the background. A palette
//! draws them exactly as chosen ([`Contrast::NONE`]) unless the finishing step asked for a
//! contrast a code's checks need; then each ink without it moves to the nearest colour (in
//! CIEDE2000, any direction) that has it, and the others stay as chosen.

use crate::colour::{delta_e, luma, mix, nearest_darker, nearest_lighter};
use crate::fill::Fill;
use qrveil_style::{Preset, Rgb};

/// The contrast (luma difference with the background, [`crate::colour::contrast`]) the ink
/// must have: none as chosen, more only where a code's checks need it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Contrast {
    /// Data modules.
    pub data: f32,
    /// Function patterns (finders, timing, alignment): decoders find the symbol and fit its
    /// grid by these before reading any data.
    pub patterns: f32,
}

impl Contrast {
    /// The colours as chosen.
    pub const NONE: Contrast = Contrast { data: 0.0, patterns: 0.0 };

    /// The same contrast for every ink.
    pub fn uniform(c: f32) -> Self {
        Self { data: c, patterns: c }
    }

    /// Whether any ink is asked for more than it was chosen with.
    pub fn is_none(&self) -> bool {
        self.data <= 0.0 && self.patterns <= 0.0
    }
}

/// Where the ink fills are laid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    /// Across the whole image, quiet zone included (Python qrcode's colour masks, which the
    /// presets come from).
    Image,
    /// Across the symbol's modules (qr-code-styling's gradients).
    #[default]
    Symbol,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Background {
    /// Over the whole image.
    Fill(Fill),
    /// None drawn: the code goes on whatever the app puts behind it. Its ink keeps the
    /// contrast asked for against white.
    Transparent,
}

/// What a pixel of ink is: which fill it takes and the contrast it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Data,
    /// Finder and alignment rings.
    Ring,
    /// Finder and alignment centres.
    Centre,
    /// The other function patterns (timing, the dark module), in the data's fill.
    Timing,
}

/// Colours as chosen.
#[derive(Clone, Debug, PartialEq)]
pub struct Colours {
    pub dots: Fill,
    pub rings: Fill,
    pub centres: Fill,
    pub background: Background,
    pub area: Area,
}

impl Colours {
    /// The colours drawn as chosen.
    pub fn palette(&self) -> Palette {
        let Colours { dots, rings, centres, background, area } = self.clone();
        Palette::of(dots, rings, centres, background, area, Contrast::NONE)
    }
}

/// The chosen colours and the contrast the ink must keep against the background.
#[derive(Clone, Debug, PartialEq)]
pub struct Palette {
    pub dots: Fill,
    pub rings: Fill,
    pub centres: Fill,
    /// As chosen, each colour lightened only if even black ink would miss the contrast.
    pub background: Background,
    pub area: Area,
    pub contrast: Contrast,
    /// The background as chosen, before any lightening.
    chosen_background: Background,
}

impl Palette {
    /// A preset as chosen: its horizontal gradient across the image for every ink, on its
    /// background.
    pub fn new(preset: &Preset) -> Self {
        Self::with_contrast(preset, Contrast::NONE)
    }

    /// A preset with `contrast` asked of its inks.
    pub fn with_contrast(preset: &Preset, contrast: Contrast) -> Self {
        let dots = Fill::horizontal(preset.left, preset.right);
        let background = Background::Fill(Fill::Solid(preset.background));
        Self::of(dots.clone(), dots.clone(), dots, background, Area::Image, contrast)
    }

    /// Any fills, the background lightened where even black ink would miss the contrast.
    pub fn of(dots: Fill, rings: Fill, centres: Fill, background: Background, area: Area, contrast: Contrast) -> Self {
        let lightest_needed = contrast.data.max(contrast.patterns);
        let chosen_background = background.clone();
        let background = match background {
            Background::Fill(f) => Background::Fill(f.map(|c| nearest_lighter(c, lightest_needed))),
            Background::Transparent => Background::Transparent,
        };
        Self { dots, rings, centres, background, area, contrast, chosen_background }
    }

    /// The same chosen colours with `contrast` asked of the inks.
    pub fn at(&self, contrast: Contrast) -> Palette {
        let chosen = self.chosen_background.clone();
        Palette::of(self.dots.clone(), self.rings.clone(), self.centres.clone(), chosen, self.area, contrast)
    }

    /// The background as chosen.
    pub fn chosen_background(&self) -> &Background {
        &self.chosen_background
    }

    /// The luma the ink is measured against: the background's darkest colour (white behind a
    /// transparent one).
    pub fn background_luma(&self) -> f32 {
        match &self.background {
            Background::Fill(f) => f.darkest_luma(),
            Background::Transparent => 1.0,
        }
    }

    /// The chosen fill of `part` and the contrast it needs.
    pub fn fill_of(&self, part: Part) -> (&Fill, f32) {
        match part {
            Part::Data => (&self.dots, self.contrast.data),
            Part::Ring => (&self.rings, self.contrast.patterns),
            Part::Centre => (&self.centres, self.contrast.patterns),
            Part::Timing => (&self.dots, self.contrast.patterns),
        }
    }

    /// `c` of `part` as drawn: the nearest colour with the contrast it needs (`c` itself if it
    /// has it).
    pub fn correct(&self, part: Part, c: Rgb) -> Rgb {
        nearest_darker(c, self.background_luma() - self.fill_of(part).1)
    }

    /// The drawn colours of `part` along its fill, ready to look up per pixel.
    pub fn shade(&self, part: Part) -> Shade {
        let (fill, _) = self.fill_of(part);
        let max_luma = Some(self.background_luma() - self.fill_of(part).1);
        if let Fill::Map(_) = fill {
            // A map's points corrected, blended as the points are: luma is linear in sRGB, so
            // a blend of points with the contrast has it too.
            let drawn_map = Some(fill.map(|c| self.correct(part, c)));
            return Shade { fill: fill.clone(), table: Vec::new(), max_luma, drawn_map };
        }
        let steps = if matches!(fill, Fill::Solid(_)) { 1 } else { SHADE_STEPS };
        let table =
            (0..steps).map(|k| self.correct(part, fill.colour_at(k as f32 / (steps.max(2) - 1) as f32))).collect();
        Shade { fill: fill.clone(), table, max_luma, drawn_map: None }
    }

    /// Median CIEDE2000 difference between the chosen and the drawn data ink, along its fill.
    pub fn ink_delta_e(&self) -> f32 {
        const SAMPLES: usize = 65;
        let mut d: Vec<f32> = (0..SAMPLES)
            .map(|k| {
                let chosen = self.dots.colour_at(k as f32 / (SAMPLES - 1) as f32);
                delta_e(chosen, self.correct(Part::Data, chosen))
            })
            .collect();
        d.sort_by(f32::total_cmp);
        d[SAMPLES / 2]
    }

    /// The background as drawn, if one is.
    pub fn background_shade(&self) -> Option<Shade> {
        match &self.background {
            Background::Fill(f) => {
                let steps = if matches!(f, Fill::Solid(_)) { 1 } else { SHADE_STEPS };
                let table = (0..steps).map(|k| f.colour_at(k as f32 / (steps.max(2) - 1) as f32)).collect();
                Some(Shade { fill: f.clone(), table, max_luma: None, drawn_map: None })
            }
            Background::Transparent => None,
        }
    }

    pub fn transparent(&self) -> bool {
        self.background == Background::Transparent
    }
}

/// Steps of a gradient's table of drawn colours (each a search for the nearest colour with the
/// contrast; colours between steps are interpolated, below 1 ΔE from the exact one).
const SHADE_STEPS: usize = 128;

/// A fill's drawn colours, looked up by position: the chosen colour itself wherever it has
/// the contrast, otherwise its correction from a table (correcting is a search in CIELAB,
/// too slow to run per pixel).
#[derive(Clone, Debug)]
pub struct Shade {
    pub fill: Fill,
    table: Vec<Rgb>,
    /// The most luma the ink may have; `None` for the background, drawn as chosen.
    max_luma: Option<f32>,
    /// For a colour map, its points as drawn.
    drawn_map: Option<Fill>,
}

impl Shade {
    /// The drawn colour at (x, y) in area units.
    pub fn at(&self, x: f32, y: f32) -> Rgb {
        if let Fill::Map(map) = &self.fill {
            let chosen = map.at(x, y);
            return match (self.max_luma, &self.drawn_map) {
                (Some(max), Some(drawn)) if luma(chosen) > max => drawn.at(x, y),
                _ => chosen,
            };
        }
        self.along(self.fill.position(x, y))
    }

    /// The drawn colour at position `t` along the fill: between two steps of the table, their
    /// blend (whose luma is between theirs: luma is linear in sRGB).
    pub fn along(&self, t: f32) -> Rgb {
        let chosen = self.fill.colour_at(t);
        match self.max_luma {
            Some(max) if luma(chosen) > max => {
                let last = self.table.len() - 1;
                let at = (t.clamp(0.0, 1.0) * last as f32).min(last as f32);
                let (i, frac) = (at.floor() as usize, at.fract());
                if frac == 0.0 || i == last {
                    self.table[i]
                } else {
                    mix(self.table[i], self.table[i + 1], frac)
                }
            }
            _ => chosen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colour::contrast;
    use crate::fill::{GradientKind, Stop};

    #[test]
    fn as_chosen_nothing_moves_and_a_contrast_moves_only_what_lacks_it() {
        let (navy, orange, peach) = (Rgb(10, 15, 60), Rgb(247, 105, 9), Rgb(255, 229, 204));
        let chosen = Palette::of(
            Fill::horizontal(navy, orange),
            Fill::Solid(orange),
            Fill::Solid(navy),
            Background::Fill(Fill::Solid(peach)),
            Area::Symbol,
            Contrast::NONE,
        );
        for t in [0.0, 0.3, 1.0] {
            assert_eq!(chosen.shade(Part::Data).along(t), chosen.dots.colour_at(t), "{t}");
        }
        assert_eq!(chosen.background, Background::Fill(Fill::Solid(peach)));
        assert_eq!(chosen.ink_delta_e(), 0.0);
        let asked = chosen.at(Contrast::uniform(0.6));
        assert_eq!(asked.shade(Part::Centre).along(0.5), navy, "navy has the contrast already");
        let ring = asked.shade(Part::Ring).along(0.5);
        assert!(contrast(ring, peach) >= 0.6 - 1.0 / 255.0 && contrast(ring, peach) < 0.62, "{ring:?}");
        assert_eq!(asked.at(Contrast::NONE), chosen, "the chosen colours are kept");
    }

    #[test]
    fn a_colour_map_keeps_its_colours_where_they_have_the_contrast_and_darkens_the_rest() {
        let (navy, orange) = (Rgb(10, 15, 60), Rgb(247, 105, 9));
        let map = crate::fill::ColourMap::new(2, vec![navy, orange, orange, navy]).expect("valid");
        let white = Background::Fill(Fill::Solid(Rgb(255, 255, 255)));
        let p = Palette::of(
            Fill::Map(map),
            Fill::Solid(navy),
            Fill::Solid(navy),
            white,
            Area::Symbol,
            Contrast::uniform(0.75),
        );
        let shade = p.shade(Part::Data);
        assert_eq!(shade.at(0.0, 0.0), navy, "navy has the contrast: drawn as chosen");
        for (x, y) in [(1.0, 0.0), (0.5, 0.5), (0.7, 0.2), (0.0, 1.0)] {
            let drawn = shade.at(x, y);
            assert!(contrast(drawn, Rgb(255, 255, 255)) >= 0.75 - 1.0 / 255.0, "({x}, {y}): {drawn:?}");
        }
    }

    #[test]
    fn a_gradient_background_is_measured_at_its_darkest() {
        let stops =
            vec![Stop { offset: 0.0, colour: Rgb(255, 255, 255) }, Stop { offset: 1.0, colour: Rgb(200, 230, 255) }];
        let bg = Fill::gradient(GradientKind::Radial, stops).expect("valid");
        let p = Palette::of(
            Fill::Solid(Rgb(0, 160, 255)),
            Fill::Solid(Rgb(0, 0, 0)),
            Fill::Solid(Rgb(0, 0, 0)),
            Background::Fill(bg),
            Area::Symbol,
            Contrast { data: 0.6, patterns: 0.9 },
        );
        // The blue stop (luma 0.88) is lightened to the patterns' 0.90, not to white.
        let Background::Fill(drawn_bg) = &p.background else { panic!("opaque") };
        let lumas: Vec<f32> = drawn_bg.colours().into_iter().map(luma).collect();
        assert!(lumas[1] >= 0.9 && lumas[1] < 0.91, "{lumas:?}");
        // The ink keeps its contrast with every colour of the background, the darkest included.
        let drawn = p.shade(Part::Data).at(0.3, 0.3);
        for c in drawn_bg.colours() {
            assert!(contrast(drawn, c) >= 0.6 - 1.0 / 255.0, "{drawn:?} on {c:?}");
        }
        // Transparent: measured against white.
        let clear = Palette { background: Background::Transparent, ..p };
        assert!(contrast(clear.shade(Part::Data).at(0.0, 0.0), Rgb(255, 255, 255)) >= 0.6 - 1.0 / 255.0);
        assert!(clear.transparent());
    }
}
