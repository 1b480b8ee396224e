//! A lying style service: any transport, whose results are changed before the client reads
//! them, the way a malicious server (or whoever holds the bucket) could change them without the
//! client's key. Every lie keeps the container well formed, so the client decrypts it.
//!
//! The lies work on the ciphertexts themselves: a constant added to a mask or body coefficient
//! of every result GLWE, result GLWEs swapped, every slot moved one place (a multiplication by
//! X, which a server can do to any GLWE), blocks of bodies swapped, or another job's results.

use qrveil_protocol::presign::UploadSizes;
use qrveil_protocol::{EncryptedOutputs, KeyId, LinearOutputs};
use qrveil_sdk::{Cancel, Delivery, SdkError, Ticket, Transport};
use std::sync::Mutex;
use tfhe::core_crypto::algorithms::polynomial_algorithms::polynomial_wrapping_monic_monomial_mul_assign;
use tfhe::core_crypto::prelude::compressed_modulus_switched_glwe_ciphertext::CompressedModulusSwitchedGlweCiphertext;
use tfhe::core_crypto::prelude::{ContiguousEntityContainerMut, GlweCiphertextOwned, MonomialDegree};
use tfhe::safe_serialization::safe_deserialize;

type Packed = CompressedModulusSwitchedGlweCiphertext<u64>;

/// What the service does to a job's results.
#[derive(Clone)]
pub enum Lie {
    /// Nothing: the honest results.
    None,
    /// Add `delta` to mask coefficient `index` of every result GLWE (the probe: index 0 and
    /// 2^63 flips, on the linear tier, exactly the values whose key bit is 1).
    Mask { index: usize, delta: u64 },
    /// Add `delta` to the body of slot `slot` of every result GLWE that has that slot.
    Body { slot: usize, delta: u64 },
    /// Swap the first and the last result GLWE (each keeps its place's body count, so the
    /// container stays well formed).
    SwapGlwes,
    /// Multiply every result GLWE by X: each value moves to the next slot.
    ShiftSlots,
    /// Swap the bodies of slots `0..n` with those of `n..2n` in every result GLWE.
    SwapSlots { n: usize },
    /// Another job's results, as they were stored.
    Replay(Vec<u8>),
}

// Replayed bytes are ciphertexts: name their size, not their bytes.
impl std::fmt::Debug for Lie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Lie::None => f.write_str("None"),
            Lie::Mask { index, delta } => {
                write!(f, "Mask {{ index: {index}, delta: 2^{:.2} }}", (*delta as f64).log2())
            }
            Lie::Body { slot, delta } => write!(f, "Body {{ slot: {slot}, delta: 2^{:.2} }}", (*delta as f64).log2()),
            Lie::SwapGlwes => f.write_str("SwapGlwes"),
            Lie::ShiftSlots => f.write_str("ShiftSlots"),
            Lie::SwapSlots { n } => write!(f, "SwapSlots {{ n: {n} }}"),
            Lie::Replay(bytes) => write!(f, "Replay({} bytes of another job's results)", bytes.len()),
        }
    }
}

/// `inner`, lying about every job's results as [`Lying::tell`] last said; it keeps the honest
/// results of each job it carried, for a later replay.
pub struct Lying<T> {
    inner: T,
    lie: Mutex<Lie>,
    honest: Mutex<Vec<Vec<u8>>>,
}

impl<T: Transport> Lying<T> {
    pub fn new(inner: T) -> Self {
        Self { inner, lie: Mutex::new(Lie::None), honest: Mutex::default() }
    }

    /// The lie for the next jobs.
    pub fn tell(&self, lie: Lie) {
        *self.lie.lock().expect("lie") = lie;
    }

    /// The honest results of the last job carried.
    pub fn last_honest(&self) -> Vec<u8> {
        self.honest.lock().expect("honest").last().cloned().expect("a job was carried")
    }
}

