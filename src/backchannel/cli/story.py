"""The layout of ``backchannel run``'s account in a terminal: when, then what, wrapped.

What each event says comes from :mod:`backchannel.report.describe`; this module decides how it
is laid out: a column of dates (calendar dates when the scenario's timeline has a start date,
else simulated days), the text wrapped at word boundaries under itself, runs of rounds in which
both sides only repeat themselves folded into one line, the deadline and walk-away values up
front, and a closing line that says why the talks ended as they did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

if TYPE_CHECKING:
    from backchannel.analysis.outcome_space import SpaceAnalysis
    from backchannel.protocols.transcript import Event, Transcript
    from backchannel.scenario.model import Party, Scenario

REPEAT = "same terms again"
# The time prefix the describers put before their text (the layout shows time in its column).
_PREFIX = re.compile(r"^\[dim\]day\s+-?[\d.]+\[/\]\s*(?:round\s+(\d+)\s+)?\s*")


@dataclass(frozen=True)
class Entry:
    """One line of the account before layout: when, which round, what, and whether it is a
    repeat offer or a rejection (the two things a folded stretch is made of)."""

    hours: float
    round: int | None
    text: str
    kind: str
    repeat: bool = False


def entry(event: Event, line: str) -> Entry:
    """An :class:`Entry` from a describer's line, its time prefix taken off."""
    match = _PREFIX.match(line)
    body = line[match.end() :] if match else line
    round_number = int(match.group(1)) if match and match.group(1) else None
    repeat = event.kind == "offer" and REPEAT in body.split("  [cyan]")[0]
    return Entry(event.time_hours, round_number, body, event.kind, repeat)


def fold(entries: list[Entry], minimum: int = 3) -> list[Entry]:
    """Replace each stretch of at least ``minimum`` repeated offers (with the rejections
    between them, and nothing else) by one line: "rounds 12–19: the same terms again"."""
    folded: list[Entry] = []
    k = 0
    while k < len(entries):
        if entries[k].repeat:
            end, offers = k, []
            while end < len(entries) and (entries[end].repeat or entries[end].kind == "reject"):
                if entries[end].repeat:
                    offers.append(entries[end])
                end += 1
            if len(offers) >= minimum:
                first, last = offers[0], offers[-1]
                text = (
                    f"rounds {first.round}–{last.round}: the same terms again "
                    f"({len(offers)} offers, each side repeating its last, each rejected)"
                )
                folded.append(Entry(first.hours, None, text, "folded"))
                k = end
                continue
        folded.append(entries[k])
        k += 1
    return folded


_measure = Console(width=10_000, color_system=None)  # only measures text: Text.wrap needs one


class Clock:
    """Dates for simulated hours: the calendar when the timeline has a start date."""

    def __init__(self, scenario: Scenario) -> None:
        self.timeline = scenario.timeline

    def when(self, hours: float) -> str:
        if self.timeline is None:
            return f"day {hours / 24:.1f}"
        return self.timeline.date_at(hours).isoformat()

    def day(self, hours: float) -> str:
        """``day 180 (2026-07-30)``: the simulated day, with its date when there is one."""
        text = f"day {hours / 24:g}"
        if self.timeline is not None:
            text += f" ({self.timeline.date_at(hours).isoformat()})"
        return text


def account(entries: list[Entry], clock: Clock, width: int) -> list[Text]:
    """Lines of text: the date and round in a column, then what happened, wrapped at word
    boundaries to ``width`` with the continuation lines indented under the text."""
    whens = [clock.when(item.hours) for item in entries]
    rounds = [f"r{item.round}" if item.round is not None else "" for item in entries]
    when_width = max((len(w) for w in whens), default=0)
    round_width = max((len(r) for r in rounds), default=0)
    indent = when_width + 1 + round_width + 1
    lines: list[Text] = []
    for when, round_text, item in zip(whens, rounds, entries, strict=True):
        body = Text.from_markup(item.text)
        wrapped = body.wrap(_measure, max(width - indent, 20), overflow="fold")
        head = Text(when.ljust(when_width), style="dim")
        head.append(" " + round_text.rjust(round_width) + " ")
        for number, part in enumerate(wrapped):
            part.rstrip()
            lines.append((head if number == 0 else Text(" " * indent)) + part)
    return lines


def opening(scenario: Scenario, clock: Clock) -> list[str]:
    """The deadline and what walking away is worth to each side, before the first round."""
    deadline = clock.day(scenario.deadline_days * 24)
    when = f"The deadline is {deadline}, after at most {scenario.max_rounds} rounds"
    if scenario.timeline is not None:
        when = f"Day 0 is {scenario.timeline.start.isoformat()}. " + when
    walk_away = ", ".join(f"{p.name} {p.reservation:.3f}" for p in scenario.parties)
    moves = " (the timeline may move them)" if scenario.timeline is not None else ""
    return [f"{when}.", f"Walking away is worth (utility, 0 to 1): {walk_away}{moves}."]


def closing(scenario: Scenario, transcript: Transcript, analysis: SpaceAnalysis) -> str:
    """Why there was a deal, or why not, in one sentence from the transcript's numbers."""
    result = transcript.result
    assert result is not None
    names = {p.id: p.name for p in scenario.parties}
    if result.agreement is not None:
        parties = _parties_at(scenario, result.time_hours)
        pairs = [(p, result.utilities[p.id]) for p in parties]
        worth = ", ".join(
            f"{names[p.id]} {value:.3f} against its walk-away {p.reservation:.3f}"
            for p, value in pairs
        )
        below = [names[p.id] for p, value in pairs if value < p.reservation]
        why = (
            "Why a deal: every side got at least what walking away was worth to it"
            if not below
            else "A deal although it leaves " + ", ".join(below) + " below its walk-away value"
        )
        return f"{why} ({worth})."
    if result.reason == "breakdown":
        return (
            "Why no deal: the talks collapsed before a deal (the scenario's breakdown hazard); "
            "each side is paid what the scenario declares a collapse is worth to it."
        )
    zone = (
        f"a deal every side preferred to walking away existed ({analysis.zopa_size:,} "
        "packages), so this is a miscalculation"
        if analysis.zopa_exists
        else "no package was worth more than walking away to every side, so no deal was possible"
    )
    return f"Why no deal: {result.reason}; {zone}."


def _parties_at(scenario: Scenario, hours: float) -> tuple[Party, ...]:
    """The parties as they stand at ``hours``: a timeline may have moved their walk-away."""
    if scenario.timeline is None:
        return scenario.parties
    from backchannel.scenario.at_time import state_at

    return state_at(scenario.timeline, scenario, hours).parties
