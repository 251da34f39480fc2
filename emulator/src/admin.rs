//! The admin interface under `/__admin/` (WireMock's convention): the emulator's faults, the
//! requests it received, its reports and tenants and a reset, over HTTP in JSON, for tests in any
//! language. It needs no token, is never recorded, and no fault or outage applies to it; the
//! server's limits (head and body caps, connections) do.
//!
//! Faults registered here go into the same queues as those of the Rust API (`fail_next`,
//! `delay_next`, `outage_after`...): a fault is the same fault whichever way it came.

use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::bodies::{canned, canned_token_error};
use crate::http::{HttpRequest, HttpResponse};
use crate::state::{Scope, State, is_token_path};

/// Where the admin interface is, on the emulator's host and port.
pub(crate) const PREFIX: &str = "/__admin";

/// The longest delay a fault may ask for: ten minutes (a longer one is a unit mistake).
const MAX_DELAY_MS: u64 = 600_000;

/// What stands in for a secret in `/__admin/requests`.
const REDACTED: &str = "[redacted]";

/// The endpoints, as `GET /__admin` lists them.
const ENDPOINTS: [&str; 10] = [
    "GET /__admin",
    "POST /__admin/faults",
    "DELETE /__admin/faults",
    "GET /__admin/requests",
    "DELETE /__admin/requests",
    "POST /__admin/reset",
    "POST /__admin/reports",
    "GET /__admin/reports/{id}",
    "POST /__admin/tenants",
    "GET /__admin/tenants/{id}",
];

/// The members of a fault, as an error about an unknown one lists them.
const FAULT_MEMBERS: &str = "status, times, path, method, retry_after, delay_ms, body, \
                             content_type, token, outage, after";

/// Whether `req` is for the admin interface: its path is `/__admin` or below it.
pub(crate) fn is_admin(req: &HttpRequest) -> bool {
    let path = path_of(req);
    path == PREFIX || path.starts_with("/__admin/")
}

fn path_of(req: &HttpRequest) -> &str {
    req.target
        .split_once('?')
        .map_or(req.target.as_str(), |(path, _)| path)
}

/// Answers an admin request.
pub(crate) fn handle(s: &mut State, req: &HttpRequest) -> HttpResponse {
    let path = path_of(req);
    let rest = path.strip_prefix(PREFIX).unwrap_or(path);
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let method = req.method.as_str();
    if let Some(id) = rest.strip_prefix("/tenants/") {
        if !id.is_empty() && !id.contains('/') {
            return only(method, &["GET"])
                .and_then(|()| tenant(s, id))
                .unwrap_or_else(|refusal| refusal);
        }
    }
    let answer = match (rest, rest.strip_prefix("/reports/")) {
        ("", _) => only(method, &["GET"]).map(|()| HttpResponse::json(200, &index(s))),
        ("/faults", _) => match method {
            "POST" => add_fault(s, req),
            "DELETE" => clear_faults(s, req),
            _ => Err(not_allowed("POST, DELETE")),
        },
        ("/requests", _) => match method {
            "GET" => Ok(requests(s)),
            "DELETE" => clear_requests(s, req),
            _ => Err(not_allowed("GET, DELETE")),
        },
        ("/reset", _) => only(method, &["POST"]).and_then(|()| reset(s, req)),
        ("/reports", _) => only(method, &["POST"]).and_then(|()| add_reports(s, req)),
        ("/tenants", _) => only(method, &["POST"]).and_then(|()| add_tenants(s, req)),
        (_, Some(id)) if !id.is_empty() && !id.contains('/') => {
            only(method, &["GET"]).and_then(|()| report(s, id))
        }
        _ => Err(error(
            404,
            &format!("no admin endpoint {path}: GET {PREFIX} lists them"),
        )),
    };
    answer.unwrap_or_else(|refusal| refusal)
}

/// `GET /__admin`: the endpoints, and the emulator's standing settings.
fn index(s: &State) -> Value {
    let delay_ms = u64::try_from(s.answer_delay.as_millis()).unwrap_or(u64::MAX);
    json!({ "endpoints": ENDPOINTS, "settings": { "answer_delay_ms": delay_ms } })
}

/// The admin's error answer: `status` and `{"error": message}`.
fn error(status: u16, message: &str) -> HttpResponse {
    HttpResponse::json(status, &json!({ "error": message }))
}

