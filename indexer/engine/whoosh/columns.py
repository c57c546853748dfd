"""In-memory copies of the per-page values a search reads for every matching page: the sortable
columns (report, page, versions, dates, facets) and the field lengths BM25F scores with.

Whoosh reads each value from the segment file (seek and read, no mmap: see `index.py`), about
17 µs a value; a search over 10,000 matching pages read 100,000 of them. A segment never changes
once written, so its values are read once, kept by segment id, and shared by every searcher of
the process until a merge removes the segment.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Callable, Sequence
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.reading import IndexReader
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

# Whoosh's doc_field_length for a stored length byte: 0 (the page has no such field) is None.
_LENGTHS = [byte_to_length(b) if b else None for b in range(256)]


class ColumnCache:
    """The values of columns and field lengths, segment by segment, read once each."""

    def __init__(self) -> None:
        self._values: dict[tuple[str, str], list[Any]] = {}
        self._lock = threading.Lock()

    def column(self, reader: IndexReader, name: str) -> Sequence[Any]:
        """Every page's value of the sortable field `name` (as `column_reader(name,
        translate=True)` gives it), indexed by the reader's document number."""
        leaves = _leaves(reader)
        parts = [self._cached(leaf, name, _read_column) for leaf in leaves]
        if len(parts) == 1:
            return parts[0]
        return [value for part in parts for value in part]

    def lengths(self, reader: IndexReader, field: str) -> Sequence[int | None]:
        """Each page's length of `field` in one segment's `reader`, as BM25F reads it."""
        return self._cached(reader, _lenfield(field), _read_lengths)

    def forget_all_but(self, reader: IndexReader) -> None:
        """Drop the values of segments that `reader` (the latest) no longer has."""
        live = {_segment_id(leaf) for leaf in _leaves(reader)}
        with self._lock:
            for key in [k for k in self._values if k[0] not in live]:
                del self._values[key]

    def clear(self) -> None:
        """Drop everything (the index is closed)."""
        with self._lock:
            self._values.clear()

    def _cached(
        self, leaf: IndexReader, name: str, read: Callable[[IndexReader, str], list[Any]]
    ) -> list[Any]:
        key = (_segment_id(leaf), name)
        found = self._values.get(key)
        if found is None:
            found = read(leaf, name)
            with self._lock:
                self._values[key] = found
        return found


def _leaves(reader: IndexReader) -> list[IndexReader]:
    return [leaf for leaf, _offset in reader.leaf_readers()]


def _segment_id(leaf: IndexReader) -> str:
    segment = leaf.segment()
    return "" if segment is None else str(segment.segment_id())


def _read_column(leaf: IndexReader, name: str) -> list[Any]:
    if not leaf.has_column(name):
        return [None] * leaf.doc_count_all()
    column = leaf.column_reader(name, translate=True)
    raw, translate = column.raw_column(), column._translate
    # One object per distinct value: a report's id or year is held once, not once a page.
    distinct: dict[Any, Any] = {}

    def value(stored: Any) -> Any:
        found = distinct.get(stored)
        if found is None:
            found = distinct[stored] = translate(stored)
        return found

    # The column's bytes in one read, cut in memory; a kind not known here, value by value.
    if isinstance(raw, VarBytesColumn.Reader):
        offsets, lengths = raw._offsets, raw._lengths
        end = max((o + n for o, n in zip(offsets, lengths, strict=True)), default=0)
        data = _read(raw._dbfile, raw._basepos, end, name)
        return [value(data[o : o + n]) for o, n in zip(offsets, lengths, strict=True)]
    if isinstance(raw, NumericColumn.Reader):
        data = _read(raw._dbfile, raw._basepos, raw._count * raw._fixedlen, name)
        stored = list(struct.unpack(f"!{raw._count}{raw._typecode}", data))
        return [value(v) for v in stored] + [value(raw._default)] * (len(raw) - raw._count)
    return [value(v) for v in raw]


def _read_lengths(leaf: IndexReader, lenfield: str) -> list[Any]:
    count = leaf.doc_count_all()
    perdoc = getattr(leaf, "_perdoc", None)
    column = perdoc._cached_reader(lenfield, LENGTHS_COLUMN) if perdoc is not None else None
    if column is None:  # no page has the field: Whoosh's default
        return [1] * count
    # One read of the column's bytes (one byte a page) instead of one read a page.
    stored = _read(column._dbfile, column._basepos, column._count * column._fixedlen, lenfield)
    return [_LENGTHS[b] for b in stored] + [None] * (count - len(stored))


def _read(dbfile: Any, position: int, length: int, name: str) -> bytes:
    """`length` bytes of a segment file from `position`; EOFError when the file ends before
    (truncated: the index is damaged, see `index.is_engine_error`)."""
    data = bytes(dbfile.get(position, length))
    if len(data) != length:
        raise EOFError(f"the column {name!r} is cut short ({len(data)} of {length} bytes)")
    return data


class CachedBM25F(BM25F):
    """Whoosh's BM25F, scoring with the field lengths of a ColumnCache: the same scores."""

    def __init__(self, cache: ColumnCache) -> None:
        super().__init__()
        self.cache = cache

    def scorer(self, searcher: Searcher, fieldname: str, text: bytes, qf: int = 1) -> Any:
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, BM25FScorer):
            # `searcher` is one segment's: document numbers here are the segment's own.
            lengths = self.cache.lengths(searcher.reader(), fieldname)
            scorer.dfl = lengths.__getitem__
        return scorer
