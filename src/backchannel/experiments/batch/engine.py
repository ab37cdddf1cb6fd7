"""Alternating offers between two parties for many runs at once, round by round.

This restates :class:`backchannel.protocols.alternating.AlternatingOffers` for arrays: every run
is in the same round at the same time (two parties alternate, so the proposer is the same in
every run), and a run leaves the arrays when it ends. Per run, the proposal, the simulated
clock, the deadline checks and the result follow the step engine's arithmetic exactly, and
the deadline means what ``protocols.deadline`` says.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backchannel.channel.route import Route
from backchannel.experiments.batch.clock import BatchClock, PartyArrays
from backchannel.experiments.batch.draws import RunDraws
from backchannel.experiments.batch.hazard import BatchHazard
from backchannel.experiments.batch.offers import OfferTable
from backchannel.experiments.batch.ratification import ratify_runs
from backchannel.experiments.batch.run_offers import RunsOfferTable
from backchannel.experiments.batch.strategies import BatchStrategy, SideArrays, python_power
from backchannel.protocols import deadline as rule
from backchannel.protocols.alternating import HOURS_PER_DAY
from backchannel.protocols.alternating import LOST as LOST_REASON
from backchannel.scenario.model import Scenario

ACCEPTANCE_LOST_REASON = "the acceptance was lost on every attempt and never arrived"
REASONS = (
    "agreement",
    "round limit reached",
    rule.PASSED,
    rule.IN_TRANSIT,
    rule.UNANSWERED,
    rule.UNRATIFIED,
    BatchHazard.REASON,
    LOST_REASON,
    ACCEPTANCE_LOST_REASON,
)
AGREEMENT, ROUND_LIMIT, DEADLINE, IN_TRANSIT, UNANSWERED, UNRATIFIED, BREAKDOWN = range(7)
LOST, ACCEPTANCE_LOST = 7, 8


@dataclass(frozen=True)
class BatchInputs:
    """Everything per run that may differ between runs.

    ``parties`` holds each run's parties as the scenario states them on the day the clock
    starts; ``hop_delays`` ``(runs, hops)`` holds the fixed delay of each hop of the route, which
    a message crosses in order (``Route.transmit`` adds them one after the other, and so does
    the batch engine); ``hop_leaks`` the same hops' leak probabilities (None: nothing leaks),
    and ``seeds`` the runs' seeds, whose protocol streams give the leak and breakdown draws
    (``batch.draws``).
    """

    parties: PartyArrays
    hop_delays: np.ndarray
    hop_leaks: np.ndarray | None = None
    seeds: np.ndarray | None = None
    hop_losses: np.ndarray | None = None  # (runs, hops) loss chances; None: nothing is lost
    timeouts: np.ndarray | None = None  # per run, hours between attempts (``Route.timeout``)
    max_attempts: np.ndarray | None = None  # per run, ``Route.max_attempts``

    @classmethod
    def fixed(cls, scenario: Scenario, route: Route, runs: int) -> BatchInputs:
        """Every run with the scenario's own values."""
        hops = np.tile([h.delay_hours for h in route.hops], (runs, 1)).astype(float)
        return cls(PartyArrays.of([scenario] * runs), hops)

    @property
    def runs(self) -> int:
        return len(self.hop_delays)


@dataclass
class BatchOutcome:
    """How each run ended, one entry per run (``agreement`` is -1 for no agreement)."""

    agreement: np.ndarray
    reason: np.ndarray
    time_hours: np.ndarray
    rounds: np.ndarray
    utilities: np.ndarray
    payoffs: np.ndarray
    deadline_hours: np.ndarray  # the deadline in force in the run's last round
    leaks: np.ndarray  # passages that leaked to the press by the deadline
    settled_at: np.ndarray  # the hour whose parties settle the run (a collapse: its round start)

    @classmethod
    def empty(cls, runs: int, parties: int) -> BatchOutcome:
        return cls(
            leaks=np.zeros(runs, dtype=np.int64),
            settled_at=np.zeros(runs),
            agreement=np.full(runs, -1, dtype=np.int64),
            reason=np.full(runs, -1, dtype=np.int8),
            time_hours=np.zeros(runs),
            rounds=np.zeros(runs, dtype=np.int64),
            utilities=np.zeros((runs, parties)),
            payoffs=np.zeros((runs, parties)),
            deadline_hours=np.full(runs, np.inf),
        )


