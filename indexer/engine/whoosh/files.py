"""The Whoosh index's files on disk, below Whoosh: builds swapped in by a symlink, and a
checksum file beside each segment.

Nothing here knows Whoosh's formats: segment files are recognised by their names only.
"""

from __future__ import annotations

import json
import os
import shutil
import zlib
from collections.abc import Iterable
from pathlib import Path

INDEX_NAME = "MAIN"
# A rebuild fills DIR.build-XXXX beside the index DIR, then points DIR (a symlink) at it.
BUILD_MARK = ".build-"
# Beside each segment, the size and CRC-32 of its files, written at commit and checked at open.
# Whoosh deletes it with its segment (it matches Whoosh's segment file names).
SUMS_EXT = ".sums"


def _segment_files(directory: Path) -> dict[str, list[Path]]:
    """The files of each segment in `directory` (checksum files left out), by segment id."""
    found: dict[str, list[Path]] = {}
    prefix = f"{INDEX_NAME}_"
    for path in directory.iterdir():
        if path.name.startswith(prefix) and "." in path.name and path.suffix != SUMS_EXT:
            found.setdefault(path.name.split(".", 1)[0], []).append(path)
    return found


def _sums(files: Iterable[Path]) -> dict[str, list[int]]:
    sums = {}
    for path in sorted(files):
        crc = 0
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                crc = zlib.crc32(chunk, crc)
        sums[path.name] = [path.stat().st_size, crc]
    return sums


def record_checksums(directory: Path) -> None:
    """Write the checksum file of every segment that has none (the ones just committed).

    Segment files never change once committed, so a sum written once stays true. A crash
    before this leaves a segment without sums: it is read unchecked, not called damaged.
    """
    for segment_id, files in _segment_files(directory).items():
        target = directory / f"{segment_id}{SUMS_EXT}"
        if files and not target.exists():
            temp = directory / f".{segment_id}{SUMS_EXT}.tmp"
            temp.write_text(json.dumps(_sums(files)))
            os.replace(temp, target)


def verify_checksums(directory: Path, segment_id: str) -> None:
    """Raise ValueError when a file of the segment differs from its recorded size or CRC-32."""
    target = directory / f"{segment_id}{SUMS_EXT}"
    if not target.exists():
        return
    recorded = json.loads(target.read_text())
    files = [directory / name for name in recorded]
    if _sums(files) != recorded:
        raise ValueError(f"segment {segment_id} does not match its checksums")


def point_at(directory: Path, staged: Path) -> None:
    """Make `directory` a symlink to `staged` and remove what it was."""
    link = directory.parent / f"{directory.name}.swap"
    link.unlink(missing_ok=True)
    os.symlink(staged.name, link)
    old: Path | None = None
    if directory.is_symlink():
        old = directory.parent / os.readlink(directory)
    elif directory.exists():
        # An index from before builds beside: moved aside first, the one moment with no index.
        old = directory.parent / f"{directory.name}{BUILD_MARK}old"
        shutil.rmtree(old, ignore_errors=True)
        directory.rename(old)
    os.replace(link, directory)
    if old is not None and old.resolve() != staged.resolve():
        # Readers that still have its files open keep reading them until they close.
        shutil.rmtree(old, ignore_errors=True)
