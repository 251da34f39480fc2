//! Tokens: the [`TokenSource`] trait, [`StaticToken`] for a token you already hold, and the
//! client-credentials flow behind [`ClientBuilder::client_credentials`].
//!
//! The client asks its token source for a token before each request, and tells it when the
//! API refused one (401), so a source that can renew does so; the client then repeats the
//! call once with the new token.
//!
//! With client credentials, the client gets a token from `POST {base}/idp/token` (HTTP Basic
//! with the client's id and secret, form body `grant_type=client_credentials`), caches it,
//! and renews it shortly before it expires (by `expires_in`, else `expires_on`, else after
//! the two hours tokens live). Threads that need a token while one is being fetched wait for
//! that one: one token request, not one per thread.
//!
//! Tokens and secrets never appear in `Debug`, `Display`, errors or this crate's logs. (ureq's
//! own `trace` logging, under target `ureq_proto`, dumps raw request bytes: keep it off.)
//!
//! [`ClientBuilder::client_credentials`]: crate::ClientBuilder::client_credentials

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde::Deserialize;

use crate::clock::Clock;
use crate::endpoint::Endpoint;
use crate::error::{AuthError, Error, InputKind};
use crate::exchange::{self, ERROR_BODY_CHARS};
use crate::model::{self, DecodeError};
use crate::transport::{Method, Request, Transport};

/// A bearer token. `Debug` shows `<redacted>`; only [`expose_secret`](Self::expose_secret)
/// gives the text.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(Arc<str>);

impl AccessToken {
    /// Checks `token` can be sent in a header and wraps it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] ([`InputKind::Token`]) when it is empty, starts with `Bearer `,
    /// or holds anything but visible ASCII. The message never contains the token.
    pub fn new(token: impl Into<String>) -> Result<AccessToken, Error> {
        let token = token.into();
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
        Ok(AccessToken(token.into()))
    }

    /// The token's text, to put in a header.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// Where the client gets its bearer tokens.
///
/// Implement it to take tokens from a vault or another service; pass it with
/// [`ClientBuilder::token_source`](crate::ClientBuilder::token_source).
///
/// ```
/// use acronis_reports::auth::{AccessToken, TokenSource};
/// use acronis_reports::Error;
///
/// struct FromEnv;
///
/// impl TokenSource for FromEnv {
///     fn token(&self) -> Result<AccessToken, Error> {
///         AccessToken::new(std::env::var("ACRONIS_TOKEN").map_err(Error::token_source)?)
///     }
/// }
/// ```
pub trait TokenSource: Send + Sync {
    /// A token to send now. Called before every request, so cache what is costly to get.
    ///
    /// # Errors
    ///
    /// Whatever stops a token from being had; the call fails with it.
    fn token(&self) -> Result<AccessToken, Error>;

    /// The API refused `rejected` (401): forget it, so the next [`token`](Self::token) gets
    /// a fresh one. The client then repeats the call once, if the new token differs. The
    /// default does nothing.
    fn invalidate(&self, rejected: &AccessToken) {
        let _ = rejected;
    }
}

impl<T: TokenSource + ?Sized> TokenSource for Arc<T> {
    fn token(&self) -> Result<AccessToken, Error> {
        (**self).token()
    }

    fn invalidate(&self, rejected: &AccessToken) {
        (**self).invalidate(rejected);
    }
}

/// A token you already hold, used as it is: the source behind
/// [`ClientBuilder::bearer_token`](crate::ClientBuilder::bearer_token).
#[derive(Debug, Clone)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// A source that always gives `token`.
    pub fn new(token: AccessToken) -> Self {
        StaticToken(token)
    }
}

impl TokenSource for StaticToken {
    fn token(&self) -> Result<AccessToken, Error> {
        Ok(self.0.clone())
    }
}

/// How long a token lives when the token endpoint does not say: two hours, per the vendor.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(2 * 60 * 60);

/// The longest lifetime believed: a day. Longer (an `expires_on` in milliseconds, say) is
/// taken as a day, so a token is never kept for years.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The client-credentials flow: a cached token, renewed before it expires.
pub(crate) struct ClientCredentials {
    token_url: String,
    client_id: String,
    basic: String,
    user_agent: String,
    timeout: Option<Duration>,
    transport: Arc<dyn Transport>,
    refresh_margin: Duration,
    max_response_bytes: u64,
    cache: RwLock<Option<Cached>>,
    /// Held while a token is fetched, so only one fetch runs at a time; it keeps the last
    /// fetch's failure for the threads that waited for it.
    fetching: Mutex<Fetching>,
    /// How many fetches have ended, to tell whether one ended while a thread waited.
    completed: AtomicU64,
}

