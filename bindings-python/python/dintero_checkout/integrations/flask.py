"""The callback receiver for Flask::

from dintero_checkout.integrations.flask import callback_response, receive_callback

@app.route("/dintero/callback", methods=["GET", "POST"])
def dintero_callback() -> Response:
    receipt = receive_callback(request, client, verifier)  # client: Client
    if receipt.transaction is not None and receipt.transaction.is_paid():
        orders.mark_paid(receipt.transaction)
    return callback_response(receipt)
"""

from __future__ import annotations

from typing import Optional
from urllib.parse import quote

from flask import Request, Response

from .._callbacks import CallbackVerifier
from .._client import Client
from .._models import CallbackReceipt

__all__ = ["callback_response", "path_and_query", "receive_callback"]


def path_and_query(request: Request) -> str:
    """The request target as received: the server's raw URI when it gives one (``RAW_URI`` /
    ``REQUEST_URI``), else the path re-encoded (Werkzeug decodes it) and the raw query."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if isinstance(raw, str) and raw.startswith("/"):
        return raw
    path = quote(request.script_root + request.path, safe="/:@!$&'()*+,;=-._~")
    query = request.query_string.decode("latin-1")
    return f"{path}?{query}" if query else path


def receive_callback(
    request: Request,
    client: Client,
    verifier: CallbackVerifier,
    *,
    public_url: Optional[str] = None,
    trust_proxy: bool = False,
) -> CallbackReceipt:
    """Receives Dintero's callback from a Flask request: ``client.callbacks.receive`` with the
    request's method, path and query, and headers. Never raises for what the request holds;
    answer with ``callback_response(receipt)``."""
    return client.callbacks.receive(
        verifier,
        request.method,
        path_and_query(request),
        list(request.headers.items()),
        public_url=public_url,
        trust_proxy=trust_proxy,
    )


def callback_response(receipt: CallbackReceipt) -> Response:
    """The answer for Dintero: ``receipt.status`` with ``receipt.reason`` as plain text."""
    return Response(receipt.reason, status=receipt.status, mimetype="text/plain")
