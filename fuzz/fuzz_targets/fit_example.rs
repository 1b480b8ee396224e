//! Fit examples (`qrveil style fit`): a styled image and its plain original, decoded and fitted.
//! The input is split at its first 4 bytes' length (little endian) into the two files. Images
//! over 128×128 pixels are skipped: the same code runs on them, only slower (a version-1 code
//! at 3 px per module with its quiet zone is 87 px a side).
#![no_main]
use libfuzzer_sys::fuzz_target;
use qrveil_fit::{fit, Example, FitOptions};

fn small(bytes: &[u8]) -> bool {
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format();
    match reader.map(|r| r.into_dimensions()) {
        Ok(Ok((w, h))) => (w as u64) * (h as u64) <= 128 * 128,
        _ => true,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((len, rest)) = data.split_first_chunk::<4>() else { return };
    let len = (u32::from_le_bytes(*len) as usize).min(rest.len());
    let (styled, plain) = rest.split_at(len);
    if !small(styled) || !small(plain) {
        return;
    }
    let Ok(example) = Example::decode("fuzz", styled, plain) else { return };
    let _ = fit(&[example], &FitOptions::default(), &mut |_| {});
});
