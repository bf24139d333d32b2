"""Shared fixtures: the emulator every test talks to, over real HTTP.

By default that is the package's own in-process ``testing.Emulator``. With
``DINTERO_EMULATOR_URL`` set (``scripts/python-test.sh`` does this for its second run), the
same tests run against a standalone ``dintero-emulator`` process, driven through its HTTP
control API.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Iterator
from typing import Any, Optional, Protocol, Union

import pytest

from dintero_checkout import AsyncClient, Client, RetryPolicy
from dintero_checkout.testing import CARD_APPROVE, CallbackDelivery, Emulator, PayOutcome
from dintero_checkout.types import SessionCreateParams

FAST_RETRY = RetryPolicy(max_attempts=4, initial_backoff=0.01, max_backoff=0.05, max_retry_after=5.0)
TESTDATA = os.path.join(os.path.dirname(__file__), "..", "..", "testdata")


class Backend(Protocol):
    """What the tests need from an emulator (in-process or standalone)."""

    @property
    def base_url(self) -> str: ...
    @property
    def account_id(self) -> str: ...
    @property
    def client_id(self) -> str: ...
    @property
    def client_secret(self) -> str: ...
    @property
    def signature_secret(self) -> Optional[str]: ...
    def client(self, **options: Any) -> Client: ...
    def async_client(self, **options: Any) -> AsyncClient: ...
    def pay(self, session_id: str, card_number: str = ...) -> PayOutcome: ...
    def cancel_payment(self, session_id: str) -> PayOutcome: ...
    def callbacks(self) -> list[CallbackDelivery]: ...
    def wait_for_callbacks(
        self, count: int = 1, *, timeout: float = 5.0, final: bool = True
    ) -> list[CallbackDelivery]: ...
    def inject_fault(
        self, route: str, fault: str, *, times: int = 1, retry_after: Optional[int] = None, ms: Optional[int] = None
    ) -> None: ...
    def request_count(self, route: str) -> int: ...
    def advance_clock(self, seconds: int) -> None: ...
    def reset(self) -> None: ...


class HttpEmulator:
    """A standalone ``dintero-emulator`` process, through ``/_emulator/``."""

    def __init__(self, base_url: str, account_id: str, client_id: str, client_secret: str, signature_secret: str):
        self.base_url = base_url.rstrip("/")
        self.account_id = account_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.signature_secret: Optional[str] = signature_secret

    def _call(self, method: str, path: str, body: Optional[dict[str, Any]] = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        req.add_header("content-type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    def client(self, **options: Any) -> Client:
        return Client(self.account_id, self.client_id, self.client_secret, base_url=self.base_url, **options)

    def async_client(self, **options: Any) -> AsyncClient:
        return AsyncClient(self.account_id, self.client_id, self.client_secret, base_url=self.base_url, **options)

    def pay(self, session_id: str, card_number: str = CARD_APPROVE) -> PayOutcome:
        return PayOutcome(self._call("POST", f"/_emulator/sessions/{session_id}/pay", {"card_number": card_number}))

    def cancel_payment(self, session_id: str) -> PayOutcome:
        return PayOutcome(self._call("POST", f"/_emulator/sessions/{session_id}/pay", {"cancel": True}))

    def callbacks(self) -> list[CallbackDelivery]:
        return [CallbackDelivery(d) for d in self._call("GET", "/_emulator/callbacks")]

    def wait_for_callbacks(self, count: int = 1, *, timeout: float = 5.0, final: bool = True) -> list[CallbackDelivery]:
        deadline = time.monotonic() + timeout
        while True:
            seen = self.callbacks()
            if len(seen) >= count and all(d.final if final else d.attempts > 0 for d in seen):
                return seen
            if time.monotonic() >= deadline:
                raise TimeoutError(f"expected {count} callback(s), saw {seen!r}")
            time.sleep(0.01)

    def inject_fault(
        self, route: str, fault: str, *, times: int = 1, retry_after: Optional[int] = None, ms: Optional[int] = None
    ) -> None:
        spec: dict[str, Any] = {"route": route, "fault": fault, "times": times}
        if retry_after is not None:
            spec["retry_after"] = retry_after
        if ms is not None:
            spec["ms"] = ms
        self._call("POST", "/_emulator/faults", spec)

    def request_count(self, route: str) -> int:
        counts = self._call("GET", "/_emulator/requests").get("counts", {})
        return int(counts.get(route, 0))

    def advance_clock(self, seconds: int) -> None:
        self._call("POST", "/_emulator/clock/advance", {"seconds": seconds})

    def reset(self) -> None:
        self._call("POST", "/_emulator/reset", {})


@pytest.fixture(scope="session")
def backend() -> Iterator[Union[Emulator, HttpEmulator]]:
    url = os.environ.get("DINTERO_EMULATOR_URL")
    if url:
        yield HttpEmulator(
            url,
            os.environ.get("DINTERO_EMULATOR_ACCOUNT_ID", "T12345678"),
            os.environ.get("DINTERO_EMULATOR_CLIENT_ID", "emulator-client-id"),
            os.environ.get("DINTERO_EMULATOR_CLIENT_SECRET", "emulator-client-secret"),
            os.environ.get("DINTERO_EMULATOR_SIGNATURE_SECRET", "emulator-signature-secret"),
        )
    else:
        with Emulator() as emu:
            yield emu


@pytest.fixture
def emu(backend: Backend) -> Backend:
    """The emulator, reset for this test."""
    backend.reset()
    return backend


@pytest.fixture
def client(emu: Backend) -> Client:
    return emu.client(retry=FAST_RETRY)


@pytest.fixture
def aclient(emu: Backend) -> AsyncClient:
    return emu.async_client(retry=FAST_RETRY)


_counter = iter(range(1, 1_000_000))


def session_payload(
    merchant_reference: Optional[str] = None,
    *,
    callback_url: str = "http://127.0.0.1:9/dintero/callback",
) -> SessionCreateParams:
    """The checkout of one chair (299.90) plus pick-up shipping (39.00): 338.90 NOK."""
    return {
        "url": {"return_url": "https://shop.example/return", "callback_url": callback_url},
        "order": {
            "amount": 33890,
            "currency": "NOK",
            "merchant_reference": merchant_reference or f"order-{next(_counter)}",
            "vat_amount": 6778,
            "items": [
                {
                    "line_id": "1",
                    "id": "chair",
                    "description": "Chair",
                    "quantity": 1,
                    "amount": 29990,
                    "vat": 25,
                    "vat_amount": 5998,
                }
            ],
            "shipping_option": {
                "id": "pickup",
                "line_id": "ship",
                "amount": 3900,
                "vat": 25,
                "vat_amount": 780,
                "title": "Pick-up",
                "operator": "",
            },
        },
        "profile_id": "default",
    }


def paid_transaction(client: Client, emu: Backend, merchant_reference: Optional[str] = None) -> str:
    """Creates a session, pays it with the approving card, returns the transaction id."""
    session = client.sessions.create(session_payload(merchant_reference))
    outcome = emu.pay(session.id)
    assert outcome.transaction_id is not None
    return outcome.transaction_id
