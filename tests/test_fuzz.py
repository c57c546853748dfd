"""A bounded coverage-guided fuzzing run of extraction and normalization (see fuzz_extract.py);
`make fuzz` runs it longer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HARNESS = Path(__file__).with_name("fuzz_extract.py")
RUNS = 2000


def test_fuzzing_extraction_finds_no_crash(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    subprocess.run([sys.executable, str(HARNESS), "--seeds", str(seeds)], check=True)
    run = subprocess.run(
        [sys.executable, str(HARNESS), str(seeds), f"-runs={RUNS}", "-seed=1", "-rss_limit_mb=0"],
        cwd=tmp_path,  # where libFuzzer writes a crashing input
        capture_output=True,
        text=True,
        timeout=900,
    )
    crashes = sorted(p.name for p in tmp_path.glob("crash-*"))
    assert run.returncode == 0 and not crashes, run.stderr[-3000:]
    assert f"Done {RUNS} runs" in run.stderr
