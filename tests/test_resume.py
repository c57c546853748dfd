"""A killed ingest leaves catalog and index consistent, and the next run converges."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.config import Settings
from indexer.ingest import IngestSummary
from indexer.library import Library

QUERIES = ['"nuclear weapons"', "seabed mining", "Homotopie", "停车区", "информации"]


def _reports_in(catalog: Path) -> int:
    try:
        with sqlite3.connect(catalog) as db:
            return int(db.execute("SELECT count(*) FROM reports").fetchone()[0])
    except sqlite3.Error:
        return 0


def _comparable(lib: Library) -> tuple[list, dict]:
    reports = [
        (e["report_id"], e["status"], e["pages"], [(f["path"], f["status"]) for f in e["files"]])
        for e in lib.reports()
    ]
    hits = {
        q: [(h.report_id, h.page, h.snippet) for h in lib.search(q, limit=50, per_report=0).hits]
        for q in QUERIES
    }
    return reports, hits


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_ingest_converges_on_rerun(
    corpus: Path, corpus_ingest: tuple[Library, IngestSummary], tmp_path: Path, sig: int
) -> None:
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer", "--data", str(data), "ingest", str(corpus)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=os.environ | {"INDEXER_OCR": "off"},  # as the corpus fixture it is compared with
    )
    deadline = time.monotonic() + 120
    while _reports_in(data / "catalog.sqlite") < 6 and proc.poll() is None:
        assert time.monotonic() < deadline, "ingest made no progress"
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be interrupted"
    if sig == signal.SIGKILL:
        os.killpg(proc.pid, sig)  # the whole group: the writer and its extraction workers
    else:
        proc.send_signal(sig)
    code = proc.wait(timeout=60)
    assert code == (-sig if sig == signal.SIGKILL else 130)
    assert 0 < _reports_in(data / "catalog.sqlite") < 31

    rerun = Library(Settings(data=data, workers=2, ocr="off"))
    summary = rerun.ingest([corpus])
    assert summary.counts["unchanged"] > 0
    assert _comparable(rerun) == _comparable(corpus_ingest[0])
