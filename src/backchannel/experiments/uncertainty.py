"""Draw one run's scenario from the scenario's declared uncertainty.

Each run of an experiment calls :func:`draw_scenario` with its own generator and gets a new,
immutable :class:`Scenario`. Arrays are shared, not rebuilt, wherever a draw leaves them alone:
red lines never change, so ``allowed`` is always shared; drawing only reservation values shares
the utility matrix; drawing weights leaves the utility matrix to be computed when first used.

Draw order (fixed, so a run's draw depends only on its generator): for each party in scenario
order its weights, then its reservation value; then each intermediary's delay in channel order;
then the direct line's delay. A quantity the scenario is sure about draws nothing.

A spread is declared around the value the scenario states. When that value has been changed
since (``whatif --set iran.reservation=0.9``), the draw moves with it: the whole distribution is
shifted by (current value - stated value), then clipped. Timeline effects add to the drawn
value as they add to the stated one, so uncertainty sits around the value after both.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import fields, replace

import numpy as np

from backchannel.experiments.plan import job_rng
from backchannel.scenario.model import Channel, Intermediary, Party, Scenario
from backchannel.scenario.uncertainty import Distribution, PartyUncertainty, Uncertainty
from backchannel.space.utility import LinearAdditiveUtility

DRAW_STREAM = 0  # the job_rng stream that draws a run's uncertain scenario


def sample(
    distribution: Distribution, rng: np.random.Generator, current: float | None = None
) -> float:
    """One value around ``current`` (default: the stated centre), clipped to
    ``[floor, ceiling]``; exactly one draw of the generator whatever ``current`` is."""
    centre = distribution.centre
    shift = 0.0 if current is None or centre is None else current - centre
    if distribution.kind == "normal":
        value = rng.normal(distribution.mean, distribution.sd)
    elif distribution.kind == "uniform":
        value = rng.uniform(distribution.low, distribution.high)
    elif distribution.low == distribution.high:
        value = distribution.low
    else:
        value = rng.triangular(distribution.low, distribution.mode, distribution.high)
    return float(np.clip(value + shift, distribution.floor, distribution.ceiling))


def draw_weights(weights: np.ndarray, concentration: float, rng: np.random.Generator) -> np.ndarray:
    """Dirichlet draw with mean ``weights`` and precision ``concentration``; zeros stay zero."""
    weights = np.asarray(weights, dtype=float)
    positive = weights > 0
    drawn = np.zeros_like(weights)
    if positive.sum() <= 1:
        drawn[positive] = 1.0
        return drawn
    drawn[positive] = rng.dirichlet(concentration * weights[positive])
    return drawn


def draw_scenario(scenario: Scenario, rng: np.random.Generator) -> Scenario:
    """``scenario`` itself if it declares no uncertainty, else a copy with drawn numbers."""
    uncertainty = scenario.uncertainty
    if uncertainty is None:
        return scenario
    by_party = {p.party_id: p for p in uncertainty.parties}
    parties, redrawn = [], []
    for column, party in enumerate(scenario.parties):
        spec = by_party.get(party.id)
        if spec is None:
            parties.append(party)
            continue
        drawn = _draw_party(party, spec, rng)
        if drawn.utility is not party.utility:
            redrawn.append(column)
        parties.append(drawn)
    channel = _draw_channel(scenario.channel, uncertainty, rng)
    result = replace(scenario, parties=tuple(parties), channel=channel)
    share_arrays(scenario, result, redrawn)
    return result


DRAWS_KEPT = 4096
_DRAWS: OrderedDict[tuple[int, ...], tuple[object, ...]] = OrderedDict()


def draw_run(scenario: Scenario, seed: int) -> Scenario:
    """Run ``seed``'s drawn scenario (the draw generator of ``compare`` and ``whatif``),
    reusing the numbers drawn before for the same parties, channel and uncertainty: versions
    of a scenario that differ only in their timeline (a what-if, each point of a sweep) share
    their runs' draws instead of drawing them again. Only the drawn parties and channel are
    kept (small), never a run's utility matrix."""
    uncertainty = scenario.uncertainty
    if uncertainty is None:
        return scenario
    key = (id(uncertainty), id(scenario.parties), id(scenario.channel), int(seed))
    found = _DRAWS.get(key)
    if found is not None and found[:3] == (uncertainty, scenario.parties, scenario.channel):
        _DRAWS.move_to_end(key)
        parties, channel, redrawn = found[3:]
        result = replace(scenario, parties=parties, channel=channel)  # type: ignore[arg-type]
        share_arrays(scenario, result, redrawn)  # type: ignore[arg-type]
        return result
    drawn = draw_scenario(scenario, job_rng(int(seed), DRAW_STREAM))
    redrawn = [
        c for c, (a, b) in enumerate(zip(scenario.parties, drawn.parties, strict=True))
        if a.utility is not b.utility
    ]  # fmt: skip
    _DRAWS[key] = (uncertainty, scenario.parties, scenario.channel, drawn.parties, drawn.channel,
                   redrawn)  # fmt: skip
    if len(_DRAWS) > DRAWS_KEPT:
        _DRAWS.popitem(last=False)
    return drawn


