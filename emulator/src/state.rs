//! What the emulator holds: its reports, stored files, tokens, the requests it received,
//! and the faults and quirks a test asked for.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

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
    /// Canned answers for the next report requests, in order.
    pub(crate) failures: VecDeque<HttpResponse>,
    /// Canned answers for the next token requests, in order.
    pub(crate) token_failures: VecDeque<HttpResponse>,
    /// Canned answers for every request about a report, by its id.
    pub(crate) report_faults: BTreeMap<String, HttpResponse>,
    /// Delays for the next requests, in order.
    pub(crate) delays: VecDeque<std::time::Duration>,
    /// Stored files by report id.
    pub(crate) stored: BTreeMap<String, Vec<StoredFile>>,
    /// Tenants that exist: those added, and those of every report ever stored (a tenant
    /// whose reports were all deleted still exists).
    pub(crate) tenants: std::collections::BTreeSet<String>,
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
    /// Stores `report` under `id` (lowercase), and knows its tenant from then on.
    pub(crate) fn store(&mut self, id: String, report: Value) {
        if let Some(tenant) = report["parameters"]["tenant_id"].as_str() {
            self.tenants.insert(tenant.to_ascii_lowercase());
        }
        self.reports.insert(id, report);
    }
}
