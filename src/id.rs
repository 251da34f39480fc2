//! The API's ids, one type each: [`ReportId`], [`TenantId`], [`StoredReportId`] and
//! [`UserId`], so that a tenant's id cannot be passed where a report's is meant; and
//! [`IntoId`], which lets every call take an id in whatever form the caller holds.
//!
//! Each is a UUID underneath, written lowercase as the API wants it, and converts from and
//! to [`Uuid`]. Text is parsed in the 36-character form, either case.
//!
//! ```
//! use acronis_reports::{ReportId, Uuid};
//!
//! let id: ReportId = "20DFFB36-D77B-45C6-B2FA-39276E98D5FC".parse()?;
//! assert_eq!(id.to_string(), "20dffb36-d77b-45c6-b2fa-39276e98d5fc");
//! let uuid: Uuid = id.into();
//! assert_eq!(ReportId::from(uuid), id);
//! assert!("not-an-id".parse::<ReportId>().is_err());
//! # Ok::<(), acronis_reports::ParseIdError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// No id to be had: text that is not one (its kind and the start of the text), or an object
/// that has none yet (a stored file still being generated). The client turns it into
/// [`Error::InvalidInput`](crate::Error::InvalidInput) with
/// [`InputKind::Id`](crate::InputKind::Id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseIdError {
    what: &'static str,
    /// `None`: the object has no id yet.
    value: Option<String>,
}

impl ParseIdError {
    /// The error of an object that has no id of kind `what` yet.
    pub(crate) fn none_yet(what: &'static str) -> ParseIdError {
        ParseIdError { what, value: None }
    }
}

impl fmt::Display for ParseIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(
                f,
                "invalid {} {value:?}: expected a UUID like 20dffb36-d77b-45c6-b2fa-39276e98d5fc",
                self.what
            ),
            None => write!(
                f,
                "the {} has no id yet (it is still being generated): wait for it to be saved",
                self.what
            ),
        }
    }
}

impl std::error::Error for ParseIdError {}

/// Parses a UUID in its 36-character form, either case.
fn parse_uuid(what: &'static str, text: &str) -> Result<Uuid, ParseIdError> {
    let parsed = if text.len() == 36 {
        Uuid::try_parse(text).ok()
    } else {
        None
    };
    parsed.ok_or_else(|| ParseIdError {
        what,
        value: Some(text.chars().take(64).collect()),
    })
}

pub(crate) mod sealed {
    /// Keeps [`IntoId`](super::IntoId)'s forms this crate's to choose.
    pub trait Sealed<T> {}
}

/// A value a call takes as an id of type `T`: the id itself, a [`Uuid`], or its text (`&str`,
/// `String`), by value or by reference; for some ids, the object that has it (a
/// [`Report`](crate::Report) for its [`ReportId`], a
/// [`StoredReport`](crate::StoredReport) for its [`StoredReportId`]).
///
/// Text is checked when the call is made, before anything is sent: one that is not a UUID is
/// [`Error::InvalidInput`](crate::Error::InvalidInput) with
/// [`InputKind::Id`](crate::InputKind::Id). The trait is sealed: the forms are this crate's
/// to choose.
///
/// ```no_run
/// use acronis_reports::{Client, ReportId, Uuid};
///
/// # let client = Client::builder().base_url("https://eu2-cloud.acronis.com/api/2").bearer_token("t").build()?;
/// let text = "20dffb36-d77b-45c6-b2fa-39276e98d5fc";
/// let id: ReportId = text.parse()?;
/// let uuid: Uuid = id.into();
/// client.get_report(text)?;
/// client.get_report(text.to_owned())?;
/// client.get_report(id)?;
/// client.get_report(&id)?;
/// client.get_report(uuid)?;
/// let report = client.get_report(&uuid)?;
/// client.disable_report(&report)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait IntoId<T>: sealed::Sealed<T> {
    /// The id, or the error of text that is not one.
    #[doc(hidden)]
    fn into_id(self) -> Result<T, ParseIdError>;
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// The id of `uuid`.
            pub const fn from_uuid(uuid: Uuid) -> Self {
                $name(uuid)
            }

            /// The UUID underneath.
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl fmt::Display for $name {
            /// The lowercase, hyphenated form the API uses.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl FromStr for $name {
            type Err = ParseIdError;

            /// A UUID in its 36-character form, either case.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_uuid($what, s).map($name)
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                $name(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl AsRef<Uuid> for $name {
            fn as_ref(&self) -> &Uuid {
                &self.0
            }
        }

        impl PartialEq<Uuid> for $name {
            fn eq(&self, other: &Uuid) -> bool {
                self.0 == *other
            }
        }

        impl sealed::Sealed<$name> for $name {}
        impl IntoId<$name> for $name {
            fn into_id(self) -> Result<$name, ParseIdError> {
                Ok(self)
            }
        }

        impl sealed::Sealed<$name> for &$name {}
        impl IntoId<$name> for &$name {
            fn into_id(self) -> Result<$name, ParseIdError> {
                Ok(*self)
            }
        }

        impl sealed::Sealed<$name> for Uuid {}
        impl IntoId<$name> for Uuid {
            fn into_id(self) -> Result<$name, ParseIdError> {
                Ok($name(self))
            }
        }

        impl sealed::Sealed<$name> for &Uuid {}
        impl IntoId<$name> for &Uuid {
            fn into_id(self) -> Result<$name, ParseIdError> {
                Ok($name(*self))
            }
        }

        impl sealed::Sealed<$name> for &str {}
        impl IntoId<$name> for &str {
            fn into_id(self) -> Result<$name, ParseIdError> {
                self.parse::<$name>()
            }
        }

        impl sealed::Sealed<$name> for String {}
        impl IntoId<$name> for String {
            fn into_id(self) -> Result<$name, ParseIdError> {
                self.as_str().into_id()
            }
        }

        impl sealed::Sealed<$name> for &String {}
        impl IntoId<$name> for &String {
            fn into_id(self) -> Result<$name, ParseIdError> {
                self.as_str().into_id()
            }
        }
    };
}

