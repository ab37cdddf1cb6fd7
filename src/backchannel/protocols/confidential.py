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
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from backchannel.agents.base import Confidence, Strategy
from backchannel.agents.mediators import ConfidentialMediator
from backchannel.channel.route import Route
from backchannel.protocols.mediated import MediatedSession
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
    session = MediatedSession(scenario, strategies, route, rng, transcript, "confidential")
    confided, now = _confide(session)
    ending = session.out_of_time(now, 0)
    if ending is not None:
        return ending
    plan = mediator.plan(confided, [p.index for p in scenario.packages])
    if plan.red_lines_collide:
        session.note("red_lines_collide", now, 0, why="no package respects every side's red lines")
        return session.finish(None, "no package satisfies every side's red lines", now, 0)
    if not plan.zone_exists:
        session.note("no_zone", now, 0, why="no package meets every confided walk-away value")
    # Packages on the table lead the plan; the mediator alternates them with its best package.
    on_table = {q.index for q in scenario.packages}
    leading = 0
    while leading < len(plan.candidates) and int(plan.candidates[leading]) in on_table:
        leading += 1
    rotation = [int(p) for p in plan.candidates[: leading + 1]]
    rounds, settled = 0, None
    while settled is None:
        ending = session.out_of_time(now, rounds)
        if ending is not None:
            return ending
        rounds += 1
        package = rotation[(rounds - 1) % len(rotation)]
        began, (now, accepted) = now, _propose(session, package, now, rounds)
        if accepted:
            settled = package
            continue
        collapsed, now = session.collapses(began, now, rounds)  # the text was not accepted
        if collapsed is not None:
            return collapsed
    if post_settlement:
        settled, now, rounds = _improve(session, mediator, confided, settled, now, rounds)
    return session.finish(settled, "agreement", now, rounds)


def _confide(session: MediatedSession) -> tuple[list[Confidence], float]:
    confided, arrivals = [], []
    for party_id, seat in session.seats.items():
        view = session.view(party_id, 0.0, 0)
        confidence = seat.strategy.confide(view)
        confided.append(confidence)
        arrivals.append(
            session.reply(
                party_id,
                None,
                0.0,
                0,
                kind="confide",
                details={
                    "claimed_reservation": confidence.reservation,
                    "exaggerated": bool(confidence.reservation > seat.party.reservation + 1e-12),
                },
            )
        )
    return confided, max(arrivals)


def _propose(session: MediatedSession, package: int, now: float, rounds: int) -> tuple[float, bool]:
    """One proposal to every party; (when all answers are in, whether all accepted it as sent)."""
    backs, verdicts = [], []
    for party_id, seat in session.seats.items():
        got, arrived = session.send(party_id, package, now, rounds, "proposal")
        decided = None if got is None else session.decides_in_time(arrived)
        if got is None or decided is None:
            return float("inf"), False
        accepts = bool(
            seat.strategy.respond_to_mediator(session.view(party_id, decided, rounds), got)
        )
        backs.append(session.reply(party_id, got, decided, rounds, details={"accepts": accepts}))
        verdicts.append((accepts, got))
    done = max(backs)
    if done > session.deadline:  # an answer missed the deadline: nothing more to note
        return done, False
    if all(accepts for accepts, _ in verdicts):
        if all(got == package for _, got in verdicts):
            return done, True
        session.note("miscalculation", done, rounds, why="a party accepted a changed text")
    return done, False


def _improve(
    session: MediatedSession,
    mediator: ConfidentialMediator,
    confided: list[Confidence],
    settled: int,
    now: float,
    rounds: int,
) -> tuple[int, float, int]:
    """Raiffa's post-settlement settlement: offer a package all confided they prefer."""
    better = mediator.improvement(confided, settled)
    if better is None:
        return settled, now, rounds
    rounds += 1
    backs, votes = [], []
    for party_id, seat in session.seats.items():
        got, arrived = session.send(party_id, better, now, rounds, "post_settlement_proposal")
        decided = None if got is None else session.decides_in_time(arrived)
        if got is None or decided is None:  # the settled deal stands; the try ended here
            return settled, session.last_time(), rounds
        view = session.view(party_id, decided, rounds)
        prefers = bool(seat.strategy.prefers(view, got, settled)) and got == better
        backs.append(session.reply(party_id, got, decided, rounds, details={"prefers": prefers}))
        votes.append(prefers)
    improved = all(votes) and max(backs) <= session.deadline
    done = session.last_time()  # the talks end with the last answer (or the deadline)
    session.note(
        "post_settlement", done, rounds, settled=settled, proposed=better, improved=improved
    )
    return (better if improved else settled), done, rounds


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
