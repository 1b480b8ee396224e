//! Style documents: reading, defaults and the errors a wrong one gets.

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
        let p = defaults.preset;
        let colours = opts.colours.expect("the document's colours");
        assert_eq!(colours.dots, Fill::horizontal(p.left, p.right));
        assert_eq!(colours.background, Background::Fill(Fill::Solid(p.background)));
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
    let colours = opts.colours.clone().expect("colours");
    assert_eq!(colours.dots, Fill::Solid(Rgb(0x42, 0x67, 0xb2)));
    assert_eq!((colours.rings.clone(), colours.centres.clone()), (colours.dots.clone(), colours.dots.clone()));
    assert_eq!(colours.background, Background::Fill(Fill::Solid(Rgb(255, 255, 255))));
    assert_eq!((opts.ec, opts.version, opts.readability), (EcLevel::Q, Some(4), Readability::Vivid));
    assert_eq!(opts.patterns, Patterns { ring: RingShape::Square, centre: CentreShape::Dot });
}

#[test]
fn wrong_documents_say_what_is_wrong() {
    let cases: [(&str, &str); 14] = [
        (r#"{"qrveilStyle": 1, "data": "secret"}"#, "unknown field `data`"),
        (r#"{"qrveilStyle": 2}"#, "reads 1"),
        (r#"{"qrveilStyle": 1, "dotsOptions": {"type": "wavy"}}"#, "choose one of: square, dots"),
        (r#"{"qrveilStyle": 1, "dotsOptions": {"type": "dots", "color": "red"}}"#, "#rrggbb"),
        (r#"{"qrveilStyle": 1, "qrOptions": {"typeNumber": 41}}"#, "use 1 to 40"),
        (r#"{"qrveilStyle": 1, "readability": "loud"}"#, "vivid, balanced, robust"),
        (
            r##"{"qrveilStyle": 1, "dotsOptions": {"type": "dots", "gradient": {"type": "conic", "colorStops": []}}}"##,
            "is not linear or radial",
        ),
        (
            r##"{"qrveilStyle": 1, "backgroundOptions": {"gradient": {"type": "radial", "colorStops": [{"offset": 0, "color": "#000"}]}}}"##,
            "backgroundOptions.gradient: a gradient needs at least two colour stops",
        ),
        ("not json", "expected"),
        (r#"{"qrveilStyle": 1, "dotsOptions": {"type": "fitted"}}"#, "needs the look's tiles"),
        (
            r##"{"qrveilStyle": 1, "dotsOptions": {"type": "dots", "colorMap": {"size": 3, "colors": ["#000"]}}}"##,
            "dotsOptions.colorMap: a colour map has side x side colours",
        ),
        (
            r##"{"qrveilStyle": 1, "dotsOptions": {"type": "dots", "color": "#000", "colorMap": {"size": 2, "colors": []}}}"##,
            "has a colorMap and a color or gradient",
        ),
        (
            r#"{"qrveilStyle": 1, "dotsOptions": {"type": "dots"}, "tiles": [[[], [], [], []]]}"#,
            "drawn only by dotsOptions.type fitted or fitted-wide",
        ),
        (r#"{"qrveilStyle": 1, "dotsOptions": {"type": "fitted"}, "tiles": [[[], [], [], []]]}"#, "16; this one has 1"),
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

#[test]
fn fills_may_span_the_image_as_python_qrcode_lays_them() {
    let json = br#"{"qrveilStyle": 1, "fillArea": "image"}"#;
    let doc = StyleDocument::from_json(json).expect("valid");
    assert_eq!(doc.options(&StyleOptions::default()).expect("drawable").colours.map(|c| c.area), Some(Area::Image));
    assert!(doc.to_json().contains("\"fillArea\": \"image\""));
    // The default, the symbol, is left out of what is written.
    assert!(!StyleDocument::built_in(StyleId::Square).to_json().contains("fillArea"));
    let err = StyleDocument::from_json(br#"{"qrveilStyle": 1, "fillArea": "page"}"#).unwrap_err().to_string();
    assert!(err.contains("image") && err.contains("symbol"), "{err}");
}

#[test]
fn a_colour_map_reads_as_a_map_fill() {
    let json = br##"{"qrveilStyle": 1, "dotsOptions": {"type": "dots", "colorMap": {"size": 2, "colors": ["#000000", "#0000ff", "#0000ff", "#000000"]}}}"##;
    let doc = StyleDocument::from_json(json).expect("valid");
    let colours = doc.options(&StyleOptions::default()).expect("drawable").colours.expect("colours");
    let (black, blue) = (Rgb(0, 0, 0), Rgb(0, 0, 255));
    assert_eq!(colours.dots, Fill::Map(ColourMap::new(2, vec![black, blue, blue, black]).expect("valid")));
    assert_eq!(doc.dots_options.fill_summary().as_deref(), Some("colour map 2x2"));
    assert_eq!(StyleDocument::from_json(doc.to_json().as_bytes()).expect("reads its own output"), doc);
}

#[test]
fn a_fitted_look_round_trips_with_its_tiles() {
    let mut doc = StyleDocument::built_in(StyleId::Square);
    doc.dots_options.kind = "fitted".into();
    doc.tiles = Some(TileSet::squares());
    let back = StyleDocument::from_json(doc.to_json().as_bytes()).expect("reads its own output");
    assert_eq!(back, doc);
    let opts = back.options(&StyleOptions::default()).expect("drawable");
    assert_eq!((opts.style, opts.fitted.as_deref()), (StyleId::Fitted, Some(&TileSet::squares())));
}

#[test]
fn a_wide_fitted_look_needs_its_program_and_its_program_only() {
    let plain = qrveil_style::recipe::classes::plain_program();
    let mut doc = StyleDocument::built_in(StyleId::Square);
    doc.dots_options.kind = "fitted-wide".into();
    doc.tiles = Some(TileSet::squares());
    doc.program = Some(plain.clone());
    let back = StyleDocument::from_json(doc.to_json().as_bytes()).expect("reads its own output");
    assert_eq!(back, doc);
    let opts = back.options(&StyleOptions::default()).expect("drawable");
    assert_eq!((opts.style, opts.program.as_deref()), (StyleId::FittedWide, Some(&plain)));
    assert_eq!(opts.resolved().expect("resolves").server, plain);

    let refused = |doc: &StyleDocument| doc.options(&StyleOptions::default()).expect_err("refused").to_string();
    let err = refused(&StyleDocument { program: None, ..doc.clone() });
    assert!(err.contains("needs the look's program"), "{err}");
    let err = refused(&StyleDocument { tiles: None, ..doc.clone() });
    assert!(err.contains("needs the look's tiles"), "{err}");
    let mut square = doc.clone();
    square.dots_options.kind = "square".into();
    square.tiles = None;
    assert!(refused(&square).contains("run only by dotsOptions.type fitted-wide"));
    // A program the function would refuse is refused here first, with the same reason.
    let mut far = plain.clone();
    far.programs[0].nodes[0] =
        qrveil_style::program::Node::Stencil { taps: vec![qrveil_style::program::Tap { dx: 3, dy: 0, weight: 1 }] };
    let err = refused(&StyleDocument { program: Some(far), ..doc.clone() });
    assert!(err.contains("program: ") && err.contains("3x3 neighbourhood"), "{err}");
    // Options alone cannot ask for a wide look without its program, or give one to another style.
    let no_program = StyleOptions { program: None, ..opts.clone() };
    assert!(no_program.check().is_err());
    let misplaced = StyleOptions { style: StyleId::Rounded, ..opts };
    assert!(misplaced.check().expect_err("refused").to_string().contains("only style fitted-wide"));
}

#[test]
fn qr_options_eci_is_read_and_left_out_of_documents_that_do_not_name_it() {
    let read = |json: &str, base: &StyleOptions| {
        StyleDocument::from_json(json.as_bytes()).expect("valid").options(base).expect("drawable").eci
    };
    let off = StyleOptions { eci: false, ..StyleOptions::default() };
    // Absent (every document written before the option): the options' own, on by default.
    assert!(read(r#"{"qrveilStyle": 1, "qrOptions": {"typeNumber": 0}}"#, &StyleOptions::default()));
    assert!(!read(r#"{"qrveilStyle": 1}"#, &off));
    assert!(!read(r#"{"qrveilStyle": 1, "qrOptions": {"eci": false}}"#, &StyleOptions::default()));
    assert!(read(r#"{"qrveilStyle": 1, "qrOptions": {"eci": true}}"#, &off));
    // Written only when set, and read back as written; a misspelling is still refused.
    assert!(!StyleDocument::built_in(StyleId::Rounded).to_json().contains("eci"));
    let mut doc = StyleDocument::built_in(StyleId::Rounded);
    doc.qr_options.eci = Some(false);
    assert_eq!(StyleDocument::from_json(doc.to_json().as_bytes()).expect("reads its own output"), doc);
    let typo = StyleDocument::from_json(br#"{"qrveilStyle": 1, "qrOptions": {"ECI": false}}"#);
    assert!(typo.is_err_and(|e| e.to_string().contains("unknown field `ECI`")));
}
