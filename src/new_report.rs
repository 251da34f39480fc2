//! [`NewReport`]: the body of `POST /reports` (the API's `reportPost`), built in code.
//!
//! Pure, like [`patch`](crate::patch): no I/O. A `NewReport` always holds the members the
//! API requires (recipients, result action, tenant, level, kind, schedule type) and adds
//! only the optional ones that were set. [`NewReport::validate`] checks what the types
//! cannot: recipients for a report that is sent, a period that is in order and not in the
//! future. The client validates before sending, and verifies the created report against
//! the request.
//!
//! ```
//! use acronis_reports::{Date, Level, NewReport, ReportFormat, ReportKind, TenantId};
//!
//! let tenant: TenantId = "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc".parse()?;
//! let report = NewReport::new(tenant, Level::Accounts, ReportKind::UsageSummary)
//!     .formats([ReportFormat::Csv])
//!     .period("2026-10-01".parse()?, "2026-10-31".parse()?);
//! assert_eq!(
//!     report.to_json_string(),
//!     r#"{"recipients":[],"result_action":"save","parameters":{"tenant_id":"2a91a14d-ffd3-4ac1-9b4d-3990162c5acc","level":"accounts","kind":"usage_summary","formats":["csv"],"period":{"start":"2026-10-01","end":"2026-10-31"}},"schedule":{"type":"once"}}"#
//! );
//! report.validate_at("2026-11-26".parse()?)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use serde::Serialize;

use crate::date::Date;
use crate::enums::{Level, ReportFormat, ReportKind, ResultAction, ScheduleType};
use crate::id::{TenantId, UserId};

/// A report to create: the `reportPost` body.
///
/// [`NewReport::new`] takes the members that have no sensible default; the rest start as:
/// result action `save` with no recipients ([`send_to`](Self::send_to) changes both),
/// schedule `once` ([`monthly`](Self::monthly)), and every optional member unset (not sent;
/// the API's defaults apply).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use = "a NewReport does nothing until it is sent with Client::create_report"]
pub struct NewReport {
    pub(crate) recipients: Vec<UserId>,
    pub(crate) result_action: ResultAction,
    pub(crate) parameters: NewParameters,
    pub(crate) schedule: NewSchedule,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) generation_date: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct NewParameters {
    pub(crate) tenant_id: TenantId,
    pub(crate) level: Level,
    pub(crate) kind: ReportKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) formats: Option<Vec<ReportFormat>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) period: Option<NewPeriod>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) hide_zero_usage: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) show_skus: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct NewPeriod {
    pub(crate) start: Date,
    pub(crate) end: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct NewSchedule {
    #[serde(rename = "type")]
    pub(crate) schedule_type: ScheduleType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) enabled: Option<bool>,
}

/// Why a [`NewReport`] would be refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidReport {
    /// The member at fault, like `period`.
    pub field: &'static str,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for InvalidReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid new report: {}: {}", self.field, self.message)
    }
}

impl std::error::Error for InvalidReport {}

impl NewReport {
    /// A one-time report of `tenant_id` at `level`, of `kind`, saved (not sent).
    pub fn new(tenant_id: TenantId, level: Level, kind: ReportKind) -> NewReport {
        NewReport {
            recipients: Vec::new(),
            result_action: ResultAction::Save,
            parameters: NewParameters {
                tenant_id,
                level,
                kind,
                formats: None,
                period: None,
                hide_zero_usage: None,
                show_skus: None,
            },
            schedule: NewSchedule {
                schedule_type: ScheduleType::Once,
                enabled: None,
            },
            generation_date: None,
        }
    }

    /// E-mails the report to these users (result action `send`). At least one is needed.
    pub fn send_to<I: IntoIterator<Item = UserId>>(mut self, recipients: I) -> NewReport {
        self.recipients = recipients.into_iter().collect();
        self.result_action = ResultAction::Send;
        self
    }

