//! What the tool prints, and how.
//!
//! Results go to standard output, as text for people or one JSON object per line for
//! scripts. Every write there is checked: a failure is an error of the command (a closed pipe
//! ends it quietly), never a panic and never ignored. (A standard output that is closed when
//! the tool starts is, on Unix, replaced by `/dev/null` by the Rust runtime before `main`:
//! the tool cannot tell it from `>/dev/null`.) Notes and the summary go to standard error,
//! whose failures change nothing.
//!
//! Colour (the marks of a plan, the label of an error) goes through clap's styling stack:
//! `anstyle` styles, written through `anstream`, which drops them unless the stream is a
//! terminal that takes colour, and always under `NO_COLOR` (`CLICOLOR_FORCE` forces them).

use std::borrow::Cow;
use std::fmt::Display;
use std::io::{self, Write};

use acronis_reports::StopReason;
use acronis_reports::{Error, Report, StoredReport};
use serde::Serialize;

pub use crate::clean::clean;
use crate::failure::{self, error_text, exit, exit_code};
use crate::ids::Input;
use crate::json;

/// The styles of the tool's text.
pub mod style {
    use anstyle::{AnsiColor, Effects, Style};

    /// `error:`, as clap shows its own.
    pub const ERROR: Style = *clap::builder::styling::Styles::styled().get_error();
    /// `warning:`.
    pub const WARNING: Style = AnsiColor::Yellow.on_default().effects(Effects::BOLD);
    /// `note:`.
    pub const NOTE: Style = AnsiColor::Cyan.on_default().effects(Effects::BOLD);
    /// A create (`+`).
    pub const CREATE: Style = AnsiColor::Green.on_default();
    /// An update (`~`).
    pub const UPDATE: Style = AnsiColor::Yellow.on_default();
    /// A delete (`-`).
    pub const DELETE: Style = AnsiColor::Red.on_default();
}

/// `text` in `style`: the escapes are dropped by the stream it is written to where colour is
/// off.
pub fn paint(style: anstyle::Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// Writes a note to standard error (its styles dropped unless it is a terminal that takes
/// colour); a failure to write it changes nothing.
pub fn note(text: impl Display) {
    let _ = writeln!(anstream::stderr().lock(), "{text}");
}

/// An error on standard error: `error: TEXT`, labelled as clap labels its own (one style for
/// both).
pub fn error(text: impl Display) {
    note(format_args!("{} {text}", paint(style::ERROR, "error:")));
}

/// A warning on standard error: `warning: TEXT`.
pub fn warning(text: impl Display) {
    note(format_args!("{} {text}", paint(style::WARNING, "warning:")));
}

/// A note that needs a label on standard error: `note: TEXT`.
pub fn notice(text: impl Display) {
    note(format_args!("{} {text}", paint(style::NOTE, "note:")));
}

/// Standard output, with every failure reported and remembered.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        io::stdout()
            .lock()
            .write(buf)
            .inspect_err(failure::remember)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        // Under one lock, so that lines from several threads do not mix.
        io::stdout()
            .lock()
            .write_all(buf)
            .inspect_err(failure::remember)
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stdout().lock().flush().inspect_err(failure::remember)
    }
}

/// What happened to one input of a bulk run.
pub enum Outcome {
    /// Changed, and the returned report verified.
    Changed(Box<Report>),
    /// Read, and already as asked: nothing was written.
    Unchanged(Box<Report>),
    /// Left alone, for the reason given (a one-time report).
    Skipped(&'static str),
    /// Not sent: `--dry-run` printed the request instead.
    DryRun,
    /// Failed.
    Failed(Error),
    /// Not taken up: the run had stopped.
    NotAttempted(StopReason),
    /// A line of the input that is not a report id.
    Invalid,
    /// Reading the input failed here; nothing after it was read.
    Unreadable,
}

impl Outcome {
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Changed(_) => "changed",
            Outcome::Unchanged(_) => "unchanged",
            Outcome::Skipped(_) => "skipped",
            Outcome::DryRun => "dry_run",
            Outcome::Failed(_) => "failed",
            Outcome::NotAttempted(_) => "not_attempted",
            Outcome::Invalid => "invalid",
            Outcome::Unreadable => "unreadable",
        }
    }
}

