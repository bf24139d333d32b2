//! Exactly once, tried the way merchants' systems fail: the same write twice at once (a double
//! click, a job run twice, a retry after the caller stopped waiting), a retry after a 202, a
//! gateway answering 504 while Dintero is still applying, and a retry after "outcome unknown".
//! Also what Dintero's spec says about 202s (`INITIATE_*` then a completion event with
//! `correlation_request_id`) and 200s whose event failed, against a server that follows it.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use common::*;
use dintero_checkout::{
    CaptureRequest, Client, ErrorKind, OperationState, RefundRequest, Transaction,
    TransactionEventKind,
};
use dintero_emulator::Emulator;
use serde_json::{json, Value};

fn capture_of(amount: i64, reference: Option<&str>) -> CaptureRequest {
    CaptureRequest {
        amount,
        capture_reference: reference.map(str::to_string),
        ..Default::default()
    }
}

fn refund_of(amount: i64, reference: Option<&str>) -> RefundRequest {
    RefundRequest {
        amount,
        refund_reference: reference.map(str::to_string),
        ..Default::default()
    }
}

fn captured(tx: &Transaction) -> i64 {
    tx.events
        .iter()
        .filter(|e| e.is(&TransactionEventKind::Capture) && e.succeeded())
        .filter_map(|e| e.amount)
        .sum()
}

async fn paid(emu: &Emulator, client: &Client) -> String {
    paid_transaction(emu, client, "order-once").await.1
}

#[tokio::test]
async fn the_same_reference_twice_at_once_captures_once() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let tx = paid(&emu, &client).await;
    emu.inject_fault(fault_json(
        json!({"route": "capture", "fault": "delay", "ms": 1500}),
    ))
    .unwrap();
    // The caller gives up after 0.3 s (asyncio.wait_for, a request timeout, Ctrl-C) ...
    let first = tokio::time::timeout(
        Duration::from_millis(300),
        client
            .transactions()
            .capture(&tx, &capture_of(5000, Some("ship-1"))),
    )
    .await;
    assert!(first.is_err(), "the first call was still running");
    // ... and retries with the same reference while the first is still at work.
    let again = client
        .transactions()
        .capture(&tx, &capture_of(5000, Some("ship-1")))
        .await
        .expect("the retry returns the first call's result");
    assert_eq!(again.state, OperationState::Completed);
    assert_eq!(again.reference.as_deref(), Some("ship-1"));
    let after = client.transactions().get(&tx, &[]).await.unwrap();
    assert_eq!(captured(&after), 5000, "{:#?}", after.events);
    assert_eq!(emu.request_count("capture"), 1, "one capture request");
}

#[tokio::test]
async fn a_double_click_without_a_reference_captures_once() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let tx = paid(&emu, &client).await;
    emu.inject_fault(fault_json(
        json!({"route": "capture", "fault": "delay", "ms": 400}),
    ))
    .unwrap();
    let ops = client.transactions();
    let click = capture_of(7000, None);
    let (a, b) = tokio::join!(ops.capture(&tx, &click), ops.capture(&tx, &click));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.transaction.id, b.transaction.id);
    let after = client.transactions().get(&tx, &[]).await.unwrap();
    assert_eq!(captured(&after), 7000, "{:#?}", after.events);
    assert_eq!(emu.request_count("capture"), 1);
    // Once the first has a known outcome, a new capture of the same amount is a new capture.
    client
        .transactions()
        .capture(&tx, &capture_of(7000, None))
        .await
        .unwrap();
    let after = client.transactions().get(&tx, &[]).await.unwrap();
    assert_eq!(captured(&after), 14000);
}

#[tokio::test]
async fn a_reference_accepted_with_202_is_never_sent_again() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let tx = paid(&emu, &client).await;
    emu.inject_fault(fault("capture", "accepted_202", 1))
        .unwrap();
    let first = client
        .transactions()
        .capture(&tx, &capture_of(5000, Some("ship-202")))
        .await
        .unwrap();
    assert_eq!(first.state, OperationState::Accepted);
    let id = first
        .event_request_id
        .clone()
        .expect("a 202 names its event");
    // The same reference again, from this client and from another process's client.
    for c in [client.clone(), client_for(&emu)] {
        let again = c
            .transactions()
            .capture(&tx, &capture_of(5000, Some("ship-202")))
            .await
            .unwrap();
        if again.state == OperationState::Accepted {
            assert_eq!(again.event_request_id.as_deref(), Some(id.as_str()));
        }
    }
    assert_eq!(emu.request_count("capture"), 1, "never resent");
    let done = client
        .transactions()
        .wait_for_event(&tx, &id, Some(Duration::from_secs(10)))
        .await
        .unwrap();
    assert_eq!(captured(&done), 5000, "{:#?}", done.events);
}

