//! Usage data: what a stored report file contains, read into typed [`UsageRecord`]s.
//!
//! Pure: no I/O beyond [`std::io::Read`]. [`UsageRecords`] reads the two formats meant for
//! machines, `csv_v2_0` (with the `csv` crate) and `json_v2_0` (streamed: one record at a
//! time, so memory does not grow with the file), and yields one `Result` per record, with
//! errors that name the row or array index and the column or member. [`billing`](crate::billing)
//! turns records into billable quantities; [`Client::stored_usage`](crate::Client::stored_usage)
//! reads a stored file straight from the API.
//!
//! ```
//! use acronis_reports::usage::{UsageFormat, UsageRecords};
//!
//! let file = "tenant.id,tenant.kind,application.id,name,edition,infra.id,infra.backend_type,infra.owner_id,\
//! usage.absolute.production,usage.absolute.trial,usage.absolute.total,\
//! usage.delta.production,usage.delta.trial,usage.delta.total,\
//! usage.effective.production,usage.effective.trial,usage.effective.total
//! 2a91a14d-ffd3-4ac1-9b4d-3990162c5acc,customer,backup,storage,standard,,,,\
//! 10995116277760,0,10995116277760,1024,0,1024,10995116277760,0,10995116277760
//! ";
//! let mut records = UsageRecords::new(file.as_bytes(), UsageFormat::CsvV2)?;
//! let record = records.next().unwrap()?;
//! assert_eq!(record.usage_name, "storage");
//! assert_eq!(record.absolute().to_string(), "10995116277760");
//! assert!(records.next().is_none());
//! # Ok::<(), acronis_reports::usage::UsageError>(())
//! ```
//!
//! # Numbers
//!
//! Quantities are [`Decimal`]s (the `rust_decimal` crate: 96-bit integers with a decimal
//! scale, 28 significant digits), read from the file's text, never through a float: a byte
//! count past 2^53 (8 PiB) stays exact, and so do sums of them. A number with more than 28
//! significant digits is an error, not a rounding.

mod csv;
mod json;

use std::fmt;
use std::io::{self, BufReader, Read};

use serde::{Deserialize, Serialize};

use crate::id::TenantId;

pub use rust_decimal::Decimal;

/// The usage formats this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UsageFormat {
    /// `csv_v2_0`: a header row, then one row per usage; dotted column names.
    CsvV2,
    /// `json_v2_0`: `{"params": {...}, "tenants": [usage, ...]}`.
    JsonV2,
}

impl UsageFormat {
    /// The format of a stored file's `report_format`, if this module reads it.
    pub fn of(format: &crate::enums::ReportFormat) -> Option<UsageFormat> {
        match format {
            crate::enums::ReportFormat::CsvV2 => Some(UsageFormat::CsvV2),
            crate::enums::ReportFormat::JsonV2 => Some(UsageFormat::JsonV2),
            _ => None,
        }
    }

    /// The wire name: `csv_v2_0` or `json_v2_0`.
    pub fn as_str(self) -> &'static str {
        match self {
            UsageFormat::CsvV2 => "csv_v2_0",
            UsageFormat::JsonV2 => "json_v2_0",
        }
    }
}

impl fmt::Display for UsageFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One usage of one tenant: a row of `csv_v2_0`, or an item of `json_v2_0`'s `tenants`.
///
/// The two formats carry the same information under different names; members only one of
/// them has are `Option`s. Columns or members this version does not know are kept in
/// [`extra`](Self::extra).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UsageRecord {
    /// The tenant (`tenant.id`; `tenant_uuid` in JSON).
    pub tenant: TenantId,
    /// The tenant's kind (`tenant.kind`: `customer`, `partner`, ...); CSV only.
    pub tenant_kind: Option<String>,
    /// The tenant's numeric id (`tenant_id`); JSON only.
    pub tenant_number: Option<u64>,
    /// The service (`application.id`; `application_id`).
    pub application: String,
    /// The edition (`edition`; `standard` when the CSV has no such column).
    pub edition: String,
    /// The usage, without the edition (`name` in CSV; `usage_name` in JSON), like `storage`
    /// or `compute_points`.
    pub usage_name: String,
    /// The usage with its edition prefix (`name` in JSON).
    pub full_name: Option<String>,
    /// The unit (`measurement_unit`, like `bytes`, `seconds`, `quantity`, `feature`); JSON
    /// only.
    pub unit: Option<String>,
    /// The usage's type (`type`, like `infra`); JSON only.
    pub usage_type: Option<String>,
    /// The infrastructure the usage is on (`infra.*`; `infra_id`), when there is one.
    pub infra: Option<Infra>,
    /// Since when the usage has been collected (`range_start`); JSON only.
    pub range_start: Option<RangeStart>,
    /// The quota and status of the usage's offering item (`offering_item`), when it has one;
    /// JSON only.
    pub offering_item: Option<OfferingItem>,
    /// The quantities.
    pub values: UsageValues,
    /// Columns (CSV) or members (JSON) this version does not know, in the file's order, as
    /// text (a JSON value other than a string as its JSON text).
    pub extra: Vec<(String, String)>,
}

