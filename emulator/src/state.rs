//! What the emulator holds: its reports, stored files, tenants, tokens, the requests it
//! received, and the faults and quirks a test asked for.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::http::{HttpRequest, HttpResponse};

/// How the emulator departs from the real API, to test a client's checks. Build one with its
/// setters: `Quirks::new().ignore_updates(true)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Quirks {
    /// Answer `PUT` with 200 and the report unchanged, as a broken server might.
    pub ignore_updates: bool,
    /// Answer a successful `PUT` with `204 No Content` instead of the report.
    pub put_answers_204: bool,
    /// Answer `POST /reports` with 400 "Usage history is not ready yet", as between 1 and
    /// 6 am.
    pub usage_not_ready: bool,
    /// Let the generation of created reports' files fail.
    pub generation_fails: bool,
}

impl Quirks {
    /// No quirk: the emulator behaves as the API.
    pub fn new() -> Quirks {
        Quirks::default()
    }

    /// Sets [`ignore_updates`](Quirks#structfield.ignore_updates).
    pub fn ignore_updates(mut self, yes: bool) -> Quirks {
        self.ignore_updates = yes;
        self
    }

    /// Sets [`put_answers_204`](Quirks#structfield.put_answers_204).
    pub fn put_answers_204(mut self, yes: bool) -> Quirks {
        self.put_answers_204 = yes;
        self
    }

    /// Sets [`usage_not_ready`](Quirks#structfield.usage_not_ready).
    pub fn usage_not_ready(mut self, yes: bool) -> Quirks {
        self.usage_not_ready = yes;
        self
    }

    /// Sets [`generation_fails`](Quirks#structfield.generation_fails).
    pub fn generation_fails(mut self, yes: bool) -> Quirks {
        self.generation_fails = yes;
        self
    }
}

/// A file a report produced.
#[derive(Debug, Clone)]
pub(crate) struct StoredFile {
    pub(crate) id: String,
    pub(crate) format: String,
    /// How many more looks at the list show it `in_progress`.
    pub(crate) polls_left: u32,
    pub(crate) failed: bool,
    /// The file as served: gzip-compressed.
    pub(crate) gzipped: Vec<u8>,
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) reports: BTreeMap<String, Value>,
    pub(crate) requests: Recorded,
    pub(crate) quirks: Quirks,
    /// Tokens issued by `/idp/token` and still valid.
    pub(crate) issued: Vec<String>,
    pub(crate) tokens_issued: usize,
    pub(crate) token_lifetime: i64,
    /// Canned answers for the next requests of their scope (the token endpoint's, or the
    /// others'), in order.
    pub(crate) failures: Queue<HttpResponse>,
    /// Canned answers for every request about a report, by its id.
    pub(crate) report_faults: BTreeMap<String, HttpResponse>,
    /// Delays for the next requests of their scope, in order.
    pub(crate) delays: Queue<Duration>,
    /// Stored files by report id.
    pub(crate) stored: BTreeMap<String, Vec<StoredFile>>,
    /// Tenants that exist: those added, and those of every report ever stored (a tenant
    /// whose reports were all deleted still exists).
    pub(crate) tenants: BTreeSet<String>,
    /// The ids of each tenant's reports, by the tenant id as the reports hold it: a tenant's
    /// listing without a look at every report.
    pub(crate) reports_by_tenant: BTreeMap<String, BTreeSet<String>>,
    /// The tenant tree: tenants with a parent, a name, a kind... (`GET /tenants`).
    pub(crate) tree: crate::tenants::Tree,
    /// The page size of a tenant listing that sends no `limit`; 0: the vendor's default.
    pub(crate) tenant_page_size: usize,
    /// How many partner trees were seeded: each one's ids are its own.
    pub(crate) trees_seeded: u64,
    pub(crate) ids_made: u64,
    /// How many looks at the stored list show a new file `in_progress`.
    pub(crate) polls_before_saved: u32,
    /// The size of generated files, before compression.
    pub(crate) file_size: usize,
    /// An outage: after `after` more requests, every request (token endpoint included) is
    /// answered with `status`.
    pub(crate) outage: Option<Outage>,
    /// How many requests the outage has answered.
    pub(crate) outage_answers: usize,
    /// When the outage answered its first request.
    pub(crate) outage_began: Option<Instant>,
    /// How long after its request every answer of the API is sent (zero: at once).
    pub(crate) answer_delay: Duration,
}

