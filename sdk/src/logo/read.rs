//! A logo's bytes to pixels. They come from whoever made the logo, so they are read from
//! themselves alone and within bounds set before anything is decoded: at most
//! [`Logo::BYTES_LIMIT`] bytes, [`Logo::PIXELS_LIMIT`] pixels from the header of a raster, and
//! an SVG rasterised to [`SVG_RASTER_PX`] on its longer side. usvg's default options follow
//! `<image href="/any/path">` to the file system (`/dev/zero` reads until the app is killed;
//! another SVG the app can read is drawn into the code the user shares); here an `<image>`
//! resolves only from a `data:` URI, and one of those only within the same bounds.

use super::{invalid, Logo};
use crate::SdkError;
use image::{ImageFormat, ImageReader, Limits, RgbaImage};
use resvg::usvg;
use std::io::Cursor;
use std::sync::{Arc, Mutex, PoisonError};

/// Pixels on the longer side that an SVG logo is rasterised to.
const SVG_RASTER_PX: u32 = 1024;
/// What the decoder may allocate for a raster within [`Logo::PIXELS_LIMIT`]: 16-bit RGBA at
/// 8 bytes a pixel, and room for its row buffers and metadata chunks.
const DECODE_ALLOC_LIMIT: u64 = Logo::PIXELS_LIMIT * 8 + (16 << 20);

/// The pixels and media type of a PNG, JPEG or SVG logo.
pub(super) fn image(bytes: &[u8]) -> Result<(RgbaImage, &'static str), SdkError> {
    if bytes.len() > Logo::BYTES_LIMIT {
        return Err(invalid(format!(
            "the image is {} bytes, over the limit of {} bytes (4 MiB); export it smaller (a logo is drawn at most a few hundred pixels wide)",
            bytes.len(),
            Logo::BYTES_LIMIT
        )));
    }
    if looks_like_svg(bytes) {
        Ok((rasterise_svg(bytes)?, "image/svg+xml"))
    } else {
        raster(bytes)
    }
}

/// Markup, by its first non-blank character (the first 512 bytes, cut at a whole character).
fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(512)];
    let text =
        std::str::from_utf8(head).unwrap_or_else(|e| std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default());
    text.trim_start().starts_with('<')
}

/// `w` x `h` pixels, or why `what` is refused.
fn check_pixels(what: &str, (w, h): (u32, u32)) -> Result<(), String> {
    let pixels = u64::from(w) * u64::from(h);
    if pixels > Logo::PIXELS_LIMIT {
        return Err(format!(
            "{what} is {w}x{h} = {pixels} pixels, over the limit of {} (4096x4096); scale it down",
            Logo::PIXELS_LIMIT
        ));
    }
    Ok(())
}

/// A reader of `bytes` as `format` that allocates no more than a logo within the limits needs
/// and, once its `size` is known, decodes nothing larger.
fn bounded_reader(bytes: &[u8], format: ImageFormat, size: Option<(u32, u32)>) -> ImageReader<Cursor<&[u8]>> {
    let mut limits = Limits::default();
    limits.max_alloc = Some(DECODE_ALLOC_LIMIT);
    (limits.max_image_width, limits.max_image_height) = (size.map(|s| s.0), size.map(|s| s.1));
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    reader
}

/// PNG or JPEG bytes, their size read from the header and checked before they are decoded.
fn raster(bytes: &[u8]) -> Result<(RgbaImage, &'static str), SdkError> {
    let (format, media_type) = match image::guess_format(bytes) {
        Ok(ImageFormat::Png) => (ImageFormat::Png, "image/png"),
        Ok(ImageFormat::Jpeg) => (ImageFormat::Jpeg, "image/jpeg"),
        Ok(other) => return Err(invalid(format!("not a PNG, JPEG or SVG image ({other:?})"))),
        Err(e) => return Err(invalid(format!("not a PNG, JPEG or SVG image ({e})"))),
    };
    let unreadable = |e: image::ImageError| invalid(format!("cannot read the image: {e}"));
    let size = bounded_reader(bytes, format, None).into_dimensions().map_err(unreadable)?;
    check_pixels("the image", size).map_err(invalid)?;
    let decoded = bounded_reader(bytes, format, Some(size)).decode().map_err(unreadable)?;
    Ok((decoded.into_rgba8(), media_type))
}