/// Since when a usage has been collected: `json_v2_0`'s `range_start`, "ISO 8601 date and
/// time since the usage collection has been started" by the vendor's documentation
/// (`"2019-08-01T00:00:00"`, no zone: read as UTC).
///
/// Read tolerantly, as it bills nothing: a whole number is taken as a UNIX timestamp, and any
/// other value is kept as its text (a string as it is, any other JSON value as its JSON text).
/// Deserialized the same way, so a record serialized with serde reads back.
///
/// ```
/// use acronis_reports::usage::RangeStart;
///
/// let documented = RangeStart::from_text("2019-08-01T00:00:00");
/// assert_eq!(documented.unix_seconds(), Some(1_564_617_600));
/// assert_eq!(documented.to_string(), "2019-08-01T00:00:00");
/// assert_eq!(RangeStart::from_text("soon"), RangeStart::Other("soon".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum RangeStart {
    /// A UNIX timestamp in seconds: a whole number.
    Unix(i64),
    /// A date and time, as the vendor documents it (an offset, if given, is kept).
    At(crate::timestamp::Timestamp),
    /// Anything else, as the file gives it (a JSON value other than a string as its JSON
    /// text).
    Other(String),
}

impl RangeStart {
    /// A string of the file: a date and time when it is one, [`Other`](Self::Other) if not.
    pub fn from_text(text: &str) -> RangeStart {
        text.parse()
            .map_or_else(|_| RangeStart::Other(text.to_owned()), RangeStart::At)
    }

    /// Seconds since 1970-01-01T00:00:00Z (a missing offset read as UTC); `None` for
    /// [`Other`](Self::Other).
    pub fn unix_seconds(&self) -> Option<i64> {
        match self {
            RangeStart::Unix(seconds) => Some(*seconds),
            RangeStart::At(at) => Some(at.unix_seconds()),
            RangeStart::Other(_) => None,
        }
    }
}

impl<'de> Deserialize<'de> for RangeStart {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::Number(n) if n.is_i64() => {
                RangeStart::Unix(n.as_i64().unwrap_or_default())
            }
            serde_json::Value::String(text) => RangeStart::from_text(&text),
            other => RangeStart::Other(other.to_string()),
        })
    }
}

impl fmt::Display for RangeStart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RangeStart::Unix(seconds) => write!(f, "{seconds}"),
            RangeStart::At(at) => write!(f, "{at}"),
            RangeStart::Other(text) => f.write_str(text),
        }
    }
}

/// The offering item of a usage (`offering_item`): "an object that contains quota and status
/// of the offering item", by the vendor's documentation. An `offering_item` that is not that
/// object (another member, a value of another type) bills nothing and fails nothing: it is
/// kept as its JSON text in [`UsageRecord::extra`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OfferingItem {
    /// `status`: 1 when the offering item is enabled.
    pub status: Option<i64>,
    /// `quota`.
    pub quota: Option<Quota>,
}

/// The quota of an offering item (`offering_item.quota`); each member `null` (no quota) or a
/// number.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Quota {
    /// `value`: the soft quota.
    pub value: Option<Decimal>,
    /// `overage`: the hard quota.
    pub overage: Option<Decimal>,
    /// `version`: the quota's revision.
    pub version: Option<i64>,
}

