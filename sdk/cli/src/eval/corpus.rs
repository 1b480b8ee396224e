//! The evaluation corpus: payloads people put in QR codes, from a fixed seed.

use qrveil_sdk::EcLevel;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Word,
    Url,
    Wifi,
    VCard,
    Unicode,
    Bytes,
}

#[derive(Clone, Debug)]
pub struct Case {
    pub kind: Kind,
    pub payload: Vec<u8>,
    pub ec: EcLevel,
}

const WORDS: [&str; 12] = ["alpha", "harbor", "violet", "quartz", "nimbus", "ember", "willow", "cobalt", "saffron", "tundra", "meadow", "cipher"];
const SCRIPTS: [&str; 6] = ["Привет, мир", "こんにちは世界", "שלום עולם", "مرحبا بالعالم", "你好，世界", "Γειά σου κόσμε"];

fn word(rng: &mut StdRng) -> &'static str {
    WORDS[rng.random_range(0..WORDS.len())]
}

fn text(rng: &mut StdRng, words: usize) -> String {
    (0..words).map(|_| word(rng)).collect::<Vec<_>>().join(" ")
}

/// `count` cases; every 40th is a long one that needs a large version (up to 40).
pub fn corpus(count: usize, seed: u64) -> Vec<Case> {
    let mut rng = StdRng::seed_from_u64(seed);
    let kinds = [Kind::Word, Kind::Url, Kind::Wifi, Kind::VCard, Kind::Unicode, Kind::Bytes];
    let ecs = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];
    (0..count)
        .map(|i| {
            let kind = kinds[i % kinds.len()];
            let ec = ecs[(i / kinds.len()) % ecs.len()];
            let long = i % 40 == 39;
            let payload = match kind {
                Kind::Word => word(&mut rng).to_uppercase().into_bytes(),
                Kind::Url => {
                    let words = if long { 60 } else { rng.random_range(1..6) };
                    let path = text(&mut rng, words).replace(' ', "/");
                    format!("https://files.example.org/{path}?id={}&t={:x}", rng.random::<u32>(), rng.random::<u64>()).into_bytes()
                }
                Kind::Wifi => format!("WIFI:T:WPA;S:{}-{};P:{:x};;", word(&mut rng), rng.random_range(1..99), rng.random::<u64>()).into_bytes(),
                Kind::VCard => {
                    let note_words = if long { 80 } else { rng.random_range(0..8) };
                    format!(
                    "BEGIN:VCARD\nVERSION:3.0\nN:{};{}\nTEL:+44{}\nEMAIL:{}@example.org\nNOTE:{}\nEND:VCARD",
                    word(&mut rng), word(&mut rng), rng.random_range(1_000_000_000u64..9_999_999_999), word(&mut rng),
                    text(&mut rng, note_words)
                )
                .into_bytes()
                }
                Kind::Unicode => {
                    let n = if long { 30 } else { rng.random_range(1..4) };
                    (0..n).map(|_| SCRIPTS[rng.random_range(0..SCRIPTS.len())]).collect::<Vec<_>>().join(" ").into_bytes()
                }
                Kind::Bytes => {
                    let n = if long { rng.random_range(300..900) } else { rng.random_range(1..120) };
                    (0..n).map(|_| rng.random()).collect()
                }
            };
            Case { kind, payload, ec }
        })
        .collect()
}
