"""Draw the outcome space in utility coordinates: frontier, reservation lines, solutions."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from backchannel.analysis.outcome_space import SpaceAnalysis, outcome_utilities
from backchannel.scenario.model import Scenario

MAX_POINTS = 60_000


def plot_outcome_space(
    scenario: Scenario,
    analysis: SpaceAnalysis,
    path: str | Path,
    agreement: int | None = None,
    offers: dict[str, list[int]] | None = None,
    seed: int = 0,
) -> Path:
    """Save a PNG of the first two parties' utilities; returns the path written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    first, second = scenario.parties[0], scenario.parties[1]
    utilities = scenario.utilities[:, :2]
    shown = np.arange(len(utilities))
    if len(shown) > MAX_POINTS:
        shown = np.random.default_rng(seed).choice(shown, MAX_POINTS, replace=False)
    fig, ax = plt.subplots(figsize=(7.5, 6.5), dpi=110)
    ax.scatter(*utilities[shown].T, s=3, c="#c9ced6", label="outcomes", rasterized=True)
    frontier = analysis.frontier_utilities
    if len(frontier):
        ax.plot(*frontier[:, :2].T, "-o", ms=3, c="#1f6f8b", lw=1.4, label="Pareto frontier")
    ax.axvline(first.reservation, ls="--", c="#b5543c", lw=1, label=f"{first.name} reservation")
    ax.axhline(second.reservation, ls=":", c="#b5543c", lw=1, label=f"{second.name} reservation")
    for label, index, marker, colour, size, layer in marker_layers(scenario, analysis, agreement):
        u = outcome_utilities(scenario, index)
        ax.scatter(
            u[0],
            u[1],
            marker=marker,
            s=size,
            c=colour,
            edgecolor="black",
            linewidth=0.6,
            zorder=layer,
            label=label,
        )
    for party_id, indices in (offers or {}).items():
        if indices:
            points = scenario.utilities[np.asarray(indices)][:, :2]
            ax.plot(*points.T, "-", lw=0.8, alpha=0.7, label=f"offers by {party_id}")
    ax.set_xlabel(f"utility of {first.name}")
    ax.set_ylabel(f"utility of {second.name}")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(scenario.title)
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
    fig.tight_layout()
    target = Path(path)
    fig.savefig(target)
    plt.close(fig)
    return target


Marker = tuple[str, int, str, str, int, float]


def marker_layers(
    scenario: Scenario, analysis: SpaceAnalysis, agreement: int | None = None
) -> list[Marker]:
    """``(label, outcome, marker, colour, size, zorder)`` for every marked outcome.

    Solutions that are the same outcome share one marker and one label ("Nash =
    Kalai–Smorodinsky"), and smaller markers are drawn above larger ones, so no marker hides
    another at the same point.
    """
    wanted = [
        ("Nash", analysis.nash, "*", "#d4a017", 220),
        ("Kalai–Smorodinsky", analysis.kalai_smorodinsky, "D", "#7b3fa0", 80),
        ("utilitarian", analysis.utilitarian, "s", "#2e8b57", 70),
    ]
    wanted += [(p.name, p.index, "P", "#333333", 110) for p in scenario.packages]
    if agreement is not None:
        wanted.append(("agreement", agreement, "X", "#e4572e", 150))
    solutions = ("Nash", "Kalai–Smorodinsky", "utilitarian")
    merged: list[list] = []
    for label, index, marker, colour, size in wanted:
        if index is None:
            continue
        same = next(
            (m for m in merged if m[1] == index and m[0].split(" = ")[0] in solutions), None
        )
        if same is not None and label in solutions:
            same[0] = f"{same[0]} = {label}"
            continue
        merged.append([label, int(index), marker, colour, size])
    by_size = sorted(range(len(merged)), key=lambda k: -merged[k][4])
    layer = {k: 5 + rank * 0.1 for rank, k in enumerate(by_size)}
    return [(*m, layer[k]) for k, m in enumerate(merged)]  # type: ignore[misc]
