"""GENIUS XML domains and utility profiles: import as a scenario, export a scenario.

The writer is imported on first use (``write_genius``, ``Exported``): reading a GENIUS folder,
as ``backchannel analyze FOLDER`` does, then skips ``xml.etree`` and the writer's imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backchannel.scenario.genius.reader import (
    ImportOptions,
    find_genius_files,
    is_genius_path,
    read_genius,
    read_genius_path,
)

if TYPE_CHECKING:
    from backchannel.scenario.genius.writer import Exported, write_genius

__all__ = [
    "Exported",
    "ImportOptions",
    "find_genius_files",
    "is_genius_path",
    "read_genius",
    "read_genius_path",
    "write_genius",
]

_FROM_WRITER = ("Exported", "write_genius")


def __getattr__(name: str) -> Any:
    if name in _FROM_WRITER:
        from backchannel.scenario.genius import writer

        return getattr(writer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
