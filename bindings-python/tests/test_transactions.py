"""Transactions: get, list, capture, refund, void, extend, update, 202 + wait_for_event."""

from __future__ import annotations

import pytest

from conftest import Backend, paid_transaction, session_payload
from dintero_checkout import (
    Client,
    ConflictError,
    InvalidInputError,
    Operation,
    Transaction,
    TransactionEvent,
    parse_return_url,
)
from dintero_checkout.testing import CARD_DECLINE


def test_get_paid_transaction(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu, "order-get")
    tx = client.transactions.get(tx_id)
    assert isinstance(tx, Transaction)
    assert (tx.id, tx.status, tx.amount, tx.currency) == (tx_id, "AUTHORIZED", 33890, "NOK")
    assert tx.merchant_reference == "order-get"
    assert tx.session_id is not None
    assert [i.line_id for i in tx.items] == ["1", "ship"], "shipping becomes a line"
    assert all(isinstance(e, TransactionEvent) for e in tx.events)
    assert "AUTHORIZE" in [e.event for e in tx.events]
    assert tx.to_dict()["id"] == tx_id
    assert "T12345678" in repr(tx) and "AUTHORIZED" in repr(tx)


def test_get_with_session_included(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    tx = client.transactions.get(tx_id, includes=["session"])
    assert tx["session"]["id"] == tx.session_id
    assert "session" in tx.extra


def test_capture_refund_flow_with_items(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    op = client.transactions.capture(
        tx_id, 29990, items=[{"line_id": "1", "amount": 29990}], capture_reference="cap-chair"
    )
    assert isinstance(op, Operation)
    assert (op.state, op.reference, op.reconciled) == ("completed", "cap-chair", False)
    assert op.transaction.status == "PARTIALLY_CAPTURED"
    captures = [e for e in op.transaction.events if e.event == "CAPTURE"]
    assert [(c.amount, c.event_reference) for c in captures] == [(29990, "cap-chair")]

    op = client.transactions.capture(tx_id, 3900)
    assert op.transaction.status == "CAPTURED"
    assert op.reference is None, "no reference given, none sent: Dintero records the order's event_reference"

    op = client.transactions.refund(tx_id, 3900, reason="shipping refunded", refund_reference="ref-ship")
    assert op.transaction.status == "PARTIALLY_REFUNDED"
    assert op.reference == "ref-ship"
    op = client.transactions.refund(tx_id, 29990, items=[{"line_id": "1", "amount": 29990}])
    assert op.transaction.status == "REFUNDED"
    assert client.transactions.get(tx_id).status == "REFUNDED"


def test_capture_input_is_checked_locally(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    with pytest.raises(InvalidInputError, match=r"capture\.amount"):
        client.transactions.capture(tx_id, 0)
    with pytest.raises(InvalidInputError, match=r"capture\.amount"):
        client.transactions.capture(tx_id, "100")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="sum of its items"):
        client.transactions.capture(tx_id, 100, items=[{"line_id": "1", "amount": 99}])
    with pytest.raises(InvalidInputError, match=r"refund\.items\[0\]\.line_id"):
        client.transactions.refund(tx_id, 100, items=[{"amount": 100}])
    assert emu.request_count("capture") == 0 and emu.request_count("refund") == 0


def test_capture_more_than_authorized_is_refused_by_the_api(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    with pytest.raises(InvalidInputError) as info:
        client.transactions.capture(tx_id, 33891)
    assert info.value.status == 400
    assert emu.request_count("capture") == 1, "a 4xx is never retried"


def test_void(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    op = client.transactions.void(tx_id)
    assert op.state == "completed"
    assert op.transaction.status == "AUTHORIZATION_VOIDED"


def test_extend_authorization_and_conflict(client: Client, emu: Backend) -> None:
    # Only a pre-authorized payment's authorization can change (Dintero answers 400 otherwise).
    payload = session_payload()
    payload["configuration"] = {"pre_authorization": True}
    paid = emu.pay(client.sessions.create(payload).id)
    assert paid.transaction_id is not None
    tx_id = paid.transaction_id
    tx = client.transactions.extend_authorization(tx_id, reason="back-order", reference="ext-1")
    assert tx.id == tx_id and tx.status == "AUTHORIZED"
    client.transactions.void(tx_id)
    with pytest.raises(ConflictError) as info:
        client.transactions.extend_authorization(tx_id)
    assert info.value.status == 409 and info.value.kind == "conflict"


def test_update_merchant_reference_2(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    tx = client.transactions.update(tx_id, merchant_reference_2="invoice-77")
    assert tx.merchant_reference_2 == "invoice-77"
    assert client.transactions.get(tx_id).merchant_reference_2 == "invoice-77"


def test_list_paginates_and_filters(client: Client, emu: Backend) -> None:
    ids = {paid_transaction(client, emu, "order-list") for _ in range(5)}
    other = paid_transaction(client, emu, "order-other")
    listed = client.transactions.list(merchant_reference="order-list", limit=2)
    assert {t.id for t in listed} == ids
    pages = list(listed.pages())
    assert [len(p) for p in pages] == [2, 2, 1]
    assert {t.id for t in client.transactions.list(limit=100)} == ids | {other}
    assert [t.id for t in client.transactions.list(session_id=client.transactions.get(other).session_id)] == [other]
    assert list(client.transactions.list(status="CAPTURED")) == []
    assert emu.request_count("list_transactions") >= 5
    with pytest.raises(InvalidInputError, match="limit"):
        client.transactions.list(limit=0).pages().__next__()


def test_accepted_202_and_wait_for_event(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    emu.inject_fault("capture", "accepted_202")
    op = client.transactions.capture(tx_id, 33890)
    assert op.state == "accepted"
    assert op.event_request_id
    tx = client.transactions.wait_for_event(tx_id, op.event_request_id, timeout=5)
    assert tx.status == "CAPTURED"


def test_declined_and_cancelled_returns(client: Client, emu: Backend) -> None:
    declined = client.sessions.create(session_payload("order-declined"))
    outcome = emu.pay(declined.id, CARD_DECLINE)
    result = parse_return_url(outcome.redirect_url)
    assert result.outcome == "failed" and result.merchant_reference == "order-declined"

    cancelled = client.sessions.create(session_payload("order-cancelled"))
    outcome = emu.cancel_payment(cancelled.id)
    assert outcome.transaction_id is None
    result = parse_return_url(outcome.redirect_url)
    assert (result.outcome, result.error) == ("cancelled", "cancelled")

    paid = client.sessions.create(session_payload("order-paid"))
    outcome = emu.pay(paid.id)
    result = parse_return_url(outcome.redirect_url)
    assert (result.outcome, result.transaction_id) == ("completed", outcome.transaction_id)
