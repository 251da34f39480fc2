//! The binary at fleet scale, failing safe: outages, refused credentials, interrupts, broken
//! output, files replaced atomically, and ids input of every shape. Every id of a run ends in
//! exactly one reported outcome, and what the server changed is what was reported changed.
#![cfg(all(feature = "cli", unix))]

use crate::common;

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Output, Stdio};

use acronis_reports_emulator::{CLIENT_ID, Emulator, MONTHLY_REPORT_ID, TENANT_ID, TOKEN};
use common::cli::{command, json_lines, run, send, signal_after, stderr, stdout};
use serde_json::{Value, json};

/// The environment for the emulator with its fixed token.
fn env(emulator: &Emulator) -> Vec<(&'static str, String)> {
    vec![
        ("ACRONIS_BASE_URL", emulator.base_url()),
        ("ACRONIS_TOKEN", TOKEN.to_owned()),
    ]
}

fn pairs<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The ids, one per line.
fn lines(ids: &[String]) -> String {
    ids.iter().map(|id| format!("{id}\n")).collect()
}

/// Whether the emulator holds report `id` disabled.
fn disabled(emulator: &Emulator, id: &str) -> bool {
    emulator.report::<serde_json::Value>(id).unwrap()["schedule"]["enabled"] == false
}

/// Creates a one-time saved report and waits for its file: (report id, stored file id).
fn saved_file(emulator: &Emulator) -> (String, String) {
    let c = acronis_reports::Client::builder()
        .base_url(emulator.base_url())
        .bearer_token(TOKEN)
        .poll_interval(std::time::Duration::from_millis(10))
        .build()
        .unwrap();
    let report = c
        .create_report(&acronis_reports::NewReport::new(
            TENANT_ID.parse().unwrap(),
            acronis_reports::Level::Accounts,
            acronis_reports::ReportKind::UsageCurrent,
        ))
        .unwrap();
    let id = report.id.to_string();
    let file = c
        .wait_for_stored_report(&id, std::time::Duration::from_secs(10))
        .unwrap();
    (id, file.id.unwrap().to_string())
}

/// Each JSON outcome by id; each id exactly once.
fn by_id(o: &Output) -> HashMap<String, Value> {
    let mut out = HashMap::new();
    for line in json_lines(o) {
        let id = line["id"].as_str().unwrap().to_owned();
        assert!(out.insert(id.clone(), line).is_none(), "{id} twice");
    }
    out
}

