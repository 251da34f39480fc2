//! The client's dry run ([`ClientBuilder::dry_run`](super::ClientBuilder::dry_run)): reads
//! are sent, so that what a write depends on is seen as it is; every write is described (its
//! token redacted) and not sent, and ends in [`Error::NotSent`](crate::Error::NotSent).

use std::sync::Arc;

use crate::auth::AccessToken;
use crate::transport::{Request, TransportError, TransportErrorKind};

/// What a dry run does with each request: shows it, for one.
pub(crate) type Describe =
    Arc<dyn Fn(&Request) -> Result<(), Box<dyn std::error::Error + Send + Sync>> + Send + Sync>;

/// The text that stands for a secret in a described request.
const REDACTED: &str = "<redacted>";

/// `request` as it may be shown: the credentials of `Authorization` redacted.
pub(super) fn redacted(request: &Request) -> Request {
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
    let body = request.body().map(<[u8]>::to_vec);
    Request::new(request.method(), request.url().to_owned(), headers, body)
}

/// Describes a request; the describer's failure (standard output closed, say) as the
/// transport's.
pub(super) fn describe(describe: &Describe, request: &Request) -> Result<(), TransportError> {
    describe(&redacted(request)).map_err(|e| TransportError::new(TransportErrorKind::Other, e))
}

/// The token a described write carries, shown redacted: a write that is not sent needs no
/// real one.
pub(super) fn stand_in() -> AccessToken {
    AccessToken::new("dry-run").unwrap_or_else(|_| unreachable!("a valid token"))
}
