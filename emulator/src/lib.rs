//! A local emulator of the Acronis usage-reports API, for the `acronis-reports` tests and
//! examples: an in-memory store of reports behind a real HTTP/1.1 server on 127.0.0.1.
//!
//! It behaves as the vendor documents: `POST /idp/token` issues tokens to the API client
//! [`CLIENT_ID`]/[`CLIENT_SECRET`] (OAuth errors otherwise), a bearer token (an issued one or
//! [`TOKEN`]) is required on the reports endpoints (401 otherwise), JSON bodies
//! required (415), `PUT /reports/{id}` accepts exactly the `reportPut` members (400 for
//! anything else, as the schema's `additionalProperties: false` says), only monthly reports
//! can be updated, errors come in the vendor's `{"error": {...}}` shape. It records every
//! request and counts connections and tokens, so tests can check what the server saw, and it
//! can fail the next requests on purpose ([`Emulator::fail_next`]) or revoke its tokens.
//!
//! ```no_run
//! let emulator = acronis_reports_emulator::Emulator::start()?;
//! println!("{} (token {})", emulator.base_url(), acronis_reports_emulator::TOKEN);
//! # Ok::<(), std::io::Error>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod http;
mod lifecycle;

use std::collections::BTreeMap;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};

use base64::Engine as _;
use serde_json::{Value, json};

pub use http::{HttpRequest, HttpResponse, Server};
pub use lifecycle::check_report_post;

/// The bearer token the emulator accepts.
pub const TOKEN: &str = "emulator-token";
/// The tenant the seeded reports belong to.
pub const TENANT_ID: &str = "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc";
/// A seeded monthly report, enabled, sent to [`RECIPIENT_ID`].
pub const MONTHLY_REPORT_ID: &str = "20dffb36-d77b-45c6-b2fa-39276e98d5fc";
/// A seeded one-time report, which the API refuses to update.
pub const ONCE_REPORT_ID: &str = "6d1d7a5e-3b43-4c8e-9f4b-8a1f0c2e9b71";
/// The API client id the token endpoint accepts.
pub const CLIENT_ID: &str = "0b5c3f2e-8d3a-4a57-9e61-2f4c7d9a1b03";
/// The API client secret the token endpoint accepts.
pub const CLIENT_SECRET: &str = "emulator-client-secret";
/// A user id in the seeded reports' recipients.
pub const RECIPIENT_ID: &str = "ca451758-b48a-45d9-9ae6-8f1059f67619";

/// How the emulator departs from the real API, to test a client's checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quirks {
    /// Answer `PUT` with 200 and the report unchanged, as a broken server might.
    pub ignore_updates: bool,
    /// Answer a successful `PUT` with `204 No Content` instead of the report.
    pub put_answers_204: bool,
    /// Answer `POST /reports` with 400 "Usage history is not ready yet", as between 1 and
    /// 6 am.
    pub usage_not_ready: bool,
    /// Let the generation of created reports' files fail.
    pub generation_fails: bool,
}

#[derive(Default)]
struct State {
    reports: BTreeMap<String, Value>,
    requests: Vec<HttpRequest>,
    quirks: Quirks,
    /// Tokens issued by `/idp/token` and still valid.
    issued: Vec<String>,
    tokens_issued: usize,
    token_lifetime: i64,
    /// Canned failures for the next report requests, in order.
    failures: std::collections::VecDeque<HttpResponse>,
    /// Canned failures for the next token requests, in order.
    token_failures: std::collections::VecDeque<HttpResponse>,
    /// Stored files by report id.
    stored: BTreeMap<String, Vec<lifecycle::StoredFile>>,
    ids_made: u64,
    /// How many looks at the stored list show a new file `in_progress`.
    polls_before_saved: u32,
    /// The size of generated files, before compression.
    file_size: usize,
    /// An outage: after `after` more requests, every request (token endpoint included) is
    /// answered with `status`.
    outage: Option<Outage>,
    /// How many requests the outage has answered.
    outage_answers: usize,
    /// When the outage answered its first request.
    outage_began: Option<std::time::Instant>,
}

