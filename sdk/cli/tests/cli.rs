//! The `qrveil` command as a user runs it: the PNG it writes must decode with zbarimg
//! (Debian `zbar-tools`, a decoder we did not write) to the input text; bad input must fail
//! fast with a clear message.

use std::path::Path;
use std::process::{Command, Output};

fn qrveil(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qrveil"))
        .args(args)
        .env("QRVEIL_HOME", home)
        .env_remove("QRVEIL_TOKEN")
        .current_dir(home)
        .output()
        .expect("run qrveil")
}

/// Width and height of a PNG, read from its IHDR chunk.
fn image_size(png: &Path) -> (u32, u32) {
    let bytes = std::fs::read(png).expect("png");
    assert_eq!(&bytes[1..4], b"PNG");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

fn zbarimg(png: &Path) -> String {
    let out = Command::new("zbarimg")
        .args(["--raw", "-q", "-Sbinary"])
        .arg(png)
        .output()
        .expect("zbarimg is needed for this test: apt-get install zbar-tools");
    assert!(out.status.success(), "zbarimg found no code: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn the_readme_command_writes_a_png_that_zbar_decodes() {
    let home = tempfile::tempdir().expect("tempdir");
    let text = "WIFI:T:WPA;S:home;P:secret;;";
    let out = qrveil(home.path(), &[text, "--style", "rounded", "-o", "code.png", "--report-json", "report.json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(zbarimg(&home.path().join("code.png")).trim_end_matches('\n'), text);

    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(home.path().join("report.json")).expect("report")).expect("json");
    for field in ["version", "modules", "style", "pbs", "keygen", "encrypt", "server", "client", "bytes_up", "bytes_down"] {
        assert!(report.get(field).is_some(), "report lacks {field}: {report}");
    }
    // This payload needs version 2 at EC M: 25 modules a side, one PBS per vertex (26²)
    // except the 3 x 64 around the finders and the 4 x 4 inside the alignment pattern.
    assert_eq!(report["version"], 2);
    assert_eq!(report["modules"], 25);
    assert_eq!(report["pbs"], 26 * 26 - 3 * 64 - 16);
    assert!(report["keygen"].as_f64().expect("number") > 0.0, "first run generates keys");
    // Nothing the user typed appears in what the command printed.
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!printed.contains("secret"), "{printed}");

    // Second run reuses the keys and renders SVG.
    let out = qrveil(home.path(), &["hello", "--style", "dots", "--svg", "-o", "code.svg", "--report-json", "r2.json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let svg = std::fs::read_to_string(home.path().join("code.svg")).expect("svg");
    assert!(svg.starts_with("<svg") && svg.contains("linearGradient"));
    let r2: serde_json::Value =
        serde_json::from_slice(&std::fs::read(home.path().join("r2.json")).expect("report")).expect("json");
    assert_eq!(r2["keygen"], 0.0);
}

#[test]
fn bad_input_fails_fast_with_a_clear_message() {
    let home = tempfile::tempdir().expect("tempdir");
    let long = "x".repeat(4000);
    let cases: [(&[&str], &str); 8] = [
        (&["", "-o", "x.png"], "payload is empty"),
        (&["hi", "--style", "wavy"], "choose one of: gradient, rounded, dots"),
        (&["hi", "--preset", "neon"], "green-orange"),
        (&[long.as_str()], "does not fit a QR code"),
        (&["hi", "--version", "41"], "use 1 to 40"),
        (&["hi", "--remote"], "--presign-url (with QRVEIL_TOKEN) or --bucket"),
        (&["hi", "--remote", "--presign-url", "http://example.com/", "--token", "t0k3n"], "must be https://"),
        (&["hi", "--remote", "--presign-url", "https://example.com/", "--token", " "], "needs a bearer token"),
    ];
    for (args, message) in cases {
        let out = qrveil(home.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    // None of these spent time on keys.
    assert!(!home.path().join("keys").exists());
}

#[test]
fn list_styles_shows_every_style_and_its_cost() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = qrveil(home.path(), &["--list-styles"]);
    assert!(out.status.success());
    let s = String::from_utf8_lossy(&out.stdout);
    // Rounded at version 1: 22² vertices less the 3 x 64 the standard fixes around the finders.
    for expect in ["gradient", "rounded", "dots", "0 PBS", "292 PBS", "purple-violet"] {
        assert!(s.contains(expect), "{expect} missing from:\n{s}");
    }
}

#[test]
fn eval_reports_every_style_and_condition_and_styles_read_wherever_plain_does() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = qrveil(home.path(), &["eval", "--count", "12", "--fhe-sample", "1", "--json", "eval.json", "--gallery", "sheet.png"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("| plain |") && table.contains("| rounded |") && table.contains("perspective"), "{table}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(home.path().join("eval.json")).expect("json")).expect("json");
    // One payload under real FHE, every style: the simulation must equal it.
    assert_eq!(report["fhe_sample"]["checked"], 3);
    assert_eq!(report["fhe_sample"]["equal"], 3);
    assert!(image_size(&home.path().join("sheet.png")).0 > 1000, "contact sheet");
    // Reference diff against Python qrcode. Drawn with our readable colours, Python's image
    // must match ours outside the function patterns (which we draw deeper on purpose) almost
    // exactly: same matrix, same gradient formula. With the preset's own colours it differs by
    // the darkening into the readable band, which green-orange needs more of than
    // purple-violet; the deeper function patterns add to the whole-image figure.
    let diffs = report["reference_diff"].as_array().expect("reference_diff");
    let diff = |preset: &str, key: &str| {
        diffs.iter().find(|d| d["preset"] == preset).expect("preset")[key].as_f64().expect("f64")
    };
    for preset in ["green-orange", "purple-violet"] {
        assert!(diff(preset, "same_colours_mean_diff_outside_function_patterns") < 0.005, "{diffs:?}");
        assert!(diff(preset, "mean_diff_outside_function_patterns") > 0.01, "{diffs:?}");
        assert!(diff(preset, "mean_diff") > diff(preset, "mean_diff_outside_function_patterns"), "{diffs:?}");
    }
    assert!(diff("green-orange", "mean_diff_outside_function_patterns") > diff("purple-violet", "mean_diff_outside_function_patterns"), "{diffs:?}");
    // .ci/run installs every decoder; a missing one is a broken set-up, not a pass.
    assert_eq!(report["unavailable"], serde_json::json!([]), "install the decoders as .ci/run does");
    let rows = report["rows"].as_array().expect("rows");
    let decoders = ["rqrr", "zbar", "zxing-cpp", "opencv", "zxing-java"];
    // 5 decoders x 4 codes (plain + 3 styles) x 8 conditions, each over the 12 payloads.
    assert_eq!(rows.len(), 5 * 4 * 8);
    assert!(rows.iter().all(|r| r["total"] == 12), "{rows:?}");
    let clean = |decoder: &str, style: &str| {
        rows.iter()
            .find(|r| r["decoder"] == decoder && r["style"] == style && r["condition"] == "clean")
            .expect("row")["decoded"]
            .as_u64()
            .expect("count")
    };
    // The product's promise on clean renders: every style reads wherever the plain code does.
    assert_eq!(report["clean_misses"], serde_json::json!([]), "styled codes a decoder misses clean");
    for decoder in decoders {
        for style in ["gradient", "rounded", "dots"] {
            assert!(clean(decoder, style) >= clean(decoder, "plain"), "{decoder} / {style}");
        }
    }
    // Decoders that return raw bytes read every plain code of the corpus, binary ones too.
    for decoder in ["rqrr", "zxing-cpp", "zxing-java"] {
        assert_eq!(clean(decoder, "plain"), 12, "{decoder}");
    }
}
