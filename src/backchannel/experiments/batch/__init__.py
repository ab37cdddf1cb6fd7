"""The batch engine: thousands of negotiations at once as array operations, exact to the step
engine; :func:`run_batch` falls back to the step engine where the batch engine does not apply."""

from backchannel.experiments.batch.run import batch_supported, run_batch, why_not_batch

__all__ = ["batch_supported", "run_batch", "why_not_batch"]
