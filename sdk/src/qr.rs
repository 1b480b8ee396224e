//! QR encoding with the `qrcode` crate: payload → module grid.

use crate::error::Internal;
use crate::SdkError;
use qrcode::types::QrError;
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

/// Encode `payload` at `ec`, with the smallest version that fits or exactly `version`.
pub fn encode(payload: &[u8], ec: EcLevel, version: Option<u8>) -> Result<QrSymbol, SdkError> {
    if payload.is_empty() {
        return Err(SdkError::EmptyPayload);
    }
    let code = match version {
        Some(v @ 1..=40) => QrCode::with_version(payload, Version::Normal(v as i16), ec.to_qrcode()),
        Some(v) => {
            return Err(SdkError::InvalidOption {
                what: "version",
                detail: format!("{v} is not a QR version; use 1 to 40, or leave it out to pick the smallest that fits"),
            })
        }
        None => QrCode::with_error_correction_level(payload, ec.to_qrcode()),
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