#[derive(Default)]
struct Fetching {
    last_failure: Option<Error>,
    /// When the token endpoint last refused the client's credentials: until
    /// [`REFUSAL_HOLD`] has passed, that refusal is the answer, without a request.
    refused_at: Option<Instant>,
}

/// How long a refusal of the credentials by the token endpoint (a 4xx other than 408 and
/// 429) is given as the answer without asking again: asking again with the same id and secret
/// would be refused too, and many refused requests can get an API client locked out.
pub(crate) const REFUSAL_HOLD: Duration = Duration::from_secs(60);

/// Whether `error` is the token endpoint refusing the credentials themselves, or answering
/// with something that is not a usable token (not JSON, no token, a lifetime of 0 or less):
/// asking again at once would get the same.
fn is_refusal(error: &Error) -> bool {
    match error {
        Error::Auth(e) => (400..500).contains(&e.status) && !matches!(e.status, 408 | 429),
        Error::Decode { call, .. } => call.endpoint == Endpoint::Token,
        _ => false,
    }
}

#[derive(Clone)]
struct Cached {
    token: AccessToken,
    renew_at: Instant,
}

/// Settings of the client-credentials flow, from the client builder.
pub(crate) struct CredentialSettings {
    pub(crate) user_agent: String,
    /// The time limit each token request carries.
    pub(crate) timeout: Option<Duration>,
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) refresh_margin: Duration,
    pub(crate) max_response_bytes: u64,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("refresh_margin", &self.refresh_margin)
            .finish_non_exhaustive()
    }
}

/// The token endpoint's answer; it holds the token, so it has no `Debug`.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    expires_on: Option<i64>,
}

/// The OAuth error answer of the token endpoint.
#[derive(Deserialize)]
struct OAuthError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

