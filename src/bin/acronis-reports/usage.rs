//! `usage` and `billing`: usage data read from a file or the API, as a table, CSV, JSON
//! lines, or billable totals; and the vendor's billing-report recipe.

use std::cell::RefCell;
use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;
use std::rc::Rc;

use acronis_reports::billing::{Line, Totals, billable};
use acronis_reports::bulk::BulkOptions;
use acronis_reports::usage::{self, UsageFormat, UsageRecord};
use acronis_reports::{BillingOptions, Date, Level, TenantId};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::args::{BillingArgs, Global, UsageView};
use crate::connect::{self, client};
use crate::failure::{Failure, error_text, exit, exit_code};
use crate::output::{Output, clean, note};
use crate::{json, signals};

/// `usage FILE` or `usage ID STORED_ID`: the exit code.
pub fn usage(
    global: &Global,
    source: &[String],
    view: &UsageView,
    out: &Output,
) -> Result<u8, Failure> {
    connect::read_only(global)?;
    if view.csv && out.json {
        return Err(Failure::usage("give --csv or --json, not both"));
    }
    // Each error with its exit code, and whether it ended the reading.
    let records: Box<dyn Iterator<Item = Result<UsageRecord, (String, u8, bool)>>> = match source {
        [file] => {
            let path = Path::new(file);
            let reader: Box<dyn Read + Send> =
                if file == "-" {
                    Box::new(io::stdin())
                } else {
                    Box::new(std::fs::File::open(path).map_err(|e| {
                        Failure::usage(format!("cannot read {}: {e}", path.display()))
                    })?)
                };
            let records = usage::detect(reader)
                .map_err(|e| Failure::usage(format!("{}: {}", path.display(), chain(&e))))?;
            let shown = path.display().to_string();
            // A file given on the command line is input: whatever keeps it from being read
            // (its content, a gzip stream cut short, the disk) is exit 2.
            Box::new(records.map(move |r| {
                r.map_err(|e| {
                    let ends = e.ends_reading;
                    (format!("{shown}: {}", chain(&e)), exit::USAGE, ends)
                })
            }))
        }
        [id, stored_id] => {
            let client = client(global, 1, out)?;
            let records = client.stored_usage(id.as_str(), stored_id.as_str())?;
            Box::new(records.map(|r| {
                r.map_err(|e| {
                    // Anything but a row or item of bad content (the network, the gzip
                    // stream) ends the stream.
                    let ends = match &e {
                        acronis_reports::Error::Usage(u) => u.ends_reading,
                        _ => true,
                    };
                    (error_text(&e), exit_code(&e), ends)
                })
            }))
        }
        _ => {
            return Err(Failure::usage(
                "give a file (or - for standard input), or a report id and a stored file id",
            ));
        }
    };
    let progress = progress(global);
    let mut code = exit::OK;
    let mut failed = 0u64;
    let mut reading_ended = false;
    let mut totals = Totals::new();
    // One write per buffer, not per record; every failure is reported.
    let mut sink = io::BufWriter::new(out.stdout);
    let mut writer = view.csv.then(CsvOut::new);
    if let Some(w) = writer.as_mut() {
        w.write(&mut sink, &CSV_COLUMNS.map(str::to_owned))?;
    }
    let table = !view.billing && !view.csv && !out.json;
    if table {
        writeln!(sink, "{}", table_header()).map_err(|e| Failure::output(&e))?;
    }
    for record in records {
        progress.inc(1);
        let record = match record {
            Ok(record) => record,
            Err((message, c, ends)) => {
                progress.suspend(|| note(format_args!("acronis-reports: {}", clean(&message))));
                code = code.max(c);
                failed += 1;
                reading_ended |= ends;
                continue;
            }
        };
        let line = if view.billing {
            if let Err(e) = totals.add(&record) {
                return Err(Failure {
                    code: exit::TROUBLE,
                    message: format!("{e}: no totals are printed"),
                });
            }
            continue;
        } else if let Some(w) = writer.as_mut() {
            w.write(&mut sink, &csv_row(&record))?;
            continue;
        } else if out.json {
            json::to_line(&json::UsageRecord::of(&record)).map_err(|e| Failure::output(&e))?
        } else {
            table_row(&record)
        };
        progress
            .suspend(|| writeln!(sink, "{line}"))
            .map_err(|e| Failure::output(&e))?;
    }
    progress.finish_and_clear();
    sink.flush().map_err(|e| Failure::output(&e))?;
    if reading_ended {
        note("acronis-reports: the reading stopped at that error: what follows it was not read");
    }
    if view.billing {
        if failed > 0 {
            // Totals of a file read in part would bill the wrong amounts: none are printed.
            return Err(Failure {
                code,
                message: format!(
                    "{failed} of the records could not be read: no totals are printed, since they would be wrong"
                ),
            });
        }
        note_gaps(&totals);
        print_totals(&totals, out)?;
    }
    if failed > 0 {
        note(format_args!(
            "acronis-reports: {failed} of the records could not be read (see above)"
        ));
    }
    Ok(code)
}

