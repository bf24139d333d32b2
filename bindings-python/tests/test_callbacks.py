"""Callback signatures (shared vectors and real deliveries), confirm, return URLs, webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import traceback
from collections.abc import Callable
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
        assert ("merchant_reference", "order-cb") in [tuple(p) for p in cb.params]
        assert cb.params[0] == dc.QueryParam({"name": cb.params[0].name, "value": cb.params[0].value})

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
    event = dc.verify_webhook("hook-secret", body, sig)
    assert (event.event, event.account_id, event.event_delivery) == ("checkout_transaction", "T12345678", "d-1")
    assert event.transaction == {"id": "T12345678.x"}
    assert event.extra == {"new_field": 1}
    with pytest.raises(dc.SignatureError):
        dc.verify_webhook("hook-secret", body + b" ", sig)
    with pytest.raises(dc.SignatureError, match="missing"):
        dc.verify_webhook("hook-secret", body, None)


def test_request_url_and_verify_request_are_the_cores() -> None:
    path = "/dintero/callback?transaction_id=T12345678.abc&merchant_reference=o-1"
    headers = {"Host": "internal:8000", "X-Forwarded-Host": "shop.example"}
    assert dc.request_url(path, headers) == "http://internal:8000" + path
    assert dc.request_url(path, headers, trust_proxy=True) == "http://shop.example" + path
    assert dc.request_url(path, headers, "https://pay.shop.example") == "https://pay.shop.example" + path
    with pytest.raises(dc.InvalidInputError, match="public_url"):
        dc.request_url(path, headers, "shop.example")
    verifier = dc.CallbackVerifier("emulator-signature-secret", "T12345678")
    signed = {**headers, **sign_callback("https://shop.example" + path)}
    cb = verifier.verify_request("GET", path, list(signed.items()), trust_proxy=True)
    assert cb.transaction_id == "T12345678.abc"
    with pytest.raises(dc.SignatureError, match="does not match"):
        verifier.verify_request("GET", path, signed)  # signed for shop.example, received on internal:8000
    assert verifier.verify_request("GET", path, signed, public_url="https://shop.example/").merchant_reference == "o-1"


def test_an_authentic_but_late_callback_is_told_apart_from_a_forged_one() -> None:
    url = "https://shop.example/cb?transaction_id=T12345678.abc&merchant_reference=o-1"
    late = sign_callback(url, timestamp=int(time.time()) - 3600)
    with pytest.raises(dc.SignatureError) as info:
        dc.verify_callback("GET", url, late, secret="emulator-signature-secret", account_id="T12345678")
    assert info.value.code == dc.SIGNATURE_EXPIRED == "signature_expired"
    assert info.value.is_authentic_but_late is True and info.value.authentic_but_late is True
    for timestamp in (int(time.time()), int(time.time()) - 3600):
        forged = sign_callback(url, secret="a-guess", timestamp=timestamp)
        with pytest.raises(dc.SignatureError) as info:
            dc.verify_callback("GET", url, forged, secret="emulator-signature-secret", account_id="T12345678")
        assert info.value.code == dc.SIGNATURE_MISMATCH
        assert info.value.is_authentic_but_late is False
    with pytest.raises(dc.SignatureError) as info:
        dc.verify_callback("GET", url, {}, secret="emulator-signature-secret", account_id="T12345678")
    assert info.value.code == dc.SIGNATURE_MISSING


# A module constant, not a local: the test's own frame must not hold the secret either.
LEAKY = "do-not-leak-7f3a9c"


def _formatted(exc: BaseException) -> str:
    return "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())


def _raised(call: Callable[[], object]) -> BaseException:
    """Runs ``call`` and returns what it raised; this frame holds no secret of its own."""
    try:
        call()
    except Exception as e:
        return e
    raise AssertionError("expected an exception")


def test_secrets_never_reach_traceback_locals() -> None:
    url = "https://shop.example/cb?transaction_id=T12345678.abc&merchant_reference=o-1"
    forged = sign_callback(url, secret="a-guess")
    e = _raised(lambda: dc.verify_callback("GET", url, forged, secret=LEAKY, account_id="T12345678"))
    assert isinstance(e, dc.SignatureError)
    text = _formatted(e)
    assert "secret = Secret('***')" in text, text
    assert LEAKY not in text
    calls: list[Callable[[], object]] = [
        lambda: dc.CallbackVerifier(LEAKY, "not-an-account"),
        lambda: dc.CallbackVerifier(LEAKY, "T12345678").verify("GET", url, forged),
        lambda: dc.Client("nope", "client-id", LEAKY),
        lambda: dc.Client("T12345678", "client-id", LEAKY, timeout=-1.0),
        lambda: dc.Client("T12345678", "client-id", LEAKY, base_url="not a url"),
        lambda: dc.Client("nope", "client-id", LEAKY, proxy="http://user:" + LEAKY + "@proxy.example:8080"),
        lambda: dc.AsyncClient("nope", "client-id", LEAKY),
        lambda: dc.verify_webhook(LEAKY, b"{}", "00"),
        lambda: dc.CallbackVerifier(LEAKY, "T12345678").verify_request("GET", "/cb?transaction_id=x", {"Host": "h"}),
        lambda: dc.compute_signature(LEAKY, "T12345678", "GET", "not a url", 1),
    ]
    for call in calls:
        e = _raised(call)
        assert isinstance(e, dc.DinteroError), repr(e)
        assert LEAKY not in _formatted(e)
    assert repr(dc.Secret(LEAKY)) == "Secret('***')" and LEAKY not in f"{dc.Secret(LEAKY)}"


def test_repr_never_raises_on_a_half_built_object() -> None:
    for cls in (dc.Client, dc.AsyncClient, dc.CallbackVerifier):
        text = repr(object.__new__(cls))
        assert cls.__name__ in text
