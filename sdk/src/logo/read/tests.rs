//! A logo is read from its own bytes, within its limits, and refused with them in the message.

use super::*;
use base64::Engine;
use std::time::{Duration, Instant};

/// A 100 x 100 SVG: white, with `inner` over it.
fn svg(inner: &str) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100"><rect width="100" height="100" fill="white"/>{inner}</svg>"#
    )
}

fn red_svg() -> &'static str {
    r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="red"/></svg>"#
}

fn reds(image: &RgbaImage) -> usize {
    image.pixels().filter(|p| p[0] > 200 && p[1] < 60 && p[2] < 60 && p[3] > 200).count()
}

fn data_uri(mime: &str, bytes: &[u8]) -> String {
    format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// PNG bytes whose header claims `w` x `h` RGBA pixels: a signature, IHDR, the start of an
/// IDAT and IEND; small however large the image it claims.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let body = [kind, data].concat();
        png.extend_from_slice(&body);
        png.extend_from_slice(&crc32(&body).to_be_bytes());
    };
    chunk(b"IHDR", &[&w.to_be_bytes()[..], &h.to_be_bytes(), &[8, 6, 0, 0, 0]].concat());
    chunk(b"IDAT", &[0x78, 0x9c, 0x63, 0x00, 0x00]);
    chunk(b"IEND", &[]);
    png
}

fn red_png(side: u32) -> Vec<u8> {
    let mut png = Vec::new();
    image::DynamicImage::ImageRgba8(RgbaImage::from_pixel(side, side, image::Rgba([255, 0, 0, 255])))
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .expect("png");
    png
}

fn refusal(bytes: &[u8]) -> String {
    image(bytes).map(|_| ()).expect_err("refused").to_string()
}

