"""A Django shop on Dintero Checkout, in one file: checkout, callback, ship (capture), return
(refund).

    DINTERO_ACCOUNT_ID=T12345678 DINTERO_CLIENT_ID=... DINTERO_CLIENT_SECRET=... \\
    DINTERO_SIGNATURE_SECRET=... SHOP_PUBLIC_URL=https://your-shop.example \\
    python examples/python/shop_django.py runserver

    python examples/python/shop_django.py --self-test   # the whole flow against the emulator

In a real project the views go in ``views.py`` and the client and verifier are made once at
start-up; the callback view is three lines: ``receive_callback`` checks the signature on the URL
the core rebuilds, takes a late retry as authentic, notes a failed payment, confirms the rest
against the transaction, and says what to answer (2xx ends Dintero's deliveries, 4xx is final,
5xx makes it retry).
"""

from __future__ import annotations

import os
import sys
from typing import Any, Optional

from shop import SELF_TEST_ORIGIN, EmulatorLike, Shop, return_page, self_test, self_test_arguments

from dintero_checkout import CallbackVerifier, Client
from dintero_checkout.integrations.django import callback_response, receive_callback


def configure() -> None:
    """Minimal settings, once per process (a project has its settings.py instead)."""
    from django.conf import settings  # type: ignore[import-untyped]

    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "example-only"),
            ALLOWED_HOSTS=["*"],
            ROOT_URLCONF=__name__,
            MIDDLEWARE=[],
        )
        import django  # type: ignore[import-untyped]

        django.setup()


class URLConf:
    """A URL configuration as an object (``ROOT_URLCONF`` may be one)."""

    def __init__(self, urlpatterns: list[Any]) -> None:
        self.urlpatterns = urlpatterns


def create_urls(client: Client, verifier: CallbackVerifier, shop: Shop, public_url: Optional[str] = None) -> URLConf:
    configure()
    from django.http import HttpResponse, HttpResponseRedirect, JsonResponse  # type: ignore[import-untyped]
    from django.urls import path  # type: ignore[import-untyped]
    from django.views.decorators.csrf import csrf_exempt  # type: ignore[import-untyped]
    from django.views.decorators.http import require_POST  # type: ignore[import-untyped]

    @csrf_exempt  # type: ignore[untyped-decorator]
    @require_POST  # type: ignore[untyped-decorator]
    def checkout(request: Any) -> Any:
        reference = request.GET["reference"]
        session = client.sessions.create(shop.session_request(reference))
        shop.session_created(reference, session.id)
        return HttpResponseRedirect(session.url or "/", status=303)

    @csrf_exempt  # type: ignore[untyped-decorator]
    def dintero_callback(request: Any) -> Any:
        receipt = receive_callback(request, client, verifier, public_url=public_url)
        shop.received(receipt)
        return callback_response(receipt)

    def back_from_checkout(request: Any) -> Any:
        return HttpResponse(return_page(request.build_absolute_uri()), content_type="text/plain")

    @csrf_exempt  # type: ignore[untyped-decorator]
    @require_POST  # type: ignore[untyped-decorator]
    def ship(request: Any, reference: str) -> Any:
        transaction_id, capture = shop.to_ship(reference)
        op = client.transactions.capture(transaction_id, capture)
        shop.shipped(reference)
        return HttpResponse(f"captured {op.transaction.captured_amount()}", content_type="text/plain")

    @csrf_exempt  # type: ignore[untyped-decorator]
    @require_POST  # type: ignore[untyped-decorator]
    def give_back(request: Any, reference: str) -> Any:
        transaction_id, refund = shop.to_give_back(reference)
        op = client.transactions.refund(transaction_id, refund)
        shop.given_back(reference)
        return HttpResponse(f"refunded {op.transaction.refunded_amount()}", content_type="text/plain")

    def order(request: Any, reference: str) -> Any:
        return JsonResponse(shop.order_json(reference))

    return URLConf(
        [
            path("checkout", checkout),
            path("dintero/callback", dintero_callback),
            path("return", back_from_checkout),
            path("orders/<str:reference>/ship", ship),
            path("orders/<str:reference>/return", give_back),
            path("orders/<str:reference>", order),
        ]
    )


#: What ``runserver`` serves (filled by ``main``).
urlpatterns: list[Any] = []


class DjangoDriver:
    """Django's test ``Client`` on the shop's URLs."""

    def __init__(self, urls: URLConf) -> None:
        from django.test import Client as TestClient  # type: ignore[import-untyped]

        self.urls = urls
        self.http = TestClient()

    def _on_urls(self) -> Any:
        from django.test import override_settings

        return override_settings(ROOT_URLCONF=self.urls)

    def post(self, path: str) -> tuple[int, str, str]:
        with self._on_urls():
            r = self.http.post(path, headers={"host": SELF_TEST_ORIGIN.split("//")[1]})
        return r.status_code, r.headers.get("location", ""), r.content.decode()

    def get(self, path: str, host: str, headers: dict[str, str]) -> tuple[int, str]:
        with self._on_urls():
            r = self.http.get(path, headers={**headers, "host": host})
        return r.status_code, r.content.decode()


def run_self_test(client: Client, verifier: CallbackVerifier, emu: EmulatorLike) -> None:
    shop = Shop(SELF_TEST_ORIGIN)
    self_test("django", DjangoDriver(create_urls(client, verifier, shop)), shop, client, emu)


def main() -> None:
    if "--self-test" in sys.argv:
        self_test_arguments(__doc__ or "")
        from dintero_checkout.testing import Emulator

        with Emulator() as emulator:
            assert emulator.signature_secret is not None
            run_self_test(emulator.client(), CallbackVerifier(emulator.signature_secret, emulator.account_id), emulator)
        return
    client = Client.from_env()
    public_url = os.environ["SHOP_PUBLIC_URL"]
    verifier = CallbackVerifier(os.environ["DINTERO_SIGNATURE_SECRET"], client.account_id)
    urlpatterns[:] = create_urls(client, verifier, Shop(public_url), public_url=public_url).urlpatterns
    from django.core.management import execute_from_command_line  # type: ignore[import-untyped]

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
