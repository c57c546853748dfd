"""The `indexer` command: a thin click layer over `Library`.

Exit codes: 0 success; 1 an ingest finished but some files failed; 2 usage or query error.
Errors go to stderr as one line; with --json they also go to stdout as {"error": {...}}.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import signal
import sqlite3
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from .cite import page_ref
from .config import Settings
from .errors import IndexerError, NotFound, QueryError
from .ingest import IngestSummary
from .library import Library
from .models import OCR, SORTS, Filters, Hit, SearchResult
from .quotes import QuoteMatch

EXIT_FAILED_FILES, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130
URL = re.compile(r"https?://", re.IGNORECASE)


class _Group(click.Group):
    """Turns every error into one line (and JSON with --json) and the right exit code."""

    def main(self, args: Any = None, *a: Any, **kw: Any) -> NoReturn:
        argv = list(sys.argv[1:] if args is None else args)
        kw["standalone_mode"] = False
        try:
            code = super().main(argv, *a, **kw)
        except click.UsageError as e:
            _fail("usage_error", e.format_message(), "--json" in argv, EXIT_USAGE)
        except (QueryError, NotFound) as e:
            _fail(e.kind, str(e), "--json" in argv, EXIT_USAGE)
        except IndexerError as e:
            _fail(e.kind, str(e), "--json" in argv, 1)
        except (OSError, sqlite3.Error) as e:  # an unusable data folder or catalog file
            _fail("data_error", f"cannot use the data folder: {e}", "--json" in argv, 1)
        except (KeyboardInterrupt, click.Abort):
            click.echo(
                "interrupted: what was done is saved; run the same command to finish", err=True
            )
            sys.exit(EXIT_INTERRUPTED)
        sys.exit(code if isinstance(code, int) else 0)


def _fail(kind: str, message: str, as_json: bool, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    if as_json:
        click.echo(json.dumps({"error": {"type": kind, "message": message}}))
    sys.exit(code)


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group(cls=_Group)
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="INDEXER_DATA",
    default="data",
    show_default=True,
    help="Folder for the catalog and index (default $INDEXER_DATA, else ./data).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log what happens (pypdf warnings included).")
@click.version_option(package_name="indexer")
@click.pass_context
def cli(ctx: click.Context, data: Path, verbose: bool) -> None:
    """Index PDF reports and search them; every hit is a page-exact citation."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.ERROR,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = Library(Settings.from_env(data=data))
    ctx.call_on_close(ctx.obj.close)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--prune", is_flag=True, help="Delete vanished files from the catalog.")
@click.option("--retry-failed", is_flag=True, help="Extract failed files again.")
@click.option("--lock-timeout", type=click.FloatRange(min=0), metavar="SECONDS",
              help="Give up (error `busy`, nothing changed) if another writer holds the data"
                   " folder this long (default: wait as long as needed).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def ingest(lib: Library, paths: tuple[str, ...], prune: bool, retry_failed: bool,
           lock_timeout: float | None, as_json: bool) -> None:  # fmt: skip
    """Add the PDFs in PATHS (files or folders, recursively, or http(s) URLs of PDFs, which
    are fetched into the data folder); unchanged files are skipped."""
    signal.signal(signal.SIGTERM, _raise_interrupt)
    _set_lock_timeout(lib, lock_timeout)
    urls = [p for p in paths if URL.match(p)]
    files = [Path(p) for p in paths if not URL.match(p)]
    with _ProgressBar(enabled=not as_json and sys.stderr.isatty()) as bar:
        summary = lib.ingest(
            files, prune=prune, retry_failed=retry_failed, progress=bar.update, urls=urls
        )
    _finish(summary, as_json)


