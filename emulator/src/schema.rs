//! The vendor's request schemas (`reportPut`, `reportPost`), checked as the live API applies
//! them: where the vendor's own scripts send more than the schema allows (and the live API
//! accepts it), the scripts win. See [`check_report_post`].

use std::fmt;

use serde_json::Value;

/// What is wrong with a request body, by the vendor's schema: the member and why, like
/// `parameters.tenant_id: member not allowed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError(String);

impl SchemaError {
    /// The message, like `parameters.level: must be one of [...]`.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SchemaError {}

impl From<String> for SchemaError {
    fn from(message: String) -> SchemaError {
        SchemaError(message)
    }
}

impl From<&str> for SchemaError {
    fn from(message: &str) -> SchemaError {
        SchemaError(message.to_owned())
    }
}

pub(crate) fn is_uuid(v: &Value) -> bool {
    let Some(s) = v.as_str() else { return false };
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
}

fn check_members(
    obj: &serde_json::Map<String, Value>,
    allowed: &[&str],
    at: &str,
) -> Result<(), String> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!("{at}{k}: member not allowed")),
        None => Ok(()),
    }
}

/// A flag of `parameters` as the live API reads it on create: a JSON boolean, or the string
/// `"true"` or `"false"` (the vendor's SKU script sends `"show_skus": "true"`). `None` for
/// anything else.
pub(crate) fn loose_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// The values of `parameters` that `reportPut` and `reportPost` share: `level` and `kind`
/// (required in a create), and the two flags (in a create also as `"true"`/`"false"`).
pub(crate) fn check_shared_parameters(
    p: &serde_json::Map<String, Value>,
    create: bool,
) -> Result<(), String> {
    const LEVELS: &[&str] = &[
        "itself",
        "direct_partners",
        "all_partners",
        "all_customers",
        "accounts",
    ];
    const KINDS: &[&str] = &[
        "usage_daily",
        "usage_summary",
        "usage_current",
        "usage_breakdown",
    ];
    for (k, allowed) in [("level", LEVELS), ("kind", KINDS)] {
        match p.get(k) {
            None if create => return Err(format!("parameters.{k}: required")),
            Some(v) if !v.as_str().is_some_and(|s| allowed.contains(&s)) => {
                return Err(format!("parameters.{k}: must be one of {allowed:?}"));
            }
            _ => {}
        }
    }
    for k in ["hide_zero_usage", "show_skus"] {
        let refused = |v: &Value| {
            if create {
                loose_bool(v).is_none()
            } else {
                !v.is_boolean()
            }
        };
        if p.get(k).is_some_and(refused) {
            return Err(format!("parameters.{k}: must be a boolean"));
        }
    }
    Ok(())
}

/// Checks a `PUT` body against the vendor's `reportPut` schema.
///
/// # Errors
///
/// What is wrong, like `parameters.tenant_id: member not allowed`.
pub fn check_report_put(patch: &Value) -> Result<(), SchemaError> {
    let obj = patch.as_object().ok_or("the body must be an object")?;
    check_members(obj, &["recipients", "parameters", "schedule"], "")?;
    if let Some(r) = obj.get("recipients") {
        let list = r.as_array().ok_or("recipients: must be an array")?;
        if !list.iter().all(is_uuid) {
            return Err("recipients: every item must be a lowercase UUID".into());
        }
    }
    if let Some(p) = obj.get("parameters") {
        let p = p.as_object().ok_or("parameters: must be an object")?;
        check_members(
            p,
            &["level", "kind", "hide_zero_usage", "show_skus"],
            "parameters.",
        )?;
        check_shared_parameters(p, false)?;
    }
    if let Some(sched) = obj.get("schedule") {
        let sched = sched.as_object().ok_or("schedule: must be an object")?;
        check_members(sched, &["enabled"], "schedule.")?;
        if !sched.get("enabled").is_some_and(Value::is_boolean) {
            return Err("schedule.enabled: required, and must be a boolean".into());
        }
    }
    Ok(())
}

fn is_date(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 10
            && s.char_indices().all(|(i, c)| {
                if i == 4 || i == 7 {
                    c == '-'
                } else {
                    c.is_ascii_digit()
                }
            })
    })
}

