//! [`ReportUpdate`]: the body of `PUT /reports/{id}` (the API's `reportPut`), built in code.
//!
//! This layer is pure: no I/O, no network features needed. A `ReportUpdate` holds only what
//! was set, and serializes to the minimal JSON patch:
//!
//! ```
//! use acronis_reports::{Level, ReportUpdate};
//! use serde_json::json;
//!
//! assert_eq!(ReportUpdate::disable().to_json(), json!({"schedule": {"enabled": false}}));
//!
//! let update = ReportUpdate::new().level(Level::AllCustomers).show_skus(true);
//! assert_eq!(
//!     update.to_json_string(),
//!     r#"{"parameters":{"level":"all_customers","show_skus":true}}"#
//! );
//! ```
//!
//! Only the members the API accepts on update have setters. `id`, `version`, `result_action`,
//! `schedule.type` and `parameters.tenant_id|formats|period` are refused by the API
//! (`additionalProperties: false`), so they cannot be put in a `ReportUpdate` at all. The
//! values the setters take are typed ([`Level`], [`ReportKind`], [`UserId`]). The one way to a
//! value the API would refuse is an enum's `Unknown` variant copied from a server reply (a
//! level or kind newer than this crate); the client refuses to send such an update
//! ([`InputKind::UnknownValue`](crate::InputKind::UnknownValue)).

use serde::{Deserialize, Serialize};

use crate::enums::{Level, ReportKind};
use crate::id::UserId;

/// An update of a report: the minimal `reportPut` body with only the members that were set.
///
/// Start from [`ReportUpdate::new`] (nothing set), [`ReportUpdate::disable`] or
/// [`ReportUpdate::enable`], then chain setters. Every setter replaces an earlier value of the
/// same member. Nothing is set by default; a member left unset is not sent and the server keeps
/// its value.
///
/// The `Serialize` impl writes exactly the request body; [`to_json`](Self::to_json) and
/// [`to_json_string`](Self::to_json_string) are shortcuts for it. After the server answers,
/// [`verify`](Self::verify) checks that the returned report reflects every member.
///
/// ```
/// use acronis_reports::{ReportKind, ReportUpdate, UserId};
///
/// let admin: UserId = "ca451758-b48a-45d9-9ae6-8f1059f67619".parse()?;
/// let update = ReportUpdate::enable().recipients([admin]).kind(ReportKind::UsageDaily);
/// assert_eq!(
///     update.to_json_string(),
///     r#"{"recipients":["ca451758-b48a-45d9-9ae6-8f1059f67619"],"parameters":{"kind":"usage_daily"},"schedule":{"enabled":true}}"#
/// );
/// # Ok::<(), acronis_reports::ParseIdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[must_use = "a ReportUpdate does nothing until it is sent with Client::update_report"]
pub struct ReportUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    recipients: Option<Vec<UserId>>,
    #[serde(default, skip_serializing_if = "ParametersPatch::is_empty")]
    parameters: ParametersPatch,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    schedule: Option<SchedulePatch>,
}

/// `parameters` of a `reportPut`: the four members the API lets an update change.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ParametersPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) level: Option<Level>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) kind: Option<ReportKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) hide_zero_usage: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) show_skus: Option<bool>,
}

impl ParametersPatch {
    fn is_empty(&self) -> bool {
        *self == ParametersPatch::default()
    }
}

/// `schedule` of a `reportPut`: `enabled` is required whenever `schedule` is present, so the
/// patch holds the whole member or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SchedulePatch {
    pub(crate) enabled: bool,
}

impl ReportUpdate {
    /// An update that changes nothing yet; [`is_empty`](Self::is_empty) is true until a setter
    /// is called. The client refuses to send an empty update.
    pub fn new() -> ReportUpdate {
        ReportUpdate::default()
    }

    /// Switches a scheduled report off: exactly `{"schedule":{"enabled":false}}`.
    pub fn disable() -> ReportUpdate {
        ReportUpdate::new().enabled(false)
    }

    /// Switches a scheduled report on: exactly `{"schedule":{"enabled":true}}`.
    pub fn enable() -> ReportUpdate {
        ReportUpdate::new().enabled(true)
    }

    /// Sets `schedule.enabled`: whether the scheduled report runs. Not set by default.
    ///
    /// Only monthly reports can be enabled or disabled; the API refuses it for one-time ones.
    pub fn enabled(mut self, enabled: bool) -> ReportUpdate {
        self.schedule = Some(SchedulePatch { enabled });
        self
    }

    /// Sets `recipients`: the user ids the report is e-mailed to, replacing the current list.
    /// Not set by default.
    ///
    /// The ids are sent in the order given, in the API's lowercase form. An empty list is sent
    /// as `[]` (no recipients). Verification compares recipients as a set.
    pub fn recipients<I: IntoIterator<Item = UserId>>(mut self, recipients: I) -> ReportUpdate {
        self.recipients = Some(recipients.into_iter().collect());
        self
    }

    /// Sets `parameters.level`: which tenants the report covers. Not set by default.
    pub fn level(mut self, level: Level) -> ReportUpdate {
        self.parameters.level = Some(level);
        self
    }

