//! Transactions: get, list (auto-paginating), capture, refund, void, extend authorization,
//! update — with exactly-once capture and refund.
//!
//! # Exactly once
//!
//! Dintero has no idempotency key, so the SDK recognises its own write on the transaction:
//!
//! - **With your reference** (`capture_reference` / `refund_reference`), by the event that
//!   carries it. Dintero puts it on the settlement report.
//! - **Without one**, the SDK sends none (so Dintero records the session's default
//!   `order.event_reference`, as a merchant expects on the report) and recognises its event as
//!   the new event of that kind and amount that was not on the transaction before the call.
//!   That costs one GET before each capture and refund, and cannot tell apart two captures of
//!   the same amount made at the same moment by another process.
//!
//! Before sending, the transaction is read: a write that already succeeded is returned, one
//! Dintero accepted (an `INITIATE_*` event, 202) and is still processing returns `accepted`,
//! and is never sent again. When an attempt fails so that the outcome is unknown (timeout,
//! connection cut after sending, 5xx, a gateway's 502/503/504, a 200 whose body cannot be
//! read), the SDK re-reads the transaction — for the reconcile window when Dintero itself did
//! not answer — and sends again only when the write is absent. A failure that cannot have
//! reached Dintero (connect error, 429) is retried directly; a 4xx is never retried. Void is
//! handled the same way, with "the transaction is voided" as the evidence.
//!
//! Within one [`Client`], the same write (same transaction and reference, or without a
//! reference the same amount) is never in flight twice: a second call while the first runs
//! joins it and gets its result.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

use futures_util::future::{BoxFuture, FutureExt};
use http::Method;
use serde_json::Value;

use crate::error::{input_from_value, Error, ErrorKind, Result};
use crate::http::{url_path, Failure, Mode, Request, Response};
use crate::models::{
    CaptureRequest, ExtendAuthorizationRequest, QueryParam, RefundRequest, Transaction,
    TransactionEvent, TransactionEventKind, TransactionStatus,
};
use crate::observe::log_event;
use crate::order::validate_operation_items;
use crate::sessions::{check_id, outcome_unknown};
use crate::Client;

/// Whether Dintero finished an operation or queued it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum OperationState {
    /// Done (HTTP 200): `transaction` shows the result.
    Completed,
    /// Queued (HTTP 202): the event lands later. See [`Transactions::wait_for_event`].
    Accepted,
}

impl OperationState {
    /// `"completed"` or `"accepted"`.
    pub fn as_str(self) -> &'static str {
        match self {
            OperationState::Completed => "completed",
            OperationState::Accepted => "accepted",
        }
    }
}

/// The result of capture, refund or void.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Operation {
    /// Completed or accepted.
    pub state: OperationState,
    /// The transaction as Dintero returned it (unchanged yet when accepted).
    pub transaction: Transaction,
    /// The `event-request-id` of a 202 answer.
    pub event_request_id: Option<String>,
    /// The capture or refund reference sent: the caller's own, or `None` when none was given
    /// (Dintero then records the session's `order.event_reference`).
    pub reference: Option<String>,
    /// True when an attempt failed ambiguously and the result was found by re-reading.
    pub reconciled: bool,
    /// Dintero's request id, when the answer came straight from the operation.
    pub request_id: Option<String>,
}

/// Filters of [`Transactions::list`]. Empty fields are not sent.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ListTransactions {
    /// Page size, 1–100 (Dintero's default is 10).
    pub limit: Option<u32>,
    /// Start after this transaction id.
    pub starting_after: Option<String>,
    /// Only this merchant reference.
    pub merchant_reference: Option<String>,
    /// Only these sessions.
    pub session_id: Vec<String>,
    /// Only these statuses.
    pub status: Vec<TransactionStatus>,
    /// Created at or after (ISO-8601).
    pub created_at_gte: Option<String>,
    /// Created at or before (ISO-8601).
    pub created_at_lte: Option<String>,
    /// Other filters, sent as they are (`("payment_product", "dintero_psp")`).
    pub extra: Vec<QueryParam>,
}

/// Transaction operations; get one from [`Client::transactions`].
#[derive(Debug, Clone, Copy)]
pub struct Transactions<'a> {
    pub(crate) client: &'a Client,
}

fn check_reference(what: &str, reference: &str) -> Result<()> {
    if reference.trim().is_empty() || reference.len() > 256 {
        return Err(Error::invalid_input(format!(
            "{what}: must be 1 to 256 characters"
        )));
    }
    Ok(())
}

/// What reading the transaction tells about one write.
enum Evidence {
    /// The operation took effect.
    Done,
    /// Dintero accepted it for processing: an `INITIATE_*` event, no completion yet. Holds
    /// that event's `request_id` (the `event-request-id` of the 202).
    Pending(Option<String>),
    /// Dintero recorded it as failed.
    Failed(Error),
    /// No trace of it.
    Absent,
}

