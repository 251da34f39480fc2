//! [`RetryBudget`]: how many retries a client can afford overall, as the AWS SDKs' retry
//! quota does, so that in an outage the client stops multiplying the load.
//!
//! Each client has a balance of tokens (shared by its clones and threads). A retry takes
//! tokens from it; a call that succeeds at once puts one back, and a call that succeeds after
//! retries gives back what its last retry took. When the balance cannot pay for a retry,
//! failed calls are returned without one. In an outage the balance empties after a bounded
//! number of retries, whatever the number of calls; once the service answers again, its
//! successes fill it up.

use std::sync::Mutex;
use std::sync::PoisonError;

use crate::error::Error;

/// How many retries a client can afford overall: a balance of tokens that retries spend and
/// successes refill. Set it with [`RetryPolicy::budget`](crate::RetryPolicy::budget).
///
/// The defaults are the AWS SDKs' (standard retry mode): a balance of 500 tokens, 5 per
/// retry, 10 per retry after a timeout, 1 back per call that succeeds without a retry. So
/// in an outage a client makes at most 100 retries (50 after timeouts) before it stops
/// retrying, and 500 successes refill an empty balance.
///
/// ```
/// use acronis_reports::{RetryBudget, RetryPolicy};
///
/// let policy = RetryPolicy::new().budget(RetryBudget::new().capacity(100));
/// let unbounded = RetryPolicy::new().budget(RetryBudget::unlimited());
/// # let _ = (policy, unbounded);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[must_use]
pub struct RetryBudget {
    /// `None`: unlimited.
    capacity: Option<u32>,
    retry_cost: u32,
    timeout_retry_cost: u32,
    success_refill: u32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget {
            capacity: Some(500),
            retry_cost: 5,
            timeout_retry_cost: 10,
            success_refill: 1,
        }
    }
}

impl RetryBudget {
    /// The default budget: 500 tokens, 5 per retry, 10 per retry after a timeout, 1 back
    /// per call that succeeds without a retry.
    pub fn new() -> Self {
        RetryBudget::default()
    }

    /// A budget that never runs out: every retry the [`RetryPolicy`](crate::RetryPolicy)
    /// allows is made, however many calls are failing. Bulk runs then stop for an outage only
    /// when retries are off.
    pub fn unlimited() -> Self {
        RetryBudget {
            capacity: None,
            ..RetryBudget::default()
        }
    }

    /// How many tokens the balance holds, and starts with (this makes an
    /// [`unlimited`](Self::unlimited) budget limited again). Default: 500.
    pub fn capacity(mut self, tokens: u32) -> Self {
        self.capacity = Some(tokens);
        self
    }

    /// How many tokens a retry takes (after anything but a timeout). Default: 5.
    pub fn retry_cost(mut self, tokens: u32) -> Self {
        self.retry_cost = tokens;
        self
    }

    /// How many tokens a retry after a timeout takes: a timeout ties up a connection for the
    /// whole time limit, so it costs more. Default: 10.
    pub fn timeout_retry_cost(mut self, tokens: u32) -> Self {
        self.timeout_retry_cost = tokens;
        self
    }

    /// How many tokens a call that succeeds without a retry puts back. Default: 1.
    pub fn success_refill(mut self, tokens: u32) -> Self {
        self.success_refill = tokens;
        self
    }

    /// How many tokens a retry after `error` takes.
    fn cost(&self, error: &Error) -> u32 {
        if matches!(error, Error::Timeout { .. }) {
            self.timeout_retry_cost
        } else {
            self.retry_cost
        }
    }
}

/// A client's balance: the [`RetryBudget`] and the tokens left.
#[derive(Debug)]
pub(crate) struct Balance {
    budget: RetryBudget,
    tokens: Mutex<u32>,
}

impl Balance {
    /// A full balance.
    pub(crate) fn new(budget: RetryBudget) -> Balance {
        Balance {
            budget,
            tokens: Mutex::new(budget.capacity.unwrap_or(u32::MAX)),
        }
    }

