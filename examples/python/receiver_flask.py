"""A Flask callback receiver: verify Dintero's signature, confirm against the transaction,
then fulfil. Also shows the customer's return page.

    DINTERO_ACCOUNT_ID=T12345678 DINTERO_CLIENT_ID=... DINTERO_CLIENT_SECRET=... \\
    DINTERO_SIGNATURE_SECRET=... flask --app examples/python/receiver_flask.py run

Give Dintero ``https://your-shop/dintero/callback`` as the session's ``url.callback_url``.
The signature covers the host, path and query Dintero called; the SDK rebuilds that URL from
the request's path and headers (``verify_request``). Behind a reverse proxy that rewrites
``Host``, set ``DINTERO_PUBLIC_URL=https://your-shop`` (or pass ``trust_proxy=True`` if your own
proxy sets ``X-Forwarded-Host``).

What the answers mean to Dintero: 2xx ends the deliveries; 4xx is final too (Dintero never
retries it, so answer 4xx only to a request that is not Dintero's); 5xx, a timeout (10 s) or a
dropped connection make Dintero retry, up to 20 times over a long period. A late retry carries
an authentic signature that is older than the 5-minute tolerance: confirm it by re-reading the
transaction (harmless to repeat) and answer 2xx, never 4xx, or that callback is lost for good.
"""

from __future__ import annotations

import os
from typing import Optional

from flask import Flask, request

from dintero_checkout import (
    CallbackVerifier,
    Client,
    ConflictError,
    DinteroError,
    SignatureError,
    parse_callback,
    parse_return_url,
    request_url,
)


class Orders:
    """Stands in for your database: order id -> state."""

    def __init__(self) -> None:
        self.paid: dict[str, str] = {}

    def mark_paid(self, merchant_reference: str, transaction_id: str) -> bool:
        """Idempotent: callbacks arrive at least once, sometimes twice."""
        if merchant_reference in self.paid:
            return False
        self.paid[merchant_reference] = transaction_id
        return True


def create_app(
    client: Client, verifier: CallbackVerifier, orders: Optional[Orders] = None, public_url: Optional[str] = None
) -> Flask:
    app = Flask(__name__)
    store = orders or Orders()
    app.config["ORDERS"] = store

    @app.route("/dintero/callback", methods=["GET", "POST"])
    def callback() -> tuple[str, int]:
        try:
            cb = verifier.verify_request(request.method, request.full_path, request.headers, public_url=public_url)
        except SignatureError as e:
            if not e.is_authentic_but_late:
                return "bad signature", 400  # forged or not a callback; 4xx: Dintero stops
            # Dintero's own signature, only older than the tolerance: a late retry. It is
            # authentic, so read it, and let confirm (a fresh read of the transaction) decide.
            cb = parse_callback(request_url(request.full_path, request.headers, public_url))
        if cb.error is not None:
            return f"noted error {cb.error}", 200
        try:
            # Never trust the callback alone: read the transaction it names.
            confirmed = client.callbacks.confirm(cb)
        except ConflictError:
            return "callback does not match the transaction", 400
        except DinteroError as e:
            if e.is_transient:
                return "try again", 503  # 5xx: Dintero retries later
            raise
        tx = confirmed.transaction
        if tx.is_paid() and tx.merchant_reference:  # the core's rule, as in every language
            store.mark_paid(tx.merchant_reference, tx.id)
        return "ok", 200

    @app.route("/return")
    def return_page() -> str:
        result = parse_return_url(request.url)
        if result.outcome == "completed":
            return f"Thank you! Order {result.merchant_reference} is being confirmed."
        if result.outcome == "cancelled":
            return "You cancelled the payment; your cart is still here."
        return "The payment did not go through; please try another card."

    return app


def app_from_env() -> Flask:
    client = Client.from_env()
    verifier = CallbackVerifier(os.environ["DINTERO_SIGNATURE_SECRET"], client.account_id)
    return create_app(client, verifier, public_url=os.environ.get("DINTERO_PUBLIC_URL") or None)


if __name__ == "__main__":
    app_from_env().run(port=int(os.environ.get("PORT", "8000")))
