//! Logos (`--logo`, the studio's upload, `StyleOptions.logo` from an app): PNG, JPEG or SVG
//! bytes from whoever made the image. Read within the logo's limits (bytes, pixels, images an
//! SVG embeds), an SVG only from itself; when accepted, the image is placed on a version-1
//! code.
#![no_main]
use libfuzzer_sys::fuzz_target;
use qrveil_sdk::Logo;

fuzz_target!(|data: &[u8]| {
    let Ok(logo) = Logo::from_bytes(data) else { return };
    let (w, h) = logo.image.dimensions();
    assert!(w > 0 && h > 0 && u64::from(w) * u64::from(h) <= Logo::PIXELS_LIMIT, "{w}x{h}");
    if logo.media_type == "image/svg+xml" {
        assert!(w.max(h) == 1024 && w.min(h) >= 1, "an SVG is rasterised to 1024 px: {w}x{h}");
    }
    assert_eq!(logo.source, data);
    let (x, y, bw, bh) = logo.frame(21);
    assert!([x, y, bw, bh].iter().all(|v| v.is_finite()) && bw <= 21.0 * logo.size + 1e-3);
    assert_eq!(logo.hidden(21).len(), 21 * 21);
});
