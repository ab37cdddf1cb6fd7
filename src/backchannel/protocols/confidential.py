"""Confidential mediation: each party confides its preferences to the mediator alone.

1. Every party confides (``Strategy.confide``: truthfully, or exaggerating its walk-away value,
   as a hard-liner does). Confidences are sealed messages; no other party ever sees them.
2. The mediator reads them privately. When the sides' red lines collide, no package satisfies
   both: it records this for itself (``red_lines_collide``) and the talks end. When red lines
   leave room but the confided walk-away values do not, it records ``no_zone`` and proposes
   the least-bad efficient packages anyway.
3. It proposes efficient packages, best first by its bargaining solution on the confided
   preferences (Nash or Kalai-Smorodinsky, ``backchannel.analysis``), a package already on the
   table first when every side confided it could accept it; each party accepts or rejects the
   text it received. Rounds alternate between the packages on the table and the best package.
4. After a settlement it looks for a package every side (by what it confided) prefers; each
   party says whether it does (``Strategy.prefers``), and if all do it replaces the deal:
   Raiffa's post-settlement settlement.

Theory: a mediator who keeps confidences can reach agreements that direct talk cannot
(Goltsman, Hörner, Pavlov and Squintani 2009; Hörner, Morelli and Squintani 2015).

The rules are the machine's (``protocols.confidential_machine``); this module drives it: it
chooses the moves (the strategies' confidences and answers, the mediator's plan, proposals and
improvement) and their times (the channel, ``protocols.mediated``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from backchannel.agents.base import Confidence, Strategy
from backchannel.agents.mediators import ConfidentialMediator
from backchannel.channel.route import Route
from backchannel.protocols.confidential_machine import (
    Confide,
    ConfidentialMachine,
    Improve,
    Plan,
    Propose,
)
from backchannel.protocols.mediated import MediatedChannel
from backchannel.protocols.mediated_machine import Answer, draw_from
from backchannel.protocols.registry import RunSetup, protocol
from backchannel.protocols.transcript import Transcript
from backchannel.scenario.model import Scenario


def run_confidential(
    scenario: Scenario,
    strategies: Mapping[str, Strategy],
    route: Route,
    mediator: ConfidentialMediator,
    rng: np.random.Generator,
    transcript: Transcript,
    post_settlement: bool = True,
) -> Transcript:
    machine = ConfidentialMachine(
        scenario, transcript, strategies, via=route.via, chance=draw_from(rng)
    )
    channel = MediatedChannel(machine, route, rng)
    confided = _confide(channel)
    if machine.is_over:
        return transcript
    plan = mediator.plan(confided, [p.index for p in scenario.packages])
    candidates = tuple(int(p) for p in plan.candidates)
    machine.play(Plan(candidates, plan.red_lines_collide, plan.zone_exists), machine.now)
    while not machine.is_over and machine.settled is None:
        package, now = machine.due, machine.now
        machine.play(Propose(package), now)
        _ask(channel, package, now, "proposal")
    if machine.is_over:
        return transcript
    settled = machine.settled
    assert settled is not None
    better = mediator.improvement(confided, settled) if post_settlement else None
    now = machine.now
    machine.play(Improve(better), now)
    if better is not None:
        _ask(channel, better, now, "post_settlement_proposal", instead_of=settled)
    return transcript


def _confide(channel: MediatedChannel) -> list[Confidence]:
    machine = channel.machine
    confided = []
    for party_id, seat in machine.seats.items():
        confidence = seat.strategy.confide(machine.view(party_id, 0.0, 0))
        confided.append(confidence)
        arrived, late = channel.reply(
            party_id,
            None,
            0.0,
            kind="confide",
            details={
                "claimed_reservation": confidence.reservation,
                "exaggerated": bool(confidence.reservation > seat.party.reservation + 1e-12),
            },
        )
        machine.play(Confide(party_id, late), arrived)
    return confided


def _ask(
    channel: MediatedChannel,
    package: int,
    now: float,
    kind: str,
    instead_of: int | None = None,
) -> None:
    """Put ``package`` to every party in turn, each answering what it received, until the
    machine closes the round: whether it accepts it, or (``instead_of`` a settled deal)
    whether it prefers it to that deal."""
    machine = channel.machine
    for party_id, seat in machine.seats.items():
        got, arrived, late = channel.send(party_id, package, now, kind)
        decided = None
        if got is not None:
            decided, late = channel.answer_time(arrived)
        if got is None or decided is None:
            machine.play(Answer(party_id, None, late=late), math.inf)
            return
        view = machine.view(party_id, decided, machine.rounds)
        if instead_of is None:
            accepts = bool(seat.strategy.respond_to_mediator(view, got))
            details = {"accepts": accepts}
        else:
            accepts = bool(seat.strategy.prefers(view, got, instead_of)) and got == package
            details = {"prefers": accepts}
        back, expired = channel.reply(party_id, got, decided, details=details)
        machine.play(Answer(party_id, got, accepts, late=expired), back)


@protocol(
    "confidential",
    "each side confides its preferences to the mediator, who proposes efficient packages",
    order=40,
)
def play_confidential(run: RunSetup) -> Transcript:
    return run_confidential(
        run.scenario,
        run.strategies,
        run.route,
        run.mediator,
        run.rng,
        run.transcript,
        run.post_settlement,
    )
