"""The callback receiver for FastAPI: the Starlette one (FastAPI's ``Request`` is Starlette's)::

from dintero_checkout.integrations.fastapi import callback_response, receive_callback
"""

from __future__ import annotations

from .starlette import callback_response, path_and_query, receive_callback

__all__ = ["callback_response", "path_and_query", "receive_callback"]