#[derive(Debug, Clone)]
struct Outage {
    after: usize,
    status: u16,
    retry_after: Option<String>,
}

/// A running emulator; it stops when dropped.
pub struct Emulator {
    server: Server,
    state: Arc<Mutex<State>>,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Emulator {
    /// Starts an emulator on an ephemeral port of 127.0.0.1, seeded with a monthly report
    /// ([`MONTHLY_REPORT_ID`]) and a one-time report ([`ONCE_REPORT_ID`]).
    ///
    /// # Errors
    ///
    /// When no loopback port can be bound.
    pub fn start() -> io::Result<Emulator> {
        let state = Arc::new(Mutex::new(State {
            token_lifetime: 7200,
            polls_before_saved: 1,
            file_size: 4096,
            ..State::default()
        }));
        {
            let mut s = lock(&state);
            for report in seed_reports() {
                s.reports
                    .insert(report["id"].as_str().unwrap_or_default().to_owned(), report);
            }
        }
        let handler_state = state.clone();
        let server = Server::start(move |req| {
            let mut s = lock(&handler_state);
            s.requests.push(req.clone());
            handle(&mut s, req)
        })?;
        Ok(Emulator { server, state })
    }

    /// The base URL to give a client: `http://127.0.0.1:<port>/api/2`.
    pub fn base_url(&self) -> String {
        format!("http://{}/api/2", self.server.addr())
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<HttpRequest> {
        lock(&self.state).requests.clone()
    }

    /// How many TCP connections have been accepted so far.
    pub fn connections(&self) -> usize {
        self.server.connections()
    }

    /// The stored report `id`, as JSON.
    pub fn report(&self, id: &str) -> Option<Value> {
        lock(&self.state).reports.get(id).cloned()
    }

    /// Stores `report` (replacing one with the same `id`).
    pub fn put_report(&self, report: Value) {
        let id = report["id"].as_str().unwrap_or_default().to_owned();
        lock(&self.state).reports.insert(id, report);
    }

    /// Adds `n` monthly reports like [`MONTHLY_REPORT_ID`] to [`TENANT_ID`], with fresh ids,
    /// and returns their ids.
    pub fn add_monthly_reports(&self, n: usize) -> Vec<String> {
        let mut s = lock(&self.state);
        let template = seed_reports().remove(0);
        (0..n)
            .map(|_| {
                s.ids_made += 1;
                let id = format!("{:08x}-1111-4111-8111-{:012x}", s.ids_made, s.ids_made);
                let mut report = template.clone();
                report["id"] = json!(id);
                s.reports.insert(id.clone(), report);
                id
            })
            .collect()
    }

    /// Sets how the emulator departs from the real API.
    pub fn set_quirks(&self, quirks: Quirks) {
        lock(&self.state).quirks = quirks;
    }

    /// Answers each of the next `n` requests to the reports endpoints (not the token
    /// endpoint) with `status`, the vendor's error body, and a `Retry-After` header when given.
    pub fn fail_next(&self, n: usize, status: u16, retry_after: Option<&str>) {
        let mut response = error_body(status, http::reason(status), Some("canned failure"));
        if let Some(value) = retry_after {
            response.headers.push(("Retry-After".into(), value.into()));
        }
        lock(&self.state)
            .failures
            .extend(std::iter::repeat_n(response, n));
    }

    /// Starts an outage once `after` more requests have been served: from then on every
    /// request (to the token endpoint too) is answered with `status`, the vendor's error
    /// body and a `Retry-After` header when given, until [`end_outage`](Self::end_outage).
    /// `after` 0 starts it at once.
    pub fn outage_after(&self, after: usize, status: u16, retry_after: Option<&str>) {
        let mut s = lock(&self.state);
        s.outage = Some(Outage {
            after,
            status,
            retry_after: retry_after.map(str::to_owned),
        });
        s.outage_answers = 0;
        s.outage_began = None;
    }

    /// Ends the outage: requests are served again.
    pub fn end_outage(&self) {
        lock(&self.state).outage = None;
    }

    /// How many requests the current (or last) outage has answered with its status: what the
    /// clients sent to a service that was down.
    pub fn outage_answers(&self) -> usize {
        lock(&self.state).outage_answers
    }

    /// When the current (or last) outage answered its first request.
    pub fn outage_began(&self) -> Option<std::time::Instant> {
        lock(&self.state).outage_began
    }

    /// Answers each of the next `n` token requests with `status` and an OAuth error body.
    pub fn fail_next_token_requests(&self, n: usize, status: u16) {
        let response = HttpResponse::json(
            status,
            &json!({"error": "invalid_request", "error_description": "canned failure"}),
        );
        lock(&self.state)
            .token_failures
            .extend(std::iter::repeat_n(response, n));
    }

    /// How many looks at a created report's stored files show them `in_progress` before
    /// they are `saved` (or `failed`). Default: 1.
    pub fn set_polls_before_saved(&self, polls: u32) {
        lock(&self.state).polls_before_saved = polls;
    }

    /// The size of files generated from now on, before compression. Default: 4096 bytes.
    pub fn set_file_size(&self, bytes: usize) {
        lock(&self.state).file_size = bytes;
    }

    /// The content of the files generated for `report_id` at `size` bytes: what a download
    /// must produce after decompression.
    pub fn file_content(report_id: &str, size: usize) -> Vec<u8> {
        lifecycle::file_content(report_id, size)
    }

    /// How many tokens `/idp/token` has issued.
    pub fn tokens_issued(&self) -> usize {
        lock(&self.state).tokens_issued
    }

    /// Makes every issued token invalid, as if it had expired: calls with one get 401.
    pub fn revoke_tokens(&self) {
        lock(&self.state).issued.clear();
    }

    /// The `expires_in` of tokens issued from now on, in seconds. Default: 7200.
    pub fn set_token_lifetime(&self, seconds: i64) {
        lock(&self.state).token_lifetime = seconds;
    }
}

fn seed_reports() -> Vec<Value> {
    vec![
        json!({
            "id": MONTHLY_REPORT_ID, "version": 1_559_561_146_223_i64, "result_action": "send",
            "recipients": [RECIPIENT_ID],
            "parameters": {"tenant_id": TENANT_ID, "kind": "usage_summary", "level": "accounts",
                "formats": ["csv"], "period": {"start": "2026-10-01", "end": "2026-10-31"},
                "hide_zero_usage": true, "show_skus": false},
            "schedule": {"type": "monthly", "enabled": true}, "generation_date": "2026-11-01"
        }),
        json!({
            "id": ONCE_REPORT_ID, "version": 3, "result_action": "save", "recipients": [],
            "parameters": {"tenant_id": TENANT_ID, "kind": "usage_daily", "level": "itself",
                "formats": ["csv_v2_0", "json_v1"], "period": {"start": "2026-09-01", "end": "2026-09-30"}},
            "schedule": {"type": "once", "enabled": true}, "generation_date": "2026-10-01"
        }),
    ]
}

/// The vendor's error body.
pub fn error_body(status: u16, message: &str, info: Option<&str>) -> HttpResponse {
    HttpResponse::json(
        status,
        &json!({"error": {"code": status, "message": message, "domain": "PlatformAccountServer",
            "details": {"info": info}, "context": {}}}),
    )
}

fn handle(s: &mut State, req: &HttpRequest) -> HttpResponse {
    if let Some(outage) = &mut s.outage {
        if outage.after == 0 {
            let status = outage.status;
            let mut response =
                error_body(status, http::reason(status), Some("the service is down"));
            if let Some(value) = &outage.retry_after {
                response.headers.push(("Retry-After".into(), value.clone()));
            }
            s.outage_answers += 1;
            s.outage_began.get_or_insert_with(std::time::Instant::now);
            return response;
        }
        outage.after -= 1;
    }
    let Some(path) = req.target.strip_prefix("/api/2") else {
        return error_body(404, "Not Found", Some("no such endpoint"));
    };
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if segments == ["idp", "token"] && req.method == "POST" {
        if let Some(failure) = s.token_failures.pop_front() {
            return failure;
        }
        return issue_token(s, req);
    }
    if let Some(failure) = s.failures.pop_front() {
        return failure;
    }
    let bearer = req
        .header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "));
    if !bearer.is_some_and(|t| t == TOKEN || s.issued.iter().any(|i| i == t)) {
        return error_body(
            401,
            "Unauthorized",
            Some("the access token is missing, expired or invalid"),
        );
    }
    match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["reports", id]) => match s.reports.get(*id) {
            Some(report) => HttpResponse::json(200, report),
            None => error_body(404, "Report not found", None),
        },
        ("PUT", ["reports", id]) => update(s, id, req),
        ("DELETE", ["reports", id]) => lifecycle::delete(s, id, query),
        ("POST", ["reports"]) => lifecycle::create(s, req),
        ("GET", ["reports", id, "stored"]) => lifecycle::stored(s, id),
        ("GET", ["reports", id, "stored", stored_id]) => lifecycle::download(s, id, stored_id),
        ("GET", ["tenants", tenant, "reports"]) => lifecycle::list(s, tenant),
        (_, ["reports", ..]) => error_body(405, "Method Not Allowed", None),
        _ => error_body(404, "Not Found", Some("no such endpoint")),
    }
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

/// `POST /idp/token` with client credentials, answering OAuth-style.
fn issue_token(s: &mut State, req: &HttpRequest) -> HttpResponse {
    let oauth_error = |status, error: &str, description: &str| {
        HttpResponse::json(
            status,
            &json!({"error": error, "error_description": description}),
        )
    };
    if req.header("content-type") != Some("application/x-www-form-urlencoded") {
        return oauth_error(
            400,
            "invalid_request",
            "send the form as application/x-www-form-urlencoded",
        );
    }
    if req.body != b"grant_type=client_credentials" {
        return oauth_error(
            400,
            "invalid_request",
            "grant_type must be client_credentials",
        );
    }
    let pair = format!("{CLIENT_ID}:{CLIENT_SECRET}");
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    );
    if req.header("authorization") != Some(expected.as_str()) {
        return oauth_error(401, "access_denied", "Invalid client credentials");
    }
    s.tokens_issued += 1;
    let token = format!("emu-token-{}", s.tokens_issued);
    s.issued.push(token.clone());
    HttpResponse::json(
        200,
        &json!({"access_token": token, "token_type": "bearer", "id_token": "emu-id-token",
            "expires_in": s.token_lifetime}),
    )
}

