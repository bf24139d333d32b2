//! The Dintero API surface: token, sessions, transactions, admin signature, errors.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

// ------------------------------------------------------------------ token

#[tokio::test]
async fn token_json_and_form() {
    let env = start().await;
    let c = env.emu.config().clone();
    let path = format!("/v1/accounts/{}/auth/token", c.account_id);
    let auth = basic(&c.client_id, &c.client_secret);
    let r = env
        .raw(
            Method::POST,
            &path,
            Some(env.token_body()),
            &[("authorization", &auth)],
        )
        .await;
    let b = r.ok();
    assert_eq!(b["token_type"], "Bearer");
    assert_eq!(b["expires_in"], 14400);
    let tok = b["access_token"].as_str().unwrap();
    assert_eq!(tok.split('.').count(), 3, "JWT-shaped");

    // form-encoded
    let resp = env
        .http
        .post(format!("{}{}", env.base, path))
        .header("authorization", &auth)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&audience=http%3A%2F%2Flocalhost%2Fv1%2Faccounts%2F{}",
            c.account_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    contract().check("AccessToken", &v);
    assert_ne!(v["access_token"], b["access_token"]);
}

#[tokio::test]
async fn token_errors() {
    let env = start().await;
    let c = env.emu.config().clone();
    let path = format!("/v1/accounts/{}/auth/token", c.account_id);
    let good = basic(&c.client_id, &c.client_secret);
    let body = env.token_body();

    let r = env.raw(Method::POST, &path, Some(body.clone()), &[]).await;
    assert!(r.error(401).contains("Authorization"));
    let bad = basic(&c.client_id, "wrong");
    let r = env
        .raw(
            Method::POST,
            &path,
            Some(body.clone()),
            &[("authorization", &bad)],
        )
        .await;
    assert!(r.error(401).contains("invalid client credentials"));
    let r = env
        .raw(
            Method::POST,
            &path,
            Some(body.clone()),
            &[("authorization", "Basic !!!")],
        )
        .await;
    r.error(401);
    // unknown account
    let r = env
        .raw(
            Method::POST,
            "/v1/accounts/T99999999/auth/token",
            Some(json!({"grant_type": "client_credentials", "audience": "https://api.dintero.com/v1/accounts/T99999999"})),
            &[("authorization", &good)],
        )
        .await;
    assert!(r.error(401).contains("T99999999"));
    // body problems
    let r = env
        .raw(
            Method::POST,
            &path,
            Some(json!({"grant_type": "password", "audience": body["audience"]})),
            &[("authorization", &good)],
        )
        .await;
    assert!(r.error(400).starts_with("grant_type:"));
    let r = env
        .raw(
            Method::POST,
            &path,
            Some(json!({"grant_type": "client_credentials"})),
            &[("authorization", &good)],
        )
        .await;
    assert_eq!(r.error(400), "audience: is required");
    let r = env
        .raw(
            Method::POST,
            &path,
            Some(json!({"grant_type": "client_credentials", "audience": "https://api.dintero.com/v1/accounts/T00000000"})),
            &[("authorization", &good)],
        )
        .await;
    assert!(r.error(400).starts_with("audience: must be"));
    let resp = env
        .http
        .post(format!("{}{}", env.base, path))
        .header("authorization", &good)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let v: Value = resp.json().await.unwrap();
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not valid JSON"));
}

#[tokio::test]
async fn bearer_required_and_expires_with_clock() {
    let env = start().await;
    let r = env.raw(Method::GET, "/v1/transactions", None, &[]).await;
    r.error(401);
    let r = env
        .raw(
            Method::GET,
            "/v1/transactions",
            None,
            &[("authorization", "Bearer not-a-token")],
        )
        .await;
    assert!(r.error(401).contains("invalid JWT"));
    let r = env.get("/v1/transactions").await;
    assert_eq!(r.ok(), &json!([]));
    // 10 s short of the 4 h lifetime: still valid, with room for a slow machine's real clock
    // (the emulator's clock is the real one plus the offsets), then past it.
    env.emu.advance_clock(14390);
    env.get("/v1/transactions").await.ok();
    env.emu.advance_clock(10);
    let r = env.get("/v1/transactions").await;
    assert!(r.error(401).contains("expired"));
    // the control API advances the clock too, and a new token works
    env.forget_token();
    env.get("/v1/transactions").await.ok();
    let r = env
        .control(
            Method::POST,
            "/_emulator/clock/advance",
            Some(json!({"seconds": 20000})),
        )
        .await;
    assert!(r.ok()["now"].is_string());
    env.get("/v1/transactions").await.error(401);
}

#[tokio::test]
async fn token_ttl_is_configurable() {
    let mut cfg = dintero_emulator::EmulatorConfig::for_tests();
    cfg.token_ttl = std::time::Duration::from_secs(60);
    let env = start_with(cfg).await;
    env.token().await;
    assert_eq!(env.emu.request_count("token"), 1);
    env.emu.advance_clock(61);
    env.get("/v1/transactions").await.error(401);
}

