//! Transactions: get, list (auto-paginating), capture, refund, void, extend authorization,
//! update — with exactly-once capture and refund.
//!
//! # Exactly once
//!
//! Dintero has no idempotency key. Each capture and refund therefore carries a reference
//! (`capture_reference` / `refund_reference`; generated when the caller gives none), which
//! Dintero stores on the resulting event as `event_reference`. When an attempt fails in a way
//! that leaves the outcome unknown (timeout, connection cut after sending, 5xx, a 200 whose
//! body cannot be read), the SDK re-reads the transaction: if an event with that reference
//! exists, that event is the result; if not, the request is retried. A failure that cannot
//! have reached Dintero (connect error, 429) is retried directly; a 4xx is never retried.
//! Void is handled the same way, with "the transaction is voided" as the evidence.

use std::collections::{HashSet, VecDeque};
use std::time::Duration;

use http::Method;
use serde_json::Value;

use crate::error::{input_from_value, Error, ErrorKind, Result};
use crate::http::{Failure, Mode, Request, Response};
use crate::models::{
    CaptureRequest, ExtendAuthorizationRequest, RefundRequest, Transaction, TransactionEventKind,
    TransactionStatus,
};
use crate::order::validate_operation_items;
use crate::sessions::{check_id, outcome_unknown};
use crate::Client;

/// Whether Dintero finished an operation or queued it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// Completed or accepted.
    pub state: OperationState,
    /// The transaction as Dintero returned it (unchanged yet when accepted).
    pub transaction: Transaction,
    /// The `event-request-id` of a 202 answer.
    pub event_request_id: Option<String>,
    /// The capture or refund reference used (generated when the caller gave none).
    pub reference: Option<String>,
    /// True when an attempt failed ambiguously and the result was found by re-reading.
    pub reconciled: bool,
    /// Dintero's request id, when the answer came straight from the operation.
    pub request_id: Option<String>,
}

/// Filters of [`Transactions::list`]. Empty fields are not sent.
#[derive(Debug, Clone, Default, PartialEq)]
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
    pub extra: Vec<(String, String)>,
}

/// Transaction operations; get one from [`Client::transactions`].
#[derive(Debug, Clone, Copy)]
pub struct Transactions<'a> {
    pub(crate) client: &'a Client,
}

fn generate_reference(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let tail: String = (0..20)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{prefix}-{tail}")
}

fn check_reference(what: &str, reference: &str) -> Result<()> {
    if reference.trim().is_empty() || reference.len() > 256 {
        return Err(Error::invalid_input(format!(
            "{what}: must be 1 to 256 characters"
        )));
    }
    Ok(())
}

/// What re-reading found after an ambiguous failure.
enum Evidence {
    /// The operation took effect.
    Done,
    /// Dintero queued it (an `INITIATE_*` event carries the reference).
    Pending(Option<String>),
    /// Dintero recorded it as failed.
    Failed(Error),
    /// No trace of it.
    Absent,
}

/// How a write is recognised on the transaction after an ambiguous failure.
enum Witness {
    /// A capture or refund: events carrying `reference`, other than those in `before`.
    Reference {
        done: TransactionEventKind,
        pending: TransactionEventKind,
        reference: String,
        before: HashSet<String>,
    },
    /// A void: the transaction is voided.
    Voided,
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
                    Evidence::Done
                } else {
                    Evidence::Absent
                }
            }
            Witness::Reference {
                done,
                pending,
                reference,
                before,
            } => {
                let fresh = tx.events.iter().filter(|e| {
                    e.event_reference.as_deref() == Some(reference.as_str())
                        && !e.id.as_ref().is_some_and(|id| before.contains(id))
                });
                let mut failed = None;
                let mut queued = None;
                for e in fresh {
                    if e.is(done) {
                        if e.succeeded() {
                            return Evidence::Done;
                        }
                        failed = Some(e);
                    } else if e.is(pending) && e.succeeded() {
                        queued = Some(e.request_id.clone().or_else(|| e.id.clone()));
                    }
                }
                match (failed, queued) {
                    (_, Some(id)) => Evidence::Pending(id),
                    (Some(e), None) => Evidence::Failed(event_failure(e)),
                    (None, None) => Evidence::Absent,
                }
            }
        }
    }
}

