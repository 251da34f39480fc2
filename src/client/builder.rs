//! [`ClientBuilder`]: a client's settings, checked when it is built.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::pacing::Throttle;
use super::{
    Client, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_POLL_INTERVAL, DEFAULT_TOKEN_REFRESH_MARGIN,
    DEFAULT_USER_AGENT, Inner,
};
use crate::auth::{AccessToken, ClientCredentials, CredentialSettings, StaticToken, TokenSource};
use crate::base_url::parse_base_url;
use crate::clock::Clock;
use crate::error::{Error, InputKind};
use crate::retry::{Balance, RetryPolicy};
use crate::transport::Transport;

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

/// A dry run's describer, for `Debug`.
struct DryRunDescribe(super::dry_run::Describe);

impl std::fmt::Debug for DryRunDescribe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DryRunDescribe")
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
    clock: Option<Clock>,
    dry_run: Option<DryRunDescribe>,
    timeout: Option<Duration>,
    download_timeout: Option<Option<Duration>>,
    connect_timeout: Option<Duration>,
    proxy_from_env: Option<bool>,
    proxy: Option<ProxyUrl>,
    idle_per_host: Option<usize>,
    #[cfg(feature = "ureq")]
    root_certificates: Option<crate::transport::RootCertificates>,
    #[allow(clippy::struct_field_names)]
    transport: Option<TransportBox>,
    allow_plain_http: bool,
}

/// A proxy URL, which may hold a password: `Debug` says only that there is one.
#[cfg_attr(not(feature = "ureq"), allow(dead_code))]
struct ProxyUrl(String);

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProxyUrl(<redacted>)")
    }
}

/// A user's transport, boxed; `Debug` says only that there is one.
struct TransportBox(Arc<dyn Transport>);

impl fmt::Debug for TransportBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Transport")
    }
}

impl ClientBuilder {
    /// A builder set from the environment, as the command-line tool reads it (the
    /// convention of aws-config's `from_env`): `ACRONIS_BASE_URL` the base URL;
    /// `ACRONIS_CLIENT_ID` and `ACRONIS_CLIENT_SECRET` client credentials, or else
    /// `ACRONIS_TOKEN` a bearer token. A variable that is not set (or empty) sets nothing, so
    /// that [`build`](Self::build) says what is missing; settings made afterwards win.
    ///
    /// ```no_run
    /// use acronis_reports::ClientBuilder;
    ///
    /// let client = ClientBuilder::from_env()?.retries(3).build()?;
    /// # Ok::<(), acronis_reports::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] ([`InputKind::Token`]) when only one of the client id and
    /// secret is set and no token is: half a pair of credentials is a mistake, not a choice.
    pub fn from_env() -> Result<ClientBuilder, Error> {
        ClientBuilder::from_vars(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env), with the variables looked up by `var`.
    fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<ClientBuilder, Error> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let mut builder = ClientBuilder::default();
        if let Some(url) = var("ACRONIS_BASE_URL") {
            builder = builder.base_url(url);
        }
        match (
            var("ACRONIS_CLIENT_ID"),
            var("ACRONIS_CLIENT_SECRET"),
            var("ACRONIS_TOKEN"),
        ) {
            (Some(id), Some(secret), _) => builder = builder.client_credentials(id, secret),
            (_, _, Some(token)) => builder = builder.bearer_token(token.trim()),
            (Some(_), None, None) | (None, Some(_), None) => {
                return Err(Error::invalid(
                    InputKind::Token,
                    "client credentials need both ACRONIS_CLIENT_ID and ACRONIS_CLIENT_SECRET",
                ));
            }
            (None, None, None) => {}
        }
        Ok(builder)
    }

    /// The API's base URL, as the vendor writes it: `https://<data-centre>-cloud.acronis.com/api/2`.
    /// A trailing slash is fine. Required.
    ///
    /// Any path is taken, or none (an OpenAPI mock, or a gateway that maps the API at `/`):
    /// each call's path (`/reports/{id}`) is appended to it. No query, fragment or user name.
    /// `http://` is accepted only for loopback hosts (`localhost`, `127.x.x.x`, `[::1]`: local
    /// emulators), unless [`danger_accept_plain_http`](Self::danger_accept_plain_http).
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

