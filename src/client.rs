//! [`Client`]: the calls of the reports API, over a [`Transport`].
//!
//! A `Client` holds the base URL, a [`TokenSource`], a [`RetryPolicy`] and one transport (by
//! default one ureq agent, so connections are reused). It is cheap to clone and safe to share
//! between threads: clones share the transport and the token cache.

use std::fmt;
use std::io::{self, Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use uuid::Uuid;

use crate::auth::{AccessToken, ClientCredentials, CredentialSettings, StaticToken, TokenSource};
use crate::enums::StoredStatus;
use crate::error::{ApiError, CallInfo, Error, InputKind};
use crate::model::{self, Items, Report, StoredReport};
use crate::new_report::NewReport;
use crate::patch::ReportUpdate;
use crate::retry::{RetryPolicy, parse_retry_after};
use crate::transport::{
    Method, ReadError, Request, Response, Transport, TransportError, read_error_kind,
};
use crate::verify::{Field, FieldMismatch, Mismatch, to_value};

/// The `User-Agent` sent unless [`ClientBuilder::user_agent`] says otherwise.
pub const DEFAULT_USER_AGENT: &str =
    concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// The default cap on a response body: 4 MiB. A report is about a kilobyte.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;

/// The default pause between two looks at a report's stored files: 2 s, as the vendor's
/// examples poll.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// The default time before a client-credentials token expires at which it is renewed: 5 min.
pub const DEFAULT_TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// How many characters of a non-JSON error body an [`ApiError`] keeps.
const ERROR_BODY_CHARS: usize = 1024;

/// How many bytes of an error response are read: plenty for the vendor's error JSON or the
/// start of a gateway's page.
const ERROR_BODY_BYTES: u64 = 64 * 1024;

/// A blocking client of the reports API.
///
/// Build one with [`Client::builder`]. Every call takes the report id as text, checks it is
/// a UUID (either case; sent lowercase) before anything is sent, and returns typed data or
/// an [`Error`]. Calls that change a report verify that the report the server returns
/// reflects the change. Failed calls are retried by the [`RetryPolicy`]; a call refused with
/// 401 is repeated once with a renewed token when the token source can renew.
///
/// `Debug` shows the base URL and the user agent, never a token or secret.
///
/// ```no_run
/// use acronis_reports::Client;
///
/// let client = Client::builder()
///     .base_url("https://eu2-cloud.acronis.com/api/2")
///     .client_credentials(std::env::var("ACRONIS_CLIENT_ID")?, std::env::var("ACRONIS_CLIENT_SECRET")?)
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
    /// How the client authenticates, for `Debug`: never the token or secret.
    auth: String,
    tokens: Box<dyn TokenSource>,
    user_agent: String,
    max_response_bytes: u64,
    retry: RetryPolicy,
    poll_interval: Duration,
    transport: Arc<dyn Transport>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("auth", &self.inner.auth)
            .field("user_agent", &self.inner.user_agent)
            .field("max_response_bytes", &self.inner.max_response_bytes)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// How the client authenticates, as given to the builder.
enum Auth {
    Bearer(String),
    Credentials { id: String, secret: String },
    Source(Box<dyn TokenSource>),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Bearer(_) => f.write_str("Bearer(<redacted>)"),
            Auth::Credentials { id, .. } => write!(f, "ClientCredentials({id}, <redacted>)"),
            Auth::Source(_) => f.write_str("TokenSource"),
        }
    }
}

/// Configures a [`Client`]. A base URL and one way to authenticate ([`bearer_token`],
/// [`client_credentials`] or [`token_source`]) are required; every other setting has a
/// documented default.
///
/// `Debug` never shows a token or secret.
///
/// [`bearer_token`]: Self::bearer_token
/// [`client_credentials`]: Self::client_credentials
/// [`token_source`]: Self::token_source
#[derive(Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    auth: Option<Auth>,
    token_refresh_margin: Option<Duration>,
    user_agent: Option<String>,
    max_response_bytes: Option<u64>,
    retry: Option<RetryPolicy>,
    poll_interval: Option<Duration>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    proxy_from_env: Option<bool>,
    idle_per_host: Option<usize>,
    #[allow(clippy::struct_field_names)]
    transport: Option<TransportBox>,
    allow_plain_http: bool,
}

