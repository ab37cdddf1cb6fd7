"""The tutorial's and how-to's commands and examples run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from documented import documented, run

from backchannel.scenario.loader import load_scenario

DOCS = Path(__file__).resolve().parents[2] / "docs"


TUTORIAL = documented(DOCS / "tutorial.md")


def test_the_tutorial_has_commands() -> None:
    assert len(TUTORIAL) >= 12


def test_the_tutorial_runs_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One reader, one folder: later commands use what earlier ones wrote (run.json, a copy)."""
    monkeypatch.chdir(tmp_path)
    for command in TUTORIAL:
        result = run(command, tmp_path)
        assert result.exit_code == 0, (command.line, result.output)


def test_the_scenario_how_to_example_is_valid(tmp_path: Path) -> None:
    page = (DOCS / "how-to" / "write-a-scenario.md").read_text()
    example = re.search(r"```yaml\n(.*?)```", page, flags=re.S)
    assert example is not None
    path = tmp_path / "car-sale.yaml"
    path.write_text(example.group(1))
    scenario = load_scenario(path)
    assert scenario.space.size == 17 * 3
    assert yaml.safe_load(example.group(1))["name"] == scenario.name
