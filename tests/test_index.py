import threading
import time

import pytest

from indexer.engine.whoosh import WhooshEngine
from indexer.engine.whoosh import index as index_module
from indexer.engine.whoosh.analysis import CJKTokenizer
from indexer.engine.whoosh.index import VERSION_FILE
from indexer.errors import IndexUnavailable
from indexer.models import Page, Report
from indexer.snippets import make_snippet
from tests.engines import search


def report(report_id: str, title: str = "A report") -> Report:
    return Report(report_id=report_id, path=f"{report_id}.pdf", title=title)


def filled(directory, *ids: str) -> WhooshEngine:
    ix = WhooshEngine(directory)
    for report_id in ids:
        # One commit per report, so that the index has several segments.
        with ix.writer() as w:
            w.add_report(
                report(report_id), [Page(1, f"first page of {report_id}"), Page(2, "more")]
            )
    return ix


def test_fresh_index_is_empty_and_needs_no_rebuild(tmp_path):
    ix = WhooshEngine(tmp_path / "ix")
    assert not ix.needs_rebuild
    assert ix.is_empty()
    assert ix.report_ids() == set()
    assert search(ix, "anything").total == 0


def test_reopening_keeps_the_documents(tmp_path):
    filled(tmp_path, "r1", "r2").close()
    ix = WhooshEngine(tmp_path)
    assert not ix.needs_rebuild
    assert ix.doc_count() == 4
    assert ix.report_ids() == {"r1", "r2"}


def test_blank_pages_are_skipped(tmp_path):
    ix = WhooshEngine(tmp_path)
    with ix.writer() as w:
        assert w.add_report(report("r"), [Page(1, "text"), Page(2, "  \n"), Page(3, "")]) == 1
    assert ix.doc_count() == 1


def test_add_report_replaces_its_pages_and_delete_removes_them(tmp_path):
    ix = filled(tmp_path, "r1", "r2")
    with ix.writer() as w:
        w.add_report(report("r1"), [Page(1, "replacement")])
    assert ix.doc_count() == 3
    assert search(ix, "replacement").hits[0].report_id == "r1"
    assert search(ix, "first", report_id="r1").total == 0
    with ix.writer() as w:
        assert w.delete_report("r1") == 1
        assert w.delete_report("unknown") == 0
    assert ix.report_ids() == {"r2"}


def test_a_report_cannot_be_added_twice_in_one_writer(tmp_path):
    ix = WhooshEngine(tmp_path)
    with pytest.raises(ValueError), ix.writer() as w:
        w.add_report(report("r"), [Page(1, "one")])
        w.add_report(report("r"), [Page(1, "two")])
    assert ix.is_empty(), "the failed block was cancelled"


def test_error_in_the_block_cancels_everything(tmp_path):
    ix = filled(tmp_path, "r1")
    with pytest.raises(RuntimeError), ix.writer() as w:
        w.add_report(report("r2"), [Page(1, "text")])
        w.delete_report("r1")
        raise RuntimeError("boom")
    assert ix.report_ids() == {"r1"}
    # The lock was released: writing works again.
    with ix.writer() as w:
        w.add_report(report("r2"), [Page(1, "text")])
    assert ix.report_ids() == {"r1", "r2"}


def test_many_reports_in_one_writer(tmp_path):
    ix = WhooshEngine(tmp_path)
    with ix.writer() as w:
        for i in range(200):
            w.add_report(report(f"r{i}"), [Page(p, f"page {p} of report {i}") for p in (1, 2)])
    assert ix.doc_count() == 400
    assert len(ix.report_ids()) == 200


def test_commits_without_merging_leave_the_merge_to_the_next_merging_commit(tmp_path):
    ix = WhooshEngine(tmp_path)

    def segments() -> int:
        return ix.read(lambda searcher: len(searcher.reader().leaf_readers()))

    for i in range(8):
        with ix.writer(merge=False) as w:
            w.add_report(report(f"r{i}"), [Page(1, f"page of report {i}")])
    assert segments() == 8  # one per commit: none merged
    with ix.writer() as w:
        w.add_report(report("r8"), [Page(1, "page of report 8")])
    # Whoosh's MERGE_SMALL merged the smallest five into one; the rest wait for more.
    assert segments() <= 4
    assert len(search(ix, "page", limit=20, per_report=0).hits) == 9


def test_clear_drops_everything(tmp_path):
    ix = filled(tmp_path, "r1", "r2")
    ix.clear()
    assert ix.is_empty()
    assert ix.report_ids() == set()
    assert search(ix, "first").total == 0


def test_schema_version_change_recreates_the_index(tmp_path):
    filled(tmp_path, "r1").close()
    (tmp_path / VERSION_FILE).write_text("0\n")
    ix = WhooshEngine(tmp_path)
    assert ix.needs_rebuild
    assert ix.is_empty()
    with ix.writer() as w:
        w.add_report(report("r1"), [Page(1, "rebuilt")])
    assert search(ix, "rebuilt").total == 1
    assert not WhooshEngine(tmp_path).needs_rebuild


def test_new_schema_version_in_code_recreates_the_index(tmp_path, monkeypatch):
    filled(tmp_path, "r1").close()
    monkeypatch.setattr(index_module, "SCHEMA_VERSION", index_module.SCHEMA_VERSION + 1)
    assert WhooshEngine(tmp_path).needs_rebuild


def test_missing_version_file_recreates_the_index(tmp_path):
    filled(tmp_path, "r1").close()
    (tmp_path / VERSION_FILE).unlink()
    ix = WhooshEngine(tmp_path)
    assert ix.needs_rebuild and ix.is_empty()


def damage_delete_segment(directory):
    next(directory.glob("*.seg")).unlink()


