"""Bearer-token check for the write endpoints (upload, delete); reads need no token.

Auth is a web concern only: the CLI runs with the user's own rights over the data folder.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

View = TypeVar("View", bound=Callable[..., Any])


def require_token(view: View) -> View:
    """Let the request through only with `Authorization: Bearer <INDEXER_TOKEN>`.

    No token configured: 403 (writes are disabled). Missing or wrong token: 401.
    """

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        check_token()
        return view(*args, **kwargs)

    return checked  # type: ignore[return-value]


def check_token() -> None:
    """Raise Forbidden or Unauthorized unless the request carries the configured token."""
    expected = current_app.config["LIBRARY"].settings.token
    if not expected:
        raise Forbidden("writes are disabled: start the server with INDEXER_TOKEN set")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # compare_digest: the time taken must not tell how much of a guess was right.
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), expected.encode()
    ):
        raise Unauthorized(
            "send the token as 'Authorization: Bearer <token>'",
            www_authenticate=WWWAuthenticate("bearer", {"realm": "indexer"}),
        )
