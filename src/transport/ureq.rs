//! [`UreqTransport`]: the built-in [`Transport`] on a ureq [`Agent`](ureq::Agent).

use std::io::{self, Read};
use std::time::Duration;

use ureq::Agent;
use ureq::http;

use super::{Method, Request, Response, Transport, TransportError, TransportErrorKind};

/// The built-in transport: one ureq agent, built once and shared, so connections are kept
/// alive and reused across calls and threads. Cloning it shares the agent.
///
/// It never follows redirects (ureq would turn a redirected `PUT` into a `GET` and could
/// carry the token elsewhere; the client reports a 3xx as an error instead), hands 4xx/5xx
/// responses back for the client to read their error bodies, decodes gzip bodies, and honours
/// each request's [`timeout`](Request::timeout).
#[derive(Debug, Clone)]
pub struct UreqTransport {
    agent: Agent,
    /// The phase limit the agent is configured for; a request that asks for
    /// another gets its own configuration.
    timeout: Option<Duration>,
}

/// Which certificate authorities the built-in transport trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RootCertificates {
    /// Mozilla's list, built in (`webpki-roots`): the same on every machine. The default.
    WebPki,
    /// The platform's own store and verifier (feature `native-roots`), for a certificate
    /// authority the organisation installed, such as a TLS-inspecting proxy's.
    #[cfg(feature = "native-roots")]
    Platform,
    /// The certificates in this PEM text (one or more `-----BEGIN CERTIFICATE-----` blocks),
    /// and no others.
    Pem(Vec<u8>),
}

/// Configures a [`UreqTransport`]. Every setting has a documented default. `Debug` never
/// shows the proxy URL (it may hold a password).
#[derive(Clone)]
#[must_use]
pub struct UreqTransportBuilder {
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    proxy_from_env: bool,
    proxy: Option<String>,
    max_idle_connections_per_host: usize,
    root_certificates: RootCertificates,
}

impl Default for UreqTransportBuilder {
    fn default() -> Self {
        UreqTransportBuilder {
            timeout: Some(UreqTransport::DEFAULT_TIMEOUT),
            connect_timeout: Some(UreqTransport::DEFAULT_CONNECT_TIMEOUT),
            proxy_from_env: true,
            proxy: None,
            max_idle_connections_per_host: UreqTransport::DEFAULT_IDLE_PER_HOST,
            root_certificates: RootCertificates::WebPki,
        }
    }
}

impl std::fmt::Debug for UreqTransportBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UreqTransportBuilder")
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("proxy_from_env", &self.proxy_from_env)
            .field("proxy", &self.proxy.as_ref().map(|_| "<redacted>"))
            .field(
                "max_idle_connections_per_host",
                &self.max_idle_connections_per_host,
            )
            .field("root_certificates", &self.root_certificates)
            .finish()
    }
}

impl UreqTransportBuilder {
    /// The limit on each phase of a call (sending the request, waiting for the answer, reading
    /// the body), for requests that do not carry their own ([`Request::timeout`]; the
    /// client's always do): a server that stops answering ends the call within it, though a
    /// call that makes slow progress in every phase can take a few times as long. Default:
    /// [`UreqTransport::DEFAULT_TIMEOUT`] (30 s). `None` waits without limit.
    ///
    /// The limits are ureq's per-phase ones: a limit on the whole call, or on the host name
    /// lookup, makes ureq start a thread for every request. The lookup is left to the system
    /// resolver's own limits.
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
    /// `NO_PROXY`) when no [`proxy`](Self::proxy) is set. Default: `true`. Turn it off for
    /// loopback test servers.
    pub fn proxy_from_env(mut self, yes: bool) -> Self {
        self.proxy_from_env = yes;
        self
    }

