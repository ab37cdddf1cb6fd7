"""The compose-a-strategy how-to: its code is the shipped example, and the example's strategies
play on the batch engine exactly as on the step engine, as the page says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backchannel.agents.registry import create_strategy
from backchannel.experiments.batch import batch_supported, run_batch
from backchannel.experiments.tournament import load_strategies
from backchannel.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "how-to" / "compose-a-strategy.md"
EXAMPLE = ROOT / "examples" / "composed_strategy.py"


def test_the_page_shows_the_example_file() -> None:
    block = re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S)[0]
    code = EXAMPLE.read_text()
    assert block == code[code.index("from __future__") :]


def test_the_page_is_linked_from_the_readme() -> None:
    assert "docs/how-to/compose-a-strategy.md" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("name", ["my-steady-closer", "my-sprinter"])
def test_the_example_strategies_play_on_the_batch_engine_as_on_the_step_engine(name: str) -> None:
    load_strategies([str(EXAMPLE)])
    scenario = load_scenario("buyer-seller")
    strategies = {"seller": name}
    assert batch_supported(scenario, "shuttle", strategies)
    seeds = [0, 1, 2]
    batch = run_batch(scenario, "shuttle", strategies, seeds)
    step = run_batch(scenario, "shuttle", strategies, seeds, engine="step")
    assert [r["engine"] for r in batch] == ["batch"] * 3
    drop = {"engine"}
    assert [{k: v for k, v in r.items() if k not in drop} for r in batch] == [
        {k: v for k, v in r.items() if k not in drop} for r in step
    ]


def test_a_part_field_is_a_strategy_parameter() -> None:
    load_strategies([str(EXAMPLE)])
    assert create_strategy("my-sprinter", at=0.9).curve.at == 0.9  # type: ignore[attr-defined]
