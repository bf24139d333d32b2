//! The customer side: hosted page, test cards, redirects, and callbacks.

mod common;

use common::*;
use dintero_emulator::{callback_signature, signature_header, ControlError, EmulatorConfig};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn query_of(url: &str) -> Vec<(String, String)> {
    let u = url::Url::parse(url).unwrap();
    u.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param(url: &str, key: &str) -> Option<String> {
    query_of(url)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|x| x.1)
}

#[test]
fn contract_rejects_bad_values() {
    // sanity check that the schema validation used everywhere actually bites
    let c = contract();
    assert!(!c.is_valid("Transaction", &json!({"payment_product": "dintero_psp"})));
    assert!(!c.is_valid("Error", &json!({"message": "x"})));
    assert!(!c.is_valid("SessionReadResponse", &json!({"url": {}, "order": {}})));
    assert!(c.is_valid("Error", &json!({"error": {"message": "x"}})));
}

// ------------------------------------------------------------------ hosted page

#[tokio::test]
async fn page_shows_order_and_form_and_pays_by_form() {
    let env = start().await;
    let mut body = session_body();
    body["order"]["items"][0]["description"] = json!("Chair <b>&</b> \"co\"");
    let r = env.post("/v1/sessions-profile", body).await;
    let sid = r.ok()["id"].as_str().unwrap().to_string();
    let url = r.ok()["url"].as_str().unwrap().to_string();

    let resp = env
        .http
        .get(format!("{url}?ui=inline&language=no"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(resp.headers().get("x-frame-options").is_none());
    let html = resp.text().await.unwrap();
    assert!(html.contains("order-1001"));
    assert!(html.contains("299,90 NOK"));
    assert!(html.contains("99,90 NOK"));
    assert!(html.contains("39,00 NOK"));
    assert!(html.contains("438,80 NOK"));
    assert!(html.contains("Chair &lt;b&gt;&amp;&lt;/b&gt; &quot;co&quot;"));
    assert!(!html.contains("<b>&</b>"));
    for needle in [
        "name=\"card_number\"",
        "name=\"expiry\"",
        "name=\"cvc\"",
        "/pay\"",
        "/cancel\"",
        "Pay 438,80 NOK",
        "Cancel",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    let s = env.get(&format!("/v1/sessions/{sid}")).await.ok().clone();
    assert_eq!(s["events"][1]["name"], "VISITED");

    // form post with a declined card: 303 to return_url with error=failed
    let resp = env
        .http
        .post(format!("{}/v1/view/{sid}/pay", env.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("card_number", "4100 0000 0000 0076"),
            ("expiry", "12/39"),
            ("cvc", "123"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let loc = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with("https://shop.example/return?lang=no&"));
    assert_eq!(param(&loc, "error").as_deref(), Some("failed"));
    assert_eq!(
        param(&loc, "merchant_reference").as_deref(),
        Some("order-1001")
    );
    assert_eq!(param(&loc, "transaction_id"), None);

    // unknown card: 400 page with the error, still payable
    let resp = env
        .http
        .post(format!("{}/v1/view/{sid}/pay", env.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("card_number", "1234"),
            ("expiry", ""),
            ("cvc", ""),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let html = resp.text().await.unwrap();
    assert!(html.contains("unknown test card"));
    assert!(html.contains("name=\"card_number\""));
    // expired card
    let resp = env
        .http
        .post(format!("{}/v1/view/{sid}/pay", env.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("card_number", "4000000000000002"),
            ("expiry", "01/20"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);

    // approved
    let resp = env
        .http
        .post(format!("{}/v1/view/{sid}/pay", env.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("card_number", "5200 0000 0000 0007"),
            ("expiry", "12/39"),
            ("cvc", "1"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let loc = resp.headers()["location"].to_str().unwrap().to_string();
    let tid = param(&loc, "transaction_id").unwrap();
    assert_eq!(
        param(&loc, "merchant_reference").as_deref(),
        Some("order-1001")
    );
    assert_eq!(param(&loc, "session_id").as_deref(), Some(sid.as_str()));
    assert_eq!(param(&loc, "lang").as_deref(), Some("no"));
    assert_eq!(param(&loc, "error"), None);
    let tx = env.tx(&tid).await;
    assert_eq!(tx["card"]["brand"], "Mastercard");
    assert_eq!(tx["card"]["expiry_date"], "12/2039");

    // the page now says it is paid and offers no form
    let html = env
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("already paid"));
    assert!(!html.contains("name=\"card_number\""));
    // paying again via the form is refused
    let resp = env
        .http
        .post(format!("{}/v1/view/{sid}/pay", env.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("card_number", "4000000000000002")]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let names: Vec<String> = env.get(&format!("/v1/sessions/{sid}")).await.ok()["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["INITIATED", "VISITED", "DECLINED", "AUTHORIZED"]);
}

#[tokio::test]
async fn page_cancel_and_unknown_session() {
    let env = start().await;
    let sid = env.session(session_body()).await;
    let resp = env
        .http
        .post(format!("{}/v1/view/{sid}/cancel", env.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let loc = resp.headers()["location"].to_str().unwrap();
    assert_eq!(param(loc, "error").as_deref(), Some("cancelled"));
    assert_eq!(
        param(loc, "merchant_reference").as_deref(),
        Some("order-1001")
    );
    assert_eq!(param(loc, "transaction_id"), None);
    let s = env.get(&format!("/v1/sessions/{sid}")).await.ok().clone();
    assert_eq!(s["cancelled_by"], "customer");
    let resp = env
        .http
        .get(format!("{}/v1/view/T12345678.none", env.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let resp = env
        .http
        .post(format!("{}/v1/view/T12345678.none/pay", env.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("card_number", "4000000000000002")]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn page_escapes_merchant_reference_and_formats_currencies() {
    let env = start().await;
    let mut body = session_body();
    body["order"]["merchant_reference"] = json!("<script>alert(1)</script>");
    body["order"]["currency"] = json!("JPY");
    let r = env.post("/v1/sessions-profile", body).await;
    let url = r.ok()["url"].as_str().unwrap().to_string();
    let html = env
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("43 880 JPY"));
}

// ------------------------------------------------------------------ cards and pay rules

#[tokio::test]
async fn decline_keeps_session_payable() {
    let env = start().await;
    let sid = env.session(session_body()).await;
    let out = env.emu.pay(&sid, "4100 0000 0000 0076").await.unwrap();
    assert!(out.transaction_id.is_none());
    assert_eq!(param(&out.redirect_url, "error").as_deref(), Some("failed"));
    let s = env.get(&format!("/v1/sessions/{sid}")).await.ok().clone();
    assert!(s.get("transaction_id").is_none());
    let ev = s["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(ev["name"], "DECLINED");
    assert!(ev["details"]["error"].as_str().unwrap().contains("1A"));
    assert_eq!(env.get("/v1/transactions").await.ok(), &json!([]));
    let out = env.emu.pay(&sid, "4000 1000 0000 0000").await.unwrap();
    assert!(out.transaction_id.is_some());
    // 3DS verification failure declines too
    let sid = env.session(session_body()).await;
    assert!(env
        .emu
        .pay(&sid, "5200000000000031")
        .await
        .unwrap()
        .transaction_id
        .is_none());
}

#[tokio::test]
async fn pay_refusals() {
    let env = start().await;
    let sid = env.session(session_body()).await;
    match env.emu.pay(&sid, "4111 1111 1111 1111").await {
        Err(ControlError::Rejected(m)) => assert!(m.contains("unknown test card"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        env.emu.pay("T12345678.nope", "4000000000000002").await,
        Err(ControlError::NotFound(_))
    ));
    env.emu.pay(&sid, "4000000000000002").await.unwrap();
    let e = env.emu.pay(&sid, "4000000000000002").await.unwrap_err();
    assert!(e.to_string().contains("already paid"), "{e}");
    assert!(matches!(
        env.emu.cancel_payment(&sid).await,
        Err(ControlError::Rejected(_))
    ));

    // expired by the emulator clock
    let sid = env.session(session_body()).await;
    env.emu.advance_clock(24 * 3600 + 1);
    let e = env.emu.pay(&sid, "4000000000000002").await.unwrap_err();
    assert!(e.to_string().contains("expired"), "{e}");
    let html = env
        .http
        .get(format!("{}/v1/view/{sid}", env.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("expired"));
}

#[tokio::test]
async fn control_api_pay_and_cancel() {
    let env = start().await;
    let sid = env.session(session_body()).await;
    let path = format!("/_emulator/sessions/{sid}/pay");
    let r = env
        .control(Method::POST, &path, Some(json!({"card_number": "nope"})))
        .await;
    r.error(400);
    let r = env.control(Method::POST, &path, Some(json!({}))).await;
    assert!(r.error(400).starts_with("card_number: is required"));
    let r = env
        .control(
            Method::POST,
            &path,
            Some(json!({"card_number": "4000 0000 0000 0002"})),
        )
        .await;
    let b = r.ok().clone();
    let tid = b["transaction_id"].as_str().unwrap();
    assert_eq!(
        param(b["redirect_url"].as_str().unwrap(), "transaction_id").as_deref(),
        Some(tid)
    );

    let sid = env.session(session_body()).await;
    let r = env
        .control(
            Method::POST,
            &format!("/_emulator/sessions/{sid}/pay"),
            Some(json!({"cancel": true})),
        )
        .await;
    let b = r.ok();
    assert!(b.get("transaction_id").is_none());
    assert_eq!(
        param(b["redirect_url"].as_str().unwrap(), "error").as_deref(),
        Some("cancelled")
    );
    env.control(
        Method::POST,
        "/_emulator/sessions/T12345678.x/pay",
        Some(json!({"cancel": true})),
    )
    .await
    .error(404);
}

#[tokio::test]
async fn timeout_cards() {
    let env = start().await;
    let timeout = env.emu.config().card_timeout;

    // authorization timeout: waits, then a FAILED transaction and error=failed
    let sid = env.session(session_body()).await;
    let t0 = Instant::now();
    let out = env.emu.pay(&sid, "4100 0000 0000 0001").await.unwrap();
    assert!(t0.elapsed() >= timeout);
    assert_eq!(param(&out.redirect_url, "error").as_deref(), Some("failed"));
    let tx = env.tx(out.transaction_id.as_deref().unwrap()).await;
    assert_eq!(tx["status"], "FAILED");
    let auth = tx["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(auth["success"], false);
    assert_eq!(auth["error"]["code"], "TIMEOUT");
    assert!(env.emu.pay(&sid, "4000000000000002").await.is_err());

    // capture / refund / void timeouts: 503 after the wait, nothing applied
    for (card, op, prep) in [
        ("4100 0000 0000 0019", "capture", None),
        ("5100 0000 0000 0016", "capture", None),
        ("4100 0000 0000 0027", "refund", Some("capture")),
        ("5100 0000 0000 0024", "refund", Some("capture")),
        ("4100 0000 0000 0043", "void", None),
        ("5100 0000 0000 0040", "void", None),
    ] {
        let sid = env.session(session_body()).await;
        let tid = env
            .emu
            .pay(&sid, card)
            .await
            .unwrap()
            .transaction_id
            .unwrap();
        if let Some(p) = prep {
            env.post(
                &format!("/v1/transactions/{tid}/{p}"),
                json!({"amount": 43880}),
            )
            .await
            .ok();
        }
        let before = env.tx(&tid).await;
        let t0 = Instant::now();
        let r = env
            .post(
                &format!("/v1/transactions/{tid}/{op}"),
                json!({"amount": 43880}),
            )
            .await;
        assert!(t0.elapsed() >= timeout, "{card}");
        let m = r.error(503);
        assert!(m.contains("timed out"), "{m}");
        let after = env.tx(&tid).await;
        assert_eq!(after["status"], before["status"], "{card}");
        let ev = after["events"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(ev["event"], op.to_uppercase());
        assert_eq!(ev["success"], false);
    }
    // the timeout card still refunds fine after a normal capture (only its own op times out)
    let sid = env.session(session_body()).await;
    let tid = env
        .emu
        .pay(&sid, "4100000000000019")
        .await
        .unwrap()
        .transaction_id
        .unwrap();
    env.post(&format!("/v1/transactions/{tid}/void"), json!({}))
        .await
        .ok();

    // cancelling a session whose void times out answers 503 and keeps the session
    let sid = env.session(session_body()).await;
    env.emu.pay(&sid, "4100000000000043").await.unwrap();
    env.post_empty(&format!("/v1/sessions/{sid}/cancel"))
        .await
        .error(503);
    let s = env.get(&format!("/v1/sessions/{sid}")).await.ok().clone();
    assert!(s.get("cancelled_at").is_none());

    // auto-capture timeout: the transaction stays AUTHORIZED with a failed CAPTURE event
    let mut body = session_body();
    body["configuration"] = json!({"auto_capture": true});
    let sid = env.session(body.clone()).await;
    let t0 = Instant::now();
    let tid = env
        .emu
        .pay(&sid, "4100 0000 0000 0035")
        .await
        .unwrap()
        .transaction_id
        .unwrap();
    assert!(t0.elapsed() >= timeout);
    let tx = env.tx(&tid).await;
    assert_eq!(tx["status"], "AUTHORIZED");
    let ev = tx["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (ev["event"].as_str(), ev["success"].as_bool()),
        (Some("CAPTURE"), Some(false))
    );
    // without auto_capture that card behaves normally
    let sid = env.session(session_body()).await;
    let tid = env
        .emu
        .pay(&sid, "5100000000000032")
        .await
        .unwrap()
        .transaction_id
        .unwrap();
    env.post(
        &format!("/v1/transactions/{tid}/capture"),
        json!({"amount": 43880}),
    )
    .await
    .ok();
}

// ------------------------------------------------------------------ callbacks

fn verify(rcv: &Received, secret: &str, account: &str, full_url: &str) {
    let header = rcv.headers["dintero-signature"].to_str().unwrap();
    let (t, sig) = header.split_once(',').unwrap();
    let t: i64 = t.strip_prefix("t=").unwrap().parse().unwrap();
    let sig = sig.strip_prefix("v0-hmac-sha256=").unwrap();
    let expected = callback_signature(secret, account, &rcv.method, full_url, t).unwrap();
    assert_eq!(sig, expected);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((now - t).abs() < 300);
}

fn full_url(rcv_base: &str, r: &Received) -> String {
    // rcv_base is http://127.0.0.1:PORT/callback ; r.uri is /callback?...
    let origin = rcv_base.trim_end_matches("/callback");
    format!("{origin}{}", r.uri)
}

#[tokio::test]
async fn default_get_callback_is_signed() {
    let env = start().await;
    let rcv = Receiver::start(&[]).await;
    let (sid, tid) = env.paid(with_callback(session_body(), &rcv.url)).await;
    eventually(5, || rcv.received().len() == 1).await;
    let got = &rcv.received()[0];
    assert_eq!(got.method, "GET");
    assert_eq!(got.param("transaction_id").as_deref(), Some(tid.as_str()));
    assert_eq!(got.param("session_id").as_deref(), Some(sid.as_str()));
    assert_eq!(
        got.param("merchant_reference").as_deref(),
        Some("order-1001")
    );
    let time = got.param("time").unwrap();
    assert!(
        time::OffsetDateTime::parse(&time, &time::format_description::well_known::Rfc3339).is_ok()
    );
    let q: serde_json::Map<String, Value> = got
        .query()
        .into_iter()
        .map(|(k, v)| (k, json!(v)))
        .collect();
    contract().check("CallbackQuery", &Value::Object(q));
    assert!(got.headers.contains_key("event-delivery"));
    verify(
        got,
        "emulator-signature-secret",
        "T12345678",
        &full_url(&rcv.url, got),
    );
    // the signature helper agrees with the header format
    let h = signature_header(
        "123",
        "P00000000",
        "GET",
        "https://example.com/callback?B=123&A=992",
        1582236537,
    )
    .unwrap();
    assert_eq!(h, "t=1582236537,v0-hmac-sha256=6bed2ab1b919d460ef7465a20dc6c97260dca73fab6647106ca525f0908df64a");

    // recorded by the control API, and the session gets AUTH_CALLBACK_SENT
    eventually(5, || {
        env.emu.callbacks().first().is_some_and(|c| c.delivered)
    })
    .await;
    let r = env.control(Method::GET, "/_emulator/callbacks", None).await;
    let list = r.ok().as_array().unwrap().clone();
    assert_eq!(list.len(), 1);
    let d = &list[0];
    for key in [
        "id",
        "url",
        "method",
        "attempts",
        "last_status",
        "last_error",
        "delivered",
        "final",
        "headers",
        "body",
        "created_at",
    ] {
        assert!(d.get(key).is_some(), "missing {key}");
    }
    assert_eq!(d["attempts"], 1);
    assert_eq!(d["last_status"], 200);
    assert_eq!(d["final"], true);
    assert_eq!(
        d["id"].as_str(),
        got.headers["event-delivery"].to_str().ok()
    );
    eventually(5, || true).await;
    let s = env.get(&format!("/v1/sessions/{sid}")).await.ok().clone();
    assert!(s["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["name"] == "AUTH_CALLBACK_SENT"));
}

#[tokio::test]
async fn post_callback_with_options() {
    let env = start().await;
    let rcv = Receiver::start(&[]).await;
    let cb = format!(
        "{}?method=POST&sid_parameter_name=sid&includes=session",
        rcv.url
    );
    let (sid, tid) = env.paid(with_callback(session_body(), &cb)).await;
    eventually(5, || rcv.received().len() == 1).await;
    let got = &rcv.received()[0];
    assert_eq!(got.method, "POST");
    assert_eq!(got.param("sid").as_deref(), Some(sid.as_str()));
    assert_eq!(got.param("session_id"), None);
    assert_eq!(got.param("method").as_deref(), Some("POST"));
    assert_eq!(got.headers["content-type"], "application/json");
    let body: Value = serde_json::from_str(&got.body).unwrap();
    contract().check("Transaction", &body);
    assert_eq!(body["id"], tid.as_str());
    assert_eq!(body["session"]["id"], sid.as_str());
    verify(
        got,
        "emulator-signature-secret",
        "T12345678",
        &full_url(&rcv.url, got),
    );
}

#[tokio::test]
async fn report_error_and_report_event() {
    let env = start().await;
    let rcv = Receiver::start(&[]).await;
    // without report_error a cancel sends nothing
    let sid = env.session(with_callback(session_body(), &rcv.url)).await;
    env.emu.cancel_payment(&sid).await.unwrap();
    // with report_error: cancelled, and failed for a decline
    let cb = format!("{}?report_error=true", rcv.url);
    let sid = env.session(with_callback(session_body(), &cb)).await;
    env.emu.cancel_payment(&sid).await.unwrap();
    let sid2 = env.session(with_callback(session_body(), &cb)).await;
    env.emu.pay(&sid2, "4100000000000076").await.unwrap();
    eventually(5, || rcv.received().len() == 2).await;
    let got = rcv.received();
    let cancelled = got
        .iter()
        .find(|r| r.param("error").as_deref() == Some("cancelled"))
        .unwrap();
    assert_eq!(cancelled.param("session_id").as_deref(), Some(sid.as_str()));
    assert_eq!(cancelled.param("transaction_id"), None);
    let failed = got
        .iter()
        .find(|r| r.param("error").as_deref() == Some("failed"))
        .unwrap();
    assert_eq!(failed.param("session_id").as_deref(), Some(sid2.as_str()));

    // report_event: CAPTURE and REFUND (repeatable), not VOID
    let rcv = Receiver::start(&[]).await;
    let cb = format!("{}?report_event=CAPTURE&report_event=REFUND", rcv.url);
    let (_, tid) = env.paid(with_callback(session_body(), &cb)).await;
    let tx = env
        .post(
            &format!("/v1/transactions/{tid}/capture"),
            json!({"amount": 1000}),
        )
        .await
        .ok()
        .clone();
    let cap_id = tx["events"].as_array().unwrap().last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    env.post(
        &format!("/v1/transactions/{tid}/refund"),
        json!({"amount": 500}),
    )
    .await
    .ok();
    eventually(5, || rcv.received().len() == 3).await;
    let got = rcv.received();
    let cap = got
        .iter()
        .find(|r| r.param("event").as_deref() == Some("CAPTURE"))
        .unwrap();
    assert_eq!(cap.param("event_id"), Some(cap_id));
    assert_eq!(cap.param("transaction_id").as_deref(), Some(tid.as_str()));
    assert!(got
        .iter()
        .any(|r| r.param("event").as_deref() == Some("REFUND")));
    let (_, tid2) = env.paid(with_callback(session_body(), &cb)).await;
    env.post_empty(&format!("/v1/transactions/{tid2}/void"))
        .await
        .ok();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let got = rcv.received();
    assert_eq!(got.len(), 4, "authorization callback only, no VOID");
    assert!(got
        .iter()
        .all(|r| r.param("event").as_deref() != Some("VOID")));
}

#[tokio::test]
async fn callback_retries_then_succeeds() {
    let env = start().await;
    let rcv = Receiver::start(&[500, 502, 503]).await;
    env.paid(with_callback(session_body(), &rcv.url)).await;
    eventually(5, || {
        env.emu.callbacks().first().is_some_and(|c| c.is_final)
    })
    .await;
    let d = env.emu.callbacks()[0].clone();
    assert!(d.delivered);
    assert_eq!(d.attempts, 4);
    assert_eq!(d.last_status, Some(200));
    let got = rcv.received();
    assert_eq!(got.len(), 4);
    let ids: std::collections::HashSet<_> = got
        .iter()
        .map(|r| r.headers["event-delivery"].clone())
        .collect();
    assert_eq!(ids.len(), 1, "same delivery id on every attempt");
}

#[tokio::test]
async fn callback_4xx_is_final() {
    let env = start().await;
    let rcv = Receiver::start(&[404, 500]).await;
    env.paid(with_callback(session_body(), &rcv.url)).await;
    eventually(5, || {
        env.emu.callbacks().first().is_some_and(|c| c.is_final)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let d = env.emu.callbacks()[0].clone();
    assert!(!d.delivered);
    assert_eq!(d.attempts, 1);
    assert_eq!(d.last_status, Some(404));
    assert_eq!(rcv.received().len(), 1);
}

#[tokio::test]
async fn callback_retries_are_bounded_and_cover_connection_errors() {
    let mut cfg = EmulatorConfig::for_tests();
    cfg.callback_max_retries = 3;
    cfg.callback_retry_base = Duration::from_millis(5);
    let env = start_with(cfg).await;
    let rcv = Receiver::start(&[500; 10]).await;
    env.paid(with_callback(session_body(), &rcv.url)).await;
    // a closed port: connection refused is retried too
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    env.paid(with_callback(
        session_body(),
        &format!("http://{closed}/cb"),
    ))
    .await;
    eventually(5, || {
        env.emu.callbacks().iter().all(|c| c.is_final) && env.emu.callbacks().len() == 2
    })
    .await;
    for d in env.emu.callbacks() {
        assert!(!d.delivered);
        assert_eq!(d.attempts, 4, "1 attempt + 3 retries: {d:?}");
    }
    assert_eq!(rcv.received().len(), 4);
    let refused = env
        .emu
        .callbacks()
        .into_iter()
        .find(|d| d.url.contains(&closed.to_string()))
        .unwrap();
    assert!(refused.last_status.is_none());
    assert!(refused.last_error.is_some());
}

#[tokio::test]
async fn delayed_and_unsigned_callbacks() {
    let mut cfg = EmulatorConfig::for_tests();
    cfg.signature_secret = None;
    let env = start_with(cfg).await;
    let rcv = Receiver::start(&[]).await;
    let t0 = Instant::now();
    env.paid(with_callback(
        session_body(),
        &format!("{}?delay_callback=0.3", rcv.url),
    ))
    .await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(rcv.received().is_empty(), "delivered before delay_callback");
    eventually(5, || rcv.received().len() == 1).await;
    assert!(t0.elapsed() >= Duration::from_millis(300));
    let got = &rcv.received()[0];
    assert!(!got.headers.contains_key("dintero-signature"));
    assert!(got.headers.contains_key("event-delivery"));
    // after creating a secret, callbacks are signed with it
    let secret = env.post_empty("/v1/admin/signature").await.ok()["signature"]["secret"]
        .as_str()
        .unwrap()
        .to_string();
    env.paid(with_callback(session_body(), &rcv.url)).await;
    eventually(5, || rcv.received().len() == 2).await;
    let got = &rcv.received()[1];
    verify(got, &secret, "T12345678", &full_url(&rcv.url, got));
}

#[tokio::test]
async fn auto_capture_callback_after_captured() {
    let env = start().await;
    let rcv = Receiver::start(&[]).await;
    let mut body = with_callback(session_body(), &format!("{}?method=POST", rcv.url));
    body["configuration"] = json!({"auto_capture": true});
    env.paid(body).await;
    eventually(5, || rcv.received().len() == 1).await;
    let tx: Value = serde_json::from_str(&rcv.received()[0].body).unwrap();
    assert_eq!(tx["status"], "CAPTURED");
}

// ------------------------------------------------------------------ signature vectors

#[test]
fn signature_vectors_from_testdata() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/callback-signatures.json"
    );
    let vectors: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(vectors.len() >= 5);
    let docs = vectors
        .iter()
        .find(|v| v["name"] == "dintero-docs-example")
        .unwrap();
    assert_eq!(
        docs["signature_header"],
        "t=1582236537,v0-hmac-sha256=6bed2ab1b919d460ef7465a20dc6c97260dca73fab6647106ca525f0908df64a"
    );
    let mut invalid = 0;
    for v in &vectors {
        let header = v["signature_header"].as_str().unwrap();
        let (t, sig) = header.split_once(',').unwrap();
        let t: i64 = t.strip_prefix("t=").unwrap().parse().unwrap();
        let sig = sig.strip_prefix("v0-hmac-sha256=").unwrap();
        let expected = callback_signature(
            v["secret"].as_str().unwrap(),
            v["account_id"].as_str().unwrap(),
            v["method"].as_str().unwrap(),
            v["url"].as_str().unwrap(),
            t,
        )
        .unwrap();
        let valid = v["valid"].as_bool().unwrap();
        assert_eq!(sig == expected, valid, "vector {}", v["name"]);
        if valid {
            assert_eq!(v["timestamp"].as_i64(), Some(t));
            let payload = dintero_emulator::signature_payload(
                v["account_id"].as_str().unwrap(),
                v["method"].as_str().unwrap(),
                v["url"].as_str().unwrap(),
                t,
            )
            .unwrap();
            assert_eq!(
                v["payload"].as_str(),
                Some(payload.as_str()),
                "vector {}",
                v["name"]
            );
        } else {
            invalid += 1;
        }
    }
    assert!(invalid >= 1);
}

#[tokio::test]
async fn callback_timeouts_are_retried() {
    let mut cfg = EmulatorConfig::for_tests();
    cfg.callback_timeout = Duration::from_millis(100);
    let env = start_with(cfg).await;
    let rcv = Receiver::start(&[0]).await;
    env.paid(with_callback(session_body(), &rcv.url)).await;
    eventually(5, || {
        env.emu.callbacks().first().is_some_and(|c| c.is_final)
    })
    .await;
    let d = env.emu.callbacks()[0].clone();
    assert!(d.delivered);
    assert_eq!(d.attempts, 2);
    eventually(5, || rcv.received().len() == 2).await;
}
