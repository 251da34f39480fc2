//! `billing --tenant T [--month YYYY-MM]`: the vendor's billing-report recipe, on the
//! library's `billing` module, for a month that has ended (the previous one by default); and
//! the billable totals, as `usage --billing` prints them too.

use acronis_reports::billing::{Line, Totals};
use acronis_reports::bulk::BulkOptions;
use acronis_reports::usage::UsageFormat;
use acronis_reports::{BillingOptions, Date, Level, TenantId};

use crate::args::{BillingArgs, Global};
use crate::connect::client;
use crate::failure::{Failure, error_text, exit, exit_code, written};
use crate::output::{self, Output, clean, note};
use crate::{json, signals};

/// `billing --tenant T [--month YYYY-MM]`: the exit code.
pub fn run(global: &Global, args: &BillingArgs, out: &Output) -> Result<u8, Failure> {
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
    let today = Date::today_utc();
    let (start, end) = match month {
        Some(month) => {
            let (start, end) = month_days(month)?;
            if end >= today {
                return Err(Failure::usage(format!(
                    "--month {month}: the month has not ended yet (today is {today}, UTC): the \
                     API bills only months that have ended; the last one is {}",
                    last_month(today)
                )));
            }
            (start, end)
        }
        None => {
            let (start, end) = today.previous_month().ok_or_else(|| {
                Failure::usage(format!(
                    "no month before today ({today}, UTC): give --month YYYY-MM"
                ))
            })?;
            note(format_args!(
                "billing {}, the previous month (UTC); --month YYYY-MM bills another",
                year_month(start)
            ));
            (start, end)
        }
    };
    let month = year_month(start);
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
    let progress = crate::progress::command_spinner(global, "{spinner} {msg} ({elapsed})");
    progress.set_message(format!(
        "billing {month}: creating a one-time usage report, waiting for its file"
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
        return Err(Failure::new(
            code,
            "interrupted",
            format!(
                "interrupted: no bill was made; {}",
                match (created, keep) {
                    (false, _) => "no report was created".to_owned(),
                    (true, true) => format!("the one-time report is kept (--keep-report): {list}"),
                    (true, false) => format!(
                        "the one-time report it had created was deleted, unless deleting it failed too ({list})"
                    ),
                }
            ),
        ));
    }
    let Some(result) = result else {
        return Err(Failure::new(
            exit::TROUBLE,
            "other",
            "the billing run ended without a result",
        ));
    };
    let report = result.map_err(|e| {
        if e.is_usage_history_not_ready() {
            let message = format!(
                "{}: the API prepares usage history between 1 and 6 am UTC; try again after 6 am UTC",
                error_text(&e)
            );
            Failure::from(e).with_message(message)
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
        output::error(format_args!(
            "deleting the one-time report {} failed: {}; delete it with `acronis-reports delete {}`",
            report.report.id,
            error_text(e),
            report.report.id,
        ));
        return Ok(exit_code(e));
    }
    Ok(exit::OK)
}

/// `YYYY-MM` of a day.
fn year_month(day: Date) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

/// The last month that has ended on `today`, `YYYY-MM`.
fn last_month(today: Date) -> String {
    today
        .previous_month()
        .map_or_else(|| "none".to_owned(), |(start, _)| year_month(start))
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

/// What the file did not tell the billing, one note each on standard error, and each line
/// summed from negative quantities (a usage should have none).
pub(super) fn note_gaps(totals: &Totals) {
    for gap in totals.gaps() {
        output::warning(format_args!("billed in part: {gap}"));
    }
    for line in totals.lines().filter(|l| l.negative_records > 0) {
        output::warning(format_args!(
            "{} {}: {} of {} records have a negative quantity; check the file before billing",
            line.tenant,
            clean(&line.metric),
            line.negative_records,
            line.records
        ));
    }
}

/// The billable totals, as a table or one JSON object per tenant and usage.
pub(super) fn print_totals(totals: &Totals, out: &Output) -> Result<(), Failure> {
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
