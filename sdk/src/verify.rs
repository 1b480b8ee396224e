//! The readability guarantee, part two: decode the rendered image with `rqrr` (a decoder we
//! did not write) and require exactly the payload's bytes.

use crate::colour::grey;
use image::RgbImage;
use qrveil_style::Rgb;

/// Why a rendered image did not verify; never repeats what was decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("rqrr found no QR code in the rendered image")]
    NoCode,
    #[error("rqrr found a QR code but could not decode it ({0})")]
    Undecodable(String),
    #[error("rqrr decoded the image to different data")]
    OtherData,
}

/// Decode every QR symbol `rqrr` finds in `img`; the payloads as raw bytes.
pub fn decode_all(img: &RgbImage) -> Vec<Result<Vec<u8>, String>> {
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(img.width() as usize, img.height() as usize, |x, y| {
            let [r, g, b] = img.get_pixel(x as u32, y as u32).0;
            grey(Rgb(r, g, b))
        });
    prepared
        .detect_grids()
        .into_iter()
        .map(|grid| {
            let mut bytes = Vec::new();
            grid.decode_to(&mut bytes).map(|_| bytes).map_err(|e| e.to_string())
        })
        .collect()
}

/// Ok if `img` decodes to `payload`.
pub fn verify(img: &RgbImage, payload: &[u8]) -> Result<(), VerifyError> {
    let results = decode_all(img);
    if results.iter().any(|r| r.as_deref() == Ok(payload)) {
        return Ok(());
    }
    Err(match results.into_iter().next() {
        None => VerifyError::NoCode,
        Some(Err(e)) => VerifyError::Undecodable(e),
        Some(Ok(_)) => VerifyError::OtherData,
    })
}
