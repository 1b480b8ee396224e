//! Cancelling a long call from another thread (an app's cancel button).

use crate::SdkError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A flag shared between the caller and a running call. Cancelling takes effect at the next
/// step boundary or poll of the service (within about 0.1 s while waiting), or between 64 KiB
/// chunks of an upload or a download through presigned URLs; an in-process evaluation (local
/// mode) and key generation finish their current step first.
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

    /// Sleep for `duration`, or until cancelled (then `Err(SdkError::Cancelled)`, within about
    /// 0.1 s).
    pub fn sleep(&self, duration: Duration) -> Result<(), SdkError> {
        let end = Instant::now() + duration;
        loop {
            self.check()?;
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            std::thread::sleep(left.min(Duration::from_millis(100)));
        }
    }
}
