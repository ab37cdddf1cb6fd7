"""The outcome space: every combination of issue values, addressed by a flat integer index.

Outcomes are never materialised as Python objects on a hot path: an outcome is an index, a batch
of outcomes is an integer array of per-issue positions, and large spaces are walked in chunks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from math import prod

import numpy as np

from backchannel.space.issues import Issue

DEFAULT_CHUNK = 1 << 20


@dataclass(frozen=True)
class OutcomeSpace:
    """Cartesian product of issues; outcome ``i`` is ``np.unravel_index(i, shape)``."""

    issues: tuple[Issue, ...]

    @cached_property
    def shape(self) -> tuple[int, ...]:
        return tuple(issue.size for issue in self.issues)

    @cached_property
    def size(self) -> int:
        return prod(self.shape)

    @property
    def issue_ids(self) -> tuple[str, ...]:
        return tuple(issue.id for issue in self.issues)

    def issue(self, issue_id: str) -> Issue:
        for issue in self.issues:
            if issue.id == issue_id:
                return issue
        raise KeyError(issue_id)

    def positions(self, indices: np.ndarray | Sequence[int]) -> np.ndarray:
        """Per-issue positions, shape ``(n, issues)``, of flat outcome indices."""
        flat = np.asarray(indices, dtype=np.int64)
        return np.stack(np.unravel_index(flat, self.shape), axis=-1)

    def index_of_positions(self, positions: np.ndarray) -> np.ndarray:
        """Flat indices of per-issue positions, the inverse of :meth:`positions`."""
        positions = np.asarray(positions, dtype=np.int64)
        return np.ravel_multi_index(tuple(positions.T), self.shape)

    def chunks(self, chunk_size: int = DEFAULT_CHUNK) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(start, positions)`` blocks covering the whole space in index order."""
        for start in range(0, self.size, chunk_size):
            stop = min(start + chunk_size, self.size)
            yield start, self.positions(np.arange(start, stop, dtype=np.int64))

    def outcome(self, index: int) -> dict[str, str | float]:
        """The outcome at ``index`` as ``{issue id: value}``, for people and JSON."""
        return {
            issue.id: issue.value_of(p)
            for issue, p in zip(self.issues, self.position(index), strict=True)
        }

    def position(self, index: int) -> tuple[int, ...]:
        """One outcome's per-issue positions (:meth:`positions` for a single index, in plain
        integers: a request's one package costs no array set-up)."""
        index = int(index)
        if not 0 <= index < self.size:
            raise ValueError(f"outcome index {index} is outside 0..{self.size - 1}")
        reversed_positions = []
        for size in reversed(self.shape):
            index, position = divmod(index, size)
            reversed_positions.append(position)
        return tuple(reversed(reversed_positions))

    def index_of_position(self, position: Sequence[int]) -> int:
        """The flat index of one outcome's per-issue positions (the inverse of :meth:`position`)."""
        index = 0
        for size, at in zip(self.shape, position, strict=True):
            if not 0 <= at < size:
                raise ValueError(f"position {at} is outside 0..{size - 1}")
            index = index * size + at
        return index

    def index(self, terms: Mapping[str, object]) -> int:
        """Flat index of a complete package ``{issue id: value}``; ``KeyError`` names the issue."""
        missing = [issue.id for issue in self.issues if issue.id not in terms]
        if missing:
            raise KeyError(f"missing issue(s): {', '.join(missing)}")
        return self.index_of_position([issue.index_of(terms[issue.id]) for issue in self.issues])

    def describe(self, index: int) -> str:
        """One line such as ``enrichment=3.67, funds=6``."""
        position = self.positions([index])[0]
        parts = [
            f"{issue.id}={issue.labels[int(p)]}"
            for issue, p in zip(self.issues, position, strict=True)
        ]
        return ", ".join(parts)
