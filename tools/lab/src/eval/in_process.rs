//! The decoders the lab runs in this process: the SDK's own list ([`Decoder::ALL`]).

use image::RgbImage;
use qrveil_sdk::{greys, Decoder};

/// What the in-process decoders read in one image, in [`Decoder::ALL`]'s order.
#[derive(Clone, Copy)]
pub(crate) struct InProcess {
    read: [bool; Decoder::ALL.len()],
}

impl InProcess {
    pub(crate) fn names() -> impl Iterator<Item = &'static str> {
        Decoder::ALL.into_iter().map(Decoder::name)
    }

    pub(crate) fn read(img: &RgbImage, payload: &[u8]) -> Self {
        let grey = greys(img);
        Self { read: Decoder::ALL.map(|d| d.reads(&grey, payload)) }
    }

    /// Whether `decoder` read the payload, `None` if it is not an in-process decoder.
    pub(crate) fn get(self, decoder: &str) -> Option<bool> {
        Decoder::ALL.iter().position(|d| d.name() == decoder).map(|i| self.read[i])
    }
}
