//! Readability levels: how much of a plain code's tolerance to camera conditions a styled code
//! keeps. The client corrects the chosen colours as little as the level allows; what each level
//! asks of the colours was measured, not chosen (`docs/readability.md`).

use crate::catalogue::{by_name, NameKind, UnknownName};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Readability {
    /// Colours closest to the chosen ones; every code still scans clean, and the lab reports
    /// how much tolerance it keeps.
    Vivid,
    /// At least 0.8 of a plain code's tolerance, per decoder and condition.
    #[default]
    Balanced,
    /// At least 0.95 of a plain code's tolerance.
    Robust,
}

impl Readability {
    pub const ALL: [Readability; 3] = [Readability::Vivid, Readability::Balanced, Readability::Robust];

    pub fn name(self) -> &'static str {
        match self {
            Readability::Vivid => "vivid",
            Readability::Balanced => "balanced",
            Readability::Robust => "robust",
        }
    }

    /// The share of a plain code's tolerance the level keeps (`None` for `vivid`, which
    /// promises only clean reads).
    pub fn tolerance_kept(self) -> Option<f32> {
        match self {
            Readability::Vivid => None,
            Readability::Balanced => Some(0.8),
            Readability::Robust => Some(0.95),
        }
    }
}

impl fmt::Display for Readability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Readability {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        by_name(NameKind::Readability, &Readability::ALL, |r| r.name(), s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_serde_agrees() {
        for r in Readability::ALL {
            assert_eq!(r.name().parse::<Readability>(), Ok(r));
            assert_eq!(serde_json::to_string(&r).expect("serialises"), format!("\"{}\"", r.name()));
        }
        assert!("loud".parse::<Readability>().unwrap_err().to_string().contains("vivid, balanced, robust"));
    }
}