fn update(s: &mut State, id: &str, req: &HttpRequest) -> HttpResponse {
    let patch = match json_body(req) {
        Ok(v) => v,
        Err(answer) => return answer,
    };
    if let Err(why) = check_report_put(&patch) {
        return error_body(400, "The request body does not match reportPut", Some(&why));
    }
    let quirks = s.quirks;
    let Some(report) = s.reports.get_mut(id) else {
        return error_body(404, "Report not found", None);
    };
    if report["schedule"]["type"] != "monthly" {
        return error_body(400, "Only scheduled reports can be updated", None);
    }
    if !quirks.ignore_updates {
        if let Some(r) = patch.get("recipients") {
            report["recipients"] = r.clone();
        }
        if let Some(p) = patch.get("parameters").and_then(Value::as_object) {
            for (k, v) in p {
                report["parameters"][k] = v.clone();
            }
        }
        if let Some(enabled) = patch.pointer("/schedule/enabled") {
            report["schedule"]["enabled"] = enabled.clone();
        }
        report["version"] = json!(report["version"].as_i64().unwrap_or(0) + 1);
    }
    if quirks.put_answers_204 {
        HttpResponse::empty(204)
    } else {
        HttpResponse::json(200, report)
    }
}

pub(crate) fn is_uuid(v: &Value) -> bool {
    let Some(s) = v.as_str() else { return false };
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
}

