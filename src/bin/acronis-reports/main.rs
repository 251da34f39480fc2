//! `acronis-reports`: the command-line tool of the acronis-reports crate, built on its public
//! API only. See `acronis-reports --help` and `docs/cli.md`.

#![forbid(unsafe_code)]

mod args;
mod commands;
mod connect;
mod failure;
mod files;
mod ids;
mod json;
mod output;
mod progress;
mod signals;

use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};

use args::{Cli, FromCommandLine};
use output::{Output, Stdout};

fn main() -> ExitCode {
    signals::install();
    let matches = match Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(e) => return failure::clap_exit(&e),
    };
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => return failure::clap_exit(&e),
    };
    let on_command_line = |name: &str| matches.value_source(name) == Some(ValueSource::CommandLine);
    cli.global.from_command_line = FromCommandLine {
        client_id: on_command_line("client_id"),
        client_secret: on_command_line("client_secret"),
        token: on_command_line("token"),
        token_file: on_command_line("token_file"),
    };
    let out = Output {
        json: cli.global.json,
        stdout: Stdout,
    };
    let result = commands::run(cli, &out);
    failure::finish(result, &out)
}
