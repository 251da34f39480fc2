//! The HTTP seam: the [`Transport`] trait, with [`UreqTransport`] as the built-in
//! implementation (feature `ureq`, on by default).
//!
//! The client builds each [`Request`] completely (method, URL, every header, body) and hands it
//! to a transport, which only moves bytes. So a program can run the client over its own HTTP
//! stack, and tests can run it over a closure with no sockets:
//!
//! ```
//! use acronis_reports::transport::{Request, Response, Transport, TransportError};
//!
//! struct Canned;
//!
//! impl Transport for Canned {
//!     fn send(&self, request: Request) -> Result<Response, TransportError> {
//!         assert_eq!(request.header("content-type"), Some("application/json"));
//!         Ok(Response::from_bytes(204, vec![], Vec::new()))
//!     }
//! }
//! ```
//!
//! A closure `Fn(Request) -> Result<Response, TransportError>` becomes one with [`from_fn`].

use std::error::Error as StdError;
use std::fmt;
use std::io::{self, Read};
use std::time::Duration;

#[cfg(feature = "ureq")]
mod ureq;

#[cfg(feature = "ureq")]
pub use self::ureq::{RootCertificates, SettingsError, UreqTransport, UreqTransportBuilder};

/// Sends one HTTP request and returns the response: the client's only way to the network.
///
/// Implementations must not follow redirects with the request's body or `Authorization`
/// header, and must not treat 4xx/5xx statuses as errors: the client reads those bodies to
/// report the API's error. They are shared between threads, hence `Send + Sync`.
pub trait Transport: Send + Sync {
    /// Sends `request` and returns the response whose body is still to be read.
    ///
    /// # Errors
    ///
    /// A [`TransportError`] when no response came: the connection failed or timed out.
    fn send(&self, request: Request) -> Result<Response, TransportError>;
}

impl<T: Transport + ?Sized> Transport for &T {
    fn send(&self, request: Request) -> Result<Response, TransportError> {
        (**self).send(request)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&self, request: Request) -> Result<Response, TransportError> {
        (**self).send(request)
    }
}

impl<T: Transport + ?Sized> Transport for std::sync::Arc<T> {
    fn send(&self, request: Request) -> Result<Response, TransportError> {
        (**self).send(request)
    }
}

/// A transport made from a closure: see [`from_fn`].
#[derive(Clone)]
pub struct FnTransport<F>(F);

impl<F> fmt::Debug for FnTransport<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnTransport")
    }
}

impl<F> Transport for FnTransport<F>
where
    F: Fn(Request) -> Result<Response, TransportError> + Send + Sync,
{
    fn send(&self, request: Request) -> Result<Response, TransportError> {
        (self.0)(request)
    }
}

/// Makes a transport of a closure: handy for tests without sockets, or to wrap another
/// transport (add a header, log, count).
///
/// ```
/// use acronis_reports::transport::{Response, from_fn};
///
/// let always_busy = from_fn(|_request| Ok(Response::from_bytes(503, vec![], Vec::new())));
/// ```
pub fn from_fn<F>(f: F) -> FnTransport<F>
where
    F: Fn(Request) -> Result<Response, TransportError> + Send + Sync,
{
    FnTransport(f)
}

/// An HTTP method the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `PUT`
    Put,
    /// `POST`
    Post,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name, like `"PUT"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request the client built, ready to send. Its `Debug` hides the `Authorization` value.
///
/// A transport of your own, or a wrapper around one, may add headers with
/// [`set_header`](Self::set_header) before sending it on:
///
/// ```
/// use acronis_reports::transport::{Request, Transport, from_fn};
///
/// fn tagged(inner: impl Transport + 'static) -> impl Transport {
///     from_fn(move |mut request: Request| {
///         request.set_header("x-correlation-id", "billing-2026-11");
///         inner.send(request)
///     })
/// }
/// ```
pub struct Request {
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    timeout: Option<Duration>,
    /// The total limit on receiving the response body, when it differs from `timeout`.
    body_timeout: Option<Option<Duration>>,
}

impl Request {
    /// A request. The client builds these; a transport's own tests may too. Header names are
    /// kept lowercase.
    pub fn new(
        method: Method,
        url: impl Into<String>,
        headers: Vec<(String, String)>,
        body: Option<Vec<u8>>,
    ) -> Self {
        Request {
            method,
            url: url.into(),
            headers: headers
                .into_iter()
                .map(|(mut n, v)| {
                    n.make_ascii_lowercase();
                    (n, v)
                })
                .collect(),
            body,
            timeout: None,
            body_timeout: None,
        }
    }

