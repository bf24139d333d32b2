//! Payment methods beyond cards, over HTTP: which a session offers, Vipps, Swish (captured at
//! once), Walley invoice (ON_HOLD, then decided, with its second callback), Klarna
//! (authorization updates), and their test data in the catalog.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn pay(env: &Env, sid: &str, body: Value) -> Resp {
    env.control(
        Method::POST,
        &format!("/_emulator/sessions/{sid}/pay"),
        Some(body),
    )
    .await
}

fn phone(method: &str, number: &str) -> Value {
    json!({"payment_product_type": method, "phone_number": number})
}

fn sek(mut body: Value) -> Value {
    body["order"]["currency"] = json!("SEK");
    body
}

fn event_names(session: &Value) -> Vec<String> {
    session["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

/// Callback deliveries to `rcv` for transaction `tx` once `n` have arrived.
async fn callbacks_for(rcv: &Receiver, tx: &str, n: usize) -> Vec<Received> {
    eventually(5, || {
        rcv.received()
            .iter()
            .filter(|r| r.param("transaction_id").as_deref() == Some(tx))
            .count()
            >= n
    })
    .await;
    rcv.received()
        .into_iter()
        .filter(|r| r.param("transaction_id").as_deref() == Some(tx))
        .collect()
}

#[tokio::test]
async fn catalog_lists_every_method_and_its_test_inputs() {
    let env = start().await;
    let c = env
        .control(Method::GET, "/_emulator/catalog", None)
        .await
        .ok()
        .clone();
    let methods = c["payment_methods"].as_array().unwrap();
    let types: Vec<&str> = methods
        .iter()
        .map(|m| m["payment_product_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "dintero_psp.creditcard",
            "vipps",
            "swish.swish",
            "collector.invoice",
            "klarna.klarna"
        ]
    );
    // The existing keys are unchanged.
    assert!(c["cards"].as_array().unwrap().len() >= 20);
    assert!(c["faults"].is_array() && c["fault_routes"].is_array());
    // Every test input does what the catalog says, through the control API.
    for m in methods {
        let ty = m["payment_product_type"].as_str().unwrap();
        if ty == "dintero_psp.creditcard" {
            continue;
        }
        let currency = m["currencies"][0].as_str().unwrap();
        for t in m["test_inputs"].as_array().unwrap() {
            let mut body = session_body();
            body["order"]["currency"] = json!(currency);
            let sid = env.session(body).await;
            let r = pay(&env, &sid, phone(ty, t["value"].as_str().unwrap())).await;
            let result = r.ok()["result"].as_str().unwrap().to_string();
            let expected = match (
                t["outcome"].as_str().unwrap(),
                m["captures_at_once"] == true,
            ) {
                ("approve", true) => "captured",
                ("approve", false) => "authorized",
                ("on_hold", _) => "on_hold",
                _ => "declined",
            };
            assert_eq!(result, expected, "{ty} {t}");
        }
    }
}

#[tokio::test]
async fn vipps_authorizes_and_a_rejection_keeps_the_session_payable() {
    let env = start().await;
    let rcv = Receiver::start(&[]).await;
    let sid = env
        .session(with_callback(
            session_body(),
            &format!("{}?report_error=true", rcv.url),
        ))
        .await;
    // rejected in the app: no transaction, error=authorization
    let r = pay(&env, &sid, phone("vipps", "+47 400 00 002")).await;
    let out = r.ok().clone();
    assert_eq!(out["result"], "declined");
    assert_eq!(out["error"], "authorization");
    assert!(out.get("transaction_id").is_none());
    assert!(out["redirect_url"]
        .as_str()
        .unwrap()
        .contains("error=authorization"));
    let s = env.get(&format!("/v1/sessions/{sid}")).await.ok().clone();
    let last = s["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["name"], "DECLINED");
    assert_eq!(last["details"]["payment_product_type"], "vipps");
    eventually(5, || {
        rcv.received()
            .iter()
            .any(|r| r.param("error").as_deref() == Some("authorization"))
    })
    .await;

    // then confirmed: AUTHORIZED, no card, the phone on the customer
    let out = pay(&env, &sid, phone("vipps", "40000001"))
        .await
        .ok()
        .clone();
    assert_eq!(out["result"], "authorized");
    let tx_id = out["transaction_id"].as_str().unwrap().to_string();
    let tx = env.tx(&tx_id).await;
    assert_eq!(tx["status"], "AUTHORIZED");
    assert_eq!(tx["payment_product"], "vipps");
    assert_eq!(tx["payment_product_type"], "vipps");
    assert!(tx.get("card").is_none());
    assert_eq!(tx["customer"]["phone_number"], "+4740000001");
    let events: Vec<&str> = tx["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["INITIALIZE", "AUTHORIZE"]);
    let cbs = callbacks_for(&rcv, &tx_id, 1).await;
    assert_eq!(cbs[0].param("error"), None);
    // a normal Vipps transaction captures and voids like a card one
    let r = env
        .post(
            &format!("/v1/transactions/{tx_id}/capture"),
            json!({"amount": 1000}),
        )
        .await;
    assert_eq!(r.ok()["status"], "PARTIALLY_CAPTURED");

    // Vipps with auto-capture
    let mut body = session_body();
    body["configuration"] = json!({"auto_capture": true});
    let sid = env.session(body).await;
    let out = pay(&env, &sid, phone("vipps", "+4740000001"))
        .await
        .ok()
        .clone();
    assert_eq!(out["result"], "captured");
    let tx = env.tx(out["transaction_id"].as_str().unwrap()).await;
    assert_eq!(tx["status"], "CAPTURED");
}

#[tokio::test]
async fn methods_follow_the_configuration_and_the_currency() {
    let env = start().await;
    // Vipps is NOK only
    let sid = env.session(sek(session_body())).await;
    let m = pay(&env, &sid, phone("vipps", "+4740000001"))
        .await
        .error(400);
    assert!(m.contains("only offered in NOK"), "{m}");
    // Swish is SEK only
    let sid = env.session(session_body()).await;
    let m = pay(&env, &sid, phone("swish.swish", "+46700000001"))
        .await
        .error(400);
    assert!(m.contains("only offered in SEK"), "{m}");
    // a plain session with only Vipps switched on refuses cards
    let mut body = session_body();
    body.as_object_mut().unwrap().remove("profile_id");
    body["configuration"] = json!({"vipps": {"enabled": true}});
    let r = env.post("/v1/sessions", body.clone()).await;
    let sid = r.ok()["id"].as_str().unwrap().to_string();
    let m = pay(&env, &sid, json!({"card_number": "4000000000000002"}))
        .await
        .error(400);
    assert!(
        m.contains("not enabled for this session (configuration.dintero_psp.creditcard.enabled)"),
        "{m}"
    );
    assert_eq!(
        pay(&env, &sid, phone("vipps", "+4740000001")).await.ok()["result"],
        "authorized"
    );
    // a plain session without any provider switched on gets cards only
    body["configuration"] = json!({"auto_capture": false});
    let sid = env.post("/v1/sessions", body.clone()).await.ok()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let m = pay(&env, &sid, phone("klarna.klarna", "+4740123456"))
        .await
        .error(400);
    assert!(m.contains("not enabled"), "{m}");
    // ... unless active_payment_types.enabled asks for everything
    body["configuration"] = json!({"active_payment_types": {"enabled": true}});
    let sid = env.post("/v1/sessions", body).await.ok()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        pay(&env, &sid, phone("klarna.klarna", "+4740123456"))
            .await
            .ok()["result"],
        "authorized"
    );
    // a profile session offers everything, except what its configuration switches off
    let mut body = session_body();
    body["configuration"] = json!({"klarna": {"klarna": {"enabled": false}}});
    let sid = env.session(body).await;
    assert!(pay(&env, &sid, phone("klarna.klarna", "+4740123456"))
        .await
        .error(400)
        .contains("configuration.klarna.klarna.enabled"));
    // unknown methods and numbers say what would work
    let m = pay(&env, &sid, phone("paypal", "1")).await.error(400);
    assert!(m.contains("vipps, swish.swish"), "{m}");
    let m = pay(&env, &sid, phone("vipps", "+4799999999"))
        .await
        .error(400);
    assert!(m.contains("+4740000001 (approve)"), "{m}");
    let m = pay(&env, &sid, json!({"payment_product_type": "vipps"}))
        .await
        .error(400);
    assert!(m.contains("phone_number"), "{m}");
}

#[tokio::test]
async fn swish_is_paid_and_captured_at_once_with_one_callback() {
    let env = start().await;
    let rcv = Receiver::start(&[]).await;
    let sid = env
        .session(with_callback(sek(session_body()), &rcv.url))
        .await;
    let out = pay(&env, &sid, phone("swish.swish", "+46 70 000 00 01"))
        .await
        .ok()
        .clone();
    assert_eq!(out["result"], "captured");
    let tx_id = out["transaction_id"].as_str().unwrap().to_string();
    let tx = env.tx(&tx_id).await;
    assert_eq!(tx["status"], "CAPTURED");
    assert_eq!(tx["payment_product"], "swish");
    assert_eq!(tx["currency"], "SEK");
    let events: Vec<&str> = tx["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["INITIALIZE", "AUTHORIZE", "CAPTURE"]);
    assert_eq!(tx["events"][2]["amount"], 43880);
    callbacks_for(&rcv, &tx_id, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(rcv.received().len(), 1, "one callback, after CAPTURED");
    // nothing left to void; refunds work
    env.post_empty(&format!("/v1/transactions/{tx_id}/void"))
        .await
        .error(400);
    let r = env
        .post(
            &format!("/v1/transactions/{tx_id}/refund"),
            json!({"amount": 43880}),
        )
        .await;
    assert_eq!(r.ok()["status"], "REFUNDED");
    // a failed Swish payment: declined, error=failed
    let sid = env.session(sek(session_body())).await;
    let out = pay(&env, &sid, phone("swish.swish", "+46700000003"))
        .await
        .ok()
        .clone();
    assert_eq!(out["result"], "declined");
    assert_eq!(out["error"], "failed");
}

#[tokio::test]
async fn invoice_on_hold_then_approved_sends_a_second_callback() {
    let env = start().await;
    let rcv = Receiver::start(&[]).await;
    let sid = env.session(with_callback(session_body(), &rcv.url)).await;
    let out = pay(&env, &sid, phone("collector.invoice", "+4798000004"))
        .await
        .ok()
        .clone();
    assert_eq!(out["result"], "on_hold");
    let tx_id = out["transaction_id"].as_str().unwrap().to_string();
    assert!(out["redirect_url"]
        .as_str()
        .unwrap()
        .contains(&format!("transaction_id={tx_id}")));
    let tx = env.tx(&tx_id).await;
    assert_eq!(tx["status"], "ON_HOLD");
    assert_eq!(tx["payment_product_type"], "collector.invoice");
    assert_eq!(tx["events"][1]["transaction_status"], "ON_HOLD");
    // the first callback, then ON_HOLD_CALLBACK_SENT
    let cbs = callbacks_for(&rcv, &tx_id, 1).await;
    assert_eq!(cbs[0].param("error"), None);
    eventually(5, || {
        env.emu
            .callbacks()
            .iter()
            .all(|c| c.delivered && c.is_final)
    })
    .await;
    let s = env.get(&format!("/v1/sessions/{sid}")).await.ok().clone();
    assert!(event_names(&s).contains(&"ON_HOLD_CALLBACK_SENT".to_string()));
    assert!(!event_names(&s).contains(&"AUTHORIZED".to_string()));
    assert_eq!(s["transaction_id"], tx_id.as_str());
    // ON_HOLD cannot be captured, voided, or cancelled with the session; paying again is refused
    let r = env
        .post(
            &format!("/v1/transactions/{tx_id}/capture"),
            json!({"amount": 100}),
        )
        .await;
    r.error(400);
    env.post_empty(&format!("/v1/transactions/{tx_id}/void"))
        .await
        .error(400);
    env.post_empty(&format!("/v1/sessions/{sid}/cancel"))
        .await
        .error(400);
    pay(&env, &sid, phone("collector.invoice", "+4798000001"))
        .await
        .error(400);

    // the review approves it: AUTHORIZED, a second callback, AUTH_CALLBACK_SENT
    let r = env
        .control(
            Method::POST,
            &format!("/_emulator/transactions/{tx_id}/decide"),
            Some(json!({"approve": true})),
        )
        .await;
    assert_eq!(r.ok()["status"], "AUTHORIZED");
    let cbs = callbacks_for(&rcv, &tx_id, 2).await;
    assert_eq!(cbs.len(), 2);
    assert_eq!(cbs[1].param("error"), None);
    let tx = env.tx(&tx_id).await;
    assert_eq!(tx["status"], "AUTHORIZED");
    assert_eq!(tx["events"][2]["event"], "AUTHORIZE");
    assert_eq!(tx["events"][2]["transaction_status"], "AUTHORIZED");
    eventually(5, || {
        env.emu
            .callbacks()
            .iter()
            .all(|c| c.delivered && c.is_final)
    })
    .await;
    let s = env.get(&format!("/v1/sessions/{sid}")).await.ok().clone();
    let names = event_names(&s);
    assert!(names.contains(&"AUTHORIZED".to_string()), "{names:?}");
    assert!(
        names.contains(&"AUTH_CALLBACK_SENT".to_string()),
        "{names:?}"
    );
    // decided once only
    let r = env
        .control(
            Method::POST,
            &format!("/_emulator/transactions/{tx_id}/decide"),
            Some(json!({"approve": false})),
        )
        .await;
    assert!(r.error(400).contains("only an ON_HOLD transaction"));
    // now it captures like any authorization
    let r = env
        .post(
            &format!("/v1/transactions/{tx_id}/capture"),
            json!({"amount": 43880}),
        )
        .await;
    assert_eq!(r.ok()["status"], "CAPTURED");
}

#[tokio::test]
async fn invoice_on_hold_then_declined_fails_with_a_second_callback() {
    let env = start().await;
    // no report_error: the second callback is sent anyway
    let rcv = Receiver::start(&[]).await;
    let sid = env.session(with_callback(session_body(), &rcv.url)).await;
    let out = pay(&env, &sid, phone("collector.invoice", "+4798000004"))
        .await
        .ok()
        .clone();
    let tx_id = out["transaction_id"].as_str().unwrap().to_string();
    callbacks_for(&rcv, &tx_id, 1).await;
    env.emu.decide(&tx_id, false).await.unwrap();
    let cbs = callbacks_for(&rcv, &tx_id, 2).await;
    assert_eq!(cbs.len(), 2);
    let tx = env.tx(&tx_id).await;
    assert_eq!(tx["status"], "FAILED");
    let last = tx["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["success"], false);
    assert_eq!(last["transaction_status"], "FAILED");
    let s = env.get(&format!("/v1/sessions/{sid}")).await.ok().clone();
    assert_eq!(event_names(&s).last().unwrap(), "FAILED");
    // the library API refuses an unknown transaction
    assert!(matches!(
        env.emu.decide("T12345678.nope", true).await,
        Err(dintero_emulator::ControlError::NotFound(_))
    ));
    // a refused credit check: no transaction
    let sid = env.session(session_body()).await;
    let out = env
        .emu
        .pay_with(&sid, "collector.invoice", "+47 980 00 003")
        .await
        .unwrap();
    assert!(out.transaction_id.is_none());
    assert!(out.redirect_url.contains("error=failed"));
}

#[tokio::test]
async fn klarna_authorization_can_be_extended_and_its_amount_updated() {
    let env = start().await;
    let sid = env.session(session_body()).await;
    let out = env
        .emu
        .pay_with(&sid, "klarna.klarna", "+4740123456")
        .await
        .unwrap();
    let tx_id = out.transaction_id.unwrap();
    let path = format!("/v1/transactions/{tx_id}/authorization");
    // extend: no amount
    let tx = env
        .post(
            &path,
            json!({"reason": "delivery delayed", "reference": "ext-1"}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(tx["amount"], 43880);
    let ev = tx["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(ev["event"], "AUTHORIZE");
    assert_eq!(ev["event_reference"], "ext-1");
    // an amount update needs the new lines, and they must add up
    let m = env.post(&path, json!({"amount": 33890})).await.error(400);
    assert!(m.contains("items"), "{m}");
    let m = env
        .post(
            &path,
            json!({"amount": 33890, "items": [{"line_id": "1", "amount": 29990}]}),
        )
        .await
        .error(400);
    assert!(m.contains("sum to 29990"), "{m}");
    env.post(&path, json!({"final_authorization": true}))
        .await
        .error(400);
    let tx = env
        .post(
            &path,
            json!({"amount": 33890, "items": [
                {"line_id": "1", "amount": 29990, "quantity": 1, "description": "Stacking chair"},
                {"line_id": "shipping-1", "amount": 3900, "quantity": 1, "description": "Pick-up point"}
            ]}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(tx["amount"], 33890);
    assert_eq!(tx["items"].as_array().unwrap().len(), 2);
    // the removed line can no longer be captured; the new amount can
    let cap = format!("/v1/transactions/{tx_id}/capture");
    env.post(
        &cap,
        json!({"amount": 9990, "items": [{"line_id": "2", "amount": 9990}]}),
    )
    .await
    .error(400);
    assert_eq!(
        env.post(&cap, json!({"amount": 33890})).await.ok()["status"],
        "CAPTURED"
    );
    // a card payment without pre-authorization still cannot be updated
    let sid = env.session(session_body()).await;
    let card_tx = env.pay_card(&sid, "4000000000000002").await;
    env.post(
        &format!("/v1/transactions/{card_tx}/authorization"),
        json!({"reason": "x"}),
    )
    .await
    .error(400);
}
