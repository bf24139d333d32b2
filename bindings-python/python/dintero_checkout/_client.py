"""``Client`` (blocking) and ``AsyncClient`` (asyncio): one definition of each operation.

Each operation calls its native entry (which converts the arguments) and hands the pending
call it returns to ``self._run``: ``Client`` waits for it with the GIL released, ``AsyncClient``
and the ``Async*`` parts (which differ only in ``_run``) await it. ``_client.pyi``, generated
from this file by ``scripts/gen-models.py``, types both flavours. Unset options stay ``None``:
the core applies its defaults.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Optional, Union

from . import _native
from ._callbacks import CallbackVerifier, HeadersLike, _pairs
from ._models import (
    Callback,
    CallbackReceipt,
    ConfirmedCallback,
    Operation,
    RequestEvent,
    Session,
    SessionCreated,
    TokenInfo,
    Transaction,
)
from ._secret import Secret

if TYPE_CHECKING:
    from typing_extensions import Self

    from .types import (
        CaptureRequestParams,
        ExtendAuthorizationRequestParams,
        ListTransactionsParams,
        RefundRequestParams,
        SessionRequestParams,
        SessionUpdateParams,
    )

__all__ = [
    "AsyncCallbacks",
    "AsyncClient",
    "AsyncSessions",
    "AsyncTransactionList",
    "AsyncTransactions",
    "Callbacks",
    "Client",
    "RetryPolicy",
    "Sessions",
    "TransactionList",
    "Transactions",
]


#: Where every client logs: one debug line per request attempt (method, path, status, attempt,
#: duration, request id), retries, token fetches and reconciliation at info. The fields are also
#: in each record's ``extra`` (``record.status``, ``record.request_id``, ...). Never a secret.
_log = logging.getLogger("dintero_checkout")


def _observer(on_request: Callable[[RequestEvent], object]) -> Callable[[dict[str, Any]], None]:
    """``on_request`` as the native client calls it: with a ``RequestEvent``, and never letting
    what it raises reach the request (it is logged at warning instead)."""

    def observe(event: dict[str, Any]) -> None:
        try:
            on_request(RequestEvent(event))
        except Exception as e:
            _log.warning("the on_request observer raised %s; the request goes on", type(e).__name__, exc_info=True)

    return observe


def _wait(pending: Any, wrap: Callable[[Any], Any]) -> Any:
    return wrap(pending.wait())


async def _await(pending: Any, wrap: Callable[[Any], Any]) -> Any:
    return wrap(await pending)


class RetryPolicy(NamedTuple):
    """How failed requests are retried: jittered exponential backoff, ``Retry-After`` honoured.

    ``max_attempts`` counts the first attempt (1 = no retries); times are seconds. A value left
    ``None`` is the core's default (``defaults().retry_*``).
    """

    max_attempts: Optional[int] = None
    initial_backoff: Optional[float] = None
    max_backoff: Optional[float] = None
    max_retry_after: Optional[float] = None

    @classmethod
    def none(cls) -> RetryPolicy:
        """No retries at all."""
        return cls(max_attempts=1)


class _Part:
    __slots__ = ("_native",)
    _run: Callable[..., Any] = staticmethod(_wait)

    def __init__(self, native: _native.NativeClient) -> None:
        self._native = native

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class _Listing:
    __slots__ = ("_filter", "_native")

    def __init__(self, native: _native.NativeClient, filter: Optional[ListTransactionsParams]) -> None:
        self._native = native
        self._filter = filter


class TransactionList(_Listing):
    """A transaction query. Iterating walks every page; each iteration starts afresh."""

    __slots__ = ()

    def pages(self) -> Iterator[list[Transaction]]:
        """One list per page."""
        pager = self._native.list_transactions(self._filter)
        while (page := pager.next_page().wait()) is not None:
            yield [Transaction(t) for t in page]

    def __iter__(self) -> Iterator[Transaction]:
        for page in self.pages():
            yield from page


class AsyncTransactionList(_Listing):
    """An async transaction query: ``async for`` walks every page."""

    __slots__ = ()

    async def pages(self) -> AsyncIterator[list[Transaction]]:
        """One list per page."""
        pager = self._native.list_transactions(self._filter)
        while (page := await pager.next_page()) is not None:
            yield [Transaction(t) for t in page]

    async def __aiter__(self) -> AsyncIterator[Transaction]:
        async for page in self.pages():
            for tx in page:
                yield tx


class Sessions(_Part):
    """``client.sessions``: create, get, update, cancel."""

    __slots__ = ()

    def create(self, request: SessionRequestParams, include_session: Optional[bool] = None) -> SessionCreated:
        """Creates a checkout session (the core checks the order first: sums, line ids, VAT)."""
        return self._run(self._native.create_session(request, include_session), SessionCreated)

    def get(self, session_id: str) -> Session:
        """Reads a session."""
        return self._run(self._native.get_session(session_id), Session)

    def update(
        self, session_id: str, update: SessionUpdateParams, update_without_lock: Optional[bool] = None
    ) -> Session:
        """Replaces the session's order (``{"order": {...}, "remove_lock": ...}``)."""
        return self._run(self._native.update_session(session_id, update, update_without_lock), Session)

    def cancel(self, session_id: str) -> Session:
        """Cancels the session (voids an authorized payment)."""
        return self._run(self._native.cancel_session(session_id), Session)


