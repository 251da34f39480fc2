//! `csv_v2_0`: parsed by the `csv` crate into byte records; the columns are found once, from
//! the header, and each row's fields read by position, in place. Columns this version does
//! not know are kept as text.

use std::fmt;
use std::io::{self, Read};

use super::{
    Decimal, Infra, Position, Split, UsageError, UsageFormat, UsageRecord, UsageValues, decimal,
    put, put_option, shown,
};

/// The largest row (or header) read: a larger one means a quote left open, which would
/// otherwise swallow the rest of the file into one field, in memory.
const MAX_ROW: u64 = 16 * 1024 * 1024;

/// How much the `csv` crate reads at a time (its default is 8 KiB: a system call per 50 rows).
const READ_BUFFER: usize = 64 * 1024;

/// The reader under the `csv` crate, refusing to go further than [`MAX_ROW`] past the end of
/// the last record read, so that memory stays bounded whatever the file holds.
struct Limited<R> {
    inner: R,
    read: u64,
    limit: u64,
}

/// The error [`Limited`] gives.
#[derive(Debug)]
struct RowTooLarge;

impl fmt::Display for RowTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a row larger than {} MiB: is a quote left open?",
            MAX_ROW / 1024 / 1024
        )
    }
}

impl std::error::Error for RowTooLarge {}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read >= self.limit {
            return Err(io::Error::new(io::ErrorKind::InvalidData, RowTooLarge));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// The columns every `csv_v2_0` file has (the vendor's billing module refuses a file
/// without one of them).
const REQUIRED: [&str; 16] = [
    "application.id",
    "infra.backend_type",
    "infra.id",
    "infra.owner_id",
    "name",
    "tenant.id",
    "tenant.kind",
    "usage.absolute.production",
    "usage.absolute.total",
    "usage.absolute.trial",
    "usage.delta.production",
    "usage.delta.total",
    "usage.delta.trial",
    "usage.effective.production",
    "usage.effective.total",
    "usage.effective.trial",
];

/// Columns that may be missing: `edition` reads as `standard` then.
const OPTIONAL: [&str; 1] = ["edition"];

/// Where each column the records are made of is, resolved once from the header.
struct Columns {
    tenant_id: usize,
    tenant_kind: usize,
    application: usize,
    name: usize,
    edition: Option<usize>,
    infra_id: usize,
    infra_backend_type: usize,
    infra_owner_id: usize,
    /// `usage.{absolute,delta,effective}.{production,trial,total}`, in that order.
    values: [usize; 9],
}

/// The names of [`Columns::values`], in their order.
const VALUES: [&str; 9] = [
    "usage.absolute.production",
    "usage.absolute.trial",
    "usage.absolute.total",
    "usage.delta.production",
    "usage.delta.trial",
    "usage.delta.total",
    "usage.effective.production",
    "usage.effective.trial",
    "usage.effective.total",
];

impl Columns {
    /// The columns of `names`, which have every [`REQUIRED`] column (checked before).
    fn of(names: &[&str]) -> Columns {
        let at = |column: &str| names.iter().position(|n| *n == column);
        // Every required column is there: `usize::MAX` (no such field, read as empty) cannot
        // be met.
        let required = |column: &str| at(column).unwrap_or(usize::MAX);
        Columns {
            tenant_id: required("tenant.id"),
            tenant_kind: required("tenant.kind"),
            application: required("application.id"),
            name: required("name"),
            edition: at("edition"),
            infra_id: required("infra.id"),
            infra_backend_type: required("infra.backend_type"),
            infra_owner_id: required("infra.owner_id"),
            values: VALUES.map(required),
        }
    }
}

pub(super) struct CsvRecords<R> {
    reader: csv::Reader<Limited<R>>,
    headers: csv::StringRecord,
    columns: Columns,
    /// Indices of the columns this version does not know.
    extra: Vec<usize>,
    record: csv::ByteRecord,
    /// The infrastructure of a record that had one before a row without: its buffers, kept
    /// for the next row with one.
    spare_infra: Option<Infra>,
    row: u64,
    done: bool,
}

const FORMAT: UsageFormat = UsageFormat::CsvV2;

impl<R: Read> CsvRecords<R> {
    pub(super) fn new(reader: R) -> Result<CsvRecords<R>, UsageError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .buffer_capacity(READ_BUFFER)
            .from_reader(Limited {
                inner: reader,
                read: 0,
                limit: MAX_ROW,
            });
        let headers = reader
            .headers()
            .map_err(|e| csv_error(e, Position::Header, &csv::StringRecord::new()))?
            .clone();
        let names: Vec<&str> = headers.iter().map(str::trim).collect();
        if names.iter().all(|n| n.is_empty()) {
            return Err(UsageError::new(
                FORMAT,
                Position::Header,
                "the file is empty: no header row",
            ));
        }
        let missing: Vec<&str> = REQUIRED
            .iter()
            .copied()
            .filter(|c| !names.contains(c))
            .collect();
        if !missing.is_empty() {
            return Err(UsageError::new(
                FORMAT,
                Position::Header,
                format!(
                    "the columns {} are missing: this is not a csv_v2_0 usage file",
                    missing.join(", ")
                ),
            ));
        }
        if let Some((_, twice)) = names
            .iter()
            .enumerate()
            .find(|(i, n)| names[..*i].contains(n))
        {
            return Err(UsageError::new(
                FORMAT,
                Position::Header,
                format!("the column {} appears twice", shown(twice)),
            ));
        }
        let extra = names
            .iter()
            .enumerate()
            .filter(|(_, n)| !REQUIRED.contains(n) && !OPTIONAL.contains(n))
            .map(|(i, _)| i)
            .collect();
        Ok(CsvRecords {
            reader,
            columns: Columns::of(&names),
            headers: csv::StringRecord::from(names),
            extra,
            record: csv::ByteRecord::new(),
            spare_infra: None,
            row: 0,
            done: false,
        })
    }

