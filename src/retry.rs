//! [`RetryPolicy`]: which failed calls are tried again, and after how long.
//!
//! The default follows the vendor's advice for service trouble (two retries, one to two
//! seconds apart): up to 2 retries of `GET`, `PUT` and `DELETE` after a failed connection, a
//! timeout, or a 429, 500, 502, 503 or 504, each after 1 to 2 seconds; never a `POST` unless
//! asked. A `Retry-After` header (seconds or an HTTP date) is honoured up to a cap. Raise
//! [`RetryPolicy::max_delay`] for waits that double from one retry to the next.
//!
//! Retries also draw on the client's [`RetryBudget`], shared by all its calls: in an outage
//! the client stops retrying after a bounded number of retries instead of multiplying the
//! load on a service that is down.
//!
//! ```
//! use std::time::Duration;
//! use acronis_reports::RetryPolicy;
//!
//! let patient = RetryPolicy::new().max_retries(5).max_delay(Duration::from_secs(20));
//! let never = RetryPolicy::none();
//! # let _ = (patient, never);
//! ```

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

use crate::error::Error;
use crate::transport::Method;

mod budget;

pub(crate) use budget::Balance;
pub use budget::RetryBudget;

/// Which failed calls are tried again, and after how long.
///
/// A call is retried when all of these hold: retries are left; the method is idempotent
/// (`GET`, `PUT`, `DELETE`), or it is a `POST` and [`retry_post`](Self::retry_post) is on;
/// the error [`is_retryable`](Error::is_retryable) (connection failed, timeout, 429, 500,
/// 502, 503, 504); and the client's [`RetryBudget`] can pay for the retry. The wait before retry *n* is the server's `Retry-After` when it sent one (and
/// the call is given up when that is longer than [`max_retry_after`](Self::max_retry_after)),
/// otherwise a random time between `d` and `2d` (jitter, so clients do not retry in step),
/// where `d` is `base_delay × 2^(n-1)` but at most [`max_delay`](Self::max_delay).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct RetryPolicy {
    max_retries: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
    retry_post: bool,
    budget: RetryBudget,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(30),
            retry_post: false,
            budget: RetryBudget::new(),
        }
    }
}

