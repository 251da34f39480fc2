//! `plan FILE`: what `apply` would change so that the tenants' monthly reports are as the
//! desired-state file says, on the library's `desired` and `plan` modules.
//!
//! The plan is printed as text with the marks of infrastructure-as-code tools (`+` create,
//! `~` update, `+/-` replace, `-` delete), or one JSON object per action. `apply` makes and
//! shows its plan with the functions here.

use std::io::{self, Read};
use std::path::Path;

use acronis_reports::desired::DesiredReports;
use acronis_reports::endpoint::Endpoint;
use acronis_reports::plan::{Action, ActionKind, Plan};
use acronis_reports::{Client, Error, TenantId};
use serde_json::Value;

use crate::args::{DesiredArgs, Global};
use crate::connect::client;
use crate::failure::{Failure, error_text, exit, written};
use crate::json;
use crate::output::{self, Output, clean, note, paint, style};

/// Reads and checks the desired-state file: JSON when it starts with `{`, TOML otherwise.
pub(super) fn read_file(path: &Path) -> Result<DesiredReports, Failure> {
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
pub fn run(
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

/// The plan of `desired`, the notes on its values this version does not know said.
pub(super) fn make_plan(
    client: &Client,
    desired: &DesiredReports,
    concurrency: u16,
) -> Result<Plan, Failure> {
    let plan = client
        .plan(desired, usize::from(concurrency))
        .map_err(|e| match e {
            Error::Plan(_) => {
                let message = format!("{}; nothing was changed", error_text(&e));
                Failure::from(e).with_message(message)
            }
            e => e.into(),
        })?;
    // What each selector took, on stderr: the plan's tenants came from the server.
    for selected in plan.selected() {
        output::notice(format_args!(
            "report entry {}: tenants_under {}: {} tenant{}",
            selected.entry,
            selected.under,
            selected.tenants.len(),
            if selected.tenants.len() == 1 { "" } else { "s" }
        ));
    }
    // The plan accepted them because a report holds them: said once per value, on stderr.
    for (i, entry) in desired.reports.iter().enumerate() {
        for (key, error) in entry.unknown_values() {
            output::notice(clean(&format!(
                "report entry {}: {key}: {:?} is a value this version does not know; a report holds it, so it is sent as written",
                i + 1,
                error.value()
            )));
        }
    }
    Ok(plan)
}

/// `kind/result_action` of an action's report.
pub(super) fn identity(action: &Action) -> String {
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

pub(super) fn entry_note(action: &Action) -> String {
    action
        .entry()
        .map(|n| format!(" (entry {n})"))
        .unwrap_or_default()
}

/// The plan, as text or JSON lines, and its summary.
pub(super) fn print_plan(plan: &Plan, out: &Output) -> Result<(), Failure> {
    if out.json {
        for action in plan.actions() {
            written(out.json(&action_json(action)))?;
        }
        note(summary_line(plan));
        return Ok(());
    }
    written(out.styled_line(&plan_text(plan)))
}

/// The plan as text: the changes and unmanaged reports by tenant, then the summary; the marks
/// in colour ([`paint`]), for a stream that drops it where it is off.
pub(super) fn plan_text(plan: &Plan) -> String {
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
    let (plus, tilde, minus) = (
        paint(style::CREATE, "+"),
        paint(style::UPDATE, "~"),
        paint(style::DELETE, "-"),
    );
    let mut text = match action.kind() {
        ActionKind::Create => format!("  {plus} create {what}{entry}"),
        ActionKind::Update => format!("  {tilde} update {id} {what}{entry}"),
        ActionKind::Replace => format!(
            "{plus}/{minus} replace {id} {what}{entry}: a new report is created, then this one deleted"
        ),
        ActionKind::Delete => {
            format!("  {minus} delete {id} {what}: no entry matches (prune = true)")
        }
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
                "\n      {} {}",
                Endpoint::CreateReport,
                report.to_json_string()
            ));
        }
        _ => {
            if let Action::Replace { new, .. } = action {
                text.push_str(&format!(
                    "\n      {} {}",
                    Endpoint::CreateReport,
                    new.to_json_string()
                ));
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
pub(super) fn json_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}
