//! The commands, each on the library's public API.

use std::io;
use std::path::Path;

use acronis_reports::{
    Date, Level, NewReport, ReportFormat, ReportKind, ReportUpdate, TenantId, UserId,
};

use crate::args::{Cli, Command, CreateArgs, Global, UpdateFields};
use crate::bulk::bulk_update;
use crate::connect::{client, is_dry_run, reader};
use crate::failure::{Failure, exit};
use crate::files::AtomicFile;
use crate::json;
use crate::output::{Output, note};

/// Runs the command; the exit code, or a failure of the whole command.
pub fn run(cli: Cli, out: &Output) -> Result<u8, Failure> {
    let Cli { global, command } = cli;
    let written = |result: io::Result<()>| result.map_err(|e| Failure::output(&e));
    match command {
        Command::Patch { fields } => {
            let update = update_from(&fields)?;
            if update.is_empty() {
                return Err(Failure::usage(
                    "nothing to change: give at least one of the update options",
                ));
            }
            written(out.line(&update.to_json_string()))?;
            Ok(exit::OK)
        }
        Command::Disable(bulk) => bulk_update(&global, &bulk, ReportUpdate::disable(), out),
        Command::Enable(bulk) => bulk_update(&global, &bulk, ReportUpdate::enable(), out),
        Command::Update { bulk, fields } => {
            let update = update_from(&fields)?;
            if update.is_empty() {
                return Err(Failure::usage(
                    "nothing to change: give at least one of the update options",
                ));
            }
            bulk_update(&global, &bulk, update, out)
        }
        Command::Show { id } => {
            let report = reader(&global, out)?.get_report(&id)?;
            written(out.report(&report))?;
            Ok(exit::OK)
        }
        Command::List { tenant } => {
            for id in reader(&global, out)?.list_report_ids(&tenant)? {
                written(out.id(&id.to_string()))?;
            }
            Ok(exit::OK)
        }
        Command::Stored { id } => {
            for file in reader(&global, out)?.stored_reports(&id)? {
                written(out.stored(&file))?;
            }
            Ok(exit::OK)
        }
        Command::Download {
            id,
            stored_id,
            output,
        } => download(&global, &id, &stored_id, output.as_deref(), out),
        Command::Plan { desired, exit_code } => {
            crate::desired::plan(&global, &desired, exit_code, out)
        }
        Command::Apply { desired, yes } => crate::desired::apply(&global, &desired, yes, out),
        Command::Export {
            tenants,
            output,
            concurrency,
        } => crate::desired::export(&global, &tenants, output.as_deref(), concurrency, out),
        Command::Usage { source, view } => crate::usage::usage(&global, &source, &view, out),
        Command::Billing(args) => crate::usage::billing(&global, &args, out),
        Command::Emulator {
            port,
            seed,
            tenants,
        } => crate::emulator::run(port, seed.as_deref(), &tenants, out),
        Command::Create(args) => {
            let request = new_report_from(&args)?;
            match client(&global, 1, out)?.create_report(&request) {
                Err(e) if is_dry_run(&e) => Ok(exit::OK),
                Err(e) => Err(e.into()),
                Ok(report) => {
                    written(out.report(&report))?;
                    Ok(exit::OK)
                }
            }
        }
        Command::Delete { id, version } => {
            match client(&global, 1, out)?.delete_report(&id, version) {
                Err(e) if is_dry_run(&e) => Ok(exit::OK),
                Err(e) => Err(e.into()),
                Ok(()) => {
                    written(out.done(
                        &format!("deleted  {id}"),
                        &json::Deleted {
                            id: &id,
                            outcome: "deleted",
                        },
                    ))?;
                    Ok(exit::OK)
                }
            }
        }
    }
}

fn parse<T: std::str::FromStr>(what: &str, value: &str) -> Result<T, Failure>
where
    T::Err: std::fmt::Display,
{
    value
        .parse()
        .map_err(|e| Failure::usage(format!("{what}: {e}")))
}

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
    Ok(update)
}

fn new_report_from(args: &CreateArgs) -> Result<NewReport, Failure> {
    let mut report = NewReport::new(
        parse::<TenantId>("--tenant", &args.tenant)?,
        parse("--level", &args.level)?,
        parse("--kind", &args.kind)?,
    );
    if !args.send_to.is_empty() {
        let ids: Vec<UserId> = args
            .send_to
            .iter()
            .map(|r| parse("--send-to", r))
            .collect::<Result<_, _>>()?;
        report = report.send_to(ids);
    }
    if args.monthly {
        report = report.monthly();
    }
    if let Some(enabled) = args.enabled {
        report = report.enabled(enabled);
    }
    if !args.formats.is_empty() {
        let formats: Vec<ReportFormat> = args
            .formats
            .iter()
            .map(|f| parse("--format", f))
            .collect::<Result<_, _>>()?;
        report = report.formats(formats);
    }
    if let (Some(start), Some(end)) = (&args.start, &args.end) {
        report = report.period(
            parse::<Date>("--start", start)?,
            parse::<Date>("--end", end)?,
        );
    }
    if let Some(hide) = args.hide_zero_usage {
        report = report.hide_zero_usage(hide);
    }
    if let Some(show) = args.show_skus {
        report = report.show_skus(show);
    }
    if let Some(day) = &args.generation_date {
        report = report.generation_date(parse("--generation-date", day)?);
    }
    report
        .validate()
        .map_err(|e| Failure::usage(e.to_string()))?;
    Ok(report)
}

fn download(
    global: &Global,
    id: &str,
    stored_id: &str,
    output: Option<&Path>,
    out: &Output,
) -> Result<u8, Failure> {
    let client = reader(global, out)?;
    let Some(path) = output else {
        // The file goes to standard output, so nothing else may.
        let written = client.download_stored_report(id, stored_id, out.stdout)?;
        note(format_args!("downloaded {written} bytes"));
        return Ok(exit::OK);
    };
    // The file arrives beside the target and replaces it only once complete: any failure
    // leaves an existing file as it was.
    let mut file = AtomicFile::create(path).map_err(|e| {
        Failure::usage(format!(
            "cannot write {}: {e}; nothing was sent",
            path.display()
        ))
    })?;
    let written = client.download_stored_report(id, stored_id, io::BufWriter::new(file.file()))?;
    file.commit().map_err(|e| Failure {
        code: exit::TROUBLE,
        message: format!(
            "the file was downloaded but could not replace {}: {e}; it was left as it was",
            path.display()
        ),
    })?;
    let done = out.done(
        &format!("downloaded {written} bytes to {}", path.display()),
        &json::Downloaded {
            bytes: written,
            file: path.to_string_lossy(),
            id,
            outcome: "downloaded",
            stored_id,
        },
    );
    done.map_err(|e| Failure::output(&e))?;
    Ok(exit::OK)
}
