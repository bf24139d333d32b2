//! Every operation of the core against the emulator, over real HTTP.

mod common;

use std::time::Duration;

use common::*;
use dintero_checkout::{
    CaptureRequest, Client, CreateSessionOptions, ErrorKind, ExtendAuthorizationRequest,
    ListTransactions, OperationState, RefundRequest, TransactionEventKind, TransactionStatus,
};
use serde_json::json;

#[tokio::test]
async fn authenticate_fetches_one_token() {
    let emu = emulator().await;
    let client = client_for(&emu);
    assert_eq!(client.token_requests(), 0, "no token before first use");
    let info = client.authenticate().await.unwrap();
    assert_eq!(info.token_requests, 1);
    client.authenticate().await.unwrap();
    assert_eq!(client.token_requests(), 1, "the token is cached");
    assert_eq!(emu.request_count("token"), 1);
}

#[tokio::test]
async fn wrong_credentials_are_an_authentication_error() {
    let emu = emulator().await;
    let client = client_builder(&emu)
        .client_secret("not-the-secret")
        .build()
        .unwrap();
    let err = client.sessions().get("T12345678.abc").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
    assert_eq!(err.status(), Some(401));
    assert!(!err.to_string().contains("not-the-secret"));
}

#[tokio::test]
async fn session_create_get_update_cancel() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let created = client
        .sessions()
        .create_json(
            session_payload("order-1", None),
            &CreateSessionOptions {
                include_session: true,
            },
        )
        .await
        .unwrap();
    assert!(created.id.starts_with("T12345678."), "{}", created.id);
    assert_eq!(
        created.url,
        Some(format!("{}/v1/view/{}", emu.base_url(), created.id))
    );
    let included = created
        .session
        .as_ref()
        .expect("include_session returns the session");
    assert_eq!(included.id, created.id);

    let session = client.sessions().get(&created.id).await.unwrap();
    assert_eq!(
        session.order.as_ref().unwrap().merchant_reference,
        "order-1"
    );
    assert!(session.transaction_id.is_none());
    assert!(session.expires_at.is_some());
    assert!(
        session
            .events
            .iter()
            .any(|e| e.name.as_deref() == Some("INITIATED")),
        "{:?}",
        session.events
    );

    let mut order = session_payload("order-1", None)["order"].clone();
    order["items"][0]["amount"] = json!(19990);
    order["items"][0]["vat_amount"] = json!(3998);
    order["amount"] = json!(23890);
    order["vat_amount"] = json!(4778);
    let updated = client
        .sessions()
        .update_json(&created.id, json!({"order": order}), true)
        .await
        .unwrap();
    assert_eq!(updated.order.as_ref().unwrap().amount, 23890);

    let cancelled = client.sessions().cancel(&created.id).await.unwrap();
    assert!(cancelled.cancelled_at.is_some());
    let pay = emu.pay(&created.id, APPROVE).await;
    assert!(pay.is_err(), "a cancelled session cannot be paid");
}

#[tokio::test]
async fn session_without_profile_uses_sessions_endpoint_and_needs_configuration() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let mut payload = session_payload("order-2", None);
    payload.as_object_mut().unwrap().remove("profile_id");
    let err = client
        .sessions()
        .create_json(payload.clone(), &CreateSessionOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("configuration"), "{err}");
    assert_eq!(
        emu.request_count("create_session"),
        0,
        "refused before any request"
    );

    payload["configuration"] =
        json!({"auto_capture": false, "dintero_psp": {"creditcard": {"enabled": true}}});
    let created = client
        .sessions()
        .create_json(payload, &CreateSessionOptions::default())
        .await
        .unwrap();
    assert!(created.id.starts_with("T12345678."));
}

