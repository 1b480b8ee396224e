//! `qrveil-lab tolerance`: how much of a plain code's tolerance to camera conditions a styled
//! code keeps, and how far its colours moved from the chosen ones.
//!
//! For every code of the corpus, the plain code (the same module matrix as black squares) and
//! each look (a style at a readability level, or at an explicit contrast) are drawn clean and
//! degraded along four ladders of strength ([`capture::Family`]). Per decoder and family, the
//! tolerance is the strength at which half the codes stop decoding ([`curve::half_point`]); a
//! look's ratio is its tolerance over the plain code's. Colours: CIEDE2000 between the chosen
//! gradient and the drawn data ink at the centre of every dark data module.

pub mod capture;
pub mod curve;
mod report;

use crate::eval::conditions::RENDER_PX;
use crate::eval::corpus::{corpus, Case};
use crate::eval::external::{External, Found};
use crate::eval::{decoders, plain_palette, InProcess};
use crate::selection::Selection;
use crate::{write_json, LabError};
use capture::{Family, STEPS};
use clap::Args;
use image::RgbImage;
use qrveil_sdk::{delta_e, encode, over_white, Contrast, Drawing, Palette, QrSymbol};
use qrveil_style::spec::served_example;
use qrveil_style::{clear, FixedModules, Readability, Rgb, StyleId};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Args)]
pub struct ToleranceArgs {
    /// Payloads in the corpus (versions and EC levels vary with the payload).
    #[arg(long, default_value_t = 60)]
    count: usize,
    #[command(flatten)]
    select: Selection,
    /// Readability levels to measure, comma-separated [default: all].
    #[arg(long, value_delimiter = ',')]
    levels: Vec<String>,
    /// Also measure explicit contrasts, as DATA:PATTERNS pairs (luma differences with the
    /// background, 0..1), comma-separated: how levels are chosen.
    #[arg(long, value_delimiter = ',')]
    contrasts: Vec<String>,
    /// Decoders to run, comma-separated [default: all that are installed].
    #[arg(long, value_delimiter = ',')]
    decoders: Vec<String>,
    /// Also write the results as JSON to this file.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
}

const PLAIN: &str = "plain";
/// Codes rendered, degraded and decoded per batch (bounds disk and memory).
const BATCH: usize = 4;

/// What is drawn for each code: the plain baseline or a style in a palette, as chosen or, at a
/// level, in the colours the SDK settles on for each code.
#[derive(Clone)]
struct Subject {
    name: String,
    style: Option<StyleId>,
    palette: Palette,
    level: Option<Readability>,
}

/// One degraded image: its code, look, family and ladder step (`None`: clean).
struct Seen {
    case: usize,
    look: usize,
    family: Step,
    path: PathBuf,
    read: InProcess,
}

/// A ladder step of a family, or `None` for the clean render.
pub type Step = Option<(Family, usize)>;
/// One look's CIEDE2000 samples: (look, ΔE).
type Colours = Vec<(usize, f32)>;

