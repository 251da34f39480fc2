//! What the tool prints: text for people, or one JSON object per line for scripts.

use std::io::Write;

use acronis_reports::{Error, Report, StoredReport};
use serde_json::{Value, json};

use crate::{error_kind, error_text, exit_code};

/// What happened to one report in a bulk run.
pub enum Outcome {
    /// Changed, and the returned report verified.
    Changed(Box<Report>),
    /// Left alone, for the reason given.
    Skipped(&'static str),
    /// Not sent: `--dry-run` printed the request instead.
    DryRun,
    /// Failed.
    Failed(Error),
}

impl Outcome {
    /// The exit code this outcome asks for.
    pub fn code(&self) -> u8 {
        match self {
            Outcome::Failed(e) => exit_code(e),
            _ => 0,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Changed(_) => "changed",
            Outcome::Skipped(_) => "skipped",
            Outcome::DryRun => "dry_run",
            Outcome::Failed(_) => "failed",
        }
    }
}

/// Prints to standard output, as text or JSON lines.
pub struct Output {
    pub json: bool,
}

fn schedule(report: &Report) -> Value {
    json!({"type": report.schedule.schedule_type.as_str(), "enabled": report.schedule.enabled})
}

fn error_json(e: &Error) -> Value {
    json!({"kind": error_kind(e), "message": error_text(e), "exit_code": exit_code(e), "status": e.status()})
}

impl Output {
    fn line(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
    }

    /// One report's outcome in a bulk run.
    pub fn outcome(&self, id: &str, outcome: &Outcome) {
        if self.json {
            let mut v = json!({"id": id, "outcome": outcome.name()});
            match outcome {
                Outcome::Changed(r) => {
                    v["schedule"] = schedule(r);
                    v["version"] = json!(r.version);
                }
                Outcome::Skipped(reason) => v["reason"] = json!(reason),
                Outcome::DryRun => {}
                Outcome::Failed(e) => v["error"] = error_json(e),
            }
            self.line(&v.to_string());
        } else {
            let text = match outcome {
                Outcome::Changed(r) => format!(
                    "changed  {id}  {} schedule, enabled {} (version {})",
                    r.schedule.schedule_type, r.schedule.enabled, r.version
                ),
                Outcome::Skipped(reason) => format!("skipped  {id}  {reason}"),
                Outcome::DryRun => format!("dry run  {id}  not sent"),
                Outcome::Failed(e) => format!("failed   {id}  {}", error_text(e)),
            };
            self.line(&text);
        }
    }

    /// A whole report.
    pub fn report(&self, report: &Report) {
        if self.json {
            self.line(&serde_json::to_string(report).unwrap_or_default());
            return;
        }
        let p = &report.parameters;
        let mut text = format!(
            "id:              {}\nversion:         {}\nschedule:        {}, enabled {}\nresult action:   {}\n\
             recipients:      {}\ntenant:          {}\nlevel:           {}\nkind:            {}\nformats:         {}\n",
            report.id,
            report.version,
            report.schedule.schedule_type,
            report.schedule.enabled,
            report.result_action,
            report
                .recipients
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            p.tenant_id,
            p.level,
            p.kind,
            p.formats
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        );
        if let Some(period) = p.period {
            text.push_str(&format!(
                "period:          {} to {}\n",
                period.start, period.end
            ));
        }
        for (name, value) in [
            ("hide zero usage", p.hide_zero_usage),
            ("show skus", p.show_skus),
        ] {
            if let Some(v) = value {
                text.push_str(&format!("{name}:{}{v}\n", " ".repeat(17 - name.len() - 1)));
            }
        }
        if let Some(day) = report.generation_date {
            text.push_str(&format!("generation date: {day}\n"));
        }
        self.line(text.trim_end());
    }

    /// One id of a list.
    pub fn id(&self, id: &str) {
        if self.json {
            self.line(&json!({ "id": id }).to_string());
        } else {
            self.line(id);
        }
    }

    /// One stored file.
    pub fn stored(&self, file: &StoredReport) {
        let id = file.id.map(|id| id.to_string());
        if self.json {
            self.line(&serde_json::to_string(file).unwrap_or_default());
        } else {
            self.line(&format!(
                "{}  {:<11}  {:<9}  {:>10}  {}",
                id.as_deref().unwrap_or("-"),
                file.status,
                file.report_format,
                file.size.map_or_else(|| "-".to_owned(), |s| s.to_string()),
                file.created_at
            ));
        }
    }

    /// A one-line confirmation, with its JSON form.
    pub fn done(&self, text: &str, json: Value) {
        if self.json {
            self.line(&json.to_string());
        } else {
            self.line(text);
        }
    }
}
