//! What to make: the options of one code (style, colours, sizes, readability, patterns, logo,
//! a fitted look's tiles and program, the tier), checked before any work.

use crate::capture::Scan;
use crate::error::Internal;
use crate::finish::RenderOptions;
use crate::logo::Logo;
use crate::palette::{Background, Colours, Palette};
use crate::qr::EcLevel;
use crate::SdkError;
use qrveil_protocol::Tier;
use qrveil_style::recipe::{Patterns, TileSet};
use qrveil_style::spec::{self, SpecError, TierError};
use qrveil_style::{Plan, Preset, Readability, ServerProgram, Style, StyleId};
use std::sync::Arc;

/// What to make. Defaults: `rounded`, `green-orange`, EC M, smallest version, ECI for text
/// that is not ASCII, 10 px modules, 4-module quiet zone, `balanced` readability.
#[derive(Clone, Debug)]
pub struct StyleOptions {
    pub style: StyleId,
    pub preset: Preset,
    /// Colours that replace the preset's (a style document's fills); the report still names
    /// the preset field as `custom`.
    pub colours: Option<Colours>,
    pub ec: EcLevel,
    pub version: Option<u8>,
    /// Write an ECI designator naming UTF-8 before text that is not all ASCII (on by default;
    /// see [`crate::qr::encode_with`]). Off only for readers that do not know designators.
    pub eci: bool,
    pub module_px: u32,
    pub quiet_zone: u32,
    /// The phone scan every code must also pass (`vivid` an ordinary one, `balanced` a poor
    /// one, `robust` a bad one); the chosen colours move only when a code needs it.
    pub readability: Readability,
    /// The finder patterns' ring and centre shapes (drawn by the client alone).
    pub patterns: Patterns,
    /// Also encode a JPEG at this quality (1-100); it is verified as decoded.
    pub jpeg_quality: Option<u8>,
    /// A centre image; refused with the size and EC level that would fit when it is too big.
    pub logo: Option<Logo>,
    /// A fitted look's tiles (`qrveil style fit`), which styles `fitted` and `fitted-wide` are
    /// drawn with.
    pub fitted: Option<Arc<TileSet>>,
    /// A wide fitted look's class program (style `fitted-wide`), sent with the job.
    pub program: Option<Arc<ServerProgram>>,
    /// The tier to evaluate on; by default the cheapest the style can run on. Any style runs
    /// on the PBS tier (to compare, or to test that path); the linear tier only takes styles
    /// whose programs are functions of an encoding.
    pub tier: Option<Tier>,
}

impl Default for StyleOptions {
    fn default() -> Self {
        Self {
            style: StyleId::Fluid,
            preset: Preset::default(),
            colours: None,
            ec: EcLevel::M,
            version: None,
            eci: true,
            module_px: 10,
            quiet_zone: 4,
            readability: Readability::default(),
            patterns: Patterns::default(),
            jpeg_quality: None,
            logo: None,
            fitted: None,
            program: None,
            tier: None,
        }
    }
}

/// The most pixels a code is drawn with. The drawing, the copies its verification makes and the
/// simulated phone capture take about ten bytes a pixel: 36 MP is some 400 MB, which a phone
/// can spare; a 32-bit process (older Android) gets a third of it. A version-40 code at 10 px a
/// module is 3.4 MP.
#[cfg(target_pointer_width = "64")]
pub const MAX_PIXELS: u64 = 36_000_000;
#[cfg(not(target_pointer_width = "64"))]
pub const MAX_PIXELS: u64 = 12_000_000;

impl StyleOptions {
    /// Refuse a drawing over [`MAX_PIXELS`] for a symbol `side` modules wide, naming the largest
    /// module size that fits (before any key or drawing work: an oversized raster would end an
    /// app that cannot catch the failed allocation).
    pub fn check_pixels(&self, side: u32) -> Result<(), SdkError> {
        let modules = u64::from(side) + 2 * u64::from(self.quiet_zone);
        let width = modules * u64::from(self.module_px);
        if width * width <= MAX_PIXELS {
            return Ok(());
        }
        let fits = MAX_PIXELS.isqrt() / modules;
        let detail = format!(
            "a {side}-module code with a {}-module quiet zone at {} px a module is {width}x{width} pixels ({:.0} MP), \
             over the {} MP this device draws; use at most {fits} px a module, a smaller quiet zone or a lower version",
            self.quiet_zone,
            self.module_px,
            (width * width) as f64 / 1e6,
            MAX_PIXELS / 1_000_000
        );
        Err(SdkError::InvalidOption { what: "image size", detail })
    }

