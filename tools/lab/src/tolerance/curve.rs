//! From decode counts to tolerances: the strength at which half the codes stop decoding,
//! read off a ladder of strengths by linear interpolation, and colour differences summarised.

use serde::Serialize;

/// Where a share-decoded curve crosses one half.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Tolerance {
    pub strength: f32,
    /// More than half still decoded at the ladder's last strength: the tolerance is at least
    /// `strength`.
    pub censored: bool,
}

/// The 50% crossing of `shares` (decoded share at each of `ladder`'s strengths, easiest
/// first), taking the clean render (strength 0) as `clean`.
pub fn half_point(ladder: &[f32], shares: &[f64], clean: f64) -> Tolerance {
    let mut prev = (0.0f32, clean);
    for (&strength, &share) in ladder.iter().zip(shares) {
        if share < 0.5 {
            if prev.1 < 0.5 {
                return Tolerance { strength: prev.0, censored: false };
            }
            let t = ((prev.1 - 0.5) / (prev.1 - share)) as f32;
            return Tolerance { strength: prev.0 + t * (strength - prev.0), censored: false };
        }
        prev = (strength, share);
    }
    Tolerance { strength: prev.0, censored: true }
}

/// Median and 95th percentile of `values` (0 for none).
pub fn median_p95(values: &mut [f32]) -> (f32, f32) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    values.sort_by(f32::total_cmp);
    let at = |q: f32| values[((values.len() - 1) as f32 * q).round() as usize];
    (at(0.5), at(0.95))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_point_interpolates_between_the_steps_around_it() {
        let ladder = [1.0, 2.0, 3.0, 4.0];
        let t = half_point(&ladder, &[1.0, 0.75, 0.25, 0.0], 1.0);
        assert_eq!(t, Tolerance { strength: 2.5, censored: false });
        // Below half at the first step: between the clean render and that step.
        let t = half_point(&ladder, &[0.0, 0.0, 0.0, 0.0], 1.0);
        assert_eq!(t, Tolerance { strength: 0.5, censored: false });
        // Never below half: at least the last strength.
        let t = half_point(&ladder, &[1.0, 1.0, 0.9, 0.6], 1.0);
        assert_eq!(t, Tolerance { strength: 4.0, censored: true });
        // Unreadable even clean.
        assert_eq!(half_point(&ladder, &[0.0; 4], 0.0).strength, 0.0);
    }

    #[test]
    fn median_and_p95() {
        let mut v: Vec<f32> = (0..=100).rev().map(|x| x as f32).collect();
        assert_eq!(median_p95(&mut v), (50.0, 95.0));
        assert_eq!(median_p95(&mut []), (0.0, 0.0));
    }
}
