"""``backchannel analyze run.json``: the output of ``run --json`` is analysed with its
agreement marked (it used to fail with scenario-schema errors)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backchannel.cli.main import app

runner = CliRunner()
SPLIT = Path(__file__).parents[1] / "fixtures" / "split.yaml"


def run_json(tmp_path: Path, *args: str) -> tuple[Path, dict]:
    result = runner.invoke(app, ["run", *args, "--json"])
    assert result.exit_code == 0, result.output
    file = tmp_path / "run.json"
    file.write_text(result.output)
    return file, json.loads(result.output)


def test_analyze_reads_a_seed_flagship_run_and_marks_its_agreement(tmp_path: Path) -> None:
    file, ran = run_json(tmp_path, "iran-us-2025")
    assert ran["scenario_source"] == "iran-us-2025"
    shown = runner.invoke(app, ["analyze", str(file)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "this run's agreement" in shown.output
    document = json.loads(runner.invoke(app, ["analyze", str(file), "--json"]).output)
    assert document["scenario"] == "iran-us-2025"
    assert document["run"]["agreement"]["index"] == ran["result"]["agreement"]
    assert document["run"]["agreement"]["outcome"] == ran["result"]["agreement_terms"]


def test_a_run_of_a_scenario_file_finds_the_file(tmp_path: Path, monkeypatch) -> None:
    copy = tmp_path / "split.yaml"
    shutil.copy(SPLIT, copy)
    file, ran = run_json(tmp_path, str(copy), "--strategy", "a=conceder")
    assert ran["scenario_source"] == str(copy.resolve())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    document = json.loads(runner.invoke(app, ["analyze", str(file), "--json"]).output)
    assert document["scenario"] == "split"


def test_a_run_without_agreement_says_so(tmp_path: Path) -> None:
    args = [str(SPLIT), "--strategy", "a=hardliner", "--strategy", "b=hardliner"]
    file, ran = run_json(tmp_path, *args)
    assert ran["result"]["agreement"] is None
    shown = runner.invoke(app, ["analyze", str(file)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "ended without agreement" in shown.output


@pytest.mark.parametrize("index", [10**9, 0])
def test_an_agreement_that_does_not_fit_the_scenario_is_explained(
    tmp_path: Path, index: int
) -> None:
    file, ran = run_json(tmp_path, "iran-us-2025")
    ran["result"]["agreement"] = index
    file.write_text(json.dumps(ran))
    shown = runner.invoke(app, ["analyze", str(file)])
    assert shown.exit_code == 2
    assert "does not fit scenario 'iran-us-2025'" in shown.output
    assert "Traceback" not in shown.output
