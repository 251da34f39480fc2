//! The lines `--json` prints: one type per kind of line, each documented in `docs/cli.md`
//! (section "JSON lines").
//!
//! A struct serializes its members in the order they are declared. These lines have always
//! had their members in alphabetical order, nested objects too (they were built as
//! `serde_json::Value`s, whose maps sort their keys): their members are declared so, and a
//! test keeps them so, since a script may compare lines as text. A member that is sometimes
//! left out is marked `skip_serializing_if`; any other `Option` is `null` when it has no
//! value.
//!
//! Reports and stored files (`show`, `create`, `stored`) are printed as the library
//! serializes them; `patch` and `export` print the library's JSON text.

use std::borrow::Cow;
use std::collections::BTreeMap;

use acronis_reports::{Error, Report};
use serde::Serialize;
use serde_json::Value;

/// A line for standard output: the compact JSON text of `value`.
///
/// # Errors
///
/// When `value` cannot be serialized (the types here always can).
pub fn to_line(value: &impl Serialize) -> std::io::Result<String> {
    serde_json::to_string(value).map_err(std::io::Error::other)
}

/// A failure of the command as a whole: `{"error": {...}}`. The same text goes to standard
/// error.
#[derive(Debug, Serialize)]
pub struct CommandFailure<'a> {
    pub error: CommandError<'a>,
}

/// The `error` of a [`CommandFailure`].
#[derive(Debug, Serialize)]
pub struct CommandError<'a> {
    /// The command's exit code.
    pub exit_code: u8,
    pub message: &'a str,
}

/// An error of one report or action (`error` of a bulk outcome or an apply outcome).
#[derive(Debug, Serialize)]
pub struct ErrorJson {
    /// The exit code this error asks for.
    pub exit_code: u8,
    /// [`acronis_reports::ErrorKind::as_str`]: `api`, `timeout`, ...
    pub kind: &'static str,
    pub message: String,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
}

impl ErrorJson {
    /// `e` with its message in the tool's words, and the exit code given.
    pub fn new(e: &Error, exit_code: u8) -> ErrorJson {
        ErrorJson {
            exit_code,
            kind: e.kind().as_str(),
            message: crate::error_text(e),
            status: e.status(),
        }
    }
}

/// One input's outcome in a bulk run (`disable`, `enable`, `update`).
#[derive(Debug, Serialize)]
pub struct BulkOutcome<'a> {
    /// `failed`: what failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorJson>,
    /// The report id; `null` for a line that is none.
    pub id: Option<String>,
    /// The input's line, when it came from a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// `changed`, `skipped`, `failed`, `not_attempted`, `dry_run`, `invalid`, `unreadable`.
    pub outcome: &'static str,
    /// `skipped`, `not_attempted`, `invalid`, `unreadable`: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Cow<'a, str>>,
    /// `changed`: the returned report's schedule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule<'a>>,
    /// `changed`: the returned report's version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// A report's schedule, in a [`BulkOutcome`].
#[derive(Debug, Serialize)]
pub struct Schedule<'a> {
    pub enabled: bool,
    #[serde(rename = "type")]
    pub schedule_type: &'a str,
}

impl<'a> Schedule<'a> {
    pub fn of(report: &'a Report) -> Schedule<'a> {
        Schedule {
            enabled: report.schedule.enabled,
            schedule_type: report.schedule.schedule_type.as_str(),
        }
    }
}

/// One action of a plan (`plan --json`): what it is about, and exactly what applying it
/// sends.
#[derive(Debug, Serialize)]
pub struct PlanAction<'a> {
    /// `create`, `update`, `replace`, `delete`, `unchanged`, `unmanaged`.
    pub action: &'static str,
    /// A create's or a replacement's `POST` body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The members that differ, when some do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<PlanChange<'a>>>,
    /// The entry's number in the file, from 1; `null` for a report no entry matches.
    pub entry: Option<usize>,
    /// The existing report; `null` for a create.
    pub id: Option<String>,
    pub kind: &'a str,
    /// An update's `PUT` body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch: Option<Value>,
    /// Every request applying the action sends, in order.
    pub requests: Vec<PlanRequest>,
    /// The existing report's, or a create's (`null` if its body has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_action: Option<Option<String>>,
    pub tenant: String,
    /// The existing report's version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// A member that differs, in a [`PlanAction`].
#[derive(Debug, Serialize)]
pub struct PlanChange<'a> {
    pub forces_replacement: bool,
    /// Its path, like `parameters.level`.
    pub member: &'static str,
    pub new: &'a Value,
    pub old: &'a Value,
}

/// A request of a [`PlanAction`].
#[derive(Debug, Serialize)]
pub struct PlanRequest {
    /// The body as JSON (a body that is not JSON as a string); `null` for none.
    pub body: Option<Value>,
    pub method: &'static str,
    /// The path below the base URL, with its query.
    pub path: String,
}

/// A write `apply --dry-run` would send.
#[derive(Debug, Serialize)]
pub struct PlannedWrite {
    /// The body as JSON (a body that is not JSON as a string); `null` for none.
    pub body: Option<Value>,
    /// Always `true`.
    pub dry_run: bool,
    pub method: &'static str,
    pub url: String,
}

