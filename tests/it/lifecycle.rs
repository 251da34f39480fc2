//! The rest of the reports API: list, create, delete, stored files, waiting and download.
#![cfg(feature = "ureq")]

use crate::common;

use std::io::Write;
use std::time::Duration;

use acronis_reports::usage::UsageFormat;
use acronis_reports::{
    BillingOptions, Client, Date, Error, Field, InputKind, Level, NewReport, ReportFormat,
    ReportId, ReportKind, ResultAction, RetryPolicy, StoredStatus, TenantId,
};
use acronis_reports_emulator::{
    Emulator, MONTHLY_REPORT_ID, ONCE_REPORT_ID, Quirks, TENANT_ID, TOKEN,
};
use common::{ID, OTHER_ID, TOKEN as MOCK_TOKEN, USER_A, client, report_json};
use mockito::{Matcher, Server};
use serde_json::json;

fn emulator_client(emulator: &Emulator) -> Client {
    common::emulator_builder(emulator)
        .poll_interval(Duration::from_millis(5))
        .retry_policy(RetryPolicy::new().base_delay(Duration::from_millis(1)))
        .build()
        .unwrap()
}

/// Creates the simplest report: a one-time daily usage report of the tenant, saved.
fn create_daily(c: &Client) -> acronis_reports::Report {
    c.create_report(&NewReport::new(
        tenant(),
        Level::Accounts,
        ReportKind::UsageDaily,
    ))
    .unwrap()
}

fn tenant() -> TenantId {
    TENANT_ID.parse().unwrap()
}

fn last_month() -> (Date, Date) {
    ("2026-10-01".parse().unwrap(), "2026-10-31".parse().unwrap())
}

#[test]
fn list_report_ids_reads_the_tenants_ids() {
    let mut server = Server::new();
    let m = server
        .mock(
            "GET",
            format!("/api/2/tenants/{TENANT_ID}/reports").as_str(),
        )
        .match_header("authorization", format!("Bearer {MOCK_TOKEN}").as_str())
        .with_body(json!({"items": [ID, OTHER_ID]}).to_string())
        .create();
    let ids = client(&server.url())
        .list_report_ids(TENANT_ID.to_uppercase())
        .unwrap();
    m.assert();
    assert_eq!(
        ids,
        [ID.parse::<ReportId>().unwrap(), OTHER_ID.parse().unwrap()]
    );

    let mut server = Server::new();
    server
        .mock(
            "GET",
            format!("/api/2/tenants/{TENANT_ID}/reports").as_str(),
        )
        .with_body(json!({"items": [ID, "not-a-uuid"]}).to_string())
        .create();
    let err = client(&server.url())
        .list_report_ids(TENANT_ID)
        .unwrap_err();
    let Error::Decode { error, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (error.what, error.path.as_str()),
        ("report id list", "items[1]")
    );

    let err = client(&server.url()).list_report_ids("../x").unwrap_err();
    common::assert_invalid_input(&err, InputKind::Id);
}

