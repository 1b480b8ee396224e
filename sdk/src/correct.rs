//! The readability guarantee, part one: whatever the server returned, every module ends up
//! with the ink the QR encoder chose. A module whose decrypted ink disagrees with the true
//! bitmap is redrawn as a plain square of the right kind; the renderer's palette gives the
//! colours their contrast ([`crate::palette::Palette`]).

use qrveil_style::{ModuleGrid, Tile};

/// Make every tile's ink match `truth`; returns how many tiles had the wrong ink.
///
/// Shapes near a wrong tile were drawn from wrong neighbour information too (a fillet that
/// joins a module that is not dark), so the 8 neighbours of every wrong tile become plain
/// squares of their true ink as well.
pub fn correct(tiles: &mut [Tile], truth: &ModuleGrid) -> usize {
    let n = truth.side() as i64;
    let wrong: Vec<(i64, i64)> = tiles
        .iter()
        .zip(truth.bits())
        .enumerate()
        .filter(|(_, (tile, &dark))| tile.ink != dark)
        .map(|(i, _)| (i as i64 % n, i as i64 / n))
        .collect();
    for &(x, y) in &wrong {
        for (dx, dy) in (-1..=1).flat_map(|dx| (-1..=1).map(move |dy| (dx, dy))) {
            let (mx, my) = (x + dx, y + dy);
            if (0..n).contains(&mx) && (0..n).contains(&my) {
                let dark = truth.is_dark(mx, my);
                tiles[(my * n + mx) as usize] = if dark { Tile::DARK } else { Tile::LIGHT };
            }
        }
    }
    wrong.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrveil_style::recipe::{Corner, Shape};

    #[test]
    fn wrong_ink_is_fixed_and_its_neighbourhood_squared() {
        let truth =
            ModuleGrid::new(3, vec![true, false, false, false, true, false, false, false, true]).expect("square");
        let fancy = Tile { ink: false, shape: Shape::Corners([Corner::Fillet(0.35); 4]) };
        let mut tiles = vec![fancy; 9];
        tiles[0] = Tile { ink: true, shape: Shape::Dot { radius: 0.4 } };
        tiles[8] = Tile { ink: true, shape: Shape::Dot { radius: 0.4 } };
        // Only the centre is wrong (claims light, is dark).
        assert_eq!(correct(&mut tiles, &truth), 1);
        let inks: Vec<bool> = tiles.iter().map(|t| t.ink).collect();
        assert_eq!(inks, truth.bits());
        assert!(tiles.iter().all(|t| t.shape == Shape::Square));
    }
}
