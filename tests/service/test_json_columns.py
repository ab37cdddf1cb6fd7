"""JSON columns are read through a cache of small documents: every read equals ``json.loads``
and returns an object of its own, so changing what one reader got never changes another's."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from backchannel.service.storage.db import SMALL_JSON, load_json

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=5)
    ),
    max_leaves=12,
)


@given(documents)
def test_a_read_equals_json_loads_and_is_its_own_object(document: object) -> None:
    text = json.dumps(document)
    first = load_json(text)
    assert first == json.loads(text)
    if isinstance(first, dict):
        first["changed by one reader"] = 1
        for value in first.values():
            if isinstance(value, dict | list):
                value.clear() if isinstance(value, dict) else value.append("changed")
    elif isinstance(first, list):
        first.append("changed by one reader")
    assert load_json(text) == json.loads(text)


def test_terms_read_twice_are_two_objects() -> None:
    text = json.dumps({"enrichment": 3.67, "sanctions": "phased"})
    assert load_json(text) is not load_json(text)
    big = json.dumps({"x": "y" * SMALL_JSON})
    assert load_json(big) == json.loads(big)
