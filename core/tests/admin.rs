//! Account set-up without Backoffice: the signature secret against the emulator, webhook
//! subscriptions against a server that answers as Dintero's API documents.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::{delete, post};
use axum::{Json, Router};
use common::*;
use dintero_checkout::{Client, ErrorKind, NewHookSubscription, RetryPolicy, Secret};
use dintero_emulator::{Emulator, EmulatorConfig};
use serde_json::{json, Value};

#[tokio::test]
async fn the_signature_secret_is_read_created_and_rotated() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let current = client.admin().signature_secret().await.unwrap().unwrap();
    assert_eq!(
        Some(current.secret.expose()),
        emu.config().signature_secret.as_deref()
    );
    assert_eq!(current.scheme, "v0-hmac-sha256");
    assert!(!format!("{current:?}").contains(current.secret.expose()));

    let rotated = client.admin().rotate_signature_secret().await.unwrap();
    assert_ne!(rotated.secret, current.secret);
    let again = client.admin().signature_secret().await.unwrap().unwrap();
    assert_eq!(
        again.secret, rotated.secret,
        "the rotation is what is read back"
    );
    // An account without a secret: None, and `ensure` creates one.
    let bare = Emulator::start(EmulatorConfig {
        signature_secret: None,
        ..EmulatorConfig::for_tests()
    })
    .await
    .unwrap();
    let client = client_for(&bare);
    assert!(client.admin().signature_secret().await.unwrap().is_none());
    let created = client.admin().ensure_signature_secret().await.unwrap();
    assert!(!created.secret.is_empty());
    let kept = client.admin().ensure_signature_secret().await.unwrap();
    assert_eq!(
        kept.secret, created.secret,
        "ensure does not rotate an existing secret"
    );
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    base
}

fn hooks_client(base: &str) -> Client {
    Client::builder()
        .account_id("T12345678")
        .client_id("id")
        .client_secret("secret")
        .base_url(base)
        .timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy {
            max_attempts: 2,
            initial_backoff: Duration::from_millis(1),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
}

#[tokio::test]
async fn hook_subscriptions_are_created_listed_and_deleted_as_documented() {
    let bodies = Arc::new(Mutex::new(Vec::<Value>::new()));
    let deleted = Arc::new(Mutex::new(Vec::<String>::new()));
    let (b, d) = (bodies.clone(), deleted.clone());
    let app = Router::new()
        .route(
            "/v1/accounts/{aid}/auth/token",
            post(|| async { Json(json!({"access_token": "tok", "expires_in": 3600})) }),
        )
        .route(
            "/v1/accounts/{aid}/hooks/subscriptions",
            post(move |Json(body): Json<Value>| {
                let b = b.clone();
                async move {
                    b.lock().unwrap().push(body.clone());
                    Json(json!({
                        "id": "sub-1", "created_at": "2026-12-02T10:00:00Z",
                        "events": body["events"], "active": true,
                        "config": {"url": body["config"]["url"], "content_type": "application/json",
                                   "secret": body["config"]["secret"]}
                    }))
                }
            })
            .get(|| async {
                Json(json!([{"id": "sub-1", "events": ["checkout_transaction"],
                             "config": {"url": "https://shop.example/hooks", "secret": "s3cr3t-hook"}}]))
            }),
        )
        .route(
            "/v1/accounts/{aid}/hooks/subscriptions/{id}",
            delete(move |Path((_, id)): Path<(String, String)>| {
                let d = d.clone();
                async move {
                    d.lock().unwrap().push(id.clone());
                    if id == "gone" {
                        return (StatusCode::NOT_FOUND, Json(json!({"error": {"message": "not found"}})));
                    }
                    (StatusCode::NO_CONTENT, Json(json!(null)))
                }
            }),
        );
    let base = serve(app).await;
    let client = hooks_client(&base);
    let admin = client.admin();

    let new = NewHookSubscription {
        url: "https://shop.example/hooks".into(),
        events: vec![
            "checkout_transaction".into(),
            "checkout_authorization".into(),
        ],
        secret: Some(Secret::new("s3cr3t-hook")),
    };
    assert!(!format!("{new:?}").contains("s3cr3t"));
    let created = admin.create_hook_subscription(&new).await.unwrap();
    assert_eq!(created.id, "sub-1");
    assert_eq!(created.url.as_deref(), Some("https://shop.example/hooks"));
    assert_eq!(created.events, new.events);
    assert!(
        !format!("{created:?}").contains("s3cr3t"),
        "the secret is not kept: {created:?}"
    );
    let sent = bodies.lock().unwrap()[0].clone();
    assert_eq!(
        sent,
        json!({"config": {"url": "https://shop.example/hooks", "content_type": "application/json",
                          "secret": "s3cr3t-hook"},
               "events": ["checkout_transaction", "checkout_authorization"]})
    );

    let listed = admin.hook_subscriptions().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].url.as_deref(), Some("https://shop.example/hooks"));
    assert!(!format!("{listed:?}").contains("s3cr3t"));

    admin.delete_hook_subscription("sub-1").await.unwrap();
    admin.delete_hook_subscription("gone").await.unwrap();
    assert_eq!(*deleted.lock().unwrap(), vec!["sub-1", "gone"]);
    let e = admin.delete_hook_subscription("../x").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);

    let none = NewHookSubscription {
        events: vec![],
        ..new
    };
    let e = admin.create_hook_subscription(&none).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(bodies.lock().unwrap().len(), 1, "refused before sending");
}
