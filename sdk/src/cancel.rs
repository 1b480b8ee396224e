//! Cancelling a long call from another thread (an app's cancel button).

use crate::SdkError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A flag shared between the caller and a running call. Cancelling takes effect at the next
/// step boundary or poll of the service (within about 0.1 s while waiting); an in-process
/// evaluation (local mode) and key generation finish their current step first.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// `Err(SdkError::Cancelled)` once cancelled.
    pub fn check(&self) -> Result<(), SdkError> {
        if self.is_cancelled() {
            Err(SdkError::Cancelled)
        } else {
            Ok(())
        }
    }
}
