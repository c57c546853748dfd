"""The Whoosh engine: the embedded default, an index in DATA/index. Every module that imports
Whoosh is in this package."""

from __future__ import annotations

from .engine import WhooshEngine, build_beside

__all__ = ["WhooshEngine", "build_beside"]
