//! Fitting looks drawn by qrveil's own built-in styles: the fitted look must draw codes it never
//! saw as the built-in draws them (an independent code path: corner rules and dots, not tiles),
//! and bad example folders must fail naming the example at fault.

use image::{GrayImage, RgbImage};
use qrveil_fit::{compare, draw, fit, grid, load_examples, mean_difference, Example, FitError, FitOptions, Model};
use qrveil_sdk::{encode, Area, Background, Canvas, Contrast, Drawing, EcLevel, Fill, GradientKind, Palette, Stop};
use qrveil_style::recipe::{CentreShape, Patterns, RingShape, TileSet};
use qrveil_style::spec::served_example;
use qrveil_style::{clear, ModuleGrid, Plan, Preset, Readability, Rgb, StyleId, Tier, PRESETS};

fn symbol(i: usize) -> ModuleGrid {
    let version = 1 + (i % 4) as u8;
    let payload = format!("fit {i} {}", "x".repeat(4 * (i % 4)));
    encode(payload.as_bytes(), EcLevel::M, Some(version)).expect("fits").grid
}

/// `grid` as style `id` draws it: the clear evaluation, then the recipe's tiles.
fn drawing(id: StyleId, grid: &ModuleGrid) -> Drawing {
    let style = served_example(id);
    let outputs = clear::evaluate(&style.server, grid).expect("valid");
    Drawing::styled(style.geometry, grid, &outputs).expect("layout")
}

fn drawn(id: StyleId, grid: &ModuleGrid, palette: Palette, px: u32, qz: u32) -> RgbImage {
    let drawing = drawing(id, grid);
    drawing.canvas(px, qz, palette).to_image()
}

fn plain(grid: &ModuleGrid, px: u32, qz: u32) -> GrayImage {
    let mono = PRESETS.iter().find(|p| p.name == "mono").copied().unwrap_or_default();
    let img = Drawing::plain(grid).canvas(px, qz, Palette::new(&mono)).to_image();
    image::DynamicImage::ImageRgb8(img).to_luma8()
}

/// Dark enough that no readability level moves it, so examples and fitted renders share it.
const NAVY: Preset =
    Preset { name: "navy", left: Rgb(10, 15, 60), right: Rgb(10, 15, 60), background: Rgb(255, 255, 255) };

fn examples(id: StyleId, range: std::ops::Range<usize>) -> Vec<Example> {
    examples_at(id, range, 10)
}

/// Examples drawn at `px` pixels per module.
fn examples_at(id: StyleId, range: std::ops::Range<usize>, px: u32) -> Vec<Example> {
    range
        .map(|i| {
            let g = symbol(i);
            let palette = Palette::new(&NAVY);
            Example { name: format!("{id}-{i:02}"), styled: drawn(id, &g, palette, px, 4), plain: plain(&g, px, 4) }
        })
        .collect()
}

fn options() -> FitOptions {
    FitOptions { name: Some("test".into()), readability: Readability::Vivid, ..FitOptions::default() }
}

#[test]
fn the_grid_is_found_at_any_module_size_and_quiet_zone() {
    for (i, (px, qz)) in [(1, 4), (3, 2), (10, 4), (7, 0)].into_iter().enumerate() {
        let g = symbol(i + 3);
        let found = grid::find_grid(&plain(&g, px, qz)).expect("found");
        assert_eq!(
            (found.side, found.module, found.left),
            (g.side(), px as f32, (qz * px) as f32),
            "{px} px, {qz} quiet"
        );
        assert_eq!(grid::read_modules(&plain(&g, px, qz), &found).expect("read"), g);
    }
}

#[test]
fn a_fitted_look_draws_unseen_codes_as_the_built_in_it_was_fitted_on() {
    for id in [StyleId::Rounded, StyleId::Dots] {
        let report = fit(&examples(id, 0..12), &options(), &mut |_| {}).expect("fits");
        assert!(report.ink_rms < 3.0, "{id}: ink rms {}", report.ink_rms);
        // A vertex block explains these: the wide model, which would cost PBS, is not chosen.
        assert_eq!((report.model.chosen, report.document.dots_options.kind.as_str()), ("vertex", "fitted"), "{id}");
        for e in &report.examples {
            assert!(e.residual.is_some_and(|r| r < 0.02), "{id} {}: {:?}", e.name, e.residual);
        }
        // Codes it never saw, against the built-in's own drawing of them. The built-in draws a
        // few modules by readability rules a fitted look does not share (squares beside the
        // timing patterns, look-alike dots), hence a bound well below a square look's distance
        // rather than zero.
        for (fit, _) in compare(&report.document, &examples(id, 20..24), false).expect("compares") {
            assert!(fit.residual.is_some_and(|r| r < 0.02), "{id} {}: {:?}", fit.name, fit.residual);
        }
        let g = symbol(30);
        let palette = || Palette::new(&NAVY);
        let (builtin, square) = (drawn(id, &g, palette(), 10, 4), drawn(StyleId::Square, &g, palette(), 10, 4));
        let mine = draw(&report.document, &g, 10, 4, false).expect("draws");
        let (to_builtin, square_to_builtin) = (mean_difference(&mine, &builtin), mean_difference(&square, &builtin));
        assert!(to_builtin < 0.5 * square_to_builtin, "{id}: {to_builtin} vs a square look's {square_to_builtin}");
    }
}

