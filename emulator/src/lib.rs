//! A local emulator of the Acronis usage-reports API, to test code that uses the API (with
//! the `acronis-reports` crate or any other client) without credentials or a network: an
//! in-memory store of reports behind a real HTTP/1.1 server on 127.0.0.1.
//!
//! It behaves as the vendor documents: `POST /idp/token` issues tokens to the API client
//! [`CLIENT_ID`]/[`CLIENT_SECRET`] (OAuth errors otherwise), a bearer token (an issued one or
//! [`TOKEN`]) is required on the reports endpoints (401 otherwise), JSON bodies are required
//! (415), `PUT /reports/{id}` accepts exactly the `reportPut` members (400 for anything else,
//! as the schema's `additionalProperties: false` says), only monthly reports can be updated,
//! created reports' files are generated (`in_progress`, then `saved`) and served
//! gzip-compressed, and errors come in the vendor's `{"error": {...}}` shape.
//!
//! It is held to the vendor's own clients: it accepts everything that any of the vendor's
//! published scripts sends (a saved report without `recipients`, `"show_skus": "true"`), and
//! answers in the shape that all of them read (`expires_on` in the token answer, one-line JSON
//! bodies, stored files `Content-Encoding: gzip` to clients that accept gzip); the
//! `acronis-reports` crate's CI runs those scripts, unmodified, against it.
//!
//! A test can look at what it received ([`requests`](Emulator::requests), typed as
//! [`RecordedRequest`]), seed and read reports and tenants with the crate's types or JSON
//! ([`add_report`](Emulator::add_report), [`report`](Emulator::report),
//! [`add_tenants`](Emulator::add_tenants), [`tenant`](Emulator::tenant); see
//! [the tenant tree](#the-tenant-tree)), and inject faults:
//! statuses for the next requests or for one report, raw answers, delays, an outage from the
//! n-th request on, refused tokens. It can answer every request late, as a distant data centre
//! does ([`answer_delay`](EmulatorBuilder::answer_delay)), to measure how a client fares there.
//!
//! ```
//! use acronis_reports::{Client, Report};
//! use acronis_reports_emulator::{Emulator, MONTHLY_REPORT_ID, TOKEN};
//!
//! let emulator = Emulator::start()?;
//! let client = Client::builder().base_url(emulator.base_url()).bearer_token(TOKEN).build()?;
//! emulator.fail_next(1, 503, Some("0")); // the client retries it
//! client.disable_report(MONTHLY_REPORT_ID)?;
//! let report: Report = emulator.report(MONTHLY_REPORT_ID).unwrap();
//! assert!(!report.schedule.enabled);
//! assert_eq!(emulator.requests().len(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The `acronis-reports` command-line tool runs it for scripts in any language:
//! `acronis-reports emulator --port 8080` (see its `docs/testing.md`).
//!
//! # The tenant tree
//!
//! Beside its reports it holds a tree of tenants (partners, folders, customers, units),
//! none by default: seed it with [`EmulatorBuilder::tenants`], [`Emulator::add_tenants`]
//! (the crate's `Tenant` or JSON), [`Emulator::seed_partner_tree`] (thousands of customers
//! with their reports, at once), `POST /__admin/tenants`, or the command's `--seed` file. It
//! answers, with the same bearer token check as the reports calls:
//!
//! - `GET /tenants` with `subtree_root_id` (the tenant and everything below it), `parent_id`
//!   (its children) or `uuids` (at most 100, comma-separated; unknown ones left out), which
//!   exclude each other (400 in the vendor's error shape), or none of them (every tenant);
//!   `lod` `stamps`, `basic` (exactly the vendor's members) or `full` (the default);
//!   `limit` (at least 1; without it, [`EmulatorBuilder::tenant_page_size`], 5000 by
//!   default); `allow_deleted`; `after`, a cursor of its own making that carries the
//!   listing's filters and position, so that only it is sent. A page is the vendor's
//!   `tenantBatch`: `timestamp`, `items`, `paging.cursors.after`; the last page's `paging`
//!   is `{"cursors": {}}`.
//! - `GET /tenants/{id}`: the vendor's `tenant` object; 404 for an unknown tenant, and for a
//!   deleted one unless `allow_deleted=true`.
//! - `GET /tenants/{id}/children`: `{"items": [ids]}`, by name unless `order` says
//!   otherwise (`as_is`, `-name`...).
//!
//! A listing goes by level (breadth first from its root); within a level, the children of
//! an earlier tenant come first, each tenant's children in the order they were added.
//! Disabled tenants are listed; deleted ones (with a `deleted_at`) only with
//! `allow_deleted=true`. Tenants of the reports that are not in the tree exist as before:
//! listing their reports works.
//!
//! ```
//! use acronis_reports::Client;
//! use acronis_reports_emulator::{Emulator, TOKEN};
//! use serde_json::json;
//!
//! let emulator = Emulator::builder()
//!     .tenants([
//!         json!({"id": "f1f1f1f1-0000-4000-8000-000000000001", "kind": "partner"}),
//!         json!({"id": "c1c1c1c1-0000-4000-8000-000000000001",
//!                "parent_id": "f1f1f1f1-0000-4000-8000-000000000001"}),
//!     ])
//!     .tenant_page_size(1) // one tenant a page: paging, with a tree of two
//!     .start()?;
//! let client = Client::builder().base_url(emulator.base_url()).bearer_token(TOKEN).build()?;
//! let tenants = client.tenants_under("f1f1f1f1-0000-4000-8000-000000000001")?;
//! assert_eq!(tenants.len(), 2); // the root, then its customer
//! assert_eq!(emulator.requests().len(), 2); // two pages
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The admin interface
//!
//! What a Rust test does with the methods above, a test in another language does over HTTP:
//! the emulator has an admin interface under `/__admin/` ([`admin_url`](Emulator::admin_url):
//! `http://127.0.0.1:<port>/__admin`, beside the base URL), as WireMock has. JSON in and out,
//! no token; it exists only on the emulator, its own requests are not recorded, and no fault
//! or outage applies to them (the server's limits do).
//!
//! | endpoint | body | answer |
//! |---|---|---|
//! | `POST /__admin/faults` | a fault: `{"status": 503, "times": 2}` | 201 `{"fault": {...}}`, the fault as registered |
//! | `DELETE /__admin/faults` | none | 200 `{"cleared": {"faults": 1, "outage": false}}` |
//! | `GET /__admin/requests` | none | 200 `{"requests": [...], "dropped": 0}`, secrets redacted |
//! | `DELETE /__admin/requests` | none | 200 `{"cleared": {"requests": 3}}` |
//! | `POST /__admin/reset` | none | 200 `{"cleared": {"faults": 1, "outage": false, "requests": 3}}` |
//! | `POST /__admin/reports` | a report as the API shows it, or an array of them | 201 `{"reports": ["<id>"]}` |
//! | `GET /__admin/reports/{id}` | none | 200 the report as held, or 404 |
//! | `POST /__admin/tenants` | a tenant (see [`add_tenants`](Emulator::add_tenants)), or an array of them | 201 `{"tenants": ["<id>"]}` |
//! | `GET /__admin/tenants/{id}` | none | 200 the tenant as `GET /tenants/{id}?allow_deleted=true` answers it, or 404 |
//! | `GET /__admin` | none | 200 `{"endpoints": [...], "settings": {"answer_delay_ms": 0}}` |
//!
//! A fault goes into the same queues as [`fail_next`](Emulator::fail_next),
//! [`answer_next`](Emulator::answer_next), [`delay_next`](Emulator::delay_next),
//! [`fail_next_token_requests`](Emulator::fail_next_token_requests) and
//! [`outage_after`](Emulator::outage_after): a status for the next `times` requests (only
//! those of a `method`, of a `path` and the paths below it), with a `retry_after`, after a
//! `delay_ms`, or a raw `body`; a `delay_ms` alone; `"token": true` for token requests;
//! `"outage": true` for every request until reset. A body that is not one of these, or has a
//! member it does not know, is answered 400 `{"error": "..."}` and changes nothing. The reset
//! clears the faults, the outage and the requests (as WireMock's does), not the reports,
//! tenants or tokens. Every member and answer is in the `acronis-reports` crate's `docs/testing.md`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod admin;
mod api;
mod bodies;
mod http;
mod large_usage;
mod lifecycle;
mod request;
mod schema;
mod state;
mod tenants;
mod usage;

