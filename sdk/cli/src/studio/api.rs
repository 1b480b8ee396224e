//! What the studio's API does with a request body: render a document by the real local
//! pipeline, list the built-in looks, learn a look from example pairs. Nothing here logs or
//! stores a payload: the only files are each preview's bucket (ciphertexts), deleted after it.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use qrveil_fit::{fit, Example, FitOptions, Model, Progress};
use qrveil_protocol::FolderStore;
use qrveil_sdk::{Decoder, Keys, LocalTransport, Logo, SdkError, StyleDocument, StyleOptions, Styler};
use qrveil_style::{Readability, StyleId};
use serde::Deserialize;
use serde_json::{json, Value};
use std::io::Cursor;
use std::path::Path;
use std::sync::mpsc::Sender;
use std::time::Instant;

/// An example image's largest decoded size: a logo's limit (which `Logo` enforces itself).
const IMAGE_PIXELS: u64 = Logo::PIXELS_LIMIT;

/// JPEG quality of an exported .jpg: as the CLI writes it.
const JPEG_QUALITY: u8 = 92;

/// A finished answer: status, media type, body.
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(status: u16, value: &Value) -> Self {
        Self { status, content_type: "application/json", body: value.to_string().into_bytes() }
    }

    /// An error for a person: `{"error": message}`.
    pub fn error(status: u16, message: impl std::fmt::Display) -> Self {
        Self::json(status, &json!({ "error": message.to_string() }))
    }
}

#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
enum Format {
    #[default]
    Png,
    Svg,
    Jpeg,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PreviewRequest {
    document: Value,
    payload: String,
    #[serde(default)]
    logo: Option<String>,
    #[serde(default)]
    format: Format,
}

/// Every built-in look as a style document, for the page's picker.
pub fn styles() -> Answer {
    let styles: Vec<Value> = StyleId::ALL
        .iter()
        .filter_map(|id| StyleDocument::named(id.name()).ok().map(|doc| (id, doc)))
        .map(|(id, doc)| json!({ "name": id.name(), "about": id.summary(), "document": doc }))
        .collect();
    Answer::json(200, &json!({ "styles": styles }))
}

/// Render `body`'s document and payload: keys, encryption, the function in this process on a
/// bucket of its own, decryption, the checks against this device's evaluation, the judges.
pub fn preview(keys: &Keys, work: &Path, body: &[u8]) -> Answer {
    let t = Instant::now();
    let request: PreviewRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => return Answer::error(400, format!("not a preview request: {e}")),
    };
    let opts = match options(&request) {
        Ok(opts) => opts,
        Err(e) => return Answer::error(422, e),
    };
    let bucket = match tempfile::Builder::new().prefix("preview-").tempdir_in(work) {
        Ok(dir) => dir,
        Err(e) => return Answer::error(500, format!("cannot make the preview's bucket: {e}")),
    };
    let styler = Styler::new(keys.clone(), LocalTransport::new(FolderStore::new(bucket.path())));
    let styled = match styler.style(request.payload.as_bytes(), &opts, &mut |_| {}) {
        Ok(styled) => styled,
        Err(e @ SdkError::Internal(_)) => return Answer::error(500, e),
        Err(e) => return Answer::error(422, e),
    };
    drop(bucket);
    let (image, mime) = match request.format {
        Format::Png => (styled.png, "image/png"),
        Format::Svg => (styled.svg.into_bytes(), "image/svg+xml"),
        Format::Jpeg => match styled.jpeg {
            Some(jpeg) => (jpeg, "image/jpeg"),
            None => return Answer::error(500, "the pipeline returned no JPEG"),
        },
    };
    let mut report = serde_json::to_value(&styled.report).unwrap_or(Value::Null);
    if let Value::Object(fields) = &mut report {
        let judges: Vec<&str> = Decoder::JUDGES.iter().map(|d| d.name()).collect();
        fields.insert("judges".into(), json!(judges));
        fields.insert("phone_check".into(), json!(phone_check(styled.report.readability)));
        // Why each colour moved, in the words the CLI prints.
        if let Some(Value::Array(colours)) = fields.get_mut("colours") {
            for (shown, choice) in colours.iter_mut().zip(&styled.report.colours) {
                shown["why"] = json!(choice.why.to_string());
            }
        }
    }
    let milliseconds = t.elapsed().as_secs_f64() * 1e3;
    Answer::json(
        200,
        &json!({ "image": BASE64.encode(image), "mime": mime, "milliseconds": milliseconds, "report": report }),
    )
}

/// What the phone check a returned code has passed means, in a person's words.
fn phone_check(level: Readability) -> String {
    let scan = match level {
        Readability::Vivid => "an ordinary",
        Readability::Balanced => "a poor",
        Readability::Robust => "a bad",
    };
    format!("passed at {level}: read by both judges from a simulated phone capture of {scan} scan")
}

