//! `completions SHELL`: a completion script for the shell, made by `clap_complete` from the
//! command line's own definition.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::args::Cli;
use crate::failure::{Failure, exit};
use crate::output::Output;

/// `completions SHELL`: the exit code.
pub fn run(shell: Shell, out: &Output) -> Result<u8, Failure> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "acronis-reports", &mut script);
    let mut stdout = out.stdout;
    stdout
        .write_all(&script)
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::output(&e))?;
    Ok(exit::OK)
}
