//! `create`: a new report, validated before it is sent and verified once created.

use acronis_reports::{Date, NewReport, ReportFormat, TenantId, UserId};

use super::parse;
use crate::args::{CreateArgs, Global};
use crate::connect::{client, is_dry_run};
use crate::failure::{Failure, exit, written};
use crate::output::Output;

/// `create`: the exit code.
pub fn run(global: &Global, args: &CreateArgs, out: &Output) -> Result<u8, Failure> {
    let request = new_report_from(args)?;
    match client(global, 1, out)?.create_report(&request) {
        Err(e) if is_dry_run(&e) => Ok(exit::OK),
        Err(e) => Err(e.into()),
        Ok(report) => {
            written(out.report(&report))?;
            Ok(exit::OK)
        }
    }
}

/// The request the options describe, validated before anything is sent.
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
