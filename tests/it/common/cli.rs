//! Running the `acronis-reports` binary for real.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Output, Stdio};

use acronis_reports_emulator::{Emulator, TOKEN};
use serde_json::Value;

/// The binary, with a clean environment plus `env` (the proxy variables stay unset, so
/// loopback servers are reached directly).
pub fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_acronis-reports"));
    cmd.env_clear().args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs the binary with a clean environment plus `env`, feeding `stdin` (from another
/// thread, so that a large input cannot block on a full output pipe).
pub fn run(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut cmd = command(args, env);
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the binary runs");
    let feeder = stdin.map(|text| {
        let mut pipe = child.stdin.take().unwrap();
        let text = text.to_owned();
        std::thread::spawn(move || {
            // The tool may stop reading early; that is its business.
            let _ = pipe.write_all(text.as_bytes());
        })
    });
    let output = child.wait_with_output().unwrap();
    if let Some(feeder) = feeder {
        feeder.join().unwrap();
    }
    output
}

/// Runs the binary against `emulator`, with the token it accepts, feeding `stdin`.
pub fn run_at(emulator: &Emulator, args: &[&str], stdin: Option<&str>) -> Output {
    let base = emulator.base_url();
    run(
        args,
        &[("ACRONIS_BASE_URL", &base), ("ACRONIS_TOKEN", TOKEN)],
        stdin,
    )
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Standard output as JSON lines.
pub fn json_lines(o: &Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

pub fn assert_no_secret(o: &Output, secret: &str) {
    let all = format!("{}{}", stdout(o), stderr(o));
    assert!(!all.contains(secret), "secret printed: {all}");
}

/// Reads `lines` lines of `child`'s standard output, sends it `signal`, and collects what it
/// prints until it exits.
pub fn signal_after(mut child: std::process::Child, lines: usize, signal: &str) -> Output {
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    for _ in 0..lines {
        out.read_line(&mut seen).unwrap();
    }
    send(signal, child.id());
    out.read_to_string(&mut seen).unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    Output {
        status,
        stdout: seen.into_bytes(),
        stderr: err.into_bytes(),
    }
}

/// Sends `signal` (a name, like `HUP`) to process `pid`.
pub fn send(signal: &str, pid: u32) {
    let kill = std::process::Command::new("sh")
        .args(["-c", &format!("kill -{signal} {pid}")])
        .status()
        .unwrap();
    assert!(kill.success());
}

/// A child process, killed when dropped (a failed assertion included).
pub struct Serving(std::process::Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `acronis-reports emulator` with `args`; its banner's lines (up to the last) and the
/// child, serving.
pub fn emulator_banner(args: &[&str]) -> (Vec<String>, Serving) {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let mut child = command(args, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let child = Serving(child);
    let mut lines = Vec::new();
    let mut out = BufReader::new(stdout);
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            break;
        }
        let line = line.trim_end().to_owned();
        let last = line.starts_with("interrupt") || line.starts_with('{');
        lines.push(line);
        if last {
            break;
        }
    }
    (lines, child)
}
