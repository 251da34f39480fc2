//! [`Error`]: everything a call can fail with, and [`ApiError`], the API's own answer.
//!
//! Messages are lowercase, say what happened and what to check, and never contain the token.
//! Errors that wrap a lower-level one expose it through [`source`](std::error::Error::source).

use std::fmt;
use std::time::Duration;

use crate::endpoint::Endpoint;
use crate::model::DecodeError;
use crate::transport::{Method, TransportError};
use crate::verify::Mismatch;

/// Everything a call of this crate can fail with.
///
/// Match on the variant to act on it; [`status`](Error::status) and
/// [`is_retryable`](Error::is_retryable) answer the two common questions. Cloning shares
/// the sources.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input was refused before anything was sent: a report id that is not a UUID, an
    /// empty update, a value the API would reject, a malformed base URL, a token a header
    /// cannot carry.
    #[error("{message}")]
    #[non_exhaustive]
    InvalidInput {
        /// Which input was wrong.
        kind: InputKind,
        /// What was wrong and what to do, like `invalid report id "abc": expected ...`.
        message: String,
    },

    /// A [`NewReport`](crate::NewReport) that its validation refuses; nothing was sent.
    #[error(transparent)]
    InvalidReport(crate::new_report::InvalidReport),

    /// No plan can be made for a [`DesiredReports`](crate::desired::DesiredReports): the file
    /// is wrong, or the reports leave it unclear what to do ([`Client::plan`](crate::Client::plan)).
    /// Nothing was changed.
    #[error(transparent)]
    Plan(crate::plan::PlanError),

    /// A saved plan is no longer the plan to apply: what it read has changed since it was made
    /// ([`Client::check_saved`](crate::Client::check_saved)); the
    /// [`StalePlan`](crate::saved_plan::StalePlan) says what. Nothing was changed.
    #[error(transparent)]
    Stale(crate::saved_plan::StalePlan),

    /// A usage file's content could not be read ([`Client::stored_usage`](crate::Client::stored_usage)):
    /// the [`UsageError`](crate::usage::UsageError) says where and why.
    #[error(transparent)]
    Usage(Box<crate::usage::UsageError>),

    /// Billable totals that a [`Decimal`](crate::usage::Decimal) cannot hold exactly
    /// ([`Client::billing_report`](crate::Client::billing_report)).
    #[error(transparent)]
    Billing(crate::billing::SumError),

    /// The API answered with a status outside 2xx; the vendor's error body, when there was
    /// one, is parsed into the [`ApiError`].
    #[error(transparent)]
    Api(Box<ApiError>),

    /// The token endpoint refused to issue a token (client credentials): its OAuth answer
    /// is in the [`AuthError`].
    #[error(transparent)]
    Auth(Box<AuthError>),

    /// A [`TokenSource`](crate::auth::TokenSource) of your own could not give a token; make
    /// one with [`Error::token_source`].
    #[error("the token source could not give a token")]
    #[non_exhaustive]
    TokenSource {
        /// What the token source reported.
        source: std::sync::Arc<dyn std::error::Error + Send + Sync>,
    },

    /// The server answered with a redirect. Redirects are never followed: a redirected `PUT`
    /// would turn into a `GET`, and the token must not go to another host.
    #[error(
        "{method} {path}: the server answered {status} with a redirect to {}; redirects are not followed, check the base URL (scheme, host and /api/2)",
        location.as_deref().unwrap_or("nowhere")
    )]
    #[non_exhaustive]
    Redirect {
        /// The call.
        endpoint: Endpoint,
        /// The method of the call.
        method: Method,
        /// The path of the call, below the base URL.
        path: String,
        /// The 3xx status.
        status: u16,
        /// The `Location` header, if the server sent one.
        location: Option<String>,
    },

    /// The call succeeded but the report returned does not reflect what was asked.
    #[error("{call}: {mismatch}{}", request_id_note(call))]
    #[non_exhaustive]
    Mismatch {
        /// The call whose answer this is.
        call: CallInfo,
        /// Every member that differs.
        mismatch: Mismatch,
        /// The report the server returned (for a create: the report it made, which exists).
        report: Box<crate::model::Report>,
    },

    /// A 2xx response whose body is not what the call expects (not JSON, wrong shape).
    #[error("{call}: {error}{}", request_id_note(call))]
    #[non_exhaustive]
    Decode {
        /// The call whose answer this is.
        call: CallInfo,
        /// What was wrong with the body.
        error: Box<DecodeError>,
    },

    /// No complete response came within the configured time limit.
    #[error(
        "{method} {path}: no complete response within the time limit{}; check the network, or raise the timeout{}",
        may_have_applied(*method),
        attempts_note(*attempts)
    )]
    #[non_exhaustive]
    Timeout {
        /// The call.
        endpoint: Endpoint,
        /// The method of the call.
        method: Method,
        /// The path of the call, below the base URL.
        path: String,
        /// What the transport reported.
        #[source]
        source: TransportError,
        /// How many attempts were made, retries included.
        attempts: u32,
    },

    /// No response came: the host did not resolve, the connection failed or broke, TLS failed.
    #[error(
        "{method} {path}: no response; check the base URL, the network and any proxy{}{}",
        if may_have_been_sent(source) { may_have_applied(*method) } else { "" },
        attempts_note(*attempts)
    )]
    #[non_exhaustive]
    Transport {
        /// The call.
        endpoint: Endpoint,
        /// The method of the call.
        method: Method,
        /// The path of the call, below the base URL.
        path: String,
        /// What the transport reported.
        #[source]
        source: TransportError,
        /// How many attempts were made, retries included.
        attempts: u32,
    },

    /// A report's file generation failed (`wait_for_stored_report`).
    #[error("report {report_id}: generating its file failed (stored report {}); create the report again, or ask the vendor's support", stored.id.map_or_else(|| "without id".to_owned(), |id| id.to_string()))]
    #[non_exhaustive]
    GenerationFailed {
        /// The report.
        report_id: crate::id::ReportId,
        /// The failed file, as listed.
        stored: Box<crate::model::StoredReport>,
    },

    /// No file of a report was saved within the time given (`wait_for_stored_report`).
    #[error("report {report_id}: no file was saved within {} s; wait longer, or check the report's stored files", waited.as_secs())]
    #[non_exhaustive]
    WaitTimeout {
        /// The report.
        report_id: crate::id::ReportId,
        /// How long the client waited.
        waited: Duration,
    },

    /// Writing a downloaded file failed (the writer's error, not the network's).
    #[error("writing the downloaded file failed; check where it is written (space, permissions)")]
    #[non_exhaustive]
    Write {
        /// The writer's error.
        source: std::sync::Arc<std::io::Error>,
    },

    /// The call was not made: a bulk run stopped before this id was taken up (or before
    /// this call of its job was sent). Nothing about it was sent; running it again is safe.
    #[error("not attempted: {reason}")]
    #[non_exhaustive]
    NotAttempted {
        /// Why the run stopped.
        reason: crate::stop::StopReason,
    },

    /// A dry run ([`ClientBuilder::dry_run`](crate::ClientBuilder::dry_run)): the call was
    /// described, and not sent.
    #[error("{endpoint}: not sent (dry run)")]
    #[non_exhaustive]
    NotSent {
        /// The call.
        endpoint: Endpoint,
    },

    /// The response body is larger than the client's cap.
    #[error(
        "{method} {path}: the response body is larger than the limit of {limit} bytes; raise ClientBuilder::max_response_bytes if that is expected"
    )]
    #[non_exhaustive]
    ResponseTooLarge {
        /// The call.
        endpoint: Endpoint,
        /// The method of the call.
        method: Method,
        /// The path of the call, below the base URL.
        path: String,
        /// The cap, in bytes.
        limit: u64,
    },
}