/// Decode counts, (decoder, look, step) -> (decoded, total), and colour samples.
#[derive(Default)]
pub struct Tally {
    pub counts: BTreeMap<(&'static str, usize, Step), (usize, usize)>,
    /// Per look: CIEDE2000 of each dark data module's drawn ink against the chosen colour.
    pub delta_e: BTreeMap<usize, Vec<f32>>,
    /// Clean renders a decoder reads as plain but not in the look: (decoder, look, case).
    pub clean_misses: Vec<(&'static str, String, usize)>,
}

fn looks(args: &ToleranceArgs) -> Result<Vec<Subject>, LabError> {
    let preset = args.select.preset()?;
    let styles = args.select.styles()?;
    let levels: Vec<Readability> = if args.levels.is_empty() {
        Readability::ALL.to_vec()
    } else {
        args.levels.iter().map(|s| s.parse()).collect::<Result<_, _>>()?
    };
    let mut contrasts = Vec::new();
    for pair in &args.contrasts {
        let parsed = pair.split_once(':').and_then(|(d, p)| Some((d.parse::<f32>().ok()?, p.parse::<f32>().ok()?)));
        match parsed {
            Some((data, patterns)) if (0.0..=1.0).contains(&data) && (0.0..=1.0).contains(&patterns) => {
                contrasts.push((pair.clone(), Contrast { data, patterns }));
            }
            _ => return Err(LabError::Check(format!("--contrasts: {pair:?} is not DATA:PATTERNS, each 0..1"))),
        }
    }
    let mut looks = vec![Subject { name: PLAIN.into(), style: None, palette: plain_palette(), level: None }];
    for &id in &styles {
        for &level in &levels {
            let palette = Palette::new(&preset);
            looks.push(Subject { name: format!("{id} {level}"), style: Some(id), palette, level: Some(level) });
        }
        for (name, contrast) in &contrasts {
            let palette = Palette::with_contrast(&preset, *contrast);
            looks.push(Subject { name: format!("{id} {name}"), style: Some(id), palette, level: None });
        }
    }
    Ok(looks)
}

pub fn run(args: ToleranceArgs) -> Result<(), LabError> {
    let looks = looks(&args)?;
    let cases = corpus(args.count, args.select.seed);
    let mut external = External::prepare()?;
    let known = decoders();
    let decoders: Vec<&'static str> = if args.decoders.is_empty() {
        known.clone()
    } else {
        let pick = |d: &String| known.iter().copied().find(|k| k == d);
        args.decoders
            .iter()
            .map(|d| {
                pick(d)
                    .ok_or_else(|| LabError::Check(format!("unknown decoder {d:?}; choose from {}", known.join(", "))))
            })
            .collect::<Result<_, _>>()?
    };
    let images = cases.len() * looks.len() * (1 + Family::ALL.len() * STEPS);
    eprintln!(
        "tolerance: {} payloads x {} looks x (clean + {} families x {STEPS} strengths) = {images} images, read by {}...",
        cases.len(),
        looks.len(),
        Family::ALL.len(),
        decoders.join(", ")
    );
    let mut tally = Tally::default();
    for (b, batch) in cases.chunks(BATCH).enumerate() {
        let dir = tempfile::tempdir()?;
        let (seen, colours): (Vec<Vec<Seen>>, Vec<Colours>) = batch
            .par_iter()
            .enumerate()
            .map(|(k, case)| degrade_case(b * BATCH + k, case, &looks, args.select.seed, dir.path()))
            .unzip();
        let seen: Vec<Seen> = seen.into_iter().flatten().collect();
        for (look, d) in colours.into_iter().flatten() {
            tally.delta_e.entry(look).or_default().push(d);
        }
        let wants_external = decoders.iter().any(|d| InProcess::names().all(|n| n != *d));
        let found = if wants_external {
            external.decode(&seen.iter().map(|s| s.path.clone()).collect::<Vec<_>>())
        } else {
            Found::new()
        };
        count(&mut tally, &seen, &found, &cases, &looks, &decoders);
        eprintln!("  {} / {} payloads", (b * BATCH + batch.len()).min(cases.len()), cases.len());
    }
    let names: Vec<String> = looks.iter().map(|l| l.name.clone()).collect();
    let result = report::Result::of(&tally, &names, &decoders, &external.missing);
    result.print();
    if let Some(path) = &args.json {
        write_json(path, &result)?;
    }
    Ok(())
}

/// Draw every look of one code, measure its colours, degrade it along every ladder, decode
/// each image in-process and write it for the external decoders.
fn degrade_case(i: usize, case: &Case, looks: &[Subject], seed: u64, dir: &std::path::Path) -> (Vec<Seen>, Colours) {
    let Ok(symbol) = encode(&case.payload, case.ec, None) else { return Default::default() };
    let (mut seen, mut colours) = (Vec::new(), Vec::new());
    for (l, look) in looks.iter().enumerate() {
        // As the SDK returns the code: at its smallest version, or (the corpus pins none) up to
        // VERSION_STEPS larger when its checks refuse it there.
        let drawn = (0..=qrveil_sdk::VERSION_STEPS).find_map(|step| {
            let larger;
            let symbol = match step {
                0 => &symbol,
                _ => {
                    larger = encode(&case.payload, case.ec, Some(symbol.version.checked_add(step)?)).ok()?;
                    &larger
                }
            };
            draw_look(case, symbol, look).map(|clean| (symbol.grid.clone(), clean))
        });
        // A code the SDK would refuse shows nothing: it counts as unread everywhere.
        let Some((grid, clean)) = drawn.or_else(|| {
            let px = (symbol.grid.side() + 8) * RENDER_PX;
            look.style
                .is_some()
                .then(|| (symbol.grid.clone(), RgbImage::from_pixel(px, px, image::Rgb([255, 255, 255]))))
        }) else {
            continue;
        };
        if look.style.is_some() {
            colours.extend(ink_delta_e(&clean, grid.bits(), grid.side(), &look.palette).map(|d| (l, d)));
        }
        let mut variants = vec![(None, clean.clone())];
        for family in Family::ALL {
            for (step, &strength) in family.ladder().iter().enumerate() {
                let noise_seed = seed ^ ((i as u64) << 16) ^ ((step as u64) << 8);
                variants.push((Some((family, step)), family.apply(&clean, strength, noise_seed)));
            }
        }
        for (family, img) in variants {
            let tag = family.map(|(f, s)| format!("{}{s}", f.name())).unwrap_or_else(|| "clean".into());
            let path = dir.join(format!("{i}-{l}-{tag}.png"));
            if img.save(&path).is_ok() {
                seen.push(Seen { case: i, look: l, family, path, read: InProcess::read(&img, &case.payload) });
            }
        }
    }
    (seen, colours)
}

/// `look`'s clean image of `symbol`, settled at its level; `None` when the SDK would refuse it.
fn draw_look(case: &Case, symbol: &QrSymbol, look: &Subject) -> Option<RgbImage> {
    let drawing = match look.style {
        None => Drawing::plain(&symbol.grid),
        Some(id) => {
            let style = served_example(id);
            let outputs = clear::evaluate(&style.server, &symbol.grid).ok()?;
            Drawing::styled(style.geometry, &symbol.grid, &outputs).ok()?
        }
    };
    let canvas = drawing.canvas(RENDER_PX, 4, look.palette.clone());
    match look.level {
        Some(level) => {
            crate::eval::settled(&drawing, &canvas, &case.payload, &symbol.grid, level).map(|s| over_white(&s.rgba))
        }
        None => Some(over_white(&canvas.to_rgba())),
    }
}

/// CIEDE2000 between the chosen gradient and the drawn pixel at the centre of every dark data
/// module of a clean render.
fn ink_delta_e<'a>(
    img: &'a RgbImage,
    bits: &'a [bool],
    side: u32,
    palette: &'a Palette,
) -> impl Iterator<Item = f32> + 'a {
    let fixed = FixedModules::for_side(side);
    let width = img.width() as f32;
    (0..side * side).filter_map(move |m| {
        let (mx, my) = (m % side, m / side);
        if !bits[m as usize] || fixed.get(mx as i64, my as i64).is_some() {
            return None;
        }
        let (x, y) = ((mx + 4) * RENDER_PX + RENDER_PX / 2, (my + 4) * RENDER_PX + RENDER_PX / 2);
        let p = img.get_pixel(x, y).0;
        // The presets' fills lie across the whole image (`Area::Image`).
        let chosen = palette.dots.at(x as f32 / width, y as f32 / width);
        Some(delta_e(chosen, Rgb(p[0], p[1], p[2])))
    })
}

/// Add what every decoder read in one batch.
fn count(
    tally: &mut Tally,
    seen: &[Seen],
    found: &Found,
    cases: &[Case],
    looks: &[Subject],
    decoders: &[&'static str],
) {
    let read = |n: usize, decoder: &str| -> Option<bool> {
        let payload = &cases[seen[n].case].payload;
        seen[n]
            .read
            .get(decoder)
            .or_else(|| found.get(decoder).and_then(|f| f.get(n)?.as_ref()).map(|c| c.iter().any(|p| p == payload)))
    };
    for (n, s) in seen.iter().enumerate() {
        for &decoder in decoders {
            let Some(ok) = read(n, decoder) else { continue };
            let e = tally.counts.entry((decoder, s.look, s.family)).or_default();
            e.0 += usize::from(ok);
            e.1 += 1;
            if s.family.is_none() && s.look != 0 && !ok {
                let plain = seen.iter().position(|p| p.case == s.case && p.look == 0 && p.family.is_none());
                if plain.and_then(|p| read(p, decoder)) == Some(true) {
                    tally.clean_misses.push((decoder, looks[s.look].name.clone(), s.case));
                }
            }
        }
    }
}
