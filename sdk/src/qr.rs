//! QR encoding with the `qrcode` crate: payload → module grid. Text that is not all ASCII is
//! written after an ECI designator naming UTF-8 ([`ECI_UTF8`]), the QR standard's way to say
//! what its bytes are; without one ZXing-family readers guess (Shift_JIS, for much Chinese and
//! Japanese text) and show other text.

use crate::error::Internal;
use crate::SdkError;
use qrcode::bits::Bits;
use qrcode::optimize::{total_encoded_len, Optimizer, Parser, Segment};
use qrcode::types::{Mode, QrError};
use qrcode::{Color, QrCode, Version};
use qrveil_style::ModuleGrid;
use std::fmt;
use std::str::FromStr;

/// Error correction level: how much of the symbol can be damaged and still read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum EcLevel {
    /// ~7% recoverable, most capacity.
    L,
    /// ~15% (default).
    #[default]
    M,
    /// ~25%.
    Q,
    /// ~30%.
    H,
}

impl EcLevel {
    pub(crate) fn to_qrcode(self) -> qrcode::EcLevel {
        match self {
            EcLevel::L => qrcode::EcLevel::L,
            EcLevel::M => qrcode::EcLevel::M,
            EcLevel::Q => qrcode::EcLevel::Q,
            EcLevel::H => qrcode::EcLevel::H,
        }
    }
}

impl fmt::Display for EcLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

impl FromStr for EcLevel {
    type Err = SdkError;
    fn from_str(s: &str) -> Result<Self, SdkError> {
        match s.to_ascii_uppercase().as_str() {
            "L" => Ok(EcLevel::L),
            "M" => Ok(EcLevel::M),
            "Q" => Ok(EcLevel::Q),
            "H" => Ok(EcLevel::H),
            _ => Err(SdkError::InvalidOption {
                what: "error correction",
                detail: format!("{s:?} is not one of L, M, Q, H"),
            }),
        }
    }
}

/// An encoded QR symbol.
#[derive(Clone, Debug)]
pub struct QrSymbol {
    pub version: u8,
    pub ec: EcLevel,
    pub grid: ModuleGrid,
}

/// The ECI designator of UTF-8 (AIM ECI 26).
pub const ECI_UTF8: u32 = 26;

/// Whether [`encode_with`] writes the UTF-8 designator for `payload` when `eci` is on: for text
/// (valid UTF-8) that is not all ASCII. ASCII reads the same in every reader's guess, and bytes
/// that are not UTF-8 are binary data, which has no character set to name.
pub fn writes_eci(payload: &[u8], eci: bool) -> bool {
    eci && !payload.is_ascii() && std::str::from_utf8(payload).is_ok()
}

/// Encode `payload` at `ec`, with the smallest version that fits or exactly `version`, with the
/// UTF-8 designator when [`writes_eci`] says so.
pub fn encode(payload: &[u8], ec: EcLevel, version: Option<u8>) -> Result<QrSymbol, SdkError> {
    encode_with(payload, ec, version, true)
}

