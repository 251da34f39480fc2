//! Tenants as the account API gives them: [`Tenant`] (`GET /tenants/{id}`, and each item of
//! `GET /tenants?subtree_root_id=…&lod=basic`) and [`TenantPage`], one page of such a listing
//! with the cursor to the next.
//!
//! Passive like [`model`](crate::model): public fields, `#[non_exhaustive]`, unknown members
//! ignored, an unknown [`TenantKind`] kept. Only what `lod=basic` holds is read: id, parent,
//! name, kind, whether it is enabled, its version, and when it was deleted.
//!
//! ```
//! use acronis_reports::tenant::TenantPage;
//! use acronis_reports::TenantKind;
//!
//! let page = TenantPage::from_json(br#"{"timestamp": "2026-12-03T10:00:00Z",
//!     "paging": {"cursors": {"after": "c2"}},
//!     "items": [{"id": "f1f1f1f1-0000-4000-8000-000000000001",
//!                "parent_id": "f0f0f0f0-0000-4000-8000-000000000000", "version": 3,
//!                "name": "Partner", "kind": "partner", "enabled": true, "deleted_at": null}]}"#)?;
//! assert_eq!(page.items[0].kind, TenantKind::Partner);
//! assert_eq!(page.after.as_deref(), Some("c2"));
//! # Ok::<(), acronis_reports::DecodeError>(())
//! ```

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::enums::TenantKind;
use crate::id::{IntoId, ParseIdError, TenantId, sealed};
use crate::model::{DecodeError, decode};
use crate::timestamp::Timestamp;

/// A tenant: a partner, folder, customer or unit of the hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Tenant {
    /// The tenant's id.
    pub id: TenantId,
    /// The tenant above it. The vendor's root tenant names itself; `None` when the server
    /// sends none, `null`, or text that is no id.
    #[serde(
        default,
        deserialize_with = "lenient_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub parent_id: Option<TenantId>,
    /// Its name, as the server sent it (data: clean it before it reaches a terminal).
    #[serde(default)]
    pub name: String,
    /// Partner, folder, customer, unit (or a kind this version does not know, kept).
    pub kind: TenantKind,
    /// Whether it is switched on.
    pub enabled: bool,
    /// The entity version; `None` when the server sends none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// When it was deleted: a deleted tenant is listed only when asked (`allow_deleted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Timestamp>,
}

impl Tenant {
    /// A tenant with this id and kind, enabled, its other members empty: for tests and plans
    /// built in code.
    pub fn new(id: TenantId, kind: TenantKind) -> Tenant {
        Tenant {
            id,
            parent_id: None,
            name: String::new(),
            kind,
            enabled: true,
            version: None,
            deleted_at: None,
        }
    }

    /// Parses a tenant from a response body (`GET /tenants/{id}`).
    ///
    /// # Errors
    ///
    /// A [`DecodeError`] naming the member that was wrong.
    pub fn from_json(body: &[u8]) -> Result<Tenant, DecodeError> {
        decode("tenant", body)
    }

    /// Whether it is enabled and not deleted: what a selector takes unless told to take
    /// disabled tenants too.
    pub fn is_active(&self) -> bool {
        self.enabled && self.deleted_at.is_none()
    }
}

impl fmt::Display for Tenant {
    /// `customer 2a91a14d-… ("Name")`, the name as it came: clean it for a terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.id)?;
        if !self.name.is_empty() {
            write!(f, " ({:?})", self.name)?;
        }
        Ok(())
    }
}

impl sealed::Sealed<TenantId> for &Tenant {}
impl IntoId<TenantId> for &Tenant {
    fn into_id(self) -> Result<TenantId, ParseIdError> {
        Ok(self.id)
    }
}

/// One page of a tenant listing (`tenantBatch`): its tenants and the cursor to the next page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TenantPage {
    /// The tenants of this page, in the server's order.
    pub items: Vec<Tenant>,
    /// `paging.cursors.after`: the cursor of the next page; `None` (no `paging`, no cursor,
    /// or an empty one) on the last page.
    pub after: Option<String>,
}

