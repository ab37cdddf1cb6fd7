"""Executors: run the chunks of a plan serially, on a process pool, or on a Ray cluster.

API (small on purpose; compare, the batch engine and tournaments all use it)::

    execute(chunks, worker, backend="local", *, workers=None, ray_address=None,
            progress=None) -> list[row]

``worker(chunk) -> list[row]`` does the work of one chunk. For the ``process`` and ``ray``
backends it must be picklable: a module-level function, or ``functools.partial`` of one with
picklable arguments (a :class:`~backchannel.scenario.model.Scenario` is). Rows come back in
chunk order whatever order the chunks finish in, so every backend returns the same list for
the same plan. ``progress(runs_done)`` is called as chunks finish (from this process).

Backends:

- ``local``: in this process, one chunk after another (the default; the easiest to debug).
- ``process``: a pool of ``workers`` processes (default: one per CPU), started with ``spawn``
  so that no lock held by a thread of this process (a progress bar) is inherited.
- ``ray``: Ray tasks, one per chunk. Ray is imported only when chosen (``pip install
  'backchannel[distributed]'``). If Ray is already initialised (a test, a notebook) it is used
  as is; otherwise ``ray.init(address=ray_address)`` connects to a cluster (``ray://host:10001``
  or the ``RAY_ADDRESS`` environment variable) or, with neither, starts a local instance, which
  is shut down again at the end.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from backchannel.experiments.plan import Chunk

Row = dict[str, Any]
Worker = Callable[[Chunk], list[Row]]
Progress = Callable[[int], None]

BACKENDS = ("local", "process", "ray")


class BackendUnavailable(RuntimeError):
    """The chosen backend cannot run here; the message says what to install or change."""


def execute(
    chunks: Sequence[Chunk],
    worker: Worker,
    backend: str = "local",
    *,
    workers: int | None = None,
    ray_address: str | None = None,
    progress: Progress | None = None,
) -> list[Row]:
    """Run ``worker`` on every chunk with the chosen backend; rows in plan order."""
    if backend not in BACKENDS:
        raise BackendUnavailable(
            f"unknown backend '{backend}'; choose one of: {', '.join(BACKENDS)}"
        )
    if workers is not None and workers < 1:
        raise BackendUnavailable("the number of workers must be at least 1")
    report = progress or (lambda _done: None)
    if backend == "local" or not chunks:
        results = _run_local(chunks, worker, report)
    elif backend == "process":
        results = _run_processes(chunks, worker, workers or os.cpu_count() or 1, report)
    else:
        results = _run_ray(chunks, worker, ray_address, report)
    return [row for chunk in chunks for row in results[chunk.index]]


def _run_local(chunks: Sequence[Chunk], worker: Worker, report: Progress) -> dict[int, list[Row]]:
    results: dict[int, list[Row]] = {}
    for chunk in chunks:
        results[chunk.index] = worker(chunk)
        report(len(chunk))
    return results


def _run_processes(
    chunks: Sequence[Chunk], worker: Worker, workers: int, report: Progress
) -> dict[int, list[Row]]:
    results: dict[int, list[Row]] = {}
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(chunks)), mp_context=context, initializer=_ignore_interrupts
    )
    # Finished futures are handed over through a queue rather than found by ``wait``: ``wait``
    # takes every pending future's lock in turn, and a Ctrl-C landing between two of them left
    # the ones taken locked, so the pool's shutdown (which cancels them) waited forever.
    finished: queue.SimpleQueue[Future[list[Row]]] = queue.SimpleQueue()
    try:
        pending: dict[Future[list[Row]], Chunk] = {}
        for chunk in chunks:
            future = pool.submit(worker, chunk)
            pending[future] = chunk
            future.add_done_callback(finished.put)
        while pending:
            future = finished.get()
            chunk = pending.pop(future)
            results[chunk.index] = future.result()
            report(len(chunk))
    except BaseException:
        _stop(pool)  # Ctrl-C or a failed chunk: no worker is left running behind
        raise
    pool.shutdown(wait=True)
    return results


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the command that started them, which stops them all."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers now, waiting for each to exit."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join()


def _run_ray(
    chunks: Sequence[Chunk], worker: Worker, address: str | None, report: Progress
) -> dict[int, list[Row]]:
    ray = _import_ray()
    started_here = not ray.is_initialized()
    if started_here:
        _connect(ray, address)
    try:
        task = ray.remote(_call)
        shared = ray.put(worker)  # sent once to the object store, not once per chunk
        pending = {task.remote(shared, chunk): chunk for chunk in chunks}
        results: dict[int, list[Row]] = {}
        while pending:
            # Collect whatever finished in the last moment (not one ref per call: that would
            # rescan the pending list once per chunk).
            done, _ = ray.wait(list(pending), num_returns=len(pending), timeout=0.2)
            for ref in done:
                chunk = pending.pop(ref)
                results[chunk.index] = ray.get(ref)
                report(len(chunk))
        return results
    finally:
        if started_here:
            ray.shutdown()


def _call(worker: Worker, chunk: Chunk) -> list[Row]:
    return worker(chunk)


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise BackendUnavailable(
            "--backend ray needs Ray, which is not installed; install it with "
            "pip install 'backchannel[distributed]' (or choose --backend local or process)"
        ) from None
    return ray


def _connect(ray: Any, address: str | None) -> None:
    target = address or os.environ.get("RAY_ADDRESS") or None
    try:
        if target:
            ray.init(address=target, log_to_driver=False)
        else:
            ray.init(include_dashboard=False, log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise BackendUnavailable(
            f"cannot connect to the Ray cluster at '{target}': {error}. Check the address "
            "(ray://HOST:10001 for a remote cluster, or the RAY_ADDRESS variable), or run "
            "without --ray-address to start a local Ray instance"
        ) from None
