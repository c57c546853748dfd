"""Who may change the collection: a client with the Bearer token, or a librarian logged in.

Reads need nothing. A write through the API carries `Authorization: Bearer <INDEXER_TOKEN>`,
or comes from a logged-in session and carries that session's CSRF token in `X-CSRF-Token`.
Every HTML form that changes something carries the CSRF token as the field `csrf_token`.
The CSRF tokens are Flask-WTF's, bound to the session and signed with the app's secret key.

The checks look at headers and the session cookie first, before anything reads the body (only
a logged-in form's CSRF token may sit in it), and nothing runs before them: a write without
credentials is refused before its body is read, so under a server that reads bodies lazily
(gunicorn, see `web.prefork`) a client announcing a large upload gets its 401 or 403 at once.
tests/test_prefork.py holds every write route to that.

Auth is a web concern only: the CLI runs with the user's own rights over the data folder.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

View = TypeVar("View", bound=Callable[..., Any])

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
CSRF_HEADER = "X-CSRF-Token"
_SESSION_KEY = "librarian"


def register(app: Flask) -> None:
    """Set up CSRF tokens on `app`; each write view checks them itself (see `check_writer`)."""
    app.config.update(
        # Checked by the views that change something, not on every POST: /api/quote is a
        # read, and a request with the Bearer token needs no CSRF token.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_HEADERS=[CSRF_HEADER],
        WTF_CSRF_TIME_LIMIT=None,  # valid as long as the session it belongs to
    )
    csrf.init_app(app)
    app.register_blueprint(bp)
    app.context_processor(lambda: {"librarian": is_librarian()})


def _token() -> str:
    return str(current_app.config["LIBRARY"].settings.token)


def _badge(token: str) -> str:
    """What the session keeps to show it logged in with `token`: an HMAC of the token under
    the app's key, so the cookie does not reveal the token and a new token ends old logins."""
    key = str(current_app.secret_key).encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def is_librarian() -> bool:
    """Whether this request comes from a session logged in with the current token."""
    token, badge = _token(), session.get(_SESSION_KEY)
    return bool(token and isinstance(badge, str) and hmac.compare_digest(badge, _badge(token)))


def _token_matches(given: str) -> bool:
    # compare_digest: the time taken must not tell how much of a guess was right.
    return hmac.compare_digest(given.strip().encode(), _token().encode())


def _writes_enabled() -> None:
    if not _token():
        raise Forbidden("writes are disabled: start the server with INDEXER_TOKEN set")


def check_token() -> None:
    """Raise Forbidden or Unauthorized unless the request carries the configured token."""
    _writes_enabled()
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not _token_matches(given):
        raise Unauthorized(
            "send the token as 'Authorization: Bearer <token>', or log in at /login",
            www_authenticate=WWWAuthenticate("bearer", {"realm": "indexer"}),
        )


def check_csrf() -> None:
    """Forbidden unless the request carries this session's CSRF token (form field
    `csrf_token` or header X-CSRF-Token)."""
    try:
        csrf.protect()
    except CSRFError as error:
        raise Forbidden(
            f"CSRF check failed: {error.description} A logged-in request that changes "
            f"something must send the page's CSRF token as the {CSRF_HEADER} header "
            "(or the csrf_token form field); reload the page and try again."
        ) from error


def check_writer() -> None:
    """Let an API write through with the Bearer token, or from a logged-in session with its
    CSRF token. No token configured: 403; no credentials: 401; no CSRF token: 403."""
    _writes_enabled()
    if "Authorization" in request.headers or not is_librarian():
        check_token()
    else:
        check_csrf()


def require_writer(view: View) -> View:
    """Decorate an API view that changes the collection (see `check_writer`)."""

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        check_writer()
        return view(*args, **kwargs)

    return checked  # type: ignore[return-value]


def require_librarian(view: View) -> View:
    """Decorate an HTML view for librarians: a GET without a login goes to the login page;
    a POST needs the login and the form's CSRF token."""

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        _writes_enabled()
        if not is_librarian():
            if request.method == "GET":
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            raise Unauthorized("log in first (your session may have expired)")
        if request.method != "GET":
            check_csrf()
        return view(*args, **kwargs)

    return checked  # type: ignore[return-value]


def _next_page() -> str:
    """Where to go after logging in or out: a path on this site only (no open redirect)."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    # Browsers read "/\\host" as "//host"; a control character could split the header.
    odd = "\\" in target or not target.isprintable()
    if not target.startswith("/") or target.startswith("//") or parts.netloc or odd:
        return url_for("web.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """The login form; posting the token (field `token`) starts a librarian's session."""
    target = _next_page()
    page: dict[str, Any] = {"next": target, "error": None, "enabled": bool(_token())}
    if request.method == "GET":
        return render_template("login.html", **page), 200 if page["enabled"] else 403
    _writes_enabled()
    check_csrf()
    if not _token_matches(request.form.get("token", "")):
        page["error"] = "That is not the token. Ask whoever runs this server for it."
        return render_template("login.html", **page), 401
    session.clear()  # a fresh session and a fresh CSRF token
    session.permanent = True  # expires after session_hours, not when the browser closes
    session[_SESSION_KEY] = _badge(_token())
    return redirect(target, 303)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End the session (the form carries the CSRF token, so no other site can log you out)."""
    if is_librarian():
        check_csrf()
    session.clear()
    return redirect(url_for("web.home"), 303)