    /// A proxy to use whatever the environment says: `http://host:port`,
    /// `http://user:password@host:port`, `socks5://host:port`. Checked by
    /// [`build`](Self::build). Default: none (see [`proxy_from_env`](Self::proxy_from_env)).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// How many idle connections to one host are kept for reuse. Size it to the number of
    /// threads sharing the client, or connections are closed and opened again.
    /// Default: [`UreqTransport::DEFAULT_IDLE_PER_HOST`] (8).
    pub fn max_idle_connections_per_host(mut self, n: usize) -> Self {
        self.max_idle_connections_per_host = n;
        self
    }

    /// Which certificate authorities are trusted. Default: [`RootCertificates::WebPki`].
    pub fn root_certificates(mut self, roots: RootCertificates) -> Self {
        self.root_certificates = roots;
        self
    }

    /// Builds the transport and its agent.
    ///
    /// # Errors
    ///
    /// [`SettingsError`] for a [`proxy`](Self::proxy) that is not a proxy URL, or
    /// [`RootCertificates::Pem`] text with no certificate or a malformed one. The message
    /// never repeats a proxy's password.
    pub fn build(self) -> Result<UreqTransport, SettingsError> {
        let proxy = match &self.proxy {
            Some(url) => Some(ureq::Proxy::new(url).map_err(|_| {
                SettingsError::new(
                    "the proxy is not a proxy URL: expected e.g. http://proxy.example.com:3128",
                )
            })?),
            None if self.proxy_from_env => ureq::Proxy::try_from_env(),
            None => None,
        };
        let roots = match &self.root_certificates {
            RootCertificates::WebPki => ureq::tls::RootCerts::WebPki,
            #[cfg(feature = "native-roots")]
            RootCertificates::Platform => ureq::tls::RootCerts::PlatformVerifier,
            RootCertificates::Pem(pem) => ureq::tls::RootCerts::new_with_certs(&certificates(pem)?),
        };
        Ok(self.make(proxy, roots))
    }

    /// The transport, with the proxy and roots checked.
    fn make(self, proxy: Option<ureq::Proxy>, roots: ureq::tls::RootCerts) -> UreqTransport {
        // Per-phase limits, not ureq's global (or per-call, or resolve) limit: with one of
        // those set, ureq's resolver starts a thread for every request to bound the lookup.
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(self.connect_timeout.or(self.timeout))
            .timeout_send_request(self.timeout)
            .timeout_send_body(self.timeout)
            .timeout_recv_response(self.timeout)
            .timeout_recv_body(self.timeout)
            .proxy(proxy)
            .tls_config(ureq::tls::TlsConfig::builder().root_certs(roots).build())
            .max_idle_connections_per_host(self.max_idle_connections_per_host)
            .max_idle_connections(self.max_idle_connections_per_host.max(10))
            .build();
        UreqTransport {
            agent: Agent::new_with_config(config),
            timeout: self.timeout,
        }
    }
}