impl RetryPolicy {
    /// The default policy: 2 retries, each after 1 to 2 s (`base_delay` and `max_delay` 1 s),
    /// `Retry-After` honoured up to 30 s, no `POST` retried, the default [`RetryBudget`].
    pub fn new() -> Self {
        RetryPolicy::default()
    }

    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy::default().max_retries(0)
    }

    /// How many times a call is tried again after its first attempt. Default: 2.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The shortest wait before the first retry; it doubles for each further retry up to
    /// [`max_delay`](Self::max_delay). Default: 1 s.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Where the doubling stops: waits are at most twice this. Default: 1 s, so every retry
    /// waits 1 to 2 s; with 8 s, the waits are 1–2 s, 2–4 s, 4–8 s, 8–16 s, 8–16 s, ...
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The longest `Retry-After` honoured; a server asking for a longer wait gets the error
    /// returned at once instead. Default: 30 s.
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// Whether a `POST` is retried too. A `POST` may have taken effect before its answer was
    /// lost, so retrying it can act twice. Default: `false`.
    pub fn retry_post(mut self, yes: bool) -> Self {
        self.retry_post = yes;
        self
    }

    /// How many retries the client can afford overall, shared by all its calls (a balance
    /// per client, shared by its clones). Default: [`RetryBudget::new`] (the AWS SDKs'
    /// quota: 500 tokens, 5 per retry, 10 per retry after a timeout, 1 back per success).
    pub fn budget(mut self, budget: RetryBudget) -> Self {
        self.budget = budget;
        self
    }

    /// The budget a client built with this policy starts with.
    pub(crate) fn retry_budget(&self) -> RetryBudget {
        self.budget
    }

    /// How long to wait before retry number `retry` (from 1) of a `method` call that failed
    /// with `error`, or `None` when it is not to be retried (the budget aside).
    pub(crate) fn delay(&self, method: Method, error: &Error, retry: u32) -> Option<Duration> {
        if retry > self.max_retries || !error.is_retryable() {
            return None;
        }
        if method == Method::Post && !self.retry_post {
            return None;
        }
        if let Some(wait) = retry_after(error) {
            // A `Retry-After` of 0 (or less than the base delay) is no reason to hammer.
            return (wait <= self.max_retry_after).then(|| wait.max(self.base_delay));
        }
        Some(self.backoff(retry))
    }

    /// How long every call of the client pauses after `error`, a 429 (throttling) answer to
    /// attempt `attempt`: the server's `Retry-After` up to
    /// [`max_retry_after`](Self::max_retry_after), else the wait before the next retry.
    pub(crate) fn throttle_pause(&self, error: &Error, attempt: u32) -> Duration {
        retry_after(error).map_or_else(
            || self.backoff(attempt),
            |wait| wait.max(self.base_delay).min(self.max_retry_after),
        )
    }

    /// A random time between `d` and `2d`, `d` being `base_delay × 2^(retry-1)` but at most
    /// `max_delay`.
    fn backoff(&self, retry: u32) -> Duration {
        let exponent = retry.saturating_sub(1).min(30);
        let d = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        let extra = Duration::try_from_secs_f64(d.as_secs_f64() * random_fraction()).unwrap_or(d);
        d.saturating_add(extra)
    }

    /// Runs `attempt` (given its number, from 1) until it succeeds, fails for good, the
    /// retries run out or `balance` cannot pay for one. Between attempts it calls `pause` with
    /// the error and the wait; `pause` returning `false` (the run was stopped) ends the call
    /// with that error. The final error records how many attempts were made.
    pub(crate) fn run<T>(
        &self,
        method: Method,
        balance: &Balance,
        mut pause: impl FnMut(Duration) -> bool,
        mut attempt: impl FnMut(u32) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut n = 1;
        let mut last_retry_cost = None;
        loop {
            let error = match attempt(n) {
                Ok(value) => {
                    balance.succeeded(last_retry_cost);
                    return Ok(value);
                }
                Err(error) => error,
            };
            let Some(wait) = self.delay(method, &error, n) else {
                return Err(error.with_attempts(n));
            };
            let Some(cost) = balance.take_retry(&error) else {
                crate::logging::warning!(
                    "{error}; not retried: the client's retry budget is spent"
                );
                return Err(error.with_attempts(n));
            };
            last_retry_cost = Some(cost);
            crate::logging::warning!("{error}; retrying in {} ms", wait.as_millis());
            if !pause(wait) {
                return Err(error.with_attempts(n));
            }
            n += 1;
        }
    }
}

/// The `Retry-After` of an answer, if it had one.
fn retry_after(error: &Error) -> Option<Duration> {
    match error {
        Error::Api(e) => e.retry_after,
        Error::Auth(e) => e.retry_after,
        _ => None,
    }
}