/// A request the dry-run transport did not send (`--dry-run` of the commands that write).
#[derive(Debug, Serialize)]
pub struct DryRunRequest {
    /// The body's text (`<redacted>` for a token request's); `null` for none.
    pub body: Option<String>,
    /// Always `true`.
    pub dry_run: bool,
    /// The headers by name (the `authorization` header's credentials `<redacted>`); a name
    /// sent twice shows its last value.
    pub headers: BTreeMap<String, String>,
    pub method: &'static str,
    pub url: String,
}

/// One action's outcome in `apply --json`.
#[derive(Debug, Serialize)]
pub struct ApplyOutcome<'a> {
    /// As in [`PlanAction`].
    pub action: &'static str,
    /// A replacement that failed after its new report was created: that report (both now
    /// exist).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<ReportRef>,
    pub entry: Option<usize>,
    /// `failed`, `not_attempted`: what failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorJson>,
    /// The existing report; `null` for a create.
    pub id: Option<String>,
    pub kind: &'a str,
    /// `created`, `updated`, `replaced`, `deleted`, `failed`, `not_attempted`.
    pub outcome: &'static str,
    /// `created`, `updated`, `replaced`: the report the server returned (for a replacement,
    /// the new one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportRef>,
    pub tenant: String,
}

/// A report's id and version.
#[derive(Debug, Serialize)]
pub struct ReportRef {
    pub id: String,
    pub version: i64,
}

impl ReportRef {
    pub fn of(report: &Report) -> ReportRef {
        ReportRef {
            id: report.id.to_string(),
            version: report.version,
        }
    }
}

/// One id of `list`.
#[derive(Debug, Serialize)]
pub struct ListedId<'a> {
    pub id: &'a str,
}

/// `delete`: the report deleted.
#[derive(Debug, Serialize)]
pub struct Deleted<'a> {
    pub id: &'a str,
    /// Always `deleted`.
    pub outcome: &'static str,
}

/// `download -o FILE`: the file written.
#[derive(Debug, Serialize)]
pub struct Downloaded<'a> {
    /// How many bytes were written, decompressed.
    pub bytes: u64,
    /// The file, as given (a name that is not UTF-8 with its bad bytes replaced by U+FFFD).
    pub file: Cow<'a, str>,
    pub id: &'a str,
    /// Always `downloaded`.
    pub outcome: &'static str,
    pub stored_id: &'a str,
}

/// `emulator`: where it is and how to authenticate.
#[derive(Debug, Serialize)]
pub struct EmulatorStarted<'a> {
    pub base_url: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    /// The seeded reports' ids; `null` with `--seed`.
    pub reports: Option<[&'a str; 2]>,
    pub tenant_id: &'a str,
    pub token: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of `value` is what a `serde_json::Value` of it prints: its members, nested
    /// ones too, in alphabetical order.
    fn sorted(value: &impl Serialize) {
        let text = to_line(value).unwrap();
        let as_value = serde_json::to_value(value).unwrap().to_string();
        assert_eq!(text, as_value);
    }

    fn error() -> ErrorJson {
        ErrorJson::new(
            &Error::invalid_input(acronis_reports::InputKind::Id, "bad"),
            2,
        )
    }

    #[test]
    fn the_lines_of_commands_keep_their_members_in_alphabetical_order() {
        let id = "20dffb36-d77b-45c6-b2fa-39276e98d5fc";
        let value = serde_json::json!({"b": 1, "a": [2]});
        sorted(&CommandFailure {
            error: CommandError {
                exit_code: 2,
                message: "m",
            },
        });
        sorted(&error());
        sorted(&BulkOutcome {
            error: Some(error()),
            id: Some(id.into()),
            line: Some(3),
            outcome: "changed",
            reason: Some("r".into()),
            schedule: Some(Schedule {
                enabled: true,
                schedule_type: "monthly",
            }),
            version: Some(1),
        });
        sorted(&PlanAction {
            action: "replace",
            body: Some(value.clone()),
            changes: Some(vec![PlanChange {
                forces_replacement: true,
                member: "parameters.formats",
                new: &value,
                old: &value,
            }]),
            entry: Some(1),
            id: Some(id.into()),
            kind: "usage_daily",
            patch: Some(value.clone()),
            requests: vec![PlanRequest {
                body: Some(value.clone()),
                method: "POST",
                path: "/reports".into(),
            }],
            result_action: Some(Some("save".into())),
            tenant: id.into(),
            version: Some(3),
        });
        sorted(&PlannedWrite {
            body: None,
            dry_run: true,
            method: "DELETE",
            url: "u".into(),
        });
        sorted(&DryRunRequest {
            body: Some("b".into()),
            dry_run: true,
            headers: [("z".to_owned(), "1".to_owned()), ("a".into(), "2".into())].into(),
            method: "PUT",
            url: "u".into(),
        });
        sorted(&ApplyOutcome {
            action: "replace",
            created: Some(ReportRef {
                id: id.into(),
                version: 1,
            }),
            entry: None,
            error: Some(error()),
            id: Some(id.into()),
            kind: "usage_daily",
            outcome: "failed",
            report: Some(ReportRef {
                id: id.into(),
                version: 2,
            }),
            tenant: id.into(),
        });
        sorted(&ListedId { id });
        sorted(&Deleted {
            id,
            outcome: "deleted",
        });
        sorted(&Downloaded {
            bytes: 1,
            file: "f".into(),
            id,
            outcome: "downloaded",
            stored_id: id,
        });
        sorted(&EmulatorStarted {
            base_url: "u",
            client_id: "i",
            client_secret: "s",
            reports: Some([id, id]),
            tenant_id: id,
            token: "t",
        });
    }
}