    /// Sets `parameters.kind`: what the report contains. Not set by default.
    pub fn kind(mut self, kind: ReportKind) -> ReportUpdate {
        self.parameters.kind = Some(kind);
        self
    }

    /// Sets `parameters.hide_zero_usage`: leave out rows with no usage. Not set by default.
    pub fn hide_zero_usage(mut self, hide: bool) -> ReportUpdate {
        self.parameters.hide_zero_usage = Some(hide);
        self
    }

    /// Sets `parameters.show_skus`: include SKUs in the report. Not set by default.
    pub fn show_skus(mut self, show: bool) -> ReportUpdate {
        self.parameters.show_skus = Some(show);
        self
    }

    /// Whether nothing has been set: such an update would change nothing, and the client
    /// refuses to send it.
    pub fn is_empty(&self) -> bool {
        *self == ReportUpdate::default()
    }

    /// The patch as a JSON value: only the members that were set.
    pub fn to_json(&self) -> serde_json::Value {
        // Serializing these plain structs (strings, bools, optional members) cannot fail.
        serde_json::to_value(self).unwrap_or_default()
    }

    /// The patch as compact JSON text: exactly the bytes the client sends.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The first member holding an enum's `Unknown` value (one copied from a server reply),
    /// which the API's schema would refuse: its path and text.
    pub(crate) fn unknown_value(&self) -> Option<(&'static str, &str)> {
        if let Some(Level::Unknown(u)) = &self.parameters.level {
            return Some(("parameters.level", u.as_str()));
        }
        if let Some(ReportKind::Unknown(u)) = &self.parameters.kind {
            return Some(("parameters.kind", u.as_str()));
        }
        None
    }

    /// The `schedule.enabled` this update sets, if any. (The getters end in `_ref`, as those
    /// of the `http` crate's request builder do, since the setters have the plain names.)
    pub fn enabled_ref(&self) -> Option<bool> {
        self.schedule.map(|s| s.enabled)
    }

    /// The `recipients` this update sets, if any.
    pub fn recipients_ref(&self) -> Option<&[UserId]> {
        self.recipients.as_deref()
    }

    /// The `parameters.level` this update sets, if any.
    pub fn level_ref(&self) -> Option<&Level> {
        self.parameters.level.as_ref()
    }

    /// The `parameters.kind` this update sets, if any.
    pub fn kind_ref(&self) -> Option<&ReportKind> {
        self.parameters.kind.as_ref()
    }

    /// The `parameters.hide_zero_usage` this update sets, if any.
    pub fn hide_zero_usage_ref(&self) -> Option<bool> {
        self.parameters.hide_zero_usage
    }

    /// The `parameters.show_skus` this update sets, if any.
    pub fn show_skus_ref(&self) -> Option<bool> {
        self.parameters.show_skus
    }

    /// Reads an update from a `reportPut` body (a file of patches, say): members outside the
    /// schema are refused, with their name.
    ///
    /// ```
    /// use acronis_reports::{Level, ReportUpdate};
    ///
    /// let update = ReportUpdate::from_json(br#"{"parameters": {"level": "all_customers"}}"#)?;
    /// assert_eq!(update, ReportUpdate::new().level(Level::AllCustomers));
    /// assert!(ReportUpdate::from_json(br#"{"schedule": {"type": "monthly"}}"#).is_err());
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The JSON error: not JSON, a member outside `reportPut`, a value of the wrong type.
    pub fn from_json(body: &[u8]) -> Result<ReportUpdate, serde_json::Error> {
        serde_json::from_slice(body)
    }

