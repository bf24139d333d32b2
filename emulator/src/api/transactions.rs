//! `/v1/transactions` and the operations on one transaction.

use super::Ctx;
use super::OpFault;
use crate::error::{json_bytes_response, json_response, ApiError, ApiResult};
use crate::model::ALL_STATUSES;
use crate::state::{lock, AppState, TxEntry};
use crate::txops::{
    apply, check, fail, parse_capture, parse_extend, parse_refund, record_initiate,
    record_queued_failure, Op,
};
use crate::util::{fmt_time, parse_time_lenient, uuid};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::Arc;

fn respond(r: ApiResult) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

fn find(st: &AppState, id: &str) -> Result<Arc<TxEntry>, ApiError> {
    st.tx(id)
        .ok_or_else(|| ApiError::not_found(format!("transaction {id:?} not found")))
}

/// The transaction JSON, with `session` added when `includes=session` asks for it.
fn render(st: &AppState, entry: &TxEntry, ctx: &Ctx) -> Response {
    let snap = entry.snapshot();
    if ctx.query_all("includes").contains(&"session") {
        let mut v = serde_json::to_value(&snap.tx).unwrap_or_default();
        if let (Some(s), Some(o)) = (st.session(&snap.tx.session_id), v.as_object_mut()) {
            o.insert(
                "session".into(),
                lock(&s.data).render(&st.config.account_id),
            );
        }
        json_response(StatusCode::OK, &v)
    } else {
        json_bytes_response(StatusCode::OK, snap.json.clone())
    }
}

pub(crate) async fn get(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let ctx = Ctx::new(req);
    respond((|| {
        st.authenticate(&ctx.headers)?;
        let entry = find(&st, &id)?;
        Ok(render(&st, &entry, &ctx))
    })())
}

/// The list's query parameters the emulator implements (`key[]` counts as `key`).
const LIST_FILTERS: &[&str] = &[
    "limit",
    "starting_after",
    "id",
    "session_id",
    "status",
    "merchant_reference",
    "merchant_reference_2",
    "payment_product",
    "payment_product_type",
    "currency",
    "card_brand",
    "customer_id",
    "channel",
    "amount",
    "amount.gte",
    "amount.lte",
    "created_at.gte",
    "created_at.lte",
    "includes",
];

/// Filters Dintero's list has that the emulator refuses with 400 rather than ignore.
const UNIMPLEMENTED_FILTERS: &[&str] = &[
    "captured_at.gte",
    "captured_at.lte",
    "refunded_at.gte",
    "refunded_at.lte",
    "search",
    "store_id",
    "payout_correlation_id",
    "payout_destination_id",
    "payment_operation",
    "token_id",
    "terminal_id",
];

pub(crate) async fn list(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let ctx = Ctx::new(req);
    respond(list_inner(&st, &ctx))
}

