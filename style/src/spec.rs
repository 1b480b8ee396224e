//! One rule for what a job runs, used by every side: the SDK's options and style documents, the
//! function's manifests and the fitter. A style is a built-in one, or a wide fitted look with
//! its own class program (checked: what the function may run, and each class's ink); and a
//! style runs on the tier asked for, or on the cheapest one it can.

use crate::catalogue::{Style, StyleId};
use crate::program::ServerProgram;
use crate::recipe::classes::ClassProgramError;
use crate::tiers::Plan;
use crate::StyleError;
use qrveil_protocol::{Manifest, Tier};

/// Why a style and a program do not make a style the function can run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    #[error(
        "style fitted-wide needs its program: its look's style document carries it (`qrveil style fit` writes it)"
    )]
    MissingProgram,
    #[error("only style fitted-wide carries a program, not {0}")]
    UnexpectedProgram(StyleId),
    #[error("the program of style fitted-wide is not a style program: {0}")]
    NotAProgram(String),
    #[error("the program of style fitted-wide: {0}")]
    Program(#[from] ClassProgramError),
}

/// The style `id` names, with `program` where it is a wide fitted look's.
pub fn resolve(id: StyleId, program: Option<&ServerProgram>) -> Result<Style, SpecError> {
    match (id, program) {
        (StyleId::FittedWide, Some(program)) => Ok(Style::fitted_wide(program.clone())?),
        (StyleId::FittedWide, None) => Err(SpecError::MissingProgram),
        (id, Some(_)) => Err(SpecError::UnexpectedProgram(id)),
        (id, None) => id.style(),
    }
}

/// A style for every served id, with the plain class program standing in for a wide fitted
/// look's own: for tests and labs that run every program the function serves.
pub fn served_example(id: StyleId) -> Style {
    match id {
        StyleId::FittedWide => {
            Style::fitted_wide(crate::recipe::classes::plain_program()).expect("the plain program is valid")
        }
        id => id.style().expect("every other id has a fixed program"),
    }
}

/// The style a manifest names: its name, and the program a wide look's manifest carries.
pub fn from_manifest(id: StyleId, manifest: &Manifest) -> Result<Style, SpecError> {
    let program = match &manifest.program {
        Some(json) => Some(
            serde_json::from_value::<ServerProgram>(json.clone()).map_err(|e| SpecError::NotAProgram(e.to_string()))?,
        ),
        None => None,
    };
    resolve(id, program.as_ref())
}

/// The program a manifest carries for `style`: a wide look's own; none for a built-in style.
pub fn manifest_program(style: &Style) -> Option<serde_json::Value> {
    (style.id == StyleId::FittedWide).then(|| serde_json::to_value(&style.server).ok()).flatten()
}

/// A tier that cannot run a style.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TierError {
    #[error("style {0} needs the PBS tier; it cannot run on the linear tier")]
    NeedsPbs(StyleId),
    #[error("style {id} is invalid: {error}")]
    Invalid { id: StyleId, error: StyleError },
}

/// How `style` is evaluated on `tier`, or on the cheapest tier when none is asked for. Any
/// style runs on the PBS tier; only styles with a linear plan run on the linear one.
pub fn plan(style: &Style, tier: Option<Tier>) -> Result<Plan, TierError> {
    let cheapest = Plan::of(&style.server).map_err(|error| TierError::Invalid { id: style.id, error })?;
    match (tier, cheapest) {
        (None, cheapest) => Ok(cheapest),
        (Some(Tier::Pbs), _) => Ok(Plan::Pbs),
        (Some(Tier::Linear), plan @ Plan::Linear(_)) => Ok(plan),
        (Some(Tier::Linear), Plan::Pbs) => Err(TierError::NeedsPbs(style.id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recipe::classes::{density_program, plain_program};

    #[test]
    fn a_program_goes_with_fitted_wide_alone() {
        assert_eq!(resolve(StyleId::FittedWide, None).unwrap_err(), SpecError::MissingProgram);
        // No stand-in program: a wide look without its own is an error wherever it is named.
        assert_eq!(StyleId::FittedWide.style().unwrap_err(), SpecError::MissingProgram);
        let plain = plain_program();
        assert_eq!(resolve(StyleId::Fluid, Some(&plain)).unwrap_err(), SpecError::UnexpectedProgram(StyleId::Fluid));
        let wide = resolve(StyleId::FittedWide, Some(&density_program())).expect("a class program");
        assert_eq!(wide.server, density_program());
        assert_eq!(
            resolve(StyleId::Fluid, None).expect("built-in").server,
            StyleId::Fluid.style().expect("a built-in style").server
        );
        let mut far = density_program();
        far.programs[0].nodes[2] =
            crate::program::Node::Stencil { taps: vec![crate::program::Tap { dx: 0, dy: 2, weight: 8 }] };
        assert!(matches!(resolve(StyleId::FittedWide, Some(&far)), Err(SpecError::Program(_))));
    }

    #[test]
    fn the_cheapest_tier_unless_one_is_asked_for() {
        let wide = resolve(StyleId::FittedWide, Some(&density_program())).expect("valid");
        assert_eq!(plan(&wide, None).expect("plan").tier(), Tier::Linear);
        assert_eq!(plan(&wide, Some(Tier::Pbs)).expect("plan"), Plan::Pbs);
        assert_eq!(manifest_program(&wide), Some(serde_json::to_value(density_program()).expect("json")));
        assert_eq!(manifest_program(&StyleId::Fluid.style().expect("a built-in style")), None);
    }
}
