"""The framework receivers of ``dintero_checkout.integrations`` (Starlette/FastAPI, Django,
Flask), each in a small app driven by the framework's own test client, receiving the
emulator's real signed callbacks: directly, behind a proxy (with and without ``trust_proxy``),
forged, and while Dintero is down."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Callable, NamedTuple

import pytest
from fastapi import FastAPI, Request, Response
from receiving import Delivered, deliver, forged, verifier_for

from conftest import FAST_RETRY, Backend
from dintero_checkout import CallbackReceipt, CallbackVerifier

# (path, host, headers) -> (status, body)
Get = Callable[[str, str, dict[str, str]], tuple[int, str]]


class Shop(NamedTuple):
    get: Get
    paid: dict[str, str]  # merchant_reference -> transaction id, what the app fulfilled


def _fulfil(paid: dict[str, str], receipt: CallbackReceipt) -> None:
    tx = receipt.transaction
    if tx is not None and tx.is_paid():
        paid[tx.merchant_reference] = tx.id


def _asgi_shop(app: Any, paid: dict[str, str]) -> Shop:
    from starlette.testclient import TestClient

    http = TestClient(app)

    def get(path: str, host: str, headers: dict[str, str]) -> tuple[int, str]:
        r = http.get(path, headers={**headers, "host": host})
        return r.status_code, r.text

    return Shop(get, paid)


def fastapi_shop(emu: Backend, verifier: CallbackVerifier, trust_proxy: bool) -> Shop:
    from dintero_checkout.integrations.fastapi import callback_response, receive_callback

    client, paid = emu.async_client(retry=FAST_RETRY), dict[str, str]()
    app = FastAPI()

    # FastAPI reads the view's annotations by name: Request and Response are imported above.
    @app.api_route("/dintero/callback", methods=["GET", "POST"])
    async def dintero_callback(request: Request) -> Response:
        receipt = await receive_callback(request, client, verifier, trust_proxy=trust_proxy)
        _fulfil(paid, receipt)
        return callback_response(receipt)

    return _asgi_shop(app, paid)


def starlette_shop(emu: Backend, verifier: CallbackVerifier, trust_proxy: bool) -> Shop:
    from starlette.applications import Starlette
    from starlette.requests import Request as StarletteRequest
    from starlette.responses import Response as StarletteResponse
    from starlette.routing import Route

    from dintero_checkout.integrations.starlette import callback_response, receive_callback

    client, paid = emu.async_client(retry=FAST_RETRY), dict[str, str]()

    async def dintero_callback(request: StarletteRequest) -> StarletteResponse:
        receipt = await receive_callback(request, client, verifier, trust_proxy=trust_proxy)
        _fulfil(paid, receipt)
        return callback_response(receipt)

    return _asgi_shop(Starlette(routes=[Route("/dintero/callback", dintero_callback, methods=["GET", "POST"])]), paid)


def flask_shop(emu: Backend, verifier: CallbackVerifier, trust_proxy: bool) -> Shop:
    from flask import Flask, request
    from flask import Response as FlaskResponse

    from dintero_checkout.integrations.flask import callback_response, receive_callback

    client, paid = emu.client(retry=FAST_RETRY), dict[str, str]()
    app = Flask(__name__)

    @app.route("/dintero/callback", methods=["GET", "POST"])
    def dintero_callback() -> FlaskResponse:
        receipt = receive_callback(request, client, verifier, trust_proxy=trust_proxy)
        _fulfil(paid, receipt)
        return callback_response(receipt)

    http = app.test_client()

    def get(path: str, host: str, headers: dict[str, str]) -> tuple[int, str]:
        r = http.get(path, headers=headers, base_url=f"http://{host}")
        return r.status_code, r.text

    return Shop(get, paid)


def _django_settings() -> None:
    from django.conf import settings  # type: ignore[import-untyped]

    if not settings.configured:
        settings.configure(DEBUG=False, SECRET_KEY="tests-only", ALLOWED_HOSTS=["*"], ROOT_URLCONF=None, MIDDLEWARE=[])
        import django  # type: ignore[import-untyped]

        django.setup()


class _URLConf:
    """A Django URL configuration as an object (``ROOT_URLCONF`` may be one)."""

    def __init__(self, urlpatterns: list[Any]) -> None:
        self.urlpatterns = urlpatterns


def _django_shop(emu: Backend, verifier: CallbackVerifier, trust_proxy: bool, asynchronous: bool) -> Shop:
    _django_settings()
    from django.test import Client as DjangoClient  # type: ignore[import-untyped]
    from django.test import override_settings
    from django.urls import path  # type: ignore[import-untyped]
    from django.views.decorators.csrf import csrf_exempt  # type: ignore[import-untyped]

    from dintero_checkout.integrations.django import areceive_callback, callback_response, receive_callback

    paid: dict[str, str] = {}
    if asynchronous:
        aclient = emu.async_client(retry=FAST_RETRY)

        @csrf_exempt  # type: ignore[untyped-decorator]
        async def view(request: Any) -> Any:
            receipt = await areceive_callback(request, aclient, verifier, trust_proxy=trust_proxy)
            _fulfil(paid, receipt)
            return callback_response(receipt)

    else:
        client = emu.client(retry=FAST_RETRY)

        @csrf_exempt  # type: ignore[untyped-decorator]
        def view(request: Any) -> Any:
            receipt = receive_callback(request, client, verifier, trust_proxy=trust_proxy)
            _fulfil(paid, receipt)
            return callback_response(receipt)

    http, urls = DjangoClient(), _URLConf([path("dintero/callback", view)])

    def get(path_and_query: str, host: str, headers: dict[str, str]) -> tuple[int, str]:
        with override_settings(ROOT_URLCONF=urls):  # this shop's view (a test builds two)
            r = http.get(path_and_query, headers={**headers, "host": host})
        return r.status_code, r.content.decode()

    return Shop(get, paid)


def django_shop(emu: Backend, verifier: CallbackVerifier, trust_proxy: bool) -> Shop:
    return _django_shop(emu, verifier, trust_proxy, asynchronous=False)


def django_async_shop(emu: Backend, verifier: CallbackVerifier, trust_proxy: bool) -> Shop:
    return _django_shop(emu, verifier, trust_proxy, asynchronous=True)


SHOPS = {
    "fastapi": fastapi_shop,
    "starlette": starlette_shop,
    "flask": flask_shop,
    "django": django_shop,
    "django-async": django_async_shop,
}


@pytest.fixture(params=list(SHOPS))
def make_shop(request: pytest.FixtureRequest, emu: Backend) -> Iterator[Callable[[bool], Shop]]:
    build = SHOPS[request.param]
    verifier = verifier_for(emu)
    yield lambda trust_proxy: build(emu, verifier, trust_proxy)


@pytest.fixture
def delivered(emu: Backend, request: pytest.FixtureRequest) -> Delivered:
    return deliver(emu.client(retry=FAST_RETRY), emu, f"order-{request.node.callspec.id}")


def test_a_real_callback_is_confirmed_and_fulfilled_once(
    make_shop: Callable[[bool], Shop], delivered: Delivered
) -> None:
    shop = make_shop(False)
    assert shop.get(delivered.path, delivered.host, delivered.headers) == (200, "confirmed")
    assert list(shop.paid.values()) == [delivered.transaction_id]
    # Dintero delivers at least once: the same answer again, the same single order
    assert shop.get(delivered.path, delivered.host, delivered.headers) == (200, "confirmed")
    assert len(shop.paid) == 1


def test_behind_a_proxy_only_a_trusted_one_is_believed(make_shop: Callable[[bool], Shop], delivered: Delivered) -> None:
    via_x = {**delivered.headers, "X-Forwarded-Host": delivered.host, "X-Forwarded-Proto": "https"}
    via_forwarded = {**delivered.headers, "Forwarded": f'for=192.0.2.7;proto=https;host="{delivered.host}"'}
    untrusting, trusting = make_shop(False), make_shop(True)
    for headers in (via_x, via_forwarded):
        # The app sees the proxy's Host: without trust, the URL checked is not the one signed.
        status, body = untrusting.get(delivered.path, "app-internal:8000", headers)
        assert (status, body) == (403, "the signature does not match this request")
        status, body = trusting.get(delivered.path, "app-internal:8000", headers)
        assert (status, body) == (200, "confirmed")
    assert untrusting.paid == {} and list(trusting.paid.values()) == [delivered.transaction_id]
    # Trusting a proxy that set nothing: the Host is all there is, and it is the proxy's.
    assert trusting.get(delivered.path, "app-internal:8000", delivered.headers)[0] == 403


def test_a_forged_or_unsigned_callback_is_refused_for_good(
    make_shop: Callable[[bool], Shop], delivered: Delivered, emu: Backend
) -> None:
    shop = make_shop(False)
    assert shop.get(delivered.path, delivered.host, forged(delivered, emu.account_id))[0] == 403
    unsigned = {k: v for k, v in delivered.headers.items() if k.lower() != "dintero-signature"}
    assert shop.get(delivered.path, delivered.host, unsigned) == (403, "not signed by Dintero")
    tampered = delivered.path.replace("order-", "order-other-")
    assert shop.get(tampered, delivered.host, delivered.headers)[0] == 403
    assert shop.paid == {}


def test_dintero_down_is_answered_503_so_dintero_retries(
    make_shop: Callable[[bool], Shop], delivered: Delivered, emu: Backend
) -> None:
    shop = make_shop(False)
    emu.inject_fault("get_transaction", "status_503", times=20)
    status, body = shop.get(delivered.path, delivered.host, delivered.headers)
    assert (status, body) == (503, "the transaction could not be read now; retry later")
    assert shop.paid == {}