fn bad(message: impl AsRef<str>) -> HttpResponse {
    error(400, message.as_ref())
}

fn not_allowed(allow: &str) -> HttpResponse {
    let mut answer = error(405, &format!("this admin endpoint takes {allow} only"));
    answer.headers.push(("Allow".into(), allow.into()));
    answer
}

fn only(method: &str, allowed: &[&str]) -> Result<(), HttpResponse> {
    if allowed.contains(&method) {
        Ok(())
    } else {
        Err(not_allowed(&allowed.join(", ")))
    }
}

/// The body as JSON, whatever its `Content-Type` (curl's `-d` sends a form's).
fn json_of(req: &HttpRequest) -> Result<Value, HttpResponse> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad("the body is empty: send a JSON object"));
    }
    serde_json::from_slice(&req.body).map_err(|e| bad(format!("the body is not JSON: {e}")))
}

/// Refuses a body that asks for anything: an endpoint that takes none accepts an empty body
/// or `{}`, so that a body meant to choose something is not silently ignored.
fn no_body(req: &HttpRequest) -> Result<(), HttpResponse> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    match json_of(req)? {
        Value::Object(members) if members.is_empty() => Ok(()),
        _ => Err(bad("this admin endpoint takes no body (or {})")),
    }
}

/// A fault as asked for, its members checked one by one.
#[derive(Debug, Default)]
struct Fault {
    status: Option<u16>,
    times: Option<usize>,
    path: Option<String>,
    method: Option<String>,
    /// As given (whole seconds or text), and as the header's value.
    retry_after: Option<(Value, String)>,
    delay_ms: Option<u64>,
    body: Option<String>,
    content_type: Option<String>,
    token: bool,
    outage: bool,
    after: Option<usize>,
}

/// `value` as a whole number, or why not.
fn whole(name: &str, value: &Value) -> Result<u64, String> {
    value
        .as_u64()
        .ok_or_else(|| format!("`{name}` must be a whole number of at least 0, not {value}"))
}

/// `value` as text that can be sent as a header's value, or why not.
fn header_value(name: &str, value: &str) -> Result<String, String> {
    if value.is_empty()
        || !value
            .bytes()
            .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
    {
        return Err(format!(
            "`{name}` must be a header value: printable ASCII, not empty"
        ));
    }
    Ok(value.to_owned())
}

fn text<'a>(name: &str, value: &'a Value) -> Result<&'a str, String> {
    value
        .as_str()
        .ok_or_else(|| format!("`{name}` must be a string, not {value}"))
}

fn flag(name: &str, value: &Value) -> Result<bool, String> {
    value
        .as_bool()
        .ok_or_else(|| format!("`{name}` must be true or false, not {value}"))
}

impl Fault {
    /// Reads a fault from the members of a JSON object; `null` is the same as absent.
    fn read(members: &Map<String, Value>) -> Result<Fault, String> {
        let mut fault = Fault::default();
        for (name, value) in members {
            if value.is_null() {
                continue;
            }
            match name.as_str() {
                "status" => {
                    let status = whole(name, value)?;
                    fault.status = Some(
                        u16::try_from(status)
                            .ok()
                            .filter(|s| (200..=599).contains(s) && ![204, 205, 304].contains(s))
                            .ok_or_else(|| {
                                format!(
                                    "`status` must be 200 to 599, and not 204, 205 or 304 (which \
                                     carry no body), not {status}"
                                )
                            })?,
                    );
                }
                "times" => {
                    let times = whole(name, value)?;
                    fault.times = Some(
                        usize::try_from(times)
                            .ok()
                            .filter(|t| *t >= 1)
                            .ok_or_else(|| format!("`times` must be at least 1, not {times}"))?,
                    );
                }
                "path" => fault.path = Some(scope_path(text(name, value)?)?),
                "method" => {
                    let method = text(name, value)?;
                    let tchar =
                        |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
                    if method.is_empty() || !method.chars().all(tchar) {
                        return Err(format!("`method` must be an HTTP method, not {value}"));
                    }
                    fault.method = Some(method.to_ascii_uppercase());
                }
                "retry_after" => {
                    let header = match value {
                        Value::String(text) => header_value(name, text)?,
                        _ => whole(name, value)
                            .map_err(|_| {
                                format!(
                                    "`retry_after` must be whole seconds (a number), or the \
                                     header's text (a string), not {value}"
                                )
                            })?
                            .to_string(),
                    };
                    fault.retry_after = Some((value.clone(), header));
                }
                "delay_ms" => {
                    let delay = whole(name, value)?;
                    if delay > MAX_DELAY_MS {
                        return Err(format!(
                            "`delay_ms` must be at most {MAX_DELAY_MS} (ten minutes), not {delay}"
                        ));
                    }
                    fault.delay_ms = Some(delay);
                }
                "body" => fault.body = Some(text(name, value)?.to_owned()),
                "content_type" => {
                    fault.content_type = Some(header_value(name, text(name, value)?)?);
                }
                "token" => fault.token = flag(name, value)?,
                "outage" => fault.outage = flag(name, value)?,
                "after" => {
                    let after = whole(name, value)?;
                    fault.after = Some(usize::try_from(after).unwrap_or(usize::MAX));
                }
                other => {
                    return Err(format!(
                        "unknown member `{other}`: a fault has {FAULT_MEMBERS}"
                    ));
                }
            }
        }
        fault.check()?;
        Ok(fault)
    }