/// The events that were on a transaction before a write was sent, so that the write's own
/// event can be told apart from older ones.
#[derive(Debug, Clone, Default)]
struct Before {
    /// Ids of the events seen.
    ids: HashSet<String>,
    /// How many events there were (for events without an id: Dintero appends events).
    count: usize,
}

impl Before {
    fn of(tx: &Transaction) -> Self {
        Before {
            ids: tx.events.iter().filter_map(|e| e.id.clone()).collect(),
            count: tx.events.len(),
        }
    }

    /// The events added since, in order.
    fn fresh<'t>(
        &self,
        tx: &'t Transaction,
    ) -> impl Iterator<Item = &'t TransactionEvent> + use<'_, 't> {
        tx.events.iter().enumerate().filter_map(move |(i, e)| {
            let old = match &e.id {
                Some(id) => self.ids.contains(id),
                None => i < self.count,
            };
            (!old).then_some(e)
        })
    }
}

/// How a write is recognised on the transaction.
enum Witness {
    /// A capture or refund: an event of kind `done` (or `pending`, when queued) that was not
    /// there `before` and carries `reference` — or, when no reference was sent, has `amount`.
    Event {
        done: TransactionEventKind,
        pending: TransactionEventKind,
        reference: Option<String>,
        amount: i64,
        before: Before,
    },
    /// A void: the transaction is voided.
    Voided,
}

/// The completion event Dintero adds for a request it accepted with 202: any event that is not
/// itself an `INITIATE_*` one, whose `correlation_request_id` is the accepted request's id.
fn completion_of<'t>(tx: &'t Transaction, event_request_id: &str) -> Option<&'t TransactionEvent> {
    tx.events.iter().find(|e| {
        e.correlation_request_id.as_deref() == Some(event_request_id)
            && !e.event.as_ref().is_some_and(is_initiate)
    })
}

fn is_initiate(kind: &TransactionEventKind) -> bool {
    kind.as_str().starts_with("INITIATE_")
}

/// Evidence from a queued (`INITIATE_*`) event: its completion decides, when there is one.
fn queued(tx: &Transaction, initiate: &TransactionEvent) -> Evidence {
    let Some(id) = initiate.request_id.as_deref() else {
        return Evidence::Pending(None);
    };
    match completion_of(tx, id) {
        Some(done) if done.succeeded() => Evidence::Done,
        Some(done) => Evidence::Failed(event_failure(done)),
        None => Evidence::Pending(Some(id.to_string())),
    }
}

impl Witness {
    fn look(&self, tx: &Transaction) -> Evidence {
        match self {
            Witness::Voided => {
                if tx.status == Some(TransactionStatus::AuthorizationVoided)
                    || tx
                        .events
                        .iter()
                        .any(|e| e.is(&TransactionEventKind::Void) && e.succeeded())
                {
                    return Evidence::Done;
                }
                if let Some(initiate) = tx
                    .events
                    .iter()
                    .rev()
                    .find(|e| e.is(&TransactionEventKind::InitiateVoid) && e.succeeded())
                {
                    return queued(tx, initiate);
                }
                // The newest event is a failed VOID: Dintero refused this void.
                match tx.events.last() {
                    Some(e) if e.is(&TransactionEventKind::Void) && !e.succeeded() => {
                        Evidence::Failed(event_failure(e))
                    }
                    _ => Evidence::Absent,
                }
            }
            Witness::Event {
                done,
                pending,
                reference,
                amount,
                before,
            } => {
                let ours = |e: &&TransactionEvent| match reference {
                    Some(r) => e.event_reference.as_deref() == Some(r.as_str()),
                    None => e.amount == Some(*amount),
                };
                let mut failed = None;
                let mut waiting = None;
                for e in before.fresh(tx).filter(ours) {
                    if e.is(done) {
                        // An event of ours that does not say it succeeded is not a success:
                        // report it, never send the write again on top of it.
                        if e.succeeded() {
                            return Evidence::Done;
                        }
                        failed = Some(e);
                    } else if e.is(pending) && e.succeeded() {
                        waiting = Some(queued(tx, e));
                    }
                }
                match (waiting, failed) {
                    (Some(evidence), _) => evidence,
                    (None, Some(e)) => Evidence::Failed(event_failure(e)),
                    (None, None) => Evidence::Absent,
                }
            }
        }
    }
}

/// The writes of one client that are running, and those whose outcome stayed unknown.
///
/// A second capture, refund or void of the same operation (same transaction, same reference —
/// or, without a reference, the same amount) while the first is still running waits for the
/// first and returns its result instead of sending again: a double click, a job run twice, or
/// a retry after the caller stopped waiting.
#[derive(Default)]
pub(crate) struct WriteRegistry {
    state: std::sync::Mutex<RegistryState>,
}