#[cfg(feature = "ureq")]
impl From<crate::transport::SettingsError> for Error {
    fn from(e: crate::transport::SettingsError) -> Error {
        Error::invalid(InputKind::Settings, e.to_string())
    }
}

impl From<crate::usage::UsageError> for Error {
    fn from(e: crate::usage::UsageError) -> Error {
        Error::Usage(Box::new(e))
    }
}

impl From<crate::billing::SumError> for Error {
    fn from(e: crate::billing::SumError) -> Error {
        Error::Billing(e)
    }
}

impl From<crate::id::ParseIdError> for Error {
    fn from(e: crate::id::ParseIdError) -> Error {
        Error::invalid(InputKind::Id, e.to_string())
    }
}

impl Error {
    /// An [`InvalidInput`](Error::InvalidInput) error: for a test of your own error
    /// handling, say, or a wrapper that checks more than the crate does.
    pub fn invalid_input(kind: InputKind, message: impl Into<String>) -> Error {
        Error::InvalidInput {
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn invalid(kind: InputKind, message: impl Into<String>) -> Error {
        Error::invalid_input(kind, message)
    }

    /// What kind of error this is, to act on it without matching every variant (which
    /// are `#[non_exhaustive]`, as the kinds are).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput { .. } | Error::InvalidReport(_) => ErrorKind::InvalidInput,
            Error::Plan(_) => ErrorKind::Plan,
            Error::Stale(_) => ErrorKind::Stale,
            Error::Usage(_) | Error::Billing(_) => ErrorKind::Usage,
            // A 401 is the credentials' fault, whichever way the token came.
            Error::Api(e) if e.status == 401 => ErrorKind::Auth,
            Error::Api(_) => ErrorKind::Api,
            Error::Auth(_) => ErrorKind::Auth,
            Error::TokenSource { .. } => ErrorKind::TokenSource,
            Error::Redirect { .. } => ErrorKind::Redirect,
            Error::Mismatch { .. } => ErrorKind::Mismatch,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::GenerationFailed { .. } => ErrorKind::GenerationFailed,
            Error::WaitTimeout { .. } => ErrorKind::WaitTimeout,
            Error::NotSent { .. } => ErrorKind::NotSent,
            Error::Write { .. } => ErrorKind::Write,
            Error::NotAttempted { .. } => ErrorKind::NotAttempted,
            Error::ResponseTooLarge { .. } => ErrorKind::ResponseTooLarge,
        }
    }

