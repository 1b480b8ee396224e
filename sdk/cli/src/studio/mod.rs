//! `qrveil studio`: design a look in the browser. The page is served on 127.0.0.1 only, behind a
//! per-run token, and every preview is made by the real pipeline in this process (keys,
//! encryption, the style function on the ciphertexts, decryption, the checks, the judges).

mod api;
mod gate;
mod server;
#[cfg(test)]
mod tests;

use crate::{usage, CliError};
use clap::Args;
use server::Studio;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

#[derive(Args)]
pub struct StudioArgs {
    /// Port on 127.0.0.1 [default: a free one].
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Print the address only; do not open a browser.
    #[arg(long)]
    no_browser: bool,
}

pub fn run(args: StudioArgs) -> Result<(), CliError> {
    let studio = Studio::bind(args.port).map_err(|e| usage("studio", e))?;
    let url = studio.url();
    // First line on stdout: scripts (and the browser test) read the address from it.
    println!("{url}");
    let _ = std::io::stdout().flush();
    eprintln!("qrveil studio: open the address above (it holds this run's token); Ctrl-C stops it.");
    eprintln!("previews run here: nothing you type leaves this machine.");
    // Ctrl-C (or a TERM) ends the process at once: remove the previews' folder first.
    let work = studio.work_dir().to_path_buf();
    ctrlc::set_handler(move || {
        let _ = std::fs::remove_dir_all(&work);
        eprintln!("\nqrveil studio: stopped");
        std::process::exit(130);
    })
    .map_err(|e| usage("studio", format!("cannot catch Ctrl-C: {e}")))?;
    if !args.no_browser {
        if let Err(e) = open_browser(studio.work_dir(), &url) {
            eprintln!("could not open a browser ({e}): open the address yourself");
        }
    }
    studio.serve();
    Ok(())
}

/// Open the page through a file only this user can read that redirects to it, so the token
/// never shows on a command line (another user's `ps` would see it there).
fn open_browser(dir: &Path, url: &str) -> std::io::Result<()> {
    let file = dir.join("open.html");
    let page =
        format!("<!doctype html><meta http-equiv=\"refresh\" content=\"0;url={url}\"><title>qrveil studio</title>");
    std::fs::write(&file, page)?;
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    Command::new(opener).arg(&file).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn()?;
    Ok(())
}
