//! Token handling: one token request for any number of concurrent calls, refresh on expiry.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_cause_one_token_request() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let (_, tx) = {
        // Pay with a separate client so the counted one starts cold.
        let other = client_for(&emu);
        paid_transaction(&emu, &other, "order-1000").await
    };
    let before = emu.request_count("token");
    let mut handles = Vec::with_capacity(1000);
    for _ in 0..1000 {
        let c = client.clone();
        let id = tx.clone();
        handles.push(tokio::spawn(
            async move { c.transactions().get(&id, &[]).await },
        ));
    }
    for h in handles {
        h.await.unwrap().unwrap();
    }
    assert_eq!(
        emu.request_count("token") - before,
        1,
        "exactly one token request"
    );
    assert_eq!(client.token_requests(), 1);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_call_retried() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let (_, tx) = paid_transaction(&emu, &client, "order-exp").await;
    assert_eq!(client.token_requests(), 1);
    // The emulator's clock moves past the token's lifetime; the client's cache still holds it.
    emu.advance_clock(14400 + 60);
    let got = client.transactions().get(&tx, &[]).await.unwrap();
    assert_eq!(got.id, tx);
    assert_eq!(client.token_requests(), 2, "the 401 caused one refresh");
    let again = client.transactions().get(&tx, &[]).await.unwrap();
    assert_eq!(again.id, tx);
    assert_eq!(client.token_requests(), 2, "the new token is cached");
}

#[tokio::test]
async fn short_lived_tokens_are_refreshed_before_they_expire() {
    let mut cfg = dintero_emulator::EmulatorConfig::for_tests();
    cfg.token_ttl = std::time::Duration::from_secs(2);
    let emu = dintero_emulator::Emulator::start(cfg).await.unwrap();
    let client = client_for(&emu);
    client.authenticate().await.unwrap();
    // Refresh happens at half-life for short tokens: after 1.1 s the next call fetches anew.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    client.authenticate().await.unwrap();
    assert_eq!(client.token_requests(), 2);
    assert_eq!(emu.request_count("token"), 2);
}

#[tokio::test]
async fn the_sdk_identifies_itself() {
    let emu = emulator().await;
    let client = client_builder(&emu)
        .system_name("my-shop")
        .system_version("4.2")
        .build()
        .unwrap();
    client.authenticate().await.unwrap();
    let created = client
        .sessions()
        .create_json(session_payload("ident", None), &Default::default())
        .await
        .unwrap();
    assert!(!created.id.is_empty());
    let log = reqwest::get(format!("{}/_emulator/requests", emu.base_url()))
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let recent = log["recent"].as_array().expect("recent requests");
    let create = recent
        .iter()
        .rev()
        .find(|r| r["route"] == "create_session")
        .expect("the create was logged");
    let h = &create["headers"];
    let get = |name: &str| {
        h.get(name)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(get("dintero-system-name"), "my-shop");
    assert_eq!(get("dintero-system-version"), "4.2");
    assert_eq!(get("dintero-system-plugin-name"), "dintero-checkout-rust");
    assert!(get("user-agent").starts_with("dintero-checkout-rust/"));
    assert_eq!(get("dintero-feature-toggles"), "strict-session-amounts");
}