#[test]
fn the_reports_iterator_yields_each_result_and_goes_on() {
    let mut server = Server::new();
    server
        .mock(
            "GET",
            format!("/api/2/tenants/{TENANT_ID}/reports").as_str(),
        )
        .with_body(json!({"items": [ID, OTHER_ID, ONCE_REPORT_ID]}).to_string())
        .create();
    server
        .mock("GET", format!("/api/2/reports/{ID}").as_str())
        .with_body(report_json(ID, true).to_string())
        .create();
    server
        .mock("GET", format!("/api/2/reports/{OTHER_ID}").as_str())
        .with_status(404)
        .with_body(r#"{"error": {"code": 404, "message": "Report not found", "domain": null, "details": {"info": null}}}"#)
        .create();
    server
        .mock("GET", format!("/api/2/reports/{ONCE_REPORT_ID}").as_str())
        .with_body(report_json(ONCE_REPORT_ID, false).to_string())
        .create();
    let reports = client(&server.url()).reports(TENANT_ID).unwrap();
    assert_eq!(reports.len(), 3);
    let results: Vec<_> = reports.collect();
    assert_eq!(results[0].as_ref().unwrap().id.to_string(), ID);
    assert_eq!(results[1].as_ref().unwrap_err().status(), Some(404));
    assert!(!results[2].as_ref().unwrap().schedule.enabled);
}

#[test]
fn create_sends_the_minimal_body_and_verifies_the_result() {
    let mut server = Server::new();
    let (start, end) = last_month();
    let request = NewReport::new(tenant(), Level::Accounts, ReportKind::UsageSummary)
        .send_to([USER_A.parse().unwrap()])
        .monthly()
        .formats([ReportFormat::Csv])
        .period(start, end);
    let mut created = report_json(ID, true);
    created["parameters"]["tenant_id"] = json!(TENANT_ID);
    created["parameters"]["period"] = json!({"start": "2026-10-01", "end": "2026-10-31"});
    let m = server
        .mock("POST", "/api/2/reports")
        .match_header("content-type", "application/json")
        .match_body(Matcher::Exact(format!(
            r#"{{"recipients":["{USER_A}"],"result_action":"send","parameters":{{"tenant_id":"{TENANT_ID}","level":"accounts","kind":"usage_summary","formats":["csv"],"period":{{"start":"2026-10-01","end":"2026-10-31"}}}},"schedule":{{"type":"monthly"}}}}"#
        )))
        .with_body(created.to_string())
        .create();
    let report = client(&server.url()).create_report(&request).unwrap();
    m.assert();
    assert_eq!(report.result_action, ResultAction::Send);

    // The server created something else: a mismatch naming the member.
    let mut server = Server::new();
    created["parameters"]["level"] = json!("itself");
    server
        .mock("POST", "/api/2/reports")
        .with_body(created.to_string())
        .create();
    let err = client(&server.url()).create_report(&request).unwrap_err();
    let Error::Mismatch {
        mismatch,
        call,
        report,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    // The report was made all the same: the error holds it.
    assert_eq!(report.id.to_string(), ID);
    assert_eq!(
        mismatch.fields.iter().map(|f| f.field).collect::<Vec<_>>(),
        [Field::Level]
    );
    assert_eq!(
        (
            call.endpoint.method().as_str(),
            call.endpoint.path().as_str()
        ),
        ("POST", "/reports")
    );
}

#[test]
fn create_validation_refuses_bad_input_before_sending() {
    let mut server = Server::new();
    let nothing = server.mock("POST", Matcher::Any).expect(0).create();
    let c = client(&server.url());
    let future = Date::today_utc();
    let next_year = Date::new(future.year() + 1, 1, 1).unwrap();
    for (request, field) in [
        (
            NewReport::new(tenant(), Level::Accounts, ReportKind::UsageDaily).send_to([]),
            "recipients",
        ),
        (
            NewReport::new(tenant(), Level::Accounts, ReportKind::UsageDaily)
                .period(future, next_year),
            "period",
        ),
        (
            NewReport::new(tenant(), Level::Accounts, ReportKind::UsageDaily)
                .period("2026-10-31".parse().unwrap(), "2026-10-01".parse().unwrap()),
            "period",
        ),
    ] {
        let err = c.create_report(&request).unwrap_err();
        assert_eq!(err.kind(), acronis_reports::ErrorKind::InvalidInput);
        // The validation's own error, as data.
        let Error::InvalidReport(invalid) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(invalid.field, field);
        assert!(
            err.to_string()
                .starts_with(&format!("invalid new report: {field}: ")),
            "{err}"
        );
    }
    nothing.assert();
}

#[test]
fn a_create_is_not_retried() {
    let mut server = Server::new();
    let m = server
        .mock("POST", "/api/2/reports")
        .with_status(503)
        .expect(1)
        .create();
    let c = Client::builder()
        .base_url(format!("{}/api/2", server.url()))
        .bearer_token(MOCK_TOKEN)
        .transport(common::loopback_transport())
        .retry_policy(
            RetryPolicy::new()
                .max_retries(3)
                .base_delay(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let err = c
        .create_report(&NewReport::new(
            tenant(),
            Level::Accounts,
            ReportKind::UsageDaily,
        ))
        .unwrap_err();
    m.assert();
    assert_eq!((err.status(), err.attempts()), (Some(503), 1));
}

#[test]
fn usage_history_not_ready_is_recognisable() {
    let emulator = Emulator::start().unwrap();
    emulator.set_quirks(Quirks::new().usage_not_ready(true));
    let err = emulator_client(&emulator)
        .create_report(&NewReport::new(
            tenant(),
            Level::Accounts,
            ReportKind::UsageDaily,
        ))
        .unwrap_err();
    assert!(err.is_usage_history_not_ready(), "{err}");
    assert_eq!(err.status(), Some(400));
    // Other 400s are not that.
    let emulator = Emulator::start().unwrap();
    let err = emulator_client(&emulator)
        .disable_report(ONCE_REPORT_ID)
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(!err.is_usage_history_not_ready());
}

#[test]
fn delete_sends_the_version_and_expects_204() {
    let mut server = Server::new();
    let m = server
        .mock("DELETE", format!("/api/2/reports/{ID}").as_str())
        .match_query(Matcher::Exact("version=1559561146223".into()))
        .with_status(204)
        .create();
    client(&server.url())
        .delete_report(ID, 1_559_561_146_223)
        .unwrap();
    m.assert();

    let emulator = Emulator::start().unwrap();
    let c = emulator_client(&emulator);
    let err = c.delete_report(MONTHLY_REPORT_ID, 1).unwrap_err();
    assert_eq!(err.status(), Some(409));
    let version = c.get_report(MONTHLY_REPORT_ID).unwrap().version;
    c.delete_report(MONTHLY_REPORT_ID, version).unwrap();
    assert_eq!(
        c.get_report(MONTHLY_REPORT_ID).unwrap_err().status(),
        Some(404)
    );
}

#[test]
fn stored_reports_are_typed() {
    let mut server = Server::new();
    server
        .mock("GET", format!("/api/2/reports/{ID}/stored").as_str())
        .with_body(
            json!({"items": [
                {"id": OTHER_ID, "report_format": "csv_v2_0", "size": 2048, "created_at": "2026-11-26T06:00:00Z", "status": "saved"},
                {"id": USER_A, "report_format": "html", "size": 0, "created_at": "2026-11-26T06:00:00", "status": "in_progress"}
            ]})
            .to_string(),
        )
        .create();
    let files = client(&server.url()).stored_reports(ID).unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0].id, Some(OTHER_ID.parse().unwrap()));
    assert_eq!(
        (files[0].report_format.clone(), files[0].size),
        (ReportFormat::CsvV2, Some(2048))
    );
    assert_eq!(
        (files[0].status.clone(), files[1].status.clone()),
        (StoredStatus::Saved, StoredStatus::InProgress)
    );
    assert_eq!(files[1].created_at.to_string(), "2026-11-26T06:00:00");
    // The same instant (no offset is read as UTC); an explicit offset sorts after.
    assert!(files[0].created_at > files[1].created_at);
}

#[test]
fn create_wait_download_end_to_end() {
    let emulator = Emulator::start().unwrap();
    emulator.set_polls_before_saved(2);
    emulator.set_file_size(5 * 1024 * 1024);
    let c = emulator_client(&emulator);
    let (start, end) = last_month();
    let report = c
        .create_report(
            &NewReport::new(tenant(), Level::AllCustomers, ReportKind::UsageDaily)
                .formats([ReportFormat::Csv])
                .period(start, end),
        )
        .unwrap();
    let id = report.id;
    let saved = c
        .wait_for_stored_report(id, Duration::from_secs(10))
        .unwrap();
    assert_eq!(saved.status, StoredStatus::Saved);
    let polls = emulator
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/stored"))
        .count();
    assert_eq!(polls, 3, "in_progress twice, then saved");

    let mut recorder = ChunkRecorder::default();
    let written = c.download_stored_report(id, &saved, &mut recorder).unwrap();
    // Streamed: the writer got the file in many small pieces, never whole.
    assert!(
        recorder.writes > 50 && recorder.largest <= 64 * 1024,
        "{} writes, largest {}",
        recorder.writes,
        recorder.largest
    );
    let file = recorder.data;
    let expected = Emulator::file_content(id, 5 * 1024 * 1024);
    assert_eq!(written, expected.len() as u64);
    assert!(
        file == expected,
        "the downloaded file differs from the generated one"
    );
    assert!(saved.size.unwrap() < written, "served compressed");
}

#[test]
fn failed_generation_and_waiting_too_long() {
    let emulator = Emulator::start().unwrap();
    emulator.set_quirks(Quirks::new().generation_fails(true));
    let c = emulator_client(&emulator);
    let report = create_daily(&c);
    let err = c
        .wait_for_stored_report(&report, Duration::from_secs(10))
        .unwrap_err();
    let Error::GenerationFailed {
        report_id, stored, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*report_id, report.id);
    assert_eq!(stored.status, StoredStatus::Failed);

    let emulator = Emulator::start().unwrap();
    emulator.set_polls_before_saved(u32::MAX);
    let c = emulator_client(&emulator);
    let report = create_daily(&c);
    let err = c
        .wait_for_stored_report(&report, Duration::from_millis(50))
        .unwrap_err();
    let Error::WaitTimeout {
        report_id, waited, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*report_id, report.id);
    assert!(*waited >= Duration::from_millis(50));
}

/// A writer that keeps what it gets and how it got it.
#[derive(Default)]
struct ChunkRecorder {
    data: Vec<u8>,
    writes: usize,
    largest: usize,
}

impl Write for ChunkRecorder {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writes += 1;
        self.largest = self.largest.max(buf.len());
        self.data.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn waiting_goes_on_through_service_trouble() {
    let emulator = Emulator::start().unwrap();
    let c = emulator_client(&emulator);
    let report = create_daily(&c);
    // The first look fails three times (the first try and both retries).
    emulator.fail_next(3, 503, None);
    let saved = c
        .wait_for_stored_report(&report, Duration::from_secs(10))
        .unwrap();
    assert_eq!(saved.status, StoredStatus::Saved);
    let looks = emulator
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/stored"))
        .count();
    assert_eq!(looks, 5, "3 failed, then in_progress, then saved");

    let err = Client::builder()
        .base_url(emulator.base_url())
        .bearer_token(TOKEN)
        .poll_interval(Duration::ZERO)
        .build()
        .unwrap_err();
    common::assert_invalid_input(&err, InputKind::Settings);
}

/// A writer that fails after taking `left` bytes.
struct FailingWriter {
    left: usize,
}

impl Write for FailingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "disk full",
            ));
        }
        let n = buf.len().min(self.left);
        self.left -= n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn download_errors_say_whose_fault() {
    let path = format!("/api/2/reports/{ID}/stored/{OTHER_ID}");
    // The writer's failure.
    let mut server = Server::new();
    server
        .mock("GET", path.as_str())
        .with_body(vec![b'x'; 100_000])
        .create();
    let err = client(&server.url())
        .download_stored_report(ID, OTHER_ID, FailingWriter { left: 10 })
        .unwrap_err();
    let Error::Write { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(source.kind(), std::io::ErrorKind::StorageFull);

    // A corrupt gzip stream.
    let mut server = Server::new();
    let mut corrupt = vec![0x1f, 0x8b, 0x08, 0x00];
    corrupt.extend_from_slice(&[0xff; 64]);
    server
        .mock("GET", path.as_str())
        .with_body(corrupt)
        .create();
    let err = client(&server.url())
        .download_stored_report(ID, OTHER_ID, Vec::new())
        .unwrap_err();
    let Error::Decode { error, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(
        error.message.starts_with("the gzip stream is corrupt"),
        "{}",
        error.message
    );

    // A body that is not gzip is written as it came; ids are checked first.
    let mut server = Server::new();
    server
        .mock("GET", path.as_str())
        .with_body("plain,csv\n")
        .create();
    let mut out = Vec::new();
    assert_eq!(
        client(&server.url())
            .download_stored_report(ID, OTHER_ID, &mut out)
            .unwrap(),
        10
    );
    assert_eq!(out, b"plain,csv\n");
    let err = client(&server.url())
        .download_stored_report(ID, "x/../y", Vec::new())
        .unwrap_err();
    common::assert_invalid_input(&err, InputKind::Id);
}

#[test]
fn a_download_sent_with_content_encoding_gzip_is_decoded_once() {
    let content = b"tenant,usage\n".repeat(10_000);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&content).unwrap();
    let mut server = Server::new();
    server
        .mock(
            "GET",
            format!("/api/2/reports/{ID}/stored/{OTHER_ID}").as_str(),
        )
        .with_header("content-encoding", "gzip")
        .with_header("content-type", "application/octet-stream")
        .with_body(gz.finish().unwrap())
        .create();
    let mut out = Vec::new();
    let n = client(&server.url())
        .download_stored_report(ID, OTHER_ID, &mut out)
        .unwrap();
    assert_eq!(n, content.len() as u64);
    assert!(out == content);
}

#[test]
fn every_new_request_conforms_to_the_vendor_schema() {
    let validator = common::schema_validator("reportPost");
    let emulator = Emulator::start().unwrap();
    let c = emulator_client(&emulator);
    let (start, end) = last_month();
    for request in [
        NewReport::new(tenant(), Level::Accounts, ReportKind::UsageDaily),
        NewReport::new(tenant(), Level::Itself, ReportKind::UsageBreakdown)
            .send_to([USER_A.parse().unwrap()])
            .monthly()
            .enabled(false)
            .formats([ReportFormat::JsonV2, ReportFormat::Html])
            .period(start, end)
            .hide_zero_usage(true)
            .show_skus(true)
            .generation_date("2026-11-01".parse().unwrap()),
    ] {
        c.create_report(&request).unwrap();
    }
    let posts: Vec<_> = emulator
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(posts.len(), 2);
    for post in posts {
        let body: serde_json::Value = serde_json::from_slice(&post.body).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{body}: {errors:?}");
    }
}

#[test]
fn stored_usage_tells_the_network_from_the_content() {
    use std::io::Write as _;
    let usage =
        Emulator::usage_content("json_v2_0", TENANT_ID, "2026-10-01", "2026-10-31").unwrap();
    let path = format!("/api/2/reports/{ID}/stored/{OTHER_ID}");

    // A body cut off by the server, mid-item: the network's failure, not the file's.
    let cut = usage[..usage.len() / 2].to_vec();
    let server = common::raw::RawServer::start(1, move |_, mut stream| {
        common::raw::read_request(&mut stream);
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
            cut.len() * 2
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(&cut);
        // Closed with half the promised bytes sent.
    });
    let c = client(&server.url());
    let results: Vec<_> = c.stored_usage(ID, OTHER_ID).unwrap().collect();
    let last = results.last().unwrap().as_ref().unwrap_err();
    assert!(
        matches!(last, Error::Transport { .. } | Error::Timeout { .. }),
        "{last:?}"
    );
    assert!(results[..results.len() - 1].iter().all(Result::is_ok));

    // A corrupt gzip stream, and content that is not a usage file: the file's.
    for (body, says) in [
        (
            [&[0x1f, 0x8b, 0x08, 0x00][..], &[0xff; 64]].concat(),
            "reading the file failed",
        ),
        (
            b"id,name\n1,x\n".to_vec(),
            "this is not a csv_v2_0 usage file",
        ),
    ] {
        let mut server = Server::new();
        server.mock("GET", path.as_str()).with_body(body).create();
        let c = client(&server.url());
        let err = match c.stored_usage(ID, OTHER_ID) {
            Err(e) => e,
            Ok(mut records) => records.next().unwrap().unwrap_err(),
        };
        let Error::Usage(usage) = &err else {
            panic!("{err:?}")
        };
        assert!(usage.to_string().contains(says), "{usage}");
    }
}

#[test]
fn the_billing_recipe_deletes_its_report_even_when_reading_fails() {
    let emulator = Emulator::start().unwrap();
    emulator.set_polls_before_saved(0);
    let c = emulator_client(&emulator);
    let (start, end) = last_month();
    let report = c
        .billing_report(TENANT_ID, start, end, &BillingOptions::new())
        .unwrap();
    assert_eq!(report.records, 6);
    assert!(report.deleted && report.delete_error.is_none());
    assert!(!emulator.has_report(report.report.id));
    assert_eq!(report.file.report_format, ReportFormat::CsvV2);
    assert_eq!(report.totals.len(), 6);

    // The file cannot be generated: the error, and the report deleted all the same.
    emulator.set_quirks(Quirks::new().generation_fails(true));
    let err = c
        .billing_report(TENANT_ID, start, end, &BillingOptions::new())
        .unwrap_err();
    let Error::GenerationFailed { report_id, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(!emulator.has_report(report_id));
    // Kept when asked.
    emulator.set_quirks(Quirks::new());
    let kept = c
        .billing_report(
            TENANT_ID,
            start,
            end,
            &BillingOptions::new()
                .keep_report(true)
                .format(UsageFormat::JsonV2),
        )
        .unwrap();
    assert!(!kept.deleted);
    assert!(emulator.has_report(kept.report.id));
    assert_eq!(kept.file.report_format, ReportFormat::JsonV2);
}

/// The built-in transport, recording the `Accept-Encoding` each request came with from the
/// client; with `identity`, it then asks for no content coding, as a transport without gzip
/// support would (the emulator serves the stored gzip bytes without `Content-Encoding`).
struct Recording {
    identity: bool,
    seen: std::sync::Mutex<Vec<Option<String>>>,
    inner: acronis_reports::transport::UreqTransport,
}

impl acronis_reports::transport::Transport for &Recording {
    fn send(
        &self,
        mut request: acronis_reports::transport::Request,
    ) -> Result<acronis_reports::transport::Response, acronis_reports::transport::TransportError>
    {
        let given = request.header("accept-encoding").map(str::to_owned);
        self.seen.lock().unwrap().push(given);
        if self.identity {
            request.set_header("accept-encoding", "identity");
        }
        self.inner.send(request)
    }
}

#[test]
fn a_stored_file_downloads_alike_content_encoded_or_not() {
    for gzip_accepted in [true, false] {
        let emulator = Emulator::start().unwrap();
        emulator.set_polls_before_saved(0);
        let transport: &'static Recording = Box::leak(Box::new(Recording {
            identity: !gzip_accepted,
            seen: Default::default(),
            inner: common::loopback_transport(),
        }));
        let c = Client::builder()
            .base_url(emulator.base_url())
            .bearer_token(TOKEN)
            .transport(transport)
            .build()
            .unwrap();
        let (start, end) = last_month();
        let report = c
            .create_report(
                &NewReport::new(tenant(), Level::AllCustomers, ReportKind::UsageSummary)
                    .formats([ReportFormat::CsvV2])
                    .period(start, end),
            )
            .unwrap();
        let saved = c
            .wait_for_stored_report(report.id, Duration::from_secs(10))
            .unwrap();
        let mut file = Vec::new();
        c.download_stored_report(report.id, &saved, &mut file)
            .unwrap();
        let expected =
            Emulator::usage_content("csv_v2_0", TENANT_ID, &start.to_string(), &end.to_string())
                .unwrap();
        assert!(file == expected, "gzip accepted: {gzip_accepted}");
        // What the server saw: JSON asked for on every call, a file and gzip on the download.
        let requests = emulator.requests();
        let download = requests.last().unwrap();
        assert!(download.path.contains("/stored/"), "{}", download.path);
        assert_eq!(download.header("accept"), Some("*/*"));
        assert_eq!(
            download.header("accept-encoding"),
            Some(if gzip_accepted { "gzip" } else { "identity" })
        );
        for r in &requests[..requests.len() - 1] {
            assert_eq!(r.header("accept"), Some("application/json"), "{}", r.path);
        }
        // The client asks for gzip itself, whatever the transport adds: on the download only.
        let seen = transport.seen.lock().unwrap();
        assert_eq!(seen.last().unwrap().as_deref(), Some("gzip"));
        assert!(
            seen[..seen.len() - 1].iter().all(Option::is_none),
            "{seen:?}"
        );
    }
}

