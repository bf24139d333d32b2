"""Every error kind reaches Python as its own exception class, with status, code, request id."""

from __future__ import annotations

import builtins
import pickle
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

import pytest

import dintero_checkout as dc
from conftest import Backend, paid_transaction, session_payload
from dintero_checkout import Client, RetryPolicy, _native

SECRET = "emulator-client-secret"


def test_table_matches_core_kinds() -> None:
    assert list(dc.ERROR_CLASSES) == _native.error_kinds()
    for kind, cls in dc.ERROR_CLASSES.items():
        assert issubclass(cls, dc.DinteroError) and cls.kind == kind
        assert not hasattr(builtins, cls.__name__), f"{cls.__name__} shadows a builtin"
        assert getattr(dc, cls.__name__) is cls


def test_errors_pickle_with_their_fields() -> None:
    err = dc.NotFoundError("gone", kind="not_found", status=404, code="NOT_FOUND", request_id="r-1")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is dc.NotFoundError
    assert (back.kind, back.message, back.status, back.code, back.request_id) == (
        "not_found",
        "gone",
        404,
        "NOT_FOUND",
        "r-1",
    )
    assert str(back) == "not_found: gone (status 404, code NOT_FOUND, request id r-1)"

    unknown = dc.NetworkError("cut", kind="network", reference="ref-1", outcome_unknown=True)
    back = pickle.loads(pickle.dumps(unknown))
    assert type(back) is dc.NetworkError
    assert (back.reference, back.outcome_unknown) == ("ref-1", True)
    assert str(back) == "network: cut (reference ref-1, outcome unknown)"


def test_invalid_input(client: Client) -> None:
    with pytest.raises(dc.InvalidInputError) as info:
        client.transactions.get("")
    assert info.value.kind == "invalid_input"


def test_authentication_error_hides_the_secret(emu: Backend) -> None:
    wrong = dc.Client(emu.account_id, emu.client_id, "not-the-secret-xyz", base_url=emu.base_url)
    with pytest.raises(dc.AuthenticationError) as info:
        wrong.transactions.get("T12345678.abc")
    err = info.value
    assert (err.kind, err.status) == ("authentication", 401)
    for text in (str(err), repr(err), err.message, repr(err.args)):
        assert "not-the-secret-xyz" not in text


class _Forbidden(BaseHTTPRequestHandler):
    """The emulator has no 403 fault; this stand-in answers every request with Dintero's
    403 body, over real HTTP."""

    def do_POST(self) -> None:
        self._deny()

    def do_GET(self) -> None:
        self._deny()

    def _deny(self) -> None:
        body = b'{"error": {"code": "FORBIDDEN", "message": "missing scope write:checkout"}}'
        self.send_response(403)
        self.send_header("content-type", "application/json")
        self.send_header("request-id", "req-403")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def forbidden_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Forbidden)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_permission_denied(forbidden_url: str) -> None:
    client = dc.Client("T12345678", "id", SECRET, base_url=forbidden_url)
    with pytest.raises(dc.PermissionDeniedError) as info:
        client.authenticate()
    assert (info.value.kind, info.value.status, info.value.code) == ("permission", 403, "FORBIDDEN")
    assert info.value.request_id == "req-403"


def test_not_found(client: Client) -> None:
    with pytest.raises(dc.NotFoundError) as info:
        client.transactions.get("T12345678.missing")
    assert (info.value.status, info.value.kind) == (404, "not_found")
    assert info.value.request_id and not info.value.is_transient