/// A reverse proxy in front of the emulator, like a load balancer: it forwards every request
/// and records it; for `gateway_path`, it answers `504 Gateway Time-out` (HTML) after
/// `gateway_after` while the request goes on to the emulator.
#[derive(Clone)]
struct Gateway {
    upstream: String,
    http: reqwest::Client,
    gateway_path: Option<String>,
    gateway_after: Duration,
    seen: Arc<Mutex<Vec<(String, String, String)>>>,
}

async fn forward(
    State(gw): State<Gateway>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    gw.seen.lock().unwrap().push((
        method.to_string(),
        path.clone(),
        String::from_utf8_lossy(&body).into_owned(),
    ));
    let mut req = gw
        .http
        .request(method, format!("{}{}", gw.upstream, uri))
        .body(body);
    for (k, v) in headers.iter() {
        if k != "host" {
            req = req.header(k, v);
        }
    }
    let send = tokio::spawn(async move {
        let r = req.send().await.expect("upstream answers");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.bytes().await.unwrap_or_default();
        (status, headers, body)
    });
    let slow = gw
        .gateway_path
        .as_deref()
        .is_some_and(|p| path.ends_with(p));
    let (status, headers, body) = if slow {
        match tokio::time::timeout(gw.gateway_after, send).await {
            Ok(done) => done.unwrap(),
            Err(_) => {
                return (
                    StatusCode::GATEWAY_TIMEOUT,
                    [("content-type", "text/html")],
                    "<html><body><h1>504 Gateway Time-out</h1></body></html>",
                )
                    .into_response()
            }
        }
    } else {
        send.await.unwrap()
    };
    let mut out = (StatusCode::from_u16(status).unwrap(), body).into_response();
    for (k, v) in headers.iter() {
        if k != "content-length" && k != "transfer-encoding" {
            out.headers_mut().insert(k, v.clone());
        }
    }
    out
}

async fn gateway(emu: &Emulator, path: Option<&str>) -> (String, Gateway) {
    let gw = Gateway {
        upstream: emu.base_url(),
        http: reqwest::Client::new(),
        gateway_path: path.map(str::to_string),
        gateway_after: Duration::from_millis(300),
        seen: Arc::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().fallback(any(forward)).with_state(gw.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, gw)
}

#[tokio::test]
async fn a_gateway_504_while_dintero_still_applies_is_not_resent() {
    for op in ["capture", "refund"] {
        let emu = emulator().await;
        let setup = client_for(&emu);
        let tx = paid(&emu, &setup).await;
        if op == "refund" {
            setup
                .transactions()
                .capture(&tx, &capture_of(33890, None))
                .await
                .unwrap();
        }
        let (base, _gw) = gateway(&emu, Some(&format!("/{op}"))).await;
        let client = client_builder(&emu)
            .base_url(base)
            .reconcile_window(Duration::from_secs(4))
            .build()
            .unwrap();
        emu.inject_fault(fault_json(
            json!({"route": op, "fault": "slow_apply", "ms": 1500}),
        ))
        .unwrap();
        let result = if op == "capture" {
            client
                .transactions()
                .capture(&tx, &capture_of(5000, Some("gw-1")))
                .await
        } else {
            client
                .transactions()
                .refund(&tx, &refund_of(5000, Some("gw-1")))
                .await
        };
        let result = result.unwrap_or_else(|e| panic!("{op}: {e}"));
        assert!(result.reconciled, "{op}: found by re-reading");
        let after = setup.transactions().get(&tx, &[]).await.unwrap();
        let kind = if op == "capture" {
            TransactionEventKind::Capture
        } else {
            TransactionEventKind::Refund
        };
        assert_eq!(count_events(&after, kind), 1, "{op}: {:#?}", after.events);
        assert_eq!(emu.request_count(op), 1, "{op} sent once");
    }
}

#[tokio::test]
async fn outcome_unknown_carries_the_reference_and_the_plain_retry_is_safe() {
    for reference in [Some("mine-1"), None] {
        let emu = emulator().await;
        // A long first backoff, so the test can break the re-reads after the capture was sent.
        let client = client_builder(&emu)
            .retry_policy(dintero_checkout::RetryPolicy {
                initial_backoff: Duration::from_millis(400),
                ..fast_retries()
            })
            .build()
            .unwrap();
        let tx = paid(&emu, &client).await;
        emu.inject_fault(fault("capture", "reset_after_apply", 1))
            .unwrap();
        let call = {
            let client = client.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                client
                    .transactions()
                    .capture(&tx, &capture_of(5000, reference))
                    .await
            })
        };
        while emu.request_count("capture") == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Every re-read of this call fails (one call's retry budget).
        emu.inject_fault(fault("get_transaction", "status_503", 4))
            .unwrap();
        let err = call.await.unwrap().expect_err("re-reads fail");
        assert!(err.outcome_unknown(), "{err}");
        assert_eq!(err.reference(), reference, "{err}");
        // The natural retry: the same call again (the reference from the error, if any).
        let again = client
            .transactions()
            .capture(&tx, &capture_of(5000, err.reference()))
            .await
            .unwrap();
        assert!(again.reconciled, "{reference:?}: found, not sent again");
        let after = client.transactions().get(&tx, &[]).await.unwrap();
        assert_eq!(captured(&after), 5000, "{reference:?}: {:#?}", after.events);
        assert_eq!(emu.request_count("capture"), 1);
    }
}

