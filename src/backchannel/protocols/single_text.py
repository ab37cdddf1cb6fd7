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

The rules are the machine's (``protocols.single_text_machine``); this module drives it: it
chooses the moves (the mediator's drafts and amendments, the strategies' answers) and their
times (the channel, ``protocols.mediated``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from backchannel.agents.base import Strategy
from backchannel.agents.mediators import SingleTextSearch
from backchannel.channel.route import Route
from backchannel.protocols.mediated import MediatedChannel
from backchannel.protocols.mediated_machine import Answer, draw_from
from backchannel.protocols.registry import RunSetup, protocol
from backchannel.protocols.single_text_machine import FirstDraft, PutText, SingleTextMachine
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
    machine = SingleTextMachine(
        scenario,
        transcript,
        strategies,
        via=route.via,
        chance=draw_from(rng),
        adopt=search.adopt,
    )
    channel = MediatedChannel(machine, route, rng)
    if scenario.packages:
        draft, origin = scenario.packages[0].index, scenario.packages[0].id
    else:
        middle = [[(issue.size - 1) // 2 for issue in scenario.space.issues]]
        draft, origin = int(scenario.space.index_of_positions(np.array(middle))[0]), "middle"
    machine.play(FirstDraft(draft, origin, search.name), 0.0)
    party_ids = scenario.party_ids
    while not machine.is_over:
        now, draft = machine.now, machine.draft
        assert draft is not None
        amendment = search.amend(scenario.space, draft, rng)
        heat = search.temperature_at(machine.progress(now, machine.rounds + 1))
        machine.play(PutText(amendment, heat), now)
        for party_id in party_ids:
            answer, back = _consult(channel, party_id, draft, amendment, now, heat)
            machine.play(answer, back)
    return transcript


def _consult(
    channel: MediatedChannel,
    party_id: str,
    draft: int,
    amendment: int,
    now: float,
    temperature: float,
) -> tuple[Answer, float]:
    """Send the draft and the amendment to one party: (its answer, when it reaches the
    mediator; inf if it never does)."""
    got_draft, first, late = channel.send(party_id, draft, now, "draft")
    got_amendment, second, late_too = channel.send(party_id, amendment, now, "amendment")
    late = late or late_too
    if got_draft is None or got_amendment is None:
        return Answer(party_id, None, late=late), math.inf
    decided, unanswered = channel.answer_time(max(first, second))
    if decided is None:
        return Answer(party_id, None, late=late or unanswered), math.inf
    machine = channel.machine
    strategy = machine.seats[party_id].strategy
    view = machine.view(party_id, decided, machine.rounds)
    accepts = bool(strategy.respond_to_mediator(view, got_draft))
    prefers = bool(strategy.prefers(view, got_amendment, got_draft, temperature))
    back, expired = channel.reply(
        party_id,
        got_draft,
        decided,
        details={"accepts": accepts, "votes_for_amendment": prefers},
    )
    return Answer(party_id, got_draft, accepts, prefers, late or expired), back


@protocol(
    "single-text",
    "a mediator drafts one text; the parties vote on amendments and accept or reject it",
    order=30,
)
def play_single_text(run: RunSetup) -> Transcript:
    return run_single_text(
        run.scenario, run.strategies, run.route, run.mediator, run.rng, run.transcript
    )
