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
    for field in
        ["version", "modules", "style", "pbs", "keygen", "encrypt", "server", "client", "bytes_up", "bytes_down"]
    {
        assert!(report.get(field).is_some(), "report lacks {field}: {report}");
    }
    // This payload needs version 2 at EC M (25 modules a side). `rounded` runs on the linear
    // tier: no bootstrapping, and no server key made or uploaded.
    assert_eq!((report["version"].clone(), report["modules"].clone()), (2.into(), 25.into()));
    assert_eq!(
        (report["tier"].clone(), report["pbs"].clone(), report["key_upload_bytes"].clone()),
        ("linear".into(), 0.into(), 0.into())
    );
    assert!(report["keygen"].as_f64().expect("number") > 0.0, "first run generates keys");
    assert!(home.path().join("keys/client-key").exists());
    assert!(!home.path().join("keys/server-key").exists(), "a linear-tier style made a server key");
    assert!(!home.path().join("local-bucket/keys").exists(), "a linear-tier style uploaded a server key");
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

    // Readability levels: the colours are drawn as chosen whenever the code passes the level's
    // checks with them (this one does, even robust's bad scan); black ink is never changed.
    let delta_e = |args: &[&str]| -> f64 {
        let out = qrveil(home.path(), &[args, &["--report-json", "r.json"]].concat());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let r: serde_json::Value =
            serde_json::from_slice(&std::fs::read(home.path().join("r.json")).expect("report")).expect("json");
        r["ink_delta_e"].as_f64().expect("number")
    };
    let vivid = delta_e(&[text, "--style", "square", "--readability", "vivid", "-o", "vivid.png"]);
    assert_eq!(zbarimg(&home.path().join("vivid.png")).trim_end_matches('\n'), text);
    let robust = delta_e(&[text, "--style", "square", "--readability", "robust", "-o", "robust.png"]);
    assert_eq!(vivid, 0.0, "vivid moved the colours of a code that reads as chosen");
    assert!(vivid <= robust, "vivid moved the colours {vivid}, robust {robust}");
    assert_eq!(delta_e(&[text, "--preset", "mono", "--readability", "robust", "-o", "mono.png"]), 0.0);

    // The same look on the PBS tier: the server key is made once, kept and uploaded once; one
    // PBS per vertex (26²) except the 3 x 64 around the finders and the 4 x 4 inside the
    // alignment pattern.
    let out = qrveil(home.path(), &[text, "--tier", "pbs", "-o", "pbs.png", "--report-json", "r3.json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(zbarimg(&home.path().join("pbs.png")).trim_end_matches('\n'), text);
    let r3: serde_json::Value =
        serde_json::from_slice(&std::fs::read(home.path().join("r3.json")).expect("report")).expect("json");
    assert_eq!((r3["tier"].clone(), r3["pbs"].clone()), ("pbs".into(), (26 * 26 - 3 * 64 - 16).into()));
    assert!(r3["key_upload_bytes"].as_u64().expect("number") > 1_000_000);
    assert!(home.path().join("keys/server-key").exists());
}

#[test]
fn a_printed_style_document_edited_draws_what_it_says() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = qrveil(home.path(), &["--print-style", "classy-rounded"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON document");
    assert_eq!(doc["dotsOptions"]["type"], "classy-rounded");
    // Edit it as a designer would: one solid colour, dot centres, EC level H.
    doc["dotsOptions"]["gradient"] = serde_json::Value::Null;
    doc["dotsOptions"].as_object_mut().expect("object").remove("gradient");
    doc["dotsOptions"]["color"] = "#1f3a93".into();
    doc["cornersDotOptions"]["type"] = "dot".into();
    doc["qrOptions"] = serde_json::json!({ "errorCorrectionLevel": "H" });
    std::fs::write(home.path().join("mine.json"), doc.to_string()).expect("write");
    let text = "https://qrveil.invalid/s/doc";
    let args = [text, "--style-file", "mine.json", "-o", "doc.png", "--report-json", "doc.json"];
    let out = qrveil(home.path(), &args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(zbarimg(&home.path().join("doc.png")).trim_end_matches('\n'), text);
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(home.path().join("doc.json")).expect("report")).expect("json");
    assert_eq!(report["style"], "classy-rounded");
    // The document's EC level is the flag's: the same version as `--ec H`, not as the default M.
    let version_with = |ec: &str| {
        let out = qrveil(home.path(), &[text, "--ec", ec, "-o", "ec.png", "--report-json", "ec.json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let r: serde_json::Value =
            serde_json::from_slice(&std::fs::read(home.path().join("ec.json")).expect("report")).expect("json");
        r["version"].clone()
    };
    assert_eq!(report["version"], version_with("H"));
    assert_ne!(report["version"], version_with("M"));
    // The document's colour, not the default preset's, is what was drawn: a dark blue-ish
    // pixel exists and no green-orange one.
    let img = image::open(home.path().join("doc.png")).expect("png").to_rgb8();
    assert!(
        img.pixels().any(|p| {
            let (r, g, b) = (p[0] as i32, p[1] as i32, p[2] as i32);
            b > r + 60 && b > g + 40
        }),
        "no blue ink"
    );
    assert!(!img.pixels().any(|p| p[1] as i32 > p[2] as i32 + 60), "green ink of the default preset");

    // The same look as JPEG, chosen by the file name; verified as decoded, and zbar reads it.
    let out = qrveil(home.path(), &[text, "--style-file", "mine.json", "-o", "doc.jpg"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(&std::fs::read(home.path().join("doc.jpg")).expect("jpeg")[..3], &[0xff, 0xd8, 0xff]);
    assert_eq!(zbarimg(&home.path().join("doc.jpg")).trim_end_matches('\n'), text);
    // A transparent background: PNG with alpha, and no JPEG.
    doc["backgroundOptions"] = serde_json::json!({ "color": "transparent" });
    std::fs::write(home.path().join("clear.json"), doc.to_string()).expect("write");
    let out = qrveil(home.path(), &[text, "--style-file", "clear.json", "-o", "clear.png"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let clear = image::open(home.path().join("clear.png")).expect("png");
    assert!(clear.color().has_alpha());
    let rgba = clear.to_rgba8();
    assert_eq!(rgba.get_pixel(0, 0)[3], 0, "the quiet zone is transparent");
    assert!(rgba.pixels().any(|p| p[3] == 255), "the ink is opaque");
    let out = qrveil(home.path(), &[text, "--style-file", "clear.json", "-o", "clear.jpg"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("JPEG has no transparency"));

    // A document and the flags it replaces are not mixed.
    let out = qrveil(home.path(), &[text, "--style-file", "mine.json", "--style", "dots"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    // A document with a typo names it.
    std::fs::write(home.path().join("typo.json"), r#"{"qrveilStyle": 1, "dotOptions": {}}"#).expect("write");
    let out = qrveil(home.path(), &[text, "--style-file", "typo.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field `dotOptions`"));
}

#[test]
fn a_logo_is_shrunk_to_fit_or_refused_with_the_sizes_that_fit() {
    let home = tempfile::tempdir().expect("tempdir");
    let logo = image::RgbaImage::from_fn(64, 64, |x, y| {
        let inside = (x as i32 - 32).pow(2) + (y as i32 - 32).pow(2) < 30 * 30;
        image::Rgba(if inside { [230, 80, 20, 255] } else { [0, 0, 0, 0] })
    });
    logo.save(home.path().join("logo.png")).expect("write logo");
    let text = "https://qrveil.invalid/s/logo";
    let args = [text, "--ec", "H", "--logo", "logo.png", "-o", "logo-code.png", "--report-json", "logo.json"];
    let out = qrveil(home.path(), &args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(zbarimg(&home.path().join("logo-code.png")).trim_end_matches('\n'), text);
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(home.path().join("logo.json")).expect("report")).expect("json");
    let size = report["logo_size"].as_f64().expect("a logo size");
    assert!(size > 0.1 && size <= 0.4, "{size}");
    // The logo is drawn: orange pixels at the centre.
    let img = image::open(home.path().join("logo-code.png")).expect("png").to_rgb8();
    let c = img.get_pixel(img.width() / 2, img.height() / 2);
    assert!(c[0] > 200 && c[2] < 60, "{c:?}");
    // A size asked for that does not fit is refused, naming what fits at each level.
    let out = qrveil(home.path(), &[text, "--ec", "M", "--logo", "logo.png", "--logo-size", "0.45", "-o", "no.png"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("The largest sizes that fit: M 0.") && stderr.contains("H 0."), "{stderr}");
    assert!(!home.path().join("no.png").exists());
}

#[test]
fn bad_input_fails_fast_with_a_clear_message() {
    let home = tempfile::tempdir().expect("tempdir");
    let long = "x".repeat(4000);
    let cases: [(&[&str], &str); 10] = [
        (&["", "-o", "x.png"], "payload is empty"),
        (&["hi", "--readability", "loud"], "choose one of: vivid, balanced, robust"),
        (&["hi", "--style", "wavy"], "choose one of: square, dots, rounded"),
        (&["hi", "--preset", "neon"], "green-orange"),
        (&["hi", "--corners-square", "star"], "choose one of: square, dot, extra-rounded"),
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
    // Every style runs on the linear tier; on the PBS tier rounded at version 1 would take 22²
    // vertices less the 3 x 64 the standard fixes around the finders.
    for expect in [
        "square",
        "rounded",
        "classy-rounded",
        "fluid",
        "bridge",
        "swell",
        "runs on the linear tier: 0 PBS",
        "pbs tier: 292 PBS",
        "purple-violet",
    ] {
        assert!(s.contains(expect), "{expect} missing from:\n{s}");
    }
}

#[test]
fn a_look_fitted_from_the_commands_own_renders_styles_a_new_code_that_zbar_reads() {
    // Examples a user could make: each payload drawn in a look (`swell` dots, black) and plain
    // (`square`, black), same version, so both show the same symbol.
    let home = tempfile::tempdir().expect("tempdir");
    let examples = home.path().join("examples");
    std::fs::create_dir(&examples).expect("mkdir");
    for (i, text) in ["first example", "second one", "third example!", "4th"].iter().enumerate() {
        for (style, file) in [("swell", format!("e{i}.png")), ("square", format!("e{i}.plain.png"))] {
            let out = examples.join(file);
            let args = [
                text,
                "--style",
                style,
                "--preset",
                "mono",
                "--version",
                "2",
                "-q",
                "-o",
                out.to_str().expect("utf-8"),
            ];
            let done = qrveil(home.path(), &args);
            assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
        }
    }
    let out = qrveil(home.path(), &["style", "fit", "examples", "-o", "look.json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("fitted 4 examples") && printed.contains("--style-file look.json"), "{printed}");
    // Swell sizes a dot by all four modules beside it, which no vertex block sees: the fit
    // reads each module's neighbourhood, and the linear tier's cross encoding runs it.
    assert!(printed.contains("style fitted-wide") && printed.contains("linear tier, 0 PBS"), "{printed}");
    let read = |file: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(home.path().join(file)).expect("look")).expect("json")
    };
    let look = read("look.json");
    assert_eq!(look["dotsOptions"]["type"], "fitted-wide");
    assert_eq!(look["tiles"].as_array().map(Vec::len), Some(16));
    assert!(look["program"]["programs"].is_array(), "{look}");
    // The vertex model, when asked for.
    let out = qrveil(home.path(), &["style", "fit", "examples", "-o", "vertex.json", "--model", "vertex", "-q"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(read("vertex.json")["dotsOptions"]["type"], "fitted");
    assert!(read("vertex.json").get("program").is_none());

    let text = "a payload none of the examples had";
    for doc in ["look.json", "vertex.json"] {
        let out = qrveil(home.path(), &[text, "--style-file", doc, "-o", "fitted.png"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("linear tier, 0 PBS"));
        assert_eq!(zbarimg(&home.path().join("fitted.png")).trim_end_matches('\n'), text);
    }

    // A folder with a lone styled image fails naming it, and writes nothing.
    std::fs::remove_file(examples.join("e3.plain.png")).expect("rm");
    let out = qrveil(home.path(), &["style", "fit", "examples", "-o", "other.json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("e3.png") && err.contains("e3.plain.png"), "{err}");
    assert!(!home.path().join("other.json").exists());
}

#[test]
fn an_exported_token_leaves_the_local_mode_alone_but_a_token_flag_needs_the_endpoint() {
    let home = tempfile::tempdir().expect("tempdir");
    let png = home.path().join("code.png");
    let out = Command::new(env!("CARGO_BIN_EXE_qrveil"))
        .args(["exported token", "--style", "square", "-q", "-o"])
        .arg(&png)
        .env("QRVEIL_HOME", home.path())
        .env("QRVEIL_TOKEN", "a-token-for-the-remote-mode")
        .output()
        .expect("run qrveil");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(zbarimg(&png), "exported token");
    let out = qrveil(home.path(), &["hi", "--token", "t0k3n"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("add --remote --presign-url URL"));
}
