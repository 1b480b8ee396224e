//! The tolerance lab's results: per family a table of tolerances and ratios (look x decoder),
//! clean reads, colour differences, and the worst ratio of each look.

use super::capture::Family;
use super::curve::{half_point, median_p95, Tolerance};
use super::{Step, Tally};
use serde::Serialize;
use std::fmt::Write;

#[derive(Serialize)]
pub struct Cell {
    pub look: String,
    pub decoder: &'static str,
    /// Share decoded at each strength of the ladder.
    pub shares: Vec<f64>,
    pub tolerance: Tolerance,
    /// Tolerance over the plain code's, same decoder and family (`None` if plain's is 0).
    pub ratio: Option<f32>,
}

#[derive(Serialize)]
pub struct FamilyResult {
    pub family: Family,
    pub unit: &'static str,
    pub ladder: Vec<f32>,
    pub cells: Vec<Cell>,
}

#[derive(Serialize)]
pub struct LookSummary {
    pub look: String,
    /// Share of clean renders read, per decoder.
    pub clean: Vec<(&'static str, f64)>,
    /// CIEDE2000, chosen vs drawn data ink.
    pub delta_e_median: f32,
    pub delta_e_p95: f32,
    /// The smallest ratio over decoders and families, and where (a censored plain tolerance
    /// makes a ratio a lower bound only when both are censored).
    pub worst_ratio: Option<(f32, &'static str, Family)>,
}

#[derive(Serialize)]
pub struct Result {
    pub families: Vec<FamilyResult>,
    pub looks: Vec<LookSummary>,
    pub clean_misses: Vec<(&'static str, String, usize)>,
    pub unavailable: Vec<String>,
}

impl Result {
    pub fn of(tally: &Tally, names: &[String], decoders: &[&'static str], missing: &[String]) -> Self {
        let share = |d: &'static str, l: usize, f: Step| -> Option<f64> {
            let (ok, total) = *tally.counts.get(&(d, l, f))?;
            (total > 0).then(|| ok as f64 / total as f64)
        };
        let tolerance = |d, l, family: Family| -> Option<(Vec<f64>, Tolerance)> {
            let ladder = family.ladder();
            let shares: Vec<f64> = (0..ladder.len()).map(|s| share(d, l, Some((family, s)))).collect::<Option<_>>()?;
            let t = half_point(&ladder, &shares, share(d, l, None)?);
            Some((shares, t))
        };
        let mut families = Vec::new();
        for family in Family::ALL {
            let mut cells = Vec::new();
            for (l, look) in names.iter().enumerate() {
                for &d in decoders {
                    let Some((shares, t)) = tolerance(d, l, family) else { continue };
                    let plain = tolerance(d, 0, family).map(|p| p.1.strength).filter(|&p| p > 0.0);
                    let ratio = plain.map(|p| t.strength / p);
                    cells.push(Cell { look: look.clone(), decoder: d, shares, tolerance: t, ratio });
                }
            }
            families.push(FamilyResult { family, unit: family.unit(), ladder: family.ladder().to_vec(), cells });
        }
        let looks = names
            .iter()
            .enumerate()
            .map(|(l, look)| {
                let clean = decoders.iter().filter_map(|&d| Some((d, share(d, l, None)?))).collect();
                let mut de = tally.delta_e.get(&l).cloned().unwrap_or_default();
                let (delta_e_median, delta_e_p95) = median_p95(&mut de);
                let worst_ratio = families
                    .iter()
                    .flat_map(|f| f.cells.iter().map(move |c| (c, f.family)))
                    .filter(|(c, _)| &c.look == look)
                    .filter_map(|(c, f)| Some((c.ratio?, c.decoder, f)))
                    .min_by(|a, b| a.0.total_cmp(&b.0));
                LookSummary { look: look.clone(), clean, delta_e_median, delta_e_p95, worst_ratio }
            })
            .collect();
        Self { families, looks, clean_misses: tally.clean_misses.clone(), unavailable: missing.to_vec() }
    }

    pub fn print(&self) {
        println!();
        for f in &self.families {
            // Cells come look by look, decoders in the same order for each.
            let mut decoders: Vec<&str> = Vec::new();
            for c in &f.cells {
                if !decoders.contains(&c.decoder) {
                    decoders.push(c.decoder);
                }
            }
            let mut s = format!(
                "{}: strength where half the codes stop decoding ({}; ladder {:?}), and its ratio to plain\n\n| look |",
                f.family.name(),
                f.unit,
                f.ladder
            );
            for d in &decoders {
                let _ = write!(s, " {d} |");
            }
            s.push_str("\n|---|");
            s.push_str(&"---|".repeat(decoders.len()));
            let mut look = "";
            for c in &f.cells {
                if c.look != look {
                    look = &c.look;
                    let _ = write!(s, "\n| {look} |");
                }
                let at_least = if c.tolerance.censored { "≥" } else { "" };
                let ratio = c.ratio.map(|r| format!("{r:.2}")).unwrap_or_else(|| "-".into());
                let _ = write!(s, " {at_least}{:.3} ({ratio}) |", c.tolerance.strength);
            }
            println!("{s}\n");
        }
        println!("| look | worst ratio (decoder, family) | ΔE2000 median / p95 | clean reads |\n|---|---|---|---|");
        for l in &self.looks {
            let worst =
                l.worst_ratio.map(|(r, d, f)| format!("{r:.2} ({d}, {})", f.name())).unwrap_or_else(|| "-".into());
            let clean: Vec<String> = l.clean.iter().map(|(d, s)| format!("{d} {:.0}%", 100.0 * s)).collect();
            println!(
                "| {} | {worst} | {:.1} / {:.1} | {} |",
                l.look,
                l.delta_e_median,
                l.delta_e_p95,
                clean.join(", ")
            );
        }
        if !self.clean_misses.is_empty() {
            println!(
                "\nread as plain but not in the look, clean (decoder, look, payload index): {:?}",
                self.clean_misses
            );
        }
        for m in &self.unavailable {
            println!("not run: {m}");
        }
    }
}
