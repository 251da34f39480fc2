//! The tenant tree and its endpoints: `GET /tenants` (a subtree with `subtree_root_id`, the
//! children with `parent_id`, a batch with `uuids`; `lod`, `limit`, `allow_deleted`, `after`
//! cursors), `GET /tenants/{id}` and `GET /tenants/{id}/children`, answered as the vendor's
//! account API documents them.
//!
//! Where the vendor is silent, the emulator chooses, and says so in the crate's docs:
//! - a listing is ordered by level (breadth first from its root); within a level, the children
//!   of an earlier tenant come first, each tenant's children in the order they were added;
//! - the last page of a listing has `"paging": {"cursors": {}}` (no `after`);
//! - a cursor is base64 of the listing's filters, level of detail, page size and position (the
//!   last tenant given), after a header that makes it start with `+/+/`, so that a client
//!   that does not percent-encode it (a `+` read as a space) is answered 400; with `after`,
//!   every other parameter is ignored;
//! - with none of `uuids`, `parent_id` and `subtree_root_id`, every tenant is listed (from the
//!   tops of the tree);
//! - an unknown (or deleted) `subtree_root_id` or `parent_id` is answered 404; unknown ids in
//!   `uuids` are left out.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use base64::Engine as _;
use serde_json::{Map, Value, json};

use crate::bodies::error_body;
use crate::http::HttpResponse;

/// The page size when a listing sends no `limit`: the vendor's default.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 5000;

/// The most ids `uuids` may hold: "Maximum of 100 UUIDs".
const MAX_UUIDS: usize = 100;

/// When a tenant given without times was created and last updated.
const SEEDED_AT: &str = "2026-01-01T00:00:00Z";

/// The vendor's tenant members beyond the emulator's own, accepted when seeding (a tenant
/// copied from an API answer) and not kept: the emulator answers its own values for them.
const OTHER_VENDOR_MEMBERS: &[&str] = &[
    "contacts",
    "offering_items",
    "customer_type",
    "customer_id",
    "brand_id",
    "brand_uuid",
    "brand_enabled",
    "barrier",
    "internal_tag",
    "language",
    "owner_id",
    "has_children",
    "default_idp_id",
    "update_lock",
    "ancestral_access",
    "mfa_status",
    "pricing_mode",
    "contact",
    "external_operation_status",
    "production_start_date",
];

/// The members a seeded tenant may have, as an error about an unknown one lists them.
const MEMBERS: &str = "id, parent_id, name, kind, enabled, version, deleted_at, created_at, \
                       updated_at (and the vendor's other tenant members, not kept)";

/// A tenant of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Node {
    pub(crate) id: String,
    /// Its parent: its own id for a top of the tree that was given no parent (the vendor's
    /// real root names itself).
    pub(crate) parent_id: String,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) enabled: bool,
    pub(crate) version: i64,
    pub(crate) deleted_at: Option<String>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
    /// When it was first added: the order of siblings.
    seq: u64,
}

impl Node {
    fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

/// The tenants, by id, and each one's children in the order they were added.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    nodes: HashMap<String, Node>,
    children: HashMap<String, BTreeMap<u64, String>>,
    next_seq: u64,
}

/// A tenant to add, read from JSON and checked.
#[derive(Debug, Clone)]
pub(crate) struct NewTenant {
    id: String,
    parent_id: Option<String>,
    name: Option<String>,
    kind: Option<String>,
    enabled: Option<bool>,
    version: Option<i64>,
    deleted_at: Option<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
}

/// Whether `text` is a UUID in the vendor's pattern, lowercase hex in 8-4-4-4-12.
pub(crate) fn is_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(b),
        })
}