/// An error and its sources, on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// `billing --tenant T --month YYYY-MM`: the exit code.
pub fn billing(global: &Global, args: &BillingArgs, out: &Output) -> Result<u8, Failure> {
    let BillingArgs {
        tenant,
        month,
        level,
        keep_report,
        format,
    } = args;
    if global.dry_run {
        return Err(Failure::usage(
            "billing creates, reads and deletes a report: --dry-run cannot show it",
        ));
    }
    let tenant: TenantId = tenant
        .parse()
        .map_err(|e| Failure::usage(format!("--tenant: {e}")))?;
    let (start, end) = month_days(month)?;
    let mut options = BillingOptions::new().keep_report(*keep_report);
    match format.as_deref() {
        None | Some("csv_v2_0") => {}
        Some("json_v2_0") => options = options.format(UsageFormat::JsonV2),
        Some(other) => {
            return Err(Failure::usage(format!(
                "--format {other:?}: expected csv_v2_0 or json_v2_0"
            )));
        }
    }
    if let Some(level) = level {
        options = options.level(
            level
                .parse::<Level>()
                .map_err(|e| Failure::usage(format!("--level: {e}")))?,
        );
    }
    let client = client(global, 1, out)?;
    let progress = progress(global);
    progress.set_message(format!(
        "creating the usage report of {month} and waiting for its file"
    ));
    // Run as a one-job bulk run, so that an interrupt stops the wait for the file (the
    // report made is still deleted) instead of ending the tool with the report left behind.
    let keep = *keep_report;
    let run = client.for_each_id(
        [()],
        BulkOptions::new().concurrency(1).never_stop_for_failures(),
        move |client: &acronis_reports::Client, _: &()| {
            client.billing_report(tenant, start, end, &options)
        },
    );
    signals::guard_run(run.stop_handle());
    // A run yields one result per id: this one's.
    let result = run.into_iter().next().map(|(_, result)| result);
    let interrupted = signals::end_run();
    progress.finish_and_clear();
    if let Some(code) = interrupted {
        let created = !matches!(
            result,
            None | Some(Err(acronis_reports::Error::NotAttempted { .. }))
        );
        let list = format!("`acronis-reports list --tenant {tenant}` lists the tenant's reports");
        return Err(Failure {
            code,
            message: format!(
                "interrupted: no bill was made; {}",
                match (created, keep) {
                    (false, _) => "no report was created".to_owned(),
                    (true, true) => format!("the one-time report is kept (--keep-report): {list}"),
                    (true, false) => format!(
                        "the one-time report it had created was deleted, unless deleting it failed too ({list})"
                    ),
                }
            ),
        });
    }
    let Some(result) = result else {
        return Err(Failure {
            code: exit::TROUBLE,
            message: "the billing run ended without a result".to_owned(),
        });
    };
    let report = result.map_err(|e| {
        if e.is_usage_history_not_ready() {
            Failure {
                code: exit_code(&e),
                message: format!(
                    "{}: the API prepares usage history between 1 and 6 am UTC; try again after 6 am UTC",
                    error_text(&e)
                ),
            }
        } else {
            Failure::from(e)
        }
    })?;
    note(format_args!(
        "read {} records of {} ({}, {start} to {end}); the one-time report {} was {}",
        report.records,
        report.file.report_format,
        tenant,
        report.report.id,
        if report.deleted { "deleted" } else { "kept" }
    ));
    note_gaps(&report.totals);
    print_totals(&report.totals, out)?;
    if let Some(e) = &report.delete_error {
        note(format_args!(
            "acronis-reports: deleting the one-time report {} failed: {}; delete it with `acronis-reports delete {} --version {}`",
            report.report.id,
            error_text(e),
            report.report.id,
            report.report.version
        ));
        return Ok(exit_code(e));
    }
    Ok(exit::OK)
}

/// The first and last day of `YYYY-MM`.
fn month_days(month: &str) -> Result<(Date, Date), Failure> {
    let bad = || Failure::usage(format!("--month {month:?}: expected YYYY-MM, like 2026-10"));
    let b = month.as_bytes();
    let shaped = b.len() == 7
        && b[4] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || c.is_ascii_digit());
    if !shaped {
        return Err(bad());
    }
    let (y, m) = month.split_once('-').ok_or_else(bad)?;
    let (y, m): (u16, u8) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    Date::month_bounds(y, m).ok_or_else(bad)
}

fn written(result: io::Result<()>) -> Result<(), Failure> {
    result.map_err(|e| Failure::output(&e))
}