/// The infrastructure of a usage.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Infra {
    /// `infra.id`.
    pub id: Option<String>,
    /// `infra.backend_type`; CSV only.
    pub backend_type: Option<String>,
    /// `infra.owner_id`; CSV only.
    pub owner_id: Option<String>,
}

/// The quantities of a usage, as its format gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum UsageValues {
    /// `csv_v2_0`: `usage.{absolute,delta,effective}.{production,trial,total}`.
    Split {
        /// `usage.absolute.*`: the amount at the end of the period.
        absolute: Split,
        /// `usage.delta.*`: the amount used during the period.
        delta: Split,
        /// `usage.effective.*`.
        effective: Split,
    },
    /// `json_v2_0`: `value` (used during the period) and `absolute_value`.
    Single {
        /// `value`.
        value: Decimal,
        /// `absolute_value`.
        absolute: Decimal,
    },
}

/// A quantity split by the tenant's production and trial use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Split {
    /// In production.
    pub production: Decimal,
    /// In trial.
    pub trial: Decimal,
    /// Both.
    pub total: Decimal,
}

impl Split {
    /// A split of these three.
    pub fn new(production: Decimal, trial: Decimal, total: Decimal) -> Split {
        Split {
            production,
            trial,
            total,
        }
    }
}

/// A record of no tenant (the nil UUID), no application and no usage, with quantities of 0:
/// something for [`UsageRecords::next_into`] to read into.
impl Default for UsageRecord {
    fn default() -> UsageRecord {
        UsageRecord {
            tenant: TenantId::from_uuid(uuid::Uuid::nil()),
            tenant_kind: None,
            tenant_number: None,
            application: String::new(),
            edition: String::new(),
            usage_name: String::new(),
            full_name: None,
            unit: None,
            usage_type: None,
            infra: None,
            range_start: None,
            offering_item: None,
            values: UsageValues::Single {
                value: Decimal::ZERO,
                absolute: Decimal::ZERO,
            },
            extra: Vec::new(),
        }
    }
}

impl UsageRecord {
    /// A record of `tenant`'s `usage_name` in `application`, edition `standard`, with these
    /// values and nothing else, as a test of your own code may want one.
    pub fn new(
        tenant: TenantId,
        application: impl Into<String>,
        usage_name: impl Into<String>,
        values: UsageValues,
    ) -> UsageRecord {
        UsageRecord {
            tenant,
            tenant_kind: None,
            tenant_number: None,
            application: application.into(),
            edition: "standard".into(),
            usage_name: usage_name.into(),
            full_name: None,
            unit: None,
            usage_type: None,
            infra: None,
            range_start: None,
            offering_item: None,
            values,
            extra: Vec::new(),
        }
    }

    /// The absolute amount: `usage.absolute.total`, or JSON's `absolute_value`.
    pub fn absolute(&self) -> Decimal {
        match self.values {
            UsageValues::Split { absolute, .. } => absolute.total,
            UsageValues::Single { absolute, .. } => absolute,
        }
    }

    /// The amount used during the period: `usage.delta.total`, or JSON's `value`.
    pub fn delta(&self) -> Decimal {
        match self.values {
            UsageValues::Split { delta, .. } => delta.total,
            UsageValues::Single { value, .. } => value,
        }
    }
}

/// Where in a file a [`UsageError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Position {
    /// The first bytes, before the format is known.
    Start,
    /// The CSV header row.
    Header,
    /// A CSV record.
    #[non_exhaustive]
    Row {
        /// Counted from 1 after the header.
        row: u64,
        /// The line of the file it starts on, from 1 (fields may hold line breaks).
        line: u64,
    },
    /// An item of JSON's `tenants`, counted from 0.
    Index(u64),
    /// The JSON document around the items, at this byte offset (from 0).
    Document(u64),
}

impl Position {
    /// A CSV record's position.
    pub fn row(row: u64, line: u64) -> Position {
        Position::Row { row, line }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Start => f.write_str("the start of the file"),
            Position::Header => f.write_str("the header row"),
            Position::Row { row, line } => write!(f, "row {row} (line {line})"),
            Position::Index(n) => write!(f, "tenants[{n}]"),
            Position::Document(offset) => write!(f, "byte {offset}"),
        }
    }
}

