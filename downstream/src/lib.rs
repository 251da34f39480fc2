//! A small utility written as a user of `acronis-reports` would write it, with the crate's
//! public API only: read report ids from a text file, switch each report off, say what
//! changed, and decide what to do about each failure by its kind.
//!
//! It is the workspace's check that the public API serves its users: ids in whatever form
//! the user holds them, errors matched by kind, the user's own error handling unit-tested
//! with the crate's constructors, and the emulator as a dev-dependency with faults injected.

#![forbid(unsafe_code)]

use acronis_reports::{Client, Error, ErrorKind, Report, ReportId};

/// What the utility does about a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing to do: the report is gone or cannot be changed.
    Skip,
    /// Try the report again in the next run.
    RetryLater,
    /// Stop: the API client's credentials need fixing.
    FixCredentials,
    /// A person should look.
    Escalate,
}

/// What to do about `e`.
pub fn advice(e: &Error) -> Action {
    match e.kind() {
        ErrorKind::Api if matches!(e.status(), Some(400 | 404)) => Action::Skip,
        ErrorKind::Api if e.status() == Some(401) => Action::FixCredentials,
        ErrorKind::Auth => Action::FixCredentials,
        ErrorKind::NotAttempted => Action::RetryLater,
        _ if e.is_retryable() => Action::RetryLater,
        _ => Action::Escalate,
    }
}

/// What happened to one line of the file.
#[derive(Debug)]
pub enum Line {
    /// Switched off; the report as the API returned it.
    Disabled(Box<Report>),
    /// Failed, and what to do about it.
    Failed(Error, Action),
}

/// Reads the ids in `text` (one per line, blank lines and `#` comments skipped) and switches
/// each report off, `concurrency` at a time.
pub fn disable_listed(client: &Client, text: &str, concurrency: usize) -> Vec<(String, Line)> {
    let ids: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let mut lines: Vec<(String, Line)> = client
        .update_many(ids, &acronis_reports::ReportUpdate::disable(), concurrency)
        .map(|(id, result)| {
            let line = match result {
                Ok(report) => Line::Disabled(Box::new(report)),
                Err(e) => {
                    let action = advice(&e);
                    Line::Failed(e, action)
                }
            };
            (id, line)
        })
        .collect();
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    lines
}

/// The ids of the reports a run disabled, typed.
pub fn disabled_ids(lines: &[(String, Line)]) -> Vec<ReportId> {
    lines
        .iter()
        .filter_map(|(_, line)| match line {
            Line::Disabled(report) => Some(report.id),
            Line::Failed(..) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use acronis_reports::endpoint::Endpoint;
    use acronis_reports::{ApiError, AuthError, InputKind};
    use acronis_reports::{ReportId, Uuid};

    /// The utility's own error handling, unit-tested with the crate's public constructors.
    #[test]
    fn each_failure_gets_its_action() {
        let api = |status| {
            Error::Api(Box::new(ApiError::new(
                Endpoint::UpdateReport(ReportId::from_uuid(Uuid::nil())),
                status,
            )))
        };
        assert_eq!(advice(&api(404)), Action::Skip);
        assert_eq!(advice(&api(400)), Action::Skip);
        assert_eq!(advice(&api(401)), Action::FixCredentials);
        assert_eq!(advice(&api(503)), Action::RetryLater);
        assert_eq!(advice(&api(500)), Action::RetryLater);
        assert_eq!(advice(&api(403)), Action::Escalate);
        assert_eq!(
            advice(&Error::Auth(Box::new(AuthError::new(401)))),
            Action::FixCredentials
        );
        assert_eq!(
            advice(&Error::invalid_input(InputKind::Id, "invalid report id")),
            Action::Escalate
        );
    }
}
