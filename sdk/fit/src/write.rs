//! The style document a fit writes: its colour fields as the document's groups, the finder
//! eyes, and the shapes of the chosen model (tiles, and the class program of a wide look).

use crate::eyes::Eyes;
use crate::FitOptions;
use qrveil_sdk::document::{BackgroundOptions, ColorMapOptions, ColorStop, Gradient, PartOptions, QrOptions};
use qrveil_sdk::{Area, Fill, GradientKind, StyleDocument, DOCUMENT_VERSION};
use qrveil_style::recipe::TileSet;
use qrveil_style::{Rgb, ServerProgram, StyleId};

/// The look's shapes: tiles per vertex code, or per class with the class program.
pub(crate) struct Shapes {
    pub tiles: TileSet,
    pub program: Option<ServerProgram>,
}

fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// A fill as a document group's `color`, `gradient` or `colorMap`.
fn part_fill(kind: &str, fill: Option<&Fill>) -> PartOptions {
    let mut part = PartOptions { kind: kind.into(), color: None, gradient: None, color_map: None };
    match fill {
        None => {}
        Some(Fill::Solid(c)) => part.color = Some(hex(*c)),
        Some(Fill::Gradient { kind, stops }) => {
            let (kind, rotation) = match *kind {
                GradientKind::Linear { rotation } => ("linear", (rotation * 1e4).round() / 1e4),
                GradientKind::Radial => ("radial", 0.0),
            };
            let color_stops = stops.iter().map(|s| ColorStop { offset: s.offset, color: hex(s.colour) }).collect();
            part.gradient = Some(Gradient { kind: kind.into(), rotation, color_stops });
        }
        Some(Fill::Map(map)) => {
            let colors = map.colours().iter().map(|&c| hex(c)).collect();
            part.color_map = Some(ColorMapOptions { size: map.side(), colors });
        }
    }
    part
}

pub(crate) fn document(
    options: &FitOptions,
    (ink, area, background): (&Fill, Area, &Fill),
    eyes: &Eyes,
    shapes: Shapes,
) -> StyleDocument {
    let bg = part_fill("", Some(background));
    let kind = if shapes.program.is_some() { StyleId::FittedWide } else { StyleId::Fitted };
    StyleDocument {
        qrveil_style: DOCUMENT_VERSION,
        name: options.name.clone(),
        dots_options: part_fill(kind.name(), Some(ink)),
        corners_square_options: part_fill(eyes.patterns.ring.name(), eyes.rings.as_ref().map(|f| &f.fill)),
        corners_dot_options: part_fill(eyes.patterns.centre.name(), eyes.centres.as_ref().map(|f| &f.fill)),
        background_options: BackgroundOptions { color: bg.color, gradient: bg.gradient },
        fill_area: area,
        qr_options: QrOptions::default(),
        image: None,
        image_options: None,
        readability: options.readability.to_string(),
        tiles: Some(shapes.tiles),
        program: shapes.program,
    }
}
