//! What the evaluation prints and saves: the decode-rate tables and the contact sheet.

use super::conditions::Condition;
use super::Seen;
use image::RgbImage;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Rows: the first few payloads; columns: each code clean, then each code in perspective.
pub(super) fn contact_sheet(seen: &[Seen], names: &[String]) -> RgbImage {
    const THUMB: u32 = 180;
    const GAP: u32 = 12;
    let rows: Vec<usize> = {
        let mut cases: Vec<usize> = seen.iter().map(|s| s.case).collect();
        cases.dedup();
        cases.into_iter().take(4).collect()
    };
    let columns: Vec<(Condition, &String)> = [Condition::Clean, Condition::Perspective]
        .into_iter()
        .flat_map(|c| names.iter().map(move |n| (c, n)))
        .collect();
    let (w, h) = (columns.len() as u32 * (THUMB + GAP) + GAP, rows.len() as u32 * (THUMB + GAP) + GAP);
    let mut sheet = RgbImage::from_pixel(w.max(1), h.max(1), image::Rgb([235, 235, 235]));
    for (r, case) in rows.iter().enumerate() {
        for (c, (condition, name)) in columns.iter().enumerate() {
            let Some(s) = seen.iter().find(|s| s.case == *case && s.condition == *condition && &s.name == *name) else {
                continue;
            };
            let Ok(img) = image::open(&s.path) else { continue };
            let thumb = image::imageops::resize(&img.to_rgb8(), THUMB, THUMB, image::imageops::FilterType::Triangle);
            let (x, y) = (GAP + c as u32 * (THUMB + GAP), GAP + r as u32 * (THUMB + GAP));
            image::imageops::replace(&mut sheet, &thumb, x as i64, y as i64);
        }
    }
    sheet
}

/// Style × condition → decode rate with counts, for one decoder.
pub(super) fn markdown(
    decoder: &'static str,
    names: &[String],
    tally: &BTreeMap<(&'static str, String, Condition), (usize, usize)>,
) -> String {
    let mut s = format!("decoder: {decoder}\n\n| style |");
    for c in Condition::ALL {
        let _ = write!(s, " {} |", c.name());
    }
    s.push_str("\n|---|");
    s.push_str(&"---|".repeat(Condition::ALL.len()));
    s.push('\n');
    for name in names {
        let _ = write!(s, "| {name} |");
        for c in Condition::ALL {
            let (ok, total) = tally.get(&(decoder, name.clone(), c)).copied().unwrap_or_default();
            let rate = if total > 0 { 100.0 * ok as f64 / total as f64 } else { 0.0 };
            let _ = write!(s, " {rate:.1}% ({ok}/{total}) |");
        }
        s.push('\n');
    }
    s
}
