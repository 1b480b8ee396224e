//! Real FHE on a sample of the corpus: the simulated results stand for the FHE ones only if
//! they are equal, so check it on real ciphertexts.

use super::corpus::Case;
use qrveil_function::analysis::cost;
use qrveil_function::fhe::{self, ServerKeys};
use qrveil_function::{clear, StyleId};
use qrveil_protocol::ServerKeyBundle;
use qrveil_sdk::crypto::{decrypt_outputs, encrypt_grid};
use qrveil_sdk::qr::encode;
use qrveil_sdk::{Keys, SdkError};
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

/// Evaluate the first `k` cases under FHE with every style and compare with the clear run.
pub fn check(keys: &Keys, cases: &[Case], styles: &[StyleId], k: usize) -> Result<FheSample, SdkError> {
    let internal = |e: &dyn std::fmt::Display| SdkError::Internal(e.to_string());
    let bundle = ServerKeyBundle::from_bytes(&keys.server_key_bytes).map_err(|e| internal(&e))?;
    let server = ServerKeys::expand(&bundle);
    let start = Instant::now();
    let mut sample = FheSample { checked: 0, equal: 0, pbs: 0, seconds: 0.0 };
    for case in cases.iter().take(k) {
        let Ok(symbol) = encode(&case.payload, case.ec, None) else { continue };
        let input = fhe::expand_input(&encrypt_grid(&keys.client, &symbol.grid));
        for &id in styles {
            let style = id.style();
            let out = fhe::evaluate(&server, &style.server, symbol.grid.side(), &input).map_err(|e| internal(&e))?;
            let got = decrypt_outputs(&keys.client, &fhe::pack_outputs(&server, &out));
            let want = clear::evaluate(&style.server, &symbol.grid).map_err(|e| internal(&e))?;
            sample.checked += 1;
            sample.equal += usize::from(got == want);
            sample.pbs += cost(&style.server, symbol.grid.side()).map(|c| c.pbs).unwrap_or(0);
        }
    }
    sample.seconds = start.elapsed().as_secs_f64();
    Ok(sample)
}
