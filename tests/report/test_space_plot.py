"""Outcome-space plot: no solution marker hides another."""

from __future__ import annotations

from backchannel.analysis.outcome_space import analyze_space
from backchannel.report.space_plot import marker_layers, plot_outcome_space
from backchannel.scenario.loader import load_scenario


def test_nash_and_kalai_smorodinsky_on_one_outcome_share_a_labelled_marker() -> None:
    flagship = load_scenario("iran-us-2025")
    analysis = analyze_space(flagship)
    assert analysis.nash == analysis.kalai_smorodinsky  # the flagship's two solutions coincide
    layers = marker_layers(flagship, analysis)
    labels = [label for label, *_ in layers]
    assert "Nash = Kalai–Smorodinsky" in labels
    assert "Nash" not in labels and "Kalai–Smorodinsky" not in labels
    (shared,) = [layer for layer in layers if layer[0] == "Nash = Kalai–Smorodinsky"]
    assert shared[1] == analysis.nash


def test_smaller_markers_are_drawn_above_larger_ones(tmp_path) -> None:
    scenario = load_scenario("buyer-seller")
    analysis = analyze_space(scenario)
    layers = marker_layers(scenario, analysis, agreement=analysis.nash)
    for _, _, _, _, size, layer in layers:
        for _, _, _, _, other_size, other_layer in layers:
            if other_size > size:
                assert layer > other_layer
    assert plot_outcome_space(scenario, analysis, tmp_path / "space.png").stat().st_size > 10_000
