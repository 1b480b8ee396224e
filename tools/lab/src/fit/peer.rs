//! qr-code-styling as a source of examples: its renders under Node (jsdom for its SVG, resvg
//! to rasterise), at the widths people export, with plain twins drawn by the same library.

use crate::LabError;
use std::path::Path;
use std::process::Command;

const PEER_EXAMPLES: &str = include_str!("../../../fit/peer-examples.mjs");
/// The peer's version the gallery compares with, and the two packages that run it under Node.
const PACKAGES: [&str; 3] = ["qr-code-styling@1.9.2", "jsdom@24", "@resvg/resvg-js@2"];
/// qr-code-styling's `dotsOptions.type`s, `cornersSquareOptions.type`s and
/// `cornersDotOptions.type`s.
pub const DOT_TYPES: [&str; 6] = ["square", "dots", "rounded", "extra-rounded", "classy", "classy-rounded"];
pub const RING_TYPES: [&str; 3] = ["square", "dot", "extra-rounded"];
pub const CENTRE_TYPES: [&str; 2] = ["square", "dot"];
/// One colour for every part, as a designer picks one (the purple).
pub const COLOUR: &str = "#6a1b9a";

/// A look drawn by qr-code-styling: its finder types and the image width.
#[derive(Clone, Debug)]
pub struct PeerLook {
    pub rings: String,
    pub centres: String,
    pub width: u32,
}

/// The peer's packages, installed once per run in a scratch folder.
pub struct Peer {
    scratch: tempfile::TempDir,
}

impl Peer {
    pub fn prepare() -> Result<Peer, LabError> {
        let scratch = tempfile::tempdir()?;
        let npm = |args: &[&str]| Command::new("npm").args(args).current_dir(scratch.path()).output();
        let installed = npm(&["init", "-y"]).and_then(|_| {
            let mut args = vec!["install", "--silent", "--no-audit", "--no-fund"];
            args.extend(PACKAGES);
            npm(&args)
        });
        match installed {
            Ok(out) if out.status.success() => {}
            _ => {
                return Err(LabError::Check(format!(
                    "qr-code-styling could not be installed (needs Node's npm and the npm registry): npm install {}",
                    PACKAGES.join(" ")
                )))
            }
        }
        std::fs::write(scratch.path().join("peer-examples.mjs"), PEER_EXAMPLES)?;
        Ok(Peer { scratch })
    }

    /// Write `count` pairs of `dots` with `look`'s finders into `out`, and their payloads,
    /// `NAME<TAB>payload` a line, into `index`.
    #[allow(clippy::too_many_arguments)]
    pub fn examples(
        &self,
        out: &Path,
        index: &Path,
        dots: &str,
        look: &PeerLook,
        versions: &str,
        seed: u32,
        count: usize,
    ) -> Result<(), LabError> {
        let status = Command::new("node")
            .arg(self.scratch.path().join("peer-examples.mjs"))
            .arg(self.scratch.path())
            .arg(out)
            .args(["--dots", dots, "--rings", &look.rings, "--centres", &look.centres, "--colour", COLOUR])
            .args(["--width", &look.width.to_string(), "--versions", versions])
            .args(["--count", &count.to_string(), "--seed", &seed.to_string()])
            .arg("--payloads")
            .arg(index)
            .status()?;
        if !status.success() {
            return Err(LabError::Check(format!("qr-code-styling could not draw {dots} examples")));
        }
        Ok(())
    }
}
