"""``backchannel init``: "copy the file and edit it" works, data files included."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from backchannel.cli.main import app
from backchannel.scenario.loader import load_scenario

runner = CliRunner()


def test_the_flagship_copy_brings_its_indicator_data_validates_and_runs(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    result = runner.invoke(app, ["init", "iran-us", str(folder)])
    assert result.exit_code == 0, result.output
    copy = folder / "iran-us.yaml"
    assert (folder / "data" / "rial-depreciation.csv").is_file()
    assert runner.invoke(app, ["validate", str(copy)]).exit_code == 0
    ran = runner.invoke(app, ["run", str(copy), "--seed", "2"])
    assert ran.exit_code == 0, ran.output
    assert load_scenario(str(copy)).space.size == load_scenario("iran-us").space.size


def test_an_edit_to_the_copy_takes_effect(tmp_path: Path) -> None:
    runner.invoke(app, ["init", "buyer-seller", str(tmp_path)])
    copy = tmp_path / "buyer-seller.yaml"
    text = copy.read_text()
    copy.write_text(re.sub(r"(?m)^title: .*$", "title: Edited here", text, count=1))
    assert load_scenario(str(copy)).title == "Edited here"


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    copy = tmp_path / "buyer-seller.yaml"
    copy.write_text("my edits")
    refused = runner.invoke(app, ["init", "buyer-seller", str(tmp_path)])
    assert refused.exit_code == 2
    assert "--force" in refused.output
    assert copy.read_text() == "my edits"
    assert runner.invoke(app, ["init", "buyer-seller", str(tmp_path), "--force"]).exit_code == 0
    assert copy.read_text() != "my edits"


def test_init_of_an_unknown_scenario_is_explained(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "no-such", str(tmp_path)])
    assert result.exit_code == 2
    assert "no bundled scenario has this name" in result.output
