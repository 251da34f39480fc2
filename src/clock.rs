//! Time as the client sees it: [`Clock`], the system's by default, or a manual one for
//! tests, whose time moves only when the client waits, so that a test of retries, throttling
//! or waiting for a file asserts the exact waits and finishes at once.
//!
//! ```
//! use std::time::Duration;
//! use acronis_reports::clock::Clock;
//!
//! let clock = Clock::manual();
//! let start = clock.now();
//! clock.advance(Duration::from_secs(2));
//! assert_eq!(clock.now() - start, Duration::from_secs(2));
//! assert!(clock.waits().is_empty()); // advancing is not waiting
//! ```
//!
//! Give one to [`ClientBuilder::clock`](crate::ClientBuilder::clock); every wait of that
//! client (between retries, a throttling pause, between looks at a report's files, a bulk
//! run's pauses) is then recorded by [`Clock::waits`] and returns at once, the clock moved on
//! by it. A bulk run told to stop ends such a wait as it ends a real one.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

/// Where the client's time comes from: see the [module](self).
#[derive(Debug, Clone, Default)]
pub struct Clock(Kind);

#[derive(Debug, Clone, Default)]
enum Kind {
    /// The system's clocks; waits are real.
    #[default]
    System,
    /// Time that moves when told to, or when waited on.
    Manual(Arc<Manual>),
}

#[derive(Debug)]
struct Manual {
    instant: Instant,
    system: SystemTime,
    state: Mutex<ManualState>,
}

#[derive(Debug, Default)]
struct ManualState {
    passed: Duration,
    waits: Vec<Duration>,
}

impl Clock {
    /// The system's clocks, with real waits: the default.
    pub fn system() -> Clock {
        Clock(Kind::System)
    }

    /// A clock for tests: it starts at the system's time of now, and moves only by
    /// [`advance`](Self::advance) and by the waits of whoever uses it, which return at once.
    pub fn manual() -> Clock {
        Clock(Kind::Manual(Arc::new(Manual {
            instant: Instant::now(),
            system: SystemTime::now(),
            state: Mutex::new(ManualState::default()),
        })))
    }

    /// Now, for measuring time.
    pub fn now(&self) -> Instant {
        match &self.0 {
            Kind::System => Instant::now(),
            Kind::Manual(m) => m.instant + m.lock().passed,
        }
    }

    /// Now, as a date and time (for a `Retry-After` given as a date).
    pub fn system_time(&self) -> SystemTime {
        match &self.0 {
            Kind::System => SystemTime::now(),
            Kind::Manual(m) => m.system + m.lock().passed,
        }
    }

    /// Moves a manual clock on by `duration` (nothing for the system's clock).
    pub fn advance(&self, duration: Duration) {
        if let Kind::Manual(m) = &self.0 {
            let mut state = m.lock();
            state.passed = state.passed.saturating_add(duration);
        }
    }

    /// The waits made on a manual clock so far, in order (always empty for the system's).
    pub fn waits(&self) -> Vec<Duration> {
        match &self.0 {
            Kind::System => Vec::new(),
            Kind::Manual(m) => m.lock().waits.clone(),
        }
    }

    /// Whether this is a manual clock.
    pub(crate) fn is_manual(&self) -> bool {
        matches!(self.0, Kind::Manual(_))
    }

    /// Waits `duration`: really, or on a manual clock by recording it and moving on.
    pub(crate) fn sleep(&self, duration: Duration) {
        match &self.0 {
            Kind::System => std::thread::sleep(duration),
            Kind::Manual(m) => {
                let mut state = m.lock();
                state.waits.push(duration);
                state.passed = state.passed.saturating_add(duration);
            }
        }
    }
}

impl Manual {
    fn lock(&self) -> std::sync::MutexGuard<'_, ManualState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_by_its_waits_and_records_them() {
        let clock = Clock::manual();
        let (start, start_system) = (clock.now(), clock.system_time());
        clock.sleep(Duration::from_millis(250));
        clock.advance(Duration::from_secs(1));
        clock.sleep(Duration::from_secs(2));
        assert_eq!(clock.now() - start, Duration::from_millis(3250));
        assert_eq!(
            clock.system_time().duration_since(start_system).unwrap(),
            Duration::from_millis(3250)
        );
        assert_eq!(
            clock.waits(),
            [Duration::from_millis(250), Duration::from_secs(2)]
        );
        // Clones share the time.
        assert_eq!(clock.clone().now(), clock.now());
        assert!(Clock::system().waits().is_empty());
    }
}
