"""The benchmark of issue 15: every figure with its target and its ratio to each peer, in one run.

Usage: python benchmarks/bench.py [--pages 10000,100000] [--repeats 10] [--http-seconds 15]
                                  [--corpus ../shared/corpus] [--skip ingest,search,http]
                                  [--http-workers 1,2] [--http-data DATA]
       python benchmarks/bench.py --show benchmarks/results/bench.json   (the table again)
(`make bench`; pass options with `make bench BENCH_ARGS="--pages 10000"`).

It measures, in this order:
- ingest of the generated PDF corpus (24 reports x 40 pages, made once into benchmarks/.cache/)
  and of the real corpus: wall time, CPU and peak RSS of the whole process tree, the size of
  the data folder, against one process that only runs pypdf's extract_text (pypdf-only) and
  against Recoll; re-ingest with nothing changed; `rebuild`, against FTS5 filled with the same
  page texts;
- the ingest of one 800-page generated report, OCR off: peak RSS of the tree, per process;
- at each level of --pages (bench_engines.py's generated catalogs, rebuilt once and cached
  in benchmarks/.cache/engines-N/ with the rebuild's time), warm search p50/p95/p99 of a fixed
  mixed query set (queryset.py) against FTS5 and Recoll over the same page texts;
- /api/search served by `indexer serve` on the smallest level (or the data folder given as
  --http-data, e.g. the real corpus ingested): 1, 4 and 20 clients in a closed loop
  (throughput), then 20 clients at 40 requests/s in an open loop (latency); once for each
  count of --http-workers: 1 is waitress, 2 or more is gunicorn with that many processes
  (`indexer serve --workers N`; Linux, default 1,2 there).

Then it prints the table and writes benchmarks/results/bench.json. A peer that is not installed
is skipped with a message (benchmarks/install-peers.sh installs Recoll). The first run at
100,000 pages generates and rebuilds that level, which takes the better part of an hour.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import corpora  # noqa: E402
import ingest_figures  # noqa: E402
import peers  # noqa: E402
import search_figures  # noqa: E402
from table import Row, from_dict, render  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "bench.json"


def main() -> None:
    """Measure everything asked for, print the table, write the JSON."""
    args = _arguments()
    if args.show:
        print(render([from_dict(row) for row in json.loads(args.show.read_text())["rows"]]))
        return
    levels = sorted(int(n) for n in args.pages.split(","))
    skip = set(filter(None, args.skip.split(",")))
    if not peers.recoll_installed():
        print(f"Recoll: skipped everywhere, not installed ({peers.RECOLL_INSTALL})", flush=True)
    rows: list[Row] = []
    figures: dict[str, Any] = {"load_before": os.getloadavg()}
    if "ingest" not in skip:
        _ingest(args, rows, figures)
    if "search" not in skip:
        for pages in levels:
            print(f"searching {pages:,} pages", flush=True)
            got, figures[f"search_{pages}"] = search_figures.measure_level(pages, args.repeats)
            rows += got
    if "http" not in skip:
        _http(args, levels[0], rows, figures)
    figures["load_after"] = os.getloadavg()
    print()
    print(render(rows))
    # Wall times mean little on a busy machine: say how busy it was.
    before, after = figures["load_before"][0], figures["load_after"][0]
    print(
        f"\nload average (1 min) before {before:.1f}, after {after:.1f}, on {os.cpu_count()} CPUs"
    )
    _write(args, rows, figures)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default="10000,100000", help="search levels, comma-separated")
    parser.add_argument("--repeats", type=int, default=10, help="runs of each query per level")
    parser.add_argument("--http-seconds", type=float, default=15.0,
                        help="seconds of each closed-loop HTTP run (the open loop runs twice as"
                             " long)")  # fmt: skip
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--skip", default="", help="parts to leave out: ingest, search, http")
    parser.add_argument(
        "--http-workers",
        default="1,2" if sys.platform == "linux" else "1",
        help="server processes of each HTTP run: 1 waitress, N gunicorn",
    )
    parser.add_argument(
        "--http-data", type=Path, help="serve this data folder in the HTTP runs, not a level"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--show", type=Path, help="print the table of a bench.json, run nothing")
    return parser.parse_args()


def _ingest(args: argparse.Namespace, rows: list[Row], figures: dict[str, Any]) -> None:
    generated = corpora.generated_corpus()
    print(f"ingesting the generated corpus ({generated})", flush=True)
    got, figures["generated"] = ingest_figures.measure_folder(
        generated, f"generated corpus, {corpora.REPORTS} x {corpora.PAGES}", targets=True
    )
    rows += got
    if args.corpus.is_dir():
        print(f"ingesting {args.corpus}", flush=True)
        got, figures["corpus"] = ingest_figures.measure_folder(
            args.corpus, "real corpus", targets=False
        )
        rows += got
    else:
        print(f"{args.corpus}: not there, its ingest skipped", flush=True)
    print(f"ingesting one {corpora.LONG_PAGES}-page report", flush=True)
    got, figures["long_report"] = ingest_figures.measure_memory(
        corpora.long_report(), corpora.LONG_PAGES
    )
    rows += got


def _http(args: argparse.Namespace, pages: int, rows: list[Row], figures: dict[str, Any]) -> None:
    if args.http_data:
        data, label = args.http_data, f"data folder {args.http_data.name}"
    else:
        data, label = corpora.level(pages)[0].data, f"{pages:,} pages"
    for workers in sorted({int(n) for n in args.http_workers.split(",")}):
        print(f"HTTP load on {label}, {workers} server process(es)", flush=True)
        load = os.getloadavg()
        got, figures[f"http_{workers}"] = search_figures.measure_http(
            data, label, args.http_seconds, workers
        )
        figures[f"http_{workers}"]["load_before"] = load
        figures[f"http_{workers}"]["load_after"] = os.getloadavg()
        rows += got


def _write(args: argparse.Namespace, rows: list[Row], figures: dict[str, Any]) -> None:
    args.out.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },  # fmt: skip
        "arguments": {k: str(v) for k, v in vars(args).items()},
        "rows": [row.to_dict() for row in rows],
        "figures": figures,
    }
    args.out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    print(f"\nwritten: {args.out}")


if __name__ == "__main__":
    main()
