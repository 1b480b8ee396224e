//! Style documents (`--style-file`, `StyleOptions.styleDocument`, fitted looks an operator
//! ships): parsed, turned into options, and, when accepted, drawn (PNG and SVG) on a version-1
//! code, so fitted tiles, a wide look's class program and colour fields from the document reach
//! the evaluator and the rasterisers.
#![no_main]
use libfuzzer_sys::fuzz_target;
use qrveil_sdk::{Drawing, StyleDocument, StyleOptions};
use std::sync::OnceLock;

fn grid() -> &'static qrveil_style::ModuleGrid {
    static GRID: OnceLock<qrveil_style::ModuleGrid> = OnceLock::new();
    GRID.get_or_init(|| qrveil_sdk::encode(b"fuzz", qrveil_sdk::EcLevel::M, Some(1)).expect("v1 symbol").grid)
}

fuzz_target!(|data: &[u8]| {
    let Ok(document) = StyleDocument::from_json(data) else { return };
    // What was read writes back to a document that reads the same.
    let again = StyleDocument::from_json(document.to_json().as_bytes()).expect("a read document reads back");
    assert_eq!(again.to_json(), document.to_json());
    let Ok(options) = document.options(&StyleOptions::default()) else { return };
    // A wide fitted look brings its own class program, checked when the options were made.
    let style = options.resolved().expect("accepted options resolve");
    let outputs = qrveil_style::clear::evaluate(&style.server, grid()).expect("checked programs evaluate");
    let drawing = Drawing::styled(style.geometry, grid(), &outputs).expect("clear outputs fit their style");
    let look = options.render_options();
    let canvas = qrveil_sdk::Canvas {
        patterns: look.patterns,
        fitted: look.fitted.as_deref(),
        ..drawing.canvas(2, 1, look.palette.clone())
    };
    let image = canvas.to_rgba();
    assert_eq!(image.width(), canvas.size_px());
    assert!(canvas.to_svg().starts_with("<svg"));
});