use std::fmt;
use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::bodies::{canned, canned_token_error};
use crate::http::{HttpResponse, Server};
use crate::state::{Scope, State, lock};

pub use large_usage::LargeUsageFile;
pub use request::RecordedRequest;
pub use schema::{SchemaError, check_report_post, check_report_put};
pub use state::Quirks;
pub use tenants::PartnerTree;
pub use usage::{CUSTOMER_A, CUSTOMER_B};

/// The bearer token the emulator accepts.
pub const TOKEN: &str = "emulator-token";
/// The tenant the seeded reports belong to.
pub const TENANT_ID: &str = "2a91a14d-ffd3-4ac1-9b4d-3990162c5acc";
/// A seeded monthly report, enabled, sent to [`RECIPIENT_ID`].
pub const MONTHLY_REPORT_ID: &str = "20dffb36-d77b-45c6-b2fa-39276e98d5fc";
/// A seeded one-time report, which the API refuses to update.
pub const ONCE_REPORT_ID: &str = "6d1d7a5e-3b43-4c8e-9f4b-8a1f0c2e9b71";
/// The API client id the token endpoint accepts.
pub const CLIENT_ID: &str = "0b5c3f2e-8d3a-4a57-9e61-2f4c7d9a1b03";
/// The API client secret the token endpoint accepts.
pub const CLIENT_SECRET: &str = "emulator-client-secret";
/// A user id in the seeded reports' recipients.
pub const RECIPIENT_ID: &str = "ca451758-b48a-45d9-9ae6-8f1059f67619";

