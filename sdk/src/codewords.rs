//! Which Reed–Solomon block each module of a symbol carries, so that a logo's cost is counted
//! as decoders pay it: per block, in codewords. The map comes from the `qrcode` encoder itself
//! (its block split and its module placement), not from tables copied here.

use crate::qr::EcLevel;
use qrcode::bits::Bits;
use qrcode::canvas::{is_functional, Canvas};
use qrcode::ec::{construct_codewords, max_allowed_errors};
use qrcode::Version;

/// The codeword layout of one version and EC level.
#[derive(Clone, Debug)]
pub struct CodewordMap {
    pub side: u32,
    /// For each module (row-major): the index of the codeword it belongs to, if any.
    module_codeword: Vec<Option<u16>>,
    /// For each codeword, in placement order: its block.
    codeword_block: Vec<u16>,
    /// For each block: how many wrong codewords it corrects.
    capacity: Vec<u32>,
}

impl CodewordMap {
    pub fn new(version: u8, ec: EcLevel) -> Option<Self> {
        let v = Version::Normal(version as i16);
        let level = ec.to_qrcode();
        let data_len = Bits::new(v).max_len(level).ok()? / 8;
        // The block of each data codeword, found by encoding the codewords' own indices.
        let plane = |shift: u32| (0..data_len).map(|i| (i >> shift) as u8).collect::<Vec<u8>>();
        let (lo, _) = construct_codewords(&plane(0), v, level).ok()?;
        let (hi, ec_bytes) = construct_codewords(&plane(8), v, level).ok()?;
        let placed: Vec<usize> = lo.iter().zip(&hi).map(|(&l, &h)| l as usize | (h as usize) << 8).collect();
        // Interleaving takes each block's first codeword before any second one.
        let blocks = placed.iter().position(|&i| i == 1).unwrap_or(placed.len());
        let mut starts: Vec<usize> = placed[..blocks].to_vec();
        starts.sort_unstable();
        let block_of = |i: usize| starts.iter().rposition(|&s| s <= i).unwrap_or(0) as u16;
        let mut codeword_block: Vec<u16> = placed.iter().map(|&i| block_of(i)).collect();
        codeword_block.extend((0..ec_bytes.len()).map(|k| (k % blocks) as u16));
        let ec_per_block = ec_bytes.len() / blocks;
        let cap = if blocks == 1 { max_allowed_errors(v, level).ok()? } else { ec_per_block / 2 };
        let capacity = vec![cap as u32; blocks];
        let module_codeword = placement(v, level, codeword_block.len());
        Some(Self { side: v.width() as u32, module_codeword, codeword_block, capacity })
    }

    pub fn blocks(&self) -> usize {
        self.capacity.len()
    }

    /// Wrong codewords each block corrects.
    pub fn capacity(&self, block: usize) -> u32 {
        self.capacity[block]
    }

    /// For each block, how many of its codewords lose at least one module among `hidden`.
    pub fn damage(&self, hidden: impl IntoIterator<Item = (u32, u32)>) -> Vec<u32> {
        let mut touched = vec![false; self.codeword_block.len()];
        for (x, y) in hidden {
            if let Some(c) = self.module_codeword[(y * self.side + x) as usize] {
                touched[c as usize] = true;
            }
        }
        let mut per_block = vec![0u32; self.blocks()];
        for (c, _) in touched.iter().enumerate().filter(|(_, &t)| t) {
            per_block[self.codeword_block[c] as usize] += 1;
        }
        per_block
    }
}

/// The codeword index at each module, found by placing the codewords' index bits one plane
/// at a time (codeword k all dark in plane b when bit b of k is set), unmasked.
fn placement(v: Version, level: qrcode::EcLevel, codewords: usize) -> Vec<Option<u16>> {
    let width = v.width();
    let n = (width as usize) * (width as usize);
    let planes = usize::BITS - codewords.leading_zeros();
    let draw = |dark: &dyn Fn(usize) -> bool| -> Vec<bool> {
        let bytes: Vec<u8> = (0..codewords).map(|k| if dark(k) { 0xff } else { 0 }).collect();
        let mut canvas = Canvas::new(v, level);
        canvas.draw_all_functional_patterns();
        let data_len = bytes.len() - ec_len(v, level, codewords);
        canvas.draw_data(&bytes[..data_len], &bytes[data_len..]);
        canvas.into_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect()
    };
    // Data modules are dark with every codeword dark and light with none; the rest (function
    // patterns, version information) do not follow the data.
    let (all, none) = (draw(&|_| true), draw(&|_| false));
    let present: Vec<bool> = all.iter().zip(&none).map(|(&a, &z)| a && !z).collect();
    let mut index = vec![0u16; n];
    for b in 0..planes {
        for (i, dark) in draw(&|k| k >> b & 1 == 1).into_iter().enumerate() {
            index[i] |= u16::from(dark) << b;
        }
    }
    (0..n)
        .map(|i| {
            let (x, y) = ((i % width as usize) as i16, (i / width as usize) as i16);
            (present[i] && !is_functional(v, width, x, y)).then_some(index[i])
        })
        .collect()
}