/// Checks a `POST /reports` body against the vendor's `reportPost` schema, as the live API
/// applies it. Beyond the schema, as the vendor's own example scripts show the live API
/// accepts (they are its clients; the schema is stricter than they are):
///
/// - `recipients` may be missing when `result_action` is `save` (the scripts create saved
///   one-time reports without it); it is still required for `send`;
/// - `parameters.hide_zero_usage` and `parameters.show_skus` may be the strings `"true"` and
///   `"false"` (the SKU script sends them so), read as the booleans.
///
/// # Errors
///
/// What is wrong, like `parameters.level: must be one of [...]`.
pub fn check_report_post(body: &Value) -> Result<(), SchemaError> {
    let obj = body.as_object().ok_or("the body must be an object")?;
    if let Some(k) = obj.keys().find(|k| {
        ![
            "recipients",
            "result_action",
            "parameters",
            "schedule",
            "generation_date",
        ]
        .contains(&k.as_str())
    }) {
        return Err(format!("{k}: member not allowed").into());
    }
    for required in ["result_action", "parameters", "schedule"] {
        if !obj.contains_key(required) {
            return Err(format!("{required}: required").into());
        }
    }
    if !matches!(obj["result_action"].as_str(), Some("save" | "send")) {
        return Err("result_action: must be save or send".into());
    }
    match obj.get("recipients") {
        // The vendor's scripts create saved reports without recipients.
        None if obj["result_action"] == "save" => {}
        None => return Err("recipients: required when result_action is send".into()),
        Some(r) if !r.as_array().is_some_and(|r| r.iter().all(is_uuid)) => {
            return Err("recipients: must be an array of lowercase UUIDs".into());
        }
        Some(_) => {}
    }
    let p = obj["parameters"]
        .as_object()
        .ok_or("parameters: must be an object")?;
    if !p.get("tenant_id").is_some_and(is_uuid) {
        return Err("parameters.tenant_id: required, a lowercase UUID".into());
    }
    check_shared_parameters(p, true)?;
    if let Some(f) = p.get("formats") {
        let formats = ["csv", "html", "json_v1", "csv_v2_0", "json_v2_0"];
        if !f.as_array().is_some_and(|a| {
            a.iter()
                .all(|v| v.as_str().is_some_and(|s| formats.contains(&s)))
        }) {
            return Err(format!("parameters.formats: must be an array of {formats:?}").into());
        }
    }
    if let Some(period) = p.get("period") {
        if !(is_date(&period["start"]) && is_date(&period["end"])) {
            return Err("parameters.period: needs start and end as YYYY-MM-DD".into());
        }
    }
    let schedule = obj["schedule"]
        .as_object()
        .ok_or("schedule: must be an object")?;
    if !matches!(
        schedule.get("type").and_then(Value::as_str),
        Some("once" | "monthly")
    ) {
        return Err("schedule.type: required, once or monthly".into());
    }
    if schedule.get("enabled").is_some_and(|v| !v.is_boolean()) {
        return Err("schedule.enabled: must be a boolean".into());
    }
    if obj.get("generation_date").is_some_and(|d| !is_date(d)) {
        return Err("generation_date: must be YYYY-MM-DD".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MONTHLY_REPORT_ID, TENANT_ID};
    use serde_json::json;

    #[test]
    fn report_put_check_follows_the_schema() {
        assert_eq!(
            check_report_put(&json!({"schedule": {"enabled": false}})),
            Ok(())
        );
        assert_eq!(check_report_put(&json!({})), Ok(()));
        for (bad, why) in [
            (json!({"id": MONTHLY_REPORT_ID}), "id: member not allowed"),
            (
                json!({"schedule": {"type": "monthly", "enabled": true}}),
                "schedule.type: member not allowed",
            ),
            (json!({"schedule": {}}), "schedule.enabled: required"),
            (
                json!({"parameters": {"tenant_id": TENANT_ID}}),
                "parameters.tenant_id: member not allowed",
            ),
            (
                json!({"parameters": {"level": "galaxy"}}),
                "parameters.level: must be one of",
            ),
            (
                json!({"parameters": {"show_skus": "yes"}}),
                "parameters.show_skus: must be a boolean",
            ),
            (
                json!({"recipients": ["CA451758-B48A-45D9-9AE6-8F1059F67619"]}),
                "recipients: every item",
            ),
            (json!([]), "the body must be an object"),
        ] {
            let err = check_report_put(&bad).unwrap_err();
            assert!(err.message().starts_with(why), "{bad}: {err}");
        }
    }

    #[test]
    fn report_post_check_accepts_what_the_vendors_scripts_send() {
        let script = |extra: Value| {
            let mut body = json!({
                "parameters": {"kind": "usage_summary", "tenant_id": TENANT_ID,
                    "level": "direct_partners", "formats": ["csv_v2_0"],
                    "period": {"start": "2021-10-01", "end": "2021-10-31"}},
                "schedule": {"type": "once"}, "result_action": "save"
            });
            for (k, v) in extra.as_object().unwrap() {
                body["parameters"][k] = v.clone();
            }
            body
        };
        // create_report_retrieve.py: no recipients; create_sku_report_retrieve.py: string flags.
        assert_eq!(check_report_post(&script(json!({}))), Ok(()));
        assert_eq!(
            check_report_post(&script(
                json!({"show_skus": "true", "hide_zero_usage": "false"})
            )),
            Ok(())
        );
        let mut empty = script(json!({}));
        empty["recipients"] = json!([]);
        assert_eq!(check_report_post(&empty), Ok(()));
        for (bad, why) in [
            (
                script(json!({"show_skus": "yes"})),
                "parameters.show_skus: must be a boolean",
            ),
            (
                script(json!({"hide_zero_usage": "True"})),
                "parameters.hide_zero_usage: must be a boolean",
            ),
            (
                script(json!({"show_skus": 1})),
                "parameters.show_skus: must be a boolean",
            ),
        ] {
            assert_eq!(check_report_post(&bad).unwrap_err().message(), why);
        }
        let mut send = script(json!({}));
        send["result_action"] = json!("send");
        assert_eq!(
            check_report_post(&send).unwrap_err().message(),
            "recipients: required when result_action is send"
        );
        // An update still takes booleans only: no vendor script sends strings there.
        assert!(check_report_put(&json!({"parameters": {"show_skus": "true"}})).is_err());
    }
}