/// Configures an [`Emulator`]: its port, and the reports and tenants it starts with.
#[derive(Debug, Default)]
#[must_use]
pub struct EmulatorBuilder {
    port: u16,
    reports: Option<Result<Vec<Value>, String>>,
    tenants: Option<Result<Vec<Value>, String>>,
    tenant_page_size: usize,
    max_recorded: usize,
    limits: http::Limits,
    answer_delay: Duration,
}

impl EmulatorBuilder {
    /// The port on 127.0.0.1 to serve. Default: 0, any free port (see
    /// [`Emulator::base_url`]).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// How many connections are served at once (default 512): the next ones are answered
    /// 503 and closed, so that a client that opens thousands cannot exhaust the process.
    /// 0 is taken as 1.
    pub fn max_connections(mut self, n: usize) -> Self {
        self.limits.max_connections = n.max(1);
        self
    }

    /// How long a connection may sit idle, no request arriving, before it is closed (default
    /// 30 s).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// How many of the last requests [`Emulator::requests`] keeps (default 10,000; bodies are
    /// kept up to 64 MiB in all, whatever the count). Older ones are dropped and counted by
    /// [`Emulator::dropped_requests`], so that a long run's memory stays bounded. 0 is taken
    /// as 1.
    pub fn max_recorded_requests(mut self, n: usize) -> Self {
        self.max_recorded = n.max(1);
        self
    }

    /// Sends every answer of the API (the token endpoint's too, faults' included) `delay`
    /// after its request came: a network's round trip, for measuring how a client fares
    /// against a distant data centre (default: none, an answer as soon as it is made). A
    /// fault's own delay ([`delay_next`](Emulator::delay_next), `delay_ms`) comes on top. The
    /// admin interface answers at once, and shows the delay (`GET /__admin`: `"settings":
    /// {"answer_delay_ms": 50}`). At most ten minutes: a longer delay is taken as ten minutes.
    ///
    /// The wait is the connection's own: other connections are served meanwhile, so `n`
    /// connections get `n` answers per delay.
    pub fn answer_delay(mut self, delay: Duration) -> Self {
        self.answer_delay = delay.min(MAX_ANSWER_DELAY);
        self
    }

    /// The reports to start with, instead of the two seeded ones ([`MONTHLY_REPORT_ID`] and
    /// [`ONCE_REPORT_ID`]): anything that serializes to a report with an `id` (checked by
    /// [`start`](Self::start)).
    pub fn reports<R: Serialize>(mut self, reports: impl IntoIterator<Item = R>) -> Self {
        let values = reports
            .into_iter()
            .enumerate()
            .map(|(n, report)| {
                let value =
                    serde_json::to_value(&report).map_err(|e| format!("report {}: {e}", n + 1))?;
                if value["id"].is_string() {
                    Ok(value)
                } else {
                    Err(format!("report {} has no id", n + 1))
                }
            })
            .collect();
        self.reports = Some(values);
        self
    }

    /// The tenant tree to start with (none by default): anything that serializes to tenants
    /// (an `acronis_reports::tenant::Tenant`, or JSON), in any order, a tenant's parent
    /// before or after it, checked by [`start`](Self::start). See
    /// [`add_tenants`](Emulator::add_tenants) for the members.
    pub fn tenants<T: Serialize>(mut self, tenants: impl IntoIterator<Item = T>) -> Self {
        let values = tenants
            .into_iter()
            .enumerate()
            .map(|(n, tenant)| {
                serde_json::to_value(&tenant).map_err(|e| format!("tenant {}: {e}", n + 1))
            })
            .collect();
        self.tenants = Some(values);
        self
    }

