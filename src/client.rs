//! [`Client`]: the calls of the reports API, over a [`Transport`].
//!
//! A `Client` holds the base URL, the bearer token and one transport (by default one ureq
//! agent, so connections are reused). It is cheap to clone and safe to share between
//! threads: clones share the transport.

use std::fmt;
use std::io::{self, Read};
use std::sync::Arc;
#[cfg(feature = "ureq")]
use std::time::Duration;

use uuid::Uuid;

use crate::error::{ApiError, Error, InputKind};
use crate::model::{self, Report};
use crate::patch::ReportUpdate;
use crate::transport::{Method, Request, Response, Transport, TransportError, TransportErrorKind};
use crate::verify::{Field, FieldMismatch, Mismatch, to_value};

/// The `User-Agent` sent unless [`ClientBuilder::user_agent`] says otherwise.
pub const DEFAULT_USER_AGENT: &str =
    concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// The default cap on a response body: 4 MiB. A report is about a kilobyte.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;

/// How many characters of a non-JSON error body an [`ApiError`] keeps.
const ERROR_BODY_CHARS: usize = 1024;

/// A blocking client of the reports API.
///
/// Build one with [`Client::builder`]. Every call takes the report id as text, checks it is
/// a UUID (either case; sent lowercase) before anything is sent, and returns typed data or
/// an [`Error`]. Calls that change a report verify that the report the server returns
/// reflects the change.
///
/// `Debug` shows the base URL and the user agent, never the token.
///
/// ```no_run
/// use acronis_reports::Client;
///
/// let client = Client::builder()
///     .base_url("https://eu2-cloud.acronis.com/api/2")
///     .bearer_token(std::env::var("ACRONIS_TOKEN")?)
///     .build()?;
/// let report = client.disable_report("20dffb36-d77b-45c6-b2fa-39276e98d5fc")?;
/// assert!(!report.schedule.enabled);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    base_url: String,
    authorization: Secret,
    user_agent: String,
    max_response_bytes: u64,
    transport: Box<dyn Transport>,
}

/// A header value holding the token. Its `Debug` never shows it.
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("token", &self.inner.authorization)
            .field("user_agent", &self.inner.user_agent)
            .field("max_response_bytes", &self.inner.max_response_bytes)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]. `base_url` and `bearer_token` are required; every other setting
