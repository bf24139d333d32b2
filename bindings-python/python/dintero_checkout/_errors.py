"""Exceptions: one base class, one subclass per stable error kind of the core."""

from __future__ import annotations

from typing import Any, Optional


class DinteroError(Exception):
    """Every error the SDK raises.

    ``kind`` is the stable category (``"not_found"``, ``"timeout"``, ...), the same string in
    every language of the SDK. ``status`` is Dintero's HTTP status, ``code`` its ``error.code``
    and ``request_id`` the id to quote to Dintero support, when known. No attribute, message
    or ``repr`` ever contains a secret.
    """

    kind: str = "unknown"

    def __init__(
        self,
        message: str,
        *,
        kind: Optional[str] = None,
        status: Optional[int] = None,
        code: Optional[str] = None,
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id

    def __str__(self) -> str:
        extras = []
        if self.status is not None:
            extras.append(f"status {self.status}")
        if self.code is not None:
            extras.append(f"code {self.code}")
        if self.request_id is not None:
            extras.append(f"request id {self.request_id}")
        tail = f" ({', '.join(extras)})" if extras else ""
        return f"{self.kind}: {self.message}{tail}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(kind={self.kind!r}, message={self.message!r}, "
            f"status={self.status!r}, code={self.code!r}, request_id={self.request_id!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Keeps the class and fields across pickling (celery, multiprocessing).
        return (_from_native, (self.kind, self.message, self.status, self.code, self.request_id))


class InvalidInputError(DinteroError, ValueError):
    """Refused input: caught before sending (it names the field) or HTTP 400/422."""

    kind = "invalid_input"


class AuthenticationError(DinteroError):
    """The credentials were refused (HTTP 401)."""

    kind = "authentication"


class PermissionDeniedError(DinteroError):
    """The credentials lack the rights for this call (HTTP 403)."""

    kind = "permission"


class NotFoundError(DinteroError):
    """No such session or transaction (HTTP 404)."""

    kind = "not_found"


class ConflictError(DinteroError):
    """The request conflicts with the object's state (HTTP 409), or a callback does not match
    its transaction (``code == "callback_mismatch"``)."""

    kind = "conflict"


class RateLimitedError(DinteroError):
    """Too many requests (HTTP 429) and the retries ran out."""

    kind = "rate_limited"


class ServerError(DinteroError):
    """Dintero failed (HTTP 5xx) and the retries ran out, or an operation failed at Dintero."""

    kind = "server"


class NetworkError(DinteroError):
    """The connection failed or was cut."""

    kind = "network"


class RequestTimeoutError(DinteroError):
    """A request took longer than the client's timeout."""

    kind = "timeout"


class DecodeError(DinteroError):
    """A response could not be decoded."""

    kind = "decode"


class SignatureError(DinteroError):
    """A callback or webhook signature is missing, malformed, stale or wrong."""

    kind = "signature"


#: The one kind -> class table (checked against the core's kinds by the tests).
ERROR_CLASSES: dict[str, type[DinteroError]] = {
    cls.kind: cls
    for cls in (
        InvalidInputError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        ConflictError,
        RateLimitedError,
        ServerError,
        NetworkError,
        RequestTimeoutError,
        DecodeError,
        SignatureError,
    )
}


def _from_native(
    kind: str,
    message: str,
    status: Optional[int] = None,
    code: Optional[str] = None,
    request_id: Optional[str] = None,
) -> DinteroError:
    """Builds the exception for a core error (called by the compiled module)."""
    cls = ERROR_CLASSES.get(kind, DinteroError)
    return cls(message, kind=kind, status=status, code=code, request_id=request_id)
