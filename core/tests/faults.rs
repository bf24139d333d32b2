//! Every fault of the emulator's fault API on every operation it applies to, with the
//! expected outcome: retried, reconciled, or a typed error. Above all: capture and refund
//! never happen twice.

mod common;

use std::time::{Duration, Instant};

use common::*;
use dintero_checkout::{
    CaptureRequest, Client, CreateSessionOptions, ErrorKind, OperationState, RefundRequest,
    RetryPolicy, TransactionEventKind, TransactionStatus,
};
use dintero_emulator::Emulator;
use serde_json::json;

const RETRYABLE: [&str; 5] = [
    "status_500",
    "status_502",
    "status_503",
    "status_429",
    "reset_before_apply",
];

async fn setup() -> (Emulator, Client, String) {
    let emu = emulator().await;
    let client = client_for(&emu);
    let (_, tx) = paid_transaction(&emu, &client, "order-fault").await;
    (emu, client, tx)
}

#[tokio::test]
async fn reads_are_retried_through_transient_faults() {
    for fault_name in RETRYABLE {
        let (emu, client, tx) = setup().await;
        emu.inject_fault(fault("get_transaction", fault_name, 2))
            .unwrap();
        let before = emu.request_count("get_transaction");
        let got = client
            .transactions()
            .get(&tx, &[])
            .await
            .unwrap_or_else(|e| panic!("{fault_name}: {e}"));
        assert_eq!(got.id, tx);
        assert_eq!(
            emu.request_count("get_transaction") - before,
            3,
            "{fault_name}: two failures, then success"
        );
    }
}

#[tokio::test]
async fn every_read_route_retries() {
    let (emu, client, tx) = setup().await;
    let created = client
        .sessions()
        .create_json(session_payload("r", None), &CreateSessionOptions::default())
        .await
        .unwrap();
    emu.inject_fault(fault("get_session", "status_503", 1))
        .unwrap();
    client.sessions().get(&created.id).await.unwrap();
    emu.inject_fault(fault("list_transactions", "status_502", 1))
        .unwrap();
    client
        .transactions()
        .list_page(&Default::default())
        .await
        .unwrap();
    emu.inject_fault(fault("update_transaction", "reset_before_apply", 1))
        .unwrap();
    assert_eq!(
        client
            .transactions()
            .update(&tx, "x")
            .await
            .unwrap()
            .merchant_reference_2
            .as_deref(),
        Some("x")
    );
    emu.inject_fault(fault("update_transaction", "reset_after_apply", 1))
        .unwrap();
    assert_eq!(
        client
            .transactions()
            .update(&tx, "y")
            .await
            .unwrap()
            .merchant_reference_2
            .as_deref(),
        Some("y")
    );
    emu.inject_fault(fault("create_session", "status_500", 1))
        .unwrap();
    client
        .sessions()
        .create_json(
            session_payload("r2", None),
            &CreateSessionOptions::default(),
        )
        .await
        .unwrap();
    let mut order = session_payload("r", None)["order"].clone();
    order["merchant_reference"] = json!("r-updated");
    emu.inject_fault(fault("update_session", "status_502", 1))
        .unwrap();
    client
        .sessions()
        .update_json(&created.id, json!({"order": order}), true)
        .await
        .unwrap();
    emu.inject_fault(fault("token", "status_503", 1)).unwrap();
    let fresh = client_for(&emu);
    fresh.authenticate().await.unwrap();
}

#[tokio::test]
async fn retries_run_out_into_a_typed_error() {
    let (emu, client, tx) = setup().await;
    // Exactly as many failures as attempts, so nothing is left over for the next part.
    emu.inject_fault(fault("get_transaction", "status_503", 4))
        .unwrap();
    let err = client.transactions().get(&tx, &[]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.status(), Some(503));
    assert_eq!(emu.request_count("get_transaction"), 4, "max_attempts = 4");

    emu.inject_fault(fault("get_transaction", "reset_before_apply", 10))
        .unwrap();
    let err = client.transactions().get(&tx, &[]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
}

#[tokio::test]
async fn retry_after_is_honoured_and_bounded() {
    let (emu, client, tx) = setup().await;
    emu.inject_fault(fault_json(
        json!({"route": "get_transaction", "fault": "status_429", "times": 1, "retry_after": 1}),
    ))
    .unwrap();
    let started = Instant::now();
    client.transactions().get(&tx, &[]).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}, Retry-After said 1 s",
        started.elapsed()
    );

    // A Retry-After longer than the policy allows ends the retries at once.
    emu.inject_fault(fault_json(
        json!({"route": "get_transaction", "fault": "status_429", "times": 1, "retry_after": 3600}),
    ))
    .unwrap();
    let started = Instant::now();
    let err = client.transactions().get(&tx, &[]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "it did not sleep for an hour"
    );
}

