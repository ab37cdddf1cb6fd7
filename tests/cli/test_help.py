"""Start-up and help: cheap to import, a version, defaults shown, no Python type noise."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from backchannel import __version__
from backchannel.cli.main import app

runner = CliRunner()
COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
HEAVY = (
    "numpy",
    "matplotlib",
    "fastapi",
    "sqlalchemy",
    "backchannel.analysis",
    "backchannel.scenario.loader",
    "backchannel.protocols.runner",
)


def test_importing_the_command_line_imports_no_engine_plotting_or_web_code() -> None:
    probe = (
        "import json, sys; import backchannel.cli.main; "
        f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(loaded) == []


@pytest.mark.parametrize("args", [["--help"], ["scenarios"], ["run", "--help"], ["--version"]])
def test_help_listing_and_version_import_no_engine(args: list[str]) -> None:
    probe = (
        "import json, sys; from backchannel.cli.main import app\n"
        "try:\n"
        f"    app({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"backchannel {__version__}"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_shows_defaults_without_type_noise(command: str) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    for noise in ("<bool>", "<str>", "<int>", "<list", "<Path>", "BOOL"):
        assert noise not in result.output, (command, noise)
    if "--seed" in result.output:
        assert "[default: 0]" in result.output
    if "SCENARIO" in result.output and command not in ("init", "validate"):
        assert "[default: iran-us]" in result.output


def test_flags_show_no_value_and_options_show_theirs() -> None:
    result = runner.invoke(app, ["compare", "--help"], env={"COLUMNS": "120"})
    lines = {line.split()[1]: line for line in result.output.splitlines() if "│ --" in line}
    assert lines["--json"].split()[2] != "N"
    assert lines["--runs"].split()[3] == "N"
    assert "[default: 100]" in result.output
