//! Rust futures as asyncio futures.
//!
//! A call creates an `asyncio.Future` on the running loop and spawns the Rust future on the
//! process runtime. When it finishes, the tokio thread does not touch Python objects: it
//! pushes a completion onto the loop's queue and, only if no drain is pending, schedules one
//! with `loop.call_soon_threadsafe`. The drain runs on the loop's thread, converts the results
//! and resolves the futures, so under load many completions share one GIL acquisition.
//! Cancelling the asyncio future aborts the Rust task.

use futures_util::FutureExt;
use std::cell::RefCell;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::{intern, Py};

use crate::runtime::runtime;

/// What turns a finished Rust result into the future's value (or exception); runs with the GIL.
pub type Make = Box<dyn FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send>;

struct Shared {
    event_loop: Py<PyAny>,
    queue: Mutex<Vec<(Py<PyAny>, Make)>>,
    scheduled: AtomicBool,
}

impl Shared {
    fn push(self: &Arc<Self>, future: Py<PyAny>, make: Make) {
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((future, make));
        if self.scheduled.swap(true, Ordering::AcqRel) {
            return; // a drain is already on its way and will see this entry
        }
        Python::attach(|py| {
            let scheduled = Py::new(
                py,
                Drainer {
                    shared: self.clone(),
                },
            )
            .and_then(|drainer| {
                self.event_loop
                    .bind(py)
                    .call_method1(intern!(py, "call_soon_threadsafe"), (drainer,))
            });
            if scheduled.is_err() {
                // The loop is closed: nobody can await these futures any more.
                self.scheduled.store(false, Ordering::Release);
                let dropped =
                    std::mem::take(&mut *self.queue.lock().unwrap_or_else(|p| p.into_inner()));
                drop(dropped);
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
        for (future, make) in items {
            // One bad entry must not strand the others: each is settled on its own.
            if let Err(err) = settle(py, future.bind(py), make) {
                err.write_unraisable(py, Some(future.bind(py)));
            }
        }
    }
}

fn settle(py: Python<'_>, future: &Bound<'_, PyAny>, make: Make) -> PyResult<()> {
    if future.call_method0(intern!(py, "done"))?.is_truthy()? {
        return Ok(()); // cancelled while the request was in flight
    }
    match make(py) {
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
        if let Some(shared) = cell.as_ref() {
            if shared.event_loop.bind(py).is(event_loop) {
                return shared.clone();
            }
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

/// Spawns `fut` and returns an `asyncio.Future` for its result. Must be called from a
/// coroutine running on an event loop.
pub fn spawn<'py, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Make> + Send + 'static,
{
    let event_loop = GET_RUNNING_LOOP
        .import(py, "asyncio", "get_running_loop")?
        .call0()?;
    let shared = bridge_for(py, &event_loop);
    let future = event_loop.call_method0(intern!(py, "create_future"))?;
    let target = future.clone().unbind();
    let handle = runtime()?.spawn(async move {
        // A panic in the work becomes an error on the asyncio future instead of leaving that
        // future pending forever. (Cancelling the asyncio future still aborts this task.)
        let make = match std::panic::AssertUnwindSafe(fut).catch_unwind().await {
            Ok(make) => make,
            Err(_) => {
                let error = dintero_checkout::Error::new(
                    dintero_checkout::ErrorKind::Server,
                    "internal error: the SDK's task panicked",
                );
                Box::new(move |py: Python<'_>| Err(crate::errors::to_pyerr(py, &error))) as Make
            }
        };
        shared.push(target, make);
    });
    let canceller = Canceller {
        abort: handle.abort_handle(),
    };
    future.call_method1(intern!(py, "add_done_callback"), (canceller,))?;
    Ok(future)
}
