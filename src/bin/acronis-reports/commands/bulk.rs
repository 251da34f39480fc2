//! `disable`, `enable`, `update`: one change to many reports, on the library's bulk engine.
//!
//! Each report is read first and only what differs is written
//! (`Client::update_report_if_needed`), however the reports were chosen: one already as asked
//! is `unchanged`, a one-time report `skipped`; `--no-read` sends the single `PUT` instead.
//!
//! Every input ends in exactly one outcome line. The run stops taking up reports when the
//! service keeps failing, the credentials are refused, an interrupt arrives, or its outcomes
//! can no longer be written (standard output or `--failed-ids` failing); the reports not
//! taken up are reported `not_attempted` (or, when standard output failed, only listed in
//! `--failed-ids`).

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use acronis_reports::StopReason;
use acronis_reports::bulk::{BulkOptions, StopHandle};
use acronis_reports::{Client, Error, ReportUpdate, UpdateOutcome};

use crate::args::{Bulk, Global};
use crate::connect::{client, is_dry_run};
use crate::failure::{Failure, exit};
use crate::files::AtomicFile;
use crate::ids::{self, Cut, Duplicates, IdLines, Input, Stop, Stoppable};
use crate::output::{self, Outcome, Output, note};
use crate::{progress, signals};

/// Counts of the outcomes, for the summary.
#[derive(Debug, Default)]
struct Tally {
    changed: u64,
    unchanged: u64,
    skipped: u64,
    failed: u64,
    not_attempted: u64,
    dry_run: u64,
    invalid: u64,
    unreadable: Option<u64>,
}

impl Tally {
    fn add(&mut self, input: &Input, outcome: &Outcome) {
        match outcome {
            Outcome::Changed(_) => self.changed += 1,
            Outcome::Unchanged(_) => self.unchanged += 1,
            Outcome::Skipped(_) => self.skipped += 1,
            Outcome::Failed(_) => self.failed += 1,
            Outcome::NotAttempted(_) => self.not_attempted += 1,
            Outcome::DryRun => self.dry_run += 1,
            Outcome::Invalid => self.invalid += 1,
            Outcome::Unreadable => self.unreadable = input.line(),
        }
    }

    fn summary(&self, duplicates: u64) -> String {
        let mut text = format!(
            "{} changed, {} unchanged, {} skipped, {} failed",
            self.changed, self.unchanged, self.skipped, self.failed
        );
        for (n, what) in [
            (self.not_attempted, "not attempted"),
            (self.dry_run, "not sent (dry run)"),
            (self.invalid, "invalid lines"),
            (duplicates, "duplicate ids merged"),
        ] {
            if n > 0 {
                text.push_str(&format!(", {n} {what}"));
            }
        }
        text
    }
}

/// Where the ids that did not end done (changed, unchanged, skipped) are written
/// (`--failed-ids`).
struct FailedIds {
    file: BufWriter<File>,
    atomic: AtomicFile,
    written: u64,
}

impl FailedIds {
    fn create(path: &Path) -> Result<FailedIds, Failure> {
        let mut atomic = AtomicFile::create(path).map_err(|e| {
            Failure::usage(format!(
                "--failed-ids: cannot write {}: {e}; nothing was sent",
                path.display()
            ))
        })?;
        let file = atomic
            .file()
            .try_clone()
            .map_err(|e| Failure::usage(format!("--failed-ids {}: {e}", path.display())))?;
        Ok(FailedIds {
            file: BufWriter::new(file),
            atomic,
            written: 0,
        })
    }

    fn add(&mut self, input: &Input) -> io::Result<()> {
        if let Some(id) = input.id() {
            writeln!(self.file, "{id}")?;
            self.written += 1;
        }
        Ok(())
    }

    fn commit(mut self) -> io::Result<u64> {
        self.file.flush()?;
        drop(self.file);
        self.atomic.commit()?;
        Ok(self.written)
    }
}

/// The inputs of a bulk command, streamed.
type Inputs = Box<dyn Iterator<Item = Input> + Send>;

