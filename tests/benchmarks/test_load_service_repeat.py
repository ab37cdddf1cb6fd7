"""The load benchmark's ``--repeat``: the reliability figure in benchmarks/README.md is its
count of runs whose p99 stayed under the target, so the count must be right and the runs real."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "load_service.py"


def load_service():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("load_service", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_count_is_of_runs_strictly_under_the_target(capsys: pytest.CaptureFixture) -> None:
    runs = [
        {"p99": p99, "throughput": 195.0, "speed": 38.0, "loop": 0.5}
        for p99 in (12.0, 99.9, 100.0, 240.0)
    ]
    load_service().print_runs(runs, 100.0)
    printed = capsys.readouterr().out
    assert "p99 under 100 ms in 2 of 4 runs" in printed
    assert "median 100.0 ms, range 12.0 to 240.0 ms" in printed
    assert printed.count("  run ") == 4
    assert printed.count("event loop  50% busy") == 4


def benchmark(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *arguments],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_each_repeated_run_has_its_own_server_and_is_counted() -> None:
    small = ("--negotiations", "2", "--offers", "3", "--rate", "20", "--repeat", "2")
    done = benchmark(*small, "--p99-target", "1e9")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("server stopped by SIGTERM") == 2
    assert done.stdout.count("The log is intact") == 2
    assert "--- run 2 of 2" in done.stdout
    assert "p99 under 1e+09 ms in 2 of 2 runs" in done.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--repeat", "0"), "--repeat 0: give at least 1 run"),
        (
            ("--repeat", "2", "--database-url", "postgresql://nowhere/db"),
            "each run needs a fresh database",
        ),
    ],
)
def test_a_repeat_it_cannot_run_is_refused_with_the_reason(
    arguments: tuple[str, ...], message: str
) -> None:
    done = benchmark(*arguments)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
