"""The librarian's session: the key that signs its cookie, the cookie's flags and lifetime.

The session is Flask's signed cookie. Its key is `settings.secret_key`, or else a key generated
once into DATA/secret_key, so that restarts and several server processes accept each other's
cookies. The cookie's timestamp is checked against `session_hours` on every request, so an old
cookie is refused even if a browser kept it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

from flask import Flask

from ..config import Settings

log = logging.getLogger(__name__)

SECRET_FILE = "secret_key"
COOKIE_NAME = "indexer_session"


def configure(app: Flask, settings: Settings) -> None:
    """Set `app`'s secret key and session cookie flags from `settings` (after `urls.configure`)."""
    app.secret_key = settings.secret_key or stored_secret_key(settings.data)
    app.config.update(
        SESSION_COOKIE_NAME=COOKIE_NAME,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        # A Secure cookie is never sent over plain http, which would make login impossible.
        SESSION_COOKIE_SECURE=app.config["BASE_URL"].startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours),
    )


def stored_secret_key(data: Path) -> str:
    """The key in `data`/secret_key, generated (mode 0600) if the file does not exist yet.

    The key is written to a temporary file and then hard-linked into place, which fails if
    the file exists: of two processes starting at once, one wins and both read its key.
    """
    path = data / SECRET_FILE
    if not path.exists():
        data.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=data, prefix=f".{SECRET_FILE}.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
                f.flush()
                os.fsync(f.fileno())
            with contextlib.suppress(FileExistsError):  # another process was first: use its key
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    if path.stat().st_mode & 0o077:
        log.warning("%s can be read by other users: chmod 600 it", path)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ValueError(f"{path} holds no usable key: delete it and a new one is generated")
    return key