impl TenantPage {
    /// Parses a page from a response body. `paging` and everything in it may be missing (the
    /// vendor requires none of it): that is the last page.
    ///
    /// # Errors
    ///
    /// A [`DecodeError`] naming the member that was wrong (`items[3].kind: …`).
    pub fn from_json(body: &[u8]) -> Result<TenantPage, DecodeError> {
        let wire: WirePage = decode("tenant page", body)?;
        Ok(TenantPage {
            items: wire.items,
            after: wire
                .paging
                .and_then(|p| p.cursors)
                .and_then(|c| c.after)
                .filter(|a| !a.is_empty()),
        })
    }
}

#[derive(Deserialize)]
struct WirePage {
    items: Vec<Tenant>,
    #[serde(default)]
    paging: Option<WirePaging>,
}

#[derive(Deserialize)]
struct WirePaging {
    #[serde(default)]
    cursors: Option<WireCursors>,
}

#[derive(Deserialize)]
struct WireCursors {
    #[serde(default)]
    after: Option<String>,
}

/// An id, or `None` for `null` or text that is no id (the spec types `parent_id` as a plain
/// string).
fn lenient_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<TenantId>, D::Error> {
    let text: Option<std::borrow::Cow<'de, str>> = Option::deserialize(d)?;
    Ok(text.and_then(|t| t.parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "c2c2c2c2-0000-4000-8000-000000000002";

    #[test]
    fn a_page_without_paging_or_with_an_empty_cursor_is_the_last() {
        for body in [
            r#"{"timestamp": "t", "items": []}"#,
            r#"{"timestamp": "t", "items": [], "paging": {}}"#,
            r#"{"timestamp": "t", "items": [], "paging": {"cursors": {}}}"#,
            r#"{"timestamp": "t", "items": [], "paging": {"cursors": {"after": ""}}}"#,
            r#"{"timestamp": "t", "items": [], "paging": {"cursors": {"after": null}}}"#,
        ] {
            let page = TenantPage::from_json(body.as_bytes()).unwrap();
            assert_eq!(page.after, None, "{body}");
        }
    }

    #[test]
    fn a_tenant_keeps_an_unknown_kind_and_reads_a_parent_that_is_no_id_as_none() {
        let body = format!(
            r#"{{"id": "{ID}", "parent_id": "not-a-uuid", "kind": "reseller",
                "enabled": false, "name": "Acme", "deleted_at": "2026-11-01T00:00:00Z"}}"#
        );
        let t = Tenant::from_json(body.as_bytes()).unwrap();
        assert_eq!(t.id.to_string(), ID);
        assert_eq!(t.parent_id, None);
        assert!(t.kind.is_unknown());
        assert_eq!(t.kind.as_str(), "reseller");
        assert!(!t.is_active());
        assert_eq!(t.to_string(), format!("reseller {ID} (\"Acme\")"));
    }

    #[test]
    fn a_deleted_or_disabled_tenant_is_not_active() {
        let mut t = Tenant::new(ID.parse().unwrap(), TenantKind::Customer);
        assert!(t.is_active());
        t.enabled = false;
        assert!(!t.is_active());
        t.enabled = true;
        t.deleted_at = Some("2026-11-01T00:00:00Z".parse().unwrap());
        assert!(!t.is_active());
    }

    #[test]
    fn a_page_whose_tenant_lacks_its_kind_names_the_member() {
        let body = format!(r#"{{"timestamp": "t", "items": [{{"id": "{ID}", "enabled": true}}]}}"#);
        let e = TenantPage::from_json(body.as_bytes()).unwrap_err();
        assert_eq!(e.what, "tenant page");
        assert!(e.path.starts_with("items[0]"), "{}", e.path);
        assert!(e.message.contains("kind"), "{}", e.message);
    }
}