impl NewTenant {
    /// Reads a tenant: `id` required (a UUID, either case: kept lowercase), the other members
    /// optional. `null` is the same as absent. Unknown members are refused.
    pub(crate) fn read(value: &Value) -> Result<NewTenant, String> {
        let Some(members) = value.as_object() else {
            return Err(format!("a tenant is a JSON object, not {value}"));
        };
        let text = |name: &str| -> Result<Option<String>, String> {
            match members.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(format!("`{name}` must be a string, not {other}")),
            }
        };
        let id_of = |name: &str| -> Result<Option<String>, String> {
            text(name)?
                .map(|id| {
                    let id = id.to_ascii_lowercase();
                    if is_uuid(&id) {
                        Ok(id)
                    } else {
                        Err(format!("`{name}` must be a UUID, not {id:?}"))
                    }
                })
                .transpose()
        };
        for name in members.keys() {
            let known = [
                "id",
                "parent_id",
                "name",
                "kind",
                "enabled",
                "version",
                "deleted_at",
                "created_at",
                "updated_at",
            ];
            if !known.contains(&name.as_str()) && !OTHER_VENDOR_MEMBERS.contains(&name.as_str()) {
                return Err(format!("unknown member `{name}`: a tenant has {MEMBERS}"));
            }
        }
        let id = id_of("id")?.ok_or("a tenant needs an `id`")?;
        let kind = text("kind")?;
        if kind.as_deref() == Some("") {
            return Err("`kind` must not be empty".into());
        }
        let enabled = match members.get("enabled") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => return Err(format!("`enabled` must be true or false, not {other}")),
        };
        let version = match members.get("version") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_i64()
                    .ok_or_else(|| format!("`version` must be an integer, not {v}"))?,
            ),
        };
        for name in ["deleted_at", "created_at", "updated_at"] {
            if text(name)?.is_some_and(|t| t.is_empty()) {
                return Err(format!("`{name}` must be a date and time, not empty"));
            }
        }
        Ok(NewTenant {
            id,
            parent_id: id_of("parent_id")?,
            name: text("name")?,
            kind,
            enabled,
            version,
            deleted_at: text("deleted_at")?,
            created_at: text("created_at")?,
            updated_at: text("updated_at")?,
        })
    }

    /// A tenant of `kind` named `name` under `parent`, as the partner tree seeds them.
    pub(crate) fn seeded(id: String, parent: Option<String>, kind: &str, name: String) -> Self {
        NewTenant {
            id,
            parent_id: parent,
            name: Some(name),
            kind: Some(kind.to_owned()),
            enabled: None,
            version: None,
            deleted_at: None,
            created_at: None,
            updated_at: None,
        }
    }
}

/// Tenants as JSON, each read ([`NewTenant::read`]); the first that is not one says why,
/// counted from 1.
pub(crate) fn read_all(values: &[Value]) -> Result<Vec<NewTenant>, String> {
    values
        .iter()
        .enumerate()
        .map(|(n, value)| NewTenant::read(value).map_err(|why| format!("tenant {}: {why}", n + 1)))
        .collect()
}

impl Tree {
    /// Adds `tenants` (replacing those with their ids), all of them or, when one would be
    /// its own ancestor, none; their ids.
    pub(crate) fn add_all(&mut self, tenants: Vec<NewTenant>) -> Result<Vec<String>, String> {
        self.check(&tenants)?;
        Ok(tenants
            .into_iter()
            .map(|t| {
                let id = t.id.clone();
                self.add(t);
                id
            })
            .collect())
    }

    /// Whether tenant `id` is in the tree (deleted or not).
    pub(crate) fn contains(&self, id: &str) -> bool {
        self.nodes.contains_key(id)
    }

