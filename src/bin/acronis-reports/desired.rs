//! `plan`, `apply` and `export`: reports as code, on the library's `desired`, `plan` and
//! `apply` modules.
//!
//! The plan is printed as text with the marks of infrastructure-as-code tools (`+` create,
//! `~` update, `+/-` replace, `-` delete), or one JSON object per action. `apply` asks for
//! confirmation on a terminal, refuses without one unless given `--yes` (before any request),
//! and reports each action's outcome as a bulk run does.

use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::path::Path;

use acronis_reports::apply::{Applied, ApplyError};
use acronis_reports::bulk::BulkOptions;
use acronis_reports::desired::DesiredReports;
use acronis_reports::plan::{Action, ActionKind, Plan};
use acronis_reports::{Client, Error, TenantId};
use serde_json::Value;

use crate::args::{DesiredArgs, Global};
use crate::connect::{self, client};
use crate::failure::{self, Failure, error_text, exit};
use crate::files::AtomicFile;
use crate::output::clean;
use crate::output::{Output, note};
use crate::{json, signals};

/// Reads and checks the desired-state file: JSON when it starts with `{`, TOML otherwise.
fn read_file(path: &Path) -> Result<DesiredReports, Failure> {
    let mut text = String::new();
    let read = if path == Path::new("-") {
        io::stdin().lock().read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text))
    };
    read.map_err(|e| {
        Failure::usage(format!(
            "cannot read {}: {e}; nothing was sent",
            path.display()
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let parsed = if text.trim_start().starts_with('{') {
        DesiredReports::from_json(text.as_bytes())
    } else {
        DesiredReports::from_toml(text)
    };
    parsed.map_err(|e| Failure::usage(format!("{}: {e}; nothing was sent", path.display())))
}

/// `plan FILE`: the exit code.
pub fn plan(
    global: &Global,
    args: &DesiredArgs,
    exit_code_flag: bool,
    out: &Output,
) -> Result<u8, Failure> {
    if global.dry_run {
        return Err(Failure::usage(
            "plan sends no change already: --dry-run is for apply",
        ));
    }
    let desired = read_file(&args.file)?;
    let client = client(global, args.concurrency, out)?;
    let plan = make_plan(&client, &desired, args.concurrency)?;
    print_plan(&plan, out)?;
    Ok(if exit_code_flag && plan.has_changes() {
        exit::CHANGES
    } else {
        exit::OK
    })
}

/// `apply FILE`: the exit code.
pub fn apply(global: &Global, args: &DesiredArgs, yes: bool, out: &Output) -> Result<u8, Failure> {
    let desired = read_file(&args.file)?;
    let ask = !yes && !global.dry_run;
    if ask && (!io::stdin().is_terminal() || args.file == Path::new("-")) {
        return Err(Failure::usage(
            "apply asks for confirmation on a terminal: give --yes to apply without asking; nothing was sent",
        ));
    }
    // The plan is made with a client that sends: its GET requests are the plan's input.
    let dry_run = global.dry_run;
    let sending = Global {
        dry_run: false,
        ..global.clone()
    };
    let client = client(&sending, args.concurrency, out)?;
    let plan = make_plan(&client, &desired, args.concurrency)?;
    // With --json, standard output holds the outcomes only (`plan --json` gives the plan's
    // objects); the plan goes to standard error, for the person asked to confirm it.
    if out.json {
        note(plan_text(&plan));
    } else {
        print_plan(&plan, out)?;
    }
    if !plan.has_changes() {
        return Ok(exit::OK);
    }
    if dry_run {
        print_requests(&plan, client.base_url(), out)?;
        return Ok(exit::OK);
    }
    if ask && !confirmed()? {
        note("Apply cancelled: nothing was changed.");
        return Ok(exit::CHANGES);
    }
    run_apply(&client, &plan, args.concurrency, out)
}

/// Asks on standard error, reads the answer from standard input: only `yes` applies.
fn confirmed() -> Result<bool, Failure> {
    note("\nApply these changes? Only 'yes' applies them.");
    let _ = write!(io::stderr(), "Enter a value: ");
    let _ = io::stderr().flush();
    answer_is_yes(&mut io::stdin().lock())
}

/// Whether the line read from `input` is `yes` (surrounding blanks aside).
fn answer_is_yes(input: &mut dyn BufRead) -> Result<bool, Failure> {
    let mut answer = String::new();
    input
        .read_line(&mut answer)
        .map_err(|e| Failure::usage(format!("cannot read the answer: {e}; nothing was sent")))?;
    Ok(answer.trim() == "yes")
}

fn make_plan(client: &Client, desired: &DesiredReports, concurrency: u16) -> Result<Plan, Failure> {
    let plan = client
        .plan(desired, usize::from(concurrency))
        .map_err(|e| match e {
            Error::Plan(_) => Failure {
                code: exit::USAGE,
                message: format!("{}; nothing was changed", error_text(&e)),
            },
            e => e.into(),
        })?;
    // The plan accepted them because a report holds them: said once per value, on stderr.
    for (i, entry) in desired.reports.iter().enumerate() {
        for (key, error) in entry.unknown_values() {
            note(clean(&format!(
                "acronis-reports: note: report entry {}: {key}: {:?} is a value this version does not know; a report holds it, so it is sent as written",
                i + 1,
                error.value()
            )));
        }
    }
    Ok(plan)
}

/// `kind/result_action` of an action's report.
fn identity(action: &Action) -> String {
    let action_of = |r: &acronis_reports::Report| r.result_action.to_string();
    let result_action = match action {
        Action::Create { report, .. } | Action::Replace { new: report, .. } => report
            .to_json()
            .get("result_action")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned(),
        other => other.current().map(action_of).unwrap_or_default(),
    };
    clean(&format!("{}/{result_action}", action.report_kind())).into_owned()
}

/// Whether a report holds a kind, level or result action this version does not know (a plan
/// leaves such a report alone).
fn holds_unknown(report: &acronis_reports::Report) -> bool {
    report.parameters.kind.is_unknown()
        || report.parameters.level.is_unknown()
        || report.result_action.is_unknown()
}

fn entry_note(action: &Action) -> String {
    action
        .entry()
        .map(|n| format!(" (entry {n})"))
        .unwrap_or_default()
}

/// The plan, as text or JSON lines, and its summary.
fn print_plan(plan: &Plan, out: &Output) -> Result<(), Failure> {
    let written = |r: io::Result<()>| r.map_err(|e| Failure::output(&e));
    if out.json {
        for action in plan.actions() {
            written(out.json(&action_json(action)))?;
        }
        note(summary_line(plan));
        return Ok(());
    }
    written(out.line(&plan_text(plan)))
}

/// The plan as text: the changes and unmanaged reports by tenant, then the summary.
fn plan_text(plan: &Plan) -> String {
    let mut text = String::new();
    let mut tenant: Option<TenantId> = None;
    for action in plan.actions() {
        if action.kind() == ActionKind::Unchanged {
            continue;
        }
        if tenant != Some(action.tenant()) {
            tenant = Some(action.tenant());
            text.push_str(&format!("tenant {}\n", action.tenant()));
        }
        text.push_str(&action_text(action));
        text.push('\n');
    }
    text.push_str(&summary_line(plan));
    text
}

fn summary_line(plan: &Plan) -> String {
    let summary = plan.summary();
    if summary.has_changes() {
        format!("Plan: {summary}.")
    } else {
        format!(
            "No changes. {} unchanged, {} unmanaged.",
            summary.unchanged, summary.unmanaged
        )
    }
}

/// One action as text: its mark, the report, and the members that change.
fn action_text(action: &Action) -> String {
    let id = action
        .current()
        .map(|r| r.id.to_string())
        .unwrap_or_default();
    let what = identity(action);
    let entry = entry_note(action);
    let mut text = match action.kind() {
        ActionKind::Create => format!("  + create {what}{entry}"),
        ActionKind::Update => format!("  ~ update {id} {what}{entry}"),
        ActionKind::Replace => format!(
            "+/- replace {id} {what}{entry}: a new report is created, then this one deleted"
        ),
        ActionKind::Delete => format!("  - delete {id} {what}: no entry matches (prune = true)"),
        ActionKind::Unmanaged if action.current().is_some_and(holds_unknown) => {
            format!(
                "    unmanaged {id} {what}: its kind, level or result action is one this version does not know; left alone (an entry naming the same values manages it)"
            )
        }
        ActionKind::Unmanaged => {
            format!("    unmanaged {id} {what}: no entry matches; left alone (prune = false)")
        }
        _ => format!("    {} {id} {what}{entry}", action.kind()),
    };
    match action {
        Action::Create { report, .. } => {
            text.push_str(&format!(
                "\n      POST /reports {}",
                report.to_json_string()
            ));
        }
        _ => {
            if let Action::Replace { new, .. } = action {
                text.push_str(&format!("\n      POST /reports {}", new.to_json_string()));
            }
            for change in action.changes() {
                text.push_str(&format!(
                    "\n      {}: {} → {}{}",
                    change.field.path(),
                    clean(&change.old.to_string()),
                    clean(&change.new.to_string()),
                    if change.forces_replacement {
                        "  (forces replacement)"
                    } else {
                        ""
                    }
                ));
            }
        }
    }
    text
}

/// One action as JSON: what it is about, and exactly what applying it sends.
fn action_json(action: &Action) -> json::PlanAction<'_> {
    let current = action.current();
    let changes = action.changes();
    let mut line = json::PlanAction {
        action: action.kind().as_str(),
        body: None,
        changes: (!changes.is_empty()).then(|| {
            changes
                .iter()
                .map(|c| json::PlanChange {
                    forces_replacement: c.forces_replacement,
                    member: c.field.path(),
                    new: &c.new,
                    old: &c.old,
                })
                .collect()
        }),
        entry: action.entry(),
        id: current.map(|r| r.id.to_string()),
        kind: action.report_kind().as_str(),
        patch: None,
        requests: action
            .requests()
            .into_iter()
            .map(|r| json::PlanRequest {
                body: r.body.as_deref().map(json_value),
                method: r.method.as_str(),
                path: r.path,
            })
            .collect(),
        result_action: current.map(|r| Some(r.result_action.as_str().to_owned())),
        tenant: action.tenant().to_string(),
        version: current.map(|r| r.version),
    };
    match action {
        Action::Update { update, .. } => line.patch = Some(update.to_json()),
        Action::Create { report, .. } => {
            let body = report.to_json();
            line.result_action = Some(
                body.get("result_action")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            );
            line.body = Some(body);
        }
        Action::Replace { new, .. } => line.body = Some(new.to_json()),
        _ => {}
    }
    line
}

/// A body the library wrote, as JSON (it is JSON text; anything else is shown as text).
fn json_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// `apply --dry-run`: the writes, as they would be sent.
fn print_requests(plan: &Plan, base_url: &str, out: &Output) -> Result<(), Failure> {
    let written = |r: io::Result<()>| r.map_err(|e| Failure::output(&e));
    for action in plan.actions() {
        for request in action.requests() {
            let url = format!("{}{}", base_url.trim_end_matches('/'), request.path);
            if out.json {
                written(out.json(&json::PlannedWrite {
                    body: request.body.as_deref().map(json_value),
                    dry_run: true,
                    method: request.method.as_str(),
                    url,
                }))?;
            } else {
                let body = request.body.map(|b| format!("\n{b}")).unwrap_or_default();
                written(out.line(&format!("{} {url}{body}\n", request.method)))?;
            }
        }
    }
    note("dry run: nothing was sent but the plan's GET requests");
    Ok(())
}

/// Applies the plan and reports each action; the exit code.
fn run_apply(client: &Client, plan: &Plan, concurrency: u16, out: &Output) -> Result<u8, Failure> {
    let run = client.apply(
        plan,
        BulkOptions::new().concurrency(usize::from(concurrency)),
    );
    let stop = run.stop_handle();
    signals::guard_run(stop.clone());
    let mut code = exit::OK;
    let mut counts = [0u64; 6];
    let mut output_failed = false;
    for (action, result) in run {
        let (outcome, index) = match &result {
            Ok(Applied::Created(_)) => ("created", 0),
            Ok(Applied::Updated(_)) => ("updated", 1),
            Ok(Applied::Replaced { .. }) => ("replaced", 2),
            Ok(Applied::Deleted) => ("deleted", 3),
            Err(ApplyError::Failed(Error::NotAttempted { .. })) => ("not_attempted", 5),
            Err(_) => ("failed", 4),
            Ok(_) => ("done", 1),
        };
        counts[index] += 1;
        if let Err(e) = &result {
            code = code.max(failure::job_code(e.error()));
        }
        if !output_failed && print_outcome(&action, outcome, &result, out).is_err() {
            // Outcomes can no longer be reported: stop taking up actions.
            output_failed = true;
            stop.stop();
        }
    }
    let interrupted = signals::end_run();
    note(format_args!(
        "Apply: {} created, {} updated, {} replaced, {} deleted, {} failed{}",
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        counts[4],
        if counts[5] > 0 {
            format!(", {} not attempted", counts[5])
        } else {
            String::new()
        }
    ));
    crate::bulk::note_stop(&stop);
    Ok(interrupted.unwrap_or(code))
}

fn print_outcome(
    action: &Action,
    outcome: &'static str,
    result: &Result<Applied, ApplyError>,
    out: &Output,
) -> io::Result<()> {
    let id = action.current().map(|r| r.id.to_string());
    if out.json {
        let mut line = json::ApplyOutcome {
            action: action.kind().as_str(),
            created: None,
            entry: action.entry(),
            error: None,
            id,
            kind: action.report_kind().as_str(),
            outcome,
            report: None,
            tenant: action.tenant().to_string(),
        };
        match result {
            Ok(Applied::Created(r) | Applied::Updated(r) | Applied::Replaced { new: r }) => {
                line.report = Some(json::ReportRef::of(r));
            }
            Err(e) => {
                let error = e.error();
                line.error = Some(json::ErrorJson::new(error, failure::job_code(error)));
                line.created = e.created().map(json::ReportRef::of);
            }
            _ => {}
        }
        return out.json(&line);
    }
    let what = identity(action);
    let subject = id.map_or_else(|| what.clone(), |id| format!("{id} {what}"));
    let text = match result {
        Ok(Applied::Created(r)) => format!(
            "created   {} {what} in tenant {}{}",
            r.id,
            action.tenant(),
            entry_note(action)
        ),
        Ok(Applied::Updated(r)) => format!("updated   {subject} (version {})", r.version),
        Ok(Applied::Replaced { new }) => format!("replaced  {subject} by {}", new.id),
        Ok(_) => format!("deleted   {subject}"),
        Err(ApplyError::Failed(Error::NotAttempted { reason, .. })) => {
            format!("not attempted  {} {subject}: {reason}", action.kind())
        }
        Err(e) => {
            let created = e
                .created()
                .map(|r| {
                    format!(
                        " (the new report {} was created; both now exist: delete one with `acronis-reports delete`)",
                        r.id
                    )
                })
                .unwrap_or_default();
            format!(
                "failed    {} {subject}: {}{created}",
                action.kind(),
                error_text(e.error())
            )
        }
    };
    out.line(&text)
}

/// `export --tenant T...`: the exit code.
pub fn export(
    global: &Global,
    tenants: &[String],
    output: Option<&Path>,
    concurrency: u16,
    out: &Output,
) -> Result<u8, Failure> {
    connect::read_only(global)?;
    let mut tenants: Vec<TenantId> = tenants
        .iter()
        .map(|t| {
            t.parse()
                .map_err(|e| Failure::usage(format!("--tenant: {e}")))
        })
        .collect::<Result<_, _>>()?;
    let mut seen = std::collections::HashSet::new();
    tenants.retain(|t| seen.insert(*t));
    // Refused before any request: a file that cannot be written.
    let file = output
        .map(|path| {
            AtomicFile::create(path).map_err(|e| {
                Failure::usage(format!(
                    "cannot write {}: {e}; nothing was sent",
                    path.display()
                ))
            })
        })
        .transpose()?;
    let client = client(global, concurrency, out)?;
    let reports = client.reports_of_tenants(&tenants, usize::from(concurrency))?;
    let desired = DesiredReports::describing(&tenants, &reports);
    let unknown = desired
        .reports
        .iter()
        .filter(|r| !r.unknown_values().is_empty())
        .count();
    if unknown > 0 {
        note(format_args!(
            "acronis-reports: note: {unknown} report(s) hold values this version does not know; they are written as the server sent them"
        ));
    }
    let text = if out.json {
        desired.to_json_string() + "\n"
    } else {
        format!(
            "# The monthly reports of {} tenant(s), as they were when exported by acronis-reports.\n\
             # Edit, then `acronis-reports plan FILE` and `acronis-reports apply FILE`.\n\n{}",
            tenants.len(),
            desired.to_toml_string().trim_end()
        ) + "\n"
    };
    match (file, output) {
        (Some(mut file), Some(path)) => {
            let failed = |e: io::Error| Failure {
                code: exit::TROUBLE,
                message: format!(
                    "cannot write {}: {e}; it was left as it was",
                    path.display()
                ),
            };
            file.file().write_all(text.as_bytes()).map_err(failed)?;
            file.commit().map_err(failed)?;
            note(format_args!(
                "{} reports written to {}",
                desired.reports.len(),
                path.display()
            ));
        }
        _ => {
            let mut stdout = out.stdout;
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| Failure::output(&e))?;
        }
    }
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::answer_is_yes;

    #[test]
    fn only_yes_applies() {
        for (answer, applies) in [
            ("yes\n", true),
            ("  yes  \r\n", true),
            ("yes", true),
            ("y\n", false),
            ("YES\n", false),
            ("yes please\n", false),
            ("", false),
            ("no\nyes\n", false),
        ] {
            let got = answer_is_yes(&mut answer.as_bytes()).unwrap_or(false);
            assert_eq!(got, applies, "{answer:?}");
        }
        // Not UTF-8: an error, not a yes.
        assert!(answer_is_yes(&mut &b"\xff\n"[..]).is_err());
    }
}
