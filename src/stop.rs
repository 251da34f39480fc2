//! Stopping a bulk run: why it stopped ([`StopReason`]), the handle that stops it
//! ([`StopHandle`]), and the signal its waits listen to.
//!
//! A stop never cuts a request short: a call already sent finishes (within its timeout) and
//! is reported; what stops is everything not yet started: new ids, new calls, retries, and
//! the waits before them, which end at once.

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::clock::Clock;

/// Why a bulk run stopped before it took up an id; see
/// [`Error::NotAttempted`](crate::Error::NotAttempted).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// [`StopHandle::stop`] was called (the command-line tool does on an interrupt).
    Requested,
    /// The service kept failing: this many calls in a row failed (no answer, a timeout, 429
    /// or a 5xx) once retries could no longer help, because the client's
    /// [retry budget](crate::RetryBudget) was spent or the failure was not one to retry.
    ServiceFailing {
        /// How many calls in a row had failed when the run stopped.
        failures: u32,
    },
    /// The service stopped answering: this many requests in a row (first attempts and
    /// retries, across the run's threads) got no answer within the time limit, as when a
    /// server accepts connections and never answers. Two rounds of every thread's requests
    /// (and at least [`stop_after_failures`](crate::bulk::BulkOptions::stop_after_failures))
    /// stop the run: within about two time limits, whatever its size.
    NoAnswers {
        /// How many requests in a row had got no answer when the run stopped.
        requests: u32,
    },
    /// The API kept answering 429 (too many requests): this many calls in a row, once a
    /// retry could no longer help (its `Retry-After` was longer than the client waits, or the
    /// retry budget was spent).
    Throttled {
        /// How many calls in a row had been refused when the run stopped.
        failures: u32,
    },
    /// The credentials were refused: the API answered 401 to a renewed token (or to a token
    /// that cannot be renewed), or the token endpoint refused the API client. Every further
    /// call would be refused too.
    CredentialsRefused,
    /// The token endpoint answered, but with no usable token (not JSON, no token, or a token
    /// that expires as it arrives): asking again would get the same.
    NoUsableToken,
    /// A job panicked; the panic is raised again once the results are read.
    JobPanicked,
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::Requested => f.write_str("the run was stopped"),
            StopReason::ServiceFailing { failures } => write!(
                f,
                "the service kept failing ({failures} calls in a row, with no retry left to help), so the run stopped"
            ),
            StopReason::Throttled { failures } => write!(
                f,
                "the API kept asking to slow down (429, {failures} calls in a row) and retrying could no longer help (the retry budget was spent, or it asked to wait longer than the client waits), so the run stopped"
            ),
            StopReason::CredentialsRefused => {
                f.write_str("the credentials were refused, so the run stopped")
            }
            StopReason::NoAnswers { requests } => write!(
                f,
                "the service stopped answering ({requests} requests in a row got no answer within the time limit), so the run stopped"
            ),
            StopReason::NoUsableToken => f.write_str(
                "the token endpoint answered without a usable token, so the run stopped",
            ),
            StopReason::JobPanicked => f.write_str("a job panicked, so the run stopped"),
        }
    }
}

/// The stop signal of one run: set once (the first reason wins), and waited on by every wait
/// of the run's calls so that they end as soon as it is set.
#[derive(Debug, Default)]
pub(crate) struct StopSignal {
    reason: Mutex<Option<StopReason>>,
    changed: Condvar,
}

impl StopSignal {
    /// Sets the signal, unless it is already set; wakes every wait.
    pub(crate) fn stop(&self, reason: StopReason) {
        let mut current = self.reason.lock().unwrap_or_else(PoisonError::into_inner);
        if current.is_none() {
            *current = Some(reason);
            self.changed.notify_all();
        }
    }

    /// Why the run stopped, once it has.
    pub(crate) fn reason(&self) -> Option<StopReason> {
        self.reason
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits `duration`, or less if the signal is set meanwhile: `Err` with the reason then.
    pub(crate) fn sleep(&self, duration: Duration, clock: &Clock) -> Result<(), StopReason> {
        if clock.is_manual() {
            // Time that moves only by waits: the wait is made at once, unless stopped first.
            if let Some(r) = self.reason() {
                return Err(r);
            }
            clock.sleep(duration);
            return Ok(());
        }
        let deadline = Instant::now().checked_add(duration);
        let mut reason = self.reason.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(r) = reason.as_ref() {
                return Err(r.clone());
            }
            let left = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                // Too far away to represent: wait in long steps.
                None => Duration::from_secs(3600),
            };
            if left.is_zero() {
                return Ok(());
            }
            reason = self
                .changed
                .wait_timeout(reason, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// Stops a bulk run from anywhere (another thread, a signal handler's thread): no new id is
/// taken up, no new call or retry starts, waits end at once; the calls in flight finish and
/// are reported, and every id not taken up is reported as
/// [`Error::NotAttempted`](crate::Error::NotAttempted) with [`StopReason::Requested`].
///
/// Get one from [`BulkResults::stop_handle`](crate::bulk::BulkResults::stop_handle). Cloning
/// it gives another handle to the same run.
#[derive(Debug, Clone)]
pub struct StopHandle(pub(crate) Arc<StopSignal>);

impl StopHandle {
    /// Stops the run (if it has not stopped for another reason already).
    pub fn stop(&self) {
        self.0.stop(StopReason::Requested);
    }

    /// Why the run stopped, or `None` while it goes on.
    pub fn reason(&self) -> Option<StopReason> {
        self.0.reason()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_reason_wins() {
        let s = StopSignal::default();
        assert_eq!(s.reason(), None);
        s.stop(StopReason::CredentialsRefused);
        s.stop(StopReason::Requested);
        assert_eq!(s.reason(), Some(StopReason::CredentialsRefused));
    }

    #[test]
    fn a_sleep_ends_when_the_signal_is_set() {
        let s = Arc::new(StopSignal::default());
        assert_eq!(s.sleep(Duration::ZERO, &Clock::system()), Ok(()));
        let stopper = {
            let s = s.clone();
            std::thread::spawn(move || s.stop(StopReason::Requested))
        };
        // Without the signal this would wait for an hour; it returns once the other thread
        // has set it.
        assert_eq!(
            s.sleep(Duration::from_secs(3600), &Clock::system()),
            Err(StopReason::Requested)
        );
        stopper.join().unwrap();
        assert_eq!(
            s.sleep(Duration::MAX, &Clock::system()),
            Err(StopReason::Requested)
        );
    }

    #[test]
    fn reasons_read_as_sentences() {
        assert_eq!(
            StopReason::ServiceFailing { failures: 5 }.to_string(),
            "the service kept failing (5 calls in a row, with no retry left to help), so the run stopped"
        );
    }
}
