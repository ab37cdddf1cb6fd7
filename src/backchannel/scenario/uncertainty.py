"""What a scenario is unsure about: distributions over weights, reservation values and delays.

The file's optional ``uncertainty:`` block is checked and resolved here into plain data (stated
values fill in a missing mean or mode). Drawing from it is the experiments' job
(:mod:`backchannel.experiments.uncertainty`): every run of ``compare`` draws its own scenario.
"""

from __future__ import annotations

from dataclasses import dataclass

from backchannel.channel.delays import Delay
from backchannel.scenario.errors import Problem
from backchannel.scenario.schema import DistributionSpec, IntermediarySpec, ScenarioSpec

_DELAY_FIELDS = ("distribution", "hours", "low", "high", "mode", "median", "sigma")


@dataclass(frozen=True)
class Distribution:
    """A distribution of one number, clipped to ``[floor, ceiling]`` when drawn.

    ``normal`` uses ``mean`` and ``sd``; ``uniform`` uses ``low`` and ``high``; ``triangular``
    uses ``low``, ``mode`` and ``high``. ``centre`` is the value the scenario states for the
    quantity: the spread is declared around it, so when the stated value later changes (a
    what-if ``--set``), a draw moves with it (see
    :func:`backchannel.experiments.uncertainty.sample`).
    """

    kind: str
    mean: float = 0.0
    sd: float = 0.0
    low: float = 0.0
    high: float = 0.0
    mode: float = 0.0
    floor: float = 0.0
    ceiling: float = float("inf")
    centre: float | None = None


@dataclass(frozen=True)
class PartyUncertainty:
    """``concentration`` of a Dirichlet around the stated weights (None: weights are known)."""

    party_id: str
    concentration: float | None = None
    reservation: Distribution | None = None


@dataclass(frozen=True)
class Uncertainty:
    parties: tuple[PartyUncertainty, ...] = ()
    delays: tuple[tuple[str, Distribution], ...] = ()
    direct_delay: Distribution | None = None

    @property
    def weights_uncertain(self) -> bool:
        return any(p.concentration is not None for p in self.parties)

    def describe(self) -> list[str]:
        """One line per uncertain quantity, for people."""
        lines = []
        for party in self.parties:
            if party.concentration is not None:
                spread = f"Dirichlet(concentration {party.concentration:g})"
                lines.append(f"{party.party_id} weights ~ {spread}")
            if party.reservation is not None:
                lines.append(f"{party.party_id} reservation ~ {_text(party.reservation)}")
        lines += [f"{hop} delay_hours ~ {_text(dist)}" for hop, dist in self.delays]
        if self.direct_delay is not None:
            lines.append(f"direct delay_hours ~ {_text(self.direct_delay)}")
        return lines


def _text(dist: Distribution) -> str:
    if dist.kind == "normal":
        return f"normal(mean {dist.mean:g}, sd {dist.sd:g})"
    if dist.kind == "uniform":
        return f"uniform({dist.low:g}, {dist.high:g})"
    return f"triangular({dist.low:g}, {dist.mode:g}, {dist.high:g})"


def compile_uncertainty(spec: ScenarioSpec) -> tuple[Uncertainty | None, list[Problem]]:
    """Resolve the ``uncertainty`` block against the parties and the channel it names."""
    block = spec.uncertainty
    if block is None:
        return None, []
    problems: list[Problem] = []
    parties = {p.id: p for p in spec.parties}
    resolved = []
    for party_id, item in block.parties.items():
        where = f"uncertainty.parties.{party_id}"
        if party_id not in parties:
            problems.append(
                Problem(where, f"'{party_id}' is not a party", f"use one of: {', '.join(parties)}")
            )
            continue
        stated = parties[party_id].reservation_value
        reservation = None
        if item.reservation is not None:
            reservation = _resolve(problems, f"{where}.reservation", item.reservation, stated, 1.0)
        concentration = item.weights.concentration if item.weights is not None else None
        resolved.append(PartyUncertainty(party_id, concentration, reservation))
    hops = {i.id: i for i in spec.channel.intermediaries}
    delays = []
    for hop_id, item in block.intermediaries.items():
        where = f"uncertainty.intermediaries.{hop_id}"
        if hop_id not in hops:
            known = ", ".join(hops) or "(declare channel.intermediaries first)"
            problems.append(Problem(where, f"'{hop_id}' is not an intermediary", f"use: {known}"))
            continue
        stated = _nominal_delay(hops[hop_id])
        dist = _resolve(problems, f"{where}.delay_hours", item.delay_hours, stated, float("inf"))
        delays.append((hop_id, dist))
    direct = None
    if block.direct_delay_hours is not None:
        where, stated = "uncertainty.direct_delay_hours", spec.channel.direct_delay_hours
        direct = _resolve(problems, where, block.direct_delay_hours, stated, float("inf"))
    order = {pid: k for k, pid in enumerate(parties)}
    resolved.sort(key=lambda p: order[p.party_id])
    hop_order = {hid: k for k, hid in enumerate(hops)}
    delays.sort(key=lambda pair: hop_order[pair[0]])
    if problems:
        return None, problems
    return Uncertainty(tuple(resolved), tuple(delays), direct), []


def _nominal_delay(hop: IntermediarySpec) -> float:
    """The hop's stated delay: ``delay_hours``, or the mean of its ``delay`` distribution."""
    if hop.delay is None:
        return hop.delay_hours
    given = {
        k: v for k, v in hop.delay.model_dump().items() if k in _DELAY_FIELDS and v is not None
    }
    return Delay(**given).mean


def _resolve(
    problems: list[Problem], where: str, spec: DistributionSpec, stated: float, ceiling: float
) -> Distribution:
    """Fill in the stated value as the mean (normal) or the mode (triangular); check the order."""
    mean = spec.mean if spec.mean is not None else stated
    mode = spec.mode if spec.mode is not None else stated
    low, high = spec.low or 0.0, spec.high or 0.0
    if spec.distribution == "triangular" and not low <= mode <= high:
        problems.append(
            Problem(
                where,
                f"the mode {mode:g} is not between low {low:g} and high {high:g}",
                "give 'mode' (it defaults to the stated value) inside [low, high]",
            )
        )
    if spec.distribution in ("uniform", "triangular") and high < low:
        problems.append(Problem(where, "'high' is below 'low'", "swap the two numbers"))
    return Distribution(
        kind=spec.distribution,
        mean=mean,
        sd=spec.sd or 0.0,
        low=low,
        high=high,
        mode=mode,
        floor=0.0,
        ceiling=ceiling,
        centre=stated,
    )
