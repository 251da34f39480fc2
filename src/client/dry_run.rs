//! The client's dry run ([`ClientBuilder::dry_run`](super::ClientBuilder::dry_run)): every
//! request is described, its secrets redacted, and none is sent. An API call ends in
//! [`Error::NotSent`](crate::Error::NotSent); a token request is answered with a stand-in
//! token, so that the call it serves can be described too.

use std::sync::Arc;

use crate::transport::{Request, Response, Transport, TransportError, TransportErrorKind};

/// What a dry run does with each request: shows it, for one.
pub(crate) type Describe =
    Arc<dyn Fn(&Request) -> Result<(), Box<dyn std::error::Error + Send + Sync>> + Send + Sync>;

/// The text that stands for a secret in a described request.
const REDACTED: &str = "<redacted>";

/// `request` as it may be shown: the credentials of `Authorization` (bearer token or client
/// secret) redacted, and the body of a token request too.
pub(super) fn redacted(request: &Request, is_token_request: bool) -> Request {
    let headers = request
        .headers()
        .map(|(name, value)| {
            let shown = if name.eq_ignore_ascii_case("authorization") {
                let scheme = value.split(' ').next().unwrap_or("");
                format!("{scheme} {REDACTED}")
            } else {
                value.to_owned()
            };
            (name.to_owned(), shown)
        })
        .collect();
    let body = request.body().map(|b| {
        if is_token_request {
            REDACTED.as_bytes().to_vec()
        } else {
            b.to_vec()
        }
    });
    Request::new(request.method(), request.url().to_owned(), headers, body)
}

/// Describes a request; the describer's failure (standard output closed, say) as the
/// transport's.
pub(super) fn describe(
    describe: &Describe,
    request: &Request,
    is_token_request: bool,
) -> Result<(), TransportError> {
    describe(&redacted(request, is_token_request))
        .map_err(|e| TransportError::new(TransportErrorKind::Other, e))
}

/// The transport a dry run's client credentials get: it describes the token request and
/// answers it with a stand-in token, sending nothing.
pub(super) struct TokenStandIn(pub(super) Describe);

impl Transport for TokenStandIn {
    fn send(&self, request: Request) -> Result<Response, TransportError> {
        describe(&self.0, &request, true)?;
        let stand_in =
            br#"{"access_token":"dry-run","token_type":"bearer","id_token":"","expires_in":7200}"#;
        Ok(Response::from_bytes(200, vec![], stand_in.to_vec()))
    }
}
