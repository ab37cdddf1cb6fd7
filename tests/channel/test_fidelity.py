"""Fidelity steps: each changes only what it says, and says what it changed."""

from __future__ import annotations

import numpy as np

from backchannel.channel.fidelity import FidelityStep, apply_step
from backchannel.space.issues import DiscreteIssue, NumericIssue
from backchannel.space.outcomes import OutcomeSpace

SPACE = OutcomeSpace(
    (
        NumericIssue.from_range("funds", "funds", 0, 10, 1),
        DiscreteIssue("truce", "truce", ("none", "short", "long")),
    )
)


def index(funds: float, truce: str) -> int:
    return SPACE.index({"funds": funds, "truce": truce})


def test_round_moves_a_number_to_the_coarser_step() -> None:
    step = FidelityStep("round", issue=0, step=5.0)
    changed, note = apply_step(step, index(7, "short"), SPACE, np.random.default_rng(0))
    assert SPACE.outcome(changed) == {"funds": 5.0, "truce": "short"}
    assert note == "round: funds 7 -> 5"


def test_round_leaves_a_value_already_on_the_step_alone() -> None:
    step = FidelityStep("round", issue=0, step=5.0)
    assert apply_step(step, index(10, "long"), SPACE, np.random.default_rng(0)) == (
        index(10, "long"),
        None,
    )


def test_drop_puts_the_default_in_place_of_the_issue() -> None:
    step = FidelityStep("drop", issue=1, default=0)
    changed, note = apply_step(step, index(3, "long"), SPACE, np.random.default_rng(0))
    assert SPACE.outcome(changed) == {"funds": 3.0, "truce": "none"}
    assert note is not None and "truce long -> none" in note


def test_blur_moves_to_a_neighbour_only() -> None:
    step = FidelityStep("blur", issue=0)
    rng = np.random.default_rng(5)
    seen = {SPACE.outcome(apply_step(step, index(4, "none"), SPACE, rng)[0])["funds"]}
    for _ in range(30):
        seen.add(SPACE.outcome(apply_step(step, index(4, "none"), SPACE, rng)[0])["funds"])
    assert seen == {3.0, 5.0}
    edge, _ = apply_step(step, index(0, "none"), SPACE, rng)
    assert SPACE.outcome(edge)["funds"] == 1.0


def test_lean_toward_preferred_terms_by_the_given_steps() -> None:
    step = FidelityStep("lean", toward=((0, 10),), steps=2)
    changed, _ = apply_step(step, index(4, "none"), SPACE, np.random.default_rng(0))
    assert SPACE.outcome(changed) == {"funds": 6.0, "truce": "none"}


def test_lean_by_bias_takes_the_best_single_move_for_the_intermediary() -> None:
    positions = SPACE.positions(np.arange(SPACE.size))
    bias = positions[:, 1].astype(float)  # the intermediary wants a long truce, nothing else
    step = FidelityStep("lean")
    changed, _ = apply_step(step, index(4, "none"), SPACE, np.random.default_rng(0), bias)
    assert SPACE.outcome(changed) == {"funds": 4.0, "truce": "short"}


def test_probability_zero_never_changes_and_one_draw_is_made() -> None:
    rng = np.random.default_rng(2)
    step = FidelityStep("drop", issue=1, default=0, probability=0.0)
    assert apply_step(step, index(3, "long"), SPACE, rng) == (index(3, "long"), None)


def test_noise_changes_exactly_one_issue_by_one_step() -> None:
    rng = np.random.default_rng(11)
    start = index(5, "short")
    for _ in range(20):
        changed, note = apply_step(FidelityStep("noise"), start, SPACE, rng)
        before, after = SPACE.positions([start, changed])
        assert np.abs(before - after).sum() == 1 and note is not None