type SharedWrite = futures_util::future::Shared<BoxFuture<'static, Result<Operation>>>;

#[derive(Default)]
struct RegistryState {
    running: HashMap<String, SharedWrite>,
    /// Writes sent without a reference whose outcome stayed unknown: the events that were
    /// there before them, so the next call of the same shape first looks for their event.
    unknown: HashMap<String, Before>,
    /// Writes with a reference that Dintero accepted (202): their `event-request-id`. They
    /// are never sent again, even if the transaction does not show their `INITIATE_*` event.
    accepted: HashMap<String, Option<String>>,
}

impl WriteRegistry {
    fn lock(&self) -> std::sync::MutexGuard<'_, RegistryState> {
        // A panic while holding this lock leaves plain maps behind: still usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl std::fmt::Debug for WriteRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteRegistry")
            .field("running", &self.lock().running.len())
            .finish()
    }
}

/// A capture, refund or void, ready to be sent.
struct Write {
    op: &'static str,
    transaction_id: String,
    req: Request,
    kind: WriteKind,
}

/// What kind of write [`Transactions::write_once`] sends.
enum WriteKind {
    /// A capture or refund of `amount`, with the caller's reference or none.
    Event {
        done: TransactionEventKind,
        pending: TransactionEventKind,
        reference: Option<String>,
        amount: i64,
    },
    Void,
}

impl Write {
    /// What identifies "the same operation" within this client.
    fn key(&self) -> String {
        match &self.kind {
            WriteKind::Event {
                reference: Some(r), ..
            } => format!("{}\n{}\nreference\n{r}", self.op, self.transaction_id),
            WriteKind::Event {
                reference: None,
                amount,
                ..
            } => format!("{}\n{}\namount\n{amount}", self.op, self.transaction_id),
            WriteKind::Void => format!("void\n{}", self.transaction_id),
        }
    }

    fn reference(&self) -> Option<&str> {
        match &self.kind {
            WriteKind::Event { reference, .. } => reference.as_deref(),
            WriteKind::Void => None,
        }
    }
}

