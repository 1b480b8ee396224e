//! The SVG drawing: the same geometry as the raster, as paths over a background rectangle.

use super::Canvas;
use crate::fill::{linear_ends, Fill, GradientKind};
use crate::logo::Logo;
use crate::palette::{Area, Part, Shade};
use qrveil_style::recipe::patterns::RoundedRect;
use qrveil_style::recipe::{Corner, TileSet};
use qrveil_style::{FixedModules, Shape, Tile};
use std::fmt::Write;

impl Canvas<'_> {
    /// An SVG with the same geometry over a background rectangle (none when transparent): one
    /// path per part (data, timing, rings, centres), each in its fill.
    pub fn to_svg(&self) -> String {
        let size = self.size_px();
        let s = self.module_px as f32;
        let fixed = FixedModules::for_side(self.side);
        let boxes = self.patterns.boxes(self.side);
        let owners = self.owners(&boxes);
        let (mut data, mut timing, mut rings, mut centres) =
            (String::new(), String::new(), String::new(), String::new());
        let at = |v: f32| v * s + (self.quiet_zone as f32) * s;
        for b in &boxes {
            rounded_rect_path(&mut rings, b.ring.outer, at, s);
            if let Some(hole) = b.ring.hole {
                rounded_rect_path(&mut rings, hole, at, s);
            }
            rounded_rect_path(&mut centres, b.centre.outer, at, s);
        }
        for (i, tile) in self.tiles.iter().enumerate() {
            if owners[i].is_some() {
                continue;
            }
            let (mx, my) = (i as u32 % self.side, i as u32 / self.side);
            let x = (mx + self.quiet_zone) as f32 * s;
            let y = (my + self.quiet_zone) as f32 * s;
            let d = if fixed.get(mx as i64, my as i64).is_some() { &mut timing } else { &mut data };
            match (tile.shape, self.fitted) {
                (Shape::Quadrants(codes), Some(set)) => fitted_path(d, set, codes, x, y, s),
                (Shape::Class(class), Some(set)) => class_path(d, set, class, x, y, s),
                _ if tile.ink || matches!(tile.shape, Shape::Corners(_)) => tile_path(d, *tile, x, y, s),
                _ => {}
            }
        }
        let ink_area = self.area_px(self.palette.area);
        let mut defs = String::new();
        let mut paint = |id: &str, shade: &Shade, area: (f32, f32, f32)| paint(&mut defs, id, shade, area);
        let fills = [
            paint("ink", &self.palette.shade(Part::Data), ink_area),
            paint("timing", &self.palette.shade(Part::Timing), ink_area),
            paint("rings", &self.palette.shade(Part::Ring), ink_area),
            paint("centres", &self.palette.shade(Part::Centre), ink_area),
        ];
        let background = match self.palette.background_shade() {
            Some(shade) => {
                let fill = paint("background", &shade, self.area_px(Area::Image));
                format!(r#"<rect width="{size}" height="{size}" fill="{fill}"/>"#)
            }
            None => String::new(),
        };
        let [ink, timing_ink, ring_ink, centre_ink] = fills;
        // The logo goes under the function patterns, as the raster draws it.
        let logo = self.logo.map(|l| self.logo_element(l)).unwrap_or_default();
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}" shape-rendering="geometricPrecision"><defs>{defs}</defs>{background}<path fill="{ink}" fill-rule="evenodd" d="{data}"/>{logo}<path fill="{timing_ink}" fill-rule="evenodd" d="{timing}"/><path fill="{ring_ink}" fill-rule="evenodd" d="{rings}"/><path fill="{centre_ink}" d="{centres}"/></svg>
"#
        )
    }

    /// The logo as an `<image>` with its own bytes inline.
    fn logo_element(&self, logo: &Logo) -> String {
        use base64::Engine;
        let (x, y, w, h) = self.logo_px(logo);
        let data = base64::engine::general_purpose::STANDARD.encode(&logo.source);
        format!(
            r#"<image x="{x}" y="{y}" width="{w}" height="{h}" preserveAspectRatio="none" href="data:{};base64,{data}"/>"#,
            logo.media_type
        )
    }

    /// An area's left, top and side in pixels.
    fn area_px(&self, area: Area) -> (f32, f32, f32) {
        match area {
            Area::Image => (0.0, 0.0, self.size_px() as f32),
            Area::Symbol => {
                let origin = (self.quiet_zone * self.module_px) as f32;
                (origin, origin, (self.side * self.module_px) as f32)
            }
        }
    }
}

