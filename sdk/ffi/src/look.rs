//! The style document as records, so that Kotlin, Swift and Python build a look with types
//! rather than JSON: the same groups and names as the JSON document (qr-code-styling's), with
//! `kind` for its `type`, and every option the document has (a test round-trips documents that
//! use them all). Converted to the SDK's document and checked there, once.

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
    /// "vivid", "balanced" or "robust": the phone scan every code must also pass.
    pub readability: String,
    /// What the fills span: the modules (the default, as qr-code-styling lays them) or the whole
    /// image, quiet zone included (as python-qrcode's colour masks lay them).
    #[uniffi(default)]
    pub fill_area: Option<FillArea>,
    /// A learned look (`qrveil style fit`): its tiles and, for `fitted-wide`, its class program,
    /// as the style document's JSON has them. Data for the renderer, written by the fitter.
    #[uniffi(default)]
    pub learned: Option<LearnedLook>,
}

#[derive(uniffi::Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FillArea {
    Symbol,
    Image,
}

#[derive(uniffi::Record, Clone, Debug, PartialEq)]
pub struct LearnedLook {
    /// The document's `tiles`, as JSON.
    pub tiles_json: String,
    /// The document's `program` (fitted-wide looks), as JSON.
    #[uniffi(default)]
    pub program_json: Option<String>,
}

/// One drawn part: dots (`kind` one of the names `QrVeil.styles()` lists), finder rings
/// ("square", "dot", "extra-rounded") or finder centres ("square", "dot"), each with its own
/// colour, gradient or colour map (rings and centres take the dots' fill when given none).
#[derive(uniffi::Record, Clone, Debug, PartialEq)]
pub struct PartLook {
    pub kind: String,
    #[uniffi(default)]
    pub color: Option<String>,
    #[uniffi(default)]
    pub gradient: Option<GradientLook>,
    /// Colours at `size` x `size` points over the area, blended between them (what the fitter
    /// writes where no gradient explains the examples).
    #[uniffi(default)]
    pub color_map: Option<ColorMapLook>,
}

#[derive(uniffi::Record, Clone, Debug, PartialEq)]
pub struct ColorMapLook {
    pub size: u32,
    /// "#rrggbb", row by row from the top-left.
    pub colors: Vec<String>,
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
    /// Whether text that is not all ASCII gets an ECI designator naming UTF-8; when not given,
    /// as `StyleOptions.eci` says (on by default). Off only for readers that do not know ECI.
    #[uniffi(default)]
    pub eci: Option<bool>,
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
    let color_map = p.color_map.map(|m| doc::ColorMapOptions { size: m.size as usize, colors: m.colors });
    doc::PartOptions { kind: p.kind, color: p.color, gradient: p.gradient.map(gradient_in), color_map }
}

fn part_out(p: doc::PartOptions) -> PartLook {
    let color_map = p.color_map.map(|m| ColorMapLook { size: m.size as u32, colors: m.colors });
    PartLook { kind: p.kind, color: p.color, gradient: p.gradient.map(gradient_out), color_map }
}

/// A learned look's JSON field, refused by name when it does not read.
fn bad_learned(what: &'static str) -> impl Fn(serde_json::Error) -> SdkError {
    move |e| SdkError::InvalidOption { what, detail: e.to_string() }
}

fn learned_out(d: &StyleDocument) -> Option<LearnedLook> {
    let tiles_json = serde_json::to_string(d.tiles.as_ref()?).ok()?;
    let program_json = d.program.as_ref().and_then(|p| serde_json::to_string(p).ok());
    Some(LearnedLook { tiles_json, program_json })
}

impl TryFrom<Look> for StyleDocument {
    type Error = SdkError;