/// How a column of a [`Table`] is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table for people: a header, then the rows, each column as wide as its widest cell, two
/// spaces between columns (the last one not padded). Cells are text already cleaned.
pub struct Table {
    header: Vec<(&'static str, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[(&'static str, Align)]) -> Table {
        Table {
            header: header.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The header and rows, one per line (no line break after the last).
    pub fn text(&self) -> String {
        let width = |s: &str| s.chars().count();
        let mut widths: Vec<usize> = self.header.iter().map(|(h, _)| width(h)).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }
        let last = self.header.len().saturating_sub(1);
        let line = |cells: &mut dyn Iterator<Item = &str>| {
            let mut text = String::new();
            for (i, cell) in cells.enumerate() {
                let (w, align) = (widths.get(i).copied().unwrap_or(0), self.header[i].1);
                let pad = " ".repeat(w.saturating_sub(width(cell)));
                if i > 0 {
                    text.push_str("  ");
                }
                match align {
                    Align::Right => {
                        text.push_str(&pad);
                        text.push_str(cell);
                    }
                    Align::Left if i == last => text.push_str(cell),
                    Align::Left => {
                        text.push_str(cell);
                        text.push_str(&pad);
                    }
                }
            }
            text.trim_end().to_owned()
        };
        let mut lines = vec![line(&mut self.header.iter().map(|(h, _)| *h))];
        for row in &self.rows {
            lines.push(line(
                &mut row.iter().map(String::as_str).take(self.header.len()),
            ));
        }
        lines.join("\n")
    }
}

/// Prints to standard output, as text or JSON lines.
pub struct Output {
    pub json: bool,
    pub stdout: Stdout,
}

impl Output {
    /// Writes one line (a newline is added).
    pub fn line(&self, text: &str) -> io::Result<()> {
        let mut out = self.stdout;
        let mut line = String::with_capacity(text.len() + 1);
        line.push_str(text);
        line.push('\n');
        // One write per line, so that lines from several threads do not mix.
        out.write_all(line.as_bytes())?;
        out.flush()
    }

    /// One line that may hold styles ([`paint`]): they are dropped unless standard output is
    /// a terminal that takes colour.
    pub fn styled_line(&self, text: &str) -> io::Result<()> {
        let mut line = String::with_capacity(text.len() + 1);
        line.push_str(text);
        line.push('\n');
        let mut stream = anstream::AutoStream::auto(io::stdout().lock());
        stream
            .write_all(line.as_bytes())
            .and_then(|()| stream.flush())
            .inspect_err(failure::remember)
    }

    /// One input's outcome in a bulk run.
    pub fn outcome(&self, input: &Input, outcome: &Outcome) -> io::Result<()> {
        if self.json {
            let mut line = json::BulkOutcome {
                error: None,
                id: input.id().map(|id| id.to_string()),
                line: input.line(),
                outcome: outcome.name(),
                reason: None,
                schedule: None,
                version: None,
            };
            match (outcome, input) {
                (Outcome::Changed(r) | Outcome::Unchanged(r), _) => {
                    line.schedule = Some(json::Schedule::of(r));
                    line.version = Some(r.version);
                }
                (Outcome::Skipped(reason), _) => line.reason = Some(Cow::Borrowed(reason)),
                (Outcome::Failed(e), _) => line.error = Some(json::ErrorJson::new(e, exit_code(e))),
                (Outcome::NotAttempted(reason), _) => {
                    line.reason = Some(Cow::Owned(reason.to_string()));
                }
                (Outcome::Invalid, Input::Invalid { why, .. }) => {
                    line.reason = Some(Cow::Borrowed(why));
                }
                (Outcome::Unreadable, Input::Unreadable { error, .. }) => {
                    line.reason = Some(Cow::Owned(format!(
                        "{error}; the lines after it were not read"
                    )));
                }
                _ => {}
            }
            return self.json(&line);
        }
        let schedule = |r: &Report| {
            format!(
                "{} schedule, enabled {} (version {})",
                clean(r.schedule.schedule_type.as_str()),
                r.schedule.enabled,
                r.version
            )
        };
        let detail = match (outcome, input) {
            (Outcome::Changed(r), _) => schedule(r),
            (Outcome::Unchanged(r), _) => format!("already as asked: {}", schedule(r)),
            (Outcome::Skipped(reason), _) => (*reason).to_owned(),
            (Outcome::DryRun, _) => "not sent".to_owned(),
            (Outcome::Failed(e), _) => error_text(e),
            (Outcome::NotAttempted(reason), _) => reason.to_string(),
            (Outcome::Invalid, Input::Invalid { why, .. }) => why.clone(),
            (Outcome::Unreadable, Input::Unreadable { error, .. }) => {
                format!("{error}; the lines after it were not read")
            }
            _ => String::new(),
        };
        // The outcome is one word, its first column (`awk '{print $1}'`), the same as
        // `--json`'s `outcome`.
        let text = format!("{:<7}  {input}  {detail}", outcome.name());
        self.line(text.trim_end())
    }