/// The SVG paint of `shade` laid over `area` (left, top, side in pixels): a colour, or a
/// gradient added to `defs` as `id`, its stops sampled from the drawn colours.
fn paint(defs: &mut String, id: &str, shade: &Shade, (left, top, side): (f32, f32, f32)) -> String {
    let kind = match &shade.fill {
        Fill::Solid(_) => {
            let c = shade.along(0.0);
            return format!("rgb({},{},{})", c.0, c.1, c.2);
        }
        Fill::Map(_) => return map_pattern(defs, id, shade, (left, top, side)),
        Fill::Gradient { kind, .. } => *kind,
    };
    let mut stops = String::new();
    for k in 0..=32 {
        let t = k as f32 / 32.0;
        let c = shade.along(t);
        let _ = write!(stops, r#"<stop offset="{t}" stop-color="rgb({},{},{})"/>"#, c.0, c.1, c.2);
    }
    let _ = match kind {
        GradientKind::Linear { rotation } => {
            let ((x0, y0), (x1, y1)) = linear_ends(rotation);
            let (x0, y0, x1, y1) = (left + x0 * side, top + y0 * side, left + x1 * side, top + y1 * side);
            write!(
                defs,
                r#"<linearGradient id="{id}" gradientUnits="userSpaceOnUse" x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}">{stops}</linearGradient>"#
            )
        }
        GradientKind::Radial => {
            let (c, r) = (side / 2.0, side / 2.0);
            write!(
                defs,
                r#"<radialGradient id="{id}" gradientUnits="userSpaceOnUse" cx="{}" cy="{}" r="{r}">{stops}</radialGradient>"#,
                left + c,
                top + c
            )
        }
    };
    format!("url(#{id})")
}

/// Cells per side of a colour map's SVG pattern: SVG has no bilinear fill, so the map is drawn
/// as flat cells, finer than its points (the raster blends them).
const MAP_CELLS: usize = 48;

/// A colour map as an SVG pattern of flat cells over `area`, added to `defs` as `id`.
fn map_pattern(defs: &mut String, id: &str, shade: &Shade, (left, top, side): (f32, f32, f32)) -> String {
    let cell = side / MAP_CELLS as f32;
    let mut cells = String::new();
    for j in 0..MAP_CELLS {
        for i in 0..MAP_CELLS {
            let at = |k: usize| (k as f32 + 0.5) / MAP_CELLS as f32;
            let c = shade.at(at(i), at(j));
            let _ = write!(
                cells,
                r#"<rect x="{}" y="{}" width="{cell}" height="{cell}" fill="rgb({},{},{})"/>"#,
                i as f32 * cell,
                j as f32 * cell,
                c.0,
                c.1,
                c.2
            );
        }
    }
    let _ = write!(
        defs,
        r#"<pattern id="{id}" patternUnits="userSpaceOnUse" x="{left}" y="{top}" width="{side}" height="{side}"><g shape-rendering="crispEdges">{cells}</g></pattern>"#
    );
    format!("url(#{id})")
}

/// A rounded rectangle in module units, as an SVG subpath; `at` maps module units to the
/// image's, `s` is the module size.
fn rounded_rect_path(d: &mut String, r: RoundedRect, at: impl Fn(f32) -> f32, s: f32) {
    let (x0, y0, x1, y1, k) = (at(r.x), at(r.y), at(r.x + r.side), at(r.y + r.side), r.radius * s);
    if k <= 0.0 {
        let _ = write!(d, "M{x0} {y0}H{x1}V{y1}H{x0}z");
        return;
    }
    let _ = write!(
        d,
        "M{} {y0}H{}A{k} {k} 0 0 1 {x1} {}V{}A{k} {k} 0 0 1 {} {y1}H{}A{k} {k} 0 0 1 {x0} {}V{}A{k} {k} 0 0 1 {} {y0}z",
        x0 + k,
        x1 - k,
        y0 + k,
        y1 - k,
        x1 - k,
        x0 + k,
        y1 - k,
        y0 + k,
        x0 + k
    );
}

/// Append a fitted look's polygons for one module whose top-left corner is (x, y): each quarter
/// of the module is a quarter of the tile of the vertex at that corner (`TileSet`).
fn fitted_path(d: &mut String, set: &TileSet, codes: [u8; 4], x: f32, y: f32, s: f32) {
    for (c, &code) in codes.iter().enumerate() {
        // Tile units to module units: the vertex at corner c is the tile's middle.
        let (ox, oy) = ((c & 1) as f32 - 0.5, (c >> 1) as f32 - 0.5);
        for polygon in set.quarter(code, 3 - c) {
            for (i, [px, py]) in polygon.iter().enumerate() {
                let _ = write!(d, "{}{} {}", if i == 0 { 'M' } else { 'L' }, x + (px + ox) * s, y + (py + oy) * s);
            }
            d.push('z');
        }
    }
}

/// Append a wide fitted look's polygons for one module whose top-left corner is (x, y): its
/// class's tile, laid on the module.
fn class_path(d: &mut String, set: &TileSet, class: u8, x: f32, y: f32, s: f32) {
    for polygon in (0..4).flat_map(|q| set.quarter(class, q)) {
        for (i, [px, py]) in polygon.iter().enumerate() {
            let _ = write!(d, "{}{} {}", if i == 0 { 'M' } else { 'L' }, x + px * s, y + py * s);
        }
        d.push('z');
    }
}

/// Append the SVG path of one inked tile whose top-left corner is (x, y), `s` units a side.
/// (A light tile draws only its fillets.)
fn tile_path(d: &mut String, tile: Tile, x: f32, y: f32, s: f32) {
    let r = s / 2.0;
    let (cx, cy) = (x + r, y + r);
    match tile.shape {
        // Without a fitted look's tiles its modules are drawn square.
        Shape::Square | Shape::Quadrants(_) | Shape::Class(_) => {
            let _ = write!(d, "M{x} {y}h{s}v{s}h-{s}z");
        }
        Shape::Dot { radius } if radius * s <= r => {
            let rr = radius * s;
            let _ = write!(d, "M{} {cy}a{rr} {rr} 0 1 0 {} 0a{rr} {rr} 0 1 0 -{} 0z", cx - rr, 2.0 * rr, 2.0 * rr);
        }
        Shape::Dot { radius } => {
            // The disc clipped by the module: each side straight for ±a about its middle,
            // quarter arcs of the disc between the sides.
            let rr = radius * s;
            let a = (rr * rr - r * r).sqrt().min(r);
            let _ = write!(
                d,
                "M{} {}H{}A{rr} {rr} 0 0 1 {} {}V{}A{rr} {rr} 0 0 1 {} {}H{}A{rr} {rr} 0 0 1 {} {}V{}A{rr} {rr} 0 0 1 {} {}z",
                cx - a, cy - r, cx + a, cx + r, cy - a, cy + a, cx + a, cy + r, cx - a, cx - r, cy + a, cy - a, cx - a, cy - r
            );
        }
        Shape::Corners(corners) => corners_path(d, tile.ink, &corners, x, y, s),
    }
}

/// A dark tile's outline with each corner rounded to its radius (a rounded rectangle whose
/// radii may reach the whole side), or a light tile's fillets.
fn corners_path(d: &mut String, dark: bool, corners: &[Corner; 4], x: f32, y: f32, s: f32) {
    let round = |q: usize| match corners[q] {
        Corner::Round(r) => r * s,
        _ => 0.0,
    };
    if dark {
        let (tl, tr, bl, br) = (round(0), round(1), round(2), round(3));
        // Clockwise from the top edge; an arc of radius 0 is left out.
        let arc = |r: f32, ex: f32, ey: f32| if r > 0.0 { format!("A{r} {r} 0 0 1 {ex} {ey}") } else { String::new() };
        let _ = write!(
            d,
            "M{} {y}H{}{}V{}{}H{}{}V{}{}z",
            x + tl,
            x + s - tr,
            arc(tr, x + s, y + tr),
            y + s - br,
            arc(br, x + s - br, y + s),
            x + bl,
            arc(bl, x, y + s - bl),
            y + tl,
            arc(tl, x + tl, y),
        );
        return;
    }
    for (q, corner) in corners.iter().enumerate() {
        let Corner::Fillet(r) = *corner else { continue };
        let rc = r * s;
        let sx = if q & 1 == 1 { 1.0 } else { -1.0 };
        let sy = if q & 2 == 2 { 1.0 } else { -1.0 };
        let (kx, ky) = (x + s / 2.0 + sx * s / 2.0, y + s / 2.0 + sy * s / 2.0); // the tile's corner
        let (ox, oy) = (kx - sx * rc, ky - sy * rc); // centre of the corner's circle
        let sweep = u8::from(sx == sy);
        let _ = write!(d, "M{kx} {ky}V{oy}A{rc} {rc} 0 0 {sweep} {ox} {ky}z");
    }
}

#[cfg(test)]
mod tests;