    /// The row read last, into `out`: its fields by position, each read in place (numbers
    /// from their text), `out`'s buffers reused.
    fn parse(&mut self, out: &mut UsageRecord) -> Result<(), UsageError> {
        let CsvRecords {
            headers,
            columns,
            extra,
            record,
            spare_infra,
            row,
            ..
        } = self;
        fill(record, columns, extra, headers, spare_infra, out).map_err(|fault| {
            let line = record.position().map_or(0, csv::Position::line);
            fault.error(Position::row(*row, line), headers)
        })
    }

    /// The next row into `out`: see [`UsageRecords::next_into`](super::UsageRecords::next_into).
    pub(super) fn next_into(&mut self, out: &mut UsageRecord) -> Option<Result<(), UsageError>> {
        if self.done {
            return None;
        }
        self.row += 1;
        let read = self.reader.read_byte_record(&mut self.record);
        // The next record may take up to MAX_ROW bytes past this one's end.
        let end = self.reader.position().byte();
        self.reader.get_mut().limit = end + MAX_ROW + 64 * 1024;
        match read {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => Some(self.parse(out)),
            Err(e) => {
                // A row of the wrong length is that row's fault: the next rows can still be
                // read. A failing reader (or a row too large) ends the file.
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    self.done = true;
                }
                let line = e.position().map_or(0, csv::Position::line);
                Some(Err(csv_error(
                    e,
                    Position::row(self.row, line),
                    &self.headers,
                )))
            }
        }
    }
}

/// What is wrong with a row: small, for the rows that have nothing wrong to carry it
/// cheaply; made a [`UsageError`] when there is one.
enum Fault {
    /// The field of this index is not UTF-8.
    NotText(usize),
    /// The column is empty.
    Empty(&'static str),
    /// The column's value is wrong: the message says how.
    Wrong(&'static str, String),
}

impl Fault {
    #[cold]
    fn error(self, at: Position, headers: &csv::StringRecord) -> UsageError {
        match self {
            Fault::NotText(i) => {
                UsageError::new(FORMAT, at, "not UTF-8 text").field(column(headers, i))
            }
            Fault::Empty(column) => UsageError::new(FORMAT, at, "is empty").field(column),
            Fault::Wrong(column, message) => UsageError::new(FORMAT, at, message).field(column),
        }
    }
}

/// A field, trimmed as [`str::trim`] trims, without looking for blanks in the commonest case
/// (a field that starts and ends with a byte that is neither blank nor part of a longer
/// character).
fn trimmed(text: &str) -> &str {
    let plain = |b: u8| b.is_ascii() && !b.is_ascii_whitespace() && b != 0x0b;
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(&first), Some(&last)) if plain(first) && plain(last) => text,
        _ => text.trim(),
    }
}

