"""Draw a tornado chart of a scenario's critical thresholds: how far each number can move."""

from __future__ import annotations

from pathlib import Path

from backchannel.analysis.sensitivity import Threshold, critical_order

MAX_BARS = 15
COLOURS = {"zone": "#b5543c", "nash": "#1f6f8b"}


def plot_tornado(entries: list[Threshold], title: str, path: str | Path) -> Path:
    """Save a PNG with one row per parameter (most critical on top): a bar to the left for the
    nearest threshold lowering or tightening it, to the right for raising or loosening, its
    length the move as a share of the parameter's range, red if the zone closes or opens there,
    blue if only the Nash package changes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows: dict[str, dict[int, Threshold]] = {}
    for entry in critical_order(entries):
        side = -1 if entry.direction in ("down", "tighten") else 1
        rows.setdefault(entry.parameter, {}).setdefault(side, entry)
    names = list(rows)[:MAX_BARS][::-1]
    figure, axis = plt.subplots(figsize=(10, 0.45 * len(names) + 2.0), dpi=110)
    for row, name in enumerate(names):
        for side, entry in rows[name].items():
            kind = "zone" if entry.effect.startswith("zone") else "nash"
            axis.barh(row, side * entry.margin, color=COLOURS[kind], height=0.6)
            axis.text(
                side * entry.margin + side * 0.005,
                row,
                f"{entry.effect} at {_short(entry.threshold)}",
                va="center",
                ha="left" if side > 0 else "right",
                fontsize=7,
            )
    axis.set_yticks(range(len(names)), names, fontsize=8)
    axis.axvline(0.0, color="black", lw=0.8)
    reach = max((e.margin for e in entries), default=0.1)
    axis.set_xlim(-reach * 1.6 - 0.05, reach * 1.6 + 0.05)
    axis.set_xlabel(
        "move needed, as a share of the range (0-1 scale, or of the issue's options)\n"
        "left: lower / tighten, right: raise / loosen",
        fontsize=9,
    )
    axis.set_title(
        f"{title}\nwhat must be true (red: the zone closes or opens; blue: the Nash package moves)",
        fontsize=10,
    )
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return Path(path)


def _short(value: float | str) -> str:
    return value if isinstance(value, str) else f"{value:.4g}"
