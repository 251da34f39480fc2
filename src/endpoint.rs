//! The API's calls, each described once: [`Endpoint`] names a call and the ids it concerns,
//! and gives its method and its path below the base URL. The client sends what it says, a
//! [plan](crate::plan)'s requests are described with it, and errors carry it, so that what
//! a failed call was about is read from the error, not parsed back out of a path.
//!
//! ```
//! use acronis_reports::endpoint::Endpoint;
//! use acronis_reports::transport::Method;
//!
//! let id = "20dffb36-d77b-45c6-b2fa-39276e98d5fc".parse()?;
//! let call = Endpoint::DeleteReport { id, version: 7 };
//! assert_eq!(call.method(), Method::Delete);
//! assert_eq!(call.path(), "/reports/20dffb36-d77b-45c6-b2fa-39276e98d5fc?version=7");
//! assert_eq!(call.report_id(), Some(id));
//! assert_eq!(call.to_string(), "DELETE /reports/20dffb36-d77b-45c6-b2fa-39276e98d5fc?version=7");
//! # Ok::<(), acronis_reports::ParseIdError>(())
//! ```
//!
//! A tenant listing's next page carries the server's cursor, sent percent-encoded (it is
//! opaque text: a `+` or `=` in it must reach the server as it is):
//!
//! ```
//! use acronis_reports::endpoint::Endpoint;
//!
//! let root = "f1f1f1f1-0000-4000-8000-000000000001".parse()?;
//! assert_eq!(
//!     Endpoint::TenantsUnder(root).path(),
//!     "/tenants?subtree_root_id=f1f1f1f1-0000-4000-8000-000000000001&lod=basic"
//! );
//! let next = Endpoint::TenantsUnderNext { root, after: "eyJwIjoyfQ==".to_owned() };
//! assert_eq!(next.path(), "/tenants?after=eyJwIjoyfQ%3D%3D");
//! assert_eq!(next.tenant_id(), Some(root));
//! # Ok::<(), acronis_reports::ParseIdError>(())
//! ```

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::id::{ReportId, StoredReportId, TenantId};
use crate::transport::Method;
use uuid::Uuid;

/// What a query value may hold as it is: RFC 3986's unreserved characters. Everything else
/// (`+`, `/`, `=`, `&`, spaces, non-ASCII) is percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One call of the API (the reports API, the tenant calls it needs, and the token
/// endpoint), with the ids it concerns.
///
/// It is `Clone`, not `Copy`: a tenant listing's next page holds the server's cursor, which
/// is text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// `POST /idp/token`: a token for client credentials.
    Token,
    /// `GET /tenants/{tenant}`: one tenant.
    Tenant(TenantId),
    /// `GET /tenants/{tenant}/children`: the ids of a tenant's children.
    TenantChildren(TenantId),
    /// `GET /tenants?subtree_root_id={root}&lod=basic`: the first page of the tenants under
    /// `root`, itself included, at the basic level of detail. No `limit` is sent: the
    /// server's page size applies (the vendor's default is 5000).
    TenantsUnder(TenantId),
    /// `GET /tenants?after={cursor}`: a further page of the listing of the tenants under
    /// `root`. Only the cursor is sent (the vendor: it "encodes all filters and sorting"),
    /// percent-encoded; `root` says what the listing is about.
    TenantsUnderNext {
        /// The tenant the listing started from.
        root: TenantId,
        /// The cursor, as the previous page gave it (`paging.cursors.after`).
        after: String,
    },
    /// `GET /tenants/{tenant}/reports`: a tenant's reports.
    TenantReports(TenantId),
    /// `POST /reports`: a new report.
    CreateReport,
    /// `GET /reports/{id}`: one report.
    GetReport(ReportId),
    /// `PUT /reports/{id}`: a change to a report.
    UpdateReport(ReportId),
    /// `DELETE /reports/{id}?version={version}`: a report deleted, at the version it has.
    DeleteReport {
        /// The report.
        id: ReportId,
        /// Its current version.
        version: i64,
    },
    /// `GET /reports/{id}/stored`: the files a report produced.
    StoredReports(ReportId),
    /// `GET /reports/{id}/stored/{stored_id}`: one file, downloaded.
    StoredFile {
        /// The report.
        id: ReportId,
        /// The file.
        stored_id: StoredReportId,
    },
}

impl Endpoint {
    /// The call's HTTP method.
    pub fn method(&self) -> Method {
        match self {
            Endpoint::Token | Endpoint::CreateReport => Method::Post,
            Endpoint::Tenant(_)
            | Endpoint::TenantChildren(_)
            | Endpoint::TenantsUnder(_)
            | Endpoint::TenantsUnderNext { .. }
            | Endpoint::TenantReports(_)
            | Endpoint::GetReport(_)
            | Endpoint::StoredReports(_)
            | Endpoint::StoredFile { .. } => Method::Get,
            Endpoint::UpdateReport(_) => Method::Put,
            Endpoint::DeleteReport { .. } => Method::Delete,
        }
    }

