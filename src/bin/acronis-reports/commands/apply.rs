//! `apply FILE`: the tenants' monthly reports made as the desired-state file says, on the
//! library's `apply` module; `apply PLAN`: a plan saved by `plan -o`, applied exactly.
//!
//! `apply` plans (see [`super::plan`]), shows the plan, asks for confirmation on a terminal,
//! refuses without one unless given `--yes` (before any request), and reports each action's
//! outcome as a bulk run does. With `--dry-run` it prints the writes instead of sending them.
//! A saved plan (told by its content) is checked instead of planned: the same reads are made,
//! and a plan that is stale is refused before any write (exit 6); the rest is the same.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::Path;

use acronis_reports::apply::{Applied, ApplyError};
use acronis_reports::bulk::BulkOptions;
use acronis_reports::desired::DesiredReports;
use acronis_reports::plan::{Action, ActionKind, Plan};
use acronis_reports::saved_plan::SavedPlan;
use acronis_reports::{Client, Error};

use super::plan::{
    entry_note, identity, json_value, make_plan, note_selected, note_unknown_values, parse_desired,
    plan_failure, plan_text, print_plan, read_bytes,
};
use crate::args::{DesiredArgs, Global};
use crate::connect::client;
use crate::failure::{self, Failure, error_text, exit, written};
use crate::output::{self, Output, clean, note, paint, style};
use crate::{json, signals};

/// What `apply` was given: a desired-state file, or a saved plan.
enum Input {
    Desired(DesiredReports),
    Saved(Box<SavedPlan>),
}

/// `apply FILE`: the exit code.
pub fn run(global: &Global, args: &DesiredArgs, yes: bool, out: &Output) -> Result<u8, Failure> {
    let bytes = read_bytes(&args.file)?;
    let input = if SavedPlan::is_saved_plan(&bytes) {
        Input::Saved(Box::new(read_saved(&args.file, &bytes)?))
    } else {
        Input::Desired(parse_desired(&args.file, &bytes)?)
    };
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
    let plan = match &input {
        Input::Desired(desired) => make_plan(&client, desired, args.concurrency)?,
        Input::Saved(saved) => check_saved(&client, saved, args.concurrency)?,
    };
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

/// The saved plan read from `path`; its error names the file and what is wrong.
fn read_saved(path: &Path, bytes: &[u8]) -> Result<SavedPlan, Failure> {
    SavedPlan::from_json(bytes).map_err(|e| {
        // Each layer's message says its own part: the chain, joined.
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        Failure::usage(format!("{}: {text}; nothing was sent", path.display()))
    })
}

/// The plan to apply for a saved plan, if it is still the one saved (`GET` requests only);
/// says so, and what it was made from.
fn check_saved(client: &Client, saved: &SavedPlan, concurrency: u16) -> Result<Plan, Failure> {
    let plan = client
        .check_saved(saved, usize::from(concurrency))
        .map_err(plan_failure)?;
    note_selected(&plan);
    note_unknown_values(saved.desired());
    let reads = plan.reads();
    let reports: usize = reads.tenants.iter().map(|t| t.reports.len()).sum();
    output::notice(clean(&format!(
        "the saved plan (made by acronis-reports {} from a desired-state file of SHA-256 {}) is current: the {} monthly report(s) of its {} tenant(s) are as it read them",
        saved.tool_version(),
        saved.desired_sha256(),
        reports,
        reads.tenants.len()
    )));
    Ok(plan)
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

/// The plan's changes in the order `apply` sends them (`Client::apply`): creates and updates,
/// then replacements, then deletes; within a phase, in the plan's order.
fn in_apply_order(plan: &Plan) -> Vec<&Action> {
    let phase = |action: &&Action| match action.kind() {
        ActionKind::Create | ActionKind::Update => Some(0),
        ActionKind::Replace => Some(1),
        ActionKind::Delete => Some(2),
        _ => None,
    };
    let mut actions: Vec<&Action> = plan
        .actions()
        .iter()
        .filter(|a| phase(a).is_some())
        .collect();
    // A stable sort: the plan's order within each phase.
    actions.sort_by_key(|a| phase(a));
    actions
}

/// `apply --dry-run`: the writes, as they would be sent, in the order `apply` sends them.
fn print_requests(plan: &Plan, base_url: &str, out: &Output) -> Result<(), Failure> {
    for action in in_apply_order(plan) {
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
    super::bulk::note_stop(&stop);
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
            "{}   {} {what} in tenant {}{}",
            paint(style::CREATE, "created"),
            r.id,
            action.tenant(),
            entry_note(action)
        ),
        Ok(Applied::Updated(r)) => format!(
            "{}   {subject} (version {})",
            paint(style::UPDATE, "updated"),
            r.version
        ),
        Ok(Applied::Replaced { new }) => format!(
            "{}  {subject} by {}",
            paint(style::UPDATE, "replaced"),
            new.id
        ),
        Ok(_) => format!("{}   {subject}", paint(style::DELETE, "deleted")),
        Err(ApplyError::Failed(Error::NotAttempted { reason, .. })) => {
            format!("not_attempted  {} {subject}: {reason}", action.kind())
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
                "{}    {} {subject}: {}{created}",
                paint(style::ERROR, "failed"),
                action.kind(),
                error_text(e.error())
            )
        }
    };
    out.styled_line(&text)
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
