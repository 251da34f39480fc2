//! The commands, each on the library's public API.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use acronis_reports::{
    Client, Date, Level, NewReport, ReportFormat, ReportKind, ReportUpdate, ScheduleType, Uuid,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::args::{Bulk, Cli, Command, CreateArgs, Global, UpdateFields};
use crate::output::{Outcome, Output};
use crate::{Failure, client, is_dry_run};

/// Runs the command; the exit code, or a failure of the whole command.
pub fn run(cli: Cli) -> Result<u8, Failure> {
    let Cli { global, command } = cli;
    let out = Output { json: global.json };
    match command {
        Command::Patch { fields } => {
            let update = update_from(&fields)?;
            if update.is_empty() {
                return Err(Failure::usage(
                    "nothing to change: give at least one of the update options",
                ));
            }
            println!("{}", update.to_json_string());
            Ok(0)
        }
        Command::Disable(bulk) => bulk_update(&global, &bulk, ReportUpdate::disable(), &out),
        Command::Enable(bulk) => bulk_update(&global, &bulk, ReportUpdate::enable(), &out),
        Command::Update { bulk, fields } => {
            let update = update_from(&fields)?;
            if update.is_empty() {
                return Err(Failure::usage(
                    "nothing to change: give at least one of the update options",
                ));
            }
            bulk_update(&global, &bulk, update, &out)
        }
        Command::Show { id } => {
            out.report(&reader(&global)?.get_report(&id)?);
            Ok(0)
        }
        Command::List { tenant } => {
            for id in reader(&global)?.list_report_ids(&tenant)? {
                out.id(&id.to_string());
            }
            Ok(0)
        }
        Command::Stored { id } => {
            for file in reader(&global)?.stored_reports(&id)? {
                out.stored(&file);
            }
            Ok(0)
        }
        Command::Download {
            id,
            stored_id,
            output,
        } => download(&global, &id, &stored_id, output.as_deref(), &out),
        Command::Create(args) => {
            let request = new_report_from(&args)?;
            match client(&global, 1)?.create_report(&request) {
                Err(e) if is_dry_run(&e) => Ok(0),
                Err(e) => Err(e.into()),
                Ok(report) => {
                    out.report(&report);
                    Ok(0)
                }
            }
        }
        Command::Delete { id, version } => match client(&global, 1)?.delete_report(&id, version) {
            Err(e) if is_dry_run(&e) => Ok(0),
            Err(e) => Err(e.into()),
            Ok(()) => {
                out.done(
                    &format!("deleted  {id}"),
                    json!({"id": id, "outcome": "deleted"}),
                );
                Ok(0)
            }
        },
    }
}

/// A client for commands that only read: `--dry-run` does not apply to them.
fn reader(global: &Global) -> Result<Client, Failure> {
    if global.dry_run {
        return Err(Failure::usage(
            "--dry-run is for commands that write; this one only reads",
        ));
    }
    client(global, 1)
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
        let ids: Vec<Uuid> = fields
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
        parse("--tenant", &args.tenant)?,
        parse("--level", &args.level)?,
        parse("--kind", &args.kind)?,
    );
    if !args.send_to.is_empty() {
        let ids: Vec<Uuid> = args
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

/// Report ids read from a file or standard input, one per line, streamed: blank lines and
/// `#` comments are skipped; a read error ends the ids and is kept to be reported.
struct IdLines {
    lines: io::Lines<Box<dyn BufRead + Send>>,
    error: Arc<Mutex<Option<io::Error>>>,
}

impl Iterator for IdLines {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        loop {
            match self.lines.next()? {
                Ok(line) => {
                    let id = line.trim();
                    if !id.is_empty() && !id.starts_with('#') {
                        return Some(id.to_owned());
                    }
                }
                Err(e) => {
                    *self.error.lock().unwrap_or_else(PoisonError::into_inner) = Some(e);
                    return None;
                }
            }
        }
    }
}

