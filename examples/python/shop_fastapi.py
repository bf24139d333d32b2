"""A FastAPI shop on Dintero Checkout (async): checkout, callback, ship (capture), return (refund).

    DINTERO_ACCOUNT_ID=T12345678 DINTERO_CLIENT_ID=... DINTERO_CLIENT_SECRET=... \\
    DINTERO_SIGNATURE_SECRET=... SHOP_PUBLIC_URL=https://your-shop.example \\
    uvicorn --app-dir examples/python shop_fastapi:app_from_env --factory

    python examples/python/shop_fastapi.py --self-test   # the whole flow against the emulator

The callback route is three lines: ``receive_callback`` (with the ``AsyncClient``) checks the
signature on the URL the core rebuilds, takes a late retry as authentic, notes a failed payment,
confirms the rest against the transaction, and says what to answer (2xx ends Dintero's
deliveries, 4xx is final, 5xx makes it retry).
"""

from __future__ import annotations

import os
from typing import Optional

from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse, RedirectResponse
from shop import SELF_TEST_ORIGIN, EmulatorLike, Shop, return_page, self_test, self_test_arguments

from dintero_checkout import AsyncClient, CallbackVerifier, Client
from dintero_checkout.integrations.fastapi import callback_response, receive_callback


def create_app(
    client: AsyncClient, verifier: CallbackVerifier, shop: Shop, public_url: Optional[str] = None
) -> FastAPI:
    app = FastAPI()

    @app.post("/checkout")
    async def checkout(reference: str) -> Response:
        session = await client.sessions.create(shop.session_request(reference))
        shop.session_created(reference, session.id)
        return RedirectResponse(session.url or "/", status_code=303)

    @app.api_route("/dintero/callback", methods=["GET", "POST"])
    async def dintero_callback(request: Request) -> Response:
        receipt = await receive_callback(request, client, verifier, public_url=public_url)
        shop.received(receipt)
        return callback_response(receipt)

    @app.get("/return")
    async def back_from_checkout(request: Request) -> Response:
        return PlainTextResponse(return_page(str(request.url)))

    @app.post("/orders/{reference}/ship")
    async def ship(reference: str) -> Response:
        transaction_id, capture = shop.to_ship(reference)
        op = await client.transactions.capture(transaction_id, capture)
        shop.shipped(reference)
        return PlainTextResponse(f"captured {op.transaction.captured_amount()}")

    @app.post("/orders/{reference}/return")
    async def give_back(reference: str) -> Response:
        transaction_id, refund = shop.to_give_back(reference)
        op = await client.transactions.refund(transaction_id, refund)
        shop.given_back(reference)
        return PlainTextResponse(f"refunded {op.transaction.refunded_amount()}")

    @app.get("/orders/{reference}")
    async def order(reference: str) -> dict[str, Optional[str]]:
        return shop.order_json(reference)

    return app


def app_from_env() -> FastAPI:
    client = AsyncClient.from_env()
    public_url = os.environ["SHOP_PUBLIC_URL"]
    verifier = CallbackVerifier(os.environ["DINTERO_SIGNATURE_SECRET"], client.account_id)
    return create_app(client, verifier, Shop(public_url), public_url=public_url)


class FastAPIDriver:
    def __init__(self, app: FastAPI) -> None:
        from fastapi.testclient import TestClient

        self.http = TestClient(app, base_url=SELF_TEST_ORIGIN, follow_redirects=False)

    def post(self, path: str) -> tuple[int, str, str]:
        r = self.http.post(path)
        return r.status_code, r.headers.get("location", ""), r.text

    def get(self, path: str, host: str, headers: dict[str, str]) -> tuple[int, str]:
        r = self.http.get(path, headers={**headers, "host": host})
        return r.status_code, r.text


def run_self_test(client: Client, aclient: AsyncClient, verifier: CallbackVerifier, emu: EmulatorLike) -> None:
    shop = Shop(SELF_TEST_ORIGIN)
    self_test("fastapi", FastAPIDriver(create_app(aclient, verifier, shop)), shop, client, emu)


if __name__ == "__main__":
    if self_test_arguments(__doc__ or "").self_test:
        from dintero_checkout.testing import Emulator

        with Emulator() as emulator:
            assert emulator.signature_secret is not None
            verifier = CallbackVerifier(emulator.signature_secret, emulator.account_id)
            run_self_test(emulator.client(), emulator.async_client(), verifier, emulator)
    else:
        raise SystemExit("serve it with uvicorn (see the docstring), or pass --self-test")
