"""How an intermediary may change the terms it carries, and its own preferences (bias).

Each hop applies its fidelity steps in the order the scenario lists them. A step acts with its
``probability`` (one ``rng.random()`` draw, made only when the probability is below 1):

- ``round``: a numeric issue is rounded to a coarser ``step`` (then to the nearest real value);
- ``drop``: an issue is replaced by a ``default`` value (the intermediary left it out);
- ``blur``: an issue moves to a neighbouring value (one ``rng.integers(2)`` draw when both
  neighbours exist);
- ``lean``: the intermediary softens or hardens the demand, moving issues ``steps`` values
  ``toward`` its preferred text, or, with no ``toward``, one value at a time in the direction its
  ``bias`` prefers most (a biased mediator, Kydd 2003);
- ``noise``: a random issue (one ``rng.integers`` draw) is blurred.

Every change is described in words, so transcripts record what each intermediary did.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backchannel.space.issues import NumericIssue
from backchannel.space.outcomes import OutcomeSpace

KINDS = ("round", "drop", "blur", "lean", "noise")


@dataclass(frozen=True)
class FidelityStep:
    """One way a hop may change a message; ``issue`` and positions are array columns/indices."""

    kind: str
    issue: int | None = None
    probability: float = 1.0
    step: float | None = None
    default: int | None = None
    toward: tuple[tuple[int, int], ...] = ()
    steps: int = 1


@dataclass(frozen=True)
class Bias:
    """An intermediary's own preferences: favour one party, or its own utility (``utility``)."""

    favours: str | None = None
    strength: float = 1.0
    utility: object | None = None  # a utility function with ``over_space(space)``


def apply_step(
    step: FidelityStep,
    outcome: int,
    space: OutcomeSpace,
    rng: np.random.Generator,
    bias: np.ndarray | None = None,
) -> tuple[int, str | None]:
    """The outcome after ``step`` and a description of the change (None if nothing changed)."""
    if step.probability < 1.0 and rng.random() >= step.probability:
        return outcome, None
    position = space.positions([outcome])[0].copy()
    before = position.copy()
    if step.kind == "round":
        _round(space, position, step)
    elif step.kind == "drop":
        assert step.issue is not None and step.default is not None
        position[step.issue] = step.default
    elif step.kind == "blur":
        assert step.issue is not None
        _blur(space, position, step.issue, rng)
    elif step.kind == "noise":
        movable = [k for k, issue in enumerate(space.issues) if issue.size > 1]
        if movable:
            _blur(space, position, movable[int(rng.integers(len(movable)))], rng)
    elif step.kind == "lean":
        _lean(space, position, step, bias)
    else:  # pragma: no cover - compile rejects unknown kinds
        raise ValueError(f"unknown fidelity step '{step.kind}'")
    if np.array_equal(position, before):
        return outcome, None
    changed = int(space.index_of_positions(position[None, :])[0])
    return changed, f"{step.kind}: " + describe_change(space, before, position)


def describe_change(space: OutcomeSpace, before: np.ndarray, after: np.ndarray) -> str:
    parts = []
    for column in np.flatnonzero(before != after):
        issue = space.issues[int(column)]
        parts.append(
            f"{issue.id} {issue.labels[int(before[column])]} -> {issue.labels[int(after[column])]}"
        )
    return ", ".join(parts)


def _round(space: OutcomeSpace, position: np.ndarray, step: FidelityStep) -> None:
    assert step.issue is not None and step.step is not None
    issue = space.issues[step.issue]
    assert isinstance(issue, NumericIssue)
    value = issue.array[position[step.issue]]
    target = np.round(value / step.step) * step.step
    position[step.issue] = int(np.argmin(np.abs(issue.array - target)))


def _blur(space: OutcomeSpace, position: np.ndarray, column: int, rng: np.random.Generator) -> None:
    size = space.issues[column].size
    here = int(position[column])
    if size < 2:
        return
    if here == 0:
        position[column] = 1
    elif here == size - 1:
        position[column] = size - 2
    else:
        position[column] = here + (1 if rng.integers(2) else -1)


def _lean(
    space: OutcomeSpace, position: np.ndarray, step: FidelityStep, bias: np.ndarray | None
) -> None:
    if step.toward:
        for column, target in step.toward:
            gap = target - int(position[column])
            position[column] += int(np.sign(gap)) * min(abs(gap), step.steps)
        return
    if bias is None:
        return
    columns = [step.issue] if step.issue is not None else range(len(space.issues))
    for _ in range(step.steps):
        here = int(space.index_of_positions(position[None, :])[0])
        best, best_value = None, bias[here]
        for column in columns:
            for move in (-1, 1):
                spot = int(position[column]) + move
                if 0 <= spot < space.issues[column].size:
                    trial = position.copy()
                    trial[column] = spot
                    value = bias[int(space.index_of_positions(trial[None, :])[0])]
                    if value > best_value + 1e-12:
                        best, best_value = trial, value
        if best is None:
            return
        position[:] = best