fn csv_failure(e: csv::Error) -> Failure {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => Failure::output(&e),
        other => Failure {
            code: exit::TROUBLE,
            message: format!("cannot write CSV: {other:?}"),
        },
    }
}

/// A spinner with the count of records on standard error, when it is a terminal.
fn progress(global: &Global) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    if global.json || !io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    } else {
        bar.set_draw_target(ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {pos} records {msg} {elapsed}") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
    }
    bar
}

/// Rows as CSV (quoted by the `csv` crate), each passed on to the output as it comes.
struct CsvOut {
    writer: csv::Writer<Shared>,
    bytes: Rc<RefCell<Vec<u8>>>,
}

/// Where [`CsvOut`]'s writer puts a row, for it to be taken out.
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl CsvOut {
    fn new() -> CsvOut {
        let bytes = Rc::new(RefCell::new(Vec::new()));
        CsvOut {
            writer: csv::Writer::from_writer(Shared(bytes.clone())),
            bytes,
        }
    }

    fn write(&mut self, sink: &mut impl Write, row: &[String]) -> Result<(), Failure> {
        self.writer.write_record(row).map_err(csv_failure)?;
        self.writer.flush().map_err(|e| Failure::output(&e))?;
        let mut bytes = self.bytes.borrow_mut();
        sink.write_all(&bytes).map_err(|e| Failure::output(&e))?;
        bytes.clear();
        Ok(())
    }
}

const CSV_COLUMNS: [&str; 10] = [
    "tenant",
    "tenant_kind",
    "application",
    "edition",
    "usage_name",
    "unit",
    "absolute",
    "delta",
    "billable",
    "infra_id",
];

fn csv_row(r: &UsageRecord) -> [String; 10] {
    [
        r.tenant.to_string(),
        r.tenant_kind.clone().unwrap_or_default(),
        r.application.clone(),
        r.edition.clone(),
        r.usage_name.clone(),
        r.unit.clone().unwrap_or_default(),
        r.absolute().normalize().to_string(),
        r.delta().normalize().to_string(),
        billable(r).normalize().to_string(),
        r.infra
            .as_ref()
            .and_then(|i| i.id.clone())
            .unwrap_or_default(),
    ]
}

fn table_header() -> String {
    format!(
        "{:<36}  {:<9}  {:<18}  {:<10}  {:<24}  {:<8}  {:>20}  {:>14}",
        "TENANT", "KIND", "APPLICATION", "EDITION", "USAGE", "UNIT", "ABSOLUTE", "DELTA"
    )
}

fn table_row(r: &UsageRecord) -> String {
    format!(
        "{:<36}  {:<9}  {:<18}  {:<10}  {:<24}  {:<8}  {:>20}  {:>14}",
        r.tenant.to_string(),
        clean(r.tenant_kind.as_deref().unwrap_or("-")),
        clean(&r.application),
        clean(&r.edition),
        clean(&r.usage_name),
        clean(r.unit.as_deref().unwrap_or("-")),
        r.absolute().normalize().to_string(),
        r.delta().normalize().to_string(),
    )
}

/// What the file did not tell the billing, one note each on standard error, and each line
/// summed from negative quantities (a usage should have none).
fn note_gaps(totals: &Totals) {
    for gap in totals.gaps() {
        note(format_args!("acronis-reports: billed in part: {gap}"));
    }
    for line in totals.lines().filter(|l| l.negative_records > 0) {
        note(format_args!(
            "acronis-reports: {} {}: {} of {} records have a negative quantity; check the file before billing",
            line.tenant,
            clean(&line.metric),
            line.negative_records,
            line.records
        ));
    }
}

/// The billable totals, as a table or one JSON object per tenant and usage.
fn print_totals(totals: &Totals, out: &Output) -> Result<(), Failure> {
    if out.json {
        for line in totals.lines() {
            written(out.json(&json::Total::of(line)))?;
        }
        return Ok(());
    }
    written(out.line(&format!(
        "{:<36}  {:<24}  {:>26}  {:<8}  {:>16}",
        "TENANT", "METRIC", "BILLABLE", "UNIT", "FOR PEOPLE"
    )))?;
    for line in totals.lines() {
        written(out.line(&total_row(line)))?;
    }
    Ok(())
}

fn total_row(line: &Line) -> String {
    let human = line
        .human()
        .map(|(q, u)| format!("{q} {u}"))
        .unwrap_or_default();
    format!(
        "{:<36}  {:<24}  {:>26}  {:<8}  {:>16}",
        line.tenant.to_string(),
        clean(&line.metric),
        line.quantity.normalize().to_string(),
        line.unit.as_deref().unwrap_or("-"),
        human
    )
    .trim_end()
    .to_owned()
}