/// The inputs of a bulk command, their number when known in advance, and, for an input that
/// may never end, where it was cut if the run stopped before its end.
fn inputs(
    bulk: &Bulk,
    client: &Client,
    duplicates: &Duplicates,
    stopped: &Arc<OnceLock<StopHandle>>,
) -> Result<(Inputs, Option<u64>, Option<Cut>), Failure> {
    if let Some(tenant) = &bulk.tenant {
        // A dry run lists and reads too: only the writes are not sent.
        let ids = client.list_report_ids(tenant)?;
        let total = ids.len() as u64;
        let inputs = ids.into_iter().map(|id| Input::Id { id, line: None });
        return Ok((Box::new(inputs), Some(total), None));
    }
    if let Some(file) = &bulk.ids_file {
        let (reader, regular): (Box<dyn BufRead + Send>, bool) = if file == Path::new("-") {
            (Box::new(BufReader::new(io::stdin())), stdin_is_a_file())
        } else {
            let f = File::open(file).map_err(|e| {
                Failure::usage(format!(
                    "cannot read {}: {e}; nothing was sent",
                    file.display()
                ))
            })?;
            let regular = f.metadata().is_ok_and(|m| m.is_file());
            (Box::new(BufReader::new(f)), regular)
        };
        let lines = IdLines::new(reader, duplicates.clone());
        if regular {
            // A file ends: after a stop it is read to its end, each id reported.
            return Ok((Box::new(lines), None, None));
        }
        // Standard input, a FIFO or a terminal may never end: a stop ends the reading.
        let stopped = stopped.clone();
        let how = Arc::new(move || {
            stopped
                .get()
                .and_then(StopHandle::reason)
                .map(|reason| match reason {
                    // An interrupt, or outcomes that can no longer be written: read no more.
                    StopReason::Requested => Stop::Now,
                    _ => Stop::Drain,
                })
        });
        let (inputs, cut) = Stoppable::new(lines, how);
        return Ok((Box::new(inputs), None, Some(cut)));
    }
    require_ids(bulk)?;
    let inputs = ids::from_arguments(&bulk.ids, duplicates).map_err(Failure::usage)?;
    let total = inputs.len() as u64;
    Ok((Box::new(inputs.into_iter()), Some(total), None))
}

/// Whether standard input is a regular file (`< ids.txt`), which ends, rather than a pipe or
/// a terminal, which may not.
fn stdin_is_a_file() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        io::stdin()
            .as_fd()
            .try_clone_to_owned()
            .map(File::from)
            .and_then(|f| f.metadata())
            .is_ok_and(|m| m.is_file())
    }
    #[cfg(not(unix))]
    {
        false
    }
}

fn require_ids(bulk: &Bulk) -> Result<(), Failure> {
    if bulk.ids.is_empty() {
        return Err(Failure::usage(
            "no reports given: give ids, --ids-file or --tenant",
        ));
    }
    Ok(())
}

