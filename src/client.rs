//! [`Client`]: the calls of the reports API, and the tenant calls it needs, over a
//! [`Transport`].
//!
//! A `Client` holds the base URL, a [`TokenSource`], a [`RetryPolicy`] and one transport (by
//! default one ureq agent, so connections are reused). It is cheap to clone and safe to share
//! between threads: clones share the transport and the token cache.

mod builder;
mod call;
mod download;
mod dry_run;
mod pacing;
mod read_first;
mod tenants;
mod usage;

pub use read_first::UpdateOutcome;
pub use tenants::TenantPages;
pub use usage::{BillingOptions, BillingReport, StoredUsage};

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::TokenSource;
use crate::clock::Clock;
use crate::endpoint::Endpoint;
use crate::enums::StoredStatus;
use crate::error::{Error, InputKind};
use crate::id::{IntoId, ReportId, TenantId};
use crate::model::Field;
use crate::model::{Items, Report, StoredReport};
use crate::new_report::NewReport;
use crate::patch::ReportUpdate;
use crate::retry::{Balance, RetryPolicy};
use crate::transport::Transport;
use crate::verify::{FieldMismatch, Mismatch, to_value};

pub use builder::ClientBuilder;
pub(crate) use pacing::{CallEnd, RunHooks};

/// The `User-Agent` sent unless [`ClientBuilder::user_agent`] says otherwise.
pub const DEFAULT_USER_AGENT: &str =
    concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// The default cap on a response body: 4 MiB. A report is about a kilobyte.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;

/// The default total limit on receiving a stored file: 1 hour (see
/// [`ClientBuilder::download_timeout`]).
pub const DEFAULT_DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// The default pause between two looks at a report's stored files: 2 s, as the vendor's
/// examples poll.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// The default time before a client-credentials token expires at which it is renewed: 5 min.
pub const DEFAULT_TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// A blocking client of the reports API.
///
/// Build one with [`Client::builder`]. Every call takes the report id as text, checks it is
/// a UUID (either case; sent lowercase) before anything is sent, and returns typed data or
/// an [`Error`]. Calls that change a report verify that the report the server returns
/// reflects the change. Failed calls are retried by the [`RetryPolicy`]; a call refused with
/// 401 is repeated once with a renewed token when the token source can renew.
///
/// `Debug` shows the base URL and the user agent, never a token or secret.
///
/// ```no_run
/// use acronis_reports::Client;
///
/// let client = Client::builder()
///     .base_url("https://eu2-cloud.acronis.com/api/2")
///     .client_credentials(std::env::var("ACRONIS_CLIENT_ID")?, std::env::var("ACRONIS_CLIENT_SECRET")?)
///     .build()?;
/// let report = client.disable_report("20dffb36-d77b-45c6-b2fa-39276e98d5fc")?;
/// assert!(!report.schedule.enabled);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// The bulk run this clone works for, if any.
    run: Option<Arc<dyn RunHooks>>,
}

