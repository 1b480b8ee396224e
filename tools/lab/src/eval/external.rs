//! Decoders in other processes: zbar and OpenCV through `helpers/decode.py`, ZXing
//! Java through `helpers/ZxingDecode.java` (compiled here with javac against Debian's
//! libzxing-core-java / libzxing-javase-java). Each runs once per batch of images, reading
//! paths on stdin and answering one JSON line per image.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const PYTHON_HELPER: &str = include_str!("../../helpers/decode.py");
const JAVA_HELPER: &str = include_str!("../../helpers/ZxingDecode.java");
const ZXING_JARS: [&str; 2] = ["/usr/share/java/core.jar", "/usr/share/java/javase.jar"];

pub const PYTHON_DECODERS: [&str; 2] = ["zbar", "opencv"];
pub const JAVA_DECODER: &str = "zxing-java";

/// What each decoder found in each image: payload candidates as bytes, `None` when the
/// decoder is not installed.
pub type Found = HashMap<&'static str, Vec<Option<Vec<Vec<u8>>>>>;

pub struct External {
    dir: tempfile::TempDir,
    java: Option<PathBuf>,
    /// Why a decoder is not available, for the report.
    pub missing: Vec<String>,
}

impl External {
    /// Write the helpers and compile the Java one; what cannot run is listed in `missing`.
    pub fn prepare() -> std::io::Result<Self> {
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join("decode.py"), PYTHON_HELPER)?;
        std::fs::write(dir.path().join("ZxingDecode.java"), JAVA_HELPER)?;
        let mut missing = Vec::new();
        let classpath = ZXING_JARS.join(":");
        let compiled = ZXING_JARS.iter().all(|j| Path::new(j).exists())
            && Command::new("javac")
                .args(["-cp", &classpath, "-d"])
                .arg(dir.path())
                .arg(dir.path().join("ZxingDecode.java"))
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
        let java = if compiled {
            Some(dir.path().to_path_buf())
        } else {
            missing.push(format!("{JAVA_DECODER} (needs javac and Debian libzxing-core-java, libzxing-javase-java)"));
            None
        };
        Ok(Self { dir, java, missing })
    }

    /// Decode every image with every external decoder; both helpers run side by side.
    pub fn decode(&mut self, images: &[PathBuf]) -> Found {
        let list: String = images.iter().map(|p| format!("{}\n", p.display())).collect();
        let script = self.dir.path().join("decode.py");
        let java = self.java.as_ref().map(|classes| {
            let cp = format!("{}:{}", classes.display(), ZXING_JARS.join(":"));
            vec!["java".to_string(), "-cp".into(), cp, "ZxingDecode".into()]
        });
        let python = vec!["python3".to_string(), script.display().to_string()];
        let (py, jv) = std::thread::scope(|s| {
            let py = s.spawn(|| run(&python, &list));
            let jv = java.as_ref().map(|cmd| s.spawn(|| run(cmd, &list)));
            (py.join().unwrap_or_default(), jv.map(|h| h.join().unwrap_or_default()))
        });
        let mut found: Found = HashMap::new();
        let by_path = |lines: &[serde_json::Value]| -> HashMap<String, serde_json::Value> {
            lines.iter().filter_map(|v| Some((v.get("path")?.as_str()?.to_string(), v.clone()))).collect()
        };
        let py = by_path(&py);
        let jv = jv.map(|l| by_path(&l));
        for name in PYTHON_DECODERS {
            found.insert(name, images.iter().map(|p| candidates(py.get(&p.display().to_string()), name)).collect());
        }
        let java_found = images
            .iter()
            .map(|p| jv.as_ref().and_then(|m| candidates(m.get(&p.display().to_string()), JAVA_DECODER)))
            .collect();
        found.insert(JAVA_DECODER, java_found);
        for name in PYTHON_DECODERS {
            let absent = found[name].iter().all(Option::is_none);
            if absent && !images.is_empty() && !self.missing.iter().any(|m| m.starts_with(name)) {
                self.missing.push(format!("{name} (pip install pyzbar opencv-python-headless)"));
            }
        }
        found
    }
}

/// Run a helper with `input` on stdin; its JSON lines (empty if it could not run).
fn run(cmd: &[String], input: &str) -> Vec<serde_json::Value> {
    run_lines(cmd, input)
        .map(|(lines, _)| lines.iter().filter_map(|l| serde_json::from_str(l).ok()).collect())
        .unwrap_or_default()
}

/// Run `cmd` with `input` on stdin (written from another thread, so a helper that answers
/// as it reads cannot deadlock); its stdout lines and whether it exited successfully, or
/// `None` if it could not start.
pub fn run_lines(cmd: &[String], input: &str) -> Option<(Vec<String>, bool)> {
    let mut child = Command::new(&cmd[0])
        .args(&cmd[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let stdin = child.stdin.take();
    let input = input.to_string();
    let writer = std::thread::spawn(move || {
        if let Some(mut stdin) = stdin {
            let _ = stdin.write_all(input.as_bytes());
        }
    });
    let lines =
        child.stdout.take().map(|out| BufReader::new(out).lines().map_while(Result::ok).collect()).unwrap_or_default();
    let _ = writer.join();
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    Some((lines, ok))
}

fn candidates(line: Option<&serde_json::Value>, decoder: &str) -> Option<Vec<Vec<u8>>> {
    let list = line?.get(decoder)?.as_array()?;
    Some(list.iter().filter_map(|h| h.as_str().and_then(unhex)).collect())
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect()
}
