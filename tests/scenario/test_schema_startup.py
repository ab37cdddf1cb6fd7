"""Reading a scenario builds only the validator it uses, and never searches for pydantic plugins
(which reads every installed package's metadata); the environment is left as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from backchannel.scenario.schema import PLUGINS_OFF


def _probe(code: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k != PLUGINS_OFF},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_loading_a_scenario_builds_one_validator_without_a_plugin_search() -> None:
    found = _probe(
        "import json, os\n"
        "import pydantic.plugin._loader as plugins\n"
        "from backchannel.scenario import schema\n"
        "built_at_import = schema.IssueSpec.__pydantic_complete__\n"
        "from backchannel.scenario.loader import load_scenario\n"
        "load_scenario('iran-us')\n"
        "print(json.dumps({'built_at_import': built_at_import,\n"
        "    'scenario_built': schema.ScenarioSpec.__pydantic_complete__,\n"
        "    'plugins_searched': plugins._plugins is not None,\n"
        f"    'variable_left': {PLUGINS_OFF!r} in os.environ}}))"
    )
    assert found == {
        "built_at_import": False,
        "scenario_built": True,
        "plugins_searched": False,
        "variable_left": False,
    }


def test_a_set_variable_is_restored() -> None:
    found = _probe(
        "import json, os\n"
        f"os.environ[{PLUGINS_OFF!r}] = 'some-plugin'\n"
        "from backchannel.scenario.loader import load_scenario\n"
        "load_scenario('iran-us')\n"
        f"print(json.dumps({{'value': os.environ[{PLUGINS_OFF!r}]}}))"
    )
    assert found == {"value": "some-plugin"}
