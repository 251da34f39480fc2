//! `usage FILE` or `usage ID STORED_ID`: usage data read from a file or the API, as a table,
//! CSV, JSON lines, or billable totals (`--billing`, printed as `billing` prints them).

use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::path::Path;
use std::rc::Rc;

use acronis_reports::billing::{Totals, billable};
use acronis_reports::usage::{self, UsageRecord};

use super::billing::{note_gaps, print_totals};
use crate::args::{Global, UsageView};
use crate::connect::{self, client};
use crate::failure::{Failure, error_text, exit, exit_code};
use crate::json;
use crate::output::{self, Output, clean};

/// `usage FILE` or `usage ID STORED_ID`: the exit code.
pub fn run(
    global: &Global,
    source: &[String],
    view: &UsageView,
    out: &Output,
) -> Result<u8, Failure> {
    connect::read_only(global)?;
    if view.csv && out.json {
        return Err(Failure::usage("give --csv or --json, not both"));
    }
    // Each error with its exit code, and whether it ended the reading. Read into one record,
    // reused.
    type Next<'a> = dyn FnMut(&mut UsageRecord) -> Option<Result<(), (String, u8, bool)>> + 'a;
    let mut records: Box<Next<'_>> = match source {
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
            let mut records = usage::detect(reader)
                .map_err(|e| Failure::usage(format!("{}: {}", path.display(), chain(&e))))?;
            let shown = path.display().to_string();
            // A file given on the command line is input: whatever keeps it from being read
            // (its content, a gzip stream cut short, the disk) is exit 2.
            Box::new(move |record| {
                records.next_into(record).map(|r| {
                    r.map_err(|e| {
                        let ends = e.ends_reading;
                        (format!("{shown}: {}", chain(&e)), exit::USAGE, ends)
                    })
                })
            })
        }
        [id, stored_id] => {
            let client = client(global, 1, out)?;
            let mut records = client.stored_usage(id.as_str(), stored_id.as_str())?;
            Box::new(move |record| {
                records.next_into(record).map(|r| {
                    r.map_err(|e| {
                        // Anything but a row or item of bad content (the network, the gzip
                        // stream) ends the stream.
                        let ends = match &e {
                            acronis_reports::Error::Usage(u) => u.ends_reading,
                            _ => true,
                        };
                        (error_text(&e), exit_code(&e), ends)
                    })
                })
            })
        }
        _ => {
            return Err(Failure::usage(
                "give a file (or - for standard input), or a report id and a stored file id",
            ));
        }
    };
    let progress = crate::progress::command_spinner(
        global,
        "{spinner} {pos} records read, {per_sec:0} ({elapsed})",
    );
    let mut code = exit::OK;
    let mut failed = 0u64;
    let mut reading_ended = false;
    let mut totals = Totals::new();
    // One write per buffer, not per record; every failure is reported.
    let mut sink = io::BufWriter::new(out.stdout);
    let mut writer = view.csv.then(CsvOut::new);
    // The header of the CSV or the table comes with the first record (or at the end, for a
    // file read whole that holds none): a file that cannot be read gets its error alone.
    let mut header_due = view.csv || (!view.billing && !out.json);
    let mut header = |sink: &mut io::BufWriter<_>, writer: &mut Option<CsvOut>| {
        if !std::mem::take(&mut header_due) {
            return Ok(());
        }
        match writer.as_mut() {
            Some(w) => w.write(sink, &CSV_COLUMNS.map(str::to_owned)),
            None => writeln!(sink, "{}", table_header()).map_err(|e| Failure::output(&e)),
        }
    };
    let mut read = 0u64;
    let mut record = UsageRecord::default();
    let (mut row, mut scratch) = (String::new(), String::new());
    // A hidden spinner (no terminal) has nothing to count, nor to clear around a line.
    let drawn = !progress.is_hidden();
    while let Some(next) = records(&mut record) {
        if drawn {
            progress.inc(1);
        }
        if let Err((message, c, ends)) = next {
            progress.suspend(|| output::error(clean(&message)));
            code = code.max(c);
            failed += 1;
            reading_ended |= ends;
            continue;
        }
        read += 1;
        header(&mut sink, &mut writer)?;
        if view.billing {
            if let Err(e) = totals.add(&record) {
                return Err(Failure::new(
                    exit::TROUBLE,
                    "usage",
                    format!("{e}: no totals are printed"),
                ));
            }
            continue;
        } else if let Some(w) = writer.as_mut() {
            w.write(&mut sink, &csv_row(&record))?;
            continue;
        }
        // Straight into the buffer: a JSON line as `json::to_line` makes it, or a row.
        let mut write = || {
            if out.json {
                serde_json::to_writer(&mut sink, &json::UsageRecord::of(&record))?;
            } else {
                table_row(&record, &mut row, &mut scratch);
                sink.write_all(row.as_bytes())?;
            }
            sink.write_all(b"\n")
        };
        if drawn {
            progress.suspend(write)
        } else {
            write()
        }
        .map_err(|e| Failure::output(&e))?;
    }
    progress.finish_and_clear();
    if failed == 0 {
        header(&mut sink, &mut writer)?;
    }
    sink.flush().map_err(|e| Failure::output(&e))?;
    if read == 0 && failed == 1 && reading_ended {
        // The file could not be read at all (not a usage file, say): its error says it all.
        return Ok(code);
    }
    if reading_ended {
        output::notice("the reading stopped at that error: what follows it was not read");
    }
    if view.billing {
        if failed > 0 {
            // Totals of a file read in part would bill the wrong amounts: none are printed.
            return Err(Failure::new(
                code,
                "usage",
                format!(
                    "{failed} of the records could not be read: no totals are printed, since they would be wrong"
                ),
            ));
        }
        note_gaps(&totals);
        print_totals(&totals, out)?;
    }
    if failed > 0 {
        output::warning(format_args!(
            "{failed} of the records could not be read (see above)"
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

fn csv_failure(e: csv::Error) -> Failure {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => Failure::output(&e),
        other => Failure::write(format!("cannot write CSV: {other:?}")),
    }
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

/// A row of the table, as [`table_header`] lays it out, into `line` (its buffer reused;
/// `scratch` too): each column padded with spaces as `format!` pads (`{:<W}` for text, `{:>W}`
/// for numbers), without a write per space.
fn table_row(r: &UsageRecord, line: &mut String, scratch: &mut String) {
    use std::fmt::Write as _;
    line.clear();
    let cell = |line: &mut String, text: &str, width: usize, right: bool| {
        const SPACES: &str = "                                ";
        let chars = if text.is_ascii() {
            text.len()
        } else {
            text.chars().count()
        };
        let mut fill = width.saturating_sub(chars);
        if !right {
            line.push_str(text);
        }
        while fill > 0 {
            let n = fill.min(SPACES.len());
            line.push_str(&SPACES[..n]);
            fill -= n;
        }
        if right {
            line.push_str(text);
        }
    };
    let mut text = |line: &mut String, value: &dyn std::fmt::Display, width, right| {
        scratch.clear();
        let _ = write!(scratch, "{value}");
        cell(line, scratch, width, right);
    };
    text(line, &r.tenant, 36, false);
    for (value, width) in [
        (r.tenant_kind.as_deref().unwrap_or("-"), 9),
        (&r.application, 18),
        (&r.edition, 10),
        (&r.usage_name, 24),
        (r.unit.as_deref().unwrap_or("-"), 8),
    ] {
        line.push_str("  ");
        cell(line, &clean(value), width, false);
    }
    for (value, width) in [(r.absolute(), 20), (r.delta(), 14)] {
        line.push_str("  ");
        text(line, &value.normalize(), width, true);
    }
}
