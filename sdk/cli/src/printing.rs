//! What the CLI prints for people: the catalogue (`--list-styles`) and a code's report.

use qrveil_sdk::Report;
use qrveil_style::tiers::NoiseBound;
use qrveil_style::{cost, StyleId, Tier, TierCost, PRESETS};
use std::path::Path;

fn describe(c: &TierCost) -> String {
    let noise = match c.noise {
        NoiseBound::Units { worst, limit } => format!("noise {worst}/{limit} units"),
        NoiseBound::Log2 { bound, margin } => format!("noise 2^{bound:.1} of 2^{margin:.0}"),
    };
    let kb = |b: u64| b as f64 / 1e3;
    format!(
        "{} tier: {} PBS, {} outputs, ~{:.0} KB up, ~{:.0} KB down, {noise}",
        c.tier,
        c.pbs,
        c.outputs,
        kb(c.bytes_up),
        kb(c.bytes_down)
    )
}

pub fn list_styles() {
    println!("styles (cost at version 1, 21x21 modules; the linear tier needs no server key):");
    for id in StyleId::ALL {
        println!("  {:<15} {}", id.name(), id.summary());
        let Ok(style) = id.style() else { continue };
        match cost(&style.server, 21) {
            Ok(c) => {
                println!("                  runs on the {}", describe(c.chosen()));
                if c.linear.is_some() {
                    println!("                  (on the {})", describe(&c.on_pbs_tier));
                }
            }
            Err(e) => println!("                  invalid: {e}"),
        }
    }
    println!("each style as a style document to start from: qrveil --print-style NAME > mine.json");
    if let Ok(c) = cost(&StyleId::Fitted.style().expect("a built-in style").server, 21) {
        println!(
            "learned looks: qrveil style fit EXAMPLES -o look.json, then --style-file look.json (any look decided by each vertex's 2x2 block; {})",
            describe(c.chosen())
        );
        println!(
            "  looks that read a module's whole 3x3 neighbourhood are fitted as style fitted-wide: a class program of two layers of lookups (at most {} per module); the device encodes the first layer from its own grid, so the server's lookup runs on the linear tier at 0 PBS; `qrveil style fit` prints its cost",
            qrveil_style::recipe::classes::MAX_LUTS_PER_MODULE
        );
    }
    println!("presets (dark modules: left -> right gradient, on background):");
    for p in PRESETS {
        println!(
            "  {:<14} rgb{:?} -> rgb{:?} on rgb{:?}",
            p.name,
            (p.left.0, p.left.1, p.left.2),
            (p.right.0, p.right.1, p.right.2),
            (p.background.0, p.background.1, p.background.2)
        );
    }
}

pub fn print_report(r: &Report, keygen: f64, output: &Path, generated: bool) {
    let keys = if generated { format!("generated in {keygen:.1} s") } else { "reused".to_string() };
    println!(
        "qrveil: version-{} code ({m}x{m} modules), style {}, preset {} ({}: ink a median ΔE2000 {:.1} from the chosen colours), EC {}",
        r.version,
        r.style,
        r.preset,
        r.readability,
        r.ink_delta_e,
        r.ec,
        m = r.modules
    );
    if let Some(raised) = &r.raised_from {
        println!(
            "  version  {}, not the smallest ({}): at version {} in this look {}",
            r.version, raised.version, raised.version, raised.refused_by
        );
    }
    match &r.key_id {
        Some(id) => println!("  keys     {keys} (server key id {id})"),
        None => println!(
            "  keys     a key of its own for this job, dropped after it (the {} tier needs no server key)",
            r.tier
        ),
    }
    let per_module = r.bytes_up as f64 / (r.modules * r.modules) as f64;
    println!("  encrypt  {:.3} s, {} bytes up ({per_module:.1} B/module)", r.encrypt, r.bytes_up);
    let key = match (r.tier, r.key_cache_hit) {
        (Tier::Linear, _) => "none".to_string(),
        (Tier::Pbs, true) => "cached".to_string(),
        (Tier::Pbs, false) => format!("load {:.2} s", r.server_detail.key),
    };
    println!(
        "  server   {:.3} s: {} tier, {} PBS, {} outputs (key {key}, expand {:.3} s, evaluate {:.3} s, pack {:.3} s)",
        r.server, r.tier, r.pbs, r.outputs, r.server_detail.expand, r.server_detail.evaluate, r.server_detail.pack
    );
    let results =
        if r.integrity.is_some() { "DIFFERED from the style's program" } else { "equal to the style's program" };
    println!(
        "  client   {:.3} s: {} bytes down ({:.1} B/value), results {results}, drawn from this device's evaluation, {} modules corrected",
        r.client,
        r.bytes_down,
        r.bytes_down as f64 / r.outputs.max(1) as f64,
        r.corrected_modules
    );
    println!("  shapes   {}", r.shapes);
    print_colours(r);
    let quirc = match r.quirc_family {
        Some(true) => "yes".to_string(),
        Some(false) => "no".to_string(),
        None => format!("not known (no answer within {} s)", qrveil_sdk::QUIRC_BUDGET.as_secs()),
    };
    println!(
        "  checks   read by both judges, rxing and zxing-cpp (phone scanners), clean and from a simulated {} phone scan, in {:.3} s; quirc-family scanners (rqrr): {quirc}",
        qrveil_sdk::capture::Scan::of(r.readability),
        r.client_detail.verify
    );
    if let Some(size) = r.logo_size {
        println!("  logo     {size:.2} of the code's side, every Reed-Solomon block within its logo share");
    }
    println!("  wrote    {}", output.display());
}

/// The colours as drawn: one line when every colour is as chosen, else each change with why.
fn print_colours(r: &Report) {
    let hex = |c: qrveil_style::Rgb| format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2);
    let mut changed: Vec<&qrveil_sdk::ColourChoice> = r.colours.iter().filter(|c| c.delta_e > 0.0).collect();
    changed.dedup_by(|a, b| a.part == b.part && a.chosen == b.chosen);
    if changed.is_empty() {
        println!("  colours  as chosen ({} colours)", r.colours.len());
        return;
    }
    let why = changed[0].why.to_string();
    println!("  colours  {} of {} changed: {why}", changed.len(), r.colours.len());
    for c in changed {
        println!("           {:<14} {} -> {} (ΔE2000 {:.1})", c.part, hex(c.chosen), hex(c.drawn), c.delta_e);
    }
}