    /// Takes what a retry after `error` costs: `Some(cost)`, or `None` when the balance cannot
    /// pay for it (nothing is taken then). An unlimited budget always pays, and takes nothing.
    pub(crate) fn take_retry(&self, error: &Error) -> Option<u32> {
        if self.budget.capacity.is_none() {
            return Some(0);
        }
        let cost = self.budget.cost(error);
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        let left = tokens.checked_sub(cost)?;
        *tokens = left;
        Some(cost)
    }

    /// Whether a retry after `error` could be paid for now.
    pub(crate) fn can_retry(&self, error: &Error) -> bool {
        self.budget.capacity.is_none()
            || *self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
                >= self.budget.cost(error)
    }

    /// A call succeeded: `last_retry_cost` is what its last retry took (`None` when it
    /// succeeded at once). Gives that back, or the success refill.
    pub(crate) fn succeeded(&self, last_retry_cost: Option<u32>) {
        let Some(capacity) = self.budget.capacity else {
            return;
        };
        let back = last_retry_cost.unwrap_or(self.budget.success_refill);
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        *tokens = tokens.saturating_add(back).min(capacity);
    }

    /// The tokens left.
    #[cfg(test)]
    pub(crate) fn tokens(&self) -> u32 {
        *self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A call for the tests: its report id is the nil UUID.
    const X_PUT: crate::endpoint::Endpoint =
        crate::endpoint::Endpoint::UpdateReport(crate::id::ReportId::from_uuid(uuid::Uuid::nil()));
    use crate::transport::{TransportError, TransportErrorKind};

    fn failure(kind: TransportErrorKind) -> Error {
        Error::from_transport(&X_PUT, TransportError::from_kind(kind))
    }

    #[test]
    fn an_outage_empties_the_balance_after_a_bounded_number_of_retries() {
        let balance = Balance::new(RetryBudget::new());
        let refused = failure(TransportErrorKind::Connect);
        let retries = std::iter::from_fn(|| balance.take_retry(&refused)).count();
        assert_eq!(retries, 100);
        assert!(!balance.can_retry(&refused));
        assert_eq!(balance.tokens(), 0);

        let balance = Balance::new(RetryBudget::new());
        let timeout = failure(TransportErrorKind::Timeout);
        assert_eq!(
            std::iter::from_fn(|| balance.take_retry(&timeout)).count(),
            50
        );
    }

    #[test]
    fn successes_refill_up_to_the_capacity() {
        let balance = Balance::new(RetryBudget::new().capacity(12));
        let refused = failure(TransportErrorKind::Connect);
        assert_eq!(balance.take_retry(&refused), Some(5));
        assert_eq!(balance.take_retry(&refused), Some(5));
        assert_eq!(balance.take_retry(&refused), None);
        assert_eq!(balance.tokens(), 2);
        // A success after a retry gives back that retry's cost; one at once gives 1.
        balance.succeeded(Some(5));
        assert_eq!(balance.tokens(), 7);
        balance.succeeded(None);
        assert_eq!(balance.tokens(), 8);
        for _ in 0..100 {
            balance.succeeded(None);
        }
        assert_eq!(balance.tokens(), 12);
    }

    #[test]
    fn an_unlimited_budget_never_runs_out() {
        let balance = Balance::new(RetryBudget::unlimited().retry_cost(50));
        let timeout = failure(TransportErrorKind::Timeout);
        for _ in 0..10_000 {
            assert_eq!(balance.take_retry(&timeout), Some(0));
        }
        assert!(balance.can_retry(&timeout));
        // A capacity makes it limited again.
        let balance = Balance::new(RetryBudget::unlimited().capacity(10));
        assert_eq!(balance.take_retry(&timeout), Some(10));
        assert_eq!(balance.take_retry(&timeout), None);
    }
}
