//! How a client's calls wait and who hears how they ended: the throttling pause all calls
//! of a client share, and the hooks of a bulk run (its stop signal, which ends every wait,
//! and the report of each call's end, from which the run decides to stop).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::Client;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::stop::{StopReason, StopSignal};
use crate::transport::Method;

/// How a call ended, as a bulk run's circuit breaker sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallEnd {
    /// The service answered: a success, or a refusal that is about this call (404, 400...).
    Answered,
    /// The service failed: no answer, a timeout, a redirect, 429 or a 5xx (after the retries).
    /// `retry_could_help`: whether the client could still retry such a failure (the error is
    /// one to retry, and the retry budget can pay for it); `throttled`: it was a 429.
    Failed {
        retry_could_help: bool,
        throttled: bool,
    },
    /// The credentials were refused: 401 after a renewed token, or the token endpoint refused
    /// the API client. Every further call will be refused too.
    CredentialsRefused,
    /// The token endpoint answered without a usable token: every further call would get the
    /// same (the answer is held for a minute).
    NoUsableToken,
}

/// Whether an error body is some server's page, not the API's (which answers JSON): not
/// empty, and not JSON.
fn is_a_page(body: Option<&str>) -> bool {
    body.map(str::trim_start)
        .is_some_and(|b| !b.is_empty() && !b.starts_with('{') && !b.starts_with('['))
}

/// What a bulk run attaches to the clients its jobs use.
pub(crate) trait RunHooks: Send + Sync {
    /// The run's stop signal: once set, no call starts and every wait ends.
    fn signal(&self) -> &StopSignal;
    /// A call of the run ended so.
    fn call_ended(&self, end: CallEnd);
    /// One attempt of a call ended, within the time limit (any answer, or a fast failure) or
    /// not (a timeout).
    fn attempt_ended(&self, answered: bool);
}

/// The instant until which every call of a client holds back, after a 429.
#[derive(Debug, Default)]
pub(super) struct Throttle(Mutex<Option<Instant>>);

impl Client {
    /// This client, with a bulk run's hooks: its waits end when the run stops, it starts no
    /// call once stopped, and it reports how each call ended.
    pub(crate) fn with_run(&self, hooks: Arc<dyn RunHooks>) -> Client {
        Client {
            inner: self.inner.clone(),
            run: Some(hooks),
        }
    }

    /// This client without its run's hooks: for a call that must be made even once the run
    /// has stopped (the check of a change already sent).
    pub(crate) fn detached(&self) -> Client {
        Client {
            inner: self.inner.clone(),
            run: None,
        }
    }

    /// Why this client's run stopped, once it has.
    pub(super) fn stopped(&self) -> Option<StopReason> {
        self.run.as_ref().and_then(|run| run.signal().reason())
    }

    /// Waits `duration`, unless the run stops meanwhile.
    pub(super) fn sleep(&self, duration: Duration) -> Result<(), StopReason> {
        match &self.run {
            Some(run) => run.signal().sleep(duration, &self.inner.clock),
            None => {
                self.inner.clock.sleep(duration);
                Ok(())
            }
        }
    }

    /// Holds back until the throttling pause (if any) is over, unless the run stops meanwhile.
    pub(super) fn wait_for_throttle(&self) -> Result<(), StopReason> {
        loop {
            let until = *self
                .inner
                .throttle
                .0
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let left = until.map_or(Duration::ZERO, |t| {
                t.saturating_duration_since(self.inner.clock.now())
            });
            if left.is_zero() {
                return Ok(());
            }
            // The pause may have been extended meanwhile: look again after this one.
            self.sleep(left)?;
        }
    }

    /// Makes every call of this client (all clones and threads) hold back for `pause`.
    pub(super) fn throttle(&self, pause: Duration) {
        let Some(until) = self.inner.clock.now().checked_add(pause) else {
            return;
        };
        crate::logging::warning!(
            "the API asked to slow down: every call of this client holds back for {} ms",
            pause.as_millis()
        );
        let mut current = self
            .inner
            .throttle
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if current.is_none_or(|t| t < until) {
            *current = Some(until);
        }
    }

    /// Tells the run (if any) whether an attempt got an answer within the time limit. (A
    /// refused or broken connection fails fast, and is left to the retry budget's breaker;
    /// a timeout costs a whole time limit, so it counts here.)
    pub(super) fn report_attempt<T>(&self, result: &Result<T, Error>) {
        let Some(run) = &self.run else { return };
        run.attempt_ended(!matches!(result, Err(Error::Timeout { .. })));
    }

    /// Tells the run (if any) how a `method` call ended.
    pub(super) fn report_end<T>(&self, method: Method, result: &Result<T, Error>) {
        let Some(run) = &self.run else { return };
        let inner = &*self.inner;
        let failed = |e: &Error| CallEnd::Failed {
            retry_could_help: inner.retry.delay(method, e, 1).is_some()
                && inner.balance.can_retry(e),
            throttled: e.status() == Some(429),
        };
        let end = match result {
            Ok(_) => CallEnd::Answered,
            Err(Error::NotAttempted { .. } | Error::NotSent { .. }) => return,
            Err(Error::Api(e)) if e.status == 401 => CallEnd::CredentialsRefused,
            Err(Error::Auth(e))
                if (400..500).contains(&e.status) && !matches!(e.status, 408 | 429) =>
            {
                CallEnd::CredentialsRefused
            }
            // The token endpoint answered, but with no usable token: as good as a refusal.
            Err(Error::Decode { call, .. }) if call.endpoint == Endpoint::Token => {
                CallEnd::NoUsableToken
            }
            Err(
                e @ (Error::Timeout { .. }
                | Error::Transport { .. }
                | Error::Redirect { .. }
                | Error::TokenSource { .. }),
            ) => failed(e),
            Err(e @ (Error::Api(_) | Error::Auth(_))) if e.is_retryable() => failed(e),
            // A 404 that is not the API's (a web server's page: the base URL is wrong) will
            // be the same for every call: it counts toward stopping the run.
            Err(e @ Error::Api(api)) if api.status == 404 && is_a_page(api.body.as_deref()) => {
                failed(e)
            }
            Err(_) => CallEnd::Answered,
        };
        run.call_ended(end);
    }
}
