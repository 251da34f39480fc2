//! How the tool ends: the command's failure printed on standard error (text, or a JSON line
//! with `--json`), or clap's help and errors; the exit code.

use std::process::ExitCode;

use crate::failure::{Failure, exit, stdout_failure};
use crate::json;
use crate::output::{self, Output, clean, note};

/// Whether `code` is a signal's that ends a session (SIGHUP 129, SIGINT 130, SIGTERM 143).
fn is_interrupt(code: u8) -> bool {
    matches!(code, 129 | 130 | 143)
}

/// Ends the tool with the command's result: a failure is printed on standard error, as text
/// or, with `--json`, as one JSON line (standard output holds results only). Output the
/// command could not write is a failure of its own, whatever the command says (but an
/// interrupt's exit code, 129, 130 or 143, stands).
pub fn finish(result: Result<u8, Failure>, out: &Output) -> ExitCode {
    let result = match (result, stdout_failure()) {
        (Ok(code), Some(failure)) => Err(Failure {
            code: if is_interrupt(code) {
                code
            } else {
                failure.code.max(code)
            },
            ..failure
        }),
        (result, _) => result,
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            if !failure.message.is_empty() {
                let code = failure.code;
                if out.json {
                    let line = json::CommandFailure {
                        error: json::ErrorJson {
                            exit_code: failure.code,
                            kind: failure.kind,
                            message: failure.message,
                            request_id: failure.request_id,
                            status: failure.status,
                        },
                    };
                    match json::to_line(&line) {
                        Ok(line) => note(line),
                        Err(e) => output::error(e),
                    }
                } else {
                    output::error(clean(&failure.message));
                }
                return ExitCode::from(code);
            }
            ExitCode::from(failure.code)
        }
    }
}

/// Prints clap's help, version or usage error; the exit code (a failure to print the help is
/// a failure too).
pub fn clap_exit(e: &clap::Error) -> ExitCode {
    let code = u8::try_from(e.exit_code()).unwrap_or(exit::USAGE);
    ExitCode::from(match e.print() {
        Ok(()) => code,
        // Help and version go to standard output: not printing them is a failure.
        Err(err) if !e.use_stderr() => {
            if err.kind() == std::io::ErrorKind::BrokenPipe {
                exit::BROKEN_PIPE
            } else {
                output::error(format_args!("cannot write to standard output: {err}"));
                exit::TROUBLE
            }
        }
        Err(_) => code,
    })
}
