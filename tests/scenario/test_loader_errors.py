"""Every kind of user error in a scenario file gets a message with its place and its fix."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from backchannel.agents.registry import strategy_names
from backchannel.scenario.errors import ScenarioError
from backchannel.scenario.loader import load_scenario

BASE: dict[str, Any] = {
    "name": "deal",
    "issues": [
        {"id": "price", "range": {"min": 10, "max": 20, "step": 1}, "unit": "k"},
        {"id": "colour", "options": ["red", "blue"]},
    ],
    "parties": [
        {
            "id": "buyer",
            "reservation": 0.1,
            "preferences": {
                "weights": {"price": 0.7, "colour": 0.3},
                "values": {"price": [[10, 1.0], [20, 0.0]], "colour": {"red": 1.0, "blue": 0.2}},
            },
            "red_lines": [{"issue": "price", "above": 18}],
        },
        {
            "id": "seller",
            "preferences": {
                "weights": {"price": 0.6, "colour": 0.4},
                "values": {"price": [[10, 0.0], [20, 1.0]], "colour": {"red": 0.0, "blue": 1.0}},
            },
        },
    ],
    "channel": {"intermediaries": [{"id": "agent", "delay_hours": 5}]},
    "packages": [{"id": "fair", "terms": {"price": 15, "colour": "red"}}],
}


def write(tmp_path: Path, data: Any, name: str = "deal.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def problems_of(path: Path) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, strategy_names())
    text = caught.value.render()
    assert str(path) in text
    assert "fix:" in text
    return text


def changed(edit) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    edit(data)
    return data


def test_the_base_file_is_valid(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, BASE))
    assert scenario.space.size == 22
    assert scenario.package("fair").index == scenario.space.index({"price": 15, "colour": "red"})


def test_json_files_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "deal.json"
    path.write_text(json.dumps(BASE))
    assert load_scenario(path).name == "deal"


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: deal\nissues:\n  - id: price\n   options: [a]\n")
    text = problems_of(path)
    assert "not valid YAML" in text and "bad.yaml:" in text


def test_bad_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"name": "deal",\n "issues": [,]}')
    assert "not valid JSON" in problems_of(path)


def test_missing_file_lists_bundled_names(tmp_path: Path) -> None:
    text = problems_of(tmp_path / "nope.yaml")
    assert "iran-us" in text


def test_unknown_issue_in_weights(tmp_path: Path) -> None:
    data = changed(lambda d: d["parties"][0]["preferences"]["weights"].update(size=0.0))
    text = problems_of(write(tmp_path, data))
    assert "parties[0].preferences.weights.size" in text and "'size' is not an issue" in text


def test_unknown_option_in_value_table(tmp_path: Path) -> None:
    data = changed(lambda d: d["parties"][1]["preferences"]["values"]["colour"].update(green=0.5))
    text = problems_of(write(tmp_path, data))
    assert "parties[1].preferences.values.colour.green" in text and "red, blue" in text


def test_weights_that_do_not_sum_to_one(tmp_path: Path) -> None:
    data = changed(lambda d: d["parties"][0]["preferences"]["weights"].update(price=0.6))
    text = problems_of(write(tmp_path, data))
    assert "weights sum to 0.9, not 1" in text and "parties[0].preferences.weights" in text


def test_missing_weight(tmp_path: Path) -> None:
    data = changed(lambda d: d["parties"][0]["preferences"]["weights"].pop("colour"))
    assert "no weight for issue(s) colour" in problems_of(write(tmp_path, data))


def test_red_line_naming_nothing(tmp_path: Path) -> None:
    data = changed(
        lambda d: d["parties"][0]["red_lines"].__setitem__(0, {"issue": "price", "above": 25})
    )
    text = problems_of(write(tmp_path, data))
    assert "parties[0].red_lines[0]" in text and "excludes no outcome" in text


def test_red_line_on_unknown_issue(tmp_path: Path) -> None:
    data = changed(
        lambda d: d["parties"][0]["red_lines"].__setitem__(0, {"issue": "size", "above": 2})
    )
    assert "parties[0].red_lines[0].issue" in problems_of(write(tmp_path, data))


def test_red_line_without_a_rule(tmp_path: Path) -> None:
    data = changed(lambda d: d["parties"][0]["red_lines"].__setitem__(0, {"issue": "price"}))
    assert "say which outcomes are excluded" in problems_of(write(tmp_path, data))


def test_negative_delay(tmp_path: Path) -> None:
    data = changed(lambda d: d["channel"]["intermediaries"][0].update(delay_hours=-3))
    text = problems_of(write(tmp_path, data))
    assert "channel.intermediaries[0].delay_hours" in text and "greater than or equal to 0" in text


def test_value_out_of_range(tmp_path: Path) -> None:
    data = changed(lambda d: d["parties"][0]["preferences"]["values"]["colour"].update(red=1.5))
    assert "parties[0].preferences.values.colour" in problems_of(write(tmp_path, data))


def test_unknown_key_is_a_typo(tmp_path: Path) -> None:
    data = changed(lambda d: d["parties"][0].update(reservaton=0.2))
    text = problems_of(write(tmp_path, data))
    assert "parties[0].reservaton" in text and "correct its spelling" in text


def test_missing_required_field(tmp_path: Path) -> None:
    data = changed(lambda d: d["parties"][1].pop("preferences"))
    assert "add the field 'preferences'" in problems_of(write(tmp_path, data))


def test_unknown_strategy(tmp_path: Path) -> None:
    data = changed(lambda d: d["parties"][1].update(strategy="telepathy"))
    text = problems_of(write(tmp_path, data))
    assert "unknown strategy 'telepathy'" in text and "boulware" in text


def test_package_with_unknown_value(tmp_path: Path) -> None:
    data = changed(lambda d: d["packages"][0]["terms"].update(colour="green"))
    assert "packages[0].terms.colour" in problems_of(write(tmp_path, data))


def test_incomplete_package(tmp_path: Path) -> None:
    data = changed(lambda d: d["packages"][0]["terms"].pop("colour"))
    assert "leaves issue(s) colour open" in problems_of(write(tmp_path, data))


def test_duplicate_ids(tmp_path: Path) -> None:
    data = changed(lambda d: d["parties"][1].update(id="buyer"))
    assert "id 'buyer' is used twice" in problems_of(write(tmp_path, data))


def test_unknown_default_route(tmp_path: Path) -> None:
    data = changed(lambda d: d["channel"].update(default_route="qatar"))
    assert "channel.default_route" in problems_of(write(tmp_path, data))


def test_issue_needs_exactly_one_kind(tmp_path: Path) -> None:
    data = changed(lambda d: d["issues"][1].update(values=[1, 2]))
    assert "give exactly one of 'options'" in problems_of(write(tmp_path, data))


def test_the_file_must_be_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    assert "must hold a mapping" in problems_of(path)


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["parties"][0]["preferences"]["weights"]["price"] = 0.6
        d["parties"][1]["strategy"] = "telepathy"

    text = problems_of(write(tmp_path, changed(edit)))
    assert "2 problems found" in text


def test_field_problems_carry_their_line_number(tmp_path: Path) -> None:
    data = changed(lambda d: d["channel"]["intermediaries"][0].update(delay_hours=-3))
    path = write(tmp_path, data)
    text = problems_of(path)
    line = next(n for n, t in enumerate(path.read_text().splitlines(), 1) if "delay_hours" in t)
    assert f"{path}:{line}" in text
