//! How one call is made: the request built, sent, retried, its answer read or mapped to an
//! [`Error`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::{Client, id_mismatch};
use crate::auth::AccessToken;
use crate::endpoint::Endpoint;
use crate::error::{ApiError, CallInfo, Error};
use crate::exchange::{self, ERROR_BODY_CHARS};
use crate::id::ReportId;
use crate::model::{self, Report};
use crate::transport::{Request, Response};
use crate::verify::Mismatch;

impl Client {
    /// `GET /reports/{id}`, checked to be that report; with the call it came from.
    pub(super) fn get_report_and_call(&self, id: ReportId) -> Result<(Report, CallInfo), Error> {
        let answer = self.call(Endpoint::GetReport(id), None)?;
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
    pub(super) fn call(&self, endpoint: Endpoint, body: Option<Vec<u8>>) -> Result<Answer, Error> {
        self.call_noting_lost(endpoint, body, &AtomicBool::new(false))
    }

    /// [`call`](Self::call), setting `lost` when an attempt got no answer at all (its request
    /// may have been applied): a retried delete that then finds the report gone is done only
    /// then.
    pub(super) fn call_noting_lost(
        &self,
        endpoint: Endpoint,
        body: Option<Vec<u8>>,
        lost: &AtomicBool,
    ) -> Result<Answer, Error> {
        let limit = self.inner.max_response_bytes;
        self.with_retries(&endpoint, body, lost, |call, response| {
            let body = exchange::read_body(&endpoint, response, limit)?;
            Ok(Answer { call, body })
        })
    }

    /// A `GET` whose 2xx answer's body is left to the caller to stream (retries cover
    /// getting that answer, not reading it): a stored file. Each read of the body may wait
    /// at most the client's timeout for data; the whole body, the download timeout.
    pub(super) fn open_body(
        &self,
        endpoint: &Endpoint,
    ) -> Result<(CallInfo, Box<dyn std::io::Read + Send>), Error> {
        let (call, response) = self.open(endpoint)?;
        let body = crate::transport::stall_guarded(response.into_body(), self.inner.timeout);
        Ok((call, body))
    }

    /// A `GET` whose 2xx answer's body is left to the caller to stream (retries cover
    /// getting that answer, not reading it).
    pub(super) fn open(&self, endpoint: &Endpoint) -> Result<(CallInfo, Response), Error> {
        let lost = AtomicBool::new(false);
        self.with_retries(endpoint, None, &lost, |call, response| Ok((call, response)))
    }

    /// Exchanges a request for a 2xx answer that `finish` reads, with retries and one token
    /// renewal on 401.
    pub(super) fn with_retries<T>(
        &self,
        endpoint: &Endpoint,
        body: Option<Vec<u8>>,
        lost: &AtomicBool,
        finish: impl Fn(CallInfo, Response) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let inner = &*self.inner;
        if let Some(reason) = self.stopped() {
            return Err(Error::NotAttempted { reason });
        }
        if let Some(describe) = &inner.dry_run {
            if endpoint.is_write() {
                // Described, not sent, and no token asked for: the write needs none.
                let request = self.request(endpoint, body.as_deref(), &super::dry_run::stand_in());
                super::dry_run::describe(describe, &request)
                    .map_err(|e| Error::from_transport(endpoint, e))?;
                return Err(Error::NotSent {
                    endpoint: endpoint.clone(),
                });
            }
        }
        if let Err(reason) = self.wait_for_throttle() {
            return Err(Error::NotAttempted { reason });
        }
        let mut renewed = false;
        // Between attempts: the retry's wait, then any throttling pause; a stopped run ends
        // both, and the call with its last error.
        let pause = |wait| self.sleep(wait).is_ok() && self.wait_for_throttle().is_ok();
        // The token is asked for on every attempt: a failed token request is retried as part
        // of the call it serves (issuing a token changes nothing on the server).
        let result = inner
            .retry
            .run(endpoint.method(), &inner.balance, pause, |attempt| {
                let result = self.attempt(
                    endpoint,
                    body.as_deref(),
                    lost,
                    &finish,
                    attempt,
                    &mut renewed,
                );
                self.report_attempt(&result);
                result
            });
        self.report_end(endpoint.method(), &result);
        result
    }

    /// One attempt of a call: a token, the exchange, and one repeat with a renewed token on
    /// a 401 (once per call: `renewed`).
    fn attempt<T>(
        &self,
        endpoint: &Endpoint,
        body: Option<&[u8]>,
        lost: &AtomicBool,
        finish: &impl Fn(CallInfo, Response) -> Result<T, Error>,
        attempt: u32,
        renewed: &mut bool,
    ) -> Result<T, Error> {
        let inner = &*self.inner;
        {
            let token = inner.tokens.token()?;
            let once = |token: &AccessToken| {
                let (call, response) = self.exchange(endpoint, body, token, attempt)?;
                finish(call, response)
            };
            let result = match once(&token) {
                Err(e) if e.status() == Some(401) && !*renewed => {
                    *renewed = true;
                    inner.tokens.invalidate(&token);
                    let fresh = inner.tokens.token()?;
                    if fresh == token {
                        return Err(e);
                    }
                    crate::logging::debug!("{endpoint}: 401; repeating with a renewed token");
                    once(&fresh)
                }
                other => other,
            };
            // An attempt that may have reached the server, and whose answer is unknown.
            if let Err(Error::Timeout { .. }) = &result {
                lost.store(true, Ordering::Relaxed);
            }
            if let Err(Error::Transport { source, .. }) = &result {
                if crate::error::may_have_been_sent(source) {
                    lost.store(true, Ordering::Relaxed);
                }
            }
            // Throttling is the client's business, not one call's: every call holds back.
            if let Err(e) = &result {
                if e.status() == Some(429) {
                    self.throttle(inner.retry.throttle_pause(e, attempt));
                }
            }
            result
        }
    }

    /// Sends one request and returns a 2xx answer with its body still to be read; any other
    /// status is an error.
    pub(super) fn exchange(
        &self,
        endpoint: &Endpoint,
        body: Option<&[u8]>,
        token: &AccessToken,
        attempt: u32,
    ) -> Result<(CallInfo, Response), Error> {
        let inner = &*self.inner;
        let request = self.request(endpoint, body, token);
        let started = Instant::now();
        let answer = exchange::send(&*inner.transport, endpoint, request, &inner.clock)
            .inspect_err(|e| {
                crate::logging::debug!("{endpoint}: no answer (attempt {attempt}): {e}");
            })?;
        let status = match &answer {
            Ok((call, _)) => call.status,
            Err(refusal) => refusal.status,
        };
        crate::logging::debug!(
            "{endpoint}: {status} after {} ms (attempt {attempt})",
            started.elapsed().as_millis()
        );
        let refusal = match answer {
            Ok(answer) => return Ok(answer),
            Err(refusal) => refusal,
        };
        let mut error = api_error(endpoint, refusal.status, &refusal.body);
        error.base_url_lacks_api_path = !crate::base_url::has_api_path(&inner.base_url);
        error.request_id = refusal.request_id;
        error.retry_after = refusal.retry_after;
        Err(Error::Api(Box::new(error)))
    }
}

impl Client {
    /// The request of a call: its method and URL, the headers every call sends, the body.
    pub(super) fn request(
        &self,
        endpoint: &Endpoint,
        body: Option<&[u8]>,
        token: &AccessToken,
    ) -> Request {
        let inner = &*self.inner;
        let accept = if endpoint.answers_a_file() {
            Accept::File
        } else {
            Accept::Json
        };
        // Built by hand, in strings of the right size: a call's own cost is mostly such work.
        let secret = token.expose_secret();
        let mut bearer = String::with_capacity("Bearer ".len() + secret.len());
        bearer.push_str("Bearer ");
        bearer.push_str(secret);
        let mut headers = Vec::with_capacity(5);
        headers.push(("accept".to_owned(), accept.media_type().to_owned()));
        headers.push(("authorization".to_owned(), bearer));
        headers.push(("user-agent".to_owned(), inner.user_agent.clone()));
        if accept == Accept::File {
            // The live API serves stored files gzip-encoded to a client that accepts it; the
            // download decodes them whether or not the transport already has.
            headers.push(("accept-encoding".to_owned(), "gzip".to_owned()));
        }
        if body.is_some() {
            headers.push(("content-type".to_owned(), "application/json".to_owned()));
        }
        let mut url = String::with_capacity(inner.base_url.len() + 96);
        url.push_str(&inner.base_url);
        endpoint.push_path(&mut url);
        let mut request = Request::new(endpoint.method(), url, headers, body.map(<[u8]>::to_vec));
        request.set_timeout(inner.timeout);
        if accept == Accept::File {
            // The file's body is streamed, its stalls bounded by the reader (see `open`).
            request.set_body_timeout(inner.download_timeout);
        }
        request
    }
}

/// What a call asks the API to answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Accept {
    /// `Accept: application/json`: every call but a download, as the vendor's scripts send.
    Json,
    /// A stored file (`application/octet-stream`): `Accept: */*`, `Accept-Encoding: gzip`.
    File,
}

