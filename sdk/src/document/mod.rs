//! The style document: a look as versioned JSON, grouped and named as qr-code-styling names its
//! options (`dotsOptions`, `cornersSquareOptions`, `cornersDotOptions`, `backgroundOptions`,
//! `qrOptions`), so a designer's options carry over, plus qrveil's `readability`. Unknown keys
//! are refused by name: a typo never passes silently, and the payload (`data`) is never part of
//! a style. Only the dot type reaches the function (as the job's style); colours and pattern
//! shapes stay on the device.

use crate::fill::{ColourMap, Fill, GradientKind, Stop};
use crate::logo::Logo;
use crate::palette::{Area, Background, Colours};
use crate::qr::EcLevel;
use crate::{SdkError, StyleOptions};
use qrveil_style::recipe::{CentreShape, Patterns, RingShape, TileSet};
use qrveil_style::{Preset, Readability, Rgb, ServerProgram, StyleId};
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
    /// `type`: one of the styles `--list-styles` shows.
    #[serde(default = "PartOptions::dots")]
    pub dots_options: PartOptions,
    /// Finder rings (`square`, `dot`, `extra-rounded`) and centres (`square`, `dot`), in the
    /// dots' fill unless given their own.
    #[serde(default = "PartOptions::corners")]
    pub corners_square_options: PartOptions,
    #[serde(default = "PartOptions::corners")]
    pub corners_dot_options: PartOptions,
    #[serde(default)]
    pub background_options: BackgroundOptions,
    /// What the dots', rings' and centres' fills span: `symbol` (the modules, as
    /// qr-code-styling lays them; the default) or `image` (quiet zone included, as
    /// python-qrcode's colour masks lay them).
    #[serde(default, skip_serializing_if = "is_symbol")]
    pub fill_area: Area,
    #[serde(default)]
    pub qr_options: QrOptions,
    /// A centre image: a PNG, JPEG or SVG file, relative to the document (the CLI reads it;
    /// apps pass the bytes as `StyleOptions.logo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_options: Option<ImageOptions>,
    /// `vivid`, `balanced` or `robust`.
    #[serde(default = "balanced")]
    pub readability: String,
    /// A fitted look's tiles (`qrveil style fit`), drawn when `dotsOptions.type` is `fitted`:
    /// for each vertex block code, the ink of each quarter as polygons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiles: Option<TileSet>,
    /// A wide fitted look's class program (`dotsOptions.type` `fitted-wide`): the style IR that
    /// gives each module a class from its 3×3 neighbourhood; then `tiles` holds one tile per
    /// class, laid on the module.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<ServerProgram>,
}

fn is_symbol(area: &Area) -> bool {
    *area == Area::Symbol
}

fn balanced() -> String {
    Readability::default().to_string()
}

/// One drawn part (dots, rings or centres): its shape and its `color`, `gradient` or
/// `colorMap`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartOptions {
    #[serde(rename = "type")]
    pub kind: String,
    /// `#rrggbb`; or give `gradient` or `colorMap`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gradient: Option<Gradient>,
    /// qrveil's: colours at `size` × `size` points over the area, blended between them (what
    /// `qrveil style fit` writes where no gradient explains the examples).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color_map: Option<ColorMapOptions>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ColorMapOptions {
    pub size: usize,
    /// `#rrggbb`, row by row from the top-left.
    pub colors: Vec<String>,
}

impl PartOptions {
    fn shaped(kind: &str) -> Self {
        Self { kind: kind.into(), color: None, gradient: None, color_map: None }
    }

    /// The default style's dots, in the default colours.
    pub fn dots() -> Self {
        Self::shaped(StyleOptions::default().style.name())
    }

    /// Square rings or centres, in the dots' fill.
    pub fn corners() -> Self {
        Self::shaped("square")
    }

    /// Its fill in a few words (`#1e1e5a`, `linear gradient, 2 stops`, `colour map 9x9`), if
    /// it gives one.
    pub fn fill_summary(&self) -> Option<String> {
        match (&self.color, &self.gradient, &self.color_map) {
            (Some(c), _, _) => Some(c.clone()),
            (None, Some(g), _) => Some(format!("{} gradient, {} stops", g.kind, g.color_stops.len())),
            (None, None, Some(m)) => Some(format!("colour map {0}x{0}", m.size)),
            (None, None, None) => None,
        }
    }