impl Transactions<'_> {
    /// Reads a transaction: `GET /v1/transactions/{id}`; `includes` adds e.g. `session`.
    pub async fn get(&self, transaction_id: &str, includes: &[&str]) -> Result<Transaction> {
        check_id("transaction_id", transaction_id)?;
        let t = &self.client.inner;
        let mut url = t.checkout_url(&url_path(&["v1", "transactions", transaction_id]));
        if !includes.is_empty() {
            let mut q = form_urlencoded::Serializer::new(String::new());
            for inc in includes {
                q.append_pair("includes", inc);
            }
            url.push('?');
            url.push_str(&q.finish());
        }
        let req = Request::new(Method::GET, url, "get transaction");
        t.execute(&req, Mode::Idempotent)
            .await
            .map_err(|f| f.error)?
            .json("the transaction")
    }

    /// One page of `GET /v1/transactions`.
    pub async fn list_page(&self, filter: &ListTransactions) -> Result<Vec<Transaction>> {
        if let Some(limit) = filter.limit {
            if !(1..=100).contains(&limit) {
                return Err(Error::invalid_input(format!(
                    "limit: must be between 1 and 100 (got {limit})"
                )));
            }
        }
        let t = &self.client.inner;
        let query = list_query(filter);
        let mut url = t.checkout_url("/v1/transactions");
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        let req = Request::new(Method::GET, url, "list transactions");
        t.execute(&req, Mode::Idempotent)
            .await
            .map_err(|f| f.error)?
            .json("the transaction list")
    }

    /// Every transaction matching `filter`, fetched a page at a time as you go
    /// (`starting_after` = the last id, until a page comes back short).
    pub fn list(&self, filter: ListTransactions) -> TransactionPager {
        TransactionPager {
            client: self.client.clone(),
            filter,
            buffer: VecDeque::new(),
            done: false,
        }
    }

    /// Captures `request.amount`: `POST /v1/transactions/{id}/capture`, exactly once (see the
    /// module docs).
    ///
    /// With a `capture_reference`, Dintero records it on the capture event (and on the
    /// settlement report); without one, Dintero uses the session's `order.event_reference`.
    /// The transaction is read first (one extra GET): if a capture with your reference and the
    /// same amount already succeeded, that capture is returned (`reconciled` is true) instead
    /// of capturing again, so calling again after an "outcome unknown" error is safe; if it was
    /// accepted (202) and is still being processed, `accepted` is returned. The same reference
    /// with another amount is refused.
    pub async fn capture(
        &self,
        transaction_id: &str,
        request: &CaptureRequest,
    ) -> Result<Operation> {
        check_id("transaction_id", transaction_id)?;
        validate_operation_items("capture", request.amount, &request.items)?;
        let reference = request.capture_reference.clone();
        if let Some(r) = &reference {
            check_reference("capture_reference", r)?;
        }
        let t = &self.client.inner;
        let req = Request::new(
            Method::POST,
            t.checkout_url(&url_path(&[
                "v1",
                "transactions",
                transaction_id,
                "capture",
            ])),
            "capture",
        )
        .json_body(request)?;
        self.run_detached(Write {
            op: "capture",
            transaction_id: transaction_id.to_string(),
            req,
            kind: WriteKind::Event {
                done: TransactionEventKind::Capture,
                pending: TransactionEventKind::InitiateCapture,
                reference,
                amount: request.amount,
            },
        })
        .await
    }

    /// [`Transactions::capture`] from a JSON payload.
    pub async fn capture_json(&self, transaction_id: &str, request: Value) -> Result<Operation> {
        let request: CaptureRequest = input_from_value(request, "capture")?;
        self.capture(transaction_id, &request).await
    }

    /// Refunds `request.amount` of captured money, exactly once. A `refund_reference` behaves
    /// as a `capture_reference` does for [`Transactions::capture`].
    pub async fn refund(&self, transaction_id: &str, request: &RefundRequest) -> Result<Operation> {
        check_id("transaction_id", transaction_id)?;
        validate_operation_items("refund", request.amount, &request.items)?;
        let reference = request.refund_reference.clone();
        if let Some(r) = &reference {
            check_reference("refund_reference", r)?;
        }
        let t = &self.client.inner;
        let req = Request::new(
            Method::POST,
            t.checkout_url(&url_path(&["v1", "transactions", transaction_id, "refund"])),
            "refund",
        )
        .json_body(request)?;
        self.run_detached(Write {
            op: "refund",
            transaction_id: transaction_id.to_string(),
            req,
            kind: WriteKind::Event {
                done: TransactionEventKind::Refund,
                pending: TransactionEventKind::InitiateRefund,
                reference,
                amount: request.amount,
            },
        })
        .await
    }

    /// [`Transactions::refund`] from a JSON payload.
    pub async fn refund_json(&self, transaction_id: &str, request: Value) -> Result<Operation> {
        let request: RefundRequest = input_from_value(request, "refund")?;
        self.refund(transaction_id, &request).await
    }

    /// Voids the authorization: `POST /v1/transactions/{id}/void`. After an ambiguous failure
    /// a voided transaction (or a successful VOID event) is taken as the answer.
    pub async fn void(&self, transaction_id: &str) -> Result<Operation> {
        check_id("transaction_id", transaction_id)?;
        let t = &self.client.inner;
        let req = Request::new(
            Method::POST,
            t.checkout_url(&url_path(&["v1", "transactions", transaction_id, "void"])),
            "void",
        );
        self.run_detached(Write {
            op: "void",
            transaction_id: transaction_id.to_string(),
            req,
            kind: WriteKind::Void,
        })
        .await
    }

    /// Extends or changes the authorization: `POST /v1/transactions/{id}/authorization`.
    /// Retried only when the request cannot have reached Dintero.
    pub async fn extend_authorization(
        &self,
        transaction_id: &str,
        request: &ExtendAuthorizationRequest,
    ) -> Result<Transaction> {
        check_id("transaction_id", transaction_id)?;
        if let Some(a) = request.amount {
            if a <= 0 {
                return Err(Error::invalid_input(format!(
                    "authorization.amount: must be greater than 0 (got {a})"
                )));
            }
        }
        let t = &self.client.inner;
        let req = Request::new(
            Method::POST,
            t.checkout_url(&url_path(&[
                "v1",
                "transactions",
                transaction_id,
                "authorization",
            ])),
            "extend authorization",
        )
        .json_body(request)?;
        t.execute(&req, Mode::NotApplied)
            .await
            .map_err(|f| f.error)?
            .json("the transaction")
    }

    /// Sets `merchant_reference_2`: `PUT /v1/transactions/{id}` (idempotent, retried).
    pub async fn update(
        &self,
        transaction_id: &str,
        merchant_reference_2: &str,
    ) -> Result<Transaction> {
        check_id("transaction_id", transaction_id)?;
        let t = &self.client.inner;
        let req = Request::new(
            Method::PUT,
            t.checkout_url(&url_path(&["v1", "transactions", transaction_id])),
            "update transaction",
        )
        .json_body(&serde_json::json!({ "merchant_reference_2": merchant_reference_2 }))?;
        t.execute(&req, Mode::Idempotent)
            .await
            .map_err(|f| f.error)?
            .json("the transaction")
    }

    /// Waits until the operation Dintero accepted with 202 (`event_request_id`) completes,
    /// polling with backoff, and returns the transaction then. Dintero first records an
    /// `INITIATE_*` event whose `request_id` is `event_request_id`; the operation is done when
    /// a completion event with `correlation_request_id` = `event_request_id` appears. Fails with
    /// [`ErrorKind::Timeout`] after `timeout`, or with the completion event's error
    /// ([`ErrorKind::Conflict`], Dintero's code and message) when it did not succeed.
    /// `None` waits [`crate::config::DEFAULT_WAIT_FOR_EVENT_TIMEOUT`].
    pub async fn wait_for_event(
        &self,
        transaction_id: &str,
        event_request_id: &str,
        timeout: Option<Duration>,
    ) -> Result<Transaction> {
        let timeout = timeout.unwrap_or(crate::config::DEFAULT_WAIT_FOR_EVENT_TIMEOUT);
        // A timeout too large to add is as good as none.
        let far = Duration::from_secs(100 * 365 * 86_400);
        let deadline = tokio::time::Instant::now()
            .checked_add(timeout)
            .unwrap_or_else(|| tokio::time::Instant::now() + far);
        let mut pause = Duration::from_millis(50);
        loop {
            let tx = self.get(transaction_id, &[]).await?;
            if let Some(event) = completion_of(&tx, event_request_id) {
                if event.succeeded() {
                    return Ok(tx);
                }
                return Err(event_failure(event));
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!("wait_for_event: no completion event for request {event_request_id} on {transaction_id} within {timeout:?}"),
                ));
            }
            tokio::time::sleep(pause.min(deadline - now)).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }

    /// Runs a write in a task of its own, so a caller that stops waiting (a cancelled asyncio
    /// task, a dropped future, a timeout around the call) does not abandon it halfway through
    /// reconciliation: it runs to its end and its outcome lands on the transaction. While it
    /// runs, the same write from this client (see [`WriteRegistry`]) joins it instead of
    /// sending again. A panic inside becomes an error, never an unwind into the caller.
    async fn run_detached(&self, write: Write) -> Result<Operation> {
        let key = write.key();
        let shared = {
            let mut state = self.client.writes.lock();
            if let Some(running) = state.running.get(&key) {
                log_event!(
                    self.client.inner.config.logger.as_ref(),
                    INFO,
                    "the same write is already running in this client: waiting for its result",
                    op = write.op,
                    transaction_id = &write.transaction_id,
                );
                running.clone()
            } else {
                let client = self.client.clone();
                let op = write.op;
                let reference = write.reference().map(str::to_string);
                let task_key = key.clone();
                let task = tokio::spawn(async move {
                    // Leaves the registry however the task ends, a panic included.
                    let _leave = Leave {
                        client: client.clone(),
                        key: task_key.clone(),
                    };
                    client.transactions().write_once(&write, &task_key).await
                });
                let joined: BoxFuture<'static, Result<Operation>> = Box::pin(async move {
                    task.await.unwrap_or_else(|e| {
                        Err(Error::new(
                            ErrorKind::Server,
                            format!(
                                "{op}: the SDK's task {}; call {op} again with the same reference, or re-read the transaction",
                                if e.is_panic() { "panicked" } else { "was cancelled" }
                            ),
                        )
                        .with_reference(reference.as_deref())
                        .with_outcome_unknown())
                    })
                });
                let shared = joined.shared();
                state.running.insert(key, shared.clone());
                shared
            }
        };
        shared.await
    }

    /// Sends a capture, refund or void so that it takes effect at most once, and reports
    /// what happened. See the module docs.
    async fn write_once(&self, write: &Write, key: &str) -> Result<Operation> {
        let t = &self.client.inner;
        let op = write.op;
        let transaction_id = write.transaction_id.as_str();
        let reference = write.reference().map(str::to_string);
        let with_ref = |e: Error| e.with_reference(reference.as_deref());
        let done_op = |state, transaction, event_request_id| Operation {
            state,
            transaction,
            event_request_id,
            reference: reference.clone(),
            reconciled: true,
            request_id: None,
        };
        let witness = match &write.kind {
            WriteKind::Void => Witness::Voided,
            WriteKind::Event {
                done,
                pending,
                reference,
                amount,
            } => {
                // Read first: this write may already be on the transaction (an earlier call
                // that ended "outcome unknown", or one Dintero accepted with 202), and its own
                // event must be told apart from the ones already there.
                let tx = self.get(transaction_id, &[]).await.map_err(with_ref)?;
                let earlier = self.client.writes.lock().unknown.remove(key);
                if let Some(r) = reference {
                    if let Some(e) = tx.events.iter().find(|e| {
                        e.is(done)
                            && e.succeeded()
                            && e.event_reference.as_deref() == Some(r.as_str())
                            && e.amount != Some(*amount)
                    }) {
                        return Err(with_ref(Error::invalid_input(format!(
                            "{op}: reference {r:?} was already used for a {op} of {} on this transaction (this call asks for {amount}); use one reference per {op}",
                            e.amount.unwrap_or(0)
                        ))));
                    }
                }
                let probe = Witness::Event {
                    done: done.clone(),
                    pending: pending.clone(),
                    reference: reference.clone(),
                    amount: *amount,
                    // With a reference every event carrying it is ours; without one, only
                    // events newer than an earlier call whose outcome stayed unknown.
                    before: match (reference, &earlier) {
                        (Some(_), _) => Before::default(),
                        (None, Some(b)) => b.clone(),
                        (None, None) => Before::of(&tx),
                    },
                };
                match probe.look(&tx) {
                    Evidence::Done => {
                        // Settled: nothing left to remember about it.
                        self.client.writes.lock().accepted.remove(key);
                        log_event!(
                            self.client.inner.config.logger.as_ref(),
                            INFO,
                            "the write had already taken effect: returning it",
                            op = op,
                            transaction_id = transaction_id,
                            reference = write.reference(),
                        );
                        return Ok(done_op(OperationState::Completed, tx, None));
                    }
                    Evidence::Pending(id) => {
                        log_event!(
                            self.client.inner.config.logger.as_ref(),
                            INFO,
                            "the write was accepted earlier and is still being processed",
                            op = op,
                            transaction_id = transaction_id,
                            reference = write.reference(),
                        );
                        return Ok(done_op(OperationState::Accepted, tx, id));
                    }
                    Evidence::Absent if reference.is_some() => {
                        let known = self.client.writes.lock().accepted.get(key).cloned();
                        if let Some(id) = known {
                            log_event!(
                                self.client.inner.config.logger.as_ref(),
                                INFO,
                                "the write was accepted earlier (202): not sending it again",
                                op = op,
                                transaction_id = transaction_id,
                                reference = write.reference(),
                            );
                            return Ok(done_op(OperationState::Accepted, tx, id));
                        }
                    }
                    // Failed before, or never there: send it (again).
                    Evidence::Failed(_) | Evidence::Absent => {
                        self.client.writes.lock().accepted.remove(key);
                    }
                }
                Witness::Event {
                    done: done.clone(),
                    pending: pending.clone(),
                    reference: reference.clone(),
                    amount: *amount,
                    before: earlier.unwrap_or_else(|| Before::of(&tx)),
                }
            }
        };
        // Outcome unknown: without a reference, remember what was there before, so the next
        // call of the same shape looks for this write's event first.
        let unknown = |e: Error| {
            if let (Witness::Event { before, .. }, None) = (&witness, &reference) {
                self.client
                    .writes
                    .lock()
                    .unknown
                    .insert(key.to_string(), before.clone());
            }
            with_ref(e.with_outcome_unknown())
        };
        let max = t.config.retry.max_attempts;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let failure: Failure = match t.execute(&write.req, Mode::Once).await {
                Ok(response) => match self.operation_from(write, &witness, &response).await {
                    Ok(done) => {
                        if done.state == OperationState::Accepted && reference.is_some() {
                            self.client
                                .writes
                                .lock()
                                .accepted
                                .insert(key.to_string(), done.event_request_id.clone());
                        }
                        return Ok(done);
                    }
                    Err(Reply::Final(e)) => return Err(with_ref(e)),
                    Err(Reply::Unknown(e)) => return Err(unknown(e)),
                    // A 200 we cannot read: it probably worked. Check, never repeat blindly.
                    Err(Reply::Unreadable(error)) => Failure::unreadable_success(error),
                },
                Err(f) => f,
            };
            if failure.maybe_applied {
                // No answer from Dintero (timeout, cut connection, a gateway's 502/503/504)
                // means it may still be at work: keep looking for the reconcile window before
                // concluding the write is absent. With Dintero's own answer (its 5xx error
                // body, an unreadable 200), it is done: one look is enough.
                let no_answer = failure.no_answer;
                let window = if no_answer {
                    t.config.reconcile_window
                } else {
                    Duration::ZERO
                };
                match self
                    .look_for(transaction_id, &witness, attempt, window)
                    .await
                {
                    Ok((Evidence::Done, transaction)) => {
                        log_event!(
                            self.client.inner.config.logger.as_ref(),
                            INFO,
                            "ambiguous failure reconciled: the operation had taken effect",
                            op = op,
                            transaction_id = transaction_id,
                            reference = write.reference(),
                        );
                        return Ok(done_op(OperationState::Completed, transaction, None));
                    }
                    Ok((Evidence::Pending(id), transaction)) => {
                        return Ok(done_op(OperationState::Accepted, transaction, id));
                    }
                    Ok((Evidence::Failed(e), _)) => return Err(with_ref(e)),
                    Ok((Evidence::Absent, _)) => {
                        log_event!(
                            self.client.inner.config.logger.as_ref(),
                            INFO,
                            "ambiguous failure reconciled: the operation is absent",
                            op = op,
                            transaction_id = transaction_id,
                            reference = write.reference(),
                            attempt = attempt,
                        );
                    }
                    Err(reread) => {
                        return Err(unknown(outcome_unknown(op, &failure.error, &reread)))
                    }
                }
                if !failure.retryable || attempt >= max {
                    return Err(if no_answer {
                        unknown(failure.error)
                    } else {
                        with_ref(failure.error)
                    });
                }
                continue;
            }
            if !failure.retryable || attempt >= max {
                return Err(with_ref(failure.error));
            }
            match t.wait_before_retry(&failure, attempt) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => return Err(with_ref(failure.error)),
            }
        }
    }

    /// Re-reads the transaction until the witness shows up or `window` has passed (at least
    /// one read, after one backoff step).
    async fn look_for(
        &self,
        transaction_id: &str,
        witness: &Witness,
        attempt: u32,
        window: Duration,
    ) -> Result<(Evidence, Transaction)> {
        let t = &self.client.inner;
        let started = tokio::time::Instant::now();
        tokio::time::sleep(t.config.retry.backoff(attempt)).await;
        let mut pause = Duration::from_millis(50);
        loop {
            let tx = self.get(transaction_id, &[]).await?;
            let evidence = witness.look(&tx);
            let elapsed = started.elapsed();
            if !matches!(evidence, Evidence::Absent) || elapsed >= window {
                return Ok((evidence, tx));
            }
            tokio::time::sleep(pause.min(window - elapsed)).await;
            pause = (pause * 2).min(Duration::from_secs(1));
        }
    }

    /// Reads a 2xx answer to a write. A 200 is checked: the write's own event must not have
    /// failed. A 202 is decided by its status, never resent.
    async fn operation_from(
        &self,
        write: &Write,
        witness: &Witness,
        response: &Response,
    ) -> std::result::Result<Operation, Reply> {
        let accepted = response.status == 202;
        let event_request_id = response.header("event-request-id");
        let operation = |state, transaction, reconciled| Operation {
            state,
            transaction,
            event_request_id: event_request_id.clone(),
            reference: write.reference().map(str::to_string),
            reconciled,
            request_id: response.request_id(),
        };
        if accepted {
            return match response.json::<Transaction>("the transaction") {
                Ok(tx) => Ok(operation(OperationState::Accepted, tx, false)),
                // The body is a courtesy: read the transaction instead. If that fails too, the
                // write is still queued at Dintero: say so, never resend it.
                Err(_) => match self.get(&write.transaction_id, &[]).await {
                    Ok(tx) => Ok(operation(OperationState::Accepted, tx, true)),
                    Err(e) => Err(Reply::Unknown(Error::new(
                        e.kind(),
                        format!(
                            "{}: Dintero accepted it for processing (202, event-request-id {}), but its answer and the re-read could not be read ({}); call {} again with the same reference to learn the outcome",
                            write.op,
                            event_request_id.as_deref().unwrap_or("unknown"),
                            e.message(),
                            write.op
                        ),
                    ))),
                },
            };
        }
        let tx: Transaction = response
            .json("the transaction")
            .map_err(Reply::Unreadable)?;
        match witness.look(&tx) {
            // Dintero answered 200, and the event says the write failed (e.g. the acquirer
            // refused the capture): an error, not to be retried.
            Evidence::Failed(e) => Err(Reply::Final(e.with_request_id(response.request_id()))),
            _ => Ok(operation(OperationState::Completed, tx, false)),
        }
    }
}