fn check_members(
    obj: &serde_json::Map<String, Value>,
    allowed: &[&str],
    at: &str,
) -> Result<(), String> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!("{at}{k}: member not allowed")),
        None => Ok(()),
    }
}

/// The values of `parameters` that `reportPut` and `reportPost` share: `level` and `kind`
/// (required in a create), and the two flags.
pub(crate) fn check_shared_parameters(
    p: &serde_json::Map<String, Value>,
    create: bool,
) -> Result<(), String> {
    const LEVELS: &[&str] = &[
        "itself",
        "direct_partners",
        "all_partners",
        "all_customers",
        "accounts",
    ];
    const KINDS: &[&str] = &[
        "usage_daily",
        "usage_summary",
        "usage_current",
        "usage_breakdown",
    ];
    for (k, allowed) in [("level", LEVELS), ("kind", KINDS)] {
        match p.get(k) {
            None if create => return Err(format!("parameters.{k}: required")),
            Some(v) if !v.as_str().is_some_and(|s| allowed.contains(&s)) => {
                return Err(format!("parameters.{k}: must be one of {allowed:?}"));
            }
            _ => {}
        }
    }
    for k in ["hide_zero_usage", "show_skus"] {
        if p.get(k).is_some_and(|v| !v.is_boolean()) {
            return Err(format!("parameters.{k}: must be a boolean"));
        }
    }
    Ok(())
}