    /// The error for a [`TokenSource`](crate::auth::TokenSource) of your own that could not
    /// give a token (a vault that did not answer, say). It must not hold the token.
    pub fn token_source(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
        Error::TokenSource {
            source: source.into().into(),
        }
    }

    /// How many attempts the call made before this error, retries included: 1 when it was
    /// not retried (and for errors that come before sending).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api(e) => e.attempts,
            Error::Auth(e) => e.attempts,
            Error::Timeout { attempts, .. } | Error::Transport { attempts, .. } => *attempts,
            _ => 1,
        }
    }

    /// Maps a transport failure: a timeout to [`Timeout`](Error::Timeout), anything else to
    /// [`Transport`](Error::Transport).
    pub(crate) fn from_transport(endpoint: &Endpoint, source: TransportError) -> Error {
        let (method, path) = (endpoint.method(), endpoint.path());
        let endpoint = endpoint.clone();
        if source.kind() == crate::transport::TransportErrorKind::Timeout {
            Error::Timeout {
                endpoint,
                method,
                path,
                source,
                attempts: 1,
            }
        } else {
            Error::Transport {
                endpoint,
                method,
                path,
                source,
                attempts: 1,
            }
        }
    }

    /// The call that failed, for errors of a call (a clone of the one the error holds).
    pub fn endpoint(&self) -> Option<Endpoint> {
        match self {
            Error::Api(e) => Some(e.endpoint.clone()),
            Error::Auth(_) => Some(Endpoint::Token),
            Error::Decode { call, .. } | Error::Mismatch { call, .. } => {
                Some(call.endpoint.clone())
            }
            Error::Redirect { endpoint, .. }
            | Error::Timeout { endpoint, .. }
            | Error::Transport { endpoint, .. }
            | Error::ResponseTooLarge { endpoint, .. }
            | Error::NotSent { endpoint } => Some(endpoint.clone()),
            _ => None,
        }
    }

    /// The report a failed call was about: the one addressed, or the one a failed file
    /// generation or wait concerns.
    pub fn report_id(&self) -> Option<crate::id::ReportId> {
        match self {
            Error::GenerationFailed { report_id, .. } | Error::WaitTimeout { report_id, .. } => {
                Some(*report_id)
            }
            _ => self.endpoint().and_then(|e| e.report_id()),
        }
    }

    /// Records how many attempts the call took.
    pub(crate) fn with_attempts(mut self, n: u32) -> Error {
        match &mut self {
            Error::Api(e) => e.attempts = n,
            Error::Auth(e) => e.attempts = n,
            Error::Timeout { attempts, .. } | Error::Transport { attempts, .. } => *attempts = n,
            _ => {}
        }
        self
    }

    /// The HTTP status the server answered with, for [`Api`](Error::Api),
    /// [`Auth`](Error::Auth), [`Redirect`](Error::Redirect), and the 2xx of
    /// [`Decode`](Error::Decode) and [`Mismatch`](Error::Mismatch) errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Auth(e) => Some(e.status),
            Error::Decode { call, .. } | Error::Mismatch { call, .. } => Some(call.status),
            Error::Redirect { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether a write (`PUT`, `POST`, `DELETE` of the reports API) was accepted but its
    /// answer does not show it applied: a [`Mismatch`](Error::Mismatch), or an answer that is
    /// not a report ([`Decode`](Error::Decode)). A read answered with another report, or a
    /// token endpoint's answer that is not a token, changed nothing: not such an error.
    pub fn is_unverified_write(&self) -> bool {
        match self {
            Error::Decode { call, .. } | Error::Mismatch { call, .. } => call.endpoint.is_write(),
            _ => false,
        }
    }

    /// Whether the same call, made again later, may succeed: timeouts, failed connections,
    /// and the statuses 429, 500, 502, 503 and 504 (from the API or the token endpoint). This
    /// is what the [`RetryPolicy`](crate::RetryPolicy) retries. (501 and 505 say the server
    /// does not support the request at all: not retryable.)
    pub fn is_retryable(&self) -> bool {
        use crate::transport::TransportErrorKind as K;
        let retryable_status = |s| matches!(s, 429 | 500 | 502 | 503 | 504);
        match self {
            Error::Timeout { .. } => true,
            Error::Transport { source, .. } => source.kind() == K::Connect,
            Error::Api(e) => retryable_status(e.status),
            Error::Auth(e) => retryable_status(e.status),
            _ => false,
        }
    }

    /// Whether this is the API's answer to a create made while usage history is not ready:
    /// 400 between 1 and 6 am, or 500 after ("should be ready but is not"), with a message
    /// saying "not ready". Try again later (after 6 am for a 400).
    pub fn is_usage_history_not_ready(&self) -> bool {
        let Error::Api(e) = self else { return false };
        let says = |t: &Option<String>| {
            t.as_deref()
                .is_some_and(|t| t.to_ascii_lowercase().contains("not ready"))
        };
        e.endpoint == Endpoint::CreateReport
            && matches!(e.status, 400 | 500)
            && (says(&e.message) || says(&e.info))
    }

    /// The server's request id for a failed call, when it sent one (`X-Request-Id`): quote it
    /// to the vendor's support.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Auth(e) => e.request_id.as_deref(),
            Error::Decode { call, .. } | Error::Mismatch { call, .. } => call.request_id.as_deref(),
            _ => None,
        }
    }
}

