"""Events in words: the one place that turns a transcript event into a line for people.

``backchannel run`` prints these lines (``cli.run`` and ``cli.story`` lay them out: dates,
folding, wrapping); anything else that tells a negotiation uses the same words. A line is Rich
markup (``[dim]``, ``[cyan]``) so that a terminal can colour it. Terms are written with their
units (:func:`terms`), a side's repeat offers as what moved (:func:`changes`).
"""

from __future__ import annotations

from backchannel.channel.fidelity import describe_change
from backchannel.protocols.events import EventKind
from backchannel.protocols.transcript import Event
from backchannel.scenario.model import Scenario


def term_values(scenario: Scenario, index: int) -> dict[str, str]:
    """``{"enrichment": "3.67%", "frozen_funds": "6 bn USD"}``: each value with its unit."""
    values = {}
    for issue_id, value in scenario.space.outcome(index).items():
        issue = scenario.space.issue(issue_id)
        unit = getattr(issue, "unit", "")
        text = f"{value:g}" if isinstance(value, float) else str(value)
        values[issue_id] = f"{text}{' ' + unit if unit and unit != '%' else unit}"
    return values


def terms(scenario: Scenario, index: int, separator: str = ", ") -> str:
    """``enrichment=3.67%, frozen_funds=6 bn USD``."""
    return separator.join(f"{k}={v}" for k, v in term_values(scenario, index).items())


def changes(scenario: Scenario, before: int, after: int) -> str:
    """Only what moved between two offers, e.g. ``frozen_funds 4 → 6 bn USD``."""
    old, new = term_values(scenario, before), term_values(scenario, after)
    moved = [f"{k} {old[k]} → {new[k]}" for k in new if new[k] != old[k]]
    return "; ".join(moved) if moved else "same terms again"


def describe_event(
    model: Scenario,
    names: dict[str, str],
    event: Event,
    last_offer: dict[str, int],
) -> str | None:
    """One line of the account; a side's repeat offers show only what moved since its last."""
    day = f"[dim]day {event.time_hours / 24:6.1f}[/]"
    if event.kind == EventKind.OFFER:
        assert event.delivered is not None
        hops = [short_name(model, hop) for hop in event.via]
        path = " → ".join([names[event.sender or ""], *hops, names[event.receiver or ""]])
        values = "worth " + ", ".join(
            f"{p.name} {model.utilities[event.delivered, k]:.2f}"
            for k, p in enumerate(model.parties)
        )
        sender = event.sender or ""
        previous = last_offer.get(sender)
        last_offer[sender] = event.delivered
        offer = (
            terms(model, event.delivered)
            if previous is None
            else changes(model, previous, event.delivered)
        )
        return f"{day} round {event.round:3d}  {path}: {offer}  [cyan]{values}[/]"
    if event.kind in (EventKind.ACCEPT, EventKind.REJECT):
        colour = "green" if event.kind == EventKind.ACCEPT else "yellow"
        return f"{day}            {names[event.sender or '']} [{colour}]{event.kind}s[/]"
    if event.kind == EventKind.DIRECT_CONTACT_COST:
        return (
            f"{day}            {names[event.sender or '']} talks directly and pays a domestic "
            f"price of {event.details['cost']:g}"
        )
    return describe_mediation(model, names, event)


def short_name(model: Scenario, hop: str) -> str:
    """``Oman`` for the hop named "Oman (Omani officials, Muscat)": a name, short enough for
    every line; the header gives the full one."""
    for intermediary in model.channel.intermediaries:
        if intermediary.id == hop:
            return intermediary.name.split(" (")[0]
    return hop


SENT_BY_MEDIATOR = {
    EventKind.DRAFT: "draft",
    EventKind.PROPOSAL: "proposes",
    EventKind.POST_SETTLEMENT_PROPOSAL: "proposes an improvement",
}