    /// The page size of a tenant listing (`GET /tenants`) that sends no `limit`. Default:
    /// 5000, the vendor's; a small one makes a test's small tree span several pages. 0 is
    /// taken as 1.
    pub fn tenant_page_size(mut self, n: usize) -> Self {
        self.tenant_page_size = n.max(1);
        self
    }

    /// Starts the emulator.
    ///
    /// # Errors
    ///
    /// When the port cannot be bound, or a report given to [`reports`](Self::reports) does
    /// not serialize to one with an `id`, or a tenant given to [`tenants`](Self::tenants) is
    /// not one (`io::ErrorKind::InvalidInput`, saying which and why).
    pub fn start(self) -> io::Result<Emulator> {
        let invalid = |why: String| io::Error::new(io::ErrorKind::InvalidInput, why);
        let reports = match self.reports {
            Some(Ok(reports)) => reports,
            Some(Err(why)) => return Err(invalid(why)),
            None => api::seed_reports(),
        };
        let tenants = match self.tenants {
            Some(Ok(values)) => tenants::read_all(&values).map_err(invalid)?,
            Some(Err(why)) => return Err(invalid(why)),
            None => Vec::new(),
        };
        let state = Arc::new(Mutex::new(State {
            token_lifetime: 7200,
            polls_before_saved: 1,
            file_size: 4096,
            tenant_page_size: self.tenant_page_size,
            answer_delay: self.answer_delay,
            ..State::default()
        }));
        lock(&state).add_tenants(tenants).map_err(invalid)?;
        lock(&state).requests.max = self.max_recorded;
        {
            let mut s = lock(&state);
            for report in reports {
                let id = report["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                s.store(id, report);
            }
        }
        let handler_state = state.clone();
        let server = Server::start(self.port, self.limits, move |req| {
            serve(&handler_state, req)
        })?;
        Ok(Emulator { server, state })
    }
}

/// The longest [`EmulatorBuilder::answer_delay`]: ten minutes (a longer one is a unit
/// mistake), as for a fault's `delay_ms`.
const MAX_ANSWER_DELAY: Duration = Duration::from_secs(600);

/// Answers one request: the admin interface's at once, the API's recorded, then answered as
/// the faults and the API say, after the standing answer delay.
fn serve(state: &Mutex<State>, req: &http::HttpRequest) -> HttpResponse {
    let mut s = lock(state);
    if admin::is_admin(req) {
        return admin::handle(&mut s, req);
    }
    s.requests.push(req.clone());
    let mut answer = api::handle(&mut s, req);
    if !s.answer_delay.is_zero() {
        answer.delay = Some(answer.delay.unwrap_or_default() + s.answer_delay);
    }
    answer
}

/// A running emulator; it stops when dropped.
pub struct Emulator {
    server: Server,
    state: Arc<Mutex<State>>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url())
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Starts an emulator on a free port of 127.0.0.1, seeded with a monthly report
    /// ([`MONTHLY_REPORT_ID`]) and a one-time report ([`ONCE_REPORT_ID`]).
    ///
    /// # Errors
    ///
    /// When no loopback port can be bound.
    pub fn start() -> io::Result<Emulator> {
        Emulator::builder().start()
    }

    /// A builder, to choose the port and the reports to start with.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// Serves until the process ends (for a command that runs the emulator). It returns only
    /// when serving failed, with why: a command should then exit with an error.
    pub fn serve_forever(self) -> io::Error {
        let Emulator { server, state } = self;
        let _keep = state;
        server.wait()
    }

    /// The base URL to give a client: `http://127.0.0.1:<port>/api/2`.
    pub fn base_url(&self) -> String {
        format!("http://{}/api/2", self.server.addr())
    }

    /// The URL of the admin interface, for tests in other languages:
    /// `http://127.0.0.1:<port>/__admin`. Faults, the requests received, reports and a reset
    /// over HTTP in JSON: see the [crate's documentation](crate#the-admin-interface).
    pub fn admin_url(&self) -> String {
        format!("http://{}{}", self.server.addr(), admin::PREFIX)
    }

