"""Check an uploaded scenario in a child process, within a time and a memory budget.

Parsing and compiling a file is CPU work proportional to the file; done on the event loop it
would stall every other request, and a file the limits did not foresee could exhaust the
server's memory. So each upload is checked in a short-lived process forked from a small
server process (``forkserver``, with the scenario code preloaded): the child's address space
is capped, the parent waits in a thread, and a child that takes too long is killed. At most
``concurrent`` checks run at once; further uploads get a 503 rather than a queue.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from typing import Any

import anyio

from backchannel.scenario.errors import Problem, ScenarioError
from backchannel.service.errors import ServiceError
from backchannel.service.scenarios import shown_filename

MEGABYTE = 1 << 20


@dataclass(frozen=True)
class Budget:
    """What checking one upload may take: seconds of wall time, bytes of memory, and how many
    checks may run at the same time."""

    seconds: float = 20.0
    memory_bytes: int = 768 * MEGABYTE
    concurrent: int = 2


class UploadChecker:
    """Checks uploads in child processes; one per application."""

    def __init__(self, budget: Budget | None = None) -> None:
        self.budget = budget or Budget()
        self._slots = threading.BoundedSemaphore(self.budget.concurrent)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload([__name__, "backchannel.service.scenarios"])

    async def check(self, filename: str, content: bytes) -> dict[str, Any]:
        """The validated spec document, or ``ScenarioError``; never blocks the event loop."""
        filename = shown_filename(filename)
        if not self._slots.acquire(blocking=False):
            raise ServiceError(
                503,
                "the service is already checking other uploaded scenarios",
                "try again in a minute",
            )
        try:
            return await anyio.to_thread.run_sync(self._check_in_child, filename, content)
        finally:
            self._slots.release()

    def _check_in_child(self, filename: str, content: bytes) -> dict[str, Any]:
        receiver, sender = self._context.Pipe(duplex=False)
        child = self._context.Process(
            target=_check_and_send,
            args=(sender, filename, content, self.budget.memory_bytes),
            daemon=True,
        )
        child.start()
        sender.close()
        try:
            if not receiver.poll(self.budget.seconds):
                raise _refusal(
                    filename,
                    f"checking the file took longer than {self.budget.seconds:g} s",
                    "upload a smaller scenario (fewer issues, options or values)",
                )
            try:
                kind, payload = receiver.recv()
            except EOFError:
                kind, payload = "memory", None
        finally:
            child.kill()
            child.join()
            receiver.close()
        if kind == "ok":
            return payload  # type: ignore[no-any-return]
        if kind == "refused":
            raise ScenarioError(filename, [Problem(**p) for p in payload])
        if kind == "memory":
            raise _refusal(
                filename,
                "checking the file needed more than the "
                f"{self.budget.memory_bytes // MEGABYTE} MB the service allows",
                "upload a smaller scenario (fewer issues, options or values)",
            )
        raise RuntimeError(f"checking an upload failed: {payload}")


def _refusal(filename: str, message: str, fix: str) -> ScenarioError:
    return ScenarioError(filename, [Problem("", message, fix)])


def _check_and_send(sender: Connection, filename: str, content: bytes, memory: int) -> None:
    """In the child: cap the address space, check the file, send the outcome, exit."""
    from backchannel.service.scenarios import check_upload

    _cap_memory(memory)
    try:
        outcome: tuple[str, Any] = ("ok", check_upload(filename, content))
    except ScenarioError as error:
        outcome = ("refused", [asdict(p) for p in error.problems])
    except (MemoryError, RecursionError):
        outcome = ("memory", None)
    except Exception as error:  # a bug: reported, so that the parent logs it
        outcome = ("bug", f"{type(error).__name__}: {error}")
    sender.send(outcome)
    sender.close()


def _cap_memory(extra: int) -> None:
    """Allow the child ``extra`` bytes of address space beyond what it starts with."""
    try:
        import resource

        with open("/proc/self/statm") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError):  # not Linux: the time budget still applies
        return
    resource.setrlimit(resource.RLIMIT_AS, (current + extra, current + extra))
