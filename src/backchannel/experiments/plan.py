"""A plan of seeded jobs: one ``SeedSequence`` gives every run its own seed, fixed in advance.

Run ``i`` always gets the same seed for a given plan seed, however the runs are grouped into
chunks and wherever a chunk is executed (this process, a process pool, a Ray cluster). That is
what makes results independent of the backend and of the chunk size. Seeds are prefix-stable:
the first 100 runs of a 1,000-run plan are the 100 runs of a 100-run plan with the same seed.

API (small on purpose; the batch engine and tournaments build on it)::

    plan_runs(seed, count, chunk_size) -> list[Chunk]   # chunks of consecutive Jobs
    job.index, job.seed                                 # run number in the plan, its int seed
    job_rng(job.seed, stream)                           # a Generator for one named use of a run

``Job.seed`` is a plain int below 2**63 (it fits a signed 64-bit Parquet column), so any single
run can be replayed, e.g. with ``backchannel run --seed``. Independent streams are derived from
one run seed with :func:`job_rng` (for instance one to draw an uncertain scenario).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_CHUNK_SIZE = 128  # the batch engine plays a chunk's runs together: fewer, larger chunks
STREAM_TAG = 0x0BAC


@dataclass(frozen=True)
class Job:
    """One run of an experiment: its position in the plan and its own seed."""

    index: int
    seed: int


@dataclass(frozen=True)
class Chunk:
    """Consecutive jobs sent to a worker together (the unit of work for every backend)."""

    index: int
    jobs: tuple[Job, ...]

    def __len__(self) -> int:
        return len(self.jobs)


def run_seeds(seed: int, count: int) -> np.ndarray:
    """The per-run seeds of a plan: ``count`` 63-bit numbers from ``SeedSequence(seed)``."""
    if count < 0:
        raise ValueError("the number of runs cannot be negative")
    words = np.random.SeedSequence(seed).generate_state(count, dtype=np.uint64)
    return (words >> np.uint64(1)).astype(np.int64)


def plan_runs(seed: int, count: int, chunk_size: int = DEFAULT_CHUNK_SIZE) -> list[Chunk]:
    """``count`` seeded jobs split into chunks of at most ``chunk_size``, in run order."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    seeds = run_seeds(seed, count)
    jobs = [Job(index=i, seed=int(s)) for i, s in enumerate(seeds)]
    return [
        Chunk(index=number, jobs=tuple(jobs[start : start + chunk_size]))
        for number, start in enumerate(range(0, count, chunk_size))
    ]


def job_rng(seed: int, stream: int = 0) -> np.random.Generator:
    """An independent generator for one use (``stream``) of a run seed.

    The stream is a two-word spawn key ``(STREAM_TAG, stream)``: the negotiation runner spawns
    its own generators from ``SeedSequence(seed)`` with one-word keys ``(0,), (1,), ...``, so
    the two families never coincide.
    """
    if stream < 0:
        raise ValueError("stream must be a non-negative integer")
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(STREAM_TAG, stream)))
