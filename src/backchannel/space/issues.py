"""Issues: the dimensions of a deal, each with a finite list of values."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

MAX_RANGE_VALUES = 50_000_000  # the scenario loader refuses such ranges with a located message
EXACT_LOOKUP_VALUES = 100_000
"""A numeric issue up to this size also keeps a value -> position table, for the service's
one-package lookups; a larger one finds the nearest value in its array each time."""


@dataclass(frozen=True)
class DiscreteIssue:
    """An issue whose values are named options, e.g. ``["none", "partial", "full"]``."""

    id: str
    name: str
    options: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.options)

    @property
    def labels(self) -> tuple[str, ...]:
        return self.options

    def value_of(self, index: int) -> str:
        return self.options[index]

    def index_of(self, value: object) -> int:
        """Position of ``value`` among the options; raises ``KeyError`` if absent."""
        text = str(value)
        if text not in self.options:
            raise KeyError(text)
        return self.options.index(text)


@dataclass(frozen=True)
class NumericIssue:
    """An issue over numbers, e.g. billions of dollars released, from a range with a step."""

    id: str
    name: str
    values: tuple[float, ...]
    unit: str = ""
    _array: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_array", np.asarray(self.values, dtype=float))

    @cached_property
    def _exact(self) -> dict[float, int] | None:
        """The first position of each value, built at the first lookup (analysis never needs
        it); None for an issue too large to keep one."""
        if len(self.values) > EXACT_LOOKUP_VALUES:
            return None
        return {v: i for i, v in reversed(list(enumerate(self.values)))}

    @classmethod
    def from_range(
        cls, id: str, name: str, low: float, high: float, step: float, unit: str = ""
    ) -> NumericIssue:
        span = (high - low) / step
        if not np.isfinite(span) or span >= MAX_RANGE_VALUES:
            raise ValueError(f"a range of more than {MAX_RANGE_VALUES:,} values; use a larger step")
        count = int(np.floor(span + 1e-9)) + 1
        values = np.round(low + step * np.arange(count), 10)
        return cls(id=id, name=name, values=tuple(float(v) for v in values), unit=unit)

    @property
    def size(self) -> int:
        return len(self.values)

    @property
    def array(self) -> np.ndarray:
        return self._array

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(format_number(v) for v in self.values)

    def value_of(self, index: int) -> float:
        return self.values[index]

    def index_of(self, value: object) -> int:
        """Position of the value nearest to ``value``; raises ``KeyError`` if none is close."""
        number = float(value)  # type: ignore[arg-type]
        exact = self._exact.get(number) if self._exact is not None else None
        if exact is not None:  # the usual case: a value as listed (one lookup, no array pass)
            return exact
        if not np.isfinite(number):  # NaN would otherwise match the first value
            raise KeyError(value)
        position = int(np.argmin(np.abs(self._array - number)))
        tolerance = 1e-6 * max(1.0, abs(number))
        if abs(self._array[position] - number) > tolerance:
            raise KeyError(value)
        return position


Issue = DiscreteIssue | NumericIssue


def format_number(value: float) -> str:
    """Print 3.0 as '3' and 3.67 as '3.67'."""
    return f"{value:g}"