#[tokio::test]
async fn without_a_reference_none_is_sent_and_the_merchants_default_is_recorded() {
    let emu = emulator().await;
    let setup = client_for(&emu);
    let mut payload = session_payload("order-settle", None);
    payload["order"]["event_reference"] = json!("settle-4711");
    let (_, tx) = paid_with(&emu, &setup, payload).await;
    let (base, gw) = gateway(&emu, None).await;
    let client = client_builder(&emu).base_url(base).build().unwrap();
    let op = client
        .transactions()
        .capture(&tx, &capture_of(33890, None))
        .await
        .unwrap();
    assert_eq!(op.state, OperationState::Completed);
    let sent: Vec<Value> = gw
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(m, p, _)| m == "POST" && p.ends_with("/capture"))
        .map(|(_, _, b)| serde_json::from_str(b).unwrap())
        .collect();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].get("capture_reference").is_none(),
        "no generated reference: {}",
        sent[0]
    );
    let event = op
        .transaction
        .events
        .iter()
        .find(|e| e.is(&TransactionEventKind::Capture))
        .expect("a capture event");
    assert_eq!(event.event_reference.as_deref(), Some("settle-4711"));
}

// ---- Against a server that follows Dintero's spec, not our emulator ----------------------

/// A minimal Dintero: a token, one transaction whose body the test sets, and the capture
/// route answering with `capture_status` and that body.
#[derive(Clone)]
struct Spec {
    tx: Arc<Mutex<Value>>,
    /// What the transaction becomes when a capture arrives.
    after_capture: Arc<Mutex<Option<Value>>>,
    capture_status: u16,
    captures: Arc<Mutex<u32>>,
}

async fn spec_route(State(s): State<Spec>, OriginalUri(uri): OriginalUri) -> Response {
    let path = uri.path();
    if path.ends_with("/auth/token") {
        return axum::Json(
            json!({"access_token": "t", "token_type": "Bearer", "expires_in": 14400}),
        )
        .into_response();
    }
    if path.ends_with("/capture") {
        *s.captures.lock().unwrap() += 1;
        if let Some(next) = s.after_capture.lock().unwrap().take() {
            *s.tx.lock().unwrap() = next;
        }
        let body = s.tx.lock().unwrap().clone();
        let mut r = (
            StatusCode::from_u16(s.capture_status).unwrap(),
            axum::Json(body),
        )
            .into_response();
        r.headers_mut()
            .insert("event-request-id", "req-accepted-1".parse().unwrap());
        return r;
    }
    axum::Json(s.tx.lock().unwrap().clone()).into_response()
}

