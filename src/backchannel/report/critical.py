"""What must be true, in words: the critical assumptions (for the brief and the ``sensitivity``
command) and the date the brief speaks as of."""

from __future__ import annotations

from backchannel.analysis.sensitivity import Threshold, most_critical, sensitivity
from backchannel.scenario.model import Scenario

EFFECT_WORDS = {
    "zone closes": "the zone of agreement closes",
    "zone opens": "a zone of agreement opens",
    "nash changes": "the Nash package changes",
    "nash vetoed": "the ratifier vetoes the Nash package",
    "nash ratified": "the ratifier approves the Nash package",
}
OPENING = (
    "What must be true: the figures in this brief rest on assumptions that a small change would "
    "overturn; the {count} most critical are {items}. Every threshold: `backchannel sensitivity`."
)

NONE_CRITICAL = (
    "What must be true: no stated walk-away value, weight, red line, ratifier threshold or "
    "deadline, moved within its range, closes or opens the zone of agreement or changes the Nash "
    "package (checked by `backchannel sensitivity` over all 0-1 ranges)."
)


def value_text(value: float | str) -> str:
    return value if isinstance(value, str) else f"{value:.4g}"


def describe(entry: Threshold) -> str:
    """One clause: ``us.red_lines.enrichment: tighten from above 3.67 to above 0 and the zone
    of agreement closes (agreement zone 3,099 to 0 deals)``."""
    verb = entry.change.split(" ", 1)[0]
    joint = "to" if isinstance(entry.threshold, str) else "past"
    return (
        f"{entry.parameter}: {verb} from {value_text(entry.current)} {joint} "
        f"{value_text(entry.threshold)} and {EFFECT_WORDS[entry.effect]} ({entry.zone} zone "
        f"{entry.zone_now:,} to {entry.zone_after:,} deals)"
    )


def critical_opening(scenario: Scenario) -> tuple[str, list[dict[str, object]]]:
    """The brief's opening sentence for "why it matters", and the entries it names."""
    chosen = most_critical(sensitivity(scenario))
    items = "; ".join(f"({n}) {describe(e)}" for n, e in enumerate(chosen, 1))
    if not chosen:
        return NONE_CRITICAL, []
    count = {1: "one", 2: "two", 3: "three"}.get(len(chosen), str(len(chosen)))
    return OPENING.format(count=count, items=items), [e.as_dict() for e in chosen]


def as_of_sentence(scenario: Scenario) -> str | None:
    """``As of 20 January 2026 (the day the scenario's clock starts); its newest dated source is
    of 20 January 2026.``, or None when the scenario has neither a clock nor dated sources."""
    from backchannel.scenario.evidence import latest_evidence

    spec = scenario.spec
    newest = latest_evidence(spec) if spec is not None else None
    start = scenario.timeline.start if scenario.timeline is not None else None
    if start is None and newest is None:
        return None
    parts = []
    if start is not None:
        parts.append(f"As of {_day(start)} (the day the scenario's clock starts)")
    if newest is not None:
        lead = "; its" if parts else "As of its"
        parts.append(f"{lead} newest dated source, of {_day(newest)}")
    return "".join(parts) + "."


def _day(day) -> str:
    return f"{day.day} {day:%B %Y}"
