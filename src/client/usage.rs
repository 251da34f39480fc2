//! Usage over the network: a stored file read as [`UsageRecord`]s in one stream, and the
//! vendor's billing-report recipe as one call.

use std::io::{self, Read};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::Client;
use crate::billing::Totals;
use crate::date::Date;
use crate::endpoint::Endpoint;
use crate::enums::{Level, ReportFormat, ReportKind};
use crate::error::Error;
use crate::id::{IntoId, ReportId, StoredReportId, TenantId};
use crate::model::{Report, StoredReport};
use crate::new_report::NewReport;
use crate::transport::{TransportError, read_error_kind};
use crate::usage::{self, UsageFormat, UsageRecord, UsageRecords};

/// The records of a stored file, read as they arrive: see [`Client::stored_usage`].
pub struct StoredUsage {
    records: UsageRecords<Box<dyn Read + Send>>,
    endpoint: Endpoint,
    /// The network's failure, if reading the body failed.
    body_error: Arc<Mutex<Option<io::Error>>>,
    done: bool,
}

impl StoredUsage {
    /// The format read (from the file's first bytes).
    pub fn format(&self) -> UsageFormat {
        self.records.format()
    }

    /// The JSON `params`, once read; see [`UsageRecords::params`].
    pub fn params(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        self.records.params()
    }

    fn error(&self, e: usage::UsageError) -> Error {
        usage_error(e, &self.body_error, &self.endpoint)
    }
}

/// A usage error as the client's: the network's failure when reading the body failed, the
/// content's otherwise (a corrupt gzip stream included).
fn usage_error(
    e: usage::UsageError,
    body_error: &Mutex<Option<io::Error>>,
    endpoint: &Endpoint,
) -> Error {
    let network = if e.is_io() {
        body_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    } else {
        None
    };
    match network {
        Some(e) => Error::from_transport(endpoint, TransportError::new(read_error_kind(&e), e)),
        None => Error::Usage(Box::new(e)),
    }
}

impl StoredUsage {
    /// The next record, read into `record`, its buffers reused: what
    /// [`next`](Iterator::next) gives, without an allocation per record. See
    /// [`UsageRecords::next_into`].
    pub fn next_into(&mut self, record: &mut UsageRecord) -> Option<Result<(), Error>> {
        if self.done {
            return None;
        }
        match self.records.next_into(record)? {
            Ok(()) => Some(Ok(())),
            Err(e) => {
                let e = self.error(e);
                // Only a row or item whose content is wrong lets the reading go on.
                if !matches!(&e, Error::Usage(u) if !u.is_io()) {
                    self.done = true;
                }
                Some(Err(e))
            }
        }
    }
}

impl Iterator for StoredUsage {
    type Item = Result<UsageRecord, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut record = UsageRecord::default();
        self.next_into(&mut record)
            .map(|read| read.map(|()| record))
    }
}

impl std::fmt::Debug for StoredUsage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredUsage")
            .field("endpoint", &self.endpoint)
            .field("format", &self.format())
            .finish_non_exhaustive()
    }
}

/// A body that keeps the network's failure for [`StoredUsage`] to tell it from the content's.
struct Body {
    inner: Box<dyn Read + Send>,
    error: Arc<Mutex<Option<io::Error>>>,
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            if e.kind() == io::ErrorKind::Interrupted {
                return e;
            }
            let copy = io::Error::new(e.kind(), e.to_string());
            *self.error.lock().unwrap_or_else(PoisonError::into_inner) = Some(e);
            copy
        })
    }
}

/// How [`Client::billing_report`] runs: see each setter's default.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct BillingOptions {
    level: Level,
    format: UsageFormat,
    keep_report: bool,
    timeout: Duration,
}

impl Default for BillingOptions {
    fn default() -> Self {
        BillingOptions {
            level: Level::AllCustomers,
            format: UsageFormat::CsvV2,
            keep_report: false,
            timeout: Duration::from_secs(600),
        }
    }
}

impl BillingOptions {
    /// The defaults.
    pub fn new() -> BillingOptions {
        BillingOptions::default()
    }

    /// Which tenants the report covers (default: [`Level::AllCustomers`]).
    pub fn level(mut self, level: Level) -> BillingOptions {
        self.level = level;
        self
    }

    /// Which of the two files generated is read (default: [`UsageFormat::CsvV2`]).
    pub fn format(mut self, format: UsageFormat) -> BillingOptions {
        self.format = format;
        self
    }

    /// Keep the one-time report afterwards (default: `false`: it is deleted).
    pub fn keep_report(mut self, keep: bool) -> BillingOptions {
        self.keep_report = keep;
        self
    }

    /// How long to wait for the file to be generated (default: 10 minutes).
    pub fn timeout(mut self, timeout: Duration) -> BillingOptions {
        self.timeout = timeout;
        self
    }
}

/// What [`Client::billing_report`] found.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BillingReport {
    /// The one-time report created for it.
    pub report: Report,
    /// The file read.
    pub file: StoredReport,
    /// The billable quantities by tenant and usage.
    pub totals: Totals,
    /// How many records were read.
    pub records: u64,
    /// Whether the one-time report was deleted afterwards.
    pub deleted: bool,
    /// Why deleting it failed, if it did: the report is left behind, and the totals stand.
    pub delete_error: Option<Error>,
}

