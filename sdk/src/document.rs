//! The style document: a look as versioned JSON, grouped and named as qr-code-styling names its
//! options (`dotsOptions`, `cornersSquareOptions`, `cornersDotOptions`, `backgroundOptions`,
//! `qrOptions`), so a designer's options carry over, plus qrveil's `readability`. Unknown keys
//! are refused by name: a typo never passes silently, and the payload (`data`) is never part of
//! a style. Only the dot type reaches the function (as the job's style); colours and pattern
//! shapes stay on the device.

use crate::palette::Palette;
use crate::qr::EcLevel;
use crate::{SdkError, StyleOptions};
use qrveil_style::recipe::{CentreShape, Patterns, RingShape};
use qrveil_style::{Preset, Readability, Rgb, StyleId};
use serde::{Deserialize, Serialize};

/// The format version this library reads and writes.
pub const DOCUMENT_VERSION: u32 = 1;
/// Style documents are small; refuse anything larger unread.
pub const DOCUMENT_LIMIT: usize = 64 << 10;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StyleDocument {
    /// Format version: 1.
    pub qrveil_style: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub dots_options: DotsOptions,
    #[serde(default)]
    pub corners_square_options: CornerOptions,
    #[serde(default)]
    pub corners_dot_options: CornerOptions,
    #[serde(default)]
    pub background_options: BackgroundOptions,
    #[serde(default)]
    pub qr_options: QrOptions,
    /// `vivid`, `balanced` or `robust`.
    #[serde(default = "balanced")]
    pub readability: String,
}

fn balanced() -> String {
    Readability::default().to_string()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DotsOptions {
    /// One of the styles `--list-styles` shows.
    #[serde(rename = "type")]
    pub kind: String,
    /// `#rrggbb`; or give `gradient`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gradient: Option<Gradient>,
}

impl Default for DotsOptions {
    fn default() -> Self {
        Self { kind: StyleOptions::default().style.name().into(), color: None, gradient: None }
    }
}

/// Finder and alignment rings (`cornersSquareOptions`) or centres (`cornersDotOptions`). They
/// are drawn in the dots' colours, with the function patterns' contrast.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CornerOptions {
    #[serde(rename = "type")]
    pub kind: String,
}

