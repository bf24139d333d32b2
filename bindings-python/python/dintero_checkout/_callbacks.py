"""Callback signatures, return URLs and webhooks (no network; pure functions of the core)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Optional, Union

from . import _native
from ._models import Callback, ReturnResult, WebhookEvent
from ._secret import Secret

__all__ = [
    "CallbackVerifier",
    "HeadersLike",
    "verify_callback",
    "parse_callback",
    "parse_return_url",
    "verify_webhook",
    "compute_signature",
]

#: Any framework's request headers: a mapping (Flask/Werkzeug, Django, Starlette, aiohttp)
#: or an iterable of ``(name, value)`` pairs.
HeadersLike = Union[Mapping[str, str], Iterable[tuple[str, str]]]


def _pairs(headers: HeadersLike) -> list[tuple[str, str]]:
    items = getattr(headers, "items", None)
    pairs: Iterable[tuple[str, str]] = items() if callable(items) else headers  # type: ignore[assignment]
    return [(str(k), str(v)) for k, v in pairs]


class CallbackVerifier:
    """Checks the ``Dintero-Signature`` of callbacks with your signature secret.

    >>> verifier = CallbackVerifier(secret=os.environ["DINTERO_SIGNATURE_SECRET"], account_id="T12345678")
    >>> callback = verifier.verify(request.method, request.url, request.headers)

    ``tolerance`` is how many seconds the signature's timestamp may be off (default 300).

    ``verify`` raises ``SignatureError`` for anything that is not a valid, authentic callback.
    Its ``code`` tells a late retry of Dintero's (``"signature_expired"``, authentic but older
    than the tolerance: ``error.authentic_but_late``) from a forged request
    (``"signature_mismatch"``): confirm the first by re-reading the transaction and answer 2xx,
    answer the second with a 4xx.
    """

    __slots__ = ("_native",)

    def __init__(self, secret: Union[str, Secret], account_id: str, *, tolerance: float = 300.0) -> None:
        secret = Secret.wrap(secret)
        self._native = _native.CallbackVerifier(secret.reveal(), account_id, tolerance)

    @property
    def account_id(self) -> str:
        return self._native.account_id

    def verify(self, method: str, url: str, headers: HeadersLike, *, now: Optional[int] = None) -> Callback:
        """Verifies a callback request from what every web framework has: the method, the
        full URL as received (scheme, host, path and query) and the headers. Returns the
        parsed callback or raises ``SignatureError``. ``now`` (unix seconds) is for tests."""
        return Callback(self._native.verify(method, url, _pairs(headers), now))

    def verify_signature(self, method: str, url: str, signature_header: str, *, now: Optional[int] = None) -> None:
        """Checks one ``Dintero-Signature`` header value for ``method`` + ``url`` and nothing
        else (``verify`` also parses the callback). Raises ``SignatureError``."""
        self._native.verify_signature(method, url, signature_header, now)

    def __repr__(self) -> str:
        # Never raises, also on a half-built object.
        native = getattr(self, "_native", None)
        if native is None:
            return "<CallbackVerifier (not initialised)>"
        try:
            return repr(native)
        except Exception:
            return "<CallbackVerifier>"


def verify_callback(
    method: str,
    url: str,
    headers: HeadersLike,
    *,
    secret: Union[str, Secret],
    account_id: str,
    tolerance: float = 300.0,
) -> Callback:
    """One-shot ``CallbackVerifier(secret, account_id).verify(method, url, headers)``."""
    secret = Secret.wrap(secret)
    return CallbackVerifier(secret, account_id, tolerance=tolerance).verify(method, url, headers)


def parse_callback(url: str) -> Callback:
    """Parses a callback URL **without** checking its signature. Prefer ``verify_callback``."""
    return Callback(_native.parse_callback(url))


def parse_return_url(url: str) -> ReturnResult:
    """Parses the URL the customer's browser came back on. It is not signed: use it to pick
    the page to show, and confirm the transaction on your server before fulfilling."""
    return ReturnResult(_native.parse_return_url(url))


def verify_webhook(
    body: bytes,
    *,
    secret: Union[str, Secret],
    signature: Optional[str] = None,
    headers: Optional[HeadersLike] = None,
) -> WebhookEvent:
    """Verifies a webhook's ``event-signature`` over the raw body (the bytes as received)
    and parses it. Pass the header value as ``signature`` or the request's ``headers``."""
    secret = Secret.wrap(secret)
    if signature is None and headers is not None:
        signature = next((v for k, v in _pairs(headers) if k.lower() == "event-signature"), None)
    return WebhookEvent(_native.verify_webhook(secret.reveal(), bytes(body), signature))


def compute_signature(secret: Union[str, Secret], account_id: str, method: str, url: str, timestamp: int) -> str:
    """The hex ``v0-hmac-sha256`` Dintero sends for ``method`` + ``url`` at ``timestamp``
    (useful to sign callbacks in your own tests)."""
    secret = Secret.wrap(secret)
    return _native.compute_signature(secret.reveal(), account_id, method, url, timestamp)