#[tokio::test]
async fn orders_dintero_accepts_are_sent_discounts_and_display_vat_included() {
    // Dintero's own docs example (vat_amount 6000 on 29990 at 25 %, exactly 5998), a discount
    // line and a gift-card line with negative amounts: Dintero takes all of it, so must we.
    let emu = emulator().await;
    let client = client_for(&emu);
    let mut payload = session_payload("order-discounts", None);
    payload["order"] = json!({
        "amount": 29990 + 3900 - 3000 - 5000, "currency": "NOK",
        "merchant_reference": "order-discounts", "vat_amount": 6000 + 780 - 600,
        "items": [
            {"line_id": "1", "description": "Chair", "quantity": 1, "amount": 29990,
             "vat_amount": 6000, "vat": 25},
            {"line_id": "discount", "description": "Spring sale", "quantity": 1,
             "amount": -3000, "vat_amount": -600, "vat": 25},
            {"line_id": "gift", "type": "gift_card", "amount": -5000, "vat_amount": 0, "vat": 0}
        ],
        "shipping_option": {"id": "pickup", "line_id": "ship", "amount": 3900, "vat_amount": 780,
                            "vat": 25, "title": "Pick-up point", "operator": ""}
    });
    let (_, tx_id) = paid_with(&emu, &client, payload).await;
    let tx = client.transactions().get(&tx_id, &[]).await.unwrap();
    assert_eq!(tx.amount, 25890);
    let discount = tx
        .items
        .iter()
        .find(|i| i.line_id.as_deref() == Some("discount"))
        .expect("the discount line reaches the transaction");
    assert_eq!(discount.amount, Some(-3000));
    // Capturing everything, line by line: negative capture lines, as Dintero allows.
    let op = client
        .transactions()
        .capture_json(
            &tx_id,
            json!({"amount": 25890, "capture_reference": "all-lines", "items": [
                {"line_id": "1", "amount": 29990, "quantity": 1},
                {"line_id": "discount", "amount": -3000, "quantity": 1},
                {"line_id": "gift", "amount": -5000, "quantity": 1},
                {"line_id": "ship", "amount": 3900, "quantity": 1}
            ]}),
        )
        .await
        .unwrap();
    assert_eq!(op.transaction.captured_amount(), 25890);
}

#[tokio::test]
async fn bad_orders_are_refused_before_any_request_naming_the_line() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let cases = [
        ("/order/amount", json!(100), "order.amount"),
        (
            "/order/items/0/amount",
            json!(null),
            "order.items[0].amount",
        ),
        (
            "/order/shipping_option/line_id",
            json!("1"),
            "order.shipping_option.line_id",
        ),
        ("/order/currency", json!("nok"), "order.currency"),
        (
            "/order/items/0/amount",
            json!("299.90"),
            "order.items[0].amount",
        ),
    ];
    for (pointer, value, expect) in cases {
        let mut payload = session_payload("order-bad", None);
        *payload.pointer_mut(pointer).unwrap() = value;
        let err = client
            .sessions()
            .create_json(payload, &CreateSessionOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{pointer}: {err}");
        assert!(
            err.message().contains(expect),
            "{pointer}: message {:?} should name {expect}",
            err.message()
        );
    }
    let mut payload = session_payload("order-bad", None);
    payload["order"]
        .as_object_mut()
        .unwrap()
        .remove("merchant_reference");
    let err = client
        .sessions()
        .create_json(payload, &CreateSessionOptions::default())
        .await
        .unwrap_err();
    assert!(err.message().contains("merchant_reference"), "{err}");
    assert_eq!(emu.request_count("create_session"), 0);
}