impl ClientCredentials {
    /// Checks the credentials; `base_url` is the client's normalized base URL.
    pub(crate) fn new(
        base_url: &str,
        client_id: &str,
        client_secret: &str,
        settings: CredentialSettings,
    ) -> Result<ClientCredentials, Error> {
        let bad = |why: &str| Error::invalid(InputKind::Token, why.to_owned());
        if client_id.is_empty() || !client_id.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
            return Err(bad(
                "the client id must be visible ASCII without ':' (it is a UUID in the management portal)",
            ));
        }
        if client_secret.is_empty() || client_secret.chars().any(char::is_control) {
            return Err(bad(
                "the client secret is empty or holds control characters; check how it was read",
            ));
        }
        let pair = format!("{client_id}:{client_secret}");
        Ok(ClientCredentials {
            token_url: format!("{base_url}{}", Endpoint::Token.path()),
            client_id: client_id.to_owned(),
            basic: format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            ),
            user_agent: settings.user_agent,
            timeout: settings.timeout,
            transport: settings.transport,
            refresh_margin: settings.refresh_margin,
            max_response_bytes: settings.max_response_bytes,
            cache: RwLock::new(None),
            fetching: Mutex::new(Fetching::default()),
            completed: AtomicU64::new(0),
        })
    }

    /// The cached token if it is not due for renewal at `now`.
    fn cached(&self, now: Instant) -> Option<AccessToken> {
        let cache = self.cache.read().unwrap_or_else(PoisonError::into_inner);
        cache
            .as_ref()
            .filter(|c| now < c.renew_at)
            .map(|c| c.token.clone())
    }

    /// [`TokenSource::token`] as of `now`.
    fn token_at(&self, now: Instant) -> Result<AccessToken, Error> {
        if let Some(token) = self.cached(now) {
            return Ok(token);
        }
        let seen = self.completed.load(Ordering::SeqCst);
        let mut fetching = self.fetching.lock().unwrap_or_else(PoisonError::into_inner);
        // Another thread may have fetched one while this one waited...
        if let Some(token) = self.cached(now) {
            return Ok(token);
        }
        // ... or failed to: then this thread gets the same answer, not a request of its own.
        if self.completed.load(Ordering::SeqCst) != seen {
            if let Some(error) = &fetching.last_failure {
                return Err(error.clone());
            }
        }
        // The credentials were refused a moment ago: they would be refused again.
        if let (Some(at), Some(error)) = (fetching.refused_at, &fetching.last_failure) {
            if now.saturating_duration_since(at) < REFUSAL_HOLD {
                return Err(error.clone());
            }
        }
        let result = self.fetch();
        self.completed.fetch_add(1, Ordering::SeqCst);
        let (token, lifetime) = match result {
            Ok(fetched) => fetched,
            Err(error) => {
                fetching.refused_at = is_refusal(&error).then_some(now);
                fetching.last_failure = Some(error.clone());
                return Err(error);
            }
        };
        fetching.last_failure = None;
        fetching.refused_at = None;
        let margin = self.refresh_margin.min(lifetime / 2);
        let renew_at = now
            .checked_add(lifetime.saturating_sub(margin))
            .unwrap_or(now);
        crate::logging::debug!(
            "{}: got a token for client {} that lives {} s",
            Endpoint::Token,
            self.client_id,
            lifetime.as_secs()
        );
        *self.cache.write().unwrap_or_else(PoisonError::into_inner) = Some(Cached {
            token: token.clone(),
            renew_at,
        });
        Ok(token)
    }

    /// One token request: the token and how long it lives.
    fn fetch(&self) -> Result<(AccessToken, Duration), Error> {
        let mut request = Request::new(
            Method::Post,
            self.token_url.clone(),
            vec![
                ("accept".into(), "application/json".into()),
                ("authorization".into(), self.basic.clone()),
                (
                    "content-type".into(),
                    "application/x-www-form-urlencoded".into(),
                ),
                ("user-agent".into(), self.user_agent.clone()),
            ],
            Some(b"grant_type=client_credentials".to_vec()),
        );
        request.set_timeout(self.timeout);
        let endpoint = Endpoint::Token;
        let (call, response) =
            match exchange::send(&*self.transport, &endpoint, request, &Clock::system())? {
                Ok(answer) => answer,
                Err(refusal) => {
                    let body = &refusal.body;
                    let (error, description, raw) = match serde_json::from_slice::<OAuthError>(body)
                    {
                        Ok(e) => (Some(e.error), e.error_description, None),
                        Err(_) => (None, None, Some(model::snippet(body, ERROR_BODY_CHARS))),
                    };
                    return Err(Error::Auth(Box::new(AuthError {
                        status: refusal.status,
                        error,
                        description,
                        body: raw,
                        request_id: refusal.request_id,
                        retry_after: refusal.retry_after,
                        attempts: 1,
                    })));
                }
            };
        let body = exchange::read_body(&endpoint, response, self.max_response_bytes)?;
        // The body holds the token: an error about it never keeps the body.
        let decode_error = |path: &str, message: String| Error::Decode {
            call: call.clone(),
            error: Box::new(DecodeError {
                what: "token response",
                path: path.to_owned(),
                message,
                body: "<redacted>".to_owned(),
            }),
        };
        let parsed: TokenResponse =
            model::decode("token response", &body).map_err(|e| decode_error(&e.path, e.message))?;
        if let Some(kind) = parsed
            .token_type
            .as_deref()
            .filter(|t| !t.eq_ignore_ascii_case("bearer"))
        {
            return Err(decode_error(
                "token_type",
                format!("{kind:?}, expected \"bearer\""),
            ));
        }
        let token = AccessToken::new(parsed.access_token).map_err(|_| {
            decode_error(
                "access_token",
                "empty, or holds characters a header cannot carry".to_owned(),
            )
        })?;
        if let Some(seconds @ ..=0) = parsed.expires_in {
            // Each call would need a token of its own: no token at all, said once.
            return Err(decode_error(
                "expires_in",
                format!("{seconds}: the token expires as it arrives"),
            ));
        }
        Ok((
            token,
            lifetime(parsed.expires_in, parsed.expires_on, SystemTime::now()),
        ))
    }
}

/// How long a token lives: `expires_in` seconds, else until `expires_on` (Unix seconds; one
/// already past by this machine's clock counts as unknown), else [`DEFAULT_LIFETIME`].
fn lifetime(expires_in: Option<i64>, expires_on: Option<i64>, now: SystemTime) -> Duration {
    let secs = |s: i64| Duration::from_secs(u64::try_from(s).unwrap_or(0));
    match (expires_in, expires_on) {
        (Some(seconds), _) => secs(seconds),
        (None, Some(at)) => {
            let now = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
            match at.saturating_sub(i64::try_from(now).unwrap_or(i64::MAX)) {
                // Past by this machine's clock: a clock that differs from the server's, more
                // likely than a token issued expired. Used as one of unknown lifetime (a 401
                // would renew it).
                ..=0 => DEFAULT_LIFETIME,
                left => secs(left),
            }
        }
        (None, None) => DEFAULT_LIFETIME,
    }
    .min(MAX_LIFETIME)
}

