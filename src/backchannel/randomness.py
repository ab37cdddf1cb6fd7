"""Seeded random generators that are built only when something draws from them.

A run hands every party and the protocol its own stream, ``SeedSequence(seed, spawn_key=(k,))``
(the children ``SeedSequence(seed).spawn`` would give). Building a numpy generator costs about
as much as ten rounds of a short negotiation, and a run on a certain channel with deterministic
strategies never draws, so each stream is built on first use.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class LazyGenerator:
    """Behaves as ``np.random.default_rng(SeedSequence(seed, spawn_key=key))``, built lazily."""

    def __init__(self, seed: int, key: tuple[int, ...] = ()) -> None:
        self._seed = seed
        self._key = key
        self._generator: np.random.Generator | None = None

    @property
    def generator(self) -> np.random.Generator:
        """The real generator (built now if nothing has drawn yet)."""
        if self._generator is None:
            sequence = np.random.SeedSequence(self._seed, spawn_key=self._key)
            self._generator = np.random.default_rng(sequence)
        return self._generator

    def __getattr__(self, name: str) -> Any:
        # Only names this class lacks arrive here: random, integers, bit_generator, ...
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.generator, name)


def lazy_rng(seed: int, *key: int) -> np.random.Generator:
    """The generator of ``SeedSequence(seed, spawn_key=key)``, built on first use; with one
    ``key`` ``k`` it is the ``k``-th child that ``SeedSequence(seed).spawn`` gives."""
    return LazyGenerator(seed, key)  # type: ignore[return-value]  # stands in for a Generator
