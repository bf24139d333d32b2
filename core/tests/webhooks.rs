//! Webhooks end to end against the emulator: the core subscribes with
//! `client.admin().create_hook_subscription(..)`, a local axum receiver gets the `ping` and a
//! `checkout_transaction` delivery after a capture, and `verify_webhook` checks the
//! `event-signature` over the raw body and parses the event. Then list and delete.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use common::*;
use dintero_checkout::{
    verify_webhook, verify_webhook_headers, CaptureRequest, ErrorKind, NewHookSubscription, Secret,
    WebhookEvent,
};

const HOOK_SECRET: &str = "hook-secret-for-core-tests-91c2";

/// What the receiver got: the headers (lower-case names) and the body exactly as sent.
#[derive(Clone, Debug)]
struct Delivery {
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl Delivery {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A merchant's webhook endpoint: records each delivery and answers 200.
async fn hook_receiver() -> (String, Arc<Mutex<Vec<Delivery>>>) {
    let got: Arc<Mutex<Vec<Delivery>>> = Default::default();
    let sink = got.clone();
    let app = Router::new().route(
        "/dintero/hooks",
        post(move |headers: HeaderMap, body: Bytes| {
            let sink = sink.clone();
            async move {
                let headers = headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                    .collect();
                sink.lock().unwrap().push(Delivery { headers, body });
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/dintero/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, got)
}

/// Waits (at most 5 s) for a delivery matching `pred`.
async fn delivery(
    got: &Arc<Mutex<Vec<Delivery>>>,
    pred: impl Fn(&WebhookEvent) -> bool,
) -> (Delivery, WebhookEvent) {
    for _ in 0..500 {
        let list = got.lock().unwrap().clone();
        for d in list {
            let event = verify_webhook(HOOK_SECRET, &d.body, d.header("event-signature"))
                .expect("every delivery verifies with the subscription's secret");
            if pred(&event) {
                return (d, event);
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no matching webhook delivery within 5 s");
}

#[tokio::test]
async fn a_subscription_made_by_the_core_delivers_signed_events_it_can_verify() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let (url, got) = hook_receiver().await;
    let admin = client.admin();

    let sub = admin
        .create_hook_subscription(&NewHookSubscription {
            url: url.clone(),
            events: vec!["checkout_transaction".into()],
            secret: Some(Secret::new(HOOK_SECRET)),
        })
        .await
        .unwrap();
    assert!(!sub.id.is_empty());
    assert_eq!(sub.url.as_deref(), Some(url.as_str()));
    assert_eq!(sub.events, vec!["checkout_transaction"]);
    assert!(sub.created_at.is_some());
    assert!(!format!("{sub:?}").contains(HOOK_SECRET));

    // The ping on creation.
    let (ping, event) = delivery(&got, |e| e.event.as_deref() == Some("ping")).await;
    assert_eq!(event.account_id.as_deref(), Some("T12345678"));
    assert_eq!(ping.header("event"), Some("ping"));
    assert_eq!(
        ping.header("event-delivery"),
        event.event_delivery.as_deref()
    );
    assert!(ping
        .header("user-agent")
        .is_some_and(|ua| ua.starts_with("Dintero-Hook/")));

    // A capture: a checkout_transaction delivery with the new status.
    let (session_id, tx_id) = paid_transaction(&emu, &client, "hooks-1").await;
    client
        .transactions()
        .capture(
            &tx_id,
            &CaptureRequest {
                amount: 33890,
                capture_reference: Some("all".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (captured, event) = delivery(&got, |e| {
        e.transaction
            .as_ref()
            .is_some_and(|t| t["status"] == "CAPTURED")
    })
    .await;
    assert_eq!(event.event.as_deref(), Some("checkout_transaction"));
    let t = event.transaction.unwrap();
    assert_eq!(t["id"], tx_id.as_str());
    assert_eq!(t["session_id"], session_id.as_str());
    assert_eq!(t["merchant_reference"], "hooks-1");
    // The same check from the headers as a web framework hands them over.
    let headers = captured.headers.clone();
    let again = verify_webhook_headers(HOOK_SECRET, &captured.body, headers.clone()).unwrap();
    assert_eq!(again.event_delivery, event.event_delivery);
    // A wrong secret, or a body re-encoded after parsing, does not verify.
    let e = verify_webhook_headers("not-the-secret", &captured.body, headers.clone()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Signature);
    let reencoded = serde_json::to_vec_pretty(
        &serde_json::from_slice::<serde_json::Value>(&captured.body).unwrap(),
    )
    .unwrap();
    let e = verify_webhook_headers(HOOK_SECRET, &reencoded, headers).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Signature);

    // List, then delete; deleting twice is fine.
    let listed = admin.hook_subscriptions().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, sub.id);
    assert_eq!(listed[0].url.as_deref(), Some(url.as_str()));
    assert!(!format!("{listed:?}").contains(HOOK_SECRET));
    admin.delete_hook_subscription(&sub.id).await.unwrap();
    assert!(admin.hook_subscriptions().await.unwrap().is_empty());
    admin.delete_hook_subscription(&sub.id).await.unwrap();

    // Deleted: a later change is not delivered.
    let before = got.lock().unwrap().len();
    let (_, tx2) = paid_transaction(&emu, &client, "hooks-2").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(got.lock().unwrap().len(), before, "no delivery for {tx2}");
}
