"""Lines of ``backchannel run``'s account for channel and mediation events."""

from __future__ import annotations

from backchannel.channel.fidelity import describe_change
from backchannel.cli.render import terms
from backchannel.protocols.transcript import Event
from backchannel.scenario.model import Scenario

SENT_BY_MEDIATOR = {
    "draft": "draft",
    "proposal": "proposes",
    "post_settlement_proposal": "proposes an improvement",
}


def describe_mediation(model: Scenario, names: dict[str, str], event: Event) -> str | None:
    """One line for a channel or mediation event, or None for events not worth a line."""
    day = f"[dim]day {event.time_hours / 24:6.1f}[/]"
    pad = f"{day}           "
    who = names.get(event.sender or "", event.sender or "")
    to = names.get(event.receiver or "", event.receiver or "")
    details = event.details
    kind = event.kind
    if kind == "agreement" and details.get("below_walkaway"):
        walkaway = details["walkaway"]
        below = ", ".join(
            f"{names.get(p, p)} (walk-away {walkaway[p]:.3f})" for p in details["below_walkaway"]
        )
        return (
            f"{pad} [red]below walk-away:[/] the deal leaves {below} worse off than walking away"
            " once time discounting and any price of direct contact or leaks are counted"
        )
    if kind == "start" and "deadline_hours" in details:
        return f"{pad} the talks open; the deadline is day {details['deadline_hours'] / 24:g}"
    if kind == "expired":
        would = details["would_arrive_at_hours"]
        arrival = "never" if would is None else f"day {would / 24:.1f}"
        return (
            f"{pad} [red]deadline:[/] {who}'s {details['message']} to {to} was still in transit"
            f" (due {arrival}) and is void"
        )
    if kind == "hop" and details.get("changes"):
        return f"{pad} [magenta]{event.via[0]} changed the message[/]: " + "; ".join(
            details["changes"]
        )
    if kind == "lost":
        return f"{pad} [red]message lost at {event.via[0] if event.via else 'the line'}[/]"
    if kind == "resend":
        return f"{pad} {who} hears nothing and re-sends (attempt {details['attempt']})"
    if kind == "undelivered":
        return f"{pad} [red]{who}'s message to {to} never arrived[/]"
    if kind == "leak":
        return f"{pad} [yellow]leak:[/] progress reported by news agencies ({details['carrier']})"
    if kind == "hold":
        return f"{pad} the mediator holds the message until day {details['until_hours'] / 24:.1f}"
    if kind == "reword":
        return f"{pad} [magenta]the mediator rewords[/]: " + "; ".join(details["changes"])
    if kind in ("miscalculation", "confirm"):
        colour = "red" if kind == "miscalculation" else "green"
        return f"{pad} [{colour}]{kind}[/]: {details.get('why', '')}"
    if kind in ("ratified", "ratification_failed"):
        verdict = "approves" if kind == "ratified" else "[red]vetoes[/]"
        return f"{pad} {details['ratifier']} ({who}) {verdict} the deal"
    if kind in SENT_BY_MEDIATOR and event.delivered is not None:
        return f"{day} round {event.round:3d}  {who} → {to} {SENT_BY_MEDIATOR[kind]}: " + terms(
            model, event.delivered
        )
    if kind == "answer":
        said = ", ".join(
            f"{k} {'yes' if v else 'no'}" for k, v in details.items() if v in (True, False)
        )
        return f"{pad} {who} answers: {said}"
    if kind == "confide":
        told = "exaggerates" if details.get("exaggerated") else "confides truthfully"
        return f"{pad} {who} {told} to the mediator"
    if kind in ("red_lines_collide", "no_zone"):
        return f"{pad} [red]mediator's private note[/]: {details['why']}"
    if kind == "amend":
        before, after = model.space.positions([details["draft"], details["amendment"]])
        change = describe_change(model.space, before, after)
        return f"{pad} [cyan]the text is amended[/] ({change}): every party voted for it"
    if kind == "post_settlement":
        result = "both gain; the deal is improved" if details["improved"] else "declined"
        return f"{pad} post-settlement settlement: {result}"
    return None