#[test]
fn statuses_the_vendor_does_not_document_are_worded_as_likely() {
    let emulator = Emulator::start().unwrap();
    let c = emulator_client(&emulator);
    let gone = "00000000-0000-4000-8000-00000000dead";
    let text = c.delete_report(gone, 1).unwrap_err().to_string();
    assert!(
        text.contains("the vendor documents no 404 here: the report probably no longer exists"),
        "{text}"
    );
    let text = c.stored_reports(gone).unwrap_err().to_string();
    assert!(
        text.contains("the vendor documents no 404 here: the report or its file probably"),
        "{text}"
    );
    let text = c
        .delete_report(MONTHLY_REPORT_ID, 1)
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("the vendor documents no 409 here; probably the version given"),
        "{text}"
    );
    // A create has no id to check: a 404 there is about the base URL.
    emulator.fail_next(1, 404, None);
    let text = c
        .create_report(&NewReport::new(
            tenant(),
            Level::Itself,
            ReportKind::UsageDaily,
        ))
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("check that the base URL names the right data centre and ends in /api/2"),
        "{text}"
    );
}

#[test]
fn a_stored_list_without_items_or_ids_is_read() {
    let mut server = Server::new();
    let path = format!("/api/2/reports/{ID}/stored");
    let _empty = server.mock("GET", path.as_str()).with_body("{}").create();
    assert!(client(&server.url()).stored_reports(ID).unwrap().is_empty());
    let mut server = Server::new();
    let _no_id = server
        .mock("GET", path.as_str())
        .with_body(
            r#"{"items": [{"report_format": "csv_v2_0", "created_at": "2026-11-26T10:00:00", "status": "in_progress"}]}"#,
        )
        .create();
    let files = client(&server.url()).stored_reports(ID).unwrap();
    assert_eq!((files.len(), files[0].id), (1, None));
    assert_eq!(files[0].status, StoredStatus::InProgress);
}

