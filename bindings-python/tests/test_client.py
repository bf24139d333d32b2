"""Client configuration, secrets kept out of every repr, response objects."""

from __future__ import annotations

import inspect
import pickle

import pytest

import dintero_checkout as dc
from conftest import Backend, paid_transaction, session_payload
from dintero_checkout import Client, RetryPolicy
from dintero_checkout.testing import Emulator

SECRET = "super-secret-client-secret-123"


def test_repr_never_shows_a_secret() -> None:
    for cls in (dc.Client, dc.AsyncClient):
        client = cls(
            "T12345678",
            "my-client",
            SECRET,
            base_url="http://127.0.0.1:1",
            proxy="http://user:pw-secret@127.0.0.1:3128",
        )
        for text in (
            repr(client),
            str(client),
            repr(object.__getattribute__(client, "_native")),
            repr(client.sessions),
            repr(client.transactions),
        ):
            assert SECRET not in text and "pw-secret" not in text
        assert "T12345678" in repr(client) and "my-client" in repr(client)
        assert not hasattr(client, "__dict__"), "no attribute can hold the secret"
        assert all(SECRET not in repr(getattr(client, name, "")) for name in dir(client) if not name.startswith("__"))
        with pytest.raises(TypeError):
            pickle.dumps(client)
    assert repr(RetryPolicy(max_attempts=2)) == (
        "RetryPolicy(max_attempts=2, initial_backoff=None, max_backoff=None, max_retry_after=None)"
    )


def test_emulator_repr_hides_its_secrets() -> None:
    with Emulator(client_secret="emu-secret-abc", signature_secret="sig-secret-def") as emu:
        assert "emu-secret-abc" not in repr(emu) and "sig-secret-def" not in repr(emu)
        assert emu.client_secret == "emu-secret-abc" and emu.signature_secret == "sig-secret-def"
        assert emu.base_url in repr(emu)


def test_configuration_is_checked() -> None:
    with pytest.raises(dc.InvalidInputError, match="account_id"):
        dc.Client("12345678", "id", "secret")
    with pytest.raises(dc.InvalidInputError, match="client_secret"):
        dc.Client("T12345678", "id", "")
    with pytest.raises(dc.InvalidInputError, match="http://"):
        dc.Client("T12345678", "id", "secret", base_url="http://api.example.com")
    with pytest.raises(dc.InvalidInputError, match="timeout"):
        dc.Client("T12345678", "id", "secret", timeout=-1)
    with pytest.raises(dc.InvalidInputError, match="max_attempts"):
        dc.Client("T12345678", "id", "secret", retry=RetryPolicy(max_attempts=0))
    with pytest.raises(dc.InvalidInputError, match="system_name"):
        dc.Client("T12345678", "id", "secret", system_name="caf\u00e9\n")
    with pytest.raises(TypeError):
        dc.Client("T12345678", "id", None)  # type: ignore[arg-type]


def test_defaults_point_at_dintero() -> None:
    client = dc.Client("P12345678", "id", "secret")
    assert client.base_url == "https://checkout.dintero.com"
    assert (client.account_id, client.client_id) == ("P12345678", "id")


def test_from_env(monkeypatch: pytest.MonkeyPatch, emu: Backend) -> None:
    monkeypatch.setenv("DINTERO_ACCOUNT_ID", emu.account_id)
    monkeypatch.setenv("DINTERO_CLIENT_ID", emu.client_id)
    monkeypatch.setenv("DINTERO_CLIENT_SECRET", emu.client_secret)
    monkeypatch.setenv("DINTERO_BASE_URL", emu.base_url)
    client = dc.Client.from_env()
    client.authenticate()
    assert client.token_requests == 1
    assert dc.AsyncClient.from_env().base_url == emu.base_url
    monkeypatch.delenv("DINTERO_CLIENT_SECRET")
    with pytest.raises(KeyError, match="DINTERO_CLIENT_SECRET"):
        dc.Client.from_env()


def test_unset_options_are_the_cores_defaults() -> None:
    d = dc.defaults()
    assert isinstance(d, dc.Defaults) and d.timeout_ms > 0 and d.retry_max_attempts >= 1
    assert dc.CallbackVerifier("s", "T12345678").tolerance == d.signature_tolerance_seconds
    assert dc.CallbackVerifier("s", "T12345678", 12.5).tolerance == 12.5
    for params in (inspect.signature(dc.Client).parameters, inspect.signature(dc.RetryPolicy).parameters):
        assert all(p.default is None for p in params.values() if p.default is not inspect.Parameter.empty)


def test_models(client: Client, emu: Backend) -> None:
    tx = client.transactions.get(paid_transaction(client, emu))
    same = client.transactions.get(tx.id)
    # Two reads are two answers: equal but for the request id each carries.
    assert tx.request_id and same.request_id and tx.request_id != same.request_id
    assert tx == dc.Transaction({**same.to_dict(), "request_id": tx.request_id}) and tx is not same
    with pytest.raises(TypeError):
        hash(tx)
    assert tx.get("nope", 5) == 5
    with pytest.raises(KeyError):
        tx["nope"]
    with pytest.raises(TypeError):
        dc.Transaction([])  # type: ignore[arg-type]
    # a field Dintero adds tomorrow is kept
    future = dc.Transaction({**tx.to_dict(), "status": "SOMETHING_NEW", "brand_new": {"x": 1}})
    assert future.status == "SOMETHING_NEW" and future.extra["brand_new"] == {"x": 1}
    assert "card" in tx.extra and "status" not in tx.extra
    assert isinstance(tx.events[0], dc.TransactionEvent) and tx.events[-1].event == "AUTHORIZE"
    # the rules are the core's: the same dict, judged by the native function
    assert tx.is_paid() and not dc.Transaction({**tx.to_dict(), "status": "DECLINED"}).is_paid()
    assert future.to_dict()["brand_new"] == {"x": 1}
    # and round-trips into a request (models are accepted where dicts are)
    session = client.sessions.get(client.sessions.create(session_payload()).id)
    assert session.order is not None
    updated = client.sessions.update(session.id, {"order": session.order}, True)  # type: ignore[typeddict-item]
    assert updated.order == session.order
