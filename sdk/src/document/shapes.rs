//! A fitted look's shapes in a style document: the tiles its dot type draws with, and the class
//! program a wide look runs; each only where its dot type uses it, checked as the function and
//! the renderer will check them.

use super::invalid;
use crate::SdkError;
use qrveil_style::recipe::TileSet;
use qrveil_style::spec::{self, SpecError};
use qrveil_style::{ServerProgram, StyleId};
use std::sync::Arc;

/// The tiles and the program the dot type `style` draws with, from the document's fields.
#[allow(clippy::type_complexity)]
pub(super) fn fitted_shapes(
    style: StyleId,
    tiles: &Option<TileSet>,
    program: &Option<ServerProgram>,
) -> Result<(Option<Arc<TileSet>>, Option<Arc<ServerProgram>>), SdkError> {
    let fitted = match (tiles, style) {
        (Some(tiles), StyleId::Fitted | StyleId::FittedWide) => {
            tiles.check().map_err(|e| invalid(format!("tiles: {e}")))?;
            Some(Arc::new(tiles.clone()))
        }
        (None, StyleId::Fitted | StyleId::FittedWide) => {
            return Err(invalid(format!(
                "dotsOptions.type {style} needs the look's tiles (`qrveil style fit` writes them)"
            )))
        }
        (Some(_), other) => {
            return Err(invalid(format!("tiles are drawn only by dotsOptions.type fitted or fitted-wide, not {other}")))
        }
        (None, _) => None,
    };
    // The rule every side uses; the document's words name its fields.
    spec::resolve(style, program.as_ref()).map_err(|e| match e {
        SpecError::MissingProgram => {
            invalid("dotsOptions.type fitted-wide needs the look's program (`qrveil style fit` writes it)")
        }
        SpecError::UnexpectedProgram(other) => {
            invalid(format!("a program is run only by dotsOptions.type fitted-wide, not {other}"))
        }
        SpecError::Program(e) => invalid(format!("program: {e}")),
        SpecError::NotAProgram(e) => invalid(format!("program: {e}")),
    })?;
    Ok((fitted, program.clone().map(Arc::new)))
}