impl Client {
    /// Reads a stored file (`GET /reports/{id}/stored/{stored_id}`) as usage records, in one
    /// stream: downloaded, decompressed and parsed as it arrives, never held whole in memory
    /// nor written to disk. The format, `csv_v2_0` or `json_v2_0`, is told from the first
    /// bytes (pass a [`StoredReport`] whose `report_format` is one of them); another format
    /// ends in an error naming what is missing.
    ///
    /// Opening the file is retried like any `GET`; once records are read, a failure ends the
    /// iteration. A row (CSV) or item (JSON) whose content is wrong yields
    /// [`Error::Usage`] and the reading goes on; any other error ends it.
    ///
    /// ```no_run
    /// # let client = acronis_reports::Client::builder().base_url("https://eu2-cloud.acronis.com/api/2").bearer_token("t").build()?;
    /// let report = "20dffb36-d77b-45c6-b2fa-39276e98d5fc";
    /// let file = client.wait_for_stored_report(report, std::time::Duration::from_secs(600))?;
    /// for record in client.stored_usage(report, &file)? {
    ///     let record = record?;
    ///     println!("{} {} {}", record.tenant, record.usage_name, record.absolute());
    /// }
    /// # Ok::<(), acronis_reports::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Those of [`download_stored_report`](Self::download_stored_report) to open the file,
    /// and [`Error::Usage`] when its first bytes are not a usage file's header.
    pub fn stored_usage(
        &self,
        id: impl IntoId<ReportId>,
        stored_id: impl IntoId<StoredReportId>,
    ) -> Result<StoredUsage, Error> {
        let id = id.into_id()?;
        let stored_id = stored_id.into_id()?;
        let endpoint = Endpoint::StoredFile { id, stored_id };
        let (_, response) = self.open_body(&endpoint)?;
        let body_error = Arc::new(Mutex::new(None));
        let body = Body {
            inner: response,
            error: body_error.clone(),
        };
        let records = usage::detect(body).map_err(|e| usage_error(e, &body_error, &endpoint))?;
        Ok(StoredUsage {
            records,
            endpoint,
            body_error,
            done: false,
        })
    }

    /// The vendor's "create a billing report" recipe, in one call: creates a one-time
    /// `usage_summary` report of `tenant` for `start` to `end` (saved, as `csv_v2_0` and
    /// `json_v2_0`, with SKUs), waits for its file, reads it into billable [`Totals`]
    /// ([`billing`](crate::billing)), and deletes the report unless
    /// [`keep_report`](BillingOptions::keep_report).
    ///
    /// Between 1 and 6 am UTC the API refuses to create usage reports ("usage history is not
    /// ready yet"): [`Error::is_usage_history_not_ready`] tells that error; try again after
    /// 6 am.
    ///
    /// # Errors
    ///
    /// Those of [`create_report`](Self::create_report),
    /// [`wait_for_stored_report`](Self::wait_for_stored_report) and
    /// [`stored_usage`](Self::stored_usage); a record that cannot be read ends the recipe
    /// (the report is deleted first, unless kept).
    pub fn billing_report(
        &self,
        tenant: impl IntoId<TenantId>,
        start: Date,
        end: Date,
        options: &BillingOptions,
    ) -> Result<BillingReport, Error> {
        let tenant = tenant.into_id()?;
        let request = NewReport::new(tenant, options.level.clone(), ReportKind::UsageSummary)
            .formats([ReportFormat::CsvV2, ReportFormat::JsonV2])
            .show_skus(true)
            .period(start, end);
        let report = self.create_report(&request)?;
        let wanted = match options.format {
            UsageFormat::CsvV2 => ReportFormat::CsvV2,
            UsageFormat::JsonV2 => ReportFormat::JsonV2,
        };
        let read = (|| -> Result<(StoredReport, Totals, u64), Error> {
            let file = self.wait_for_stored_report_where(report.id, options.timeout, |f| {
                f.report_format == wanted
            })?;
            let mut totals = Totals::new();
            let mut records = 0u64;
            let mut usage = self.stored_usage(report.id, &file)?;
            let mut record = UsageRecord::default();
            while let Some(read) = usage.next_into(&mut record) {
                read?;
                totals.add(&record).map_err(Error::Billing)?;
                records += 1;
            }
            Ok((file, totals, records))
        })();
        let deleted = if options.keep_report {
            Ok(false)
        } else {
            // Even when a bulk run this call is part of was stopped meanwhile (an interrupt):
            // the report this call made is not left behind.
            self.detached()
                .delete_report(report.id, report.version)
                .map(|()| true)
        };
        if let (Err(e), Err(delete)) = (&read, &deleted) {
            crate::logging::warning!(
                "report {}: reading it failed ({e}), and deleting it too: {delete}",
                report.id
            );
        }
        let (file, totals, records) = read?;
        let (deleted, delete_error) = match deleted {
            Ok(deleted) => (deleted, None),
            Err(e) => (false, Some(e)),
        };
        Ok(BillingReport {
            report,
            file,
            totals,
            records,
            deleted,
            delete_error,
        })
    }
}
