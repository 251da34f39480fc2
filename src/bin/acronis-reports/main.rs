//! `acronis-reports`: the command-line tool of the acronis-reports crate, built on its public
//! API only. See `acronis-reports --help` and `docs/cli.md`.

#![forbid(unsafe_code)]

mod args;
mod clean;
mod commands;
mod connect;
mod failure;
mod files;
mod finish;
mod ids;
mod json;
mod output;
mod progress;
mod signals;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use args::Cli;
use failure::Failure;
use output::{Output, Stdout};

fn main() -> ExitCode {
    signals::install();
    let matches = match Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(e) => return finish::clap_exit(&e),
    };
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => return finish::clap_exit(&e),
    };
    let out = Output {
        json: cli.global.json,
        stdout: Stdout,
    };
    let result = match cli.global.fill_from_environment() {
        Ok(()) => commands::run(cli, &out),
        Err(e) => Err(Failure::usage(e)),
    };
    finish::finish(result, &out)
}
