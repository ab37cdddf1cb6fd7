"""Replaying a mediated run's moves through a fresh machine (single-text and confidential).

A step-engine run is played while its machine's moves (with their times) and chance's draws
are recorded. A fresh machine then takes the same moves through its checked ``apply``; the
messages the channel carried between two moves are copied in from the run, since the channel
is the driver's and not the machine's. If the drivers only choose moves and times, the fresh
machine rebuilds the run's transcript event for event, ending and result included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from unittest import mock

from backchannel.protocols.breakdown import Hazard
from backchannel.protocols.confidential_machine import ConfidentialMachine
from backchannel.protocols.mediated_machine import MediatedMachine
from backchannel.protocols.registry import RunSetup, get_protocol
from backchannel.protocols.single_text_machine import SingleTextMachine
from backchannel.protocols.transcript import Event, Transcript

MACHINES: dict[str, type[MediatedMachine]] = {
    "single-text": SingleTextMachine,
    "confidential": ConfidentialMachine,
}


@dataclass
class Recording:
    """What a run's machine was told: (move, time, the channel's events since the previous
    move), and chance's draws. The settlement sorts a finished transcript by time, so the
    channel's events are kept as they came, not as indexes into the finished transcript."""

    moves: list[tuple[object, float, list[Event]]] = field(default_factory=list)
    draws: list[bool] = field(default_factory=list)
    seen: int = 1  # events recorded by the end of the previous move (the machine's start)


def play_recorded(run: RunSetup) -> tuple[Transcript, Recording]:
    """Play ``run`` with its protocol's driver, recording the moves its machine was given."""
    machine_class = MACHINES[run.transcript.protocol]
    recording = Recording()
    play, strikes = machine_class.play, Hazard.strikes

    def recorded_play(machine, move, at_hours):  # type: ignore[no-untyped-def]
        events = machine.transcript.events
        recording.moves.append((move, at_hours, events[recording.seen :]))
        made = play(machine, move, at_hours)
        recording.seen = len(events)
        return made

    def recorded_strikes(hazard, rng, since, now):  # type: ignore[no-untyped-def]
        struck = strikes(hazard, rng, since, now)
        recording.draws.append(struck)
        return struck

    with (
        mock.patch.object(machine_class, "play", recorded_play),
        mock.patch.object(Hazard, "strikes", recorded_strikes),
    ):
        transcript = get_protocol(run.transcript.protocol).play(run)
    return transcript, recording


def replay_through_machine(
    run: RunSetup, original: Transcript, recording: Recording
) -> tuple[Transcript, list[str]]:
    """A fresh machine given the recorded moves through ``apply``: (its transcript, the
    reasons of any moves it refused)."""
    transcript = Transcript(original.scenario, original.protocol, original.parties, original.seed)
    transcript.settings = dict(original.settings)
    draws = iter(recording.draws)
    machine = MACHINES[run.transcript.protocol](
        run.scenario,
        transcript,
        run.strategies,
        via=original.events[0].via,
        chance=lambda hazard, began, now: next(draws),
    )
    refused = []
    for move, at_hours, carried in recording.moves:
        transcript.events.extend(carried)
        reason = machine.refusal(move, at_hours)  # type: ignore[arg-type]
        if reason is not None:
            refused.append(reason)
            continue
        machine.apply(move, at_hours)  # type: ignore[arg-type]
    return transcript, refused
