"""Plots of pressure over time: reservation values, concession curves and the deal window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from backchannel.experiments.whatif import Figures
from backchannel.protocols.transcript import Transcript
from backchannel.scenario.model import Scenario

COLOURS = ("#1f6f8b", "#b5543c", "#2e8b57", "#7b3fa0")
STYLES = ("--", "-")  # baseline dashed, what-if solid


def _dates(scenario: Scenario, days: np.ndarray) -> list[dt.date] | np.ndarray:
    if scenario.timeline is None:
        return days
    start = scenario.timeline.start
    return [start + dt.timedelta(days=float(d)) for d in days]


def concession_curve(scenario: Scenario, transcript: Transcript, party_id: str) -> np.ndarray:
    """``(days, own utility)`` of each offer ``party_id`` sent, shape ``(offers, 2)``."""
    column = scenario.party_index(party_id)
    seen, rows = set(), []
    for event in transcript.of_kind("offer"):
        key = (event.round, event.sender)
        if event.sender != party_id or key in seen or event.outcome is None:
            continue
        seen.add(key)
        sent = float(event.details.get("sent_at_hours", event.time_hours)) / 24.0
        rows.append((sent, float(scenario.utilities[event.outcome, column])))
    return np.array(rows, dtype=float).reshape(-1, 2)


def plot_pressure(
    versions: Sequence[Figures],
    path: str | Path,
    sweep: tuple[str, np.ndarray, Sequence[Figures]] | None = None,
) -> Path:
    """Reservation values over time, concession curves and the deal window for one or two
    versions of a scenario (baseline dashed, what-if solid); a sweep adds a fourth panel."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = 4 if sweep else 3
    fig, axes = plt.subplots(panels, 1, figsize=(8.5, 3.0 * panels), dpi=100)
    base = versions[-1].scenario  # event marks from the what-if version
    for number, version in enumerate(versions):
        style = STYLES[-1] if len(versions) == 1 else STYLES[number]
        scenario, window = version.scenario, version.window
        x = _dates(scenario, window.days)
        for column, party in enumerate(scenario.parties):
            colour = COLOURS[column % len(COLOURS)]
            axes[0].plot(
                x,
                window.reservations[:, column],
                style,
                c=colour,
                label=f"{party.id} ({version.label})",
            )
            curve = concession_curve(scenario, version.transcript, party.id)
            if len(curve):
                axes[1].plot(
                    _dates(scenario, curve[:, 0]),
                    curve[:, 1],
                    style,
                    marker=".",
                    c=colour,
                    label=f"{party.id} offers ({version.label})",
                )
        share = window.zopa_sizes / window.outcome_count
        axes[2].plot(x, 100 * share, style, c="#333333", label=version.label)
        axes[2].fill_between(x, 0, 100 * share, where=window.open, alpha=0.15, color="#2e8b57")
    if base.timeline is not None:
        for event, hours in base.timeline.scheduled_hours():
            if 0 <= hours <= base.deadline_days * 24:
                for ax in axes[:3]:
                    ax.axvline(base.timeline.date_at(hours), c="#999999", lw=0.8, ls=":")
                axes[0].annotate(
                    event.id,
                    (base.timeline.date_at(hours), 1.0),
                    fontsize=7,
                    rotation=90,
                    va="top",
                    ha="right",
                    xycoords=("data", "axes fraction"),
                )
    axes[0].set_ylabel("reservation value")
    axes[0].set_title("Walking away: each side's reservation value over time")
    axes[1].set_ylabel("own utility of offer")
    axes[1].set_title("Concession curves (one run)")
    axes[2].set_ylabel("% of outcomes")
    axes[2].set_title("The deal window: zone of possible agreement over time")
    if sweep:
        name, values, results = sweep
        rate = [100 * f.runs.agreement_rate for f in results]
        open_share = [100 * f.window.open_share for f in results]
        axes[3].plot(values, rate, "-o", c="#1f6f8b", label="agreement rate (%)")
        axes[3].plot(values, open_share, "-s", c="#2e8b57", label="days with a deal window (%)")
        axes[3].set_xlabel(f"{name} reached by the deadline")
        axes[3].set_title(f"Sweep over {name}")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    for ax in axes[:3]:
        ax.tick_params(axis="x", labelrotation=25, labelsize=8)
    fig.tight_layout()
    target = Path(path)
    fig.savefig(target)
    plt.close(fig)
    return target
