//! The style document as records, so that Kotlin, Swift and Python build a look with types
//! rather than JSON: the same groups and names as the JSON document (qr-code-styling's), with
//! `kind` for its `type`. Converted to the SDK's document and checked there, once.

use qrveil_sdk::document as doc;
use qrveil_sdk::{SdkError, StyleDocument, StyleOptions};

#[derive(uniffi::Record, Clone, Debug, PartialEq)]
pub struct Look {
    #[uniffi(default)]
    pub name: Option<String>,
    pub dots_options: PartLook,
    pub corners_square_options: PartLook,
    pub corners_dot_options: PartLook,
    pub background_options: BackgroundLook,
    pub qr_options: QrLook,
    #[uniffi(default)]
    pub image_options: Option<ImageLook>,
    /// "vivid", "balanced" or "robust".
    pub readability: String,
}

/// One drawn part: dots (`kind` one of the names `QrVeil.styles()` lists), finder rings
/// ("square"; round rings are refused: rqrr cannot locate them) or centres ("square", "dot").
#[derive(uniffi::Record, Clone, Debug, PartialEq)]
pub struct PartLook {
    pub kind: String,
    #[uniffi(default)]
    pub color: Option<String>,
    #[uniffi(default)]
    pub gradient: Option<GradientLook>,
}

#[derive(uniffi::Record, Clone, Debug, PartialEq)]
pub struct BackgroundLook {
    /// "#rrggbb" or "transparent".
    #[uniffi(default)]
    pub color: Option<String>,
    #[uniffi(default)]
    pub gradient: Option<GradientLook>,
}

#[derive(uniffi::Record, Clone, Debug, PartialEq)]
pub struct GradientLook {
    /// "linear" or "radial".
    pub kind: String,
    /// Radians, clockwise; 0 runs left to right.
    #[uniffi(default = 0.0)]
    pub rotation: f32,
    pub color_stops: Vec<ColorStopLook>,
}

#[derive(uniffi::Record, Clone, Debug, PartialEq)]
pub struct ColorStopLook {
    pub offset: f32,
    pub color: String,
}

#[derive(uniffi::Record, Clone, Debug, PartialEq)]
pub struct QrLook {
    /// 1-40, or 0 for the smallest that fits.
    #[uniffi(default = 0)]
    pub type_number: u8,
    /// "L", "M", "Q" or "H"; M when not given.
    #[uniffi(default)]
    pub error_correction_level: Option<String>,
}

#[derive(uniffi::Record, Clone, Debug, PartialEq)]
pub struct ImageLook {
    pub image_size: f32,
    /// Modules of clear space around the image.
    #[uniffi(default = 0.0)]
    pub margin: f32,
    #[uniffi(default = true)]
    pub hide_background_dots: bool,
}

fn gradient_in(g: GradientLook) -> doc::Gradient {
    let color_stops = g.color_stops.into_iter().map(|s| doc::ColorStop { offset: s.offset, color: s.color }).collect();
    doc::Gradient { kind: g.kind, rotation: g.rotation, color_stops }
}

fn gradient_out(g: doc::Gradient) -> GradientLook {
    let color_stops = g.color_stops.into_iter().map(|s| ColorStopLook { offset: s.offset, color: s.color }).collect();
    GradientLook { kind: g.kind, rotation: g.rotation, color_stops }
}

fn part_in(p: PartLook) -> doc::PartOptions {
    doc::PartOptions { kind: p.kind, color: p.color, gradient: p.gradient.map(gradient_in), color_map: None }
}

fn part_out(p: doc::PartOptions) -> PartLook {
    PartLook { kind: p.kind, color: p.color, gradient: p.gradient.map(gradient_out) }
}

impl From<Look> for StyleDocument {
    fn from(l: Look) -> Self {
        StyleDocument {
            qrveil_style: qrveil_sdk::DOCUMENT_VERSION,
            name: l.name,
            dots_options: part_in(l.dots_options),
            corners_square_options: part_in(l.corners_square_options),
            corners_dot_options: part_in(l.corners_dot_options),
            background_options: doc::BackgroundOptions {
                color: l.background_options.color,
                gradient: l.background_options.gradient.map(gradient_in),
            },
            fill_area: Default::default(),
            qr_options: doc::QrOptions {
                type_number: l.qr_options.type_number,
                error_correction_level: l.qr_options.error_correction_level,
            },
            image: None,
            image_options: l.image_options.map(|i| doc::ImageOptions {
                image_size: i.image_size,
                margin: i.margin,
                hide_background_dots: i.hide_background_dots,
            }),
            readability: l.readability,
            // A fitted look's tiles are data for the renderer, not options to edit: apps pass
            // fitted looks as JSON (`StyleOptions.styleDocument`).
            tiles: None,
            program: None,
        }
    }
}

impl From<StyleDocument> for Look {
    fn from(d: StyleDocument) -> Self {
        Look {
            name: d.name,
            dots_options: part_out(d.dots_options),
            corners_square_options: part_out(d.corners_square_options),
            corners_dot_options: part_out(d.corners_dot_options),
            background_options: BackgroundLook {
                color: d.background_options.color,
                gradient: d.background_options.gradient.map(gradient_out),
            },
            qr_options: QrLook {
                type_number: d.qr_options.type_number,
                error_correction_level: d.qr_options.error_correction_level,
            },
            image_options: d.image_options.map(|i| ImageLook {
                image_size: i.image_size,
                margin: i.margin,
                hide_background_dots: i.hide_background_dots,
            }),
            readability: d.readability,
        }
    }
}

/// `fields` with the look applied, as a style document would apply it.
pub fn apply(look: &Look, fields: &StyleOptions) -> Result<StyleOptions, SdkError> {
    StyleDocument::from(look.clone()).options(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::local;
    use crate::{sdk_options, QrVeil, QrVeilError, StyleOptions as Options};
    use qrveil_style::recipe::CentreShape;
    use qrveil_style::StyleId;

    #[test]
    fn a_look_is_the_style_document_as_records() {
        let dir = tempfile::tempdir().expect("tempdir");
        let qr = QrVeil::new(local(dir.path())).expect("local config");
        let mut look = qr.look("classy".into()).expect("built-in");
        assert_eq!(look.dots_options.kind, "classy");
        // The record carries everything the JSON does, both ways.
        let json = qr.style_document("classy".into()).expect("built-in");
        assert_eq!(StyleDocument::from(look.clone()), StyleDocument::from_json(json.as_bytes()).expect("valid"));
        look.dots_options.gradient = None;
        look.dots_options.color = Some("#123456".into());
        look.corners_dot_options.kind = "dot".into();
        look.qr_options.error_correction_level = Some("H".into());
        let opts = Options { look: Some(look.clone()), ..Options::default_values() };
        let sdk = sdk_options(&opts).expect("valid");
        assert_eq!(
            (sdk.style, sdk.ec, sdk.patterns.centre),
            (StyleId::Classy, qrveil_sdk::EcLevel::H, CentreShape::Dot)
        );
        let colours = sdk.colours.expect("the look's colours");
        assert_eq!(colours.dots, qrveil_sdk::Fill::Solid(qrveil_style::Rgb(0x12, 0x34, 0x56)));
        let both = Options { style_document: Some(json), ..opts };
        assert!(matches!(sdk_options(&both), Err(QrVeilError::InvalidOption(_))));
        look.dots_options.kind = "wavy".into();
        let wrong = Options { look: Some(look), ..Options::default_values() };
        assert!(matches!(sdk_options(&wrong), Err(QrVeilError::UnknownStyle(_))));
    }
}