/// How a 2xx answer to a write went wrong.
enum Reply {
    /// Known outcome: do not retry.
    Final(Error),
    /// Accepted, but nothing more is known.
    Unknown(Error),
    /// The body could not be read: reconcile.
    Unreadable(Error),
}

/// Removes a finished write from the registry when its task ends, however it ends.
struct Leave {
    client: Client,
    key: String,
}

impl Drop for Leave {
    fn drop(&mut self) {
        self.client.writes.lock().running.remove(&self.key);
    }
}

fn list_query(filter: &ListTransactions) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    if let Some(l) = filter.limit {
        q.append_pair("limit", &l.to_string());
    }
    if let Some(v) = &filter.starting_after {
        q.append_pair("starting_after", v);
    }
    if let Some(v) = &filter.merchant_reference {
        q.append_pair("merchant_reference", v);
    }
    for v in &filter.session_id {
        q.append_pair("session_id", v);
    }
    for v in &filter.status {
        q.append_pair("status", v.as_str());
    }
    if let Some(v) = &filter.created_at_gte {
        q.append_pair("created_at.gte", v);
    }
    if let Some(v) = &filter.created_at_lte {
        q.append_pair("created_at.lte", v);
    }
    for p in &filter.extra {
        q.append_pair(&p.name, &p.value);
    }
    q.finish()
}

