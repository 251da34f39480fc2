//! Signals that end a session (SIGINT, SIGTERM, SIGHUP: an ssh session or a terminal that
//! drops), all handled alike. During a bulk run the first one stops the run: no new id is
//! taken up, the calls in flight finish and are reported, the rest are listed as not
//! attempted, and the tool exits 130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP) after its
//! summary. A second one, or one outside a bulk run, exits at once with that code, removing
//! the temporary files the tool was writing. A SIGHUP ignored when the tool started (`nohup`)
//! stays ignored (on Linux, where the tool can tell).
//!
//! On platforms without Unix signals, the system's default handling applies.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use acronis_reports::bulk::StopHandle;

#[derive(Default)]
struct State {
    /// The bulk run a first interrupt stops.
    run: Option<StopHandle>,
    /// The first interrupt received during a run: its exit code.
    interrupted: Option<u8>,
    /// Temporary files to remove on an immediate exit.
    temp_files: Vec<PathBuf>,
}

static STATE: Mutex<Option<State>> = Mutex::new(None);

fn state() -> MutexGuard<'static, Option<State>> {
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Starts listening for interrupts (once, at the start of `main`).
pub fn install() {
    *state() = Some(State::default());
    #[cfg(unix)]
    listen();
}

#[cfg(unix)]
fn listen() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    // A SIGHUP the tool was started to ignore (`nohup`) stays ignored.
    let handled: &[i32] = if ignored_at_start(SIGHUP) {
        &[SIGINT, SIGTERM]
    } else {
        &[SIGINT, SIGTERM, SIGHUP]
    };
    let Ok(mut signals) = signal_hook::iterator::Signals::new(handled) else {
        // Without the handler, interrupts keep their default effect: an immediate exit.
        return;
    };
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                let code = u8::try_from(128 + signal).unwrap_or(130);
                on_interrupt(code);
            }
        });
    if spawned.is_err() {
        crate::output::warning("interrupts will stop the tool at once");
    }
}

/// Whether `signal` was ignored when the tool started (as `nohup` leaves SIGHUP): read from
/// the kernel's account of the process (`SigIgn` in `/proc/self/status`), where there is one.
/// Elsewhere `false`: the signal is handled.
#[cfg(unix)]
fn ignored_at_start(signal: i32) -> bool {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return false;
    };
    let Some(mask) = status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
    else {
        return false;
    };
    (1..=64).contains(&signal) && mask & (1 << (signal - 1)) != 0
}

/// An interrupt with exit `code` arrived.
fn on_interrupt(code: u8) {
    let stopped = {
        let mut guard = state();
        let Some(s) = guard.as_mut() else { return };
        match (&s.run, s.interrupted) {
            (Some(run), None) => {
                s.interrupted = Some(code);
                run.stop();
                true
            }
            _ => {
                for path in &s.temp_files {
                    let _ = std::fs::remove_file(path);
                }
                std::process::exit(i32::from(code));
            }
        }
    };
    // Outside the lock: a standard error that blocks must not keep a second interrupt from
    // exiting.
    if stopped {
        crate::output::warning(
            "interrupted: taking up no more reports; the calls in flight \
             finish and are reported (interrupt again to exit at once)",
        );
    }
}

/// Makes the first interrupt stop `run` instead of exiting.
pub fn guard_run(run: StopHandle) {
    if let Some(s) = state().as_mut() {
        s.run = Some(run);
    }
}

/// The run is over: interrupts exit at once again. Returns the exit code of the interrupt
/// that stopped it, if one did.
pub fn end_run() -> Option<u8> {
    let mut guard = state();
    let s = guard.as_mut()?;
    s.run = None;
    s.interrupted.take()
}

/// Removes `path` if the tool exits at once on an interrupt.
pub fn remove_on_exit(path: &Path) {
    if let Some(s) = state().as_mut() {
        s.temp_files.push(path.to_owned());
    }
}

/// `path` is no longer the tool's to remove.
pub fn forget(path: &Path) {
    if let Some(s) = state().as_mut() {
        s.temp_files.retain(|p| p != path);
    }
}
