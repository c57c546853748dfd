"""The index never loses work or takes the process down: one writer at a time per data folder,
segments read without mmap, rebuilds built beside the old index, and an index that never
answers for reports its catalog does not hold (issue 9, defects 5, 6, 7 and 9)."""

from __future__ import annotations

import json
import selectors
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.catalog import Catalog
from indexer.cli import cli
from indexer.config import Settings
from indexer.engine.whoosh import WhooshEngine
from indexer.errors import Busy, CatalogDamaged
from indexer.library import Library
from indexer.models import Page, Report
from indexer.writelock import WriteLock
from tests.engines import search
from tests.pdfs import make_pdf
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
INDEXER = ROOT / ".venv" / "bin" / "indexer"
WAIT_S = 120  # the bound of every wait below; no test is timed


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three small reports with known words."""
    folder = tmp_path / "pdfs"
    folder.mkdir()
    for n, word in enumerate(["albatross", "pelican", "cormorant"]):
        make_pdf(
            folder / f"r{n}.pdf", [f"The {word} report, page one.", f"More about the {word} here."]
        )
    return folder


def run_indexer(data: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(INDEXER), "--data", str(data), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def read_stderr_until(proc: subprocess.Popen[str], text: str) -> str:
    """What `proc` wrote to stderr up to a line containing `text` (fails after WAIT_S)."""
    assert proc.stderr is not None
    seen = ""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stderr, selectors.EVENT_READ)
        deadline = time.monotonic() + WAIT_S
        while text not in seen:
            assert time.monotonic() < deadline, f"no {text!r} on stderr: {seen!r}"
            assert proc.poll() is None, f"exited {proc.returncode}: {seen!r}"
            if sel.select(timeout=1):
                seen += proc.stderr.readline()
    return seen


@contextmanager
def another_writer(data: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the data folder's write lock for the block (then killed)."""
    code = (
        "import time; from pathlib import Path; from indexer.writelock import WriteLock\n"
        f"with WriteLock(Path({str(data)!r})).hold():\n"
        "    print('held', flush=True); time.sleep(600)\n"
    )
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "python"), "-c", code],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "held\n"
        yield proc
    finally:
        proc.kill()
        proc.communicate(timeout=WAIT_S)


def hits(lib: Library, query: str) -> list[tuple[str, int]]:
    return [(h.report_id, h.page) for h in lib.search(query, per_report=0, limit=50).hits]


# Defect 5: one writer at a time; a second one waits, or gives up having changed nothing.


def test_a_second_writer_gives_up_after_its_lock_timeout_having_changed_nothing(
    settings: Settings, folder: Path
) -> None:
    with another_writer(settings.data):  # another writer at work
        proc = run_indexer(settings.data, "ingest", str(folder), "--lock-timeout", "0.5", "--json")
        out, err = proc.communicate(timeout=WAIT_S)
    assert proc.returncode == 1, err
    assert json.loads(out)["error"]["type"] == "busy"
    assert err.count("waiting for another writer") == 1
    with Catalog(settings.catalog_path) as catalog:
        assert catalog.list_reports() == []


def test_a_second_writer_waits_then_finishes_the_whole_run(
    settings: Settings, folder: Path
) -> None:
    with another_writer(settings.data):
        proc = run_indexer(settings.data, "ingest", str(folder), "--json")
        read_stderr_until(proc, "waiting for another writer")
        with Catalog(settings.catalog_path) as catalog:
            assert catalog.list_reports() == [], "it waits before changing anything"
    out, err = proc.communicate(timeout=WAIT_S)
    assert proc.returncode == 0, err
    assert json.loads(out)["counts"]["indexed"] == 3
    lib = Library(settings)
    assert len(hits(lib, "albatross OR pelican OR cormorant")) == 6


