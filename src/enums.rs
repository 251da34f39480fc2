//! The API's open enumerations: [`Level`], [`ReportKind`], [`ReportFormat`], [`ScheduleType`],
//! [`ResultAction`], [`StoredStatus`] and [`TenantKind`].
//!
//! Each is *open*: a value this crate does not know yet (the vendor adds kinds and formats from
//! time to time) deserializes to the `Unknown` variant, which keeps the text, instead of
//! failing the whole report. An [`Unknown`] has no public constructor: only deserializing (a
//! server reply, a desired-state file) makes one. The client refuses to send an update or a
//! new report that holds one; a [plan](crate::plan) sends one as written only when a report
//! of the server holds the same value (so that it is no typo).
//!
//! Every enum serializes to, and parses from, the exact wire text (`"all_customers"`, ...).
//! `FromStr` accepts only known values, which is what a command line wants.

use std::fmt;
use std::str::FromStr;

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, Serializer};

/// A value of an open enumeration that this version of the crate does not know.
///
/// It keeps the text the server sent. It can only be produced by deserializing, never built
/// by hand, and the client refuses to send an update that holds one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Unknown(String);

impl Unknown {
    /// The text the server sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The error of parsing an open enum from text that names none of its known values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseEnumError {
    what: &'static str,
    value: String,
    expected: &'static [&'static str],
}

impl fmt::Display for ParseEnumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} {:?}; expected one of: {}",
            self.what,
            self.value,
            self.expected.join(", ")
        )
    }
}

impl ParseEnumError {
    /// The text that names no known value.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl std::error::Error for ParseEnumError {}

/// Deserializes a string without copying it, through `f`.
pub(crate) struct StrVisitor<F>(pub(crate) F);

impl<'de, T, F: FnOnce(&str) -> T> serde::de::Visitor<'de> for StrVisitor<F> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        Ok((self.0)(v))
    }
}

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know, kept as the server sent it.
            Unknown(Unknown),
        }

        impl $name {
            /// Every value this version of the crate knows, in the vendor's order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The wire text of this value, as the API sends and accepts it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(u) => u.as_str(),
                }
            }

            /// Whether this is a value the crate does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }

            fn from_wire(s: &str) -> Option<Self> {
                match s {
                    $( $wire => Some($name::$variant), )+
                    _ => None,
                }
            }

            /// The value `s` names: a known one, or [`Unknown`] keeping the text, as
            /// deserializing reads it.
            pub(crate) fn from_text(s: &str) -> Self {
                Self::from_wire(s).unwrap_or_else(|| $name::Unknown(Unknown(s.to_owned())))
            }

            /// The error [`FromStr`] gives for this value: `Some` exactly when it
            /// [`is_unknown`](Self::is_unknown).
            #[allow(dead_code)] // not every enum is in a desired-state file
            pub(crate) fn unknown_error(&self) -> Option<ParseEnumError> {
                self.as_str().parse::<Self>().err()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ParseEnumError;

            /// Parses a known wire value (`"accounts"`, ...); anything else is an error.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_wire(s).ok_or_else(|| ParseEnumError {
                    what: $what,
                    value: s.to_owned(),
                    expected: &[$($wire),+],
                })
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                // The text is looked at in place: a known value costs no allocation.
                deserializer.deserialize_str(StrVisitor(Self::from_text))
            }
        }
    };
}

open_enum! {
    /// Which tenants a report covers (`parameters.level`).
    Level, "level" {
        /// `itself`: the tenant alone.
        Itself => "itself",
        /// `direct_partners`: the tenant's direct partners.
        DirectPartners => "direct_partners",
        /// `all_partners`: all partners below the tenant.
        AllPartners => "all_partners",
        /// `all_customers`: all customers below the tenant.
        AllCustomers => "all_customers",
        /// `accounts`: every account.
        Accounts => "accounts",
    }
}

