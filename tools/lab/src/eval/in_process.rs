//! The decoders the lab runs in this process: the SDK's two verifiers.

use image::RgbImage;
use qrveil_sdk::{decode_all, decode_rxing};

/// What the in-process decoders (the SDK's two verifiers) read in one image.
#[derive(Clone, Copy)]
pub(crate) struct InProcess {
    rqrr: bool,
    rxing: bool,
}

impl InProcess {
    pub(crate) const NAMES: [&'static str; 2] = ["rqrr", "rxing"];

    pub(crate) fn read(img: &RgbImage, payload: &[u8]) -> Self {
        Self {
            rqrr: decode_all(img).iter().any(|r| r.as_deref() == Ok(payload)),
            rxing: decode_rxing(img) == Ok(Some(payload.to_vec())),
        }
    }

    /// Whether `decoder` read the payload, `None` if it is not an in-process decoder.
    pub(crate) fn get(self, decoder: &str) -> Option<bool> {
        match decoder {
            "rqrr" => Some(self.rqrr),
            "rxing" => Some(self.rxing),
            _ => None,
        }
    }
}
