//! The SVG against the PNG: both are drawn from the same tiles by separate code, so a shape
//! wrong in one shows up as a difference, and the rasterised SVG must still decode.

use super::*;
use crate::fill::{ColourMap, Stop};
use crate::finish::Drawing;
use crate::palette::{Background, Colours, Palette};
use crate::qr::{encode, EcLevel};
use crate::verify::verify;
use image::RgbImage;
use qrveil_style::recipe::Patterns;
use qrveil_style::recipe::{CentreShape, RingShape};
use qrveil_style::spec::served_example;
use qrveil_style::{clear, Rgb, StyleId, PRESETS};

fn rasterise(svg: &str) -> RgbImage {
    let tree = resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default()).expect("valid SVG");
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).expect("pixmap");
    resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
    // Over white, as the raster is shown to decoders: premultiplied colour plus white
    // where it is transparent.
    RgbImage::from_fn(size.width(), size.height(), |x, y| {
        let p = pixmap.pixel(x, y).expect("in bounds");
        let white = 255 - p.alpha();
        image::Rgb([p.red() + white, p.green() + white, p.blue() + white])
    })
}

/// Fills the peers offer: an angled three-stop gradient on the dots, radial rings, solid
/// centres, on a radial background or none.
fn fancy(transparent: bool) -> Palette {
    let stop = |offset, colour| Stop { offset, colour };
    let dots = Fill::gradient(
        GradientKind::Linear { rotation: 0.6 },
        vec![stop(0.0, Rgb(21, 137, 6)), stop(0.5, Rgb(30, 90, 200)), stop(1.0, Rgb(247, 105, 9))],
    )
    .expect("valid");
    let rings = Fill::gradient(GradientKind::Radial, vec![stop(0.0, Rgb(120, 0, 120)), stop(1.0, Rgb(0, 0, 0))])
        .expect("valid");
    let background = if transparent {
        Background::Transparent
    } else {
        let stops = vec![stop(0.0, Rgb(255, 255, 255)), stop(1.0, Rgb(235, 245, 255))];
        Background::Fill(Fill::gradient(GradientKind::Radial, stops).expect("valid"))
    };
    let colours = Colours { dots, rings, centres: Fill::Solid(Rgb(200, 30, 30)), background, area: Area::Symbol };
    colours.palette()
}

/// Dots in a colour map (a Chebyshev square from black to blue, which no gradient draws),
/// rings and centres in its colours, at `balanced`.
fn mapped() -> Palette {
    let side = 5;
    let colours = (0..side * side)
        .map(|k| {
            let (x, y) = ((k % side) as f32 / 4.0 - 0.5, (k / side) as f32 / 4.0 - 0.5);
            Rgb(0, 40, (255.0 * 2.0 * x.abs().max(y.abs())) as u8)
        })
        .collect();
    let dots = Fill::Map(ColourMap::new(side, colours).expect("valid"));
    let background = Background::Fill(Fill::Solid(Rgb(255, 255, 255)));
    let colours = Colours { rings: dots.clone(), centres: dots.clone(), dots, background, area: Area::Image };
    colours.palette()
}

/// A fitted look made by hand: every dark module's corners cut off by 0.2 of a module.
fn cut_corners() -> TileSet {
    let codes = (0..16)
        .map(|code| {
            std::array::from_fn(|q| {
                let mirror =
                    |[x, y]: [f32; 2]| [if q & 1 == 1 { 1.0 - x } else { x }, if q & 2 == 2 { 1.0 - y } else { y }];
                let pentagon = [[0.0, 0.0], [0.5, 0.0], [0.5, 0.3], [0.3, 0.5], [0.0, 0.5]];
                if code >> q & 1 == 1 {
                    vec![pentagon.map(mirror).to_vec()]
                } else {
                    Vec::new()
                }
            })
        })
        .collect();
    TileSet::new(codes).expect("valid")
}