impl Default for CornerOptions {
    fn default() -> Self {
        Self { kind: "square".into() }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BackgroundOptions {
    pub color: String,
}

impl Default for BackgroundOptions {
    fn default() -> Self {
        Self { color: "#ffffff".into() }
    }
}

/// qr-code-styling's gradient: `type` linear or radial, `rotation` in radians, colour stops.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Gradient {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub rotation: f32,
    pub color_stops: Vec<ColorStop>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ColorStop {
    pub offset: f32,
    pub color: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QrOptions {
    /// QR version 1-40; 0 or absent: the smallest that fits.
    #[serde(default)]
    pub type_number: u8,
    /// `L`, `M` (default), `Q` or `H`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_correction_level: Option<String>,
}

/// A document that cannot be read or asks for what this version cannot draw.
fn invalid(detail: impl Into<String>) -> SdkError {
    SdkError::InvalidOption { what: "style document", detail: detail.into() }
}

impl StyleDocument {
    /// Read a document, refusing anything over [`DOCUMENT_LIMIT`] unread.
    pub fn from_json(bytes: &[u8]) -> Result<Self, SdkError> {
        if bytes.len() > DOCUMENT_LIMIT {
            return Err(invalid(format!("{} bytes is over the {DOCUMENT_LIMIT}-byte limit", bytes.len())));
        }
        let doc: StyleDocument = serde_json::from_slice(bytes).map_err(|e| invalid(e.to_string()))?;
        if doc.qrveil_style != DOCUMENT_VERSION {
            return Err(invalid(format!(
                "qrveilStyle {} is not a version this library reads; it reads {DOCUMENT_VERSION}",
                doc.qrveil_style
            )));
        }
        Ok(doc)
    }

    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialising cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The built-in style `id` as a document: its dot type in the default preset's colours.
    pub fn built_in(id: StyleId) -> Self {
        let preset = Preset::default();
        let stop = |offset: f32, c: Rgb| ColorStop { offset, color: hex(c) };
        Self {
            qrveil_style: DOCUMENT_VERSION,
            name: Some(id.name().into()),
            dots_options: DotsOptions {
                kind: id.name().into(),
                color: None,
                gradient: Some(Gradient {
                    kind: "linear".into(),
                    rotation: 0.0,
                    color_stops: vec![stop(0.0, preset.left), stop(1.0, preset.right)],
                }),
            },
            corners_square_options: CornerOptions::default(),
            corners_dot_options: CornerOptions::default(),
            background_options: BackgroundOptions { color: hex(preset.background) },
            qr_options: QrOptions::default(),
            readability: balanced(),
        }
    }

    /// `base` with everything this document says applied; sizes and the tier stay `base`'s.
    pub fn options(&self, base: &StyleOptions) -> Result<StyleOptions, SdkError> {
        let (left, right) = self.dots_colours()?;
        let background = colour(&self.background_options.color, "backgroundOptions.color")?;
        let version = match self.qr_options.type_number {
            0 => None,
            v @ 1..=40 => Some(v),
            v => {
                return Err(invalid(format!(
                    "qrOptions.typeNumber {v} is not a QR version; use 1 to 40, or 0 for the smallest that fits"
                )))
            }
        };
        let ec = match &self.qr_options.error_correction_level {
            Some(level) => level.parse::<EcLevel>()?,
            None => EcLevel::default(),
        };
        let opts = StyleOptions {
            style: self.dots_options.kind.parse::<StyleId>()?,
            preset: Preset { name: "document", left, right, background },
            ec,
            version,
            readability: self.readability.parse::<Readability>()?,
            patterns: Patterns {
                ring: self.corners_square_options.kind.parse::<RingShape>()?,
                centre: self.corners_dot_options.kind.parse::<CentreShape>()?,
            },
            ..base.clone()
        };
        opts.check()?;
        Ok(opts)
    }

    /// The dots' colours as the palette draws them: one colour, or a horizontal gradient
    /// between two (what this version draws; other gradients are refused by name).
    fn dots_colours(&self) -> Result<(Rgb, Rgb), SdkError> {
        let d = &self.dots_options;
        match (&d.color, &d.gradient) {
            (Some(_), Some(_)) => Err(invalid("dotsOptions has both color and gradient; give one")),
            (Some(c), None) => colour(c, "dotsOptions.color").map(|c| (c, c)),
            (None, None) => {
                let p = Preset::default();
                Ok((p.left, p.right))
            }
            (None, Some(g)) => {
                let stops = &g.color_stops;
                let horizontal = g.kind == "linear" && g.rotation == 0.0;
                let ends = stops.len() == 2 && stops[0].offset == 0.0 && stops[1].offset == 1.0;
                if !(horizontal && ends) {
                    return Err(invalid(format!(
                        "dotsOptions.gradient: this version draws a linear gradient with rotation 0 and two colorStops at offsets 0 and 1 (got {} rotation {} with {} stops); angled and radial gradients are not drawn yet",
                        g.kind,
                        g.rotation,
                        stops.len()
                    )));
                }
                Ok((colour(&stops[0].color, "colorStops[0].color")?, colour(&stops[1].color, "colorStops[1].color")?))
            }
        }
    }

    /// The palette this document's colours make at its level.
    pub fn palette(&self) -> Result<Palette, SdkError> {
        let opts = self.options(&StyleOptions::default())?;
        Ok(Palette::new(&opts.preset, opts.readability))
    }
}

/// `#rrggbb` (or `#rgb`) as a colour.
fn colour(text: &str, field: &str) -> Result<Rgb, SdkError> {
    let digits = text.strip_prefix('#').unwrap_or("");
    let full: String = match digits.len() {
        3 => digits.chars().flat_map(|c| [c, c]).collect(),
        6 => digits.to_string(),
        _ => String::new(),
    };
    let byte = |i: usize| full.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok());
    match (byte(0), byte(2), byte(4)) {
        (Some(r), Some(g), Some(b)) => Ok(Rgb(r, g, b)),
        _ => Err(invalid(format!("{field} {text:?} is not a colour; write it as #rrggbb"))),
    }
}

fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_round_trips_and_gives_the_defaults_but_its_style() {
        for id in StyleId::ALL {
            let doc = StyleDocument::built_in(id);
            let back = StyleDocument::from_json(doc.to_json().as_bytes()).expect("reads its own output");
            assert_eq!(back, doc, "{id}");
            let opts = back.options(&StyleOptions::default()).expect("valid");
            let defaults = StyleOptions::default();
            assert_eq!(opts.style, id);
            assert_eq!(
                (opts.preset.left, opts.preset.right, opts.preset.background),
                (defaults.preset.left, defaults.preset.right, defaults.preset.background)
            );
            assert_eq!(
                (opts.ec, opts.version, opts.readability, opts.patterns),
                (EcLevel::M, None, Readability::Balanced, Patterns::default())
            );
        }
    }

    #[test]
    fn a_peer_style_reads_with_its_own_names() {
        let json = br##"{
            "qrveilStyle": 1,
            "dotsOptions": { "type": "classy-rounded", "color": "#4267b2" },
            "cornersDotOptions": { "type": "dot" },
            "backgroundOptions": { "color": "#fff" },
            "qrOptions": { "typeNumber": 4, "errorCorrectionLevel": "Q" },
            "readability": "vivid"
        }"##;
        let opts = StyleDocument::from_json(json).expect("valid").options(&StyleOptions::default()).expect("drawable");
        assert_eq!(opts.style, StyleId::ClassyRounded);
        assert_eq!((opts.preset.left, opts.preset.right), (Rgb(0x42, 0x67, 0xb2), Rgb(0x42, 0x67, 0xb2)));
        assert_eq!(opts.preset.background, Rgb(255, 255, 255));
        assert_eq!((opts.ec, opts.version, opts.readability), (EcLevel::Q, Some(4), Readability::Vivid));
        assert_eq!(opts.patterns, Patterns { ring: RingShape::Square, centre: CentreShape::Dot });
    }