/// A random number in `[0, 1)`, from the standard library's randomly keyed hasher.
fn random_fraction() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(0);
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Parses a `Retry-After` value: whole seconds, or an HTTP date in any of the three forms
/// RFC 9110 requires recipients to accept (`Sun, 06 Nov 1994 08:49:37 GMT`,
/// `Sunday, 06-Nov-94 08:49:37 GMT`, `Sun Nov  6 08:49:37 1994`), read against `now`. A date
/// in the past means no wait.
/// What a `Retry-After` beyond any clock is read as: a century.
const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    // A number of seconds too large for any clock: a century, far longer than any client
    // waits (so no retry), and still one an `Instant` can be moved by.
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(LONGEST_RETRY_AFTER);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A call for the tests: its report id is the nil UUID.
    const X_PUT: crate::endpoint::Endpoint =
        crate::endpoint::Endpoint::UpdateReport(crate::id::ReportId::from_uuid(uuid::Uuid::nil()));
    const X_GET: crate::endpoint::Endpoint =
        crate::endpoint::Endpoint::GetReport(crate::id::ReportId::from_uuid(uuid::Uuid::nil()));
    use crate::error::ApiError;
    use crate::transport::{TransportError, TransportErrorKind};

    fn api(status: u16, retry_after: Option<Duration>) -> Error {
        let mut e = ApiError::new(X_GET, status);
        e.retry_after = retry_after;
        Error::Api(Box::new(e))
    }

    fn connect() -> Error {
        Error::from_transport(
            &X_PUT,
            TransportError::from_kind(TransportErrorKind::Connect),
        )
    }

    #[test]
    fn the_default_retries_twice_with_vendor_like_delays() {
        let p = RetryPolicy::new();
        for _ in 0..200 {
            let first = p.delay(Method::Put, &api(503, None), 1).unwrap();
            assert!(
                first >= Duration::from_secs(1) && first < Duration::from_secs(2),
                "{first:?}"
            );
            let second = p.delay(Method::Get, &connect(), 2).unwrap();
            assert!(
                second >= Duration::from_secs(1) && second < Duration::from_secs(2),
                "{second:?}"
            );
        }
        assert_eq!(p.delay(Method::Get, &api(503, None), 3), None);
    }

    #[test]
    fn only_retryable_errors_and_idempotent_methods() {
        let p = RetryPolicy::new();
        for status in [429, 500, 502, 503, 504] {
            assert!(
                p.delay(Method::Delete, &api(status, None), 1).is_some(),
                "{status}"
            );
        }
        for status in [400, 401, 403, 404, 409, 415, 501, 505] {
            assert_eq!(
                p.delay(Method::Get, &api(status, None), 1),
                None,
                "{status}"
            );
        }
        assert_eq!(p.delay(Method::Post, &api(503, None), 1), None);
        assert!(
            RetryPolicy::new()
                .retry_post(true)
                .delay(Method::Post, &api(503, None), 1)
                .is_some()
        );
        assert_eq!(
            RetryPolicy::none().delay(Method::Get, &api(503, None), 1),
            None
        );
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let p = RetryPolicy::new();
        // Retry-After: 0 is raised to the base delay: a throttled client never hammers.
        assert_eq!(
            p.delay(Method::Put, &api(429, Some(Duration::ZERO)), 1),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            p.throttle_pause(&api(429, Some(Duration::ZERO)), 1),
            Duration::from_secs(1)
        );
        assert_eq!(
            p.delay(Method::Put, &api(429, Some(LONGEST_RETRY_AFTER)), 1),
            None,
            "too long to wait: no retry"
        );
        let wait = p.delay(Method::Put, &api(429, Some(Duration::from_secs(7))), 1);
        assert_eq!(wait, Some(Duration::from_secs(7)));
        assert_eq!(
            p.delay(Method::Put, &api(429, Some(Duration::from_secs(31))), 1),
            None
        );
        let p = p.max_retry_after(Duration::from_secs(60));
        assert_eq!(
            p.delay(Method::Put, &api(503, Some(Duration::from_secs(31))), 1),
            Some(Duration::from_secs(31))
        );
    }

    #[test]
    fn delays_grow_and_stop_at_the_cap() {
        let p = RetryPolicy::new()
            .max_retries(10)
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_secs(8));
        let between = |n, lo: u64, hi: u64| {
            let d = p.delay(Method::Get, &connect(), n).unwrap();
            assert!(
                d >= Duration::from_millis(lo) && d < Duration::from_millis(hi),
                "{n}: {d:?}"
            );
        };
        between(1, 100, 200);
        between(4, 800, 1600);
        between(10, 8000, 16000);
        // Extreme settings neither overflow nor panic.
        let p = RetryPolicy::new()
            .max_retries(u32::MAX)
            .base_delay(Duration::MAX)
            .max_delay(Duration::MAX);
        assert!(
            p.delay(Method::Get, &connect(), u32::MAX).unwrap()
                >= Duration::from_secs(u64::MAX / 2)
        );
    }

    /// Runs `attempt` under `p` with a fresh balance, recording the waits instead of sleeping.
    fn run_recorded<T>(
        p: &RetryPolicy,
        method: Method,
        attempt: impl FnMut(u32) -> Result<T, Error>,
    ) -> (Result<T, Error>, Vec<Duration>) {
        let balance = Balance::new(p.retry_budget());
        let mut waits = Vec::new();
        let result = p.run(
            method,
            &balance,
            |wait| {
                waits.push(wait);
                true
            },
            attempt,
        );
        (result, waits)
    }

    #[test]
    fn a_post_is_tried_once_unless_asked() {
        let p = RetryPolicy::new();
        let mut calls = 0;
        let (result, waits) = run_recorded(&p, Method::Post, |_| -> Result<(), Error> {
            calls += 1;
            Err(api(503, None))
        });
        assert_eq!((calls, result.unwrap_err().attempts()), (1, 1));
        assert!(waits.is_empty());
        let mut calls = 0;
        let (_, waits) = run_recorded(
            &p.retry_post(true),
            Method::Post,
            |_| -> Result<(), Error> {
                calls += 1;
                Err(api(503, None))
            },
        );
        assert_eq!((calls, waits.len()), (3, 2));
    }

    #[test]
    fn run_counts_attempts_on_the_final_error() {
        let p = RetryPolicy::new().max_retries(3);
        let mut calls = 0;
        let (result, waits) = run_recorded(&p, Method::Get, |n| -> Result<(), Error> {
            calls += 1;
            assert_eq!(n, calls);
            Err(api(503, None))
        });
        let err = result.unwrap_err();
        assert_eq!((calls, waits.len()), (4, 3));
        let Error::Api(api_error) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(api_error.attempts, 4);
        assert!(
            err.to_string().ends_with("(gave up after 4 attempts)"),
            "{err}"
        );

        let mut calls = 0;
        let (value, _) = run_recorded(&p, Method::Get, |_| {
            calls += 1;
            if calls < 3 { Err(connect()) } else { Ok(calls) }
        });
        assert_eq!(value.unwrap(), 3);

        let (result, waits) = run_recorded(&p, Method::Get, |_| -> Result<(), Error> {
            Err(api(404, None))
        });
        let err = result.unwrap_err();
        assert_eq!((err.status(), waits.len()), (Some(404), 0));
        assert!(!err.to_string().contains("attempts"), "{err}");
    }

    #[test]
    fn retries_stop_when_the_budget_is_spent() {
        // 12 tokens pay for two retries of 5: the calls after that get none.
        let p = RetryPolicy::new().budget(RetryBudget::new().capacity(12));
        let balance = Balance::new(p.retry_budget());
        let sent = std::cell::Cell::new(0);
        let failing_call = || {
            p.run(
                Method::Put,
                &balance,
                |_| true,
                |_| -> Result<(), Error> {
                    sent.set(sent.get() + 1);
                    Err(api(503, None))
                },
            )
            .unwrap_err()
            .attempts()
        };
        assert_eq!(failing_call(), 3);
        assert_eq!(failing_call(), 1);
        assert_eq!(failing_call(), 1);
        assert_eq!(sent.get(), 5);
        // A success refills: one token back per call that needed no retry.
        for _ in 0..3 {
            p.run(Method::Get, &balance, |_| true, |_| Ok(())).unwrap();
        }
        assert_eq!(balance.tokens(), 5);
        let mut calls = 0;
        let err = p
            .run(
                Method::Get,
                &balance,
                |_| true,
                |_| -> Result<(), Error> {
                    calls += 1;
                    Err(connect())
                },
            )
            .unwrap_err();
        assert_eq!((calls, err.attempts()), (2, 2));
    }

    #[test]
    fn a_stopped_pause_ends_the_call_with_its_last_error() {
        let p = RetryPolicy::new();
        let balance = Balance::new(p.retry_budget());
        let mut calls = 0;
        let err = p
            .run(
                Method::Put,
                &balance,
                |_| false,
                |_| -> Result<(), Error> {
                    calls += 1;
                    Err(api(502, None))
                },
            )
            .unwrap_err();
        assert_eq!((calls, err.status(), err.attempts()), (1, Some(502), 1));
    }

    #[test]
    fn throttling_pauses_follow_retry_after_up_to_the_cap() {
        let p = RetryPolicy::new();
        assert_eq!(
            p.throttle_pause(&api(429, Some(Duration::from_secs(7))), 1),
            Duration::from_secs(7)
        );
        assert_eq!(
            p.throttle_pause(&api(429, Some(Duration::from_secs(600))), 1),
            Duration::from_secs(30)
        );
        let backoff = p.throttle_pause(&api(429, None), 1);
        assert!(
            backoff >= Duration::from_secs(1) && backoff < Duration::from_secs(2),
            "{backoff:?}"
        );
    }

    #[test]
    fn retry_after_values() {
        let now = std::time::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        // Beyond any clock: the longest wait (so no retry), not "no Retry-After".
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(LONGEST_RETRY_AFTER)
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:51:37 GMT", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        // The obsolete forms RFC 9110 still requires recipients to accept.
        for obsolete in ["Sunday, 06-Nov-94 08:51:37 GMT", "Sun Nov  6 08:51:37 1994"] {
            assert_eq!(
                parse_retry_after(obsolete, now),
                Some(Duration::from_secs(120)),
                "{obsolete}"
            );
        }
        for bad in [
            "",
            "-1",
            "1.5",
            "soon",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 25:49:37 GMT",
            "Sun, 31 Feb 2026 08:49:37 GMT",
            "Sun, 06 Nov 99999999999999 08:49:37 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }
}
