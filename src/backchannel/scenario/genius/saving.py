"""Write an imported scenario spec as a readable YAML file."""

from __future__ import annotations

from typing import Any

import yaml

from backchannel.scenario.schema import ScenarioSpec

FIRST = ("name", "id", "title", "description")
LAST = ("source", "assumption")


def spec_yaml(spec: ScenarioSpec, header: str = "") -> str:
    """The spec as YAML: identifiers first, notes last, defaults left out."""
    data = _ordered(spec.model_dump(mode="json", exclude_defaults=True))
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    return comment + text


def _ordered(value: Any) -> Any:
    if isinstance(value, dict):
        keys = [k for k in FIRST if k in value]
        keys += [k for k in value if k not in FIRST and k not in LAST]
        keys += [k for k in LAST if k in value]
        return {k: _ordered(value[k]) for k in keys}
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value