/// The error of a write whose event Dintero recorded as failed. Its kind comes from the
/// event's error: [`ErrorKind::Server`] (transient) when Dintero says retrying may help
/// (`retry_policy.retry_codes` with `RETRY_IMMEDIATELY` / `RETRY_AFTER_DELAY`, or a `TIMEOUT`
/// code), otherwise [`ErrorKind::Conflict`] (the acquirer or the transaction refused it).
fn event_failure(event: &TransactionEvent) -> Error {
    let (code, message, retry) = match &event.error {
        Some(err) => {
            let retry_codes = err
                .extra
                .get("retry_policy")
                .and_then(|p| p.get("retry_codes"))
                .and_then(Value::as_array);
            let retry = retry_codes.is_some_and(|codes| {
                codes
                    .iter()
                    .any(|c| matches!(c.as_str(), Some("RETRY_IMMEDIATELY" | "RETRY_AFTER_DELAY")))
            }) || err.code.as_deref() == Some("TIMEOUT");
            (
                err.code.clone(),
                err.message.clone().unwrap_or_else(|| "no message".into()),
                retry,
            )
        }
        None => (None, "no error details".into(), false),
    };
    let kind = if retry {
        ErrorKind::Server
    } else {
        ErrorKind::Conflict
    };
    Error::new(
        kind,
        format!(
            "{} failed at Dintero: {message}",
            event.event.as_ref().map_or("the operation", |k| k.as_str())
        ),
    )
    .with_code(code)
    .with_request_id(event.request_id.clone())
}

