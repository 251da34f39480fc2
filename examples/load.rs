//! End-to-end load benchmark: `cargo run --release --example load [N]`
//! (`-- --serve` only runs the server, for `benches/python_requests.py`; `-- N
//! --sequential-only` skips the bulk runs; `-- N --only sdk` or `-- N --only bare` makes N
//! calls of that client and nothing else, for `benches/single_call.sh` to count their
//! instructions under callgrind).
//!
//! Starts a small, fast HTTP/1.1 server on 127.0.0.1 that answers every `PUT
//! /api/2/reports/{id}` with that report, disabled. Then, in one run:
//!
//! 1. N sequential `update_report` calls through the SDK (patch, PUT, parse, verify), and the
//!    same N PUTs with a bare ureq agent (read the body, no parsing): medians of the wall
//!    time per call, the CPU time per call of the calling thread (Linux:
//!    `/proc/thread-self/schedstat`; the server runs on threads of its own), and their ratios;
//! 2. a bulk disable of 10,000 ids with `update_many` at concurrency 1, 4 and 16: throughput,
//!    TCP connections the server accepted, and the process's peak memory.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use acronis_reports::{Client, ReportUpdate};

fn report_body(id: &str) -> String {
    format!(
        r#"{{"id":"{id}","version":2,"result_action":"send","recipients":["ca451758-b48a-45d9-9ae6-8f1059f67619"],"parameters":{{"tenant_id":"2a91a14d-ffd3-4ac1-9b4d-3990162c5acc","kind":"usage_summary","level":"accounts","formats":["csv"],"period":{{"start":"2017-05-01","end":"2017-05-07"}},"hide_zero_usage":true,"show_skus":false}},"schedule":{{"type":"monthly","enabled":false}},"generation_date":"2017-05-08"}}"#
    )
}

/// Serves one keep-alive connection until the client closes it.
fn serve(stream: TcpStream) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let target = line.split(' ').nth(1).unwrap_or("").to_owned();
        let mut length = 0usize;
        loop {
            let mut header = String::new();
            reader.read_line(&mut header)?;
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let id = target.rsplit('/').next().unwrap_or("");
        let answer = report_body(id);
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            answer.len()
        );
        writer.write_all(head.as_bytes())?;
        writer.write_all(answer.as_bytes())?;
    }
}

fn start_server(connections: Arc<AtomicUsize>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let addr = listener.local_addr().expect("its address");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            connections.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || serve(stream));
        }
    });
    format!("http://{addr}/api/2")
}

fn bare_put(agent: &ureq::Agent, base: &str, i: usize, body: &str) -> Result<Vec<u8>, ureq::Error> {
    agent
        .put(format!("{base}/reports/{}", id(i)))
        .header("content-type", "application/json")
        .header("authorization", "Bearer load-test-token")
        .send(body)?
        .body_mut()
        .read_to_vec()
}

/// One timed call of one client.
type Call<'a> = &'a dyn Fn(usize) -> Result<(), Box<dyn std::error::Error>>;

fn id(n: usize) -> String {
    format!("20dffb36-d77b-45c6-b2fa-{n:012x}")
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

/// The CPU time the calling thread has run, from `/proc/thread-self/schedstat` (Linux);
/// `None` elsewhere.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(
        stat.split_whitespace().next()?.parse().ok()?,
    ))
}

fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arg = std::env::args().nth(1);
    let connections = Arc::new(AtomicUsize::new(0));
    let base = start_server(connections.clone());
    if arg.as_deref() == Some("--serve") {
        // For benches/python_requests.py: serve until killed.
        println!("{base}");
        std::io::stdout().flush()?;
        loop {
            std::thread::park();
        }
    }
    let n: usize = arg.map(|s| s.parse()).transpose()?.unwrap_or(5_000);
    let args: Vec<String> = std::env::args().collect();
    let sequential_only = args.iter().any(|a| a == "--sequential-only");
    let only = args
        .iter()
        .position(|a| a == "--only")
        .map(|at| args.get(at + 1).map_or("", String::as_str));
    let client = Client::builder()
        .base_url(&base)
        .bearer_token("load-test-token")
        .build()?;
    let update = ReportUpdate::disable();
    let body = update.to_json_string();
    let config = || {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .build()
    };
    let bare_agent = ureq::Agent::new_with_config(config());
    match only {
        // N calls of one client, and nothing else: its instructions per call are the
        // difference of two such runs of different N, divided by the difference of N.
        Some("sdk") => {
            for i in 0..n {
                client.update_report(id(i), &update)?;
            }
            return Ok(());
        }
        Some("bare") => {
            for i in 0..n {
                bare_put(&bare_agent, &base, i, &body)?;
            }
            return Ok(());
        }
        Some(other) => return Err(format!("--only sdk or --only bare, not {other:?}").into()),
        None => {}
    }
    // The trap the SDK's transport avoids: with a whole-call limit, ureq resolves each
    // request's host on a thread of its own (IP literals included).
    let global_agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(30)))
            .build(),
    );

    // Warm up every path (connections, allocators).
    for i in 0..200 {
        client.update_report(id(i), &update)?;
        bare_put(&bare_agent, &base, i, &body)?;
        bare_put(&global_agent, &base, i, &body)?;
    }

    // The SDK over a transport without time limits, to show what the limits cost.
    let untimed = Client::builder()
        .base_url(&base)
        .bearer_token("load-test-token")
        .transport(
            acronis_reports::transport::UreqTransport::builder()
                .timeout(None)
                .connect_timeout(None)
                .proxy_from_env(false)
                .build()?,
        )
        .build()?;
    for i in 0..200 {
        untimed.update_report(id(i), &update)?;
    }
    // Each client makes its calls in blocks; the order of the blocks rotates from round to
    // round, and each client's figure is its best round's median. (On a 2-core machine the
    // scheduler places the server's per-connection threads unevenly, which makes some block
    // positions slow whatever runs in them; rotating and taking the best round removes that.)
    let calls: [Call<'_>; 4] = [
        &|i| {
            client.update_report(id(i), &update)?;
            Ok(())
        },
        &|i| {
            untimed.update_report(id(i), &update)?;
            Ok(())
        },
        &|i| {
            bare_put(&bare_agent, &base, i, &body)?;
            Ok(())
        },
        &|i| {
            bare_put(&global_agent, &base, i, &body)?;
            Ok(())
        },
    ];
    let rounds = 8;
    let per_block = (n / rounds).max(1);
    let mut best = [Duration::MAX; 4];
    // The CPU time per call of the calling thread, each client's best round.
    let mut best_cpu = [Duration::MAX; 4];
    for round in 0..rounds {
        for k in 0..calls.len() {
            let which = (k + round) % calls.len();
            let mut samples = Vec::with_capacity(per_block);
            let cpu = thread_cpu();
            for i in round * per_block..(round + 1) * per_block {
                let t = Instant::now();
                calls[which](i)?;
                samples.push(t.elapsed());
            }
            if let (Some(before), Some(after)) = (cpu, thread_cpu()) {
                let per_call = (after - before) / u32::try_from(per_block)?;
                best_cpu[which] = best_cpu[which].min(per_call);
            }
            best[which] = best[which].min(median(samples));
        }
    }
    let [sdk, sdk_untimed, bare, global] = best;
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    let cpu = |which: usize| {
        if best_cpu[which] == Duration::MAX {
            "CPU ?".to_owned()
        } else {
            format!("CPU {:>6.1} µs", micros(best_cpu[which]))
        }
    };
    println!(
        "sequential PUTs, N = {n} (wall: median per call; CPU: the calling thread's, per call)"
    );
    println!(
        "  SDK update_report (patch, PUT, parse, verify):   median {:>8.1} µs, {}",
        micros(sdk),
        cpu(0)
    );
    println!(
        "  SDK, transport without time limits:              median {:>8.1} µs, {}",
        micros(sdk_untimed),
        cpu(1)
    );
    println!(
        "  bare ureq PUT, default agent (read body):        median {:>8.1} µs, {}",
        micros(bare),
        cpu(2)
    );
    println!(
        "  bare ureq PUT, a whole-call timeout set:         median {:>8.1} µs, {}",
        micros(global),
        cpu(3)
    );
    println!(
        "  ratio SDK / bare: {:.2} (default agent), {:.2} (whole-call timeout); CPU {:.2}",
        micros(sdk) / micros(bare),
        micros(sdk) / micros(global),
        micros(best_cpu[0]) / micros(best_cpu[2])
    );

    if sequential_only {
        return Ok(());
    }
    println!("bulk disable of 10,000 ids with update_many");
    for concurrency in [1, 4, 16] {
        let client = Client::builder()
            .base_url(&base)
            .bearer_token("load-test-token")
            .max_idle_connections_per_host(concurrency.max(8))
            .build()?;
        connections.store(0, Ordering::SeqCst);
        let t = Instant::now();
        let mut failed = 0;
        for (_, result) in client.update_many((0..10_000).map(id), &update, concurrency) {
            failed += usize::from(result.is_err());
        }
        let elapsed = t.elapsed();
        println!(
            "  concurrency {concurrency:>2}: {:>7.0} updates/s, {} connections, {failed} failed, peak memory {} KiB",
            10_000.0 / elapsed.as_secs_f64(),
            connections.load(Ordering::SeqCst),
            peak_memory_kib().map_or_else(|| "?".to_owned(), |k| k.to_string()),
        );
    }
    Ok(())
}
