"""``Client`` (blocking) and ``AsyncClient`` (asyncio) over the compiled core."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Optional, Union

from . import _native
from ._models import Callback, ConfirmedCallback, Operation, Session, SessionCreated, Transaction
from ._secret import Secret, reveal_optional

if TYPE_CHECKING:
    from .types import CaptureItemParams, OrderItemParams, SessionCreateParams, SessionUpdateParams

__all__ = ["Client", "AsyncClient", "RetryPolicy", "TransactionList", "AsyncTransactionList"]

StrOrList = Union[str, Sequence[str], None]


class RetryPolicy:
    """How failed requests are retried: jittered exponential backoff, ``Retry-After`` honoured.

    ``max_attempts`` counts the first attempt (1 = no retries). Times are seconds.
    """

    __slots__ = ("initial_backoff", "max_attempts", "max_backoff", "max_retry_after")

    def __init__(
        self,
        max_attempts: int = 4,
        initial_backoff: float = 0.5,
        max_backoff: float = 8.0,
        max_retry_after: float = 60.0,
    ) -> None:
        self.max_attempts = max_attempts
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after

    @classmethod
    def none(cls) -> RetryPolicy:
        """No retries at all."""
        return cls(max_attempts=1)

    def __repr__(self) -> str:
        return (
            f"RetryPolicy(max_attempts={self.max_attempts}, initial_backoff={self.initial_backoff}, "
            f"max_backoff={self.max_backoff}, max_retry_after={self.max_retry_after})"
        )


def _list_or_empty(value: StrOrList) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _drop_none(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None}


def _items(items: Optional[Sequence[CaptureItemParams]]) -> Any:
    # A list or tuple is copied; anything else goes on unchanged, for the core to refuse as
    # invalid input naming ``items`` (``list(5)`` would raise a TypeError that names nothing).
    return list(items) if isinstance(items, (list, tuple)) else items


def _capture_body(
    amount: int,
    items: Optional[Sequence[CaptureItemParams]],
    capture_reference: Optional[str],
    metadata: Optional[Mapping[str, Any]],
    final_capture: Optional[bool],
) -> dict[str, Any]:
    return _drop_none(
        {
            "amount": amount,
            "items": _items(items),
            "capture_reference": capture_reference,
            "metadata": metadata,
            "final_capture": final_capture,
        }
    )


def _extend_body(
    amount: Optional[int],
    reason: Optional[str],
    reference: Optional[str],
    final_authorization: Optional[bool],
    items: Optional[Sequence[OrderItemParams]],
    description: Optional[str],
) -> dict[str, Any]:
    return _drop_none(
        {
            "amount": amount,
            "reason": reason,
            "reference": reference,
            "final_authorization": final_authorization,
            "items": None if items is None else list(items),
            "description": description,
        }
    )


def _callback_dict(callback: Union[Callback, Mapping[str, Any]]) -> Any:
    return callback.to_dict() if isinstance(callback, Callback) else callback


class _Base:
    __slots__ = ("_native",)

    def __init__(
        self,
        account_id: str,
        client_id: str,
        client_secret: Union[str, Secret],
        *,
        base_url: Optional[str] = None,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        retry: Optional[RetryPolicy] = None,
        proxy: Union[str, Secret, None] = None,
        system_name: Optional[str] = None,
        system_version: Optional[str] = None,
    ) -> None:
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
            proxy=reveal_optional(proxy),
            system_name=system_name,
            system_version=system_version,
        )

    @property
    def account_id(self) -> str:
        return self._native.account_id

    @property
    def client_id(self) -> str:
        return self._native.client_id

    @property
    def base_url(self) -> Optional[str]:
        """The base URL requests go to (Dintero's checkout host unless overridden)."""
        return self._native.base_url

    @property
    def token_requests(self) -> int:
        """Access tokens this client has fetched so far (they are cached and reused)."""
        return self._native.token_requests()

    def __repr__(self) -> str:
        # Never raises, also on a half-built object (error reporters call it on any frame's self).
        native = getattr(self, "_native", None)
        if native is None:
            return f"<{type(self).__name__} (not initialised)>"
        try:
            return (
                f"{type(self).__name__}(account_id={native.account_id!r}, client_id={native.client_id!r}, "
                f"base_url={native.base_url!r})"
            )
        except Exception:
            return f"<{type(self).__name__}>"


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise KeyError(f"environment variable {name} is not set")
    return value


# --------------------------------------------------------------------------- blocking


class Client(_Base):
    """The blocking client. Thread-safe: share one per process; calls release the GIL.

    >>> client = Client(account_id="T12345678", client_id="...", client_secret="...")
    >>> session = client.sessions.create({...})
    """

    __slots__ = ("callbacks", "sessions", "transactions")

    def __init__(
        self,
        account_id: str,
        client_id: str,
        client_secret: Union[str, Secret],
        *,
        base_url: Optional[str] = None,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        retry: Optional[RetryPolicy] = None,
        proxy: Union[str, Secret, None] = None,
        system_name: Optional[str] = None,
        system_version: Optional[str] = None,
    ) -> None:
        client_secret, proxy = Secret.wrap(client_secret), Secret.wrap_optional(proxy)
        super().__init__(
            account_id,
            client_id,
            client_secret,
            base_url=base_url,
            timeout=timeout,
            connect_timeout=connect_timeout,
            retry=retry,
            proxy=proxy,
            system_name=system_name,
            system_version=system_version,
        )
        self.sessions = Sessions(self._native)
        self.transactions = Transactions(self._native)
        self.callbacks = Callbacks(self._native)

    @classmethod
    def from_env(cls, **options: Any) -> Client:
        """A client from ``DINTERO_ACCOUNT_ID``, ``DINTERO_CLIENT_ID``, ``DINTERO_CLIENT_SECRET``
        (and ``DINTERO_BASE_URL`` when set)."""
        options.setdefault("base_url", os.environ.get("DINTERO_BASE_URL") or None)
        return cls(_env("DINTERO_ACCOUNT_ID"), _env("DINTERO_CLIENT_ID"), _env("DINTERO_CLIENT_SECRET"), **options)

    def authenticate(self) -> None:
        """Fetches an access token now (calls do it by themselves); checks the credentials."""
        self._native.authenticate()

    def wait_for_payment(self, session_id: str, *, interval: float = 1.0, timeout: float = 300.0) -> Session:
        """Re-reads the session every ``interval`` seconds until it has a transaction or is
        cancelled; raises ``RequestTimeoutError`` after ``timeout``."""
        return Session(self._native.wait_for_payment(session_id, interval, timeout))


class Sessions:
    """``client.sessions``: create, get, update, cancel."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.NativeClient) -> None:
        self._native = native

    def create(self, session: SessionCreateParams, *, include_session: bool = False) -> SessionCreated:
        """Creates a checkout session (the order is checked first: sums, line ids, VAT)."""
        return SessionCreated(self._native.create_session(session, include_session))

    def get(self, session_id: str) -> Session:
        return Session(self._native.get_session(session_id))

    def update(self, session_id: str, update: SessionUpdateParams, *, update_without_lock: bool = False) -> Session:
        """Replaces the session's order (``{"order": {...}, "remove_lock": ...}``)."""
        return Session(self._native.update_session(session_id, update, update_without_lock))

    def cancel(self, session_id: str) -> Session:
        """Cancels the session (voids an authorized payment)."""
        return Session(self._native.cancel_session(session_id))


class Transactions:
    """``client.transactions``: get, list, capture, refund, void, extend, update."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.NativeClient) -> None:
        self._native = native

    def get(self, transaction_id: str, *, includes: Sequence[str] = ()) -> Transaction:
        return Transaction(self._native.get_transaction(transaction_id, list(includes)))

    def list(
        self,
        *,
        limit: Optional[int] = None,
        starting_after: Optional[str] = None,
        merchant_reference: Optional[str] = None,
        session_id: StrOrList = None,
        status: StrOrList = None,
        created_at_gte: Optional[str] = None,
        created_at_lte: Optional[str] = None,
        extra: Optional[Mapping[str, str]] = None,
    ) -> TransactionList:
        """Every matching transaction, fetched a page (``limit``, default 10) at a time as
        you iterate."""
        return TransactionList(
            self._native,
            dict(
                limit=limit,
                starting_after=starting_after,
                merchant_reference=merchant_reference,
                session_id=_list_or_empty(session_id),
                status=_list_or_empty(status),
                created_at_gte=created_at_gte,
                created_at_lte=created_at_lte,
                extra=list((extra or {}).items()),
            ),
        )

    def capture(
        self,
        transaction_id: str,
        amount: int,
        *,
        items: Optional[Sequence[CaptureItemParams]] = None,
        capture_reference: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        final_capture: Optional[bool] = None,
    ) -> Operation:
        """Captures ``amount`` exactly once, even across retries (see the README).
        ``final_capture=True`` makes it the last capture (``dintero_psp``)."""
        body = _capture_body(amount, items, capture_reference, metadata, final_capture)
        return Operation(self._native.capture(transaction_id, body))

    def refund(
        self,
        transaction_id: str,
        amount: int,
        *,
        items: Optional[Sequence[CaptureItemParams]] = None,
        reason: Optional[str] = None,
        refund_reference: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> Operation:
        """Refunds ``amount`` of captured money, exactly once."""
        body = _drop_none(
            {
                "amount": amount,
                "items": _items(items),
                "reason": reason,
                "refund_reference": refund_reference,
                "metadata": metadata,
            }
        )
        return Operation(self._native.refund(transaction_id, body))

    def void(self, transaction_id: str) -> Operation:
        """Voids the authorization."""
        return Operation(self._native.void(transaction_id))

    def extend_authorization(
        self,
        transaction_id: str,
        *,
        amount: Optional[int] = None,
        reason: Optional[str] = None,
        reference: Optional[str] = None,
        final_authorization: Optional[bool] = None,
        items: Optional[Sequence[OrderItemParams]] = None,
        description: Optional[str] = None,
    ) -> Transaction:
        body = _extend_body(amount, reason, reference, final_authorization, items, description)
        return Transaction(self._native.extend_authorization(transaction_id, body))

    def update(self, transaction_id: str, *, merchant_reference_2: str) -> Transaction:
        """Sets ``merchant_reference_2``."""
        return Transaction(self._native.update_transaction(transaction_id, merchant_reference_2))

    def wait_for_event(self, transaction_id: str, event_request_id: str, *, timeout: float = 30.0) -> Transaction:
        """Waits for the event of an ``accepted`` (HTTP 202) operation to land."""
        return Transaction(self._native.wait_for_event(transaction_id, event_request_id, timeout))


class Callbacks:
    """``client.callbacks``: confirm a verified callback against its transaction."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.NativeClient) -> None:
        self._native = native

    def confirm(self, callback: Union[Callback, Mapping[str, Any]]) -> ConfirmedCallback:
        """Fetches the transaction the callback names and checks it matches; raises
        ``ConflictError`` (code ``callback_mismatch``) when it does not."""
        return ConfirmedCallback(self._native.confirm_callback(_callback_dict(callback)))


class TransactionList:
    """A transaction query. Iterating walks every page; each iteration starts afresh."""

    __slots__ = ("_filter", "_native")

    def __init__(self, native: _native.NativeClient, filter: dict[str, Any]) -> None:
        self._native = native
        self._filter = filter

    def pages(self) -> Iterator[list[Transaction]]:
        """One list per page."""
        pager = self._native.list_transactions(**self._filter)
        while True:
            page = pager.next_page()
            if page is None:
                return
            yield [Transaction(t) for t in page]

    def __iter__(self) -> Iterator[Transaction]:
        for page in self.pages():
            yield from page


# --------------------------------------------------------------------------- asyncio


class AsyncClient(_Base):
    """The asyncio client: the same methods as ``Client``, awaited. Safe to share between
    tasks; many requests run concurrently on the package's I/O threads."""

    __slots__ = ("callbacks", "sessions", "transactions")

    def __init__(
        self,
        account_id: str,
        client_id: str,
        client_secret: Union[str, Secret],
        *,
        base_url: Optional[str] = None,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        retry: Optional[RetryPolicy] = None,
        proxy: Union[str, Secret, None] = None,
        system_name: Optional[str] = None,
        system_version: Optional[str] = None,
    ) -> None:
        client_secret, proxy = Secret.wrap(client_secret), Secret.wrap_optional(proxy)
        super().__init__(
            account_id,
            client_id,
            client_secret,
            base_url=base_url,
            timeout=timeout,
            connect_timeout=connect_timeout,
            retry=retry,
            proxy=proxy,
            system_name=system_name,
            system_version=system_version,
        )
        self.sessions = AsyncSessions(self._native)
        self.transactions = AsyncTransactions(self._native)
        self.callbacks = AsyncCallbacks(self._native)

    @classmethod
    def from_env(cls, **options: Any) -> AsyncClient:
        """See ``Client.from_env``."""
        options.setdefault("base_url", os.environ.get("DINTERO_BASE_URL") or None)
        return cls(_env("DINTERO_ACCOUNT_ID"), _env("DINTERO_CLIENT_ID"), _env("DINTERO_CLIENT_SECRET"), **options)

    async def authenticate(self) -> None:
        await self._native.authenticate_async()

    async def wait_for_payment(self, session_id: str, *, interval: float = 1.0, timeout: float = 300.0) -> Session:
        return Session(await self._native.wait_for_payment_async(session_id, interval, timeout))


class AsyncSessions:
    """``client.sessions`` of an ``AsyncClient``."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.NativeClient) -> None:
        self._native = native

    async def create(self, session: SessionCreateParams, *, include_session: bool = False) -> SessionCreated:
        return SessionCreated(await self._native.create_session_async(session, include_session))

    async def get(self, session_id: str) -> Session:
        return Session(await self._native.get_session_async(session_id))

    async def update(
        self, session_id: str, update: SessionUpdateParams, *, update_without_lock: bool = False
    ) -> Session:
        return Session(await self._native.update_session_async(session_id, update, update_without_lock))

    async def cancel(self, session_id: str) -> Session:
        return Session(await self._native.cancel_session_async(session_id))


class AsyncTransactions:
    """``client.transactions`` of an ``AsyncClient``."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.NativeClient) -> None:
        self._native = native

    async def get(self, transaction_id: str, *, includes: Sequence[str] = ()) -> Transaction:
        return Transaction(await self._native.get_transaction_async(transaction_id, list(includes)))

    def list(
        self,
        *,
        limit: Optional[int] = None,
        starting_after: Optional[str] = None,
        merchant_reference: Optional[str] = None,
        session_id: StrOrList = None,
        status: StrOrList = None,
        created_at_gte: Optional[str] = None,
        created_at_lte: Optional[str] = None,
        extra: Optional[Mapping[str, str]] = None,
    ) -> AsyncTransactionList:
        """``async for tx in client.transactions.list(...)``: pages are fetched as you go."""
        return AsyncTransactionList(
            self._native,
            dict(
                limit=limit,
                starting_after=starting_after,
                merchant_reference=merchant_reference,
                session_id=_list_or_empty(session_id),
                status=_list_or_empty(status),
                created_at_gte=created_at_gte,
                created_at_lte=created_at_lte,
                extra=list((extra or {}).items()),
            ),
        )

    async def capture(
        self,
        transaction_id: str,
        amount: int,
        *,
        items: Optional[Sequence[CaptureItemParams]] = None,
        capture_reference: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        final_capture: Optional[bool] = None,
    ) -> Operation:
        body = _capture_body(amount, items, capture_reference, metadata, final_capture)
        return Operation(await self._native.capture_async(transaction_id, body))

    async def refund(
        self,
        transaction_id: str,
        amount: int,
        *,
        items: Optional[Sequence[CaptureItemParams]] = None,
        reason: Optional[str] = None,
        refund_reference: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> Operation:
        body = _drop_none(
            {
                "amount": amount,
                "items": _items(items),
                "reason": reason,
                "refund_reference": refund_reference,
                "metadata": metadata,
            }
        )
        return Operation(await self._native.refund_async(transaction_id, body))

    async def void(self, transaction_id: str) -> Operation:
        return Operation(await self._native.void_async(transaction_id))

    async def extend_authorization(
        self,
        transaction_id: str,
        *,
        amount: Optional[int] = None,
        reason: Optional[str] = None,
        reference: Optional[str] = None,
        final_authorization: Optional[bool] = None,
        items: Optional[Sequence[OrderItemParams]] = None,
        description: Optional[str] = None,
    ) -> Transaction:
        body = _extend_body(amount, reason, reference, final_authorization, items, description)
        return Transaction(await self._native.extend_authorization_async(transaction_id, body))

    async def update(self, transaction_id: str, *, merchant_reference_2: str) -> Transaction:
        return Transaction(await self._native.update_transaction_async(transaction_id, merchant_reference_2))

    async def wait_for_event(self, transaction_id: str, event_request_id: str, *, timeout: float = 30.0) -> Transaction:
        return Transaction(await self._native.wait_for_event_async(transaction_id, event_request_id, timeout))


class AsyncCallbacks:
    """``client.callbacks`` of an ``AsyncClient``."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.NativeClient) -> None:
        self._native = native

    async def confirm(self, callback: Union[Callback, Mapping[str, Any]]) -> ConfirmedCallback:
        return ConfirmedCallback(await self._native.confirm_callback_async(_callback_dict(callback)))


class AsyncTransactionList:
    """An async transaction query: ``async for`` walks every page."""

    __slots__ = ("_filter", "_native")

    def __init__(self, native: _native.NativeClient, filter: dict[str, Any]) -> None:
        self._native = native
        self._filter = filter

    async def pages(self) -> AsyncIterator[list[Transaction]]:
        """One list per page."""
        pager = self._native.list_transactions(**self._filter)
        while True:
            page = await pager.next_page_async()
            if page is None:
                return
            yield [Transaction(t) for t in page]

    async def __aiter__(self) -> AsyncIterator[Transaction]:
        async for page in self.pages():
            for tx in page:
                yield tx
