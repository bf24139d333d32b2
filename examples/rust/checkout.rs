//! The whole Dintero Checkout flow, step by step.
//!
//! `cargo run --example checkout` with no credentials in the environment starts the emulator
//! in-process and runs: token → session → customer pays → callback received, verified and
//! confirmed → capture → partial refund → final statuses.
//!
//! With `DINTERO_BASE_URL` set (e.g. `http://127.0.0.1:8400`, where `dintero-emulator` listens
//! by default) it runs the same flow against that running emulator, with the emulator's
//! default test credentials unless `DINTERO_ACCOUNT_ID` / `DINTERO_CLIENT_ID` /
//! `DINTERO_CLIENT_SECRET` say otherwise. Open `<base>/_emulator/ui` to follow it in the
//! dashboard: the session, the payment, the callback (redeliver it from there), the webhooks,
//! the capture and refund, and every request.
//!
//! With `DINTERO_ACCOUNT_ID`, `DINTERO_CLIENT_ID` and `DINTERO_CLIENT_SECRET` set (and no
//! `DINTERO_BASE_URL`) it runs against Dintero itself: it creates a session, prints the checkout
//! URL, and polls until a person has paid (then captures and refunds part of it, only on a
//! `T…` test account).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::routing::post;
use axum::Router;
use dintero_checkout::{
    verify_webhook_headers, CallbackVerifier, CaptureRequest, Client, CreateSessionOptions,
    NewHookSubscription, OrderBuilder, OrderItem, RefundRequest, Secret, SessionRequest,
    SessionUrls, ShippingOption, WebhookEvent,
};
use dintero_emulator::{Emulator, EmulatorConfig};

type Received = Arc<Mutex<Option<(String, Vec<(String, String)>)>>>;
/// Webhook deliveries the shop got: headers and the raw body.
type Hooks = Arc<Mutex<Vec<(Vec<(String, String)>, Bytes)>>>;

/// The secret this shop gives its webhook subscription (a real shop keeps it in its config).
const HOOK_SECRET: &str = "example-shop-webhook-secret";

/// `dintero-emulator`'s default credentials.
const EMULATOR_ACCOUNT: &str = "T12345678";
const EMULATOR_CLIENT_ID: &str = "emulator-client-id";
const EMULATOR_CLIENT_SECRET: &str = "emulator-client-secret";

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
    let credentials = (
        env("DINTERO_ACCOUNT_ID"),
        env("DINTERO_CLIENT_ID"),
        env("DINTERO_CLIENT_SECRET"),
    );
    if let Some(base) = env("DINTERO_BASE_URL") {
        let base = base.trim_end_matches('/').to_string();
        let (aid, id, secret) = credentials;
        let target = Target::Running {
            base,
            account_id: aid.unwrap_or_else(|| EMULATOR_ACCOUNT.into()),
            client_id: id.unwrap_or_else(|| EMULATOR_CLIENT_ID.into()),
            client_secret: secret.unwrap_or_else(|| EMULATOR_CLIENT_SECRET.into()),
        };
        return against_emulator(target).await;
    }
    match credentials {
        (Some(aid), Some(id), Some(secret)) => against_dintero(aid, id, secret).await,
        _ => against_emulator(Target::InProcess).await,
    }
}

/// Which emulator the flow runs against.
enum Target {
    /// One started here, in this process.
    InProcess,
    /// One already running (`dintero-emulator`), at `base`.
    Running {
        base: String,
        account_id: String,
        client_id: String,
        client_secret: String,
    },
}

/// The shop's webhook endpoint: keeps each delivery (headers and raw body) and answers 200.
async fn webhook_receiver(
) -> Result<(String, Hooks, tokio::task::JoinHandle<()>), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/dintero/webhooks", listener.local_addr()?);
    let hooks: Hooks = Arc::default();
    let sink = hooks.clone();
    let app = Router::new().route(
        "/dintero/webhooks",
        post(move |headers: HeaderMap, body: Bytes| {
            let sink = sink.clone();
            async move {
                let headers = headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                    .collect();
                if let Ok(mut list) = sink.lock() {
                    list.push((headers, body));
                }
                "ok"
            }
        }),
    );
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((url, hooks, task))
}