    /// Refuses the members that do not go together.
    fn check(&self) -> Result<(), String> {
        let given = |present: bool, name: &'static str| present.then_some(name);
        if self.outage && self.token {
            return Err("a fault is an outage or a token fault, not both".into());
        }
        if self.outage {
            let misplaced = [
                given(self.times.is_some(), "times"),
                given(self.path.is_some(), "path"),
                given(self.method.is_some(), "method"),
                given(self.delay_ms.is_some(), "delay_ms"),
                given(self.body.is_some(), "body"),
                given(self.content_type.is_some(), "content_type"),
            ];
            if let Some(name) = misplaced.into_iter().flatten().next() {
                return Err(format!(
                    "`{name}` does not apply to an outage: it answers every request, the token \
                     endpoint's too, until DELETE /__admin/faults or a reset"
                ));
            }
            if self.status.is_none() {
                return Err("an outage needs a `status`".into());
            }
            return Ok(());
        }
        if self.after.is_some() {
            return Err("`after` applies to an outage only".into());
        }
        if self.token {
            let misplaced = [
                given(self.path.is_some(), "path"),
                given(self.method.is_some(), "method"),
            ];
            if let Some(name) = misplaced.into_iter().flatten().next() {
                return Err(format!(
                    "`{name}` does not apply to a token fault: it takes POST /api/2/idp/token"
                ));
            }
        }
        if self.status.is_none() {
            let needs_status = [
                given(self.retry_after.is_some(), "retry_after"),
                given(self.body.is_some(), "body"),
                given(self.content_type.is_some(), "content_type"),
            ];
            if let Some(name) = needs_status.into_iter().flatten().next() {
                return Err(format!("`{name}` needs a `status`"));
            }
            if self.delay_ms.is_none() {
                return Err(
                    "a fault needs a `status` (or a `delay_ms` alone, to answer as usual but late)"
                        .into(),
                );
            }
        }
        if self.content_type.is_some() && self.body.is_none() {
            return Err("`content_type` goes with a `body`".into());
        }
        Ok(())
    }

    fn retry_after_header(&self) -> Option<&str> {
        self.retry_after.as_ref().map(|(_, header)| header.as_str())
    }

    /// The canned answer, when the fault has a status.
    fn answer(&self) -> Option<HttpResponse> {
        let status = self.status?;
        let mut answer = match &self.body {
            Some(body) => HttpResponse {
                status,
                headers: self
                    .content_type
                    .iter()
                    .map(|ct| ("Content-Type".to_owned(), ct.clone()))
                    .collect(),
                body: body.clone().into_bytes(),
                delay: None,
            },
            None if self.token => canned_token_error(status),
            None => canned(status, None),
        };
        if let Some(value) = self.retry_after_header() {
            answer
                .headers
                .push(("Retry-After".into(), value.to_owned()));
        }
        answer.delay = self.delay_ms.map(Duration::from_millis);
        Some(answer)
    }

