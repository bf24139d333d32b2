//! What the SDK logs (through `tracing`, which each binding forwards to its language's
//! logger): one debug line per request attempt with method, path, status, attempt, duration
//! and request id; retries, token fetches and reconciliation at info; never a secret. A whole
//! flow with faults is captured and searched for every secret the emulator issued.

mod common;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, OnceLock};

use common::*;
use dintero_checkout::{CaptureRequest, RefundRequest};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata, Subscriber};

/// Every event, as `LEVEL target: field=value ...`.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

struct Line(String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target().starts_with("dintero_checkout")
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &Event<'_>) {
        let m = event.metadata();
        let mut line = Line(format!("{} {}:", m.level(), m.target()));
        event.record(&mut line);
        self.0.lock().unwrap().push(line.0);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(Level::TRACE.into())
    }
}

fn capture() -> Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE
        .get_or_init(|| {
            let c = Capture::default();
            tracing::subscriber::set_global_default(c.clone()).expect("one subscriber");
            c
        })
        .clone()
}

#[tokio::test]
async fn a_whole_flow_with_faults_is_logged_without_a_secret() {
    let logs = capture();
    let emu = emulator().await;
    let client = client_for(&emu);
    let (_, tx) = paid_transaction(&emu, &client, "order-logs").await;
    emu.inject_fault(fault("capture", "status_503", 1)).unwrap();
    emu.inject_fault(fault("refund", "reset_after_apply", 1))
        .unwrap();
    client
        .transactions()
        .capture(
            &tx,
            &CaptureRequest {
                amount: 33890,
                capture_reference: Some("cap-logs".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    client
        .transactions()
        .refund(
            &tx,
            &RefundRequest {
                amount: 100,
                refund_reference: Some("ref-logs".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // A read is retried by the transport itself: the retry is told at info.
    emu.inject_fault(fault("get_transaction", "status_503", 1))
        .unwrap();
    client.transactions().get(&tx, &[]).await.unwrap();
    let lines = logs.0.lock().unwrap().clone();
    let text = lines.join("\n");

    // One line per attempt, with what a merchant needs to trace a payment.
    let capture_attempts: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("method=POST") && l.contains("/capture"))
        .collect();
    assert!(capture_attempts.len() >= 2, "{text}");
    assert!(
        capture_attempts.iter().any(|l| l.contains("status=503")),
        "{text}"
    );
    assert!(
        capture_attempts
            .iter()
            .any(|l| l.contains("status=200") && l.contains("request_id=\"")),
        "{text}"
    );
    assert!(lines
        .iter()
        .all(|l| !l.contains("/request") || l.contains("duration_ms=")));
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("INFO") && l.contains("retrying")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("INFO") && l.contains("fetching an access token")),
        "{text}"
    );
    // The refund's answer was cut after it was applied: the reconciliation is told.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("INFO") && l.contains("ref-logs")),
        "{text}"
    );

    // No secret anywhere: client secret, every token issued, the signature secret, a card.
    let cfg = emu.config();
    let mut secrets = vec![cfg.client_secret.clone(), "4000000000000002".to_string()];
    secrets.extend(cfg.signature_secret.clone());
    secrets.extend(emu.issued_tokens());
    assert!(!emu.issued_tokens().is_empty());
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()), "a secret reached the logs");
    }
    assert!(!text.to_ascii_lowercase().contains("bearer"), "{text}");
}

#[tokio::test]
async fn an_observer_sees_every_attempt_and_a_panicking_one_breaks_nothing() {
    use dintero_checkout::{RequestEvent, RequestPhase};
    let emu = emulator().await;
    let seen = Arc::new(Mutex::new(Vec::<RequestEvent>::new()));
    let sink = seen.clone();
    let client = client_builder(&emu)
        .observer(move |e: &RequestEvent| sink.lock().unwrap().push(e.clone()))
        .build()
        .unwrap();
    let (_, tx) = paid_transaction(&emu, &client, "order-observed").await;
    emu.inject_fault(fault("get_transaction", "status_503", 1))
        .unwrap();
    client.transactions().get(&tx, &[]).await.unwrap();
    let events = seen.lock().unwrap().clone();
    let starts = events
        .iter()
        .filter(|e| e.phase == RequestPhase::Start)
        .count();
    let ends: Vec<&RequestEvent> = events
        .iter()
        .filter(|e| e.phase == RequestPhase::End)
        .collect();
    assert_eq!(starts, ends.len(), "every start has its end");
    let gets: Vec<&&RequestEvent> = ends
        .iter()
        .filter(|e| e.method == "GET" && e.path == format!("/v1/transactions/{tx}"))
        .collect();
    let last_two: Vec<(Option<u16>, u32)> = gets[gets.len() - 2..]
        .iter()
        .map(|e| (e.status, e.attempt))
        .collect();
    assert_eq!(last_two, vec![(Some(503), 1), (Some(200), 2)]);
    assert!(gets
        .iter()
        .all(|e| e.request_id.is_some() && e.duration_ms.is_some()));
    assert_eq!(
        gets[gets.len() - 2].error_kind,
        Some(dintero_checkout::ErrorKind::Server)
    );
    let text = serde_json::to_string(&events).unwrap();
    for secret in emu
        .issued_tokens()
        .iter()
        .chain([&emu.config().client_secret])
    {
        assert!(
            !text.contains(secret.as_str()),
            "a secret reached an observer"
        );
    }

    // An observer that panics: the request goes on and succeeds.
    let client = client_builder(&emu)
        .observer(|_: &RequestEvent| panic!("observer bug"))
        .build()
        .unwrap();
    client.transactions().get(&tx, &[]).await.unwrap();
}