/// `record` into `out`: see [`CsvRecords::parse`]. Errors in the order the columns are
/// checked: a field that is not text (any field), then `tenant.id`, `application.id`, `name`,
/// and the numbers in the order of [`VALUES`].
fn fill(
    record: &csv::ByteRecord,
    c: &Columns,
    extra: &[usize],
    headers: &csv::StringRecord,
    spare_infra: &mut Option<Infra>,
    out: &mut UsageRecord,
) -> Result<(), Fault> {
    // A row must be text in every field, those this version does not know too. Nearly every
    // row is ASCII, and so each of its fields.
    let bytes = record.as_slice();
    if !bytes.is_ascii() {
        for (i, field) in record.iter().enumerate() {
            std::str::from_utf8(field).map_err(|_| Fault::NotText(i))?;
        }
    }
    // Every field is text, and so is their concatenation, whose fields start and end on
    // character boundaries.
    let whole = std::str::from_utf8(bytes).map_err(|_| Fault::NotText(0))?;
    let text = |i: usize| match record.range(i) {
        Some(range) => whole.get(range).ok_or(Fault::NotText(i)),
        None => Ok(""),
    };
    let required = |column: &'static str, i: usize| {
        let value = trimmed(text(i)?);
        if value.is_empty() {
            Err(Fault::Empty(column))
        } else {
            Ok(value)
        }
    };
    let optional = |i: usize| {
        text(i).map(|value| {
            let value = trimmed(value);
            (!value.is_empty()).then_some(value)
        })
    };
    let tenant = required("tenant.id", c.tenant_id)?;
    let tenant = tenant
        .parse()
        .map_err(|_| Fault::Wrong("tenant.id", format!("{} is not a UUID", shown(tenant))))?;
    let infra_id = optional(c.infra_id)?;
    let backend_type = optional(c.infra_backend_type)?;
    let owner_id = optional(c.infra_owner_id)?;
    let tenant_kind = optional(c.tenant_kind)?;
    let application = required("application.id", c.application)?;
    let edition = match c.edition {
        Some(i) => optional(i)?,
        None => None,
    };
    let usage_name = required("name", c.name)?;
    let mut values = [Decimal::ZERO; 9];
    for ((value, &i), column) in values.iter_mut().zip(&c.values).zip(VALUES) {
        *value = decimal(text(i)?).map_err(|message| Fault::Wrong(column, message))?;
    }
    out.tenant = tenant;
    put_option(&mut out.tenant_kind, tenant_kind);
    out.tenant_number = None;
    put(&mut out.application, application);
    put(&mut out.edition, edition.unwrap_or("standard"));
    put(&mut out.usage_name, usage_name);
    out.full_name = None;
    out.unit = None;
    out.usage_type = None;
    if infra_id.is_none() && backend_type.is_none() && owner_id.is_none() {
        if let Some(infra) = out.infra.take() {
            *spare_infra = Some(infra);
        }
    } else {
        let infra = out
            .infra
            .get_or_insert_with(|| spare_infra.take().unwrap_or_default());
        put_option(&mut infra.id, infra_id);
        put_option(&mut infra.backend_type, backend_type);
        put_option(&mut infra.owner_id, owner_id);
    }
    out.range_start = None;
    out.offering_item = None;
    let [ap, at, aa, dp, dt, da, ep, et, ea] = values;
    out.values = UsageValues::Split {
        absolute: Split::new(ap, at, aa),
        delta: Split::new(dp, dt, da),
        effective: Split::new(ep, et, ea),
    };
    out.extra.truncate(extra.len());
    for (n, &i) in extra.iter().enumerate() {
        let name = headers.get(i).unwrap_or_default();
        let value = text(i)?;
        match out.extra.get_mut(n) {
            Some((k, v)) => {
                put(k, name);
                put(v, value);
            }
            None => out.extra.push((name.to_owned(), value.to_owned())),
        }
    }
    Ok(())
}

/// The name of column `i` of `headers`, or `column N` (from 1) past them.
fn column(headers: &csv::StringRecord, i: usize) -> String {
    headers
        .get(i)
        .map_or_else(|| format!("column {}", i + 1), str::to_owned)
}

impl<R> CsvRecords<R> {
    /// Whether nothing more will be read.
    pub(super) fn is_done(&self) -> bool {
        self.done
    }
}

/// The `csv` crate's error, at `position`; `headers` name the columns.
fn csv_error(e: csv::Error, position: Position, headers: &csv::StringRecord) -> UsageError {
    let column = |i: usize| column(headers, i);
    match e.into_kind() {
        csv::ErrorKind::Io(e) => {
            if e.get_ref().is_some_and(|inner| inner.is::<RowTooLarge>()) {
                UsageError::new(FORMAT, position, e.to_string())
            } else {
                UsageError::io(Some(FORMAT), position, e)
            }
        }
        csv::ErrorKind::Utf8 { err, .. } => {
            UsageError::new(FORMAT, position, "not UTF-8 text").field(column(err.field()))
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => UsageError::new(
            FORMAT,
            position,
            format!("has {len} fields where the header has {expected_len}"),
        ),
        csv::ErrorKind::Deserialize { err, .. } => {
            let e = UsageError::new(FORMAT, position, err.kind().to_string());
            match err.field() {
                Some(i) => e.field(column(usize::try_from(i).unwrap_or(usize::MAX))),
                None => e,
            }
        }
        other => UsageError::new(FORMAT, position, shown(&format!("{other:?}"))),
    }
}