/// The `data:` images an SVG logo embeds, counted across its parse (usvg's resolver cannot
/// return an error, so the first refusal waits here for the parse to end).
#[derive(Default)]
struct Embedded {
    count: usize,
    refused: Option<String>,
}

/// Whether an image embedded as `data` (of media type `mime`) may be resolved: `Err` refuses
/// the logo, `Ok(false)` leaves the image undrawn.
fn admit(embedded: &Mutex<Embedded>, mime: &str, data: &[u8]) -> Result<bool, String> {
    let mut state = embedded.lock().unwrap_or_else(PoisonError::into_inner);
    state.count += 1;
    if state.count > Logo::SVG_IMAGES_LIMIT {
        return Err(format!(
            "the SVG embeds more than {} images (each <use> of one counts); flatten it",
            Logo::SVG_IMAGES_LIMIT
        ));
    }
    drop(state);
    // usvg inflates a gzipped SVG without bound.
    if data.starts_with(&[0x1f, 0x8b]) {
        return Err("an image inside the SVG is gzip-compressed (SVGZ); embed it uncompressed".into());
    }
    let raster_mime = matches!(mime, "image/png" | "image/jpeg" | "image/jpg" | "image/gif" | "image/webp");
    let format = image::guess_format(data).ok();
    if !raster_mime && format.is_none() {
        return Ok(true); // a nested SVG, parsed with these same options (or nothing usvg draws)
    }
    // A raster whose size cannot be read from its header is left undrawn.
    match format.filter(|f| matches!(f, ImageFormat::Png | ImageFormat::Jpeg)) {
        Some(f) => match bounded_reader(data, f, None).into_dimensions() {
            Ok(size) => check_pixels("an image inside the SVG", size).map(|()| true),
            Err(_) => Ok(false),
        },
        None => Ok(false),
    }
}

/// usvg's options for a logo: `data:` images only, each admitted first (see [`admit`]); no
/// path, relative or absolute, and no URL resolves. No fonts: usvg is built without its `text`
/// feature, so `<text>` is not drawn (were it built with it, the default font database here is
/// empty: no system font is loaded).
fn svg_options(embedded: &Mutex<Embedded>) -> usvg::Options<'_> {
    let data = usvg::ImageHrefResolver::default_data_resolver();
    let resolve_data = move |mime: &str, bytes: Arc<Vec<u8>>, opts: &usvg::Options| match admit(embedded, mime, &bytes)
    {
        Ok(true) => data(mime, bytes, opts),
        Ok(false) => None,
        Err(why) => {
            embedded.lock().unwrap_or_else(PoisonError::into_inner).refused.get_or_insert(why);
            None
        }
    };
    usvg::Options {
        resources_dir: None,
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(resolve_data),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    }
}

fn rasterise_svg(bytes: &[u8]) -> Result<RgbaImage, SdkError> {
    let embedded = Mutex::new(Embedded::default());
    let tree = usvg::Tree::from_data(bytes, &svg_options(&embedded))
        .map_err(|e| invalid(format!("cannot read the SVG image: {e}")))?;
    if let Some(why) = embedded.into_inner().unwrap_or_else(PoisonError::into_inner).refused {
        return Err(invalid(why));
    }
    let size = tree.size();
    let scale = SVG_RASTER_PX as f32 / size.width().max(size.height());
    let (w, h) = ((size.width() * scale).ceil() as u32, (size.height() * scale).ceil() as u32);
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w.clamp(1, SVG_RASTER_PX), h.clamp(1, SVG_RASTER_PX))
        .ok_or_else(|| invalid("the SVG image is empty"))?;
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    // tiny-skia keeps premultiplied colour; images are straight.
    let pixels = pixmap
        .pixels()
        .iter()
        .flat_map(|p| {
            let c = p.demultiply();
            [c.red(), c.green(), c.blue(), c.alpha()]
        })
        .collect();
    RgbaImage::from_raw(pixmap.width(), pixmap.height(), pixels).ok_or_else(|| invalid("the SVG image is empty"))
}

#[cfg(test)]
mod tests;
