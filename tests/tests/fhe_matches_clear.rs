//! Both FHE tiers must agree exactly with the clear evaluator, for every style the function serves (the catalogue and fitted looks), with
//! real keys: on small random grids (5×5, 6×6) and a full version-1 grid on both tiers, and on
//! the linear tier (which every built-in runs on) at versions 5, 10 and 40 too.

use qrveil_e2e::{keys, random_grid, server_keys};
use qrveil_sdk::{encode, round_trip, EcLevel, OnTier};
use qrveil_style::spec::served_example;
use qrveil_style::{clear, ModuleGrid, StyleId};
use rand::SeedableRng;

/// Through the wire containers both ways, as a job moves them.
fn fhe_outputs(id: StyleId, on: OnTier, grid: &ModuleGrid) -> Vec<u8> {
    round_trip(keys(), on, &served_example(id).server, grid).expect("round trip").outputs
}

fn both_tiers() -> [(&'static str, OnTier<'static>); 2] {
    [("linear", OnTier::Linear), ("pbs", OnTier::Pbs(server_keys()))]
}

#[test]
fn every_style_agrees_on_small_random_grids_on_both_tiers() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for side in [5, 6] {
        let grid = random_grid(side, &mut rng);
        for id in StyleId::SERVED {
            let expect = clear::evaluate(&served_example(id).server, &grid).expect("valid style");
            for (tier, on) in both_tiers() {
                assert_eq!(fhe_outputs(id, on, &grid), expect, "{id} on a {side}x{side} grid, {tier} tier");
            }
        }
    }
}

#[test]
fn every_style_agrees_on_a_full_version_1_grid_on_both_tiers() {
    let symbol = encode(b"private data", EcLevel::M, Some(1)).expect("fits v1");
    assert_eq!(symbol.grid.side(), 21);
    for id in StyleId::SERVED {
        let expect = clear::evaluate(&served_example(id).server, &symbol.grid).expect("valid style");
        // Not a constant: a real code yields more than one distinct output value.
        assert!(expect.iter().any(|&v| v != expect[0]));
        for (tier, on) in both_tiers() {
            assert_eq!(fhe_outputs(id, on, &symbol.grid), expect, "{id} on version 1, {tier} tier");
        }
    }
}

#[test]
fn fixed_modules_are_read_from_the_standard_on_a_random_version_1_sized_grid() {
    // Random bits where the standard fixes finders and timing: every evaluator must read the
    // standard's values there (the PBS tier in the clear, without PBS; the linear tier through
    // the client's encoding) and still agree.
    let mut rng = rand::rngs::StdRng::seed_from_u64(21);
    let grid = random_grid(21, &mut rng);
    for id in [StyleId::Swell, StyleId::Fluid] {
        let expect = clear::evaluate(&served_example(id).server, &grid).expect("valid style");
        for (tier, on) in both_tiers() {
            assert_eq!(fhe_outputs(id, on, &grid), expect, "{id}, {tier} tier");
        }
    }
}

#[test]
fn the_linear_tier_agrees_at_versions_5_10_and_40() {
    let long = "https://files.example.org/".repeat(40);
    for (payload, version) in [(b"v5".as_slice(), 5), (b"v10".as_slice(), 10), (long.as_bytes(), 40)] {
        let symbol = encode(payload, EcLevel::M, Some(version)).expect("fits");
        for id in StyleId::SERVED {
            let expect = clear::evaluate(&served_example(id).server, &symbol.grid).expect("valid style");
            assert_eq!(fhe_outputs(id, OnTier::Linear, &symbol.grid), expect, "{id} on version {version}");
        }
    }
}

#[test]
fn wide_looks_class_programs_agree_on_both_tiers() {
    use qrveil_e2e::wide::{density_program, sides_program};
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let programs = [("density", density_program()), ("sides", sides_program())];
    for side in [5, 6] {
        let grid = random_grid(side, &mut rng);
        for (name, program) in &programs {
            let expect = clear::evaluate(program, &grid).expect("valid program");
            let got = round_trip(keys(), OnTier::Pbs(server_keys()), program, &grid).expect("round trip").outputs;
            assert_eq!(got, expect, "{name} on a {side}x{side} grid");
            let linear = round_trip(keys(), OnTier::Linear, program, &grid).expect("linear round trip").outputs;
            assert_eq!(linear, expect, "{name} on a {side}x{side} grid, linear tier");
        }
    }
    // A real code: every class of the density program shows up, and the PBS tier agrees.
    let symbol = encode(b"swelling dots", EcLevel::M, Some(1)).expect("fits v1");
    let program = &programs[0].1;
    let expect = clear::evaluate(program, &symbol.grid).expect("valid program");
    assert!((0..4).all(|class| expect.contains(&class)), "{expect:?}");
    let got = round_trip(keys(), OnTier::Pbs(server_keys()), program, &symbol.grid).expect("round trip").outputs;
    assert_eq!(got, expect, "density on version 1");
    // Versions 10 and 40 on the linear tier, both programs (the second has two channels over
    // one encoding).
    for version in [10, 40] {
        let grid = encode(b"swelling dots at larger sizes", EcLevel::M, Some(version)).expect("fits").grid;
        for (name, program) in &programs {
            let expect = clear::evaluate(program, &grid).expect("valid program");
            let got = round_trip(keys(), OnTier::Linear, program, &grid).expect("linear round trip").outputs;
            assert!(got == expect, "{name} at version {version}, linear tier");
        }
    }
}