/// The options a request asks for, with its logo checked before it is decoded.
fn options(request: &PreviewRequest) -> Result<StyleOptions, SdkError> {
    let invalid = |what: &'static str, detail: String| SdkError::InvalidOption { what, detail };
    let document = serde_json::to_vec(&request.document).map_err(|e| invalid("style document", e.to_string()))?;
    let document = StyleDocument::from_json(&document)?;
    let logo = match &request.logo {
        None => None,
        Some(text) => {
            let bytes = BASE64.decode(text).map_err(|e| invalid("logo", format!("not base64: {e}")))?;
            // Logo::from_bytes bounds bytes and pixels, and resolves no file an SVG names.
            Some(Logo::from_bytes(&bytes)?)
        }
    };
    let mut opts = document.options(&StyleOptions { logo, ..StyleOptions::default() })?;
    if request.format == Format::Jpeg {
        opts.jpeg_quality = Some(JPEG_QUALITY);
    }
    Ok(opts)
}

/// `bytes`, if they are at most `limit` long and, when a raster image, at most
/// [`IMAGE_PIXELS`] once decoded (read from the header, before any decoding).
fn checked_image(bytes: &[u8], limit: usize) -> Result<&[u8], String> {
    if bytes.len() > limit {
        return Err(format!("{} bytes is over the {limit}-byte limit", bytes.len()));
    }
    let reader = image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    if reader.format().is_some() {
        let (w, h) = reader.into_dimensions().map_err(|e| format!("cannot read the image: {e}"))?;
        if u64::from(w) * u64::from(h) > IMAGE_PIXELS {
            return Err(format!("{w}x{h} pixels is over the {IMAGE_PIXELS}-pixel limit"));
        }
    }
    Ok(bytes)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitRequest {
    examples: Vec<ExamplePair>,
    #[serde(default = "vivid")]
    readability: String,
    #[serde(default)]
    model: Option<String>,
}

fn vivid() -> String {
    Readability::Vivid.to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExamplePair {
    name: String,
    styled: String,
    plain: String,
}

/// Largest example image file.
const EXAMPLE_BYTES: usize = 8 << 20;

/// Read a fit request, or say what is wrong with it (before the stream starts).
pub fn fit_request(body: &[u8]) -> Result<(Vec<Example>, FitOptions), Answer> {
    let request: FitRequest =
        serde_json::from_slice(body).map_err(|e| Answer::error(400, format!("not a fit request: {e}")))?;
    if request.examples.is_empty() {
        return Err(Answer::error(422, "drop at least one pair: NAME.png and NAME.plain.png"));
    }
    let readability = request.readability.parse::<Readability>().map_err(|e| Answer::error(422, SdkError::from(e)))?;
    let model = match request.model.as_deref() {
        None | Some("auto") => Model::Auto,
        Some("vertex") => Model::Vertex,
        Some("wide") => Model::Wide,
        Some(other) => return Err(Answer::error(422, format!("model {other:?}: use auto, vertex or wide"))),
    };
    let mut examples = Vec::with_capacity(request.examples.len());
    for pair in &request.examples {
        let image = |which: &str, text: &str| -> Result<Vec<u8>, Answer> {
            let bytes = BASE64
                .decode(text)
                .map_err(|e| Answer::error(400, format!("{}: {which} image is not base64: {e}", pair.name)))?;
            checked_image(&bytes, EXAMPLE_BYTES)
                .map_err(|e| Answer::error(422, format!("{}: {which}: {e}", pair.name)))?;
            Ok(bytes)
        };
        let (styled, plain) = (image("styled", &pair.styled)?, image("plain", &pair.plain)?);
        examples.push(Example::decode(&pair.name, &styled, &plain).map_err(|e| Answer::error(422, e))?);
    }
    Ok((examples, FitOptions { name: Some("studio".into()), readability, model }))
}

/// Run the fit, sending one JSON line per progress step and a last line with the document
/// and its figures (or the error). A closed receiver (the page went away) stops nothing
/// harmful: the lines are dropped.
pub fn run_fit(examples: &[Example], options: &FitOptions, lines: &Sender<Vec<u8>>) {
    let t = Instant::now();
    let send = |value: Value| {
        let _ = lines.send((value.to_string() + "\n").into_bytes());
    };
    let mut progress = |p: Progress| {
        let (stage, done, total) = match p {
            Progress::Reading { done, total } => ("reading grids", done, total),
            Progress::Learning { done, total } => ("learning tiles", done, total),
            Progress::Checking { done, total } => ("checking the fit", done, total),
        };
        send(json!({ "progress": { "stage": stage, "done": done, "total": total } }));
    };
    match fit(examples, options, &mut progress) {
        Ok(report) => {
            let residuals: Vec<f32> = report.examples.iter().filter_map(|e| e.residual).collect();
            let mean = (!residuals.is_empty()).then(|| residuals.iter().sum::<f32>() / residuals.len() as f32);
            let worst = residuals.iter().cloned().reduce(f32::max);
            send(json!({ "done": {
                "document": report.document,
                "figures": {
                    "examples": report.examples.len(),
                    "seconds": t.elapsed().as_secs_f64(),
                    "residual_mean": mean,
                    "residual_worst": worst,
                    "model": report.model.chosen,
                    "ink_rms": report.ink_rms,
                    "background_rms": report.background_rms,
                }
            }}));
        }
        Err(e) => send(json!({ "error": e.to_string() })),
    }
}
