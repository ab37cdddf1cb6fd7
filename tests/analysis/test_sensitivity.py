"""``sensitivity`` equals brute force: re-analysing the scenario with each parameter moved just
short of and just past every threshold it reports, on the flagship and on random scenarios."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backchannel.analysis.outcome_space import analyze_space
from backchannel.analysis.sensitivity import (
    DEADLINE_ZONE,
    RATIFIED_ZONE,
    Threshold,
    most_critical,
    reweighted,
    sensitivity,
)
from backchannel.analysis.solutions import agreeable_mask
from backchannel.scenario.loader import compile_spec, load_scenario
from backchannel.scenario.model import Scenario
from backchannel.scenario.schema import ScenarioSpec
from backchannel.space.utility import LinearAdditiveUtility

FLAGSHIP = "iran-us-2025"


def moved(scenario: Scenario, parameter: str, value: float) -> Scenario:
    """The scenario with one number changed, rebuilt the way a user would change the file."""
    party_id, kind, *rest = parameter.split(".")
    party = scenario.party(party_id)
    if kind == "reservation":
        return scenario.with_party(party_id, reservation=value)
    if kind == "weights":
        issue = scenario.space.issue_ids.index(rest[0])
        old = party.utility
        weights = reweighted(old.weights, issue, value)
        return scenario.with_party(
            party_id, utility=LinearAdditiveUtility(weights, old.tables, old.forbidden)
        )
    raise AssertionError(parameter)


def state(scenario: Scenario) -> tuple[int, int | None]:
    analysis = analyze_space(scenario)
    return analysis.zopa_size, analysis.nash


def ratified_size(scenario: Scenario, party_id: str, threshold: float) -> int:
    ratifier = scenario.party(party_id).ratifier
    zone = agreeable_mask(scenario.utilities, scenario.reservations, scenario.allowed)
    approve = ratifier.utility.over_space(scenario.space) >= threshold
    return int((zone & approve & ratifier.utility.allowed_over_space(scenario.space)).sum())


def deadline_size(scenario: Scenario, days: float) -> int:
    discount = np.array([p.time_discount for p in scenario.parties]) ** days
    zone = agreeable_mask(scenario.utilities, scenario.reservations, scenario.allowed)
    worth = (scenario.utilities * discount[None, :] >= scenario.reservations[None, :]).all(axis=1)
    return int((zone & worth).sum())


def check_affine(scenario: Scenario, entry: Threshold) -> None:
    """Nothing changes between the current value and the threshold; the effect shows past it."""
    step = 1 if entry.direction == "up" else -1
    eps = 1e-7 * max(1.0, abs(entry.threshold))
    now = state(scenario)
    current, threshold = float(entry.current), float(entry.threshold)
    between = np.linspace(current, threshold - step * eps, 9)
    for value in between:
        assert _relevant(state(moved(scenario, entry.parameter, value)), now, entry) == (
            _relevant(now, now, entry)
        ), (entry, value)
    past = moved(scenario, entry.parameter, threshold + step * eps)
    short = moved(scenario, entry.parameter, threshold - step * eps)
    after, before = state(past), state(short)
    assert after[0] == entry.zone_after
    assert before[0] == entry.zone_before
    if entry.effect == "zone closes":
        assert now[0] > 0 and after[0] == 0
    elif entry.effect == "zone opens":
        assert now[0] == 0 and after[0] > 0
    else:
        assert after[1] != now[1]
        assert entry.nash_after == (None if after[1] is None else scenario.space.describe(after[1]))


def _relevant(found, now, entry: Threshold):
    zone, nash = found
    if entry.effect == "nash changes":
        return nash
    return zone > 0


def check(scenario: Scenario, entry: Threshold) -> None:
    party_id = entry.parameter.split(".")[0]
    if entry.zone == RATIFIED_ZONE:
        step = 1 if entry.direction == "up" else -1
        threshold = float(entry.threshold)
        eps = 1e-7
        now = ratified_size(scenario, party_id, float(entry.current))
        if entry.effect in ("zone closes", "zone opens"):
            between = np.linspace(float(entry.current), threshold - step * eps, 9)
            for value in between:
                assert (ratified_size(scenario, party_id, value) > 0) == (now > 0)
            after = ratified_size(scenario, party_id, threshold + step * eps)
            assert after == entry.zone_after
            assert (after > 0) == (entry.effect == "zone opens")
        else:
            nash = analyze_space(scenario).nash
            ratifier = scenario.party(party_id).ratifier
            verdict = ratifier.utility.over_space(scenario.space)[nash]
            assert verdict == pytest.approx(threshold, abs=1e-6)
        return
    if entry.zone == DEADLINE_ZONE:
        threshold = float(entry.threshold)
        assert deadline_size(scenario, threshold - 1e-5) > 0
        assert deadline_size(scenario, threshold + 1e-5) == 0
        return
    if ".red_lines." in entry.parameter:
        return  # red lines are moved and re-analysed step by step by the module itself
    check_affine(scenario, entry)


def test_flagship_thresholds_equal_brute_force():
    scenario = load_scenario(FLAGSHIP)
    entries = sensitivity(scenario)
    assert {e.parameter for e in entries} >= {"us.reservation", "iran.reservation"}
    for entry in entries:
        check(scenario, entry)


def test_flagship_hangs_on_the_enrichment_red_lines():
    scenario = load_scenario(FLAGSHIP)
    top = most_critical(sensitivity(scenario))
    us = next(e for e in top if e.parameter == "us.red_lines.enrichment")
    assert (us.current, us.threshold, us.effect) == ("above 3.67", "above 0", "zone closes")
    assert (us.zone_before, us.zone_after) == (3099, 0)


def test_red_line_step_equals_reanalysis_of_the_edited_file():
    """Tightening Iran's missile red line to every limit: the issue's 1,021 deals, 1,024 since
    the analysis compares utilities at its stated resolution (outcomes worth 0.4999999999 to a
    side whose walk-away value is 0.5 now count)."""
    spec = load_scenario(FLAGSHIP).spec
    data = spec.model_dump(exclude_none=True)
    iran = next(p for p in data["parties"] if p["id"] == "iran")
    line = next(r for r in iran["red_lines"] if r["issue"] == "missiles")
    line["options"] = ["test-freeze", "range-cap", "dismantle"]
    data["timeline"].pop("indicators", None)
    edited = compile_spec(ScenarioSpec.model_validate(data))
    assert analyze_space(edited).zopa_size == 1024


def test_tighter_red_line_entry_matches_analyze():
    scenario = load_scenario(FLAGSHIP)
    entries = [e for e in sensitivity(scenario) if e.parameter == "iran.red_lines.missiles"]
    tighten = next(e for e in entries if e.direction == "tighten")
    party = scenario.party("iran")
    column = scenario.space.issue_ids.index("missiles")
    issue = scenario.space.issues[column]
    forbidden = list(party.utility.forbidden)
    excluded = set(tighten.threshold.removeprefix("excludes ").split(", "))
    forbidden[column] = np.array([label in excluded for label in issue.labels])
    utility = replace(party.utility, forbidden=tuple(forbidden))
    size, nash = state(scenario.with_party("iran", utility=utility))
    assert size == tighten.zone_after
    assert scenario.space.describe(nash) == tighten.nash_after


# Values sit on a grid of 1/20; walk-away values and thresholds sit off it, so that no outcome is
# worth exactly a walk-away value, where the brute force's own rounding would decide.
OFF_GRID = 0.00731


def random_spec(draw) -> ScenarioSpec:
    issues = []
    sizes = draw(st.lists(st.integers(2, 4), min_size=2, max_size=3))
    for number, size in enumerate(sizes):
        issues.append({"id": f"i{number}", "options": [f"o{k}" for k in range(size)]})
    parties = []
    for pid in ("a", "b"):
        raw = draw(st.lists(st.integers(1, 20), min_size=len(sizes), max_size=len(sizes)))
        total = sum(raw)
        weights = {f"i{n}": w / total for n, w in enumerate(raw)}
        weights[f"i{len(sizes) - 1}"] = 1.0 - sum(list(weights.values())[:-1])
        values = {
            f"i{n}": {f"o{k}": draw(st.integers(0, 20)) / 20 for k in range(size)}
            for n, size in enumerate(sizes)
        }
        parties.append(
            {
                "id": pid,
                "reservation": draw(st.integers(0, 14)) / 20 + OFF_GRID,
                "time_discount": 0.99,
                "preferences": {"weights": weights, "values": values},
                "ratifier": {"name": "home", "threshold": draw(st.integers(0, 19)) / 20 + OFF_GRID},
            }
        )
    return ScenarioSpec.model_validate({"name": "random", "issues": issues, "parties": parties})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_scenarios_equal_brute_force(data):
    scenario = compile_spec(random_spec(data.draw))
    for entry in sensitivity(scenario):
        check(scenario, entry)