def damage_truncate_segment(directory):
    seg = next(directory.glob("*.seg"))
    seg.write_bytes(seg.read_bytes()[: seg.stat().st_size // 2])


def damage_garbage_toc(directory):
    next(directory.glob("*.toc")).write_bytes(b"\x00garbage" * 20)


def damage_truncate_toc(directory):
    toc = next(directory.glob("*.toc"))
    toc.write_bytes(toc.read_bytes()[:40])


def damage_delete_toc(directory):
    next(directory.glob("*.toc")).unlink()


@pytest.mark.parametrize(
    "damage",
    [
        damage_delete_segment,
        damage_truncate_segment,
        damage_garbage_toc,
        damage_truncate_toc,
        damage_delete_toc,
    ],
)
def test_damaged_index_is_recreated_empty_and_usable(tmp_path, damage):
    filled(tmp_path, "r1", "r2", "r3").close()
    damage(tmp_path)
    ix = WhooshEngine(tmp_path)
    assert ix.needs_rebuild
    assert ix.is_empty()
    assert search(ix, "first").total == 0
    with ix.writer() as w:
        w.add_report(report("r1"), [Page(1, "first again")])
    assert search(ix, "first").total == 1
    assert not WhooshEngine(tmp_path).needs_rebuild


def test_searcher_is_reused_until_the_index_changes(tmp_path):
    ix = filled(tmp_path, "r1")
    with ix.searching() as first:
        pass
    assert search(ix, "first").total == 1
    with ix.searching() as again:
        assert again is first
    with ix.writer() as w:
        w.add_report(report("r2"), [Page(1, "first page of r2")])
    assert search(ix, "first").total == 2
    with ix.searching() as after:
        assert after is not first


def test_each_concurrent_caller_gets_a_searcher_of_its_own(tmp_path):
    ix = filled(tmp_path, "r1")
    with ix.searching() as one, ix.searching() as two:
        assert one is not two
        assert search(ix, "first").total == 1  # a third one, while both are held
    assert search(ix, "first").total == 1


def test_commit_from_another_index_object_is_seen(tmp_path):
    reader = filled(tmp_path, "r1")
    assert search(reader, "first").total == 1
    # Another process (here: another object) writes and merges everything into one segment.
    with WhooshEngine(tmp_path).writer() as w:
        w.delete_report("r1")
        w.add_report(report("r2"), [Page(1, "first page of r2")])
    result = search(reader, "first")
    assert result.total == 1
    assert [h.report_id for h in result.hits] == ["r2"]


def test_searching_from_threads_while_committing(tmp_path):
    ix = WhooshEngine(tmp_path)
    errors: list[Exception] = []
    totals: set[int] = set()
    searches: list[tuple[float, float]] = []  # (start, end) of each search
    commits: list[tuple[float, float]] = []  # (start, end) of each writer block's commit
    done = threading.Event()

    def searching() -> None:
        while not done.is_set():
            try:
                start = time.monotonic()
                totals.add(search(ix, "alpha", per_report=0, limit=50).total)
                ix.report_ids()
                searches.append((start, time.monotonic()))
            except Exception as exc:  # collected for the assertion below
                errors.append(exc)

    threads = [threading.Thread(target=searching) for _ in range(4)]
    for t in threads:
        t.start()
    for i in range(20):
        writer = ix.writer()
        w = writer.__enter__()
        if i >= 2:
            w.delete_report(f"r{i - 2}")
        w.add_report(report(f"r{i}"), [Page(p, f"alpha {i} {p} " * 20) for p in range(1, 6)])
        start = time.monotonic()
        writer.__exit__(None, None, None)  # the commit
        commits.append((start, time.monotonic()))
    done.set()
    for t in threads:
        t.join()
    assert errors == []
    assert not ix.needs_rebuild
    # Every search saw a committed state: no report half added or half deleted.
    assert totals <= {0, 5, 10}
    overlapped = [s for s in searches if any(s[0] < c[1] and c[0] < s[1] for c in commits)]
    assert overlapped, "no search ran while a commit was under way: the test proved nothing"
    assert ix.report_ids() == {"r18", "r19"}
    assert search(ix, "alpha", per_report=0, limit=50).total == 10


def tokens(text: str) -> list[tuple[str, int, int, int]]:
    return [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in CJKTokenizer()(text, positions=True, chars=True)
    ]


def test_cjk_runs_become_bigrams_with_consecutive_positions():
    assert tokens("GDP土地利用 x") == [
        ("GDP", 0, 0, 3),
        ("土地", 1, 3, 5),
        ("地利", 2, 4, 6),
        ("利用", 3, 5, 7),
        ("x", 4, 8, 9),
    ]
    assert tokens("土 ядерное") == [("土", 0, 0, 1), ("ядерное", 1, 2, 9)]


def test_a_searcher_that_fails_is_replaced_and_the_search_retried(tmp_path):
    ix = filled(tmp_path, "r1")
    with ix.searching() as searcher:
        pass
    searcher.close()  # the pooled searcher is now unusable, the index is fine
    assert search(ix, "first").total == 1
    assert not ix.needs_rebuild


def test_an_engine_error_on_the_retry_too_means_damage(tmp_path):
    ix = filled(tmp_path, "r1")
    with pytest.raises(IndexUnavailable, match="damaged"):
        ix.read(lambda searcher: searcher.schema["no_such_field"])  # Whoosh raises KeyError
    assert ix.needs_rebuild


def test_our_own_bug_is_not_called_index_damage(tmp_path):
    ix = filled(tmp_path, "r1")
    with pytest.raises(ValueError, match="max_len"):
        # Our ValueError, raised while a searcher is checked out.
        ix.read(lambda searcher: make_snippet("text", [], min_len=5, max_len=1))
    assert not ix.needs_rebuild
    assert search(ix, "first").total == 1
