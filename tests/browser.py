"""What the browser tests share: Chromium from the system driven by Playwright, an app served
over HTTP on a free port of 127.0.0.1, console errors as failures, and screenshots.

Test modules load it with `pytest_plugins = ["tests.browser"]` (the `browser` fixture) and
import the rest. Importing it skips the module on a developer's machine without Chromium or
Playwright; in CI (CI=true) that is a failure instead.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
INSTALL = "install it with `apt-get install chromium` and `pip install -e '.[test]'`"


def _missing(what: str) -> None:
    """Skip on a developer's machine; in CI (CI=true) a missing browser is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what}: {INSTALL}", pytrace=False)
    pytest.skip(f"{what}: {INSTALL}", allow_module_level=True)


try:
    from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright
except ImportError:
    _missing("Playwright for Python is not installed")
if not CHROMIUM.is_file():
    _missing(f"Chromium is not at {CHROMIUM}")

# Exactly these; --no-sandbox only because tests run as root in containers.
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
__all__ = ["Browser", "Page", "expect", "browser", "collect_errors", "log_in", "screenshot",
           "serving"]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """`app` served by werkzeug in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        app.config["LIBRARY"].renderer.close()  # the page renderer's worker process


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium from the system (Playwright cannot download browsers offline)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def collect_errors(tab: Page, errors: list[str]) -> None:
    """Append every console error and uncaught exception of `tab` to `errors`."""

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":  # CSP violations and script errors land here
            errors.append(message.text)

    tab.on("console", on_console)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))


def screenshot(page: Page, name: str) -> None:
    """A full-page screenshot under test-artifacts/, for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page: Page, token: str) -> None:
    """Sign a librarian in from the home page with `token`, as a person would."""
    page.goto("/")
    page.get_by_role("link", name="Librarian login").click()
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
