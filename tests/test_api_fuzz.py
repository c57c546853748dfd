"""API fuzzing: schemathesis builds requests from /openapi.json and sends them to the real app.

No answer may be a 500, and every answer must match the schema of its operation and status
(the schemas in `indexer/web/openapi.py` are closed: a key added, dropped or retyped fails
here). Reads run over the read-only session collection; writes (upload, PATCH, DELETE) over a
private copy, with the Bearer token. Generation is bounded and derandomized, so a run is
reproducible; the last test prints the number of cases sent (the "schemathesis case count").

Each operation is one Hypothesis test over schemathesis' public `as_strategy()`: valid and
invalid requests, plus valid ones aimed at the collection's reports, pages, words, passages
and upload jobs, which random values almost never name. (schemathesis' own pytest runner,
`from_fixture(...).parametrize()`, fails on pytest 9: it sets `Node._nodeid`, which pytest 9
no longer has.)
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from indexer.web.openapi import spec
from tests.pdfs import make_pdf

pytest_plugins = ["tests.web_fixtures"]

MAX_EXAMPLES = 50  # cases per operation
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
BOUNDED = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,  # the same cases on every run
    deadline=None,  # two busy cores make timings meaningless
    database=None,  # nothing carried over from an earlier run
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)
OPERATIONS = [
    f"{m.upper()} {p}" for p, ops in spec("http://localhost")["paths"].items() for m in ops
]
UPLOAD, JOB = "POST /api/reports", "GET /api/jobs/{job_id}"
WRITES = [
    "PATCH /api/reports/{report_id}",
    "DELETE /api/reports/{report_id}",
    "POST /api/follows",
    "POST /api/follows/run",
    "DELETE /api/follows/{follow_id}",
]
# Operations without parameters or body: Hypothesis sends their one possible case once.
PARAMETERLESS = ["GET /api/reports", "GET /api/stats", "GET /api/follows"]
# Needs the token but changes nothing: sent to the read-only app.
TOKENED = ["POST /api/batch"]
READS = [op for op in OPERATIONS if op not in (UPLOAD, JOB, *WRITES, *TOKENED)]
SENT: Counter[tuple[str, int]] = Counter()  # (operation, status) -> cases

# What the collection holds (see tests/web_fixtures.py).
QUERIES = ["airborne", '"airborne forces" Russia', "forces AND NOT Russia", "title:reaction",
           "year:[2019 TO 2024]", "air*", "airborn~", "walrus", "воздушно-десантные", "seabed",
           # refused with a 400 (issue 9: these were 500s, or matched every page)
           "page_label:x", "path：x", "field:", "＊", "a？", "[a TO z]"]  # fmt: skip
PASSAGES = [
    "The airborne forces of Russia (VDV) are a separate branch under direct command",
    "the airborne forces of Russia are a distinct branch under the command",  # near, not exact
    "Allied planners study how airborne forces from Russia could seize airfields",
    "five words that nowhere appear",
]


# Files of queries: one a line, a CSV with a query column, bad queries among good ones.
BATCHES = ["\n".join(QUERIES), 'query,note\nairborne,x\n"""unbalanced",y\n', "walrus\n" * 1001]


@dataclass(frozen=True)
class Targets:
    """Values that name something real: report ids, (report id, PDF page), upload job ids."""

    report_ids: list[str]
    pages: list[tuple[str, int]]
    job_ids: list[str]


def _targets(app: Flask, ids: dict[str, str], job_ids: list[str] | None = None) -> Targets:
    # Reports in the order of their names: the ids are hashes of PDFs generated anew each
    # session, and the cases must not depend on them. Pages: each one, and one past the last.
    report_ids = [ids[name] for name in sorted(ids)]
    count = {r["report_id"]: r["pages"] for r in app.config["LIBRARY"].reports()}
    pages = [(r, n) for r in report_ids for n in range(1, count.get(r, 0) + 2)]
    return Targets(report_ids, pages, job_ids or [])


def _aimed(operation: Any, targets: Targets) -> list[st.SearchStrategy[Any]]:
    """Valid cases about what the app holds; the other parameters are generated."""

    def fixed(values: list[Any], **where: Any) -> st.SearchStrategy[Any]:
        # where: the keyword of `as_strategy` -> how one drawn value fills it
        return st.sampled_from(values).flatmap(
            lambda v: operation.as_strategy(**{k: f(v) for k, f in where.items()})
        )

    path = {p.name for p in operation.path_parameters}
    if path == {"report_id", "n"}:
        return [fixed(targets.pages, path_parameters=lambda w: {"report_id": w[0], "n": w[1]})]
    if path == {"report_id"}:
        return [fixed(targets.report_ids, path_parameters=lambda r: {"report_id": r})]
    if path == {"job_id"} and targets.job_ids:
        return [fixed(targets.job_ids, path_parameters=lambda j: {"job_id": j})]
    aims: dict[str, tuple[list[Any], dict[str, Any]]] = {
        "GET /api/search": (QUERIES, {"query": lambda q: {"q": q}}),
        "GET /api/quote": (PASSAGES, {"query": lambda t: {"text": t}}),
        "POST /api/quote": (PASSAGES, {"body": lambda t: {"text": t}}),
        "GET /api/export": (QUERIES, {"query": lambda q: {"q": q}}),
        "POST /api/batch": (BATCHES, {"body": lambda b: {"file": b.encode()}}),
    }
    values, where = aims.get(operation.label, ([], {}))
    return [fixed(values, **where)] if values else []


