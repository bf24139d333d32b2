"""The callback receiver for Starlette and FastAPI (async)::

from dintero_checkout.integrations.starlette import callback_response, receive_callback

@app.api_route("/dintero/callback", methods=["GET", "POST"])
async def dintero_callback(request: Request) -> Response:
    receipt = await receive_callback(request, client, verifier)  # client: AsyncClient
    if receipt.transaction is not None and receipt.transaction.is_paid():
        await orders.mark_paid(receipt.transaction)
    return callback_response(receipt)
"""

from __future__ import annotations

from typing import Optional

from starlette.requests import Request
from starlette.responses import PlainTextResponse

from .._callbacks import CallbackVerifier
from .._client import AsyncClient
from .._models import CallbackReceipt

__all__ = ["callback_response", "path_and_query", "receive_callback"]


def path_and_query(request: Request) -> str:
    """The request target as received: the raw path (not percent-decoded, a mount's prefix
    included) and the raw query."""
    scope = request.scope
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else scope.get("root_path", "") + scope["path"]
    query = scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else path


async def receive_callback(
    request: Request,
    client: AsyncClient,
    verifier: CallbackVerifier,
    *,
    public_url: Optional[str] = None,
    trust_proxy: bool = False,
) -> CallbackReceipt:
    """Receives Dintero's callback from a Starlette/FastAPI request: ``client.callbacks.receive``
    with the request's method, path and query, and headers. Never raises for what the request
    holds; answer with ``callback_response(receipt)``."""
    return await client.callbacks.receive(
        verifier,
        request.method,
        path_and_query(request),
        request.headers.items(),
        public_url=public_url,
        trust_proxy=trust_proxy,
    )


def callback_response(receipt: CallbackReceipt) -> PlainTextResponse:
    """The answer for Dintero: ``receipt.status`` with ``receipt.reason`` as plain text."""
    return PlainTextResponse(receipt.reason, status_code=receipt.status)