/// Whether a request that got no response may have reached the server: not when the name
/// did not resolve, TLS failed or the connection was refused, all before it was sent. A
/// connection that broke (reset, closed) may have broken after the server acted on it.
pub(crate) fn may_have_been_sent(error: &TransportError) -> bool {
    use crate::transport::TransportErrorKind as K;
    use std::io::ErrorKind as Io;
    let io = std::error::Error::source(error)
        .and_then(|e| e.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind);
    match error.kind() {
        K::Dns | K::Tls => false,
        // Refused, or not made at all: nothing went out. Broken once made: it may have.
        K::Connect => matches!(
            io,
            Some(Io::ConnectionReset | Io::ConnectionAborted | Io::UnexpectedEof | Io::BrokenPipe)
        ),
        _ => true,
    }
}

/// What a write whose answer never came may have done, and how to find out.
fn may_have_applied(method: Method) -> &'static str {
    match method {
        Method::Get => "",
        Method::Put => {
            ", so the change may have been applied: fetch the report to see before repeating it"
        }
        Method::Post => {
            ", so the report may have been created: list the tenant's reports before creating it again"
        }
        Method::Delete => ", so the report may have been deleted: fetch it to see",
    }
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (gave up after {attempts} attempts)")
    } else {
        String::new()
    }
}