def test_conflict(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    client.transactions.void(tx_id)
    with pytest.raises(dc.ConflictError) as info:
        client.transactions.extend_authorization(tx_id, {"amount": 100})
    assert info.value.status == 409 and not info.value.is_transient


def test_rate_limited(emu: Backend) -> None:
    client = emu.client(retry=RetryPolicy(max_attempts=2, initial_backoff=0.01, max_backoff=0.01))
    emu.inject_fault("get_session", "status_429", times=5, retry_after=0)
    with pytest.raises(dc.RateLimitedError) as info:
        client.sessions.get("T12345678.any")
    assert (info.value.status, info.value.kind) == (429, "rate_limited")
    assert emu.request_count("get_session") == 2


def test_server_error_after_retries(emu: Backend) -> None:
    client = emu.client(retry=RetryPolicy(max_attempts=3, initial_backoff=0.01, max_backoff=0.01))
    emu.inject_fault("get_transaction", "status_503", times=10)
    with pytest.raises(dc.ServerError) as info:
        client.transactions.get("T12345678.any")
    assert info.value.status == 503 and info.value.is_transient
    assert emu.request_count("get_transaction") == 3


def test_network_error() -> None:
    # Nothing listens on port 9 (discard) of the loopback in the test environment.
    client = dc.Client("T12345678", "id", SECRET, base_url="http://127.0.0.1:9", retry=RetryPolicy.none())
    with pytest.raises(dc.NetworkError) as info:
        client.authenticate()
    assert info.value.kind == "network" and info.value.status is None and info.value.is_transient


def test_network_error_on_reset(emu: Backend) -> None:
    client = emu.client(retry=RetryPolicy.none())
    client.authenticate()
    emu.inject_fault("get_session", "reset_before_apply")
    with pytest.raises(dc.NetworkError):
        client.sessions.get("T12345678.any")


def test_timeout(emu: Backend) -> None:
    client = emu.client(timeout=0.2, retry=RetryPolicy.none())
    client.authenticate()
    emu.inject_fault("get_transaction", "delay", ms=1500)
    with pytest.raises(dc.RequestTimeoutError) as info:
        client.transactions.get("T12345678.any")
    assert info.value.kind == "timeout"


def test_decode(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    emu.inject_fault("get_transaction", "malformed_json", times=10)
    with pytest.raises(dc.DecodeError) as info:
        client.transactions.get(tx_id)
    assert info.value.kind == "decode"


def test_signature() -> None:
    url = "https://shop.example/cb?transaction_id=T12345678.abc&merchant_reference=o-1"
    with pytest.raises(dc.SignatureError) as info:
        dc.verify_callback(
            "GET", url, {"Dintero-Signature": "t=1,v0-hmac-sha256=00"}, secret="s", account_id="T12345678"
        )
    assert info.value.kind == "signature"
    with pytest.raises(dc.SignatureError, match="missing"):
        dc.verify_callback("GET", url, {}, secret="s", account_id="T12345678")


def test_every_kind_is_covered() -> None:
    # Each test above raises one kind; keep this list in step with the core.
    covered = {
        "invalid_input",
        "authentication",
        "permission",
        "not_found",
        "conflict",
        "rate_limited",
        "server",
        "network",
        "timeout",
        "decode",
        "signature",
    }
    assert covered == set(_native.error_kinds())


def test_conversion_errors_are_invalid_input_naming_the_parameter(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    cases: list[tuple[str, Callable[[], object]]] = [
        (
            "request.amount: 1.5 is not a whole number",
            lambda: client.transactions.extend_authorization(tx_id, cast(Any, {"amount": 1.5})),
        ),
        (
            "request.items: invalid type: integer `5`",
            lambda: client.transactions.capture(tx_id, cast(Any, {"amount": 100, "items": 5})),
        ),
        ("request: missing field `amount`", lambda: client.transactions.refund(tx_id, cast(Any, {}))),
        ("filter.limit: invalid value: integer `-1`", lambda: list(client.transactions.list({"limit": -1}))),
        ("filter.limit: invalid type: string", lambda: list(client.transactions.list(cast(Any, {"limit": "ten"})))),
        ("transaction_id: is not valid text", lambda: client.transactions.get("T12345678.\udc80")),
        ("transaction_id: invalid type: integer `5`", lambda: client.transactions.get(5)),  # type: ignore[arg-type]
        ("session_id: is not valid text", lambda: client.sessions.get("\ud800")),
        ("includes: invalid type: string", lambda: client.transactions.get(tx_id, "session")),
        ("timeout: must be zero or a positive number", lambda: client.wait_for_payment("T12345678.x", timeout=-1)),
        ("retry.max_attempts: invalid value: integer `-1`", lambda: emu.client(retry=RetryPolicy(max_attempts=-1))),
        ("retry.max_attempts: invalid type: floating point", lambda: emu.client(retry=RetryPolicy(max_attempts=1.5))),  # type: ignore[arg-type]
        ("callback.params: invalid type", lambda: client.callbacks.confirm({"params": 5})),
        ("headers: invalid type", lambda: dc.request_url("/cb", 5)),  # type: ignore[arg-type]
    ]
    for expected, call in cases:
        with pytest.raises(dc.InvalidInputError) as info:
            call()
        assert info.value.kind == "invalid_input"
        assert expected in info.value.message, (expected, info.value.message)
    assert emu.request_count("capture") == emu.request_count("refund") == 0


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda p: p["order"].__setitem__("amount", "33890"), "request.order.amount: invalid type: string"),
        (lambda p: p["order"].__setitem__("currency", 578), "request.order.currency: invalid type: integer"),
        (lambda p: p.pop("url"), "request: missing field `url`"),
        (
            lambda p: p["order"]["items"][0].__setitem__("amount", object()),
            "request.order.items[0].amount: expected a dict",
        ),
        (
            lambda p: p["order"]["items"][0].__setitem__("vat", float("nan")),
            "request.order.items[0].vat: NaN is not a finite",
        ),
        (lambda p: p["order"].__setitem__("items", [{1: "x"}]), "request.order.items[0]: keys must be str"),
        (lambda p: p.__setitem__("order", 42), "request.order: invalid type: integer `42`"),
    ],
)
def test_a_session_request_is_refused_naming_the_field(client: Client, emu: Backend, mutate: Any, field: str) -> None:
    payload: Any = session_payload()
    mutate(payload)
    with pytest.raises(dc.InvalidInputError) as info:
        client.sessions.create(payload)
    assert field in str(info.value)
    assert emu.request_count("create_session") == 0