    /// Whether `tenants` can be added, all of them, to the tree as it is: no tenant may end
    /// up its own ancestor.
    pub(crate) fn check(&self, tenants: &[NewTenant]) -> Result<(), String> {
        let mut parents: HashMap<&str, &str> = self
            .nodes
            .values()
            .map(|n| (n.id.as_str(), n.parent_id.as_str()))
            .collect();
        for t in tenants {
            parents.insert(&t.id, t.parent_id.as_deref().unwrap_or(&t.id));
        }
        for t in tenants {
            let mut at = t.id.as_str();
            let mut steps = 0;
            while let Some(parent) = parents.get(at).copied().filter(|p| *p != at) {
                if parent == t.id {
                    return Err(format!("tenant {} would be its own ancestor", t.id));
                }
                at = parent;
                steps += 1;
                if steps > parents.len() {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Adds `tenant`, or replaces the one with its id (which keeps its place among its
    /// siblings; its version goes up by one unless given). Check first with
    /// [`check`](Self::check).
    pub(crate) fn add(&mut self, tenant: NewTenant) {
        let old = self.nodes.remove(&tenant.id);
        if let Some(old) = &old {
            if let Some(siblings) = self.children.get_mut(&old.parent_id) {
                siblings.remove(&old.seq);
            }
        }
        let seq = old.as_ref().map_or_else(
            || {
                self.next_seq += 1;
                self.next_seq
            },
            |o| o.seq,
        );
        let kind = tenant.kind.unwrap_or_else(|| "customer".to_owned());
        let node = Node {
            parent_id: tenant.parent_id.unwrap_or_else(|| tenant.id.clone()),
            name: tenant
                .name
                .unwrap_or_else(|| format!("{kind} {}", &tenant.id[..8])),
            kind,
            enabled: tenant.enabled.unwrap_or(true),
            version: tenant
                .version
                .unwrap_or_else(|| old.as_ref().map_or(1, |o| o.version + 1)),
            deleted_at: tenant.deleted_at,
            created_at: tenant.created_at.unwrap_or_else(|| SEEDED_AT.to_owned()),
            updated_at: tenant.updated_at.unwrap_or_else(|| SEEDED_AT.to_owned()),
            id: tenant.id,
            seq,
        };
        if node.parent_id != node.id {
            self.children
                .entry(node.parent_id.clone())
                .or_default()
                .insert(seq, node.id.clone());
        }
        self.nodes.insert(node.id.clone(), node);
    }

    fn get(&self, id: &str, allow_deleted: bool) -> Option<&Node> {
        self.nodes
            .get(id)
            .filter(|n| allow_deleted || !n.is_deleted())
    }

    fn children_of(&self, id: &str) -> impl Iterator<Item = &Node> {
        self.children
            .get(id)
            .into_iter()
            .flat_map(|c| c.values())
            .filter_map(|id| self.nodes.get(id))
    }

    /// `roots` and every tenant below them, breadth first: by level, the children of an
    /// earlier tenant first, each one's children in the order they were added. Deleted
    /// tenants are left out unless `allow_deleted` (their children are not).
    fn breadth_first<'a>(&'a self, roots: Vec<&'a Node>, allow_deleted: bool) -> Vec<&'a Node> {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut queue: VecDeque<&Node> = roots.into_iter().collect();
        let mut out = Vec::new();
        while let Some(node) = queue.pop_front() {
            if !seen.insert(&node.id) {
                continue;
            }
            if allow_deleted || !node.is_deleted() {
                out.push(node);
            }
            queue.extend(self.children_of(&node.id));
        }
        out
    }

    /// The tops of the tree: tenants whose parent is not in it (or is themselves), in the
    /// order they were added.
    fn tops(&self) -> Vec<&Node> {
        let mut tops: Vec<&Node> = self
            .nodes
            .values()
            .filter(|n| n.parent_id == n.id || !self.nodes.contains_key(&n.parent_id))
            .collect();
        tops.sort_by_key(|n| n.seq);
        tops
    }

    /// The ids of every tenant in the order a listing without filters gives them.
    pub(crate) fn all_ids(&self) -> Vec<String> {
        self.breadth_first(self.tops(), true)
            .into_iter()
            .map(|n| n.id.clone())
            .collect()
    }

    /// The tenant as `GET /tenants/{id}` answers it (the vendor's `tenant` object).
    pub(crate) fn tenant_json(&self, id: &str) -> Option<Value> {
        self.nodes.get(id).map(|n| self.tenant_object(n))
    }

    fn has_children(&self, id: &str) -> bool {
        self.children_of(id).any(|c| !c.is_deleted())
    }

    /// The vendor's `tenant`: every member it requires, with the emulator's values for those
    /// it does not keep.
    fn tenant_object(&self, n: &Node) -> Value {
        let mut t = stamps(n);
        t.remove("offering_items");
        t.extend(basic_members(n));
        t.extend(
            json!({"customer_type": "default", "customer_id": null, "contact": {},
                "brand_id": null, "brand_enabled": true, "internal_tag": null, "language": "en",
                "has_children": self.has_children(&n.id),
                "update_lock": {"enabled": false, "owner_id": null}, "ancestral_access": true,
                "mfa_status": "disabled", "pricing_mode": "production"})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        );
        Value::Object(t)
    }

    /// An item of a listing at `lod`.
    fn item(&self, n: &Node, lod: Lod) -> Value {
        let mut item = stamps(n);
        if lod != Lod::Stamps {
            item.extend(basic_members(n));
        }
        if lod == Lod::Full {
            item.extend(
                json!({"customer_type": "default", "customer_id": null, "brand_id": null,
                    "brand_uuid": BRAND_UUID, "brand_enabled": true, "barrier": 0,
                    "internal_tag": null, "language": "en",
                    "has_children": self.has_children(&n.id), "default_idp_id": IDP_ID,
                    "update_lock": {"enabled": false, "owner_id": null},
                    "ancestral_access": true, "mfa_status": "disabled",
                    "pricing_mode": "production",
                    "contact": {"id": n.id, "created_at": n.created_at,
                        "updated_at": n.updated_at, "types": ["legal"],
                        "email": format!("{}@example.com", &n.id[..8]),
                        "firstname": "", "lastname": ""}})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            );
        }
        Value::Object(item)
    }
}

/// The tenants and reports [`Emulator::seed_partner_tree`](crate::Emulator::seed_partner_tree)
/// made, by id (lowercase), in the order they were added.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PartnerTree {
    /// The top of the tree: a partner (the service provider an API client would belong to),
    /// whose parent, the vendor's root, is not in the tree.
    pub root: String,
    /// The partners under the root.
    pub partners: Vec<String>,
    /// The customers, those of the first partner first.
    pub customers: Vec<String>,
    /// The customers' reports, those of the first customer first.
    pub reports: Vec<String>,
}

/// The (kind, result action) of a seeded customer's reports, in turn: each one a report of
/// its own identity in a desired-state file, for up to eight reports a customer.
const SEEDED_REPORTS: [(&str, &str); 8] = [
    ("usage_summary", "save"),
    ("usage_daily", "save"),
    ("usage_current", "save"),
    ("usage_breakdown", "save"),
    ("usage_summary", "send"),
    ("usage_daily", "send"),
    ("usage_current", "send"),
    ("usage_breakdown", "send"),
];

/// Seeds a partner tree into `into` (see `Emulator::seed_partner_tree`): tree number `number`
/// of the emulator, so that its ids are its own. Returns what it made and the customers'
/// reports, for the caller to store.
pub(crate) fn seed_partner_tree(
    into: &mut Tree,
    number: u64,
    partners: usize,
    customers_per_partner: usize,
    reports_per_customer: usize,
) -> (PartnerTree, Vec<(String, Value)>) {
    let tree = number & 0xffff;
    let id = |group: u32, n: usize| format!("7ee0{tree:04x}-{group:04x}-4000-8000-{n:012x}");
    let root = id(0, 0);
    let mut made = PartnerTree {
        root: root.clone(),
        partners: Vec::with_capacity(partners),
        customers: Vec::with_capacity(partners.saturating_mul(customers_per_partner)),
        reports: Vec::new(),
    };
    let mut tenants = vec![NewTenant::seeded(
        root.clone(),
        Some(id(0xffff, 0)),
        "partner",
        format!("Service provider {tree}"),
    )];
    for p in 1..=partners {
        let partner = id(1, p);
        tenants.push(NewTenant::seeded(
            partner.clone(),
            Some(root.clone()),
            "partner",
            format!("Partner {p}"),
        ));
        for c in 1..=customers_per_partner {
            let customer = id(2, made.customers.len() + 1);
            tenants.push(NewTenant::seeded(
                customer.clone(),
                Some(partner.clone()),
                "customer",
                format!("Customer {p}.{c}"),
            ));
            made.customers.push(customer);
        }
        made.partners.push(partner);
    }
    // Ids of their own (the prefix `7ee0`, then the tree's number): the new tenants hang
    // under each other only, so no check for circles is needed.
    for tenant in tenants {
        into.add(tenant);
    }
    let mut reports = Vec::with_capacity(made.customers.len() * reports_per_customer);
    for customer in &made.customers {
        for r in 0..reports_per_customer {
            let report = id(3, made.reports.len() + 1);
            let (kind, action) = SEEDED_REPORTS[r % SEEDED_REPORTS.len()];
            let (recipients, formats) = if action == "send" {
                (json!([crate::RECIPIENT_ID]), json!(["csv"]))
            } else {
                (json!([]), json!(["csv_v2_0"]))
            };
            reports.push((
                report.clone(),
                json!({"id": report, "version": 1, "result_action": action,
                    "recipients": recipients,
                    "parameters": {"tenant_id": customer, "kind": kind, "level": "itself",
                        "formats": formats, "period": {"start": "2026-10-01", "end": "2026-10-31"},
                        "hide_zero_usage": false, "show_skus": false},
                    "schedule": {"type": "monthly", "enabled": true},
                    "generation_date": "2026-11-01"}),
            ));
            made.reports.push(report);
        }
    }
    (made, reports)
}

/// The brand every full tenant names.
const BRAND_UUID: &str = "b0b0b0b0-0000-4000-8000-000000000000";
/// The identity provider every full tenant names.
const IDP_ID: &str = "1d1d1d1d-0000-4000-8000-000000000000";

fn stamps(n: &Node) -> Map<String, Value> {
    json!({"id": n.id, "parent_id": n.parent_id, "version": n.version,
        "created_at": n.created_at, "updated_at": n.updated_at, "deleted_at": n.deleted_at,
        "contacts": [], "offering_items": []})
    .as_object()
    .cloned()
    .unwrap_or_default()
}

fn basic_members(n: &Node) -> Map<String, Value> {
    json!({"name": n.name, "kind": n.kind, "enabled": n.enabled})
        .as_object()
        .cloned()
        .unwrap_or_default()
}

/// The level of detail of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lod {
    Stamps,
    Basic,
    Full,
}

impl Lod {
    fn parse(text: &str) -> Option<Lod> {
        match text {
            "stamps" => Some(Lod::Stamps),
            "basic" => Some(Lod::Basic),
            "full" => Some(Lod::Full),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Lod::Stamps => "stamps",
            Lod::Basic => "basic",
            Lod::Full => "full",
        }
    }
}

/// What a listing lists.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Filter {
    All,
    Subtree(String),
    Parent(String),
    Uuids(Vec<String>),
}

/// A listing: its filter, level of detail, page size, and whether deleted tenants are in it.
#[derive(Debug, Clone)]
struct Listing {
    filter: Filter,
    lod: Lod,
    limit: usize,
    allow_deleted: bool,
}

/// Where a listing's next page starts: after tenant `last`, or (when it is gone) at
/// `offset`.
#[derive(Debug, Clone)]
struct Position {
    last: String,
    offset: usize,
}

/// The vendor's 400 for a listing's parameters.
fn refused(info: &str) -> HttpResponse {
    error_body(400, "Invalid query parameters", Some(info))
}

/// The parameters of a query, decoded as a form is (`%XX`, `+` for a space), each once.
pub(crate) fn query_params(query: Option<&str>) -> Result<Vec<(String, String)>, String> {
    let mut params: Vec<(String, String)> = Vec::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (name, value) = (decode(name)?, decode(value)?);
        if params.iter().any(|(n, _)| *n == name) {
            return Err(format!("the parameter `{name}` is given twice"));
        }
        params.push((name, value));
    }
    Ok(params)
}

/// `text` of a query, percent-decoded, `+` read as a space.
fn decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("a bad percent-encoding in {text:?}"))?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| format!("{text:?} is not UTF-8 once decoded"))
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn boolean(params: &[(String, String)], name: &str) -> Result<bool, HttpResponse> {
    match param(params, name) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(refused(&format!(
            "`{name}` must be true or false, not {other:?}"
        ))),
    }
}

