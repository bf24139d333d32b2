//! Shared test helpers: an emulator per test, a client with fast retries, a session payload,
//! and a local callback receiver.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::any;
use axum::Router;
use dintero_checkout::{Client, CreateSessionOptions, RetryPolicy};
use dintero_emulator::{Emulator, EmulatorConfig};
use serde_json::{json, Value};

pub async fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::for_tests())
        .await
        .expect("emulator starts")
}

pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(40),
        max_retry_after: Duration::from_secs(5),
    }
}

pub fn client_for(emu: &Emulator) -> Client {
    client_builder(emu).build().expect("client builds")
}

pub fn client_builder(emu: &Emulator) -> dintero_checkout::ClientBuilder {
    let cfg = emu.config();
    Client::builder()
        .account_id(cfg.account_id.clone())
        .client_id(cfg.client_id.clone())
        .client_secret(cfg.client_secret.clone())
        .base_url(emu.base_url())
        .timeout(Duration::from_secs(5))
        // Faults that cut the connection make capture/refund/void re-read for this long
        // before resending; the default (the timeout) is exercised in faults.rs.
        .reconcile_window(Duration::from_millis(200))
        .retry_policy(fast_retries())
}

pub fn session_payload(reference: &str, callback_url: Option<&str>) -> Value {
    let mut urls = json!({"return_url": "https://shop.example/return"});
    if let Some(cb) = callback_url {
        urls["callback_url"] = json!(cb);
    }
    json!({
        "url": urls,
        "order": {
            "amount": 33890, "currency": "NOK", "merchant_reference": reference, "vat_amount": 6778,
            "items": [{"id": "chair-1", "line_id": "1", "description": "Chair", "quantity": 1,
                       "amount": 29990, "vat_amount": 5998, "vat": 25}],
            "shipping_option": {"id": "pickup", "line_id": "ship", "amount": 3900, "vat_amount": 780,
                                "vat": 25, "title": "Pick-up point", "operator": ""}
        },
        "profile_id": "default"
    })
}

pub const APPROVE: &str = "4000 0000 0000 0002";
pub const DECLINE: &str = "4100 0000 0000 0076";

/// Creates a session and pays it with an approving card; returns (session id, transaction id).
pub async fn paid_transaction(
    emu: &Emulator,
    client: &Client,
    reference: &str,
) -> (String, String) {
    paid_with(emu, client, session_payload(reference, None)).await
}

pub async fn paid_with(emu: &Emulator, client: &Client, payload: Value) -> (String, String) {
    let created = client
        .sessions()
        .create_json(payload, &CreateSessionOptions::default())
        .await
        .expect("session created");
    let outcome = emu
        .pay(&created.id, APPROVE)
        .await
        .expect("payment accepted");
    let tx = outcome
        .transaction_id
        .expect("an approved payment creates a transaction");
    (created.id, tx)
}

/// Creates a session and pays it with `card`; returns the transaction id (the card must
/// create one: approving or "times out later" cards).
pub async fn paid_with_card(
    emu: &Emulator,
    client: &Client,
    reference: &str,
    card: &str,
) -> String {
    let created = client
        .sessions()
        .create_json(
            session_payload(reference, None),
            &CreateSessionOptions::default(),
        )
        .await
        .expect("session created");
    emu.pay(&created.id, card)
        .await
        .expect("payment accepted")
        .transaction_id
        .expect("this card creates a transaction")
}

pub fn fault(route: &str, fault: &str, times: u32) -> dintero_emulator::FaultSpec {
    serde_json::from_value(json!({"route": route, "fault": fault, "times": times}))
        .expect("fault spec")
}

pub fn fault_json(v: Value) -> dintero_emulator::FaultSpec {
    serde_json::from_value(v).expect("fault spec")
}

/// A request the local receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// A local HTTP server that records every request and answers with the next status of
/// `statuses` (200 once they run out).
pub struct Receiver {
    pub base: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone)]
struct RecvState {
    base: String,
    received: Arc<Mutex<Vec<Received>>>,
    statuses: Arc<Mutex<Vec<u16>>>,
}

async fn record(
    State(state): State<RecvState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let url = format!("{}{}", state.base, uri);
    let headers = headers
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    state.received.lock().unwrap().push(Received {
        method: method.to_string(),
        url,
        headers,
        body,
    });
    let mut statuses = state.statuses.lock().unwrap();
    let code = if statuses.is_empty() {
        200
    } else {
        statuses.remove(0)
    };
    StatusCode::from_u16(code).unwrap_or(StatusCode::OK)
}

pub async fn receiver(statuses: Vec<u16>) -> Receiver {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let received = Arc::new(Mutex::new(Vec::new()));
    let state = RecvState {
        base: base.clone(),
        received: received.clone(),
        statuses: Arc::new(Mutex::new(statuses)),
    };
    let app = Router::new().fallback(any(record)).with_state(state);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Receiver {
        base,
        received,
        task,
    }
}

impl Receiver {
    /// Waits until at least `n` requests arrived (up to 10 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..1000 {
            {
                let got = self.received.lock().unwrap();
                if got.len() >= n {
                    return got.clone();
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("receiver got fewer than {n} requests");
    }
}

pub fn count_events(
    tx: &dintero_checkout::Transaction,
    kind: dintero_checkout::TransactionEventKind,
) -> usize {
    tx.events
        .iter()
        .filter(|e| e.is(&kind) && e.succeeded())
        .count()
}
