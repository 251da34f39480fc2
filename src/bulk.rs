//! Bulk runs: one job per report id, on a bounded set of threads sharing one client.
//!
//! [`Client::update_many`] applies one [`ReportUpdate`] to many reports;
//! [`Client::for_each_id`] runs any job. Ids are pulled from the iterator as threads get free
//! and results come back as they finish, through a bounded channel: memory does not grow
//! with the number of ids. Every id yields exactly one result.
//!
//! ```no_run
//! use acronis_reports::{Client, ReportUpdate};
//!
//! # let client = Client::builder().base_url("https://eu2-cloud.acronis.com/api/2").bearer_token("t").build()?;
//! let ids = vec!["20dffb36-d77b-45c6-b2fa-39276e98d5fc".to_owned()];
//! for (id, result) in client.update_many(ids, &ReportUpdate::disable(), 4) {
//!     match result {
//!         Ok(report) => println!("{id}: disabled (version {})", report.version),
//!         Err(e) => eprintln!("{id}: {e}"),
//!     }
//! }
//! # Ok::<(), acronis_reports::Error>(())
//! ```

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use crate::client::Client;
use crate::error::Error;
use crate::model::Report;
use crate::patch::ReportUpdate;

/// The most threads a bulk run uses; a larger `concurrency` is taken as this.
pub const MAX_CONCURRENCY: usize = 256;

/// The results of a bulk run, as they finish: `(id, result)` for every id, in no particular
/// order.
///
/// Dropping it stops the run: no new id is started, and the drop waits for the jobs in flight
/// (each at most one call with its retries) and for a thread that is reading the next id
/// (from a slow input, as long as that takes). If a job panics, the panic is raised again from
/// [`next`](Iterator::next) once the other results are read: no id disappears silently.
pub struct BulkResults<T> {
    /// `None` once dropped, so that workers blocked on a full channel wake up.
    results: Option<Receiver<(String, T)>>,
    stop: Arc<AtomicBool>,
    panic: Arc<Mutex<Option<Box<dyn std::any::Any + Send>>>>,
    workers: Vec<JoinHandle<()>>,
}

impl<T> Iterator for BulkResults<T> {
    type Item = (String, T);

    fn next(&mut self) -> Option<Self::Item> {
        match self.results.as_ref()?.recv() {
            Ok(item) => Some(item),
            Err(_) => {
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

impl<T> Drop for BulkResults<T> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Closing the channel makes a worker's next send fail, so none stays blocked.
        drop(self.results.take());
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

impl<T> std::fmt::Debug for BulkResults<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BulkResults")
            .field("threads", &self.workers.len())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Applies `update` to every report in `ids` with `update_report` (ids checked,
    /// results verified), on `concurrency` threads (at least 1) sharing this client and its
    /// connections. See [`for_each_id`](Self::for_each_id).
    pub fn update_many<I>(
        &self,
        ids: I,
        update: &ReportUpdate,
        concurrency: usize,
    ) -> BulkResults<Result<Report, Error>>
    where
        I: IntoIterator<Item = String>,
        I::IntoIter: Send + 'static,
    {
        let update = update.clone();
        self.for_each_id(ids, concurrency, move |client, id| {
            client.update_report(id, &update)
        })
    }

    /// Runs `job` for every id on `concurrency` threads (1 to [`MAX_CONCURRENCY`]) sharing
    /// this client (above 8 threads, size its pool to match with
    /// [`ClientBuilder::max_idle_connections_per_host`](crate::ClientBuilder::max_idle_connections_per_host)),
    /// and yields each id with its result as it finishes. Ids are pulled only as threads get
    /// free, and at most `2 × concurrency` results wait to be read, so neither grows with
    /// the number of ids.
    pub fn for_each_id<I, T, F>(&self, ids: I, concurrency: usize, job: F) -> BulkResults<T>
    where
        I: IntoIterator<Item = String>,
        I::IntoIter: Send + 'static,
        T: Send + 'static,
        F: Fn(&Client, &str) -> T + Send + Sync + 'static,
    {
        let concurrency = concurrency.clamp(1, MAX_CONCURRENCY);
        let ids = Arc::new(Mutex::new(ids.into_iter()));
        let job = Arc::new(job);
        let stop = Arc::new(AtomicBool::new(false));
        let panic = Arc::new(Mutex::new(None));
        let (tx, results) = sync_channel(concurrency * 2);
        let workers = (0..concurrency)
            .map(|_| {
                let (client, ids, job, stop, tx): (Client, _, _, _, SyncSender<(String, T)>) = (
                    self.clone(),
                    ids.clone(),
                    job.clone(),
                    stop.clone(),
                    tx.clone(),
                );
                let panic = panic.clone();
                std::thread::spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        let next = ids.lock().unwrap_or_else(PoisonError::into_inner).next();
                        let Some(id) = next else { return };
                        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            job(&client, &id)
                        }));
                        let result = match run {
                            Ok(result) => result,
                            Err(payload) => {
                                // Keep the first panic for `next` to raise; stop the run.
                                panic
                                    .lock()
                                    .unwrap_or_else(PoisonError::into_inner)
                                    .get_or_insert(payload);
                                stop.store(true, Ordering::SeqCst);
                                return;
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
            stop,
            panic,
            workers,
        }
    }
}
