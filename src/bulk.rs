//! Bulk runs: one job per id, on a bounded set of threads sharing one client, that fail
//! safe.
//!
//! [`Client::update_many`] applies one [`ReportUpdate`] to many reports;
//! [`Client::for_each_id`] runs any job. Ids are pulled from the iterator as threads get free
//! and results come back as they finish, through a bounded channel: memory does not grow
//! with the number of ids. **Every id yields exactly one result**, in one of three kinds: the
//! job's success, the job's error, or [`Error::NotAttempted`] for an id the run did not take
//! up because it stopped.
//!
//! A run stops taking up ids (the calls in flight finish and are reported; the ids left are
//! reported `NotAttempted` with the [`StopReason`]) when:
//!
//! - **the service keeps failing**: [`stop_after_failures`](BulkOptions::stop_after_failures)
//!   calls in a row (5 by default) fail with service trouble (no answer, a timeout, 429 or a
//!   5xx) once retries can no longer help, because the client's
//!   [retry budget](crate::RetryBudget) is spent or the failure is not one to retry. In a
//!   total outage a run of any size stops after a bounded number of requests (about 150 with
//!   the default budget);
//! - **the service stops answering**: two rounds of every thread's requests in a row (and at
//!   least `stop_after_failures`) got no answer within the time limit
//!   ([`StopReason::NoAnswers`]): a run stops within about two time limits;
//! - **the credentials are refused**: a 401 that a renewed token did not cure, or a token
//!   endpoint that refuses the API client (or gives no usable token:
//!   [`StopReason::NoUsableToken`]). Every further call would be refused too;
//! - **it is told to**: [`StopHandle::stop`] (the command-line tool does on Ctrl-C).
//!
//! A 429 answer pauses every call of the client, so a throttled run slows down as a whole.
//!
//! **Owned ids.** The ids and the job must be `'static`: the run's threads work while you
//! read the results, after the call that started the run has returned, so they cannot
//! borrow from your stack. Give owned ids (an iterator that owns them, or `String`s), not
//! `&str`s borrowed from a text: `text.lines().map(str::trim)` does not compile ("`text` does
//! not live long enough"); this does, and still reads the ids lazily:
//!
//! ```no_run
//! # use acronis_reports::{Client, ReportUpdate};
//! # let client = Client::builder().base_url("https://eu2-cloud.acronis.com/api/2").bearer_token("t").build()?;
//! let text = std::fs::read_to_string("ids.txt")?;
//! let ids: Vec<String> = text.lines().map(|l| l.trim().to_owned()).collect();
//! for (id, result) in client.update_many(ids, &ReportUpdate::disable(), 8) {
//!     println!("{id}: {}", if result.is_ok() { "disabled" } else { "failed" });
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ```no_run
//! use acronis_reports::{Client, Error, ReportUpdate};
//!
//! # let client = Client::builder().base_url("https://eu2-cloud.acronis.com/api/2").bearer_token("t").build()?;
//! let ids = vec!["20dffb36-d77b-45c6-b2fa-39276e98d5fc".to_owned()];
//! for (id, result) in client.update_many(ids, &ReportUpdate::disable(), 4) {
//!     match result {
//!         Ok(report) => println!("{id}: disabled (version {})", report.version),
//!         Err(Error::NotAttempted { reason, .. }) => println!("{id}: not attempted: {reason}"),
//!         Err(e) => eprintln!("{id}: {e}"),
//!     }
//! }
//! # Ok::<(), acronis_reports::Error>(())
//! ```

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use crate::client::{CallEnd, Client, RunHooks, UpdateOutcome};
use crate::error::Error;
use crate::id::{IntoId, ReportId};
use crate::model::Report;
use crate::patch::ReportUpdate;
use crate::stop::StopSignal;

pub use crate::stop::StopHandle;
use crate::stop::StopReason;

/// The most threads a bulk run uses; a larger `concurrency` is taken as this.
pub const MAX_CONCURRENCY: usize = 256;

/// How a bulk run goes: how many threads, and when it stops by itself.
///
/// A number converts into options with that concurrency, so `update_many(ids, &update, 8)`
/// works as well as `update_many(ids, &update, BulkOptions::new().concurrency(8))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[must_use]
pub struct BulkOptions {
    concurrency: usize,
    stop_after_failures: Option<u32>,
}

impl Default for BulkOptions {
    fn default() -> Self {
        BulkOptions {
            concurrency: 4,
            stop_after_failures: Some(5),
        }
    }
}

impl From<usize> for BulkOptions {
    fn from(concurrency: usize) -> Self {
        BulkOptions::new().concurrency(concurrency)
    }
}

