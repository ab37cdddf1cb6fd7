"""The README's "What must be true" figures are what ``backchannel sensitivity`` prints."""

from __future__ import annotations

from pathlib import Path

from backchannel.analysis.sensitivity import most_critical, sensitivity
from backchannel.scenario.loader import load_scenario

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_names_the_flagships_three_critical_assumptions() -> None:
    text = README.read_text().split("## What must be true", 1)[1].split("\n## ", 1)[0]
    scenario = load_scenario("iran-us")
    entries = sensitivity(scenario)
    first, second, third = most_critical(entries)
    assert (first.parameter, first.threshold) == ("iran.red_lines.enrichment", "below 20")
    assert (second.parameter, second.threshold) == ("us.red_lines.enrichment", "above 0")
    assert third.parameter == "iran.ratifier.threshold"
    assert f"({first.zone_now:,} of {scenario.space.size:,} deals to none)" in text
    assert f"above {third.threshold:.3f} he approves no deal in the zone" in text
    veto = next(e for e in entries if e.effect == "nash vetoed" and e.parameter.startswith("iran"))
    assert f"above {veto.threshold:.3f} he already vetoes the Nash package" in text
    for party in ("us", "iran"):
        closes = next(
            e
            for e in entries
            if e.parameter == f"{party}.reservation" and e.effect == "zone closes"
        )
        assert f"from {closes.current:.2f} past {closes.threshold:.3f}" in text
