//! The values the bindings give [`StyleOptions`]' fields when an app leaves them out.

use crate::StyleOptions;

impl StyleOptions {
    /// The values the bindings default each field to.
    pub fn default_values() -> Self {
        Self {
            style: "fluid".into(),
            preset: "green-orange".into(),
            corners_square: "square".into(),
            corners_dot: "square".into(),
            error_correction: None,
            version: None,
            eci: None,
            module_px: 10,
            quiet_zone: 4,
            tier: None,
            readability: None,
            style_document: None,
            look: None,
            jpeg_quality: None,
            logo: None,
        }
    }
}
