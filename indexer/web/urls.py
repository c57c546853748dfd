"""Absolute URLs (citations, meta tags, opensearch.xml, the OpenAPI server) from the public
base URL in the settings, never from the request: its Host header is whatever the sender chose.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request, url_for

from ..config import Settings

DEFAULT_BASE_URL = "http://localhost"


def configure(app: Flask, settings: Settings) -> None:
    """Keep `settings.base_url` (checked, no trailing slash) on `app`."""
    app.config["BASE_URL"] = public_base_url(settings)


def public_base_url(settings: Settings) -> str:
    """`settings.base_url` without a trailing slash, or http://localhost when it is unset."""
    base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
    if not base_url.startswith(("http://", "https://")) or "?" in base_url or "#" in base_url:
        raise ValueError(f"base_url must be an http:// or https:// URL, not {base_url!r}")
    return base_url


def base_url() -> str:
    """The public URL of this app's root, without a trailing slash."""
    return str(current_app.config["BASE_URL"])


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of `endpoint`: the base URL plus the path within this app."""
    return absolute(url_for(endpoint, **values))


def absolute(path: str) -> str:
    """A path from `url_for` (with its query, if any) under the public base URL."""
    # The base URL already names where the app is mounted.
    root = request.script_root
    if root and path.startswith(root + "/"):
        path = path[len(root) :]
    return base_url() + path
