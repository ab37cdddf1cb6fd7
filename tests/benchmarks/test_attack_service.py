"""The attack pass (benchmarks/attack_service.py) runs as benchmarks/README.md shows it, against
a real server: as an operator it creates a negotiation and uploads the hostile files, a party
joins, and no fuzzed request or upload gets a server error or hangs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "attack_service.py"


def test_a_small_attack_pass_reaches_the_server_and_finds_no_server_error() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--examples", "1", "--uploads", "11"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    api = re.search(r"API fuzz:\s+(\d+) requests, (\d+) 5xx, (\d+) hangs", done.stdout)
    uploads = re.search(
        r"upload fuzz:\s+(\d+) uploads, (\d+) 5xx, (\d+) hangs, (\d+) refused unread", done.stdout
    )
    assert api and uploads, done.stdout
    assert int(api[1]) >= 20  # every operation was tried, as the mediator and as the party
    assert (api[2], api[3]) == ("0", "0"), done.stdout
    assert uploads[1] == "11"  # the eleven hostile files
    assert (uploads[2], uploads[3], uploads[4]) == ("0", "0", "0"), done.stdout