impl Transactions<'_> {
    /// Reads a transaction: `GET /v1/transactions/{id}`; `includes` adds e.g. `session`.
    pub async fn get(&self, transaction_id: &str, includes: &[&str]) -> Result<Transaction> {
        check_id("transaction_id", transaction_id)?;
        let t = &self.client.inner;
        let mut url = t.checkout_url(&format!("/v1/transactions/{transaction_id}"));
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
    /// module docs). Returns the reference used in [`Operation::reference`].
    ///
    /// With your own `capture_reference`, the transaction is read first: if a capture with
    /// that reference and the same amount already succeeded, that capture is returned
    /// (`reconciled` is true) instead of capturing again, so calling again after an "outcome
    /// unknown" error is safe. The same reference with another amount is refused.
    pub async fn capture(
        &self,
        transaction_id: &str,
        request: &CaptureRequest,
    ) -> Result<Operation> {
        check_id("transaction_id", transaction_id)?;
        validate_operation_items("capture", request.amount, &request.items)?;
        let mut body = request.clone();
        let own = body.capture_reference.clone();
        if let Some(r) = &own {
            check_reference("capture_reference", r)?;
        }
        let reference = own.clone().unwrap_or_else(|| generate_reference("cap"));
        body.capture_reference = Some(reference.clone());
        let t = &self.client.inner;
        let req = Request::new(
            Method::POST,
            t.checkout_url(&format!("/v1/transactions/{transaction_id}/capture")),
            "capture",
        )
        .json_body(&body)?;
        let kind = WriteKind::Reference {
            done: TransactionEventKind::Capture,
            pending: TransactionEventKind::InitiateCapture,
            reference,
            caller_chose: own.is_some(),
        };
        self.run_detached(transaction_id, req, "capture", request.amount, kind)
            .await
    }

    /// [`Transactions::capture`] from a JSON payload.
    pub async fn capture_json(&self, transaction_id: &str, request: Value) -> Result<Operation> {
        let request: CaptureRequest = input_from_value(request, "capture")?;
        self.capture(transaction_id, &request).await
    }

    /// Refunds `request.amount` of captured money, exactly once. A `refund_reference` of your
    /// own behaves as described for [`Transactions::capture`].
    pub async fn refund(&self, transaction_id: &str, request: &RefundRequest) -> Result<Operation> {
        check_id("transaction_id", transaction_id)?;
        validate_operation_items("refund", request.amount, &request.items)?;
        let mut body = request.clone();
        let own = body.refund_reference.clone();
        if let Some(r) = &own {
            check_reference("refund_reference", r)?;
        }
        let reference = own.clone().unwrap_or_else(|| generate_reference("ref"));
        body.refund_reference = Some(reference.clone());
        let t = &self.client.inner;
        let req = Request::new(
            Method::POST,
            t.checkout_url(&format!("/v1/transactions/{transaction_id}/refund")),
            "refund",
        )
        .json_body(&body)?;
        let kind = WriteKind::Reference {
            done: TransactionEventKind::Refund,
            pending: TransactionEventKind::InitiateRefund,
            reference,
            caller_chose: own.is_some(),
        };
        self.run_detached(transaction_id, req, "refund", request.amount, kind)
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
            t.checkout_url(&format!("/v1/transactions/{transaction_id}/void")),
            "void",
        );
        self.run_detached(transaction_id, req, "void", 0, WriteKind::Void)
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
            t.checkout_url(&format!("/v1/transactions/{transaction_id}/authorization")),
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
            t.checkout_url(&format!("/v1/transactions/{transaction_id}")),
            "update transaction",
        )
        .json_body(&serde_json::json!({ "merchant_reference_2": merchant_reference_2 }))?;
        t.execute(&req, Mode::Idempotent)
            .await
            .map_err(|f| f.error)?
            .json("the transaction")
    }

    /// Waits until the event queued by a 202 answer (`event_request_id`) lands, polling with
    /// backoff, and returns the transaction then. Fails with [`ErrorKind::Timeout`] after
    /// `timeout`, or with the event's error when it did not succeed.
    pub async fn wait_for_event(
        &self,
        transaction_id: &str,
        event_request_id: &str,
        timeout: Duration,
    ) -> Result<Transaction> {
        // A timeout too large to add is as good as none.
        let far = Duration::from_secs(100 * 365 * 86_400);
        let deadline = tokio::time::Instant::now()
            .checked_add(timeout)
            .unwrap_or_else(|| tokio::time::Instant::now() + far);
        let mut pause = Duration::from_millis(50);
        loop {
            let tx = self.get(transaction_id, &[]).await?;
            if let Some(event) = tx.events.iter().find(|e| {
                e.correlation_request_id.as_deref() == Some(event_request_id)
                    || e.request_id.as_deref() == Some(event_request_id)
            }) {
                if event.succeeded() {
                    return Ok(tx);
                }
                return Err(event_failure(event));
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!("wait_for_event: no event for request {event_request_id} on {transaction_id} within {timeout:?}"),
                ));
            }
            tokio::time::sleep(pause.min(deadline - now)).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }

    /// Runs a write in a task of its own, so a caller that stops waiting (a cancelled asyncio
    /// task or coroutine, a dropped future, a timeout around the call) does not abandon it
    /// halfway through reconciliation: it runs to its end and its outcome lands on the
    /// transaction. A panic inside becomes an error, never an unwind into the caller.
    async fn run_detached(
        &self,
        transaction_id: &str,
        req: Request,
        op: &'static str,
        amount: i64,
        kind: WriteKind,
    ) -> Result<Operation> {
        let client = self.client.clone();
        let id = transaction_id.to_string();
        let task = tokio::spawn(async move {
            client
                .transactions()
                .write_once(&id, &req, op, amount, kind)
                .await
        });
        match task.await {
            Ok(result) => result,
            Err(e) => Err(Error::new(
                ErrorKind::Server,
                format!(
                    "{op}: the SDK's task {}; re-read the transaction before deciding to retry",
                    if e.is_panic() {
                        "panicked"
                    } else {
                        "was cancelled"
                    }
                ),
            )),
        }
    }

    /// Sends a capture, refund or void so that it takes effect at most once, and reports
    /// what happened. See the module docs.
    async fn write_once(
        &self,
        transaction_id: &str,
        req: &Request,
        op: &str,
        amount: i64,
        kind: WriteKind,
    ) -> Result<Operation> {
        let t = &self.client.inner;
        let (witness, reference) = match kind {
            WriteKind::Void => (Witness::Voided, None),
            WriteKind::Reference {
                done,
                pending,
                reference,
                caller_chose,
            } => {
                let mut before = HashSet::new();
                if caller_chose {
                    // A reference of the caller's own may already be on the transaction: from
                    // an earlier call that ended "outcome unknown" (then its result is ours),
                    // or from another operation (then it cannot identify this one).
                    let tx = self.get(transaction_id, &[]).await?;
                    let mut replay = None;
                    for e in tx
                        .events
                        .iter()
                        .filter(|e| e.event_reference.as_deref() == Some(reference.as_str()))
                    {
                        if e.is(&done) && e.succeeded() {
                            if e.amount != Some(amount) {
                                return Err(Error::invalid_input(format!(
                                    "{op}: reference {reference:?} was already used for a {op} of {} on this transaction (this call asks for {amount}); use one reference per {op}",
                                    e.amount.unwrap_or(0)
                                )));
                            }
                            replay = Some(());
                        }
                        if let Some(id) = &e.id {
                            before.insert(id.clone());
                        }
                    }
                    if replay.is_some() {
                        return Ok(Operation {
                            state: OperationState::Completed,
                            transaction: tx,
                            event_request_id: None,
                            reference: Some(reference),
                            reconciled: true,
                            request_id: None,
                        });
                    }
                }
                let witness = Witness::Reference {
                    done,
                    pending,
                    reference: reference.clone(),
                    before,
                };
                (witness, Some(reference))
            }
        };
        let with_ref = |e: Error| e.with_reference(reference.as_deref());
        let max = t.config.retry.max_attempts;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let failure: Failure = match t.execute(req, Mode::Once).await {
                Ok(response) => match self
                    .operation_from(transaction_id, &response, reference.clone())
                    .await
                {
                    Ok(op) => return Ok(op),
                    // A 200 we cannot read: it probably worked. Check, never repeat blindly.
                    Err(error) => Failure {
                        error,
                        maybe_applied: true,
                        retryable: true,
                        retry_after: None,
                    },
                },
                Err(f) => f,
            };
            if failure.maybe_applied {
                // No answer at all (timeout, cut connection) means Dintero may still be at
                // work: keep looking for the reconcile window before concluding it is absent.
                // With an answer (5xx, unreadable 200), Dintero is done: one look is enough.
                let no_answer = failure.error.status().is_none();
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
                        tracing::debug!(
                            op,
                            transaction_id,
                            "ambiguous failure reconciled: the operation had taken effect"
                        );
                        return Ok(Operation {
                            state: OperationState::Completed,
                            transaction,
                            event_request_id: None,
                            reference,
                            reconciled: true,
                            request_id: None,
                        });
                    }
                    Ok((Evidence::Pending(id), transaction)) => {
                        return Ok(Operation {
                            state: OperationState::Accepted,
                            transaction,
                            event_request_id: id,
                            reference,
                            reconciled: true,
                            request_id: None,
                        });
                    }
                    Ok((Evidence::Failed(e), _)) => return Err(with_ref(e)),
                    Ok((Evidence::Absent, _)) => {}
                    Err(reread) => {
                        return Err(with_ref(outcome_unknown(op, &failure.error, &reread)))
                    }
                }
                if !failure.retryable || attempt >= max {
                    return Err(with_ref(failure.error));
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

    async fn operation_from(
        &self,
        transaction_id: &str,
        response: &Response,
        reference: Option<String>,
    ) -> Result<Operation> {
        let accepted = response.status == 202;
        let event_request_id = response.header("event-request-id");
        let transaction: Transaction = match response.json("the transaction") {
            Ok(tx) => tx,
            // A 202 is decided by its status: the body is a courtesy. Never resend a queued
            // operation because its body was unreadable.
            Err(_) if accepted => self.get(transaction_id, &[]).await?,
            Err(e) => return Err(e),
        };
        Ok(Operation {
            state: if accepted {
                OperationState::Accepted
            } else {
                OperationState::Completed
            },
            transaction,
            event_request_id,
            reference,
            reconciled: false,
            request_id: response.request_id(),
        })
    }
}

/// What kind of write [`Transactions::write_once`] sends.
enum WriteKind {
    Reference {
        done: TransactionEventKind,
        pending: TransactionEventKind,
        reference: String,
        caller_chose: bool,
    },
    Void,
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
    for (k, v) in &filter.extra {
        q.append_pair(k, v);
    }
    q.finish()
}

fn event_failure(event: &crate::models::TransactionEvent) -> Error {
    let (code, message) = match &event.error {
        Some(err) => (
            err.code.clone(),
            err.message.clone().unwrap_or_else(|| "no message".into()),
        ),
        None => (None, "no error details".into()),
    };
    Error::new(
        ErrorKind::Server,
        format!(
            "{} failed at Dintero: {message}",
            event.event.as_ref().map_or("the event", |k| k.as_str())
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