    /// The drawing options out of range, before any work.
    pub fn check(&self) -> Result<(), SdkError> {
        if !(1..=100).contains(&self.module_px) {
            let detail = format!("{} px is outside 1..=100", self.module_px);
            return Err(SdkError::InvalidOption { what: "module size", detail });
        }
        let fitted = matches!(self.style, StyleId::Fitted | StyleId::FittedWide);
        if fitted && self.fitted.is_none() {
            let detail = format!("style {} draws a fitted look's tiles; give its style document (`qrveil style fit EXAMPLES -o look.json`, then `--style-file look.json`)", self.style);
            return Err(SdkError::InvalidOption { what: "style", detail });
        }
        self.resolved()?;
        if let Some(q) = self.jpeg_quality {
            if !(1..=100).contains(&q) {
                return Err(SdkError::InvalidOption {
                    what: "JPEG quality",
                    detail: format!("{q} is outside 1..=100"),
                });
            }
            if self.colours.as_ref().is_some_and(|c| c.background == Background::Transparent) {
                let detail = "JPEG has no transparency; use PNG or SVG for a transparent background".into();
                return Err(SdkError::InvalidOption { what: "JPEG", detail });
            }
        }
        if self.quiet_zone > 40 {
            let detail = format!("{} modules is over 40", self.quiet_zone);
            return Err(SdkError::InvalidOption { what: "quiet zone", detail });
        }
        // A pinned version's size is known now; otherwise each job checks its own.
        match self.version {
            Some(v) => self.check_pixels(17 + 4 * u32::from(v)),
            None => Ok(()),
        }
    }

    /// The style to run: the catalogue's, or a wide fitted look's with its own program.
    pub fn resolved(&self) -> Result<Style, SdkError> {
        spec::resolve(self.style, self.program.as_deref()).map_err(|e| {
            let what = if matches!(e, SpecError::MissingProgram) { "style" } else { "style program" };
            SdkError::InvalidOption { what, detail: e.to_string() }
        })
    }

    /// How the style is evaluated: the tier asked for, or the cheapest.
    pub(crate) fn plan(&self, style: &Style) -> Result<Plan, SdkError> {
        spec::plan(style, self.tier).map_err(|e| match e {
            TierError::NeedsPbs(_) => SdkError::InvalidOption { what: "tier", detail: e.to_string() },
            TierError::Invalid { error, .. } => Internal::from(error).into(),
        })
    }

    /// How the finished code is drawn: sizes as asked, the chosen colours at the level.
    pub fn render_options(&self) -> RenderOptions {
        RenderOptions {
            module_px: self.module_px,
            quiet_zone: self.quiet_zone,
            palette: match &self.colours {
                Some(c) => c.palette(),
                None => Palette::new(&self.preset),
            },
            patterns: self.patterns,
            jpeg_quality: self.jpeg_quality,
            logo: self.logo.clone(),
            fitted: self.fitted.clone(),
            scan: Scan::of(self.readability),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sized(version: u8, module_px: u32, quiet_zone: u32) -> StyleOptions {
        StyleOptions { version: Some(version), module_px, quiet_zone, ..StyleOptions::default() }
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_drawing_too_large_for_a_phone_is_refused_with_the_module_size_that_fits() {
        // Version 40 (177 modules) with a 40-module quiet zone: 257 modules a side.
        let Err(SdkError::InvalidOption { what, detail }) = sized(40, 100, 40).check() else {
            panic!("a 660 MP drawing was accepted");
        };
        assert_eq!(what, "image size");
        assert!(detail.contains("at most 23 px"), "{detail}");
        // The size it names fits, one more does not.
        assert!(sized(40, 23, 40).check().is_ok());
        assert!(sized(40, 24, 40).check().is_err());
    }

    #[test]
    fn ordinary_sizes_are_untouched() {
        assert!(sized(40, 10, 4).check().is_ok());
        assert!(StyleOptions { module_px: 100, ..StyleOptions::default() }.check_pixels(21).is_ok());
    }
}