open_enum! {
    /// What a report contains (`parameters.kind`).
    ReportKind, "report kind" {
        /// `usage_daily`: usage per day.
        UsageDaily => "usage_daily",
        /// `usage_summary`: usage summed over the period.
        UsageSummary => "usage_summary",
        /// `usage_current`: current usage.
        UsageCurrent => "usage_current",
        /// `usage_breakdown`: usage broken down per item (in the spec, not in the guide).
        UsageBreakdown => "usage_breakdown",
    }
}

open_enum! {
    /// A file format a report is generated in (`parameters.formats`, `report_format`).
    ReportFormat, "report format" {
        /// `csv`.
        Csv => "csv",
        /// `html`.
        Html => "html",
        /// `json_v1`.
        JsonV1 => "json_v1",
        /// `csv_v2_0`.
        CsvV2 => "csv_v2_0",
        /// `json_v2_0`: accepted on create, though missing from the spec's response enum.
        JsonV2 => "json_v2_0",
    }
}

open_enum! {
    /// When a report runs (`schedule.type`).
    ScheduleType, "schedule type" {
        /// `once`: generated one time; cannot be enabled, disabled or updated.
        Once => "once",
        /// `monthly`: generated every month; the only kind that can be updated.
        Monthly => "monthly",
    }
}

open_enum! {
    /// The state of a generated file (`status` of a stored report).
    StoredStatus, "stored report status" {
        /// `in_progress`: being generated.
        InProgress => "in_progress",
        /// `saved`: ready to download.
        Saved => "saved",
        /// `failed`: generation failed.
        Failed => "failed",
    }
}

open_enum! {
    /// What happens with a generated report (`result_action`).
    ResultAction, "result action" {
        /// `save`: files are kept and fetched through the stored-reports calls.
        Save => "save",
        /// `send`: files are e-mailed to the recipients.
        Send => "send",
    }
}

open_enum! {
    /// Where a tenant stands in the hierarchy (`kind` of a tenant, the account API's
    /// `tenantKind`).
    TenantKind, "tenant kind" {
        /// `root`: the top of a data centre's hierarchy.
        Root => "root",
        /// `partner`: a service provider, reseller or distributor.
        Partner => "partner",
        /// `folder`: a group of tenants inside a partner.
        Folder => "folder",
        /// `customer`: a company, the tenant whose usage is billed.
        Customer => "customer",
        /// `unit`: a department inside a customer.
        Unit => "unit",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_round_trip_through_json() {
        for level in Level::KNOWN {
            let json = serde_json::to_string(level).unwrap();
            assert_eq!(json, format!("\"{}\"", level.as_str()));
            let back: Level = serde_json::from_str(&json).unwrap();
            assert_eq!(&back, level);
            assert!(!back.is_unknown());
        }
        assert_eq!(ReportKind::UsageBreakdown.as_str(), "usage_breakdown");
        assert_eq!(ReportFormat::CsvV2.to_string(), "csv_v2_0");
    }

    #[test]
    fn unknown_values_are_kept_not_rejected() {
        let kind: ReportKind = serde_json::from_str("\"usage_hourly\"").unwrap();
        match &kind {
            ReportKind::Unknown(u) => assert_eq!(u.as_str(), "usage_hourly"),
            other => panic!("expected Unknown, got {other:?}"),
        }
        assert!(kind.is_unknown());
        assert_eq!(serde_json::to_string(&kind).unwrap(), "\"usage_hourly\"");
    }

    #[test]
    fn from_str_accepts_known_values_only() {
        assert_eq!("all_customers".parse::<Level>(), Ok(Level::AllCustomers));
        let err = "All_Customers".parse::<Level>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown level \"All_Customers\"; expected one of: itself, direct_partners, \
             all_partners, all_customers, accounts"
        );
    }

    #[test]
    fn non_string_values_fail_to_deserialize() {
        assert!(serde_json::from_str::<ScheduleType>("3").is_err());
    }
}
