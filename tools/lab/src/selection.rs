//! What the readability commands draw: the corpus seed, the styles and the colour preset.

use clap::Args;
use qrveil_style::{Preset, StyleId, UnknownName};

#[derive(Args)]
pub struct Selection {
    /// Seed of the corpus and of the noise.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Styles to measure, comma-separated [default: all].
    #[arg(long, value_delimiter = ',')]
    styles: Vec<String>,
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

    pub fn preset(&self) -> Result<Preset, UnknownName> {
        self.preset.parse()
    }
}
