"""Experiments: plans of seeded runs, executors (local, process pool, Ray), tidy results."""
