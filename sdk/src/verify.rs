//! The readability guarantee, part two: decode the rendered image with `rqrr` (a decoder we
//! did not write) and require exactly the payload's bytes.

use image::RgbImage;

/// Decode every QR symbol `rqrr` finds in `img`; the payloads as raw bytes.
pub fn decode_all(img: &RgbImage) -> Vec<Result<Vec<u8>, String>> {
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        img.width() as usize,
        img.height() as usize,
        |x, y| {
            let p = img.get_pixel(x as u32, y as u32).0;
            (0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32).round() as u8
        },
    );
    prepared
        .detect_grids()
        .into_iter()
        .map(|grid| {
            let mut bytes = Vec::new();
            grid.decode_to(&mut bytes).map(|_| bytes).map_err(|e| e.to_string())
        })
        .collect()
}

/// Ok if `img` decodes to `payload`. The error says what was found instead, without
/// repeating any payload.
pub fn verify(img: &RgbImage, payload: &[u8]) -> Result<(), String> {
    let results = decode_all(img);
    if results.iter().any(|r| r.as_deref() == Ok(payload)) {
        return Ok(());
    }
    Err(match results.first() {
        None => "rqrr found no QR code in the rendered image".to_string(),
        Some(Err(e)) => format!("rqrr found a QR code but could not decode it ({e})"),
        Some(Ok(_)) => "rqrr decoded the image to different data".to_string(),
    })
}
