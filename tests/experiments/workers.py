"""Module-level workers for executor tests (process and Ray backends need picklable ones)."""

from __future__ import annotations

from backchannel.experiments.plan import Chunk, job_rng


def draw_rows(chunk: Chunk) -> list[dict]:
    """One row per job with a number drawn from the job's own generator."""
    return [
        {"run": job.index, "seed": job.seed, "draw": float(job_rng(job.seed).random())}
        for job in chunk.jobs
    ]
