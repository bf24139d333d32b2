"""A Flask shop on Dintero Checkout: checkout, callback, ship (capture), return (refund).

    DINTERO_ACCOUNT_ID=T12345678 DINTERO_CLIENT_ID=... DINTERO_CLIENT_SECRET=... \\
    DINTERO_SIGNATURE_SECRET=... SHOP_PUBLIC_URL=https://your-shop.example \\
    flask --app examples/python/shop_flask.py run

    python examples/python/shop_flask.py --self-test   # the whole flow against the emulator

The callback route is three lines: ``receive_callback`` checks the signature on the URL the
core rebuilds (``SHOP_PUBLIC_URL``, so a proxy that rewrites ``Host`` does not matter), takes
a late retry as authentic, notes a failed payment, confirms the rest against the transaction,
and says what to answer (2xx ends Dintero's deliveries, 4xx is final, 5xx makes it retry).
"""

from __future__ import annotations

import os
from typing import Optional

from flask import Flask, Response, redirect, request
from flask.typing import ResponseReturnValue
from shop import SELF_TEST_ORIGIN, EmulatorLike, Shop, return_page, self_test, self_test_arguments

from dintero_checkout import CallbackVerifier, Client
from dintero_checkout.integrations.flask import callback_response, receive_callback


def create_app(client: Client, verifier: CallbackVerifier, shop: Shop, public_url: Optional[str] = None) -> Flask:
    app = Flask(__name__)

    @app.post("/checkout")
    def checkout() -> ResponseReturnValue:
        reference = request.args["reference"]
        session = client.sessions.create(shop.session_request(reference))
        shop.session_created(reference, session.id)
        return redirect(session.url or "/", code=303)

    @app.route("/dintero/callback", methods=["GET", "POST"])
    def dintero_callback() -> Response:
        receipt = receive_callback(request, client, verifier, public_url=public_url)
        shop.received(receipt)
        return callback_response(receipt)

    @app.get("/return")
    def back_from_checkout() -> str:
        return return_page(request.url)

    @app.post("/orders/<reference>/ship")
    def ship(reference: str) -> str:
        transaction_id, capture = shop.to_ship(reference)
        op = client.transactions.capture(transaction_id, capture)
        shop.shipped(reference)
        return f"captured {op.transaction.captured_amount()}"

    @app.post("/orders/<reference>/return")
    def give_back(reference: str) -> str:
        transaction_id, refund = shop.to_give_back(reference)
        op = client.transactions.refund(transaction_id, refund)
        shop.given_back(reference)
        return f"refunded {op.transaction.refunded_amount()}"

    @app.get("/orders/<reference>")
    def order(reference: str) -> dict[str, Optional[str]]:
        return shop.order_json(reference)

    return app


def app_from_env() -> Flask:
    client = Client.from_env()
    public_url = os.environ["SHOP_PUBLIC_URL"]
    verifier = CallbackVerifier(os.environ["DINTERO_SIGNATURE_SECRET"], client.account_id)
    return create_app(client, verifier, Shop(public_url), public_url=public_url)


class FlaskDriver:
    def __init__(self, app: Flask) -> None:
        self.http = app.test_client()

    def post(self, path: str) -> tuple[int, str, str]:
        r = self.http.post(path, base_url=SELF_TEST_ORIGIN)
        return r.status_code, r.headers.get("location", ""), r.text

    def get(self, path: str, host: str, headers: dict[str, str]) -> tuple[int, str]:
        r = self.http.get(path, headers=headers, base_url=f"http://{host}")
        return r.status_code, r.text


def run_self_test(client: Client, verifier: CallbackVerifier, emu: EmulatorLike) -> None:
    shop = Shop(SELF_TEST_ORIGIN)
    self_test("flask", FlaskDriver(create_app(client, verifier, shop)), shop, client, emu)


if __name__ == "__main__":
    if self_test_arguments(__doc__ or "").self_test:
        from dintero_checkout.testing import Emulator

        with Emulator() as emulator:
            assert emulator.signature_secret is not None
            run_self_test(emulator.client(), CallbackVerifier(emulator.signature_secret, emulator.account_id), emulator)
    else:
        app_from_env().run(port=int(os.environ.get("PORT", "8000")))
