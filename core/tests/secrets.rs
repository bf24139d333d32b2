//! Secrets never appear in Debug, Display or error strings.

mod common;

use common::*;
use dintero_checkout::{CallbackVerifier, Client, CreateSessionOptions};

const SECRET: &str = "super-secret-value-8472";

#[tokio::test]
async fn secrets_are_absent_from_every_debug_and_error_string() {
    let emu = emulator().await;
    let mut texts = Vec::new();

    let builder = Client::builder()
        .account_id("T12345678")
        .client_id("id")
        .client_secret(SECRET)
        .proxy(format!("http://user:{SECRET}@127.0.0.1:1"));
    texts.push(format!("{builder:?}"));
    let client = builder.build().unwrap();
    texts.push(format!("{client:?}"));
    texts.push(format!("{:?}", client.config()));
    texts.push(format!("{:?}", dintero_checkout::Secret::new(SECRET)));

    // Errors from a refused token call and from the network.
    let wrong = client_builder(&emu).client_secret(SECRET).build().unwrap();
    let err = wrong.sessions().get("T12345678.x").await.unwrap_err();
    texts.push(format!("{err} {err:?}"));
    let unreachable = Client::builder()
        .account_id("T12345678")
        .client_id("id")
        .client_secret(SECRET)
        .base_url("http://127.0.0.1:9")
        .retry_policy(dintero_checkout::RetryPolicy::none())
        .build()
        .unwrap();
    let err = unreachable.authenticate().await.unwrap_err();
    texts.push(format!("{err} {err:?}"));

    // The access token itself: fetch one, then make sure no error or debug string shows it.
    let client = client_for(&emu);
    client.authenticate().await.unwrap();
    let created = client
        .sessions()
        .create_json(session_payload("s", None), &CreateSessionOptions::default())
        .await
        .unwrap();
    texts.push(format!("{client:?} {created:?}"));
    // An error on a call that carried the token (an unknown session).
    let err = client
        .sessions()
        .get("T12345678.missing")
        .await
        .unwrap_err();
    texts.push(format!("{err} {err:?}"));
    // Every token the emulator issued to the clients above (the only ones that exist).
    let tokens = emu.issued_tokens();
    assert!(!tokens.is_empty());

    let verifier = CallbackVerifier::new(SECRET, "T12345678").unwrap();
    texts.push(format!("{verifier:?}"));
    let err = verifier
        .verify_header_at(
            "GET",
            "https://x.example/cb?transaction_id=1",
            "t=1,v0-hmac-sha256=00",
            1,
        )
        .unwrap_err();
    texts.push(format!("{err} {err:?}"));

    for text in &texts {
        assert!(!text.contains(SECRET), "secret leaked in: {text}");
        assert!(
            !text.contains(&emu.config().client_secret),
            "client secret leaked in: {text}"
        );
        for token in &tokens {
            assert!(!text.contains(token.as_str()), "a token leaked in: {text}");
        }
    }
    assert!(
        texts.iter().any(|t| t.contains("***")),
        "secrets are shown as ***"
    );
}

#[test]
fn credentials_in_a_base_url_are_never_echoed() {
    for url in [
        format!("http://user:{SECRET}@example.com"),
        format!("ftp://user:{SECRET}@example.com"),
        format!("https://user:{SECRET}@example.com/"),
        format!("not a url user:{SECRET}@"),
    ] {
        let err = Client::builder()
            .account_id("T12345678")
            .client_id("id")
            .client_secret("s")
            .base_url(url.clone())
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), dintero_checkout::ErrorKind::InvalidInput);
        assert!(!format!("{err} {err:?}").contains(SECRET), "{url}: {err}");
    }
}