class Transactions(_Part):
    """``client.transactions``: get, list, capture, refund, void, extend, update."""

    __slots__ = ()
    _listing: type[Any] = TransactionList

    def get(self, transaction_id: str, includes: Optional[Sequence[str]] = None) -> Transaction:
        """Reads a transaction (``includes=["session"]`` adds its session)."""
        return self._run(self._native.get_transaction(transaction_id, includes), Transaction)

    def list(self, filter: Optional[ListTransactionsParams] = None) -> TransactionList:
        """Every matching transaction, fetched a page at a time as you iterate."""
        return self._listing(self._native, filter)  # type: ignore[no-any-return]

    def capture(self, transaction_id: str, request: CaptureRequestParams) -> Operation:
        """Captures ``request["amount"]`` exactly once, even across retries (see the README)."""
        return self._run(self._native.capture(transaction_id, request), Operation)

    def refund(self, transaction_id: str, request: RefundRequestParams) -> Operation:
        """Refunds ``request["amount"]`` of captured money, exactly once."""
        return self._run(self._native.refund(transaction_id, request), Operation)

    def void(self, transaction_id: str) -> Operation:
        """Voids the authorization."""
        return self._run(self._native.void(transaction_id), Operation)

    def extend_authorization(
        self, transaction_id: str, request: Optional[ExtendAuthorizationRequestParams] = None
    ) -> Transaction:
        """Extends (or changes) the authorization."""
        return self._run(self._native.extend_authorization(transaction_id, request), Transaction)

    def update(self, transaction_id: str, merchant_reference_2: str) -> Transaction:
        """Sets ``merchant_reference_2``."""
        return self._run(self._native.update_transaction(transaction_id, merchant_reference_2), Transaction)

    def wait_for_event(
        self, transaction_id: str, event_request_id: str, timeout: Optional[float] = None
    ) -> Transaction:
        """Waits for the event of an ``accepted`` (HTTP 202) operation to land."""
        return self._run(self._native.wait_for_event(transaction_id, event_request_id, timeout), Transaction)


class Callbacks(_Part):
    """``client.callbacks``: receive a callback request, or confirm a verified callback."""

    __slots__ = ()

    def receive(
        self,
        verifier: CallbackVerifier,
        method: str,
        path_and_query: str,
        headers: HeadersLike,
        *,
        public_url: Optional[str] = None,
        trust_proxy: bool = False,
        now: Optional[int] = None,
    ) -> CallbackReceipt:
        """Receives a callback request as your web framework hands it over (the method, the
        path and query as received, the headers) and decides the answer: the signature is
        checked on the URL the core rebuilds (``public_url``, or your trusted proxy's headers
        with ``trust_proxy``, else ``Host``), a late retry counts as authentic, an ``error=``
        callback is noted, and the rest is confirmed against the transaction.

        Never raises for what the request holds: answer with ``receipt.status`` and
        ``receipt.reason``, and fulfil only from ``receipt.transaction`` (set only when the
        outcome is ``"confirmed"``). ``dintero_checkout.integrations`` has one-line adapters for
        FastAPI/Starlette, Django and Flask."""
        if not isinstance(verifier, CallbackVerifier):
            raise TypeError(f"verifier: expected a CallbackVerifier, got {type(verifier).__name__}")
        pending = self._native.receive_callback(
            verifier._native, method, path_and_query, _pairs(headers), public_url, trust_proxy, now
        )
        return self._run(pending, CallbackReceipt)

    def confirm(self, callback: Union[Callback, Mapping[str, Any]]) -> ConfirmedCallback:
        """Fetches the transaction the callback names and checks it matches; raises
        ``ConflictError`` (code ``callback_mismatch``) when it does not."""
        return self._run(self._native.confirm_callback(callback), ConfirmedCallback)


class AsyncSessions(Sessions):
    __slots__ = ()
    _run = staticmethod(_await)


class AsyncTransactions(Transactions):
    __slots__ = ()
    _run = staticmethod(_await)
    _listing = AsyncTransactionList