#[tokio::test]
async fn slow_answers_time_out_and_are_retried() {
    let emu = emulator().await;
    let client = client_builder(&emu)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let (_, tx) = paid_transaction(&emu, &client, "slow").await;
    emu.inject_fault(fault_json(
        json!({"route": "get_transaction", "fault": "delay", "ms": 1500, "times": 1}),
    ))
    .unwrap();
    let got = client.transactions().get(&tx, &[]).await.unwrap();
    assert_eq!(got.id, tx);

    emu.inject_fault(fault_json(
        json!({"route": "get_transaction", "fault": "delay", "ms": 1500, "times": 10}),
    ))
    .unwrap();
    let err = client.transactions().get(&tx, &[]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_on_reads() {
    let (emu, client, tx) = setup().await;
    emu.inject_fault(fault("get_transaction", "malformed_json", 1))
        .unwrap();
    let err = client.transactions().get(&tx, &[]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
}

async fn capture_with_fault(
    fault_spec: serde_json::Value,
) -> (
    Emulator,
    Client,
    String,
    dintero_checkout::Result<dintero_checkout::Operation>,
) {
    let (emu, client, tx) = setup().await;
    emu.inject_fault(fault_json(fault_spec)).unwrap();
    let result = client
        .transactions()
        .capture(
            &tx,
            &CaptureRequest {
                amount: 10000,
                ..Default::default()
            },
        )
        .await;
    (emu, client, tx, result)
}

#[tokio::test]
async fn capture_is_exactly_once_under_every_fault() {
    let faults = [
        json!({"route": "capture", "fault": "status_500", "times": 1}),
        json!({"route": "capture", "fault": "status_502", "times": 2}),
        json!({"route": "capture", "fault": "status_503", "times": 1}),
        json!({"route": "capture", "fault": "status_429", "times": 1, "retry_after": 0}),
        json!({"route": "capture", "fault": "reset_before_apply", "times": 1}),
        json!({"route": "capture", "fault": "reset_after_apply", "times": 1}),
        json!({"route": "capture", "fault": "malformed_json", "times": 1}),
        json!({"route": "capture", "fault": "delay", "ms": 50, "times": 1}),
        json!({"route": "*", "fault": "status_503", "times": 1}),
    ];
    for spec in faults {
        let (_emu, client, tx, result) = capture_with_fault(spec.clone()).await;
        let op = result.unwrap_or_else(|e| panic!("{spec}: {e}"));
        let after = client.transactions().get(&tx, &[]).await.unwrap();
        assert_eq!(
            count_events(&after, TransactionEventKind::Capture),
            1,
            "{spec}: exactly one CAPTURE event"
        );
        assert_eq!(after.captured_amount(), 10000, "{spec}");
        assert_eq!(
            after.status,
            Some(TransactionStatus::PartiallyCaptured),
            "{spec}"
        );
        assert_eq!(op.reference, None, "{spec}: no reference given, none sent");
    }
}

#[tokio::test]
async fn capture_reset_after_apply_is_reconciled_not_repeated() {
    let (emu, client, tx, result) =
        capture_with_fault(json!({"route": "capture", "fault": "reset_after_apply", "times": 1}))
            .await;
    let op = result.unwrap();
    assert!(
        op.reconciled,
        "the result came from re-reading the transaction"
    );
    assert_eq!(
        op.transaction.status,
        Some(TransactionStatus::PartiallyCaptured)
    );
    assert_eq!(
        emu.request_count("capture"),
        1,
        "no second capture request was sent"
    );
    let tx = client.transactions().get(&tx, &[]).await.unwrap();
    assert_eq!(count_events(&tx, TransactionEventKind::Capture), 1);
}

#[tokio::test]
async fn capture_503_is_checked_then_retried_once() {
    let (emu, client, tx, result) =
        capture_with_fault(json!({"route": "capture", "fault": "status_503", "times": 1})).await;
    let op = result.unwrap();
    assert_eq!(
        emu.request_count("capture"),
        2,
        "the 503 was not applied, so one retry"
    );
    assert!(!op.reconciled, "the result is the retry's own answer");
    let tx = client.transactions().get(&tx, &[]).await.unwrap();
    assert_eq!(count_events(&tx, TransactionEventKind::Capture), 1);
}

#[tokio::test]
async fn capture_that_never_gets_through_is_a_typed_error_and_captures_nothing() {
    let (_emu, client, tx, result) =
        capture_with_fault(json!({"route": "capture", "fault": "status_500", "times": 20})).await;
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    let tx = client.transactions().get(&tx, &[]).await.unwrap();
    assert_eq!(count_events(&tx, TransactionEventKind::Capture), 0);
    assert_eq!(tx.status, Some(TransactionStatus::Authorized));
}

#[tokio::test]
async fn refund_is_exactly_once_under_every_fault() {
    let faults = [
        json!({"route": "refund", "fault": "status_500", "times": 1}),
        json!({"route": "refund", "fault": "status_503", "times": 2}),
        json!({"route": "refund", "fault": "status_429", "times": 1, "retry_after": 0}),
        json!({"route": "refund", "fault": "reset_before_apply", "times": 1}),
        json!({"route": "refund", "fault": "reset_after_apply", "times": 1}),
        json!({"route": "refund", "fault": "malformed_json", "times": 1}),
    ];
    for spec in faults {
        let (emu, client, tx) = setup().await;
        client
            .transactions()
            .capture(
                &tx,
                &CaptureRequest {
                    amount: 33890,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        emu.inject_fault(fault_json(spec.clone())).unwrap();
        let op = client
            .transactions()
            .refund(
                &tx,
                &RefundRequest {
                    amount: 1000,
                    ..Default::default()
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{spec}: {e}"));
        assert_eq!(op.state, OperationState::Completed);
        let after = client.transactions().get(&tx, &[]).await.unwrap();
        assert_eq!(
            count_events(&after, TransactionEventKind::Refund),
            1,
            "{spec}: exactly one REFUND event"
        );
        assert_eq!(after.refunded_amount(), 1000, "{spec}");
        assert_eq!(
            after.status,
            Some(TransactionStatus::PartiallyRefunded),
            "{spec}"
        );
    }
}

#[tokio::test]
async fn void_is_reconciled_under_faults() {
    for spec in [
        json!({"route": "void", "fault": "reset_after_apply", "times": 1}),
        json!({"route": "void", "fault": "status_503", "times": 1}),
        json!({"route": "void", "fault": "reset_before_apply", "times": 1}),
        json!({"route": "void", "fault": "malformed_json", "times": 1}),
    ] {
        let (emu, client, tx) = setup().await;
        emu.inject_fault(fault_json(spec.clone())).unwrap();
        let op = client
            .transactions()
            .void(&tx)
            .await
            .unwrap_or_else(|e| panic!("{spec}: {e}"));
        assert_eq!(
            op.transaction.status,
            Some(TransactionStatus::AuthorizationVoided),
            "{spec}"
        );
        let after = client.transactions().get(&tx, &[]).await.unwrap();
        assert_eq!(
            count_events(&after, TransactionEventKind::Void),
            1,
            "{spec}"
        );
    }
}

#[tokio::test]
async fn accepted_202_on_refund_and_void() {
    let (emu, client, tx) = setup().await;
    client
        .transactions()
        .capture(
            &tx,
            &CaptureRequest {
                amount: 33890,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    emu.inject_fault(fault("refund", "accepted_202", 1))
        .unwrap();
    let op = client
        .transactions()
        .refund(
            &tx,
            &RefundRequest {
                amount: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(op.state, OperationState::Accepted);
    let done = client
        .transactions()
        .wait_for_event(
            &tx,
            op.event_request_id.as_deref().unwrap(),
            Some(Duration::from_secs(5)),
        )
        .await
        .unwrap();
    assert_eq!(done.refunded_amount(), 100);

    let (emu2, client2, tx2) = setup().await;
    emu2.inject_fault(fault("void", "accepted_202", 1)).unwrap();
    let op = client2.transactions().void(&tx2).await.unwrap();
    assert_eq!(op.state, OperationState::Accepted);
    let done = client2
        .transactions()
        .wait_for_event(
            &tx2,
            op.event_request_id.as_deref().unwrap(),
            Some(Duration::from_secs(5)),
        )
        .await
        .unwrap();
    assert_eq!(done.status, Some(TransactionStatus::AuthorizationVoided));
}

#[tokio::test]
async fn session_cancel_is_reconciled() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let created = client
        .sessions()
        .create_json(session_payload("c", None), &CreateSessionOptions::default())
        .await
        .unwrap();
    emu.inject_fault(fault("cancel_session", "reset_after_apply", 1))
        .unwrap();
    let session = client.sessions().cancel(&created.id).await.unwrap();
    assert!(session.cancelled_at.is_some());
    assert_eq!(emu.request_count("cancel_session"), 1);
}

#[tokio::test]
async fn extend_authorization_is_not_repeated_after_an_ambiguous_failure() {
    let emu = emulator().await;
    let client = client_for(&emu);
    // Only a pre-authorized payment can have its authorization changed.
    let mut payload = session_payload("pre-auth", None);
    payload["configuration"] = json!({"pre_authorization": true});
    let (_, tx) = paid_with(&emu, &client, payload).await;
    emu.inject_fault(fault("extend_authorization", "reset_after_apply", 1))
        .unwrap();
    let err = client
        .transactions()
        .extend_authorization(&tx, &Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert_eq!(emu.request_count("extend_authorization"), 1);
    emu.inject_fault(fault("extend_authorization", "status_429", 1))
        .unwrap();
    client
        .transactions()
        .extend_authorization(&tx, &Default::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn concurrent_captures_never_exceed_the_authorization() {
    let (emu, _, tx) = setup().await;
    let client = client_builder(&emu)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let mut handles = Vec::new();
    for i in 0..100 {
        let c = client.clone();
        let id = tx.clone();
        handles.push(tokio::spawn(async move {
            // Distinct references: without one, the same capture from one client is one
            // operation (see exactly_once.rs).
            c.transactions()
                .capture(
                    &id,
                    &CaptureRequest {
                        amount: 500,
                        capture_reference: Some(format!("part-{i}")),
                        ..Default::default()
                    },
                )
                .await
        }));
    }
    let mut ok = 0;
    for h in handles {
        if h.await.unwrap().is_ok() {
            ok += 1;
        }
    }
    let after = client.transactions().get(&tx, &[]).await.unwrap();
    assert_eq!(ok, 33890 / 500, "only what fits in the authorization");
    assert_eq!(after.captured_amount(), 500 * (33890 / 500));
}

#[tokio::test]
async fn card_capture_timeout_is_a_typed_error_without_a_capture() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let tx = paid_with_card(&emu, &client, "t/o", "4100 0000 0000 0019").await;
    let err = client
        .transactions()
        .capture(
            &tx,
            &CaptureRequest {
                amount: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    let after = client.transactions().get(&tx, &[]).await.unwrap();
    assert_eq!(count_events(&after, TransactionEventKind::Capture), 0);
}

#[tokio::test]
async fn capture_that_times_out_is_not_repeated_while_dintero_is_still_working() {
    let emu = emulator().await;
    // Default reconcile window (= the 500 ms timeout): Dintero gets ~1 s in all.
    let client = Client::builder()
        .account_id("T12345678")
        .client_id(emu.config().client_id.clone())
        .client_secret(emu.config().client_secret.clone())
        .base_url(emu.base_url())
        .timeout(Duration::from_millis(500))
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    assert_eq!(
        client.config().reconcile_window(),
        Duration::from_millis(500)
    );
    let (_, tx) = paid_transaction(&emu, &client, "slow-capture").await;
    // The capture takes 700 ms and completes although the client gives up at 500 ms.
    emu.inject_fault(fault_json(
        json!({"route": "capture", "fault": "slow_apply", "ms": 700, "times": 1}),
    ))
    .unwrap();
    let op = client
        .transactions()
        .capture(
            &tx,
            &CaptureRequest {
                amount: 10000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(op.reconciled, "found by re-reading, not by resending");
    assert_eq!(emu.request_count("capture"), 1, "never resent");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = client.transactions().get(&tx, &[]).await.unwrap();
    assert_eq!(count_events(&after, TransactionEventKind::Capture), 1);
}

#[tokio::test]
async fn a_dropped_delay_is_resent_once_after_the_window() {
    // `delay` drops the work when the client disconnects: nothing happened, so after the
    // reconcile window the capture is sent again, and happens once.
    let emu = emulator().await;
    let client = client_builder(&emu)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let (_, tx) = paid_transaction(&emu, &client, "dropped").await;
    emu.inject_fault(fault_json(
        json!({"route": "capture", "fault": "delay", "ms": 1000, "times": 1}),
    ))
    .unwrap();
    let op = client
        .transactions()
        .capture(
            &tx,
            &CaptureRequest {
                amount: 10000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(emu.request_count("capture"), 2);
    assert!(!op.reconciled);
    tokio::time::sleep(Duration::from_millis(800)).await;
    let after = client.transactions().get(&tx, &[]).await.unwrap();
    assert_eq!(count_events(&after, TransactionEventKind::Capture), 1);
}

#[tokio::test]
async fn a_reference_of_your_own_makes_a_repeated_call_safe() {
    let (emu, client, tx) = setup().await;
    let req = CaptureRequest {
        amount: 5000,
        capture_reference: Some("order-9-cap-1".into()),
        ..Default::default()
    };
    let first = client.transactions().capture(&tx, &req).await.unwrap();
    assert!(!first.reconciled);
    // The caller repeats the call (say after a crash): the capture is found, not repeated.
    let again = client.transactions().capture(&tx, &req).await.unwrap();
    assert!(again.reconciled);
    assert_eq!(emu.request_count("capture"), 1);
    let after = client.transactions().get(&tx, &[]).await.unwrap();
    assert_eq!(count_events(&after, TransactionEventKind::Capture), 1);
    // The same reference for a different amount is refused before sending.
    let other = CaptureRequest {
        amount: 700,
        ..req.clone()
    };
    let err = client
        .transactions()
        .capture(&tx, &other)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("one reference per capture"), "{err}");
    assert_eq!(emu.request_count("capture"), 1);
}

#[tokio::test]
async fn a_failed_earlier_attempt_with_the_same_reference_is_not_taken_as_this_result() {
    let emu = emulator().await;
    let client = client_for(&emu);
    // Capture-timeout card: the capture records an unsuccessful event with the reference.
    let tx = paid_with_card(&emu, &client, "t/o-2", "4100 0000 0000 0019").await;
    let req = CaptureRequest {
        amount: 100,
        capture_reference: Some("cap-a".into()),
        ..Default::default()
    };
    let err = client.transactions().capture(&tx, &req).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(
        err.reference(),
        Some("cap-a"),
        "the error names the reference"
    );
    assert!(
        !err.outcome_unknown(),
        "Dintero recorded it as failed: {err}"
    );
    // Trying again with the same reference sends it again (the old failure is not "the answer").
    let err = client.transactions().capture(&tx, &req).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(emu.request_count("capture"), 2);
}

#[tokio::test]
async fn a_capture_whose_caller_stops_waiting_still_runs_to_its_end() {
    let (emu, client, tx) = setup().await;
    emu.inject_fault(fault("capture", "status_503", 1)).unwrap();
    let request = CaptureRequest {
        amount: 2500,
        ..Default::default()
    };
    let transactions = client.transactions();
    let call = transactions.capture(&tx, &request);
    // The caller gives up almost at once (an asyncio cancel, a coroutine cancel, a timeout).
    let gave_up = tokio::time::timeout(Duration::from_millis(1), call).await;
    assert!(gave_up.is_err(), "the call was abandoned");
    // The write was not abandoned halfway: it re-read after the 503, resent, and captured once.
    let mut captured = 0;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let now = client.transactions().get(&tx, &[]).await.unwrap();
        captured = count_events(&now, TransactionEventKind::Capture);
        if captured > 0 {
            break;
        }
    }
    assert_eq!(captured, 1);
    assert_eq!(
        emu.request_count("capture"),
        2,
        "the 503, then the one that applied"
    );
}
