//! Fidelity to Dintero's published API (issue 10) and gateway faults (issue 9): accepted
//! operations, failed events, settlement references, event statuses, final captures,
//! pre-authorizations, callbacks, URL rules, list filters, the request log and HTTP-layer
//! errors.

mod common;

use common::*;
use dintero_emulator::{FaultKind, FaultSpec};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn events(tx: &Value) -> Vec<Value> {
    tx["events"].as_array().cloned().unwrap_or_default()
}

fn last_event(tx: &Value) -> Value {
    events(tx).last().cloned().expect("an event")
}

/// Polls the transaction until an event has `correlation_request_id` = `id`.
async fn completion(env: &Env, tid: &str, id: &str) -> (Value, Value) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let tx = env.tx(tid).await;
        if let Some(ev) = events(&tx)
            .into_iter()
            .find(|e| e["correlation_request_id"] == id)
        {
            return (tx, ev);
        }
        assert!(Instant::now() < deadline, "no completion event for {id}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Arms `accepted_202` on `op` and sends it (`body` `None` for a void); returns the answer
/// and its `event-request-id`.
async fn accepted(env: &Env, tid: &str, op: &str, body: Option<Value>) -> (Resp, String) {
    env.emu
        .inject_fault(FaultSpec::new(op, FaultKind::Accepted202))
        .unwrap();
    let path = format!("/v1/transactions/{tid}/{op}");
    let r = match body {
        Some(b) => env.post(&path, b).await,
        None => env.post_empty(&path).await,
    };
    assert_eq!(r.status, 202, "{}", r.text);
    let erid = r.headers["event-request-id"].to_str().unwrap().to_string();
    (r, erid)
}

#[tokio::test]
async fn accepted_202_records_an_initiate_event_then_a_correlated_completion() {
    let env = start().await;
    let (_, tid) = env.paid(session_body()).await;
    let body = json!({"amount": 1000, "capture_reference": "c1"});
    let (r, erid) = accepted(&env, &tid, "capture", Some(body)).await;
    // The INITIATE event is in the body answered and in the stored transaction.
    for tx in [r.body.clone(), env.tx(&tid).await] {
        assert_eq!(tx["status"], "AUTHORIZED");
        let ev = last_event(&tx);
        assert_eq!(ev["event"], "INITIATE_CAPTURE");
        assert_eq!(ev["success"], true);
        assert_eq!(ev["request_id"], erid.as_str());
        assert_eq!(ev["event_reference"], "c1");
        assert_eq!(ev["amount"], 1000);
        assert_eq!(ev["transaction_status"], "AUTHORIZED");
        assert!(ev.get("correlation_request_id").is_none());
    }
    let (tx, ev) = completion(&env, &tid, &erid).await;
    assert_eq!(ev["event"], "CAPTURE");
    assert_eq!(ev["success"], true);
    assert_eq!(ev["event_reference"], "c1");
    assert_ne!(ev["request_id"], erid.as_str(), "a request id of its own");
    assert_eq!(tx["status"], "PARTIALLY_CAPTURED");

    // Refund and void record INITIATE_REFUND and INITIATE_VOID.
    let body = json!({"amount": 100, "refund_reference": "r1"});
    let (r, erid) = accepted(&env, &tid, "refund", Some(body)).await;
    let ev = last_event(&r.body);
    assert_eq!(ev["event"], "INITIATE_REFUND");
    assert_eq!(ev["event_reference"], "r1");
    let (_, ev) = completion(&env, &tid, &erid).await;
    assert_eq!(ev["event"], "REFUND");

    let (_, tid) = env.paid(session_body()).await;
    let (r, erid) = accepted(&env, &tid, "void", None).await;
    assert_eq!(last_event(&r.body)["event"], "INITIATE_VOID");
    let (tx, ev) = completion(&env, &tid, &erid).await;
    assert_eq!(ev["event"], "VOID");
    assert_eq!(tx["status"], "AUTHORIZATION_VOIDED");
}

#[tokio::test]
async fn a_failed_queued_operation_has_a_failed_completion_event() {
    let env = start().await;
    let (_, tid) = env.paid(session_body()).await;
    let (_, erid) = accepted(&env, &tid, "capture", Some(json!({"amount": 100}))).await;
    env.post_empty(&format!("/v1/transactions/{tid}/void"))
        .await
        .ok();
    let (tx, ev) = completion(&env, &tid, &erid).await;
    assert_eq!(ev["event"], "CAPTURE");
    assert_eq!(ev["success"], false);
    assert!(ev["error"]["message"].as_str().is_some(), "{ev}");
    assert!(ev["error"]["code"].as_str().is_some(), "{ev}");
    assert_ne!(ev["request_id"], erid.as_str());
    assert_eq!(tx["status"], "AUTHORIZATION_VOIDED");
}

#[tokio::test]
async fn failed_event_fault_answers_200_with_an_unsuccessful_event() {
    let env = start().await;
    let (_, tid) = env.paid(session_body()).await;
    // Via the control API, as other languages' tests arm it.
    env.control(
        Method::POST,
        "/_emulator/faults",
        Some(json!({"route": "capture", "fault": "failed_event"})),
    )
    .await
    .ok();
    let r = env
        .post(
            &format!("/v1/transactions/{tid}/capture"),
            json!({"amount": 43880, "capture_reference": "cap-f"}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "AUTHORIZED", "nothing captured");
    let ev = last_event(&r.body);
    assert_eq!(ev["event"], "CAPTURE");
    assert_eq!(ev["success"], false);
    assert_eq!(ev["event_reference"], "cap-f");
    assert_eq!(ev["error"]["code"], "DECLINED");
    assert!(ev["error"]["message"].as_str().unwrap().contains("capture"));
    assert_eq!(ev["transaction_status"], "AUTHORIZED");
    assert_eq!(env.tx(&tid).await["status"], "AUTHORIZED");
    // The next capture works.
    env.post(
        &format!("/v1/transactions/{tid}/capture"),
        json!({"amount": 43880}),
    )
    .await
    .ok();
    // An invalid request is still refused first.
    env.emu
        .inject_fault(FaultSpec::new("refund", FaultKind::FailedEvent))
        .unwrap();
    env.post(
        &format!("/v1/transactions/{tid}/refund"),
        json!({"amount": 999_999}),
    )
    .await
    .error(400);
    // Only capture, refund and void take it.
    assert!(env
        .emu
        .inject_fault(FaultSpec::new("get_transaction", FaultKind::FailedEvent))
        .is_err());
}

#[tokio::test]
async fn events_default_their_reference_from_the_order() {
    let env = start().await;
    let mut body = session_body();
    body["order"]["event_reference"] = json!("settle-77");
    let (_, tid) = env.paid(body).await;
    let cap = format!("/v1/transactions/{tid}/capture");
    let r = env.post(&cap, json!({"amount": 1000})).await;
    assert_eq!(last_event(r.ok())["event_reference"], "settle-77");
    let r = env
        .post(&cap, json!({"amount": 1000, "capture_reference": "own"}))
        .await;
    assert_eq!(last_event(r.ok())["event_reference"], "own");
    let r = env
        .post(
            &format!("/v1/transactions/{tid}/refund"),
            json!({"amount": 500}),
        )
        .await;
    assert_eq!(last_event(r.ok())["event_reference"], "settle-77");
    // Without an order default, no reference.
    let (_, tid) = env.paid(session_body()).await;
    let r = env
        .post(
            &format!("/v1/transactions/{tid}/capture"),
            json!({"amount": 1000}),
        )
        .await;
    assert!(last_event(r.ok()).get("event_reference").is_none());
}

async fn raw_post(env: &Env, path: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}{path}", env.base))
        .bearer_auth(env.token().await)
        .json(&body)
        .send()
        .await
        .expect("an answer")
}

#[tokio::test]
async fn gateway_timeout_answers_an_html_504_while_the_capture_completes() {
    let env = start().await;
    let (_, tid) = env.paid(session_body()).await;
    env.control(
        Method::POST,
        "/_emulator/faults",
        Some(json!({"route": "capture", "fault": "gateway_timeout", "ms": 500, "gateway_ms": 100})),
    )
    .await
    .ok();
    let t0 = Instant::now();
    let resp = raw_post(
        &env,
        &format!("/v1/transactions/{tid}/capture"),
        json!({"amount": 1000, "capture_reference": "gw-1"}),
    )
    .await;
    assert_eq!(resp.status(), 504);
    assert!(t0.elapsed() >= Duration::from_millis(100));
    assert!(t0.elapsed() < Duration::from_millis(450));
    assert_eq!(resp.headers()["content-type"], "text/html");
    let text = resp.text().await.unwrap();
    assert!(text.contains("504 Gateway Time-out"), "{text}");
    assert!(serde_json::from_str::<Value>(&text).is_err(), "not JSON");
    assert_eq!(env.tx(&tid).await["status"], "AUTHORIZED", "not yet");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let tx = env.tx(&tid).await;
        if tx["status"] == "PARTIALLY_CAPTURED" {
            assert_eq!(last_event(&tx)["event_reference"], "gw-1");
            break;
        }
        assert!(Instant::now() < deadline, "the capture never completed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // gateway_502: at once, HTML, nothing applied.
    env.emu
        .inject_fault(FaultSpec::new("refund", FaultKind::Gateway502))
        .unwrap();
    let resp = raw_post(
        &env,
        &format!("/v1/transactions/{tid}/refund"),
        json!({"amount": 100}),
    )
    .await;
    assert_eq!(resp.status(), 502);
    assert_eq!(resp.headers()["content-type"], "text/html");
    let text = resp.text().await.unwrap();
    assert!(text.contains("502 Bad Gateway"), "{text}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(env.tx(&tid).await["status"], "PARTIALLY_CAPTURED");
}

#[tokio::test]
async fn event_status_is_the_transaction_status_after_the_event() {
    let env = start().await;
    let (_, tid) = env.paid(session_body()).await;
    env.post(
        &format!("/v1/transactions/{tid}/capture"),
        json!({"amount": 10000}),
    )
    .await
    .ok();
    let r = env
        .post(
            &format!("/v1/transactions/{tid}/refund"),
            json!({"amount": 500}),
        )
        .await;
    assert_eq!(r.ok()["status"], "PARTIALLY_CAPTURED_REFUNDED");
    assert_eq!(
        last_event(&r.body)["transaction_status"],
        "PARTIALLY_CAPTURED_REFUNDED"
    );
}

#[tokio::test]
async fn final_capture_releases_the_rest_and_refuses_later_captures() {
    let env = start().await;
    let (_, tid) = env.paid(session_body()).await;
    let cap = format!("/v1/transactions/{tid}/capture");
    let r = env
        .post(&cap, json!({"amount": 10000, "final_capture": true}))
        .await;
    assert_eq!(r.ok()["status"], "CAPTURED");
    assert_eq!(last_event(&r.body)["transaction_status"], "CAPTURED");
    let m = env.post(&cap, json!({"amount": 100})).await.error(400);
    assert!(m.contains("final_capture"), "{m}");
    env.post(&cap, json!({"amount": 1, "final_capture": "yes"}))
        .await
        .error(400);
    // What was captured can still be refunded, in full.
    let r = env
        .post(
            &format!("/v1/transactions/{tid}/refund"),
            json!({"amount": 10000}),
        )
        .await;
    assert_eq!(r.ok()["status"], "REFUNDED");
}

#[tokio::test]
async fn authorization_changes_need_a_pre_authorization() {
    let env = start().await;
    let (_, tid) = env.paid(session_body()).await;
    let m = env
        .post(
            &format!("/v1/transactions/{tid}/authorization"),
            json!({"amount": 50000}),
        )
        .await
        .error(400);
    assert!(m.contains("pre-authorized"), "{m}");
    assert_eq!(env.tx(&tid).await["amount"], 43880);
    // A status that allows no change at all is a 409 first, pre-authorized or not.
    env.post_empty(&format!("/v1/transactions/{tid}/void"))
        .await
        .ok();
    env.post(
        &format!("/v1/transactions/{tid}/authorization"),
        json!({"amount": 50000}),
    )
    .await
    .error(409);

    let mut body = session_body();
    body["configuration"] = json!({"pre_authorization": true});
    let (_, tid) = env.paid(body).await;
    let ext = format!("/v1/transactions/{tid}/authorization");
    let r = env
        .post(
            &ext,
            json!({"amount": 50000, "description": "extra chair",
                   "items": [{"line_id": "1", "amount": 36110}]}),
        )
        .await;
    assert_eq!(r.ok()["amount"], 50000);
    let ev = last_event(&r.body);
    assert_eq!(ev["event"], "AUTHORIZE");
    assert_eq!(ev["metadata"]["description"], "extra chair");
    let r = env
        .post(&ext, json!({"amount": 48000, "final_authorization": true}))
        .await;
    assert_eq!(r.ok()["amount"], 48000);
    let m = env.post(&ext, json!({"amount": 49000})).await.error(400);
    assert!(m.contains("final_authorization"), "{m}");
    env.post(&ext, json!({"final_authorization": 1}))
        .await
        .error(400);
}

#[tokio::test]
async fn the_request_log_keeps_query_and_body() {
    let env = start().await;
    let (_, tid) = env.paid(session_body()).await;
    env.post(
        &format!("/v1/transactions/{tid}/capture"),
        json!({"amount": 1000, "capture_reference": "logged"}),
    )
    .await
    .ok();
    env.get("/v1/transactions?limit=5&status=CAPTURED&status=AUTHORIZED")
        .await
        .ok();
    // A body longer than the cap is cut, and says so.
    let long = "x".repeat(100_000);
    env.put(
        &format!("/v1/transactions/{tid}"),
        json!({"merchant_reference_2": long}),
    )
    .await
    .ok();
    let r = env.control(Method::GET, "/_emulator/requests", None).await;
    let recent = r.ok()["recent"].as_array().unwrap().clone();
    let find = |route: &str| {
        recent
            .iter()
            .find(|x| x["route"] == route)
            .cloned()
            .unwrap_or_else(|| panic!("no {route} in {recent:?}"))
    };
    let cap = find("capture");
    let sent: Value = serde_json::from_str(cap["body"].as_str().unwrap()).unwrap();
    assert_eq!(sent["capture_reference"], "logged");
    assert_eq!(cap["body_truncated"], false);
    assert_eq!(cap["query"], Value::Null);
    let list = find("list_transactions");
    assert_eq!(list["query"], "limit=5&status=CAPTURED&status=AUTHORIZED");
    assert_eq!(list["body"], Value::Null);
    let put = find("update_transaction");
    assert_eq!(put["body"].as_str().unwrap().len(), 64 * 1024);
    assert_eq!(put["body_truncated"], true);
}

#[tokio::test]
async fn errors_of_the_http_layer_carry_the_error_body() {
    let env = start().await;
    // 414: a request target over 8 KiB.
    let r = env
        .get(&format!(
            "/v1/transactions?merchant_reference={}",
            "a".repeat(10_000)
        ))
        .await;
    assert!(r.error(414).contains("8192"));
    // 431: headers over 32 KiB.
    let big = "b".repeat(40_000);
    let r = env
        .raw(Method::GET, "/v1/transactions", None, &[("x-big", &big)])
        .await;
    r.error(431);
    // 400 from the path extractor (not UTF-8 after decoding).
    env.get("/v1/transactions/%FF%FE").await.error(400);
    // bad JSON, and a JSON body that is not an object
    let tok = format!("Bearer {}", env.token().await);
    let resp = env
        .http
        .post(format!("{}/v1/sessions-profile", env.base))
        .header("authorization", &tok)
        .header("content-type", "text/plain")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    contract().check("Error", &body);
    // 404 and 405
    env.get("/v1/nowhere").await.error(404);
    env.call(Method::DELETE, "/v1/transactions", None)
        .await
        .error(405);
}

#[tokio::test]
async fn a_body_that_stops_arriving_gets_408() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let env = start_with(dintero_emulator::EmulatorConfig {
        body_read_timeout: Duration::from_millis(300),
        ..dintero_emulator::EmulatorConfig::for_tests()
    })
    .await;
    let tok = env.token().await;
    let addr = env.base.trim_start_matches("http://").to_string();
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /v1/sessions-profile HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {tok}\r\n\
         Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{{\"order\": {{"
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let t0 = Instant::now();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the emulator never answered");
    assert!(t0.elapsed() >= Duration::from_millis(250));
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    let json = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    let body: Value = serde_json::from_str(json).expect("a JSON body");
    contract().check("Error", &body);
    assert_eq!(body["error"]["code"], "REQUEST_TIMEOUT");
}

#[tokio::test]
async fn failed_3ds_verification_ends_with_error_authorization() {
    let env = start().await;
    let rcv = Receiver::start(&[]).await;
    let cb = format!("{}?report_error=true", rcv.url);
    for card in ["4000 3000 0000 0006", "5200 0000 0000 0031"] {
        let sid = env.session(with_callback(session_body(), &cb)).await;
        let out = env.emu.pay(&sid, card).await.unwrap();
        assert!(out.transaction_id.is_none());
        assert!(
            out.redirect_url.contains("error=authorization"),
            "{}",
            out.redirect_url
        );
    }
    // The 1A decline stays error=failed.
    let sid = env.session(with_callback(session_body(), &cb)).await;
    let out = env.emu.pay(&sid, "4100 0000 0000 0076").await.unwrap();
    assert!(out.redirect_url.contains("error=failed"));
    eventually(5, || rcv.received().len() == 3).await;
    let errors: Vec<Option<String>> = rcv.received().iter().map(|r| r.param("error")).collect();
    let count = |e: &str| errors.iter().filter(|x| x.as_deref() == Some(e)).count();
    assert_eq!((count("authorization"), count("failed")), (2, 1));
}

#[tokio::test]
async fn callback_time_is_when_the_transaction_was_created() {
    let env = start().await;
    let rcv = Receiver::start(&[]).await;
    let (_, tid) = env.paid(with_callback(session_body(), &rcv.url)).await;
    eventually(5, || rcv.received().len() == 1).await;
    let tx = env.tx(&tid).await;
    assert_eq!(
        rcv.received()[0].param("time").as_deref(),
        tx["created_at"].as_str()
    );
}

#[tokio::test]
async fn a_failed_auto_capture_reports_error_captured_and_no_success_callback() {
    let env = start().await;
    let rcv = Receiver::start(&[]).await;
    let mut body = with_callback(session_body(), &format!("{}?report_error=true", rcv.url));
    body["configuration"] = json!({"auto_capture": true});
    let sid = env.session(body.clone()).await;
    let tid = env.pay_card(&sid, "4100 0000 0000 0035").await;
    eventually(5, || !rcv.received().is_empty()).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let got = rcv.received();
    assert_eq!(got.len(), 1, "no success callback: {got:?}");
    assert_eq!(got[0].param("error").as_deref(), Some("captured"));
    assert_eq!(
        got[0].param("transaction_id").as_deref(),
        Some(tid.as_str())
    );
    assert_eq!(env.tx(&tid).await["status"], "AUTHORIZED");
    // A successful auto-capture calls back once, when CAPTURED.
    let sid = env.session(body).await;
    let tid = env.pay_card(&sid, "4000 0000 0000 0002").await;
    eventually(5, || rcv.received().len() == 2).await;
    let last = rcv.received()[1].clone();
    assert_eq!(last.param("error"), None);
    assert_eq!(last.param("transaction_id").as_deref(), Some(tid.as_str()));
    assert_eq!(env.tx(&tid).await["status"], "CAPTURED");
}

#[tokio::test]
async fn http_urls_are_refused_except_to_loopback() {
    let env = start().await;
    for (field, url) in [
        ("callback_url", "http://shop.example/cb"),
        ("return_url", "http://shop.example/return"),
        ("callback_url", "http://10.0.0.5/cb"),
    ] {
        let mut body = session_body();
        body["url"][field] = json!(url);
        let m = env.post("/v1/sessions-profile", body).await.error(400);
        assert!(m.contains(&format!("url.{field}")), "{m}");
        assert!(m.contains("https"), "{m}");
    }
    for url in [
        "http://127.0.0.1:9/cb",
        "http://localhost/cb",
        "http://[::1]:8080/cb",
        "https://shop.example/cb",
    ] {
        let body = with_callback(session_body(), url);
        env.post("/v1/sessions-profile", body).await.ok();
    }
    // strict: only https
    let env = start_with(dintero_emulator::EmulatorConfig {
        strict_urls: true,
        ..dintero_emulator::EmulatorConfig::for_tests()
    })
    .await;
    let m = env
        .post(
            "/v1/sessions-profile",
            with_callback(session_body(), "http://127.0.0.1:9/cb"),
        )
        .await
        .error(400);
    assert!(m.contains("url.callback_url"), "{m}");
    env.post(
        "/v1/sessions-profile",
        with_callback(session_body(), "https://127.0.0.1:9/cb"),
    )
    .await
    .ok();
}

#[tokio::test]
async fn the_transaction_list_refuses_filters_it_does_not_implement() {
    let env = start().await;
    let (sid, tid) = env.paid(session_body()).await;
    let (_, other) = env.paid(session_body()).await;
    for q in [
        "captured_at.gte=2020-01-01",
        "search=chair",
        "store_id=1",
        "nonsense=1",
        "includes=session",
    ] {
        let m = env.get(&format!("/v1/transactions?{q}")).await.error(400);
        let key = q.split('=').next().unwrap();
        assert!(m.contains(key), "{m}");
    }
    let ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect()
    };
    let r = env
        .get(&format!(
            "/v1/transactions?session_id={sid}&status=AUTHORIZED&status=CAPTURED&merchant_reference=order-1001&payment_product=dintero_psp&payment_product_type=dintero_psp.creditcard&created_at.gte=2000-01-01&created_at.lte=2999-01-01&limit=5"
        ))
        .await;
    assert_eq!(ids(r.ok()), vec![tid.clone()]);
    let r = env
        .get(&format!(
            "/v1/transactions?session_id[]={sid}&channel=ecommerce"
        ))
        .await;
    assert_eq!(ids(r.ok()), vec![tid.clone()]);
    let r = env
        .get(&format!("/v1/transactions?limit=1&starting_after={other}"))
        .await;
    assert_eq!(ids(r.ok()), vec![tid.clone()]);
    let r = env.get("/v1/transactions?status=CAPTURED").await;
    assert!(ids(r.ok()).is_empty());
    // includes=events.success.true drops unsuccessful events
    env.emu
        .inject_fault(FaultSpec::new("capture", FaultKind::FailedEvent))
        .unwrap();
    env.post(
        &format!("/v1/transactions/{tid}/capture"),
        json!({"amount": 100}),
    )
    .await
    .ok();
    let r = env
        .get(&format!(
            "/v1/transactions?id={tid}&includes=events.success.true"
        ))
        .await;
    let evs = r.ok()[0]["events"].as_array().unwrap().clone();
    assert!(evs.iter().all(|e| e["success"] == true), "{evs:?}");
    assert!(events(&env.tx(&tid).await)
        .iter()
        .any(|e| e["success"] == false));
}

#[tokio::test]
async fn cancelling_a_session_voids_its_authorized_transaction() {
    let env = start().await;
    let (sid, tid) = env.paid(session_body()).await;
    let r = env.post_empty(&format!("/v1/sessions/{sid}/cancel")).await;
    assert!(r.ok()["cancelled_at"].is_string());
    let tx = env.tx(&tid).await;
    assert_eq!(tx["status"], "AUTHORIZATION_VOIDED");
    assert_eq!(last_event(&tx)["event"], "VOID");
}

#[tokio::test]
async fn session_update_takes_the_update_order_shape_and_merges() {
    let env = start().await;
    let sid = env.session(session_body()).await;
    // No merchant_reference, no currency: the spec's SessionOrderUpdate.
    let update = json!({"order": {
        "amount": 33890, "vat_amount": 6778,
        "items": [{"id": "chair-1", "line_id": "1", "description": "Stacking chair",
                   "quantity": 1, "amount": 29990, "vat_amount": 5998, "vat": 25}]
    }});
    contract().check("UpdateSessionOptions", &update);
    let r = env
        .put(
            &format!("/v1/sessions/{sid}?update_without_lock=true"),
            update,
        )
        .await;
    let order = &r.ok()["order"];
    assert_eq!(order["amount"], 33890);
    assert_eq!(order["merchant_reference"], "order-1001", "kept");
    assert_eq!(order["currency"], "NOK", "kept");
    assert_eq!(order["shipping_option"]["id"], "pickup", "kept");
}

#[tokio::test]
async fn the_request_log_hides_a_secret_in_a_token_body() {
    let env = start().await;
    let c = env.emu.config().clone();
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_secret", "s3cr3t-in-body"),
    ]);
    let _ = env
        .http
        .post(format!(
            "{}/v1/accounts/{}/auth/token",
            env.base, c.account_id
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", basic(&c.client_id, &c.client_secret))
        .body(body)
        .send()
        .await
        .unwrap();
    let r = env.control(Method::GET, "/_emulator/requests", None).await;
    let text = r.text.clone();
    assert!(!text.contains("s3cr3t-in-body"), "{text}");
    assert_eq!(r.body["recent"][0]["body"], "[redacted]");
}