/// What kind of error an [`Error`] is: [`Error::kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Refused before anything was sent: [`Error::InvalidInput`], [`Error::InvalidReport`].
    InvalidInput,
    /// No plan can be made for desired reports; nothing was changed: [`Error::Plan`].
    Plan,
    /// A saved plan is stale: what it read has changed; nothing was changed:
    /// [`Error::Stale`].
    Stale,
    /// A usage file's content could not be read, or summed: [`Error::Usage`],
    /// [`Error::Billing`].
    Usage,
    /// The API answered with a status outside 2xx: [`Error::Api`].
    Api,
    /// The credentials were refused: the token endpoint refused to issue a token
    /// ([`Error::Auth`]), or the API answered 401 ([`Error::Api`] with status 401: a wrong,
    /// revoked or expired bearer token, or one of your own token source).
    Auth,
    /// A token source of your own could not give a token: [`Error::TokenSource`].
    TokenSource,
    /// A redirect, never followed: [`Error::Redirect`].
    Redirect,
    /// The returned report does not reflect the request: [`Error::Mismatch`].
    Mismatch,
    /// A 2xx body that is not what the call expects: [`Error::Decode`].
    Decode,
    /// No complete response within the time limit: [`Error::Timeout`].
    Timeout,
    /// No response: [`Error::Transport`].
    Transport,
    /// A report's file generation failed: [`Error::GenerationFailed`].
    GenerationFailed,
    /// No file was saved in time: [`Error::WaitTimeout`].
    WaitTimeout,
    /// Writing a downloaded file failed: [`Error::Write`].
    Write,
    /// A bulk run did not take this up: [`Error::NotAttempted`].
    NotAttempted,
    /// A response body larger than the cap: [`Error::ResponseTooLarge`].
    ResponseTooLarge,
    /// A dry run's call, described and not sent: [`Error::NotSent`].
    NotSent,
}

impl ErrorKind {
    /// A short name, like `invalid_input` or `not_attempted`, for logs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Plan => "plan",
            ErrorKind::Stale => "stale",
            ErrorKind::Usage => "usage",
            ErrorKind::Api => "api",
            ErrorKind::Auth => "auth",
            ErrorKind::TokenSource => "token_source",
            ErrorKind::Redirect => "redirect",
            ErrorKind::Mismatch => "mismatch",
            ErrorKind::Decode => "decode",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Transport => "transport",
            ErrorKind::GenerationFailed => "generation_failed",
            ErrorKind::WaitTimeout => "wait_timeout",
            ErrorKind::Write => "write",
            ErrorKind::NotAttempted => "not_attempted",
            ErrorKind::ResponseTooLarge => "response_too_large",
            ErrorKind::NotSent => "not_sent",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which input an [`Error::InvalidInput`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InputKind {
    /// A report id (or another id in a path) that is not a UUID.
    Id,
    /// An update with nothing set.
    EmptyUpdate,
    /// An update holding a value the crate does not know the API to accept (an enum's
    /// `Unknown`, copied from a server reply).
    UnknownValue,
    /// The base URL: missing or malformed.
    BaseUrl,
    /// The base URL is plain `http://` to a host that is not loopback, which would send the
    /// token unencrypted; see
    /// [`ClientBuilder::danger_accept_plain_http`](crate::ClientBuilder::danger_accept_plain_http).
    PlainHttp,
    /// The bearer token: missing, empty, or with characters a header cannot carry.
    Token,
    /// The user agent.
    UserAgent,
    /// Builder settings that contradict each other, or a missing transport.
    Settings,
}

impl fmt::Display for InputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InputKind::Id => "id",
            InputKind::EmptyUpdate => "empty update",
            InputKind::UnknownValue => "unknown value",
            InputKind::BaseUrl => "base URL",
            InputKind::PlainHttp => "plain http",
            InputKind::Token => "token",
            InputKind::UserAgent => "user agent",
            InputKind::Settings => "settings",
        })
    }
}

/// A call that got an answer: the call, the status and the server's request id.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallInfo {
    /// The call: its [`method`](Endpoint::method) and [`path`](Endpoint::path), and the ids
    /// it concerns.
    pub endpoint: Endpoint,
    /// The HTTP status of the answer.
    pub status: u16,
    /// The server's request id (`X-Request-Id`), when it sent one.
    pub request_id: Option<String>,
}

