//! The linear tier's containers, each down the path that reads it. The first byte picks:
//! even, a job's `input` as the function reads it (encodings of style `fluid` at version 1),
//! then expanded and evaluated; odd, a job's `output` as the SDK reads it, then decrypted and
//! compared with the device's own evaluation, which is what the code is drawn from.
#![no_main]
use libfuzzer_sys::fuzz_target;
use qrveil_protocol::{LinearInput, LinearOutputs};
use qrveil_style::{Plan, StyleId};
use std::sync::OnceLock;

struct Fixture {
    plans: Vec<qrveil_style::LinearPlan>,
    encodings: Vec<qrveil_style::Encoding>,
    key: qrveil_sdk::JobKey,
    grid: qrveil_style::ModuleGrid,
    expected: Vec<u8>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let plan = Plan::of(&StyleId::Fluid.style().expect("a built-in style").server).expect("a built-in style");
        let encodings = plan.encodings();
        let Plan::Linear(plans) = plan else { panic!("fluid runs on the linear tier") };
        let symbol = qrveil_sdk::encode(b"fuzz", qrveil_sdk::EcLevel::M, Some(1)).expect("v1 symbol");
        let expected =
            qrveil_sdk::integrity::expected(&StyleId::Fluid.style().expect("a built-in style").server, &symbol.grid)
                .expect("valid");
        Fixture { plans, encodings, key: qrveil_sdk::JobKey::fresh(), grid: symbol.grid, expected }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((which, bytes)) = data.split_first() else { return };
    let f = fixture();
    let side = f.grid.side();
    if which % 2 == 0 {
        let shapes = f.encodings.iter().map(|e| e.shape(side)).collect();
        if let Ok(input) = LinearInput::from_bytes(bytes, &shapes) {
            let features = qrveil_function::linear::expand(&input, &f.encodings);
            qrveil_function::linear::evaluate(&f.plans, &features).expect("conformant input evaluates");
        }
    } else {
        let cells: Vec<u32> = f.plans.iter().map(|p| p.cells(side)).collect();
        if let Ok(outputs) = LinearOutputs::from_bytes(bytes, &cells) {
            let values = qrveil_sdk::decrypt_linear(&f.key, &outputs);
            let _ = qrveil_sdk::integrity::check(qrveil_sdk::Tier::Linear, &f.expected, &values);
        }
    }
});