/// EC codewords of the whole symbol.
fn ec_len(v: Version, level: qrcode::EcLevel, codewords: usize) -> usize {
    let data = Bits::new(v).max_len(level).map(|b| b / 8).unwrap_or(codewords);
    codewords - data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::encode;

    /// The block structure of ISO/IEC 18004 Table 9 for a few symbols: (version, level,
    /// blocks, total codewords, correctable per block).
    #[test]
    fn block_structure_follows_the_standard() {
        for (version, ec, blocks, codewords, capacity) in [
            (1, EcLevel::L, 1, 26, 2),  // 7 EC codewords, 3 misdecode-protection
            (1, EcLevel::H, 1, 26, 8),  // 17 EC, 1 protection
            (5, EcLevel::Q, 4, 134, 9), // 2×15 + 2×16 data, 18 EC each
            (10, EcLevel::M, 5, 346, 13),
            (40, EcLevel::H, 81, 3706, 15),
        ] {
            let map = CodewordMap::new(version, ec).expect("valid");
            assert_eq!((map.blocks(), map.codeword_block.len()), (blocks, codewords), "v{version} {ec}");
            assert!((0..blocks).all(|b| map.capacity(b) == capacity), "v{version} {ec}");
            // Every codeword has its 8 modules.
            let mut count = vec![0; codewords];
            for c in map.module_codeword.iter().flatten() {
                count[*c as usize] += 1;
            }
            assert!(count.iter().all(|&k| k == 8), "v{version} {ec}");
        }
    }

    /// Inverting the modules of one codeword of a real code leaves it decodable; inverting
    /// more codewords of one block than it corrects does not. Independent of the map: rqrr
    /// decodes the grids.
    #[test]
    fn damage_past_a_blocks_capacity_breaks_exactly_that_code() {
        let payload = b"https://qrveil.invalid/s/8f3a?k=Zm9v-codewords";
        let symbol = encode(payload, EcLevel::M, Some(5)).expect("fits");
        let map = CodewordMap::new(5, EcLevel::M).expect("valid");
        let side = symbol.grid.side();
        let decode = |flip: &dyn Fn(u32, u32) -> bool| {
            let grid = rqrr::SimpleGrid::from_func(side as usize, |x, y| {
                symbol.grid.is_dark(x as i64, y as i64) ^ flip(x as u32, y as u32)
            });
            let mut out = Vec::new();
            rqrr::Grid::new(grid).decode_to(&mut out).ok().map(|_| out)
        };
        assert_eq!(decode(&|_, _| false).as_deref(), Some(&payload[..]));
        // All codewords of block 0 in placement order; flip whole codewords.
        let block0: Vec<u16> =
            (0..map.codeword_block.len() as u16).filter(|&c| map.codeword_block[c as usize] == 0).collect();
        let codewords = &map.module_codeword;
        let within = |k: usize| {
            let chosen: Vec<u16> = block0[..k].to_vec();
            move |x: u32, y: u32| codewords[(y * side + x) as usize].is_some_and(|c| chosen.contains(&c))
        };
        let cap = map.capacity(0) as usize;
        assert_eq!(decode(&within(cap)).as_deref(), Some(&payload[..]), "{cap} wrong codewords are corrected");
        assert_ne!(decode(&within(cap + 1)).as_deref(), Some(&payload[..]), "one more than the block corrects");
        let lost = within(cap);
        let hidden: Vec<(u32, u32)> =
            (0..side).flat_map(|y| (0..side).map(move |x| (x, y))).filter(|&(x, y)| lost(x, y)).collect();
        assert_eq!(map.damage(hidden), {
            let mut d = vec![0; map.blocks()];
            d[0] = cap as u32;
            d
        });
    }
}