impl BulkOptions {
    /// The default options: 4 threads; stop after 5 calls in a row fail with service
    /// trouble once retries can no longer help.
    pub fn new() -> Self {
        BulkOptions::default()
    }

    /// How many ids are worked on at once, 1 to [`MAX_CONCURRENCY`] (values outside are
    /// taken as the nearest). Above 8, size the client's pool to match with
    /// [`ClientBuilder::max_idle_connections_per_host`](crate::ClientBuilder::max_idle_connections_per_host).
    /// Default: 4.
    pub fn concurrency(mut self, threads: usize) -> Self {
        self.concurrency = threads.clamp(1, MAX_CONCURRENCY);
        self
    }

    /// After how many calls in a row that fail with service trouble (no answer, a timeout, a
    /// redirect, 429 or a 5xx, after their retries), once retries can no longer help (the
    /// retry budget is spent or the failure is not one to retry), the run stops:
    /// [`StopReason::ServiceFailing`] (or [`StopReason::Throttled`] when the last was a 429).
    /// At least 1 (0 is taken as 1). Default: 5.
    pub fn stop_after_failures(mut self, failures: u32) -> Self {
        self.stop_after_failures = Some(failures.max(1));
        self
    }

    /// The run never stops for failures, however many in a row (it still stops when the
    /// credentials are refused, and when told to). For a dry run, say, whose every request
    /// "fails" by design.
    pub fn never_stop_for_failures(mut self) -> Self {
        self.stop_after_failures = None;
        self
    }
}

/// The results of a bulk run, as they finish: `(id, result)` for every id, in no particular
/// order.
///
/// Dropping it stops the run: no new id is started, and the drop waits for the jobs in flight
/// (each at most one call, whose retries end at once), not for a thread waiting on a slow id
/// source (stdin, say): that thread ends by itself once the source yields. If a job (or the iterator of ids)
/// panics, the run stops ([`StopReason::JobPanicked`]) and the panic is raised again from
/// [`next`](Iterator::next) once the other results are read: no id disappears silently (the
/// id whose job panicked yields `Error::NotAttempted` with `JobPanicked`, though its job may
/// have sent requests).
#[must_use = "a bulk run stops when its results are dropped"]
pub struct BulkResults<Id, T> {
    /// `None` once dropped, so that workers blocked on a full channel wake up.
    results: Option<Receiver<(Id, Result<T, Error>)>>,
    /// Every worker is done: the run ended by itself, and a drop has nothing to stop.
    finished: bool,
    run: Arc<Run>,
    panic: Arc<PanicSlot>,
    workers: Vec<JoinHandle<()>>,
}

impl<Id, T> BulkResults<Id, T> {
    /// A handle that stops the run from anywhere (a signal handler's thread, say): see
    /// [`StopHandle`]. The results go on until every id is accounted for.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.run.signal.clone())
    }

    /// Why the run stopped, or `None` while it goes on (or when it ran to the end).
    pub fn stop_reason(&self) -> Option<StopReason> {
        self.run.signal.reason()
    }
}

impl<Id, T> Iterator for BulkResults<Id, T> {
    type Item = (Id, Result<T, Error>);

    fn next(&mut self) -> Option<Self::Item> {
        match self.results.as_ref()?.recv() {
            Ok(item) => Some(item),
            Err(_) => {
                self.finished = true;
                let panic = self
                    .panic
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take();
                if let Some(payload) = panic {
                    std::panic::resume_unwind(payload);
                }
                None
            }
        }
    }
}

impl<Id, T> Drop for BulkResults<Id, T> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        self.run.signal.stop(StopReason::Requested);
        // Closing the channel makes a worker's next send fail, so none stays blocked.
        drop(self.results.take());
        // Wait for the jobs in flight, not for a thread waiting on the id source: that one
        // ends by itself once the source yields (or the process ends).
        let mut busy = self.run.busy.lock().unwrap_or_else(PoisonError::into_inner);
        while *busy > 0 {
            busy = self
                .run
                .idle
                .wait(busy)
                .unwrap_or_else(PoisonError::into_inner);
        }
        drop(busy);
        self.workers.clear();
    }
}

impl<Id, T> std::fmt::Debug for BulkResults<Id, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BulkResults")
            .field("threads", &self.workers.len())
            .field("stop_reason", &self.stop_reason())
            .finish_non_exhaustive()
    }
}

/// A panic caught on a worker, kept for [`BulkResults::next`] to raise (the first one wins).
type PanicSlot = Mutex<Option<Box<dyn std::any::Any + Send>>>;

fn keep_panic(slot: &PanicSlot, payload: Box<dyn std::any::Any + Send>) {
    slot.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert(payload);
}

