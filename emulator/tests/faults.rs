//! Fault injection, request counters, concurrency, reset and shutdown.

mod common;

use common::*;
use dintero_emulator::{ControlError, FaultKind, FaultSpec};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn fault(route: &str, kind: FaultKind, times: u32) -> FaultSpec {
    FaultSpec {
        times,
        ..FaultSpec::new(route, kind)
    }
}

#[tokio::test]
async fn status_faults_do_not_apply() {
    let env = start().await;
    let (_, tid) = env.paid(session_body()).await;
    for (kind, status) in [
        (FaultKind::Status500, 500),
        (FaultKind::Status502, 502),
        (FaultKind::Status503, 503),
    ] {
        env.emu.inject_fault(fault("capture", kind, 1)).unwrap();
        let r = env
            .post(
                &format!("/v1/transactions/{tid}/capture"),
                json!({"amount": 100}),
            )
            .await;
        assert!(r.error(status).contains("injected"));
    }
    assert_eq!(env.tx(&tid).await["status"], "AUTHORIZED");
    assert_eq!(env.emu.request_count("capture"), 3);

    // 429 with Retry-After, via the control API; times=2 then it expires
    let r = env
        .control(
            Method::POST,
            "/_emulator/faults",
            Some(json!({"route": "get_transaction", "fault": "status_429", "times": 2, "retry_after": 7})),
        )
        .await;
    r.ok();
    for _ in 0..2 {
        let r = env.get(&format!("/v1/transactions/{tid}")).await;
        r.error(429);
        assert_eq!(r.headers["retry-after"], "7");
    }
    env.get(&format!("/v1/transactions/{tid}")).await.ok();
    assert_eq!(env.emu.request_count("get_transaction"), 4);
}

#[tokio::test]
async fn token_and_wildcard_faults() {
    let env = start().await;
    env.emu
        .inject_fault(fault("token", FaultKind::Status503, 1))
        .unwrap();
    let c = env.emu.config().clone();
    let r = env
        .raw(
            Method::POST,
            &format!("/v1/accounts/{}/auth/token", c.account_id),
            Some(env.token_body()),
            &[("authorization", &basic(&c.client_id, &c.client_secret))],
        )
        .await;
    r.error(503);
    env.token().await;
    assert_eq!(env.emu.request_count("token"), 2);

    env.emu
        .inject_fault(fault("*", FaultKind::Status500, 2))
        .unwrap();
    env.get("/v1/transactions").await.error(500);
    env.post("/v1/sessions-profile", session_body())
        .await
        .error(500);
    env.get("/v1/transactions").await.ok();

    // clearing
    env.emu
        .inject_fault(fault("*", FaultKind::Status500, 5))
        .unwrap();
    let r = env.control(Method::GET, "/_emulator/faults", None).await;
    assert_eq!(r.ok()["faults"].as_array().unwrap().len(), 1);
    env.control(Method::DELETE, "/_emulator/faults", None)
        .await
        .ok();
    env.get("/v1/transactions").await.ok();
}

#[tokio::test]
async fn invalid_faults_are_refused() {
    let env = start().await;
    assert!(matches!(
        env.emu.inject_fault(fault("nope", FaultKind::Delay, 1)),
        Err(ControlError::InvalidFault(_))
    ));
    assert!(env
        .emu
        .inject_fault(fault("token", FaultKind::Accepted202, 1))
        .is_err());
    assert!(env
        .emu
        .inject_fault(fault("capture", FaultKind::Delay, 0))
        .is_err());
    for body in [
        json!({"route": "nope", "fault": "delay"}),
        json!({"route": "capture", "fault": "explode"}),
        json!({"fault": "delay"}),
        json!({"route": "capture", "fault": "delay", "extra": 1}),
    ] {
        env.control(Method::POST, "/_emulator/faults", Some(body))
            .await
            .error(400);
    }
    let spec: FaultSpec =
        serde_json::from_value(json!({"route": "refund", "fault": "reset_after_apply"})).unwrap();
    assert_eq!(spec.times, 1);
}

