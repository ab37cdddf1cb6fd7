"""Each run's protocol stream, replayed for many runs at once.

The step engine gives the protocol of run ``seed`` the generator ``lazy_rng(seed, 0)`` and draws
from it one ``random()`` at a time, in the order things happen: a leak draw per leaky hop a
message crosses (``channel.hops``), then, after a rejected round, the breakdown draw
(``protocols.breakdown``). A generator's ``random(n)`` gives the same numbers as ``n`` calls of
``random()``, so each run's draws are taken in blocks and handed out in that order; a run whose
block runs out gets the next block of its own stream.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

BLOCK = 64  # draws taken from a run's stream at a time


class RunDraws:
    """The uniform draws of every run's protocol stream, handed out in order per run.

    Runs are numbered as at construction; callers pass the numbers of the runs that draw.
    Streams are built only when a run first draws (building one costs about as much as a
    short round of play, and runs on a certain channel never draw).
    """

    def __init__(self, seeds: Sequence[int]) -> None:
        self.seeds = [int(s) for s in seeds]
        self._streams: list[np.random.Generator | None] = [None] * len(self.seeds)
        self._block = np.empty((len(self.seeds), 0))
        self._used = np.zeros(len(self.seeds), dtype=np.int64)  # draws handed out
        self._filled = np.zeros(len(self.seeds), dtype=np.int64)  # draws taken from the stream

    def take(self, runs: np.ndarray) -> np.ndarray:
        """The next draw of each run in ``runs`` (distinct run numbers), one per run."""
        runs = np.asarray(runs, dtype=np.int64)
        if not len(runs):
            return np.zeros(0)
        short = runs[self._used[runs] >= self._filled[runs]]
        if len(short):
            self._grow(short)
        values = self._block[runs, self._used[runs]]
        self._used[runs] += 1
        return values

    def _grow(self, runs: np.ndarray) -> None:
        """The next block of each of ``runs``' streams."""
        need = int(self._filled[runs].max()) + BLOCK
        if need > self._block.shape[1]:
            wider = np.full((len(self.seeds), need), np.nan)
            wider[:, : self._block.shape[1]] = self._block
            self._block = wider
        for run in runs.tolist():
            start = int(self._filled[run])
            self._block[run, start : start + BLOCK] = self._stream(run).random(BLOCK)
            self._filled[run] = start + BLOCK

    def _stream(self, run: int) -> np.random.Generator:
        stream = self._streams[run]
        if stream is None:
            sequence = np.random.SeedSequence(self.seeds[run], spawn_key=(0,))
            stream = np.random.default_rng(sequence)
            self._streams[run] = stream
        return stream