/// Checks a `PUT` body against the vendor's `reportPut` schema.
///
/// # Errors
///
/// What is wrong, like `parameters.tenant_id: member not allowed`.
pub fn check_report_put(patch: &Value) -> Result<(), String> {
    let obj = patch.as_object().ok_or("the body must be an object")?;
    check_members(obj, &["recipients", "parameters", "schedule"], "")?;
    if let Some(r) = obj.get("recipients") {
        let list = r.as_array().ok_or("recipients: must be an array")?;
        if !list.iter().all(is_uuid) {
            return Err("recipients: every item must be a lowercase UUID".into());
        }
    }
    if let Some(p) = obj.get("parameters") {
        let p = p.as_object().ok_or("parameters: must be an object")?;
        check_members(
            p,
            &["level", "kind", "hide_zero_usage", "show_skus"],
            "parameters.",
        )?;
        check_shared_parameters(p, false)?;
    }
    if let Some(sched) = obj.get("schedule") {
        let sched = sched.as_object().ok_or("schedule: must be an object")?;
        check_members(sched, &["enabled"], "schedule.")?;
        if !sched.get("enabled").is_some_and(Value::is_boolean) {
            return Err("schedule.enabled: required, and must be a boolean".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_put_check_follows_the_schema() {
        assert_eq!(
            check_report_put(&json!({"schedule": {"enabled": false}})),
            Ok(())
        );
        assert_eq!(check_report_put(&json!({})), Ok(()));
        for (bad, why) in [
            (json!({"id": MONTHLY_REPORT_ID}), "id: member not allowed"),
            (
                json!({"schedule": {"type": "monthly", "enabled": true}}),
                "schedule.type: member not allowed",
            ),
            (json!({"schedule": {}}), "schedule.enabled: required"),
            (
                json!({"parameters": {"tenant_id": TENANT_ID}}),
                "parameters.tenant_id: member not allowed",
            ),
            (
                json!({"parameters": {"level": "galaxy"}}),
                "parameters.level: must be one of",
            ),
            (
                json!({"parameters": {"show_skus": "yes"}}),
                "parameters.show_skus: must be a boolean",
            ),
            (
                json!({"recipients": ["CA451758-B48A-45D9-9AE6-8F1059F67619"]}),
                "recipients: every item",
            ),
            (json!([]), "the body must be an object"),
        ] {
            let err = check_report_put(&bad).unwrap_err();
            assert!(err.starts_with(why), "{bad}: {err}");
        }
    }
}