/// [`encode`], with `eci` off for readers that do not know ECI designators: then the symbol is
/// the `qrcode` crate's own, bit for bit, as it always is for ASCII and binary payloads.
pub fn encode_with(payload: &[u8], ec: EcLevel, version: Option<u8>, eci: bool) -> Result<QrSymbol, SdkError> {
    if payload.is_empty() {
        return Err(SdkError::EmptyPayload);
    }
    let level = ec.to_qrcode();
    let utf8 = writes_eci(payload, eci);
    let code = match version {
        Some(v @ 1..=40) if utf8 => {
            utf8_bits(payload, Version::Normal(v as i16), level).and_then(|bits| QrCode::with_bits(bits, level))
        }
        Some(v @ 1..=40) => QrCode::with_version(payload, Version::Normal(v as i16), level),
        Some(v) => {
            return Err(SdkError::InvalidOption {
                what: "version",
                detail: format!("{v} is not a QR version; use 1 to 40, or leave it out to pick the smallest that fits"),
            })
        }
        None if utf8 => smallest_utf8(payload, level).and_then(|bits| QrCode::with_bits(bits, level)),
        None => QrCode::with_error_correction_level(payload, level),
    };
    let code = code.map_err(|e| match e {
        QrError::DataTooLong => SdkError::PayloadTooLong {
            bytes: payload.len(),
            fit: match version {
                Some(v) => format!("of version {v} at error correction {ec}"),
                None => format!("at error correction {ec}, even at version 40"),
            },
        },
        other => SdkError::InvalidOption { what: "QR encoding", detail: other.to_string() },
    })?;
    let side = code.width() as u32;
    let dark = code.to_colors().into_iter().map(|c| c == Color::Dark).collect();
    let version = match code.version() {
        Version::Normal(v) => v as u8,
        Version::Micro(_) => return Err(Internal::Unexpected("the encoder made a Micro QR symbol").into()),
    };
    let grid =
        ModuleGrid::new(side, dark).map_err(|_| Internal::Unexpected("the encoder's modules are not a square"))?;
    Ok(QrSymbol { version, ec, grid })
}

/// UTF-8 text's segments at `version`, as the `qrcode` crate chooses them (digit and capital
/// runs in their own modes) but with no Kanji mode: its pairs are Shift_JIS whatever the
/// designator says, and pairs of UTF-8 bytes can look like them.
fn utf8_segments(payload: &[u8], version: Version) -> Vec<Segment> {
    let parsed =
        Parser::new(payload).map(|s| if s.mode == Mode::Kanji { Segment { mode: Mode::Byte, ..s } } else { s });
    Optimizer::new(parsed, version).collect()
}

/// The designator, then `payload`'s segments, at `version`.
fn utf8_bits(payload: &[u8], version: Version, ec: qrcode::EcLevel) -> Result<Bits, QrError> {
    let mut bits = Bits::new(version);
    bits.push_eci_designator(ECI_UTF8)?;
    bits.push_segments(payload, utf8_segments(payload, version).into_iter())?;
    bits.push_terminator(ec)?;
    Ok(bits)
}

/// The bits at the smallest version whose data capacity holds the designator (12 bits) and the
/// segments, which is how the `qrcode` crate chooses for payloads without one.
fn smallest_utf8(payload: &[u8], ec: qrcode::EcLevel) -> Result<Bits, QrError> {
    for v in 1..=40 {
        let version = Version::Normal(v);
        let needed = 12 + total_encoded_len(&utf8_segments(payload, version), version);
        if needed <= Bits::new(version).max_len(ec)? {
            return utf8_bits(payload, version, ec);
        }
    }
    Err(QrError::DataTooLong)
}

#[cfg(test)]
mod eci_tests;
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_follows_payload_size() {
        assert_eq!(encode(b"hello", EcLevel::M, None).expect("fits").version, 1);
        let s = encode(b"hello", EcLevel::M, Some(5)).expect("fits");
        assert_eq!((s.version, s.grid.side()), (5, 37));
    }

    #[test]
    fn bad_inputs_get_typed_errors() {
        assert!(matches!(encode(b"", EcLevel::M, None), Err(SdkError::EmptyPayload)));
        assert!(matches!(encode(&[b'x'; 3000], EcLevel::M, None), Err(SdkError::PayloadTooLong { bytes: 3000, .. })));
        assert!(matches!(encode(&[b'x'; 100], EcLevel::H, Some(1)), Err(SdkError::PayloadTooLong { .. })));
        assert!(matches!(encode(b"x", EcLevel::M, Some(41)), Err(SdkError::InvalidOption { .. })));
        assert!("X".parse::<EcLevel>().is_err());
        assert_eq!("q".parse::<EcLevel>().expect("valid"), EcLevel::Q);
    }
}
