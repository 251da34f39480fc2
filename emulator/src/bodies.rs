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