    /// Its `color`, `gradient` or `colorMap`, if it gives one.
    fn fill(&self, group: &str) -> Result<Option<Fill>, SdkError> {
        let Some(map) = &self.color_map else { return fill(group, &self.color, &self.gradient) };
        if self.color.is_some() || self.gradient.is_some() {
            return Err(invalid(format!("{group} has a colorMap and a color or gradient; give one")));
        }
        let colours = map
            .colors
            .iter()
            .enumerate()
            .map(|(i, c)| colour(c, &format!("{group}.colorMap.colors[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let map = ColourMap::new(map.size, colours).map_err(|e| invalid(format!("{group}.colorMap: {e}")))?;
        Ok(Some(Fill::Map(map)))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BackgroundOptions {
    /// `#rrggbb`, or `transparent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gradient: Option<Gradient>,
}

impl Default for BackgroundOptions {
    fn default() -> Self {
        Self { color: Some("#ffffff".into()), gradient: None }
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

/// qr-code-styling's `imageOptions`; `margin` is in modules here (its own is in pixels).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImageOptions {
    #[serde(default = "image_size")]
    pub image_size: f32,
    #[serde(default)]
    pub margin: f32,
    #[serde(default = "yes")]
    pub hide_background_dots: bool,
}

fn image_size() -> f32 {
    0.4
}

fn yes() -> bool {
    true
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
    /// Whether text that is not all ASCII is written after an ECI designator naming UTF-8;
    /// absent: as the options the document is applied to say (on by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eci: Option<bool>,
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

    /// The built-in style called `name` as a document. Fitted looks have no built-in document:
    /// `qrveil style fit` makes one from examples.
    pub fn named(name: &str) -> Result<Self, SdkError> {
        match name.parse::<StyleId>()? {
            StyleId::Fitted | StyleId::FittedWide => Err(invalid(
                "fitted looks are made from example images (`qrveil style fit EXAMPLES -o look.json`), not built in",
            )),
            id => Ok(Self::built_in(id)),
        }
    }

    /// The built-in style `id` as a document: its dot type in the default preset's colours.
    pub fn built_in(id: StyleId) -> Self {
        let preset = Preset::default();
        let stop = |offset: f32, c: Rgb| ColorStop { offset, color: hex(c) };
        Self {
            qrveil_style: DOCUMENT_VERSION,
            name: Some(id.name().into()),
            dots_options: PartOptions {
                kind: id.name().into(),
                color_map: None,
                color: None,
                gradient: Some(Gradient {
                    kind: "linear".into(),
                    rotation: 0.0,
                    color_stops: vec![stop(0.0, preset.left), stop(1.0, preset.right)],
                }),
            },
            corners_square_options: PartOptions::corners(),
            corners_dot_options: PartOptions::corners(),
            background_options: BackgroundOptions { color: Some(hex(preset.background)), gradient: None },
            fill_area: Area::Symbol,
            qr_options: QrOptions::default(),
            image: None,
            image_options: None,
            readability: balanced(),
            tiles: None,
            program: None,
        }
    }

    /// `base` with everything this document says applied; sizes and the tier stay `base`'s, and
    /// so does ECI unless the document names it.
    pub fn options(&self, base: &StyleOptions) -> Result<StyleOptions, SdkError> {
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
        let logo = match (&base.logo, &self.image_options) {
            (Some(logo), Some(o)) => Some(Logo {
                size: o.image_size,
                margin: o.margin,
                hide_background_dots: o.hide_background_dots,
                shrink_to_fit: false,
                ..logo.clone()
            }),
            (logo, _) => logo.clone(),
        };
        let style = self.dots_options.kind.parse::<StyleId>()?;
        let (fitted, program) = shapes::fitted_shapes(style, &self.tiles, &self.program)?;
        let opts = StyleOptions {
            logo,
            fitted,
            program,
            style,
            colours: Some(self.colours()?),
            ec,
            version,
            eci: self.qr_options.eci.unwrap_or(base.eci),
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

    /// The fills as chosen, laid over `fillArea` (the symbol unless it says the image); rings and
    /// centres take the dots' fill unless given their own.
    pub fn colours(&self) -> Result<Colours, SdkError> {
        let p = Preset::default();
        let dots = self.dots_options.fill("dotsOptions")?.unwrap_or_else(|| Fill::horizontal(p.left, p.right));
        let rings = self.corners_square_options.fill("cornersSquareOptions")?.unwrap_or_else(|| dots.clone());
        let centres = self.corners_dot_options.fill("cornersDotOptions")?.unwrap_or_else(|| dots.clone());
        let b = &self.background_options;
        let background = match (&b.color, &b.gradient) {
            (Some(c), None) if c == "transparent" => Background::Transparent,
            _ => {
                Background::Fill(fill("backgroundOptions", &b.color, &b.gradient)?.unwrap_or(Fill::Solid(p.background)))
            }
        };
        Ok(Colours { dots, rings, centres, background, area: self.fill_area })
    }
}

/// A group's `color` or `gradient`, if it gives one.
fn fill(group: &str, color: &Option<String>, gradient: &Option<Gradient>) -> Result<Option<Fill>, SdkError> {
    match (color, gradient) {
        (Some(_), Some(_)) => Err(invalid(format!("{group} has both color and gradient; give one"))),
        (Some(c), None) => Ok(Some(Fill::Solid(colour(c, &format!("{group}.color"))?))),
        (None, None) => Ok(None),
        (None, Some(g)) => {
            let kind = match g.kind.as_str() {
                "linear" => GradientKind::Linear { rotation: g.rotation },
                "radial" => GradientKind::Radial,
                other => return Err(invalid(format!("{group}.gradient.type {other:?} is not linear or radial"))),
            };
            let mut stops = Vec::with_capacity(g.color_stops.len());
            for (i, s) in g.color_stops.iter().enumerate() {
                stops.push(Stop {
                    offset: s.offset,
                    colour: colour(&s.color, &format!("{group}.gradient.colorStops[{i}].color"))?,
                });
            }
            Fill::gradient(kind, stops).map(Some).map_err(|e| invalid(format!("{group}.gradient: {e}")))
        }
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

mod shapes;
#[cfg(test)]
mod tests;