#[test]
fn a_404_after_a_retry_is_done_only_when_an_answer_was_lost() {
    let emulator = Emulator::start().unwrap();
    let c = emulator_client(&emulator);
    // An error answer (503), then 404: the report was never there.
    let gone = "00000000-0000-4000-8000-0000000000aa";
    emulator.fail_next(1, 503, Some("0"));
    let err = c.delete_report(gone, 1).unwrap_err();
    assert_eq!((err.status(), err.attempts()), (Some(404), 2), "{err}");
    // No answer to the first attempt (applied, its answer late), then 404: done.
    let c = Client::builder()
        .base_url(emulator.base_url())
        .bearer_token(TOKEN)
        .timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::new().base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    let version = c.get_report(MONTHLY_REPORT_ID).unwrap().version;
    emulator.delay_next(1, Duration::from_secs(3));
    c.delete_report(MONTHLY_REPORT_ID, version).unwrap();
    assert!(!emulator.has_report(MONTHLY_REPORT_ID));
    let deletes = emulator
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .count();
    assert_eq!(
        deletes, 4,
        "503 and 404; then the one whose answer was lost, and its retry"
    );
}

#[test]
fn an_id_listed_twice_is_one_report() {
    let mut server = Server::new();
    let _list = server
        .mock(
            "GET",
            "/api/2/tenants/2a91a14d-ffd3-4ac1-9b4d-3990162c5acc/reports",
        )
        .with_body(format!(r#"{{"items": ["{ID}", "{OTHER_ID}", "{ID}"]}}"#))
        .create();
    let ids = client(&server.url())
        .list_report_ids("2a91a14d-ffd3-4ac1-9b4d-3990162c5acc")
        .unwrap();
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    assert_eq!(ids, [ID, OTHER_ID]);
}

#[test]
fn a_create_whose_connection_broke_says_the_report_may_exist() {
    // The server reads the create, then drops the connection without a word.
    let server = common::raw::RawServer::start(1, |_, mut stream| {
        common::raw::read_request(&mut stream);
        let _ = stream.shutdown(std::net::Shutdown::Both);
    });
    let err = client(&server.url())
        .create_report(&NewReport::new(
            tenant(),
            Level::Itself,
            ReportKind::UsageDaily,
        ))
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("the report may have been created: list the tenant's reports"),
        "{text}"
    );
    // A connection refused: nothing went out, and the message does not claim otherwise.
    let text = client(&common::raw::closed_url())
        .create_report(&NewReport::new(
            tenant(),
            Level::Itself,
            ReportKind::UsageDaily,
        ))
        .unwrap_err()
        .to_string();
    assert!(!text.contains("may have been created"), "{text}");
}

#[test]
fn a_file_that_keeps_arriving_is_never_cut_off_and_a_stall_is() {
    use std::io::Write as _;
    const PIECE: usize = 32 * 1024;
    const PIECES: usize = 32;
    // 1 MiB in 32 pieces, one every 60 ms: about 2 s in all, five times the client's
    // 300 ms limit. Connection 1 stalls after half the file.
    let server = common::raw::RawServer::start(2, |n, mut stream| {
        common::raw::read_request(&mut stream);
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            PIECE * PIECES
        );
        let _ = stream.write_all(head.as_bytes());
        for i in 0..PIECES {
            if n == 1 && i == PIECES / 2 {
                // Stops sending, the connection open: until the client gives up.
                let mut rest = Vec::new();
                let _ = std::io::Read::read_to_end(&mut stream, &mut rest);
                return;
            }
            if stream.write_all(&[b'x'; PIECE]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(60));
        }
    });
    let c = common::client_builder(&server.url())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let mut file = Vec::new();
    let n = c.download_stored_report(ID, OTHER_ID, &mut file).unwrap();
    assert_eq!(n, (PIECE * PIECES) as u64);
    assert!(file.iter().all(|&b| b == b'x'));
    let err = c
        .download_stored_report(ID, OTHER_ID, Vec::new())
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}