    fn try_from(l: Look) -> Result<Self, SdkError> {
        let (tiles, program) = match &l.learned {
            None => (None, None),
            Some(learned) => (
                Some(serde_json::from_str(&learned.tiles_json).map_err(bad_learned("learned.tilesJson"))?),
                learned
                    .program_json
                    .as_deref()
                    .map(|p| serde_json::from_str(p).map_err(bad_learned("learned.programJson")))
                    .transpose()?,
            ),
        };
        Ok(StyleDocument {
            qrveil_style: qrveil_sdk::DOCUMENT_VERSION,
            name: l.name,
            dots_options: part_in(l.dots_options),
            corners_square_options: part_in(l.corners_square_options),
            corners_dot_options: part_in(l.corners_dot_options),
            background_options: doc::BackgroundOptions {
                color: l.background_options.color,
                gradient: l.background_options.gradient.map(gradient_in),
            },
            fill_area: match l.fill_area {
                Some(FillArea::Image) => qrveil_sdk::Area::Image,
                Some(FillArea::Symbol) | None => qrveil_sdk::Area::Symbol,
            },
            qr_options: doc::QrOptions {
                type_number: l.qr_options.type_number,
                error_correction_level: l.qr_options.error_correction_level,
                eci: l.qr_options.eci,
            },
            image: None,
            image_options: l.image_options.map(|i| doc::ImageOptions {
                image_size: i.image_size,
                margin: i.margin,
                hide_background_dots: i.hide_background_dots,
            }),
            readability: l.readability,
            tiles,
            program,
        })
    }
}

impl From<StyleDocument> for Look {
    fn from(d: StyleDocument) -> Self {
        let learned = learned_out(&d);
        let fill_area = match d.fill_area {
            qrveil_sdk::Area::Symbol => None,
            qrveil_sdk::Area::Image => Some(FillArea::Image),
        };
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
                eci: d.qr_options.eci,
            },
            image_options: d.image_options.map(|i| ImageLook {
                image_size: i.image_size,
                margin: i.margin,
                hide_background_dots: i.hide_background_dots,
            }),
            readability: d.readability,
            fill_area,
            learned,
        }
    }
}

/// `fields` with the look applied, as a style document would apply it.
pub fn apply(look: &Look, fields: &StyleOptions) -> Result<StyleOptions, SdkError> {
    StyleDocument::try_from(look.clone())?.options(fields)
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
        let as_document = |l: &Look| StyleDocument::try_from(l.clone()).expect("valid");
        assert_eq!(as_document(&look), StyleDocument::from_json(json.as_bytes()).expect("valid"));
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
    /// Every option a style document has survives the records both ways: a fitted-wide look
    /// with its tiles and program, a colour map, gradients, a logo's options and the image
    /// as the fills' area. A field the records dropped would make the documents differ.
    #[test]
    fn every_option_of_a_document_crosses_the_records() {
        use qrveil_style::recipe::TileSet;
        let mut doc = StyleDocument::built_in(StyleId::Square);
        doc.name = Some("everything".into());
        doc.dots_options.kind = "fitted-wide".into();
        doc.dots_options.color_map = Some(doc::ColorMapOptions {
            size: 2,
            colors: vec!["#000000".into(), "#0000ff".into(), "#0000ff".into(), "#000000".into()],
        });
        doc.dots_options.gradient = None;
        doc.dots_options.color = None;
        doc.corners_square_options = doc::PartOptions {
            kind: "extra-rounded".into(),
            color: None,
            gradient: Some(doc::Gradient {
                kind: "radial".into(),
                rotation: 0.5,
                color_stops: vec![
                    doc::ColorStop { offset: 0.0, color: "#5b2a86".into() },
                    doc::ColorStop { offset: 1.0, color: "#1f3a93".into() },
                ],
            }),
            color_map: None,
        };
        doc.corners_dot_options =
            doc::PartOptions { kind: "dot".into(), color: Some("#f76909".into()), gradient: None, color_map: None };
        doc.background_options = doc::BackgroundOptions { color: Some("transparent".into()), gradient: None };
        doc.fill_area = qrveil_sdk::Area::Image;
        doc.qr_options = doc::QrOptions { type_number: 5, error_correction_level: Some("Q".into()), eci: Some(false) };
        doc.image_options = Some(doc::ImageOptions { image_size: 0.3, margin: 1.0, hide_background_dots: false });
        doc.readability = "robust".into();
        doc.tiles = Some(TileSet::squares());
        doc.program = Some(qrveil_style::recipe::classes::plain_program());
        let look = Look::from(doc.clone());
        assert_eq!(look.fill_area, Some(FillArea::Image));
        assert!(look.learned.as_ref().is_some_and(|l| l.program_json.is_some()));
        assert_eq!(StyleDocument::try_from(look.clone()).expect("valid"), doc);
        // Learned JSON that does not read is refused by name.
        let broken = Look { learned: Some(LearnedLook { tiles_json: "[".into(), program_json: None }), ..look };
        let err = StyleDocument::try_from(broken).expect_err("refused").to_string();
        assert!(err.contains("learned.tilesJson"), "{err}");
    }
}
