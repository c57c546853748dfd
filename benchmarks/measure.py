"""What a command costs: wall time, CPU and peak RSS of its whole process tree; percentiles.

A command runs as a child process; a thread samples the RSS of the child and all its
descendants (psutil) every SAMPLE_S, so the peak is the largest sum seen at one instant, and
each process's own peak is kept by name. CPU time comes from wait4's rusage, which counts every
descendant that was waited for (worker pools and filters included), not from the samples.
"""

from __future__ import annotations

import math
import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

SAMPLE_S = 0.02
MB = 1024 * 1024


@dataclass
class Run:
    """One command's cost: seconds, CPU seconds, peak RSS (MB) of the tree and of each process."""

    command: list[str]
    returncode: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    processes: dict[str, float] = field(default_factory=dict)  # "name pid" -> its peak MB
    stderr: str = ""

    def to_dict(self) -> dict[str, object]:
        """The JSON shape."""
        return {
            "command": self.command,
            "returncode": self.returncode,
            "wall_s": round(self.wall_s, 4),
            "cpu_s": round(self.cpu_s, 3),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            # The ten largest (a Recoll run starts hundreds of filter processes).
            "processes": dict(
                sorted(
                    ((k, round(v, 1)) for k, v in self.processes.items()), key=lambda kv: -kv[1]
                )[:10]
            ),  # fmt: skip
        }


def run_tree(
    command: Sequence[str], *, env: Mapping[str, str] | None = None, ok: Sequence[int] = (0,)
) -> Run:
    """Run `command` to its end, sampling its process tree; raises RuntimeError when its exit
    status is not in `ok` (with the end of its stderr)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(command),
        env=dict(env) if env is not None else None,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peaks: dict[str, float] = {}
    tree_peak = [0.0]
    done = threading.Event()
    sampler = threading.Thread(target=_sample, args=(proc.pid, done, peaks, tree_peak))
    sampler.start()
    stderr_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()))  # type: ignore[union-attr]
    reader.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        done.set()
        sampler.join()
        reader.join()
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = b"".join(stderr_chunks).decode(errors="replace")
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(command)} exited {proc.returncode}: {stderr[-2000:]}")
    return Run(
        list(command),
        proc.returncode,
        wall,
        usage.ru_utime + usage.ru_stime,
        tree_peak[0],
        peaks,
        stderr,
    )


def _sample(pid: int, done: threading.Event, peaks: dict[str, float], tree: list[float]) -> None:
    """Until `done`: the RSS of `pid` and its descendants, summed, and per process."""
    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    while not done.is_set():
        total = 0.0
        try:
            members = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for p in members:
            try:
                rss = p.memory_info().rss / MB
                name = f"{_name(p)} {p.pid}"
            except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
                continue
            total += rss
            if rss == 0:  # not yet exec'd, or already gone
                continue
            peaks[name] = max(peaks.get(name, 0.0), rss)
        tree[0] = max(tree[0], total)
        done.wait(SAMPLE_S)


def _name(p: psutil.Process) -> str:
    """A short name: the module or script a Python process runs, else the program's name."""
    cmd = p.cmdline()
    if cmd and "python" in Path(cmd[0]).name:
        if "-c" in cmd:  # multiprocessing's children
            code = cmd[cmd.index("-c") + 1] if cmd.index("-c") + 1 < len(cmd) else ""
            return "resource tracker" if "resource_tracker" in code else "worker process"
        if "-m" in cmd:
            return f"python -m {cmd[cmd.index('-m') + 1]}"
        scripts = [a for a in cmd[1:] if not a.startswith("-")]
        return Path(scripts[0]).name if scripts else "python"
    return Path(cmd[0]).name if cmd else p.name()


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank `p`-th percentile (0 < p <= 100) of `values`."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def latency(values: Sequence[float]) -> dict[str, float]:
    """p50, p95, p99 and max of millisecond figures, rounded for the JSON."""
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "p99_ms": round(percentile(values, 99), 2),
        "max_ms": round(max(values), 2),
    }


def size_mb(path: Path) -> float:
    """Bytes under `path` (a file or a folder, symlinks not followed), in MB."""
    if path.is_file():
        return path.stat().st_size / MB
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / MB
