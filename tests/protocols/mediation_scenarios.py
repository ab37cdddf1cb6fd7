"""Variants of the split fixture with other channels and parties, built from spec dicts."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from backchannel.scenario.loader import compile_spec
from backchannel.scenario.model import Scenario
from backchannel.scenario.schema import ScenarioSpec

SPLIT = Path(__file__).parent.parent / "fixtures" / "split.yaml"


def split_data() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(SPLIT.read_text()))


def split_with(
    intermediaries: list[dict[str, Any]] | None = None,
    *,
    direct_delay_hours: float | None = None,
    channel: dict[str, Any] | None = None,
    parties: dict[str, dict[str, Any]] | None = None,
    **top: Any,
) -> Scenario:
    """The split scenario with another channel and/or extra fields on parties."""
    data = split_data()
    if intermediaries is not None:
        data["channel"]["intermediaries"] = intermediaries
    if direct_delay_hours is not None:
        data["channel"]["direct_delay_hours"] = direct_delay_hours
    data["channel"].update(channel or {})
    for party in data["parties"]:
        party.update((parties or {}).get(party["id"], {}))
    data.update(top)
    return compile_spec(ScenarioSpec.model_validate(data))


def leakier_from(date: str, leak: float) -> dict[str, Any]:
    """A timeline (starting 1 January 2026) whose one event, on ``date``, makes the broker's
    leak chance ``leak`` higher."""
    event = {
        "id": "press-briefing",
        "date": date,
        "effects": [{"intermediary": "broker", "leak": leak}],
    }
    return {"start": "2026-01-01", "events": [event]}