/// Why a usage file could not be read, and where. Cloning shares the source.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UsageError {
    /// The format being read; `None` before it is known (see [`detect`]).
    pub format: Option<UsageFormat>,
    /// Where.
    pub position: Position,
    /// The column (CSV) or member (JSON) at fault, if one is.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
    /// The reader's failure, when reading failed rather than the content.
    pub source: Option<std::sync::Arc<io::Error>>,
    /// Whether this error ended the reading (the file cut short, the reader failing, a
    /// document that is not a usage file): nothing after it was read. `false` for a row or
    /// item whose content is wrong, after which the next ones are read.
    pub ends_reading: bool,
}

impl UsageError {
    fn new(format: UsageFormat, position: Position, message: impl Into<String>) -> UsageError {
        UsageError {
            format: Some(format),
            position,
            field: None,
            message: message.into(),
            source: None,
            ends_reading: false,
        }
    }

    fn field(mut self, field: impl Into<String>) -> UsageError {
        self.field = Some(field.into());
        self
    }

    fn io(format: Option<UsageFormat>, position: Position, source: io::Error) -> UsageError {
        UsageError {
            format,
            position,
            field: None,
            message: "reading the file failed".into(),
            source: Some(std::sync::Arc::new(source)),
            ends_reading: true,
        }
    }

    /// Whether reading failed (the reader's error is the [`source`](Self::source)), rather
    /// than the content being wrong.
    pub fn is_io(&self) -> bool {
        self.source.is_some()
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.format {
            Some(format) => write!(f, "{format} usage file, {}", self.position)?,
            None => write!(f, "usage file, {}", self.position)?,
        }
        if let Some(field) = &self.field {
            write!(f, ", {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for UsageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// The records of a usage file, read one at a time: see the [module](self).
///
/// A CSV row or JSON item whose content is wrong yields its error and is skipped: the next
/// ones are read. Any other error (the file cut short, the reader failing, a document that is
/// not a usage file) ends the iteration. The JSON `params` object, once read, is available
/// from [`params`](Self::params).
pub struct UsageRecords<R> {
    inner: Inner<R>,
}

enum Inner<R> {
    Csv(Box<csv::CsvRecords<R>>),
    Json(json::JsonRecords<BufReader<R>>),
}

impl<R: Read> UsageRecords<R> {
    /// Reads `reader` as `format`. A CSV's header row is read at once.
    ///
    /// # Errors
    ///
    /// For CSV, when the header row cannot be read or lacks a required column.
    pub fn new(reader: R, format: UsageFormat) -> Result<UsageRecords<R>, UsageError> {
        Ok(UsageRecords {
            inner: match format {
                UsageFormat::CsvV2 => Inner::Csv(Box::new(csv::CsvRecords::new(reader)?)),
                UsageFormat::JsonV2 => Inner::Json(json::JsonRecords::new(
                    BufReader::with_capacity(64 * 1024, reader),
                )),
            },
        })
    }

    /// The format being read.
    pub fn format(&self) -> UsageFormat {
        match self.inner {
            Inner::Csv(_) => UsageFormat::CsvV2,
            Inner::Json(_) => UsageFormat::JsonV2,
        }
    }

    /// The JSON `params` member (`kind`, `report_level`, `begin_date`, ...), once read (it may
    /// come before or after the records); `None` for CSV.
    pub fn params(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        match &self.inner {
            Inner::Json(j) => j.params(),
            Inner::Csv(_) => None,
        }
    }
}

impl<R: Read> UsageRecords<R> {
    /// The next record, read into `record`: what [`next`](Iterator::next) gives, the same
    /// records and errors in the same order, but in a record that is reused, its strings and
    /// [`extra`](UsageRecord::extra) keeping their buffers, so that reading a file makes no
    /// allocation per record. `None` at the end of the records.
    ///
    /// After an error, `record` holds what it held, or part of the row or item at fault:
    /// look at it only after `Some(Ok(()))`.
    ///
    /// ```
    /// use acronis_reports::billing::Totals;
    /// use acronis_reports::usage::{UsageFormat, UsageRecord, UsageRecords};
    ///
    /// # let file: &[u8] = b"tenant.id,tenant.kind,application.id,name,infra.id,infra.backend_type,infra.owner_id,usage.absolute.production,usage.absolute.trial,usage.absolute.total,usage.delta.production,usage.delta.trial,usage.delta.total,usage.effective.production,usage.effective.trial,usage.effective.total\n2a91a14d-ffd3-4ac1-9b4d-3990162c5acc,customer,backup,storage,,,,1,0,1,0,0,0,1,0,1\n";
    /// let mut records = UsageRecords::new(file, UsageFormat::CsvV2)?;
    /// let mut record = UsageRecord::default();
    /// let mut totals = Totals::new();
    /// while let Some(read) = records.next_into(&mut record) {
    ///     read?;
    ///     totals.add(&record)?;
    /// }
    /// assert_eq!(totals.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn next_into(&mut self, record: &mut UsageRecord) -> Option<Result<(), UsageError>> {
        let (next, done) = match &mut self.inner {
            Inner::Csv(c) => (c.next_into(record), c.is_done()),
            Inner::Json(j) => (j.next_into(record), j.is_done()),
        };
        // An error after which nothing more is read says so.
        next.map(|item| {
            item.map_err(|mut e| {
                e.ends_reading |= done;
                e
            })
        })
    }
}

impl<R: Read> Iterator for UsageRecords<R> {
    type Item = Result<UsageRecord, UsageError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut record = UsageRecord::default();
        self.next_into(&mut record)
            .map(|read| read.map(|()| record))
    }
}

/// Sets `to` to `text`, in `to`'s buffer.
fn put(to: &mut String, text: &str) {
    to.clear();
    to.push_str(text);
}

/// Sets `to` to `text`, in `to`'s buffer when it has one.
fn put_option(to: &mut Option<String>, text: Option<&str>) {
    match (to.as_mut(), text) {
        (Some(buffer), Some(text)) => put(buffer, text),
        (None, Some(text)) => *to = Some(text.to_owned()),
        (_, None) => *to = None,
    }
}

impl<R> fmt::Debug for UsageRecords<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = match self.inner {
            Inner::Csv(_) => UsageFormat::CsvV2,
            Inner::Json(_) => UsageFormat::JsonV2,
        };
        f.debug_struct("UsageRecords")
            .field("format", &format)
            .finish_non_exhaustive()
    }
}

