"""A problem in something a person wrote (a scenario file, a series), said so they can fix it.

It sits below every package so that any layer that reads a user's file can report one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where it is, what is wrong, and how to fix it."""

    path: str
    message: str
    fix: str
    line: int | None = None

    def render(self, file: str) -> str:
        where = f"{file}:{self.line}" if self.line else file
        place = f" at {self.path}" if self.path else ""
        return f"{where}{place}: {self.message}\n    fix: {self.fix}"
