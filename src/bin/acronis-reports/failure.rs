//! Failures and exit codes: which code the tool exits with (see `args::EXIT_CODES`), decided
//! here only, and the text of its errors.

use acronis_reports::StopReason;
use acronis_reports::transport::Method;
use acronis_reports::{Error, ErrorKind, InputKind};

use crate::clean::clean;

/// The exit codes (see `args::EXIT_CODES`).
pub mod exit {
    /// Everything succeeded.
    pub const OK: u8 = 0;
    /// `plan --exit-code`: there are changes to make; `apply`: the confirmation was declined.
    pub const CHANGES: u8 = 1;
    /// Usage or invalid input.
    pub const USAGE: u8 = 2;
    /// The API refused: a 4xx (429 excepted) or a redirect.
    pub const REFUSED: u8 = 3;
    /// A change was accepted but its answer does not show it applied.
    pub const UNVERIFIED: u8 = 4;
    /// Service trouble, or a local write failed.
    pub const TROUBLE: u8 = 5;
    /// `apply PLAN`: the saved plan is stale; nothing was changed.
    pub const STALE: u8 = 6;
    /// Standard output is a pipe whose reader has gone (as for a process killed by SIGPIPE).
    pub const BROKEN_PIPE: u8 = 141;
}

/// A failure of the command as a whole, with its exit code; an empty message is not printed.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
    /// What kind of failure: an [`ErrorKind`]'s name, or one of the tool's own
    /// (`interrupted`, `other`).
    pub kind: &'static str,
    /// The HTTP status, when the failure is the server's answer.
    pub status: Option<u16>,
    /// The server's request id, when it sent one.
    pub request_id: Option<String>,
}

impl Failure {
    /// A failure of `kind` with exit `code`.
    pub fn new(code: u8, kind: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
            kind,
            status: None,
            request_id: None,
        }
    }

    /// Bad usage or input: nothing was sent.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::new(exit::USAGE, "invalid_input", message)
    }

    /// A failure that says nothing (a closed pipe).
    pub fn quiet(code: u8) -> Failure {
        Failure::new(code, "write", String::new())
    }

    /// A failure to write a local file (standard output aside): exit 5.
    pub fn write(message: impl Into<String>) -> Failure {
        Failure::new(exit::TROUBLE, "write", message)
    }

    /// A failure to write standard output.
    pub fn output(e: &std::io::Error) -> Failure {
        stdout_failure()
            .unwrap_or_else(|| Failure::write(format!("cannot write to standard output: {e}")))
    }

    /// The same failure, said in other words.
    pub fn with_message(self, message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            ..self
        }
    }
}

/// The first failure to write standard output, remembered so that a write deep inside a
/// call (the dry run's) still decides the exit code.
static STDOUT_FAILURE: std::sync::Mutex<Option<(std::io::ErrorKind, String)>> =
    std::sync::Mutex::new(None);

pub fn remember(e: &std::io::Error) {
    let mut failure = STDOUT_FAILURE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    failure.get_or_insert_with(|| (e.kind(), e.to_string()));
}

/// The failure of the command when writing standard output failed: quiet for a closed pipe
/// (the reader has what it wanted), an error otherwise.
pub fn stdout_failure() -> Option<Failure> {
    let failure = STDOUT_FAILURE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let (kind, text) = failure.as_ref()?;
    Some(if *kind == std::io::ErrorKind::BrokenPipe {
        Failure::quiet(exit::BROKEN_PIPE)
    } else {
        Failure::write(format!("cannot write to standard output: {text}"))
    })
}

/// A write to standard output, checked: its failure is the command's.
pub fn written(result: std::io::Result<()>) -> Result<(), Failure> {
    result.map_err(|e| Failure::output(&e))
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        if let Error::Write { source, .. } = &e {
            if source.kind() == std::io::ErrorKind::BrokenPipe {
                return Failure::quiet(exit::BROKEN_PIPE);
            }
        }
        Failure {
            code: exit_code(&e),
            message: error_text(&e),
            kind: e.kind().as_str(),
            status: e.status(),
            request_id: e.request_id().map(str::to_owned),
        }
    }
}

/// The exit code for a library error (see `args::EXIT_CODES`).
pub fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Stale(_) => exit::STALE,
        e if matches!(e.kind(), ErrorKind::InvalidInput | ErrorKind::Plan) => exit::USAGE,
        // A change was accepted, but its answer cannot show it applied.
        e if e.is_unverified_write() => exit::UNVERIFIED,
        Error::Api(_) | Error::Auth(_) | Error::Redirect { .. } => match e.status() {
            Some(429 | 500..=599) => exit::TROUBLE,
            _ => exit::REFUSED,
        },
        Error::NotAttempted {
            reason: StopReason::CredentialsRefused,
            ..
        } => exit::REFUSED,
        _ => exit::TROUBLE,
    }
}

/// The exit code an error of one job of a run asks for (an action of `apply`): that of a
/// job not taken up is its run's stop reason's.
pub fn job_code(e: &Error) -> u8 {
    match e {
        Error::NotAttempted { reason, .. } => stop_code(reason),
        e => exit_code(e),
    }
}

/// The exit code of a job a run did not take up, by why the run stopped: a stop requested
/// (an interrupt, or an output that failed) is accounted for by the run itself.
pub fn stop_code(reason: &StopReason) -> u8 {
    match reason {
        StopReason::Requested | StopReason::JobPanicked => exit::OK,
        StopReason::CredentialsRefused => exit::REFUSED,
        _ => exit::TROUBLE,
    }
}

/// An error's message with its sources, on one line, in the tool's words where the library's
/// name a Rust method.
pub fn error_text(e: &Error) -> String {
    if let Error::InvalidInput {
        kind: InputKind::PlainHttp,
        ..
    } = e
    {
        return "the base URL is plain http:// to a host that is not this machine, which would \
                send the token unencrypted; use https:// (the tool accepts http:// only for \
                localhost, 127.x.x.x and [::1])"
            .to_owned();
    }
    if let Error::ResponseTooLarge {
        method,
        path,
        limit,
        ..
    } = e
    {
        // The library's advice names a Rust method; a user of the tool cannot follow it.
        return clean(&format!(
            "{method} {path}: the answer is larger than the tool reads ({} MiB): it is \
             probably not the API's; check the base URL",
            limit / 1024 / 1024
        ))
        .into_owned();
    }
    // Each layer's message says only what that layer knows: the chain, joined, says each
    // thing once.
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    // A write whose answer never came: the library says to fetch the report; say how.
    if let Error::Timeout {
        method: Method::Put | Method::Delete,
        ..
    } = e
    {
        if let Some(id) = e.report_id() {
            text.push_str(&format!(
                " (`acronis-reports show {id}` shows what the server holds)"
            ));
        }
    }
    clean(&text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_not_taken_up_exits_as_its_run_stopped() {
        for (reason, code) in [
            (StopReason::Requested, exit::OK),
            (StopReason::JobPanicked, exit::OK),
            (StopReason::CredentialsRefused, exit::REFUSED),
            (StopReason::ServiceFailing { failures: 5 }, exit::TROUBLE),
            (StopReason::NoAnswers { requests: 8 }, exit::TROUBLE),
            (StopReason::Throttled { failures: 5 }, exit::TROUBLE),
            (StopReason::NoUsableToken, exit::TROUBLE),
        ] {
            assert_eq!(stop_code(&reason), code, "{reason:?}");
        }
    }
}