/// The certificates of a PEM text: at least one, every one well formed.
fn certificates(pem: &[u8]) -> Result<Vec<ureq::tls::Certificate<'static>>, SettingsError> {
    let bad = |why: &str| SettingsError::new(format!("the PEM root certificates: {why}"));
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(pem) {
        match item.map_err(|_| bad("a block is malformed"))? {
            ureq::tls::PemItem::Certificate(cert) => certs.push(cert),
            _ => return Err(bad("a block is not a certificate (a private key?)")),
        }
    }
    if certs.is_empty() {
        return Err(bad("no -----BEGIN CERTIFICATE----- block"));
    }
    Ok(certs)
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
        UreqTransportBuilder::default()
            .make(ureq::Proxy::try_from_env(), ureq::tls::RootCerts::WebPki)
    }

    /// A builder to configure the transport.
    pub fn builder() -> UreqTransportBuilder {
        UreqTransportBuilder::default()
    }

    /// A transport on an agent you configured (a proxy, TLS, a pool of your choice).
    ///
    /// The agent must hand error statuses back (`http_status_as_error(false)`: the client
    /// reads the API's error bodies) and must not follow redirects (`max_redirects(0)`: a
    /// redirected `PUT` becomes a `GET`, and the token must not go elsewhere); both are
    /// checked. Leave its global, per-call and resolve timeouts unset (they make ureq start a
    /// thread per request): each request's [`timeout`](Request::timeout) is applied to its
    /// phases and its body here.
    ///
    /// ```
    /// use acronis_reports::transport::UreqTransport;
    ///
    /// let agent = ureq::Agent::config_builder()
    ///     .http_status_as_error(false)
    ///     .max_redirects(0)
    ///     .user_agent("billing-job/2.1")
    ///     .build()
    ///     .new_agent();
    /// let transport = UreqTransport::from_agent(agent)?;
    /// # Ok::<(), acronis_reports::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`SettingsError`] for an agent that turns error statuses into errors or follows
    /// redirects.
    pub fn from_agent(agent: Agent) -> Result<UreqTransport, SettingsError> {
        let config = agent.config();
        if config.http_status_as_error() {
            return Err(SettingsError::new(
                "the agent turns error statuses into errors: configure it with http_status_as_error(false), so that the API's error bodies can be read",
            ));
        }
        if config.max_redirects() != 0 {
            return Err(SettingsError::new(
                "the agent follows redirects: configure it with max_redirects(0) (a redirected PUT becomes a GET, and the token must not go elsewhere)",
            ));
        }
        Ok(UreqTransport {
            agent,
            timeout: None,
        })
    }
}

/// Settings of a [`UreqTransport`] that cannot work: a malformed proxy URL or PEM text, an
/// agent that would hide error bodies or follow redirects. The client turns it into
/// [`Error::InvalidInput`](crate::Error::InvalidInput) with
/// [`InputKind::Settings`](crate::InputKind::Settings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    message: String,
}