/// The requests received, the last ones only: at most `max` of them, and at most
/// [`MAX_RECORDED_BYTES`] of their bodies; the older ones are dropped and counted.
#[derive(Default)]
pub(crate) struct Recorded {
    kept: VecDeque<HttpRequest>,
    bytes: usize,
    pub(crate) dropped: u64,
    /// 0: the default, [`DEFAULT_RECORDED`].
    pub(crate) max: usize,
}

/// How many requests are kept by default.
pub(crate) const DEFAULT_RECORDED: usize = 10_000;

/// How many bytes of bodies are kept at most, whatever the count.
pub(crate) const MAX_RECORDED_BYTES: usize = 64 * 1024 * 1024;

impl Recorded {
    pub(crate) fn push(&mut self, request: HttpRequest) {
        let max = if self.max == 0 {
            DEFAULT_RECORDED
        } else {
            self.max
        };
        self.bytes += request.body.len();
        self.kept.push_back(request);
        while self.kept.len() > max || (self.bytes > MAX_RECORDED_BYTES && self.kept.len() > 1) {
            if let Some(old) = self.kept.pop_front() {
                self.bytes -= old.body.len();
                self.dropped += 1;
            }
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &HttpRequest> {
        self.kept.iter()
    }

    /// Forgets every request, and the count of dropped ones; how many were kept.
    pub(crate) fn clear(&mut self) -> usize {
        let n = self.kept.len();
        self.kept.clear();
        self.bytes = 0;
        self.dropped = 0;
        n
    }
}

/// A request as the faults see it: its method, its path (no query), and whether it is a token
/// request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) token: bool,
}

impl<'a> Call<'a> {
    /// `request` as the faults see it: a token request is `POST /api/2/idp/token`, as the API
    /// routes it (the query aside).
    pub(crate) fn of(request: &'a HttpRequest) -> Call<'a> {
        let path = request
            .target
            .split_once('?')
            .map_or(request.target.as_str(), |(path, _)| path);
        Call {
            method: &request.method,
            path,
            token: request.method == "POST" && is_token_path(path),
        }
    }
}

/// Whether `path` (no query) is the token endpoint's, as the API routes it.
pub(crate) fn is_token_path(path: &str) -> bool {
    path.strip_prefix("/api/2")
        .is_some_and(|rest| rest.trim_start_matches('/') == "idp/token")
}

/// Which requests a fault applies to: token requests, or the others (all of them, or those of
/// one method, or of one path and the paths below it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Scope {
    /// Token requests only; without it, never them.
    pub(crate) token: bool,
    /// Only requests of this method.
    pub(crate) method: Option<String>,
    /// Only requests of this path, or of a path below it: `/api/2/reports/ID` takes
    /// `/api/2/reports/ID/stored` too, not `/api/2/reports/ID2`.
    pub(crate) path: Option<String>,
}

impl Scope {
    /// Every request but token requests.
    pub(crate) fn api() -> Scope {
        Scope::default()
    }

    /// Token requests.
    pub(crate) fn token() -> Scope {
        Scope {
            token: true,
            ..Scope::default()
        }
    }