fn uuid_param(params: &[(String, String)], name: &str) -> Result<Option<String>, HttpResponse> {
    match param(params, name) {
        None => Ok(None),
        Some(id) if is_uuid(id) => Ok(Some(id.to_owned())),
        Some(other) => Err(refused(&format!(
            "`{name}` must be a UUID (lowercase), not {other:?}"
        ))),
    }
}

/// `GET /tenants`.
pub(crate) fn list(tree: &Tree, query: Option<&str>, page_size: usize) -> HttpResponse {
    let params = match query_params(query) {
        Ok(params) => params,
        Err(why) => return refused(&why),
    };
    let (listing, position) = match param(&params, "after") {
        Some(cursor) => match read_cursor(cursor) {
            Some(read) => read,
            None => return refused("`after` is not a cursor this server gave"),
        },
        None => match listing_of(&params, page_size) {
            Ok(listing) => (listing, None),
            Err(answer) => return answer,
        },
    };
    let tenants = match select(tree, &listing) {
        Ok(tenants) => tenants,
        Err(answer) => return answer,
    };
    let start = position.map_or(0, |p| {
        tenants
            .iter()
            .position(|t| t.id == p.last)
            .map_or(p.offset, |at| at + 1)
    });
    let start = start.min(tenants.len());
    let end = start.saturating_add(listing.limit).min(tenants.len());
    let page = &tenants[start..end];
    let cursors = match page.last() {
        Some(last) if end < tenants.len() => json!({"after": cursor(&listing, &Position {
            last: last.id.clone(),
            offset: end,
        })}),
        _ => json!({}),
    };
    let items: Vec<Value> = page.iter().map(|t| tree.item(t, listing.lod)).collect();
    HttpResponse::json(
        200,
        &json!({"timestamp": now(), "items": items, "paging": {"cursors": cursors}}),
    )
}