/// has a documented default.
///
/// `Debug` never shows the token.
#[derive(Default)]
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    token: Option<Secret>,
    user_agent: Option<String>,
    max_response_bytes: Option<u64>,
    #[cfg(feature = "ureq")]
    timeout: Option<Duration>,
    transport: Option<Box<dyn Transport>>,
    allow_plain_http: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("user_agent", &self.user_agent)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("custom_transport", &self.transport.is_some())
            .field("allow_plain_http", &self.allow_plain_http)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The API's base URL, as the vendor writes it: `https://<data-centre>-cloud.acronis.com/api/2`.
    /// A trailing slash is fine. Required.
    ///
    /// The URL must have a path (the API lives under `/api/2`) and no query, fragment or user
    /// name. `http://` is accepted only for loopback hosts (`localhost`, `127.x.x.x`, `[::1]`:
    /// local emulators), unless [`danger_accept_plain_http`](Self::danger_accept_plain_http).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Accepts a plain `http://` base URL to a host that is not loopback, so the token
    /// travels unencrypted. Default: `false`. Only for a network you trust end to end, such
    /// as a TLS-terminating proxy on the same host.
    pub fn danger_accept_plain_http(mut self, accept: bool) -> Self {
        self.allow_plain_http = accept;
        self
    }

    /// The bearer token sent as `Authorization: Bearer <token>`, without the `Bearer ` prefix.
    /// Required. It must be visible ASCII with no spaces; it never appears in `Debug`, errors
    /// or messages.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(Secret(token.into()));
        self
    }

    /// The `User-Agent` header. Default: [`DEFAULT_USER_AGENT`] (`acronis-reports/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The largest response body read, in bytes; a larger one ends the call with
    /// [`Error::ResponseTooLarge`]. Default: [`DEFAULT_MAX_RESPONSE_BYTES`] (4 MiB).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// The limit on one whole HTTP exchange of the built-in transport.
    /// Default: [`UreqTransport::DEFAULT_TIMEOUT`](crate::transport::UreqTransport::DEFAULT_TIMEOUT)
    /// (30 s). With [`transport`](Self::transport), configure the timeout on that transport
    /// instead: setting both is refused by [`build`](Self::build).
    #[cfg(feature = "ureq")]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The HTTP stack to send requests with. Default: a
    /// [`UreqTransport`](crate::transport::UreqTransport) with its default settings (with the
    /// `ureq` feature; without it, a transport is required), except that the environment's
    /// proxy is not used for a loopback base URL (`localhost`, `127.x.x.x`, `[::1]`).
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(Box::new(transport));
        self
    }

    /// Checks the settings and builds the client. Nothing is sent.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when the base URL or token is missing or malformed, the user
    /// agent cannot be a header, both a timeout and a transport were given, or (without the
    /// `ureq` feature) no transport was given.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = parse_base_url(
            self.base_url.as_deref().ok_or_else(|| {
            Error::invalid(
                InputKind::BaseUrl,
                "no base URL: set ClientBuilder::base_url, e.g. https://eu2-cloud.acronis.com/api/2",
            )
            })?,
            self.allow_plain_http,
        )?;
        let token = self.token.ok_or_else(|| {
            Error::invalid(
                InputKind::Token,
                "no token: set ClientBuilder::bearer_token",
            )
        })?;
        check_token(&token.0)?;
        let user_agent = self
            .user_agent
            .unwrap_or_else(|| DEFAULT_USER_AGENT.to_owned());
        if user_agent.is_empty()
            || !user_agent
                .bytes()
                .all(|b| b == b' ' || b.is_ascii_graphic())
        {
            return Err(Error::invalid(
                InputKind::UserAgent,
                "invalid user agent: use visible ASCII characters and spaces only",
            ));
        }
        let transport = match self.transport {
            #[cfg(feature = "ureq")]
            Some(_) if self.timeout.is_some() => {
                return Err(Error::invalid(
                    InputKind::Settings,
                    "both a timeout and a transport were given: set the timeout on the transport itself",
                ));
            }
            Some(t) => t,
            #[cfg(feature = "ureq")]
            None => {
                // No proxy can reach this machine's loopback: skip the environment's proxy
                // for local emulators and tunnels.
                let mut b = crate::transport::UreqTransport::builder()
                    .proxy_from_env(!is_loopback(&base_url));
                if let Some(timeout) = self.timeout {
                    b = b.timeout(Some(timeout));
                }
                Box::new(b.build())
            }
            #[cfg(not(feature = "ureq"))]
            None => {
                return Err(Error::invalid(
                    InputKind::Settings,
                    "no transport: the `ureq` feature is off, so pass one with ClientBuilder::transport",
                ));
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                base_url,
                authorization: Secret(format!("Bearer {}", token.0)),
                user_agent,
                max_response_bytes: self
                    .max_response_bytes
                    .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
                transport,
            }),
        })
    }
}

/// Checks and normalizes a base URL: scheme and host present, a path, nothing after it.
fn parse_base_url(url: &str, allow_plain_http: bool) -> Result<String, Error> {
    let bad = |why: &str| {
        // A URL with user info may carry a password: never echo it.
        let shown = if url.contains('@') {
            "(not shown)".to_owned()
        } else {
            format!("{url:?}")
        };
        Error::invalid(
            InputKind::BaseUrl,
            format!(
                "invalid base URL {shown}: {why}; expected e.g. https://eu2-cloud.acronis.com/api/2"
            ),
        )
    };
    if !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad("it may hold only visible ASCII characters, no spaces"));
    }
    let lower = url.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return Err(bad("it must start with https://"));
    };
    if url.contains(['?', '#']) {
        return Err(bad("it must not have a query or fragment"));
    }
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if authority.contains('@') {
        return Err(bad("it must not contain a user name or password"));
    }
    if authority.is_empty() || authority.starts_with(':') {
        return Err(bad("it has no host"));
    }
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        return Err(bad("it has no path; the API lives under /api/2"));
    }
    let scheme_len = url.len() - rest.len();
    let normalized = format!(
        "{}{}{}",
        &lower[..scheme_len],
        authority.to_ascii_lowercase(),
        path
    );
    if scheme_len == 7 && !allow_plain_http && !is_loopback(&normalized) {
        return Err(bad(
            "plain http:// would send the token unencrypted; use https://, or \
             ClientBuilder::danger_accept_plain_http(true) on a network you trust",
        ));
    }
    Ok(normalized)
}
/// Whether a normalized base URL names this machine: `localhost`, 127.0.0.0/8 or `[::1]`.
fn is_loopback(base_url: &str) -> bool {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn check_token(token: &str) -> Result<(), Error> {
    let bad = |why: &str| Error::invalid(InputKind::Token, format!("the bearer token {why}"));
    if token.is_empty() {
        return Err(bad("is empty"));
    }
    if token
        .as_bytes()
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"bearer "))
    {
        return Err(bad("starts with \"Bearer \": pass the token alone"));
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad(
            "holds characters a header cannot carry (spaces, line breaks, non-ASCII); check how it was read",
        ));
    }
    Ok(())
}

