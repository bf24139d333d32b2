"""Callbacks, return URLs, webhooks, order checks and defaults: the core's pure functions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Optional, Union

from . import _native
from ._models import Callback, Defaults, ReturnResult, WebhookEvent
from ._secret import Secret

__all__ = [
    "CallbackVerifier",
    "HeadersLike",
    "compute_signature",
    "defaults",
    "parse_callback",
    "parse_return_url",
    "request_url",
    "validate_order",
    "validate_session_request",
    "verify_callback",
    "verify_webhook",
]

#: Any framework's request headers: a mapping (Flask/Werkzeug, Django, Starlette, aiohttp)
#: or an iterable of ``(name, value)`` pairs.
HeadersLike = Union[Mapping[str, str], Iterable[tuple[str, str]]]


def _pairs(headers: HeadersLike) -> Any:
    # A mapping becomes its pairs; anything else goes on as it is, for the core's conversion
    # to take (a list or tuple of pairs) or to refuse naming ``headers``.
    items = getattr(headers, "items", None)
    return list(items()) if callable(items) else headers


class CallbackVerifier:
    """Checks the ``Dintero-Signature`` of callbacks with your signature secret.

    >>> verifier = CallbackVerifier(os.environ["DINTERO_SIGNATURE_SECRET"], "T12345678")
    >>> callback = verifier.verify_request(request.method, request.full_path, request.headers)

    ``tolerance`` is how many seconds the signature's timestamp may be off (``None``: the
    core's default, ``defaults().signature_tolerance_seconds``).

    Verifying raises ``SignatureError`` for anything that is not a valid, authentic callback.
    ``error.is_authentic_but_late`` tells a late retry of Dintero's (confirm it by re-reading the
    transaction and answer 2xx) from a forged request (answer 4xx).
    """

    __slots__ = ("_native",)

    def __init__(self, secret: Union[str, Secret], account_id: str, tolerance: Optional[float] = None) -> None:
        secret = Secret.wrap(secret)
        self._native = _native.CallbackVerifier(secret.reveal(), account_id, tolerance)

    @property
    def account_id(self) -> str:
        return self._native.account_id

    @property
    def tolerance(self) -> float:
        """Seconds a signature's timestamp may be off."""
        return self._native.tolerance

    def verify(self, method: str, url: str, headers: HeadersLike, now: Optional[int] = None) -> Callback:
        """Verifies a callback from its method, the full URL as received (scheme, host, path and
        query) and its headers; returns the parsed callback. ``now`` (unix seconds) is for tests."""
        return Callback(self._native.verify(method, url, _pairs(headers), now))

    def verify_request(
        self,
        method: str,
        path_and_query: str,
        headers: HeadersLike,
        *,
        public_url: Optional[str] = None,
        trust_proxy: bool = False,
        now: Optional[int] = None,
    ) -> Callback:
        """Verifies a callback from what every web framework has: the method, the path and
        query as received (Flask: ``request.full_path``) and the headers. The URL is rebuilt by
        the core (see ``request_url``)."""
        pairs = _pairs(headers)
        return Callback(self._native.verify_request(method, path_and_query, pairs, public_url, trust_proxy, now))

    def verify_signature(self, method: str, url: str, signature_header: str, now: Optional[int] = None) -> None:
        """Checks one ``Dintero-Signature`` header value for ``method`` + ``url`` and nothing
        else (``verify`` also parses the callback). Raises ``SignatureError``."""
        self._native.verify_signature(method, url, signature_header, now)

    def __repr__(self) -> str:
        native = getattr(self, "_native", None)  # never raises, also on a half-built object
        return repr(native) if native is not None else "<CallbackVerifier (not initialised)>"


def verify_callback(
    method: str,
    url: str,
    headers: HeadersLike,
    *,
    secret: Union[str, Secret],
    account_id: str,
    tolerance: Optional[float] = None,
) -> Callback:
    """One-shot ``CallbackVerifier(secret, account_id).verify(method, url, headers)``."""
    secret = Secret.wrap(secret)
    return CallbackVerifier(secret, account_id, tolerance).verify(method, url, headers)


def request_url(
    path_and_query: str, headers: HeadersLike, public_url: Optional[str] = None, trust_proxy: bool = False
) -> str:
    """The URL Dintero called, rebuilt by the core: the host comes from ``public_url`` when
    given, else from your own proxy's ``Forwarded`` / ``X-Forwarded-*`` headers when
    ``trust_proxy``, else from ``Host``."""
    return _native.request_url(path_and_query, _pairs(headers), public_url, trust_proxy)


def parse_callback(url: str) -> Callback:
    """Parses a callback URL **without** checking its signature. Prefer ``CallbackVerifier``."""
    return Callback(_native.parse_callback(url))


def parse_return_url(url: str) -> ReturnResult:
    """Parses the URL the customer's browser came back on. It is not signed: use it to pick
    the page to show, and confirm the transaction on your server before fulfilling."""
    return ReturnResult(_native.parse_return_url(url))


def verify_webhook(secret: Union[str, Secret], body: bytes, signature: Optional[str]) -> WebhookEvent:
    """Verifies a webhook's ``event-signature`` header value over the raw body (the bytes as
    received) and parses it."""
    secret = Secret.wrap(secret)
    return WebhookEvent(_native.verify_webhook(secret.reveal(), bytes(body), signature))


def compute_signature(secret: Union[str, Secret], account_id: str, method: str, url: str, timestamp: int) -> str:
    """The hex ``v0-hmac-sha256`` Dintero sends for ``method`` + ``url`` at ``timestamp``
    (useful to sign callbacks in your own tests)."""
    secret = Secret.wrap(secret)
    return _native.compute_signature(secret.reveal(), account_id, method, url, timestamp)


def validate_order(order: Mapping[str, Any], *, strict: bool = False) -> None:
    """Checks an order as ``sessions.create`` does: ``amount`` is the sum of the lines and the
    shipping, line ids are unique, VAT is a percentage. ``strict`` also refuses what is only
    doubtful. Raises ``InvalidInputError`` naming the line."""
    _native.validate_order(order, strict)


def validate_session_request(request: Mapping[str, Any]) -> None:
    """Checks a session request as ``sessions.create`` does before sending it."""
    _native.validate_session_request(request)


def defaults() -> Defaults:
    """The core's defaults for every option left unset (durations in milliseconds)."""
    return Defaults(_native.defaults())