/// The listing a first request asks for, its parameters checked.
fn listing_of(params: &[(String, String)], page_size: usize) -> Result<Listing, HttpResponse> {
    let subtree = uuid_param(params, "subtree_root_id")?;
    let parent = uuid_param(params, "parent_id")?;
    let uuids = param(params, "uuids");
    let given: Vec<&str> = [
        subtree.as_ref().map(|_| "subtree_root_id"),
        parent.as_ref().map(|_| "parent_id"),
        uuids.map(|_| "uuids"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if given.len() > 1 {
        return Err(refused(&format!(
            "{} are mutually exclusive: give one",
            given.join(" and ")
        )));
    }
    if param(params, "include_relative_path").is_some() && (subtree.is_some() || parent.is_some()) {
        return Err(refused(
            "include_relative_path excludes subtree_root_id and parent_id",
        ));
    }
    let filter = match (subtree, parent, uuids) {
        (Some(root), _, _) => Filter::Subtree(root),
        (_, Some(parent), _) => Filter::Parent(parent),
        (_, _, Some(list)) => {
            let ids: Vec<String> = list.split(',').map(str::to_owned).collect();
            if let Some(bad) = ids.iter().find(|id| !is_uuid(id)) {
                return Err(refused(&format!(
                    "`uuids` must be UUIDs (lowercase) separated by commas; {bad:?} is not one"
                )));
            }
            if ids.len() > MAX_UUIDS {
                return Err(refused(&format!(
                    "`uuids` holds {} ids: the maximum is {MAX_UUIDS}",
                    ids.len()
                )));
            }
            Filter::Uuids(ids)
        }
        _ => Filter::All,
    };
    let lod = match param(params, "lod") {
        None => Lod::Full,
        Some(text) => Lod::parse(text).ok_or_else(|| {
            refused(&format!(
                "`lod` must be stamps, basic or full, not {text:?}"
            ))
        })?,
    };
    let limit = match param(params, "limit") {
        None => page_size,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                refused(&format!(
                    "`limit` must be an integer of at least 1, not {text:?}"
                ))
            })?,
    };
    Ok(Listing {
        filter,
        lod,
        limit,
        allow_deleted: boolean(params, "allow_deleted")?,
    })
}

