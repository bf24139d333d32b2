//! One tokio runtime per process, rebuilt in a child after `fork()`.
//!
//! A forked child inherits the parent's memory but none of its threads, so the parent's
//! runtime (and every connection pool bound to it) is dead there. Each use compares the
//! process id with the one the runtime was built in; on a mismatch the child builds a fresh
//! runtime and leaks the old one (dropping it would try to join threads that do not exist).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::runtime::Runtime;

struct Slot {
    pid: u32,
    runtime: Arc<Runtime>,
}

static RUNTIME: Mutex<Option<Slot>> = Mutex::new(None);
static BUILT: AtomicU64 = AtomicU64::new(0);

/// The process's runtime, built on first use (and again after a fork).
pub fn runtime() -> PyResult<Arc<Runtime>> {
    let pid = std::process::id();
    let mut slot = RUNTIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(s) = slot.as_ref() {
        if s.pid == pid {
            return Ok(s.runtime.clone());
        }
    }
    if let Some(stale) = slot.take() {
        // Inherited from the parent: its worker threads do not exist here. Never drop it.
        std::mem::forget(stale);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("dintero-checkout")
        .enable_all()
        .build()
        .map_err(|e| {
            PyRuntimeError::new_err(format!(
                "dintero_checkout: could not start the I/O runtime: {e}"
            ))
        })?;
    let runtime = Arc::new(runtime);
    BUILT.fetch_add(1, Ordering::Relaxed);
    *slot = Some(Slot {
        pid,
        runtime: runtime.clone(),
    });
    Ok(runtime)
}

/// `(pid the current runtime belongs to, runtimes built in this process image so far)`;
/// tests use it to see that a forked child built its own runtime.
#[pyfunction]
pub fn runtime_generation() -> PyResult<(u32, u64)> {
    runtime()?;
    let slot = RUNTIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let pid = slot.as_ref().map_or(0, |s| s.pid);
    Ok((pid, BUILT.load(Ordering::Relaxed)))
}

/// Runs `fut` to completion with the GIL released. Every 100 ms the calling thread looks at
/// Python's pending signals, so Ctrl-C interrupts a long call (`KeyboardInterrupt`).
pub fn block_on<F>(py: Python<'_>, fut: F) -> PyResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    let rt = runtime()?;
    py.detach(|| {
        rt.block_on(async move {
            let mut fut = std::pin::pin!(fut);
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await; // the first tick is immediate
            loop {
                tokio::select! {
                    biased;
                    out = &mut fut => return Ok(out),
                    _ = tick.tick() => Python::attach(|py| py.check_signals())?,
                }
            }
        })
    })
}
