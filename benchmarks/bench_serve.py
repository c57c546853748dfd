"""/api/search under waitress and under `indexer serve --workers N`, taking turns.

Usage: python benchmarks/bench_serve.py DATA [--workers 2] [--clients 1,4,20] [--rounds 4]
                                            [--seconds 5]

bench.py measures one server after the other, minutes apart; on a machine other programs load
too, the load changes in between and decides the comparison. Here both servers run at once
(a server nobody asks uses no CPU) and take turns: for each number of clients, `--rounds`
rounds of a `--seconds` closed loop on each, the order swapped every round, so that what the
machine does meanwhile falls on both alike. Prints requests/s and p50/p95/p99 of each server
over all its rounds, and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import http_load  # noqa: E402
from measure import latency  # noqa: E402
from queryset import QUERIES  # noqa: E402

from tests.servers import indexer_server  # noqa: E402


def main() -> None:
    """Start both servers on DATA, measure them in turns, print the figures."""
    args = _arguments()
    servers = {"waitress": 1, f"gunicorn --workers {args.workers}": args.workers}
    print(f"load average before: {_load()} on {os.cpu_count()} CPUs", flush=True)
    with ExitStack() as stack:
        targets = {
            name: http_load.urls(stack.enter_context(indexer_server(args.data, workers=n)),
                                 [q.ours for q in QUERIES])
            for name, n in servers.items()
        }  # fmt: skip
        for urls in targets.values():
            for _ in range(args.workers):  # every process opens its searchers
                for url in urls:
                    http_load.fetch(url)
        for clients in (int(n) for n in args.clients.split(",")):
            _compare(targets, clients, args.rounds, args.seconds)
    print(f"load average after: {_load()}")


def _compare(targets: dict[str, list[str]], clients: int, rounds: int, seconds: float) -> None:
    times: dict[str, list[float]] = {name: [] for name in targets}
    walls = dict.fromkeys(targets, 0.0)
    failed = dict.fromkeys(targets, 0)
    names = list(targets)
    for n in range(rounds):
        for name in names if n % 2 == 0 else names[::-1]:
            start = time.perf_counter()
            got = http_load.closed_loop(targets[name], clients, seconds, keep_times=True)
            walls[name] += time.perf_counter() - start
            times[name] += got["times"]
            failed[name] += sum(k for s, k in got["statuses"].items() if not s.startswith("200"))
    for name in names:
        figures = latency(times[name])
        print(f"{clients:>2} client(s), {name:<20} {len(times[name]) / walls[name]:6.1f} req/s"
              f"  p50 {figures['p50_ms']:8.1f}  p95 {figures['p95_ms']:8.1f}"
              f"  p99 {figures['p99_ms']:8.1f} ms  not 200: {failed[name]}/{len(times[name])}",
              flush=True)  # fmt: skip


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="a data folder with reports ingested")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's processes")
    parser.add_argument("--clients", default="1,4,20", help="client counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=4, help="turns of each server per count")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one turn")
    return parser.parse_args()


if __name__ == "__main__":
    main()