fn bulk_update(
    global: &Global,
    bulk: &Bulk,
    update: ReportUpdate,
    out: &Output,
) -> Result<u8, Failure> {
    let client = client(global, bulk.concurrency)?;
    let read_error = Arc::new(Mutex::new(None));
    let (ids, total): (Box<dyn Iterator<Item = String> + Send>, Option<u64>) =
        if let Some(tenant) = &bulk.tenant {
            if global.dry_run {
                return Err(Failure::usage(
                    "--dry-run cannot list a tenant's reports (that is a request): give ids",
                ));
            }
            let ids = client.list_report_ids(tenant)?;
            let total = ids.len() as u64;
            (
                Box::new(ids.into_iter().map(|id| id.to_string())),
                Some(total),
            )
        } else if let Some(file) = &bulk.ids_file {
            let reader: Box<dyn BufRead + Send> = if file == Path::new("-") {
                Box::new(BufReader::new(io::stdin()))
            } else {
                let f = File::open(file)
                    .map_err(|e| Failure::usage(format!("cannot read {}: {e}", file.display())))?;
                Box::new(BufReader::new(f))
            };
            (
                Box::new(IdLines {
                    lines: reader.lines(),
                    error: read_error.clone(),
                }),
                None,
            )
        } else if bulk.ids.is_empty() {
            return Err(Failure::usage(
                "no reports given: give ids, --ids-file or --tenant",
            ));
        } else {
            (
                Box::new(bulk.ids.clone().into_iter()),
                Some(bulk.ids.len() as u64),
            )
        };

    let whole_tenant = bulk.tenant.is_some();
    let job = move |client: &Client, id: &String| -> Result<Outcome, acronis_reports::Error> {
        let id = id.as_str();
        Ok((|| {
            if whole_tenant {
                // Look first: one-time reports cannot be changed, and some already are as asked.
                match client.get_report(id) {
                    Err(e) => return Outcome::Failed(e),
                    Ok(r) if r.schedule.schedule_type != ScheduleType::Monthly => {
                        return Outcome::Skipped("one-time report: the API does not change these");
                    }
                    Ok(r) if update.verify(&r).is_ok() => {
                        return Outcome::Skipped("already as asked");
                    }
                    Ok(_) => {}
                }
            }
            match client.update_report(id, &update) {
                Ok(report) => Outcome::Changed(Box::new(report)),
                Err(e) if is_dry_run(&e) => Outcome::DryRun,
                Err(e) => Outcome::Failed(e),
            }
        })())
    };

    let bar = progress_bar(
        total,
        global.dry_run || !std::io::IsTerminal::is_terminal(&io::stderr()),
    );
    let (mut changed, mut skipped, mut failed, mut not_sent) = (0u64, 0u64, 0u64, 0u64);
    let mut code = 0;
    for (id, outcome) in client.for_each_id(ids, usize::from(bulk.concurrency), job) {
        let outcome = outcome.unwrap_or_else(Outcome::Failed);
        match &outcome {
            Outcome::Changed(_) => changed += 1,
            Outcome::Skipped(_) => skipped += 1,
            Outcome::DryRun => not_sent += 1,
            Outcome::Failed(_) => failed += 1,
        }
        code = code.max(outcome.code());
        bar.suspend(|| out.outcome(&id, &outcome));
        bar.inc(1);
    }
    bar.finish_and_clear();
    let mut summary = format!("{changed} changed, {skipped} skipped, {failed} failed");
    if not_sent > 0 {
        summary.push_str(&format!(", {not_sent} not sent (dry run)"));
    }
    eprintln!("{summary}");
    if let Some(e) = read_error
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
    {
        eprintln!(
            "acronis-reports: reading the ids stopped: {e}; the ids after that were not handled"
        );
        code = code.max(2);
    }
    Ok(code)
}

/// A progress bar on standard error when it is a terminal; hidden otherwise.
fn progress_bar(total: Option<u64>, hidden: bool) -> ProgressBar {
    let bar = match total {
        Some(n) => ProgressBar::new(n),
        None => ProgressBar::new_spinner(),
    };
    if hidden {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    } else {
        bar.set_draw_target(ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} {pos}/{len} reports {wide_bar} {elapsed}")
        {
            bar.set_style(style);
        }
    }
    bar
}

fn download(
    global: &Global,
    id: &str,
    stored_id: &str,
    output: Option<&Path>,
    out: &Output,
) -> Result<u8, Failure> {
    let client = reader(global)?;
    let Some(path) = output else {
        // The file goes to standard output, so nothing else may.
        let written = client.download_stored_report(id, stored_id, io::stdout().lock())?;
        eprintln!("downloaded {written} bytes");
        return Ok(0);
    };
    let file = File::create(path)
        .map_err(|e| Failure::usage(format!("cannot create {}: {e}", path.display())))?;
    let written = client.download_stored_report(id, stored_id, BufWriter::new(file))?;
    out.done(
        &format!("downloaded {written} bytes to {}", path.display()),
        json!({"id": id, "stored_id": stored_id, "outcome": "downloaded", "bytes": written, "file": path}),
    );
    Ok(0)
}