struct Inner {
    base_url: String,
    /// How the client authenticates, for `Debug`: never the token or secret.
    auth: String,
    tokens: Box<dyn TokenSource>,
    user_agent: String,
    max_response_bytes: u64,
    retry: RetryPolicy,
    /// The retry budget's tokens, shared by every call of the client.
    balance: Balance,
    /// The pause every call holds back for after a 429.
    throttle: pacing::Throttle,
    poll_interval: Duration,
    /// Where the client's time comes from.
    clock: Clock,
    /// A dry run's describer: requests are given to it, not sent.
    dry_run: Option<dry_run::Describe>,
    /// The time limit every request carries.
    timeout: Option<Duration>,
    /// The total limit on a stored file's body.
    download_timeout: Option<Duration>,
    transport: Arc<dyn Transport>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("auth", &self.inner.auth)
            .field("user_agent", &self.inner.user_agent)
            .field("max_response_bytes", &self.inner.max_response_bytes)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL every path is appended to, normalized (lowercase scheme and host, no
    /// trailing slash).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Fetches a report: `GET /reports/{id}`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an id that is not a UUID; [`Error::Api`] for a status
    /// outside 2xx (404: no such report); [`Error::Decode`] when the body is not a report;
    /// [`Error::Mismatch`] when it is another report than the one asked for;
    /// [`Error::Timeout`], [`Error::Transport`], [`Error::Redirect`] and
    /// [`Error::ResponseTooLarge`] as for every call.
    pub fn get_report(&self, id: impl IntoId<ReportId>) -> Result<Report, Error> {
        let id = id.into_id()?;
        Ok(self.get_report_and_call(id)?.0)
    }

    /// Applies `update` to a report (`PUT /reports/{id}` with the minimal JSON patch), then
    /// checks that the report the server returns reflects every member of it.
    ///
    /// When the server answers with `204 No Content` or an empty body, the report is fetched
    /// and that is checked instead. Only monthly reports can be updated.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an id that is not a UUID or an empty update (nothing is
    /// sent); [`Error::Mismatch`] when the returned report (which the error holds) does not
    /// reflect the update, with
    /// every differing member; [`Error::Api`] for a status outside 2xx; [`Error::Decode`] when
    /// the body is not a report; [`Error::Timeout`], [`Error::Transport`],
    /// [`Error::Redirect`] and [`Error::ResponseTooLarge`] as for every call.
    pub fn update_report(
        &self,
        id: impl IntoId<ReportId>,
        update: &ReportUpdate,
    ) -> Result<Report, Error> {
        let id = id.into_id()?;
        if update.is_empty() {
            return Err(Error::invalid(
                InputKind::EmptyUpdate,
                "the update is empty: set at least one member of the ReportUpdate",
            ));
        }
        if let Some((path, value)) = update.unknown_value() {
            return Err(Error::invalid(
                InputKind::UnknownValue,
                format!(
                    "the update sets {path} to {value:?}, a value this version of the crate does not \
                     know the API to accept; use one of the known values"
                ),
            ));
        }
        self.put_report(id, update)
    }

    /// [`update_report`](Self::update_report) for a non-empty update, without refusing values
    /// this version does not know: a [plan](crate::plan)'s update, whose values a report holds.
    pub(crate) fn put_report(&self, id: ReportId, update: &ReportUpdate) -> Result<Report, Error> {
        let answer = self.call(
            Endpoint::UpdateReport(id),
            Some(update.to_json_string().into_bytes()),
        )?;
        let (report, call) =
            if answer.call.status == 204 || answer.body.iter().all(u8::is_ascii_whitespace) {
                // The change was sent: its check is part of it, and is made even if the run
                // stops meanwhile (a change made must be reported as such, not as not attempted).
                // A mismatch found so is the write's: it keeps the PUT's call.
                let (report, _) = self.detached().get_report_and_call(id)?;
                (report, answer.call.clone())
            } else {
                (answer.report()?, answer.call)
            };
        let mut fields = id_mismatch(id, &report).into_iter().collect::<Vec<_>>();
        if let Err(m) = update.verify(&report) {
            fields.extend(m.fields);
        }
        if let Err(mismatch) = Mismatch::from_fields(fields) {
            return Err(Error::Mismatch {
                call,
                mismatch,
                report: Box::new(report),
            });
        }
        Ok(report)
    }

    /// Switches a monthly report off: [`update_report`](Self::update_report) with
    /// [`ReportUpdate::disable`], exactly `{"schedule":{"enabled":false}}`.
    ///
    /// # Errors
    ///
    /// As [`update_report`](Self::update_report).
    pub fn disable_report(&self, id: impl IntoId<ReportId>) -> Result<Report, Error> {
        self.update_report(id, &ReportUpdate::disable())
    }

    /// Switches a monthly report on: [`update_report`](Self::update_report) with
    /// [`ReportUpdate::enable`], exactly `{"schedule":{"enabled":true}}`.
    ///
    /// # Errors
    ///
    /// As [`update_report`](Self::update_report).
    pub fn enable_report(&self, id: impl IntoId<ReportId>) -> Result<Report, Error> {
        self.update_report(id, &ReportUpdate::enable())
    }

    /// The ids of a tenant's reports: `GET /tenants/{tenant_id}/reports` (ids only, no
    /// paging), each once (an id the server lists twice is kept where it first appears).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a tenant id that is not a UUID; [`Error::Api`] (404: no
    /// such tenant); [`Error::Decode`] when an item is not a UUID; and the errors of every call.
    pub fn list_report_ids(
        &self,
        tenant_id: impl IntoId<TenantId>,
    ) -> Result<Vec<ReportId>, Error> {
        let tenant = tenant_id.into_id()?;
        let answer = self.call(Endpoint::TenantReports(tenant), None)?;
        let mut ids = answer.decode::<Items<ReportId>>("report id list")?.items;
        // An id listed twice is one report: kept once, where it first appears.
        let mut seen = std::collections::HashSet::new();
        ids.retain(|id| seen.insert(*id));
        Ok(ids)
    }

    /// A tenant's reports, fetched one by one as the iterator is advanced: the vendor's
    /// recipe of listing the ids, then fetching each. One report that cannot be fetched
    /// (deleted meanwhile, say) yields its error and the iteration goes on.
    ///
    /// ```no_run
    /// # let client = acronis_reports::Client::builder().base_url("https://eu2-cloud.acronis.com/api/2").bearer_token("t").build()?;
    /// for report in client.reports("2a91a14d-ffd3-4ac1-9b4d-3990162c5acc")? {
    ///     match report {
    ///         Ok(r) => println!("{} enabled: {}", r.id, r.schedule.enabled),
    ///         Err(e) => eprintln!("skipped: {e}"),
    ///     }
    /// }
    /// # Ok::<(), acronis_reports::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Listing the ids fails as [`list_report_ids`](Self::list_report_ids).
    pub fn reports(&self, tenant_id: impl IntoId<TenantId>) -> Result<Reports, Error> {
        let ids = self.list_report_ids(tenant_id)?;
        Ok(Reports {
            client: self.clone(),
            ids: ids.into_iter(),
        })
    }

    /// Creates a report: [`NewReport::validate`] first (nothing is sent if it fails), then
    /// `POST /reports`, then a check that the created report reflects the request.
    ///
    /// A create is a `POST`, so it is retried only if the retry policy says
    /// [`RetryPolicy::retry_post`]: a lost answer may hide a created report. For the same
    /// reason, a create that ends in [`Error::Decode`], [`Error::Timeout`] or
    /// [`Error::Transport`] after its request was sent may have made the report: look at
    /// [`list_report_ids`](Self::list_report_ids) before creating it again. A create that ends
    /// in [`Error::Mismatch`] did make one, which the error holds.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidReport`] when validation fails;
    /// [`Error::Api`] when the API refuses (see [`Error::is_usage_history_not_ready`] for the
    /// 400 it answers between 1 and 6 am); [`Error::Mismatch`] when the created report does not
    /// reflect the request; and the errors of every call.
    pub fn create_report(&self, report: &NewReport) -> Result<Report, Error> {
        report.validate().map_err(Error::InvalidReport)?;
        self.post_report(report)
    }

    /// [`create_report`](Self::create_report) for a checked report: a [plan](crate::plan)'s,
    /// whose values this version does not know a report holds.
    pub(crate) fn post_report(&self, report: &NewReport) -> Result<Report, Error> {
        let answer = self.call(
            Endpoint::CreateReport,
            Some(report.to_json_string().into_bytes()),
        )?;
        let created = answer.report()?;
        // A report that was created but does not match is still there: the error holds it,
        // so the caller can fix or delete it.
        if let Err(mismatch) = report.verify(&created) {
            return Err(Error::Mismatch {
                call: answer.call,
                mismatch,
                report: Box::new(created),
            });
        }
        Ok(created)
    }

    /// Deletes a report: `DELETE /reports/{id}?version=N`, with the version the report has
    /// (from [`get_report`](Self::get_report)).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an id that is not a UUID; [`Error::Api`] (404: no such
    /// report; another status when the version is not the current one, which the vendor does
    /// not document); and the errors of every call. A retried delete that finds the report
    /// gone succeeds only when an earlier attempt got no answer (it may have been applied);
    /// after an error answer (a 503), the 404 is an error: the report was not there.
    pub fn delete_report(&self, id: impl IntoId<ReportId>, version: i64) -> Result<(), Error> {
        let id = id.into_id()?;
        let lost = std::sync::atomic::AtomicBool::new(false);
        match self.call_noting_lost(Endpoint::DeleteReport { id, version }, None, &lost) {
            // A retried delete whose earlier attempt got no answer (it may have been applied)
            // finds the report gone: done. After an error answer (a 503), a 404 is the news.
            Err(e)
                if e.status() == Some(404)
                    && e.attempts() > 1
                    && lost.load(std::sync::atomic::Ordering::Relaxed) =>
            {
                Ok(())
            }
            Err(e) => Err(e),
            Ok(_) => Ok(()),
        }
    }

    /// The files a report has produced: `GET /reports/{id}/stored`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an id that is not a UUID; [`Error::Decode`] when the list
    /// is not the API's; and the errors of every call.
    pub fn stored_reports(&self, id: impl IntoId<ReportId>) -> Result<Vec<StoredReport>, Error> {
        let id = id.into_id()?;
        self.stored(id)
    }

    fn stored(&self, id: ReportId) -> Result<Vec<StoredReport>, Error> {
        let answer = self.call(Endpoint::StoredReports(id), None)?;
        Ok(answer
            .decode::<Items<StoredReport>>("stored report list")?
            .items)
    }

    /// Waits until a report has a saved file, looking at its stored files every
    /// [`poll_interval`](ClientBuilder::poll_interval) (2 s by default), and returns that
    /// file. Generation is asynchronous: call this after [`create_report`](Self::create_report).
    ///
    /// It returns the newest `saved` file (by `created_at`); a report that already had files
    /// (a monthly one) returns its newest at once. Only reports whose result action is `save` produce
    /// files. A failed file ends the wait only when no other is still in progress; a look at
    /// the list that fails with service trouble (after its retries) does not end it while
    /// time is left. One look can take longer than what is left of `timeout` (up to the
    /// client's timeout per attempt), so the wait may overrun by that much.
    ///
    /// # Errors
    ///
    /// [`Error::GenerationFailed`] when a file's generation failed and none is saved;
    /// [`Error::WaitTimeout`] when none was saved within `timeout`; and the errors of
    /// [`stored_reports`](Self::stored_reports).
    pub fn wait_for_stored_report(
        &self,
        id: impl IntoId<ReportId>,
        timeout: Duration,
    ) -> Result<StoredReport, Error> {
        self.wait_for_stored_report_where(id.into_id()?, timeout, |_| true)
    }

    /// [`wait_for_stored_report`](Self::wait_for_stored_report), for the files `wanted`
    /// says only.
    pub(crate) fn wait_for_stored_report_where(
        &self,
        id: ReportId,
        timeout: Duration,
        wanted: impl Fn(&StoredReport) -> bool,
    ) -> Result<StoredReport, Error> {
        let clock = &self.inner.clock;
        let started = clock.now();
        let elapsed = || clock.now().saturating_duration_since(started);
        loop {
            let files = match self.stored(id) {
                Ok(files) => files,
                // Service trouble that outlived the retries: keep waiting while time is left.
                Err(e) if e.is_retryable() && elapsed() < timeout => Vec::new(),
                Err(e) => return Err(e),
            };
            let files: Vec<StoredReport> = files.into_iter().filter(|f| wanted(f)).collect();
            let newest_saved = files
                .iter()
                .filter(|f| f.status == StoredStatus::Saved)
                .max_by_key(|f| f.created_at);
            if let Some(saved) = newest_saved {
                return Ok(saved.clone());
            }
            let in_progress = files.iter().any(|f| f.status == StoredStatus::InProgress);
            if let Some(failed) = files.iter().find(|f| f.status == StoredStatus::Failed) {
                if !in_progress {
                    return Err(Error::GenerationFailed {
                        report_id: id,
                        stored: Box::new(failed.clone()),
                    });
                }
            }
            let waited = elapsed();
            if waited >= timeout {
                return Err(Error::WaitTimeout {
                    report_id: id,
                    waited,
                });
            }
            // A stopped run ends the wait as if its time were up: looks were made already.
            if self
                .sleep(self.inner.poll_interval.min(timeout - waited))
                .is_err()
            {
                return Err(Error::WaitTimeout {
                    report_id: id,
                    waited: elapsed(),
                });
            }
        }
    }
}

/// A tenant's reports, fetched one by one: see [`Client::reports`].
#[derive(Debug)]
pub struct Reports {
    client: Client,
    ids: std::vec::IntoIter<ReportId>,
}

impl Reports {
    /// The ids not fetched yet.
    pub fn remaining_ids(&self) -> &[ReportId] {
        self.ids.as_slice()
    }
}

impl Iterator for Reports {
    type Item = Result<Report, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let id = self.ids.next()?;
        Some(
            self.client
                .get_report_and_call(id)
                .map(|(report, _)| report),
        )
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.ids.size_hint()
    }
}

impl ExactSizeIterator for Reports {}

fn id_mismatch(id: ReportId, report: &Report) -> Option<FieldMismatch> {
    (report.id != id).then(|| FieldMismatch {
        field: Field::Id,
        requested: to_value(&id),
        returned: to_value(&report.id),
    })
}
