"""Errors in scenario files, written for the person who has to fix the file."""

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


class ScenarioError(Exception):
    """A scenario file that cannot be used, with every problem found in it."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        super().__init__(self.render())

    def render(self) -> str:
        count = len(self.problems)
        header = f"{self.file}: {count} problem{'s' if count != 1 else ''} found"
        return "\n".join([header, *(p.render(self.file) for p in self.problems)])


def format_path(location: tuple[object, ...]) -> str:
    """Turn ``("parties", 1, "preferences", "weights")`` into ``parties[1].preferences.weights``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
