"""whatif and brief show progress on a terminal's stderr while they simulate; never with
--json or when stderr is a file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from backchannel.cli import common
from backchannel.cli.main import app

runner = CliRunner()
SPLIT = str(Path(__file__).parents[1] / "fixtures" / "split.yaml")


@pytest.fixture
def terminal(monkeypatch) -> io.StringIO:
    """stderr as a terminal would be, captured."""
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    monkeypatch.setattr(common, "errors", console)
    return screen


def test_whatif_shows_progress_per_version(terminal: io.StringIO) -> None:
    result = runner.invoke(app, ["whatif", "--set", "iran.reservation=0.4", "-n", "1"])
    assert result.exit_code == 0, result.output
    assert "simulating 1 negotiations per version" in terminal.getvalue()
    assert "2/2" in terminal.getvalue()


def test_whatif_json_shows_none(terminal: io.StringIO) -> None:
    result = runner.invoke(app, ["whatif", "--set", "iran.reservation=0.4", "-n", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert terminal.getvalue() == ""


def test_brief_shows_that_it_is_working(terminal: io.StringIO, tmp_path: Path) -> None:
    result = runner.invoke(app, ["brief", SPLIT, "-n", "1", "-o", str(tmp_path / "brief")])
    assert result.exit_code == 0, result.output
    assert "writing the brief: 1 simulated negotiations per variant" in terminal.getvalue()


def test_no_progress_when_stderr_is_not_a_terminal(monkeypatch) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(common, "errors", Console(file=screen, force_terminal=False))
    result = runner.invoke(app, ["whatif", "--set", "iran.reservation=0.4", "-n", "1"])
    assert result.exit_code == 0, result.output
    assert screen.getvalue() == ""
