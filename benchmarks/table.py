"""The rows of `bench.py`'s table: each figure, its target, and our figure divided by each
peer's (for seconds and MB below 1 is better for us, for pages/s and requests/s above 1)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

PEERS = ("pypdf-only", "FTS5", "Recoll")


@dataclass
class Row:
    """One figure of the table."""

    section: str
    figure: str
    value: float
    unit: str
    target: str = ""  # e.g. "<= 0.80 x pypdf-only", "<= 50 ms"
    measured: str = ""  # the figure the target is about, when it is a ratio (e.g. "0.62x")
    met: bool | None = None  # None: no target
    peers: dict[str, float | None] = field(default_factory=dict)  # peer -> its figure
    note: str = ""
    # Our figure over only what a peer could run (queries it has no equivalent for left out).
    ours_for: dict[str, float] = field(default_factory=dict)

    def ratio(self, peer: str) -> float | None:
        """Our figure divided by the peer's (None when the peer was not measured)."""
        theirs = self.peers.get(peer)
        if theirs is None:
            return None
        ours = self.ours_for.get(peer, self.value)
        return ours / theirs if theirs else math.inf

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape, ratios included."""
        ratios = {p: _round(self.ratio(p)) for p in self.peers}
        return asdict(self) | {
            "ratios": {p: None if r == math.inf else r for p, r in ratios.items()}
        }


def from_dict(data: dict[str, Any]) -> Row:
    """A row of a bench.json written before."""
    return Row(**{k: v for k, v in data.items() if k != "ratios"})


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def check(value: float, limit: float) -> bool:
    """Whether a figure meets an upper limit."""
    return value <= limit


def render(rows: list[Row]) -> str:
    """The table as text, a section heading before each group of rows."""
    head = f"{'figure':<46}{'ours':>12}  {'target':<27}{'met':<14}"
    head += "".join(f"{'÷ ' + p:>13}" for p in PEERS)
    lines = [head, "-" * len(head)]
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            lines.append(f"[{section}]")
        verdict = "" if row.met is None else ("yes" if row.met else "NO")
        if row.measured:
            verdict = f"{row.measured} {verdict}".strip()
        ratios = "".join(f"{_ratio_text(row, p):>13}" for p in PEERS)
        lines.append(
            f"  {row.figure:<44}{_number(row.value):>8} {row.unit:<3}  {row.target:<27}"
            f"{verdict:<14}{ratios}"
        )
        if row.note:
            lines.append(f"      {row.note}")
    return "\n".join(lines)


def _ratio_text(row: Row, peer: str) -> str:
    if peer not in row.peers:
        return ""
    ratio = row.ratio(peer)
    if ratio is None:
        return "skipped"
    return "peer ~0" if math.isinf(ratio) else f"{ratio:.3g}x"


def _number(x: float) -> str:
    if float(x).is_integer() and abs(x) < 1000:
        return f"{x:.0f}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}" if abs(x) >= 0.01 or x == 0 else f"{x:.4f}"
