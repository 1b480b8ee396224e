//! Where the emulated cloud is: `tests/emulated-cloud.sh` starts it and hands its addresses to
//! the `--ignored` suites through `QRVEIL_EMU_*` variables.

const NEEDS: &str = "needs the emulators: run tests/emulated-cloud.sh";

/// A `QRVEIL_EMU_*` setting; its absence means the suite was run without the emulators.
pub fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: {NEEDS}"))
}

/// The presign endpoint's bearer token.
pub fn token() -> String {
    std::fs::read_to_string(var("QRVEIL_EMU_TOKEN_FILE")).expect("the token file").trim().to_string()
}

/// The presign endpoint (the emulated Function URL).
pub fn presign_url() -> String {
    format!("{}/lambda-url/qrveil-presign/", var("QRVEIL_EMU_LAMBDA"))
}
