//! Bodies in the vendor's shapes: its error answer, and the JSON body a request must carry.

use serde_json::{Value, json};

use crate::http::{HttpRequest, HttpResponse};

/// The vendor's error body.
pub(crate) fn error_body(status: u16, message: &str, info: Option<&str>) -> HttpResponse {
    HttpResponse::json(
        status,
        &json!({"error": {"code": status, "message": message, "domain": "PlatformAccountServer",
            "details": {"info": info}, "context": {}}}),
    )
}

/// A canned error: `status`, the vendor's body, and `Retry-After` when given.
pub(crate) fn canned(status: u16, retry_after: Option<&str>) -> HttpResponse {
    let mut response = error_body(status, reason(status), Some("canned failure"));
    if let Some(value) = retry_after {
        response.headers.push(("Retry-After".into(), value.into()));
    }
    response
}

/// A canned refusal of a token request: `status` and an OAuth error body.
pub(crate) fn canned_token_error(status: u16) -> HttpResponse {
    HttpResponse::json(
        status,
        &json!({"error": "invalid_request", "error_description": "canned failure"}),
    )
}

/// The JSON body of a request, or the API's answer when it is not JSON or not sent as JSON.
pub(crate) fn json_body(req: &HttpRequest) -> Result<Value, HttpResponse> {
    let media_type = req
        .header("content-type")
        .map(|v| v.split(';').next().unwrap_or("").trim());
    if media_type != Some("application/json") {
        return Err(error_body(
            415,
            "Unsupported Media Type",
            Some("send Content-Type: application/json"),
        ));
    }
    serde_json::from_slice(&req.body).map_err(|e| {
        error_body(
            400,
            "The request body is not valid JSON",
            Some(&e.to_string()),
        )
    })
}

/// The reason phrase of a status, for the message of a canned error.
pub(crate) fn reason(status: u16) -> &'static str {
    crate::http::reason(status).unwrap_or("Error")
}