/// A user's transport, boxed; `Debug` says only that there is one.
struct TransportBox(Arc<dyn Transport>);

impl fmt::Debug for TransportBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Transport")
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

    /// Authenticates with a token you already hold, sent as `Authorization: Bearer <token>`
    /// (pass it without the `Bearer ` prefix). It is never renewed: after it expires (two
    /// hours), calls fail with 401. Replaces any earlier way to authenticate.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.auth = Some(Auth::Bearer(token.into()));
        self
    }

    /// Authenticates as an API client: tokens come from `POST {base}/idp/token` with the
    /// client's id and secret, are cached, renewed [`token_refresh_margin`] before they
    /// expire, and renewed at once when the API answers 401 (the call is then repeated once).
    /// However many threads share the client, one token request runs at a time. Replaces any
    /// earlier way to authenticate.
    ///
    /// Read the secret from the environment or a file, never from a command line.
    ///
    /// [`token_refresh_margin`]: Self::token_refresh_margin
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.auth = Some(Auth::Credentials {
            id: client_id.into(),
            secret: client_secret.into(),
        });
        self
    }

    /// Authenticates with tokens from your own [`TokenSource`] (a vault, another service).
    /// Replaces any earlier way to authenticate.
    pub fn token_source(mut self, source: impl TokenSource + 'static) -> Self {
        self.auth = Some(Auth::Source(Box::new(source)));
        self
    }

    /// How long before a client-credentials token expires it is renewed (at most half its
    /// lifetime). Default: [`DEFAULT_TOKEN_REFRESH_MARGIN`] (5 min).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.token_refresh_margin = Some(margin);
        self
    }

    /// The `User-Agent` header. Default: [`DEFAULT_USER_AGENT`] (`acronis-reports/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The largest response body read, in bytes; a larger one ends the call with
    /// [`Error::ResponseTooLarge`] after reading at most one byte more. Downloads of stored
    /// files are streamed and not capped. Default: [`DEFAULT_MAX_RESPONSE_BYTES`] (4 MiB).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// How many times a failed call is retried, with the default policy otherwise: a
    /// shortcut for `retry_policy(RetryPolicy::new().max_retries(n))`. Default: 2.
    pub fn retries(mut self, n: u32) -> Self {
        self.retry = Some(self.retry.take().unwrap_or_default().max_retries(n));
        self
    }

    /// Which failed calls are retried, and when. Default: [`RetryPolicy::new`] (2 retries of
    /// idempotent calls after connection failures, timeouts, 429, 502, 503 and 504, waiting
    /// 1–2 s, then 2–4 s, or as `Retry-After` says up to 30 s).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The pause between two looks at a report's stored files in
    /// [`Client::wait_for_stored_report`]. Default: [`DEFAULT_POLL_INTERVAL`] (2 s).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = Some(interval);
        self
    }

    /// The limit on one whole HTTP exchange of the built-in transport, from connecting to the
    /// last byte of the body: a server that stops sending mid-body ends in
    /// [`Error::Timeout`] within it. Default:
    #[cfg_attr(
        feature = "ureq",
        doc = "[`UreqTransport::DEFAULT_TIMEOUT`](crate::transport::UreqTransport::DEFAULT_TIMEOUT)"
    )]
    #[cfg_attr(not(feature = "ureq"), doc = "`UreqTransport::DEFAULT_TIMEOUT`")]
    /// (30 s). Each retry gets the whole limit again.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The limit on resolving the host, and again on opening the connection (TLS included), of
    /// the built-in transport. Default:
    #[cfg_attr(
        feature = "ureq",
        doc = "[`UreqTransport::DEFAULT_CONNECT_TIMEOUT`](crate::transport::UreqTransport::DEFAULT_CONNECT_TIMEOUT)"
    )]
    #[cfg_attr(
        not(feature = "ureq"),
        doc = "`UreqTransport::DEFAULT_CONNECT_TIMEOUT`"
    )]
    /// (10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How many idle connections to one host the built-in transport keeps for reuse: size it
    /// to the number of threads sharing the client (bulk runs), or connections are closed
    /// and opened again. Default:
    #[cfg_attr(
        feature = "ureq",
        doc = "[`UreqTransport::DEFAULT_IDLE_PER_HOST`](crate::transport::UreqTransport::DEFAULT_IDLE_PER_HOST)"
    )]
    #[cfg_attr(not(feature = "ureq"), doc = "`UreqTransport::DEFAULT_IDLE_PER_HOST`")]
    /// (8).
    pub fn max_idle_connections_per_host(mut self, n: usize) -> Self {
        self.idle_per_host = Some(n);
        self
    }

    /// Whether the built-in transport uses the proxy named by `HTTPS_PROXY`, `HTTP_PROXY` or
    /// `ALL_PROXY` (honouring `NO_PROXY`). Default: `true`, except for a loopback base URL,
    /// which no proxy can reach.
    pub fn proxy_from_env(mut self, yes: bool) -> Self {
        self.proxy_from_env = Some(yes);
        self
    }

    /// The HTTP stack to send requests with. Default: a
    /// [`UreqTransport`](crate::transport::UreqTransport) configured by
    /// [`timeout`](Self::timeout), [`connect_timeout`](Self::connect_timeout) and
    /// [`proxy_from_env`](Self::proxy_from_env) (with the `ureq` feature; without it, a
    /// transport is required). Token requests go through it too.
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(TransportBox(Arc::new(transport)));
        self
    }

    /// Checks the settings and builds the client. Nothing is sent: a client-credentials token
    /// is fetched on the first call.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when the base URL is missing or malformed, no way to
    /// authenticate was given or its token or credentials cannot be sent, the user agent
    /// cannot be a header, settings of the built-in transport were given together with a
    /// transport of your own, or (without the `ureq` feature) no transport was given.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = self.base_url.as_deref().ok_or_else(|| {
            Error::invalid(
                InputKind::BaseUrl,
                "no base URL: set ClientBuilder::base_url, e.g. https://eu2-cloud.acronis.com/api/2",
            )
        })?;
        let base_url = parse_base_url(base_url, self.allow_plain_http)?;
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
        let max_response_bytes = self
            .max_response_bytes
            .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES);
        let retry = self.retry.unwrap_or_default();
        if self.poll_interval == Some(Duration::ZERO) {
            return Err(Error::invalid(
                InputKind::Settings,
                "a zero poll interval would poll the API without pause; use at least a few hundred milliseconds",
            ));
        }
        let transport: Arc<dyn Transport> = match self.transport {
            Some(_)
                if self.timeout.is_some()
                    || self.connect_timeout.is_some()
                    || self.proxy_from_env.is_some()
                    || self.idle_per_host.is_some() =>
            {
                return Err(Error::invalid(
                    InputKind::Settings,
                    "timeouts, proxy and pool settings apply to the built-in transport: set them on your own transport instead",
                ));
            }
            Some(TransportBox(t)) => t,
            #[cfg(feature = "ureq")]
            None => {
                let mut b = crate::transport::UreqTransport::builder().proxy_from_env(
                    self.proxy_from_env
                        .unwrap_or_else(|| !is_loopback(&base_url)),
                );
                if let Some(timeout) = self.timeout {
                    b = b.timeout(Some(timeout));
                }
                if let Some(timeout) = self.connect_timeout {
                    b = b.connect_timeout(Some(timeout));
                }
                if let Some(n) = self.idle_per_host {
                    b = b.max_idle_connections_per_host(n);
                }
                Arc::new(b.build())
            }
            #[cfg(not(feature = "ureq"))]
            None => {
                return Err(Error::invalid(
                    InputKind::Settings,
                    "no transport: the `ureq` feature is off, so pass one with ClientBuilder::transport",
                ));
            }
        };
        let auth = match &self.auth {
            Some(Auth::Bearer(_)) => "bearer token".to_owned(),
            Some(Auth::Credentials { id, .. }) => format!("client credentials of {id}"),
            _ => "token source".to_owned(),
        };
        let tokens: Box<dyn TokenSource> = match self.auth {
            None => {
                return Err(Error::invalid(
                    InputKind::Token,
                    "no way to authenticate: set ClientBuilder::client_credentials or ClientBuilder::bearer_token",
                ));
            }
            Some(Auth::Bearer(token)) => Box::new(StaticToken::new(AccessToken::new(token)?)),
            Some(Auth::Credentials { id, secret }) => Box::new(ClientCredentials::new(
                &base_url,
                &id,
                &secret,
                CredentialSettings {
                    user_agent: user_agent.clone(),
                    transport: transport.clone(),
                    refresh_margin: self
                        .token_refresh_margin
                        .unwrap_or(DEFAULT_TOKEN_REFRESH_MARGIN),
                    max_response_bytes,
                },
            )?),
            Some(Auth::Source(source)) => source,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                base_url,
                auth,
                tokens,
                user_agent,
                max_response_bytes,
                retry,
                poll_interval: self.poll_interval.unwrap_or(DEFAULT_POLL_INTERVAL),
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
        Ok(self.fetch_report(id)?.0)
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
    /// sent); [`Error::Mismatch`] when the returned report (which the error holds) does not
    /// reflect the update, with
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
        let answer = self.call(
            Method::Put,
            &path,
            Some(update.to_json_string().into_bytes()),
        )?;
        let (report, call) =
            if answer.call.status == 204 || answer.body.iter().all(u8::is_ascii_whitespace) {
                self.fetch_report(id)?
            } else {
                (answer.report()?, answer.call)
            };
        let mut fields = id_mismatch(id, &report).into_iter().collect::<Vec<_>>();
        if let Err(m) = update.verify(&report) {
            fields.extend(m.fields);
        }
        if let Err(mismatch) = Mismatch::from_fields(fields) {
            return Err(Error::Mismatch {
                call,
                mismatch,
                report: Box::new(report),
            });
        }
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

    /// The ids of a tenant's reports: `GET /tenants/{tenant_id}/reports` (ids only, no
    /// paging).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a tenant id that is not a UUID; [`Error::Api`] (404: no
    /// such tenant); [`Error::Decode`] when an item is not a UUID; and the errors of every call.
    pub fn list_report_ids(&self, tenant_id: &str) -> Result<Vec<Uuid>, Error> {
        let tenant = parse_id("tenant id", tenant_id)?;
        let answer = self.call(Method::Get, &format!("/tenants/{tenant}/reports"), None)?;
        Ok(answer.decode::<Items<Uuid>>("report id list")?.items)
    }

    /// A tenant's reports, fetched one by one as the iterator is advanced: the vendor's
    /// recipe of listing the ids, then fetching each. One report that cannot be fetched
    /// (deleted meanwhile, say) yields its error and the iteration goes on.
    ///
    /// ```no_run
    /// # let client = acronis_reports::Client::builder().base_url("https://eu2-cloud.acronis.com/api/2").bearer_token("t").build()?;
    /// for report in client.reports("2a91a14d-ffd3-4ac1-9b4d-3990162c5acc")? {
    ///     match report {
    ///         Ok(r) => println!("{} enabled: {}", r.id, r.schedule.enabled),
    ///         Err(e) => eprintln!("skipped: {e}"),
    ///     }
    /// }
    /// # Ok::<(), acronis_reports::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Listing the ids fails as [`list_report_ids`](Self::list_report_ids).
    pub fn reports(&self, tenant_id: &str) -> Result<Reports, Error> {
        let ids = self.list_report_ids(tenant_id)?;
        Ok(Reports {
            client: self.clone(),
            ids: ids.into_iter(),
        })
    }

    /// Creates a report: [`NewReport::validate`] first (nothing is sent if it fails), then
    /// `POST /reports`, then a check that the created report reflects the request.
    ///
    /// A create is a `POST`, so it is retried only if the retry policy says
    /// [`RetryPolicy::retry_post`]: a lost answer may hide a created report. For the same
    /// reason, a create that ends in [`Error::Decode`], [`Error::Timeout`] or
    /// [`Error::Transport`] after its request was sent may have made the report: look at
    /// [`list_report_ids`](Self::list_report_ids) before creating it again. A create that ends
    /// in [`Error::Mismatch`] did make one, which the error holds.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] ([`InputKind::NewReport`]) when validation fails;
    /// [`Error::Api`] when the API refuses (see [`Error::is_usage_history_not_ready`] for the
    /// 400 it answers between 1 and 6 am); [`Error::Mismatch`] when the created report does not
    /// reflect the request; and the errors of every call.
    pub fn create_report(&self, report: &NewReport) -> Result<Report, Error> {
        report
            .validate()
            .map_err(|e| Error::invalid(InputKind::NewReport, e.to_string()))?;
        let answer = self.call(
            Method::Post,
            "/reports",
            Some(report.to_json_string().into_bytes()),
        )?;
        let created = answer.report()?;
        // A report that was created but does not match is still there: the error holds it,
        // so the caller can fix or delete it.
        if let Err(mismatch) = report.verify(&created) {
            return Err(Error::Mismatch {
                call: answer.call,
                mismatch,
                report: Box::new(created),
            });
        }
        Ok(created)
    }

    /// Deletes a report: `DELETE /reports/{id}?version=N`, with the version the report has
    /// (from [`get_report`](Self::get_report)).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an id that is not a UUID; [`Error::Api`] (404: no such
    /// report; another status when the version is not the current one, which the vendor does
    /// not document); and the errors of every call. A retried delete that finds the report
    /// gone (its first answer was lost) succeeds.
    pub fn delete_report(&self, id: &str, version: i64) -> Result<(), Error> {
        let id = parse_id("report id", id)?;
        match self.call(
            Method::Delete,
            &format!("/reports/{id}?version={version}"),
            None,
        ) {
            // A retried delete whose first answer was lost finds the report gone: done.
            Err(e) if e.status() == Some(404) && e.attempts() > 1 => Ok(()),
            Err(e) => Err(e),
            Ok(_) => Ok(()),
        }
    }

    /// The files a report has produced: `GET /reports/{id}/stored`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an id that is not a UUID; [`Error::Decode`] when the list
    /// is not the API's; and the errors of every call.
    pub fn stored_reports(&self, id: &str) -> Result<Vec<StoredReport>, Error> {
        let id = parse_id("report id", id)?;
        self.stored(id)
    }

    fn stored(&self, id: Uuid) -> Result<Vec<StoredReport>, Error> {
        let answer = self.call(Method::Get, &format!("/reports/{id}/stored"), None)?;
        Ok(answer
            .decode::<Items<StoredReport>>("stored report list")?
            .items)
    }

    /// Waits until a report has a saved file, looking at its stored files every
    /// [`poll_interval`](ClientBuilder::poll_interval) (2 s by default), and returns that
    /// file. Generation is asynchronous: call this after [`create_report`](Self::create_report).
    ///
    /// It returns the newest `saved` file (by `created_at`); a report that already had files
    /// (a monthly one) returns its newest at once. Only reports whose result action is `save` produce
    /// files. A failed file ends the wait only when no other is still in progress; a look at
    /// the list that fails with service trouble (after its retries) does not end it while
    /// time is left. One look can take longer than what is left of `timeout` (up to the
    /// client's timeout per attempt), so the wait may overrun by that much.
    ///
    /// # Errors
    ///
    /// [`Error::GenerationFailed`] when a file's generation failed and none is saved;
    /// [`Error::WaitTimeout`] when none was saved within `timeout`; and the errors of
    /// [`stored_reports`](Self::stored_reports).
    pub fn wait_for_stored_report(
        &self,
        id: &str,
        timeout: Duration,
    ) -> Result<StoredReport, Error> {
        let id = parse_id("report id", id)?;
        let started = Instant::now();
        loop {
            let files = match self.stored(id) {
                Ok(files) => files,
                // Service trouble that outlived the retries: keep waiting while time is left.
                Err(e) if e.is_retryable() && started.elapsed() < timeout => Vec::new(),
                Err(e) => return Err(e),
            };
            let newest_saved = files
                .iter()
                .filter(|f| f.status == StoredStatus::Saved)
                .max_by_key(|f| f.created_at);
            if let Some(saved) = newest_saved {
                return Ok(saved.clone());
            }
            let in_progress = files.iter().any(|f| f.status == StoredStatus::InProgress);
            if let Some(failed) = files.iter().find(|f| f.status == StoredStatus::Failed) {
                if !in_progress {
                    return Err(Error::GenerationFailed {
                        report_id: id,
                        stored: Box::new(failed.clone()),
                    });
                }
            }
            let waited = started.elapsed();
            if waited >= timeout {
                return Err(Error::WaitTimeout {
                    report_id: id,
                    waited,
                });
            }
            std::thread::sleep(self.inner.poll_interval.min(timeout - waited));
        }
    }

    /// Downloads a stored file (`GET /reports/{id}/stored/{stored_id}`) into `writer`,
    /// streaming it: the file is never held in memory. Files are served gzip-compressed; the
    /// client decompresses them, so `writer` gets the report itself. Returns the number of
    /// bytes written.
    ///
    /// Getting the answer is retried like any `GET`; once bytes have gone to `writer`, a
    /// failure is returned, not retried. The client's [`timeout`](ClientBuilder::timeout)
    /// bounds the whole download: raise it for large files over slow links.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for ids that are not UUIDs; [`Error::Write`] when `writer`
    /// fails; [`Error::Decode`] for a corrupt gzip stream; [`Error::Timeout`] or
    /// [`Error::Transport`] when the download breaks off; and the errors of every call.
    pub fn download_stored_report(
        &self,
        id: &str,
        stored_id: &str,
        writer: impl Write,
    ) -> Result<u64, Error> {
        let id = parse_id("report id", id)?;
        let stored_id = parse_id("stored report id", stored_id)?;
        let path = format!("/reports/{id}/stored/{stored_id}");
        let (call, response) = self.open(&path)?;
        let read_failed = |e: io::Error| {
            Error::from_transport(
                Method::Get,
                &path,
                TransportError::new(read_error_kind(&e), e),
            )
        };
        let mut body = Tracked {
            inner: response.into_body(),
            error: None,
        };
        // Sniff the gzip magic number; the first reads may bring a byte at a time.
        let mut head = [0u8; 2];
        let mut got = 0;
        while got < head.len() {
            match body.read(&mut head[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(read_failed(e)),
            }
        }
        let gzipped = head[..got] == [0x1f, 0x8b];
        let mut source = io::Cursor::new(head[..got].to_vec()).chain(&mut body);
        let mut out = Tracked {
            inner: writer,
            error: None,
        };
        let copied = if gzipped {
            // Files may be several gzip members one after the other.
            io::copy(
                &mut flate2::read::MultiGzDecoder::new(&mut source),
                &mut out,
            )
        } else {
            io::copy(&mut source, &mut out)
        };
        let error = match copied.and_then(|n| out.flush().map(|()| n)) {
            Ok(n) => return Ok(n),
            Err(e) => e,
        };
        // Whose failure was it: the writer's, the network's, or the gzip stream's?
        Err(if let Some(e) = out.error.take() {
            Error::Write {
                source: Arc::new(e),
            }
        } else if let Some(e) = body.error.take() {
            read_failed(e)
        } else {
            Error::Decode {
                call,
                error: Box::new(model::DecodeError {
                    what: "stored report file",
                    path: String::new(),
                    message: format!("the gzip stream is corrupt: {error}"),
                    body: String::new(),
                }),
            }
        })
    }

    /// `GET /reports/{id}`, checked to be that report; with the call it came from.
    fn fetch_report(&self, id: Uuid) -> Result<(Report, CallInfo), Error> {
        let answer = self.call(Method::Get, &format!("/reports/{id}"), None)?;
        let report = answer.report()?;
        if let Err(mismatch) = Mismatch::from_fields(id_mismatch(id, &report).into_iter().collect())
        {
            return Err(Error::Mismatch {
                call: answer.call,
                mismatch,
                report: Box::new(report),
            });
        }
        Ok((report, answer.call))
    }

    /// Makes one call, with retries and one token renewal on 401, and returns its 2xx answer.
    fn call(&self, method: Method, path: &str, body: Option<Vec<u8>>) -> Result<Answer, Error> {
        let limit = self.inner.max_response_bytes;
        self.with_retries(method, path, body, "application/json", |call, response| {
            let body = response.read_capped(limit).map_err(|e| match e {
                ReadError::TooLarge => Error::ResponseTooLarge {
                    method,
                    path: path.to_owned(),
                    limit,
                },
                ReadError::Io(e) => {
                    Error::from_transport(method, path, TransportError::new(read_error_kind(&e), e))
                }
            })?;
            Ok(Answer { call, body })
        })
    }

    /// A `GET` whose 2xx answer's body is left to the caller to stream (retries cover
    /// getting that answer, not reading it).
    fn open(&self, path: &str) -> Result<(CallInfo, Response), Error> {
        // Stored files are application/octet-stream, not JSON.
        self.with_retries(Method::Get, path, None, "*/*", |call, response| {
            Ok((call, response))
        })
    }

    /// Exchanges a request for a 2xx answer that `finish` reads, with retries and one token
    /// renewal on 401.
    fn with_retries<T>(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        accept: &'static str,
        finish: impl Fn(CallInfo, Response) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let inner = &*self.inner;
        let mut renewed = false;
        // The token is asked for on every attempt: a failed token request is retried as part
        // of the call it serves (issuing a token changes nothing on the server).
        inner.retry.run(method, |attempt| {
            let token = inner.tokens.token()?;
            let once = |token: &AccessToken| {
                let (call, response) =
                    self.exchange(method, path, body.as_deref(), accept, token, attempt)?;
                finish(call, response)
            };
            match once(&token) {
                Err(e) if e.status() == Some(401) && !renewed => {
                    renewed = true;
                    inner.tokens.invalidate(&token);
                    let fresh = inner.tokens.token()?;
                    if fresh == token {
                        return Err(e);
                    }
                    crate::logging::debug!("{method} {path}: 401; repeating with a renewed token");
                    once(&fresh)
                }
                other => other,
            }
        })
    }

    /// Sends one request and returns a 2xx answer with its body still to be read; any other
    /// status is an error.
    fn exchange(
        &self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
        accept: &'static str,
        token: &AccessToken,
        attempt: u32,
    ) -> Result<(CallInfo, Response), Error> {
        let inner = &*self.inner;
        let mut headers = vec![
            ("accept", accept.to_owned()),
            ("authorization", format!("Bearer {}", token.expose_secret())),
            ("user-agent", inner.user_agent.clone()),
        ];
        if body.is_some() {
            headers.push(("content-type", "application/json".to_owned()));
        }
        let request = Request::new(
            method,
            format!("{}{path}", inner.base_url),
            headers,
            body.map(<[u8]>::to_vec),
        );
        let started = Instant::now();
        let response = inner.transport.send(request).map_err(|e| {
            crate::logging::debug!("{method} {path}: no response (attempt {attempt}): {e}");
            Error::from_transport(method, path, e)
        })?;
        let status = response.status();
        crate::logging::debug!(
            "{method} {path}: {status} after {} ms (attempt {attempt})",
            started.elapsed().as_millis()
        );
        let request_id = response.request_id();
        if (200..300).contains(&status) {
            let call = CallInfo {
                method,
                path: path.to_owned(),
                status,
                request_id,
            };
            return Ok((call, response));
        }
        // For any other status the status is the news: read what a diagnosis needs, and never
        // let the body (too large, cut off) hide the status.
        let location = response.header("location").map(str::to_owned);
        let retry_after = response
            .header("retry-after")
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let body = response.read_partial(ERROR_BODY_BYTES);
        if (300..400).contains(&status) {
            return Err(Error::Redirect {
                method,
                path: path.to_owned(),
                status,
                location,
            });
        }
        let mut error = api_error(method, path, status, &body);
        error.request_id = request_id;
        error.retry_after = retry_after;
        Err(Error::Api(Box::new(error)))
    }
}

/// A tenant's reports, fetched one by one: see [`Client::reports`].
#[derive(Debug)]
pub struct Reports {
    client: Client,
    ids: std::vec::IntoIter<Uuid>,
}

impl Reports {
    /// The ids not fetched yet.
    pub fn remaining_ids(&self) -> &[Uuid] {
        self.ids.as_slice()
    }
}

impl Iterator for Reports {
    type Item = Result<Report, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let id = self.ids.next()?;
        Some(self.client.fetch_report(id).map(|(report, _)| report))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.ids.size_hint()
    }
}

