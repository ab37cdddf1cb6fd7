"""Export then import gives the same utility for every outcome (property test)."""

from __future__ import annotations

import tempfile

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.scenario.genius import read_genius_path, write_genius
from backchannel.scenario.loader import compile_spec, load_scenario
from backchannel.scenario.schema import ScenarioSpec

unit = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def scenarios(draw):
    """Random discrete and numeric issues, 2-3 parties, random weights and value tables."""
    issues = []
    for k in range(draw(st.integers(1, 3))):
        size = draw(st.integers(1, 5))
        kind = draw(st.sampled_from(["options", "range", "values"]))
        if kind == "options":
            issues.append({"id": f"i{k}", "options": [f"o{j} x" for j in range(size)]})
        elif kind == "range":
            low = draw(st.integers(-5, 5))
            step = draw(st.sampled_from([1, 0.5, 0.25, 2.5]))
            top = low + step * (size - 1)
            issues.append({"id": f"i{k}", "range": {"min": low, "max": top, "step": step}})
        else:
            numbers = draw(st.sets(st.floats(-100, 100, width=32), min_size=size, max_size=size))
            issues.append({"id": f"i{k}", "values": sorted(numbers)})
    parties = []
    for p in range(draw(st.integers(2, 3))):
        raw = [draw(st.floats(0.01, 1.0)) for _ in issues]
        weights = {f"i{k}": w / sum(raw) for k, w in enumerate(raw)}
        values: dict[str, object] = {}
        for k, issue in enumerate(issues):
            if "options" in issue:
                values[f"i{k}"] = {o: draw(unit) for o in issue["options"]}
            else:
                values[f"i{k}"] = [[x, draw(unit)] for x in grid(issue)]
        parties.append(
            {
                "id": f"p{p}",
                "reservation": draw(unit),
                "time_discount": draw(st.floats(0.5, 1.0)),
                "preferences": {"weights": weights, "values": values},
            }
        )
    return ScenarioSpec.model_validate(
        {
            "name": "random",
            "issues": issues,
            "parties": parties,
            "negotiation": {"deadline_days": 100, "max_rounds": 100},
        }
    )


def grid(issue: dict) -> list[float]:
    if "values" in issue:
        return list(issue["values"])
    r = issue["range"]
    count = round((r["max"] - r["min"]) / r["step"]) + 1
    return [r["min"] + r["step"] * j for j in range(count)]


@settings(max_examples=40, deadline=None)
@given(scenarios())
def test_export_then_import_keeps_every_utility(spec):
    original = compile_spec(spec)
    with tempfile.TemporaryDirectory() as folder:
        exported = write_genius(original, folder)
        assert not exported.left_out
        back = compile_spec(read_genius_path(folder))
    assert back.space.size == original.space.size
    assert back.party_ids == tuple(sorted(original.party_ids))
    columns = [original.party_index(pid) for pid in back.party_ids]
    assert np.array_equal(back.utilities, original.utilities[:, columns])
    for party in back.parties:
        before = original.party(party.id)
        assert party.reservation == before.reservation
        assert np.isclose(party.time_discount, before.time_discount, rtol=1e-12)


def test_bundled_flagship_exports_and_reads_back(tmp_path):
    original = load_scenario("iran-us-2025")
    exported = write_genius(original, tmp_path)
    assert any("red lines" in note for note in exported.left_out)
    back = load_scenario(tmp_path)
    columns = [original.party_index(pid) for pid in back.party_ids]
    assert np.array_equal(back.utilities, original.utilities[:, columns])
