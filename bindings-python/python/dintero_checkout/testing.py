"""A local Dintero for your tests: the ``dintero-emulator`` program, started and stopped for you.

>>> from dintero_checkout.testing import Emulator
>>> with Emulator() as emu:
...     client = emu.client()
...     session = client.sessions.create({...})
...     paid = emu.pay(session.id)               # the customer pays with a test card
...     tx = client.transactions.get(paid.transaction_id)

The emulator speaks Dintero's API over real HTTP on ``127.0.0.1`` (a free port), with the
hosted checkout page, test cards, signed callbacks and fault injection. It is a separate
program, shipped in the ``dintero-emulator`` distribution (``pip install
"dintero-checkout[testing]"``) so that production installs do not carry it. ``Emulator`` runs
it as a child process and drives it through its control API (``/_emulator/...``). The program
is looked for in ``DINTERO_EMULATOR_BIN``, then in the installed ``dintero_emulator`` package,
then on ``PATH``.

With pytest, the ``dintero_emulator`` and ``dintero_client`` fixtures (see ``pytest_plugin``)
are available as soon as this package is installed. ``sign_callback`` needs no emulator.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import weakref
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Optional

from . import _native
from ._client import AsyncClient, Client
from ._error_classes import ConflictError, InvalidInputError, NetworkError, NotFoundError, ServerError
from ._errors import DinteroError
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

#: The environment variable naming the ``dintero-emulator`` program to run.
EMULATOR_BIN_ENV = "DINTERO_EMULATOR_BIN"
_INSTALL_HINT = (
    'install it with `pip install "dintero-checkout[testing]"`, or set DINTERO_EMULATOR_BIN to '
    "the path of a dintero-emulator program"
)
#: How long the program may take to print its start lines.
_START_TIMEOUT = 30.0
#: How long ``close`` waits for the program to stop before killing it.
_STOP_TIMEOUT = 5.0


def _emulator_binary() -> str:
    """The ``dintero-emulator`` program: ``DINTERO_EMULATOR_BIN``, then the ``dintero_emulator``
    package, then ``PATH``. Raises ``FileNotFoundError`` naming the ways to provide it."""
    configured = os.environ.get(EMULATOR_BIN_ENV)
    if configured:
        if os.path.isfile(configured) and os.access(configured, os.X_OK):
            return configured
        raise FileNotFoundError(
            f"{EMULATOR_BIN_ENV}={configured!r} is not an executable file; point it at a dintero-emulator "
            'program, or unset it and `pip install "dintero-checkout[testing]"`'
        )
    try:
        import dintero_emulator  # the `testing` extra's distribution
    except ImportError:
        pass
    else:
        found = dintero_emulator.binary_path()
        if found is not None:
            return found
    on_path = shutil.which("dintero-emulator")
    if on_path:
        return on_path
    raise FileNotFoundError(f"the dintero-emulator program was not found: {_INSTALL_HINT}")


_catalog: Optional[dict[str, Any]] = None


def _read_catalog() -> dict[str, Any]:
    global _catalog
    if _catalog is None:
        out = subprocess.run(
            [_emulator_binary(), "--catalog"], stdin=subprocess.DEVNULL, capture_output=True, timeout=60, check=False
        )
        if out.returncode != 0:
            raise RuntimeError(f"dintero-emulator --catalog failed: {out.stderr.decode(errors='replace').strip()}")
        _catalog = json.loads(out.stdout)
    return _catalog


# The catalog's names are read from the program on first use (PEP 562), so that importing this
# module, and `sign_callback`, work without the emulator installed.
if TYPE_CHECKING:
    #: What the emulator offers a test: its test cards, fault kinds and fault routes (the
    #: emulator's own table, from ``dintero-emulator --catalog``; no list of our own).
    CATALOG: dict[str, Any]
    #: Test card numbers by name (``"approve"``, ``"decline"``, ``"capture_timeout"``, ...).
    CARDS: dict[str, str]
    #: The fault kinds ``inject_fault`` takes.
    FAULTS: tuple[str, ...]
    #: The routes a fault can target (``"*"`` is every route).
    FAULT_ROUTES: tuple[str, ...]
    #: The test card that approves (3-D Secure frictionless).
    CARD_APPROVE: str
    #: A test card that is declined.
    CARD_DECLINE: str
    #: Approves, but captures of it time out.
    CARD_CAPTURE_TIMEOUT: str
    #: Approves, but refunds of it time out.
    CARD_REFUND_TIMEOUT: str
    #: Approves, but voids of it time out.
    CARD_VOID_TIMEOUT: str

_CARD_CONSTANTS = {
    "CARD_APPROVE": "approve",
    "CARD_DECLINE": "decline",
    "CARD_CAPTURE_TIMEOUT": "capture_timeout",
    "CARD_REFUND_TIMEOUT": "refund_timeout",
    "CARD_VOID_TIMEOUT": "void_timeout",
}


_CATALOG_NAMES = ("CATALOG", "CARDS", "FAULTS", "FAULT_ROUTES", *_CARD_CONSTANTS)


def _catalog_values() -> dict[str, Any]:
    """Every catalog name of this module, from ``dintero-emulator --catalog`` (read once)."""
    catalog = _read_catalog()
    cards = {card["name"]: card["number"] for card in catalog["cards"]}
    values: dict[str, Any] = {
        "CATALOG": catalog,
        "CARDS": cards,
        "FAULTS": tuple(fault["name"] for fault in catalog["faults"]),
        "FAULT_ROUTES": tuple(catalog["fault_routes"]),
    }
    values.update({const: cards[card] for const, card in _CARD_CONSTANTS.items()})
    return values


def __getattr__(name: str) -> Any:
    if name not in _CATALOG_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    values = _catalog_values()
    globals().update(values)  # later lookups find them directly
    return values[name]


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


class _Process:
    """The running program, kept apart from ``Emulator`` so that ``weakref.finalize`` can stop
    it (on ``close``, garbage collection or interpreter exit) without keeping the emulator alive."""

    def __init__(self, args: list[str]) -> None:
        self.owner = os.getpid()
        self.stderr: IO[bytes] = tempfile.TemporaryFile()
        # stdin stays an open pipe: the program exits when it closes (--exit-on-stdin-eof),
        # which happens at the latest when this process dies, however it dies.
        self.popen = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, close_fds=True
        )
        self.started = threading.Event()
        self.lines: dict[str, str] = {}
        threading.Thread(target=self._read_stdout, name="dintero-emulator-stdout", daemon=True).start()

    def _read_stdout(self) -> None:
        # The start lines (`key=value`, `dashboard=` last), then anything else is drained so the
        # program never blocks on a full pipe.
        stdout = self.popen.stdout
        assert stdout is not None
        for raw in stdout:
            if not self.started.is_set():
                key, _, value = raw.decode(errors="replace").rstrip("\r\n").partition("=")
                self.lines[key] = value
                if key == "dashboard":
                    self.started.set()
        self.started.set()  # the end of output: the program has stopped

    def error_output(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace").strip()

    def stop(self) -> None:
        if os.getpid() != self.owner:  # a fork()ed child's copy: the parent owns the program
            return
        try:
            if self.popen.stdin is not None:
                self.popen.stdin.close()
            try:
                self.popen.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        finally:
            if self.popen.stdout is not None:
                self.popen.stdout.close()


def _control_error(status: int, body: bytes) -> DinteroError:
    """The exception for an error answer of the control API (Dintero's error body)."""
    try:
        message = str(json.loads(body)["error"]["message"])
    except (ValueError, KeyError, TypeError):
        message = body.decode(errors="replace").strip() or f"HTTP {status}"
    cls = {400: InvalidInputError, 404: NotFoundError, 409: ConflictError, 422: InvalidInputError}.get(
        status, ServerError
    )
    return cls(f"emulator: {message}", status=status)


class Emulator:
    """A running emulator; a context manager (sync or async) that stops it.

    ``fast=True`` (the default) uses test-speed timings (callback retries after 10 ms,
    timeout cards wait 200 ms). ``signature_secret=None`` starts without a callback secret.
    ``token_ttl`` is whole seconds. Raises ``FileNotFoundError`` when the ``dintero-emulator``
    program cannot be found and ``InvalidInputError`` for a setting it refuses.
    """

    __slots__ = (
        "__weakref__",
        "_account_id",
        "_base_url",
        "_client_id",
        "_client_secret",
        "_opener",
        "_process",
        "_signature_secret",
        "_stop",
    )

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
        args = [_emulator_binary(), "--listen", f"127.0.0.1:{int(port)}", "--quiet", "--exit-on-stdin-eof"]
        for flag, value in (("--account", account_id), ("--client-id", client_id), ("--client-secret", client_secret)):
            if value is not None:
                args += [flag, value]
        args += ["--signature-secret", signature_secret or ""]
        if token_ttl is not None:
            if token_ttl != int(token_ttl):
                raise InvalidInputError(f"token_ttl: {token_ttl} is not a whole number of seconds")
            args += ["--token-ttl", str(int(token_ttl))]
        if fast:
            args += ["--test-timings"]  # the emulator's own test-speed values
        process = _Process(args)
        self._stop = weakref.finalize(self, process.stop)
        if not process.started.wait(_START_TIMEOUT) or "base_url" not in process.lines:
            self._stop()
            message = process.error_output() or f"no start lines within {_START_TIMEOUT:g} s"
            if process.popen.returncode == 2:  # a setting the program refused (its usage error)
                raise InvalidInputError(message.removeprefix("dintero-emulator: "))
            raise NetworkError(f"dintero-emulator ({args[0]}) did not start: {message}")
        self._process = process
        lines = process.lines
        self._base_url = lines["base_url"]
        self._account_id = lines["account_id"]
        self._client_id = lines["client_id"]
        self._client_secret = lines["client_secret"]
        self._signature_secret = lines.get("signature_secret") or None
        # Loopback only: never through a proxy from the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    # -- where and who

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``: pass it as ``base_url`` to a client."""
        return self._base_url

    @property
    def account_id(self) -> str:
        return self._account_id

    @property
    def client_id(self) -> str:
        return self._client_id

    @property
    def client_secret(self) -> str:
        """The test client secret the emulator accepts."""
        return self._client_secret

    @property
    def signature_secret(self) -> Optional[str]:
        """The secret callbacks are signed with (``None`` if there is none)."""
        return self._signature_secret

    @property
    def pid(self) -> int:
        """The process id of the running ``dintero-emulator`` program."""
        return self._process.popen.pid

    def client(self, **options: Any) -> Client:
        """A ``Client`` for this emulator (``options`` as for ``Client``)."""
        return Client(self.account_id, self.client_id, self.client_secret, base_url=self.base_url, **options)

    def async_client(self, **options: Any) -> AsyncClient:
        """An ``AsyncClient`` for this emulator."""
        return AsyncClient(self.account_id, self.client_id, self.client_secret, base_url=self.base_url, **options)

    def _call(self, method: str, path: str, body: Optional[dict[str, Any]] = None) -> Any:
        if self.closed:
            raise InvalidInputError("emulator: it has been closed")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self._base_url + path, data=data, method=method)
        request.add_header("content-type", "application/json")
        try:
            with self._opener.open(request, timeout=120) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as e:
            raise _control_error(e.code, e.read()) from None
        except OSError as e:
            raise NetworkError(f"emulator: {method} {path}: {e}") from None

    # -- the customer

    def pay(self, session_id: str, card_number: Optional[str] = None) -> PayOutcome:
        """Pays a session with a test card (``CARD_APPROVE`` when not given), as the customer
        would on the checkout page."""
        card = card_number if card_number is not None else _catalog_values()["CARD_APPROVE"]
        return PayOutcome(self._call("POST", f"/_emulator/sessions/{session_id}/pay", {"card_number": card}))

    async def pay_async(self, session_id: str, card_number: Optional[str] = None) -> PayOutcome:
        """``pay`` without blocking the event loop (needed when your callback receiver runs
        on the same loop)."""
        return await asyncio.get_running_loop().run_in_executor(None, self.pay, session_id, card_number)

    def cancel_payment(self, session_id: str) -> PayOutcome:
        """Presses Cancel on the checkout page."""
        return PayOutcome(self._call("POST", f"/_emulator/sessions/{session_id}/pay", {"cancel": True}))

    async def cancel_payment_async(self, session_id: str) -> PayOutcome:
        return await asyncio.get_running_loop().run_in_executor(None, self.cancel_payment, session_id)

    # -- what happened

    def callbacks(self) -> list[CallbackDelivery]:
        """Every callback delivery so far, oldest first."""
        return [CallbackDelivery(d) for d in self._call("GET", "/_emulator/callbacks")]

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
        counts = self._call("GET", "/_emulator/requests").get("counts", {})
        return int(counts.get(route, 0))

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
        spec: dict[str, Any] = {"route": route, "fault": fault, "times": times}
        if retry_after is not None:
            spec["retry_after"] = retry_after
        if ms is not None:
            spec["ms"] = ms
        self._call("POST", "/_emulator/faults", spec)

    def advance_clock(self, seconds: int) -> None:
        """Moves the emulator's clock forward (token and session expiry)."""
        self._call("POST", "/_emulator/clock/advance", {"seconds": seconds})

    def reset(self) -> None:
        """Forgets sessions, transactions, tokens, callbacks, faults, counters and the clock."""
        self._call("POST", "/_emulator/reset", {})

    # -- lifecycle

    @property
    def closed(self) -> bool:
        return not self._stop.alive

    def close(self) -> None:
        """Stops the program (idempotent)."""
        self._stop()

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
        return (
            f"Emulator(base_url={self._base_url!r}, account_id={self._account_id!r}, client_id={self._client_id!r}, "
            "client_secret=***, signature_secret=***)"
        )


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