    /// Puts the fault where the API looks for it.
    fn register(&self, s: &mut State) {
        let times = self.times.unwrap_or(1);
        if self.outage {
            let status = self.status.unwrap_or(503);
            s.start_outage(
                self.after.unwrap_or(0),
                status,
                self.retry_after_header().map(str::to_owned),
            );
            return;
        }
        let scope = if self.token {
            Scope::token()
        } else {
            Scope {
                token: false,
                method: self.method.clone(),
                path: self.path.clone(),
            }
        };
        match (self.answer(), self.delay_ms) {
            (Some(answer), _) => s.failures.push(scope, times, answer),
            (None, Some(ms)) => s.delays.push(scope, times, Duration::from_millis(ms)),
            (None, None) => {}
        }
    }

    /// The fault as registered, its defaults filled in: the answer to its registration.
    fn describe(&self) -> Value {
        let retry_after = self.retry_after.as_ref().map(|(given, _)| given.clone());
        if self.outage {
            return json!({"outage": true, "status": self.status, "retry_after": retry_after,
                "after": self.after.unwrap_or(0)});
        }
        let mut described = json!({"status": self.status, "times": self.times.unwrap_or(1),
            "retry_after": retry_after, "delay_ms": self.delay_ms, "body": self.body,
            "content_type": self.content_type});
        if let Some(members) = described.as_object_mut() {
            if self.token {
                members.insert("token".into(), json!(true));
            } else {
                members.insert("path".into(), json!(self.path));
                members.insert("method".into(), json!(self.method));
            }
        }
        described
    }
}

/// A fault's `path`: a request path from `/api/2` on, as `/__admin/requests` shows it, without
/// a query; a trailing `/` is dropped.
fn scope_path(path: &str) -> Result<String, String> {
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    let below_api = trimmed == "/api/2" || trimmed.starts_with("/api/2/");
    if !below_api {
        return Err(format!(
            "`path` must be a request's path from /api/2 on, as /__admin/requests shows it \
             (like /api/2/reports/ID), not {path:?}"
        ));
    }
    if trimmed.contains(['?', '#']) {
        return Err("`path` is matched without a query: leave out what follows `?`".into());
    }
    if is_token_path(trimmed) {
        return Err("token requests take a fault with \"token\": true, not a `path`".into());
    }
    Ok(trimmed.to_owned())
}

/// `POST /__admin/faults`.
fn add_fault(s: &mut State, req: &HttpRequest) -> Result<HttpResponse, HttpResponse> {
    let Value::Object(members) = json_of(req)? else {
        return Err(bad(
            "a fault is a JSON object, like {\"status\": 503, \"times\": 2}",
        ));
    };
    let fault = Fault::read(&members).map_err(bad)?;
    fault.register(s);
    Ok(HttpResponse::json(
        201,
        &json!({ "fault": fault.describe() }),
    ))
}

/// `DELETE /__admin/faults`: the faults and the outage, not the requests.
fn clear_faults(s: &mut State, req: &HttpRequest) -> Result<HttpResponse, HttpResponse> {
    no_body(req)?;
    let faults = s.clear_faults();
    let outage = s.outage.take().is_some();
    Ok(HttpResponse::json(
        200,
        &json!({"cleared": {"faults": faults, "outage": outage}}),
    ))
}

/// `DELETE /__admin/requests`: the requests kept, and the count of those dropped.
fn clear_requests(s: &mut State, req: &HttpRequest) -> Result<HttpResponse, HttpResponse> {
    no_body(req)?;
    let requests = s.requests.clear();
    Ok(HttpResponse::json(
        200,
        &json!({"cleared": {"requests": requests}}),
    ))
}

/// `POST /__admin/reset`: the faults, the outage and the requests, as WireMock's reset; the
/// reports, tokens and quirks stay.
fn reset(s: &mut State, req: &HttpRequest) -> Result<HttpResponse, HttpResponse> {
    no_body(req)?;
    let faults = s.clear_faults();
    let outage = s.outage.take().is_some();
    let requests = s.requests.clear();
    Ok(HttpResponse::json(
        200,
        &json!({"cleared": {"faults": faults, "outage": outage, "requests": requests}}),
    ))
}

/// `GET /__admin/requests`: every request kept, secrets redacted, and how many were dropped.
fn requests(s: &State) -> HttpResponse {
    let requests: Vec<Value> = s.requests.iter().map(recorded).collect();
    HttpResponse::json(
        200,
        &json!({"requests": requests, "dropped": s.requests.dropped}),
    )
}

