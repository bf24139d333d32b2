//! The whole Dintero Checkout flow, step by step.
//!
//! `cargo run --example checkout` with no credentials in the environment starts the emulator
//! in-process and runs: token → session → customer pays → callback received, verified and
//! confirmed → capture → partial refund → final statuses.
//!
//! With `DINTERO_ACCOUNT_ID`, `DINTERO_CLIENT_ID` and `DINTERO_CLIENT_SECRET` set it runs
//! against Dintero itself: it creates a session, prints the checkout URL, and polls until a
//! person has paid (then captures and refunds part of it, only on a `T…` test account).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{OriginalUri, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::Router;
use dintero_checkout::{
    CallbackVerifier, CaptureRequest, Client, CreateSessionOptions, OrderBuilder, OrderItem,
    RefundRequest, SessionRequest, SessionUrls, ShippingOption,
};
use dintero_emulator::{Emulator, EmulatorConfig};

type Received = Arc<Mutex<Option<(String, Vec<(String, String)>)>>>;

fn order(reference: &str) -> dintero_checkout::Result<dintero_checkout::Order> {
    OrderBuilder::new("NOK", reference)
        .item(OrderItem {
            id: Some("chair-1".into()),
            line_id: Some("1".into()),
            description: Some("Stablestol".into()),
            quantity: Some(1.0),
            amount: Some(29990),
            vat_amount: Some(5998),
            vat: Some(25.0),
            ..Default::default()
        })
        .shipping(ShippingOption {
            id: "pickup".into(),
            line_id: "ship".into(),
            amount: 3900,
            vat_amount: Some(780),
            vat: Some(25.0),
            title: "Pick-up point".into(),
            operator: String::new(),
            ..Default::default()
        })
        .build()
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    match (
        env("DINTERO_ACCOUNT_ID"),
        env("DINTERO_CLIENT_ID"),
        env("DINTERO_CLIENT_SECRET"),
    ) {
        (Some(aid), Some(id), Some(secret)) => against_dintero(aid, id, secret).await,
        _ => against_emulator().await,
    }
}

async fn callback_receiver(
) -> Result<(String, Received, tokio::task::JoinHandle<()>), Box<dyn std::error::Error>> {
    async fn handle(
        State(seen): State<(String, Received)>,
        OriginalUri(uri): OriginalUri,
        headers: HeaderMap,
    ) -> &'static str {
        let url = format!("{}{}", seen.0, uri);
        let headers = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        if let Ok(mut slot) = seen.1.lock() {
            *slot = Some((url, headers));
        }
        "{}"
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let received: Received = Arc::new(Mutex::new(None));
    let app = Router::new()
        .route("/dintero/callback", get(handle))
        .with_state((base.clone(), received.clone()));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((base, received, task))
}

