//! The readability guarantee as a property: for random payloads, versions and EC levels, and
//! arbitrary (random) style outputs, the corrected render decodes with rqrr to the payload.
//! No FHE here: correction must not trust what the server returned.

use qrveil_sdk::{encode, greys, Canvas, Contrast, Decoder, Drawing, EcLevel, Palette};
use qrveil_style::spec::served_example;
use qrveil_style::{clear, tiles, StyleId, PRESETS};
use rand::{Rng, SeedableRng};

#[test]
fn garbage_outputs_still_decode_to_the_payload_after_correction() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let ecs = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];
    let mut cases = 0;
    for round in 0..24 {
        let len = rng.random_range(1..120);
        let payload: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        let ec = ecs[round % 4];
        let Ok(symbol) = encode(&payload, ec, None) else { continue };
        let side = symbol.grid.side();
        for id in StyleId::ALL {
            let style = served_example(id);
            let count = style.server.output_count(side);
            // Half the rounds: pure noise; otherwise the true outputs with 20% flipped.
            let truth = clear::evaluate(&style.server, &symbol.grid).expect("valid");
            let outputs: Vec<u8> = (0..count)
                .map(|i| if round % 2 == 0 || rng.random_bool(0.2) { rng.random_range(0..4) } else { truth[i] })
                .collect();
            let drawing = Drawing::styled(style.geometry, &symbol.grid, &outputs).expect("layout");
            let preset = &PRESETS[round % PRESETS.len()];
            // Colours with contrast enough for rqrr: what is tested here is the shapes.
            let contrast = [Contrast { data: 0.6, patterns: 0.9 }, Contrast { data: 0.75, patterns: 1.0 }][round % 2];
            let palette = Palette::with_contrast(preset, contrast);
            let found = Decoder::Rqrr.read(&greys(&drawing.canvas(8, 4, palette).to_image()));
            assert!(
                found.as_ref().is_ok_and(|f| f.as_deref() == Some(&payload[..])),
                "{id}, version {}, EC {ec}, round {round}: {found:?}",
                symbol.version
            );
            cases += 1;
        }
    }
    assert!(cases >= 60, "only {cases} cases ran");
}

#[test]
fn uncorrected_garbage_does_not_decode() {
    // The property above must be able to fail: drawn without correction (the recipe's tiles
    // straight onto a canvas), noise outputs break the code.
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let payload = b"correction matters";
    let symbol = encode(payload, EcLevel::L, None).expect("fits");
    let style = StyleId::Square.style().expect("a built-in style");
    let outputs: Vec<u8> = (0..style.server.output_count(symbol.grid.side())).map(|_| rng.random_range(0..4)).collect();
    let t = tiles(style.geometry, symbol.grid.side(), &outputs).expect("layout");
    let canvas = Canvas {
        side: symbol.grid.side(),
        tiles: &t,
        module_px: 6,
        quiet_zone: 4,
        palette: Palette::new(&PRESETS[2]),
        patterns: Default::default(),
        logo: None,
        fitted: None,
    };
    assert!(!Decoder::Rqrr.reads(&greys(&canvas.to_image()), payload));
}