/// Examples of `id` as they come from a renderer at a fractional scale: drawn at 10 px per
/// module, then resized by `scale` (about 7.3 px per module at 0.73), area-averaged.
fn scaled_examples(id: StyleId, range: std::ops::Range<usize>, scale: f32) -> Vec<Example> {
    let resize = |img: &RgbImage| {
        let size = |v: u32| (v as f32 * scale).round() as u32;
        image::imageops::resize(img, size(img.width()), size(img.height()), image::imageops::FilterType::Triangle)
    };
    examples(id, range)
        .into_iter()
        .map(|e| {
            let plain = image::DynamicImage::ImageLuma8(e.plain).to_rgb8();
            let plain = image::DynamicImage::ImageRgb8(resize(&plain)).to_luma8();
            Example { name: e.name, styled: resize(&e.styled), plain }
        })
        .collect()
}

#[test]
fn the_residual_is_measured_at_a_fractional_module_size() {
    for scale in [0.73, 1.37] {
        let dots = scaled_examples(StyleId::Dots, 0..8, scale);
        let report = fit(&dots, &options(), &mut |_| {}).expect("fits");
        let worst = report.examples.iter().map(|e| e.residual.expect("measured")).fold(0.0, f32::max);
        assert!(worst < 0.03, "scale {scale}: worst residual {worst}");
        // The measure tells looks apart: a square look fitted at the same scale is far off.
        let squares = fit(&scaled_examples(StyleId::Square, 0..8, scale), &options(), &mut |_| {}).expect("fits");
        let wrong = compare(&squares.document, &dots, true).expect("compares");
        let best_wrong = wrong.iter().map(|(f, _)| f.residual.expect("measured")).fold(1.0, f32::min);
        assert!(best_wrong > 2.0 * worst, "scale {scale}: square look {best_wrong} against dots' own {worst}");
    }
}

#[test]
fn a_look_no_vertex_block_explains_is_fitted_per_module_class_at_the_cheapest_tier() {
    // Swell sizes each dot by the dark modules beside it, all four: every corner of a module
    // sees only two of them, so the vertex model cannot draw it.
    let id = StyleId::Swell;
    let train = examples(id, 0..12);
    let report = fit(&train, &options(), &mut |_| {}).expect("fits");
    let m = &report.model;
    assert_eq!((m.chosen, m.wide_summary), ("wide", Some("dark sides")), "{m:?}");
    let program = report.document.program.clone().expect("a wide look carries its program");
    // The class reads 8·self + dark sides: the linear tier's cross encoding captures it.
    assert_eq!(Plan::of(&program).expect("valid").tier(), Tier::Linear);
    let vertex = fit(&train, &FitOptions { model: Model::Vertex, ..options() }, &mut |_| {}).expect("fits");
    let unseen = examples(id, 20..24);
    let wide = compare(&report.document, &unseen, false).expect("compares");
    let by_block = compare(&vertex.document, &unseen, false).expect("compares");
    for ((w, _), (v, _)) in wide.iter().zip(&by_block) {
        let (w, v) = (w.residual.expect("whole pixels"), v.residual.expect("whole pixels"));
        // Closer than the vertex model on every unseen code. The built-in squares a few modules
        // a fitted look does not (beside the timing patterns): hence a bound, not zero.
        assert!(w < 0.01 && w < v, "{}: wide {w:.4}, vertex {v:.4}", id);
    }
    // Asked for, the wide model is fitted to a vertex look too, and draws it as well.
    let rounded = examples(StyleId::Rounded, 0..8);
    let forced = fit(&rounded, &FitOptions { model: Model::Wide, ..options() }, &mut |_| {}).expect("fits");
    assert_eq!(forced.document.dots_options.kind, "fitted-wide");
    for (f, _) in compare(&forced.document, &examples(StyleId::Rounded, 20..22), false).expect("compares") {
        assert!(f.residual.is_some_and(|r| r < 0.02), "{}: {:?}", f.name, f.residual);
    }
}