/// A request as `/__admin/requests` shows it. Redacted: the credentials of `Authorization`
/// and `Proxy-Authorization` (their scheme, `Bearer` or `Basic`, stays), `Cookie`, and the
/// body and query of a request to the token endpoint (which may carry the client secret).
fn recorded(req: &HttpRequest) -> Value {
    let (path, query) = match req.target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (req.target.as_str(), None),
    };
    let secret_body = is_token_path(path);
    let mut headers = Map::new();
    for (name, value) in &req.headers {
        let value = redact(name, value);
        match headers.get_mut(name) {
            // A header sent twice is one list (RFC 9110).
            Some(Value::String(earlier)) => {
                earlier.push_str(", ");
                earlier.push_str(&value);
            }
            _ => {
                headers.insert(name.clone(), Value::String(value));
            }
        }
    }
    let (body, json) = if req.body.is_empty() {
        (Value::Null, Value::Null)
    } else if secret_body {
        (json!(REDACTED), Value::Null)
    } else {
        (
            json!(String::from_utf8_lossy(&req.body)),
            serde_json::from_slice(&req.body).unwrap_or(Value::Null),
        )
    };
    let query = match query {
        Some(_) if secret_body => Some(REDACTED),
        other => other,
    };
    json!({"method": req.method, "path": path, "query": query, "headers": headers,
        "body": body, "json": json})
}

/// A header's value as shown: credentials redacted.
fn redact(name: &str, value: &str) -> String {
    match name {
        "authorization" | "proxy-authorization" => {
            let scheme = value.split_once(' ').map_or("", |(scheme, _)| scheme);
            if ["bearer", "basic"].contains(&scheme.to_ascii_lowercase().as_str()) {
                format!("{scheme} {REDACTED}")
            } else {
                REDACTED.to_owned()
            }
        }
        "cookie" => REDACTED.to_owned(),
        _ => value.to_owned(),
    }
}

/// `POST /__admin/reports`: a report as the API shows it, or an array of them, stored as
/// `Emulator::add_report` stores one (replacing one with the same id). All or nothing.
fn add_reports(s: &mut State, req: &HttpRequest) -> Result<HttpResponse, HttpResponse> {
    let reports = match json_of(req)? {
        Value::Array(reports) => reports,
        report => vec![report],
    };
    let mut checked = Vec::with_capacity(reports.len());
    for (n, report) in reports.into_iter().enumerate() {
        let id = report
            .as_object()
            .and_then(|r| r.get("id"))
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .map(str::to_ascii_lowercase)
            .ok_or_else(|| {
                bad(format!(
                    "report {} is not an object with an `id` (a string): nothing was stored",
                    n + 1
                ))
            })?;
        checked.push((id, report));
    }
    let ids: Vec<String> = checked.iter().map(|(id, _)| id.clone()).collect();
    for (id, report) in checked {
        s.store(id, report);
    }
    Ok(HttpResponse::json(201, &json!({ "reports": ids })))
}

/// `POST /__admin/tenants`: a tenant (see `Emulator::add_tenants` for its members), or an
/// array of them, added to the tree (replacing those with their ids). All or nothing.
fn add_tenants(s: &mut State, req: &HttpRequest) -> Result<HttpResponse, HttpResponse> {
    let tenants = match json_of(req)? {
        Value::Array(tenants) => tenants,
        tenant => vec![tenant],
    };
    let nothing = |why: String| bad(format!("{why}: nothing was stored"));
    let read = crate::tenants::read_all(&tenants).map_err(nothing)?;
    let ids = s.add_tenants(read).map_err(nothing)?;
    Ok(HttpResponse::json(201, &json!({ "tenants": ids })))
}

/// `GET /__admin/tenants/{id}`: the tenant as `GET /tenants/{id}?allow_deleted=true`
/// answers it, faults or not.
fn tenant(s: &State, id: &str) -> Result<HttpResponse, HttpResponse> {
    let id = id.to_ascii_lowercase();
    s.tree
        .tenant_json(&id)
        .map(|tenant| HttpResponse::json(200, &tenant))
        .ok_or_else(|| error(404, &format!("no tenant {id}")))
}

/// `GET /__admin/reports/{id}`: the report as the emulator holds it, faults or not.
fn report(s: &State, id: &str) -> Result<HttpResponse, HttpResponse> {
    let id = id.to_ascii_lowercase();
    s.reports
        .get(&id)
        .map(|report| HttpResponse::json(200, report))
        .ok_or_else(|| error(404, &format!("no report {id}")))
}
