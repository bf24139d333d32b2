"""Callback signatures (shared vectors and real deliveries), confirm, return URLs, webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from typing import Any

import pytest

import dintero_checkout as dc
from conftest import TESTDATA, Backend, session_payload
from dintero_checkout import Client
from dintero_checkout.testing import sign_callback

with open(os.path.join(TESTDATA, "callback-signatures.json")) as f:
    VECTORS: list[dict[str, Any]] = json.load(f)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_shared_signature_vectors(vector: dict[str, Any]) -> None:
    verifier = dc.CallbackVerifier(vector["secret"], vector["account_id"])
    headers = {"Dintero-Signature": vector["signature_header"]}
    args = (vector["method"], vector["url"])
    if vector["valid"]:
        verifier.verify_signature(*args, vector["signature_header"], now=vector["timestamp"])
        if "transaction_id=" in vector["url"]:
            cb = verifier.verify(*args, headers, now=vector["timestamp"])
            assert cb.transaction_id is not None
        expected = dc.compute_signature(
            vector["secret"], vector["account_id"], vector["method"], vector["url"], vector["timestamp"]
        )
        assert vector["signature_header"].endswith(f"v0-hmac-sha256={expected}")
    else:
        with pytest.raises(dc.SignatureError):
            verifier.verify_signature(*args, vector["signature_header"], now=vector["timestamp"])
        with pytest.raises(dc.SignatureError):
            verifier.verify(*args, headers, now=vector["timestamp"])


def test_stale_and_future_timestamps(emu: Backend) -> None:
    url = "https://shop.example/cb?transaction_id=T12345678.abc&merchant_reference=o-1"
    old = sign_callback(url, timestamp=int(time.time()) - 3600)
    with pytest.raises(dc.SignatureError, match="old"):
        dc.verify_callback("GET", url, old, secret="emulator-signature-secret", account_id="T12345678")
    future = sign_callback(url, timestamp=int(time.time()) + 3600)
    with pytest.raises(dc.SignatureError, match="future"):
        dc.verify_callback("GET", url, future, secret="emulator-signature-secret", account_id="T12345678")
    ok = dc.verify_callback("GET", url, sign_callback(url), secret="emulator-signature-secret", account_id="T12345678")
    assert ok.transaction_id == "T12345678.abc"


def test_a_callback_the_emulator_really_sent(client: Client, emu: Backend) -> None:
    created = client.sessions.create(session_payload("order-cb"))
    outcome = emu.pay(created.id)
    [delivery] = emu.wait_for_callbacks(1, timeout=10, final=False)
    assert delivery.url.startswith("http://127.0.0.1:9/dintero/callback?")
    assert emu.signature_secret is not None

    # Headers arrive in any case and shape: a dict, pairs, a framework's multi-dict.
    for headers in (
        delivery.headers,
        list(delivery.headers.items()),
        {k.upper(): v for k, v in delivery.headers.items()},
    ):
        cb = dc.verify_callback(
            delivery.method, delivery.url, headers, secret=emu.signature_secret, account_id=emu.account_id
        )
        assert cb.transaction_id == outcome.transaction_id
        assert cb.merchant_reference == "order-cb"
        assert cb.session_id == created.id
        assert ("merchant_reference", "order-cb") in cb.params

    confirmed = client.callbacks.confirm(cb)
    assert confirmed.transaction.id == outcome.transaction_id
    assert confirmed.transaction.status == "AUTHORIZED"
    assert confirmed.callback == cb

    # A changed URL fails verification
    tampered = delivery.url.replace("order-cb", "order-xx")
    with pytest.raises(dc.SignatureError, match="does not match"):
        dc.verify_callback(
            delivery.method, tampered, delivery.headers, secret=emu.signature_secret, account_id=emu.account_id
        )
    with pytest.raises(dc.SignatureError):
        dc.verify_callback(delivery.method, delivery.url, delivery.headers, secret="wrong", account_id=emu.account_id)


def test_confirm_refuses_a_mismatch(client: Client, emu: Backend) -> None:
    created = client.sessions.create(session_payload("order-real"))
    outcome = emu.pay(created.id)
    forged = dc.parse_callback(
        f"https://shop.example/cb?transaction_id={outcome.transaction_id}&merchant_reference=order-forged"
    )
    with pytest.raises(dc.ConflictError) as info:
        client.callbacks.confirm(forged)
    assert info.value.code == "callback_mismatch"
    as_dict = forged.to_dict()
    as_dict["merchant_reference"] = "order-real"
    assert client.callbacks.confirm(as_dict).transaction.id == outcome.transaction_id
    with pytest.raises(dc.InvalidInputError):
        client.callbacks.confirm({"merchant_reference": 5})


def test_parse_callback_and_return_url_errors() -> None:
    err = dc.parse_callback("https://shop.example/cb?error=cancelled&merchant_reference=o-1")
    assert (err.error, err.transaction_id) == ("cancelled", None)
    with pytest.raises(dc.InvalidInputError):
        dc.parse_callback("not a url")
    with pytest.raises(dc.InvalidInputError):
        dc.parse_return_url("https://shop.example/return?merchant_reference=o-1")
    failed = dc.parse_return_url("https://shop.example/return?merchant_reference=o-1&error=authorization")
    assert (failed.outcome, failed.error) == ("failed", "authorization")


def test_verifier_input_and_repr() -> None:
    verifier = dc.CallbackVerifier("very-secret-value", "T12345678", tolerance=60)
    assert "very-secret-value" not in repr(verifier) and "T12345678" in repr(verifier)
    assert verifier.account_id == "T12345678"
    with pytest.raises(dc.InvalidInputError):
        dc.CallbackVerifier("", "T12345678")
    with pytest.raises(dc.InvalidInputError, match="account_id"):
        dc.CallbackVerifier("s", "12345678")


def test_webhooks() -> None:
    body = (
        b'{"event": "checkout_transaction", "account_id": "T12345678", "event_delivery": "d-1",'
        b' "transaction": {"id": "T12345678.x"}, "new_field": 1}'
    )
    sig = hmac.new(b"hook-secret", body, hashlib.sha1).hexdigest()
    event = dc.verify_webhook(body, secret="hook-secret", signature=sig)
    assert (event.event, event.account_id, event.event_delivery) == ("checkout_transaction", "T12345678", "d-1")
    assert event.transaction == {"id": "T12345678.x"}
    assert event.extra == {"new_field": 1}
    assert dc.verify_webhook(body, secret="hook-secret", headers={"Event-Signature": sig}).event_delivery == "d-1"
    with pytest.raises(dc.SignatureError):
        dc.verify_webhook(body + b" ", secret="hook-secret", signature=sig)
    with pytest.raises(dc.SignatureError, match="missing"):
        dc.verify_webhook(body, secret="hook-secret", headers={})
