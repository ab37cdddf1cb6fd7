"""What must be true: the smallest change of each stated number that changes the conclusions.

For every walk-away value, issue weight, red line, ratifier threshold and deadline of a scenario,
find the nearest value (each way) at which the zone of agreement closes or opens, or the Nash
package changes. Numbers that move one party's gains along a line are solved exactly by
:mod:`backchannel.analysis.thresholds`; red lines, which are discrete, are moved one option at a
time and the outcome space re-analysed at each step. Nothing is sampled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from backchannel.analysis.outcome_space import analyze_space
from backchannel.analysis.resolution import snap
from backchannel.analysis.solutions import agreeable_mask, nash_index
from backchannel.analysis.thresholds import AffineFamily, Crossing, nash_crossing, zone_crossing
from backchannel.scenario.model import Party, Scenario
from backchannel.space.issues import NumericIssue

EFFECT_RANK = {
    "zone closes": 0,
    "zone opens": 0,
    "nash vetoed": 1,
    "nash ratified": 1,
    "nash changes": 2,
}
ZONE = "agreement"
RATIFIED_ZONE = "ratified"
DEADLINE_ZONE = "on the deadline day"
# A weight is moved within [0, 0.999]: at 1 every other issue stops counting, outcomes tie in
# whole blocks, and a threshold there says nothing about the assumption.
WEIGHT_RANGE = (0.0, 0.999)
SLOPE_NOISE = 1e-12


@dataclass(frozen=True)
class Threshold:
    """One critical value: moving ``parameter`` from ``current`` past ``threshold`` has
    ``effect``; ``zone_now`` counts the zone today, ``zone_before``/``zone_after`` just short
    of and just past the threshold."""

    parameter: str
    current: float | str
    threshold: float | str
    direction: str
    effect: str
    margin: float
    zone: str
    zone_now: int
    zone_before: int
    zone_after: int
    nash_after: str | None
    change: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


Evaluate = Callable[[float], tuple[np.ndarray, np.ndarray, np.ndarray]]


def sensitivity(scenario: Scenario) -> list[Threshold]:
    """Every threshold of ``scenario``, most critical first (see :func:`critical_order`)."""
    base = _Base.of(scenario)
    found: list[Threshold] = []
    for column, party in enumerate(scenario.parties):
        found += _reservation(base, column, party)
        for issue_column, issue in enumerate(scenario.space.issues):
            found += _weight(base, column, party, issue_column, issue.id)
        for issue_column in range(len(scenario.space.issues)):
            found += _red_line(base, column, party, issue_column)
        if party.ratifier is not None:
            found += _ratifier(base, column, party)
        if party.deadline_days is not None:
            found += _deadline(base, f"{party.id}.deadline_days", party.deadline_days)
    found += _deadline(base, "negotiation.deadline_days", scenario.deadline_days)
    return critical_order(found)


def critical_order(entries: list[Threshold]) -> list[Threshold]:
    """Zone-changing thresholds before Nash-changing ones, each by the smallest move (as a share
    of the parameter's range: the 0-1 scale, or the options of the issue)."""
    return sorted(entries, key=lambda e: (EFFECT_RANK[e.effect], e.margin, e.parameter))


def most_critical(entries: list[Threshold], count: int = 3) -> list[Threshold]:
    """The first ``count`` entries that concern distinct parameters."""
    chosen: list[Threshold] = []
    for entry in critical_order(entries):
        if entry.parameter not in {c.parameter for c in chosen}:
            chosen.append(entry)
        if len(chosen) == count:
            break
    return chosen


@dataclass(frozen=True)
class _Base:
    """The scenario's arrays, computed once and shared by every parameter."""

    scenario: Scenario
    utilities: np.ndarray
    allowed: np.ndarray
    reservations: np.ndarray
    nash: int | None
    zone_size: int

    @classmethod
    def of(cls, scenario: Scenario) -> _Base:
        analysis = analyze_space(scenario)
        return cls(  # at the resolution every analysis compares utilities at
            scenario,
            snap(scenario.utilities),
            scenario.allowed.all(axis=1),
            snap(scenario.reservations),
            analysis.nash,
            analysis.zopa_size,
        )

    def others(self, column: int) -> tuple[np.ndarray, np.ndarray]:
        """Outcomes every party but ``column`` accepts, and the product of their gains."""
        eligible = self.allowed.copy()
        product = np.ones(len(self.utilities))
        for other in range(self.utilities.shape[1]):
            if other != column:
                gain = self.utilities[:, other] - self.reservations[other]
                eligible &= gain >= 0.0
                product *= gain
        return eligible, np.where(eligible, product, 0.0)

    def describe(self, index: int | None) -> str | None:
        return None if index is None else self.scenario.space.describe(index)


def _eps(value: float) -> float:
    """How far past a threshold the change is shown: well above the analysis's resolution."""
    return 1e-7 * max(1.0, abs(value))


def _solve(
    base: _Base,
    family: AffineFamily,
    evaluate: Evaluate,
    parameter: str,
    current: float,
    bounds: tuple[float, float],
    span: float,
    zone: str = ZONE,
    nash: int | None = None,
) -> list[Threshold]:
    """Both directions, both kinds of change, for one affine parameter."""
    entries = []
    for direction in (1, -1):
        crossings = [zone_crossing(family, current, direction, *bounds)]
        if zone == ZONE:
            found = nash_crossing(family, nash, current, direction, *bounds)
            crossings.append(_confirmed(found, evaluate, nash, current, direction))
        for crossing in crossings:
            if crossing is None:
                continue
            before = crossing.at - direction * _eps(crossing.at)
            after = crossing.at + direction * _eps(crossing.at)
            size_before = int(family.zone(before).sum())
            size_after = int(family.zone(after).sum())
            nash_after = _nash_at(evaluate, after) if zone == ZONE else None
            word = "raise" if direction > 0 else "lower"
            entries.append(
                Threshold(
                    parameter=parameter,
                    current=float(current),
                    threshold=float(crossing.at),
                    direction="up" if direction > 0 else "down",
                    effect=crossing.kind,
                    margin=abs(crossing.at - current) / span,
                    zone=zone,
                    zone_now=int(family.zone(current).sum()),
                    zone_before=size_before,
                    zone_after=size_after,
                    nash_after=base.describe(nash_after),
                    change=f"{word} {parameter} from {current:.4g} past {crossing.at:.4g}",
                )
            )
    return entries


def _confirmed(
    crossing: Crossing | None, evaluate: Evaluate, nash: int | None, current: float, direction: int
) -> Crossing | None:
    """The crossing, checked by re-evaluating on each side of it. Where near-parallel lines make
    the root inexact, bisect on the evaluation instead: the Nash package stays the same on an
    interval (an outcome that overtakes it stays ahead), so the search is exact to ``_eps``."""
    if crossing is None:
        return None
    at = crossing.at

    def unchanged(t: float) -> bool:
        return _nash_at(evaluate, t) == nash

    if unchanged(at - direction * _eps(at)) and not unchanged(at + direction * _eps(at)):
        return crossing
    if unchanged(at + direction * _eps(at)):
        return None
    kept, gone = current, at + direction * _eps(at)
    while abs(gone - kept) > _eps(at) / 2:
        middle = (kept + gone) / 2
        kept, gone = (middle, gone) if unchanged(middle) else (kept, middle)
    return Crossing(kept, crossing.kind)


def _nash_at(evaluate: Evaluate, t: float) -> int | None:
    utilities, reservations, allowed = evaluate(t)
    return nash_index(utilities, reservations, agreeable_mask(utilities, reservations, allowed))


def _reservation(base: _Base, column: int, party: Party) -> list[Threshold]:
    eligible, others = base.others(column)
    gain = base.utilities[:, column] - party.reservation
    family = AffineFamily(gain, -np.ones(len(eligible)), eligible, others, party.reservation)

    def evaluate(t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        reservations = base.reservations.copy()
        reservations[column] = t
        return base.utilities, reservations, base.allowed

    return _solve(
        base,
        family,
        evaluate,
        f"{party.id}.reservation",
        party.reservation,
        (0.0, 1.0),
        1.0,
        nash=base.nash,
    )


def issue_values(scenario: Scenario, utility_tables: tuple[np.ndarray, ...], issue: int):
    """One issue's (unweighted) value of every outcome, in index order."""
    space = scenario.space
    table = np.asarray(utility_tables[issue], dtype=float)
    laid = table.reshape(_axis_shape(len(space.shape), issue))
    return np.broadcast_to(laid, space.shape).reshape(-1)


def reweighted(weights: np.ndarray, issue: int, weight: float) -> np.ndarray:
    """Weights with ``issue`` set to ``weight`` and the others scaled to keep the sum at 1."""
    moved = np.asarray(weights, dtype=float) * (1.0 - weight) / (1.0 - weights[issue])
    moved[issue] = weight
    return moved


def _weight(base: _Base, column: int, party: Party, issue: int, issue_id: str) -> list[Threshold]:
    weights = party.utility.weights
    current = float(weights[issue])
    if current >= 1.0:
        return []
    values = issue_values(base.scenario, party.utility.tables, issue)
    rest = (base.utilities[:, column] - current * values) / (1.0 - current)
    eligible, others = base.others(column)
    reservation = base.reservations[column]
    slope = values - rest
    slope[np.abs(slope) < SLOPE_NOISE] = 0.0  # rounding of a slope that is exactly zero
    now = base.utilities[:, column]
    family = AffineFamily(now - reservation, slope, eligible, others, current)

    def evaluate(t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        utilities = base.utilities.copy()
        utilities[:, column] = now + (t - current) * slope
        return utilities, base.reservations, base.allowed

    return _solve(
        base,
        family,
        evaluate,
        f"{party.id}.weights.{issue_id}",
        current,
        WEIGHT_RANGE,
        1.0,
        nash=base.nash,
    )


def _ratifier(base: _Base, column: int, party: Party) -> list[Threshold]:
    ratifier = party.ratifier
    assert ratifier is not None
    space = base.scenario.space
    approval = snap(ratifier.utility.over_space(space))
    zone = agreeable_mask(base.utilities, base.reservations, base.allowed)
    eligible = zone & ratifier.utility.allowed_over_space(space)
    current = ratifier.threshold
    family = AffineFamily(
        approval - float(snap(current)),
        -np.ones(len(approval)),
        eligible,
        np.zeros(len(approval)),
        current,
    )
    parameter = f"{party.id}.ratifier.threshold"

    def evaluate(t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return base.utilities, base.reservations, base.allowed

    entries = _solve(
        base, family, evaluate, parameter, current, (0.0, 1.0), 1.0, zone=RATIFIED_ZONE
    )
    if base.nash is not None and eligible[base.nash]:
        verdict = float(approval[base.nash])
        passes = verdict >= current
        if (passes and verdict < 1.0) or not passes:
            size = int(family.zone(current).sum())
            word, direction = ("raise", "up") if passes else ("lower", "down")
            entries.append(
                Threshold(
                    parameter=parameter,
                    current=float(current),
                    threshold=verdict,
                    direction=direction,
                    effect="nash vetoed" if passes else "nash ratified",
                    margin=abs(verdict - current),
                    zone=RATIFIED_ZONE,
                    zone_now=size,
                    zone_before=size,
                    zone_after=int(family.zone(verdict + (_eps(verdict) if passes else 0)).sum()),
                    nash_after=base.describe(base.nash),
                    change=f"{word} {parameter} from {current:.4g} past {verdict:.4g}",
                )
            )
    return entries


def _deadline(base: _Base, parameter: str, current: float) -> list[Threshold]:
    """The zone on the deadline day: deals still worth each side's walk-away value when
    discounted by its daily ``time_discount`` over the whole deadline. It closes past the
    latest day on which some deal in the zone is still worth signing for everyone."""
    zone = agreeable_mask(base.utilities, base.reservations, base.allowed)
    if not zone.any():
        return []
    last_day = np.full(len(zone), np.inf)
    for column, party in enumerate(base.scenario.parties):
        reservation = base.reservations[column]
        if party.time_discount >= 1.0 or reservation <= 0.0:
            continue
        with np.errstate(divide="ignore"):
            ratio = np.log(base.utilities[zone, column] / reservation)
        last_day[zone] = np.minimum(last_day[zone], ratio / -np.log(party.time_discount))
    last_day[~zone] = -np.inf
    latest = float(last_day.max())
    if not np.isfinite(latest) or latest <= 0.0:
        return []

    def count(days: float) -> int:
        return int((last_day >= days).sum())

    is_open = current <= latest
    effect, direction = ("zone closes", 1) if is_open else ("zone opens", -1)
    before = latest - direction * _eps(latest) if is_open else current
    after = latest + direction * _eps(latest) if is_open else latest
    word = "lengthen" if is_open else "shorten"
    return [
        Threshold(
            parameter=parameter,
            current=float(current),
            threshold=latest,
            direction="up" if direction > 0 else "down",
            effect=effect,
            margin=abs(latest - current) / max(current, latest),
            zone=DEADLINE_ZONE,
            zone_now=count(current),
            zone_before=count(before),
            zone_after=count(after),
            nash_after=None,
            change=f"{word} {parameter} from {current:.4g} days past {latest:.4g}",
        )
    ]


def _red_line(base: _Base, column: int, party: Party, issue: int) -> list[Threshold]:
    """Move a red line one option at a time: tighten by also excluding the option the party
    values least, loosen by allowing the excluded option it values most."""
    forbidden = party.utility.forbidden[issue]
    if not forbidden.any():
        return []
    space = base.scenario.space
    values = np.asarray(party.utility.tables[issue], dtype=float)
    order = np.lexsort((np.arange(len(values)), values))  # least valued first
    allowed_order = [k for k in order if not forbidden[k]]
    forbidden_order = [k for k in order[::-1] if forbidden[k]]
    others_allowed = np.ones(space.size, dtype=bool)
    for other, someone in enumerate(base.scenario.parties):
        if other != column:
            others_allowed &= someone.utility.allowed_over_space(space)
    issue_spec = space.issues[issue]
    parameter = f"{party.id}.red_lines.{issue_spec.id}"
    entries: list[Threshold] = []
    for label, steps in (
        ("tighten", [allowed_order[:k] for k in range(1, len(allowed_order))]),
        ("loosen", [forbidden_order[:k] for k in range(1, len(forbidden_order) + 1)]),
    ):
        seen: set[str] = set()
        for moved in steps:
            mask = forbidden.copy()
            mask[moved] = label == "tighten"
            allowed = others_allowed & _allowed_with(party, issue, mask, space)
            agreeable = agreeable_mask(base.utilities, base.reservations, allowed)
            size = int(agreeable.sum())
            nash = nash_index(base.utilities, base.reservations, agreeable)
            effects = []
            if (size == 0) != (base.zone_size == 0):
                effects.append("zone closes" if size == 0 else "zone opens")
            if nash != base.nash and base.nash is not None and size > 0:
                effects.append("nash changes")
            for effect in effects:
                if effect in seen:
                    continue
                seen.add(effect)
                entries.append(
                    Threshold(
                        parameter=parameter,
                        current=_red_line_text(issue_spec, forbidden),
                        threshold=_red_line_text(issue_spec, mask),
                        direction=label,
                        effect=effect,
                        margin=len(moved) / issue_spec.size,
                        zone=ZONE,
                        zone_now=base.zone_size,
                        zone_before=base.zone_size,
                        zone_after=size,
                        nash_after=base.describe(nash),
                        change=(
                            f"{label} {parameter} from {_red_line_text(issue_spec, forbidden)} "
                            f"to {_red_line_text(issue_spec, mask)}"
                        ),
                    )
                )
            if len(seen) == 2 or "zone closes" in seen:
                break
    return entries


def _allowed_with(party: Party, issue: int, mask: np.ndarray, space) -> np.ndarray:
    masks = list(party.utility.forbidden)
    masks[issue] = mask
    ok = np.ones(space.shape, dtype=bool)
    for column, excluded in enumerate(masks):
        if excluded.any():
            ok &= ~excluded.reshape(_axis_shape(len(space.shape), column))
    return ok.reshape(-1)


def _axis_shape(dimensions: int, axis: int) -> tuple[int, ...]:
    shape = [1] * dimensions
    shape[axis] = -1
    return tuple(shape)


def _red_line_text(issue, mask: np.ndarray) -> str:
    """``above 3.67`` / ``below 3.67`` for a numeric tail, else ``excludes a, b``."""
    if isinstance(issue, NumericIssue) and mask.any() and not mask.all():
        kept = np.flatnonzero(~mask)
        if mask[kept.max() + 1 :].all() and not mask[: kept.max() + 1].any():
            return f"above {issue.labels[kept.max()]}"
        if mask[: kept.min()].all() and not mask[kept.min() :].any():
            return f"below {issue.labels[kept.min()]}"
    return "excludes " + ", ".join(issue.labels[k] for k in np.flatnonzero(mask))