/// Every tenant a listing holds, in its order.
fn select<'a>(tree: &'a Tree, listing: &Listing) -> Result<Vec<&'a Node>, HttpResponse> {
    let deleted = listing.allow_deleted;
    let not_found = || error_body(404, "Tenant not found", None);
    Ok(match &listing.filter {
        Filter::All => tree.breadth_first(tree.tops(), deleted),
        Filter::Subtree(root) => {
            let root = tree.get(root, deleted).ok_or_else(not_found)?;
            tree.breadth_first(vec![root], deleted)
        }
        Filter::Parent(parent) => {
            tree.get(parent, deleted).ok_or_else(not_found)?;
            tree.children_of(parent)
                .filter(|c| deleted || !c.is_deleted())
                .collect()
        }
        Filter::Uuids(ids) => {
            let mut seen = HashSet::new();
            ids.iter()
                .filter(|id| seen.insert(id.as_str()))
                .filter_map(|id| tree.get(id, deleted))
                .collect()
        }
    })
}

/// What every cursor starts with, before base64: its text then starts with `+/+/`, which a
/// query must carry percent-encoded.
const CURSOR_HEADER: [u8; 3] = [0xfb, 0xff, 0xbf];

/// The cursor of the page after `position` in `listing`: base64 of a header and JSON.
fn cursor(listing: &Listing, position: &Position) -> String {
    let (filter, of) = match &listing.filter {
        Filter::All => ("all", Value::Null),
        Filter::Subtree(root) => ("subtree", json!(root)),
        Filter::Parent(parent) => ("parent", json!(parent)),
        Filter::Uuids(ids) => ("uuids", json!(ids)),
    };
    let state = json!({"filter": filter, "of": of, "lod": listing.lod.as_str(),
        "limit": listing.limit, "allow_deleted": listing.allow_deleted,
        "last": position.last, "offset": position.offset});
    let mut bytes = CURSOR_HEADER.to_vec();
    bytes.extend_from_slice(state.to_string().as_bytes());
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A cursor read back, or `None` when it is not one of [`cursor`]'s.
fn read_cursor(text: &str) -> Option<(Listing, Option<Position>)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    let state: Value = serde_json::from_slice(bytes.strip_prefix(&CURSOR_HEADER[..])?).ok()?;
    let id = |v: &Value| v.as_str().filter(|s| is_uuid(s)).map(str::to_owned);
    let filter = match state["filter"].as_str()? {
        "all" => Filter::All,
        "subtree" => Filter::Subtree(id(&state["of"])?),
        "parent" => Filter::Parent(id(&state["of"])?),
        "uuids" => Filter::Uuids(
            state["of"]
                .as_array()?
                .iter()
                .map(id)
                .collect::<Option<Vec<_>>>()?,
        ),
        _ => return None,
    };
    let listing = Listing {
        filter,
        lod: Lod::parse(state["lod"].as_str()?)?,
        limit: usize::try_from(state["limit"].as_u64()?)
            .ok()
            .filter(|n| *n >= 1)?,
        allow_deleted: state["allow_deleted"].as_bool()?,
    };
    let position = Position {
        last: id(&state["last"])?,
        offset: usize::try_from(state["offset"].as_u64()?).ok()?,
    };
    Some((listing, Some(position)))
}