/// Parses an id the API takes in a path: a UUID in its 36-character form, either case.
fn parse_id(what: &str, id: &str) -> Result<Uuid, Error> {
    let parsed = if id.len() == 36 {
        Uuid::try_parse(id).ok()
    } else {
        None
    };
    parsed.ok_or_else(|| {
        let shown: String = id.chars().take(64).collect();
        Error::invalid(
            InputKind::Id,
            format!(
                "invalid {what} {shown:?}: expected a UUID like 20dffb36-d77b-45c6-b2fa-39276e98d5fc"
            ),
        )
    })
}

impl Client {
    /// A builder; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL every path is appended to, normalized (lowercase scheme and host, no
    /// trailing slash).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Fetches a report: `GET /reports/{id}`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an id that is not a UUID; [`Error::Api`] for a status
    /// outside 2xx (404: no such report); [`Error::Decode`] when the body is not a report;
    /// [`Error::Mismatch`] when it is another report than the one asked for;
    /// [`Error::Timeout`], [`Error::Transport`], [`Error::Redirect`] and
    /// [`Error::ResponseTooLarge`] as for every call.
    pub fn get_report(&self, id: &str) -> Result<Report, Error> {
        let id = parse_id("report id", id)?;
        self.fetch_report(id)
    }

    /// Applies `update` to a report (`PUT /reports/{id}` with the minimal JSON patch), then
    /// checks that the report the server returns reflects every member of it.
    ///
    /// When the server answers with `204 No Content` or an empty body, the report is fetched
    /// and that is checked instead. Only monthly reports can be updated.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an id that is not a UUID or an empty update (nothing is
    /// sent); [`Error::Mismatch`] when the returned report does not reflect the update, with
    /// every differing member; [`Error::Api`] for a status outside 2xx; [`Error::Decode`] when
    /// the body is not a report; [`Error::Timeout`], [`Error::Transport`],
    /// [`Error::Redirect`] and [`Error::ResponseTooLarge`] as for every call.
    pub fn update_report(&self, id: &str, update: &ReportUpdate) -> Result<Report, Error> {
        let id = parse_id("report id", id)?;
        if update.is_empty() {
            return Err(Error::invalid(
                InputKind::EmptyUpdate,
                "the update is empty: set at least one member of the ReportUpdate",
            ));
        }
        if let Some((path, value)) = update.unknown_value() {
            return Err(Error::invalid(
                InputKind::UnknownValue,
                format!(
                    "the update sets {path} to {value:?}, a value this version of the crate does not \
                     know the API to accept; use one of the known values"
                ),
            ));
        }
        let path = format!("/reports/{id}");
        let (status, body) = self.call(
            Method::Put,
            &path,
            Some(update.to_json_string().into_bytes()),
        )?;
        let report = if status == 204 || body.iter().all(u8::is_ascii_whitespace) {
            self.fetch_report(id)?
        } else {
            Report::from_json(&body)?
        };
        let mut fields = id_mismatch(id, &report).into_iter().collect::<Vec<_>>();
        if let Err(m) = update.verify(&report) {
            fields.extend(m.fields);
        }
        Mismatch::from_fields(fields)?;
        Ok(report)
    }

    /// Switches a monthly report off: [`update_report`](Self::update_report) with
    /// [`ReportUpdate::disable`], exactly `{"schedule":{"enabled":false}}`.
    ///
    /// # Errors
    ///
    /// As [`update_report`](Self::update_report).
    pub fn disable_report(&self, id: &str) -> Result<Report, Error> {
        self.update_report(id, &ReportUpdate::disable())
    }

    /// Switches a monthly report on: [`update_report`](Self::update_report) with
    /// [`ReportUpdate::enable`], exactly `{"schedule":{"enabled":true}}`.
    ///
    /// # Errors
    ///
    /// As [`update_report`](Self::update_report).
    pub fn enable_report(&self, id: &str) -> Result<Report, Error> {
        self.update_report(id, &ReportUpdate::enable())
    }

    fn fetch_report(&self, id: Uuid) -> Result<Report, Error> {
        let (_, body) = self.call(Method::Get, &format!("/reports/{id}"), None)?;
        let report = Report::from_json(&body)?;
        Mismatch::from_fields(id_mismatch(id, &report).into_iter().collect())?;
        Ok(report)
    }

