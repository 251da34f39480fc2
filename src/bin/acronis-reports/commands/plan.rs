//! `plan FILE`: what `apply` would change so that the tenants' monthly reports are as the
//! desired-state file says, on the library's `desired` and `plan` modules.
//!
//! The plan is printed as text with the marks of infrastructure-as-code tools (`+` create,
//! `~` update, `+/-` replace, `-` delete), or one JSON object per action. `apply` makes and
//! shows its plan with the functions here. With `-o PLAN` the plan is also saved, for `apply
//! PLAN` (the library's `saved_plan`).

use std::io::{self, Read};
use std::path::Path;

use acronis_reports::desired::DesiredReports;
use acronis_reports::endpoint::Endpoint;
use acronis_reports::plan::{Action, ActionKind, Plan};
use acronis_reports::saved_plan::SavedPlan;
use acronis_reports::{Client, Error, TenantId};
use serde_json::Value;

use crate::args::{DesiredArgs, Global};
use crate::connect::client;
use crate::failure::{Failure, error_text, exit, written};
use crate::files::AtomicFile;
use crate::json;
use crate::output::{self, Output, clean, note, paint, style};

/// The bytes of FILE (`-`: standard input), whole.
pub(super) fn read_bytes(path: &Path) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    let read = if path == Path::new("-") {
        io::stdin().lock().read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes))
    };
    read.map_err(|e| {
        Failure::usage(format!(
            "cannot read {}: {e}; nothing was sent",
            path.display()
        ))
    })?;
    Ok(bytes)
}

/// Checks the desired-state file read from `path`: JSON when it starts with `{`, TOML
/// otherwise. A saved plan is refused, with the command that applies it.
pub(super) fn parse_desired(path: &Path, bytes: &[u8]) -> Result<DesiredReports, Failure> {
    if SavedPlan::is_saved_plan(bytes) {
        return Err(Failure::usage(format!(
            "{}: this is a saved plan, not a desired-state file: `acronis-reports apply {}` applies it (or plan the file it was made from); nothing was sent",
            path.display(),
            path.display()
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| {
        Failure::usage(format!(
            "cannot read {}: stream did not contain valid UTF-8; nothing was sent",
            path.display()
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let parsed = if text.trim_start().starts_with('{') {
        DesiredReports::from_json(text.as_bytes())
    } else {
        DesiredReports::from_toml(text)
    };
    parsed.map_err(|e| Failure::usage(format!("{}: {e}; nothing was sent", path.display())))
}

/// `plan FILE [-o PLAN]`: the exit code.
pub fn run(
    global: &Global,
    args: &DesiredArgs,
    exit_code_flag: bool,
    save_to: Option<&Path>,
    out: &Output,
) -> Result<u8, Failure> {
    if global.dry_run {
        return Err(Failure::usage(
            "plan sends no change already: --dry-run is for apply",
        ));
    }
    let bytes = read_bytes(&args.file)?;
    let desired = parse_desired(&args.file, &bytes)?;
    // Refused before any request: a plan that would overwrite its own desired-state file (a
    // slip of `-o reports.toml`), or a plan file that cannot be written.
    let from_a_file = args.file != Path::new("-");
    if let Some(path) = save_to.filter(|p| from_a_file && same_file(&args.file, p)) {
        return Err(Failure::usage(format!(
            "-o {}: that is the desired-state file the plan is made from: name another file for the plan; nothing was sent",
            path.display()
        )));
    }
    let file = save_to.map(AtomicFile::before_sending).transpose()?;
    let client = client(global, args.concurrency, out)?;
    let plan = make_plan(&client, &desired, args.concurrency)?;
    print_plan(&plan, out)?;
    if let (Some(file), Some(path)) = (file, save_to) {
        save(file, path, &SavedPlan::new(&plan, &desired, &bytes))?;
    }
    Ok(if exit_code_flag && plan.has_changes() {
        exit::CHANGES
    } else {
        exit::OK
    })
}

/// Whether `a` and `b` name the same existing file (links followed).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Writes the saved plan to `path` (replaced only once complete), and says so.
fn save(file: AtomicFile, path: &Path, saved: &SavedPlan) -> Result<(), Failure> {
    file.write_whole(path, saved.to_json_string().as_bytes())?;
    let path = clean(&path.to_string_lossy()).into_owned();
    note(format_args!(
        "Saved the plan to {path}: `acronis-reports apply {path}` applies exactly it, and refuses if anything it read has changed."
    ));
    Ok(())
}

/// The plan of `desired`, the notes on its values this version does not know said.
pub(super) fn make_plan(
    client: &Client,
    desired: &DesiredReports,
    concurrency: u16,
) -> Result<Plan, Failure> {
    let plan = client
        .plan(desired, usize::from(concurrency))
        .map_err(plan_failure)?;
    note_selected(&plan);
    note_unknown_values(desired);
    Ok(plan)
}

/// What each selector took, on stderr: the plan's tenants came from the server.
pub(super) fn note_selected(plan: &Plan) {
    for selected in plan.selected() {
        output::notice(format_args!(
            "report entry {}: tenants_under {}: {} tenant{}",
            selected.entry,
            selected.under,
            selected.tenants.len(),
            if selected.tenants.len() == 1 { "" } else { "s" }
        ));
    }
}

/// The failure of a plan: one that cannot be made says that nothing was changed.
pub(super) fn plan_failure(e: Error) -> Failure {
    match e {
        Error::Plan(_) => {
            let message = format!("{}; nothing was changed", error_text(&e));
            Failure::from(e).with_message(message)
        }
        e => e.into(),
    }
}

/// The notes on `desired`'s values this version does not know (a plan accepted them).
pub(super) fn note_unknown_values(desired: &DesiredReports) {
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