def describe_mediation(model: Scenario, names: dict[str, str], event: Event) -> str | None:
    """One line for a channel or mediation event, or None for events not worth a line."""
    day = f"[dim]day {event.time_hours / 24:6.1f}[/]"
    pad = f"{day}           "
    who = names.get(event.sender or "", event.sender or "")
    to = names.get(event.receiver or "", event.receiver or "")
    details = event.details
    kind = event.kind
    if kind == EventKind.AGREEMENT and details.get("below_walkaway"):
        walkaway = details["walkaway"]
        below = ", ".join(
            f"{names.get(p, p)} (walk-away {walkaway[p]:.3f})" for p in details["below_walkaway"]
        )
        return (
            f"{pad} [red]below walk-away:[/] the deal leaves {below} worse off than walking away"
            " once time discounting and any price of direct contact or leaks are counted"
        )
    if kind == EventKind.TIMELINE and "changes" in details:
        return f"{pad} [blue]{timeline_text(names, details)}[/]"
    if kind == EventKind.TIMELINE and details.get("cause") == "breakdown":
        return f"{pad} [red]the talks collapse[/]: {event_name(model, details['event'])}"
    if kind == EventKind.EXPIRED:
        would = details["would_arrive_at_hours"]
        arrival = "never" if would is None else f"day {would / 24:.1f}"
        return (
            f"{pad} [red]deadline:[/] {who}'s {details['message']} to {to} was still in transit"
            f" (due {arrival}) and is void"
        )
    if kind == EventKind.HOP and details.get("changes"):
        return f"{pad} [magenta]{event.via[0]} changed the message[/]: " + "; ".join(
            details["changes"]
        )
    if kind == EventKind.LOST:
        return f"{pad} [red]message lost at {event.via[0] if event.via else 'the line'}[/]"
    if kind == EventKind.RESEND:
        return f"{pad} {who} hears nothing and re-sends (attempt {details['attempt']})"
    if kind == EventKind.UNDELIVERED:
        return f"{pad} [red]{who}'s message to {to} never arrived[/]"
    if kind == EventKind.LEAK:
        return f"{pad} [yellow]leak:[/] progress reported by news agencies ({details['carrier']})"
    if kind == EventKind.RESUME:
        days = (event.time_hours - details["collapsed_at_hours"]) / 24
        standing = ", ".join(
            f"{names.get(p, p)} {value:.3f}" for p, value in details["reservations"].items()
        )
        with_values = f"; walking away is now worth {standing}" if standing else ""
        also = ""
        if "event" in details:
            also = f", with {event_name(model, details['event'])} in force"
        return (
            f"{pad} [green]the talks resume[/] {days:g} days after collapse "
            f"{details['collapse']}{also}{with_values}"
        )
    if kind == EventKind.SESSION:
        opens, closes = details["opens_at_hours"], details["closes_at_hours"]
        return (
            f"{pad} [bold]{details['schedule']}: session {details['number']} opens[/]"
            f" at {_clock(opens)} for {closes - opens:g} hours; relays wait for a session"
        )
    if kind == EventKind.HOLD:
        return f"{pad} the mediator holds the message until day {details['until_hours'] / 24:.1f}"
    if kind == EventKind.REWORD:
        return f"{pad} [magenta]the mediator rewords[/]: " + "; ".join(details["changes"])
    if kind in (EventKind.MISCALCULATION, EventKind.CONFIRM):
        colour = "red" if kind == EventKind.MISCALCULATION else "green"
        return f"{pad} [{colour}]{kind}[/]: {details.get('why', '')}"
    if kind in (EventKind.RATIFIED, EventKind.RATIFICATION_FAILED):
        verdict = "approves" if kind == EventKind.RATIFIED else "[red]vetoes[/]"
        return f"{pad} {details['ratifier']} ({who}) {verdict} the deal"
    if kind in SENT_BY_MEDIATOR and event.delivered is not None:
        return f"{day} round {event.round:3d}  {who} → {to} {SENT_BY_MEDIATOR[kind]}: " + terms(
            model, event.delivered
        )
    if kind == EventKind.ANSWER:
        said = ", ".join(
            f"{k} {'yes' if v else 'no'}" for k, v in details.items() if v in (True, False)
        )
        return f"{pad} {who} answers: {said}"
    if kind == EventKind.CONFIDE:
        told = "exaggerates" if details.get("exaggerated") else "confides truthfully"
        return f"{pad} {who} {told} to the mediator"
    if kind in (EventKind.RED_LINES_COLLIDE, EventKind.NO_ZONE):
        return f"{pad} [red]mediator's private note[/]: {details['why']}"
    if kind == EventKind.AMEND:
        before, after = model.space.positions([details["draft"], details["amendment"]])
        change = describe_change(model.space, before, after)
        return f"{pad} [cyan]the text is amended[/] ({change}): every party voted for it"
    if kind == EventKind.POST_SETTLEMENT:
        result = "both gain; the deal is improved" if details["improved"] else "declined"
        return f"{pad} post-settlement settlement: {result}"
    return None


def _clock(hours: float) -> str:
    """``10:00``: the hour of the day of a simulated time (day 0 starts at midnight)."""
    minutes = round((hours % 24) * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def event_name(model: Scenario, event_id: str) -> str:
    """The timeline event's name ("Talks break down and strikes resume"), or its id."""
    timeline = model.timeline
    names = {e.id: e.name for e in timeline.events} if timeline is not None else {}
    return names.get(event_id) or event_id


def timeline_text(names: dict[str, str], details: dict) -> str:
    """``snapback: Iran: walk-away value 0.5 → 0.58, deadline (days) none → 120``."""
    moved = []
    for name, change in details["changes"].items():
        before, after = change["before"], change["after"]
        label = TIMELINE_FIELDS.get(name, name.replace("_", " "))
        moved.append(f"{label} {_value(before)} → {_value(after)}")
    who = names.get(details["id"], details["id"])
    if details["target"] == "hop":
        who = f"the {who} line" if details["id"] == "direct" else f"via {who}"
    causes = ", ".join(details.get("causes", [])) or "pressure over time"
    return f"{causes}: {who}: " + ", ".join(moved)


TIMELINE_FIELDS = {
    "reservation": "walk-away value",
    "deadline_days": "deadline (days)",
    "delay_hours": "delay (hours)",
    "refuses_direct_talks": "refuses direct talks",
}


def _value(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:g}"
    return str(value)