/// `GET /tenants/{id}`: the tenant, or 404 (for a deleted one too, unless `allow_deleted`).
pub(crate) fn get(tree: &Tree, id: &str, query: Option<&str>) -> HttpResponse {
    let params = match query_params(query) {
        Ok(params) => params,
        Err(why) => return refused(&why),
    };
    let allow_deleted = match boolean(&params, "allow_deleted") {
        Ok(yes) => yes,
        Err(answer) => return answer,
    };
    match tree.get(id, allow_deleted) {
        Some(node) => HttpResponse::json(200, &tree.tenant_object(node)),
        None => error_body(404, "Tenant not found", None),
    }
}

/// `GET /tenants/{id}/children`: `{"items": [ids]}`, by `order` (`name` by default, `as_is`
/// the order they were added, `-` reversing either; the vendor's other orders are taken as
/// `as_is`), deleted children left out unless `allow_deleted`. `after` is accepted and has
/// nothing to do: the answer holds every child.
pub(crate) fn children(tree: &Tree, id: &str, query: Option<&str>) -> HttpResponse {
    let params = match query_params(query) {
        Ok(params) => params,
        Err(why) => return refused(&why),
    };
    let allow_deleted = match boolean(&params, "allow_deleted") {
        Ok(yes) => yes,
        Err(answer) => return answer,
    };
    if tree.get(id, allow_deleted).is_none() {
        return error_body(404, "Tenant not found", None);
    }
    let order = param(&params, "order").unwrap_or("name");
    let (reversed, key) = order
        .strip_prefix('-')
        .map_or((false, order), |key| (true, key));
    let known = ["as_is", "name", "status", "usage"];
    if !known.contains(&key) && !key.starts_with("usage.") {
        return refused(&format!(
            "`order` must be as_is, name, status, usage or usage.<name>, with - to reverse; \
             not {order:?}"
        ));
    }
    let mut children: Vec<&Node> = tree
        .children_of(id)
        .filter(|c| allow_deleted || !c.is_deleted())
        .collect();
    if key == "name" {
        children.sort_by(|a, b| a.name.cmp(&b.name).then(a.seq.cmp(&b.seq)));
    }
    if reversed {
        children.reverse();
    }
    let ids: Vec<&str> = children.iter().map(|c| c.id.as_str()).collect();
    HttpResponse::json(200, &json!({ "items": ids }))
}

