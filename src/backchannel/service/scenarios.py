"""Scenarios for live negotiations: loading (bundled or uploaded), preferences, terms.

A negotiation stores its scenario as the validated spec; each seat may store adjusted weights
and a reservation value. The scenario the mediator's assistant works on is the spec with every
seat's adjustments (what the parties confided); a party's own utilities come from the same one.
"""

from __future__ import annotations

import copy
import hashlib
import tempfile
from collections import OrderedDict
from pathlib import Path
from threading import Lock
from typing import Any

import numpy as np

from backchannel.agents.registry import strategy_names
from backchannel.scenario import limits
from backchannel.scenario.errors import Problem, ScenarioError
from backchannel.scenario.loader import (
    SUFFIXES,
    bundled_names,
    bundled_path,
    compile_spec,
    load_spec,
)
from backchannel.scenario.model import Scenario
from backchannel.scenario.schema import ScenarioSpec
from backchannel.service.errors import ServiceError
from backchannel.service.eventlog import canonical

MAX_UPLOAD_BYTES = limits.SERVICE.file_bytes


def bundled_spec(name: str) -> dict[str, Any]:
    """The spec of a bundled scenario, found by name only: the service never opens a path a
    caller names, and its answer is the same whether or not such a path exists."""
    choices = bundled_names()
    if name not in choices:
        raise ServiceError(
            422,
            "unknown bundled scenario",
            f"choose one of: {', '.join(choices)}, or upload a scenario file",
        )
    return spec_document(load_spec(bundled_path(name)))


def check_upload(filename: str, content: bytes) -> dict[str, Any]:
    """Validate and compile an uploaded scenario as the command line does, within the
    service's limits; the stored spec document, or ``ScenarioError``."""
    shown = shown_filename(filename)
    suffix = Path(shown).suffix.lower()
    if suffix not in SUFFIXES:
        raise ScenarioError(
            shown,
            [Problem("", f"unknown file type '{suffix}'", "upload a .yaml, .yml or .json file")],
        )
    limits.check_size(shown, len(content), limits.SERVICE)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        try:
            document = spec_document(load_spec(path, limits.SERVICE))
            compiled(document)
        except ScenarioError as error:
            raise ScenarioError(shown, error.problems) from None
    place = _nul_at(document)
    if place is not None:
        problem = Problem(
            place, "the text holds a NUL character (\\u0000), which cannot be stored", "remove it"
        )
        raise ScenarioError(shown, [problem])
    return document