/// Walks every page of a transaction listing. Get one from [`Transactions::list`].
#[derive(Debug)]
pub struct TransactionPager {
    client: Client,
    filter: ListTransactions,
    buffer: VecDeque<Transaction>,
    done: bool,
}

impl TransactionPager {
    /// The next transaction, fetching the next page when needed; `None` at the end.
    pub async fn next(&mut self) -> Result<Option<Transaction>> {
        if let Some(tx) = self.buffer.pop_front() {
            return Ok(Some(tx));
        }
        if self.done {
            return Ok(None);
        }
        let page = self.client.transactions().list_page(&self.filter).await?;
        if let Some(cursor) = &self.filter.starting_after {
            if page.iter().any(|t| &t.id == cursor) {
                self.done = true;
                return Err(Error::decode(format!(
                    "list transactions: the page after {cursor} contains {cursor} again; the server ignored starting_after, stopping instead of looping"
                )));
            }
        }
        let limit = self.filter.limit.unwrap_or(10) as usize;
        if page.len() < limit {
            self.done = true;
        }
        match page.last() {
            // A page whose last transaction has no id (the spec leaves `id` optional) has no
            // cursor to continue from: this page is the last one this pager can give, and
            // sending `starting_after=` would restart the listing from its first page.
            Some(last) if last.id.is_empty() => {
                if !self.done {
                    log_event!(
                        self.client.inner.config.logger.as_ref(),
                        WARN,
                        "list transactions: the last transaction of a full page has no id; stopping here, as there is no cursor to continue from",
                    );
                }
                self.done = true;
            }
            Some(last) => self.filter.starting_after = Some(last.id.clone()),
            None => self.done = true,
        }
        self.buffer.extend(page);
        Ok(self.buffer.pop_front())
    }

    /// The next whole page (what is left of the current one first); `None` at the end.
    pub async fn next_page(&mut self) -> Result<Option<Vec<Transaction>>> {
        if self.buffer.is_empty() {
            match self.next().await? {
                Some(first) => self.buffer.push_front(first),
                None => return Ok(None),
            }
        }
        Ok(Some(self.buffer.drain(..).collect()))
    }

    /// As a `Stream` of transactions.
    pub fn into_stream(self) -> impl futures_util::Stream<Item = Result<Transaction>> + Send {
        futures_util::stream::unfold(Some(self), |state| async move {
            let mut pager = state?;
            match pager.next().await {
                Ok(Some(tx)) => Some((Ok(tx), Some(pager))),
                Ok(None) => None,
                Err(e) => Some((Err(e), None)),
            }
        })
    }

    /// Collects everything (careful with large accounts).
    pub async fn collect_all(mut self) -> Result<Vec<Transaction>> {
        let mut all = Vec::new();
        while let Some(tx) = self.next().await? {
            all.push(tx);
        }
        Ok(all)
    }
}
