"""A local Dintero inside your test process.

>>> from dintero_checkout.testing import Emulator
>>> with Emulator() as emu:
...     client = emu.client()
...     session = client.sessions.create({...})
...     paid = emu.pay(session.id)               # the customer pays with a test card
...     tx = client.transactions.get(paid.transaction_id)

The emulator speaks Dintero's API over real HTTP on ``127.0.0.1`` (a free port), with the
hosted checkout page, test cards, signed callbacks and fault injection. With pytest, the
``dintero_emulator`` and ``dintero_client`` fixtures (see ``pytest_plugin``) are available as
soon as this package is installed.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any, Optional

from . import _native
from ._client import AsyncClient, Client
from ._models import Model

__all__ = [
    "Emulator",
    "PayOutcome",
    "CallbackDelivery",
    "CARDS",
    "CATALOG",
    "FAULTS",
    "FAULT_ROUTES",
    "CARD_APPROVE",
    "CARD_DECLINE",
    "CARD_CAPTURE_TIMEOUT",
    "CARD_REFUND_TIMEOUT",
    "CARD_VOID_TIMEOUT",
    "sign_callback",
]

#: What the emulator offers a test: its test cards, fault kinds and fault routes (the
#: emulator's own table, read through the native module; no list of our own).
CATALOG: dict[str, Any] = _native.emulator_catalog()
#: Test card numbers by name (``"approve"``, ``"decline"``, ``"capture_timeout"``, ...).
CARDS: dict[str, str] = {card["name"]: card["number"] for card in CATALOG["cards"]}
#: The fault kinds ``inject_fault`` takes.
FAULTS: tuple[str, ...] = tuple(fault["name"] for fault in CATALOG["faults"])
#: The routes a fault can target (``"*"`` is every route).
FAULT_ROUTES: tuple[str, ...] = tuple(CATALOG["fault_routes"])

#: The test card that approves (3-D Secure frictionless).
CARD_APPROVE = CARDS["approve"]
#: A test card that is declined.
CARD_DECLINE = CARDS["decline"]
#: Approves, but captures of it time out.
CARD_CAPTURE_TIMEOUT = CARDS["capture_timeout"]
#: Approves, but refunds of it time out.
CARD_REFUND_TIMEOUT = CARDS["refund_timeout"]
#: Approves, but voids of it time out.
CARD_VOID_TIMEOUT = CARDS["void_timeout"]


class PayOutcome(Model):
    """What paying (or cancelling) on the checkout page did."""

    __slots__ = ()
    _fields = ("transaction_id", "redirect_url")
    _shown = ("transaction_id", "redirect_url")

    @property
    def transaction_id(self) -> Optional[str]:
        """The transaction created (``None`` for declines and cancellations)."""
        v = self._data.get("transaction_id")
        return v if isinstance(v, str) else None

    @property
    def redirect_url(self) -> str:
        """Where the customer's browser goes: ``return_url`` plus Dintero's query."""
        return str(self._data.get("redirect_url", ""))


class CallbackDelivery(Model):
    """One callback the emulator sent (or is still retrying)."""

    __slots__ = ()
    _fields = (
        "id",
        "url",
        "method",
        "attempts",
        "last_status",
        "last_error",
        "delivered",
        "final",
        "headers",
        "body",
        "created_at",
    )
    _shown = ("url", "attempts", "last_status", "delivered")

    @property
    def id(self) -> str:
        return str(self._data.get("id", ""))

    @property
    def url(self) -> str:
        """The full URL called (your callback_url plus Dintero's query)."""
        return str(self._data.get("url", ""))

    @property
    def method(self) -> str:
        return str(self._data.get("method", "GET"))

    @property
    def attempts(self) -> int:
        return int(self._data.get("attempts", 0))

    @property
    def last_status(self) -> Optional[int]:
        v = self._data.get("last_status")
        return int(v) if v is not None else None

    @property
    def last_error(self) -> Optional[str]:
        v = self._data.get("last_error")
        return str(v) if v is not None else None

    @property
    def delivered(self) -> bool:
        return bool(self._data.get("delivered", False))

    @property
    def final(self) -> bool:
        """No more attempts will be made."""
        return bool(self._data.get("final", False))

    @property
    def headers(self) -> dict[str, str]:
        """Headers of the last attempt (``Dintero-Signature`` among them)."""
        return {str(k): str(v) for k, v in (self._data.get("headers") or {}).items()}

    @property
    def body(self) -> Optional[str]:
        v = self._data.get("body")
        return str(v) if v is not None else None


class Emulator:
    """A running in-process emulator; a context manager (sync or async) that stops it.

    ``fast=True`` (the default) uses test-speed timings (callback retries after 10 ms,
    timeout cards wait 200 ms). ``signature_secret=None`` starts without a callback secret.
    Not usable in a child process after ``fork()``: start one per process.
    """

    __slots__ = ("_native",)

    def __init__(
        self,
        *,
        account_id: Optional[str] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        signature_secret: Optional[str] = "emulator-signature-secret",
        token_ttl: Optional[float] = None,
        fast: bool = True,
        port: int = 0,
    ) -> None:
        self._native = _native.NativeEmulator(
            account_id=account_id,
            client_id=client_id,
            client_secret=client_secret,
            signature_secret=signature_secret,
            token_ttl=token_ttl,
            fast=fast,
            port=port,
        )

    # -- where and who

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``: pass it as ``base_url`` to a client."""
        return self._native.base_url

    @property
    def account_id(self) -> str:
        return self._native.account_id

    @property
    def client_id(self) -> str:
        return self._native.client_id

    @property
    def client_secret(self) -> str:
        """The test client secret the emulator accepts."""
        return self._native.client_secret

    @property
    def signature_secret(self) -> Optional[str]:
        """The secret callbacks are signed with (``None`` if there is none)."""
        return self._native.signature_secret

    def client(self, **options: Any) -> Client:
        """A ``Client`` for this emulator (``options`` as for ``Client``)."""
        return Client(self.account_id, self.client_id, self.client_secret, base_url=self.base_url, **options)

    def async_client(self, **options: Any) -> AsyncClient:
        """An ``AsyncClient`` for this emulator."""
        return AsyncClient(self.account_id, self.client_id, self.client_secret, base_url=self.base_url, **options)

    # -- the customer

    def pay(self, session_id: str, card_number: str = CARD_APPROVE) -> PayOutcome:
        """Pays a session with a test card, as the customer would on the checkout page."""
        return PayOutcome(self._native.pay(session_id, card_number).wait())

    async def pay_async(self, session_id: str, card_number: str = CARD_APPROVE) -> PayOutcome:
        """``pay`` without blocking the event loop (needed when your callback receiver runs
        on the same loop)."""
        return PayOutcome(await self._native.pay(session_id, card_number))

    def cancel_payment(self, session_id: str) -> PayOutcome:
        """Presses Cancel on the checkout page."""
        return PayOutcome(self._native.cancel_payment(session_id).wait())

    async def cancel_payment_async(self, session_id: str) -> PayOutcome:
        return PayOutcome(await self._native.cancel_payment(session_id))

    # -- what happened

    def callbacks(self) -> list[CallbackDelivery]:
        """Every callback delivery so far, oldest first."""
        return [CallbackDelivery(d) for d in self._native.callbacks()]

    def wait_for_callbacks(self, count: int = 1, *, timeout: float = 5.0, final: bool = True) -> list[CallbackDelivery]:
        """Waits until at least ``count`` deliveries exist and each was attempted at least
        once (with ``final``: is done retrying); returns them. Raises ``TimeoutError``."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.callbacks()
            if len(seen) >= count and all(d.final if final else d.attempts > 0 for d in seen):
                return seen
            if time.monotonic() >= deadline:
                raise TimeoutError(f"expected {count} callback(s) within {timeout} s, saw {len(seen)}: {seen!r}")
            time.sleep(0.01)

    def request_count(self, route: str) -> int:
        """Requests seen on a route: ``token``, ``create_session``, ``capture``, ..."""
        return self._native.request_count(route)

    # -- making things go wrong

    def inject_fault(
        self,
        route: str,
        fault: str,
        *,
        times: int = 1,
        retry_after: Optional[int] = None,
        ms: Optional[int] = None,
    ) -> None:
        """Arms a fault for the next ``times`` requests on ``route`` (one of ``FAULT_ROUTES``).
        ``fault`` is one of ``FAULTS`` (``status_429`` takes ``retry_after`` seconds, ``delay``
        takes ``ms``)."""
        self._native.inject_fault(route, fault, times=times, retry_after=retry_after, ms=ms)

    def advance_clock(self, seconds: int) -> None:
        """Moves the emulator's clock forward (token and session expiry)."""
        self._native.advance_clock(seconds)

    def reset(self) -> None:
        """Forgets sessions, transactions, tokens, callbacks, faults, counters and the clock."""
        self._native.reset()

    # -- lifecycle

    @property
    def closed(self) -> bool:
        return self._native.closed

    def close(self) -> None:
        """Stops the server (idempotent)."""
        self._native.close()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    async def __aenter__(self) -> Emulator:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return repr(self._native)


def sign_callback(
    url: str,
    *,
    secret: str = "emulator-signature-secret",
    account_id: str = "T12345678",
    method: str = "GET",
    timestamp: Optional[int] = None,
) -> dict[str, str]:
    """The headers Dintero would send with a callback to ``url``: ``{"Dintero-Signature": ...}``.
    Use it to test your callback receiver without a payment."""
    ts = int(time.time()) if timestamp is None else timestamp
    return {"Dintero-Signature": _native.signature_header(secret, account_id, method, url, ts)}