/// Waits (at most 5 s) for a verified webhook whose event matches `pred`.
async fn wait_for_webhook(
    hooks: &Hooks,
    pred: impl Fn(&WebhookEvent) -> bool,
) -> Result<WebhookEvent, Box<dyn std::error::Error>> {
    for _ in 0..500 {
        let list = hooks.lock().map_err(|_| "lock poisoned")?.clone();
        for (headers, body) in &list {
            let event = verify_webhook_headers(HOOK_SECRET, body, headers.clone())?;
            if pred(&event) {
                return Ok(event);
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Err("no matching webhook arrived within 5 s".into())
}

/// Pays a session on a running emulator as its checkout page would, through the control API.
async fn pay_on_running(
    base: &str,
    session_id: &str,
    card: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/_emulator/sessions/{session_id}/pay"))
        .json(&serde_json::json!({"card_number": card}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    answer["redirect_url"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("unexpected answer from the emulator: {answer}").into())
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

async fn against_emulator(target: Target) -> Result<(), Box<dyn std::error::Error>> {
    let (emulator, base, account_id, client_id, client_secret) = match target {
        Target::InProcess => {
            println!("No DINTERO_* credentials set: running against the built-in emulator.");
            let emulator = Emulator::start(EmulatorConfig {
                log_requests: false,
                ..EmulatorConfig::default()
            })
            .await?;
            let cfg = emulator.config().clone();
            let base = emulator.base_url();
            (
                Some(emulator),
                base,
                cfg.account_id,
                cfg.client_id,
                cfg.client_secret,
            )
        }
        Target::Running {
            base,
            account_id,
            client_id,
            client_secret,
        } => {
            println!("DINTERO_BASE_URL set: running against the emulator at {base}.");
            (None, base, account_id, client_id, client_secret)
        }
    };
    println!("emulator      {base} (account {account_id})");
    if emulator.is_none() {
        println!("               follow along in the dashboard: {base}/_emulator/ui");
    }

    let client = Client::builder()
        .account_id(account_id.clone())
        .client_id(client_id)
        .client_secret(client_secret)
        .base_url(base.clone())
        .system_name("example-shop")
        .system_version("1.0")
        .build()?;

    let info = client.authenticate().await?;
    println!(
        "1. token       obtained ({} token request)",
        info.token_requests
    );

    // Webhooks: subscribe the shop's endpoint; Dintero (here, the emulator) pings it at once.
    let (hook_url, hooks, hooks_task) = webhook_receiver().await?;
    let subscription = client
        .admin()
        .create_hook_subscription(&NewHookSubscription {
            url: hook_url.clone(),
            events: vec!["checkout_transaction".into()],
            secret: Some(Secret::new(HOOK_SECRET)),
        })
        .await?;
    wait_for_webhook(&hooks, |e| e.event.as_deref() == Some("ping")).await?;
    println!(
        "               webhook subscription {} -> {hook_url}: ping received and verified",
        subscription.id
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

    let card = "4000 0000 0000 0002";
    let redirect_url = match &emulator {
        Some(emulator) => emulator.pay(&session.id, card).await?.redirect_url,
        None => pay_on_running(&base, &session.id, card).await?,
    };
    println!("3. customer    paid with test card {card}");
    println!("               browser returns to {redirect_url}");
    let returned = dintero_checkout::parse_return_url(&redirect_url)?;
    println!(
        "               return url says: {}",
        returned.outcome.as_str()
    );

    let (url, headers) = wait_for_callback(&received).await?;
    println!("4. callback    received: GET {url}");
    // The shop reads the signature secret once, at set-up (creating one if the account has
    // none); a real shop keeps it in its configuration.
    let signature = client.admin().ensure_signature_secret().await?;
    let verifier = CallbackVerifier::new(signature.secret.expose(), account_id.as_str())?;
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
    let hook = wait_for_webhook(&hooks, |e| {
        e.transaction
            .as_ref()
            .is_some_and(|t| t["id"] == tx_id.as_str() && t["status"] == "PARTIALLY_REFUNDED")
    })
    .await?;
    println!(
        "               webhook {} received and verified: transaction is PARTIALLY_REFUNDED",
        hook.event.as_deref().unwrap_or("?")
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
    // The shop's webhook endpoint stops with this program: unsubscribe it.
    client
        .admin()
        .delete_hook_subscription(&subscription.id)
        .await?;
    hooks_task.abort();
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    } else {
        println!("               the whole flow is in the dashboard: {base}/_emulator/ui");
    }
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
