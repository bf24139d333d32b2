//! One native call, two ways to finish it: `Pending`.
//!
//! Every operation of the compiled module returns a `Pending` holding the core's future, not
//! started yet. The blocking client calls `wait()`: the future runs on the calling thread with
//! the GIL released. The asyncio client awaits it: the future is spawned on the process
//! runtime and an `asyncio.Future` on the running loop resolves when it ends. When a spawned
//! call finishes, the tokio thread does not touch Python objects: it queues the result for the
//! loop and, only if no drain is pending, schedules one with `call_soon_threadsafe`; the drain
//! converts the results on the loop's thread, so under load many completions share one GIL
//! acquisition. Cancelling the asyncio future aborts the Rust task. A panic in the work
//! becomes an SDK error on either path.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use dintero_checkout::{Error, ErrorKind};
use futures_util::FutureExt;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::{intern, Py};
use serde_json::Value;

use crate::convert::to_py;
use crate::errors::{invalid_input, to_pyerr};
use crate::runtime::{block_on, runtime};

type Outcome = Result<Value, Error>;
type Work = Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// A call into the core, not started until it is waited for or awaited (internal).
#[pyclass(frozen, module = "dintero_checkout._native")]
pub struct Pending {
    work: Mutex<Option<Work>>,
}

impl Pending {
    pub fn new<F: Future<Output = Outcome> + Send + 'static>(work: F) -> Self {
        let guarded = async move {
            std::panic::AssertUnwindSafe(work)
                .catch_unwind()
                .await
                .unwrap_or_else(|_| {
                    Err(Error::new(
                        ErrorKind::Server,
                        "internal error: the SDK's task panicked",
                    ))
                })
        };
        Pending {
            work: Mutex::new(Some(Box::pin(guarded))),
        }
    }

    fn take(&self, py: Python<'_>) -> PyResult<Work> {
        let work = self.work.lock().unwrap_or_else(|p| p.into_inner()).take();
        work.ok_or_else(|| invalid_input(py, "this call was already waited for or awaited"))
    }
}

fn finish(py: Python<'_>, outcome: Outcome) -> PyResult<Py<PyAny>> {
    match outcome {
        Ok(value) => Ok(to_py(py, &value)?.unbind()),
        Err(e) => Err(to_pyerr(py, &e)),
    }
}

#[pymethods]
impl Pending {
    /// Runs the call on this thread with the GIL released; Ctrl-C interrupts it.
    fn wait(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let work = self.take(py)?;
        let outcome = block_on(py, work)?;
        finish(py, outcome)
    }

    /// Runs the call on the I/O threads; must be awaited in a running event loop.
    fn __await__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let work = self.take(py)?;
        spawn(py, work)?.call_method0(intern!(py, "__await__"))
    }
}

/// Returns a `Pending` that panics when run: the tests check that a panic becomes an error.
#[pyfunction]
pub fn _panicking_call() -> Pending {
    Pending::new(async { panic!("a panic in the core, on purpose") })
}

struct Shared {
    event_loop: Py<PyAny>,
    queue: Mutex<Vec<(Py<PyAny>, Outcome)>>,
    scheduled: AtomicBool,
}

impl Shared {
    fn push(self: &Arc<Self>, future: Py<PyAny>, outcome: Outcome) {
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((future, outcome));
        if self.scheduled.swap(true, Ordering::AcqRel) {
            return; // a drain is already on its way and will see this entry
        }
        Python::attach(|py| {
            let drainer = Py::new(
                py,
                Drainer {
                    shared: self.clone(),
                },
            );
            let scheduled = drainer.and_then(|d| {
                self.event_loop
                    .bind(py)
                    .call_method1(intern!(py, "call_soon_threadsafe"), (d,))
            });
            if scheduled.is_err() {
                // The loop is closed: nobody can await these futures any more.
                self.scheduled.store(false, Ordering::Release);
                drop(std::mem::take(
                    &mut *self.queue.lock().unwrap_or_else(|p| p.into_inner()),
                ));
            }
        });
    }
}

/// Resolves the queued futures of one event loop (scheduled internally; not public API).
#[pyclass(frozen, module = "dintero_checkout._native")]
pub struct Drainer {
    shared: Arc<Shared>,
}

#[pymethods]
impl Drainer {
    fn __call__(&self, py: Python<'_>) {
        self.shared.scheduled.store(false, Ordering::Release);
        let items =
            std::mem::take(&mut *self.shared.queue.lock().unwrap_or_else(|p| p.into_inner()));
        for (future, outcome) in items {
            // One bad entry must not strand the others: each is settled on its own.
            if let Err(err) = settle(py, future.bind(py), outcome) {
                err.write_unraisable(py, Some(future.bind(py)));
            }
        }
    }
}

fn settle(py: Python<'_>, future: &Bound<'_, PyAny>, outcome: Outcome) -> PyResult<()> {
    if future.call_method0(intern!(py, "done"))?.is_truthy()? {
        return Ok(()); // cancelled while the request was in flight
    }
    match finish(py, outcome) {
        Ok(value) => future.call_method1(intern!(py, "set_result"), (value,))?,
        Err(err) => future.call_method1(intern!(py, "set_exception"), (err.into_value(py),))?,
    };
    Ok(())
}

/// Aborts the Rust task when its asyncio future is cancelled (internal).
#[pyclass(frozen, module = "dintero_checkout._native")]
pub struct Canceller {
    abort: tokio::task::AbortHandle,
}

#[pymethods]
impl Canceller {
    fn __call__(&self, py: Python<'_>, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future.call_method0(intern!(py, "cancelled"))?.is_truthy()? {
            self.abort.abort();
        }
        Ok(())
    }
}

thread_local! {
    // The bridge of the loop this thread last used (one loop per thread is the norm).
    static BRIDGE: RefCell<Option<Arc<Shared>>> = const { RefCell::new(None) };
}

static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn bridge_for(py: Python<'_>, event_loop: &Bound<'_, PyAny>) -> Arc<Shared> {
    BRIDGE.with(|cell| {
        let mut cell = cell.borrow_mut();
        if let Some(shared) = cell
            .as_ref()
            .filter(|s| s.event_loop.bind(py).is(event_loop))
        {
            return shared.clone();
        }
        let shared = Arc::new(Shared {
            event_loop: event_loop.clone().unbind(),
            queue: Mutex::new(Vec::new()),
            scheduled: AtomicBool::new(false),
        });
        *cell = Some(shared.clone());
        shared
    })
}

/// Spawns `work` and returns an `asyncio.Future` for its result, on the running loop.
fn spawn<'py>(py: Python<'py>, work: Work) -> PyResult<Bound<'py, PyAny>> {
    let event_loop = GET_RUNNING_LOOP
        .import(py, "asyncio", "get_running_loop")?
        .call0()?;
    let shared = bridge_for(py, &event_loop);
    let future = event_loop.call_method0(intern!(py, "create_future"))?;
    let target = future.clone().unbind();
    let handle = runtime()?.spawn(async move { shared.push(target, work.await) });
    let canceller = Canceller {
        abort: handle.abort_handle(),
    };
    future.call_method1(intern!(py, "add_done_callback"), (canceller,))?;
    Ok(future)
}