@cli.command()
@click.argument("report_ids", nargs=-1)
@click.option("--lock-timeout", type=click.FloatRange(min=0), metavar="SECONDS",
              help="Give up (error `busy`, nothing changed) if another writer holds the data"
                   " folder this long (default: wait as long as needed).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def ocr(lib: Library, report_ids: tuple[str, ...], lock_timeout: float | None,
        as_json: bool) -> None:  # fmt: skip
    """Read again, with OCR, the reports whose pages no extractor read as text (those without
    text and those with garbled pages, that OCR has not read yet), or REPORT_IDS (all their
    pages without text, again). Needs Tesseract (`indexer stats` says how to install it)."""
    signal.signal(signal.SIGTERM, _raise_interrupt)
    _set_lock_timeout(lib, lock_timeout)
    with _ProgressBar(enabled=not as_json and sys.stderr.isatty()) as bar:
        summary = lib.ocr(report_ids, progress=bar.update)
    _finish(summary, as_json)


def _set_lock_timeout(lib: Library, seconds: float | None) -> None:
    if seconds is not None:
        lib.settings = dataclasses.replace(lib.settings, lock_timeout=seconds)


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


class _ProgressBar:
    """A click progress bar on stderr, one per ingest phase, shown only on a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None
        self.phase = ""

    def update(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if phase != self.phase:
            self.close()
            self.phase = phase
            self.bar = click.progressbar(length=total, label=phase.ljust(10), file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _finish(summary: IngestSummary, as_json: bool) -> None:
    """Print what an ingest (or OCR run) did; exit EXIT_FAILED_FILES if a file failed."""
    if as_json:
        _print_json(summary.to_dict())
    else:
        _print_summary(summary)
    if summary.counts["failed"]:
        sys.exit(EXIT_FAILED_FILES)


def _print_summary(summary: IngestSummary) -> None:
    for f in summary.files:
        if f.status == "failed":
            click.echo(f"failed: {f.path}: {f.error}", err=True)
        elif f.status == "no_text":
            click.echo(f"no text (needs OCR): {f.path}", err=True)
    counts = ", ".join(f"{n} {status}" for status, n in summary.counts.items() if n)
    click.echo(f"{len(summary.files)} files: {counts or 'nothing to do'}")


@cli.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=1))
@click.option("--per-report", default=3, show_default=True, type=click.IntRange(min=0),
              help="Most pages shown per report (0 = no cap).")  # fmt: skip
@click.option("--report", "report_id", help="Search inside this report only.")
@click.option("--publisher", multiple=True, help="Only reports of this publisher (repeatable).")
@click.option("--year", multiple=True, type=int, help="Only reports of this year (repeatable).")
@click.option("--lang", multiple=True, help="Only reports in this language code (repeatable).")
@click.option("--report-type", multiple=True, help="Only reports of this type (repeatable).")
@click.option("--tag", multiple=True, help="Only reports with this tag (repeatable).")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True,
              help="Best matches first, newest reports first (undated last), or the reports"
                   " added last first.")  # fmt: skip
@click.option("--all-versions", is_flag=True, help="Show every version of a work, not the newest.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def search(lib: Library, query: tuple[str, ...], limit: int, per_report: int,
           report_id: str | None, publisher: tuple[str, ...], year: tuple[int, ...],
           lang: tuple[str, ...], report_type: tuple[str, ...], tag: tuple[str, ...], sort: str,
           all_versions: bool, as_json: bool) -> None:  # fmt: skip
    """Search the pages of all reports (Whoosh query syntax, see README)."""
    filters = Filters(publisher=list(publisher), year=list(year), lang=list(lang),
                      report_type=list(report_type), tag=list(tag))  # fmt: skip
    result = lib.search(
        " ".join(query), limit=limit, per_report=per_report, report_id=report_id, filters=filters,
        sort=sort, versions="all" if all_versions else "latest",
    )  # fmt: skip
    if as_json:
        _print_json(result.to_dict())
    else:
        _print_hits(result)


def cite_page(hit: Hit) -> str:
    """'p. 17 (PDF p. 19)', 'PDF p. 19', or 'pp. 21–22 (PDF pp. 24–25)' when a phrase runs on."""
    return page_ref(hit.page, hit.page_label, hit.continues_on, hit.continues_on_label)


def _print_hits(result: SearchResult) -> None:
    about = "about " if result.total_is_estimate else ""
    pages = "page" if result.total == 1 else "pages"
    click.echo(f"{about}{result.total} matching {pages} for {result.query!r}\n")
    for n, hit in enumerate(result.hits, 1):
        click.secho(f"{n}. {hit.title}, {cite_page(hit)}", bold=True)
        record = ", ".join(filter(None, ["; ".join(hit.authors), hit.report_number, hit.date]))
        if hit.version:
            record += f", version {hit.version}"
        if hit.other_versions:
            record += f" (other versions: {hit.other_versions})"
        if record:
            click.echo(f"   {record}")
        click.echo(f"   {hit.path}#page={hit.page}  [report {hit.report_id}]{_source(hit)}")
        click.echo("   " + _marked(hit.snippet, hit.highlights) + "\n")


def _source(found: Hit | QuoteMatch) -> str:
    """A note on a hit or quote whose page OCR read (its text may hold misreadings)."""
    return "  (text from OCR)" if found.text_source == OCR else ""


def _marked(snippet: str, highlights: list[list[int]]) -> str:
    """The snippet with matches in bold on a terminal (plain text when piped)."""
    out, last = [], 0
    for start, end in highlights:
        out += [snippet[last:start], click.style(snippet[start:end], bold=True, underline=True)]
        last = end
    return "".join(out) + snippet[last:]


@cli.command()
@click.argument("text", nargs=-1, required=True)
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 50))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def quote(lib: Library, text: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Find where a passage is printed (TEXT, or - to read it from stdin)."""
    passage = sys.stdin.read().strip() if text == ("-",) else " ".join(text)
    result = lib.quote(passage, limit=limit)
    if as_json:
        _print_json(result.to_dict())
        return
    if not result.matches:
        click.echo("no report prints this passage")
    for n, m in enumerate(result.matches, 1):
        where = page_ref(m.page, m.page_label, m.end_page, m.end_page_label)
        how = "exact" if m.exact else f"near, {m.score:.0%} alike"
        click.secho(
            f"{n}. {m.title}, {where} ({how})  [report {m.report_id}]{_source(m)}", bold=True
        )
        click.echo("   " + _marked(m.text, m.differences) + "\n")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def reports(lib: Library, as_json: bool) -> None:
    """List every report in the catalog with its status and files."""
    entries = lib.reports()
    if as_json:
        _print_json(entries)
        return
    for e in entries:
        click.echo(f"{e['report_id']}  {e['status']:<9} {e['pages']:>5} pp.  {e['title'] or ''}")
        for f in e["files"]:
            click.echo(f"    {f['status']:<9} {f['path']}")
        if e["error"]:
            click.echo(f"    error: {e['error']}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def stats(lib: Library, as_json: bool) -> None:
    """Collection health: counts by status, publisher, year, language and report type; failed
    files, reports needing OCR, garbled pages and recent additions."""
    health = lib.collection_stats()
    if as_json:
        _print_json(health)
        return
    for key in ("by_status", "by_publisher", "by_year", "by_language", "by_report_type"):
        counts = ", ".join(f"{c['value']} {c['count']}" for c in health[key][:8])
        click.echo(f"{key.removeprefix('by_').replace('_', ' ')}: {counts or '-'}")
    for f in health["failed"]:
        click.echo(f"failed ({f['reason'] or 'error'}): {f['path']}: {f['error']}")
    for r in health["needs_ocr"]:
        click.echo(f"needs OCR: {r['path']}")
    waiting, state = health["ocr"]["waiting"], health["ocr"]
    if waiting or state["state"] != "on":
        reports = "1 report waits" if waiting == 1 else f"{waiting} reports wait"
        click.echo(f"{reports} for OCR; {state['enable'] or 'run `indexer ocr`'}")
    for g in health["garbled_pages"]:
        pages = ", ".join(str(n) for n in g["pages"])
        click.echo(f"garbled pages {pages}: {g['title'] or g['report_id']}")


@cli.command()
@click.argument("report_id")
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="FIELD=VALUE",
    help='Correct a field (repeatable); authors as "Family, Given; Family, Given".',
)
@click.option(
    "--reset",
    multiple=True,
    metavar="FIELD",
    help="Drop the correction of a field, so the next source applies (repeatable).",
)
@click.option(
    "--copy-from",
    metavar="REPORT_ID",
    help="Carry the corrections of another version of the report over to this one.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@click.pass_obj
def meta(lib: Library, report_id: str, sets: tuple[str, ...], reset: tuple[str, ...],
         copy_from: str | None, as_json: bool) -> None:  # fmt: skip
    """Show a report's metadata record (each field with its source), or correct it."""
    changes: dict[str, Any] = {}
    for item in sets:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--set takes FIELD=VALUE, not {item!r}")
        changes[name.strip()] = value
    changes |= dict.fromkeys((r.strip() for r in reset), None)
    if copy_from:
        lib.copy_metadata(report_id, copy_from)
    record = lib.update_metadata(report_id, changes) if changes else lib.metadata(report_id)
    if as_json:
        _print_json(record)
        return
    for name, value in record["metadata"].items():
        shown = "; ".join(value) if isinstance(value, list) else value
        source = record["sources"].get(name, "")
        click.echo(f"{name:<14} {shown if shown not in (None, '') else '-'}"
                   + (f"  [{source}]" if source else ""))  # fmt: skip


@cli.command()
@click.option("--lock-timeout", type=click.FloatRange(min=0), metavar="SECONDS",
              help="Give up (error `busy`, nothing changed) if another writer holds the data"
                   " folder this long (default: wait as long as needed).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def rebuild(lib: Library, lock_timeout: float | None, as_json: bool) -> None:
    """Recreate the search index from the catalog (no PDF is read again)."""
    _set_lock_timeout(lib, lock_timeout)
    with _ProgressBar(enabled=not as_json and sys.stderr.isatty()) as bar:
        count = lib.rebuild(progress=bar.update)
    stale = lib.old_forms()
    if as_json:
        _print_json({"reports": count, "need_ingest": stale})
        return
    click.echo(f"index rebuilt: {count} reports")
    if stale:
        click.echo(
            f"{stale} reports were extracted by an older version and have no text as printed;"
            " run `indexer ingest` on their folders to extract them again"
        )


@cli.command()
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def backup(lib: Library, target: Path, as_json: bool) -> None:
    """Copy the catalog, index and uploads to TARGET (new or empty), while the service runs."""
    done = lib.backup(target)
    if as_json:
        _print_json(done)
    else:
        click.echo(f"backed up to {done['target']}: {done['files']} files, {done['bytes']:,} bytes")


@cli.command()
@click.option("--fix", is_flag=True, help="Repair what can be repaired without losing edits.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def check(lib: Library, fix: bool, as_json: bool) -> None:
    """Check the catalog, the index and the files against each other (exit 1 on problems)."""
    result = lib.check(fix=fix)
    if as_json:
        _print_json(result.to_dict())
    else:
        for p in result.problems:
            where = " ".join(filter(None, [p.report_id, p.path]))
            click.echo(f"{p.kind}: {where}{': ' if where else ''}{p.detail}")
        click.echo("consistent" if result.ok else f"{len(result.problems)} problems")
    if not result.ok:
        sys.exit(EXIT_FAILED_FILES)


@cli.group()
def follow() -> None:
    """Follow publishers: RSS/Atom feeds or sitemaps whose new PDFs are fetched and ingested.
    Run `indexer follow run` from cron or a systemd timer (see the README)."""


@follow.command("add")
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print the follow as JSON.")
@click.pass_obj
def follow_add(lib: Library, url: str, as_json: bool) -> None:
    """Follow the feed or sitemap at URL (it is read once now, to check it)."""
    row = lib.add_follow(url)
    if as_json:
        _print_json(row)
    else:
        click.echo(f"following {row['url']} ({row['title'] or 'untitled'}) as {row['follow_id']}")


@follow.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the follows as JSON.")
@click.pass_obj
def follow_list(lib: Library, as_json: bool) -> None:
    """The followed feeds with their last run."""
    rows = lib.follows()
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        last = row["last_result"] or {}
        ran = f"last run {row['last_run']}: {_run_counts(last)}" if row["last_run"] else "never run"
        click.echo(f"{row['follow_id']}  {row['url']}  {ran}")


@follow.command("run")
@click.option("--only", metavar="ID|URL", help="Run this followed feed only.")
@click.option("--max-new", type=click.IntRange(min=1), default=100, show_default=True,
              help="Most new PDFs fetched per feed in this run (the rest wait).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
@click.pass_obj
def follow_run(lib: Library, only: str | None, max_new: int, as_json: bool) -> None:
    """Fetch and ingest the new PDFs of every followed feed; exit 1 if a feed or a file
    failed."""
    runs = lib.run_follows(only=only, max_new=max_new)
    if as_json:
        _print_json([r.to_dict() for r in runs])
    for run in runs:
        if not as_json:
            click.echo(f"{run.url}: {run.error or _run_counts(run.to_dict())}")
            for failure in run.failures:
                click.echo(f"failed: {failure['url']}: {failure['error']}", err=True)
    if any(r.error or r.failed for r in runs):
        sys.exit(EXIT_FAILED_FILES)


def _run_counts(run: dict[str, Any]) -> str:
    if run.get("error"):
        return f"error: {run['error']}"
    keys = ("found", "fetched", "known", "failed", "left")
    return ", ".join(f"{run.get(k, 0)} {k}" for k in keys) + f" in {run.get('seconds', 0)} s"


@follow.command("remove")
@click.argument("follow_id")
@click.pass_obj
def follow_remove(lib: Library, follow_id: str) -> None:
    """Stop following a feed (the reports it brought stay)."""
    lib.remove_follow(follow_id)
    click.echo(f"no longer following {follow_id}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Server processes: 1 is waitress (threads in one process); more is"
                   " gunicorn with that many processes (Linux).")  # fmt: skip
@click.option("--dev", is_flag=True, help="Flask's debug server instead of waitress.")
@click.pass_obj
def serve(lib: Library, host: str, port: int, workers: int, dev: bool) -> None:
    """Serve the web UI and JSON API."""
    from .web import create_app

    base_url = lib.settings.base_url or f"http://{host}:{port}"
    settings = dataclasses.replace(lib.settings, base_url=base_url)
    if workers > 1:
        _serve_prefork(settings, host, port, workers, dev)
        return
    app = create_app(settings)
    click.echo(f"serving on http://{host}:{port}/", err=True)
    if dev:
        app.run(host=host, port=port, debug=True)
    else:
        import waitress

        # Waitress buffers a whole body before the app sees it: its own limit refuses an
        # over-size Content-Length at header time (a plain 413) and stops a chunked body there.
        limit = app.config["MAX_CONTENT_LENGTH"]
        waitress.serve(app, host=host, port=port, threads=8, max_request_body_size=limit)


def _serve_prefork(settings: Settings, host: str, port: int, workers: int, dev: bool) -> None:
    if dev:
        raise click.UsageError("--dev serves from one process: leave out --workers")
    if not sys.platform.startswith("linux"):
        raise click.UsageError(
            f"--workers {workers} runs gunicorn, which this server supports on Linux only;"
            " here, serve with one process (leave out --workers)"
        )
    try:
        from .web import prefork
    except ImportError as e:
        raise click.UsageError(
            f"--workers {workers} needs gunicorn ({e}): pip install gunicorn, or leave out"
            " --workers to serve with waitress"
        ) from e
    click.echo(f"serving on http://{host}:{port}/ from {workers} processes", err=True)
    prefork.serve(settings, host, port, workers)


def main() -> None:
    """Console-script entry point."""
    cli.main()


from .cli_export import batch, export  # noqa: E402  (they use nothing of this module)

cli.add_command(export)
cli.add_command(batch)