    pub(crate) fn parameters(&self) -> &ParametersPatch {
        &self.parameters
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const A: &str = "ca451758-b48a-45d9-9ae6-8f1059f67619";
    const B: &str = "ab00e527-219b-481b-b01b-311b5be0ed3c";

    fn uuid(s: &str) -> UserId {
        s.parse().unwrap()
    }

    #[test]
    fn an_update_reads_back_what_it_sets() {
        let update = ReportUpdate::enable()
            .recipients([uuid(A)])
            .level(Level::Accounts)
            .show_skus(false);
        assert_eq!(update.enabled_ref(), Some(true));
        assert_eq!(update.recipients_ref(), Some(&[uuid(A)][..]));
        assert_eq!(update.level_ref(), Some(&Level::Accounts));
        assert_eq!(
            (update.kind_ref(), update.hide_zero_usage_ref()),
            (None, None)
        );
        assert_eq!(update.show_skus_ref(), Some(false));
        // And reads from its own JSON to the same value.
        assert_eq!(
            ReportUpdate::from_json(update.to_json_string().as_bytes()).unwrap(),
            update
        );
        for bad in [
            r#"{"id": "x"}"#,
            r#"{"parameters": {"tenant_id": "x"}}"#,
            r#"{"schedule": {}}"#,
            r#"{"schedule": {"enabled": true, "type": "monthly"}}"#,
        ] {
            assert!(ReportUpdate::from_json(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn disable_and_enable_are_exactly_the_vendor_bodies() {
        assert_eq!(
            ReportUpdate::disable().to_json(),
            json!({"schedule": {"enabled": false}})
        );
        assert_eq!(
            ReportUpdate::disable().to_json_string(),
            r#"{"schedule":{"enabled":false}}"#
        );
        assert_eq!(
            ReportUpdate::enable().to_json_string(),
            r#"{"schedule":{"enabled":true}}"#
        );
    }

    #[test]
    fn each_setter_alone_gives_its_member_alone() {
        let cases: Vec<(ReportUpdate, &str)> = vec![
            (
                ReportUpdate::new().enabled(false),
                r#"{"schedule":{"enabled":false}}"#,
            ),
            (
                ReportUpdate::new().enabled(true),
                r#"{"schedule":{"enabled":true}}"#,
            ),
            (
                ReportUpdate::new().recipients([uuid(A)]),
                r#"{"recipients":["ca451758-b48a-45d9-9ae6-8f1059f67619"]}"#,
            ),
            (ReportUpdate::new().recipients([]), r#"{"recipients":[]}"#),
            (
                ReportUpdate::new().level(Level::Itself),
                r#"{"parameters":{"level":"itself"}}"#,
            ),
            (
                ReportUpdate::new().level(Level::DirectPartners),
                r#"{"parameters":{"level":"direct_partners"}}"#,
            ),
            (
                ReportUpdate::new().level(Level::AllPartners),
                r#"{"parameters":{"level":"all_partners"}}"#,
            ),
            (
                ReportUpdate::new().level(Level::AllCustomers),
                r#"{"parameters":{"level":"all_customers"}}"#,
            ),
            (
                ReportUpdate::new().level(Level::Accounts),
                r#"{"parameters":{"level":"accounts"}}"#,
            ),
            (
                ReportUpdate::new().kind(ReportKind::UsageDaily),
                r#"{"parameters":{"kind":"usage_daily"}}"#,
            ),
            (
                ReportUpdate::new().kind(ReportKind::UsageSummary),
                r#"{"parameters":{"kind":"usage_summary"}}"#,
            ),
            (
                ReportUpdate::new().kind(ReportKind::UsageCurrent),
                r#"{"parameters":{"kind":"usage_current"}}"#,
            ),
            (
                ReportUpdate::new().kind(ReportKind::UsageBreakdown),
                r#"{"parameters":{"kind":"usage_breakdown"}}"#,
            ),
            (
                ReportUpdate::new().hide_zero_usage(true),
                r#"{"parameters":{"hide_zero_usage":true}}"#,
            ),
            (
                ReportUpdate::new().hide_zero_usage(false),
                r#"{"parameters":{"hide_zero_usage":false}}"#,
            ),
            (
                ReportUpdate::new().show_skus(true),
                r#"{"parameters":{"show_skus":true}}"#,
            ),
            (
                ReportUpdate::new().show_skus(false),
                r#"{"parameters":{"show_skus":false}}"#,
            ),
        ];
        for (update, expected) in cases {
            assert_eq!(update.to_json_string(), expected);
            assert!(!update.is_empty());
        }
    }

    #[test]
    fn everything_set_gives_members_in_a_fixed_order() {
        let update = ReportUpdate::new()
            .show_skus(false)
            .hide_zero_usage(true)
            .kind(ReportKind::UsageSummary)
            .level(Level::Accounts)
            .recipients([uuid(B), uuid(A)])
            .enabled(true);
        assert_eq!(
            update.to_json_string(),
            concat!(
                r#"{"recipients":["ab00e527-219b-481b-b01b-311b5be0ed3c","ca451758-b48a-45d9-9ae6-8f1059f67619"],"#,
                r#""parameters":{"level":"accounts","kind":"usage_summary","hide_zero_usage":true,"show_skus":false},"#,
                r#""schedule":{"enabled":true}}"#
            )
        );
        assert_eq!(
            update.to_json(),
            json!({
                "recipients": [B, A],
                "parameters": {"level": "accounts", "kind": "usage_summary", "hide_zero_usage": true, "show_skus": false},
                "schedule": {"enabled": true}
            })
        );
    }

    #[test]
    fn later_setters_replace_earlier_values() {
        let update = ReportUpdate::disable()
            .enabled(true)
            .level(Level::Itself)
            .level(Level::Accounts);
        assert_eq!(
            update.to_json(),
            json!({"parameters": {"level": "accounts"}, "schedule": {"enabled": true}})
        );
        let update = ReportUpdate::new()
            .recipients([uuid(A)])
            .recipients([uuid(B)]);
        assert_eq!(update.to_json(), json!({"recipients": [B]}));
    }

    #[test]
    fn upper_case_recipient_ids_are_sent_lowercase() {
        let update = ReportUpdate::new().recipients([uuid(&A.to_uppercase())]);
        assert_eq!(update.to_json(), json!({"recipients": [A]}));
    }

    #[test]
    fn new_and_default_are_empty() {
        assert!(ReportUpdate::new().is_empty());
        assert!(ReportUpdate::default().is_empty());
        assert_eq!(ReportUpdate::new().to_json_string(), "{}");
        assert!(!ReportUpdate::disable().is_empty());
    }
}
