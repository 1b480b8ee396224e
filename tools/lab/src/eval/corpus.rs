//! The evaluation corpus: payloads people put in QR codes, from a fixed seed.

use qrveil_sdk::EcLevel;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;

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

const WORDS: [&str; 12] = [
    "alpha", "harbor", "violet", "quartz", "nimbus", "ember", "willow", "cobalt", "saffron", "tundra", "meadow",
    "cipher",
];
const SCRIPTS: [&str; 6] =
    ["Привет, мир", "こんにちは世界", "שלום עולם", "مرحبا بالعالم", "你好，世界", "Γειά σου κόσμε"];

fn word(rng: &mut StdRng) -> &'static str {
    WORDS[rng.random_range(0..WORDS.len())]
}

fn text(rng: &mut StdRng, words: usize) -> String {
    (0..words).map(|_| word(rng)).collect::<Vec<_>>().join(" ")
}

/// A short upper-case ASCII word (QR's alphanumeric mode): 3 to 10 random letters, so the
/// corpus holds far more distinct ones than [`WORDS`].
fn short_word(rng: &mut StdRng) -> String {
    let n = rng.random_range(3..=10);
    (0..n).map(|_| char::from(b'A' + rng.random_range(0..26u8))).collect()
}

/// `count` cases, each payload different from every other (a repeated payload would count
/// one symbol's result several times); every 40th is a long one that needs a large version
/// (up to 40).
pub fn corpus(count: usize, seed: u64) -> Vec<Case> {
    let mut rng = StdRng::seed_from_u64(seed);
    let kinds = [Kind::Word, Kind::Url, Kind::Wifi, Kind::VCard, Kind::Unicode, Kind::Bytes];
    let ecs = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];
    let mut seen = HashSet::new();
    (0..count)
        .map(|i| {
            let kind = kinds[i % kinds.len()];
            let ec = ecs[(i / kinds.len()) % ecs.len()];
            let long = i % 40 == 39;
            // Draw again on a repeat; the bound only guards against a tiny payload space.
            let mut payload = draw(&mut rng, kind, long);
            for _ in 0..1000 {
                if seen.insert(payload.clone()) {
                    break;
                }
                payload = draw(&mut rng, kind, long);
            }
            Case { kind, payload, ec }
        })
        .collect()
}

/// One payload of `kind`; `long` ones need a large version.
fn draw(rng: &mut StdRng, kind: Kind, long: bool) -> Vec<u8> {
    match kind {
        Kind::Word => short_word(rng).into_bytes(),
        Kind::Url => {
            let words = if long { 60 } else { rng.random_range(1..6) };
            let path = text(rng, words).replace(' ', "/");
            format!("https://files.example.org/{path}?id={}&t={:x}", rng.random::<u32>(), rng.random::<u64>())
                .into_bytes()
        }
        Kind::Wifi => {
            format!("WIFI:T:WPA;S:{}-{};P:{:x};;", word(rng), rng.random_range(1..99), rng.random::<u64>()).into_bytes()
        }
        Kind::VCard => {
            let note_words = if long { 80 } else { rng.random_range(0..8) };
            format!(
                "BEGIN:VCARD\nVERSION:3.0\nN:{};{}\nTEL:+44{}\nEMAIL:{}@example.org\nNOTE:{}\nEND:VCARD",
                word(rng),
                word(rng),
                rng.random_range(1_000_000_000u64..9_999_999_999),
                word(rng),
                text(rng, note_words)
            )
            .into_bytes()
        }
        Kind::Unicode => {
            let n = if long { 30 } else { rng.random_range(1..5) };
            (0..n).map(|_| SCRIPTS[rng.random_range(0..SCRIPTS.len())]).collect::<Vec<_>>().join(" ").into_bytes()
        }
        Kind::Bytes => {
            let n = if long { rng.random_range(300..900) } else { rng.random_range(1..120) };
            (0..n).map(|_| rng.random()).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrveil_sdk::encode;

    #[test]
    fn every_payload_is_distinct() {
        let cases = corpus(1000, 2026);
        let distinct: HashSet<&[u8]> = cases.iter().map(|c| c.payload.as_slice()).collect();
        assert_eq!(distinct.len(), cases.len());
    }

    #[test]
    fn covers_every_kind_level_and_small_and_large_versions() {
        let cases = corpus(1000, 2026);
        let versions: Vec<u32> =
            cases.iter().map(|c| (encode(&c.payload, c.ec, None).expect("fits").grid.side() - 17) / 4).collect();
        for v in 1..=10 {
            assert!(versions.contains(&v), "no version {v}");
        }
        assert!(versions.iter().any(|&v| v >= 30), "max {:?}", versions.iter().max());
        for ec in [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H] {
            for kind in [Kind::Word, Kind::Url, Kind::Wifi, Kind::VCard, Kind::Unicode, Kind::Bytes] {
                assert!(cases.iter().any(|c| c.ec == ec && c.kind == kind), "{kind:?} at {ec:?}");
            }
        }
    }
}
