//! What the readability commands draw: the corpus seed, the styles and the colour preset.

use clap::Args;
use qrveil_style::recipe::Patterns;
use qrveil_style::{Preset, StyleId, UnknownName};

#[derive(Args)]
pub struct Selection {
    /// Seed of the corpus and of the noise.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Styles to measure, comma-separated [default: all].
    #[arg(long, value_delimiter = ',')]
    styles: Vec<String>,
    /// Finder shapes to draw each style with, as RING:CENTRE (corner square
    /// type: square, dot, extra-rounded; corner dot type: square, dot), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "square:square")]
    corners: Vec<String>,
    /// Colour preset of the styled codes.
    #[arg(long, default_value = "green-orange")]
    preset: String,
}

impl Selection {
    pub fn styles(&self) -> Result<Vec<StyleId>, UnknownName> {
        if self.styles.is_empty() {
            return Ok(StyleId::ALL.to_vec());
        }
        self.styles.iter().map(|s| s.parse()).collect()
    }

    /// Every style drawn with every pattern shape asked for.
    pub fn looks(&self) -> Result<Vec<Drawn>, UnknownName> {
        let mut patterns = Vec::new();
        for c in &self.corners {
            let (ring, centre) = c.split_once(':').unwrap_or((c, "square"));
            patterns.push(Patterns { ring: ring.parse()?, centre: centre.parse()? });
        }
        let styles = self.styles()?;
        Ok(styles.iter().flat_map(|&id| patterns.iter().map(move |&patterns| Drawn { id, patterns })).collect())
    }

    pub fn preset(&self) -> Result<Preset, UnknownName> {
        self.preset.parse()
    }
}

/// A style and the shapes of its finder patterns.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Drawn {
    pub id: StyleId,
    pub patterns: Patterns,
}

impl Drawn {
    /// The style's name, followed by the pattern shapes when they are not squares.
    pub fn name(&self) -> String {
        if self.patterns == Patterns::default() {
            return self.id.name().to_string();
        }
        format!("{} {}:{}", self.id, self.patterns.ring.name(), self.patterns.centre.name())
    }
}
