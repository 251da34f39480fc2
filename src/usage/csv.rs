//! `csv_v2_0`: parsed by the `csv` crate, each row deserialized with serde by its column
//! names; columns this version does not know are kept as text.

use std::fmt;
use std::io::{self, Read};

use serde::Deserialize;

use super::{
    Infra, Position, Split, UsageError, UsageFormat, UsageRecord, UsageValues, decimal, shown,
};

/// The largest row (or header) read: a larger one means a quote left open, which would
/// otherwise swallow the rest of the file into one field, in memory.
const MAX_ROW: u64 = 16 * 1024 * 1024;

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

/// One row, by column name, as text.
#[derive(Deserialize)]
struct Row<'r> {
    #[serde(rename = "tenant.id")]
    tenant_id: &'r str,
    #[serde(rename = "tenant.kind")]
    tenant_kind: &'r str,
    #[serde(rename = "application.id")]
    application: &'r str,
    name: &'r str,
    #[serde(default)]
    edition: Option<&'r str>,
    #[serde(rename = "infra.id")]
    infra_id: &'r str,
    #[serde(rename = "infra.backend_type")]
    infra_backend_type: &'r str,
    #[serde(rename = "infra.owner_id")]
    infra_owner_id: &'r str,
    #[serde(rename = "usage.absolute.production")]
    absolute_production: &'r str,
    #[serde(rename = "usage.absolute.trial")]
    absolute_trial: &'r str,
    #[serde(rename = "usage.absolute.total")]
    absolute_total: &'r str,
    #[serde(rename = "usage.delta.production")]
    delta_production: &'r str,
    #[serde(rename = "usage.delta.trial")]
    delta_trial: &'r str,
    #[serde(rename = "usage.delta.total")]
    delta_total: &'r str,
    #[serde(rename = "usage.effective.production")]
    effective_production: &'r str,
    #[serde(rename = "usage.effective.trial")]
    effective_trial: &'r str,
    #[serde(rename = "usage.effective.total")]
    effective_total: &'r str,
}

pub(super) struct CsvRecords<R> {
    reader: csv::Reader<Limited<R>>,
    headers: csv::StringRecord,
    /// Indices of the columns this version does not know.
    extra: Vec<usize>,
    record: csv::StringRecord,
    row: u64,
    done: bool,
}

const FORMAT: UsageFormat = UsageFormat::CsvV2;

impl<R: Read> CsvRecords<R> {
    pub(super) fn new(reader: R) -> Result<CsvRecords<R>, UsageError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
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
            headers: csv::StringRecord::from(names),
            extra,
            record: csv::StringRecord::new(),
            row: 0,
            done: false,
        })
    }

    fn parse(&self) -> Result<UsageRecord, UsageError> {
        let line = self.record.position().map_or(0, csv::Position::line);
        let at = Position::row(self.row, line);
        let row: Row<'_> = self
            .record
            .deserialize(Some(&self.headers))
            .map_err(|e| csv_error(e, at, &self.headers))?;
        let required = |column: &str, value: &str| {
            if value.trim().is_empty() {
                Err(UsageError::new(FORMAT, at, "is empty").field(column))
            } else {
                Ok(value.trim().to_owned())
            }
        };
        let number = |column: &str, value: &str| {
            decimal(value).map_err(|message| UsageError::new(FORMAT, at, message).field(column))
        };
        let optional = |value: &str| {
            let value = value.trim();
            (!value.is_empty()).then(|| value.to_owned())
        };
        let tenant = required("tenant.id", row.tenant_id)?;
        let tenant = tenant.parse().map_err(|_| {
            UsageError::new(FORMAT, at, format!("{} is not a UUID", shown(&tenant)))
                .field("tenant.id")
        })?;
        let infra = Infra {
            id: optional(row.infra_id),
            backend_type: optional(row.infra_backend_type),
            owner_id: optional(row.infra_owner_id),
        };
        Ok(UsageRecord {
            tenant,
            tenant_kind: optional(row.tenant_kind),
            tenant_number: None,
            application: required("application.id", row.application)?,
            edition: row
                .edition
                .and_then(optional)
                .unwrap_or_else(|| "standard".to_owned()),
            usage_name: required("name", row.name)?,
            full_name: None,
            unit: None,
            usage_type: None,
            infra: (infra != Infra::default()).then_some(infra),
            range_start: None,
            offering_item: None,
            values: UsageValues::Split {
                absolute: Split::new(
                    number("usage.absolute.production", row.absolute_production)?,
                    number("usage.absolute.trial", row.absolute_trial)?,
                    number("usage.absolute.total", row.absolute_total)?,
                ),
                delta: Split::new(
                    number("usage.delta.production", row.delta_production)?,
                    number("usage.delta.trial", row.delta_trial)?,
                    number("usage.delta.total", row.delta_total)?,
                ),
                effective: Split::new(
                    number("usage.effective.production", row.effective_production)?,
                    number("usage.effective.trial", row.effective_trial)?,
                    number("usage.effective.total", row.effective_total)?,
                ),
            },
            extra: self
                .extra
                .iter()
                .map(|&i| {
                    (
                        self.headers.get(i).unwrap_or_default().to_owned(),
                        self.record.get(i).unwrap_or_default().to_owned(),
                    )
                })
                .collect(),
        })
    }
}

impl<R> CsvRecords<R> {
    /// Whether nothing more will be read.
    pub(super) fn is_done(&self) -> bool {
        self.done
    }
}

impl<R: Read> Iterator for CsvRecords<R> {
    type Item = Result<UsageRecord, UsageError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.row += 1;
        let read = self.reader.read_record(&mut self.record);
        // The next record may take up to MAX_ROW bytes past this one's end.
        let end = self.reader.position().byte();
        self.reader.get_mut().limit = end + MAX_ROW + 64 * 1024;
        match read {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => Some(self.parse()),
            Err(e) => {
                // A row of the wrong length or of bad UTF-8 is that row's fault: the next
                // rows can still be read. A failing reader (or a row too large) ends the file.
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

/// The `csv` crate's error, at `position`; `headers` name the columns.
fn csv_error(e: csv::Error, position: Position, headers: &csv::StringRecord) -> UsageError {
    let column = |i: usize| {
        headers
            .get(i)
            .map_or_else(|| format!("column {}", i + 1), str::to_owned)
    };
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
