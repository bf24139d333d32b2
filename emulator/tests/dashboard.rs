//! The dashboard (`/_emulator/ui`, and `/` without `sid`) and the control routes behind its
//! buttons: what it shows, that it never shows a secret, and that each action changes what
//! the API then returns.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

const HOOK_SECRET: &str = "whsec-dash-77c1";

async fn page(env: &Env, path: &str) -> String {
    let r = env
        .http
        .get(format!("{}{path}", env.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "{path}");
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    r.text().await.unwrap()
}

fn assert_no_secrets(env: &Env, text: &str, what: &str) {
    let cfg = env.emu.config();
    let mut secrets = vec![
        cfg.client_secret.clone(),
        cfg.signature_secret.clone().unwrap(),
        HOOK_SECRET.to_string(),
    ];
    secrets.extend(env.emu.issued_tokens());
    assert!(!env.emu.issued_tokens().is_empty());
    for s in secrets {
        assert!(!text.contains(&s), "{what} shows a secret: {s}");
    }
}

#[tokio::test]
async fn the_dashboard_shows_the_state_and_no_secret() {
    let env = start().await;
    let rx = Receiver::start(&[]).await;
    env.post(
        &format!("/v1/accounts/{}/hooks/subscriptions", env.aid()),
        json!({"config": {"url": rx.url, "secret": HOOK_SECRET}, "events": ["checkout_transaction"]}),
    )
    .await
    .ok();
    let open = env.session(session_body()).await;
    let mut body = with_callback(session_body(), &format!("{}?method=POST", rx.url));
    body["order"]["merchant_reference"] = json!("order-dash-2");
    let (sid, tx) = env.paid(body).await;
    env.post(
        &format!("/v1/transactions/{tx}/capture"),
        json!({"amount": 10000}),
    )
    .await
    .ok();
    eventually(5, || rx.received().len() >= 4).await;

    let html = page(&env, "/_emulator/ui").await;
    for needle in [
        open.as_str(),
        sid.as_str(),
        tx.as_str(),
        "order-dash-2",
        "PARTIALLY_CAPTURED",
        "438,80 NOK", // authorized
        "100,00 NOK", // captured
        "338,80 NOK", // remaining
        "checkout_transaction",
        "v0-hmac-sha256=", // a callback's signature, shown with its attempt
        "create_session",
        "data-action=\"pay\"",
        "data-action=\"capture\"",
        "data-action=\"redeliver-callback\"",
        "data-action=\"rotate\"",
    ] {
        assert!(
            html.contains(needle),
            "the dashboard does not show {needle:?}"
        );
    }
    // Every test card is offered for the open session.
    for card in dintero_emulator::catalog()["cards"].as_array().unwrap() {
        assert!(html.contains(card["number"].as_str().unwrap()));
    }
    assert_no_secrets(&env, &html, "/_emulator/ui");
    // The same page at / without sid, and the live part on its own.
    let root = page(&env, "/").await;
    assert!(root.contains("Dintero emulator") && root.contains(tx.as_str()));
    assert_no_secrets(&env, &root, "/");
    let live = page(&env, "/_emulator/ui/live").await;
    assert!(live.contains(tx.as_str()) && !live.contains("<html"));
    assert_no_secrets(&env, &live, "/_emulator/ui/live");
    let state = env.control(Method::GET, "/_emulator/ui/state", None).await;
    assert_no_secrets(&env, &state.text, "/_emulator/ui/state");
    assert_eq!(state.body["signature"]["present"], true);
    let t = state.body["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == json!(tx))
        .unwrap();
    assert_eq!(
        (&t["captured"], &t["refunded"], &t["remaining"]),
        (&json!(10000), &json!(0), &json!(33880))
    );
    // `/?sid=` is still the hosted checkout.
    let checkout = page(&env, &format!("/?sid={open}")).await;
    assert!(checkout.contains("pay-button") && !checkout.contains("Local Backoffice"));
}

#[tokio::test]
async fn the_dashboard_actions_change_what_the_api_returns() {
    let env = start().await;
    let (_, tx) = env.paid(session_body()).await;
    let ctl = |path: &str| format!("/_emulator/transactions/{tx}/{path}");
    env.control(
        Method::POST,
        &ctl("capture"),
        Some(json!({"amount": 20000})),
    )
    .await
    .ok();
    let t = env.tx(&tx).await;
    assert_eq!(t["status"], "PARTIALLY_CAPTURED");
    env.control(Method::POST, &ctl("refund"), Some(json!({"amount": 5000})))
        .await
        .ok();
    let t = env.tx(&tx).await;
    assert_eq!(t["status"], "PARTIALLY_CAPTURED_REFUNDED");
    let last: &Value = t["events"].as_array().unwrap().last().unwrap();
    assert_eq!(
        (&last["event"], &last["amount"]),
        (&json!("REFUND"), &json!(5000))
    );
    // Refused like the API refuses it.
    env.control(Method::POST, &ctl("refund"), Some(json!({"amount": 99999})))
        .await
        .error(400);
    let (_, tx2) = env.paid(session_body()).await;
    env.control(
        Method::POST,
        &format!("/_emulator/transactions/{tx2}/void"),
        Some(json!({})),
    )
    .await
    .ok();
    assert_eq!(env.tx(&tx2).await["status"], "AUTHORIZATION_VOIDED");

    // Rotating the secret from the dashboard: the API then returns another secret, and the
    // dashboard's answer does not contain it.
    let before = env.get("/v1/admin/signature").await.ok().clone();
    let r = env
        .control(Method::POST, "/_emulator/signature/rotate", None)
        .await;
    assert_eq!(r.ok()["present"], true);
    let after = env.get("/v1/admin/signature").await.ok().clone();
    let secret = after["signature"]["secret"].as_str().unwrap();
    assert_ne!(before["signature"]["secret"], after["signature"]["secret"]);
    assert!(!r.text.contains(secret));
    assert_eq!(r.body["id"], after["id"]);
}

#[tokio::test]
async fn a_callback_is_redelivered_with_every_attempt_recorded() {
    let env = start().await;
    let rx = Receiver::start(&[503]).await;
    let (_, tx) = env.paid(with_callback(session_body(), &rx.url)).await;
    eventually(5, || rx.received().len() == 2).await;
    let list = env.control(Method::GET, "/_emulator/callbacks", None).await;
    let cb = list.body[0].clone();
    assert_eq!(cb["attempts"], 2);
    let log = cb["attempt_log"].as_array().unwrap();
    assert_eq!(log[0]["status"], 503);
    assert!(log[0]["next_retry_at"].is_string());
    assert_eq!(log[1]["status"], 200);
    assert!(log[1]["signature"].as_str().unwrap().starts_with("t="));

    let id = cb["id"].as_str().unwrap();
    let r = env
        .control(
            Method::POST,
            &format!("/_emulator/callbacks/{id}/redeliver"),
            None,
        )
        .await;
    assert_eq!(r.ok()["attempts"], 3);
    assert_eq!(r.body["redeliveries"], 1);
    assert_eq!(r.body["attempt_log"][2]["trigger"], "redeliver");
    assert_eq!(rx.received().len(), 3);
    let again = &rx.received()[2];
    assert_eq!(again.param("transaction_id").as_deref(), Some(tx.as_str()));
    assert_eq!(again.headers["event-delivery"].to_str().unwrap(), id);
    env.control(Method::POST, "/_emulator/callbacks/nope/redeliver", None)
        .await
        .error(404);
}