id_type!(
    /// A report's id (`Report::id`; `/reports/{id}`).
    ReportId,
    "report id"
);
id_type!(
    /// A tenant's id (`Parameters::tenant_id`; `/tenants/{id}/reports`).
    TenantId,
    "tenant id"
);
id_type!(
    /// A stored file's id (`StoredReport::id`; `/reports/{id}/stored/{stored_id}`).
    StoredReportId,
    "stored report id"
);
id_type!(
    /// A user's id: a report's recipients.
    UserId,
    "user id"
);

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "20dffb36-d77b-45c6-b2fa-39276e98d5fc";

    #[test]
    fn ids_parse_print_and_convert() {
        let id: ReportId = ID.to_uppercase().parse().unwrap();
        assert_eq!(id.to_string(), ID);
        assert_eq!(format!("{id:?}"), format!("ReportId({ID})"));
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{ID}\""));
        assert_eq!(
            serde_json::from_str::<ReportId>(&format!("\"{ID}\"")).unwrap(),
            id
        );
        let uuid: Uuid = id.into();
        assert_eq!(id, uuid);
        assert_eq!(TenantId::from(uuid).as_uuid(), &uuid);
    }

    #[test]
    fn text_that_is_not_an_id_is_refused_with_its_kind() {
        for bad in [
            "",
            "20dffb36d77b45c6b2fa39276e98d5fc",
            "{20dffb36-d77b-45c6-b2fa-39276e98d5fc}",
            "urn:uuid:20dffb36-d77b-45c6-b2fa-39276e98d5fc",
            "20dffb36-d77b-45c6-b2fa-39276e98d5fg",
            "../reports/20dffb36-d77b-45c6-b2fa-3927",
            " 20dffb36-d77b-45c6-b2fa-39276e98d5f",
        ] {
            let err = bad.parse::<TenantId>().unwrap_err();
            assert!(err.to_string().starts_with("invalid tenant id"), "{err}");
            let err = IntoId::<ReportId>::into_id(bad).unwrap_err();
            assert!(err.to_string().starts_with("invalid report id"), "{err}");
        }
    }

    #[test]
    fn every_form_gives_the_same_id() {
        let id: ReportId = ID.parse().unwrap();
        let uuid = *id.as_uuid();
        let forms: [Result<ReportId, ParseIdError>; 7] = [
            ID.into_id(),
            ID.to_owned().into_id(),
            (&ID.to_owned()).into_id(),
            id.into_id(),
            (&id).into_id(),
            uuid.into_id(),
            (&uuid).into_id(),
        ];
        for form in forms {
            assert_eq!(form.unwrap(), id);
        }
    }
}