impl ExactSizeIterator for Reports {}

/// A reader or writer that remembers its own failure (not `Interrupted`, which is retried),
/// to tell whose failure ended a copy.
struct Tracked<T> {
    inner: T,
    error: Option<io::Error>,
}

impl<T> Tracked<T> {
    fn remember(&mut self, e: io::Error) -> io::Error {
        if e.kind() == io::ErrorKind::Interrupted {
            return e;
        }
        let copy = io::Error::new(e.kind(), e.to_string());
        self.error = Some(e);
        copy
    }
}

impl<R: io::Read> io::Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| self.remember(e))
    }
}

impl<W: Write> Write for Tracked<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.inner.write(buf) {
            Ok(0) if !buf.is_empty() => Err(self.remember(io::Error::new(
                io::ErrorKind::WriteZero,
                "the writer took no bytes",
            ))),
            other => other.map_err(|e| self.remember(e)),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().map_err(|e| self.remember(e))
    }
}

/// A 2xx answer: the call it came from and its body.
struct Answer {
    call: CallInfo,
    body: Vec<u8>,
}

impl Answer {
    fn decode<'a, T: serde::Deserialize<'a>>(&'a self, what: &'static str) -> Result<T, Error> {
        model::decode(what, &self.body).map_err(|error| Error::Decode {
            call: self.call.clone(),
            error: Box::new(error),
        })
    }

    fn report(&self) -> Result<Report, Error> {
        Report::from_json(&self.body).map_err(|error| Error::Decode {
            call: self.call.clone(),
            error: Box::new(error),
        })
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
    let mut error = ApiError::new(method, path, status);
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
        assert!(AccessToken::new("eyJhbGciOiJSUzI1NiJ9.e30.c2ln").is_ok());
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
            }) = AccessToken::new(bad)
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
