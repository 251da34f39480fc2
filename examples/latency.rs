//! A bulk disable with the library, for `benches/latency_peers.sh` to time against a server
//! that answers after a round trip: `cargo run --release --example latency -- IDS_FILE
//! CONCURRENCY [--read-first]`.
//!
//! The base URL and the credentials come from the environment, as the command-line tool
//! reads them (`ACRONIS_BASE_URL`, and `ACRONIS_CLIENT_ID` with `ACRONIS_CLIENT_SECRET`, or
//! `ACRONIS_TOKEN`: `ClientBuilder::from_env`). One client, its pool sized to the
//! concurrency, runs `Client::update_many` over the ids of IDS_FILE (one per line): one `PUT`
//! per id; with `--read-first`, `update_many_if_needed`: a `GET`, and a `PUT` where the report
//! differs. It prints how many were changed, unchanged and failed to standard error, and
//! exits 1 when one failed.

use acronis_reports::{Client, ReportUpdate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let read_first = args.iter().any(|a| a == "--read-first");
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let [ids_file, concurrency] = positional[..] else {
        return Err("usage: latency IDS_FILE CONCURRENCY [--read-first]".into());
    };
    let concurrency: usize = concurrency.parse()?;
    let ids: Vec<String> = std::fs::read_to_string(ids_file)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let client: Client = acronis_reports::ClientBuilder::from_env()?
        .max_idle_connections_per_host(concurrency)
        .build()?;
    let update = ReportUpdate::disable();
    let (mut changed, mut unchanged, mut failed) = (0, 0, 0);
    if read_first {
        for (id, result) in client.update_many_if_needed(ids, &update, concurrency) {
            match result {
                Ok(outcome) if outcome.is_change() => changed += 1,
                Ok(_) => unchanged += 1,
                Err(e) => {
                    failed += 1;
                    eprintln!("{id}: {e}");
                }
            }
        }
    } else {
        for (id, result) in client.update_many(ids, &update, concurrency) {
            match result {
                Ok(_) => changed += 1,
                Err(e) => {
                    failed += 1;
                    eprintln!("{id}: {e}");
                }
            }
        }
    }
    eprintln!("{changed} changed, {unchanged} unchanged, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}