def _draw_party(party: Party, spec: PartyUncertainty, rng: np.random.Generator) -> Party:
    utility = party.utility
    if spec.concentration is not None:
        weights = draw_weights(utility.weights, spec.concentration, rng)
        utility = LinearAdditiveUtility(
            weights=weights, tables=utility.tables, forbidden=utility.forbidden
        )
    reservation = party.reservation
    if spec.reservation is not None:
        reservation = sample(spec.reservation, rng, party.reservation)
    return replace(party, utility=utility, reservation=reservation)


def _draw_channel(channel: Channel, uncertainty: Uncertainty, rng: np.random.Generator) -> Channel:
    if not uncertainty.delays and uncertainty.direct_delay is None:
        return channel
    drawn = dict(uncertainty.delays)
    hops = tuple(
        _with_delay(hop, sample(drawn[hop.id], rng, hop.delay_hours)) if hop.id in drawn else hop
        for hop in channel.intermediaries
    )
    direct = channel.direct_delay_hours
    if uncertainty.direct_delay is not None:
        direct = sample(uncertainty.direct_delay, rng, channel.direct_delay_hours)
    return replace(channel, intermediaries=hops, direct_delay_hours=direct)


def _with_delay(hop: Intermediary, hours: float) -> Intermediary:
    """The hop with nominal delay ``hours``; a per-message delay distribution is rescaled so
    its mean is ``hours`` (the run's draw sets how slow the channel is; the per-message spread
    around it stays)."""
    delay = hop.delay
    if delay is not None and getattr(delay, "stochastic", False) and delay.mean > 0:
        factor = hours / delay.mean
        numeric = {
            f.name: getattr(delay, f.name) * factor
            for f in fields(delay)
            if f.name in ("hours", "low", "high", "mode", "median")
        }
        delay = replace(delay, **numeric)
    elif delay is not None:
        delay = replace(delay, hours=hours) if hasattr(delay, "hours") else delay
    return replace(hop, delay_hours=hours, delay=delay)


def share_arrays(base: Scenario, drawn: Scenario, redrawn: list[int]) -> None:
    """Seed the new scenario's cached arrays from the base instead of recomputing them.

    ``Scenario.utilities`` and ``Scenario.allowed`` are ``cached_property`` values kept in the
    instance ``__dict__``; filling them in is safe because they are pure functions of fields
    the draw kept. Drawn weights leave ``utilities`` to be computed when first asked for: the
    batch engine never needs a run's whole utility matrix, so a draw costs no pass over the
    space.
    """
    drawn.__dict__["allowed"] = base.allowed
    if not redrawn:
        drawn.__dict__["utilities"] = base.utilities