fn list_inner(st: &AppState, ctx: &Ctx) -> ApiResult {
    st.authenticate(&ctx.headers)?;
    let mut problems = crate::validate::Problems::default();
    let limit = match ctx.query_one("limit") {
        None => 10,
        Some(l) => match l.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                problems.add(
                    "limit",
                    format!("must be an integer from 1 to 100, got {l:?}"),
                );
                10
            }
        },
    };
    let statuses = ctx.query_all("status");
    for s in &statuses {
        if !ALL_STATUSES.contains(s) {
            problems.add("status", format!("unknown status {s:?}"));
        }
    }
    let mut time_filter = |key: &str| {
        ctx.query_one(key)
            .and_then(|v| match parse_time_lenient(v) {
                Some(t) => Some(t),
                None => {
                    problems.add(
                        key,
                        format!("must be an ISO 8601 date or date-time, got {v:?}"),
                    );
                    None
                }
            })
    };
    let gte = time_filter("created_at.gte");
    let lte = time_filter("created_at.lte");
    let mut int_filter = |key: &str| {
        ctx.query_one(key).and_then(|v| match v.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                problems.add(key, format!("must be an integer, got {v:?}"));
                None
            }
        })
    };
    let amount = int_filter("amount");
    let amount_gte = int_filter("amount.gte");
    let amount_lte = int_filter("amount.lte");
    let includes = ctx.query_all("includes");
    for v in &includes {
        if *v != "events.success.true" {
            problems.add(
                "includes",
                format!("{v:?} is not supported; only events.success.true"),
            );
        }
    }
    for (key, _) in &ctx.query {
        let name = key.strip_suffix("[]").unwrap_or(key);
        if !LIST_FILTERS.contains(&name) {
            let why = if UNIMPLEMENTED_FILTERS.contains(&name) {
                "is a Dintero filter the emulator does not implement"
            } else {
                "is not a filter of the transaction list"
            };
            problems.add(name, why);
        }
    }
    problems.into_result()?;
    let only_successful_events = !includes.is_empty();
    let customer_id = ctx.query_one("customer_id");
    let channels = ctx.query_all("channel");
    let ids = ctx.query_all("id");
    let session_ids = ctx.query_all("session_id");
    let mref = ctx.query_one("merchant_reference");
    let mref2 = ctx.query_one("merchant_reference_2");
    let products = ctx.query_all("payment_product");
    let product_types = ctx.query_all("payment_product_type");
    let currencies = ctx.query_all("currency");
    let brands = ctx.query_all("card_brand");

    // Newest first; collect entries without holding the store lock while rendering.
    let entries: Vec<Arc<TxEntry>> = {
        let store = st.txs.read().unwrap_or_else(|e| e.into_inner());
        let mut ids_iter: Box<dyn Iterator<Item = &String>> = Box::new(store.order.iter().rev());
        if let Some(after) = ctx.query_one("starting_after") {
            let pos = store
                .order
                .iter()
                .rev()
                .position(|i| i == after)
                .ok_or_else(|| {
                    ApiError::validation(vec![(
                        "starting_after".into(),
                        format!("unknown transaction id {after:?}"),
                    )])
                })?;
            ids_iter = Box::new(store.order.iter().rev().skip(pos + 1));
        }
        ids_iter.filter_map(|i| store.map.get(i).cloned()).collect()
    };
    let mut out: Vec<Value> = Vec::with_capacity(limit);
    for entry in entries {
        if out.len() >= limit {
            break;
        }
        let snap = entry.snapshot();
        let tx = &snap.tx;
        let keep = (ids.is_empty() || ids.contains(&tx.id.as_str()))
            && (session_ids.is_empty() || session_ids.contains(&tx.session_id.as_str()))
            && (statuses.is_empty() || statuses.contains(&tx.status.as_str()))
            && mref.is_none_or(|m| m == tx.merchant_reference)
            && mref2.is_none_or(|m| tx.merchant_reference_2.as_deref() == Some(m))
            && (products.is_empty() || products.contains(&tx.payment_product))
            && (product_types.is_empty() || product_types.contains(&tx.payment_product_type))
            && (currencies.is_empty() || currencies.contains(&tx.currency.as_str()))
            && (brands.is_empty()
                || tx
                    .card
                    .get("brand")
                    .and_then(Value::as_str)
                    .is_some_and(|b| brands.iter().any(|x| x.eq_ignore_ascii_case(b))))
            && customer_id.is_none_or(|c| {
                tx.customer.as_ref().and_then(|x| x.get("customer_id")) == Some(&Value::from(c))
            })
            && (channels.is_empty() || channels.contains(&tx.channel.as_str()))
            && amount.is_none_or(|a| tx.amount == a)
            && amount_gte.is_none_or(|a| tx.amount >= a)
            && amount_lte.is_none_or(|a| tx.amount <= a)
            && gte.is_none_or(|t| tx.created >= t)
            && lte.is_none_or(|t| tx.created <= t);
        if keep {
            let mut v = serde_json::to_value(tx).unwrap_or_default();
            if only_successful_events {
                if let Some(Value::Array(evs)) = v.get_mut("events") {
                    evs.retain(|e| e["success"] == true);
                }
            }
            out.push(v);
        }
    }
    Ok(json_response(StatusCode::OK, &Value::Array(out)))
}

pub(crate) async fn update(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    respond(update_inner(st, id, Ctx::new(req)).await)
}

async fn update_inner(st: Arc<AppState>, id: String, mut ctx: Ctx) -> ApiResult {
    st.authenticate(&ctx.headers)?;
    let entry = find(&st, &id)?;
    let body = ctx.json_object_opt().await?.unwrap_or_default();
    let mref2 = match body.get("merchant_reference_2") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(ApiError::validation(vec![(
                "merchant_reference_2".into(),
                "must be a string".into(),
            )]))
        }
    };
    let _op = entry.op.lock().await;
    if let Some(m) = mref2 {
        let mut tx = entry.snapshot().tx.clone();
        tx.merchant_reference_2 = Some(m);
        tx.updated_at = fmt_time(st.now());
        entry.store(tx);
    }
    Ok(render(&st, &entry, &ctx))
}