@contextmanager
def _own_random() -> Iterator[None]:
    # Hypothesis seeds the global `random` alike for every example, and Whoosh names a new
    # segment with it: without fresh state a second commit reuses the first one's file name.
    # (Hypothesis also refuses `random` calls while it generates: an upload's ingest thread
    # must be done by then.)
    state = random.getstate()
    random.seed()
    try:
        yield
    finally:
        random.setstate(state)


def _fuzz(app: Flask, label: str, targets: Targets, writer: bool = False) -> None:
    """Send the bounded cases of one operation to `app` and check every answer."""
    method, path = label.split(" ")
    operation = schemathesis.openapi.from_wsgi("/openapi.json", app)[path][method]
    token = app.config["LIBRARY"].settings.token
    headers = {"Authorization": f"Bearer {token}"} if writer else {}
    # Aimed cases first: Hypothesis draws the first strategies of a one_of more often.
    generated = [operation.as_strategy(mode) for mode in GenerationMode]
    cases = st.one_of(*_aimed(operation, targets), *generated)

    @BOUNDED
    @given(case=cases)
    def send(case: Any) -> None:
        with _own_random():
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            if response.status_code == 202 and label == UPLOAD:  # must not overlap the next
                _wait_for(app, [response.json()["job_id"]])
        SENT[label, response.status_code] += 1

    send()


@pytest.mark.parametrize("label", READS)
def test_reads_answer_as_documented(app: Flask, ids: dict[str, str], label: str) -> None:
    _fuzz(app, label, _targets(app, ids))


def test_unknown_jobs_answer_as_documented(app: Flask, ids: dict[str, str]) -> None:
    _fuzz(app, JOB, _targets(app, ids))


@pytest.mark.parametrize("label", TOKENED)
def test_token_reads_answer_as_documented(app: Flask, ids: dict[str, str], label: str) -> None:
    _fuzz(app, label, _targets(app, ids), writer=True)


@pytest.mark.parametrize("label", WRITES)
def test_writes_answer_as_documented(writable_app: Flask, ids: dict[str, str], label: str) -> None:
    _fuzz(writable_app, label, _targets(writable_app, ids), writer=True)


def test_uploads_and_their_jobs_answer_as_documented(
    writable_app: Flask, ids: dict[str, str], tmp_path: Path
) -> None:
    _fuzz(writable_app, UPLOAD, _targets(writable_app, ids), writer=True)
    # Generated bodies are seldom PDFs. Real uploads are sent one by one, outside Hypothesis:
    # the ingest thread they start draws on the global `random`, which Hypothesis forbids
    # while it generates cases, and the jobs are checked while queued or running too.
    pdf = make_pdf(tmp_path / "up.pdf", ["The narwhal census counts tusks in Baffin Bay."])
    jobs = []
    # New bytes, other new bytes, the first bytes again (a duplicate).
    for body in (pdf.read_bytes(), pdf.read_bytes() + b"\n% another version\n", pdf.read_bytes()):
        job = _send_one(writable_app, UPLOAD, body={"file": body}, media_type="multipart/form-data")
        jobs.append(job.json()["job_id"])
        _send_one(writable_app, JOB, path_parameters={"job_id": jobs[-1]})  # queued or running
    _wait_for(writable_app, jobs)
    _fuzz(writable_app, JOB, _targets(writable_app, ids, jobs))  # done or failed


def _send_one(app: Flask, label: str, **request: Any) -> Any:
    """Send one given case of an operation (with the token) and check its answer."""
    method, path = label.split(" ")
    operation = schemathesis.openapi.from_wsgi("/openapi.json", app)[path][method]
    token = app.config["LIBRARY"].settings.token
    response = operation.Case(**request).call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
    )
    SENT[label, response.status_code] += 1
    return response


def _wait_for(app: Flask, job_ids: list[str]) -> None:
    # The ingest thread must be done before Hypothesis generates again (see `_own_random`),
    # and before the data folder goes away.
    library, deadline = app.config["LIBRARY"], time.monotonic() + 60
    while any(library.job(j)["status"] in ("queued", "running") for j in job_ids):
        assert time.monotonic() < deadline, "the uploads were not ingested within 60 s"
        time.sleep(0.1)


def test_every_operation_was_fuzzed(
    request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    # Runs last: prints the case count by operation and status, and makes sure a filter or
    # fixture change cannot quietly fuzz nothing.
    fuzzers = [item for item in request.session.items if item.path == request.path]
    if len(fuzzers) < len(READS) + len(WRITES) + len(TOKENED) + 3:
        pytest.skip("only part of the fuzzing was selected")
    by_operation: dict[str, Counter[int]] = {}
    for (label, status), n in SENT.items():
        by_operation.setdefault(label, Counter())[status] += n
    with capsys.disabled():
        print(f"\nschemathesis: {sum(SENT.values())} cases sent")
        for label, statuses in sorted(by_operation.items()):
            shown = ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()))
            print(f"  {label}: {statuses.total()} ({shown})")
    assert set(by_operation) == set(OPERATIONS), by_operation
    assert sum(SENT.values()) >= (len(OPERATIONS) - len(PARAMETERLESS)) * MAX_EXAMPLES
