"""GENIUS XML domains and utility profiles: import as a scenario, export a scenario."""

from backchannel.scenario.genius.reader import (
    ImportOptions,
    find_genius_files,
    is_genius_path,
    read_genius,
    read_genius_path,
)
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