impl Accept {
    fn media_type(self) -> &'static str {
        match self {
            Accept::Json => "application/json",
            Accept::File => "*/*",
        }
    }
}

/// A 2xx answer: the call it came from and its body.
pub(super) struct Answer {
    pub(super) call: CallInfo,
    pub(super) body: Vec<u8>,
}

impl Answer {
    pub(super) fn decode<'a, T: serde::Deserialize<'a>>(
        &'a self,
        what: &'static str,
    ) -> Result<T, Error> {
        model::decode(what, &self.body).map_err(|error| Error::Decode {
            call: self.call.clone(),
            error: Box::new(error),
        })
    }

    /// `error`, about this answer's body, as the client's error.
    pub(super) fn decode_failed(&self, error: model::DecodeError) -> Error {
        Error::Decode {
            call: self.call.clone(),
            error: Box::new(error),
        }
    }

    pub(super) fn report(&self) -> Result<Report, Error> {
        Report::from_json(&self.body).map_err(|error| Error::Decode {
            call: self.call.clone(),
            error: Box::new(error),
        })
    }
}

fn truncate(text: &str, max_chars: usize) -> String {
    model::snippet(text.as_bytes(), max_chars)
}

fn api_error(endpoint: &Endpoint, status: u16, body: &[u8]) -> ApiError {
    let mut error = ApiError::new(endpoint.clone(), status);
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
