//! Fast packing keyswitch: up to 256 LWE outputs into one GLWE under the compression key.
//!
//! tfhe-rs packs LWE by LWE: for each of the 256 inputs, each of the 2048 mask elements and
//! each of the 3 decomposition levels, it subtracts a digit times a whole GLWE (1280 words)
//! from the output: 2·10^9 multiply-adds per GLWE, about a sixth of a PBS per value. The sum
//! regroups by key row instead:
//!
//! ```text
//!   Σ_i X^i · (b_i − Σ_{j,l} d_{i,j,l} · K_{j,l})  =  Σ_i b_i X^i − Σ_{j,l} D_{j,l}(X) · K_{j,l}
//!   with D_{j,l}(X) = Σ_i d_{i,j,l} X^i
//! ```
//!
//! so one polynomial product per key row (6144 of them) replaces 256 scalar-times-GLWE
//! updates. Products run in the Fourier domain with tfhe-rs's own negacyclic FFT, the key
//! rows transformed once per key, as its bootstrapping does. The digits are the same as
//! tfhe-rs's (same decomposer, same rounding), so the result is the same ciphertext up to
//! floating-point error: with digits of at most 2^3 the error is below 2^40 on a 2^64 torus,
//! against a decryption margin of 2^60 and a packing noise near 2^50
//! (`tests/tests/packing.rs` measures it against tfhe-rs's packing).

use rayon::prelude::*;
use tfhe::core_crypto::commons::computation_buffers::ComputationBuffers;
use tfhe::core_crypto::fft_impl::fft64::c64;
use tfhe::core_crypto::fft_impl::fft64::math::fft::Fft;
use tfhe::core_crypto::fft_impl::fft64::math::polynomial::FourierPolynomial;
use tfhe::core_crypto::prelude::*;

/// A packing keyswitch key with every row already in the Fourier domain (~63 MB for the
/// pinned compression parameters).
pub struct FourierPackingKey {
    fft: Fft,
    base_log: DecompositionBaseLog,
    levels: DecompositionLevelCount,
    input_dimension: usize,
    glwe_size: GlweSize,
    polynomial_size: PolynomialSize,
    modulus: CiphertextModulus<u64>,
    /// Row (j, l), polynomial p at `((j·levels + l)·(k+1) + p)·N/2`.
    rows: Vec<c64>,
}

fn buffers(fft: &Fft) -> ComputationBuffers {
    let mut buffers = ComputationBuffers::new();
    let view = fft.as_view();
    let need = view.forward_scratch().and(view.backward_scratch());
    buffers.resize(need.unaligned_bytes_required());
    buffers
}

impl FourierPackingKey {
    pub fn new(pksk: &LwePackingKeyswitchKeyOwned<u64>) -> Self {
        let polynomial_size = pksk.output_polynomial_size();
        let half = polynomial_size.to_fourier_polynomial_size().0;
        let fft = Fft::new(polynomial_size);
        let polys = pksk.as_ref().chunks_exact(polynomial_size.0).count();
        let mut rows = vec![c64::default(); polys * half];
        rows.par_chunks_mut(half).zip(pksk.as_ref().par_chunks_exact(polynomial_size.0)).for_each_init(
            || buffers(&fft),
            |buf, (out, poly)| {
                fft.as_view().forward_as_torus(
                    FourierPolynomial { data: out },
                    Polynomial::from_container(poly),
                    buf.stack(),
                );
            },
        );
        Self {
            base_log: pksk.decomposition_base_log(),
            levels: pksk.decomposition_level_count(),
            input_dimension: pksk.input_key_lwe_dimension().0,
            glwe_size: pksk.output_glwe_size(),
            polynomial_size,
            modulus: pksk.ciphertext_modulus(),
            fft,
            rows,
        }
    }

    pub fn approx_bytes(&self) -> usize {
        self.rows.len() * std::mem::size_of::<c64>()
    }

    /// Pack `lwes` (each `input_dimension + 1` words: mask then body) into one GLWE whose
    /// coefficient i encrypts lwe i, exactly as tfhe-rs's
    /// `keyswitch_lwe_ciphertext_list_and_pack_in_glwe_ciphertext` defines it.
    pub fn pack(&self, lwes: &[&[u64]]) -> GlweCiphertextOwned<u64> {
        let n = self.polynomial_size.0;
        let half = n / 2;
        let k1 = self.glwe_size.0;
        let levels = self.levels.0;
        assert!(lwes.len() <= n, "at most {n} values per GLWE");
        assert!(lwes.iter().all(|l| l.len() == self.input_dimension + 1), "LWE size");
        let decomposer = SignedDecomposer::<u64>::new(self.base_log, self.levels);
        let fft = self.fft.as_view();

        let sum = (0..self.input_dimension)
            .into_par_iter()
            .fold(
                || {
                    (
                        vec![c64::default(); k1 * half],
                        vec![0u64; levels * n],
                        vec![c64::default(); half],
                        buffers(&self.fft),
                    )
                },
                |(mut acc, mut digits, mut fourier, mut buf), j| {
                    for (i, lwe) in lwes.iter().enumerate() {
                        let rounded = decomposer.closest_representable(lwe[j]);
                        for (l, term) in decomposer.decompose(rounded).enumerate() {
                            digits[l * n + i] = term.value();
                        }
                    }
                    for l in 0..levels {
                        fft.forward_as_integer(
                            FourierPolynomial { data: &mut fourier[..] },
                            Polynomial::from_container(&digits[l * n..(l + 1) * n]),
                            buf.stack(),
                        );
                        for p in 0..k1 {
                            let row = &self.rows[((j * levels + l) * k1 + p) * half..][..half];
                            for ((a, d), r) in acc[p * half..(p + 1) * half].iter_mut().zip(&fourier).zip(row) {
                                *a += d * r;
                            }
                        }
                    }
                    (acc, digits, fourier, buf)
                },
            )
            .map(|(acc, ..)| acc)
            .reduce(
                || vec![c64::default(); k1 * half],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(b) {
                        *x += y;
                    }
                    a
                },
            );

        let mut glwe = GlweCiphertext::new(0u64, self.glwe_size, self.polynomial_size, self.modulus);
        let mut buf = buffers(&self.fft);
        for (p, mut poly) in glwe.as_mut_polynomial_list().iter_mut().enumerate() {
            fft.backward_as_torus(
                poly.as_mut_view(),
                FourierPolynomial { data: &sum[p * half..(p + 1) * half] },
                buf.stack(),
            );
        }
        // Output = Σ b_i X^i − Σ D·K.
        for c in glwe.as_mut() {
            *c = c.wrapping_neg();
        }
        let mut body = glwe.get_mut_body();
        for (coef, lwe) in body.as_mut().iter_mut().zip(lwes) {
            *coef = coef.wrapping_add(lwe[self.input_dimension]);
        }
        glwe
    }
}
