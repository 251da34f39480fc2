//! One request sent and its answer sorted, the same for the API's calls and the token
//! request: a 2xx answer with its body still to read, a redirect (never followed) as
//! [`Error::Redirect`], any other status as a [`Refusal`] holding what a diagnosis needs, and
//! a body read to a cap.

use std::time::Duration;

use crate::clock::Clock;

use crate::endpoint::Endpoint;
use crate::error::{CallInfo, Error};
use crate::retry::parse_retry_after;
use crate::transport::{ReadError, Request, Response, Transport, TransportError, read_error_kind};

/// How many bytes of an error answer are read: plenty for the vendor's error JSON or the
/// start of a gateway's page.
pub(crate) const ERROR_BODY_BYTES: u64 = 64 * 1024;

/// How many characters of an error answer's text an error keeps.
pub(crate) const ERROR_BODY_CHARS: usize = 1024;

/// An answer with a status outside 2xx and 3xx.
pub(crate) struct Refusal {
    /// The status.
    pub(crate) status: u16,
    /// The server's request id (`X-Request-Id`).
    pub(crate) request_id: Option<String>,
    /// How long the server asked to wait (`Retry-After`).
    pub(crate) retry_after: Option<Duration>,
    /// The start of the body, at most [`ERROR_BODY_BYTES`].
    pub(crate) body: Vec<u8>,
}

/// Sends `request` for `endpoint` (a `Retry-After` date is read against `clock`). `Ok(Ok(_))`: a 2xx answer, its body still to be read;
/// `Ok(Err(_))`: another status; `Err(_)`: no answer ([`Error::Timeout`],
/// [`Error::Transport`]) or a redirect ([`Error::Redirect`]). For a status that is not 2xx,
/// the status is the news: the body is read only as far as a diagnosis needs, so that it
/// (too large, cut off) never hides the status.
pub(crate) fn send(
    transport: &dyn Transport,
    endpoint: &Endpoint,
    request: Request,
    clock: &Clock,
) -> Result<Result<(CallInfo, Response), Refusal>, Error> {
    let response = transport
        .send(request)
        .map_err(|e| Error::from_transport(endpoint, e))?;
    let status = response.status();
    let request_id = response.request_id();
    if (200..300).contains(&status) {
        let call = CallInfo {
            endpoint: endpoint.clone(),
            status,
            request_id,
        };
        return Ok(Ok((call, response)));
    }
    let location = response.header("location").map(str::to_owned);
    let retry_after = response
        .header("retry-after")
        .and_then(|v| parse_retry_after(v, clock.system_time()));
    let body = response.read_partial(ERROR_BODY_BYTES);
    if (300..400).contains(&status) {
        return Err(Error::Redirect {
            endpoint: endpoint.clone(),
            method: endpoint.method(),
            path: endpoint.path(),
            status,
            location,
        });
    }
    Ok(Err(Refusal {
        status,
        request_id,
        retry_after,
        body,
    }))
}

/// The whole body of a 2xx answer, at most `limit` bytes: more is
/// [`Error::ResponseTooLarge`], a failed read the transport's error.
pub(crate) fn read_body(
    endpoint: &Endpoint,
    response: Response,
    limit: u64,
) -> Result<Vec<u8>, Error> {
    response.read_capped(limit).map_err(|e| match e {
        ReadError::TooLarge => Error::ResponseTooLarge {
            endpoint: endpoint.clone(),
            method: endpoint.method(),
            path: endpoint.path(),
            limit,
        },
        ReadError::Io(e) => {
            Error::from_transport(endpoint, TransportError::new(read_error_kind(&e), e))
        }
    })
}