    /// The call's path below the base URL (which ends in `/api/2`), query included.
    pub fn path(&self) -> String {
        let mut path = String::with_capacity(96);
        self.push_path(&mut path);
        path
    }

    /// Appends [`path`](Self::path) to `out`: the URL of a call is built in one string, its
    /// ids written without the formatting machinery (a call's cost is mostly such work).
    pub(crate) fn push_path(&self, out: &mut String) {
        match self {
            Endpoint::Tenant(tenant) => {
                out.push_str("/tenants/");
                push_uuid(out, tenant.as_uuid());
            }
            Endpoint::TenantChildren(tenant) => {
                out.push_str("/tenants/");
                push_uuid(out, tenant.as_uuid());
                out.push_str("/children");
            }
            Endpoint::TenantsUnder(root) => {
                out.push_str("/tenants?subtree_root_id=");
                push_uuid(out, root.as_uuid());
                out.push_str("&lod=basic");
            }
            Endpoint::TenantsUnderNext { after, .. } => {
                use fmt::Write as _;
                out.push_str("/tenants?after=");
                let _ = write!(out, "{}", utf8_percent_encode(after, QUERY_VALUE));
            }
            Endpoint::Token => out.push_str("/idp/token"),
            Endpoint::TenantReports(tenant) => {
                out.push_str("/tenants/");
                push_uuid(out, tenant.as_uuid());
                out.push_str("/reports");
            }
            Endpoint::CreateReport => out.push_str("/reports"),
            Endpoint::GetReport(id) | Endpoint::UpdateReport(id) => {
                out.push_str("/reports/");
                push_uuid(out, id.as_uuid());
            }
            Endpoint::DeleteReport { id, version } => {
                use fmt::Write as _;
                out.push_str("/reports/");
                push_uuid(out, id.as_uuid());
                let _ = write!(out, "?version={version}");
            }
            Endpoint::StoredReports(id) => {
                out.push_str("/reports/");
                push_uuid(out, id.as_uuid());
                out.push_str("/stored");
            }
            Endpoint::StoredFile { id, stored_id } => {
                out.push_str("/reports/");
                push_uuid(out, id.as_uuid());
                out.push_str("/stored/");
                push_uuid(out, stored_id.as_uuid());
            }
        }
    }

    /// The report the call is about, if it is about one.
    pub fn report_id(&self) -> Option<ReportId> {
        match self {
            Endpoint::GetReport(id)
            | Endpoint::UpdateReport(id)
            | Endpoint::DeleteReport { id, .. }
            | Endpoint::StoredReports(id)
            | Endpoint::StoredFile { id, .. } => Some(*id),
            Endpoint::Token
            | Endpoint::Tenant(_)
            | Endpoint::TenantChildren(_)
            | Endpoint::TenantsUnder(_)
            | Endpoint::TenantsUnderNext { .. }
            | Endpoint::TenantReports(_)
            | Endpoint::CreateReport => None,
        }
    }

    /// The tenant the call is about, if it names one: the tenant addressed, or the root of a
    /// tenant listing (on every page of it).
    pub fn tenant_id(&self) -> Option<TenantId> {
        match self {
            Endpoint::TenantReports(tenant)
            | Endpoint::Tenant(tenant)
            | Endpoint::TenantChildren(tenant)
            | Endpoint::TenantsUnder(tenant)
            | Endpoint::TenantsUnderNext { root: tenant, .. } => Some(*tenant),
            _ => None,
        }
    }

    /// Whether the call reads tenants (the account API's tenant calls), rather than reports.
    pub fn is_tenants(&self) -> bool {
        matches!(
            self,
            Endpoint::Tenant(_)
                | Endpoint::TenantChildren(_)
                | Endpoint::TenantsUnder(_)
                | Endpoint::TenantsUnderNext { .. }
        )
    }

    /// Whether the call concerns a report's stored files (their list, or one file).
    pub fn is_stored(&self) -> bool {
        matches!(
            self,
            Endpoint::StoredReports(_) | Endpoint::StoredFile { .. }
        )
    }

    /// Whether the call writes: creates, changes or deletes a report. (A token request
    /// changes nothing on the server.)
    pub fn is_write(&self) -> bool {
        matches!(
            self,
            Endpoint::CreateReport | Endpoint::UpdateReport(_) | Endpoint::DeleteReport { .. }
        )
    }