impl SettingsError {
    fn new(message: impl Into<String>) -> SettingsError {
        SettingsError {
            message: message.into(),
        }
    }
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SettingsError {}

impl Default for UreqTransport {
    fn default() -> Self {
        UreqTransport::new()
    }
}

impl Transport for UreqTransport {
    fn send(&self, mut request: Request) -> Result<Response, TransportError> {
        let timeout = request.timeout().or(self.timeout);
        let method = match request.method() {
            Method::Get => http::Method::GET,
            Method::Put => http::Method::PUT,
            Method::Post => http::Method::POST,
            Method::Delete => http::Method::DELETE,
        };
        let body = request.take_body();
        // The URL and the headers are moved into ureq's request, not copied (the checks are
        // the same: the `http` crate's, for owned text as for borrowed).
        let mut builder = http::Request::builder()
            .method(method)
            .uri(std::mem::take(&mut request.url));
        for (name, value) in std::mem::take(&mut request.headers) {
            builder = builder.header(name, value);
        }
        // A request that asks for another limit than the agent's gets its own phases' limits.
        // The body's total limit: its own when set apart (a streamed download), else the
        // phases'.
        let body_timeout = request.body_timeout.unwrap_or(timeout);
        let limits = Limits {
            phases: timeout,
            body: body_timeout,
        };
        let own_limits = (request.timeout().is_some() && request.timeout() != self.timeout)
            || body_timeout != timeout;
        let result = match body {
            Some(body) => self.run(built(builder.body(body))?, own_limits, limits),
            None => self.run(built(builder.body(()))?, own_limits, limits),
        };
        let response = result.map_err(map_error)?;
        let (parts, body) = response.into_parts();
        // The headers stay in ureq's map: read as text when asked, not copied into strings.
        Ok(Response::from_header_map(
            parts.status.as_u16(),
            parts.headers,
            BodyReader(body.into_reader()),
        ))
    }
}

impl UreqTransport {
    /// Runs `request`, with its phases limited to `limits` when `own_limits`.
    fn run<S: ureq::AsSendBody>(
        &self,
        request: http::Request<S>,
        own_limits: bool,
        limits: Limits,
    ) -> Result<http::Response<ureq::Body>, ureq::Error> {
        let timeout = limits.phases;
        if !own_limits {
            return self.agent.run(request);
        }
        // Connecting too: the agent's own limit, or the request's when that is shorter.
        let agent_connect = self.agent.config().timeouts().connect;
        let connect = match (agent_connect, timeout) {
            (Some(own), Some(asked)) => Some(own.min(asked)),
            (own, asked) => own.or(asked),
        };
        let request = self
            .agent
            .configure_request(request)
            .timeout_connect(connect)
            .timeout_send_request(timeout)
            .timeout_send_body(timeout)
            .timeout_recv_response(timeout)
            .timeout_recv_body(limits.body)
            .build();
        self.agent.run(request)
    }
}

/// The limits of one request: each phase's, and the body's in total.
#[derive(Debug, Clone, Copy)]
struct Limits {
    phases: Option<Duration>,
    body: Option<Duration>,
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
/// error from the system resolver (told by the standard library's wording, or Windows'
/// error code): an unknown host is not a failed connection and is not retried, but a
/// temporary failure of the resolver is.
fn io_kind(io: &io::Error) -> TransportErrorKind {
    const WSAHOST_NOT_FOUND: i32 = 11001;
    const WSANO_DATA: i32 = 11004;
    let text = io.to_string();
    let lookup = text.contains("failed to lookup address information");
    let temporary = text.contains("Temporary failure") || text.contains("try again");
    if io.kind() == io::ErrorKind::TimedOut {
        TransportErrorKind::Timeout
    } else if (lookup && !temporary)
        || (cfg!(windows) && matches!(io.raw_os_error(), Some(WSAHOST_NOT_FOUND | WSANO_DATA)))
    {
        TransportErrorKind::Dns
    } else {
        TransportErrorKind::Connect
    }
}

/// Which phase a ureq timeout ended, in plain words (the "timed out" is said by the kind).
fn timeout_text(which: ureq::Timeout) -> &'static str {
    match which {
        ureq::Timeout::Connect => "while connecting",
        ureq::Timeout::SendRequest | ureq::Timeout::SendBody => "while sending the request",
        ureq::Timeout::RecvResponse => "while waiting for the answer",
        ureq::Timeout::RecvBody => "while reading the body",
        _ => "during the exchange",
    }
}

/// The response body; a ureq timeout while reading surfaces as `io::ErrorKind::TimedOut`,
/// so the client can tell it from other failures without knowing ureq.
struct BodyReader(ureq::BodyReader<'static>);

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| match ureq::Error::from(e) {
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
    fn debug_never_shows_the_proxy_url() {
        let builder = UreqTransport::builder().proxy("http://user:s3cret@proxy.example:3128");
        let text = format!("{builder:?}");
        assert!(!text.contains("s3cret") && !text.contains("user"), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }

    #[test]
    fn root_certificates_from_a_pem_file_or_the_platform() {
        let pem = include_bytes!("../../tests/fixtures/test-ca.pem").to_vec();
        let built = UreqTransport::builder()
            .root_certificates(RootCertificates::Pem(pem.clone()))
            .build();
        assert!(built.is_ok());
        // A private key is no certificate.
        let key =
            b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n";
        let mut mixed = pem;
        mixed.extend_from_slice(key);
        let err = UreqTransport::builder()
            .root_certificates(RootCertificates::Pem(mixed))
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("not a certificate"), "{err}");
        #[cfg(feature = "native-roots")]
        assert!(
            UreqTransport::builder()
                .root_certificates(RootCertificates::Platform)
                .build()
                .is_ok()
        );
    }

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
        // A resolver that is only having trouble is tried again.
        let temporary = io::Error::other(
            "failed to lookup address information: Temporary failure in name resolution",
        );
        assert_eq!(
            map_error(ureq::Error::Io(temporary)).kind(),
            TransportErrorKind::Connect
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
