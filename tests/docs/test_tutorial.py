"""The tutorial's and how-to's commands and examples run as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from backchannel.cli.main import app
from backchannel.scenario.loader import load_scenario

DOCS = Path(__file__).resolve().parents[2] / "docs"


def commands(page: Path) -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", page.read_text(), flags=re.S)
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip().startswith("backchannel ")
    ]


TUTORIAL = commands(DOCS / "tutorial.md")


def test_the_tutorial_has_commands() -> None:
    assert len(TUTORIAL) >= 8


@pytest.mark.parametrize("command", TUTORIAL)
def test_tutorial_command_runs(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, shlex.split(command)[1:], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_the_scenario_how_to_example_is_valid(tmp_path: Path) -> None:
    page = (DOCS / "how-to" / "write-a-scenario.md").read_text()
    example = re.search(r"```yaml\n(.*?)```", page, flags=re.S)
    assert example is not None
    path = tmp_path / "car-sale.yaml"
    path.write_text(example.group(1))
    scenario = load_scenario(path)
    assert scenario.space.size == 17 * 3
    assert yaml.safe_load(example.group(1))["name"] == scenario.name