    /// A whole report.
    pub fn report(&self, report: &Report) -> io::Result<()> {
        if self.json {
            return self.json(report);
        }
        let p = &report.parameters;
        let list = |items: Vec<String>| items.join(", ");
        let mut text = format!(
            "id:              {}\nversion:         {}\nschedule:        {}, enabled {}\nresult action:   {}\n\
             recipients:      {}\ntenant:          {}\nlevel:           {}\nkind:            {}\nformats:         {}\n",
            report.id,
            report.version,
            clean(report.schedule.schedule_type.as_str()),
            report.schedule.enabled,
            clean(report.result_action.as_str()),
            list(report.recipients.iter().map(ToString::to_string).collect()),
            p.tenant_id,
            clean(p.level.as_str()),
            clean(p.kind.as_str()),
            list(
                p.formats
                    .iter()
                    .map(|f| clean(f.as_str()).into_owned())
                    .collect()
            ),
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
        self.line(text.trim_end())
    }

    /// One id of a list.
    pub fn id(&self, id: &str) -> io::Result<()> {
        if self.json {
            self.json(&json::ListedId { id })
        } else {
            self.line(id)
        }
    }

    /// Reports as a table with a header (`list`), or one JSON line each.
    pub fn reports(&self, reports: &[Report]) -> io::Result<()> {
        if self.json {
            return reports.iter().try_for_each(|r| self.json(r));
        }
        let mut table = Table::new(&[
            ("ID", Align::Left),
            ("KIND", Align::Left),
            ("LEVEL", Align::Left),
            ("SCHEDULE", Align::Left),
            ("ENABLED", Align::Left),
            ("RESULT ACTION", Align::Left),
            ("FORMATS", Align::Left),
        ]);
        for r in reports {
            let p = &r.parameters;
            table.row(vec![
                r.id.to_string(),
                clean(p.kind.as_str()).into_owned(),
                clean(p.level.as_str()).into_owned(),
                clean(r.schedule.schedule_type.as_str()).into_owned(),
                r.schedule.enabled.to_string(),
                clean(r.result_action.as_str()).into_owned(),
                p.formats
                    .iter()
                    .map(|f| clean(f.as_str()).into_owned())
                    .collect::<Vec<_>>()
                    .join(","),
            ]);
        }
        self.line(&table.text())
    }

    /// A report's stored files as a table with a header (`stored`), or one JSON line each.
    pub fn stored(&self, files: &[StoredReport]) -> io::Result<()> {
        if self.json {
            return files.iter().try_for_each(|f| self.json(f));
        }
        let mut table = Table::new(&[
            ("ID", Align::Left),
            ("STATUS", Align::Left),
            ("FORMAT", Align::Left),
            ("SIZE", Align::Right),
            ("CREATED", Align::Left),
        ]);
        for file in files {
            table.row(vec![
                file.id.map_or_else(|| "-".to_owned(), |id| id.to_string()),
                clean(file.status.as_str()).into_owned(),
                clean(file.report_format.as_str()).into_owned(),
                file.size.map_or_else(|| "-".to_owned(), |s| s.to_string()),
                file.created_at.to_string(),
            ]);
        }
        self.line(&table.text())
    }

    /// A one-line confirmation, with its JSON form.
    pub fn done(&self, text: &str, json: &impl Serialize) -> io::Result<()> {
        if self.json {
            self.json(json)
        } else {
            self.line(text)
        }
    }

    /// One JSON line (see [`json`]).
    pub fn json(&self, value: &impl Serialize) -> io::Result<()> {
        self.line(&json::to_line(value)?)
    }
}

/// The exit code one outcome of a bulk run asks for.
pub fn outcome_code(outcome: &Outcome) -> u8 {
    match outcome {
        Outcome::Failed(e) => exit_code(e),
        Outcome::NotAttempted(reason) => failure::stop_code(reason),
        Outcome::Invalid | Outcome::Unreadable => exit::USAGE,
        Outcome::Changed(_) | Outcome::Unchanged(_) | Outcome::Skipped(_) | Outcome::DryRun => {
            exit::OK
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_not_attempted_exits_as_its_run_stopped() {
        for (reason, code) in [
            (StopReason::Requested, exit::OK),
            (StopReason::CredentialsRefused, exit::REFUSED),
            (StopReason::ServiceFailing { failures: 5 }, exit::TROUBLE),
        ] {
            assert_eq!(outcome_code(&Outcome::NotAttempted(reason)), code);
        }
    }
}