#[test]
fn the_model_a_look_gets_does_not_change_with_its_module_size() {
    // A look one vertex explains, one that counts the dark modules beside each module, and one
    // that reads its diagonals. The class count may shrink where pixels cannot tell two
    // classes apart (swell's dots of radius 0.6 and 0.7 differ in a module's corners, a
    // third of a pixel at 4 px per module); what the look reads may not change.
    for id in [StyleId::Rounded, StyleId::Swell, StyleId::Fluid] {
        let chosen = |px| {
            let m = fit(&examples_at(id, 0..12, px), &options(), &mut |_| {}).expect("fits").model;
            (m.chosen, m.wide_summary.filter(|_| m.chosen == "wide"))
        };
        let at_10 = chosen(10);
        for px in [4, 6, 20] {
            assert_eq!(chosen(px), at_10, "{id} at {px} px per module against 10");
        }
    }
}

#[test]
fn every_ring_and_centre_shape_is_learned_at_any_module_size() {
    for ring in RingShape::ALL {
        for centre in [CentreShape::Square, CentreShape::Dot] {
            let patterns = Patterns { ring, centre };
            for (px, scale) in [(10, 1.0), (10, 0.73), (4, 1.0)] {
                let ex: Vec<Example> = (0..4)
                    .map(|i| {
                        let g = symbol(i);
                        let palette = Palette::new(&NAVY);
                        let styled =
                            Canvas { patterns, ..drawing(StyleId::Dots, &g).canvas(px, 4, palette) }.to_image();
                        let plain = plain(&g, px, 4);
                        let size = |v: u32| (v as f32 * scale).round() as u32;
                        let filter = image::imageops::FilterType::Triangle;
                        let styled =
                            image::imageops::resize(&styled, size(styled.width()), size(styled.height()), filter);
                        let plain = image::imageops::resize(&plain, size(plain.width()), size(plain.height()), filter);
                        Example { name: format!("eyes-{i}"), styled, plain }
                    })
                    .collect();
                let d = fit(&ex, &options(), &mut |_| {})
                    .unwrap_or_else(|e| panic!("{ring:?} {centre:?} {px} px x {scale}: {e}"))
                    .document;
                let learned = (d.corners_square_options.kind.as_str(), d.corners_dot_options.kind.as_str());
                assert_eq!(learned, (ring.name(), centre.name()), "{px} px x {scale}");
            }
        }
    }
}

#[test]
fn finder_centres_and_ring_colours_of_their_own_are_learned() {
    let red = Rgb(150, 20, 20);
    let ex: Vec<Example> = (0..6)
        .map(|i| {
            let g = symbol(i);
            let drawing = drawing(StyleId::Rounded, &g);
            let navy = Fill::Solid(NAVY.left);
            let background = Background::Fill(Fill::Solid(Rgb(255, 255, 255)));
            let contrast = Contrast { data: 0.0, patterns: 0.0 };
            let palette = Palette::of(navy.clone(), Fill::Solid(red), navy, background, Area::Symbol, contrast);
            let patterns = Patterns { centre: CentreShape::Dot, ..Default::default() };
            let styled = Canvas { patterns, ..drawing.canvas(10, 4, palette) }.to_image();
            Example { name: format!("eyes-{i}"), styled, plain: plain(&g, 10, 4) }
        })
        .collect();
    let report = fit(&ex, &options(), &mut |_| {}).expect("fits");
    let d = &report.document;
    assert_eq!(d.corners_dot_options.kind, "dot");
    assert_eq!(
        (d.corners_dot_options.color.as_deref(), d.corners_square_options.color.as_deref()),
        (None, Some("#961414"))
    );
    assert_eq!(d.dots_options.color.as_deref(), Some("#0a0f3c"));
    assert_eq!(d.corners_square_options.kind, "square");
    // Plain examples: square centres in the dots' colour.
    let report = fit(&examples(StyleId::Rounded, 0..6), &options(), &mut |_| {}).expect("fits");
    let d = &report.document;
    assert_eq!((d.corners_dot_options.kind.as_str(), d.corners_square_options.color.as_deref()), ("square", None));
}

