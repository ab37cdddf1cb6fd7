"""Every mistake a user can make on the command line ends in one line naming the fix and a
nonzero exit: never a traceback, never a lost file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backchannel.cli.main import app

runner = CliRunner()
SPLIT = str(Path(__file__).parents[1] / "fixtures" / "split.yaml")
LEASE = Path(__file__).parents[1] / "fixtures" / "genius" / "lease"


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def assert_refused(result, *phrases: str) -> None:
    """Exit 2, one ``error:`` line, each phrase in it, and no Python internals."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[0].startswith("error:"), result.output
    for phrase in phrases:
        assert phrase in result.output, result.output


@pytest.mark.parametrize("command", ["run", "compare", "whatif", "brief", "tournament"])
def test_a_negative_seed_is_refused_alike_by_every_command(command: str) -> None:
    assert_refused(invoke(command, "--seed", "-1"), "--seed", "greater than or equal to 0")


@pytest.mark.parametrize(
    "command",
    [
        ["analyze", SPLIT],
        ["compare", SPLIT, "-n", "1", "-p", "direct"],
        ["whatif", SPLIT, "-n", "1"],
        ["tournament", "--scenarios", SPLIT, "--strategies", "boulware", "-n", "1"],
    ],
)
def test_plot_into_a_missing_folder_or_of_an_unknown_type_is_refused_first(
    command: list[str], tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-folder" / "plot.png"
    assert_refused(invoke(*command, "--plot", str(missing)), "does not exist", "mkdir -p")
    assert not missing.parent.exists()
    assert_refused(invoke(*command, "--plot", str(tmp_path / "plot.gif")), ".png or .svg or .pdf")


def test_brief_into_a_folder_that_cannot_be_made_is_refused_before_simulating(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("keep me")
    assert_refused(invoke("brief", SPLIT, "-o", str(blocker / "brief")), "cannot write there")
    assert_refused(invoke("brief", SPLIT, "-o", str(blocker)), "is a file")
    assert blocker.read_text() == "keep me"


def test_import_genius_into_a_missing_folder_or_over_a_file(tmp_path: Path) -> None:
    files = [str(LEASE / name) for name in sorted(os.listdir(LEASE)) if name.endswith(".xml")]
    domain = next(f for f in files if f.endswith("domain.xml"))
    profiles = [f for f in files if f != domain]
    missing = tmp_path / "nowhere" / "lease.yaml"
    assert_refused(invoke("import-genius", domain, *profiles, "-o", str(missing)), "mkdir -p")
    kept = tmp_path / "lease.yaml"
    kept.write_text("my edits")
    assert_refused(invoke("import-genius", domain, *profiles, "-o", str(kept)), "--force")
    assert kept.read_text() == "my edits"
    forced = invoke("import-genius", domain, *profiles, "-o", str(kept), "--force")
    assert forced.exit_code == 0, forced.output
    assert invoke("validate", str(kept)).exit_code == 0


def test_export_genius_never_overwrites_without_force(tmp_path: Path) -> None:
    a_file = tmp_path / "existing"
    a_file.write_text("keep me")
    assert_refused(invoke("export-genius", SPLIT, "-o", str(a_file)), "is a file")
    assert a_file.read_text() == "keep me"
    folder = tmp_path / "out"
    assert invoke("export-genius", SPLIT, "-o", str(folder)).exit_code == 0
    written = sorted(folder.iterdir())
    written[0].write_text("edited")
    assert_refused(invoke("export-genius", SPLIT, "-o", str(folder)), "--force", written[0].name)
    assert written[0].read_text() == "edited"
    assert invoke("export-genius", SPLIT, "-o", str(folder), "--force").exit_code == 0
    assert written[0].read_text() != "edited"


CAR_SALE = """\
name: car-sale
title: Buying a used car
issues:
  - id: price
    range: {min: 8000, max: 12000, step: 250}
    unit: EUR
  - id: warranty
    options: [none, 6-months, 12-months]
parties:
  - id: buyer
    reservation: RESERVATION
    preferences:
      weights: {price: 0.6, warranty: 0.3}
      values:
        price: [[8000, 1.0], [12000, 0.0]]
        warranty: {none: 0.0, 6-months: 0.6, 12-months: 1.0}
  - id: seller
    reservation: 0.25
    preferences:
      weights: {price: 0.8, warranty: 0.2}
      values:
        price: [[8000, 0.0], [12000, 1.0]]
        warranty: {none: 1.0, 6-months: 0.5, 12-months: 0.0}
"""


def test_validate_gives_the_line_of_a_semantic_problem(tmp_path: Path) -> None:
    file = tmp_path / "car-sale.yaml"
    file.write_text(CAR_SALE.replace("RESERVATION", "0.3"))
    result = invoke("validate", str(file))
    assert_refused(result, "car-sale.yaml:13 at parties[0].preferences.weights", "sum to 0.9")


@pytest.mark.parametrize("value", ["1.3", "abc"])
def test_validate_names_the_field_not_pydantic_internals(tmp_path: Path, value: str) -> None:
    file = tmp_path / "car-sale.yaml"
    file.write_text(
        CAR_SALE.replace("RESERVATION", value).replace("0.6, warranty", "0.7, warranty")
    )
    result = invoke("validate", str(file))
    assert_refused(result, "car-sale.yaml:11 at parties[0].reservation:", "1 problem found")
    for internal in ("constrained-float", "ReservationSpec", "valid dictionary"):
        assert internal not in result.output


def test_serve_on_a_busy_port_says_so_and_never_claims_to_serve(tmp_path: Path) -> None:
    pytest.importorskip("uvicorn")
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        url = f"sqlite:///{tmp_path / 'db.sqlite'}"
        result = invoke("serve", "--port", str(port), "--database-url", url)
    assert_refused(result, f"cannot listen on 127.0.0.1:{port}", "--port")
    assert "serving on" not in result.output


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (Linux /proc)."""
    found: set[int] = set()
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    frontier.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_ctrl_c_on_compare_with_processes_stops_every_worker() -> None:
    command = [
        sys.executable,
        "-c",
        "from backchannel.cli.main import main; main()",
        "compare",
        "iran-us",
        "-n",
        "2000",
        "-p",
        "single-text",
        "--backend",
        "process",
        "--workers",
        "2",
        "--chunk-size",
        "1",
        "--json",
    ]
    # Started as a shell starts a command: Ctrl-C at its default. A child inherits an ignored
    # SIGINT, and Python then never raises KeyboardInterrupt; the test process may have had it
    # ignored by an earlier test, which is not what a user's terminal does.
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    workers: set[int] = set()
    while len(workers) < 2 and process.poll() is None:  # wait until the pool is working
        workers |= _descendants(process.pid)
        time.sleep(0.1)
    time.sleep(1.0)
    workers |= _descendants(process.pid)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=600)  # a hang, not a slow machine
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "interrupted" in stderr
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers and not any(_running(pid) for pid in workers)
