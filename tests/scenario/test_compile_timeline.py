from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from backchannel.scenario.errors import ScenarioError
from backchannel.scenario.loader import load_scenario

HERE = Path(__file__).parents[1] / "timeline"


def variant(tmp_path: Path, change) -> Path:
    """A copy of the pressure scenario with ``change`` applied to its data (CSV copied along)."""
    data = yaml.safe_load((HERE / "pressure.yaml").read_text())
    change(data)
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "currency.csv").write_text((HERE / "data" / "currency.csv").read_text())
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def problems_of(path: Path) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return caught.value.render()


def test_compiles_events_and_indicators(pressure) -> None:
    timeline = pressure.timeline
    assert [e.id for e in timeline.events] == ["ultimatum", "broker-strike", "sanctions"]
    assert timeline.event("sanctions").date is None
    assert timeline.indicator("currency").effects[0].target == ("party", "a")
    assert "walking away" in timeline.event("ultimatum").effects[0].note


def test_csv_path_is_relative_to_the_scenario_file(tmp_path: Path) -> None:
    path = variant(tmp_path, lambda d: None)
    assert load_scenario(path).timeline.indicator("currency").values[-1] == pytest.approx(0.4)


def test_unknown_party_is_named_with_its_place(tmp_path: Path) -> None:
    def change(d):
        d["timeline"]["events"][0]["effects"][0]["party"] = "c"

    text = problems_of(variant(tmp_path, change))
    assert "timeline.events[0].effects[0].party" in text
    assert "use one of the party ids: a, b" in text


def test_unknown_intermediary_lists_the_direct_line(tmp_path: Path) -> None:
    def change(d):
        d["timeline"]["events"][1]["effects"][0]["intermediary"] = "oman"

    assert "use one of: direct, broker" in problems_of(variant(tmp_path, change))


def test_a_leak_on_the_direct_line_is_refused_with_the_fix(tmp_path: Path) -> None:
    """The direct line has no leak chance to change (leaks come from intermediaries), so the
    effect would be reported in every transcript and change nothing."""

    def change(d):
        d["timeline"]["events"][1]["effects"] = [{"intermediary": "direct", "leak": 0.2}]

    text = problems_of(variant(tmp_path, change))
    assert "timeline.events[1].effects[0].leak" in text
    assert "the direct line does not leak" in text
    assert "name an intermediary" in text


def test_indicator_cannot_flip_a_switch(tmp_path: Path) -> None:
    def change(d):
        d["timeline"]["indicators"][0]["effects"] = [{"intermediary": "broker", "suspended": True}]

    assert "declare a dated event" in problems_of(variant(tmp_path, change))


def test_missing_csv_names_the_indicator(tmp_path: Path) -> None:
    def change(d):
        d["timeline"]["indicators"][0]["csv"] = "data/missing.csv"

    text = problems_of(variant(tmp_path, change))
    assert "timeline.indicators[0].csv" in text
    assert "missing.csv does not exist" in text


@pytest.mark.parametrize(
    ("effect", "message"),
    [
        ({"party": "a", "suspended": True}, "suspended cannot change a party"),
        ({"party": "a", "intermediary": "broker", "reservation": 0.1}, "exactly one target"),
        ({"party": "a"}, "say what changes"),
    ],
)
def test_effect_shape_errors(tmp_path: Path, effect: dict, message: str) -> None:
    def change(d):
        d["timeline"]["events"][0]["effects"] = [effect]

    text = problems_of(variant(tmp_path, change))
    assert message in text
    assert "timeline.events[0].effects[0]" in text


def test_points_and_csv_together_are_refused(tmp_path: Path) -> None:
    def change(d):
        d["timeline"]["indicators"][0]["points"] = [["2026-01-01", 1.0]]

    assert "either as 'points' or as a 'csv' file" in problems_of(variant(tmp_path, change))


def test_unsorted_points_are_refused(tmp_path: Path) -> None:
    def change(d):
        indicator = d["timeline"]["indicators"][0]
        del indicator["csv"]
        indicator["points"] = [["2026-02-01", 1.0], ["2026-01-01", 2.0]]

    text = problems_of(variant(tmp_path, change))
    assert "timeline.indicators[0].points[1]" in text
    assert "sort the points by date" in text
