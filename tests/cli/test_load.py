"""``--load FILE.py`` for run, compare and strategies, as for tournament."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from backchannel.cli.main import app

runner = CliRunner()
EXAMPLE = str(Path(__file__).parents[2] / "examples" / "my_strategy.py")
SPLIT = str(Path(__file__).parents[1] / "fixtures" / "split.yaml")


def test_strategies_lists_a_loaded_strategy() -> None:
    result = runner.invoke(app, ["strategies", "--load", EXAMPLE], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "my-deadline-sprinter (loaded)" in result.output


def test_run_plays_a_loaded_strategy() -> None:
    result = runner.invoke(
        app, ["run", "--load", EXAMPLE, "--strategy", "us=my-deadline-sprinter", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["settings"]["strategies"]["us"] == "my-deadline-sprinter"


def test_compare_plays_a_loaded_strategy() -> None:
    result = runner.invoke(
        app,
        [
            "compare",
            "--load",
            EXAMPLE,
            "--strategy",
            "us=my-deadline-sprinter",
            "-p",
            "shuttle",
            "-n",
            "2",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["strategies"] == {"us": "my-deadline-sprinter"}


def test_a_missing_load_file_is_one_line() -> None:
    result = runner.invoke(app, ["run", "--load", "nowhere.py"])
    assert result.exit_code == 2
    assert "--load nowhere.py: no such file" in result.output


def test_compare_on_worker_processes_loads_the_strategy_in_each_worker() -> None:
    args = ["--load", EXAMPLE, "--strategy", "us=my-deadline-sprinter", "-p", "shuttle"]
    local = runner.invoke(app, ["compare", *args, "-n", "4", "--json"])
    spread = runner.invoke(
        app,
        ["compare", *args, "-n", "4", "--json", "--backend", "process", "--workers", "2"],
        catch_exceptions=False,
    )
    assert spread.exit_code == 0, spread.output
    assert json.loads(spread.output)["summary"] == json.loads(local.output)["summary"]
