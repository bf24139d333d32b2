"""The callback receiver for Django: ``receive_callback`` in a sync view (with ``Client``),
``areceive_callback`` in an async view (with ``AsyncClient``)::

    from dintero_checkout.integrations.django import callback_response, receive_callback

    @csrf_exempt
    def dintero_callback(request: HttpRequest) -> HttpResponse:
        receipt = receive_callback(request, client, verifier)
        if receipt.transaction is not None and receipt.transaction.is_paid():
            Order.objects.mark_paid(receipt.transaction)
        return callback_response(receipt)

Behind a proxy, pass ``public_url`` or ``trust_proxy=True`` here; Django's own
``USE_X_FORWARDED_HOST`` does not change what is checked.
"""

from __future__ import annotations

from typing import Any, Optional

from django.http import HttpResponse  # type: ignore[import-untyped]

from .._callbacks import CallbackVerifier
from .._client import AsyncClient, Client
from .._models import CallbackReceipt

__all__ = ["areceive_callback", "callback_response", "path_and_query", "receive_callback"]


def path_and_query(request: Any) -> str:
    """The request target as received: ``request.get_full_path()`` (the path percent-encoded,
    ``SCRIPT_NAME`` included, and the raw query)."""
    return str(request.get_full_path())


def _request(request: Any) -> tuple[str, str, list[tuple[str, str]]]:
    """The method, the path and query as received, and the headers of an ``HttpRequest``."""
    return str(request.method), path_and_query(request), _headers(request)


def _headers(request: Any) -> list[tuple[str, str]]:
    # request.headers has every HTTP_* header (Host included), named as sent. A server that
    # passed no Host (HTTP/1.0) still names itself in the WSGI/ASGI environment.
    headers = [(str(k), str(v)) for k, v in request.headers.items()]
    if not any(k.lower() == "host" for k, _ in headers):
        meta = request.META
        if meta.get("SERVER_NAME"):
            port = str(meta.get("SERVER_PORT") or "")
            headers.append(("Host", meta["SERVER_NAME"] + (f":{port}" if port not in ("", "80", "443") else "")))
    return headers


def receive_callback(
    request: Any,
    client: Client,
    verifier: CallbackVerifier,
    *,
    public_url: Optional[str] = None,
    trust_proxy: bool = False,
) -> CallbackReceipt:
    """Receives Dintero's callback from a Django ``HttpRequest`` (sync view): never raises for
    what the request holds; answer with ``callback_response(receipt)``."""
    method, target, headers = _request(request)
    return client.callbacks.receive(verifier, method, target, headers, public_url=public_url, trust_proxy=trust_proxy)


async def areceive_callback(
    request: Any,
    client: AsyncClient,
    verifier: CallbackVerifier,
    *,
    public_url: Optional[str] = None,
    trust_proxy: bool = False,
) -> CallbackReceipt:
    """``receive_callback`` for an async view, with an ``AsyncClient``."""
    method, target, headers = _request(request)
    return await client.callbacks.receive(
        verifier, method, target, headers, public_url=public_url, trust_proxy=trust_proxy
    )


def callback_response(receipt: CallbackReceipt) -> Any:
    """The answer for Dintero: an ``HttpResponse`` with ``receipt.status`` and ``receipt.reason``
    as plain text."""
    return HttpResponse(receipt.reason, status=receipt.status, content_type="text/plain; charset=utf-8")
