"""Errors in scenario files, written for the person who has to fix the file."""

from __future__ import annotations

from backchannel.problems import Problem

__all__ = ["Problem", "ScenarioError", "format_path"]


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
