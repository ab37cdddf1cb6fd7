"""The names help text shows are the engine's names (kept apart so help imports no engine)."""

from __future__ import annotations

import json
import subprocess
import sys

from backchannel.cli import choices
from backchannel.experiments.executors import BACKENDS
from backchannel.experiments.plan import DEFAULT_CHUNK_SIZE
from backchannel.experiments.variants import VARIANTS
from backchannel.protocols.runner import PROTOCOLS
from backchannel.scenario.loader import DEFAULT_SCENARIO


def test_help_names_match_the_engine() -> None:
    assert tuple(PROTOCOLS) == choices.PROTOCOLS
    assert tuple(BACKENDS) == choices.BACKENDS
    assert tuple(VARIANTS) == choices.VARIANTS
    assert choices.DEFAULT_CHUNK_SIZE == DEFAULT_CHUNK_SIZE
    assert choices.DEFAULT_SCENARIO == DEFAULT_SCENARIO


def test_the_built_in_strategies_are_the_registry_s() -> None:
    """In a fresh process: tests register strategies of their own in this one."""
    code = (
        "import json\n"
        "from backchannel.agents.registry import strategy_names\n"
        "print(json.dumps(strategy_names()))"
    )
    listed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    registered = json.loads(listed.stdout)
    # Every name listed must be registered (else a scenario naming it would pass the check); a
    # strategy added since is still found, through the registry.
    assert set(choices.STRATEGIES) <= set(registered)
    assert list(choices.STRATEGIES) == sorted(choices.STRATEGIES)
