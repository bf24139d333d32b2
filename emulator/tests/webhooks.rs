//! Webhooks as Dintero serves them: subscriptions (create, list, delete), the `ping` on
//! creation, `checkout_transaction` and `checkout_authorization` deliveries with `event`,
//! `event-delivery` and `event-signature` (HMAC-SHA1 of the raw body, checked here with the
//! `hmac` and `sha1` crates, not the emulator's code), retries on the emulator's clock, and
//! redelivery.

mod common;

use common::*;
use dintero_emulator::EmulatorConfig;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

const SECRET: &str = "whsec-test-3f9a";

fn hmac_sha1_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

fn hooks_path(env: &Env) -> String {
    format!("/v1/accounts/{}/hooks/subscriptions", env.aid())
}

async fn subscribe(env: &Env, url: &str, events: &[&str]) -> Value {
    let r = env
        .post(
            &hooks_path(env),
            json!({"config": {"url": url, "content_type": "application/json", "secret": SECRET},
                   "events": events}),
        )
        .await;
    r.ok().clone()
}

fn header<'a>(r: &'a Received, name: &str) -> &'a str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} header in {:?}", r.headers))
}

/// Checks the headers and signature of a delivery; returns its parsed body.
fn verified(r: &Received) -> Value {
    assert_eq!(r.method, "POST");
    assert_eq!(header(r, "content-type"), "application/json");
    assert!(header(r, "user-agent").starts_with("Dintero-Hook/"));
    assert_eq!(
        header(r, "event-signature"),
        hmac_sha1_hex(SECRET, r.body.as_bytes()),
        "event-signature is the HMAC-SHA1 of the raw body"
    );
    let body: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(body["event"], header(r, "event"));
    assert_eq!(body["event_delivery"], header(r, "event-delivery"));
    assert_eq!(body["account_id"], "T12345678");
    body
}