// ------------------------------------------------------------------ sessions

#[tokio::test]
async fn create_and_read_session() {
    let env = start().await;
    let r = env.post("/v1/sessions-profile", session_body()).await;
    let b = r.ok().clone();
    let id = b["id"].as_str().unwrap();
    let (aid, rand) = id.split_once('.').unwrap();
    assert_eq!(aid, "T12345678");
    assert_eq!(rand.len(), 22);
    assert!(rand.bytes().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(b["url"], format!("{}/v1/view/{}", env.base, id));
    assert!(b.get("session").is_none());

    let s = env.get(&format!("/v1/sessions/{id}")).await.ok().clone();
    assert_eq!(s["id"], id);
    assert_eq!(s["order"]["amount"], 43880);
    assert_eq!(s["metadata"]["session:profile_id"], "default");
    assert!(s.get("profile_id").is_none());
    assert_eq!(s["ext_unknown_field"], json!({"kept": true}));
    assert!(s["configuration"].is_object());
    assert_eq!(s["events"][0]["name"], "INITIATED");
    for key in ["id", "created_at", "request_id"] {
        assert!(s["events"][0][key].is_string(), "{key}");
    }
    assert!(s.get("transaction_id").is_none());
    let created = time::OffsetDateTime::parse(
        s["created_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let expires = time::OffsetDateTime::parse(
        s["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(expires - created, time::Duration::hours(24));
    assert!(s["updated_at"].is_string());

    // include_session
    let r = env
        .post("/v1/sessions-profile?include_session=true", session_body())
        .await;
    let b = r.ok();
    assert_eq!(b["session"]["id"], b["id"]);
    contract().check("SessionReadResponse", &b["session"]);

    // unknown
    let m = env.get("/v1/sessions/T12345678.nope").await.error(404);
    assert!(m.contains("T12345678.nope"));
}

#[tokio::test]
async fn plain_sessions_need_configuration() {
    let env = start().await;
    let mut body = session_body();
    body.as_object_mut().unwrap().remove("profile_id");
    let m = env.post("/v1/sessions", body.clone()).await.error(400);
    assert_eq!(m, "configuration: is required");
    body["configuration"] =
        json!({"auto_capture": false, "dintero_psp": {"creditcard": {"enabled": true}}});
    let id = env.post("/v1/sessions", body).await.ok()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let s = env.get(&format!("/v1/sessions/{id}")).await;
    assert_eq!(
        s.ok()["configuration"]["dintero_psp"]["creditcard"]["enabled"],
        true
    );
    // and sessions-profile needs profile_id
    let mut body = session_body();
    body.as_object_mut().unwrap().remove("profile_id");
    assert_eq!(
        env.post("/v1/sessions-profile", body).await.error(400),
        "profile_id: is required"
    );
}

#[tokio::test]
async fn expires_at_is_honoured_and_checked() {
    let env = start().await;
    let mut body = session_body();
    body["expires_at"] = json!("2099-01-02T03:04:05Z");
    let id = env.session(body).await;
    let s = env.get(&format!("/v1/sessions/{id}")).await;
    assert_eq!(s.ok()["expires_at"], "2099-01-02T03:04:05.000Z");
    let mut body = session_body();
    body["expires_at"] = json!("2001-01-01T00:00:00Z");
    assert!(env
        .post("/v1/sessions-profile", body)
        .await
        .error(400)
        .starts_with("expires_at: must be in the future"));
    let mut body = session_body();
    body["expires_at"] = json!("tomorrow");
    env.post("/v1/sessions-profile", body).await.error(400);
}

/// Each case: a mutation of the valid body and the expected message.
#[tokio::test]
async fn session_validation_errors() {
    let env = start().await;
    type Mutate = fn(&mut Value);
    let cases: Vec<(&str, Mutate, &str)> = vec![
        ("no url", |b| { b.as_object_mut().unwrap().remove("url"); }, "url: is required"),
        ("no return_url", |b| { b["url"] = json!({}); }, "url.return_url: is required"),
        ("bad return_url", |b| { b["url"]["return_url"] = json!("/relative"); }, "url.return_url: must be an absolute http(s) URL, got \"/relative\""),
        ("bad callback", |b| { b["url"]["callback_url"] = json!("ftp://x.example/cb"); }, "url.callback_url: must be an absolute http(s) URL, got \"ftp://x.example/cb\""),
        ("no order", |b| { b.as_object_mut().unwrap().remove("order"); }, "order: is required"),
        ("no amount", |b| { b["order"].as_object_mut().unwrap().remove("amount"); }, "order.amount: is required"),
        ("string amount", |b| { b["order"]["amount"] = json!("43880"); }, "order.amount: must be an integer, got a string (\"43880\")"),
        ("fractional amount", |b| { b["order"]["amount"] = json!(438.8); }, "order.amount: must be an integer, got a number (438.8)"),
        ("negative amount", |b| { b["order"]["amount"] = json!(-1); }, "order.amount: must be at least 0, got -1"),
        ("huge amount", |b| { b["order"]["amount"] = json!(4_000_000_000u64); }, "order.amount: must be at most 2147483647 (int32), got 4000000000"),
        ("no currency", |b| { b["order"].as_object_mut().unwrap().remove("currency"); }, "order.currency: is required"),
        ("lower currency", |b| { b["order"]["currency"] = json!("nok"); }, "order.currency: must be a 3-letter upper-case ISO 4217 code, got \"nok\""),
        ("long currency", |b| { b["order"]["currency"] = json!("NOKK"); }, "order.currency: must be a 3-letter upper-case ISO 4217 code, got \"NOKK\""),
        ("no reference", |b| { b["order"].as_object_mut().unwrap().remove("merchant_reference"); }, "order.merchant_reference: is required"),
        ("empty reference", |b| { b["order"]["merchant_reference"] = json!(""); }, "order.merchant_reference: must not be empty"),
        ("duplicate line", |b| { b["order"]["items"][1]["line_id"] = json!("1"); }, "order.items[1].line_id: duplicate \"1\""),
        ("shipping dup", |b| { b["order"]["shipping_option"]["line_id"] = json!("2"); }, "order.shipping_option.line_id: duplicate \"2\" (already used by an item)"),
        ("item amount missing", |b| { b["order"]["items"][0].as_object_mut().unwrap().remove("amount"); }, "order.items[0].amount: is required"),
        ("items not array", |b| { b["order"]["items"] = json!({}); }, "order.items: must be an array, got an object"),
        ("shipping no title", |b| { b["order"]["shipping_option"].as_object_mut().unwrap().remove("title"); }, "order.shipping_option.title: is required"),
        ("item bad type", |b| { b["order"]["items"][0]["type"] = json!("thing"); }, "order.items[0].type: must be one of physical|digital|service|gift_card|shipping|surcharge, got \"thing\""),
        ("bad metadata", |b| { b["metadata"] = json!({"ext_x": [1]}); }, "metadata.ext_x: must be a string or a number, got an array"),
        ("auto_capture string", |b| { b["configuration"] = json!({"auto_capture": "yes"}); }, "configuration.auto_capture: must be a boolean, got a string"),
    ];
    for (name, mutate, expected) in cases {
        let mut body = session_body();
        mutate(&mut body);
        let r = env.post("/v1/sessions-profile", body).await;
        let msg = r.error(400);
        assert_eq!(msg, expected, "case {name}");
        assert_eq!(r.body["error"]["code"], "VALIDATION_ERROR", "case {name}");
        let first = &r.body["error"]["errors"][0];
        assert!(
            expected.starts_with(first["path"].as_str().unwrap()),
            "case {name}"
        );
    }
    // several problems are all listed
    let mut body = session_body();
    body["order"]["amount"] = json!("x");
    body["order"]["currency"] = json!(1);
    let r = env.post("/v1/sessions-profile", body).await;
    r.error(400);
    assert_eq!(r.body["error"]["errors"].as_array().unwrap().len(), 2);
    // not an object / not JSON
    env.post("/v1/sessions-profile", json!([1, 2]))
        .await
        .error(400);
    let resp = env
        .http
        .post(format!("{}/v1/sessions-profile", env.base))
        .bearer_auth(env.token().await)
        .body("{\"url\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn strict_amounts_toggle_and_partial_payment() {
    let env = start().await;
    let mut body = session_body();
    body["order"]["amount"] = json!(40000);
    // accepted without the toggle
    env.session(body.clone()).await;
    let tok = format!("Bearer {}", env.token().await);
    let toggles = [
        ("authorization", tok.as_str()),
        ("dintero-feature-toggles", "strict-session-amounts"),
    ];
    let r = env
        .raw(
            Method::POST,
            "/v1/sessions-profile",
            Some(body.clone()),
            &toggles,
        )
        .await;
    assert_eq!(
        r.error(400),
        "order.amount: 40000 does not equal the sum of items and shipping_option (43880)"
    );
    // the exact sum passes
    let r = env
        .raw(
            Method::POST,
            "/v1/sessions-profile",
            Some(session_body()),
            &toggles,
        )
        .await;
    r.ok();
    // partial_payment allows less, not more
    body["order"]["partial_payment"] = json!(true);
    env.raw(
        Method::POST,
        "/v1/sessions-profile",
        Some(body.clone()),
        &toggles,
    )
    .await
    .ok();
    body["order"]["amount"] = json!(50000);
    env.raw(Method::POST, "/v1/sessions-profile", Some(body), &toggles)
        .await
        .error(400);
}

#[tokio::test]
async fn localhost_callbacks_are_allowed() {
    let env = start().await;
    for cb in ["http://localhost:9/cb", "http://127.0.0.1:1/cb?method=POST"] {
        env.session(with_callback(session_body(), cb)).await;
    }
}

#[tokio::test]
async fn update_session_lock_rules() {
    let env = start().await;
    let id = env.session(session_body()).await;
    let path = format!("/v1/sessions/{id}");
    let mut order = session_body()["order"].clone();
    order["items"][1]["amount"] = json!(19980);
    order["items"][1]["quantity"] = json!(4);
    order["amount"] = json!(53870);
    let update = json!({"order": order});

    let r = env.put(&path, update.clone()).await;
    assert!(r.error(400).contains("not locked"));
    assert_eq!(r.body["error"]["code"], "SESSION_NOT_LOCKED");

    let s = env
        .put(&format!("{path}?update_without_lock=true"), update.clone())
        .await
        .ok()
        .clone();
    assert_eq!(s["order"]["amount"], 53870);
    assert_eq!(s["order"]["merchant_reference"], "order-1001");
    let last = s["events"].as_array().unwrap().last().unwrap();
    assert_eq!(last["name"], "UPDATE_SESSION");
    assert_eq!(last["details"]["previous_order"]["amount"], 43880);

    // amounts are always checked on update
    let mut bad = update.clone();
    bad["order"]["amount"] = json!(1);
    let m = env
        .put(&format!("{path}?update_without_lock=true"), bad)
        .await
        .error(400);
    assert_eq!(
        m,
        "order.amount: 1 does not equal the sum of items and shipping_option (53870)"
    );
    env.put(&format!("{path}?update_without_lock=true"), json!({}))
        .await
        .error(400);
    env.put(
        &format!("{path}?update_without_lock=true"),
        json!({"order": {}, "remove_lock": "no"}),
    )
    .await
    .error(400);

    // a locked session (checkout started) can be updated; remove_lock (default) unlocks
    let r = env
        .control(
            Method::POST,
            &format!("/_emulator/sessions/{id}/lock"),
            None,
        )
        .await;
    r.ok();
    let s = env
        .put(&path, json!({"order": {"merchant_reference_2": "ref2"}}))
        .await;
    let s = s.ok();
    let names: Vec<&str> = s["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(
        names.ends_with(&["PAY_LOCK_START", "UPDATE_SESSION", "PAY_LOCK_END"]),
        "{names:?}"
    );
    env.put(&path, json!({"order": {}})).await.error(400);

    // paid sessions cannot be updated
    env.emu.pay(&id, "4000000000000002").await.unwrap();
    let m = env
        .put(&format!("{path}?update_without_lock=true"), update)
        .await
        .error(400);
    assert!(m.contains("already paid"));
    env.put(
        "/v1/sessions/T12345678.missing?update_without_lock=true",
        json!({"order": {}}),
    )
    .await
    .error(404);
}

#[tokio::test]
async fn cancel_session() {
    let env = start().await;
    // unpaid
    let id = env.session(session_body()).await;
    let s = env
        .post_empty(&format!("/v1/sessions/{id}/cancel"))
        .await
        .ok()
        .clone();
    assert!(s["cancelled_at"].is_string());
    assert_eq!(s["cancelled_by"], "emulator-client-id");
    assert_eq!(
        s["events"].as_array().unwrap().last().unwrap()["name"],
        "CANCELLED"
    );
    let m = env
        .post_empty(&format!("/v1/sessions/{id}/cancel"))
        .await
        .error(400);
    assert!(m.contains("already cancelled"));
    let e = env.emu.pay(&id, "4000000000000002").await.unwrap_err();
    assert!(
        matches!(e, dintero_emulator::ControlError::Rejected(ref m) if m.contains("cancelled"))
    );

    // paid + authorized: the transaction is voided
    let (sid, tid) = env.paid(session_body()).await;
    env.post_empty(&format!("/v1/sessions/{sid}/cancel"))
        .await
        .ok();
    let tx = env.tx(&tid).await;
    assert_eq!(tx["status"], "AUTHORIZATION_VOIDED");
    assert_eq!(
        tx["events"].as_array().unwrap().last().unwrap()["event"],
        "VOID"
    );

    // captured: refused
    let (sid, tid) = env.paid(session_body()).await;
    env.post(
        &format!("/v1/transactions/{tid}/capture"),
        json!({"amount": 43880}),
    )
    .await
    .ok();
    let m = env
        .post_empty(&format!("/v1/sessions/{sid}/cancel"))
        .await
        .error(400);
    assert!(m.contains("CAPTURED"), "{m}");
    env.post_empty("/v1/sessions/T12345678.nope/cancel")
        .await
        .error(404);
}

// ------------------------------------------------------------------ transactions

#[tokio::test]
async fn transaction_shape() {
    let env = start().await;
    let mut body = session_body();
    body["order"]["merchant_reference_2"] = json!("m2");
    body["customer"] = json!({"email": "a@example.com", "phone_number": "+4799999999"});
    let (sid, tid) = env.paid(body).await;
    let tx = env.tx(&tid).await;
    assert!(tid.starts_with("T12345678.") && tid.len() == 32);
    assert_eq!(tx["id"], tid.as_str());
    assert_eq!(tx["session_id"], sid.as_str());
    assert_eq!(tx["status"], "AUTHORIZED");
    assert_eq!(tx["amount"], 43880);
    assert_eq!(tx["currency"], "NOK");
    assert_eq!(tx["merchant_reference"], "order-1001");
    assert_eq!(tx["merchant_reference_2"], "m2");
    assert_eq!(tx["payment_product"], "dintero_psp");
    assert_eq!(tx["payment_product_type"], "dintero_psp.creditcard");
    assert_eq!(tx["card"]["brand"], "Visa");
    assert_eq!(tx["card"]["masked_pan"], "400000******0002");
    assert_eq!(tx["customer"]["email"], "a@example.com");
    assert_eq!(
        tx["url"]["redirect_url"],
        "https://shop.example/return?lang=no"
    );
    let items = tx["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[2]["line_id"], "shipping-1");
    assert_eq!(items[2]["amount"], 3900);
    assert_eq!(items[2]["type"], "shipping");
    let events: Vec<&str> = tx["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["INITIALIZE", "AUTHORIZE"]);
    assert_eq!(tx["metadata"]["session:profile_id"], "default");

    let with = env
        .get(&format!("/v1/transactions/{tid}?includes=session"))
        .await
        .ok()
        .clone();
    assert_eq!(with["session"]["id"], sid.as_str());
    assert_eq!(with["session"]["transaction_id"], tid.as_str());
    let s = env.get(&format!("/v1/sessions/{sid}")).await.ok().clone();
    assert_eq!(s["transaction_id"], tid.as_str());
    let names: Vec<&str> = s["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["INITIATED", "AUTHORIZED"]);
    env.get("/v1/transactions/T12345678.missing")
        .await
        .error(404);
}

fn last_event(tx: &Value) -> &Value {
    tx["events"].as_array().unwrap().last().unwrap()
}

#[tokio::test]
async fn capture_refund_state_machine() {
    let env = start().await;
    let (_, tid) = env.paid(session_body()).await;
    let cap = format!("/v1/transactions/{tid}/capture");
    let refund = format!("/v1/transactions/{tid}/refund");

    // refund before capture is illegal
    let r = env.post(&refund, json!({"amount": 100})).await;
    assert!(r.error(400).contains("status AUTHORIZED"));
    assert_eq!(r.body["error"]["code"], "INVALID_OPERATION");

    let tx = env
        .post(
            &cap,
            json!({"amount": 29990, "capture_reference": "cap-1",
                   "items": [{"line_id": "1", "amount": 29990, "quantity": 1}],
                   "metadata": {"ext_note": "first"}}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(tx["status"], "PARTIALLY_CAPTURED");
    let ev = last_event(&tx);
    assert_eq!(ev["event"], "CAPTURE");
    assert_eq!(ev["success"], true);
    assert_eq!(ev["amount"], 29990);
    assert_eq!(ev["transaction_status"], "PARTIALLY_CAPTURED");
    assert_eq!(ev["event_reference"], "cap-1");
    assert_eq!(ev["items"][0]["line_id"], "1");
    assert_eq!(ev["metadata"]["ext_note"], "first");
    for key in ["id", "created_at", "request_id"] {
        assert!(ev[key].is_string(), "{key}");
    }

    // over-capture
    let m = env.post(&cap, json!({"amount": 13891})).await.error(400);
    assert_eq!(
        m,
        "amount: 13891 exceeds the remaining authorized amount 13890"
    );
    // bad amounts and items
    assert_eq!(
        env.post(&cap, json!({"amount": 0})).await.error(400),
        "amount: must be at least 1, got 0"
    );
    assert_eq!(
        env.post(&cap, json!({})).await.error(400),
        "amount: is required"
    );
    assert!(env
        .post(&cap, json!({"amount": "5"}))
        .await
        .error(400)
        .starts_with("amount: must be an integer"));
    assert_eq!(
        env.post(
            &cap,
            json!({"amount": 100, "items": [{"line_id": "9", "amount": 100}]})
        )
        .await
        .error(400),
        format!("items[0].line_id: \"9\" is not a line on transaction {tid}")
    );
    assert_eq!(
        env.post(
            &cap,
            json!({"amount": 100, "items": [{"line_id": "2", "amount": 50}]})
        )
        .await
        .error(400),
        "items: item amounts sum to 50, but amount is 100"
    );
    env.post(&cap, json!({"amount": 100, "items": [{"amount": 100}]}))
        .await
        .error(400);
    // partial refund while partially captured
    let tx = env
        .post(
            &refund,
            json!({"amount": 990, "reason": "dent", "refund_reference": "r-1"}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(tx["status"], "PARTIALLY_CAPTURED_REFUNDED");
    assert_eq!(last_event(&tx)["event_reference"], "r-1");
    assert_eq!(last_event(&tx)["metadata"]["reason"], "dent");
    // capture the rest
    let tx = env.post(&cap, json!({"amount": 13890})).await.ok().clone();
    assert_eq!(tx["status"], "PARTIALLY_REFUNDED");
    // refund beyond captured - refunded
    let m = env.post(&refund, json!({"amount": 42891})).await.error(400);
    assert_eq!(
        m,
        "amount: 42891 exceeds the captured amount not yet refunded 42890"
    );
    let tx = env
        .post(&refund, json!({"amount": 42890}))
        .await
        .ok()
        .clone();
    assert_eq!(tx["status"], "REFUNDED");
    env.post(&refund, json!({"amount": 1})).await.error(400);
    env.post(&cap, json!({"amount": 1})).await.error(400);
    env.post_empty(&format!("/v1/transactions/{tid}/void"))
        .await
        .error(400);
    // events are all there
    let tx = env.tx(&tid).await;
    let events: Vec<&str> = tx["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "INITIALIZE",
            "AUTHORIZE",
            "CAPTURE",
            "REFUND",
            "CAPTURE",
            "REFUND"
        ]
    );
    env.post(
        "/v1/transactions/T12345678.missing/capture",
        json!({"amount": 1}),
    )
    .await
    .error(404);
}

#[tokio::test]
async fn full_capture_then_refunds() {
    let env = start().await;
    let (_, tid) = env.paid(session_body()).await;
    let tx = env
        .post(
            &format!("/v1/transactions/{tid}/capture"),
            json!({"amount": 43880}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(tx["status"], "CAPTURED");
    let tx = env
        .post(
            &format!("/v1/transactions/{tid}/refund"),
            json!({"amount": 1000}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(tx["status"], "PARTIALLY_REFUNDED");
    let tx = env
        .post(
            &format!("/v1/transactions/{tid}/refund"),
            json!({"amount": 42880}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(tx["status"], "REFUNDED");
}

#[tokio::test]
async fn void_and_extend() {
    let env = start().await;
    let mut body = session_body();
    body["configuration"] = json!({"pre_authorization": true});
    let (_, tid) = env.paid(body).await;
    let ext = format!("/v1/transactions/{tid}/authorization");
    let tx = env
        .post(
            &ext,
            json!({"reason": "slow shipping", "reference": "ext-1"}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(tx["status"], "AUTHORIZED");
    let ev = last_event(&tx);
    assert_eq!(ev["event"], "AUTHORIZE");
    assert_eq!(ev["event_reference"], "ext-1");
    // empty body is fine too
    let resp = env
        .http
        .post(format!("{}{}", env.base, ext))
        .bearer_auth(env.token().await)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    env.post(&ext, json!({"amount": "x"})).await.error(400);

    // void ignores any body
    let void = format!("/v1/transactions/{tid}/void");
    let tx = env
        .post(&void, json!({"id": "whatever"}))
        .await
        .ok()
        .clone();
    assert_eq!(tx["status"], "AUTHORIZATION_VOIDED");
    let ev = last_event(&tx);
    assert_eq!(ev["event"], "VOID");
    assert_eq!(ev["amount"], 43880);
    env.post_empty(&void).await.error(400);
    env.post(
        &format!("/v1/transactions/{tid}/capture"),
        json!({"amount": 1}),
    )
    .await
    .error(400);
    let m = env.post(&ext, json!({})).await.error(409);
    assert!(m.contains("AUTHORIZATION_VOIDED"));

    // void after a partial capture is refused
    let (_, tid) = env.paid(session_body()).await;
    env.post(
        &format!("/v1/transactions/{tid}/capture"),
        json!({"amount": 100}),
    )
    .await
    .ok();
    let m = env
        .post_empty(&format!("/v1/transactions/{tid}/void"))
        .await
        .error(400);
    assert!(m.contains("PARTIALLY_CAPTURED"));
}

#[tokio::test]
async fn update_merchant_reference_2() {
    let env = start().await;
    let (_, tid) = env.paid(session_body()).await;
    let path = format!("/v1/transactions/{tid}");
    let tx = env
        .put(&path, json!({"merchant_reference_2": "inv-9"}))
        .await
        .ok()
        .clone();
    assert_eq!(tx["merchant_reference_2"], "inv-9");
    assert_eq!(env.tx(&tid).await["merchant_reference_2"], "inv-9");
    env.put(&path, json!({"merchant_reference_2": 9}))
        .await
        .error(400);
    env.put("/v1/transactions/T12345678.x", json!({}))
        .await
        .error(404);
}

#[tokio::test]
async fn auto_capture() {
    let env = start().await;
    let mut body = session_body();
    body["configuration"] = json!({"auto_capture": true});
    let (_, tid) = env.paid(body).await;
    let tx = env.tx(&tid).await;
    assert_eq!(tx["status"], "CAPTURED");
    let ev = last_event(&tx);
    assert_eq!(ev["event"], "CAPTURE");
    assert_eq!(ev["amount"], 43880);
    env.post(
        &format!("/v1/transactions/{tid}/refund"),
        json!({"amount": 43880}),
    )
    .await
    .ok();
}

#[tokio::test]
async fn list_transactions() {
    let env = start().await;
    let mut ids = Vec::new();
    let mut sids = Vec::new();
    for i in 0..3 {
        let mut body = session_body();
        body["order"]["merchant_reference"] = json!(format!("ref-{i}"));
        let (sid, tid) = env.paid(body).await;
        sids.push(sid);
        ids.push(tid);
    }
    env.post(
        &format!("/v1/transactions/{}/capture", ids[1]),
        json!({"amount": 43880}),
    )
    .await
    .ok();

    let all = env.get("/v1/transactions").await.ok().clone();
    let got: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, [&ids[2], &ids[1], &ids[0]], "newest first");

    let page1 = env.get("/v1/transactions?limit=2").await.ok().clone();
    assert_eq!(page1.as_array().unwrap().len(), 2);
    let last = page1[1]["id"].as_str().unwrap();
    let page2 = env
        .get(&format!("/v1/transactions?limit=2&starting_after={last}"))
        .await
        .ok()
        .clone();
    assert_eq!(page2.as_array().unwrap().len(), 1);
    assert_eq!(page2[0]["id"], ids[0].as_str());
    env.get("/v1/transactions?starting_after=T12345678.unknown")
        .await
        .error(400);

    for bad in ["0", "101", "abc", "-1", "1.5"] {
        let m = env
            .get(&format!("/v1/transactions?limit={bad}"))
            .await
            .error(400);
        assert!(
            m.starts_with("limit: must be an integer from 1 to 100"),
            "{m}"
        );
    }
    env.get("/v1/transactions?limit=100").await.ok();

    let r = env
        .get("/v1/transactions?merchant_reference=ref-1")
        .await
        .ok()
        .clone();
    assert_eq!(r.as_array().unwrap().len(), 1);
    let r = env
        .get(&format!(
            "/v1/transactions?session_id={}&session_id[]={}",
            sids[0], sids[2]
        ))
        .await
        .ok()
        .clone();
    assert_eq!(r.as_array().unwrap().len(), 2);
    let r = env
        .get("/v1/transactions?status=CAPTURED")
        .await
        .ok()
        .clone();
    assert_eq!(r.as_array().unwrap().len(), 1);
    assert_eq!(r[0]["id"], ids[1].as_str());
    let r = env
        .get("/v1/transactions?status=CAPTURED&status=AUTHORIZED")
        .await
        .ok()
        .clone();
    assert_eq!(r.as_array().unwrap().len(), 3);
    assert_eq!(
        env.get("/v1/transactions?status=NOPE").await.error(400),
        "status: unknown status \"NOPE\""
    );
    let r = env
        .get("/v1/transactions?created_at.gte=2999-01-01")
        .await
        .ok()
        .clone();
    assert_eq!(r, json!([]));
    let r = env.get("/v1/transactions?created_at.lte=2999-01-01T00:00:00Z&created_at.gte=2000-01-01T00:00:00").await.ok().clone();
    assert_eq!(r.as_array().unwrap().len(), 3);
    env.get("/v1/transactions?created_at.gte=soon")
        .await
        .error(400);
    let r = env.get("/v1/transactions?id=".to_string().as_str()).await;
    r.ok();
}

// ------------------------------------------------------------------ admin signature

#[tokio::test]
async fn admin_signature() {
    let env = start().await;
    let s = env.get("/v1/admin/signature").await.ok().clone();
    assert_eq!(s["signature"]["type"], "v0-hmac-sha256");
    assert_eq!(s["signature"]["secret"], "emulator-signature-secret");
    let r = env.post_empty("/v1/admin/signature").await.ok().clone();
    assert_ne!(r["signature"]["secret"], "emulator-signature-secret");
    assert!(r["id"].is_string() && r["created_at"].is_string() && r["created_by"].is_string());
    let s2 = env.get("/v1/admin/signature").await.ok().clone();
    assert_eq!(s2, r);
    env.raw(Method::GET, "/v1/admin/signature", None, &[])
        .await
        .error(401);

    let mut cfg = dintero_emulator::EmulatorConfig::for_tests();
    cfg.signature_secret = None;
    let env = start_with(cfg).await;
    env.get("/v1/admin/signature").await.error(404);
    env.post_empty("/v1/admin/signature").await.ok();
    env.get("/v1/admin/signature").await.ok();
}

// ------------------------------------------------------------------ generic errors

#[tokio::test]
async fn not_found_method_not_allowed_too_large() {
    let env = start().await;
    let r = env.get("/v1/nothing/here").await;
    assert_eq!(r.error(404), "no route for GET /v1/nothing/here");
    let r = env.raw(Method::GET, "/nothing", None, &[]).await;
    assert_eq!(r.status, 404);
    contract().check("Error", &r.body);
    // `/` without `sid` is the dashboard (with `sid`, the hosted checkout).
    let r = env.raw(Method::GET, "/", None, &[]).await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains("Dintero emulator · dashboard"));
    let r = env
        .call(Method::DELETE, "/v1/transactions/T12345678.x", None)
        .await;
    assert_eq!(
        r.error(405),
        "method DELETE is not allowed on /v1/transactions/T12345678.x"
    );
    let r = env.call(Method::GET, "/v1/sessions-profile", None).await;
    r.error(405);

    // 413 above 1 MiB, with and without Content-Length
    let big = "x".repeat(dintero_emulator::MAX_BODY_BYTES + 1);
    let resp = env
        .http
        .post(format!("{}/v1/sessions-profile", env.base))
        .bearer_auth(env.token().await)
        .header("content-type", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    assert!(resp.headers().contains_key("request-id"));
    let v: Value = resp.json().await.unwrap();
    contract().check("Error", &v);
    assert_eq!(v["error"]["code"], "PAYLOAD_TOO_LARGE");
    // chunked, no Content-Length: the limit still applies while reading
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = env.base.trim_start_matches("http://").to_string();
    let mut sock = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /v1/sessions-profile HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nTransfer-Encoding: chunked\r\n\r\n",
        env.token().await
    );
    sock.write_all(head.as_bytes()).await.unwrap();
    let chunk = "y".repeat(64 * 1024);
    for _ in 0..17 {
        let framed = format!("{:x}\r\n{}\r\n", chunk.len(), chunk);
        if sock.write_all(framed.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = sock.write_all(b"0\r\n\r\n").await;
    let mut buf = vec![0u8; 4096];
    let n = sock.read(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
}

#[tokio::test]
async fn hostile_input_never_panics() {
    let env = start().await;
    let tok = env.token().await;
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let bodies = [
        deep.as_str(),
        "\u{0}\u{1}",
        "{\"order\": {\"amount\": 1e400}}",
        "{\"order\": {\"amount\": 18446744073709551616}}",
        "{\"url\": {\"return_url\": \"http://[::1\"}, \"order\": null, \"profile_id\": 5}",
        "null",
        "\"str\"",
    ];
    for b in bodies {
        for path in ["/v1/sessions-profile", "/v1/sessions"] {
            let resp = env
                .http
                .post(format!("{}{}", env.base, path))
                .bearer_auth(&tok)
                .body(b.to_string())
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 400, "{path} {}", &b[..b.len().min(40)]);
            let v: Value = resp.json().await.unwrap();
            contract().check("Error", &v);
        }
    }
    // odd ids and paths
    for p in [
        "/v1/sessions/%FF%FE",
        "/v1/transactions/..%2F..%2Fetc",
        "/v1/view/%3Cscript%3E",
        "/v1/transactions/a/capture/extra",
    ] {
        let resp = env
            .http
            .get(format!("{}{}", env.base, p))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_client_error(), "{p}: {}", resp.status());
    }
    let resp = env
        .http
        .get(format!("{}/v1/view/%3Cscript%3E", env.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert!(!resp.text().await.unwrap().contains("<script>"));
}

#[tokio::test]
async fn reserved_fields_and_extreme_clock() {
    let env = start().await;
    let mut body = session_body();
    body["id"] = json!("attacker-chosen");
    body["transaction_id"] = json!("T12345678.fake");
    let id = env.session(body).await;
    let s = env.get(&format!("/v1/sessions/{id}")).await.ok().clone();
    assert_eq!(s["id"], id.as_str());
    assert!(s.get("transaction_id").is_none());
    for secs in [i64::MAX, i64::MIN, 0] {
        env.control(
            Method::POST,
            "/_emulator/clock/advance",
            Some(json!({"seconds": secs})),
        )
        .await
        .ok();
    }
    env.control(
        Method::POST,
        "/_emulator/clock/advance",
        Some(json!({"seconds": "x"})),
    )
    .await
    .error(400);
    env.forget_token();
    env.session(session_body()).await;
}
