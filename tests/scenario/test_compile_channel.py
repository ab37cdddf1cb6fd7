"""Channel mistakes in a scenario file are reported with their place and their fix."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from backchannel.scenario.errors import ScenarioError
from backchannel.scenario.loader import load_scenario

SPLIT = {
    "name": "split",
    "issues": [{"id": "share", "range": {"min": 0, "max": 100, "step": 10}}],
    "parties": [
        {
            "id": "a",
            "preferences": {"weights": {"share": 1}, "values": {"share": [[0, 0], [100, 1]]}},
        },
        {
            "id": "b",
            "preferences": {"weights": {"share": 1}, "values": {"share": [[0, 1], [100, 0]]}},
        },
    ],
}


def problems(tmp_path, channel: dict[str, Any]) -> str:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({**SPLIT, "channel": channel}))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return caught.value.render()


@pytest.mark.parametrize(
    ("hop", "place", "words"),
    [
        (
            {"fidelity": [{"kind": "round", "issue": "price", "step": 5}]},
            "fidelity[0].issue",
            "not an issue",
        ),
        (
            {"fidelity": [{"kind": "drop", "issue": "share", "default": 55}]},
            "fidelity[0].default",
            "not a value",
        ),
        ({"fidelity": [{"kind": "lean"}]}, "fidelity[0]", "needs a direction"),
        ({"fidelity": [{"kind": "round", "issue": "share"}]}, "fidelity[0]", "coarser 'step'"),
        ({"bias": {"favours": "c"}}, "bias.favours", "not a party"),
        ({"bias": {}}, "bias", "exactly one"),
        (
            {"delay_hours": 5, "delay": {"distribution": "uniform", "low": 1, "high": 2}},
            "intermediaries[0]",
            "either",
        ),
        ({"delay": {"distribution": "triangular", "low": 1, "high": 2}}, "delay", "mode"),
        ({"loss": 1.5}, "loss", ""),
    ],
)
def test_bad_hops_name_the_place(tmp_path, hop: dict, place: str, words: str) -> None:
    text = problems(tmp_path, {"intermediaries": [{"id": "oman", **hop}]})
    assert place in text and words in text


def test_a_route_through_an_unknown_intermediary_is_reported(tmp_path) -> None:
    text = problems(
        tmp_path,
        {"intermediaries": [{"id": "oman"}], "routes": {"doha-muscat": ["qatar", "oman"]}},
    )
    assert "channel.routes.doha-muscat" in text and "qatar" in text


def test_a_valid_channel_compiles_with_its_hops() -> None:
    from backchannel.scenario.loader import compile_spec
    from backchannel.scenario.schema import ScenarioSpec

    channel = {
        "intermediaries": [
            {
                "id": "qatar",
                "delay": {"distribution": "uniform", "low": 24, "high": 72},
                "leak": 0.1,
            },
            {
                "id": "oman",
                "loss": 0.05,
                "bias": {"favours": "a", "strength": 0.3},
                "fidelity": [{"kind": "lean", "probability": 0.5}],
            },
        ],
        "routes": {"doha-muscat": ["qatar", "oman"]},
        "default_route": "doha-muscat",
        "timeout_hours": 200,
    }
    scenario = compile_spec(ScenarioSpec.model_validate({**SPLIT, "channel": channel}))
    assert scenario.channel.chain("doha-muscat") == ("qatar", "oman")
    qatar, oman = scenario.channel.intermediaries
    assert qatar.delay_hours == 48 and qatar.delay is not None and qatar.leak == 0.1
    assert oman.bias is not None and oman.fidelity[0].kind == "lean"
