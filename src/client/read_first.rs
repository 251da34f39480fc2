//! Updates that read first: the report is fetched, and changed only when it differs from
//! what is asked (kubectl's `unchanged`, terraform's "no changes"), so that a repeated or
//! resumed run says what it really changed.

use super::Client;
use crate::enums::ScheduleType;
use crate::error::Error;
use crate::id::{IntoId, ReportId};
use crate::model::Report;
use crate::patch::ReportUpdate;

/// What [`Client::update_report_if_needed`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UpdateOutcome {
    /// The report differed and was changed: the report the server answered with, verified.
    Changed(Report),
    /// The report already was as asked: nothing but the `GET` was sent.
    Unchanged(Report),
    /// A one-time report, which the API does not change: nothing but the `GET` was sent.
    OneTime(Report),
}

impl UpdateOutcome {
    /// The report: as changed, or as it was.
    pub fn report(&self) -> &Report {
        match self {
            UpdateOutcome::Changed(r) | UpdateOutcome::Unchanged(r) | UpdateOutcome::OneTime(r) => {
                r
            }
        }
    }

    /// The report, owned.
    pub fn into_report(self) -> Report {
        match self {
            UpdateOutcome::Changed(r) | UpdateOutcome::Unchanged(r) | UpdateOutcome::OneTime(r) => {
                r
            }
        }
    }

    /// Whether the report was changed.
    pub fn is_change(&self) -> bool {
        matches!(self, UpdateOutcome::Changed(_))
    }
}

impl Client {
    /// Fetches the report and applies `update` only where needed: a monthly report that
    /// differs is changed with [`update_report`](Self::update_report) (verified); one that
    /// already is as asked is [`Unchanged`](UpdateOutcome::Unchanged), and a one-time report
    /// (which the API does not change) is [`OneTime`](UpdateOutcome::OneTime), both with no
    /// write sent. Costs a `GET` per report; [`update_many_if_needed`](Self::update_many_if_needed)
    /// runs it for many.
    ///
    /// # Errors
    ///
    /// As [`get_report`](Self::get_report), then as [`update_report`](Self::update_report).
    pub fn update_report_if_needed(
        &self,
        id: impl IntoId<ReportId>,
        update: &ReportUpdate,
    ) -> Result<UpdateOutcome, Error> {
        let report = self.get_report(id)?;
        if report.schedule.schedule_type != ScheduleType::Monthly {
            return Ok(UpdateOutcome::OneTime(report));
        }
        if update.verify(&report).is_ok() {
            return Ok(UpdateOutcome::Unchanged(report));
        }
        self.update_report(report.id, update)
            .map(UpdateOutcome::Changed)
    }
}