    /// Whether the answer is a file (`Accept: */*`, gzip accepted) rather than JSON.
    pub(crate) fn answers_a_file(&self) -> bool {
        matches!(self, Endpoint::StoredFile { .. })
    }
}

impl fmt::Display for Endpoint {
    /// `METHOD /path`, as the call is sent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method(), self.path())
    }
}

/// Appends `id` as the API writes ids (and as the id types display): lowercase, hyphenated.
fn push_uuid(out: &mut String, id: &Uuid) {
    let mut text = [0; uuid::fmt::Hyphenated::LENGTH];
    out.push_str(id.hyphenated().encode_lower(&mut text));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_call_has_its_method_and_path() {
        let id: ReportId = "20dffb36-d77b-45c6-b2fa-39276e98d5fc".parse().unwrap();
        let tenant: TenantId = "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc".parse().unwrap();
        let stored_id: StoredReportId = "5d3c3b2a-1f0e-4d9c-8b7a-6a5f4e3d2c1b".parse().unwrap();
        let cases = [
            (Endpoint::Token, "POST /idp/token"),
            (
                Endpoint::TenantReports(tenant),
                "GET /tenants/2a91a14d-ffd3-4ac1-9b4d-3990162c5acc/reports",
            ),
            (
                Endpoint::Tenant(tenant),
                "GET /tenants/2a91a14d-ffd3-4ac1-9b4d-3990162c5acc",
            ),
            (
                Endpoint::TenantChildren(tenant),
                "GET /tenants/2a91a14d-ffd3-4ac1-9b4d-3990162c5acc/children",
            ),
            (
                Endpoint::TenantsUnder(tenant),
                "GET /tenants?subtree_root_id=2a91a14d-ffd3-4ac1-9b4d-3990162c5acc&lod=basic",
            ),
            (
                Endpoint::TenantsUnderNext {
                    root: tenant,
                    after: "c2".to_owned(),
                },
                "GET /tenants?after=c2",
            ),
            (Endpoint::CreateReport, "POST /reports"),
            (
                Endpoint::GetReport(id),
                "GET /reports/20dffb36-d77b-45c6-b2fa-39276e98d5fc",
            ),
            (
                Endpoint::UpdateReport(id),
                "PUT /reports/20dffb36-d77b-45c6-b2fa-39276e98d5fc",
            ),
            (
                Endpoint::DeleteReport { id, version: 3 },
                "DELETE /reports/20dffb36-d77b-45c6-b2fa-39276e98d5fc?version=3",
            ),
            (
                Endpoint::StoredReports(id),
                "GET /reports/20dffb36-d77b-45c6-b2fa-39276e98d5fc/stored",
            ),
            (
                Endpoint::StoredFile { id, stored_id },
                "GET /reports/20dffb36-d77b-45c6-b2fa-39276e98d5fc/stored/5d3c3b2a-1f0e-4d9c-8b7a-6a5f4e3d2c1b",
            ),
        ];
        for (endpoint, text) in &cases {
            assert_eq!(endpoint.to_string(), *text);
            assert_eq!(
                endpoint.report_id().is_some(),
                text.contains("/reports/"),
                "{text}"
            );
        }
        for (endpoint, text) in &cases {
            assert_eq!(
                endpoint.tenant_id().is_some(),
                text.contains("/tenants"),
                "{text}"
            );
            assert_eq!(
                endpoint.is_tenants(),
                text.starts_with("GET /tenants") && !text.ends_with("/reports"),
                "{text}"
            );
            assert!(!endpoint.is_tenants() || !endpoint.is_write(), "{text}");
        }
        assert_eq!(Endpoint::TenantReports(tenant).tenant_id(), Some(tenant));
        assert!(Endpoint::StoredFile { id, stored_id }.answers_a_file());
        assert!(!Endpoint::StoredReports(id).answers_a_file());
        assert!(Endpoint::DeleteReport { id, version: 1 }.is_write());
        assert!(!Endpoint::Token.is_write());
    }

    #[test]
    fn a_cursor_is_percent_encoded_but_its_unreserved_characters() {
        let root: TenantId = "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc".parse().unwrap();
        for (cursor, sent) in [
            ("AZaz09-._~", "AZaz09-._~"),
            ("a+b/c=", "a%2Bb%2Fc%3D"),
            ("x y&z?#%", "x%20y%26z%3F%23%25"),
            ("é", "%C3%A9"),
            ("", ""),
        ] {
            let next = Endpoint::TenantsUnderNext {
                root,
                after: cursor.to_owned(),
            };
            assert_eq!(next.path(), format!("/tenants?after={sent}"), "{cursor:?}");
        }
    }
}