    /// Result action `action` with these recipients: how a [plan](crate::plan) writes an
    /// entry's result action, which may be one this version does not know.
    pub(crate) fn result_action(
        mut self,
        action: ResultAction,
        recipients: Vec<UserId>,
    ) -> NewReport {
        self.recipients = recipients;
        self.result_action = action;
        self
    }

    /// Keeps the generated files for download (result action `save`, no recipients). The
    /// default.
    pub fn save(mut self) -> NewReport {
        self.recipients.clear();
        self.result_action = ResultAction::Save;
        self
    }

    /// Generates the report once (schedule `once`). The default.
    pub fn once(mut self) -> NewReport {
        self.schedule.schedule_type = ScheduleType::Once;
        self
    }

    /// Generates the report every month (schedule `monthly`).
    pub fn monthly(mut self) -> NewReport {
        self.schedule.schedule_type = ScheduleType::Monthly;
        self
    }

    /// Sets `schedule.enabled`. Not set by default (the API's default applies).
    pub fn enabled(mut self, enabled: bool) -> NewReport {
        self.schedule.enabled = Some(enabled);
        self
    }

    /// The formats to generate. Not set by default (the API's default applies).
    pub fn formats<I: IntoIterator<Item = ReportFormat>>(mut self, formats: I) -> NewReport {
        self.parameters.formats = Some(formats.into_iter().collect());
        self
    }

    /// The period covered, both days included; it must not lie in the future. Not set by
    /// default.
    pub fn period(mut self, start: Date, end: Date) -> NewReport {
        self.parameters.period = Some(NewPeriod { start, end });
        self
    }

    /// Sets `parameters.hide_zero_usage`. Not set by default.
    pub fn hide_zero_usage(mut self, hide: bool) -> NewReport {
        self.parameters.hide_zero_usage = Some(hide);
        self
    }

    /// Sets `parameters.show_skus`. Not set by default.
    pub fn show_skus(mut self, show: bool) -> NewReport {
        self.parameters.show_skus = Some(show);
        self
    }

    /// The day a one-time report is generated. Not set by default.
    pub fn generation_date(mut self, date: Date) -> NewReport {
        self.generation_date = Some(date);
        self
    }

    /// Checks what the types cannot, as of today (UTC).
    ///
    /// # Errors
    ///
    /// As [`validate_at`](Self::validate_at).
    pub fn validate(&self) -> Result<(), InvalidReport> {
        self.validate_at(Date::today_utc())
    }

    /// Checks what the types cannot, as of `today`: a report that is sent has recipients; the
    /// period starts before it ends and does not end after `today`; no member holds a value
    /// from a server reply that this crate does not know.
    ///
    /// # Errors
    ///
    /// The first problem found, naming the member.
    pub fn validate_at(&self, today: Date) -> Result<(), InvalidReport> {
        self.validate_members()?;
        if let Some(p) = self.parameters.period {
            let bad = |message: String| {
                Err(InvalidReport {
                    field: "period",
                    message,
                })
            };
            if p.start > p.end {
                return bad(format!("starts on {} after it ends on {}", p.start, p.end));
            }
            if p.end > today {
                return bad(format!(
                    "ends on {}, in the future (today is {today})",
                    p.end
                ));
            }
        }
        Ok(())
    }

    /// The checks of [`validate_at`](Self::validate_at) that do not depend on the day: the
    /// recipients of a sent report, a non-empty `formats`, no unknown enum value.
    pub(crate) fn validate_members(&self) -> Result<(), InvalidReport> {
        self.validate_shape()?;
        let unknown = [
            ("parameters.level", self.parameters.level.is_unknown()),
            ("parameters.kind", self.parameters.kind.is_unknown()),
            (
                "parameters.formats",
                self.parameters
                    .formats
                    .iter()
                    .flatten()
                    .any(ReportFormat::is_unknown),
            ),
        ];
        if let Some((field, _)) = unknown.iter().find(|(_, u)| *u) {
            return Err(InvalidReport {
                field,
                message: "holds a value this version of the crate does not know the API to accept"
                    .into(),
            });
        }
        Ok(())
    }

