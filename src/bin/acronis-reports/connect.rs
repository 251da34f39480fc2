//! Connecting: the client built from the options and the environment (flags win), its
//! credentials, and what `--dry-run` (the client's dry-run mode) prints of each request.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use acronis_reports::transport::Request;
use acronis_reports::{Client, ClientBuilder, Error};

use crate::args::Global;
use crate::failure::Failure;
use crate::json;
use crate::output::{Output, Stdout};

/// The largest answer the tool reads (the JSON ones; downloads are streamed): 64 MiB, a
/// listing of about 1.7 million report ids.
const MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// Whether `e` is a dry run's call, described and not sent.
pub fn is_dry_run(e: &Error) -> bool {
    matches!(e, Error::NotSent { .. })
}

/// Builds the client from the options and the environment (flags win). `pool_size`: how many
/// threads will share it. `out`: where a dry run prints its requests.
pub fn client(global: &Global, pool_size: u16, out: &Output) -> Result<Client, Failure> {
    let base_url = global
        .base_url
        .as_deref()
        .ok_or_else(|| Failure::usage("no base URL: give --base-url or set ACRONIS_BASE_URL"))?;
    // A tenant's listing of many thousand ids is larger than the library's 4 MiB default.
    let mut builder = credentials(Client::builder().base_url(base_url), global)?
        .max_response_bytes(MAX_RESPONSE_BYTES);
    if let Some(retries) = global.retries {
        builder = builder.retries(retries);
    }
    let timeout = match global.timeout {
        Some(s) if s > 0.0 => Some(
            Duration::try_from_secs_f64(s)
                .map_err(|_| Failure::usage("--timeout takes a positive number of seconds"))?,
        ),
        Some(_) => {
            return Err(Failure::usage(
                "--timeout takes a positive number of seconds",
            ));
        }
        None => None,
    };
    if global.dry_run {
        builder = builder.dry_run(describer(out.json, out.stdout));
    }
    if let Some(timeout) = timeout {
        builder = builder.timeout(timeout);
    }
    // One idle connection per thread of a bulk run, so that none is closed and reopened.
    builder = builder.max_idle_connections_per_host(usize::from(pool_size).max(8));
    builder.build().map_err(Failure::from)
}

/// A client for commands that only read: `--dry-run` does not apply to them.
pub fn reader(global: &Global, out: &Output) -> Result<Client, Failure> {
    read_only(global)?;
    client(global, 1, out)
}

/// Refuses `--dry-run` for a command that only reads.
pub fn read_only(global: &Global) -> Result<(), Failure> {
    if global.dry_run {
        return Err(Failure::usage(
            "--dry-run is for commands that write; this one only reads",
        ));
    }
    Ok(())
}

/// Chooses the credentials: those given on the command line, if any (two kinds there is an
/// error), else those of the environment (client id and secret before a token).
fn credentials(builder: ClientBuilder, global: &Global) -> Result<ClientBuilder, Failure> {
    let flags = global.from_command_line;
    if flags.token && flags.token_file {
        return Err(Failure::usage("give --token or --token-file, not both"));
    }
    let token_from_file = || -> Result<String, Failure> {
        let file = global
            .token_file
            .as_deref()
            .unwrap_or(std::path::Path::new(""));
        let text = std::fs::read_to_string(file).map_err(|e| {
            Failure::usage(format!(
                "cannot read the token file {}: {e}",
                file.display()
            ))
        })?;
        Ok(text.trim().to_owned())
    };
    let pair = (&global.client_id, &global.client_secret);
    if flags.client_id || flags.client_secret {
        if flags.token || flags.token_file {
            return Err(Failure::usage(
                "give client credentials or a token, not both",
            ));
        }
        return match pair {
            (Some(id), Some(secret)) => Ok(builder.client_credentials(id, secret)),
            _ => Err(Failure::usage(
                "client credentials need both a client id and a client secret",
            )),
        };
    }
    if flags.token_file {
        return Ok(builder.bearer_token(token_from_file()?));
    }
    if flags.token {
        return Ok(builder.bearer_token(global.token.clone().unwrap_or_default()));
    }
    match (pair, &global.token) {
        ((Some(id), Some(secret)), _) => Ok(builder.client_credentials(id, secret)),
        (_, Some(token)) => Ok(builder.bearer_token(token)),
        ((Some(_), None) | (None, Some(_)), None) => Err(Failure::usage(
            "client credentials need both ACRONIS_CLIENT_ID and ACRONIS_CLIENT_SECRET",
        )),
        ((None, None), None) => Err(Failure::usage(
            "no credentials: set ACRONIS_CLIENT_ID and ACRONIS_CLIENT_SECRET, or ACRONIS_TOKEN, or give --token-file",
        )),
    }
}

/// What a dry run does with each request the client would send (its secrets redacted by
/// the library): prints it, as text or a JSON line, one request at a time.
fn describer(
    json: bool,
    stdout: Stdout,
) -> impl Fn(&Request) -> Result<(), Box<dyn std::error::Error + Send + Sync>> + Send + Sync + 'static
{
    let printed = Arc::new(Mutex::new(()));
    move |request: &Request| {
        let _one_at_a_time = printed.lock();
        let headers: Vec<(String, String)> = request
            .headers()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        let body = request
            .body()
            .map(|b| String::from_utf8_lossy(b).into_owned());
        let mut text = String::new();
        if json {
            let line = json::to_line(&json::DryRunRequest {
                body,
                dry_run: true,
                headers: headers.into_iter().collect(),
                method: request.method().as_str(),
                url: request.url().to_owned(),
            })
            .map_err(|e| format!("dry run: cannot show the request: {e}"))?;
            text.push_str(&format!("{line}\n"));
        } else {
            text.push_str(&format!("{} {}\n", request.method(), request.url()));
            for (name, value) in &headers {
                text.push_str(&format!("{name}: {value}\n"));
            }
            text.push('\n');
            if let Some(body) = &body {
                text.push_str(&format!("{body}\n"));
            }
            text.push('\n');
        }
        let mut out = stdout;
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| format!("dry run: cannot write to standard output: {e}"))?;
        Ok(())
    }
}