async fn spec_server(tx: Value, capture_status: u16) -> (Client, Spec) {
    let spec = Spec {
        tx: Arc::new(Mutex::new(tx)),
        after_capture: Arc::default(),
        capture_status,
        captures: Arc::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new()
        .fallback(any(spec_route))
        .with_state(spec.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let client = Client::builder()
        .account_id("T12345678")
        .client_id("id")
        .client_secret("secret")
        .base_url(base)
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    (client, spec)
}

fn spec_tx(events: Value) -> Value {
    json!({
        "id": "T12345678.abc", "status": "AUTHORIZED", "amount": 10000, "currency": "NOK",
        "merchant_reference": "order-1", "events": events
    })
}

#[tokio::test]
async fn wait_for_event_waits_for_the_completion_not_the_initiate_event() {
    let initiate = json!({"id": "e1", "event": "INITIATE_CAPTURE", "success": true,
        "amount": 10000, "request_id": "req-accepted-1", "event_reference": "r1",
        "transaction_status": "AUTHORIZED"});
    let (client, spec) = spec_server(spec_tx(json!([])), 202).await;
    *spec.after_capture.lock().unwrap() = Some(spec_tx(json!([initiate.clone()])));
    let op = client
        .transactions()
        .capture("T12345678.abc", &capture_of(10000, Some("r1")))
        .await
        .unwrap();
    assert_eq!(op.state, OperationState::Accepted);
    assert_eq!(op.event_request_id.as_deref(), Some("req-accepted-1"));
    let err = client
        .transactions()
        .wait_for_event(
            "T12345678.abc",
            "req-accepted-1",
            Some(Duration::from_millis(300)),
        )
        .await
        .expect_err("only the INITIATE event is there: not done yet");
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    // The completion event lands.
    *spec.tx.lock().unwrap() = spec_tx(json!([initiate.clone(),
        {"id": "e2", "event": "CAPTURE", "success": true, "amount": 10000,
         "request_id": "req-2", "correlation_request_id": "req-accepted-1",
         "event_reference": "r1", "transaction_status": "CAPTURED"}]));
    let done = client
        .transactions()
        .wait_for_event(
            "T12345678.abc",
            "req-accepted-1",
            Some(Duration::from_secs(5)),
        )
        .await
        .unwrap();
    assert_eq!(done.events.len(), 2);
    // A completion that failed is an error with Dintero's code.
    *spec.tx.lock().unwrap() = spec_tx(json!([initiate,
        {"id": "e2", "event": "CAPTURE", "success": false, "amount": 10000,
         "correlation_request_id": "req-accepted-1",
         "error": {"code": "CAPTURE_DECLINED", "message": "the acquirer declined"}}]));
    let err = client
        .transactions()
        .wait_for_event(
            "T12345678.abc",
            "req-accepted-1",
            Some(Duration::from_secs(5)),
        )
        .await
        .expect_err("failed completion");
    assert_eq!(err.code(), Some("CAPTURE_DECLINED"), "{err}");
    assert!(err.message().contains("the acquirer declined"), "{err}");
    // And the same reference again is not sent again: the INITIATE event is found.
    *spec.tx.lock().unwrap() = spec_tx(json!([
        {"id": "e1", "event": "INITIATE_CAPTURE", "success": true, "amount": 10000,
         "request_id": "req-accepted-1", "event_reference": "r1"}]));
    let again = client
        .transactions()
        .capture("T12345678.abc", &capture_of(10000, Some("r1")))
        .await
        .unwrap();
    assert_eq!(again.state, OperationState::Accepted);
    assert_eq!(again.event_request_id.as_deref(), Some("req-accepted-1"));
    assert_eq!(*spec.captures.lock().unwrap(), 1);
}

#[tokio::test]
async fn a_200_whose_event_failed_is_an_error_and_not_retried() {
    for reference in [Some("r-fail"), None] {
        let (client, spec) = spec_server(spec_tx(json!([])), 200).await;
        *spec.after_capture.lock().unwrap() = Some(spec_tx(json!([
            {"id": "e1", "event": "CAPTURE", "success": false, "amount": 4000,
             "event_reference": reference,
             "error": {"code": "ACQUIRER_ERROR", "message": "capture refused by acquirer"}}])));
        let err = client
            .transactions()
            .capture("T12345678.abc", &capture_of(4000, reference))
            .await;
        let err = err.expect_err("a failed capture event is a failure");
        assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
        assert_eq!(err.code(), Some("ACQUIRER_ERROR"), "{err}");
        assert!(
            err.message().contains("capture refused by acquirer"),
            "{err}"
        );
        assert!(!err.outcome_unknown());
        assert_eq!(*spec.captures.lock().unwrap(), 1, "not retried");
    }
}
