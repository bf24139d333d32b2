"""Dintero Checkout for Python: typed, sync and async, over one Rust core.

>>> from dintero_checkout import Client
>>> client = Client(account_id="T12345678", client_id="...", client_secret="...")
>>> session = client.sessions.create({...})
>>> print(session.url)

See ``dintero_checkout.testing.Emulator`` for a local Dintero to test against.
"""

from __future__ import annotations

from . import _native
from ._callbacks import (
    CallbackVerifier,
    HeadersLike,
    compute_signature,
    parse_callback,
    parse_return_url,
    verify_callback,
    verify_webhook,
)
from ._client import AsyncClient, AsyncTransactionList, Client, RetryPolicy, TransactionList
from ._errors import (
    ERROR_CLASSES,
    SIGNATURE_EXPIRED,
    SIGNATURE_FROM_FUTURE,
    SIGNATURE_MALFORMED,
    SIGNATURE_MISMATCH,
    SIGNATURE_MISSING,
    AuthenticationError,
    ConflictError,
    DecodeError,
    DinteroError,
    InvalidInputError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
    SignatureError,
)
from ._models import (
    Callback,
    ConfirmedCallback,
    Model,
    Operation,
    Order,
    OrderItem,
    ReturnResult,
    Session,
    SessionCreated,
    SessionEvent,
    SessionUrls,
    ShippingOption,
    Transaction,
    TransactionEvent,
    WebhookEvent,
)
from ._secret import Secret

__version__: str = _native.__version__

__all__ = [
    "__version__",
    # clients
    "Client",
    "AsyncClient",
    "RetryPolicy",
    "TransactionList",
    "AsyncTransactionList",
    # callbacks and webhooks
    "CallbackVerifier",
    "HeadersLike",
    "verify_callback",
    "parse_callback",
    "parse_return_url",
    "verify_webhook",
    "compute_signature",
    # errors
    "Secret",
    "DinteroError",
    "InvalidInputError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "RateLimitedError",
    "ServerError",
    "NetworkError",
    "RequestTimeoutError",
    "DecodeError",
    "SignatureError",
    "SIGNATURE_EXPIRED",
    "SIGNATURE_FROM_FUTURE",
    "SIGNATURE_MISMATCH",
    "SIGNATURE_MISSING",
    "SIGNATURE_MALFORMED",
    "ERROR_CLASSES",
    # response objects
    "Model",
    "SessionCreated",
    "Session",
    "SessionUrls",
    "SessionEvent",
    "Order",
    "OrderItem",
    "ShippingOption",
    "Transaction",
    "TransactionEvent",
    "Operation",
    "Callback",
    "ConfirmedCallback",
    "ReturnResult",
    "WebhookEvent",
]
