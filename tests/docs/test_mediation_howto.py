"""The mediation how-to: its commands run, and its channel example is a valid channel."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from backchannel.cli.main import app
from backchannel.scenario.loader import bundled_path, compile_spec
from backchannel.scenario.schema import ScenarioSpec

PAGE = Path(__file__).resolve().parents[2] / "docs" / "how-to" / "mediation.md"


def commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", PAGE.read_text(), flags=re.S)
    lines = [line.split("#")[0].split("|")[0].strip() for b in blocks for line in b.splitlines()]
    return [line for line in lines if line.startswith("backchannel ")]


def test_the_page_has_commands() -> None:
    assert len(commands()) >= 8


@pytest.mark.parametrize("command", commands())
def test_command_runs(command: str) -> None:
    result = CliRunner().invoke(app, shlex.split(command)[1:], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_the_channel_example_compiles_on_the_flagship() -> None:
    example = yaml.safe_load(re.findall(r"```yaml\n(.*?)```", PAGE.read_text(), flags=re.S)[0])
    data = yaml.safe_load(bundled_path("iran-us-2025").read_text())
    data["channel"] = example["channel"]
    data["timeline"] = None  # the example's channel has no hops the timeline refers to
    scenario = compile_spec(ScenarioSpec.model_validate(data))
    assert scenario.channel.chain("doha-muscat") == ("qatar", "oman")
    assert len(scenario.channel.intermediary("qatar").fidelity) == 6
