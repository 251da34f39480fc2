//! Verification: does the report the server returned reflect the update that was sent?
//!
//! The API answers a `PUT` with the whole report. [`ReportUpdate::verify`] compares it with
//! every member of the patch (`schedule.enabled` first, then `recipients` as a set, then each
//! parameter) and lists each difference in a [`Mismatch`]. Pure: no I/O.
//!
//! ```
//! use acronis_reports::{Report, ReportUpdate};
//!
//! let returned = Report::from_json(br#"{"id": "20dffb36-d77b-45c6-b2fa-39276e98d5fc",
//!     "version": 3, "result_action": "save", "recipients": [],
//!     "parameters": {"tenant_id": "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc",
//!         "level": "accounts", "kind": "usage_summary"},
//!     "schedule": {"type": "monthly", "enabled": true}}"#)?;
//!
//! let mismatch = ReportUpdate::disable().verify(&returned).unwrap_err();
//! assert_eq!(mismatch.to_string(),
//!     "the returned report does not match the request: schedule.enabled: requested false, returned true");
//! assert!(ReportUpdate::enable().verify(&returned).is_ok());
//! # Ok::<(), acronis_reports::DecodeError>(())
//! ```

use std::collections::HashSet;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::date::ReportDate;
use crate::model::{Field, Report};
use crate::new_report::NewReport;
use crate::patch::ReportUpdate;

/// One member whose returned value differs from the requested one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldMismatch {
    /// Which member.
    pub field: Field,
    /// The value that was asked for, as JSON.
    pub requested: Value,
    /// The value the server returned, as JSON (`null` when it returned none).
    pub returned: Value,
}

impl fmt::Display for FieldMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: requested {}, returned {}",
            self.field, self.requested, self.returned
        )
    }
}

/// The returned report does not reflect the request (an update or a create): every member
/// that differs.
///
/// Never empty: a `Mismatch` exists only when at least one member differs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mismatch {
    /// The differing members, in the order `id` (added by the client), `schedule.enabled`,
    /// `recipients`, then parameters.
    pub fields: Vec<FieldMismatch>,
}

impl Mismatch {
    /// The difference for one member, if it differs.
    pub fn field(&self, field: Field) -> Option<&FieldMismatch> {
        self.fields.iter().find(|m| m.field == field)
    }

