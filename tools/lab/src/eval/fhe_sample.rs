//! Real FHE on a sample of the corpus: the simulated results stand for the FHE ones only if
//! they are equal, so check it on real ciphertexts.

use super::corpus::Case;
use crate::LabError;
use qrveil_sdk::{encode, expand_server_keys, round_trip, Keys, OnTier};
use qrveil_style::spec::served_example;
use qrveil_style::{clear, cost, StyleId, Tier};
use serde::Serialize;
use std::time::Instant;

#[derive(Clone, Serialize)]
pub struct FheSample {
    /// (payload, style) pairs evaluated under FHE.
    pub checked: usize,
    /// Of those, how many gave exactly the clear evaluator's outputs.
    pub equal: usize,
    pub pbs: u64,
    pub seconds: f64,
}

/// Evaluate the first `k` cases under FHE with every style, each on the tier it runs on, and
/// compare with the clear run.
pub fn check(keys: &Keys, cases: &[Case], styles: &[StyleId], k: usize) -> Result<FheSample, LabError> {
    let pbs_tier =
        styles.iter().any(|&id| matches!(cost(&served_example(id).server, 21).map(|c| c.chosen().tier), Ok(Tier::Pbs)));
    let server = if pbs_tier { Some(expand_server_keys(keys)?) } else { None };
    let start = Instant::now();
    let mut sample = FheSample { checked: 0, equal: 0, pbs: 0, seconds: 0.0 };
    for case in cases.iter().take(k) {
        let Ok(symbol) = encode(&case.payload, case.ec, None) else { continue };
        for &id in styles {
            let style = served_example(id);
            let plan = cost(&style.server, symbol.grid.side())?;
            let on = match (plan.chosen().tier, &server) {
                (Tier::Pbs, Some(server)) => OnTier::Pbs(server),
                _ => OnTier::Linear,
            };
            let got = round_trip(keys, on, &style.server, &symbol.grid)?.outputs;
            let want = clear::evaluate(&style.server, &symbol.grid)?;
            sample.checked += 1;
            sample.equal += usize::from(got == want);
            sample.pbs += plan.chosen().pbs;
        }
    }
    sample.seconds = start.elapsed().as_secs_f64();
    Ok(sample)
}
