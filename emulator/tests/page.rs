//! The checkout page's routes over HTTP: `/?sid=` (where Dintero's Web SDK loads it), the
//! page's JSON paths (pay, cancel, lock, state), `/embedResult/` and the page's script.
//! The browser side of the same protocol is tested in web-test/ (Chromium).

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn get_html(env: &Env, path: &str) -> (u16, String) {
    let resp = env
        .http
        .get(format!("{}{}", env.base, path))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    if status == 200 {
        assert!(resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(resp.headers().get("x-frame-options").is_none());
    }
    (status, resp.text().await.unwrap())
}

/// The page's JSON configuration (`<script type="application/json" id="checkout-data">`).
fn page_config(html: &str) -> Value {
    let start =
        html.find("id=\"checkout-data\">").expect("checkout-data") + "id=\"checkout-data\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

async fn page_json(env: &Env, method: Method, path: &str, body: Option<Value>) -> Resp {
    env.raw(method, path, body, &[("accept", "application/json")])
        .await
}

#[tokio::test]
async fn root_with_sid_serves_the_sessions_checkout() {
    let env = start().await;
    let mut body = with_callback(session_body(), "https://shop.example/cb?secret=s3cr3t");
    body["order"]["items"][1]["quantity"] = json!(2.0);
    body["order"]["merchant_reference"] = json!("</script><script>alert(1)</script>");
    let sid = env.session(body).await;
    let (status, html) = get_html(
        &env,
        &format!("/?sdk=0.8.30&ui=inline&language=no&client_side_validation=true&sid={sid}"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("<body class=\"inline\">"));
    assert!(html.contains("Pay 438,80 NOK"));
    assert!(html.contains("Test mode"));
    assert!(
        !html.contains("<script>alert"),
        "the reference is escaped everywhere"
    );
    assert!(
        !html.contains("s3cr3t"),
        "the callback URL is not shown to the browser"
    );
    let cfg = page_config(&html);
    assert_eq!(cfg["sid"], sid.as_str());
    assert_eq!(cfg["state"], "payable");
    assert_eq!(cfg["client_side_validation"], true);
    assert_eq!(cfg["ui"], "inline");
    assert_eq!(cfg["max_declines"], 3);
    assert_eq!(cfg["session"]["id"], sid.as_str());
    assert!(cfg["session"]["url"].get("callback_url").is_none());
    assert_eq!(cfg["paths"]["pay"], format!("/v1/view/{sid}/pay"));
    assert!(html.contains("<script src=\"/checkout/checkout.js\"></script>"));
    // The first visit is an event.
    let s = env.get(&format!("/v1/sessions/{sid}")).await.ok().clone();
    assert_eq!(s["events"][1]["name"], "VISITED");

    // Without ui=inline: the full page; hide_test_message hides the test hints.
    let (_, html) = get_html(&env, &format!("/?sid={sid}&hide_test_message=true")).await;
    assert!(html.contains("<body class=\"full\">"));
    assert!(!html.contains("Test mode"));
    assert!(!html.contains("class=\"hint\""));
    // Quantities as people write them.
    assert!(html.contains("<td class=\"qty\">2 \u{d7}</td>"));
    // Placeholders are words, not values.
    assert!(html.contains("placeholder=\"Card number\""));
    assert!(!html.contains("placeholder=\"4000"));
    // The methods a NOK profile session offers; Swish is for SEK.
    for m in [
        "dintero_psp.creditcard",
        "vipps",
        "collector.invoice",
        "klarna.klarna",
    ] {
        assert!(html.contains(&format!("value=\"{m}\"")), "{m}");
    }
    assert!(!html.contains("value=\"swish.swish\""));

    // Unknown sid: a 404 page that tells the SDK (SessionNotFound); no sid: the JSON 404.
    let (status, html) = get_html(&env, "/?sid=T12345678.none&ui=inline").await;
    assert_eq!(status, 404);
    assert_eq!(page_config(&html)["state"], "not_found");
    let r = env.raw(Method::GET, "/", None, &[]).await;
    assert_eq!(r.error(404), "no route for GET /");
    // The script.
    let resp = env
        .http
        .get(format!("{}/checkout/checkout.js", env.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    let js = resp.text().await.unwrap();
    for message in [
        "SessionLoaded",
        "HeightChanged",
        "SessionPaymentAuthorized",
        "SessionPaymentOnHold",
        "SessionPaymentError",
        "SessionCancel",
        "SessionLocked",
        "SessionLockFailed",
        "SessionUpdated",
        "SessionNotFound",
        "ValidateSession",
        "ActivePaymentProductType",
        "LanguageChanged",
        "ScrollToTop",
    ] {
        assert!(js.contains(&format!("\"{message}\"")), "{message}");
    }
}

#[tokio::test]
async fn json_pay_declines_without_ending_then_pays() {
    let env = start().await;
    let sid = env.session(session_body()).await;
    let path = format!("/v1/view/{sid}/pay");
    // a decline: 200 with result "declined"; the session stays payable
    let r = page_json(
        &env,
        Method::POST,
        &path,
        Some(json!({"payment_product_type": "dintero_psp.creditcard", "card_number": "4100 0000 0000 0076", "expiry": "12/39"})),
    )
    .await;
    let out = r.ok().clone();
    assert_eq!(out["result"], "declined");
    assert_eq!(out["error"], "failed");
    assert_eq!(out["merchant_reference"], "order-1001");
    assert!(out["message"].as_str().unwrap().contains("declined"));
    assert!(out["redirect_url"]
        .as_str()
        .unwrap()
        .starts_with("https://shop.example/return?lang=no&error=failed"));
    // an unknown card: Dintero's error body, 400
    let r = page_json(
        &env,
        Method::POST,
        &path,
        Some(json!({"card_number": "1234"})),
    )
    .await;
    assert!(r.error(400).contains("unknown test card"));
    // approved (no payment_product_type: cards)
    let r = page_json(
        &env,
        Method::POST,
        &path,
        Some(json!({"card_number": "4000 0000 0000 0002", "expiry": ""})),
    )
    .await;
    let out = r.ok().clone();
    assert_eq!(out["result"], "authorized");
    let tx = out["transaction_id"].as_str().unwrap();
    assert!(out["redirect_url"]
        .as_str()
        .unwrap()
        .contains(&format!("transaction_id={tx}")));
    assert_eq!(out["message"], "Payment received.");
    // paying again: refused
    let r = page_json(
        &env,
        Method::POST,
        &path,
        Some(json!({"card_number": "4000000000000002"})),
    )
    .await;
    assert!(r.error(400).contains("already paid"));
    // the page now says so in plain words
    let (_, html) = get_html(&env, &format!("/?sid={sid}")).await;
    assert!(html.contains("<h2>Payment received</h2>"));
    assert!(html.contains("This order is already paid"));
    assert!(html.contains("target=\"_top\""));
    assert!(!html.contains("id=\"pay-form\""));
    // a phone method through the JSON path
    let sid = env.session(session_body()).await;
    let r = page_json(
        &env,
        Method::POST,
        &format!("/v1/view/{sid}/pay"),
        Some(json!({"payment_product_type": "vipps", "phone_number": "+47 400 00 001"})),
    )
    .await;
    assert_eq!(r.ok()["result"], "authorized");
    // and through the plain form post (no JavaScript)
    let sid = env.session(session_body()).await;
    let resp = env
        .http
        .post(format!("{}/v1/view/{sid}/pay", env.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("payment_product_type", "klarna.klarna"),
            ("phone_number", "+4740123456"),
            ("phone_number", ""),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert!(resp.headers()["location"]
        .to_str()
        .unwrap()
        .contains("transaction_id="));
}

#[tokio::test]
async fn json_cancel_lock_and_state() {
    let env = start().await;
    let sid = env
        .session(with_callback(session_body(), "https://shop.example/cb"))
        .await;
    // state: the session as it is now, for RefreshSession
    let r = env
        .raw(Method::GET, &format!("/v1/view/{sid}/state"), None, &[])
        .await;
    let st = r.ok().clone();
    assert_eq!(st["locked"], false);
    assert_eq!(st["payable"], true);
    assert_eq!(st["pay_label"], "Pay 438,80 NOK");
    assert!(st["summary_html"]
        .as_str()
        .unwrap()
        .contains("Stacking chair"));
    assert!(st["session"]["url"].get("callback_url").is_none());
    // lock: SessionLocked's pay_lock_id is the PAY_LOCK_START event
    let r = page_json(&env, Method::POST, &format!("/v1/view/{sid}/lock"), None).await;
    let lock_id = r.ok()["pay_lock_id"].as_str().unwrap().to_string();
    let s = env.get(&format!("/v1/sessions/{sid}")).await.ok().clone();
    let ev = s["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(ev["name"], "PAY_LOCK_START");
    assert_eq!(ev["id"], lock_id.as_str());
    // locking twice keeps the same lock
    let r = page_json(&env, Method::POST, &format!("/v1/view/{sid}/lock"), None).await;
    assert_eq!(r.ok()["pay_lock_id"], lock_id.as_str());
    // the shop updates the locked session; state shows the new order, unlocked
    let mut order = s["order"].clone();
    order["items"][1]["quantity"] = json!(3);
    order["items"][1]["amount"] = json!(14985);
    order["amount"] = json!(48875);
    env.put(&format!("/v1/sessions/{sid}"), json!({"order": order}))
        .await
        .ok();
    let st = env
        .raw(Method::GET, &format!("/v1/view/{sid}/state"), None, &[])
        .await
        .ok()
        .clone();
    assert_eq!(st["locked"], false);
    assert_eq!(st["pay_label"], "Pay 488,75 NOK");
    assert_eq!(st["session"]["order"]["amount"], 48875);
    // cancel with Accept: application/json
    let r = page_json(&env, Method::POST, &format!("/v1/view/{sid}/cancel"), None).await;
    let out = r.ok().clone();
    assert_eq!(out["result"], "cancelled");
    assert_eq!(out["error"], "cancelled");
    assert!(out["redirect_url"]
        .as_str()
        .unwrap()
        .contains("error=cancelled"));
    // a cancelled session cannot be locked; its state says why
    let r = page_json(&env, Method::POST, &format!("/v1/view/{sid}/lock"), None).await;
    assert!(r.error(400).contains("cancelled"));
    let st = env
        .raw(Method::GET, &format!("/v1/view/{sid}/state"), None, &[])
        .await
        .ok()
        .clone();
    assert_eq!(st["payable"], false);
    assert_eq!(st["reason"], "The session is cancelled");
    // unknown session: 404 (SessionNotFound)
    let r = env
        .raw(Method::GET, "/v1/view/T12345678.none/state", None, &[])
        .await;
    r.error(404);
}

#[tokio::test]
async fn embed_result_page_says_what_happened() {
    let env = start().await;
    let (status, html) = get_html(
        &env,
        "/embedResult/?sid=T12345678.x&merchant_reference=%3Cb%3Eo-1&transaction_id=T12345678.t&language=en&sdk=0.8.30",
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("<h2>Payment received</h2>"));
    assert!(html.contains("&lt;b&gt;o-1"));
    assert_eq!(page_config(&html)["state"], "result");
    assert_eq!(page_config(&html)["sid"], "T12345678.x");
    let (_, html) = get_html(&env, "/embedResult/?sid=s&error=cancelled").await;
    assert!(html.contains("<h2>Payment cancelled</h2>"));
    let (_, html) = get_html(&env, "/embedResult?sid=s&error=failed").await;
    assert!(html.contains("<h2>Payment failed</h2>"));
    // ON_HOLD: the result page looks the transaction up
    let sid = env.session(session_body()).await;
    let out = env
        .emu
        .pay_with(&sid, "collector.invoice", "+4798000004")
        .await
        .unwrap();
    let (_, html) = get_html(
        &env,
        &format!(
            "/embedResult/?sid={sid}&transaction_id={}",
            out.transaction_id.unwrap()
        ),
    )
    .await;
    assert!(html.contains("<h2>Order received</h2>"));
    // and the checkout itself, reopened, says the same
    let (_, html) = get_html(&env, &format!("/v1/view/{sid}")).await;
    assert!(html.contains("<h2>Order received</h2>"));
}

#[tokio::test]
async fn a_session_without_an_offered_method_says_so() {
    let env = start().await;
    let mut body = session_body();
    body["order"]["currency"] = json!("JPY");
    body["configuration"] = json!({"vipps": {"enabled": true}});
    body.as_object_mut().unwrap().remove("profile_id");
    let sid = env.post("/v1/sessions", body).await.ok()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, html) = get_html(&env, &format!("/?sid={sid}")).await;
    assert!(html.contains("No payment method available"));
    assert!(!html.contains("id=\"pay-form\""));
}