    pub(crate) fn from_fields(fields: Vec<FieldMismatch>) -> Result<(), Mismatch> {
        if fields.is_empty() {
            Ok(())
        } else {
            Err(Mismatch { fields })
        }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the returned report does not match the request: ")?;
        for (i, m) in self.fields.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{m}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Mismatch {}

pub(crate) fn to_value<T: Serialize + ?Sized>(v: &T) -> Value {
    // Plain data (bools, strings, ids) always serializes.
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Records a difference when the returned value is not the requested one.
fn compare<T: Serialize + PartialEq>(
    out: &mut Vec<FieldMismatch>,
    field: Field,
    requested: Option<&T>,
    returned: Option<&T>,
) {
    if let Some(requested) = requested {
        if Some(requested) != returned {
            out.push(FieldMismatch {
                field,
                requested: to_value(requested),
                returned: to_value(&returned),
            });
        }
    }
}

/// Like [`compare`] for the optional flags, which a server may leave out when false.
fn compare_flag(
    out: &mut Vec<FieldMismatch>,
    field: Field,
    requested: Option<bool>,
    returned: Option<bool>,
) {
    if let Some(requested) = requested {
        if returned.unwrap_or(false) != requested {
            out.push(FieldMismatch {
                field,
                requested: to_value(&requested),
                returned: to_value(&returned),
            });
        }
    }
}

impl ReportUpdate {
    /// Checks that `report` reflects every member this update sets.
    ///
    /// Members the update does not set are not looked at. Recipients compare as a set: order
    /// and repeats do not matter. `hide_zero_usage` and `show_skus` are optional in the API's
    /// report, so an absent one reads as `false`. An empty update is reflected by any report.
    ///
    /// # Errors
    ///
    /// A [`Mismatch`] listing each member whose returned value differs from the requested one,
    /// with both values.
    pub fn verify(&self, report: &Report) -> Result<(), Mismatch> {
        let mut out = Vec::new();
        compare(
            &mut out,
            Field::ScheduleEnabled,
            self.enabled_ref().as_ref(),
            Some(&report.schedule.enabled),
        );
        if let Some(requested) = self.recipients_ref() {
            compare_sets(&mut out, Field::Recipients, requested, &report.recipients);
        }
        let (asked, params) = (self.parameters(), &report.parameters);
        compare(
            &mut out,
            Field::Level,
            asked.level.as_ref(),
            Some(&params.level),
        );
        compare(
            &mut out,
            Field::Kind,
            asked.kind.as_ref(),
            Some(&params.kind),
        );
        compare_flag(
            &mut out,
            Field::HideZeroUsage,
            asked.hide_zero_usage,
            params.hide_zero_usage,
        );
        compare_flag(&mut out, Field::ShowSkus, asked.show_skus, params.show_skus);
        Mismatch::from_fields(out)
    }
}

/// Records a difference when two lists differ as sets.
fn compare_sets<T: Serialize + Eq + std::hash::Hash>(
    out: &mut Vec<FieldMismatch>,
    field: Field,
    requested: &[T],
    returned: &[T],
) {
    let want: HashSet<_> = requested.iter().collect();
    let got: HashSet<_> = returned.iter().collect();
    if want != got {
        out.push(FieldMismatch {
            field,
            requested: to_value(requested),
            returned: to_value(returned),
        });
    }
}

impl NewReport {
    /// Checks that `report`, as the API created it, reflects every member this request sets:
    /// tenant, level, kind, result action, recipients (as a set), schedule type, and each
    /// optional member that was set (formats as a set).
    ///
    /// # Errors
    ///
    /// A [`Mismatch`] listing each differing member.
    pub fn verify(&self, report: &Report) -> Result<(), Mismatch> {
        let (recipients, action, params, schedule, generation_date) = (
            &self.recipients,
            &self.result_action,
            &self.parameters,
            &self.schedule,
            self.generation_date,
        );
        let got = &report.parameters;
        let mut out = Vec::new();
        compare(
            &mut out,
            Field::TenantId,
            Some(&params.tenant_id),
            Some(&got.tenant_id),
        );
        compare(
            &mut out,
            Field::Level,
            Some(&params.level),
            Some(&got.level),
        );
        compare(&mut out, Field::Kind, Some(&params.kind), Some(&got.kind));
        compare(
            &mut out,
            Field::ResultAction,
            Some(action),
            Some(&report.result_action),
        );
        compare_sets(&mut out, Field::Recipients, recipients, &report.recipients);
        compare(
            &mut out,
            Field::ScheduleType,
            Some(&schedule.schedule_type),
            Some(&report.schedule.schedule_type),
        );
        compare(
            &mut out,
            Field::ScheduleEnabled,
            schedule.enabled.as_ref(),
            Some(&report.schedule.enabled),
        );
        if let Some(formats) = &params.formats {
            compare_sets(&mut out, Field::Formats, formats, &got.formats);
        }
        if let Some(period) = params.period {
            let returned = got.period.map(|p| (p.start, p.end));
            let requested = (ReportDate::from(period.start), ReportDate::from(period.end));
            compare(&mut out, Field::Period, Some(&requested), returned.as_ref());
        }
        compare_flag(
            &mut out,
            Field::HideZeroUsage,
            params.hide_zero_usage,
            got.hide_zero_usage,
        );
        compare_flag(&mut out, Field::ShowSkus, params.show_skus, got.show_skus);
        compare(
            &mut out,
            Field::GenerationDate,
            generation_date.map(ReportDate::from).as_ref(),
            report.generation_date.as_ref(),
        );
        Mismatch::from_fields(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::{Level, ReportKind};
    use serde_json::json;
    use uuid::Uuid;

    const A: &str = "ca451758-b48a-45d9-9ae6-8f1059f67619";
    const B: &str = "ab00e527-219b-481b-b01b-311b5be0ed3c";

    fn report(enabled: bool, recipients: &[&str], extra: Value) -> Report {
        let mut params = json!({"tenant_id": "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc",
            "level": "accounts", "kind": "usage_summary", "formats": ["csv"]});
        params
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let v = json!({"id": "20dffb36-d77b-45c6-b2fa-39276e98d5fc", "version": 7,
            "result_action": "send", "recipients": recipients, "parameters": params,
            "schedule": {"type": "monthly", "enabled": enabled}});
        Report::from_json(v.to_string().as_bytes()).unwrap()
    }

    fn ids(list: &[&str]) -> Vec<crate::id::UserId> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn a_reflected_update_passes() {
        let r = report(
            false,
            &[A, B],
            json!({"hide_zero_usage": true, "show_skus": false}),
        );
        let update = ReportUpdate::disable()
            .recipients(ids(&[B, A, B]))
            .level(Level::Accounts)
            .kind(ReportKind::UsageSummary)
            .hide_zero_usage(true)
            .show_skus(false);
        assert_eq!(update.verify(&r), Ok(()));
        assert_eq!(ReportUpdate::new().verify(&r), Ok(()));
    }

    #[test]
    fn schedule_enabled_not_applied() {
        let m = ReportUpdate::disable()
            .verify(&report(true, &[], json!({})))
            .unwrap_err();
        assert_eq!(
            m.fields,
            vec![FieldMismatch {
                field: Field::ScheduleEnabled,
                requested: json!(false),
                returned: json!(true)
            }]
        );
    }

    #[test]
    fn every_differing_member_is_listed_in_order() {
        let r = report(true, &[A], json!({"show_skus": true}));
        let update = ReportUpdate::new()
            .show_skus(false)
            .hide_zero_usage(true)
            .kind(ReportKind::UsageDaily)
            .level(Level::Itself)
            .recipients(ids(&[B]))
            .enabled(false);
        let m = update.verify(&r).unwrap_err();
        let got: Vec<_> = m
            .fields
            .iter()
            .map(|f| (f.field, f.requested.clone(), f.returned.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Field::ScheduleEnabled, json!(false), json!(true)),
                (Field::Recipients, json!([B]), json!([A])),
                (Field::Level, json!("itself"), json!("accounts")),
                (Field::Kind, json!("usage_daily"), json!("usage_summary")),
                (Field::HideZeroUsage, json!(true), json!(null)),
                (Field::ShowSkus, json!(false), json!(true)),
            ]
        );
        assert_eq!(
            m.field(Field::Kind).unwrap().returned,
            json!("usage_summary")
        );
        assert_eq!(m.field(Field::Id), None);
        assert_eq!(
            m.to_string(),
            format!(
                "the returned report does not match the request: schedule.enabled: requested false, returned true; \
                 recipients: requested [\"{B}\"], returned [\"{A}\"]; parameters.level: requested \"itself\", returned \"accounts\"; \
                 parameters.kind: requested \"usage_daily\", returned \"usage_summary\"; \
                 parameters.hide_zero_usage: requested true, returned null; parameters.show_skus: requested false, returned true"
            )
        );
    }

    #[test]
    fn absent_flags_read_as_false() {
        let r = report(true, &[], json!({}));
        assert_eq!(
            ReportUpdate::new()
                .hide_zero_usage(false)
                .show_skus(false)
                .verify(&r),
            Ok(())
        );
        let m = ReportUpdate::new().show_skus(true).verify(&r).unwrap_err();
        assert_eq!(
            (m.fields[0].requested.clone(), m.fields[0].returned.clone()),
            (json!(true), json!(null))
        );
    }

    #[test]
    fn a_created_report_is_checked_against_the_request() {
        use crate::enums::{ReportFormat, ResultAction};
        let r = report(
            true,
            &[A, B],
            json!({"period": {"start": "2017-05-01", "end": "2017-05-07"}}),
        );
        let request = NewReport::new(
            r.parameters.tenant_id,
            Level::Accounts,
            ReportKind::UsageSummary,
        )
        .send_to(ids(&[B, A]))
        .monthly()
        .formats([ReportFormat::Csv])
        .period("2017-05-01".parse().unwrap(), "2017-05-07".parse().unwrap());
        assert_eq!(request.verify(&r), Ok(()));
        assert_eq!(r.result_action, ResultAction::Send);

        let other = NewReport::new(Uuid::nil().into(), Level::Itself, ReportKind::UsageSummary)
            .formats([ReportFormat::Html])
            .period("2017-05-01".parse().unwrap(), "2017-05-08".parse().unwrap())
            .show_skus(true)
            .generation_date("2017-05-09".parse().unwrap());
        let m = other.verify(&r).unwrap_err();
        let fields: Vec<Field> = m.fields.iter().map(|f| f.field).collect();
        assert_eq!(
            fields,
            [
                Field::TenantId,
                Field::Level,
                Field::ResultAction,
                Field::Recipients,
                Field::ScheduleType,
                Field::Formats,
                Field::Period,
                Field::ShowSkus,
                Field::GenerationDate
            ]
        );
        assert_eq!(
            m.field(Field::Period).unwrap().requested,
            json!(["2017-05-01", "2017-05-08"])
        );
        assert_eq!(
            m.field(Field::ScheduleType).unwrap().returned,
            json!("monthly")
        );
    }

    #[test]
    fn recipients_compare_as_sets() {
        let r = report(true, &[A, B], json!({}));
        assert_eq!(
            ReportUpdate::new().recipients(ids(&[B, A])).verify(&r),
            Ok(())
        );
        let m = ReportUpdate::new()
            .recipients(ids(&[A]))
            .verify(&r)
            .unwrap_err();
        assert_eq!(m.fields[0].field, Field::Recipients);
        let m = ReportUpdate::new().recipients([]).verify(&r).unwrap_err();
        assert_eq!(m.fields[0].requested, json!([]));
        assert_eq!(m.fields[0].returned, json!([A, B]));
    }

    #[test]
    fn unknown_returned_values_are_mismatches_with_their_text() {
        let mut r = report(true, &[], json!({}));
        r.parameters.level = serde_json::from_value(json!("galaxy")).unwrap();
        let m = ReportUpdate::new()
            .level(Level::Accounts)
            .verify(&r)
            .unwrap_err();
        assert_eq!(m.fields[0].returned, json!("galaxy"));
    }
}
