//! [`UreqTransport`]: the built-in [`Transport`] on a ureq [`Agent`](ureq::Agent).

use std::io::{self, Read};
use std::time::{Duration, Instant};

use ureq::Agent;
use ureq::http;

use super::{Method, Request, Response, Transport, TransportError, TransportErrorKind};

/// The built-in transport: one ureq agent, built once and shared, so connections are kept
/// alive and reused across calls and threads. Cloning it shares the agent.
///
/// It never follows redirects (ureq would turn a redirected `PUT` into a `GET` and could
/// carry the token elsewhere; the client reports a 3xx as an error instead), hands 4xx/5xx
/// responses back for the client to read their error bodies, and decodes gzip bodies.
#[derive(Debug, Clone)]
pub struct UreqTransport {
    agent: Agent,
    /// The limit on a whole exchange, enforced here (see [`UreqTransportBuilder::timeout`]).
    timeout: Option<Duration>,
}

/// Configures a [`UreqTransport`]. Every setting has a documented default.
#[derive(Debug, Clone)]
#[must_use]
pub struct UreqTransportBuilder {
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    proxy_from_env: bool,
    max_idle_connections_per_host: usize,
}

impl Default for UreqTransportBuilder {
    fn default() -> Self {
        UreqTransportBuilder {
            timeout: Some(UreqTransport::DEFAULT_TIMEOUT),
            connect_timeout: Some(UreqTransport::DEFAULT_CONNECT_TIMEOUT),
            proxy_from_env: true,
            max_idle_connections_per_host: UreqTransport::DEFAULT_IDLE_PER_HOST,
        }
    }
}

impl UreqTransportBuilder {
    /// The limit on a whole call, from connecting to the last byte of the body.
    /// Default: [`UreqTransport::DEFAULT_TIMEOUT`] (30 s). `None` waits without limit.
    ///
    /// Each phase (sending the request, waiting for the answer, reading the body) is limited
    /// to it by ureq, and the body stops being read once the whole exchange has taken longer.
    /// The host name lookup is left to the system resolver's own limits: a limit on it makes
    /// ureq start a thread for every request.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// The limit on opening the connection (TLS included). Default:
    /// [`UreqTransport::DEFAULT_CONNECT_TIMEOUT`] (10 s). `None` waits without limit (within
    /// [`timeout`](Self::timeout)).
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Whether to use the proxy named by `ALL_PROXY`/`HTTPS_PROXY`/`HTTP_PROXY` (and honour
    /// `NO_PROXY`). Default: `true`. Turn it off for loopback test servers.
    pub fn proxy_from_env(mut self, yes: bool) -> Self {
        self.proxy_from_env = yes;
        self
    }

    /// How many idle connections to one host are kept for reuse. Size it to the number of
    /// threads sharing the client, or connections are closed and opened again.
    /// Default: [`UreqTransport::DEFAULT_IDLE_PER_HOST`] (8).
    pub fn max_idle_connections_per_host(mut self, n: usize) -> Self {
        self.max_idle_connections_per_host = n;
        self
    }

    /// Builds the transport and its agent.
    pub fn build(self) -> UreqTransport {
        let proxy = if self.proxy_from_env {
            ureq::Proxy::try_from_env()
        } else {
            None
        };
        // Per-phase limits, not ureq's global (or per-call, or resolve) limit: with one of
        // those set, ureq's resolver starts a thread for every request to bound the lookup.
        // The whole exchange is bounded here instead (`Deadline`).
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(self.connect_timeout.or(self.timeout))
            .timeout_send_request(self.timeout)
            .timeout_send_body(self.timeout)
            .timeout_recv_response(self.timeout)
            .timeout_recv_body(self.timeout)
            .proxy(proxy)
            .max_idle_connections_per_host(self.max_idle_connections_per_host)
            .max_idle_connections(self.max_idle_connections_per_host.max(10))
            .build();
        UreqTransport {
            agent: Agent::new_with_config(config),
            timeout: self.timeout,
        }
    }
}

impl UreqTransport {
    /// The default limit on one whole call: 30 seconds.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
    /// The default limit on opening a connection: 10 seconds.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    /// The default number of idle connections kept per host: 8.
    pub const DEFAULT_IDLE_PER_HOST: usize = 8;

    /// A transport with every default setting.
    pub fn new() -> Self {
        UreqTransport::builder().build()
    }

