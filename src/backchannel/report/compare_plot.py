"""Draw a comparison: the protocols' distributions side by side, one panel per measure."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from backchannel.experiments.compare import Comparison


def plot_comparison(comparison: Comparison, path: str | Path) -> Path:
    """Save a PNG with four panels: agreement and miscalculation rates, days to agreement,
    welfare, and distance of agreements from the Nash solution; returns the path written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [arm.label for arm in comparison.settings.arms]
    columns = _by_arm(comparison, labels)
    figure, axes = plt.subplots(2, 2, figsize=(12, 8))
    _rates(axes[0, 0], comparison, labels)
    _distribution(axes[0, 1], labels, columns["time_days"], "simulated days to agreement")
    _distribution(axes[1, 0], labels, columns["welfare"], "welfare (sum of payoffs)")
    _distribution(axes[1, 1], labels, columns["distance_nash"], "distance of agreement from Nash")
    runs = comparison.settings.runs
    figure.suptitle(
        f"{comparison.scenario}: {runs} runs per protocol, seed {comparison.settings.seed}"
    )
    figure.tight_layout()
    path = Path(path)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _by_arm(comparison: Comparison, labels: list[str]) -> dict[str, list[np.ndarray]]:
    """Per measure, one array per arm (agreements only for days and distances)."""
    out: dict[str, list[np.ndarray]] = {"time_days": [], "welfare": [], "distance_nash": []}
    for label in labels:
        rows = [row for row in comparison.rows if row["arm"] == label]
        agreed = [row for row in rows if row["agreed"]]
        out["time_days"].append(_values(agreed, "time_days"))
        out["welfare"].append(_values(rows, "welfare"))
        out["distance_nash"].append(_values(agreed, "distance_nash"))
    return out


def _values(rows: list[dict], key: str) -> np.ndarray:
    values = np.array([np.nan if r.get(key) is None else r[key] for r in rows], dtype=float)
    return values[np.isfinite(values)]


def _rates(axis, comparison: Comparison, labels: list[str]) -> None:  # type: ignore[no-untyped-def]
    positions = np.arange(len(labels))
    agreement = [s.agreement_rate for s in comparison.summaries]
    missed = [s.miscalculation_rate for s in comparison.summaries]
    axis.bar(positions - 0.2, agreement, width=0.4, label="agreement rate", color="tab:green")
    axis.bar(positions + 0.2, missed, width=0.4, label="miscalculation rate", color="tab:red")
    axis.set_xticks(positions, labels, rotation=20)
    axis.set_ylim(0, 1.3)
    axis.set_title("agreements and miscalculations")
    axis.legend(loc="upper center", ncol=2, fontsize="small")


def _distribution(axis, labels: list[str], data: list[np.ndarray], title: str) -> None:  # type: ignore[no-untyped-def]
    present = [k for k, values in enumerate(data) if len(values)]
    if present:
        axis.boxplot(
            [data[k] for k in present],
            positions=[k + 1 for k in present],
            widths=0.5,
            showmeans=True,
        )
    axis.set_xticks(range(1, len(labels) + 1), labels, rotation=20)
    axis.set_xlim(0.5, len(labels) + 0.5)
    axis.set_title(title)
    if not present:
        axis.text(0.5, 0.5, "no agreement in any run", ha="center", transform=axis.transAxes)
