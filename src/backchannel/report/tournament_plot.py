"""The tournament ranking as a picture: one panel per measure, a bar and its 95 % interval."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from backchannel.experiments.tournament import Tournament

PANELS = (
    ("utility", "utility_ci", "mean payoff"),
    ("agreement_rate", "agreement_ci", "agreement rate"),
    ("welfare", "welfare_ci", "mean welfare (sum of payoffs)"),
)


def plot_tournament(tournament: Tournament, path: str | Path) -> Path:
    """Write the standings (best first, at the top) to a PNG file."""
    standings = list(reversed(tournament.standings))
    names = [s.strategy for s in standings]
    figure, axes = plt.subplots(1, 3, figsize=(12, 1.2 + 0.45 * len(names)), sharey=True)
    for axis, (value, spread, title) in zip(axes, PANELS, strict=True):
        means = [getattr(s, value) for s in standings]
        errors = [getattr(s, spread) for s in standings]
        axis.barh(names, means, xerr=errors, color="#4c72b0", ecolor="#222222", capsize=3)
        axis.set_title(title)
        axis.grid(axis="x", alpha=0.3)
    runs = len(tournament.rows)
    figure.suptitle(f"Tournament: {runs} negotiations, bars show 95% confidence intervals")
    figure.tight_layout()
    path = Path(path)
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path
