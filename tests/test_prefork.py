"""`indexer serve --workers 2` (gunicorn) as clients meet it: answers from more than one
process, uploads run once by the one elected runner (also after it is killed), and writes
without credentials refused before their bodies are read, their connections closed."""

from __future__ import annotations

import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from indexer.config import Settings
from indexer.library import Library
from indexer.runner import RUNNER_LOCK
from indexer.web import create_app
from tests.pdfs import make_pdf
from tests.servers import ROOT, Server, indexer_process

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="gunicorn: Linux")
pytest.importorskip("gunicorn")

TOKEN = "prefork-token-0123456789"
WORKERS = 2
ENV = {**os.environ, "INDEXER_TOKEN": TOKEN, "INDEXER_OCR": "off"}
HUGE = 1024**3  # announced, never sent
# Write routes anyone may use: everything else that is not GET needs a writer or a librarian.
PUBLIC_WRITES = {"api.quote", "syndication.oai", "auth.login", "auth.logout"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`indexer serve --workers 2` over one generated report (the word "kookaburra")."""
    folder = tmp_path_factory.mktemp("prefork")
    library = Library(Settings.from_env(data=folder / "data", ocr="off"))
    library.ingest([make_pdf(folder / "bird.pdf", ["The kookaburra laughs at dawn."])])
    library.close()
    with indexer_process(folder / "data", ENV, workers=WORKERS) as running:
        yield running


def _workers(server: Server) -> set[int]:
    return {child.pid for child in psutil.Process(server.proc.pid).children()}


def _served_by(server: Server, local_port: int) -> int:
    """The worker holding the server's end of our connection from `local_port`."""
    for pid in _workers(server):
        for conn in psutil.Process(pid).net_connections(kind="tcp"):
            if conn.raddr and conn.raddr.port == local_port:
                return pid
    raise AssertionError(f"no worker holds the connection from port {local_port}")


def _ask(
    server: Server, method: str, path: str, body: bytes | None = None, **headers: str
) -> tuple[int, int, bytes]:
    """(status, pid of the worker that answered, body) of one request on a new connection."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        assert conn.sock is not None  # kept alive, so its worker still holds it
        return response.status, _served_by(server, conn.sock.getsockname()[1]), data
    finally:
        conn.close()


def _ask_every_worker(server: Server, path: str) -> dict[int, tuple[int, bytes]]:
    """GET `path` on new connections until every worker has answered it (bounded)."""
    answers: dict[int, tuple[int, bytes]] = {}
    for _ in range(200):
        status, pid, data = _ask(server, "GET", path)
        answers[pid] = (status, data)
        if set(answers) >= _workers(server):
            return answers
    raise AssertionError(f"only workers {sorted(answers)} answered of {sorted(_workers(server))}")


def _upload(server: Server, name: str, pdf: bytes) -> dict:
    boundary = "prefork-boundary-7f3a"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + pdf
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, _, data = _ask(
        server,
        "POST",
        "/api/reports",
        body,
        Authorization=f"Bearer {TOKEN}",
        **{"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert status == 202, data
    return dict(json.loads(data))


def _job(server: Server, job_id: str) -> dict:
    status, _, data = _ask(server, "GET", f"/api/jobs/{job_id}")
    assert status == 200, data
    return dict(json.loads(data))


def _finished(server: Server, job_id: str, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = _job(server, job_id)
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {_job(server, job_id)['status']} after {timeout} s")


def _lock_holders(path: Path) -> set[int]:
    """The pids holding a flock() on `path`, from /proc/locks."""
    inode = path.stat().st_ino
    holders = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "FLOCK" in fields and int(fields[-3].rsplit(":", 1)[1]) == inode:
            holders.add(int(fields[-4]))
    return holders


def _runner(server: Server, timeout: float = 10) -> int:
    """The worker elected to run uploads: the one holding DATA/runner.lock (bounded wait)."""
    lock = server.data / RUNNER_LOCK
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holders = _lock_holders(lock) if lock.exists() else set()
        if holders:
            assert len(holders) == 1 and holders <= _workers(server), holders
            (pid,) = holders
            return pid
        time.sleep(0.1)
    raise AssertionError("no worker took DATA/runner.lock")


def _hits(data: bytes, report_id: str) -> list[dict]:
    return [h for h in json.loads(data)["hits"] if h["report_id"] == report_id]


def test_searches_are_answered_by_every_worker_process(server: Server) -> None:
    answers = _ask_every_worker(server, "/api/search?q=kookaburra")
    assert len(answers) == WORKERS
    for status, data in answers.values():
        assert status == 200 and json.loads(data)["total"] == 1


def test_an_upload_is_ingested_once_by_the_runner_and_searchable_from_every_worker(
    server: Server, tmp_path: Path
) -> None:
    pdfs = {
        w: make_pdf(tmp_path / f"{w}.pdf", [f"A {w} on the page."]) for w in ("wombat", "quoll")
    }
    jobs = {w: _upload(server, f"{w}.pdf", p.read_bytes()) for w, p in pdfs.items()}
    for word, job in jobs.items():
        done = _finished(server, job["job_id"])
        assert (done["status"], done["error"]) == ("done", None)
        for status, data in _ask_every_worker(server, f"/api/search?q={word}").values():
            assert status == 200 and len(_hits(data, done["report_id"])) == 1
    assert _runner(server) in _workers(server)
    _, _, listed = _ask(server, "GET", "/api/reports")
    ids = [r["report_id"] for r in json.loads(listed)]
    assert len(ids) == len(set(ids)) == 3  # the bird, and each upload once


def _send_headers(server: Server, head: str) -> tuple[bytes, float]:
    """Send a request's head and no body; return all the server sends until it closes the
    connection, and how long that took (the socket gives up after 10 s)."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(head.encode())
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    return answer, time.monotonic() - start


@pytest.mark.parametrize(
    "line",
    [
        "POST /api/reports",
        "PATCH /api/reports/0123456789abcdef",
        "DELETE /api/reports/0123456789abcdef",
        "POST /api/batch",
        "POST /upload",
    ],
)
def test_a_write_without_credentials_is_refused_at_once_and_its_connection_closed(
    server: Server, line: str
) -> None:
    answer, seconds = _send_headers(
        server,
        f"{line} HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\n"
        f"Content-Length: {HUGE}\r\n\r\n",
    )
    head = answer.split(b"\r\n\r\n")[0].lower()
    assert head.startswith(b"http/1.1 401") and b"connection: close" in head
    assert seconds < 2  # closed, not drained: gunicorn would wait 5 s for the body


def test_an_over_limit_body_with_credentials_is_refused_at_once(server: Server) -> None:
    answer, seconds = _send_headers(
        server,
        f"POST /api/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
        f"Content-Type: application/pdf\r\nContent-Length: {HUGE}\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 413") and seconds < 2


def test_a_body_read_to_its_end_keeps_the_connection(server: Server) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        for _ in range(2):  # the second request goes over the same connection
            conn.request("POST", "/api/quote", body=b'{"text": "the kookaburra laughs at dawn"}',
                         headers={"Content-Type": "application/json"})  # fmt: skip
            response = conn.getresponse()
            assert response.status == 200 and response.getheader("Connection") == "keep-alive"
            assert json.loads(response.read())["matches"]
    finally:
        conn.close()


def test_a_job_queued_while_the_runner_is_stopped_is_run_once_after_it_is_killed(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    pdf = make_pdf(tmp_path / "numbat.pdf", ["The numbat eats termites."]).read_bytes()
    with indexer_process(data, ENV, workers=WORKERS) as server:
        runner = _runner(server)
        os.kill(runner, signal.SIGSTOP)
        try:
            job = _upload(server, "numbat.pdf", pdf)  # accepted by the other worker
            time.sleep(2.5)  # five polls of the runner, two elections
            assert _job(server, job["job_id"])["status"] == "queued"  # no one else runs it
        finally:
            os.kill(runner, signal.SIGKILL)
        done = _finished(server, job["job_id"])
        assert done["status"] == "done"
        assert _runner(server) != runner
        for status, found in _ask_every_worker(server, "/api/search?q=numbat").values():
            assert status == 200 and len(_hits(found, done["report_id"])) == 1


class _Unreadable(io.RawIOBase):
    """A request body that fails the test when anything reads it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        raise AssertionError("the body of a request without credentials was read")


@pytest.mark.parametrize("token", [TOKEN, ""])
def test_every_write_route_refuses_without_credentials_before_reading_the_body(
    tmp_path: Path, token: str
) -> None:
    app = create_app(data=tmp_path / "data", token=token)
    values = {"report_id": "0123456789abcdef", "follow_id": "nofollow", "job_id": "nojob"}
    checked = []
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        for rule in app.url_map.iter_rules():
            for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"}):
                if rule.endpoint in PUBLIC_WRITES:
                    continue
                path = adapter.build(rule.endpoint, {a: values[a] for a in rule.arguments})
                response = app.test_client().open(
                    path,
                    method=method,
                    environ_overrides={"wsgi.input": _Unreadable(), "CONTENT_LENGTH": str(HUGE)},
                    content_type="application/pdf",
                )
                assert response.status_code == (401 if token else 403), (method, path)
                checked.append(rule.endpoint)
    assert {"api.upload", "api.update", "api.delete", "librarian.upload"} <= set(checked)
    # The check would see a read: a public write reads its body (and fails on this one).
    quote = app.test_client().post(
        "/api/quote",
        environ_overrides={"wsgi.input": _Unreadable(), "CONTENT_LENGTH": "20"},
        content_type="application/json",
    )
    assert quote.status_code == 500
    app.config["LIBRARY"].close()


def test_workers_need_gunicorn_and_one_process_for_dev(tmp_path: Path) -> None:
    fake = tmp_path / "fake" / "gunicorn"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('no gunicorn here')\n")
    serve = [sys.executable, "-m", "indexer", "--data", str(tmp_path / "data"), "serve"]
    for extra, env, message in [
        (["--workers", "2"], {"PYTHONPATH": str(fake.parent)}, "needs gunicorn"),
        (["--workers", "2", "--dev"], {}, "--dev serves from one process"),
    ]:
        done = subprocess.run(
            [*serve, *extra], capture_output=True, text=True, cwd=ROOT, env=ENV | env, timeout=60
        )
        assert done.returncode == 2 and message in done.stderr
