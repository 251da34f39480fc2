//! The tenant calls: one tenant, a tenant's children, and every tenant under one, page by
//! page ([`TenantPages`]).

use std::collections::HashSet;
use std::fmt;
use std::iter::FusedIterator;

use super::Client;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::id::{IntoId, TenantId};
use crate::model::{DecodeError, SNIPPET_CHARS, snippet};
use crate::tenant::{Tenant, TenantPage};

impl Client {
    /// Fetches a tenant: `GET /tenants/{id}`, checked to be that tenant.
    ///
    /// ```no_run
    /// # let client = acronis_reports::Client::builder().base_url("https://eu2-cloud.acronis.com/api/2").bearer_token("t").build()?;
    /// let tenant = client.tenant("f1f1f1f1-0000-4000-8000-000000000001")?;
    /// println!("{tenant}, enabled: {}", tenant.enabled);
    /// # Ok::<(), acronis_reports::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an id that is not a UUID (nothing is sent); [`Error::Api`]
    /// for a status outside 2xx (404: no such tenant, or a deleted one); [`Error::Decode`]
    /// when the body is not a tenant, or is another tenant than the one asked for (`path`
    /// `id`); and the errors of every call.
    pub fn tenant(&self, id: impl IntoId<TenantId>) -> Result<Tenant, Error> {
        let id = id.into_id()?;
        let answer = self.call(Endpoint::Tenant(id), None)?;
        let tenant: Tenant = answer.decode("tenant")?;
        if tenant.id != id {
            return Err(answer.decode_failed(DecodeError {
                what: "tenant",
                path: "id".to_owned(),
                message: format!("the server answered tenant {} for tenant {id}", tenant.id),
                body: snippet(&answer.body, SNIPPET_CHARS),
            }));
        }
        Ok(tenant)
    }

    /// The ids of a tenant's children: `GET /tenants/{id}/children` (ids only, in the
    /// server's order: by name, the vendor's default), each once (an id listed twice is kept
    /// where it first appears).
    ///
    /// The vendor's answer (`uuidList`) has no `paging`, so this is one request. A server
    /// that sends a next page's cursor anyway (`paging.cursors.after`) is refused rather than
    /// read in part: [`tenants_under`](Self::tenants_under) lists a whole subtree page by
    /// page.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an id that is not a UUID; [`Error::Api`] (404: no such
    /// tenant); [`Error::Decode`] when an item is not a UUID, or the answer points to a next
    /// page; and the errors of every call.
    pub fn tenant_children(&self, id: impl IntoId<TenantId>) -> Result<Vec<TenantId>, Error> {
        let id = id.into_id()?;
        let answer = self.call(Endpoint::TenantChildren(id), None)?;
        let list = answer.decode::<ChildList>("tenant id list")?;
        if let Some(after) = list.paging.and_then(|p| p.cursors).and_then(|c| c.after) {
            if !after.is_empty() {
                return Err(answer.decode_failed(DecodeError {
                    what: "tenant id list",
                    path: "paging.cursors.after".to_owned(),
                    message: "the list points to a next page, which the vendor's answer never \
                              does; list the subtree (tenants_under) instead"
                        .to_owned(),
                    body: snippet(&answer.body, SNIPPET_CHARS),
                }));
            }
        }
        let mut ids = list.items;
        let mut seen = HashSet::new();
        ids.retain(|id| seen.insert(*id));
        Ok(ids)
    }

    /// The tenants under `root`, page by page, as the iterator is advanced:
    /// `GET /tenants?subtree_root_id={root}&lod=basic` first, then `GET /tenants?after={cursor}`
    /// with each page's cursor (and only it: the vendor's cursor "encodes all filters and
    /// sorting"), until a page without one. Nothing is sent before the first
    /// [`next`](Iterator::next). See [`TenantPages`] for what each page holds.
    ///
    /// ```no_run
    /// # let client = acronis_reports::Client::builder().base_url("https://eu2-cloud.acronis.com/api/2").bearer_token("t").build()?;
    /// for page in client.tenant_pages("f1f1f1f1-0000-4000-8000-000000000001")? {
    ///     for tenant in page?.items {
    ///         println!("{tenant}");
    ///     }
    /// }
    /// # Ok::<(), acronis_reports::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an id that is not a UUID (nothing is sent). Each page's
    /// errors are the iterator's items.
    pub fn tenant_pages(&self, root: impl IntoId<TenantId>) -> Result<TenantPages, Error> {
        let root = root.into_id()?;
        Ok(TenantPages {
            client: self.clone(),
            root,
            next: Next::First,
            cursors: HashSet::new(),
            seen: HashSet::new(),
            pages: 0,
        })
    }

