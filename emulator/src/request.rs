//! [`RecordedRequest`]: what the emulator received, for a test to look at.

use serde_json::Value;

/// A request the emulator received, as it came: method, path and query, headers, body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method, like `PUT`.
    pub method: String,
    /// The path, like `/api/2/reports/20dffb36-d77b-45c6-b2fa-39276e98d5fc`.
    pub path: String,
    /// The query, without its `?`, like `version=3`.
    pub query: Option<String>,
    /// The headers in the order received, names lowercase.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    pub(crate) fn from_http(request: &crate::http::HttpRequest) -> RecordedRequest {
        let (path, query) = match request.target.split_once('?') {
            Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
            None => (request.target.clone(), None),
        };
        RecordedRequest {
            method: request.method.clone(),
            path,
            query,
            headers: request.headers.clone(),
            body: request.body.clone(),
        }
    }

    /// The value of header `name` (any case), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, if it is.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The report the request is about (`/api/2/reports/{id}...`), if any.
    pub fn report_id(&self) -> Option<&str> {
        let rest = self.path.strip_prefix("/api/2/reports/")?;
        Some(rest.split('/').next().unwrap_or(rest)).filter(|id| !id.is_empty())
    }

    /// Whether this is a request for a token (`POST /api/2/idp/token`).
    pub fn is_token_request(&self) -> bool {
        self.method == "POST" && self.path == "/api/2/idp/token"
    }
}
