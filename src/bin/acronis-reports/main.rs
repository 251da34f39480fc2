//! `acronis-reports`: the command-line tool of the acronis-reports crate, built on its public
//! API only. See `acronis-reports --help` and `docs/cli.md`.

#![forbid(unsafe_code)]

mod args;
mod commands;
mod output;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use acronis_reports::transport::{Request, Response, TransportError, TransportErrorKind, from_fn};
use acronis_reports::{Client, Error};
use clap::Parser;

use args::{Cli, Global};

/// A failure of the tool itself (before or around the library's calls), with its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// Bad usage or input: nothing was sent.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure {
            code: exit_code(&e),
            message: error_text(&e),
        }
    }
}

/// The exit code for a library error (see `args::EXIT_CODES`).
pub fn exit_code(e: &Error) -> u8 {
    match e {
        Error::InvalidInput { .. } => 2,
        Error::Mismatch { .. } => 4,
        Error::Api(_) | Error::Auth(_) | Error::Redirect { .. } => match e.status() {
            Some(500..=599) => 5,
            _ => 3,
        },
        _ => 5,
    }
}

/// An error's message with its sources, on one line.
pub fn error_text(e: &Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// A short name for an error's kind, for `--json` output.
pub fn error_kind(e: &Error) -> &'static str {
    match e {
        Error::InvalidInput { .. } => "invalid_input",
        Error::Api(_) => "api",
        Error::Auth(_) => "auth",
        Error::Redirect { .. } => "redirect",
        Error::Mismatch { .. } => "mismatch",
        Error::Decode { .. } => "decode",
        Error::Timeout { .. } => "timeout",
        Error::Transport { .. } => "transport",
        Error::ResponseTooLarge { .. } => "response_too_large",
        Error::GenerationFailed { .. } => "generation_failed",
        Error::WaitTimeout { .. } => "wait_timeout",
        Error::Write { .. } => "write",
        _ => "other",
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.global.json;
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            if json {
                let line = serde_json::json!({"error": {"exit_code": failure.code, "message": failure.message}});
                println!("{line}");
            }
            eprintln!("acronis-reports: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// Builds the client from the options and the environment (flags win).
pub fn client(global: &Global) -> Result<Client, Failure> {
    let base_url = global
        .base_url
        .as_deref()
        .ok_or_else(|| Failure::usage("no base URL: give --base-url or set ACRONIS_BASE_URL"))?;
    let mut builder = Client::builder().base_url(base_url);
    builder = match (
        &global.client_id,
        &global.client_secret,
        &global.token,
        &global.token_file,
    ) {
        (Some(id), Some(secret), _, _) => builder.client_credentials(id, secret),
        (Some(_), None, _, _) | (None, Some(_), _, _) => {
            return Err(Failure::usage(
                "client credentials need both --client-id and --client-secret",
            ));
        }
        (None, None, Some(token), _) => builder.bearer_token(token),
        (None, None, None, Some(file)) => {
            let token = std::fs::read_to_string(file).map_err(|e| {
                Failure::usage(format!(
                    "cannot read the token file {}: {e}",
                    file.display()
                ))
            })?;
            builder.bearer_token(token.trim())
        }
        (None, None, None, None) => {
            return Err(Failure::usage(
                "no credentials: set ACRONIS_CLIENT_ID and ACRONIS_CLIENT_SECRET, or ACRONIS_TOKEN, or give --token-file",
            ));
        }
    };
    if let Some(retries) = global.retries {
        builder = builder.retries(retries);
    }
    let timeout = match global.timeout {
        Some(s) if s.is_finite() && s > 0.0 => Some(Duration::from_secs_f64(s)),
        Some(_) => {
            return Err(Failure::usage(
                "--timeout takes a positive number of seconds",
            ));
        }
        None => None,
    };
    if global.dry_run {
        builder = builder.transport(dry_run_transport(global.json));
    } else if let Some(timeout) = timeout {
        builder = builder.timeout(timeout);
    }
    builder.build().map_err(Failure::from)
}

/// A transport that sends nothing: it prints each request (the token redacted), answers a
/// token request with a stand-in token so that the calls can be shown, and refuses the rest.
fn dry_run_transport(json: bool) -> impl acronis_reports::Transport {
    let printed = Arc::new(std::sync::Mutex::new(()));
    from_fn(move |request: Request| {
        let _one_at_a_time = printed.lock();
        let is_token_request = request.url().ends_with("/idp/token");
        let headers: Vec<(String, String)> = request
            .headers()
            .map(|(name, value)| {
                let shown = if name == "authorization" {
                    let scheme = value.split(' ').next().unwrap_or("");
                    format!("{scheme} <redacted>")
                } else {
                    value.to_owned()
                };
                (name.to_owned(), shown)
            })
            .collect();
        let body = request
            .body()
            .map(|b| String::from_utf8_lossy(b).into_owned());
        let body = if is_token_request {
            body.map(|_| "<redacted>".to_owned())
        } else {
            body
        };
        let mut out = std::io::stdout().lock();
        if json {
            let headers: serde_json::Map<String, serde_json::Value> =
                headers.into_iter().map(|(n, v)| (n, v.into())).collect();
            let line = serde_json::json!({"dry_run": true, "method": request.method().as_str(),
                "url": request.url(), "headers": headers, "body": body});
            let _ = writeln!(out, "{line}");
        } else {
            let _ = writeln!(out, "{} {}", request.method(), request.url());
            for (name, value) in &headers {
                let _ = writeln!(out, "{name}: {value}");
            }
            let _ = writeln!(out);
            if let Some(body) = &body {
                let _ = writeln!(out, "{body}");
            }
            let _ = writeln!(out);
        }
        if is_token_request {
            let stand_in = br#"{"access_token":"dry-run","token_type":"bearer","id_token":"","expires_in":7200}"#;
            return Ok(Response::from_bytes(200, vec![], stand_in.to_vec()));
        }
        Err(TransportError::new(
            TransportErrorKind::Other,
            commands::DRY_RUN,
        ))
    })
}