    /// Where the client's time comes from: the system's clock (the default), or
    /// [`Clock::manual`] in tests, so that retries, throttling pauses and waits for a
    /// report's files are recorded ([`Clock::waits`]) and return at once. (The transport's
    /// timeouts are the network's: they stay real.)
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// A dry run: nothing is changed. Reads (`GET`) are sent as always, so that what a write
    /// depends on is seen as it is; every write (`POST`, `PUT`, `DELETE`) is given to
    /// `describe` instead, its token redacted (`Authorization: Bearer <redacted>`), and ends
    /// in [`Error::NotSent`] with its [`Endpoint`](crate::endpoint::Endpoint). A write asks
    /// for no token: a dry run of writes alone sends no request at all. An error of `describe`
    /// ends the call in [`Error::Transport`]. A bulk run does not count `NotSent` as a
    /// failure.
    pub fn dry_run(
        mut self,
        describe: impl Fn(
            &crate::transport::Request,
        ) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.dry_run = Some(DryRunDescribe(Arc::new(describe)));
        self
    }

    /// The limit on each phase of an HTTP exchange (sending the request, waiting for the
    /// answer, reading the body): a server that stops answering or stops sending mid-body
    /// ends the call in [`Error::Timeout`] within it (a call that makes slow progress in every
    /// phase can take a few times as long). Every request carries it
    /// ([`Request::timeout`](crate::transport::Request::timeout)): the built-in transport
    /// honours it, and so should a transport of your own. Default:
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