    fn matches(&self, call: &Call<'_>) -> bool {
        self.token == call.token
            && self.method.as_deref().is_none_or(|m| m == call.method)
            && self.path.as_deref().is_none_or(|p| {
                call.path
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
    }
}

/// Faults waiting for the requests of their scope: each answers the next `left` of them, the
/// first registered first.
pub(crate) struct Queue<T> {
    waiting: VecDeque<Queued<T>>,
}

struct Queued<T> {
    scope: Scope,
    left: usize,
    item: T,
}

impl<T> Default for Queue<T> {
    fn default() -> Self {
        Queue {
            waiting: VecDeque::new(),
        }
    }
}

impl<T: Clone> Queue<T> {
    /// `item` for the next `times` requests of `scope` (none when `times` is 0).
    pub(crate) fn push(&mut self, scope: Scope, times: usize, item: T) {
        if times > 0 {
            self.waiting.push_back(Queued {
                scope,
                left: times,
                item,
            });
        }
    }

    /// The item of the first fault whose scope takes `call`, counted as used.
    pub(crate) fn take(&mut self, call: &Call<'_>) -> Option<T> {
        let at = self.waiting.iter().position(|q| q.scope.matches(call))?;
        let queued = self.waiting.get_mut(at)?;
        queued.left -= 1;
        if queued.left == 0 {
            self.waiting.remove(at).map(|q| q.item)
        } else {
            Some(queued.item.clone())
        }
    }

    /// Drops every fault; how many there were.
    pub(crate) fn clear(&mut self) -> usize {
        let n = self.waiting.len();
        self.waiting.clear();
        n
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Outage {
    pub(crate) after: usize,
    pub(crate) status: u16,
    pub(crate) retry_after: Option<String>,
}

pub(crate) fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl State {
    /// Starts an outage once `after` more requests have been served (see
    /// `Emulator::outage_after`).
    pub(crate) fn start_outage(&mut self, after: usize, status: u16, retry_after: Option<String>) {
        self.outage = Some(Outage {
            after,
            status,
            retry_after,
        });
        self.outage_answers = 0;
        self.outage_began = None;
    }

    /// Clears the faults by report and by count (not an outage); how many there were.
    pub(crate) fn clear_faults(&mut self) -> usize {
        let n = self.failures.clear() + self.delays.clear() + self.report_faults.len();
        self.report_faults.clear();
        n
    }

    /// Stores `report` under `id` (lowercase), and knows its tenant from then on.
    pub(crate) fn store(&mut self, id: String, report: Value) {
        let tenant = report["parameters"]["tenant_id"]
            .as_str()
            .map(str::to_owned);
        if let Some(tenant) = &tenant {
            self.tenants.insert(tenant.to_ascii_lowercase());
        }
        let old = self.reports.insert(id.clone(), report);
        let old_tenant = old
            .as_ref()
            .and_then(|r| r["parameters"]["tenant_id"].as_str())
            .map(str::to_owned);
        self.reindex(&id, old_tenant, tenant);
    }

    /// Forgets report `id` (and its files); whether it was there.
    pub(crate) fn remove_report(&mut self, id: &str) -> bool {
        self.stored.remove(id);
        let Some(old) = self.reports.remove(id) else {
            return false;
        };
        let tenant = old["parameters"]["tenant_id"].as_str().map(str::to_owned);
        self.reindex(id, tenant, None);
        true
    }

    /// Moves report `id` in the index by tenant from `old` to `new` (either absent).
    pub(crate) fn reindex(&mut self, id: &str, old: Option<String>, new: Option<String>) {
        if old == new {
            return;
        }
        if let Some(old) = old {
            if let Some(ids) = self.reports_by_tenant.get_mut(&old) {
                ids.remove(id);
                if ids.is_empty() {
                    self.reports_by_tenant.remove(&old);
                }
            }
        }
        if let Some(new) = new {
            self.reports_by_tenant
                .entry(new)
                .or_default()
                .insert(id.to_owned());
        }
    }

    /// The ids of the reports of `tenant` (as the reports spell it), in id order.
    pub(crate) fn report_ids_of(&self, tenant: &str) -> Vec<&String> {
        self.reports_by_tenant
            .get(tenant)
            .map(|ids| ids.iter().collect())
            .unwrap_or_default()
    }

    /// Adds tenants to the tree, all or none (see `tenants::Tree::add_all`).
    pub(crate) fn add_tenants(
        &mut self,
        tenants: Vec<crate::tenants::NewTenant>,
    ) -> Result<Vec<String>, String> {
        self.tree.add_all(tenants)
    }

    /// The page size of a tenant listing that sends no `limit`.
    pub(crate) fn tenant_page_size(&self) -> usize {
        match self.tenant_page_size {
            0 => crate::tenants::DEFAULT_PAGE_SIZE,
            n => n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Call, Queue, Scope};

    fn call<'a>(method: &'a str, path: &'a str) -> Call<'a> {
        Call {
            method,
            path,
            token: false,
        }
    }

    #[test]
    fn a_scope_takes_its_path_and_the_paths_below_it() {
        let scope = Scope {
            path: Some("/api/2/reports/abc".into()),
            ..Scope::api()
        };
        for (path, taken) in [
            ("/api/2/reports/abc", true),
            ("/api/2/reports/abc/stored", true),
            ("/api/2/reports/abcd", false),
            ("/api/2/reports", false),
        ] {
            assert_eq!(scope.matches(&call("GET", path)), taken, "{path}");
        }
        let puts = Scope {
            method: Some("PUT".into()),
            ..Scope::api()
        };
        assert!(puts.matches(&call("PUT", "/api/2/reports/abc")));
        assert!(!puts.matches(&call("GET", "/api/2/reports/abc")));
        let token = Call {
            token: true,
            ..call("POST", "/api/2/idp/token")
        };
        assert!(!Scope::api().matches(&token));
        assert!(Scope::token().matches(&token));
        assert!(!Scope::token().matches(&call("GET", "/api/2/reports/abc")));
    }

    #[test]
    fn the_reports_of_a_tenant_follow_their_reports_as_they_move_and_go() {
        let mut s = super::State::default();
        let report = |tenant: &str| serde_json::json!({"parameters": {"tenant_id": tenant}});
        s.store("r1".into(), report("t1"));
        s.store("r2".into(), report("t1"));
        s.store("r3".into(), report("t2"));
        assert_eq!(s.report_ids_of("t1"), ["r1", "r2"]);
        s.store("r1".into(), report("t2"));
        assert_eq!(s.report_ids_of("t1"), ["r2"]);
        assert_eq!(s.report_ids_of("t2"), ["r1", "r3"]);
        assert!(s.remove_report("r2"));
        assert!(!s.remove_report("r2"));
        assert!(s.report_ids_of("t1").is_empty());
        assert!(
            s.tenants.contains("t1"),
            "a tenant whose reports went still exists"
        );
        s.reindex("r3", Some("t2".into()), Some("t3".into()));
        assert_eq!(s.report_ids_of("t3"), ["r3"]);
    }

    #[test]
    fn a_queue_answers_the_first_matching_fault_its_number_of_times() {
        let mut queue = Queue::default();
        let gets = Scope {
            method: Some("GET".into()),
            ..Scope::api()
        };
        queue.push(gets, 2, "get");
        queue.push(Scope::api(), 1, "any");
        queue.push(Scope::api(), 0, "never");
        let (get, put) = (call("GET", "/api/2/x"), call("PUT", "/api/2/x"));
        assert_eq!(queue.take(&put), Some("any"));
        assert_eq!(queue.take(&put), None);
        assert_eq!(queue.take(&get), Some("get"));
        assert_eq!(queue.take(&get), Some("get"));
        assert_eq!(queue.take(&get), None);
        queue.push(Scope::api(), 3, "later");
        assert_eq!(queue.clear(), 1);
        assert_eq!(queue.take(&get), None);
    }
}