#[tokio::test]
async fn emulator_validation_errors_come_back_typed() {
    let emu = emulator().await;
    let client = client_for(&emu);
    // The core checks orders, but the server's answer must still be surfaced well:
    // a URL the core accepts but the API rejects (unknown id).
    let err = client
        .sessions()
        .get("T12345678.doesnotexist")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.status(), Some(404));
    assert!(
        err.request_id().is_some(),
        "the emulator's request id is kept: {err:?}"
    );
    let err = client
        .transactions()
        .get("T12345678.nope", &[])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let err = client
        .transactions()
        .get("../etc/passwd", &[])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn pay_capture_refund_flow() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let (session_id, tx_id) = paid_transaction(&emu, &client, "order-3").await;

    let session = client.sessions().get(&session_id).await.unwrap();
    assert_eq!(session.transaction_id.as_deref(), Some(tx_id.as_str()));

    let tx = client
        .transactions()
        .get(&tx_id, &["session"])
        .await
        .unwrap();
    assert_eq!(tx.status, Some(TransactionStatus::Authorized));
    assert_eq!(tx.amount, 33890);
    assert_eq!(tx.merchant_reference, "order-3");
    assert_eq!(tx.session_id.as_deref(), Some(session_id.as_str()));
    assert!(
        tx.extra.contains_key("session"),
        "includes=session adds the session"
    );

    let partial = client
        .transactions()
        .capture(
            &tx_id,
            &CaptureRequest {
                amount: 29990,
                items: vec![line("1", 29990)],
                capture_reference: Some("ship-chair".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(partial.state, OperationState::Completed);
    assert_eq!(
        partial.transaction.status,
        Some(TransactionStatus::PartiallyCaptured)
    );
    let reference = partial.reference.clone().expect("the caller's reference");
    assert_eq!(reference, "ship-chair");
    assert!(partial
        .transaction
        .event_with_reference(&TransactionEventKind::Capture, &reference)
        .is_some());

    let rest = client
        .transactions()
        .capture(
            &tx_id,
            &CaptureRequest {
                amount: 3900,
                capture_reference: Some("cap-ship".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(rest.transaction.status, Some(TransactionStatus::Captured));
    assert_eq!(rest.reference.as_deref(), Some("cap-ship"));
    assert_eq!(rest.transaction.captured_amount(), 33890);

    let over = client
        .transactions()
        .capture(
            &tx_id,
            &CaptureRequest {
                amount: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        over.kind(),
        ErrorKind::InvalidInput,
        "capturing more than authorized: {over}"
    );
    assert_eq!(over.status(), Some(400));

    let refund = client
        .transactions()
        .refund(
            &tx_id,
            &RefundRequest {
                amount: 5000,
                reason: Some("scratch".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        refund.transaction.status,
        Some(TransactionStatus::PartiallyRefunded)
    );
    assert_eq!(refund.transaction.refunded_amount(), 5000);

    let too_much = client
        .transactions()
        .refund(
            &tx_id,
            &RefundRequest {
                amount: 33890,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(too_much.kind(), ErrorKind::InvalidInput, "{too_much}");

    let full = client
        .transactions()
        .refund(
            &tx_id,
            &RefundRequest {
                amount: 28890,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(full.transaction.status, Some(TransactionStatus::Refunded));

    let updated = client
        .transactions()
        .update(&tx_id, "invoice-77")
        .await
        .unwrap();
    assert_eq!(updated.merchant_reference_2.as_deref(), Some("invoice-77"));
}

fn line(line_id: &str, amount: i64) -> dintero_checkout::OrderItem {
    dintero_checkout::OrderItem {
        line_id: Some(line_id.into()),
        amount: Some(amount),
        quantity: Some(1.0),
        ..Default::default()
    }
}

#[tokio::test]
async fn capture_items_must_exist_and_add_up() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let (_, tx_id) = paid_transaction(&emu, &client, "order-items").await;
    let err = client
        .transactions()
        .capture(
            &tx_id,
            &CaptureRequest {
                amount: 100,
                items: vec![line("1", 50)],
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("capture.amount"), "{err}");
    assert_eq!(emu.request_count("capture"), 0);
    let err = client
        .transactions()
        .capture(
            &tx_id,
            &CaptureRequest {
                amount: 100,
                items: vec![line("no-such-line", 100)],
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        err.status(),
        Some(400),
        "the emulator refuses unknown line ids: {err}"
    );
}

#[tokio::test]
async fn void_and_void_after_capture() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let (_, tx_id) = paid_transaction(&emu, &client, "order-void").await;
    let voided = client.transactions().void(&tx_id).await.unwrap();
    assert_eq!(
        voided.transaction.status,
        Some(TransactionStatus::AuthorizationVoided)
    );
    let again = client
        .transactions()
        .capture(
            &tx_id,
            &CaptureRequest {
                amount: 100,
                ..Default::default()
            },
        )
        .await;
    assert_eq!(again.unwrap_err().kind(), ErrorKind::InvalidInput);

    let (_, tx2) = paid_transaction(&emu, &client, "order-void-2").await;
    client
        .transactions()
        .capture(
            &tx2,
            &CaptureRequest {
                amount: 33890,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let err = client.transactions().void(&tx2).await.unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::InvalidInput,
        "void after capture is refused: {err}"
    );
}

#[tokio::test]
async fn extend_authorization() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let mut payload = session_payload("order-ext", None);
    payload["configuration"] = json!({"pre_authorization": true});
    let (_, tx_id) = paid_with(&emu, &client, payload).await;
    let tx = client
        .transactions()
        .extend_authorization(
            &tx_id,
            &ExtendAuthorizationRequest {
                reason: Some("delivery late".into()),
                reference: Some("ext-1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(tx.id, tx_id);
    assert_eq!(tx.status, Some(TransactionStatus::Authorized));
}

#[tokio::test]
async fn auto_capture_session_is_captured_when_paid() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let mut payload = session_payload("order-auto", None);
    payload["configuration"] = json!({"auto_capture": true});
    let (_, tx_id) = paid_with(&emu, &client, payload).await;
    let tx = client.transactions().get(&tx_id, &[]).await.unwrap();
    assert_eq!(tx.status, Some(TransactionStatus::Captured));
}

#[tokio::test]
async fn declined_card_creates_no_transaction() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let created = client
        .sessions()
        .create_json(
            session_payload("order-decl", None),
            &CreateSessionOptions::default(),
        )
        .await
        .unwrap();
    let outcome = emu.pay(&created.id, DECLINE).await.unwrap();
    assert!(outcome.transaction_id.is_none());
    let ret = dintero_checkout::parse_return_url(&outcome.redirect_url).unwrap();
    assert_eq!(ret.outcome, dintero_checkout::ReturnOutcome::Failed);
    assert_eq!(ret.merchant_reference.as_deref(), Some("order-decl"));
}

#[tokio::test]
async fn list_pages_until_a_short_page() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let mut ids = Vec::new();
    for i in 0..7 {
        let (_, tx) = paid_transaction(&emu, &client, &format!("list-{}", i % 2)).await;
        ids.push(tx);
    }
    let before = emu.request_count("list_transactions");
    let all = client
        .transactions()
        .list(ListTransactions {
            limit: Some(3),
            ..Default::default()
        })
        .collect_all()
        .await
        .unwrap();
    let got: Vec<String> = all.iter().map(|t| t.id.clone()).collect();
    let mut want = ids.clone();
    let mut got_sorted = got.clone();
    want.sort();
    got_sorted.sort();
    assert_eq!(got_sorted, want, "every transaction exactly once");
    assert_eq!(
        emu.request_count("list_transactions") - before,
        3,
        "pages of 3, 3, 1"
    );

    let filtered = client
        .transactions()
        .list(ListTransactions {
            merchant_reference: Some("list-1".into()),
            limit: Some(2),
            ..Default::default()
        })
        .collect_all()
        .await
        .unwrap();
    assert_eq!(filtered.len(), 3);
    assert!(filtered.iter().all(|t| t.merchant_reference == "list-1"));

    let err = client
        .transactions()
        .list_page(&ListTransactions {
            limit: Some(101),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);

    use futures_util::StreamExt;
    let stream = client
        .transactions()
        .list(ListTransactions {
            limit: Some(5),
            ..Default::default()
        })
        .into_stream();
    let collected: Vec<_> = stream.collect().await;
    assert_eq!(collected.len(), 7);
}

#[tokio::test]
async fn accepted_operations_can_be_awaited() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let (_, tx_id) = paid_transaction(&emu, &client, "order-202").await;
    emu.inject_fault(fault("capture", "accepted_202", 1))
        .unwrap();
    let op = client
        .transactions()
        .capture(
            &tx_id,
            &CaptureRequest {
                amount: 1000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(op.state, OperationState::Accepted);
    let id = op
        .event_request_id
        .clone()
        .expect("202 carries event-request-id");
    let tx = client
        .transactions()
        .wait_for_event(&tx_id, &id, Some(Duration::from_secs(5)))
        .await
        .unwrap();
    assert_eq!(tx.status, Some(TransactionStatus::PartiallyCaptured));
    assert_eq!(count_events(&tx, TransactionEventKind::Capture), 1);
}

#[tokio::test]
async fn forbidden_is_a_permission_error() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let (_, tx) = paid_transaction(&emu, &client, "order-403").await;
    emu.inject_fault(fault("get_transaction", "status_403", 1))
        .unwrap();
    let err = client.transactions().get(&tx, &[]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Permission);
    assert_eq!(err.status(), Some(403));
    assert_eq!(
        emu.request_count("get_transaction"),
        1,
        "403 is not retried"
    );
}

#[tokio::test]
async fn json_payload_errors_name_the_field() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let err = client
        .sessions()
        .create_json(json!("not an object"), &CreateSessionOptions::default())
        .await
        .unwrap_err();
    assert!(err.message().starts_with("session: "), "{err}");
    let err = client
        .transactions()
        .capture_json("T12345678.x", json!({"amount": "12"}))
        .await
        .unwrap_err();
    assert!(err.message().starts_with("capture.amount: "), "{err}");
}

#[tokio::test]
async fn polling_faster_than_100_ms_is_refused() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let err = client
        .wait_for_payment(
            "T12345678.x",
            Some(Duration::ZERO),
            Some(Duration::from_secs(1)),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(emu.request_count("get_session"), 0);
}

#[tokio::test]
async fn plain_http_urls_are_refused_before_sending_to_dintero() {
    // A client for Dintero itself (no base_url): the refusal happens before any request, so
    // this test needs no network.
    let client = Client::builder()
        .account_id("T12345678")
        .client_id("id")
        .client_secret("secret")
        .build()
        .unwrap();
    for (field, payload) in [
        ("url.return_url", {
            let mut p = session_payload("http-return", None);
            p["url"]["return_url"] = json!("http://shop.example/return");
            p
        }),
        (
            "url.callback_url",
            session_payload("http-callback", Some("http://shop.example/callback")),
        ),
    ] {
        let err = client
            .sessions()
            .create_json(payload, &CreateSessionOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        assert!(err.message().starts_with(field), "{err}");
    }
    // The emulator (any other host) decides for itself: loopback http stays allowed there.
    let emu = emulator().await;
    let local = client_for(&emu);
    local
        .sessions()
        .create_json(
            session_payload("local-http", Some("http://127.0.0.1:9/cb")),
            &CreateSessionOptions::default(),
        )
        .await
        .unwrap();
}