    /// The limit on receiving a whole stored file ([`download_stored_report`](Client::download_stored_report),
    /// [`stored_usage`](Client::stored_usage)), in total; `None` for none. Default:
    /// [`DEFAULT_DOWNLOAD_TIMEOUT`](crate::client::DEFAULT_DOWNLOAD_TIMEOUT) (1 hour). A file's
    /// body may take as long as it needs while it keeps arriving: what
    /// [`timeout`](Self::timeout) bounds there is the time *without progress* (each read),
    /// not the whole body, so a large file over a slow link is never cut off while it comes,
    /// and a server that stops sending ends the download within `timeout`.
    pub fn download_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.download_timeout = Some(timeout);
        self
    }

    /// The limit on opening the connection (TLS included) of the built-in transport (the host
    /// name lookup is left to the system resolver's own limits). Default:
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
    /// `ALL_PROXY` (honouring `NO_PROXY`) when no [`proxy`](Self::proxy) is set. Default:
    /// `true`, except for a loopback base URL, which no proxy can reach.
    pub fn proxy_from_env(mut self, yes: bool) -> Self {
        self.proxy_from_env = Some(yes);
        self
    }

    /// A proxy for the built-in transport, whatever the environment says:
    /// `http://host:port`, `http://user:password@host:port`, `socks5://host:port`. Checked by
    /// [`build`](Self::build); never shown by `Debug` or errors (it may hold a password).
    /// Default: none (see [`proxy_from_env`](Self::proxy_from_env)).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(ProxyUrl(url.into()));
        self
    }

    /// Which certificate authorities the built-in transport trusts: Mozilla's (the default),
    /// the platform's store (feature `native-roots`), or those of a PEM file you supply, such
    /// as a TLS-inspecting proxy's. Default:
    /// [`RootCertificates::WebPki`](crate::transport::RootCertificates::WebPki).
    #[cfg(feature = "ureq")]
    pub fn root_certificates(mut self, roots: crate::transport::RootCertificates) -> Self {
        self.root_certificates = Some(roots);
        self
    }

    /// The HTTP stack to send requests with. Default: a
    /// [`UreqTransport`](crate::transport::UreqTransport) configured by
    /// [`timeout`](Self::timeout), [`connect_timeout`](Self::connect_timeout), the proxy
    /// settings, [`max_idle_connections_per_host`](Self::max_idle_connections_per_host) and
    /// the root certificates (with the `ureq` feature; without it, a transport is required).
    /// With a transport of your own, only [`timeout`](Self::timeout) of those applies (it
    /// reaches the transport with each request). Token requests go through it too.
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
    /// transport of your own, the proxy or the PEM root certificates are malformed, or
    /// (without the `ureq` feature) no transport was given.
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
        #[cfg(feature = "ureq")]
        let built_in_roots = self.root_certificates.is_some();
        #[cfg(not(feature = "ureq"))]
        let built_in_roots = false;
        let built_in_only = self.connect_timeout.is_some()
            || self.proxy_from_env.is_some()
            || self.proxy.is_some()
            || self.idle_per_host.is_some()
            || built_in_roots;
        let (transport, timeout): (Arc<dyn Transport>, Option<Duration>) = match self.transport {
            Some(_) if built_in_only => {
                return Err(Error::invalid(
                    InputKind::Settings,
                    "the connect timeout, proxy, pool and root certificate settings apply to the built-in transport: set them on your own transport instead",
                ));
            }
            Some(TransportBox(t)) => (t, self.timeout),
            #[cfg(feature = "ureq")]
            None => {
                let timeout = self
                    .timeout
                    .unwrap_or(crate::transport::UreqTransport::DEFAULT_TIMEOUT);
                let mut b = crate::transport::UreqTransport::builder()
                    .timeout(Some(timeout))
                    .proxy_from_env(
                        self.proxy_from_env
                            .unwrap_or_else(|| !crate::base_url::is_loopback(&base_url)),
                    );
                if let Some(timeout) = self.connect_timeout {
                    b = b.connect_timeout(Some(timeout));
                }
                if let Some(n) = self.idle_per_host {
                    b = b.max_idle_connections_per_host(n);
                }
                if let Some(ProxyUrl(url)) = self.proxy {
                    b = b.proxy(url);
                }
                if let Some(roots) = self.root_certificates {
                    b = b.root_certificates(roots);
                }
                (Arc::new(b.build()?), Some(timeout))
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
                    timeout,
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
            run: None,
            inner: Arc::new(Inner {
                base_url,
                auth,
                tokens,
                user_agent,
                max_response_bytes,
                balance: Balance::new(retry.retry_budget()),
                retry,
                throttle: Throttle::default(),
                poll_interval: self.poll_interval.unwrap_or(DEFAULT_POLL_INTERVAL),
                clock: self.clock.unwrap_or_default(),
                dry_run: self.dry_run.map(|DryRunDescribe(d)| d),
                timeout,
                download_timeout: self
                    .download_timeout
                    .unwrap_or(Some(super::DEFAULT_DOWNLOAD_TIMEOUT)),
                transport,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(set: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let set: Vec<(String, String)> = set
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| set.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    /// A transport for clients that send nothing, with or without the built-in one.
    fn no_network() -> impl Transport {
        crate::transport::from_fn(|_| {
            Err(crate::transport::TransportError::from_kind(
                crate::transport::TransportErrorKind::Other,
            ))
        })
    }

    #[test]
    fn the_environment_sets_what_the_cli_reads() {
        let base = ("ACRONIS_BASE_URL", "https://eu2-cloud.acronis.com/api/2");
        let c = ClientBuilder::from_vars(vars(&[base, ("ACRONIS_TOKEN", "t0k")]))
            .unwrap()
            .transport(no_network())
            .build()
            .unwrap();
        assert_eq!(c.base_url(), "https://eu2-cloud.acronis.com/api/2");
        assert!(format!("{c:?}").contains("bearer token"));
        // Credentials win over a token, as in the CLI.
        let c = ClientBuilder::from_vars(vars(&[
            base,
            ("ACRONIS_CLIENT_ID", "id"),
            ("ACRONIS_CLIENT_SECRET", "secret"),
            ("ACRONIS_TOKEN", "t0k"),
        ]))
        .unwrap()
        .transport(no_network())
        .build()
        .unwrap();
        assert!(format!("{c:?}").contains("client credentials of id"));
        assert!(!format!("{c:?}").contains("secret\""));
        // Half a pair is refused; nothing set is left to `build` to name.
        let half =
            ClientBuilder::from_vars(vars(&[base, ("ACRONIS_CLIENT_ID", "id")])).unwrap_err();
        assert!(
            matches!(
                half,
                Error::InvalidInput {
                    kind: InputKind::Token,
                    ..
                }
            ),
            "{half:?}"
        );
        let none = ClientBuilder::from_vars(vars(&[("ACRONIS_TOKEN", " ")]))
            .unwrap()
            .transport(no_network())
            .build()
            .unwrap_err();
        assert!(
            matches!(
                none,
                Error::InvalidInput {
                    kind: InputKind::BaseUrl,
                    ..
                }
            ),
            "{none:?}"
        );
    }
}