#[tokio::test]
async fn delay_fault() {
    let env = start().await;
    env.token().await;
    env.emu
        .inject_fault(FaultSpec {
            ms: Some(300),
            ..FaultSpec::new("list_transactions", FaultKind::Delay)
        })
        .unwrap();
    let t0 = Instant::now();
    env.get("/v1/transactions").await.ok();
    assert!(t0.elapsed() >= Duration::from_millis(300));
    let t0 = Instant::now();
    env.get("/v1/transactions").await.ok();
    assert!(t0.elapsed() < Duration::from_millis(300));
}

async fn raw_capture(
    env: &Env,
    tid: &str,
    amount: i64,
) -> Result<reqwest::Response, reqwest::Error> {
    // a fresh client, so no pooled connection is involved
    let client = reqwest::Client::new();
    client
        .post(format!("{}/v1/transactions/{tid}/capture", env.base))
        .bearer_auth(env.token().await)
        .json(&json!({"amount": amount}))
        .send()
        .await
}

#[tokio::test]
async fn reset_faults_drop_the_connection() {
    let env = start().await;
    let (_, tid) = env.paid(session_body()).await;

    env.emu
        .inject_fault(fault("capture", FaultKind::ResetBeforeApply, 1))
        .unwrap();
    let err = raw_capture(&env, &tid, 1000)
        .await
        .expect_err("connection must drop");
    assert!(!err.is_status(), "{err:?}");
    assert_eq!(env.tx(&tid).await["status"], "AUTHORIZED", "not applied");

    env.emu
        .inject_fault(fault("capture", FaultKind::ResetAfterApply, 1))
        .unwrap();
    let err = raw_capture(&env, &tid, 1000)
        .await
        .expect_err("connection must drop");
    assert!(!err.is_status(), "{err:?}");
    let tx = env.tx(&tid).await;
    assert_eq!(tx["status"], "PARTIALLY_CAPTURED", "applied");

    // the requests page shows them with status 0
    let r = env.control(Method::GET, "/_emulator/requests", None).await;
    let recent = r.ok()["recent"].as_array().unwrap().clone();
    let caps: Vec<&Value> = recent.iter().filter(|x| x["route"] == "capture").collect();
    assert_eq!(caps.len(), 2);
    assert!(caps.iter().all(|c| c["status"] == 0));
    assert_eq!(env.emu.request_count("capture"), 2);
}

#[tokio::test]
async fn malformed_json_fault_applies() {
    let env = start().await;
    let (_, tid) = env.paid(session_body()).await;
    env.emu
        .inject_fault(fault("refund", FaultKind::MalformedJson, 1))
        .unwrap();
    env.emu
        .inject_fault(fault("capture", FaultKind::MalformedJson, 1))
        .unwrap();
    let resp = raw_capture(&env, &tid, 43880).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let text = resp.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    assert_eq!(env.tx(&tid).await["status"], "CAPTURED");
}