    /// The requests received so far, in order: the last ones (see
    /// [`EmulatorBuilder::max_recorded_requests`]). Not those of the
    /// [admin interface](crate#the-admin-interface), whose reset forgets these.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state)
            .requests
            .iter()
            .map(RecordedRequest::from_http)
            .collect()
    }

    /// How many requests were received but are no longer kept by
    /// [`requests`](Self::requests) (the oldest, dropped to keep memory bounded), since the
    /// start or the admin interface's last reset.
    pub fn dropped_requests(&self) -> u64 {
        lock(&self.state).requests.dropped
    }

    /// How many TCP connections have been accepted so far.
    pub fn connections(&self) -> usize {
        self.server.connections()
    }

    /// The report `id` (any id type that prints as a UUID, or text) as the emulator holds
    /// it, read into `T`: `acronis_reports::Report`, say, or `serde_json::Value` for the raw
    /// JSON. `None` when there is no such report ([`has_report`](Self::has_report) tells),
    /// or when it does not read as a `T` (read it as a `Value` to see why).
    ///
    /// ```no_run
    /// # let emulator = acronis_reports_emulator::Emulator::start()?;
    /// let report: serde_json::Value =
    ///     emulator.report(acronis_reports_emulator::MONTHLY_REPORT_ID).unwrap();
    /// assert_eq!(report["schedule"]["type"], "monthly");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn report<T: DeserializeOwned>(&self, id: impl fmt::Display) -> Option<T> {
        let id = id.to_string().to_ascii_lowercase();
        let report = lock(&self.state).reports.get(&id).cloned()?;
        serde_json::from_value(report).ok()
    }

    /// Whether the emulator holds report `id`.
    pub fn has_report(&self, id: impl fmt::Display) -> bool {
        let id = id.to_string().to_ascii_lowercase();
        lock(&self.state).reports.contains_key(&id)
    }

    /// Stores `report`, anything that serializes to a report (an `acronis_reports::Report`,
    /// or JSON, which may hold what the vendor's schema allows and the crate's types do not,
    /// such as a `0000-00-00` date), replacing one with the same `id`.
    ///
    /// # Errors
    ///
    /// When `report` does not serialize to an object with an `id`.
    pub fn add_report(&self, report: &impl Serialize) -> Result<(), serde_json::Error> {
        let report = serde_json::to_value(report)?;
        let Some(id) = report["id"].as_str().map(str::to_ascii_lowercase) else {
            return Err(serde::ser::Error::custom("the report has no id"));
        };
        lock(&self.state).store(id, report);
        Ok(())
    }

    /// Adds `n` monthly reports like [`MONTHLY_REPORT_ID`] to [`TENANT_ID`], with fresh ids,
    /// and returns their ids.
    pub fn add_monthly_reports(&self, n: usize) -> Vec<String> {
        let mut s = lock(&self.state);
        let template = api::seed_reports().remove(0);
        (0..n)
            .map(|_| {
                s.ids_made += 1;
                let id = format!("{:08x}-1111-4111-8111-{:012x}", s.ids_made, s.ids_made);
                let mut report = template.clone();
                report["id"] = json!(id);
                s.store(id.clone(), report);
                id
            })
            .collect()
    }

    /// Adds tenants to the tree, or replaces those with their ids (a replaced tenant keeps
    /// its place among its siblings, and its version goes up by one unless given): all of
    /// them, or none when one is not a tenant or would become its own ancestor. Returns their
    /// ids, lowercase.
    ///
    /// Each is anything that serializes to a tenant: an `acronis_reports::tenant::Tenant`, or
    /// JSON with these members, all but `id` optional:
    ///
    /// | member | default |
    /// |---|---|
    /// | `id` | required: a UUID (either case; kept lowercase) |
    /// | `parent_id` | none: a top of the tree, whose `parent_id` is then its own id, as the vendor's root's |
    /// | `kind` | `customer` (any text: a kind a client does not know, too) |
    /// | `name` | the kind and the id's first 8 characters |
    /// | `enabled` | `true` |
    /// | `version` | 1 |
    /// | `deleted_at` | `null`; a date and time: a deleted tenant, listed only with `allow_deleted` |
    /// | `created_at`, `updated_at` | `2026-01-01T00:00:00Z` |
    ///
    /// The vendor's other tenant members (`customer_type`, `contact`...) are accepted, so a
    /// tenant copied from an answer of the API can be seeded, and not kept: the emulator
    /// answers values of its own for them. Any other member is refused.
    ///
    /// ```
    /// # let emulator = acronis_reports_emulator::Emulator::start()?;
    /// use serde_json::json;
    ///
    /// let ids = emulator.add_tenants([
    ///     json!({"id": "f1f1f1f1-0000-4000-8000-000000000001", "kind": "partner"}),
    ///     json!({"id": "c1c1c1c1-0000-4000-8000-000000000001",
    ///            "parent_id": "f1f1f1f1-0000-4000-8000-000000000001", "name": "Acme"}),
    /// ])?;
    /// assert_eq!(ids.len(), 2);
    /// let acme: serde_json::Value = emulator.tenant(&ids[1]).unwrap();
    /// assert_eq!(acme["kind"], "customer");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When one is not a tenant, saying which (from 1) and why; nothing is added then.
    pub fn add_tenants<T: Serialize>(
        &self,
        tenants: impl IntoIterator<Item = T>,
    ) -> Result<Vec<String>, serde_json::Error> {
        let values = tenants
            .into_iter()
            .map(|t| serde_json::to_value(&t))
            .collect::<Result<Vec<_>, _>>()?;
        let read = tenants::read_all(&values).map_err(serde::ser::Error::custom)?;
        lock(&self.state)
            .add_tenants(read)
            .map_err(serde::ser::Error::custom)
    }

    /// Tenant `id` of the tree as `GET /tenants/{id}?allow_deleted=true` answers it (the
    /// vendor's `tenant` object), read into `T`: `acronis_reports::tenant::Tenant`, say, or
    /// `serde_json::Value`. `None` when the tree has no such tenant, or it does not read as a
    /// `T`.
    pub fn tenant<T: DeserializeOwned>(&self, id: impl fmt::Display) -> Option<T> {
        let id = id.to_string().to_ascii_lowercase();
        let tenant = lock(&self.state).tree.tenant_json(&id)?;
        serde_json::from_value(tenant).ok()
    }

    /// The ids of every tenant of the tree, in the order a listing without filters gives them
    /// (by level from the tops of the tree), deleted ones included.
    pub fn tenant_ids(&self) -> Vec<String> {
        lock(&self.state).tree.all_ids()
    }

    /// Seeds a partner tree, fast (no request is made: a tree of 5,000 customers with two
    /// reports each takes about a tenth of a second), and returns what it made: a partner at
    /// the top (its parent, the vendor's root, is not in the tree), `partners` partners under
    /// it, `customers_per_partner` customers under each, and `reports_per_customer` monthly
    /// reports for each customer.
    ///
    /// The ids are deterministic: the same calls on a fresh emulator make the same ids, and
    /// each call makes ids of its own (`7ee0NNNN-GGGG-4000-8000-<number>`: the tree's number
    /// from 1, the group, 0 for the top, 1 partners, 2 customers, 3 reports, and the number in
    /// the group from 1). Partner `p` is named `Partner p`, its customer `c` `Customer p.c`.
    /// A customer's reports are saved or sent, `level` `itself`, each of another (kind,
    /// result action) in turn: `usage_summary` and `usage_daily` saved as `csv_v2_0` for the
    /// first two, then `usage_current`, `usage_breakdown`, then the four sent as `csv` to
    /// [`RECIPIENT_ID`].
    ///
    /// ```
    /// # let emulator = acronis_reports_emulator::Emulator::start()?;
    /// let tree = emulator.seed_partner_tree(2, 3, 2);
    /// assert_eq!((tree.partners.len(), tree.customers.len(), tree.reports.len()), (2, 6, 12));
    /// assert_eq!(tree.root, "7ee00001-0000-4000-8000-000000000000");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn seed_partner_tree(
        &self,
        partners: usize,
        customers_per_partner: usize,
        reports_per_customer: usize,
    ) -> PartnerTree {
        let mut s = lock(&self.state);
        s.trees_seeded += 1;
        let number = s.trees_seeded;
        let (made, reports) = tenants::seed_partner_tree(
            &mut s.tree,
            number,
            partners,
            customers_per_partner,
            reports_per_customer,
        );
        for (id, report) in reports {
            s.store(id, report);
        }
        made
    }

    /// The page size of tenant listings that send no `limit`, from now on (see
    /// [`EmulatorBuilder::tenant_page_size`]). 0 is taken as 1.
    pub fn set_tenant_page_size(&self, n: usize) {
        lock(&self.state).tenant_page_size = n.max(1);
    }

    /// Makes tenant `id` exist with no reports, so that listing its reports answers an empty
    /// list rather than 404. (Tenants of the reports the emulator holds, or held, exist, and
    /// so do those of the tree: see [`add_tenants`](Self::add_tenants).) It does not put the
    /// tenant in the tree.
    pub fn add_tenant(&self, id: impl fmt::Display) {
        lock(&self.state)
            .tenants
            .insert(id.to_string().to_ascii_lowercase());
    }

    /// Sets how the emulator departs from the real API.
    pub fn set_quirks(&self, quirks: Quirks) {
        lock(&self.state).quirks = quirks;
    }

    /// Answers each of the next `n` requests to the reports endpoints (not the token
    /// endpoint) with `status`, the vendor's error body, and a `Retry-After` header when given.
    pub fn fail_next(&self, n: usize, status: u16, retry_after: Option<&str>) {
        let response = canned(status, retry_after);
        lock(&self.state).failures.push(Scope::api(), n, response);
    }

    /// Answers every request about report `id` (`/reports/{id}...`, after the token check
    /// and the faults by count) with `status` and the vendor's error body, until
    /// [`clear_faults`](Self::clear_faults).
    pub fn fail_report(&self, id: impl fmt::Display, status: u16) {
        let id = id.to_string().to_ascii_lowercase();
        lock(&self.state)
            .report_faults
            .insert(id, canned(status, None));
    }

    /// Answers each of the next `n` requests to the reports endpoints with `status` and
    /// `body` as they are (a gateway's HTML page, a truncated report...).
    pub fn answer_next(&self, n: usize, status: u16, body: impl Into<Vec<u8>>) {
        let response = HttpResponse {
            status,
            headers: Vec::new(),
            body: body.into(),
            delay: None,
        };
        lock(&self.state).failures.push(Scope::api(), n, response);
    }

    /// Answers each of the next `n` requests to the reports endpoints as usual, but after
    /// `delay` (a slow service; a timeout when longer than the client's).
    pub fn delay_next(&self, n: usize, delay: Duration) {
        lock(&self.state).delays.push(Scope::api(), n, delay);
    }

    /// Clears the faults by report and by count (not an outage: see
    /// [`end_outage`](Self::end_outage)).
    pub fn clear_faults(&self) {
        lock(&self.state).clear_faults();
    }

    /// Starts an outage once `after` more requests have been served: from then on every
    /// request (to the token endpoint too) is answered with `status`, the vendor's error
    /// body and a `Retry-After` header when given, until [`end_outage`](Self::end_outage).
    /// `after` 0 starts it at once.
    pub fn outage_after(&self, after: usize, status: u16, retry_after: Option<&str>) {
        lock(&self.state).start_outage(after, status, retry_after.map(str::to_owned));
    }

    /// Ends the outage: requests are served again.
    pub fn end_outage(&self) {
        lock(&self.state).outage = None;
    }

    /// How many requests the current (or last) outage has answered with its status: what the
    /// clients sent to a service that was down.
    pub fn outage_answers(&self) -> usize {
        lock(&self.state).outage_answers
    }

    /// When the current (or last) outage answered its first request.
    pub fn outage_began(&self) -> Option<std::time::Instant> {
        lock(&self.state).outage_began
    }

    /// Answers each of the next `n` token requests with `status` and an OAuth error body.
    pub fn fail_next_token_requests(&self, n: usize, status: u16) {
        lock(&self.state)
            .failures
            .push(Scope::token(), n, canned_token_error(status));
    }

    /// How many looks at a created report's stored files show them `in_progress` before
    /// they are `saved` (or `failed`). Default: 1.
    pub fn set_polls_before_saved(&self, polls: u32) {
        lock(&self.state).polls_before_saved = polls;
    }

    /// The size of files generated from now on, before compression. Default: 4096 bytes.
    pub fn set_file_size(&self, bytes: usize) {
        lock(&self.state).file_size = bytes;
    }

    /// The content of the files generated for `report_id` at `size` bytes: what a download
    /// must produce after decompression, for every format but the usage formats (`csv_v2_0`
    /// and `json_v2_0`), whose files hold usage: see [`usage_content`](Self::usage_content).
    pub fn file_content(report_id: impl fmt::Display, size: usize) -> Vec<u8> {
        lifecycle::file_content(&report_id.to_string().to_ascii_lowercase(), size)
    }

    /// The content of a `csv_v2_0` or `json_v2_0` file generated for a report of `tenant`
    /// over the period `begin` to `end` (`YYYY-MM-DD`), decompressed; `None` for another
    /// format. It holds the usage of `tenant` (a partner) and of [`CUSTOMER_A`] and
    /// [`CUSTOMER_B`]: storage in bytes (10^16 for customer A, past 2^53), a trial part,
    /// compute points (points in CSV, seconds in JSON), workstations, a feature, and a column
    /// (`sku.name`) and a member (`aggregation`) that the crate does not know.
    pub fn usage_content(
        format: &str,
        tenant: impl fmt::Display,
        begin: &str,
        end: &str,
    ) -> Option<Vec<u8>> {
        usage::content(format, &tenant.to_string().to_ascii_lowercase(), begin, end)
    }

    /// How many tokens `/idp/token` has issued.
    pub fn tokens_issued(&self) -> usize {
        lock(&self.state).tokens_issued
    }

    /// Makes every issued token invalid, as if it had expired: calls with one get 401.
    pub fn revoke_tokens(&self) {
        lock(&self.state).issued.clear();
    }

    /// The lifetime of tokens issued from now on, in seconds: their `expires_in`, and
    /// `expires_on` that many seconds from now. Default: 7200.
    pub fn set_token_lifetime(&self, seconds: i64) {
        lock(&self.state).token_lifetime = seconds;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use super::{MONTHLY_REPORT_ID, TOKEN, serve};
    use crate::http::HttpRequest;
    use crate::state::{Scope, State};

    fn state(delay_ms: u64) -> Mutex<State> {
        Mutex::new(State {
            token_lifetime: 7200,
            reports: crate::api::seed_reports()
                .into_iter()
                .map(|r| (r["id"].as_str().unwrap().to_owned(), r))
                .collect(),
            answer_delay: Duration::from_millis(delay_ms),
            ..State::default()
        })
    }

    fn request(method: &str, target: &str) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            target: target.into(),
            headers: vec![("authorization".into(), format!("Bearer {TOKEN}"))],
            body: vec![],
        }
    }

    fn report() -> HttpRequest {
        request("GET", &format!("/api/2/reports/{MONTHLY_REPORT_ID}"))
    }

    /// The delay an answer is sent after, in milliseconds (`None`: at once). The server
    /// sleeps for what the answer says; this is what it is told.
    fn delay_of(state: &Mutex<State>, req: &HttpRequest) -> (u16, Option<u128>) {
        let answer = serve(state, req);
        (answer.status, answer.delay.map(|d| d.as_millis()))
    }

    #[test]
    fn the_answer_delay_holds_every_api_answer_and_no_admin_one() {
        let s = state(50);
        assert_eq!(delay_of(&s, &report()), (200, Some(50)));
        let mut token = request("POST", "/api/2/idp/token");
        token.headers.clear();
        // Refused (no credentials), and late all the same.
        assert_eq!(delay_of(&s, &token).1, Some(50));
        let mut anonymous = report();
        anonymous.headers.clear();
        assert_eq!(delay_of(&s, &anonymous), (401, Some(50)));
        assert_eq!(delay_of(&s, &request("GET", "/nowhere")), (404, Some(50)));
        for admin in ["/__admin", "/__admin/requests", "/__admin/nowhere"] {
            assert_eq!(delay_of(&s, &request("GET", admin)).1, None, "{admin}");
        }
        // Every API request was recorded, no admin one.
        assert_eq!(s.lock().unwrap().requests.iter().count(), 4);
    }

    #[test]
    fn a_fault_delay_comes_on_top_of_the_answer_delay() {
        let s = state(50);
        s.lock()
            .unwrap()
            .delays
            .push(Scope::api(), 1, Duration::from_millis(300));
        assert_eq!(delay_of(&s, &report()), (200, Some(350)));
        assert_eq!(delay_of(&s, &report()), (200, Some(50)));
        let mut late_503 = crate::bodies::canned(503, None);
        late_503.delay = Some(Duration::from_millis(200));
        s.lock().unwrap().failures.push(Scope::api(), 1, late_503);
        assert_eq!(delay_of(&s, &report()), (503, Some(250)));
    }

    #[test]
    fn without_an_answer_delay_answers_go_at_once() {
        let s = state(0);
        assert_eq!(delay_of(&s, &report()), (200, None));
        s.lock()
            .unwrap()
            .delays
            .push(Scope::api(), 1, Duration::from_millis(300));
        assert_eq!(delay_of(&s, &report()), (200, Some(300)));
    }
}