async fn against_emulator() -> Result<(), Box<dyn std::error::Error>> {
    println!("No DINTERO_* credentials set: running against the built-in emulator.");
    let emulator = Emulator::start(EmulatorConfig {
        log_requests: false,
        ..EmulatorConfig::default()
    })
    .await?;
    let cfg = emulator.config().clone();
    println!(
        "emulator      {} (account {})",
        emulator.base_url(),
        cfg.account_id
    );

    let client = Client::builder()
        .account_id(cfg.account_id.clone())
        .client_id(cfg.client_id.clone())
        .client_secret(cfg.client_secret.clone())
        .base_url(emulator.base_url())
        .system_name("example-shop")
        .system_version("1.0")
        .build()?;

    let info = client.authenticate().await?;
    println!(
        "1. token       obtained ({} token request)",
        info.token_requests
    );

    let (receiver_base, received, receiver_task) = callback_receiver().await?;
    let request = SessionRequest {
        url: SessionUrls {
            return_url: "https://shop.example/thanks".into(),
            callback_url: Some(format!("{receiver_base}/dintero/callback")),
            ..Default::default()
        },
        order: order("order-1001")?,
        profile_id: Some("default".into()),
        ..Default::default()
    };
    let session = client
        .sessions()
        .create(&request, &CreateSessionOptions::default())
        .await?;
    println!("2. session     {} created", session.id);
    println!(
        "               checkout page: {}",
        session.url.as_deref().unwrap_or("(none)")
    );

    let paid = emulator.pay(&session.id, "4000 0000 0000 0002").await?;
    println!("3. customer    paid with test card 4000 0000 0000 0002");
    println!("               browser returns to {}", paid.redirect_url);
    let returned = dintero_checkout::parse_return_url(&paid.redirect_url)?;
    println!(
        "               return url says: {}",
        returned.outcome.as_str()
    );

    let (url, headers) = wait_for_callback(&received).await?;
    println!("4. callback    received: GET {url}");
    let secret = cfg
        .signature_secret
        .clone()
        .ok_or("the emulator has no signature secret")?;
    let verifier = CallbackVerifier::new(secret.as_str(), cfg.account_id.as_str())?;
    let callback = verifier.verify(
        "GET",
        &url,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    )?;
    println!("               signature verified");
    let confirmed = client.callbacks().confirm(&callback).await?;
    let tx_id = confirmed.transaction.id.clone();
    println!(
        "               confirmed: transaction {} is {}",
        tx_id,
        shown(&confirmed.transaction.status)
    );
    receiver_task.abort();

    let capture = client
        .transactions()
        .capture(
            &tx_id,
            &CaptureRequest {
                amount: 33890,
                ..Default::default()
            },
        )
        .await?;
    println!(
        "5. capture     33890 (reference {}) -> {}",
        capture.reference.as_deref().unwrap_or("-"),
        shown(&capture.transaction.status)
    );
    let refund = client
        .transactions()
        .refund(
            &tx_id,
            &RefundRequest {
                amount: 3900,
                reason: Some("shipping refunded".into()),
                ..Default::default()
            },
        )
        .await?;
    println!(
        "6. refund      3900 -> {}",
        shown(&refund.transaction.status)
    );

    let tx = client.transactions().get(&tx_id, &[]).await?;
    let history: Vec<String> = tx
        .events
        .iter()
        .filter_map(|e| {
            e.transaction_status
                .as_ref()
                .map(|s| format!("{} -> {}", shown(&e.event), s))
        })
        .collect();
    println!(
        "7. final       {} (captured {}, refunded {})",
        shown(&tx.status),
        tx.captured_amount(),
        tx.refunded_amount()
    );
    println!("               history: {}", history.join(", "));
    let statuses: Vec<&str> = tx
        .events
        .iter()
        .filter_map(|e| e.transaction_status.as_ref().map(|s| s.as_str()))
        .collect();
    for want in ["AUTHORIZED", "CAPTURED", "PARTIALLY_REFUNDED"] {
        if !statuses.contains(&want) {
            return Err(format!("expected the history to contain {want}, got {statuses:?}").into());
        }
    }
    emulator.shutdown().await;
    Ok(())
}

async fn wait_for_callback(
    received: &Received,
) -> Result<(String, Vec<(String, String)>), Box<dyn std::error::Error>> {
    for _ in 0..500 {
        if let Some(hit) = received.lock().map_err(|_| "lock poisoned")?.clone() {
            return Ok(hit);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Err("no callback arrived within 5 s".into())
}

async fn against_dintero(
    account_id: String,
    client_id: String,
    secret: String,
) -> Result<(), Box<dyn std::error::Error>> {
    println!("Running against Dintero with account {account_id}.");
    let client = Client::builder()
        .account_id(account_id.clone())
        .client_id(client_id)
        .client_secret(secret)
        .build()?;
    client.authenticate().await?;
    println!("1. token       obtained");
    let reference = format!("sdk-example-{}", std::process::id());
    let request = SessionRequest {
        url: SessionUrls {
            return_url: "https://example.com/thanks".into(),
            ..Default::default()
        },
        order: order(&reference)?,
        profile_id: Some(std::env::var("DINTERO_PROFILE_ID").unwrap_or_else(|_| "default".into())),
        ..Default::default()
    };
    let session = client
        .sessions()
        .create(&request, &CreateSessionOptions::default())
        .await?;
    println!("2. session     {} created", session.id);
    println!("   Open this URL and pay (test card 4000 0000 0000 0002 on a T account):");
    println!("   {}", session.url.as_deref().unwrap_or("(none)"));
    let paid = client
        .wait_for_payment(
            &session.id,
            Some(Duration::from_secs(3)),
            Some(Duration::from_secs(900)),
        )
        .await?;
    let Some(tx_id) = paid.transaction_id else {
        println!("3. the session was cancelled");
        return Ok(());
    };
    let tx = client.transactions().get(&tx_id, &[]).await?;
    println!(
        "3. paid        transaction {tx_id} is {}",
        shown(&tx.status)
    );
    if !account_id.starts_with('T') {
        println!("   production account: not capturing or refunding in an example.");
        return Ok(());
    }
    let capture = client
        .transactions()
        .capture(
            &tx_id,
            &CaptureRequest {
                amount: tx.amount,
                ..Default::default()
            },
        )
        .await?;
    println!("4. capture     -> {}", shown(&capture.transaction.status));
    let refund = client
        .transactions()
        .refund(
            &tx_id,
            &RefundRequest {
                amount: 3900,
                ..Default::default()
            },
        )
        .await?;
    println!(
        "5. refund      3900 -> {}",
        shown(&refund.transaction.status)
    );
    Ok(())
}

/// An optional value for printing: Dintero may leave a status or an event kind out.
fn shown<T: std::fmt::Display>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or_else(|| "(not given)".to_string(), T::to_string)
}
