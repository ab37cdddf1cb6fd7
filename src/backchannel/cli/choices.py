"""Names the help text shows, kept here so that ``--help`` imports no engine code.

Each tuple mirrors the one the engine uses; ``tests/cli/test_choices.py`` checks they agree.
"""

from __future__ import annotations

DEFAULT_SCENARIO = "iran-us"
PROTOCOLS = ("direct", "shuttle", "single-text", "confidential", "live")
BACKENDS = ("local", "process", "ray")
VARIANTS = ("lossless", "undistorted", "faithful", "loss=P", "noise=P")
DEFAULT_CHUNK_SIZE = 128
PLOT_SUFFIXES = (".png", ".svg", ".pdf")
SCENARIO_HELP = "Scenario file or bundled name."
# Built-in strategies: a scenario naming one is checked without importing them all (a name
# not listed here is looked up in the registry, so a new strategy needs no entry).
STRATEGIES = (
    "boulware",
    "conceder",
    "equilibrium",
    "hardliner",
    "linear",
    "opponent-model",
    "tit-for-tat",
)