/// Now, as the vendor's `timestamp` (RFC 3339, UTC, whole seconds).
fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(i64::try_from(days).unwrap_or(0));
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The civil date of a day since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(id: &str, parent: Option<&str>) -> NewTenant {
        NewTenant::read(&json!({"id": id, "parent_id": parent})).unwrap()
    }

    const A: &str = "aaaaaaaa-0000-4000-8000-000000000000";
    const B: &str = "bbbbbbbb-0000-4000-8000-000000000000";
    const C: &str = "cccccccc-0000-4000-8000-000000000000";

    #[test]
    fn a_query_is_decoded_as_a_form_and_a_parameter_given_twice_is_refused() {
        assert_eq!(
            query_params(Some("after=a%2Bb%3D+c&lod=basic")).unwrap(),
            [
                ("after".to_owned(), "a+b= c".to_owned()),
                ("lod".to_owned(), "basic".to_owned())
            ]
        );
        assert!(query_params(Some("a=%zz")).is_err());
        assert!(query_params(Some("a=%e9")).is_err());
        assert!(query_params(Some("lod=basic&lod=full")).is_err());
        assert_eq!(query_params(None).unwrap(), []);
    }

    #[test]
    fn a_tenant_cannot_become_its_own_ancestor() {
        let mut tree = Tree::default();
        let first = [tenant(A, None), tenant(B, Some(A))];
        tree.check(&first).unwrap();
        first.into_iter().for_each(|t| tree.add(t));
        assert!(tree.check(&[tenant(A, Some(B))]).is_err());
        assert!(tree.check(&[tenant(A, Some(A))]).is_ok());
        assert!(
            tree.check(&[tenant(C, Some(C)), tenant(A, Some(C))])
                .is_ok()
        );
    }

    #[test]
    fn a_replaced_tenant_keeps_its_place_and_gets_a_new_version() {
        let mut tree = Tree::default();
        for t in [tenant(A, None), tenant(B, Some(A)), tenant(C, Some(A))] {
            tree.add(t);
        }
        tree.add(NewTenant::read(&json!({"id": B, "parent_id": A, "name": "B2"})).unwrap());
        assert_eq!(tree.all_ids(), [A, B, C]);
        assert_eq!(tree.nodes[B].version, 2);
        assert_eq!(tree.nodes[B].name, "B2");
    }

    #[test]
    fn a_cursor_starts_with_characters_a_query_must_encode_and_reads_back() {
        let listing = Listing {
            filter: Filter::Uuids(vec![A.to_owned(), B.to_owned()]),
            lod: Lod::Stamps,
            limit: 7,
            allow_deleted: true,
        };
        let position = Position {
            last: B.to_owned(),
            offset: 2,
        };
        let text = cursor(&listing, &position);
        assert!(text.starts_with("+/+/"), "{text}");
        let (back, at) = read_cursor(&text).unwrap();
        let at = at.unwrap();
        assert_eq!(
            (back.filter, back.lod, back.limit, back.allow_deleted),
            (listing.filter, Lod::Stamps, 7, true)
        );
        assert_eq!((at.last.as_str(), at.offset), (B, 2));
        assert!(read_cursor(&text.replacen('+', " ", 1)).is_none());
        let plain = base64::engine::general_purpose::STANDARD.encode(b"{}");
        assert!(read_cursor(&plain).is_none());
    }

    #[test]
    fn the_days_are_civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_819), (2027, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }
}