impl TokenSource for ClientCredentials {
    fn token(&self) -> Result<AccessToken, Error> {
        self.token_at(Instant::now())
    }

    fn invalidate(&self, rejected: &AccessToken) {
        let mut cache = self.cache.write().unwrap_or_else(PoisonError::into_inner);
        if cache.as_ref().is_some_and(|c| &c.token == rejected) {
            *cache = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::{Response, from_fn};
    use std::sync::atomic::{AtomicUsize, Ordering};

    const SECRET: &str = "s3cr3t-Client-Secret";

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

    /// Credentials whose token endpoint answers `expires_in` and counts its requests; token
    /// number n is `token-n`.
    fn credentials(expires_in: i64) -> (ClientCredentials, Arc<AtomicUsize>) {
        let count = Arc::new(AtomicUsize::new(0));
        let seen = count.clone();
        let transport = from_fn(move |request: Request| {
            let n = seen.fetch_add(1, Ordering::SeqCst) + 1;
            assert_eq!(
                request.url(),
                "https://eu2-cloud.acronis.com/api/2/idp/token"
            );
            assert_eq!(request.body(), Some(&b"grant_type=client_credentials"[..]));
            let body = format!(
                r#"{{"access_token":"token-{n}","token_type":"bearer","id_token":"x","expires_in":{expires_in}}}"#
            );
            Ok(Response::from_bytes(200, vec![], body.into_bytes()))
        });
        let settings = CredentialSettings {
            user_agent: "test".into(),
            timeout: None,
            transport: Arc::new(transport),
            refresh_margin: Duration::from_secs(300),
            max_response_bytes: 1 << 20,
        };
        let c = ClientCredentials::new(
            "https://eu2-cloud.acronis.com/api/2",
            "my-client",
            SECRET,
            settings,
        )
        .unwrap();
        (c, count)
    }

    #[test]
    fn a_token_is_reused_until_shortly_before_it_expires() {
        let (c, count) = credentials(7200);
        let t0 = Instant::now();
        assert_eq!(c.token_at(t0).unwrap().expose_secret(), "token-1");
        assert_eq!(
            c.token_at(t0 + Duration::from_secs(6000))
                .unwrap()
                .expose_secret(),
            "token-1"
        );
        assert_eq!(count.load(Ordering::SeqCst), 1);
        // 5 minutes before expiry it is renewed, though still valid.
        assert_eq!(
            c.token_at(t0 + Duration::from_secs(6901))
                .unwrap()
                .expose_secret(),
            "token-2"
        );
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn short_lived_tokens_renew_at_half_life() {
        let (c, _) = credentials(60);
        let t0 = Instant::now();
        assert_eq!(c.token_at(t0).unwrap().expose_secret(), "token-1");
        assert_eq!(
            c.token_at(t0 + Duration::from_secs(29))
                .unwrap()
                .expose_secret(),
            "token-1"
        );
        assert_eq!(
            c.token_at(t0 + Duration::from_secs(31))
                .unwrap()
                .expose_secret(),
            "token-2"
        );
    }

    #[test]
    fn invalidate_drops_only_the_rejected_token() {
        let (c, count) = credentials(7200);
        let first = c.token().unwrap();
        c.invalidate(&AccessToken::new("some-other-token").unwrap());
        assert_eq!(c.token().unwrap(), first);
        c.invalidate(&first);
        assert_eq!(c.token().unwrap().expose_secret(), "token-2");
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn lifetimes() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(lifetime(Some(600), Some(5), now), Duration::from_secs(600));
        assert_eq!(
            lifetime(None, Some(1_000_900), now),
            Duration::from_secs(900)
        );
        // Past by this clock: a clock that differs, the lifetime unknown.
        assert_eq!(lifetime(None, Some(5), now), DEFAULT_LIFETIME);
        assert_eq!(lifetime(Some(-3), None, now), Duration::ZERO);
        assert_eq!(lifetime(None, None, now), DEFAULT_LIFETIME);
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let (c, _) = credentials(7200);
        let token = c.token().unwrap();
        let text = format!("{c:?} {token:?} {:?}", StaticToken::new(token.clone()));
        assert!(
            !text.contains(SECRET) && !text.contains("token-1"),
            "{text}"
        );
        assert!(!c.basic.is_empty() && !format!("{c:?}").contains(&c.basic));
    }

    /// Credentials whose token endpoint answers `status` with an OAuth error, counting the
    /// requests.
    fn refusing(status: u16) -> (ClientCredentials, Arc<AtomicUsize>) {
        let count = Arc::new(AtomicUsize::new(0));
        let seen = count.clone();
        let settings = CredentialSettings {
            user_agent: "t".into(),
            timeout: None,
            transport: Arc::new(from_fn(move |_| {
                seen.fetch_add(1, Ordering::SeqCst);
                let body = br#"{"error":"access_denied","error_description":"Invalid client"}"#;
                Ok(Response::from_bytes(status, vec![], body.to_vec()))
            })),
            refresh_margin: Duration::from_secs(1),
            max_response_bytes: 1 << 20,
        };
        let c = ClientCredentials::new("https://x/api/2", "id", SECRET, settings).unwrap();
        (c, count)
    }

    #[test]
    fn a_refusal_is_the_answer_for_a_minute_without_asking_again() {
        let (c, count) = refusing(401);
        let t0 = Instant::now();
        for later in [0, 1, 30, 59] {
            let err = c.token_at(t0 + Duration::from_secs(later)).unwrap_err();
            assert_eq!(err.status(), Some(401), "{err}");
        }
        assert_eq!(count.load(Ordering::SeqCst), 1);
        assert!(c.token_at(t0 + REFUSAL_HOLD).is_err());
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn service_trouble_at_the_token_endpoint_is_asked_again() {
        for status in [429, 503] {
            let (c, count) = refusing(status);
            let t0 = Instant::now();
            assert!(c.token_at(t0).is_err());
            assert!(c.token_at(t0).is_err());
            assert_eq!(count.load(Ordering::SeqCst), 2, "{status}");
        }
    }

    /// Credentials whose token endpoint answers 200 with `body`.
    fn answering(body: &'static str) -> ClientCredentials {
        let settings = CredentialSettings {
            user_agent: "t".into(),
            timeout: None,
            transport: Arc::new(from_fn(move |_| {
                Ok(Response::from_bytes(200, vec![], body.as_bytes().to_vec()))
            })),
            refresh_margin: Duration::from_secs(1),
            max_response_bytes: 1 << 20,
        };
        ClientCredentials::new("https://x/api/2", "id", SECRET, settings).unwrap()
    }

    #[test]
    fn odd_token_responses_are_decode_errors_that_hide_the_body() {
        for (body, path) in [
            (
                r#"{"access_token":"tok-SECRET-1","token_type":"mac"}"#,
                "token_type",
            ),
            (
                r#"{"access_token":"tok-SECRET-1","expires_in":"soon"}"#,
                "expires_in",
            ),
            (
                r#"{"access_token":"tok-SECRET-1","expires_in":"7200"}"#,
                "expires_in",
            ),
            (
                r#"{"access_token":"tok-SECRET-1","expires_in":0}"#,
                "expires_in",
            ),
            (
                r#"{"access_token":"tok-SECRET-1","expires_in":-5}"#,
                "expires_in",
            ),
            (r#"{"access_token":"tok SECRET 1"}"#, "access_token"),
            (r#"{"token":"tok-SECRET-1"}"#, ""),
        ] {
            let err = answering(body).token().unwrap_err();
            let Error::Decode { error: d, .. } = &err else {
                panic!("{err:?}")
            };
            assert_eq!(
                (d.what, d.path.as_str(), d.body.as_str()),
                ("token response", path, "<redacted>"),
                "{body}"
            );
            let text = format!("{err} {err:?}");
            assert!(!text.contains("SECRET"), "{text}");
        }
        // An absurd lifetime is believed for a day at most, and does not overflow.
        let c = answering(r#"{"access_token":"t","expires_in":9223372036854775807}"#);
        let t0 = Instant::now();
        c.token_at(t0).unwrap();
        assert!(c.cached(t0 + Duration::from_secs(23 * 3600)).is_some());
        assert!(c.cached(t0 + Duration::from_secs(24 * 3600)).is_none());
    }
}
