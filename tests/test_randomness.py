"""Lazily built generators draw exactly what eagerly built ones would."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from backchannel.randomness import LazyGenerator, lazy_rng


@given(seed=st.integers(0, 2**63 - 1), children=st.integers(1, 4))
def test_a_lazy_stream_is_the_spawned_child(seed: int, children: int) -> None:
    spawned = np.random.SeedSequence(seed).spawn(children)
    for index, child in enumerate(spawned):
        eager = np.random.default_rng(child)
        lazy = lazy_rng(seed, index)
        assert lazy.integers(0, 1000, 5).tolist() == eager.integers(0, 1000, 5).tolist()
        assert lazy.random() == eager.random()


def test_nothing_is_built_until_something_draws() -> None:
    lazy = LazyGenerator(3)
    assert lazy._generator is None
    assert lazy.random() == np.random.default_rng(3).random()
    assert lazy._generator is not None
