"""The Whoosh index of pages: derived from the catalog, so it can always be thrown away and rebuilt.

One Whoosh document per page. Whoosh is imported here, in `analysis.py` and in `search.py`
only, so that another engine can replace it without touching ingest or the web. The engine
sees the match form of each page; the display form is stored for snippets.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import shutil
import struct
import time
import uuid
import warnings
import weakref
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from whoosh import fields, index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.reading import IndexReader, ReaderClosed
from whoosh.searching import Searcher
from whoosh.writing import CLEAR, SegmentWriter

from ...crashpoints import crash_point
from ...errors import IndexUnavailable
from ...pool import Pool
from ...tokens import BODY_FIELDS, field_language
from ..pagerecords import ReportWriter
from .analysis import exact_analyzer, seam_analyzer, stemming_analyzer, translit_analyzer
from .columns import CachedBM25F, ColumnCache
from .files import (
    BUILD_MARK,
    INDEX_NAME,
    point_at,
    record_checksums,
    verify_checksums,
)

log = logging.getLogger(__name__)
R = TypeVar("R")

# Bump whenever the schema or an analyzer changes: an index with another version is rebuilt.
# 10: the same terms, but the analyzer classes the schema names moved to engine/whoosh/, so an
# index of 9 could not be unpickled.
# 11: the `translit` field (cross-script keys). 12: `text_source` stored (which extractor read
# the page: pypdf, pdfium or ocr). 13: one stemmed field per language (`body_en`, `body_uk`,
# …; `body` for the others) and `lang` the page's language. 14: no `shingles` field (a quote's
# 3-grams are phrases of `exact` and `seam`).
SCHEMA_VERSION = 14
VERSION_FILE = "schema_version"

# What Whoosh raises while searching when its files are missing, truncated or garbage. Such an
# error means damage only when Whoosh itself raised it (see `is_engine_error`): the same types
# raised by our own code are bugs.
DAMAGE_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, struct.error, zlib.error)
DAMAGE_ERRORS += (pickle.UnpicklingError, ValueError, KeyError, IndexError, index.IndexError)
DAMAGE_ERRORS += (ReaderClosed,)
_OUR_PACKAGE = __name__.rsplit(".", 1)[0]
# Reads Whoosh's column files itself (columns.py): what it raises is the files' damage too.
_COLUMNS = f"{_OUR_PACKAGE}.columns"

# One writer at a time holds WRITE_LOCK (see `WriteLock`); Whoosh's own lock is then taken only
# by that writer, or by a reader recreating a damaged index: waiting a little covers that.
LOCK_TIMEOUT_S = 5.0
OPEN_ATTEMPTS = 3
WRITER_MEMORY_MB = 256
MP_BATCH_PAGES = 64  # pages handed to a writer process at a time (`writer(procs=…)`)


def make_schema() -> fields.Schema:
    """The page schema; change it only together with SCHEMA_VERSION."""
    return fields.Schema(
        doc_id=fields.ID(unique=True, stored=True),
        report=fields.ID(stored=True, sortable=True),
        page=fields.NUMERIC(int, stored=True, sortable=True),
        page_label=fields.STORED(),
        quality=fields.STORED(),
        text_source=fields.STORED(),
        path=fields.STORED(),
        # The display text is stored so that snippets are cut from the full page as printed;
        # the match form is made again from it (and `spaced`) to place the highlights.
        text=fields.STORED(),
        spaced=fields.STORED(),
        # The match form (of the page and its margins), stemmed by the page's language: in
        # `body_en`, `body_uk`, … (tokens.BODY_FIELDS), or `body` for a language without
        # stemming rules of its own. Positions are not needed: phrases go to `exact`.
        **{
            name: fields.TEXT(
                analyzer=stemming_analyzer(field_language(name)),
                phrase=False,
                multitoken_query="and",
            )
            for name in BODY_FIELDS
        },
        exact=fields.TEXT(analyzer=exact_analyzer(), multitoken_query="phrase"),
        # The page's words as cross-script keys: "Sochi" finds "Сочи" (translit.py).
        translit=fields.TEXT(analyzer=translit_analyzer(), multitoken_query="phrase"),
        # Running headers and footers: cut from the display text, still found.
        margin=fields.TEXT(analyzer=exact_analyzer(), multitoken_query="phrase"),
        # Phrases across the break to the next page (see pagetext), and what a hit needs to
        # show one: where the tail lies in `text`, the next page's head (match form), its
        # number and its label.
        seam=fields.TEXT(analyzer=seam_analyzer()),
        seam_tail=fields.STORED(),
        seam_head=fields.STORED(),
        next_page=fields.STORED(),
        next_label=fields.STORED(),
        title=fields.TEXT(analyzer=stemming_analyzer(), stored=True, multitoken_query="phrase"),
        author=fields.TEXT(analyzer=exact_analyzer(), stored=True, multitoken_query="phrase"),
        publisher=fields.TEXT(analyzer=exact_analyzer(), stored=True, multitoken_query="phrase"),
        year=fields.NUMERIC(int, stored=True, sortable=True),
        # Untokenized copies for filters and facet counts (read from columns, not stored fields).
        publisher_facet=fields.ID(sortable=True),
        lang=fields.ID(stored=True, sortable=True),  # the page's language ("": und)
        # From the metadata record: shown in hits, sorted by, filtered and counted.
        authors=fields.STORED(),
        date=fields.ID(stored=True, sortable=True),  # ISO; "" when undated
        number=fields.KEYWORD(stored=True, lowercase=True),  # the report number: number:R47324
        version=fields.STORED(),
        report_type=fields.ID(sortable=True),
        tag=fields.KEYWORD(commas=True),
        tags_facet=fields.ID(sortable=True),  # the tags joined by TAG_JOIN, for facet counts
        # Versions of one work share `work` ("" for a single version); `rank` 0 is the newest.
        work=fields.ID(sortable=True),
        rank=fields.NUMERIC(int, sortable=True),
        # When the report was added (ISO, UTC; "" if unknown): sort=added, feed entries.
        added=fields.ID(stored=True, sortable=True),
    )


class PageWriter(ReportWriter):
    """Adds and deletes reports inside one `PageIndex.writer()` block."""

    def __init__(self, writer: SegmentWriter) -> None:
        super().__init__()
        self._writer = writer

    def _find_present(self) -> set[str]:
        with self._writer.searcher() as searcher:
            return live_report_ids(searcher.reader())

    def _add_page(self, record: dict[str, Any]) -> None:
        self._writer.add_document(**record)

    def _delete_pages(self, report_id: str) -> int:
        return int(self._writer.delete_by_term("report", report_id))


class PageIndex:
    """The page index in `directory`, created if missing and recreated empty if unusable.

    After opening, `needs_rebuild` is True when an existing index had another schema version or
    was damaged: the caller should refill it from the catalog.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.needs_rebuild = False
        self._ix = self._open()
        # Column values and field lengths, read once per segment for all searchers (columns.py).
        self.columns = ColumnCache()
        self._searchers = _searcher_pool(self._ix, self.directory, self.columns)
        # Open segment files are closed with the index object, even one nobody closed.
        weakref.finalize(self, self._searchers.close)
        # Not `self._ix.schema`: Whoosh rereads the newest TOC file on every access, which races
        # with a writer replacing it. The version file guarantees the index has this schema.
        self._schema = make_schema()

    @property
    def schema(self) -> fields.Schema:
        """The Whoosh schema of the open index (search.py needs its analyzers)."""
        return self._schema

    def _open(self) -> index.Index:
        self.directory.mkdir(parents=True, exist_ok=True)
        version_file = self.directory / VERSION_FILE
        if not version_file.exists() and not self._index_files():
            return self._create()
        recorded = version_file.read_text().strip() if version_file.exists() else None
        if recorded != str(SCHEMA_VERSION):
            log.warning("index schema version %s != %s: recreating", recorded, SCHEMA_VERSION)
            self.needs_rebuild = True
            return self._create()
        # A commit in another process replaces the TOC while we read it: try again before
        # calling the index damaged.
        for _ in range(OPEN_ATTEMPTS):
            ix, problem = _try_open(self.directory)
            if ix is not None:
                return ix
            time.sleep(0.2)
        return self._recreate_if_damaged()

    def _recreate_if_damaged(self) -> index.Index:
        # Under the write lock, so that an index is never wiped while a writer commits to it.
        lock = _open_storage(self.directory).lock(f"{INDEX_NAME}_WRITELOCK")
        deadline = time.monotonic() + LOCK_TIMEOUT_S
        while not lock.acquire(blocking=False):
            if time.monotonic() > deadline:
                raise IndexUnavailable(f"the index in {self.directory} is busy; try again later")
            time.sleep(0.1)
        try:
            ix, problem = _try_open(self.directory)
            if ix is not None:
                return ix
            log.warning("index in %s is damaged (%s): recreating", self.directory, problem)
            self.needs_rebuild = True
            return self._create()
        finally:
            lock.release()

    def _index_files(self) -> list[Path]:
        prefixes = (f"_{INDEX_NAME}_", f"{INDEX_NAME}_")
        return [p for p in self.directory.iterdir() if p.is_file() and p.name.startswith(prefixes)]

    def _create(self) -> index.Index:
        # Remove leftovers first so that no stale segment or lock survives the recreation.
        for path in self._index_files():
            # The lock file stays: another process may hold it, and it carries no data.
            if path.name != f"{INDEX_NAME}_WRITELOCK":
                path.unlink()
        (self.directory / VERSION_FILE).unlink(missing_ok=True)
        ix = _open_storage(self.directory).create_index(make_schema(), indexname=INDEX_NAME)
        # Written last: a crash before this line leaves an index that is recreated next time.
        (self.directory / VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n")
        return ix

    @contextmanager
    def writer(self, *, merge: bool = True, procs: int = 1) -> Iterator[PageWriter]:
        """A writer for a block of changes: committed when the block ends, cancelled on error.

        Put many reports in one block: each commit writes a segment, so fewer commits are faster.
        A commit merges small segments into larger ones (Whoosh's MERGE_SMALL), which grows
        with the index: `merge=False` leaves that to a later commit, as an ingest does between
        its batches. With `procs` > 1, Whoosh's multiprocess writer analyses the pages in that
        many processes, whose sorted postings this process merges into one segment: two
        segments of half the pages each would make every wildcard and fuzzy term walk a
        merged vocabulary (a fuzzy term took 600 ms at 10,000 pages, against 60 ms). Raises
        IndexUnavailable if another process holds the write lock.
        """
        options: dict[str, Any] = {"limitmb": WRITER_MEMORY_MB, "timeout": LOCK_TIMEOUT_S}
        if procs > 1:
            # Each process buffers its own postings: together, as much memory as one writer.
            sub = options | {"limitmb": WRITER_MEMORY_MB // procs}
            options |= {"procs": procs, "multisegment": False, "subargs": sub}
            options |= {"batchsize": MP_BATCH_PAGES}
        try:
            writer = self._ix.writer(**options)
        except LockError as exc:
            raise IndexUnavailable(
                f"the index in {self.directory} is locked by another writer; try again later"
            ) from exc
        try:
            yield PageWriter(writer)
        except BaseException:
            writer.cancel()
            raise
        crash_point("index.before_commit")
        writer.commit(merge=merge)
        crash_point("index.after_commit")
        record_checksums(self.directory)

    def clear(self) -> None:
        """Drop every document (before a rebuild from the catalog)."""
        try:
            writer = self._ix.writer(timeout=LOCK_TIMEOUT_S)
        except LockError as exc:
            raise IndexUnavailable(f"the index in {self.directory} is locked") from exc
        writer.commit(mergetype=CLEAR)

    @contextmanager
    def searching(self, *, fresh: bool = False) -> Iterator[Searcher]:
        """A searcher over the latest commit, for this caller alone until the block ends.

        Whoosh readers keep file positions and decompression state, so two threads must never
        read through one searcher: each block checks one out of a small pool (opening a new one
        when none is idle or the index changed) and hands it back. With `fresh`, idle searchers
        are dropped and a new one is opened (a retry after a read error).
        """
        with self._searchers.checkout(fresh=fresh) as searcher:
            yield searcher

    def read(self, work: Callable[[Searcher], R]) -> R:
        """`work(searcher)` with a searcher of its own, retried once on a fresh searcher if
        Whoosh fails while reading.

        Raises IndexUnavailable (and marks the index for a rebuild) only when the retry fails
        too. Errors raised by our own code inside `work` pass through unchanged: they are bugs,
        not damage.
        """
        try:
            with self.searching() as searcher:
                return work(searcher)
        except Exception as exc:  # a bare Exception too: see is_engine_error
            if not is_engine_error(exc):
                raise
            log.warning("index read failed (%r); retrying with a fresh searcher", exc)
        try:
            with self.searching(fresh=True) as searcher:
                return work(searcher)
        except Exception as exc:  # a bare Exception too: see is_engine_error
            if not is_engine_error(exc):
                raise
            raise self.mark_damaged(exc) from exc

    def doc_count(self) -> int:
        """How many pages are indexed."""
        return self.read(lambda searcher: int(searcher.doc_count()))

    def is_empty(self) -> bool:
        """True when no page is indexed (a fresh index, or one recreated after damage)."""
        return self.doc_count() == 0

    def report_ids(self) -> set[str]:
        """The ids of the reports that have at least one page in the index."""
        return self.read(lambda searcher: live_report_ids(searcher.reader()))

    def page_counts(self) -> dict[str, int]:
        """How many pages each report has in the index (deleted pages not counted)."""

        def count(searcher: Searcher) -> dict[str, int]:
            reader = searcher.reader()
            return {
                report_id: sum(1 for _ in reader.postings("report", report_id).all_ids())
                for report_id in live_report_ids(reader)
            }

        return self.read(count)

    def checksum_problems(self) -> list[str]:
        """What differs from the checksums recorded at commit, one line per damaged segment
        of the latest commit (empty when all match), for `indexer check`."""
        problems = []
        with self.searching(fresh=True) as searcher:
            for leaf, _offset in searcher.reader().leaf_readers():
                if leaf.segment() is None:  # an index with no segment yet
                    continue
                try:
                    verify_checksums(self.directory, leaf.segment().segment_id())
                except (OSError, ValueError) as exc:
                    problems.append(str(exc))
        return problems

    def mark_damaged(self, exc: BaseException) -> IndexUnavailable:
        """Record that reading failed and return the error to raise (the caller should rebuild)."""
        log.error("index in %s failed while reading: %r", self.directory, exc)
        self.needs_rebuild = True
        return IndexUnavailable(
            f"the search index in {self.directory} is damaged; run `indexer rebuild`"
        )

    def close(self) -> None:
        """Release the files of the idle searchers (ones in use are closed when handed back)."""
        self._searchers.close()
        self.columns.clear()


def is_engine_error(exc: BaseException) -> bool:
    """Whether `exc` is one of DAMAGE_ERRORS raised inside Whoosh, not in our own code.

    Decided by the frames below the innermost one of this package: the error is Whoosh's if
    one of them is Whoosh's (it may have called zlib, pickle or struct, which raised). When
    the innermost frames are ours (our tokenizer called back by Whoosh, our snippet code),
    the bug is ours, whatever the type.
    """
    # Whoosh raises a bare Exception for a garbled posting block ("Block tag error").
    if not isinstance(exc, DAMAGE_ERRORS) and type(exc) is not Exception:
        return False
    below_ours: list[str] = []
    tb = exc.__traceback__
    while tb is not None:
        module = str(tb.tb_frame.f_globals.get("__name__", ""))
        if module.split(".")[0] == _OUR_PACKAGE:
            below_ours = []
        else:
            below_ours.append(module)
        tb = tb.tb_next
    return any(m.split(".")[0] == "whoosh" or m == _COLUMNS for m in below_ours)


def _try_open(directory: Path) -> tuple[index.Index | None, str | None]:
    """The index in `directory`, checked readable, or why it cannot be opened and read."""
    with warnings.catch_warnings():
        # Whoosh leaves the file of an unreadable TOC open; it is closed (with a ResourceWarning)
        # when the traceback is collected, which happens here.
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            ix = _open_storage(directory).open_index(INDEX_NAME)
            check_readable(ix, directory)
            return ix, None
        # The index is derived data: whatever prevents reading it (a missing file, a truncated
        # or garbage TOC, an unpickling error) is answered by recreating it, so catch everything.
        except Exception as exc:
            problem = repr(exc)
        gc.collect()
        return None, problem


def _searcher_pool(ix: index.Index, directory: Path, columns: ColumnCache) -> Pool[Searcher]:
    """A pool of searchers over `ix`, each current while its index build and generation are,
    scoring with the field lengths in `columns` (which forgets the segments merged away).

    A rebuild swaps in another build (see `build_beside`) whose generation numbers may equal
    the old one's, so each searcher remembers the build it reads.
    """
    homes: dict[int, str] = {}

    def open_searcher() -> Searcher:
        # Taken before opening, so that a swap meanwhile makes the searcher stale, never the
        # reverse. `ix` needs no reopening: its path is the symlink.
        home = os.path.realpath(directory)
        searcher = ix.searcher(weighting=CachedBM25F(columns))
        columns.forget_all_but(searcher.reader())
        homes[id(searcher)] = home
        return searcher

    def is_current(searcher: Searcher) -> bool:
        home = homes.get(id(searcher))
        return home == os.path.realpath(directory) and bool(searcher.up_to_date())

    def close(searcher: Searcher) -> None:
        homes.pop(id(searcher), None)
        searcher.close()

    return Pool(open_searcher, is_current=is_current, close=close)


def _open_storage(directory: Path) -> FileStorage:
    # Without mmap: a segment file truncated under a running process must be a read error for
    # one request, not a SIGBUS that kills the server.
    return FileStorage(str(directory), supports_mmap=False)


def check_readable(ix: index.Index, directory: Path | None = None) -> None:
    """Open every segment, check its files against their checksums (when `directory` is
    given), and read its term index and last stored document, raising on damage."""
    with ix.reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            segment = leaf.segment()  # None for the empty reader of an index with no segment
            if directory is not None and segment is not None:
                verify_checksums(directory, segment.segment_id())
            list(leaf.field_terms("report"))
            if leaf.doc_count_all():
                leaf.stored_fields(leaf.doc_count_all() - 1)


def live_report_ids(reader: IndexReader) -> set[str]:
    """Report ids with at least one page that is not deleted."""
    ids = set()
    for report_id in reader.field_terms("report"):
        # Terms of deleted documents stay in the lexicon until a merge, so check the postings.
        if not reader.has_deletions() or reader.postings("report", report_id).is_active():
            ids.add(report_id)
    return ids


def build_beside(
    directory: Path, fill: Callable[[Any], None], make: Callable[[Path], PageIndex] = PageIndex
) -> None:
    """Build a new index with `fill` beside the one in `directory` and swap it in only when
    `fill` returned: until then (and for good if it raises) the old index serves.

    `directory` becomes a symlink to the new build, replaced in one rename(), so a reader sees
    either index whole. Call it holding the WriteLock.
    """
    directory = Path(directory)
    for leftover in directory.parent.glob(f"{directory.name}{BUILD_MARK}*"):
        if leftover.resolve() != directory.resolve():  # an earlier build that did not finish
            shutil.rmtree(leftover, ignore_errors=True)
    staged = directory.parent / f"{directory.name}{BUILD_MARK}{uuid.uuid4().hex[:12]}"
    try:
        new = make(staged)
        try:
            fill(new)
        finally:
            new.close()
        point_at(directory, staged)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