def test_two_ingests_at_once_both_finish(settings: Settings, folder: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    for n in range(3):
        make_pdf(other / f"o{n}.pdf", [f"Heron number {n} on its first page."])
    procs = [run_indexer(settings.data, "ingest", str(f), "--json") for f in (folder, other)]
    results = [p.communicate(timeout=WAIT_S) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    lib = Library(settings)
    assert len(hits(lib, "albatross OR pelican OR cormorant")) == 6
    assert len(hits(lib, "heron")) == 3


def test_reports_a_writer_left_unindexed_become_searchable_on_the_next_open(
    lib: Library, folder: Path
) -> None:
    lib.ingest([folder])
    target = hits(lib, "albatross")[0][0]
    # What a writer killed between catalog and index commits leaves: the catalog holds the
    # report as indexed, with a dirty stamp, and the index does not have it.
    with WhooshEngine(lib.settings.index_dir).writer() as w:
        w.delete_report(target)
    with Catalog(lib.settings.catalog_path) as catalog:
        catalog.mark_all_dirty()
    assert hits(Library(lib.settings), "albatross") == [(target, 1), (target, 2)]


def test_a_rebuild_waits_for_the_writer_and_gives_up_when_told(
    settings: Settings, folder: Path
) -> None:
    Library(settings).ingest([folder])
    with another_writer(settings.data):
        result = CliRunner().invoke(
            cli, ["--data", str(settings.data), "rebuild", "--lock-timeout", "0", "--json"]
        )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["type"] == "busy"
    assert len(hits(Library(settings), "albatross")) == 2


# Defect 6: a segment truncated under a running server is an error, not a SIGBUS.


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=WAIT_S) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.fixture
def served(settings: Settings, folder: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`indexer serve` over the three reports; yields its base URL and process."""
    Library(settings).ingest([folder])
    port = free_port()
    proc = run_indexer(settings.data, "serve", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + WAIT_S
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5).close()
                break
            except OSError:
                time.sleep(0.1)
        yield base, proc
    finally:
        proc.terminate()
        proc.communicate(timeout=WAIT_S)


def test_a_truncated_segment_under_a_running_server_is_a_503_then_rebuilt(
    settings: Settings, served: tuple[str, subprocess.Popen[str]]
) -> None:
    base, proc = served
    url = f"{base}/api/search?q=albatross"
    status, before = get(url)
    assert status == 200 and before["total"] == 2
    for seg in settings.index_dir.glob("*.seg"):
        with seg.open("r+b") as f:
            f.truncate(seg.stat().st_size // 3)
    answers = [get(url) for _ in range(3)]
    assert proc.poll() is None, f"the server died ({proc.returncode})"
    assert {s for s, _ in answers} <= {200, 503}, answers
    assert all(a["error"]["type"] == "index_unavailable" for s, a in answers if s == 503)
    status, after = get(url)
    assert status == 200 and after["hits"] == before["hits"], "rebuilt from the catalog"


# Defect 7: rebuild builds beside the old index; a damaged catalog overwrites nothing.


def corrupt_a_page_row(catalog: Path, word: bytes) -> None:
    """Write garbage over the header of the sqlite page that holds `word` (a page's text)."""
    db = sqlite3.connect(catalog)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    data = bytearray(catalog.read_bytes())
    start = data.index(word) // page_size * page_size
    assert start > 0, "not the file header"
    data[start : start + 12] = b"\xee" * 12
    catalog.write_bytes(bytes(data))


def test_rebuild_of_a_damaged_catalog_fails_and_keeps_the_index(lib: Library, folder: Path) -> None:
    lib.ingest([folder])
    before = hits(lib, "pelican")
    assert len(before) == 2
    corrupt_a_page_row(lib.settings.catalog_path, b"More about the pelican")
    result = CliRunner().invoke(cli, ["--data", str(lib.settings.data), "rebuild", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["type"] == "catalog_damaged"
    assert hits(lib, "pelican") == before
    index = WhooshEngine(lib.settings.index_dir)
    assert {h.report_id for h in search(index, "pelican").hits} == {before[0][0]}


def test_a_failed_rebuild_leaves_the_old_index_serving(
    lib: Library, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib.ingest([folder])
    before = hits(lib, "cormorant")

    def unreadable(*args: object, **kwargs: object) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(Catalog, "pages", unreadable)  # a page row sqlite cannot read
    with pytest.raises(CatalogDamaged, match="cannot be read"):
        lib.rebuild()
    monkeypatch.undo()
    assert hits(lib, "cormorant") == before
    leftovers = [p.name for p in lib.settings.data.iterdir() if p.name.startswith("index.")]
    assert leftovers == []


def test_rebuild_swaps_the_new_index_in_under_open_searchers(lib: Library, folder: Path) -> None:
    lib.ingest([folder])
    reader = Library(lib.settings)
    before = hits(reader, "albatross")
    (folder / "r0.pdf").unlink()
    lib.ingest([folder])  # r0 is now missing: the rebuild must not bring it back
    assert lib.rebuild() == 2
    assert lib.rebuild() == 2  # a second swap, from a symlinked index
    assert before and hits(reader, "albatross") == []
    assert len(hits(reader, "pelican")) == 2
    assert lib.settings.index_dir.is_symlink()


# Defect 9: an index never answers for reports its catalog does not hold.


def delete_catalog(settings: Settings) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{settings.catalog_path}{suffix}").unlink(missing_ok=True)


def test_an_index_left_without_its_catalog_does_not_answer(lib: Library, folder: Path) -> None:
    lib.ingest([folder])
    assert hits(lib, "albatross")
    delete_catalog(lib.settings)
    assert hits(Library(lib.settings), "albatross") == []
    assert hits(lib, "albatross") == [], "an open library checks the catalog again"
    assert WhooshEngine(lib.settings.index_dir).report_ids() == set()


def test_an_orphaned_index_is_refused_while_a_writer_keeps_the_folder(
    lib: Library, folder: Path
) -> None:
    lib.ingest([folder])
    delete_catalog(lib.settings)
    with another_writer(lib.settings.data), pytest.raises(Busy):
        Library(lib.settings).search("albatross")


def test_the_write_lock_is_released_by_a_killed_holder(settings: Settings) -> None:
    with another_writer(settings.data) as holder:
        with pytest.raises(Busy, match="another ingest"), WriteLock(settings.data).hold(0):
            pass
        holder.kill()
        holder.wait(timeout=WAIT_S)
        with WriteLock(settings.data).hold(WAIT_S):
            assert (settings.data / "write.lock").is_file()


# Defect 11: garbage inside a segment is detected at open by the checksums of its files.


def test_garbage_inside_a_segment_is_detected_at_open_and_rebuilt(
    lib: Library, folder: Path
) -> None:
    lib.ingest([folder])
    before = lib.search("pelican", per_report=0).to_dict()
    assert len(before["hits"]) == 2
    segments = list(lib.settings.index_dir.glob("*.seg"))
    assert segments and all(s.with_suffix(".sums").is_file() for s in segments)
    for seg in segments:
        data = bytearray(seg.read_bytes())
        middle = len(data) // 2
        data[middle : middle + 64] = bytes(b ^ 0x5A for b in data[middle : middle + 64])
        seg.write_bytes(bytes(data))
    assert WhooshEngine(lib.settings.index_dir).needs_rebuild
    assert Library(lib.settings).search("pelican", per_report=0).to_dict() == before


def test_checksums_follow_commits_and_merges(tmp_path: Path) -> None:
    index = WhooshEngine(tmp_path)
    for n in range(12):  # enough commits for Whoosh to merge segments
        with index.writer() as w:
            w.add_report(Report(f"r{n}", f"r{n}.pdf", "T"), [Page(1, f"text number {n}")])
    segments = {p.stem for p in tmp_path.glob("*.seg")}
    assert segments == {p.stem for p in tmp_path.glob("*.sums")}
    index.close()
    reopened = WhooshEngine(tmp_path)
    assert not reopened.needs_rebuild and len(reopened.report_ids()) == 12


def test_page_counts_and_checksum_problems(tmp_path: Path) -> None:
    index = WhooshEngine(tmp_path)
    with index.writer() as w:
        w.add_report(Report("a", "a.pdf", "A"), [Page(1, "one"), Page(2, "two"), Page(3, " ")])
        w.add_report(Report("b", "b.pdf", "B"), [Page(1, "one")])
    with index.writer() as w:
        w.delete_report("b")
    assert index.page_counts() == {"a": 2}
    assert index.checksum_problems() == []
    seg = next(tmp_path.glob("*.seg"))
    data = bytearray(seg.read_bytes())
    data[len(data) // 2] ^= 0xFF
    seg.write_bytes(bytes(data))
    assert len(index.checksum_problems()) == 1
