"""Every command the README and the docs show runs as written and exits as the page says;
where a page prints what a command prints, the command prints it.

Commands too long for a test run (hundreds of negotiations, a server that runs until stopped,
a Ray cluster) or that are templates (``SCENARIO``, ``path/to``) are listed with the reason by
:func:`reason_to_leave_out`; the test that lists them makes the choice visible."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from documented import PAGES, ROOT, Documented, documented, run, setup_lines

from backchannel.cli.main import app

ALL = [command for page in PAGES for command in documented(page)]
# Refusals the pages show on purpose: direct talks Iran refuses; a range over the size limit.
REFUSED = {"run --protocol direct": 2, "validate big.yaml": 2}
MOST_RUNS = 120  # negotiations a documented command may play here


def _number(args: list[str], flags: tuple[str, ...], default: int) -> int:
    for flag in flags:
        if flag in args:
            return int(args[args.index(flag) + 1])
    return default


def reason_to_leave_out(command: Documented) -> str | None:
    args = command.args
    name = args[0]
    if command.page == "docs/tutorial.md":
        return "run in order, one after another, by test_tutorial.py"
    if re.search(r"\b[A-Z]{3,}\b|path/to|<id>|\.\.\.", command.line):
        return "a template with placeholders"
    if name == "serve":
        return "a server that runs until stopped (tests/service starts it)"
    if name == "verify-log":
        return "checks the live service's database (tests/service/test_verify_log*)"
    if "ray" in args:
        return "needs a Ray cluster"
    if name == "compare":
        arms = len(args[args.index("-p") + 1].split(",")) if "-p" in args else 4
        if _number(args, ("-n", "--runs"), 100) * arms > MOST_RUNS:
            return "hundreds of negotiations (benchmarks time it)"
    if name == "tournament" and _number(args, ("-n", "--repetitions"), 10) >= 10:
        return "hundreds of negotiations (tests/experiments/test_tournament*)"
    if name == "whatif" and ("--sweep" in args or _number(args, ("-n", "--runs"), 20) > 25):
        return "hundreds of negotiations (tests/timeline test the what-if figures)"
    if name == "brief":
        return "runs every variant of the scenario (tests/report test the brief)"
    if args[-1:] == ["big.yaml"]:
        return "needs the file the printf line above writes (tests/scenario/test_limits.py)"
    return None


CHEAP = [c for c in ALL if reason_to_leave_out(c) is None]


def test_the_docs_show_commands_and_most_run_here() -> None:
    assert len(ALL) >= 60
    assert len(CHEAP) >= 25
    left_out = {c.line: reason_to_leave_out(c) for c in ALL if c not in CHEAP}
    assert all(left_out.values())


@pytest.mark.parametrize("command", CHEAP, ids=[f"{c.page}: {c.line}" for c in CHEAP])
def test_a_documented_command_runs(
    command: Documented, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for shared in ("tests", "examples"):  # the paths the pages use, relative to the checkout
        (tmp_path / shared).symlink_to(ROOT / shared)
    monkeypatch.chdir(tmp_path)
    for setup in setup_lines(ROOT / command.page):
        subprocess.run(["bash", "-c", setup], cwd=tmp_path, check=True)
    line = command.line.split(" | ")[0]  # a pipe into jq: the command's own part
    result = run(Documented(command.page, line), tmp_path)
    expected = REFUSED.get(" ".join(Documented(command.page, line).args), 0)
    assert result.exit_code == expected, (command.line, result.output)
    assert "Traceback" not in result.output


def test_the_validate_output_the_scenario_how_to_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's example with its buyer's weights summing to 0.9 prints the page's lines."""
    page = (ROOT / "docs" / "how-to" / "write-a-scenario.md").read_text()
    example = re.search(r"```yaml\n(.*?)```", page, flags=re.S)
    shown = re.search(r"```\n(car-sale\.yaml:.*?)```", page, flags=re.S)
    assert example is not None and shown is not None
    monkeypatch.chdir(tmp_path)
    text = example.group(1).replace("{price: 0.7, warranty: 0.3}", "{price: 0.6, warranty: 0.3}")
    Path("car-sale.yaml").write_text(text)
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["validate", "car-sale.yaml"])
    assert result.exit_code == 2
    assert shown.group(1).strip() in result.output


def test_the_indicator_error_the_timelines_how_to_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy of the flagship with month 13 on line 13 of its indicator file: the page's lines."""
    from typer.testing import CliRunner

    page = (ROOT / "docs" / "how-to" / "timelines.md").read_text()
    shown = re.search(r"```\n(my-talks/iran-us\.yaml:.*?)```", page, flags=re.S)
    assert shown is not None
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(app, ["init", "iran-us", "my-talks"]).exit_code == 0
    data = Path("my-talks/data/rial-depreciation.csv")
    lines = data.read_text().splitlines()
    lines[12] = "2025-13-01," + lines[12].split(",")[1]
    data.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(app, ["validate", "my-talks/iran-us.yaml"])
    assert result.exit_code == 2
    assert shown.group(1).strip() in result.output


def test_the_size_limit_error_the_scenario_how_to_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    page = ROOT / "docs" / "how-to" / "write-a-scenario.md"
    shown = re.search(r"```\n(error: big\.yaml:.*?)```", page.read_text(), flags=re.S)
    assert shown is not None
    monkeypatch.chdir(tmp_path)
    for setup in setup_lines(page):
        subprocess.run(["bash", "-c", setup], cwd=tmp_path, check=True)
    result = CliRunner().invoke(app, ["validate", "big.yaml"])
    assert result.exit_code == 2
    assert result.output.strip() == shown.group(1).strip()
