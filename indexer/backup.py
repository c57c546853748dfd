"""`indexer backup DIR`: a consistent copy of a data folder, taken while the service runs.

The catalog is copied with sqlite's online backup API (a snapshot, whatever writes meanwhile);
the index, uploaded files and the session key are copied while holding the data folder's write
lock, so no ingest, rebuild or upload commits during the copy. Searches go on. The copy is a
data folder itself: `indexer --data DIR …` uses it as it is, and restoring is copying it back
(see the README). Rendered page images are left out: they are made again on demand.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from .config import Settings
from .errors import IndexerError
from .writelock import WriteLock

# Besides the catalog and the index: what a data folder holds that cannot be made again.
KEPT = ("uploads", "secret_key")


def backup(settings: Settings, target: Path) -> dict[str, Any]:
    """Copy the data folder of `settings` to the new or empty folder `target`; returns what
    was copied. Raises IndexerError when `target` holds anything already."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise IndexerError(f"{target} is not empty: back up into a new or empty folder")
    if target.resolve() == settings.data.resolve():
        raise IndexerError("back up into another folder than the data folder itself")
    target.mkdir(parents=True, exist_ok=True)
    with WriteLock(settings.data).hold(settings.lock_timeout):
        with (
            closing(sqlite3.connect(settings.catalog_path)) as source,
            closing(sqlite3.connect(target / settings.catalog_path.name)) as copy,
        ):
            source.backup(copy)
        index = settings.index_dir.resolve()  # a rebuild leaves DATA/index a symlink
        if index.is_dir():
            shutil.copytree(index, target / settings.index_dir.name)
        for name in KEPT:
            kept = settings.data / name
            if kept.is_dir():
                shutil.copytree(kept, target / name)
            elif kept.is_file():
                shutil.copy2(kept, target / name)
    files = [p for p in target.rglob("*") if p.is_file()]
    return {
        "target": str(target),
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
    }
