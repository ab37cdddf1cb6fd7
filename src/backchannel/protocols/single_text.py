"""Single negotiating text: the mediator drafts one full package and improves it by votes.

Each round the mediator sends every party the standing draft and one amendment (a change to
one issue). Each party answers, in confidence, whether it accepts the draft as the deal
(``Strategy.respond_to_mediator``) and whether it votes for the amendment
(``Strategy.prefers``), on the texts it *received*. The talks end with a draft every party
accepts as sent, or in breakdown at the deadline or round limit. An amendment stands when every
party votes for it. Under hill climbing parties vote on merit; under annealing the mediator
announces a temperature, falling to 0 by the deadline, under which a party also accepts a small
loss (Klein, Faratin, Sayama and Bar-Yam 2003, "Negotiating complex contracts": with
interdependent issues annealing reaches contracts of higher joint welfare than hill climbing).

The first draft is the scenario's first named package (a plan already on the table), or the
middle value of every issue when there is none (the mediator splits the difference). A party
that accepted a text the channel changed has not accepted the mediator's draft: the mediator
records a ``miscalculation`` and goes on.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from backchannel.agents.base import Strategy
from backchannel.agents.mediators import SingleTextSearch
from backchannel.channel.route import Route
from backchannel.protocols.mediated import MediatedSession
from backchannel.protocols.registry import RunSetup, protocol
from backchannel.protocols.transcript import Transcript
from backchannel.scenario.model import Scenario


def run_single_text(
    scenario: Scenario,
    strategies: Mapping[str, Strategy],
    route: Route,
    search: SingleTextSearch,
    rng: np.random.Generator,
    transcript: Transcript,
) -> Transcript:
    session = MediatedSession(scenario, strategies, route, rng, transcript, "single-text")
    if scenario.packages:
        draft, origin = scenario.packages[0].index, scenario.packages[0].id
    else:
        middle = [[(issue.size - 1) // 2 for issue in scenario.space.issues]]
        draft, origin = int(scenario.space.index_of_positions(np.array(middle))[0]), "middle"
    session.note("first_draft", 0.0, 0, text=draft, origin=origin, policy=search.name)
    now, rounds = 0.0, 0
    while True:
        ending = session.out_of_time(now, rounds)
        if ending is not None:
            return ending
        rounds += 1
        amendment = search.amend(scenario.space, draft, rng)
        heat = search.temperature_at(session.progress(now, rounds))
        answers = [
            _consult(session, party_id, draft, amendment, now, rounds, heat)
            for party_id in scenario.party_ids
        ]
        began, now = now, max(back for back, _, _, _ in answers)
        if now > session.deadline:
            continue  # out_of_time ends the talks
        if all(accepts for _, accepts, _, _ in answers):
            if all(text == draft for _, _, _, text in answers):
                return session.finish(draft, "agreement", now, rounds)
            session.note("miscalculation", now, rounds, why="a party accepted a changed text")
        prefers = [prefer for _, _, prefer, _ in answers]
        adopted = search.adopt(prefers)
        session.note(
            "amend" if adopted else "keep",
            now,
            rounds,
            draft=draft,
            amendment=amendment,
            votes=prefers,
            temperature=heat,
        )
        if adopted:
            draft = amendment
        collapsed, now = session.collapses(began, now, rounds)  # the draft was not accepted
        if collapsed is not None:
            return collapsed


def _consult(
    session: MediatedSession,
    party_id: str,
    draft: int,
    amendment: int,
    now: float,
    rounds: int,
    temperature: float,
) -> tuple[float, bool, bool, int | None]:
    """Send the draft and the amendment to one party; (answer's arrival, accepts the draft,
    prefers the amendment, the draft text it received)."""
    got_draft, first = session.send(party_id, draft, now, rounds, "draft")
    got_amendment, second = session.send(party_id, amendment, now, rounds, "amendment")
    if got_draft is None or got_amendment is None:
        return float("inf"), False, False, None
    decided = session.decides_in_time(max(first, second))
    if decided is None:
        return float("inf"), False, False, None
    strategy = session.seats[party_id].strategy
    view = session.view(party_id, decided, rounds)
    accepts = bool(strategy.respond_to_mediator(view, got_draft))
    prefers = bool(strategy.prefers(view, got_amendment, got_draft, temperature))
    back = session.reply(
        party_id,
        got_draft,
        decided,
        rounds,
        details={"accepts": accepts, "votes_for_amendment": prefers},
    )
    return back, accepts, prefers, got_draft


@protocol(
    "single-text",
    "a mediator drafts one text; the parties vote on amendments and accept or reject it",
    order=30,
)
def play_single_text(run: RunSetup) -> Transcript:
    return run_single_text(
        run.scenario, run.strategies, run.route, run.mediator, run.rng, run.transcript
    )
