//! The checks a try of colours makes: both judges, clean and from the phone check's capture.

use super::Check;
use crate::capture::{capture, Scan};
use crate::verify::{greys, judge_reads, Decoder, VerifyError};
use image::RgbImage;
use rayon::prelude::*;
use std::sync::OnceLock;

/// What a trial is checked against.
pub(super) struct Target<'p> {
    pub payload: &'p [u8],
    pub scan: Scan,
    pub seed: u64,
}

/// How many of a check's readings to make.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Readings {
    All,
    /// Only the first one asked for.
    First,
}

/// Both judges, clean and from the capture.
/// `first`, the reading that failed the last try, is made alone before the others: a try that
/// fails again (most tries of a search) costs one reading, not four. The other readings are
/// made side by side, and the error is the first failure in the order clean, capture and
/// [`Decoder::JUDGES`], whichever reading ran first.
pub(super) fn check(
    image: &RgbImage,
    module_px: u32,
    t: &Target,
    first: Option<Check>,
    readings_made: Readings,
) -> Result<(), VerifyError> {
    let grey = greys(image);
    let captured = OnceLock::new();
    let read = |c: Check| match c {
        Check::Clean { judge } => judge_reads(&grey, t.payload, judge),
        Check::PhoneScan { judge, .. } => {
            let seen = captured.get_or_init(|| greys(&capture(image, module_px as f32, t.scan.strength(), t.seed)));
            judge_reads(seen, t.payload, judge).map_err(|_| VerifyError::PhoneScan { scan: t.scan, judge })
        }
    };
    let readings = Decoder::JUDGES
        .map(|judge| Check::Clean { judge })
        .into_iter()
        .chain(Decoder::JUDGES.map(|judge| Check::PhoneScan { scan: t.scan, judge }));
    let first = first.filter(|c| readings.clone().any(|r| r == *c));
    if let Some(c) = first {
        read(c)?;
        if readings_made == Readings::First {
            return Ok(());
        }
    }
    let rest: Vec<Check> = readings.filter(|c| Some(*c) != first).collect();
    rest.into_par_iter().map(read).collect::<Vec<_>>().into_iter().collect()
}
