"""Bearer authentication for views: the principal arrives as a keyword argument.

The token travels only in the Authorization header (never in a URL) and is never logged.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from typing import Any, TypeVar

from flask import request

from api.extension import usecases
from ledger.access.errors import Unauthenticated

F = TypeVar("F", bound=Callable[..., Any])
SCHEME = "bearerAuth"


def bearer_token() -> str | None:
    """The bearer token of the request, None without an Authorization header."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("use the Authorization: Bearer <token> header")
    return token.strip()


def authenticated(*, anonymous_ok: bool = False) -> Callable[[F], F]:
    """Resolve the caller before anything else; documents the security requirement."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            who = usecases().tokens.authenticate(bearer_token(), anonymous_ok=anonymous_ok)
            return view(*args, principal=who, **kwargs)

        doc = deepcopy(getattr(wrapper, "_apidoc", {}))
        security: list[dict[str, list[str]]] = [{SCHEME: []}]
        doc.setdefault("manual_doc", {})["security"] = security + ([{}] if anonymous_ok else [])
        wrapper._apidoc = doc  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator
