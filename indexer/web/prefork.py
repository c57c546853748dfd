"""`indexer serve --workers N` (N > 1): N server processes under gunicorn, on Linux.

One waitress process answers every request on threads that share one GIL, so a second core
does nothing for searches, which are Python through and through (Whoosh). Gunicorn forks N
worker processes that take connections from one listening socket. gunicorn lives here and
nowhere else; waitress stays the default (one process, any platform).

- **Workers.** `gthread`, THREADS threads each: the main loop of each process accepts
  connections and waits for a request's first bytes, so an idle or slow-to-start client takes
  no thread; an idle keep-alive connection is closed after KEEPALIVE_S. A worker that stops
  answering gunicorn's heartbeat for TIMEOUT_S is killed and replaced.
- **No preload.** Each worker builds its own app after the fork (`load`): open Whoosh files,
  searcher pools and SQLite connections are never shared across a fork. The master only
  opens the catalog once before forking, so that N workers do not create or migrate it at once.
- **One runner.** The apps are built with `shared=True`: of the N processes, the one holding
  DATA/runner.lock runs uploads, syncs and follow runs (see `indexer.runner`).
- **Bodies.** gunicorn hands the app the request as soon as its headers are in and leaves the
  body in the socket until the app reads it. A write without credentials is refused before
  that (see `web.auth`), as is a Content-Length over the upload limit (Flask's
  MAX_CONTENT_LENGTH, the limit waitress enforces; here a JSON 413, after the credentials).
  When the app has answered without reading the whole body, `CloseUnread` makes gunicorn
  close the connection after the answer instead of reading the rest to reuse the connection:
  a client announcing 1 GB gets its refusal at once and the worker reads nothing more of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.http.wsgi import Response as GunicornResponse

from ..catalog import Catalog
from ..config import Settings
from . import create_app

THREADS = 4  # per worker: with 2 workers, as many as waitress's 8
TIMEOUT_S = 30
GRACEFUL_TIMEOUT_S = 10
KEEPALIVE_S = 5
WORKER_CONNECTIONS = 250  # open connections a worker keeps; more wait in the listen backlog

Environ = dict[str, Any]
StartResponse = Callable[..., Any]


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve the app from `workers` gunicorn processes on host:port until stopped."""
    with Catalog(settings.catalog_path):
        pass  # created or migrated here, once, not by every worker at the same time
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    _Server(settings, bind, workers).run()


class _Server(BaseApplication):
    """gunicorn configured from code rather than its command line or a config file."""

    def __init__(self, settings: Settings, bind: str, workers: int) -> None:
        self.settings = settings
        self.options: dict[str, Any] = {
            "bind": [bind],
            "workers": workers,
            "worker_class": "gthread",
            "threads": THREADS,
            "timeout": TIMEOUT_S,
            "graceful_timeout": GRACEFUL_TIMEOUT_S,
            "keepalive": KEEPALIVE_S,
            "worker_connections": WORKER_CONNECTIONS,
            "preload_app": False,
            "proc_name": "indexer",
            "errorlog": "-",
            "loglevel": "warning",
            "control_socket_disable": True,  # gunicorn >= 25 would open ~/.gunicorn/gunicorn.ctl
        }
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            if name in self.cfg.settings:  # a setting an older gunicorn lacks is left out
                self.cfg.set(name, value)

    def load(self) -> Callable[[Environ, StartResponse], Iterable[bytes]]:
        """The app, built in each worker after the fork."""
        return CloseUnread(create_app(self.settings, shared=True))


class CloseUnread:
    """WSGI middleware: when the app starts its answer before it has read the request's body
    to the end, the connection is closed after the answer rather than drained for reuse."""

    def __init__(self, app: Callable[[Environ, StartResponse], Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        body = _CountedBody(environ["wsgi.input"], _announced(environ))
        environ["wsgi.input"] = body

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            server_response = getattr(start_response, "__self__", None)
            if not body.finished and isinstance(server_response, GunicornResponse):
                server_response.force_close()  # "Connection: close", and no drain
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def _announced(environ: Environ) -> int | None:
    """The body's length from Content-Length; None for a chunked body (known at its end)."""
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return None
    try:
        return max(0, int(environ.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return None


class _CountedBody:
    """The request body as the server gives it, noting whether it was read to its end."""

    def __init__(self, stream: Any, length: int | None) -> None:
        self._stream = stream
        self._left = length
        self.finished = length == 0

    def _saw(self, data: bytes, asked: int | None) -> bytes:
        if self._left is not None:
            self._left -= len(data)
        if self._left == 0 or (not data and asked != 0):
            self.finished = True
        return data

    def read(self, size: int | None = -1) -> bytes:
        return self._saw(self._stream.read(size), size)

    def readline(self, size: int | None = -1) -> bytes:
        return self._saw(self._stream.readline(size), size)

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        lines = [self._saw(line, None) for line in self._stream.readlines(hint)]
        if hint is None or hint <= 0:
            self.finished = True  # read to the end
        return lines

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")