#[tokio::test]
async fn accepted_202_completes_later() {
    let env = start().await;
    let (_, tid) = env.paid(session_body()).await;
    env.emu
        .inject_fault(fault("capture", FaultKind::Accepted202, 1))
        .unwrap();
    let r = env
        .post(
            &format!("/v1/transactions/{tid}/capture"),
            json!({"amount": 43880, "capture_reference": "c1"}),
        )
        .await;
    assert_eq!(r.status, 202);
    let erid = r.headers["event-request-id"].to_str().unwrap().to_string();
    assert_eq!(r.body["status"], "AUTHORIZED", "unchanged at 202");
    // a 202 is still validated first
    env.emu
        .inject_fault(fault("refund", FaultKind::Accepted202, 1))
        .unwrap();
    env.post(
        &format!("/v1/transactions/{tid}/refund"),
        json!({"amount": 1}),
    )
    .await
    .error(400);

    let deadline = Instant::now() + Duration::from_secs(5);
    let tx = loop {
        let tx = env.tx(&tid).await;
        if tx["status"] == "CAPTURED" {
            break tx;
        }
        assert!(Instant::now() < deadline, "202 capture never completed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let ev = tx["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(ev["event"], "CAPTURE");
    assert_eq!(ev["correlation_request_id"], erid.as_str());
    assert_eq!(ev["event_reference"], "c1");

    // void via * (only capture/refund/void are affected by a wildcard 202)
    let (_, tid) = env.paid(session_body()).await;
    env.emu
        .inject_fault(fault("*", FaultKind::Accepted202, 1))
        .unwrap();
    env.get(&format!("/v1/transactions/{tid}")).await.ok();
    let r = env
        .post_empty(&format!("/v1/transactions/{tid}/void"))
        .await;
    assert_eq!(r.status, 202);
    let deadline = Instant::now() + Duration::from_secs(5);
    while env.tx(&tid).await["status"] != "AUTHORIZATION_VOIDED" {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn request_log_and_counts() {
    let env = start().await;
    for _ in 0..5 {
        env.get("/v1/transactions").await.ok();
    }
    assert_eq!(
        env.emu.request_count("token"),
        1,
        "the token is fetched once"
    );
    assert_eq!(env.emu.request_count("list_transactions"), 5);
    env.raw(Method::GET, "/nope", None, &[]).await;
    let r = env.control(Method::GET, "/_emulator/requests", None).await;
    let b = r.ok().clone();
    assert_eq!(b["counts"]["list_transactions"], 5);
    assert_eq!(b["counts"]["token"], 1);
    assert_eq!(b["counts"]["not_found"], 1);
    assert!(b["counts"].get("control").is_none());
    let recent = b["recent"].as_array().unwrap();
    assert_eq!(recent.len(), 7);
    let first = &recent[0];
    assert_eq!(first["method"], "POST");
    assert_eq!(first["route"], "token");
    assert_eq!(first["status"], 200);
    assert_eq!(first["headers"]["authorization"], "[redacted]");
    assert_eq!(recent[1]["path"], "/v1/transactions");
    assert_eq!(recent[1]["headers"]["authorization"], "[redacted]");
}

#[tokio::test]
async fn concurrent_captures_never_exceed_authorization() {
    let env = start().await;
    let body = json!({
        "url": {"return_url": "https://shop.example/r"},
        "order": {"amount": 50, "currency": "NOK", "merchant_reference": "tiny",
                  "items": [{"line_id": "1", "amount": 50, "quantity": 50}]},
        "profile_id": "default"
    });
    let (_, tid) = env.paid(body).await;
    let tok = env.token().await;
    let client = reqwest::Client::new();
    let mut handles = Vec::new();
    for _ in 0..100 {
        let client = client.clone();
        let url = format!("{}/v1/transactions/{tid}/capture", env.base);
        let tok = tok.clone();
        handles.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(tok)
                .json(&json!({"amount": 1}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut ok = 0;
    let mut refused = 0;
    for h in handles {
        match h.await.unwrap() {
            200 => ok += 1,
            400 => refused += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((ok, refused), (50, 50));
    let tx = env.tx(&tid).await;
    assert_eq!(tx["status"], "CAPTURED");
    let captured: i64 = tx["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "CAPTURE" && e["success"] == true)
        .map(|e| e["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(captured, 50);
}

#[tokio::test]
async fn reset_clears_everything_but_config() {
    let env = start().await;
    let (sid, tid) = env.paid(session_body()).await;
    env.emu
        .inject_fault(fault("capture", FaultKind::Status500, 3))
        .unwrap();
    env.post_empty("/v1/admin/signature").await.ok();
    env.emu.advance_clock(1000);
    let r = env.control(Method::POST, "/_emulator/reset", None).await;
    r.ok();
    env.get(&format!("/v1/sessions/{sid}")).await.error(401);
    env.forget_token();
    env.get(&format!("/v1/sessions/{sid}")).await.error(404);
    env.get(&format!("/v1/transactions/{tid}")).await.error(404);
    assert!(env.emu.callbacks().is_empty());
    let s = env.get("/v1/admin/signature").await.ok().clone();
    assert_eq!(s["signature"]["secret"], "emulator-signature-secret");
    let (_, tid) = env.paid(session_body()).await;
    env.post(
        &format!("/v1/transactions/{tid}/capture"),
        json!({"amount": 1}),
    )
    .await
    .ok();
    assert_eq!(env.emu.request_count("token"), 1);
    env.emu.reset();
    assert_eq!(env.emu.request_count("token"), 0);
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let env = start().await;
    let base = env.base.clone();
    let client = reqwest::Client::new();
    assert!(client
        .get(format!("{base}/_emulator/callbacks"))
        .send()
        .await
        .is_ok());
    env.emu.shutdown().await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(reqwest::Client::new()
        .get(format!("{base}/_emulator/callbacks"))
        .send()
        .await
        .is_err());

    let env = start().await;
    let base = env.base.clone();
    drop(env);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(reqwest::Client::new()
        .get(format!("{base}/_emulator/callbacks"))
        .send()
        .await
        .is_err());
}

/// Kills the child process when dropped, so a failing assertion never leaves an emulator
/// running (it would hold the test runner's output pipe open).
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn binary_prints_startup_lines() {
    use std::io::{BufRead, BufReader};
    let exe = env!("CARGO_BIN_EXE_dintero-emulator");
    let child = std::process::Command::new(exe)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--account",
            "T00000042",
            "--card-timeout-ms",
            "10",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let stdout = child.0.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut got = Vec::new();
    for _ in 0..6 {
        got.push(lines.next().unwrap().unwrap());
    }
    assert!(got[0].starts_with("base_url=http://127.0.0.1:"), "{got:?}");
    assert_eq!(got[1], "account_id=T00000042");
    assert_eq!(got[2], "client_id=emulator-client-id");
    assert_eq!(got[3], "client_secret=emulator-client-secret");
    assert_eq!(got[4], "signature_secret=emulator-signature-secret");
    let base = got[0].trim_start_matches("base_url=").to_string();
    assert_eq!(got[5], format!("dashboard={base}/_emulator/ui"));
    let resp = reqwest::Client::new()
        .get(format!("{base}/v1/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let log = lines.next().unwrap().unwrap();
    assert!(log.starts_with("GET /v1/nothing 404 "), "{log}");
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status();
    let status = child.0.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn slow_apply_completes_after_the_client_gives_up() {
    let env = start().await;
    let (_, tid) = env.paid(session_body()).await;
    env.emu
        .inject_fault(FaultSpec {
            ms: Some(400),
            ..FaultSpec::new("capture", FaultKind::SlowApply)
        })
        .unwrap();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let token = env.token().await;
    let r = client
        .post(format!(
            "{}/v1/transactions/{tid}/capture",
            env.emu.base_url()
        ))
        .bearer_auth(&token)
        .json(&json!({"amount": 100, "capture_reference": "slow-1"}))
        .send()
        .await;
    assert!(r.is_err(), "the client timed out");
    assert_eq!(env.emu.request_count("capture"), 1, "counted on arrival");
    assert_eq!(
        env.tx(&tid).await["status"],
        "AUTHORIZED",
        "not applied yet"
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    let tx = env.tx(&tid).await;
    assert_eq!(
        tx["status"], "PARTIALLY_CAPTURED",
        "applied although the client left"
    );
}

#[tokio::test]
async fn after_apply_faults_leave_refusals_alone() {
    let env = start().await;
    let (_, tid) = env.paid(session_body()).await;
    for kind in [FaultKind::ResetAfterApply, FaultKind::MalformedJson] {
        env.emu.inject_fault(fault("capture", kind, 1)).unwrap();
        // More than authorized: refused, and the refusal is answered as it is.
        let r = env
            .post(
                &format!("/v1/transactions/{tid}/capture"),
                json!({"amount": 999_999}),
            )
            .await;
        assert!(!r.error(400).is_empty());
    }
}

#[tokio::test]
async fn a_queued_operation_that_cannot_apply_records_a_failed_event() {
    let env = start().await;
    let (_, tid) = env.paid(session_body()).await;
    env.emu
        .inject_fault(fault("capture", FaultKind::Accepted202, 1))
        .unwrap();
    let r = env
        .post(
            &format!("/v1/transactions/{tid}/capture"),
            json!({"amount": 100}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 202);
    let request_id = r.headers["event-request-id"].to_str().unwrap().to_string();
    // Voided before the queued capture runs: the capture can no longer apply.
    env.post_empty(&format!("/v1/transactions/{tid}/void"))
        .await
        .ok();
    for _ in 0..100 {
        let tx = env.tx(&tid).await;
        let events = tx["events"].as_array().cloned().unwrap_or_default();
        if let Some(ev) = events
            .iter()
            .find(|e| e["correlation_request_id"] == request_id.as_str())
        {
            assert_eq!(ev["success"], false);
            assert_eq!(ev["event"], "CAPTURE");
            assert_eq!(tx["status"], "AUTHORIZATION_VOIDED");
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no event for the queued capture");
}
