"""The `indexer export` and `indexer batch` commands: thin click faces over `Library.export`
and `Library.batch`, writing what they produce to stdout as it comes."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any

import click

from .export import FORMATS
from .library import Library
from .models import SORTS, Filters


def _filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The search command's filters, plus the year range the web API has."""
    only = "Only reports {} (repeatable)."
    options = [
        click.option("--publisher", multiple=True, help=only.format("of this publisher")),
        click.option("--year", multiple=True, type=int, help=only.format("of this year")),
        click.option("--year-from", type=int, help="Only reports of this year or later."),
        click.option("--year-to", type=int, help="Only reports of this year or earlier."),
        click.option("--lang", multiple=True, help=only.format("in this language code")),
        click.option("--report-type", multiple=True, help=only.format("of this type")),
        click.option("--tag", multiple=True, help=only.format("with this tag")),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _write(pieces: Iterable[str]) -> None:
    for piece in pieces:
        click.echo(piece, nl=False)


@click.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--query", help="Export the reports of this search's matching pages (with the"
                              " pages, in CSV) instead of the whole catalog.")  # fmt: skip
@_filter_options
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True,
              help="Newest reports first with `date`; else the catalog by title.")  # fmt: skip
@click.option("--all-versions", is_flag=True, help="Every version of a work, not the newest.")
@click.pass_obj
def export(lib: Library, fmt: str, query: str | None, publisher: tuple[str, ...],
           year: tuple[int, ...], year_from: int | None, year_to: int | None,
           lang: tuple[str, ...], report_type: tuple[str, ...], tag: tuple[str, ...],
           sort: str, all_versions: bool) -> None:  # fmt: skip
    """Write the catalog (or the reports matching --query) as CSV, BibTeX, RIS or CSL-JSON."""
    filters = Filters(publisher=list(publisher), year=list(year), year_from=year_from,
                      year_to=year_to, lang=list(lang), report_type=list(report_type),
                      tag=list(tag))  # fmt: skip
    versions = "all" if all_versions else "latest"
    _write(lib.export(fmt, query=query, filters=filters, sort=sort, versions=versions))


@click.command()
@click.argument("file", type=click.File("rb"))
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100),
              help="Most hits per query.")  # fmt: skip
@click.option("--per-report", default=3, show_default=True, type=click.IntRange(min=0),
              help="Most pages of one report per query (0 = no cap).")  # fmt: skip
@click.pass_obj
def batch(lib: Library, file: Any, limit: int, per_report: int) -> None:
    """Run the queries in FILE (one a line, or a CSV with a `query` column; - for stdin) and
    write their hits as CSV, one row per query and hit, each with its APA reference."""
    _write(lib.batch(file.read(), limit=limit, per_report=per_report))
    sys.stdout.flush()