/// usvg's default resolver reads `<image href>` from the file system: an SVG the app can
/// read would be drawn into the code the user shares. Neither an absolute path nor
/// `xlink:href` nor a `file:` URL draws it.
#[test]
fn an_svg_logo_draws_no_file_it_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let secret = dir.path().join("secret.svg");
    std::fs::write(&secret, red_svg()).expect("write");
    let path = secret.to_str().expect("a UTF-8 path");
    let hrefs = [
        format!(r#"<image href="{path}" width="100" height="100"/>"#),
        format!(r#"<image xlink:href="{path}" width="100" height="100"/>"#),
        format!(r#"<image href="file://{path}" width="100" height="100"/>"#),
    ];
    for inner in hrefs {
        let (logo, media_type) = image(svg(&inner).as_bytes()).expect("the SVG reads");
        assert_eq!((logo.dimensions(), media_type), ((1024, 1024), "image/svg+xml"));
        assert_eq!(reds(&logo), 0, "{inner}: the file was drawn into the logo");
        assert!(logo.pixels().all(|p| p.0 == [255, 255, 255, 255]), "{inner}: only the white ground");
    }
}

/// `/dev/zero` is never opened, so the logo is read at once (usvg's default reads it until
/// the process is killed for memory).
#[cfg(unix)]
#[test]
fn an_svg_logo_naming_dev_zero_reads_at_once() {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let svg = svg(r#"<image href="/dev/zero" width="100" height="100"/>"#);
        let _ = send.send(image(svg.as_bytes()).map(|(logo, _)| logo.dimensions()));
    });
    let read = receive.recv_timeout(Duration::from_secs(30)).expect("reads within 30 s");
    assert_eq!(read.expect("the SVG reads"), (1024, 1024));
}

/// A `data:` image still resolves: a nested SVG is drawn, a raster within the limits is
/// accepted (this build of resvg draws no rasters inside an SVG: no `raster-images` feature).
#[test]
fn an_svg_logo_draws_its_data_uri_images() {
    let nested = svg(&format!(
        r#"<image href="{}" width="100" height="100"/>"#,
        data_uri("image/svg+xml", red_svg().as_bytes())
    ));
    let (logo, _) = image(nested.as_bytes()).expect("reads");
    assert!(reds(&logo) > 1000 * 1000, "{} red pixels", reds(&logo));
    let raster = svg(&format!(r#"<image href="{}" width="50" height="50"/>"#, data_uri("image/png", &red_png(8))));
    assert!(image(raster.as_bytes()).is_ok());
}

#[test]
fn a_raster_over_the_pixel_limit_is_refused_from_its_header() {
    let started = Instant::now();
    let huge = png_claiming(20_000, 20_000);
    let err = refusal(&huge);
    assert!(err.contains("20000x20000 = 400000000 pixels") && err.contains("limit of 16777216"), "{err}");
    // Inside an SVG too, as a data: URI, whatever media type it claims.
    for mime in ["image/png", "text/plain", "image/svg+xml"] {
        let inner = format!(r#"<image href="{}" width="10" height="10"/>"#, data_uri(mime, &huge));
        let err = refusal(svg(&inner).as_bytes());
        assert!(err.contains("an image inside the SVG is 20000x20000") && err.contains("16777216"), "{mime}: {err}");
    }
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    // The limit itself is allowed, one pixel more is not, and nothing overflows.
    assert!(check_pixels("it", (4096, 4096)).is_ok() && check_pixels("it", (16_777_216, 1)).is_ok());
    assert!(check_pixels("it", (4097, 4096)).is_err() && check_pixels("it", (u32::MAX, u32::MAX)).is_err());
    // A small PNG still reads, as PNG.
    let (logo, media_type) = image(&red_png(8)).expect("reads");
    assert_eq!((logo.dimensions(), media_type, reds(&logo)), ((8, 8), "image/png", 64));
}

#[test]
fn bytes_over_the_limit_are_refused_before_they_are_read() {
    let mut big = red_png(8);
    big.resize(Logo::BYTES_LIMIT + 1, 0);
    let err = refusal(&big);
    assert!(err.contains("4194305 bytes, over the limit of 4194304 bytes"), "{err}");
    let mut big_svg = svg("").into_bytes();
    big_svg.resize(Logo::BYTES_LIMIT + 1, b' ');
    assert!(refusal(&big_svg).contains("over the limit of 4194304 bytes"));
}

/// More embedded images than a logo needs (here, by `<use>` of one) and gzipped SVGs, which
/// usvg would inflate without bound, are refused.
#[test]
fn an_svg_embedding_many_images_or_a_gzipped_one_is_refused() {
    let one = format!(r#"<image id="i" href="{}" width="10" height="10"/>"#, data_uri("image/png", &red_png(2)));
    let uses = r##"<use href="#i"/>"##.repeat(Logo::SVG_IMAGES_LIMIT);
    let err = refusal(svg(&format!("{one}{uses}")).as_bytes());
    assert!(err.contains("more than 8 images"), "{err}");
    let fewer = r##"<use href="#i"/>"##.repeat(Logo::SVG_IMAGES_LIMIT - 1);
    assert!(image(svg(&format!("{one}{fewer}")).as_bytes()).is_ok());
    let gzipped = format!(r#"<image href="{}"/>"#, data_uri("image/svg+xml", b"\x1f\x8b\x08\x00\x00\x00\x00\x00"));
    assert!(refusal(svg(&gzipped).as_bytes()).contains("gzip-compressed"));
}

/// No fonts are loaded: text is not drawn. An SVG is known by its markup even when its
/// 512th byte falls inside a character.
#[test]
fn text_is_not_drawn_and_an_svg_is_known_by_its_start() {
    let (logo, _) =
        image(svg(r#"<text x="10" y="50" font-size="40" fill="red">Logo</text>"#).as_bytes()).expect("reads");
    assert_eq!(reds(&logo), 0);
    let mut padded = format!("<!--{}", " ".repeat(507));
    padded.push_str("é-->");
    padded.push_str(red_svg());
    assert_eq!(padded.as_bytes()[511], "é".as_bytes()[0]);
    let (logo, media_type) = image(padded.as_bytes()).expect("reads as SVG");
    assert_eq!((media_type, reds(&logo)), ("image/svg+xml", 1024 * 1024));
}