fn events_of(got: &[Received]) -> Vec<(String, String)> {
    got.iter()
        .map(|r| {
            let b: Value = serde_json::from_str(&r.body).unwrap();
            (
                b["event"].as_str().unwrap_or_default().to_string(),
                b["transaction"]["status"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn subscriptions_are_created_pinged_listed_and_deleted() {
    let env = start().await;
    let rx = Receiver::start(&[]).await;
    let path = hooks_path(&env);

    // Bearer auth like every API route.
    let r = env
        .raw(
            Method::GET,
            &path,
            None,
            &[("authorization", "Bearer nope")],
        )
        .await;
    r.error(401);
    // Refused bodies.
    let r = env
        .post(&path, json!({"config": {"url": rx.url}, "events": []}))
        .await;
    assert!(r.error(400).contains("validation") || r.text.contains("events"));
    let r = env
        .post(
            &path,
            json!({"config": {}, "events": ["checkout_transaction"]}),
        )
        .await;
    assert!(r.text.contains("config.url"), "{}", r.text);
    r.error(400);
    // Another account's hooks.
    let r = env.get("/v1/accounts/T99999999/hooks/subscriptions").await;
    r.error(403);

    let created = subscribe(&env, &rx.url, &["checkout_transaction"]).await;
    let id = created["id"].as_str().unwrap().to_string();
    assert!(!id.is_empty());
    assert_eq!(created["events"], json!(["checkout_transaction"]));
    assert_eq!(created["config"]["url"], json!(rx.url));
    assert!(created["created_at"].is_string());
    assert!(created["config"].get("secret").is_none());

    // The ping.
    eventually(5, || !rx.received().is_empty()).await;
    let ping = &rx.received()[0];
    let body = verified(ping);
    assert_eq!(body["event"], "ping");
    assert_eq!(header(ping, "event"), "ping");

    let list = env.get(&path).await;
    assert_eq!(list.ok().as_array().unwrap().len(), 1);
    assert_eq!(list.body[0]["id"], json!(id));
    assert_eq!(list.body[0]["config"]["url"], json!(rx.url));
    assert!(!list.text.contains(SECRET));

    // The control route shows subscription and delivery, never the secret.
    let c = env.control(Method::GET, "/_emulator/webhooks", None).await;
    assert!(!c.text.contains(SECRET), "{}", c.text);
    assert_eq!(c.body["subscriptions"][0]["has_secret"], true);
    let d = &c.body["deliveries"][0];
    assert_eq!(d["event"], "ping");
    assert_eq!(d["delivered"], true);
    assert_eq!(d["attempts"][0]["status"], 200);
    assert_eq!(
        d["attempts"][0]["signature"],
        json!(hmac_sha1_hex(
            SECRET,
            d["body"].as_str().unwrap().as_bytes()
        ))
    );
    // Nor does the request log.
    let log = env.control(Method::GET, "/_emulator/requests", None).await;
    assert!(log.text.contains("create_hook"));
    assert!(
        !log.text.contains(SECRET),
        "the request log shows the secret"
    );

    let del = env
        .call(Method::DELETE, &format!("{path}/{id}"), None)
        .await;
    assert_eq!(del.status.as_u16(), 204, "{}", del.text);
    env.call(Method::DELETE, &format!("{path}/{id}"), None)
        .await
        .error(404);
    assert_eq!(env.get(&path).await.ok(), &json!([]));
}

#[tokio::test]
async fn transaction_and_authorization_events_are_delivered_signed() {
    let env = start().await;
    let all = Receiver::start(&[]).await;
    let tx_only = Receiver::start(&[]).await;
    subscribe(
        &env,
        &all.url,
        &["checkout_transaction", "checkout_authorization"],
    )
    .await;
    subscribe(&env, &tx_only.url, &["checkout_transaction"]).await;
    eventually(5, || {
        all.received().len() == 1 && tx_only.received().len() == 1
    })
    .await;

    // Each step waits for its delivery, so the order below is the order of the changes.
    let (sid, tx) = env.paid(session_body()).await;
    eventually(5, || tx_only.received().len() == 2).await;
    env.post(
        &format!("/v1/transactions/{tx}/capture"),
        json!({"amount": 10000, "capture_reference": "c1"}),
    )
    .await
    .ok();
    eventually(5, || tx_only.received().len() == 3).await;
    env.post(
        &format!("/v1/transactions/{tx}/refund"),
        json!({"amount": 2500, "refund_reference": "r1"}),
    )
    .await
    .ok();
    eventually(5, || tx_only.received().len() == 4).await;
    let (_, tx2) = env.paid(session_body()).await;
    eventually(5, || tx_only.received().len() == 5).await;
    env.post_empty(&format!("/v1/transactions/{tx2}/void"))
        .await
        .ok();
    eventually(5, || tx_only.received().len() == 6).await;
    // A payment cancelled on the page: an authorization event without a transaction.
    let sid3 = env.session(session_body()).await;
    env.emu.cancel_payment(&sid3).await.unwrap();

    // ping, 2 x (transaction + authorization), capture, refund, void, cancelled.
    eventually(5, || all.received().len() == 9).await;
    assert_eq!(
        events_of(&tx_only.received()[1..]),
        vec![
            ("checkout_transaction".into(), "AUTHORIZED".into()),
            ("checkout_transaction".into(), "PARTIALLY_CAPTURED".into()),
            (
                "checkout_transaction".into(),
                "PARTIALLY_CAPTURED_REFUNDED".into()
            ),
            ("checkout_transaction".into(), "AUTHORIZED".into()),
            ("checkout_transaction".into(), "AUTHORIZATION_VOIDED".into()),
        ]
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(tx_only.received().len(), 6, "no authorization events here");
    let got = all.received();
    let mut kinds: Vec<String> = got[1..]
        .iter()
        .map(|r| verified(r)["event"].as_str().unwrap().to_string())
        .collect();
    kinds.sort();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == "checkout_authorization")
            .count(),
        3
    );
    let mut ids: Vec<&str> = got.iter().map(|r| header(r, "event-delivery")).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), got.len(), "every delivery has its own id");

    let first_tx = got
        .iter()
        .map(verified)
        .find(|b| b["event"] == "checkout_transaction")
        .unwrap();
    let t = &first_tx["transaction"];
    assert_eq!(t["id"], json!(tx));
    assert_eq!(t["session_id"], json!(sid));
    assert_eq!(t["merchant_reference"], "order-1001");
    for key in ["merchant_reference_2", "created_at", "updated_at", "status"] {
        assert!(t.get(key).is_some(), "transaction.{key} missing: {t}");
    }
    let cancelled = got
        .iter()
        .map(verified)
        .find(|b| b["event"] == "checkout_authorization" && b["error"] == "cancelled")
        .expect("an authorization event for the cancelled payment");
    assert_eq!(cancelled["session_id"], json!(sid3));
    assert!(cancelled.get("transaction").is_none());
}

#[tokio::test]
async fn failed_deliveries_are_retried_five_times_at_most() {
    let env = start().await;
    // ping: 500, 503, then 200. Then the transaction event fails every time.
    let rx = Receiver::start(&[500, 503, 200, 500, 500, 500, 500, 500, 500, 500]).await;
    subscribe(&env, &rx.url, &["checkout_transaction"]).await;
    eventually(5, || rx.received().len() == 3).await;
    env.paid(session_body()).await;
    eventually(10, || rx.received().len() == 8).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(rx.received().len(), 8, "no sixth try");

    let c = env.control(Method::GET, "/_emulator/webhooks", None).await;
    let d = c.body["deliveries"].as_array().unwrap();
    let statuses = |i: usize| -> Vec<Value> {
        d[i]["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["status"].clone())
            .collect()
    };
    assert_eq!(statuses(0), vec![json!(500), json!(503), json!(200)]);
    assert_eq!(d[0]["delivered"], true);
    assert!(d[0]["attempts"][0]["next_retry_at"].is_string());
    assert!(d[0]["attempts"][2]["next_retry_at"].is_null());
    assert_eq!(statuses(1).len(), 5);
    assert_eq!(d[1]["delivered"], false);
    assert_eq!(d[1]["final"], true);
    assert!(d[1]["next_attempt_at"].is_null());
    // The same delivery id and body on every retry.
    let got = rx.received();
    for r in &got[4..8] {
        assert_eq!(
            header(r, "event-delivery"),
            header(&got[3], "event-delivery")
        );
        assert_eq!(r.body, got[3].body);
    }
}

#[tokio::test]
async fn retries_wait_on_the_emulator_clock_and_redelivery_sends_again() {
    // A 1-minute retry base: the second try is due two minutes of emulator time later.
    let env = start_with(EmulatorConfig {
        callback_retry_base: Duration::from_secs(60),
        ..EmulatorConfig::for_tests()
    })
    .await;
    let rx = Receiver::start(&[500]).await;
    subscribe(&env, &rx.url, &["checkout_transaction"]).await;
    eventually(5, || rx.received().len() == 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.received().len(), 1, "the retry waits");
    let c = env.control(Method::GET, "/_emulator/webhooks", None).await;
    let delivery = c.body["deliveries"][0].clone();
    assert!(delivery["next_attempt_at"].is_string());
    assert_eq!(delivery["final"], false);

    env.control(
        Method::POST,
        "/_emulator/clock/advance",
        Some(json!({"seconds": 121})),
    )
    .await
    .ok();
    eventually(3, || rx.received().len() == 2).await;
    let c = env.control(Method::GET, "/_emulator/webhooks", None).await;
    assert_eq!(c.body["deliveries"][0]["delivered"], true);

    // Redeliver: one more try, now, recorded as such.
    let id = delivery["id"].as_str().unwrap();
    let r = env
        .control(
            Method::POST,
            &format!("/_emulator/webhooks/{id}/redeliver"),
            None,
        )
        .await;
    assert_eq!(r.ok()["attempts"].as_array().unwrap().len(), 3);
    assert_eq!(r.body["attempts"][2]["trigger"], "redeliver");
    assert_eq!(rx.received().len(), 3);
    assert_eq!(
        header(&rx.received()[2], "event-delivery"),
        id,
        "a redelivery keeps the delivery id"
    );
    env.control(Method::POST, "/_emulator/webhooks/nope/redeliver", None)
        .await
        .error(404);
    // After the subscription is deleted: still signed with its secret.
    let sub_id = delivery["subscription_id"].as_str().unwrap();
    let del = env
        .call(
            Method::DELETE,
            &format!("{}/{sub_id}", hooks_path(&env)),
            None,
        )
        .await;
    assert_eq!(del.status.as_u16(), 204);
    env.control(
        Method::POST,
        &format!("/_emulator/webhooks/{id}/redeliver"),
        None,
    )
    .await
    .ok();
    verified(&rx.received()[3]);

    // Reset forgets subscriptions and deliveries.
    env.control(Method::POST, "/_emulator/reset", None)
        .await
        .ok();
    let c = env.control(Method::GET, "/_emulator/webhooks", None).await;
    assert_eq!(c.body, json!({"subscriptions": [], "deliveries": []}));
}