    /// Every tenant under `root`, **`root` itself included** (the API's subtree listing
    /// starts at it), read page by page with [`tenant_pages`](Self::tenant_pages): in the
    /// server's order (by level: `root` first, then its children, and so on), each tenant
    /// once.
    ///
    /// Disabled tenants are listed (see [`Tenant::is_active`] to leave them out); deleted
    /// ones are not (`allow_deleted` is not sent). Only what `lod=basic` holds is asked for:
    /// id, parent, name, kind, enabled, version.
    ///
    /// ```no_run
    /// # let client = acronis_reports::Client::builder().base_url("https://eu2-cloud.acronis.com/api/2").bearer_token("t").build()?;
    /// use acronis_reports::TenantKind;
    ///
    /// let root = "f1f1f1f1-0000-4000-8000-000000000001";
    /// let customers: Vec<_> = client
    ///     .tenants_under(root)?
    ///     .into_iter()
    ///     .filter(|t| t.kind == TenantKind::Customer && t.is_active())
    ///     .collect();
    /// # Ok::<(), acronis_reports::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The first error of any page (see [`TenantPages`]): [`Error::InvalidInput`] for an id
    /// that is not a UUID; [`Error::Api`] (404: no such tenant); [`Error::Decode`] when a
    /// page is not the API's, or repeats a cursor; and the errors of every call.
    pub fn tenants_under(&self, root: impl IntoId<TenantId>) -> Result<Vec<Tenant>, Error> {
        let mut tenants = Vec::new();
        for page in self.tenant_pages(root)? {
            tenants.extend(page?.items);
        }
        Ok(tenants)
    }
}

/// The tenants under a tenant, one page per item: see [`Client::tenant_pages`].
///
/// Each item is a [`TenantPage`] (its `after` the cursor followed next, `None` on the last)
/// or the error of that page's call; after an error, or after the page without a cursor,
/// the iterator ends. Each tenant comes once: a tenant the server lists again (on a later
/// page, because the listing shifted under it, or twice on one page) is left out where it
/// comes again, so a page may hold fewer tenants than the server sent, or none.
///
/// It never loops forever on a server that goes round in circles: a page whose cursor is one
/// the listing already followed ends it with [`Error::Decode`] (`path`
/// `paging.cursors.after`), naming that page's call. A page that holds no tenant but a
/// cursor is followed, as the vendor says nothing against it.
pub struct TenantPages {
    client: Client,
    root: TenantId,
    next: Next,
    /// Every cursor the listing followed or will follow next.
    cursors: HashSet<String>,
    /// Every tenant given so far.
    seen: HashSet<TenantId>,
    pages: usize,
}

/// What the next call of a listing is.
enum Next {
    First,
    After(String),
    Done,
}

impl TenantPages {
    /// The tenant the listing starts from.
    pub fn root(&self) -> TenantId {
        self.root
    }

    /// How many pages were read so far.
    pub fn pages_read(&self) -> usize {
        self.pages
    }

    fn read(&mut self, endpoint: Endpoint) -> Result<TenantPage, Error> {
        let answer = self.client.call(endpoint, None)?;
        let mut page = TenantPage::from_json(&answer.body).map_err(|e| answer.decode_failed(e))?;
        if let Some(after) = &page.after {
            if !self.cursors.insert(after.clone()) {
                return Err(answer.decode_failed(DecodeError {
                    what: "tenant page",
                    path: "paging.cursors.after".to_owned(),
                    message: format!(
                        "the cursor {:?} was given before in this listing: following it again \
                         would read the same pages forever",
                        snippet(after.as_bytes(), 60)
                    ),
                    body: snippet(&answer.body, SNIPPET_CHARS),
                }));
            }
            self.next = Next::After(after.clone());
        }
        page.items.retain(|t| self.seen.insert(t.id));
        self.pages += 1;
        Ok(page)
    }
}

impl Iterator for TenantPages {
    type Item = Result<TenantPage, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let endpoint = match std::mem::replace(&mut self.next, Next::Done) {
            Next::Done => return None,
            Next::First => Endpoint::TenantsUnder(self.root),
            Next::After(after) => Endpoint::TenantsUnderNext {
                root: self.root,
                after,
            },
        };
        Some(self.read(endpoint))
    }
}

impl FusedIterator for TenantPages {}

impl fmt::Debug for TenantPages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantPages")
            .field("root", &self.root)
            .field("pages_read", &self.pages)
            .field("tenants_seen", &self.seen.len())
            .field("done", &matches!(self.next, Next::Done))
            .finish_non_exhaustive()
    }
}

/// `uuidList`, read with the `paging` the vendor's schema does not have, to refuse it.
#[derive(serde::Deserialize)]
struct ChildList {
    #[serde(default)]
    items: Vec<TenantId>,
    #[serde(default)]
    paging: Option<ChildPaging>,
}

#[derive(serde::Deserialize)]
struct ChildPaging {
    #[serde(default)]
    cursors: Option<ChildCursors>,
}

#[derive(serde::Deserialize)]
struct ChildCursors {
    #[serde(default)]
    after: Option<String>,
}
