//! The commands, one per module, each on the library's public API; [`run`] picks the one the
//! command line names.

mod apply;
mod billing;
mod bulk;
mod completions;
mod create;
mod delete;
mod download;
mod emulator;
mod export;
mod list;
mod patch;
mod plan;
mod show;
mod stored;
mod usage;

use acronis_reports::{Level, ReportKind, ReportUpdate, UserId};

use crate::args::{Cli, Command, UpdateFields};
use crate::failure::Failure;
use crate::output::Output;

/// Runs the command; the exit code, or a failure of the whole command.
pub fn run(cli: Cli, out: &Output) -> Result<u8, Failure> {
    let Cli { global, command } = cli;
    match command {
        Command::Patch { fields } => patch::run(&fields, out),
        Command::Disable(targets) => bulk::run(&global, &targets, ReportUpdate::disable(), out),
        Command::Enable(targets) => bulk::run(&global, &targets, ReportUpdate::enable(), out),
        Command::Update { bulk, fields } => bulk::run(&global, &bulk, update_from(&fields)?, out),
        Command::Show { id } => show::run(&global, &id, out),
        Command::List {
            tenant,
            ids_only,
            concurrency,
        } => list::run(&global, &tenant, ids_only, concurrency, out),
        Command::Stored { id } => stored::run(&global, &id, out),
        Command::Download {
            id,
            stored_id,
            output,
        } => download::run(&global, &id, &stored_id, output.as_deref(), out),
        Command::Plan {
            desired,
            exit_code,
            out: save_to,
        } => plan::run(&global, &desired, exit_code, save_to.as_deref(), out),
        Command::Apply { desired, yes } => apply::run(&global, &desired, yes, out),
        Command::Export {
            tenants,
            under,
            tenant_kinds,
            group,
            output,
            concurrency,
        } => {
            // clap's `requires` does not hold a flag to --under when --tenant is given.
            if under.is_none() && (group || !tenant_kinds.is_empty()) {
                return Err(Failure::usage(
                    "--group and --tenant-kind choose among the tenants of --under: give --under",
                ));
            }
            let scope = match under {
                Some(root) => export::Scope::Under {
                    root,
                    kinds: tenant_kinds,
                    group,
                },
                None => export::Scope::Tenants(tenants),
            };
            export::run(&global, &scope, output.as_deref(), concurrency, out)
        }
        Command::Usage { source, view } => usage::run(&global, &source, &view, out),
        Command::Billing(args) => billing::run(&global, &args, out),
        Command::Emulator {
            port,
            seed,
            tenants,
            delay_ms,
        } => emulator::run(port, seed.as_deref(), &tenants, delay_ms, out),
        Command::Create(args) => create::run(&global, &args, out),
        Command::Completions { shell } => completions::run(shell, out),
        Command::Delete { id, version } => delete::run(&global, &id, version, out),
    }
}

/// An option's value, parsed; its error names the option.
fn parse<T: std::str::FromStr>(what: &str, value: &str) -> Result<T, Failure>
where
    T::Err: std::fmt::Display,
{
    value
        .parse()
        .map_err(|e| Failure::usage(format!("{what}: {e}")))
}

/// The change the update options ask for (`update`, `patch`): refused when it changes
/// nothing.
fn update_from(fields: &UpdateFields) -> Result<ReportUpdate, Failure> {
    let mut update = ReportUpdate::new();
    if let Some(enabled) = fields.enabled {
        update = update.enabled(enabled);
    }
    if !fields.recipients.is_empty() {
        let ids: Vec<UserId> = fields
            .recipients
            .iter()
            .map(|r| parse("--recipient", r))
            .collect::<Result<_, _>>()?;
        update = update.recipients(ids);
    }
    if let Some(level) = &fields.level {
        update = update.level(parse::<Level>("--level", level)?);
    }
    if let Some(kind) = &fields.kind {
        update = update.kind(parse::<ReportKind>("--kind", kind)?);
    }
    if let Some(hide) = fields.hide_zero_usage {
        update = update.hide_zero_usage(hide);
    }
    if let Some(show) = fields.show_skus {
        update = update.show_skus(show);
    }
    if update.is_empty() {
        return Err(Failure::usage(
            "nothing to change: give at least one of the update options",
        ));
    }
    Ok(update)
}