/// `disable`, `enable`, `update`: applies `update` to every report the command names; the
/// exit code.
pub fn run(
    global: &Global,
    bulk: &Bulk,
    update: ReportUpdate,
    out: &Output,
) -> Result<u8, Failure> {
    // Everything that can be refused is refused before the first request.
    if bulk.tenant.is_none() && bulk.ids_file.is_none() {
        require_ids(bulk)?;
        ids::from_arguments(&bulk.ids, &Duplicates::default()).map_err(Failure::usage)?;
    }
    let client = client(global, bulk.concurrency, out)?;
    let mut failed_ids = bulk
        .failed_ids
        .as_deref()
        .map(FailedIds::create)
        .transpose()?;
    let duplicates = Duplicates::default();
    let stop_handle = Arc::new(OnceLock::new());
    let (inputs, total, cut) = inputs(bulk, &client, &duplicates, &stop_handle)?;

    let read_first = !bulk.no_read;
    let job = move |client: &Client, input: &Input| -> Result<Outcome, Error> {
        let Some(id) = input.id() else {
            // Not an id: nothing to send; reported as what it is.
            return Ok(match input {
                Input::Unreadable { .. } => Outcome::Unreadable,
                _ => Outcome::Invalid,
            });
        };
        let id = id.to_string();
        if read_first {
            // Look first: one-time reports cannot be changed, and some already are as asked;
            // only what differs is written.
            return match client.update_report_if_needed(&id, &update) {
                Ok(UpdateOutcome::OneTime(_)) => Ok(Outcome::Skipped(
                    "one-time report: the API does not change these",
                )),
                Ok(outcome) if outcome.is_change() => {
                    Ok(Outcome::Changed(Box::new(outcome.into_report())))
                }
                Ok(unchanged) => Ok(Outcome::Unchanged(Box::new(unchanged.into_report()))),
                Err(e) if is_dry_run(&e) => Ok(Outcome::DryRun),
                Err(e) => Err(e),
            };
        }
        match client.update_report(&id, &update) {
            Ok(report) => Ok(Outcome::Changed(Box::new(report))),
            Err(e) if is_dry_run(&e) => Ok(Outcome::DryRun),
            Err(e) => Err(e),
        }
    };
    // A dry run's calls end in `NotSent`, which the run does not count as failures.
    let options = BulkOptions::new().concurrency(usize::from(bulk.concurrency));

    // A dry run prints its requests as they come: no bar to mix them with.
    let bar = progress::counting(total, "reports", !global.dry_run && progress::on_terminal());
    let mut tally = Tally::default();
    let mut code = exit::OK;
    let mut output_failed = false;
    let mut failed_ids_error = None;
    let run = client.for_each_id(inputs, options, job);
    let stop = run.stop_handle();
    let _ = stop_handle.set(stop.clone());
    signals::guard_run(stop.clone());
    for (input, result) in run {
        let outcome = match (&input, result) {
            (Input::Invalid { .. }, _) => Outcome::Invalid,
            (Input::Unreadable { .. }, _) => Outcome::Unreadable,
            (_, Ok(outcome)) => outcome,
            (_, Err(Error::NotAttempted { reason, .. })) => Outcome::NotAttempted(reason),
            (_, Err(e)) => Outcome::Failed(e),
        };
        tally.add(&input, &outcome);
        code = code.max(crate::output::outcome_code(&outcome));
        let done = matches!(
            outcome,
            Outcome::Changed(_) | Outcome::Unchanged(_) | Outcome::Skipped(_)
        );
        if let (false, Some(file)) = (done, failed_ids.as_mut()) {
            if let Err(e) = file.add(&input) {
                // The record of what is left to do is lost: stop making more of it.
                failed_ids_error.get_or_insert(e);
                stop.stop();
            }
        }
        if !output_failed {
            let printed = bar.suspend(|| out.outcome(&input, &outcome));
            if printed.is_err() {
                // Outcomes can no longer be reported: stop taking up reports.
                output_failed = true;
                stop.stop();
            }
        }
        bar.inc(1);
    }
    let interrupted = signals::end_run();
    bar.finish_and_clear();

    note(tally.summary(duplicates.count()));
    // Where the input was not read to its end, if it was not: the lines after are still to do.
    let input_name = bulk
        .ids_file
        .as_deref()
        .map_or_else(String::new, |f| format!(" of {}", f.display()));
    let unread = match (tally.unreadable, cut.as_ref().and_then(Cut::line)) {
        (Some(line), _) => {
            output::error(format_args!(
                "reading the ids failed at line {line}{input_name}: the lines after it were not read"
            ));
            Some(line)
        }
        (None, Some(line)) => {
            output::warning(format_args!(
                "the ids after line {line}{input_name} were not taken up: the run stopped first"
            ));
            Some(line + 1)
        }
        (None, None) => None,
    };
    if let (Some(path), Some(line)) = (&bulk.failed_ids, unread) {
        // Only a complete record replaces the old one: the unread lines are in no list.
        drop(failed_ids);
        output::notice(format_args!(
            "{} was left as it was, since the input was not read to its end: \
             to run again are the ids failed or not attempted above, and the input{input_name} from line {line} on",
            path.display()
        ));
        note_stop(&stop);
        return Ok(interrupted.unwrap_or(code));
    }
    if let Some(path) = &bulk.failed_ids {
        let saved = match (failed_ids_error, failed_ids) {
            (None, Some(file)) => file.commit(),
            (Some(e), _) => Err(e),
            (None, None) => Ok(0),
        };
        match saved {
            Ok(n) => note(format_args!(
                "{n} ids to run again written to {}{}",
                path.display(),
                if tally.invalid > 0 {
                    " (invalid lines are not ids: not written)"
                } else {
                    ""
                }
            )),
            Err(e) => {
                output::error(format_args!(
                    "cannot write the ids to run again to {}: {e}; it was left as it was",
                    path.display()
                ));
                code = code.max(exit::TROUBLE);
            }
        }
    }
    note_stop(&stop);
    Ok(interrupted.unwrap_or(code))
}

/// Says why a run stopped by itself (an interrupt or a failing output has said so already).
pub fn note_stop(stop: &StopHandle) {
    if let Some(
        reason @ (StopReason::ServiceFailing { .. }
        | StopReason::NoAnswers { .. }
        | StopReason::Throttled { .. }
        | StopReason::CredentialsRefused
        | StopReason::NoUsableToken),
    ) = stop.reason()
    {
        output::error(reason);
    }
}