    /// Sends one request and returns the status and body of a 2xx answer.
    fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(u16, Vec<u8>), Error> {
        let inner = &*self.inner;
        let mut headers = vec![
            ("accept", "application/json".to_owned()),
            ("authorization", inner.authorization.0.clone()),
            ("user-agent", inner.user_agent.clone()),
        ];
        if body.is_some() {
            headers.push(("content-type", "application/json".to_owned()));
        }
        let request = Request::new(method, format!("{}{path}", inner.base_url), headers, body);
        let fail = |source: TransportError| {
            let path = path.to_owned();
            if source.kind() == TransportErrorKind::Timeout {
                Error::Timeout {
                    method,
                    path,
                    source,
                }
            } else {
                Error::Transport {
                    method,
                    path,
                    source,
                }
            }
        };
        let response = inner.transport.send(request).map_err(fail)?;
        let status = response.status();
        if (200..300).contains(&status) {
            let limit = inner.max_response_bytes;
            let body = read_capped(response, limit).map_err(|e| match e {
                ReadError::TooLarge => Error::ResponseTooLarge {
                    method,
                    path: path.to_owned(),
                    limit,
                },
                ReadError::Io(e) => fail(TransportError::new(read_error_kind(&e), e)),
            })?;
            return Ok((status, body));
        }
        // For any other status the status is the news: read what a diagnosis needs, and never
        // let the body (too large, cut off) hide the status.
        let location = response.header("location").map(str::to_owned);
        let body = read_partial(response, ERROR_BODY_BYTES);
        if (300..400).contains(&status) {
            return Err(Error::Redirect {
                method,
                path: path.to_owned(),
                status,
                location,
            });
        }
        Err(Error::Api(Box::new(api_error(method, path, status, &body))))
    }
}

/// How many bytes of an error response are read: plenty for the vendor's error JSON or the
/// start of a gateway's page.
const ERROR_BODY_BYTES: u64 = 64 * 1024;

enum ReadError {
    TooLarge,
    Io(io::Error),
}