class AsyncCallbacks(Callbacks):
    __slots__ = ()
    _run = staticmethod(_await)


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise KeyError(f"environment variable {name} is not set")
    return value


class _ClientBase:
    __slots__ = ("_native", "callbacks", "sessions", "transactions")
    _run: Callable[..., Any] = staticmethod(_wait)
    _parts: tuple[type[Sessions], type[Transactions], type[Callbacks]] = (Sessions, Transactions, Callbacks)
    sessions: Sessions
    transactions: Transactions
    callbacks: Callbacks

    def __init__(
        self,
        account_id: str,
        client_id: str,
        client_secret: Union[str, Secret],
        *,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        retry: Optional[RetryPolicy] = None,
        proxy: Union[str, Secret, None] = None,
        system_name: Optional[str] = None,
        system_version: Optional[str] = None,
        max_response_bytes: Optional[int] = None,
        on_request: Optional[Callable[[RequestEvent], object]] = None,
    ) -> None:
        # Logs go to logging.getLogger("dintero_checkout") (see _log); ``on_request`` is called
        # before and after every request attempt with a RequestEvent (no header, body or token).
        # Secrets stay wrapped in every Python frame (see _secret.py); the raw values go
        # straight into the compiled client, and no Python attribute or local holds them.
        client_secret, proxy = Secret.wrap(client_secret), Secret.wrap_optional(proxy)
        retry = retry or RetryPolicy()
        self._native = _native.NativeClient(
            account_id,
            client_id,
            client_secret.reveal(),
            base_url=base_url,
            timeout=timeout,
            connect_timeout=connect_timeout,
            max_attempts=retry.max_attempts,
            initial_backoff=retry.initial_backoff,
            max_backoff=retry.max_backoff,
            max_retry_after=retry.max_retry_after,
            proxy=None if proxy is None else proxy.reveal(),
            system_name=system_name,
            system_version=system_version,
            max_response_bytes=max_response_bytes,
            on_request=None if on_request is None else _observer(on_request),
        )
        sessions, transactions, callbacks = self._parts
        self.sessions = sessions(self._native)
        self.transactions = transactions(self._native)
        self.callbacks = callbacks(self._native)

    @classmethod
    def from_env(cls, **options: Any) -> Self:
        """A client from ``DINTERO_ACCOUNT_ID``, ``DINTERO_CLIENT_ID``, ``DINTERO_CLIENT_SECRET``
        (and ``DINTERO_BASE_URL`` when set)."""
        options.setdefault("base_url", os.environ.get("DINTERO_BASE_URL") or None)
        return cls(_env("DINTERO_ACCOUNT_ID"), _env("DINTERO_CLIENT_ID"), _env("DINTERO_CLIENT_SECRET"), **options)

    @property
    def account_id(self) -> str:
        return self._native.account_id

    @property
    def client_id(self) -> str:
        return self._native.client_id

    @property
    def base_url(self) -> str:
        """The base URL requests go to (Dintero's checkout host unless overridden)."""
        return self._native.base_url

    @property
    def token_requests(self) -> int:
        """Access tokens this client has fetched so far (they are cached and reused)."""
        return self._native.token_requests()

    def authenticate(self) -> TokenInfo:
        """Fetches an access token now if none is cached (calls do it by themselves); checks
        the credentials."""
        return self._run(self._native.authenticate(), TokenInfo)

    def wait_for_payment(
        self, session_id: str, interval: Optional[float] = None, timeout: Optional[float] = None
    ) -> Session:
        """Re-reads the session every ``interval`` seconds until it has a transaction or is
        cancelled; raises ``RequestTimeoutError`` after ``timeout``."""
        return self._run(self._native.wait_for_payment(session_id, interval, timeout), Session)

    def __repr__(self) -> str:
        # Never raises, also on a half-built object (error reporters call it on any frame's self).
        native = getattr(self, "_native", None)
        if native is None:
            return f"<{type(self).__name__} (not initialised)>"
        shown = f"account_id={native.account_id!r}, client_id={native.client_id!r}, base_url={native.base_url!r}"
        return f"{type(self).__name__}({shown})"


class Client(_ClientBase):
    """The blocking client. Thread-safe: share one per process; calls release the GIL.

    >>> client = Client(account_id="T12345678", client_id="...", client_secret="...")
    >>> session = client.sessions.create({...})
    """

    __slots__ = ()


class AsyncClient(_ClientBase):
    """The asyncio client: the same operations as ``Client``, awaited. Safe to share between
    tasks; many requests run concurrently on the package's I/O threads."""

    __slots__ = ()
    _run = staticmethod(_await)
    _parts = (AsyncSessions, AsyncTransactions, AsyncCallbacks)