    /// A builder to configure the transport.
    pub fn builder() -> UreqTransportBuilder {
        UreqTransportBuilder::default()
    }
}

impl Default for UreqTransport {
    fn default() -> Self {
        UreqTransport::new()
    }
}

impl Transport for UreqTransport {
    fn send(&self, mut request: Request) -> Result<Response, TransportError> {
        let deadline = self.timeout.and_then(|t| Instant::now().checked_add(t));
        let method = match request.method() {
            Method::Get => http::Method::GET,
            Method::Put => http::Method::PUT,
            Method::Post => http::Method::POST,
            Method::Delete => http::Method::DELETE,
        };
        let body = request.take_body();
        let mut builder = http::Request::builder().method(method).uri(request.url());
        for (name, value) in request.headers() {
            builder = builder.header(name, value);
        }
        let result = match body {
            Some(body) => self.agent.run(built(builder.body(body))?),
            None => self.agent.run(built(builder.body(()))?),
        };
        let response = result.map_err(map_error)?;
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(TransportError::new(
                TransportErrorKind::Timeout,
                timeout_text(ureq::Timeout::Global),
            ));
        }
        let (parts, body) = response.into_parts();
        let headers = parts
            .headers
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        Ok(Response::new(
            parts.status.as_u16(),
            headers,
            BodyReader {
                body: body.into_reader(),
                deadline,
            },
        ))
    }
}

/// A request the `http` crate refused to build (a header it cannot carry).
fn built<T>(r: Result<T, http::Error>) -> Result<T, TransportError> {
    r.map_err(|e| TransportError::new(TransportErrorKind::Other, e))
}

/// Maps ureq's errors to the kinds the client tells apart, keeping the cause as the source
/// (a system error as it is, not wrapped in ureq's `io: ...`; a timeout in plain words
/// instead of ureq's `timeout: global`).
fn map_error(e: ureq::Error) -> TransportError {
    let e = match e {
        ureq::Error::Timeout(which) => {
            return TransportError::new(TransportErrorKind::Timeout, timeout_text(which));
        }
        ureq::Error::Io(io) => return TransportError::new(io_kind(&io), io),
        other => other,
    };
    let kind = match &e {
        ureq::Error::HostNotFound => TransportErrorKind::Dns,
        ureq::Error::ConnectionFailed | ureq::Error::ConnectProxyFailed(_) => {
            TransportErrorKind::Connect
        }
        ureq::Error::Protocol(_) | ureq::Error::LargeResponseHeader(..) => {
            TransportErrorKind::Protocol
        }
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_) => {
            TransportErrorKind::Tls
        }
        _ => TransportErrorKind::Other,
    };
    TransportError::new(kind, e)
}

/// What a system error on the way to a response means. A failed name lookup comes as an I/O
/// error from the system resolver, told by the standard library's wording: it is a mistyped
/// or unknown host, not a failed connection, and is not retried.
fn io_kind(io: &io::Error) -> TransportErrorKind {
    if io.kind() == io::ErrorKind::TimedOut {
        TransportErrorKind::Timeout
    } else if io
        .to_string()
        .contains("failed to lookup address information")
    {
        TransportErrorKind::Dns
    } else {
        TransportErrorKind::Connect
    }
}

/// Which limit a ureq timeout hit, in plain words.
fn timeout_text(which: ureq::Timeout) -> &'static str {
    match which {
        ureq::Timeout::Connect => "opening the connection took longer than the connect timeout",
        _ => "the exchange took longer than the timeout",
    }
}

/// The response body; a ureq timeout while reading surfaces as `io::ErrorKind::TimedOut`,
/// so the client can tell it from other failures without knowing ureq, and so does a body
/// still arriving when the whole exchange's time is up.
struct BodyReader {
    body: ureq::BodyReader<'static>,
    deadline: Option<Instant>,
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                timeout_text(ureq::Timeout::Global),
            ));
        }
        self.body.read(buf).map_err(|e| match ureq::Error::from(e) {
            ureq::Error::Io(io) => io,
            ureq::Error::Timeout(which) => {
                io::Error::new(io::ErrorKind::TimedOut, timeout_text(which))
            }
            e => io::Error::other(e),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_name_lookup_is_a_dns_error_not_a_connection_failure() {
        let lookup =
            io::Error::other("failed to lookup address information: Name or service not known");
        let e = map_error(ureq::Error::Io(lookup));
        assert_eq!(e.kind(), TransportErrorKind::Dns);
        assert_eq!(
            std::error::Error::source(&e).unwrap().to_string(),
            "failed to lookup address information: Name or service not known"
        );
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert_eq!(
            map_error(ureq::Error::Io(refused)).kind(),
            TransportErrorKind::Connect
        );
        assert_eq!(
            map_error(ureq::Error::HostNotFound).kind(),
            TransportErrorKind::Dns
        );
    }
}
