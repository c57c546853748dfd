"""The web face: `create_app(settings)` builds a Flask app over the same `Library` the CLI uses."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..config import Settings
from ..library import Library


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    """Build the app for `settings` (default: from the environment)."""
    app = Flask(__name__)
    app.config["LIBRARY"] = Library(settings or Settings.from_env(**overrides))
    from . import errors, views

    app.register_blueprint(views.bp)
    errors.register(app)
    return app