/// A usage file of unknown format: gzip-compressed or not, JSON or CSV.
///
/// [`detect`] looks at the first bytes: the gzip magic number means it is decompressed (with
/// every gzip member, as stored files may have several), then a `{` (after blanks and a
/// byte-order mark) means `json_v2_0`, anything else `csv_v2_0`.
pub type Detected = UsageRecords<Box<dyn Read + Send>>;

/// How far [`detect`] looks for the first byte that is not blank.
const SNIFF_LIMIT: usize = 64 * 1024;

/// Reads a usage file whose format and compression are not known: see [`Detected`].
///
/// # Errors
///
/// When the first bytes cannot be read (the reader's error is the source), or as
/// [`UsageRecords::new`].
pub fn detect(reader: impl Read + Send + 'static) -> Result<Detected, UsageError> {
    let failed = |e| UsageError::io(None, Position::Start, e);
    let mut reader = crate::gzip::decoded(reader).map_err(failed)?;
    let blank = |b: &u8| b.is_ascii_whitespace();
    let head = sniff(&mut reader, |head| {
        let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
        // Enough to have seen a whole byte-order mark, and a byte that is not blank.
        head.len() >= 3 && head.iter().any(|b| !blank(b)) || head.len() >= SNIFF_LIMIT
    })
    .map_err(failed)?;
    let first = {
        let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&head);
        text.iter().find(|b| !blank(b)).copied()
    };
    let format = match first {
        Some(b'{') => UsageFormat::JsonV2,
        _ => UsageFormat::CsvV2,
    };
    UsageRecords::new(
        Box::new(io::Cursor::new(head).chain(reader)) as Box<dyn Read + Send>,
        format,
    )
}

