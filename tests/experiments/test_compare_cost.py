"""Compare says what each arm cost to play: CPU milliseconds a run per arm, measured where the
runs were played (in the workers too), and never left in the tidy rows."""

from __future__ import annotations

from backchannel.experiments.compare import (
    PLAY_SECONDS,
    CompareSettings,
    parse_arms,
    run_comparison,
)
from backchannel.scenario.model import Scenario


def test_every_arm_has_its_play_cost_and_rows_stay_tidy(uncertain: Scenario) -> None:
    settings = CompareSettings(
        arms=parse_arms("direct,single-text", uncertain), runs=6, seed=2, chunk_size=2
    )
    for backend in ("local", "process"):
        comparison = run_comparison(uncertain, settings, backend=backend, workers=2)
        assert set(comparison.play_ms) == {"direct", "single-text"}
        assert all(ms > 0 for ms in comparison.play_ms.values())
        assert all(PLAY_SECONDS not in row for row in comparison.rows)