/// One run's state: its stop signal and its circuit breaker.
struct Run {
    signal: Arc<StopSignal>,
    /// Calls in a row that failed with service trouble.
    failures: AtomicU32,
    stop_after_failures: Option<u32>,
    /// Attempts in a row, across the run's threads, that got no answer at all.
    unanswered: AtomicU32,
    /// How many of those stop the run: two rounds of every thread's attempts, and at least
    /// `stop_after_failures`, so that a server that accepts connections and never answers
    /// stops a run within about two time limits, whatever its size. `None` when the run never
    /// stops for failures.
    stop_after_unanswered: Option<u32>,
    /// How many jobs are running, and the condition a drop waits on for none.
    busy: Mutex<usize>,
    idle: std::sync::Condvar,
}

impl Run {
    /// Starts a job, counted for [`BulkResults`]'s drop, unless the run has stopped. The
    /// check and the count are made under one lock, which the drop takes after stopping the
    /// run: a job either is counted before the drop looks, or sees the stop.
    fn begin_job(&self) -> Result<(), StopReason> {
        let mut busy = self.busy.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(reason) = self.signal.reason() {
            return Err(reason);
        }
        *busy += 1;
        Ok(())
    }

    /// A job started with [`begin_job`](Self::begin_job) is over.
    fn end_job(&self) {
        let mut busy = self.busy.lock().unwrap_or_else(PoisonError::into_inner);
        *busy -= 1;
        if *busy == 0 {
            self.idle.notify_all();
        }
    }
}

impl RunHooks for Run {
    fn signal(&self) -> &StopSignal {
        &self.signal
    }

    fn attempt_ended(&self, answered: bool) {
        if answered {
            self.unanswered.store(0, Ordering::SeqCst);
            return;
        }
        let requests = self
            .unanswered
            .fetch_add(1, Ordering::SeqCst)
            .saturating_add(1);
        if self.stop_after_unanswered.is_some_and(|n| requests >= n) {
            crate::logging::warning!(
                "{requests} requests in a row got no answer: the bulk run stops"
            );
            self.signal.stop(StopReason::NoAnswers { requests });
        }
    }

    fn call_ended(&self, end: CallEnd) {
        match end {
            CallEnd::Answered => self.failures.store(0, Ordering::SeqCst),
            CallEnd::Failed {
                retry_could_help,
                throttled,
            } => {
                let failures = self
                    .failures
                    .fetch_add(1, Ordering::SeqCst)
                    .saturating_add(1);
                let tripped = self.stop_after_failures.is_some_and(|n| failures >= n);
                if tripped && !retry_could_help {
                    crate::logging::warning!(
                        "{failures} calls in a row failed and retries cannot help: the bulk run stops"
                    );
                    self.signal.stop(if throttled {
                        StopReason::Throttled { failures }
                    } else {
                        StopReason::ServiceFailing { failures }
                    });
                }
            }
            CallEnd::CredentialsRefused => {
                crate::logging::warning!("the credentials were refused: the bulk run stops");
                self.signal.stop(StopReason::CredentialsRefused);
            }
            CallEnd::NoUsableToken => {
                crate::logging::warning!(
                    "the token endpoint gave no usable token: the bulk run stops"
                );
                self.signal.stop(StopReason::NoUsableToken);
            }
        }
    }
}

impl Client {
    /// Applies `update` to every report in `ids` with
    /// [`update_report`](Self::update_report) (ids checked, results verified), on the
    /// threads `options` says (a number will do) sharing this client and its connections.
    /// See [`for_each_id`](Self::for_each_id) and the [module](crate::bulk) for when a run
    /// stops by itself.
    pub fn update_many<I>(
        &self,
        ids: I,
        update: &ReportUpdate,
        options: impl Into<BulkOptions>,
    ) -> BulkResults<I::Item, Report>
    where
        I: IntoIterator,
        I::IntoIter: Send + 'static,
        I::Item: IntoId<ReportId> + Clone + Send + 'static,
    {
        let update = update.clone();
        self.for_each_id(ids, options, move |client, id| {
            client.update_report(id.clone(), &update)
        })
    }

    /// [`update_many`](Self::update_many), reading each report first with
    /// [`update_report_if_needed`](Self::update_report_if_needed): only the reports that
    /// differ are changed; the others come back [`Unchanged`](UpdateOutcome::Unchanged) or
    /// [`OneTime`](UpdateOutcome::OneTime), with no write sent. What a repeated or resumed
    /// run wants, at the cost of a `GET` per report.
    pub fn update_many_if_needed<I>(
        &self,
        ids: I,
        update: &ReportUpdate,
        options: impl Into<BulkOptions>,
    ) -> BulkResults<I::Item, UpdateOutcome>
    where
        I: IntoIterator,
        I::IntoIter: Send + 'static,
        I::Item: IntoId<ReportId> + Clone + Send + 'static,
    {
        let update = update.clone();
        self.for_each_id(ids, options, move |client, id| {
            client.update_report_if_needed(id.clone(), &update)
        })
    }