/// Reads from `reader` until `enough` says so or the file ends; returns what was read.
fn sniff(reader: &mut impl Read, enough: impl Fn(&[u8]) -> bool) -> io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 512];
    while !enough(&head) {
        match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(head)
}

/// Parses a number of a usage file exactly: JSON's number grammar (`-12`, `0.5`, `1e3`),
/// nothing looser.
fn decimal(text: &str) -> Result<Decimal, String> {
    if let Some(n) = plain_decimal(text.as_bytes()) {
        return Ok(n);
    }
    let text = text.trim();
    if !is_number(text) {
        return Err(format!("{} is not a number", shown(text)));
    }
    // An exponent is applied to the digits as written, so that what a plain number could not
    // hold exactly (more than 28 significant digits) is refused here too, never rounded.
    let plain = if text.contains(['e', 'E']) {
        std::borrow::Cow::Owned(plain_form(text).ok_or_else(|| {
            format!(
                "{} is not a number this crate can hold exactly (its exponent is out of range)",
                shown(text)
            )
        })?)
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    Decimal::from_str_exact(&plain).map_err(|e| {
        format!(
            "{} is not a number this crate can hold exactly ({e})",
            shown(text)
        )
    })
}

/// The commonest numbers of usage files, read without the general parser: digits, with a
/// fraction or not (`1024`, `0.5`, `12.50`), no sign, no blanks, no leading zero (but `0`
/// and `0.x`), at most 19 digits. The same value and scale as [`Decimal::from_str_exact`]
/// gives (`12.50` has scale 2); `None` for anything else, which the general path reads.
fn plain_decimal(text: &[u8]) -> Option<Decimal> {
    const MAX_DIGITS: usize = 19;
    let (int, frac) = match text.iter().position(|&b| b == b'.') {
        Some(dot) => (&text[..dot], Some(&text[dot + 1..])),
        None => (text, None),
    };
    let frac_len = frac.map_or(0, <[u8]>::len);
    if int.is_empty()
        || (int.len() > 1 && int[0] == b'0')
        || frac == Some(&[])
        || int.len() + frac_len > MAX_DIGITS
    {
        return None;
    }
    let mut mantissa: u64 = 0;
    for &b in int.iter().chain(frac.unwrap_or_default()) {
        if !b.is_ascii_digit() {
            return None;
        }
        // At most 19 digits: below 10^19, which a u64 holds.
        mantissa = mantissa * 10 + u64::from(b - b'0');
    }
    let scale = u32::try_from(frac_len).ok()?;
    Decimal::try_from_i128_with_scale(i128::from(mantissa), scale).ok()
}

/// A number in exponent form (by JSON's grammar, already checked) written plainly:
/// `1.5e3` as `1500`, `25e-3` as `0.025`. `None` when the exponent would need more than 64
/// digits of zeros (no `Decimal` holds such a number).
fn plain_form(text: &str) -> Option<String> {
    let (mantissa, exponent) = text.split_once(['e', 'E'])?;
    let exponent: i64 = exponent
        .strip_prefix('+')
        .unwrap_or(exponent)
        .parse()
        .ok()?;
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    // Where the decimal point falls among `digits`, once the exponent moves it.
    let point = i64::try_from(int.len()).ok()?.checked_add(exponent)?;
    if !(-64..=i64::try_from(digits.len()).ok()?.checked_add(64)?).contains(&point) {
        return None;
    }
    let len = i64::try_from(digits.len()).ok()?;
    let body = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(usize::try_from(-point).ok()?))
    } else if point >= len {
        format!("{digits}{}", "0".repeat(usize::try_from(point - len).ok()?))
    } else {
        let (i, f) = digits.split_at(usize::try_from(point).ok()?);
        format!("{i}.{f}")
    };
    Some(format!("{sign}{body}"))
}

/// Whether `text` is a number by JSON's grammar.
fn is_number(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let text = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let int_ok = digits(int) && (int == "0" || !int.starts_with('0'));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        digits(e)
    });
    int_ok && frac.is_none_or(digits) && exponent_ok
}

/// A value for a message: quoted, and cut short when long (a file's junk can be megabytes).
fn shown(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{:?}... ({} bytes)", &text[..end], text.len()),
        None => format!("{text:?}"),
    }
}
