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

use std::fmt;

use crate::id::{ReportId, StoredReportId, TenantId};
use crate::transport::Method;

/// One call of the API (the reports API and the token endpoint), with the ids it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// `POST /idp/token`: a token for client credentials.
    Token,
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
            Endpoint::TenantReports(_)
            | Endpoint::GetReport(_)
            | Endpoint::StoredReports(_)
            | Endpoint::StoredFile { .. } => Method::Get,
            Endpoint::UpdateReport(_) => Method::Put,
            Endpoint::DeleteReport { .. } => Method::Delete,
        }
    }

    /// The call's path below the base URL (which ends in `/api/2`), query included.
    pub fn path(&self) -> String {
        match self {
            Endpoint::Token => "/idp/token".to_owned(),
            Endpoint::TenantReports(tenant) => format!("/tenants/{tenant}/reports"),
            Endpoint::CreateReport => "/reports".to_owned(),
            Endpoint::GetReport(id) | Endpoint::UpdateReport(id) => format!("/reports/{id}"),
            Endpoint::DeleteReport { id, version } => format!("/reports/{id}?version={version}"),
            Endpoint::StoredReports(id) => format!("/reports/{id}/stored"),
            Endpoint::StoredFile { id, stored_id } => format!("/reports/{id}/stored/{stored_id}"),
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
            Endpoint::Token | Endpoint::TenantReports(_) | Endpoint::CreateReport => None,
        }
    }

    /// The tenant the call is about, if it names one.
    pub fn tenant_id(&self) -> Option<TenantId> {
        match self {
            Endpoint::TenantReports(tenant) => Some(*tenant),
            _ => None,
        }
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
        for (endpoint, text) in cases {
            assert_eq!(endpoint.to_string(), text);
            assert_eq!(
                endpoint.report_id().is_some(),
                text.contains("/reports/"),
                "{text}"
            );
        }
        assert_eq!(Endpoint::TenantReports(tenant).tenant_id(), Some(tenant));
        assert!(Endpoint::StoredFile { id, stored_id }.answers_a_file());
        assert!(!Endpoint::StoredReports(id).answers_a_file());
        assert!(Endpoint::DeleteReport { id, version: 1 }.is_write());
        assert!(!Endpoint::Token.is_write());
    }
}