    #[test]
    fn wrong_documents_say_what_is_wrong() {
        let cases: [(&str, &str); 9] = [
            (r#"{"qrveilStyle": 1, "data": "secret"}"#, "unknown field `data`"),
            (r#"{"qrveilStyle": 2}"#, "reads 1"),
            (r#"{"qrveilStyle": 1, "dotsOptions": {"type": "wavy"}}"#, "choose one of: square, dots"),
            (r#"{"qrveilStyle": 1, "dotsOptions": {"type": "dots", "color": "red"}}"#, "#rrggbb"),
            (r#"{"qrveilStyle": 1, "cornersSquareOptions": {"type": "dot"}}"#, "use square rings"),
            (r#"{"qrveilStyle": 1, "qrOptions": {"typeNumber": 41}}"#, "use 1 to 40"),
            (r#"{"qrveilStyle": 1, "readability": "loud"}"#, "vivid, balanced, robust"),
            (
                r##"{"qrveilStyle": 1, "dotsOptions": {"type": "dots", "gradient": {"type": "radial", "colorStops": [{"offset": 0, "color": "#000"}, {"offset": 1, "color": "#fff"}]}}}"##,
                "radial gradients are not drawn yet",
            ),
            ("not json", "expected"),
        ];
        for (json, says) in cases {
            let err = StyleDocument::from_json(json.as_bytes())
                .and_then(|d| d.options(&StyleOptions::default()))
                .expect_err(json)
                .to_string();
            assert!(err.contains(says), "{json}: {err}");
        }
        let huge = format!(r#"{{"qrveilStyle": 1, "name": "{}"}}"#, "x".repeat(DOCUMENT_LIMIT));
        assert!(StyleDocument::from_json(huge.as_bytes()).unwrap_err().to_string().contains("limit"));
    }
}