#[test]
fn a_gradient_over_the_image_is_told_from_one_over_the_symbol() {
    // Across versions the quiet zone's share changes, so only the right area explains the ink.
    for area in [Area::Image, Area::Symbol] {
        let ex: Vec<Example> = (0..6)
            .map(|i| {
                let g = symbol(i);
                let drawing = drawing(StyleId::Square, &g);
                let stops =
                    vec![Stop { offset: 0.0, colour: Rgb(0, 0, 0) }, Stop { offset: 1.0, colour: Rgb(0, 0, 255) }];
                let ink = Fill::gradient(GradientKind::Linear { rotation: std::f32::consts::FRAC_PI_2 }, stops)
                    .expect("valid");
                let background = Background::Fill(Fill::Solid(Rgb(255, 255, 255)));
                let contrast = Contrast { data: 0.0, patterns: 0.0 };
                let palette = Palette::of(ink.clone(), ink.clone(), ink, background, area, contrast);
                Example {
                    name: format!("v-{i}"),
                    styled: drawing.canvas(10, 4, palette).to_image(),
                    plain: plain(&g, 10, 4),
                }
            })
            .collect();
        let report = fit(&ex, &options(), &mut |_| {}).expect("fits");
        assert_eq!(report.document.fill_area, area);
        assert!(report.ink_rms < 2.0, "{area:?}: {}", report.ink_rms);
    }
}

#[test]
fn fitting_is_deterministic() {
    let ex = examples(StyleId::Classy, 0..6);
    let a = fit(&ex, &options(), &mut |_| {}).expect("fits").document.to_json();
    let b = fit(&ex, &options(), &mut |_| {}).expect("fits").document.to_json();
    assert_eq!(a, b);
}

#[test]
fn a_pair_of_two_different_symbols_is_refused_by_name() {
    let mut ex = examples(StyleId::Rounded, 0..5);
    ex[2].plain = plain(&symbol(2 + 4 * 10), 10, 4);
    let err = fit(&ex, &options(), &mut |_| {}).err().expect("refused");
    assert!(matches!(&err, FitError::Example { name, .. } if name == "rounded-02"), "{err}");
}

/// A look drawn by tiles made by hand: every dark module a disc of radius 0.45 (or a square).
fn tile_look(discs: bool) -> TileSet {
    if !discs {
        return TileSet::squares();
    }
    let codes = (0..16)
        .map(|code| {
            std::array::from_fn(|q| {
                if code >> q & 1 == 0 {
                    return Vec::new();
                }
                // The module's centre in tile units, and the quarter of its disc facing the vertex.
                let (cx, cy) = ((q & 1) as f32, (q >> 1) as f32);
                let (sx, sy) = (if q & 1 == 1 { -1.0 } else { 1.0 }, if q & 2 == 2 { -1.0 } else { 1.0 });
                let mut arc: Vec<[f32; 2]> = (0..=12)
                    .map(|i| {
                        let a = i as f32 / 12.0 * std::f32::consts::FRAC_PI_2;
                        [cx + sx * 0.45 * a.cos(), cy + sy * 0.45 * a.sin()]
                    })
                    .collect();
                arc.push([cx, cy]);
                vec![arc]
            })
        })
        .collect();
    TileSet::new(codes).expect("valid")
}

fn tile_examples(discs: bool, range: std::ops::Range<usize>) -> Vec<Example> {
    let set = tile_look(discs);
    range
        .map(|i| {
            let g = symbol(i);
            let drawing = drawing(StyleId::Fitted, &g);
            let palette = Palette::new(&NAVY);
            let styled = Canvas { fitted: Some(&set), ..drawing.canvas(10, 4, palette) }.to_image();
            Example {
                name: format!("{}-{i:02}", if discs { "discs" } else { "squares" }),
                styled,
                plain: plain(&g, 10, 4),
            }
        })
        .collect()
}

#[test]
fn an_example_of_another_look_is_refused_by_name() {
    // One look alone fits; a square example among disc ones is named.
    assert!(fit(&tile_examples(true, 0..8), &options(), &mut |_| {}).is_ok());
    let mut ex = tile_examples(true, 0..8);
    ex.extend(tile_examples(false, 8..9));
    let err = fit(&ex, &options(), &mut |_| {}).err().expect("refused");
    assert!(matches!(&err, FitError::Example { name, .. } if name == "squares-08"), "{err}");
}

#[test]
fn a_folder_with_a_lone_or_broken_image_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ex = examples(StyleId::Rounded, 0..1);
    ex[0].styled.save(dir.path().join("a.png")).expect("write");
    ex[0].plain.save(dir.path().join("a.plain.png")).expect("write");
    assert_eq!(load_examples(dir.path()).expect("loads").len(), 1);
    ex[0].styled.save(dir.path().join("b.png")).expect("write");
    let err = load_examples(dir.path()).err().expect("refused").to_string();
    assert!(err.contains("b.png") && err.contains("b.plain.png"), "{err}");
    std::fs::write(dir.path().join("b.plain.png"), b"not a png").expect("write");
    let err = load_examples(dir.path()).err().expect("refused").to_string();
    assert!(err.contains("b.plain.png"), "{err}");
    let empty = tempfile::tempdir().expect("temp dir");
    assert!(matches!(load_examples(empty.path()), Err(FitError::NoExamples { .. })));
}