def _nul_at(value: Any, path: str = "") -> str | None:
    """Where the first name or string holding a NUL character is (PostgreSQL's text cannot
    store one, and no name or title needs it), or None."""
    if isinstance(value, str):
        return (path or "(top)") if "\x00" in value else None
    if isinstance(value, dict):
        for key, child in value.items():
            place = f"{path}.{key}" if path else str(key)
            found = _nul_at(str(key), place) or _nul_at(child, place)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found = _nul_at(child, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def shown_filename(filename: str) -> str:
    """The upload's name as messages show it: no folders, at most 80 characters, printable."""
    name = Path(filename.replace("\\", "/")).name
    name = name.encode("utf-8", "replace").decode("utf-8")
    name = "".join(c if c.isprintable() else "?" for c in name)
    return name if len(name) <= 80 else f"{name[:40]}...{name[-20:]}"


def spec_document(spec: ScenarioSpec) -> dict[str, Any]:
    """The spec as stored with a negotiation. A pressure timeline, a breakdown hazard (which
    may be driven by the timeline) and routes run in proximity sessions (which may be dated on
    the timeline) act in simulated time only, and a timeline may name data files beside the
    scenario, so a live negotiation leaves them out (a route keeps its chain)."""
    document = spec.model_dump(mode="json", exclude_none=True)
    document.pop("timeline", None)
    document.get("negotiation", {}).pop("breakdown", None)
    routes = document.get("channel", {}).get("routes", {})
    for name, route in routes.items():
        if isinstance(route, dict):
            routes[name] = route["via"]
    return document


def with_adjustments(spec: dict[str, Any], adjustments: dict[str, dict[str, Any]]) -> dict:
    """The spec with some parties' weights and reservation values replaced."""
    adjusted = copy.deepcopy(spec)
    for party in adjusted["parties"]:
        change = adjustments.get(party["id"])
        if not change:
            continue
        if "weights" in change:
            party["preferences"]["weights"] = dict(change["weights"])
        if "reservation" in change:
            party["reservation"] = float(change["reservation"])
    return adjusted


_CACHE: OrderedDict[str, Scenario] = OrderedDict()
_CACHE_LOCK = Lock()
_CACHE_SIZE = 64


def cached_scenario(key: str) -> Scenario | None:
    """The scenario compiled under ``key``, kept as recently used (so the negotiations being
    written to stay cached however many others are compiled in between)."""
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
        return found


def compiled(spec: dict[str, Any], key: str | None = None) -> Scenario:
    """The compiled scenario for a spec document, cached (compiling is pure).

    ``key`` names the document when the caller knows it cannot change (a negotiation's spec
    with given adjustments), which spares hashing the whole document on every request.
    """
    key = key or hashlib.sha256(canonical(spec).encode()).hexdigest()
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    scenario = compile_spec(
        ScenarioSpec.model_validate(spec), spec.get("name", "<scenario>"), strategy_names()
    )
    with _CACHE_LOCK:
        _CACHE[key] = scenario
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return scenario


def outcome_of(scenario: Scenario, terms: dict[str, Any]) -> int:
    """The outcome index of a complete package; a 422 names the issue and its options."""
    space = scenario.space
    issue_ids = space.issue_ids
    unknown = [key for key in terms if key not in issue_ids]
    if unknown:
        raise ServiceError(
            422,
            f"'{unknown[0]}' is not an issue of this negotiation",
            f"use the issues: {', '.join(issue_ids)}",
        )
    positions = []
    for issue in space.issues:
        if issue.id not in terms:
            raise ServiceError(
                422,
                f"the package gives no value for issue '{issue.id}'",
                f"choose one of: {', '.join(issue.labels)}",
            )
        try:
            positions.append(issue.index_of(terms[issue.id]))
        except (KeyError, ValueError, TypeError):
            raise ServiceError(
                422,
                f"'{terms[issue.id]}' is not an option of issue '{issue.id}'",
                f"choose one of: {', '.join(issue.labels)}",
            ) from None
    return space.index_of_position(positions)


def terms_of(scenario: Scenario, index: int) -> dict[str, Any]:
    return scenario.space.outcome(index)


def utility(scenario: Scenario, party_id: str, index: int) -> tuple[float, bool]:
    """A party's utility for an outcome and whether it crosses none of its red lines."""
    column = scenario.party_index(party_id)
    return float(scenario.utilities[index, column]), bool(scenario.allowed[index, column])


def check_adjustment(scenario: Scenario, weights: dict[str, float], reservation: float) -> None:
    """Refuse weights that do not cover the issues or do not sum to 1 (before compiling)."""
    missing = [i for i in scenario.space.issue_ids if i not in weights]
    if missing:
        raise ServiceError(422, f"no weight for issue '{missing[0]}'", "give a weight per issue")
    unknown = [i for i in weights if i not in scenario.space.issue_ids]
    if unknown:
        raise ServiceError(422, f"'{unknown[0]}' is not an issue", "use the listed issues only")
    if any(w < 0 for w in weights.values()):
        raise ServiceError(422, "weights cannot be negative", "use numbers of 0 or more")
    total = float(sum(weights.values()))
    if not np.isclose(total, 1.0, atol=1e-6):
        raise ServiceError(422, f"weights sum to {total:.4g}, not 1", "make the weights sum to 1")
    if not 0.0 <= reservation <= 1.0:
        raise ServiceError(422, "the reservation value must be in [0, 1]", "use 0 to 1")
