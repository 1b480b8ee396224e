//! The colour presets: the ink's gradient and the background, by name. The client applies
//! them; the function never learns them.

use crate::catalogue::{by_name, NameKind, UnknownName};
use serde::Serialize;
use std::str::FromStr;

/// sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// Colours for the dark modules (a horizontal gradient across the whole image, as Python
/// `qrcode`'s `HorizontalGradiantColorMask` draws it) and the background.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Preset {
    pub name: &'static str,
    pub left: Rgb,
    pub right: Rgb,
    pub background: Rgb,
}

pub const PRESETS: [Preset; 3] = [
    Preset { name: "green-orange", left: Rgb(21, 137, 6), right: Rgb(247, 105, 9), background: Rgb(255, 255, 255) },
    Preset { name: "purple-violet", left: Rgb(128, 0, 128), right: Rgb(138, 43, 226), background: Rgb(255, 255, 255) },
    Preset { name: "mono", left: Rgb(0, 0, 0), right: Rgb(0, 0, 0), background: Rgb(255, 255, 255) },
];

impl FromStr for Preset {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        by_name(NameKind::Preset, &PRESETS, |p| p.name, s)
    }
}

impl Default for Preset {
    fn default() -> Self {
        PRESETS[0]
    }
}
