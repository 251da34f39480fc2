//! How a bulk run fails safe, measured: `cargo run --release --example outage [N]`
//! (N ids, 10,000 by default). Against the emulator, with the client's defaults (2 retries
//! 1-2 s apart, the default retry budget, a run stopping after 5 failures in a row once
//! retries cannot help), it runs `update_many` over N ids when:
//!
//! 1. every request answers 503 after 100 good updates (no `Retry-After`), at concurrency 4
//!    (the command-line tool's default) and 16;
//! 2. the server is gone (connection refused), at concurrency 4;
//! 3. the token is refused (401), at concurrency 16;
//! 4. the client secret is wrong, at concurrency 16;
//!
//! and prints, for each, how many requests reached the failing service, how long the run went
//! on after the failure began, and that every id was accounted for. The figures are in
//! docs/retries-and-errors.md.

use std::time::{Duration, Instant};

use acronis_reports::bulk::BulkOptions;
use acronis_reports::{Client, Error, ReportUpdate};
use acronis_reports_emulator::{CLIENT_ID, Emulator, TOKEN};

/// What a run gave: changed, failed, not attempted; and the attempts the failed calls made.
fn tally(
    run: impl Iterator<Item = (String, Result<acronis_reports::Report, Error>)>,
) -> ((usize, usize, usize), usize) {
    let (mut changed, mut failed, mut not_attempted, mut attempts) = (0, 0, 0, 0);
    for (_, result) in run {
        match result {
            Ok(_) => changed += 1,
            Err(Error::NotAttempted { .. }) => not_attempted += 1,
            Err(e) => {
                failed += 1;
                attempts += e.attempts() as usize;
            }
        }
    }
    ((changed, failed, not_attempted), attempts)
}

fn row(
    scenario: &str,
    concurrency: usize,
    requests: usize,
    after: Duration,
    t: (usize, usize, usize),
    n: usize,
) {
    let (changed, failed, not_attempted) = t;
    assert_eq!(
        changed + failed + not_attempted,
        n,
        "every id accounted for"
    );
    println!(
        "| {scenario} | {concurrency} | {requests} | {:.1} s | {changed} / {failed} / {not_attempted} |",
        after.as_secs_f64()
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args().nth(1).map_or(Ok(10_000), |a| a.parse())?;
    println!(
        "| failure | concurrency | requests to the failing service | run went on for | changed / failed / not attempted |"
    );
    println!("|---|---|---|---|---|");

    for concurrency in [4, 16] {
        let emulator = Emulator::start()?;
        let ids = emulator.add_monthly_reports(n);
        let client = Client::builder()
            .base_url(emulator.base_url())
            .bearer_token(TOKEN)
            .max_idle_connections_per_host(concurrency)
            .build()?;
        emulator.outage_after(100, 503, None);
        let (t, _) = tally(client.update_many(ids, &ReportUpdate::disable(), concurrency));
        let began = emulator.outage_began().ok_or("the outage never began")?;
        row(
            "503 after 100 updates",
            concurrency,
            emulator.outage_answers(),
            began.elapsed(),
            t,
            n,
        );
    }

    {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let client = Client::builder()
            .base_url(format!("http://127.0.0.1:{port}/api/2"))
            .bearer_token(TOKEN)
            .build()?;
        let ids: Vec<String> = (0..n)
            .map(|i| format!("00000000-0000-4000-8000-{i:012}"))
            .collect();
        let started = Instant::now();
        let (t, attempts) = tally(client.update_many(ids, &ReportUpdate::disable(), 4));
        row("connection refused", 4, attempts, started.elapsed(), t, n);
    }

    {
        let emulator = Emulator::start()?;
        let ids = emulator.add_monthly_reports(n);
        let client = Client::builder()
            .base_url(emulator.base_url())
            .bearer_token("revoked-token")
            .build()?;
        let started = Instant::now();
        let (t, _) = tally(client.update_many(
            ids,
            &ReportUpdate::disable(),
            BulkOptions::new().concurrency(16),
        ));
        row(
            "401: token refused",
            16,
            emulator.requests().len(),
            started.elapsed(),
            t,
            n,
        );
    }

    {
        let emulator = Emulator::start()?;
        let ids = emulator.add_monthly_reports(n);
        let client = Client::builder()
            .base_url(emulator.base_url())
            .client_credentials(CLIENT_ID, "wrong-secret")
            .build()?;
        let started = Instant::now();
        let (t, _) = tally(client.update_many(ids, &ReportUpdate::disable(), 16));
        row(
            "wrong client secret",
            16,
            emulator.requests().len(),
            started.elapsed(),
            t,
            n,
        );
    }
    Ok(())
}