impl fmt::Display for CallInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.endpoint.fmt(f)
    }
}

fn request_id_note(call: &CallInfo) -> String {
    call.request_id
        .as_ref()
        .map(|id| format!(" (request id {id})"))
        .unwrap_or_default()
}

/// The API's answer to a call that failed: a status outside 2xx, and the vendor's error body
/// `{"error": {"code", "message", "domain", "details": {"info"}}}` when it sent one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The call.
    pub endpoint: Endpoint,
    /// The method of the call.
    pub method: Method,
    /// The path of the call, below the base URL, like `/reports/<id>`.
    pub path: String,
    /// The HTTP status.
    pub status: u16,
    /// `error.code` (an integer or a string in the vendor's bodies), as text.
    pub code: Option<String>,
    /// `error.message`.
    pub message: Option<String>,
    /// `error.domain`, like `PlatformAccountServer`.
    pub domain: Option<String>,
    /// `error.details.info`.
    pub info: Option<String>,
    /// The start of the body (at most 1024 characters) when it is not the vendor's error
    /// JSON, such as a gateway's HTML page; `None` when it was parsed.
    pub body: Option<String>,
    /// The server's request id (`X-Request-Id`), when it sent one.
    pub request_id: Option<String>,
    /// How long the server asked to wait before trying again (`Retry-After`), when it said.
    pub retry_after: Option<Duration>,
    /// How many attempts were made, retries included.
    pub attempts: u32,
    /// Whether the client's base URL lacks the vendor's `/api/2`, for the hint of a 404.
    pub(crate) base_url_lacks_api_path: bool,
}

impl ApiError {
    /// An error for the call `endpoint` answered with `status`, with every other member
    /// empty (set them: the fields are public). For tests of your own error handling; the
    /// client makes these from the API's answers.
    pub fn new(endpoint: Endpoint, status: u16) -> ApiError {
        ApiError {
            method: endpoint.method(),
            path: endpoint.path(),
            endpoint,
            status,
            code: None,
            message: None,
            domain: None,
            info: None,
            body: None,
            request_id: None,
            retry_after: None,
            attempts: 1,
            base_url_lacks_api_path: false,
        }
    }

    fn hint(&self) -> &'static str {
        match self.status {
            400 if matches!(self.endpoint, Endpoint::TenantsUnderNext { .. }) => {
                "the API refused the cursor of the listing's next page; list the tenants again"
            }
            400 => "the API refused the request as sent",
            401 => "check that the token is valid and not expired",
            403 if self.endpoint.is_tenants() => {
                "check that the API client may view this tenant (the tenant_viewer role, or an \
                 administrator's of a tenant above it)"
            }
            403 => "check that the API client may manage reports of this tenant",
            404 if self.body.is_some() && self.base_url_lacks_api_path => {
                "the answer is not the API's: the base URL may lack /api/2 \
                 (the vendor's is https://<data-centre>-cloud.acronis.com/api/2)"
            }
            404 if self.body.is_some() => {
                "the answer is not the API's: check that the base URL names the right data centre"
            }
            404 if self.endpoint.tenant_id().is_some() => {
                "check the tenant id, and that the base URL names the tenant's data centre"
            }
            // The vendor documents no 404 for a delete or for stored files: say what it
            // probably means, no more.
            404 if self.endpoint.is_stored() => {
                "the vendor documents no 404 here: the report or its file probably no longer \
                 exists; check the ids (see the report's stored files)"
            }
            404 if self.method == Method::Post => {
                "check that the base URL names the right data centre and ends in /api/2"
            }
            404 if self.method == Method::Delete => {
                "the vendor documents no 404 here: the report probably no longer exists \
                 (deleted already?), or the base URL names another data centre"
            }
            404 => "check the report id, and that the base URL names the right data centre",
            405 => "the API does not allow this method here; check the base URL",
            409 if self.method == Method::Delete => {
                "the vendor documents no 409 here; probably the version given is not the \
                 report's current one: fetch the report for its version, then delete again"
            }
            409 => {
                "the vendor documents no 409 for the reports API; the object probably exists \
                 already"
            }
            415 => "the API did not accept the body's media type",
            429 => "too many requests; try again later",
            502..=504 => "the service is in trouble; try again in a few seconds",
            500..=599 => {
                "the service failed; if it goes on, check the vendor's status page or support"
            }
            _ => "see the API's message",
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: the server answered {}",
            self.method, self.path, self.status
        )?;
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        let extra: Vec<String> = [
            ("code", &self.code),
            ("domain", &self.domain),
            ("info", &self.info),
        ]
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}")))
        .collect();
        if !extra.is_empty() {
            write!(f, " ({})", extra.join(", "))?;
        }
        if let Some(body) = &self.body {
            if body.trim().is_empty() {
                f.write_str(" with an empty body")?;
            } else {
                write!(
                    f,
                    " with a body that is not the API's error JSON: {:?}",
                    body.chars().take(80).collect::<String>()
                )?;
            }
        }
        write!(f, "; {}", self.hint())?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        f.write_str(&attempts_note(self.attempts))
    }
}