def simulate(
    scenario: Scenario,
    strategies: tuple[BatchStrategy, BatchStrategy],
    inputs: BatchInputs,
    direct_contact: bool = False,
    tables: tuple[OfferTable | RunsOfferTable, OfferTable | RunsOfferTable] | None = None,
    via: tuple[str, ...] = (),
) -> BatchOutcome:
    """Play ``inputs.runs`` negotiations of a two-party scenario; see the module docstring.

    With a timeline, every run's parties move to where the timeline puts them at the start of
    each round and at the end (``AlternatingOffers._follow_timeline``), and a message through
    the hops ``via`` arrives when ``TimelineClock.arrival`` says. Leaky hops and a breakdown
    hazard draw from each run's protocol stream in the step engine's order (``batch.draws``).
    """
    if len(scenario.parties) != 2:
        raise ValueError("the batch engine plays two-party scenarios only")
    runs = inputs.runs
    tables = tables or offer_tables(scenario)
    clock = BatchClock(scenario.timeline, scenario)
    hazard = BatchHazard.of(scenario)
    leaks = inputs.hop_leaks if inputs.hop_leaks is not None else np.zeros_like(inputs.hop_delays)
    losses = (
        inputs.hop_losses if inputs.hop_losses is not None else np.zeros_like(inputs.hop_delays)
    )
    lossy = bool((losses > 0.0).any())
    leaks_move = clock.moves_leaks(via)  # the direct line (no intermediary) never leaks
    drawing = hazard is not None or bool((leaks > 0.0).any()) or lossy or leaks_move
    if drawing and inputs.seeds is None:
        raise ValueError("lossy or leaky hops and breakdown hazards need the runs' seeds")
    if lossy and (inputs.timeouts is None or inputs.max_attempts is None):
        raise ValueError("lossy hops need each run's timeout and number of attempts")
    timeouts = inputs.timeouts if inputs.timeouts is not None else np.ones(runs)
    attempts = inputs.max_attempts if inputs.max_attempts is not None else np.ones(runs, int)
    draws = RunDraws(inputs.seeds if drawing else [])  # type: ignore[arg-type]
    seats = [SideArrays(tables[c], inputs.parties.reservation[:, c].copy()) for c in (0, 1)]
    first = scenario.party_index(scenario.first_mover)
    out = BatchOutcome.empty(runs, 2)
    ids = np.arange(runs)
    now = np.zeros(runs)
    hops = inputs.hop_delays
    round_number = 0

    def arrival(sent_at: np.ndarray) -> np.ndarray:
        for column in range(hops.shape[1]):
            sent_at = sent_at + hops[:, column]
        return sent_at

    def leak_chance(column: int) -> np.ndarray:
        """Each run's leak chance at this hop column, as the timeline has it at the round's
        start (the step engine's clock looks once a round)."""
        if not leaks_move:
            return leaks[:, column]
        return clock.hop_leak(via[column], leaks[:, column], began)

    def leak(sending: np.ndarray, sent_at: np.ndarray, deadline: np.ndarray) -> None:
        """The leak draws of a message each ``sending`` run sends at ``sent_at``: one per leaky
        hop, in hop order; a passage counts when it leaves by the deadline (as recorded)."""
        left = sent_at
        for column in range(hops.shape[1]):
            left = left + hops[:, column]
            chance = leak_chance(column)
            drawn = np.flatnonzero(sending & (chance > 0.0))
            if len(drawn):
                leaked = draws.take(ids[drawn]) < chance[drawn]
                counted = leaked & (left[drawn] <= deadline[drawn])
                out.leaks[ids[drawn]] += counted

    def transmit(
        sending: np.ndarray, sent_at: np.ndarray, deadline: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``Route.transmit`` for each ``sending`` run's message leaving at ``sent_at``, with
        the draws per attempt and hop in ``channel.hops``' order (loss, then leak), and leaks
        counted as recorded (a passage leaving by the deadline). Returns per run when it
        arrives (inf: never delivered) and, for one never delivered, the time of the last
        thing recorded about it (``messages.record_delivery``'s "undelivered" time)."""
        arrives = np.full(len(ids), np.inf)
        given_up = np.full(len(ids), -np.inf)
        pending = sending.copy()
        last = np.full(len(ids), -np.inf)  # latest departure or passage recorded
        attempt = 0
        while pending.any():
            attempt += 1
            start = sent_at + (attempt - 1) * timeouts[ids]
            going = pending & (attempt <= attempts[ids])
            if attempt > 1:
                going &= start <= deadline
            stopped = pending & ~going
            given_up[stopped] = last[stopped]
            pending &= going
            if not pending.any():
                break
            # attempts overlap: an earlier one may still be crossing hops after this leaves
            last[pending] = np.maximum(last[pending], start[pending])
            alive, here = pending.copy(), start.copy()
            for column in range(hops.shape[1]):
                chance = losses[:, column]
                drawn = np.flatnonzero(alive & (chance > 0.0))
                if len(drawn):
                    lost = draws.take(ids[drawn]) < chance[drawn]
                    gone = drawn[lost]
                    seen = gone[here[gone] <= deadline[gone]]
                    last[seen] = np.maximum(last[seen], here[seen])
                    alive[gone] = False
                here = np.where(alive, here + hops[:, column], here)
                leaky = leak_chance(column)
                drawn = np.flatnonzero(alive & (leaky > 0.0))
                if len(drawn):
                    leaked = draws.take(ids[drawn]) < leaky[drawn]
                    out.leaks[ids[drawn]] += leaked & (here[drawn] <= deadline[drawn])
                seen = np.flatnonzero(alive & (here <= deadline))
                last[seen] = np.maximum(last[seen], here[seen])
            arrives[alive] = here[alive]
            pending &= ~alive
        return arrives, given_up

    def finish(mask: np.ndarray, agreement, reason: int, time_hours, deadline) -> None:
        nonlocal ids, now, hops, leaks, losses, deadlines, began
        if not mask.any():  # most rounds end no run: nothing to record, nothing to drop
            return
        where = ids[mask]
        out.agreement[where] = agreement[mask] if agreement is not None else -1
        out.reason[where] = reason
        out.time_hours[where] = time_hours[mask] if np.ndim(time_hours) else time_hours
        out.settled_at[where] = began[mask] if reason == BREAKDOWN else out.time_hours[where]
        out.rounds[where] = round_number
        out.deadline_hours[where] = deadline[mask]
        keep = ~mask
        ids, now, began, deadlines = ids[keep], now[keep], began[keep], deadlines[keep]
        hops, leaks, losses = hops[keep], leaks[keep], losses[keep]
        for seat in seats:
            seat.keep(keep)

    deadlines = clock.deadline_hours(inputs.parties)
    began = now
    while len(ids):
        if clock.timeline is not None:  # positions move as the clock runs
            parties = clock.parties_at(inputs.parties.take(ids), now)
            for column, seat in enumerate(seats):
                seat.move_to(parties.reservation[:, column])
            deadlines = clock.deadline_hours(parties)
        deadline = deadlines.min(axis=1)
        began = now
        if round_number >= scenario.max_rounds:
            finish(np.ones(len(ids), dtype=bool), None, ROUND_LIMIT, now, deadline)
            break
        finish(now > deadline, None, DEADLINE, np.maximum(now, deadline), deadline)
        deadline = deadlines.min(axis=1)
        if not len(ids):
            break
        round_number += 1
        proposer = first if round_number % 2 == 1 else 1 - first
        receiver = 1 - proposer
        relative = _relative_time(now, deadlines[:, proposer], round_number, scenario)
        offer = strategies[proposer].propose(seats[proposer], relative)
        if lossy:
            sent, _ = transmit(np.ones(len(ids), dtype=bool), now, deadline)
        else:
            if drawing:
                leak(np.ones(len(ids), dtype=bool), now, deadline)
            sent = arrival(now)
        if lossy and not np.isfinite(sent).all():  # lost on every attempt: the talks end
            gone = ~np.isfinite(sent)
            finish(gone, None, LOST, deadline, deadline)
            keep = ~gone
            sent, offer, deadline = sent[keep], offer[keep], deadline[keep]
            if not len(ids):
                break
        arrived = clock.arrival(via, now, sent)
        decided = arrived + scenario.response_hours
        seats[receiver].receive(offer)
        relative = _relative_time(decided, deadlines[:, receiver], round_number, scenario)
        accepted = strategies[receiver].respond(seats[receiver], relative, offer)
        in_transit = arrived > deadline
        unanswered = ~in_transit & (decided > deadline)
        now = decided
        finish(in_transit, None, IN_TRANSIT, deadline, deadline)
        keep = ~in_transit
        unanswered, accepted, offer, deadline = (
            unanswered[keep],
            accepted[keep],
            offer[keep],
            deadline[keep],
        )
        finish(unanswered, None, UNANSWERED, deadline, deadline)
        keep = ~unanswered
        accepted, offer, deadline = accepted[keep], offer[keep], deadline[keep]
        if lossy:  # the acceptance back along the route, perhaps lost on every attempt
            closed, given_up = transmit(accepted, now, deadline)
            gone = accepted & ~np.isfinite(closed)
            if gone.any():
                finish(gone, None, ACCEPTANCE_LOST, np.maximum(now, given_up), deadline)
                keep = ~gone
                accepted, offer, deadline = accepted[keep], offer[keep], deadline[keep]
                closed = closed[keep]
        else:
            if drawing and accepted.any():  # the acceptance's passages back along the route
                leak(accepted, now, deadline)
            closed = arrival(now)  # the acceptance back along the route
        late = accepted & (closed > deadline)
        finish(late, None, IN_TRANSIT, deadline, deadline)
        keep = ~late
        accepted, offer, closed = accepted[keep], offer[keep], closed[keep]
        deadline = deadline[keep]
        if accepted.any():
            finish(accepted, offer, AGREEMENT, closed, deadline)
            deadline = deadline[~accepted]
        if hazard is not None and len(ids):  # every run left rejected this round's offer
            collapsed = hazard.strikes(draws, ids, began, now)
            if collapsed.any():
                finish(collapsed, None, BREAKDOWN, now, deadline)
    # As in settlement.conclude: the parties as they stand when talks end (a collapse: as
    # they stood when its round began), then the ratifiers.
    parties_at_end = clock.parties_at(inputs.parties, out.settled_at)
    ratify_runs(scenario, out.agreement, out.time_hours, out.reason, out.deadline_hours)
    _settle(scenario, parties_at_end, out, direct_contact, tables, hazard)
    return out


def offer_tables(scenario: Scenario) -> tuple[OfferTable, OfferTable]:
    """One offer table per party; reuse them across calls on the same scenario."""
    return tuple(  # type: ignore[return-value]
        OfferTable(scenario.space, scenario.utilities[:, c], scenario.allowed[:, c])
        for c in range(len(scenario.parties))
    )


def _relative_time(
    now: np.ndarray, party_deadline: np.ndarray, round_number: int, scenario: Scenario
) -> np.ndarray:
    """``Side.view``'s relative time: the clock or the round limit, whichever is closer."""
    by_rounds = round_number / scenario.max_rounds
    return np.minimum(np.maximum(now / party_deadline, by_rounds), 1.0)


def _settle(
    scenario: Scenario,
    parties: PartyArrays,
    out: BatchOutcome,
    direct_contact: bool,
    tables: tuple[OfferTable | RunsOfferTable, ...],
    hazard: BatchHazard | None = None,
) -> None:
    """Utilities and payoffs per run, as ``settlement.conclude`` computes them from the
    parties as they stand when each run ends (and ``breakdown.collapse`` after a collapse)."""
    agreed = out.agreement >= 0
    for column in range(len(scenario.parties)):
        value = parties.reservation[:, column].copy()
        runs = np.flatnonzero(agreed)
        value[agreed] = tables[column].utility_at(runs, out.agreement[agreed])
        payoff = value.copy()
        if agreed.any():
            discount = python_power(
                parties.time_discount[agreed, column], out.time_hours[agreed] / HOURS_PER_DAY
            )
            payoff[agreed] = value[agreed] * discount
        if direct_contact:
            cost = np.where(
                parties.refuses_direct_talks[:, column], parties.direct_contact_cost[:, column], 0.0
            )
            payoff = np.where(parties.refuses_direct_talks[:, column], payoff - cost, payoff)
        payoff = payoff - out.leaks * parties.leak_cost[:, column]
        if hazard is not None:
            payoff = hazard.collapse_payoffs(
                out.reason == BREAKDOWN, scenario.parties[column].id, payoff, value
            )
        out.utilities[:, column] = value
        out.payoffs[:, column] = payoff