fn read_ids(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn an_outage_stops_the_run_lists_the_rest_and_a_resume_finishes_the_job() {
    let emulator = Emulator::start().unwrap();
    let ids = emulator.add_monthly_reports(2000);
    let dir = tempfile::tempdir().unwrap();
    let failed = dir.path().join("failed.txt");
    let failed_arg = failed.to_str().unwrap();
    // 300 good updates, then every request answers 503 (Retry-After: 0, which the client
    // raises to its 1 s base delay; the retries draw on the budget). With --no-read each id
    // costs one request, so exactly 300 are changed.
    emulator.outage_after(300, 503, Some("0"));
    let env = env(&emulator);
    let o = run(
        &[
            "--json",
            "disable",
            "--no-read",
            "--ids-file",
            "-",
            "--concurrency",
            "8",
            "--failed-ids",
            failed_arg,
        ],
        &pairs(&env),
        Some(&lines(&ids)),
    );
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    let outcomes = by_id(&o);
    assert_eq!(outcomes.len(), 2000, "every id reported");
    let count = |name: &str| outcomes.values().filter(|l| l["outcome"] == name).count();
    assert_eq!(count("changed"), 300);
    assert!(count("failed") > 0);
    assert_eq!(
        count("changed") + count("failed") + count("not_attempted"),
        2000
    );
    let reason = outcomes
        .values()
        .find(|l| l["outcome"] == "not_attempted")
        .map(|l| l["reason"].as_str().unwrap().to_owned())
        .unwrap();
    assert!(reason.starts_with("the service kept failing"), "{reason}");
    // The service that was down saw a bounded number of requests.
    let during = emulator.outage_answers();
    assert!(during <= 200, "{during} requests during the outage");
    // What the server changed is exactly what was reported changed.
    for (id, line) in &outcomes {
        assert_eq!(
            disabled(&emulator, id),
            line["outcome"] == "changed",
            "{line}"
        );
    }
    // --failed-ids holds exactly the others, and says so.
    let left: HashSet<String> = read_ids(&failed).into_iter().collect();
    let expected: HashSet<String> = outcomes
        .iter()
        .filter(|(_, l)| l["outcome"] != "changed")
        .map(|(id, _)| id.clone())
        .collect();
    assert_eq!(left, expected);
    let err = stderr(&o);
    assert!(err.contains("the service kept failing"), "{err}");
    assert!(
        err.contains(&format!("1700 ids to run again written to {failed_arg}")),
        "{err}"
    );

    // The service is back: running the file again finishes the job.
    emulator.end_outage();
    let o = run(
        &[
            "disable",
            "--ids-file",
            failed_arg,
            "--failed-ids",
            failed_arg,
        ],
        &pairs(&env),
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(ids.iter().all(|id| disabled(&emulator, id)));
    assert_eq!(std::fs::read_to_string(&failed).unwrap(), "");
}

#[test]
fn a_revoked_token_stops_a_run_of_a_thousand_after_a_handful_of_requests() {
    let emulator = Emulator::start().unwrap();
    let ids = emulator.add_monthly_reports(1000);
    let base = emulator.base_url();
    let o = run(
        &["--json", "disable", "--ids-file", "-", "--concurrency", "8"],
        &[
            ("ACRONIS_BASE_URL", &base),
            ("ACRONIS_TOKEN", "revoked-token"),
        ],
        Some(&lines(&ids)),
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let outcomes = by_id(&o);
    assert_eq!(outcomes.len(), 1000);
    let sent = emulator.requests().len();
    assert!(sent <= 16, "{sent} requests with a refused token");
    let failed = outcomes
        .values()
        .filter(|l| l["outcome"] == "failed")
        .count();
    assert_eq!(failed, sent);
    assert!(
        stderr(&o).contains("the credentials were refused, so the run stopped"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_wrong_client_secret_is_sent_once_for_a_thousand_ids() {
    let emulator = Emulator::start().unwrap();
    let ids = emulator.add_monthly_reports(1000);
    let base = emulator.base_url();
    let o = run(
        &["--json", "disable", "--ids-file", "-", "--concurrency", "8"],
        &[
            ("ACRONIS_BASE_URL", &base),
            ("ACRONIS_CLIENT_ID", CLIENT_ID),
            ("ACRONIS_CLIENT_SECRET", "wrong-secret-value"),
        ],
        Some(&lines(&ids)),
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(by_id(&o).len(), 1000);
    let requests = emulator.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].path, "/api/2/idp/token");
    assert!(!format!("{}{}", stdout(&o), stderr(&o)).contains("wrong-secret-value"));
}

/// Starts a bulk `disable` reading ids from standard input, feeds it `ids`, waits for their
/// outcomes, sends it `signal`, and waits until it exits by itself, standard input still open
/// (as a terminal or `tail -f` would leave it). Returns its output.
fn interrupt_midway(emulator: &Emulator, signal: &str, ids: &[String], failed: &Path) -> Output {
    let env = env(emulator);
    let mut child = command(
        &[
            "--json",
            "disable",
            "--ids-file",
            "-",
            "--concurrency",
            "4",
            "--failed-ids",
            failed.to_str().unwrap(),
        ],
        &pairs(&env),
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(lines(ids).as_bytes()).unwrap();
    input.flush().unwrap();
    let o = signal_after(child, ids.len(), signal);
    drop(input);
    o
}

#[test]
fn a_signal_reports_every_change_and_stops_reading_standard_input_at_once() {
    for (signal, code) in [("INT", 130), ("TERM", 143), ("HUP", 129)] {
        let emulator = Emulator::start().unwrap();
        let ids = emulator.add_monthly_reports(40);
        let dir = tempfile::tempdir().unwrap();
        let failed = dir.path().join("failed.txt");
        std::fs::write(&failed, "the last run's record\n").unwrap();
        // Standard input stays open: the tool must not wait for it to end.
        let o = interrupt_midway(&emulator, signal, &ids, &failed);
        assert_eq!(o.status.code(), Some(code), "{signal}: {}", stderr(&o));
        let outcomes = by_id(&o);
        assert_eq!(outcomes.len(), 40, "{signal}");
        for (id, line) in &outcomes {
            assert_eq!(line["outcome"], "changed", "{line}");
            assert!(disabled(&emulator, id));
        }
        let err = stderr(&o);
        assert!(
            err.contains("interrupted: taking up no more reports"),
            "{err}"
        );
        assert!(
            err.contains("40 changed, 0 unchanged, 0 skipped, 0 failed"),
            "{err}"
        );
        assert!(
            err.contains("the ids after line 40 of - were not taken up: the run stopped first"),
            "{err}"
        );
        // The input was not read to its end: the old record is not replaced by a partial one.
        assert!(err.contains("was left as it was"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&failed).unwrap(),
            "the last run's record\n"
        );
    }
}

#[test]
fn a_signal_during_a_run_from_a_file_lists_the_rest_in_the_same_file() {
    // The documented resume pattern: --ids-file F --failed-ids F.
    for (signal, code) in [("HUP", 129), ("TERM", 143)] {
        let emulator = Emulator::start().unwrap();
        let ids = emulator.add_monthly_reports(60);
        // Slow answers keep most ids waiting when the signal comes.
        emulator.delay_next(60, std::time::Duration::from_millis(300));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ids.txt");
        std::fs::write(&file, lines(&ids)).unwrap();
        let path = file.to_str().unwrap();
        let env = env(&emulator);
        let child = command(
            &[
                "--json",
                "disable",
                "--ids-file",
                path,
                "--concurrency",
                "2",
                "--failed-ids",
                path,
            ],
            &pairs(&env),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
        let o = signal_after(child, 1, signal);
        assert_eq!(o.status.code(), Some(code), "{signal}: {}", stderr(&o));
        let outcomes = by_id(&o);
        assert_eq!(outcomes.len(), 60, "{signal}: every id of the file, once");
        for (id, line) in &outcomes {
            assert_eq!(
                disabled(&emulator, id),
                line["outcome"] == "changed",
                "{line}"
            );
        }
        let rest: HashSet<String> = outcomes
            .iter()
            .filter(|(_, l)| l["outcome"] != "changed")
            .map(|(id, _)| id.clone())
            .collect();
        assert!(
            !rest.is_empty(),
            "{signal}: the signal came after the last id"
        );
        assert_eq!(read_ids(&file).into_iter().collect::<HashSet<_>>(), rest);
        assert!(!stderr(&o).contains("was left as it was"), "{}", stderr(&o));
        let entries = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(entries, 1, "no temporary file left");
    }
}

#[test]
fn a_hang_up_during_a_download_leaves_no_temporary_file() {
    let emulator = Emulator::start().unwrap();
    let (id, stored) = saved_file(&emulator);
    emulator.delay_next(1, std::time::Duration::from_secs(30));
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("usage.csv");
    std::fs::write(&target, "last month\n").unwrap();
    let env = env(&emulator);
    let mut child = command(
        &["download", &id, &stored, "-o", target.to_str().unwrap()],
        &pairs(&env),
    )
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    // The temporary file exists before the request is sent: then the line drops.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::fs::read_dir(dir.path()).unwrap().count() < 2 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the tool ended before its download"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "no temporary file appeared"
        );
        std::thread::yield_now();
    }
    send("HUP", child.id());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(129));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "last month\n");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// Runs the binary with standard output going to `stdout`.
fn run_into(args: &[&str], env: &[(&'static str, String)], stdout: Stdio) -> Output {
    let o = command(args, &pairs(env))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    o
}

#[test]
fn a_full_disk_on_standard_output_is_an_error_for_every_command() {
    let emulator = Emulator::start().unwrap();
    let env = env(&emulator);
    let stored = saved_file(&emulator);
    for args in [
        vec!["patch", "--enabled", "false"],
        vec!["show", MONTHLY_REPORT_ID],
        vec!["list", "--tenant", TENANT_ID],
        vec!["stored", &stored.0],
        vec!["download", &stored.0, &stored.1],
        vec!["--help"],
    ] {
        let o = run_into(&args, &env, Stdio::from(File::create("/dev/full").unwrap()));
        assert_eq!(o.status.code(), Some(5), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("No space left on device"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn a_bulk_run_whose_output_fails_stops_and_keeps_the_record() {
    let emulator = Emulator::start().unwrap();
    let ids = emulator.add_monthly_reports(300);
    let dir = tempfile::tempdir().unwrap();
    let failed = dir.path().join("failed.txt");
    let list = dir.path().join("ids.txt");
    std::fs::write(&list, lines(&ids)).unwrap();
    let o = run_into(
        &[
            "disable",
            "--ids-file",
            list.to_str().unwrap(),
            "--concurrency",
            "2",
            "--failed-ids",
            failed.to_str().unwrap(),
        ],
        &env(&emulator),
        Stdio::from(File::create("/dev/full").unwrap()),
    );
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("cannot write to standard output"), "{err}");
    // The run stopped at once; every report not changed is in the file, to run again.
    let left: HashSet<String> = read_ids(&failed).into_iter().collect();
    let changed: Vec<&String> = ids.iter().filter(|id| disabled(&emulator, id)).collect();
    assert!(
        changed.len() < 20,
        "{} changed after output failed",
        changed.len()
    );
    assert_eq!(changed.len() + left.len(), 300);
    assert!(changed.iter().all(|id| !left.contains(*id)));
}

#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    let emulator = Emulator::start().unwrap();
    let env = env(&emulator);
    let stored = saved_file(&emulator);
    for args in [
        vec!["patch", "--enabled", "false"],
        vec!["show", MONTHLY_REPORT_ID],
        vec!["list", "--tenant", TENANT_ID],
        vec!["stored", &stored.0],
        vec!["download", &stored.0, &stored.1],
        vec!["disable", MONTHLY_REPORT_ID],
        vec!["--help"],
    ] {
        // A pipe whose reader has gone before the tool writes anything.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let o = run_into(&args, &env, Stdio::from(writer));
        assert_eq!(o.status.code(), Some(141), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(!err.contains("acronis-reports:"), "{args:?}: {err}");
    }
}

#[test]
fn a_reader_that_goes_away_midway_stops_a_bulk_run_quietly() {
    let emulator = Emulator::start().unwrap();
    let ids = emulator.add_monthly_reports(3000);
    let env = env(&emulator);
    let list = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(list.path(), lines(&ids)).unwrap();
    for args in [
        vec!["list", "--tenant", TENANT_ID],
        vec!["disable", "--ids-file", list.path().to_str().unwrap()],
    ] {
        let mut child = command(&args, &pairs(&env))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read one line, then go away, as `| head -1` does. The 3,000 lines are more than a
        // pipe holds, so the tool is still writing when the reader goes.
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty());
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(141), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(!err.contains("acronis-reports:"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    // The bulk run stopped: far from every report was changed.
    let changed = ids.iter().filter(|id| disabled(&emulator, id)).count();
    assert!(
        changed < 100,
        "{changed} changed after the reader went away"
    );
}

#[test]
fn standard_error_failing_changes_nothing() {
    let emulator = Emulator::start().unwrap();
    let env = env(&emulator);
    let o = command(&["disable", MONTHLY_REPORT_ID], &pairs(&env))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(File::create("/dev/full").unwrap()))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with(&format!("changed  {MONTHLY_REPORT_ID}")));
    // And a failing command still exits with its own code.
    let o = command(
        &["show", "00000000-0000-4000-8000-000000000000"],
        &pairs(&env),
    )
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::from(File::create("/dev/full").unwrap()))
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(3));
}

#[test]
fn download_to_a_file_replaces_it_only_once_complete() {
    let emulator = Emulator::start().unwrap();
    let env = env(&emulator);
    let (id, stored) = saved_file(&emulator);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("usage.csv");
    let old = b"last month's file\n";
    let entries = || std::fs::read_dir(dir.path()).unwrap().count();

    // A refused token, an unknown file, a dead server: the old file stays as it was, and no
    // temporary file is left.
    let dead = format!("{}/api/2", common::raw::closed_url());
    let unknown = "00000000-0000-4000-8000-000000000000";
    for (base, token, stored_id, code) in [
        (emulator.base_url(), "wrong", stored.as_str(), 3),
        (emulator.base_url(), TOKEN, unknown, 3),
        (dead, TOKEN, stored.as_str(), 5),
    ] {
        std::fs::write(&target, old).unwrap();
        let o = run(
            &[
                "--retries",
                "0",
                "download",
                &id,
                stored_id,
                "-o",
                target.to_str().unwrap(),
            ],
            &[("ACRONIS_BASE_URL", &base), ("ACRONIS_TOKEN", token)],
            None,
        );
        assert_eq!(o.status.code(), Some(code), "{}", stderr(&o));
        assert_eq!(std::fs::read(&target).unwrap(), old);
        assert_eq!(entries(), 1, "a temporary file was left");
    }

    // It works: the file is replaced, with the permissions it had.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let o = run(
        &["download", &id, &stored, "-o", target.to_str().unwrap()],
        &pairs(&env),
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(&target).unwrap(),
        Emulator::file_content(&id, 4096)
    );
    assert_eq!(
        std::fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o640
    );
    assert_eq!(entries(), 1);

    // Through a symbolic link: the file it points to is replaced, the link stays.
    let link = dir.path().join("latest.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    std::fs::write(&target, old).unwrap();
    let o = run(
        &["download", &id, &stored, "-o", link.to_str().unwrap()],
        &pairs(&env),
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read(&target).unwrap(),
        Emulator::file_content(&id, 4096)
    );
    assert_eq!(entries(), 2);
}

#[test]
fn a_download_cut_off_midway_leaves_the_old_file() {
    use common::raw::{RawServer, read_request};
    // Announces 100000 bytes, sends 100, and closes the connection.
    let server = RawServer::start(4, |_, mut stream| {
        read_request(&mut stream);
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
        let _ = stream.write_all(&[b'x'; 100]);
    });
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("usage.csv");
    std::fs::write(&target, b"old").unwrap();
    let base = format!("{}/api/2", server.url());
    let o = run(
        &[
            "--retries",
            "0",
            "download",
            MONTHLY_REPORT_ID,
            MONTHLY_REPORT_ID,
            "-o",
            target.to_str().unwrap(),
        ],
        &[("ACRONIS_BASE_URL", &base), ("ACRONIS_TOKEN", TOKEN)],
        None,
    );
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert_eq!(std::fs::read(&target).unwrap(), b"old");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn ids_input_of_every_shape() {
    let emulator = Emulator::start().unwrap();
    let ids = emulator.add_monthly_reports(4);
    let env = env(&emulator);
    let mut input = b"\xEF\xBB\xBF".to_vec();
    input.extend_from_slice(format!("{}  # the first\n", ids[0]).as_bytes());
    input.extend_from_slice(b"\xff\xfe not text\n");
    input.extend_from_slice(format!("{}\n{}\n", ids[1], ids[0].to_uppercase()).as_bytes());
    input.extend(std::iter::repeat_n(b'z', 10 * 1024 * 1024));
    input.extend_from_slice(format!("\n{}\n# done\n", ids[2]).as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ids.txt");
    std::fs::write(&file, &input).unwrap();
    let mut outputs = Vec::new();
    for concurrency in ["1", "4"] {
        let o = run(
            &[
                "--json",
                "disable",
                "--ids-file",
                file.to_str().unwrap(),
                "--concurrency",
                concurrency,
            ],
            &pairs(&env),
            None,
        );
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(o.stdout.len() < 2000, "a long line is not echoed whole");
        let mut lines = json_lines(&o);
        lines.sort_by_key(|l| l["line"].as_u64());
        for l in &mut lines {
            // Each run bumps the versions; the rest must be the same.
            l.as_object_mut().unwrap().remove("version");
        }
        outputs.push((lines, stderr(&o)));
        // Enabled again, so that the next run changes them again rather than find them as
        // asked.
        for id in &ids {
            let mut report = emulator.report::<serde_json::Value>(id).unwrap();
            report["schedule"]["enabled"] = json!(true);
            emulator.add_report(&report).unwrap();
        }
    }
    let (lines, err) = &outputs[0];
    // The same at any concurrency.
    assert_eq!(outputs[0], outputs[1]);
    let shape: Vec<(u64, &str)> = lines
        .iter()
        .map(|l| (l["line"].as_u64().unwrap(), l["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        shape,
        [
            (1, "changed"),
            (2, "invalid"),
            (3, "changed"),
            (5, "invalid"),
            (6, "changed")
        ]
    );
    assert_eq!(lines[0]["id"], json!(ids[0]));
    assert_eq!(lines[1]["reason"], "the line is not UTF-8 text");
    assert!(
        lines[3]["reason"]
            .as_str()
            .unwrap()
            .contains("10485760 bytes")
    );
    assert!(
        err.contains(
            "3 changed, 0 unchanged, 0 skipped, 0 failed, 2 invalid lines, 1 duplicate ids merged"
        ),
        "{err}"
    );
    // One PUT per id and run, the duplicate merged.
    let puts = emulator
        .requests()
        .iter()
        .filter(|r| r.method == "PUT")
        .count();
    assert_eq!(puts, 6);
}

#[test]
fn an_invalid_positional_id_stops_the_command_before_anything_is_sent() {
    let emulator = Emulator::start().unwrap();
    let o = run(
        &["disable", MONTHLY_REPORT_ID, "not-a-uuid"],
        &pairs(&env(&emulator)),
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("argument 2: not a report id"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("nothing was sent"));
    assert!(emulator.requests().is_empty());
    assert!(!disabled(&emulator, MONTHLY_REPORT_ID));
}

#[test]
fn placeholder_dates_are_shown_and_such_reports_can_be_changed() {
    let emulator = Emulator::start().unwrap();
    let mut report = emulator
        .report::<serde_json::Value>(MONTHLY_REPORT_ID)
        .unwrap();
    report["generation_date"] = json!("0000-00-00");
    report["parameters"]["period"] = json!({"start": "0000-00-00", "end": "0000-00-00"});
    emulator.add_report(&report).unwrap();
    let env = env(&emulator);
    let o = run(&["show", MONTHLY_REPORT_ID], &pairs(&env), None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("period:          0000-00-00 to 0000-00-00"),
        "{text}"
    );
    assert!(text.contains("generation date: 0000-00-00"), "{text}");
    let o = run(&["disable", "--tenant", TENANT_ID], &pairs(&env), None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(disabled(&emulator, MONTHLY_REPORT_ID));
}

#[test]
fn a_base_url_without_a_path_and_plain_http_elsewhere() {
    let mut server = mockito::Server::new();
    let _get = server
        .mock("GET", format!("/reports/{MONTHLY_REPORT_ID}").as_str())
        .with_body(common::report_json(MONTHLY_REPORT_ID, true).to_string())
        .create();
    let put = server
        .mock("PUT", format!("/reports/{MONTHLY_REPORT_ID}").as_str())
        .with_body(common::report_json(MONTHLY_REPORT_ID, false).to_string())
        .create();
    let o = run(
        &["disable", MONTHLY_REPORT_ID],
        &[
            ("ACRONIS_BASE_URL", &server.url()),
            ("ACRONIS_TOKEN", TOKEN),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    put.assert();
    let o = run(
        &["show", MONTHLY_REPORT_ID],
        &[
            ("ACRONIS_BASE_URL", "http://reports.example.com/api/2"),
            ("ACRONIS_TOKEN", TOKEN),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("the tool accepts http:// only for localhost"),
        "{err}"
    );
    assert!(!err.contains("ClientBuilder"), "{err}");
}

#[test]
fn an_input_that_fails_to_read_leaves_the_failed_ids_file_as_it_was() {
    let emulator = Emulator::start().unwrap();
    let env = env(&emulator);
    let dir = tempfile::tempdir().unwrap();
    let failed = dir.path().join("failed.txt");
    std::fs::write(&failed, "the last run's record\n").unwrap();
    // A directory opens, and fails at its first read.
    let o = run(
        &[
            "disable",
            "--ids-file",
            dir.path().to_str().unwrap(),
            "--failed-ids",
            failed.to_str().unwrap(),
        ],
        &pairs(&env),
        None,
    );
    let err = stderr(&o);
    assert_ne!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("reading the ids failed at line 1"), "{err}");
    assert!(err.contains("was left as it was"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&failed).unwrap(),
        "the last run's record\n"
    );
}

/// Makes a FIFO at `path` and reads it on a thread: what the reader got.
fn fifo_reader(path: &Path) -> std::thread::JoinHandle<Vec<u8>> {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success());
    let path = path.to_owned();
    std::thread::spawn(move || {
        let mut got = Vec::new();
        File::open(&path).unwrap().read_to_end(&mut got).unwrap();
        got
    })
}

#[test]
fn files_that_are_not_regular_are_written_in_place_and_directories_refused() {
    use std::os::unix::fs::FileTypeExt;
    let emulator = Emulator::start().unwrap();
    let env = env(&emulator);
    let (id, stored) = saved_file(&emulator);
    let dir = tempfile::tempdir().unwrap();

    // A FIFO: its reader gets the file, and it is still a FIFO.
    let fifo = dir.path().join("usage.fifo");
    let reader = fifo_reader(&fifo);
    let o = run(
        &["download", &id, &stored, "-o", fifo.to_str().unwrap()],
        &pairs(&env),
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(reader.join().unwrap(), Emulator::file_content(&id, 4096));
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );

    // --failed-ids to a FIFO: the ids go to its reader.
    let fifo = dir.path().join("failed.fifo");
    let reader = fifo_reader(&fifo);
    let unknown = "00000000-0000-4000-8000-000000000000";
    let o = run(
        &["disable", unknown, "--failed-ids", fifo.to_str().unwrap()],
        &pairs(&env),
        None,
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(reader.join().unwrap(), format!("{unknown}\n").into_bytes());
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );

    // A directory is refused before anything is sent.
    let sent = emulator.requests().len();
    let o = run(
        &["download", &id, &stored, "-o", dir.path().to_str().unwrap()],
        &pairs(&env),
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("it is a directory"), "{}", stderr(&o));
    assert_eq!(emulator.requests().len(), sent, "nothing was sent");

    // A dangling symbolic link is followed: the file appears where it points.
    let link = dir.path().join("latest.csv");
    let target = dir.path().join("october.csv");
    std::os::unix::fs::symlink("october.csv", &link).unwrap();
    let o = run(
        &["download", &id, &stored, "-o", link.to_str().unwrap()],
        &pairs(&env),
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(&target).unwrap(),
        Emulator::file_content(&id, 4096)
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn a_server_that_never_answers_stops_a_run_within_two_time_limits() {
    use common::raw::{RawServer, read_request};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = requests.clone();
    // Accepts every connection, reads the request, and never answers (until the client
    // gives up and closes).
    let server = RawServer::start(64, move |_, mut stream| {
        read_request(&mut stream);
        seen.fetch_add(1, Ordering::SeqCst);
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest);
    });
    let ids: String = (0..300)
        .map(|n| format!("{n:08x}-0000-4000-8000-000000000000\n"))
        .collect();
    let base = format!("{}/api/2", server.url());
    let o = run(
        &[
            "--json",
            "--timeout",
            "1",
            "disable",
            "--ids-file",
            "-",
            "--concurrency",
            "4",
        ],
        &[("ACRONIS_BASE_URL", &base), ("ACRONIS_TOKEN", TOKEN)],
        Some(&ids),
    );
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert_eq!(json_lines(&o).len(), 300, "every id has its outcome");
    assert!(
        stderr(&o).contains("the service stopped answering (8 requests in a row"),
        "{}",
        stderr(&o)
    );
    // Two rounds of the four threads' requests, and those already under way.
    let sent = requests.load(Ordering::SeqCst);
    assert!(sent <= 12, "{sent} requests to a server that never answers");
}

#[test]
fn a_hang_up_the_tool_was_started_to_ignore_stays_ignored() {
    // `nohup`'s way: SIGHUP ignored before the tool starts.
    let emulator = Emulator::start().unwrap();
    let ids = emulator.add_monthly_reports(10);
    let env = env(&emulator);
    let script = format!(
        "trap '' HUP; exec {} --json disable --ids-file -",
        env!("CARGO_BIN_EXE_acronis-reports")
    );
    let mut child = std::process::Command::new("sh")
        .args(["-c", &script])
        .env_clear()
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(lines(&ids[..5]).as_bytes()).unwrap();
    input.flush().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    for _ in 0..5 {
        out.read_line(&mut seen).unwrap();
    }
    send("HUP", child.id());
    // The run goes on: the rest is read and changed.
    input.write_all(lines(&ids[5..]).as_bytes()).unwrap();
    drop(input);
    out.read_to_string(&mut seen).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(
        seen.lines()
            .filter(|l| l.contains(r#""outcome":"changed""#))
            .count(),
        10,
        "{seen}"
    );
}
