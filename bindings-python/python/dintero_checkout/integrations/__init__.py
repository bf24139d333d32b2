"""Callback receivers for web frameworks: thin adapters over ``client.callbacks.receive``.

Each module imports its framework and nothing else does, so the base package needs none:

* ``dintero_checkout.integrations.starlette`` (alias ``.fastapi``): async, for FastAPI and
  Starlette, with an ``AsyncClient``.
* ``dintero_checkout.integrations.django``: ``receive_callback`` for sync views (``Client``),
  ``areceive_callback`` for async views (``AsyncClient``).
* ``dintero_checkout.integrations.flask``: for Flask (``Client``).

Each ``receive_callback`` takes the framework's request, your client and ``CallbackVerifier``
(and ``public_url`` / ``trust_proxy`` when a proxy sits in front of you), and returns the
core's ``CallbackReceipt``; each ``callback_response`` turns a receipt into the framework's
response (``receipt.status``, ``receipt.reason`` as plain text). Fulfil only from
``receipt.transaction``: it is set only when the callback was confirmed.

What the status tells Dintero: 2xx ends its deliveries; 4xx is final too, and is only answered
to a request that is not Dintero's or that contradicts its transaction; 5xx makes Dintero
deliver the callback again later (Dintero or the network was down, or the receiver is
misconfigured).
"""

from __future__ import annotations

__all__: list[str] = []