/// Cut corners as a wide look's class tiles: class 1 (a dark module) has all four outer
/// corners cut; a class tile lies on its module, so its outer corners are the tile's.
fn cut_corner_classes() -> TileSet {
    let quarter = |q: usize| {
        let mirror = |[x, y]: [f32; 2]| [if q & 1 == 1 { 1.0 - x } else { x }, if q & 2 == 2 { 1.0 - y } else { y }];
        vec![[[0.2, 0.0], [0.5, 0.0], [0.5, 0.5], [0.0, 0.5], [0.0, 0.2]].map(mirror).to_vec()]
    };
    let codes =
        (0..16).map(|class| std::array::from_fn(|q| if class == 1 { quarter(q) } else { Vec::new() })).collect();
    TileSet::new(codes).expect("valid")
}

#[test]
fn every_style_svg_matches_its_png_and_decodes() {
    let payload = b"https://qrveil.invalid/s/8f3a?k=Zm9v";
    let symbol = encode(payload, EcLevel::M, Some(3)).expect("fits");
    let preset = Palette::new(&PRESETS[0]);
    // Every style with square patterns, then every pattern shape the SDK draws with one
    // style, then fills; each in the colours the SDK settles on for it (the chosen ones, or
    // the least change its checks need).
    let (fitted, classes) = (cut_corners(), cut_corner_classes());
    let looks = StyleId::SERVED
        .map(|id| (id, Patterns::default(), preset.clone()))
        .into_iter()
        .chain(RingShape::ALL.into_iter().flat_map(|ring| {
            CentreShape::ALL.map(|centre| (StyleId::Rounded, Patterns { ring, centre }, preset.clone()))
        }))
        .chain([false, true].map(|clear| {
            (StyleId::ClassyRounded, Patterns { centre: CentreShape::Dot, ..Default::default() }, fancy(clear))
        }))
        .chain([(StyleId::Fitted, Patterns::default(), mapped())]);
    for (id, patterns, palette) in looks {
        let style = served_example(id);
        let outputs = clear::evaluate(&style.server, &symbol.grid).expect("evaluates");
        let drawing = Drawing::styled(style.geometry, &symbol.grid, &outputs).expect("tiles");
        let tiles = if id == StyleId::FittedWide { &classes } else { &fitted };
        let id = format!("{id} {patterns:?} transparent {}", palette.transparent());
        let canvas = Canvas { patterns, fitted: Some(tiles), ..drawing.canvas(8, 4, palette) };
        let seed = crate::capture::seed_of(&symbol.grid);
        let settled =
            crate::settle::settle(&drawing, &canvas, payload, crate::capture::Scan::Ordinary, seed).expect("settles");
        let canvas = Canvas { palette: settled.palette, tiles: settled.drawing.tiles(), ..canvas };
        let png = canvas.to_image();
        let svg = rasterise(&canvas.to_svg());
        assert_eq!(svg.dimensions(), png.dimensions(), "{id}");
        let (mut sum, mut far) = (0u64, 0usize);
        for (a, b) in png.pixels().zip(svg.pixels()) {
            let d: u32 = (0..3).map(|c| (a.0[c] as i32 - b.0[c] as i32).unsigned_abs()).sum();
            sum += d as u64;
            far += usize::from(d > 3 * 96);
        }
        let pixels = (png.width() * png.height()) as usize;
        let mean = sum as f64 / (3.0 * 255.0 * pixels as f64);
        // Only anti-aliased edges may differ, and never by much.
        assert!(
            mean < 0.01 && far * 200 < pixels,
            "{id}: mean difference {mean:.4}, {far} of {pixels} pixels far apart"
        );
        // Both judges read both renders of every look the SDK draws, round rings included.
        assert_eq!(verify(&png, payload), Ok(()), "{id}: PNG");
        assert_eq!(verify(&svg, payload), Ok(()), "{id}: rasterised SVG");
    }
}
