//! The report lifecycle endpoints: list a tenant's reports, create, delete, stored files and
//! their download.

use std::io::Write;

use serde_json::{Value, json};

use crate::TENANT_ID;
use crate::bodies::{error_body, json_body};
use crate::http::{HttpRequest, HttpResponse};
use crate::schema::{check_report_post, loose_bool};
use crate::state::{State, StoredFile};

/// The content of every generated file: CSV rows up to `size` bytes.
pub(crate) fn file_content(report_id: &str, size: usize) -> Vec<u8> {
    let mut out = b"report_id,row,metric,value\n".to_vec();
    let mut row = 0u64;
    while out.len() < size {
        let line = format!("{report_id},{row},storage_gb,{}\n", (row * 7919) % 1000);
        out.extend_from_slice(line.as_bytes());
        row += 1;
    }
    out.truncate(size);
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

/// A fresh id, different for every call.
fn new_id(s: &mut State) -> String {
    s.ids_made += 1;
    let n = s.ids_made;
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        0x5eed_0000 + n,
        n & 0xffff,
        n & 0xfff,
        (n * 7) & 0xfff,
        n * 0x1_0001
    )
}

pub(crate) fn list(s: &State, tenant: &str) -> HttpResponse {
    let ids = s.report_ids_of(tenant);
    if ids.is_empty()
        && tenant != TENANT_ID
        && !s.tenants.contains(tenant)
        && !s.tree.contains(tenant)
    {
        return error_body(404, "Tenant not found", None);
    }
    HttpResponse::json(200, &json!({ "items": ids }))
}

pub(crate) fn create(s: &mut State, req: &HttpRequest) -> HttpResponse {
    let body = match json_body(req) {
        Ok(v) => v,
        Err(answer) => return answer,
    };
    if let Err(why) = check_report_post(&body) {
        return error_body(
            400,
            "The request body does not match reportPost",
            Some(why.message()),
        );
    }
    if s.quirks.usage_not_ready {
        return error_body(
            400,
            "Usage history is not ready yet",
            Some("try again after 6 am"),
        );
    }
    let id = new_id(s);
    let p = &body["parameters"];
    let formats = p.get("formats").cloned().unwrap_or_else(|| json!(["csv"]));
    let period = p
        .get("period")
        .cloned()
        .unwrap_or_else(|| json!({"start": "2026-10-01", "end": "2026-10-31"}));
    // What the request may leave out or give loosely, answered as the schema has it.
    let recipients = body.get("recipients").cloned().unwrap_or_else(|| json!([]));
    let flag = |k: &str| p.get(k).and_then(loose_bool).unwrap_or(false);
    let report = json!({
        "id": id, "version": 1, "result_action": body["result_action"], "recipients": recipients,
        "parameters": {"tenant_id": p["tenant_id"], "level": p["level"], "kind": p["kind"],
            "formats": formats, "period": period,
            "hide_zero_usage": flag("hide_zero_usage"), "show_skus": flag("show_skus")},
        "schedule": {"type": body["schedule"]["type"],
            "enabled": body["schedule"].get("enabled").cloned().unwrap_or(json!(true))},
        "generation_date": body.get("generation_date").cloned().unwrap_or(json!("2026-11-26")),
    });
    if body["result_action"] == "save" {
        let content = gzip(&file_content(&id, s.file_size));
        let (polls_left, failed) = (s.polls_before_saved, s.quirks.generation_fails);
        let mut files = Vec::new();
        for format in formats.as_array().into_iter().flatten() {
            let format = format.as_str().unwrap_or("csv").to_owned();
            // The usage formats hold usage; the others, rows of the configured size.
            let tenant = p["tenant_id"].as_str().unwrap_or_default();
            let (begin, end) = (
                period["start"].as_str().unwrap_or_default(),
                period["end"].as_str().unwrap_or_default(),
            );
            let gzipped = crate::usage::content(&format, tenant, begin, end)
                .map_or_else(|| content.clone(), |usage| gzip(&usage));
            files.push(StoredFile {
                id: new_id(s),
                format,
                polls_left,
                failed,
                gzipped,
            });
        }
        s.stored.insert(id.clone(), files);
    }
    s.store(id, report.clone());
    HttpResponse::json(200, &report)
}

pub(crate) fn delete(s: &mut State, id: &str, query: Option<&str>) -> HttpResponse {
    let version = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|kv| kv.strip_prefix("version="))
        .and_then(|v| v.parse::<i64>().ok());
    let Some(version) = version else {
        return error_body(400, "The version query parameter is required", None);
    };
    let Some(report) = s.reports.get(id) else {
        return error_body(404, "Report not found", None);
    };
    if report["version"].as_i64() != Some(version) {
        return error_body(
            409,
            "The report has another version",
            Some("fetch it again"),
        );
    }
    s.remove_report(id);
    HttpResponse::empty(204)
}

pub(crate) fn stored(s: &mut State, id: &str) -> HttpResponse {
    if !s.reports.contains_key(id) {
        return error_body(404, "Report not found", None);
    }
    let files = s.stored.entry(id.to_owned()).or_default();
    let items: Vec<Value> = files
        .iter_mut()
        .map(|f| {
            let status = if f.polls_left > 0 {
                f.polls_left -= 1;
                "in_progress"
            } else if f.failed {
                "failed"
            } else {
                "saved"
            };
            json!({"id": f.id, "report_format": f.format, "size": f.gzipped.len(),
                "created_at": "2026-11-26T10:00:00", "status": status})
        })
        .collect();
    HttpResponse::json(200, &json!({ "items": items }))
}

/// A stored file: its gzip bytes, as `Content-Encoding: gzip` to a client that accepts gzip
/// (so that curl `--compressed`, `requests` and ureq decode it, as the live API serves it),
/// and as the bytes themselves to one that does not.
pub(crate) fn download(s: &State, id: &str, stored_id: &str, gzip_accepted: bool) -> HttpResponse {
    let file = s
        .stored
        .get(id)
        .into_iter()
        .flatten()
        .find(|f| f.id == stored_id);
    match file {
        Some(f) if f.polls_left == 0 && !f.failed => {
            let mut headers = vec![("Content-Type".into(), "application/octet-stream".into())];
            if gzip_accepted {
                headers.push(("Content-Encoding".into(), "gzip".into()));
            }
            HttpResponse {
                status: 200,
                headers,
                body: f.gzipped.clone(),
                delay: None,
            }
        }
        Some(_) => error_body(404, "The file is not ready", None),
        None => error_body(404, "Stored report not found", None),
    }
}