impl<T: Transport> Transport for Lying<T> {
    fn begin(&self, key: Option<&KeyId>, sizes: &UploadSizes, cancel: &Cancel) -> Result<Ticket, SdkError> {
        self.inner.begin(key, sizes, cancel)
    }
    fn upload_server_key(&self, ticket: &Ticket, bytes: &[u8], cancel: &Cancel) -> Result<(), SdkError> {
        self.inner.upload_server_key(ticket, bytes, cancel)
    }
    fn submit(&self, ticket: &Ticket, manifest: &[u8], input: &[u8], cancel: &Cancel) -> Result<(), SdkError> {
        self.inner.submit(ticket, manifest, input, cancel)
    }
    fn wait(&self, ticket: &Ticket, cancel: &Cancel) -> Result<Delivery, SdkError> {
        let mut delivery = self.inner.wait(ticket, cancel)?;
        self.honest.lock().expect("honest").push(delivery.output.clone());
        let lie = self.lie.lock().expect("lie").clone();
        delivery.output = tell(&lie, delivery.output);
        Ok(delivery)
    }
}

/// `output` (a linear or a PBS job's results) as `lie` has it.
pub fn tell(lie: &Lie, output: Vec<u8>) -> Vec<u8> {
    let limit = 1 << 26;
    match lie {
        Lie::None => output,
        Lie::Replay(other) => other.clone(),
        _ => {
            if let Ok(mut linear) = safe_deserialize::<LinearOutputs>(output.as_slice(), limit) {
                linear.glwes = alter(lie, linear.glwes);
                linear.to_bytes().expect("linear results")
            } else {
                let mut pbs = safe_deserialize::<EncryptedOutputs>(output.as_slice(), limit).expect("results");
                pbs.glwes = alter(lie, pbs.glwes);
                pbs.to_bytes().expect("PBS results")
            }
        }
    }
}

fn alter(lie: &Lie, mut glwes: Vec<Packed>) -> Vec<Packed> {
    if let Lie::SwapGlwes = lie {
        let last = glwes.len() - 1;
        assert!(last > 0, "swapping GLWEs needs two");
        let (first, end) = (glwes[0].extract(), glwes[last].extract());
        glwes[0] = pack_as(&end, &glwes[0]);
        glwes[last] = pack_as(&first, &glwes[last]);
        return glwes;
    }
    glwes.iter().map(|packed| edit(packed, |glwe, bodies| change(lie, glwe, bodies))).collect()
}

/// `packed` opened into a full GLWE (its values on the torus of 2^64), changed, packed again:
/// exactly, since every value is a multiple of the packing's step.
fn edit(packed: &Packed, change: impl FnOnce(&mut GlweCiphertextOwned<u64>, usize)) -> Packed {
    let mut glwe = packed.extract();
    change(&mut glwe, packed.bodies_count().0);
    pack_as(&glwe, packed)
}

/// `glwe` packed as `like` is: the same step and body count.
fn pack_as(glwe: &GlweCiphertextOwned<u64>, like: &Packed) -> Packed {
    Packed::compress(glwe, like.packed_integers().log_modulus(), like.bodies_count())
}

fn change(lie: &Lie, glwe: &mut GlweCiphertextOwned<u64>, bodies: usize) {
    match *lie {
        Lie::Mask { index, delta } => {
            let mut mask = glwe.get_mut_mask();
            let coefficient = &mut mask.as_mut()[index];
            *coefficient = coefficient.wrapping_add(delta);
        }
        Lie::Body { slot, delta } => {
            if slot < bodies {
                let mut body = glwe.get_mut_body();
                let coefficient = &mut body.as_mut()[slot];
                *coefficient = coefficient.wrapping_add(delta);
            }
        }
        Lie::ShiftSlots => {
            for mut polynomial in glwe.as_mut_polynomial_list().iter_mut() {
                polynomial_wrapping_monic_monomial_mul_assign(&mut polynomial, MonomialDegree(1));
            }
        }
        Lie::SwapSlots { n } => {
            assert!(2 * n <= bodies, "swapping {n} slots with the next {n} needs {} bodies", 2 * n);
            let mut body = glwe.get_mut_body();
            let (first, rest) = body.as_mut().split_at_mut(n);
            first.swap_with_slice(&mut rest[..n]);
        }
        Lie::None | Lie::SwapGlwes | Lie::Replay(_) => {}
    }
}
