"""The brief says what the analysis computed, and says something else when the scenario changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backchannel.analysis.outcome_space import analyze_space, outcome_utilities
from backchannel.cli.main import app
from backchannel.report.brief import build_brief
from backchannel.scenario.loader import load_scenario

PRESSURE = Path(__file__).parents[1] / "timeline" / "pressure.yaml"


@pytest.fixture(scope="module")
def pressure():
    return load_scenario(PRESSURE)


@pytest.fixture(scope="module")
def brief(pressure):
    return build_brief(pressure, runs=2)


def test_numbers_match_the_analysis(pressure, brief) -> None:
    analysis = analyze_space(pressure)
    text = brief.markdown()
    assert f"{analysis.zopa_size:,} of the {analysis.outcome_count:,} possible deals" in text
    nash = outcome_utilities(pressure, analysis.nash)
    for party, value in zip(pressure.parties, nash, strict=True):
        gain = value - party.reservation
        assert f"{party.name} {value:.3f} ({gain:+.3f} over walking away)" in text
    shuttle = brief.numbers["shuttle"]
    low, high = shuttle["agreement_rate_interval"]
    rate = f"{shuttle['agreement_rate']:.0%} (95% interval {100 * low:.0f}–{100 * high:.0f}%)"
    assert f"{rate} ended in a deal" in text


def test_three_parts_and_every_sentence_carries_a_number(brief) -> None:
    assert [s.heading for s in brief.sections] == [
        "What happens",
        "Why it matters",
        "What to watch",
    ]
    for section in brief.sections:
        assert section.paragraphs or section.bullets
        for sentence in section.paragraphs + section.bullets:
            assert any(ch.isdigit() for ch in sentence), sentence


def test_events_and_indicators_are_judged(brief) -> None:
    events = brief.numbers["events"]
    assert set(events) == {"ultimatum", "sanctions"}  # the strike moves only the channel
    assert events["ultimatum"]["zone_with"] < events["ultimatum"]["zone_without"]
    currency = brief.numbers["indicators"]["currency"]
    assert currency["now"] == pytest.approx(0.2)
    assert "Watch the official exchange rate" in brief.markdown()


def test_text_changes_when_the_scenario_changes(pressure, brief) -> None:
    stricter = pressure.with_party("a", reservation=0.45)
    other = build_brief(stricter, runs=2)
    assert other.numbers["zopa_size"] < brief.numbers["zopa_size"]
    assert f"{other.numbers['zopa_size']:,} of the 101 possible deals" in other.markdown()
    assert other.markdown() != brief.markdown()


def test_no_zone_is_said_plainly(pressure) -> None:
    impossible = pressure.with_party("a", reservation=0.9).with_party("b", reservation=0.9)
    text = build_brief(impossible, runs=1).markdown()
    assert "there is no zone of possible agreement today" in text
    assert "none ended in a deal" in text


def test_cli_writes_markdown_html_and_plots(tmp_path: Path) -> None:
    out = tmp_path / "brief"
    result = CliRunner().invoke(app, ["brief", str(PRESSURE), "-o", str(out), "--runs", "2"])
    assert result.exit_code == 0, result.output
    for name in ("brief.md", "brief.html", "outcome-space.png", "pressure.png"):
        assert (out / name).stat().st_size > 0
    html = (out / "brief.html").read_text()
    assert "<h2>What to watch</h2>" in html and 'src="pressure.png"' in html


def test_why_it_matters_opens_with_the_three_most_critical_assumptions(pressure, brief) -> None:
    from backchannel.analysis.sensitivity import most_critical, sensitivity

    matters = next(s for s in brief.sections if s.heading == "Why it matters")
    opening = matters.paragraphs[0]
    assert opening.startswith("What must be true:")
    critical = most_critical(sensitivity(pressure))
    assert [c["parameter"] for c in brief.numbers["critical"]] == [c.parameter for c in critical]
    for entry in critical:
        assert entry.parameter in opening


def test_every_rate_carries_an_interval_and_no_difference_is_claimed_without_one(brief) -> None:
    text = brief.markdown()
    for rate in re.finditer(r"\d+% (?:\(95% interval \d+–\d+%\))?", text):
        if (
            "ended in a deal" in text[rate.end() : rate.end() + 40]
            or "agreement rate" in text[max(0, rate.start() - 60) : rate.start()]
        ):
            assert "95% interval" in rate.group(0), text[rate.start() - 60 : rate.end() + 40]
    # 2 runs each: no rate difference can be supported, so none is claimed
    assert "would change the agreement rate" not in text
    assert "the agreement rate would go from" not in text
    assert not re.search(r"from (\d+%)[^.;]* to \1 ", text)  # "from 80% to 80%"
    assert "would not change the agreement rate" not in text


def test_the_window_is_sampled_at_times_not_days(brief) -> None:
    text = brief.markdown()
    assert "days sampled" not in text
    assert re.search(r"at all \d+ times sampled", text) or "closes around" in text


def test_a_share_is_never_scanned_past_1() -> None:
    flagship = load_scenario("iran-us-2025")
    brief = build_brief(flagship, runs=2)
    rial = brief.numbers["indicators"]["rial_depreciation"]
    assert max(rial["values"]) <= 1.0 and min(rial["values"]) >= 0.0
    assert "to 1.04" not in brief.markdown()
    assert " to 3,099 deals" not in brief.markdown()  # "3,099 to 3,099" said once


def test_the_brief_says_what_day_it_speaks_as_of(brief) -> None:
    assert "As of 1 January 2026 (the day the scenario's clock starts)." in brief.markdown()


def test_the_as_of_sentence_names_the_newest_source() -> None:
    from backchannel.report.critical import as_of_sentence

    sentence = as_of_sentence(load_scenario("iran-us"))
    assert sentence == (
        "As of 20 January 2026 (the day the scenario's clock starts); its newest dated source, "
        "of 20 January 2026."
    )
