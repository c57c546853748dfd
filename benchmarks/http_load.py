"""HTTP load on /api/search: closed loop (each client sends its next request when the last one
is answered: peak throughput) and open loop (requests start on a fixed schedule whatever the
answers do: latency at a given rate, each measured from its scheduled start, so a queue behind
a slow answer counts against the server rather than being skipped)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Sequence
from typing import Any

from measure import latency


def fetch(url: str) -> tuple[int, str]:
    """(HTTP status, error type or "") of one request, the whole answer read."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            json.loads(response.read())
            return response.status, ""
    except urllib.error.HTTPError as e:
        try:
            error = json.loads(e.read()).get("error", {})
            kind = error.get("type", "") if isinstance(error, dict) else str(error)
        except ValueError:
            kind = ""
        return e.code, kind
    except OSError:
        return 0, "no answer"


def urls(base: str, queries: Sequence[str]) -> list[str]:
    """The /api/search URL of each query (the API always counts facets)."""
    return [f"{base}/api/search?" + urllib.parse.urlencode({"q": q}) for q in queries]


def closed_loop(
    targets: list[str], clients: int, seconds: float, *, keep_times: bool = False
) -> dict[str, Any]:
    """`clients` threads, each requesting back to back for `seconds` (`keep_times`: the
    figures hold every request's milliseconds as "times" too)."""
    times: list[float] = []
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        i = n
        while time.monotonic() < deadline:
            start = time.perf_counter()
            status, kind = fetch(targets[i % len(targets)])
            ms = (time.perf_counter() - start) * 1000
            with lock:
                times.append(ms)
                statuses[f"{status} {kind}".strip()] += 1
            i += 1

    start = time.perf_counter()
    _run_threads(client, clients)
    wall = time.perf_counter() - start
    return {"clients": clients, "seconds": round(wall, 1), "requests": len(times),
            "req_per_s": round(len(times) / wall, 1), **latency(times),
            "statuses": dict(statuses), **({"times": times} if keep_times else {})}  # fmt: skip


def open_loop(targets: list[str], clients: int, rate: float, seconds: float) -> dict[str, Any]:
    """`rate` requests a second for `seconds`, sent by `clients` threads: each takes the next
    slot of the schedule, waits for its time and sends it; latency counts from the slot."""
    total = int(rate * seconds)
    times: list[float] = []
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    slots = iter(range(total))
    begin = time.perf_counter() + 0.1

    def client(_: int) -> None:
        while True:
            with lock:
                slot = next(slots, None)
            if slot is None:
                return
            due = begin + slot / rate
            time.sleep(max(0.0, due - time.perf_counter()))
            status, kind = fetch(targets[slot % len(targets)])
            ms = (time.perf_counter() - due) * 1000
            with lock:
                times.append(ms)
                statuses[f"{status} {kind}".strip()] += 1

    _run_threads(client, clients)
    wall = time.perf_counter() - begin
    return {"clients": clients, "rate_per_s": rate, "seconds": round(wall, 1),
            "requests": len(times), "achieved_per_s": round(len(times) / wall, 1),
            **latency(times), "statuses": dict(statuses)}  # fmt: skip


def _run_threads(target: Any, count: int) -> None:
    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