    /// Sets header `name` (any case; kept lowercase) to `value`, replacing a header of that
    /// name. A value a header cannot carry (a line break, say) makes the built-in transport
    /// refuse the request.
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        let name = name.to_ascii_lowercase();
        let value = value.into();
        match self.headers.iter_mut().find(|(n, _)| *n == name) {
            Some(header) => header.1 = value,
            None => self.headers.push((name, value)),
        }
    }

    /// How long the client allows each phase of the exchange (connecting, sending, waiting
    /// for the answer, reading the body: [`ClientBuilder::timeout`](crate::ClientBuilder::timeout));
    /// `None` for no limit. The built-in transport honours it; a transport of your own should.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// Sets the limit [`timeout`](Self::timeout) reports.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
    }

    /// The limit on receiving the whole response body, in total: [`timeout`](Self::timeout)
    /// unless [set](Self::set_body_timeout) otherwise. A stored file's download sets its own
    /// ([`ClientBuilder::download_timeout`](crate::ClientBuilder::download_timeout)): its
    /// body is streamed, and the client bounds the time without progress itself.
    pub fn body_timeout(&self) -> Option<Duration> {
        self.body_timeout.unwrap_or(self.timeout)
    }

    /// Sets the limit [`body_timeout`](Self::body_timeout) reports (`None`: no limit).
    pub fn set_body_timeout(&mut self, timeout: Option<Duration>) {
        self.body_timeout = Some(timeout);
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The full URL, like `https://eu2-cloud.acronis.com/api/2/reports/<id>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every header to send, names in lowercase. The client's own values carry only visible
    /// ASCII and spaces; a value set with [`set_header`](Self::set_header) is as given.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The value of header `name` (any case), if the request has it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body, for methods that send one.
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// Takes the body out, for transports that send it by value.
    pub fn take_body(&mut self) -> Option<Vec<u8>> {
        self.body.take()
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Headers<'a>(&'a [(String, String)]);
        impl fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let redact = |n: &str, v: &str| -> String {
                    if n.eq_ignore_ascii_case("authorization") {
                        "<redacted>".into()
                    } else {
                        v.into()
                    }
                };
                f.debug_map()
                    .entries(self.0.iter().map(|(n, v)| (n, redact(n, v))))
                    .finish()
            }
        }
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &Headers(&self.headers))
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .field("timeout", &self.timeout)
            .field("body_timeout", &self.body_timeout())
            .finish()
    }
}

/// A response: status and headers read, body still to be read.
///
/// The client reads the body to the end (so the connection can be reused), up to its size cap.
pub struct Response {
    status: u16,
    headers: Headers,
    body: Box<dyn Read + Send>,
}

/// A response's headers: as a transport gave them, or as the built-in transport received
/// them, in the `http` crate's map (read as text when asked for, not copied into strings).
enum Headers {
    Pairs(Vec<(String, String)>),
    /// Values that are not visible ASCII (and spaces) are not seen, as a transport leaves out
    /// what it cannot give as text.
    Map(http::HeaderMap),
}

impl Response {
    /// A response whose body is read from `body`.
    pub fn new(
        status: u16,
        headers: Vec<(String, String)>,
        body: impl Read + Send + 'static,
    ) -> Self {
        Response {
            status,
            headers: Headers::Pairs(headers),
            body: Box::new(body),
        }
    }

    /// A response whose headers are in an `http` map (the built-in transport's): a value that
    /// is not visible ASCII is not seen by [`header`](Self::header) and
    /// [`headers`](Self::headers).
    #[cfg_attr(not(feature = "ureq"), allow(dead_code))]
    pub(crate) fn from_header_map(
        status: u16,
        headers: http::HeaderMap,
        body: impl Read + Send + 'static,
    ) -> Self {
        Response {
            status,
            headers: Headers::Map(headers),
            body: Box::new(body),
        }
    }

    /// A response whose body is already in memory.
    pub fn from_bytes(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        Response::new(status, headers, std::io::Cursor::new(body))
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The value of header `name` (any case), if the response has it.
    pub fn header(&self, name: &str) -> Option<&str> {
        match &self.headers {
            Headers::Pairs(pairs) => pairs
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str()),
            // Looked for in turn rather than by hash: `name` need not be parsed as a header
            // name, and an answer has few headers. The same value as `get_all(name)` finds.
            Headers::Map(map) => map
                .iter()
                .filter(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
                .find_map(|(_, v)| v.to_str().ok()),
        }
    }

    /// Every header, as the transport gave them.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        let (pairs, map) = match &self.headers {
            Headers::Pairs(pairs) => (Some(pairs.iter()), None),
            Headers::Map(map) => (None, Some(map.iter())),
        };
        let pairs = pairs
            .into_iter()
            .flatten()
            .map(|(n, v)| (n.as_str(), v.as_str()));
        let map = map
            .into_iter()
            .flatten()
            .filter_map(|(n, v)| Some((n.as_str(), v.to_str().ok()?)));
        pairs.chain(map)
    }

    /// The body, to be read.
    pub fn into_body(self) -> Box<dyn Read + Send> {
        self.body
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Listed<'a>(&'a Response);
        impl fmt::Debug for Listed<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.0.headers()).finish()
            }
        }
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &Listed(self))
            .finish_non_exhaustive()
    }
}

/// What went wrong when no response came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The host name did not resolve.
    Dns,
    /// The connection could not be made, or was refused or reset.
    Connect,
    /// A configured time limit passed.
    Timeout,
    /// TLS failed (certificates, handshake).
    Tls,
    /// The server spoke something that is not HTTP/1.1.
    Protocol,
    /// Anything else.
    Other,
}

impl TransportErrorKind {
    fn describe(self) -> &'static str {
        match self {
            TransportErrorKind::Dns => "the host name did not resolve",
            TransportErrorKind::Connect => "the connection failed",
            TransportErrorKind::Timeout => "the request timed out",
            TransportErrorKind::Tls => "the TLS connection failed",
            TransportErrorKind::Protocol => "the server's answer is not valid HTTP",
            TransportErrorKind::Other => "the request failed",
        }
    }
}

/// A failure to get a response, from a [`Transport`].
///
/// Cloning shares the source.
#[derive(Debug, Clone)]
pub struct TransportError {
    kind: TransportErrorKind,
    source: Option<std::sync::Arc<dyn StdError + Send + Sync>>,
}

impl TransportError {
    /// A failure of `kind`, caused by `source` (a `String` or `&str` will do).
    pub fn new(
        kind: TransportErrorKind,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        TransportError {
            kind,
            source: Some(source.into().into()),
        }
    }

    /// A failure of `kind` with nothing more to say.
    pub fn from_kind(kind: TransportErrorKind) -> Self {
        TransportError { kind, source: None }
    }

    /// What went wrong.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }
}

impl fmt::Display for TransportError {
    /// What went wrong, by kind; the cause, if any, is the [`source`](StdError::source).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.describe())
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// Why reading a response body failed.
pub(crate) enum ReadError {
    /// The body is larger than the limit.
    TooLarge,
    /// Reading failed.
    Io(std::io::Error),
}

impl Response {
    /// The request id the server sent, if any (`X-Request-Id`, `X-Correlation-Id` or
    /// `Request-Id`), cut to 200 characters.
    pub(crate) fn request_id(&self) -> Option<String> {
        ["x-request-id", "x-correlation-id", "request-id"]
            .iter()
            .find_map(|name| self.header(name))
            .map(|id| id.chars().take(200).collect())
    }

    /// Reads the whole body (so the connection can be reused), refusing more than `limit`
    /// bytes: at most `limit + 1` are ever read.
    pub(crate) fn read_capped(self, limit: u64) -> Result<Vec<u8>, ReadError> {
        // Room for the body the server announced, so that it is read in one go rather than
        // in growing steps (at most the limit, and at most 1 MiB ahead of what arrives).
        let announced = self
            .header("content-length")
            .and_then(|n| n.trim().parse::<u64>().ok())
            .map_or(0, |n| n.min(limit).min(1 << 20));
        let mut body = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
        self.into_body()
            .take(limit.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(ReadError::Io)?;
        if body.len() as u64 > limit {
            return Err(ReadError::TooLarge);
        }
        Ok(body)
    }

    /// Reads at most `limit` bytes of the body, keeping what arrived if reading fails: for
    /// error answers, whose status matters more than their body.
    pub(crate) fn read_partial(self, limit: u64) -> Vec<u8> {
        let mut body = Vec::new();
        // A failed read leaves what was read in `body`, which is all a message needs.
        let _ = self.into_body().take(limit).read_to_end(&mut body);
        body
    }
}

/// What a failure while reading a body means.
pub(crate) fn read_error_kind(e: &std::io::Error) -> TransportErrorKind {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::TimedOut => TransportErrorKind::Timeout,
        K::ConnectionReset | K::ConnectionAborted | K::UnexpectedEof | K::BrokenPipe => {
            TransportErrorKind::Connect
        }
        // A corrupt gzip stream or chunked framing.
        K::InvalidData => TransportErrorKind::Protocol,
        _ => TransportErrorKind::Other,
    }
}

/// A streamed body whose reads may each wait at most `stall` for data: the body is read
/// ahead on a thread of its own, so that a server that stops sending ends the read with a
/// timeout (`io::ErrorKind::TimedOut`), however long the whole body takes while data keeps
/// coming. A slow reader is never cut off: it only holds the reading back. `None` reads
/// `body` as it is.
///
/// The thread ends with the body; after a stall it ends when the transport's own limit on
/// the body ([`Request::body_timeout`]) does.
pub(crate) fn stall_guarded(
    body: Box<dyn Read + Send>,
    stall: Option<Duration>,
) -> Box<dyn Read + Send> {
    let Some(stall) = stall else { return body };
    let (tx, rx) = std::sync::mpsc::sync_channel::<io::Result<Vec<u8>>>(4);
    let spawned = std::thread::Builder::new()
        .name("acronis-reports-body".into())
        .spawn(move || {
            let mut body = body;
            loop {
                let mut chunk = vec![0; 64 * 1024];
                let read = loop {
                    match body.read(&mut chunk) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        other => break other,
                    }
                };
                let (done, item) = match read {
                    Ok(0) => (true, Ok(Vec::new())),
                    Ok(n) => {
                        chunk.truncate(n);
                        (false, Ok(chunk))
                    }
                    Err(e) => (true, Err(e)),
                };
                if tx.send(item).is_err() || done {
                    return;
                }
            }
        });
    match spawned {
        Ok(_) => Box::new(StallGuard {
            chunks: rx,
            chunk: Vec::new(),
            at: 0,
            stall,
            ended: false,
        }),
        Err(e) => Box::new(io::Cursor::new(Vec::new()).chain(FailedRead(Some(e)))),
    }
}

/// A reader that fails once with its error.
struct FailedRead(Option<io::Error>);

impl Read for FailedRead {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(e) => Err(e),
            None => Ok(0),
        }
    }
}

/// The reading end of [`stall_guarded`].
struct StallGuard {
    chunks: std::sync::mpsc::Receiver<io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    at: usize,
    stall: Duration,
    ended: bool,
}

impl Read for StallGuard {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use std::sync::mpsc::RecvTimeoutError;
        while self.at == self.chunk.len() {
            if self.ended {
                return Ok(0);
            }
            match self.chunks.recv_timeout(self.stall) {
                Ok(Ok(chunk)) if chunk.is_empty() => self.ended = true,
                Ok(Ok(chunk)) => {
                    self.chunk = chunk;
                    self.at = 0;
                }
                Ok(Err(e)) => {
                    self.ended = true;
                    return Err(e);
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!(
                            "no data for {} s while reading the body",
                            self.stall.as_secs_f64()
                        ),
                    ));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.ended = true;
                    return Err(io::Error::other("the body's reader ended unexpectedly"));
                }
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_a_map_read_as_the_same_headers_copied_into_strings() {
        let mut map = http::HeaderMap::new();
        for (name, value) in [
            ("content-type", &b"application/json"[..]),
            ("x-request-id", b"r-1"),
            ("set-cookie", b"a=\xff"),
            ("set-cookie", b"b=2"),
            ("x-request-id", b"r-2"),
            ("content-length", b"12"),
        ] {
            map.append(
                http::HeaderName::from_static(name),
                http::HeaderValue::from_bytes(value).unwrap(),
            );
        }
        // What the built-in transport made of them before: each header as text, those that
        // are not text left out.
        let pairs: Vec<(String, String)> = map
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        let copied = Response::from_bytes(200, pairs, Vec::new());
        let kept = Response::from_header_map(200, map, std::io::empty());
        let listed = |r: &Response| {
            r.headers()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect::<Vec<_>>()
        };
        assert_eq!(listed(&kept), listed(&copied));
        for name in [
            "Content-Type",
            "x-request-id",
            "SET-COOKIE",
            "content-length",
            "missing",
            "not a name",
        ] {
            assert_eq!(kept.header(name), copied.header(name), "{name}");
        }
        assert_eq!(kept.header("set-cookie"), Some("b=2"));
        assert_eq!(kept.request_id().as_deref(), Some("r-1"));
        assert_eq!(format!("{kept:?}"), format!("{copied:?}"));
    }

    #[test]
    fn request_debug_hides_the_authorization_value() {
        let r = Request::new(
            Method::Put,
            "https://x.example/api/2/reports/1",
            vec![
                ("authorization".into(), "Bearer s3cr3t-token".into()),
                ("accept".into(), "application/json".into()),
            ],
            Some(b"{}".to_vec()),
        );
        let dbg = format!("{r:?}");
        assert!(!dbg.contains("s3cr3t-token"), "{dbg}");
        assert!(dbg.contains("\"authorization\": \"<redacted>\""), "{dbg}");
        assert!(dbg.contains("application/json"), "{dbg}");
        assert_eq!(r.header("Authorization"), Some("Bearer s3cr3t-token"));
    }

    #[test]
    fn transport_error_display_and_source() {
        let e = TransportError::new(TransportErrorKind::Connect, "connection refused");
        assert_eq!(e.to_string(), "the connection failed");
        assert_eq!(e.source().unwrap().to_string(), "connection refused");
        assert_eq!(
            TransportError::from_kind(TransportErrorKind::Timeout).to_string(),
            "the request timed out"
        );
    }
}
