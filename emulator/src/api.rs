//! The API itself: requests routed to the reports, tokens, lifecycle and tenant endpoints,
//! answered as the vendor documents, faults first.

use serde_json::{Value, json};

use crate::bodies::{error_body, json_body, reason};
use crate::http::{HttpRequest, HttpResponse};
use crate::state::{Call, State};
use crate::{
    CLIENT_ID, CLIENT_SECRET, MONTHLY_REPORT_ID, ONCE_REPORT_ID, RECIPIENT_ID, TENANT_ID, TOKEN,
    lifecycle, schema, tenants,
};
use base64::Engine as _;

/// The reports an emulator starts with, unless told otherwise.
pub(crate) fn seed_reports() -> Vec<Value> {
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

/// Answers `req`: the faults that take it first (a delay, the outage, canned answers by
/// count), then the API.
pub(crate) fn handle(s: &mut State, req: &HttpRequest) -> HttpResponse {
    let call = Call::of(req);
    let delay = s.delays.take(&call);
    let mut answer = answer(s, req, &call);
    // A canned answer's own delay comes first.
    answer.delay = answer.delay.or(delay);
    answer
}

fn answer(s: &mut State, req: &HttpRequest, call: &Call<'_>) -> HttpResponse {
    if let Some(outage) = &mut s.outage {
        if outage.after == 0 {
            let status = outage.status;
            let mut response = error_body(status, reason(status), Some("the service is down"));
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
    if let Some(failure) = s.failures.take(call) {
        return failure;
    }
    if call.token {
        return issue_token(s, req);
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
    if let Some(fault) = segments
        .get(1)
        .filter(|_| segments.first() == Some(&"reports"))
        .and_then(|id| s.report_faults.get(*id))
    {
        return fault.clone();
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
        ("GET", ["reports", id, "stored", stored_id]) => lifecycle::download(
            s,
            id,
            stored_id,
            accepts_gzip(req.header_list("accept-encoding").as_deref()),
        ),
        ("GET", ["tenants"]) => tenants::list(&s.tree, query, s.tenant_page_size()),
        ("GET", ["tenants", id]) => tenants::get(&s.tree, id, query),
        ("GET", ["tenants", id, "children"]) => tenants::children(&s.tree, id, query),
        ("GET", ["tenants", tenant, "reports"]) => lifecycle::list(s, tenant),
        (_, ["tenants"] | ["tenants", _] | ["tenants", _, "children"]) => {
            error_body(405, "Method Not Allowed", None)
        }
        (_, ["reports", ..]) => error_body(405, "Method Not Allowed", None),
        _ => error_body(404, "Not Found", Some("no such endpoint")),
    }
}

/// Whether an `Accept-Encoding` header lets the answer be gzip-encoded, by RFC 9110: the q of
/// `gzip` (or `x-gzip`) when it is listed, else that of `*`, above 0. Without the header (or
/// with an empty one) the answer is sent as it is.
pub(crate) fn accepts_gzip(accept_encoding: Option<&str>) -> bool {
    let Some(header) = accept_encoding else {
        return false;
    };
    let (mut named, mut any) = (None, None);
    for item in header.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .find_map(|p| {
                let (name, value) = p.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("q")
                    .then(|| value.trim().parse::<f32>().unwrap_or(0.0))
            })
            .unwrap_or(1.0);
        match coding.as_str() {
            "gzip" | "x-gzip" => named = Some(named.map_or(q, |n: f32| n.max(q))),
            "*" => any = Some(q),
            _ => {}
        }
    }
    named.or(any).is_some_and(|q| q > 0.0)
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
    // `expires_on` as the reference lists it: the vendor's scripts save the answer and read
    // it back to decide when to renew.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    HttpResponse::json(
        200,
        &json!({"access_token": token, "token_type": "bearer", "id_token": "emu-id-token",
            "expires_in": s.token_lifetime, "expires_on": now.saturating_add(s.token_lifetime)}),
    )
}

fn update(s: &mut State, id: &str, req: &HttpRequest) -> HttpResponse {
    let patch = match json_body(req) {
        Ok(v) => v,
        Err(answer) => return answer,
    };
    if let Err(why) = schema::check_report_put(&patch) {
        return error_body(
            400,
            "The request body does not match reportPut",
            Some(why.message()),
        );
    }
    let quirks = s.quirks;
    let Some(report) = s.reports.get_mut(id) else {
        return error_body(404, "Report not found", None);
    };
    let tenant_of = |report: &Value| {
        report["parameters"]["tenant_id"]
            .as_str()
            .map(str::to_owned)
    };
    let old_tenant = tenant_of(report);
    if report["schedule"]["type"] != "monthly" {
        return error_body(400, "Only scheduled reports can be updated", None);
    }
    if !quirks.ignore_updates {
        if let Some(r) = patch.get("recipients") {
            report["recipients"] = r.clone();
        }
        if let Some(p) = patch.get("parameters").and_then(Value::as_object) {
            let Some(parameters) = report.get_mut("parameters").and_then(Value::as_object_mut)
            else {
                return error_body(500, "The stored report has no parameters object", None);
            };
            for (k, v) in p {
                parameters.insert(k.clone(), v.clone());
            }
        }
        if let Some(enabled) = patch.pointer("/schedule/enabled") {
            report["schedule"]["enabled"] = enabled.clone();
        }
        report["version"] = json!(report["version"].as_i64().unwrap_or(0) + 1);
    }
    let new_tenant = tenant_of(report);
    let answer = if quirks.put_answers_204 {
        HttpResponse::empty(204)
    } else {
        HttpResponse::json(200, report)
    };
    // The vendor's `reportPut` leaves `parameters` open: a patch may move the report.
    s.reindex(id, old_tenant, new_tenant);
    answer
}

#[cfg(test)]
mod tests {
    use super::accepts_gzip;

    #[test]
    fn gzip_is_sent_only_where_accept_encoding_allows_it() {
        for (header, gzip) in [
            (None, false),
            (Some(""), false),
            (Some("gzip"), true),
            (Some("deflate, gzip"), true),
            (Some("GZIP;q=0.5"), true),
            (Some("x-gzip"), true),
            (Some("*"), true),
            (Some("identity"), false),
            (Some("gzip;q=0"), false),
            (Some("gzip;Q=0, identity"), false),
            (Some("gzip;q=0, *"), false),
            (Some("*;q=0, gzip"), true),
            (Some("*;q=0"), false),
            (Some("br, zstd"), false),
        ] {
            assert_eq!(accepts_gzip(header), gzip, "{header:?}");
        }
    }
}