    /// Runs `job` for every id on the threads `options` says (a number will do: the
    /// concurrency) sharing this client, and yields each id with its result as it finishes.
    /// Ids are pulled only as threads get free, and at most `2 × concurrency` results wait
    /// to be read, so neither grows with the number of ids.
    ///
    /// The client a job is given belongs to the run: once the run stops, its waits end at
    /// once and it starts no call (a call it would start returns
    /// [`Error::NotAttempted`]). Every id the run did not take up yields
    /// `Err(Error::NotAttempted { reason })`.
    pub fn for_each_id<I, T, F>(
        &self,
        ids: I,
        options: impl Into<BulkOptions>,
        job: F,
    ) -> BulkResults<I::Item, T>
    where
        I: IntoIterator,
        I::IntoIter: Send + 'static,
        I::Item: Send + 'static,
        T: Send + 'static,
        F: Fn(&Client, &I::Item) -> Result<T, Error> + Send + Sync + 'static,
    {
        self.for_each_id_until(ids, options.into(), Arc::default(), job)
    }

    /// [`for_each_id`](Self::for_each_id), stopped by `signal`, which several runs may share
    /// (one after the other: a run that ends after its last id leaves it as it was).
    pub(crate) fn for_each_id_until<I, T, F>(
        &self,
        ids: I,
        options: BulkOptions,
        signal: Arc<StopSignal>,
        job: F,
    ) -> BulkResults<I::Item, T>
    where
        I: IntoIterator,
        I::IntoIter: Send + 'static,
        I::Item: Send + 'static,
        T: Send + 'static,
        F: Fn(&Client, &I::Item) -> Result<T, Error> + Send + Sync + 'static,
    {
        let concurrency = options.concurrency.clamp(1, MAX_CONCURRENCY);
        let run = Arc::new(Run {
            signal,
            failures: AtomicU32::new(0),
            stop_after_failures: options.stop_after_failures,
            unanswered: AtomicU32::new(0),
            stop_after_unanswered: options.stop_after_failures.map(|n| {
                u32::try_from(concurrency.saturating_mul(2))
                    .unwrap_or(u32::MAX)
                    .max(n)
            }),
            busy: Mutex::new(0),
            idle: std::sync::Condvar::new(),
        });
        let ids = Arc::new(Mutex::new(ids.into_iter()));
        let job = Arc::new(job);
        let panic: Arc<PanicSlot> = Arc::new(Mutex::new(None));
        let (tx, results) = sync_channel(concurrency * 2);
        let workers = (0..concurrency)
            .map(|_| {
                let client = self.with_run(run.clone());
                let (ids, job, run, panic) = (ids.clone(), job.clone(), run.clone(), panic.clone());
                let tx: SyncSender<_> = tx.clone();
                std::thread::spawn(move || {
                    loop {
                        // The caller's iterator may panic too: that ends the run, and the
                        // panic is raised again like a job's.
                        let next = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            ids.lock().unwrap_or_else(PoisonError::into_inner).next()
                        }));
                        let next = match next {
                            Ok(next) => next,
                            Err(payload) => {
                                keep_panic(&panic, payload);
                                run.signal.stop(StopReason::JobPanicked);
                                return;
                            }
                        };
                        let Some(id) = next else { return };
                        let result = match run.begin_job() {
                            // Stopped: every id left is accounted for, none is worked on.
                            Err(reason) => Err(Error::NotAttempted { reason }),
                            Ok(()) => {
                                let ran =
                                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                        job(&client, &id)
                                    }));
                                run.end_job();
                                match ran {
                                    Ok(result) => result,
                                    Err(payload) => {
                                        keep_panic(&panic, payload);
                                        run.signal.stop(StopReason::JobPanicked);
                                        // This id too ends in a result (its job may have
                                        // sent requests before it panicked).
                                        Err(Error::NotAttempted {
                                            reason: StopReason::JobPanicked,
                                        })
                                    }
                                }
                            }
                        };
                        if tx.send((id, result)).is_err() {
                            return;
                        }
                    }
                })
            })
            .collect();
        BulkResults {
            results: Some(results),
            finished: false,
            run,
            panic,
            workers,
        }
    }
}