    /// The checks of [`validate_members`](Self::validate_members) but the one for unknown
    /// values: the recipients of a sent report, a non-empty `formats`.
    pub(crate) fn validate_shape(&self) -> Result<(), InvalidReport> {
        let bad = |field, message: String| Err(InvalidReport { field, message });
        if self.result_action == ResultAction::Send && self.recipients.is_empty() {
            return bad(
                "recipients",
                "a report that is sent needs at least one recipient".into(),
            );
        }
        if self.parameters.formats.as_ref().is_some_and(Vec::is_empty) {
            return bad(
                "parameters.formats",
                "is empty; leave it unset for the API's default".into(),
            );
        }
        Ok(())
    }

    /// The body as a JSON value.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// The body as compact JSON text: exactly the bytes the client sends.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TENANT: &str = "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc";
    const USER: &str = "ca451758-b48a-45d9-9ae6-8f1059f67619";

    fn base() -> NewReport {
        NewReport::new(
            TENANT.parse().unwrap(),
            Level::AllCustomers,
            ReportKind::UsageDaily,
        )
    }

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn the_minimal_body_has_the_required_members_only() {
        assert_eq!(
            base().to_json(),
            json!({"recipients": [], "result_action": "save",
                "parameters": {"tenant_id": TENANT, "level": "all_customers", "kind": "usage_daily"},
                "schedule": {"type": "once"}})
        );
    }

    #[test]
    fn every_member_set() {
        let r = base()
            .send_to([USER.parse().unwrap()])
            .monthly()
            .enabled(true)
            .formats([ReportFormat::CsvV2, ReportFormat::JsonV2])
            .period(day("2026-10-01"), day("2026-10-31"))
            .hide_zero_usage(true)
            .show_skus(false)
            .generation_date(day("2026-11-01"));
        assert_eq!(
            r.to_json(),
            json!({"recipients": [USER], "result_action": "send",
                "parameters": {"tenant_id": TENANT, "level": "all_customers", "kind": "usage_daily",
                    "formats": ["csv_v2_0", "json_v2_0"], "period": {"start": "2026-10-01", "end": "2026-10-31"},
                    "hide_zero_usage": true, "show_skus": false},
                "schedule": {"type": "monthly", "enabled": true}, "generation_date": "2026-11-01"})
        );
        assert_eq!(r.validate_at(day("2026-11-26")), Ok(()));
        // save() drops the recipients again.
        assert_eq!(r.save().to_json()["recipients"], json!([]));
    }

    #[test]
    fn validation_names_the_member() {
        let today = day("2026-11-26");
        let cases = [
            (
                base().send_to([]),
                "recipients",
                "a report that is sent needs at least one recipient",
            ),
            (
                base().formats([]),
                "parameters.formats",
                "is empty; leave it unset for the API's default",
            ),
            (
                base().period(day("2026-10-31"), day("2026-10-01")),
                "period",
                "starts on 2026-10-31 after it ends on 2026-10-01",
            ),
            (
                base().period(day("2026-11-01"), day("2026-11-27")),
                "period",
                "ends on 2026-11-27, in the future (today is 2026-11-26)",
            ),
            (
                base().formats([serde_json::from_value(json!("parquet")).unwrap()]),
                "parameters.formats",
                "holds a value this version of the crate does not know the API to accept",
            ),
        ];
        for (report, field, message) in cases {
            let err = report.validate_at(today).unwrap_err();
            assert_eq!((err.field, err.message.as_str()), (field, message));
        }
        assert!(
            base()
                .period(day("2026-11-26"), day("2026-11-26"))
                .validate_at(today)
                .is_ok()
        );
    }
}