impl std::error::Error for ApiError {}

/// The token endpoint's refusal (`POST /idp/token` with client credentials), from its OAuth
/// answer `{"error": "access_denied", "error_description": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthError {
    /// The HTTP status.
    pub status: u16,
    /// The OAuth `error` code: `invalid_request`, `access_denied`, `totp_required`, ...
    pub error: Option<String>,
    /// The OAuth `error_description`.
    pub description: Option<String>,
    /// The start of the body (at most 1024 characters) when it is not OAuth JSON.
    pub body: Option<String>,
    /// The server's request id (`X-Request-Id`), when it sent one.
    pub request_id: Option<String>,
    /// How long the server asked to wait before trying again (`Retry-After`), when it said.
    pub retry_after: Option<Duration>,
    /// How many attempts were made, retries included.
    pub attempts: u32,
}

impl AuthError {
    /// A refusal with `status` and every other member empty (set them: the fields are
    /// public). For tests of your own error handling; the client makes these from the token
    /// endpoint's answers.
    pub fn new(status: u16) -> AuthError {
        AuthError {
            status,
            error: None,
            description: None,
            body: None,
            request_id: None,
            retry_after: None,
            attempts: 1,
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: no token was issued ({})",
            Endpoint::Token,
            self.status
        )?;
        match (&self.error, &self.description) {
            (Some(e), Some(d)) => write!(f, ": {e}: {d}")?,
            (Some(e), None) => write!(f, ": {e}")?,
            (None, Some(d)) => write!(f, ": {d}")?,
            (None, None) => {}
        }
        if let Some(body) = &self.body {
            write!(
                f,
                " with a body that is not OAuth JSON: {:?}",
                body.chars().take(80).collect::<String>()
            )?;
        }
        let hint = match self.status {
            400 | 401 | 403 => {
                "check the API client's id and secret, and that the client is enabled"
            }
            404 => "check that the base URL names the right data centre and ends in /api/2",
            429 | 502..=504 => "the service is in trouble; try again in a few seconds",
            _ => "see the token endpoint's description",
        };
        write!(f, "; {hint}")?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        f.write_str(&attempts_note(self.attempts))
    }
}

