"""Checking a scenario's strategy names: built-in ones without importing the strategies, any
other through the registry (where ``--load`` puts a user's)."""

from __future__ import annotations

import json
import subprocess
import sys


def _probe(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_built_in_name_is_known_without_importing_the_strategies() -> None:
    found = _probe(
        "import json, sys\n"
        "from backchannel.cli.common import KnownStrategies\n"
        "known = 'boulware' in KnownStrategies()\n"
        "print(json.dumps({'known': known, 'imported': 'backchannel.agents' in sys.modules}))"
    )
    assert found == {"known": True, "imported": False}


def test_other_names_are_looked_up_in_the_registry() -> None:
    found = _probe(
        "import json\n"
        "from backchannel.agents.registry import register\n"
        "from backchannel.agents.time_based import TimeBased\n"
        "from backchannel.cli.common import KnownStrategies\n"
        "@register('patient', 'waits', exponent=8.0)\n"
        "class Patient(TimeBased):\n"
        "    name = 'patient'\n"
        "known = KnownStrategies()\n"
        "print(json.dumps({'patient': 'patient' in known, 'typo': 'bouwlare' in known,\n"
        "    'listed': sorted(known), 'count': len(known)}))"
    )
    assert found["patient"] is True
    assert found["typo"] is False
    assert "patient" in found["listed"] and "boulware" in found["listed"]
    assert found["count"] == len(found["listed"])