#[test]
fn waiting_for_a_file_makes_its_waits_on_the_clients_clock() {
    let emulator = Emulator::start().unwrap();
    emulator.set_polls_before_saved(3);
    let clock = acronis_reports::clock::Clock::manual();
    let c = Client::builder()
        .base_url(emulator.base_url())
        .bearer_token(TOKEN)
        .poll_interval(Duration::from_secs(2))
        .clock(clock.clone())
        .build()
        .unwrap();
    let report = create_daily(&c);
    let saved = c
        .wait_for_stored_report(&report, Duration::from_secs(60))
        .unwrap();
    assert_eq!(saved.status, StoredStatus::Saved);
    // Three looks found it in progress, each followed by the poll interval; the fourth, saved.
    assert_eq!(clock.waits(), [Duration::from_secs(2); 3]);

    // Out of time by the clock: the last wait is cut to what is left, and the error says
    // exactly how long was waited.
    let emulator = Emulator::start().unwrap();
    emulator.set_polls_before_saved(u32::MAX);
    let clock = acronis_reports::clock::Clock::manual();
    let c = Client::builder()
        .base_url(emulator.base_url())
        .bearer_token(TOKEN)
        .poll_interval(Duration::from_secs(2))
        .clock(clock.clone())
        .build()
        .unwrap();
    let report = create_daily(&c);
    let err = c
        .wait_for_stored_report(&report, Duration::from_secs(5))
        .unwrap_err();
    assert!(
        matches!(err, Error::WaitTimeout { waited, .. } if waited == Duration::from_secs(5)),
        "{err:?}"
    );
    assert_eq!(
        clock.waits(),
        [
            Duration::from_secs(2),
            Duration::from_secs(2),
            Duration::from_secs(1)
        ]
    );
}