/// How an operation treats its request body.
#[derive(Clone, Copy, PartialEq)]
enum BodyMode {
    Required,
    Optional,
    Ignored,
}

macro_rules! op_handler {
    ($name:ident, $parse:expr, $mode:expr) => {
        op_handler!($name, $parse, $mode, true);
    };
    ($name:ident, $parse:expr, $mode:expr, $auth:expr) => {
        pub(crate) async fn $name(
            State(st): State<Arc<AppState>>,
            Path(id): Path<String>,
            req: Request,
        ) -> Response {
            respond(operate(st, id, Ctx::new(req), $parse, $mode, $auth).await)
        }
    };
}

type Parser = fn(&serde_json::Map<String, Value>) -> Result<Op, ApiError>;

op_handler!(capture, parse_capture as Parser, BodyMode::Required);
op_handler!(refund, parse_refund as Parser, BodyMode::Required);
op_handler!(void, (|_| Ok(Op::Void)) as Parser, BodyMode::Ignored);
op_handler!(
    extend_authorization,
    parse_extend as Parser,
    BodyMode::Optional
);
// The dashboard's buttons (`/_emulator/transactions/{id}/...`): the same operations,
// without a token, as Backoffice does them for a signed-in user.
op_handler!(
    control_capture,
    parse_capture as Parser,
    BodyMode::Required,
    false
);
op_handler!(
    control_refund,
    parse_refund as Parser,
    BodyMode::Required,
    false
);
op_handler!(
    control_void,
    (|_| Ok(Op::Void)) as Parser,
    BodyMode::Optional,
    false
);

async fn operate(
    st: Arc<AppState>,
    id: String,
    mut ctx: Ctx,
    parse: Parser,
    mode: BodyMode,
    auth: bool,
) -> ApiResult {
    if auth {
        st.authenticate(&ctx.headers)?;
    }
    let entry = find(&st, &id)?;
    let body = match mode {
        BodyMode::Required => ctx.json_object().await?,
        BodyMode::Optional => ctx.json_object_opt().await?.unwrap_or_default(),
        // Void takes no body; whatever is sent is read (size-limited) and ignored.
        BodyMode::Ignored => {
            ctx.bytes().await?;
            Default::default()
        }
    };
    let op = parse(&body)?;
    let op_lock = entry.op.lock().await;
    let op_fault = ctx.op_fault.filter(|_| !matches!(op, Op::Extend { .. }));
    if op_fault == Some(OpFault::FailedEvent) {
        let snap = fail(&st, &entry, &op, &ctx.request_id)?;
        return Ok(json_bytes_response(StatusCode::OK, snap.json.clone()));
    }
    if op_fault == Some(OpFault::Accepted202) {
        check(&entry.snapshot().tx, &op)?;
        let event_request_id = uuid();
        let snap = record_initiate(&st, &entry, &op, &event_request_id);
        let mut resp = json_bytes_response(StatusCode::ACCEPTED, snap.json.clone());
        if let Ok(v) = HeaderValue::from_str(&event_request_id) {
            resp.headers_mut().insert("event-request-id", v);
        }
        drop(op_lock);
        let st2 = st.clone();
        let entry2 = entry.clone();
        let generation = st.generation.load(std::sync::atomic::Ordering::SeqCst);
        tokio::spawn(async move {
            tokio::time::sleep(st2.config.accepted_delay).await;
            if st2.generation.load(std::sync::atomic::Ordering::SeqCst) != generation {
                return;
            }
            let _l = entry2.op.lock().await;
            // The completion event has a request id of its own and points back at the 202.
            let request_id = uuid();
            let correlation = Some(event_request_id.clone());
            if let Err(e) = apply(&st2, &entry2, &op, &request_id, correlation).await {
                record_queued_failure(&st2, &entry2, &op, &request_id, &event_request_id, &e);
            }
        });
        return Ok(resp);
    }
    apply(&st, &entry, &op, &ctx.request_id, None).await?;
    drop(op_lock);
    Ok(render(&st, &entry, &ctx))
}
