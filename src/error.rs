//! [`Error`]: everything a call can fail with, and [`ApiError`], the API's own answer.
//!
//! Messages are lowercase, say what happened and what to check, and never contain the token.
//! Errors that wrap a lower-level one expose it through [`source`](std::error::Error::source).

use std::fmt;

use crate::model::DecodeError;
use crate::transport::{Method, TransportError};
use crate::verify::Mismatch;

/// Everything a call of this crate can fail with.
///
/// Match on the variant to act on it; [`status`](Error::status) and
/// [`is_retryable`](Error::is_retryable) answer the two common questions.
#[derive(Debug, thiserror::Error)]
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

    /// The API answered with a status outside 2xx; the vendor's error body, when there was
    /// one, is parsed into the [`ApiError`].
    #[error(transparent)]
    Api(Box<ApiError>),

    /// The server answered with a redirect. Redirects are never followed: a redirected `PUT`
    /// would turn into a `GET`, and the token must not go to another host.
    #[error(
        "{method} {path}: the server answered {status} with a redirect to {}; redirects are not followed, check the base URL (scheme, host and /api/2)",
        location.as_deref().unwrap_or("nowhere")
    )]
    #[non_exhaustive]
    Redirect {
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
    #[error(transparent)]
    Mismatch(Mismatch),

    /// A 2xx response whose body is not what the call expects (not JSON, wrong shape).
    #[error(transparent)]
    Decode(DecodeError),

    /// No complete response came within the configured time limit.
    #[error(
        "{method} {path}: no complete response within the time limit; check the network, or raise the timeout"
    )]
    #[non_exhaustive]
    Timeout {
        /// The method of the call.
        method: Method,
        /// The path of the call, below the base URL.
        path: String,
        /// What the transport reported.
        #[source]
        source: TransportError,
    },

    /// No response came: the host did not resolve, the connection failed or broke, TLS failed.
    #[error("{method} {path}: {}; check the base URL, the network and any proxy", source.kind_text())]
    #[non_exhaustive]
    Transport {
        /// The method of the call.
        method: Method,
        /// The path of the call, below the base URL.
        path: String,
        /// What the transport reported.
        #[source]
        source: TransportError,
    },

    /// The response body is larger than the client's cap.
    #[error(
        "{method} {path}: the response body is larger than the limit of {limit} bytes; raise ClientBuilder::max_response_bytes if that is expected"
    )]
    #[non_exhaustive]
    ResponseTooLarge {
        /// The method of the call.
        method: Method,
        /// The path of the call, below the base URL.
        path: String,
        /// The cap, in bytes.
        limit: u64,
    },
}

impl Error {
    pub(crate) fn invalid(kind: InputKind, message: impl Into<String>) -> Error {
        Error::InvalidInput {
            kind,
            message: message.into(),
        }
    }

    /// The HTTP status the server answered with, for [`Api`](Error::Api) and
    /// [`Redirect`](Error::Redirect) errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Redirect { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the same call, made again later, may succeed: timeouts, failed connections,
    /// and the statuses 429, 502, 503 and 504. Every call of this crate but a create is safe
    /// to repeat.
    pub fn is_retryable(&self) -> bool {
        use crate::transport::TransportErrorKind as K;
        match self {
            Error::Timeout { .. } => true,
            Error::Transport { source, .. } => source.kind() == K::Connect,
            Error::Api(e) => matches!(e.status, 429 | 502 | 503 | 504),
            _ => false,
        }
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
    /// The base URL: missing, malformed, or plain `http://` to a host that is not loopback.
    BaseUrl,
    /// The bearer token: missing, empty, or with characters a header cannot carry.
    Token,
    /// The user agent.
    UserAgent,
    /// Builder settings that contradict each other, or a missing transport.
    Settings,
}

impl From<Mismatch> for Error {
    fn from(m: Mismatch) -> Self {
        Error::Mismatch(m)
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(e)
    }
}

impl TransportError {
    fn kind_text(&self) -> String {
        // Only the kind's wording: the transport's own text is the `source`.
        TransportError::from_kind(self.kind()).to_string()
    }
}

/// The API's answer to a call that failed: a status outside 2xx, and the vendor's error body
/// `{"error": {"code", "message", "domain", "details": {"info"}}}` when it sent one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
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
}

impl ApiError {
    fn hint(&self) -> &'static str {
        match self.status {
            400 => "the API refused the request as sent",
            401 => "check that the token is valid and not expired",
            403 => "check that the API client may manage reports of this tenant",
            404 => {
                "check the report id, and that the base URL names the right data centre and ends in /api/2"
            }
            405 => "the API does not allow this method here; check the base URL",
            409 => "the object already exists",
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
        write!(f, "; {}", self.hint())
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::TransportErrorKind;

    fn assert_send_sync_static<T: Send + Sync + 'static>() {}

    #[test]
    fn errors_are_send_sync_static() {
        assert_send_sync_static::<Error>();
        assert_send_sync_static::<ApiError>();
    }

    #[test]
    fn retryable_and_status() {
        let api = |status| {
            Error::Api(Box::new(ApiError {
                method: Method::Put,
                path: "/reports/x".into(),
                status,
                code: None,
                message: None,
                domain: None,
                info: None,
                body: None,
            }))
        };
        for s in [429, 502, 503, 504] {
            assert!(api(s).is_retryable(), "{s}");
        }
        for s in [400, 401, 403, 404, 415, 500] {
            assert!(!api(s).is_retryable(), "{s}");
        }
        assert_eq!(api(404).status(), Some(404));
        let t = |kind| Error::Transport {
            method: Method::Get,
            path: "/reports/x".into(),
            source: TransportError::from_kind(kind),
        };
        assert!(t(TransportErrorKind::Connect).is_retryable());
        assert!(!t(TransportErrorKind::Tls).is_retryable());
        assert_eq!(t(TransportErrorKind::Connect).status(), None);
        assert!(!Error::invalid(InputKind::Id, "x").is_retryable());
    }

    #[test]
    fn transport_error_message_and_source() {
        let e = Error::Transport {
            method: Method::Put,
            path: "/reports/x".into(),
            source: TransportError::new(TransportErrorKind::Connect, "connection refused"),
        };
        assert_eq!(
            e.to_string(),
            "PUT /reports/x: the connection failed; check the base URL, the network and any proxy"
        );
        assert_eq!(
            std::error::Error::source(&e).unwrap().to_string(),
            "the connection failed: connection refused"
        );
    }
}