impl std::error::Error for AuthError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A call for the tests: its report id is the nil UUID.
    const X_PUT: crate::endpoint::Endpoint =
        crate::endpoint::Endpoint::UpdateReport(crate::id::ReportId::from_uuid(uuid::Uuid::nil()));
    const X_GET: crate::endpoint::Endpoint =
        crate::endpoint::Endpoint::GetReport(crate::id::ReportId::from_uuid(uuid::Uuid::nil()));
    use crate::transport::TransportErrorKind;

    fn assert_send_sync_static<T: Send + Sync + 'static>() {}

    #[test]
    fn errors_are_send_sync_static() {
        assert_send_sync_static::<Error>();
        assert_send_sync_static::<ApiError>();
    }

    #[test]
    fn tenant_calls_have_hints_of_their_own() {
        let root = crate::id::TenantId::from_uuid(uuid::Uuid::nil());
        let next = Endpoint::TenantsUnderNext {
            root,
            after: "c".into(),
        };
        let text = |endpoint: Endpoint, status| ApiError::new(endpoint, status).to_string();
        assert!(
            text(next.clone(), 400).contains("cursor"),
            "{}",
            text(next, 400)
        );
        assert!(text(Endpoint::TenantsUnder(root), 403).contains("view this tenant"));
        assert!(text(Endpoint::Tenant(root), 404).contains("check the tenant id"));
        assert!(text(Endpoint::TenantReports(root), 403).contains("manage reports"));
        let e = Error::Api(Box::new(ApiError::new(Endpoint::Tenant(root), 404)));
        assert_eq!(e.endpoint(), Some(Endpoint::Tenant(root)));
    }

    #[test]
    fn retryable_and_status() {
        let api = |status| Error::Api(Box::new(ApiError::new(X_PUT, status)));
        for s in [429, 500, 502, 503, 504] {
            assert!(api(s).is_retryable(), "{s}");
        }
        for s in [400, 401, 403, 404, 415, 501, 505] {
            assert!(!api(s).is_retryable(), "{s}");
        }
        assert_eq!(api(404).status(), Some(404));
        let t = |kind| Error::from_transport(&X_GET, TransportError::from_kind(kind));
        assert!(t(TransportErrorKind::Connect).is_retryable());
        assert!(!t(TransportErrorKind::Tls).is_retryable());
        assert_eq!(t(TransportErrorKind::Connect).status(), None);
        assert!(!Error::invalid(InputKind::Id, "x").is_retryable());
        let timeout = Error::from_transport(
            &X_GET,
            TransportError::from_kind(TransportErrorKind::Timeout),
        );
        assert!(matches!(timeout, Error::Timeout { attempts: 1, .. }));
    }

    #[test]
    fn attempts_and_request_ids_show_in_messages() {
        let mut api = ApiError::new(X_PUT, 503);
        api.request_id = Some("req-42".into());
        let e = Error::Api(Box::new(api)).with_attempts(3);
        assert_eq!(e.request_id(), Some("req-42"));
        assert!(
            e.to_string().ends_with(
                "try again in a few seconds (request id req-42) (gave up after 3 attempts)"
            ),
            "{e}"
        );
        let auth = AuthError {
            status: 401,
            error: Some("access_denied".into()),
            description: Some("Bad client credentials".into()),
            body: None,
            request_id: None,
            retry_after: None,
            attempts: 1,
        };
        assert_eq!(
            Error::Auth(Box::new(auth)).to_string(),
            "POST /idp/token: no token was issued (401): access_denied: Bad client credentials; \
             check the API client's id and secret, and that the client is enabled"
        );
    }

    #[test]
    fn transport_error_message_and_source() {
        let e = Error::from_transport(
            &X_PUT,
            TransportError::new(TransportErrorKind::Connect, "connection refused"),
        );
        // Each layer says its own part, once: the chain joined reads as one sentence.
        let mut chain = vec![e.to_string()];
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            chain.push(s.to_string());
            source = s.source();
        }
        assert_eq!(
            chain,
            [
                "PUT /reports/00000000-0000-0000-0000-000000000000: no response; check the base URL, the network and any proxy",
                "the connection failed",
                "connection refused"
            ]
        );
    }

    #[test]
    fn every_layer_says_its_part_once() {
        let source = Error::token_source("the vault is sealed");
        assert_eq!(
            source.to_string(),
            "the token source could not give a token"
        );
        assert_eq!(
            std::error::Error::source(&source).unwrap().to_string(),
            "the vault is sealed"
        );
    }

    #[test]
    fn kinds_and_constructors_for_users_tests() {
        let api = Error::Api(Box::new(ApiError::new(X_GET, 404)));
        assert_eq!((api.kind(), api.kind().as_str()), (ErrorKind::Api, "api"));
        // A 401 of the API is the credentials' fault, like the token endpoint's refusal.
        let revoked = Error::Api(Box::new(ApiError::new(X_GET, 401)));
        assert_eq!(
            (revoked.kind(), revoked.kind().as_str()),
            (ErrorKind::Auth, "auth")
        );
        let input = Error::invalid_input(InputKind::Id, "invalid report id");
        assert_eq!(input.kind(), ErrorKind::InvalidInput);
        assert_eq!(InputKind::PlainHttp.to_string(), "plain http");
        let auth = Error::Auth(Box::new(AuthError::new(401)));
        assert_eq!((auth.kind(), auth.status()), (ErrorKind::Auth, Some(401)));
    }
}