/// Reads the whole body (so the connection can be reused), refusing more than `limit` bytes.
fn read_capped(response: Response, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    response
        .into_body()
        .take(limit.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(ReadError::Io)?;
    if body.len() as u64 > limit {
        return Err(ReadError::TooLarge);
    }
    Ok(body)
}

/// Reads at most `limit` bytes of a body, keeping what arrived if reading fails.
fn read_partial(response: Response, limit: u64) -> Vec<u8> {
    let mut body = Vec::new();
    // A failed read leaves what was read in `body`, which is all an error message needs.
    let _ = response.into_body().take(limit).read_to_end(&mut body);
    body
}

/// What a failure while reading a body means.
fn read_error_kind(e: &io::Error) -> TransportErrorKind {
    use io::ErrorKind as K;
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

fn id_mismatch(id: Uuid, report: &Report) -> Option<FieldMismatch> {
    (report.id != id).then(|| FieldMismatch {
        field: Field::Id,
        requested: to_value(&id),
        returned: to_value(&report.id),
    })
}

fn truncate(text: &str, max_chars: usize) -> String {
    model::snippet(text.as_bytes(), max_chars)
}

fn api_error(method: Method, path: &str, status: u16, body: &[u8]) -> ApiError {
    let mut error = ApiError {
        method,
        path: path.to_owned(),
        status,
        code: None,
        message: None,
        domain: None,
        info: None,
        body: None,
    };
    match serde_json::from_slice::<model::VendorErrorBody>(body) {
        Ok(parsed) => {
            let e = parsed.error;
            error.code = e.code.and_then(|c| match c {
                serde_json::Value::String(s) => Some(s),
                serde_json::Value::Null => None,
                other => Some(other.to_string()),
            });
            error.message = e.message.map(|m| truncate(&m, ERROR_BODY_CHARS));
            error.domain = e.domain;
            error.info = e.details.and_then(|d| d.info);
        }
        Err(_) => error.body = Some(model::snippet(body, ERROR_BODY_CHARS)),
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_normalized() {
        let ok = |u: &str| parse_base_url(u, false).unwrap();
        assert_eq!(
            ok("https://eu2-cloud.acronis.com/api/2"),
            "https://eu2-cloud.acronis.com/api/2"
        );
        assert_eq!(
            ok("https://eu2-cloud.acronis.com/api/2/"),
            "https://eu2-cloud.acronis.com/api/2"
        );
        assert_eq!(
            ok("HTTPS://EU2-Cloud.Acronis.com/api/2//"),
            "https://eu2-cloud.acronis.com/api/2"
        );
        assert_eq!(
            ok("http://127.0.0.1:8080/api/2"),
            "http://127.0.0.1:8080/api/2"
        );
        assert_eq!(ok("http://[::1]:8080/api/2"), "http://[::1]:8080/api/2");
        for (bad, why) in [
            ("eu2-cloud.acronis.com/api/2", "it must start with https://"),
            (
                "ftp://eu2-cloud.acronis.com/api/2",
                "it must start with https://",
            ),
            ("https://eu2-cloud.acronis.com", "it has no path"),
            ("https://eu2-cloud.acronis.com/", "it has no path"),
            ("https:///api/2", "it has no host"),
            ("https://:443/api/2", "it has no host"),
            (
                "https://eu2-cloud.acronis.com/api/2?x=1",
                "not have a query or fragment",
            ),
            (
                "https://eu2-cloud.acronis.com/api/2#top",
                "not have a query or fragment",
            ),
            ("https://eu2-cloud.acronis.com/api 2", "visible ASCII"),
            ("https://eu2-cloud.acronis.com/api/2\n", "visible ASCII"),
            (
                "https://user:pw@eu2-cloud.acronis.com/api/2",
                "user name or password",
            ),
            (
                "http://eu2-cloud.acronis.com/api/2",
                "plain http:// would send the token",
            ),
            (
                "http://10.1.2.3/api/2",
                "plain http:// would send the token",
            ),
        ] {
            match parse_base_url(bad, false) {
                Err(Error::InvalidInput {
                    kind: InputKind::BaseUrl,
                    message,
                }) => {
                    assert!(message.contains(why), "{bad}: {message}");
                    assert!(message.starts_with("invalid base URL"), "{message}");
                    assert!(!message.contains("pw@"), "{message}");
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn plain_http_to_other_hosts_needs_the_opt_in() {
        assert_eq!(
            parse_base_url("http://reports.internal/api/2", true).unwrap(),
            "http://reports.internal/api/2"
        );
        assert!(parse_base_url("http://localhost:8080/api/2", false).is_ok());
    }

    #[test]
    fn loopback_hosts_are_recognized() {
        for yes in [
            "http://127.0.0.1:8080/api/2",
            "http://127.1.2.3/api/2",
            "http://localhost:1/api/2",
            "http://[::1]:80/api/2",
        ] {
            assert!(is_loopback(yes), "{yes}");
        }
        for no in [
            "https://eu2-cloud.acronis.com/api/2",
            "http://10.0.0.1/api/2",
            "http://localhost.example.com/api/2",
            "http://[::2]/api/2",
        ] {
            assert!(!is_loopback(no), "{no}");
        }
    }

    #[test]
    fn tokens_are_checked_without_being_echoed() {
        assert!(check_token("eyJhbGciOiJSUzI1NiJ9.e30.c2ln").is_ok());
        for bad in [
            "",
            "Bearer abc.def",
            "abc def",
            "abc\r\nX-Evil: 1",
            "tökén",
            "ééééé",
            "bearer x.y",
            "abc\t",
        ] {
            let Err(Error::InvalidInput {
                kind: InputKind::Token,
                message,
            }) = check_token(bad)
            else {
                panic!("{bad:?} accepted")
            };
            assert!(bad.is_empty() || !message.contains(bad), "{message}");
        }
    }

    #[test]
    fn ids_must_be_36_character_uuids() {
        let id = "20dffb36-d77b-45c6-b2fa-39276e98d5fc";
        assert_eq!(parse_id("report id", id).unwrap().to_string(), id);
        assert_eq!(
            parse_id("report id", &id.to_uppercase())
                .unwrap()
                .to_string(),
            id
        );
        for bad in [
            "",
            "20dffb36d77b45c6b2fa39276e98d5fc",
            "{20dffb36-d77b-45c6-b2fa-39276e98d5fc}",
            "urn:uuid:20dffb36-d77b-45c6-b2fa-39276e98d5fc",
            "20dffb36-d77b-45c6-b2fa-39276e98d5fg",
            "../reports/20dffb36-d77b-45c6-b2fa-3927",
            "20dffb36-d77b-45c6-b2fa-39276e98d5f/",
            "20dffb36-d77b-45c6-b2fa-39276e98d5f?",
            " 20dffb36-d77b-45c6-b2fa-39276e98d5f",
        ] {
            let Err(Error::InvalidInput {
                kind: InputKind::Id,
                message,
            }) = parse_id("report id", bad)
            else {
                panic!("{bad:?} accepted")
            };
            assert!(message.starts_with("invalid report id"), "{message}");
        }
    }
}
