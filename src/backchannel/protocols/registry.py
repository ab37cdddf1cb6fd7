"""Protocols by name, each declared where its rules are written.

A protocol module declares what it offers with ``@protocol(...)`` on its ``play`` function::

    @protocol("shuttle", "turns through the scenario's intermediaries", intermediary=True,
              array_form=True)
    def play_shuttle(run: RunSetup) -> Transcript: ...

The runner looks protocols up here (``--protocol``, ``compare``'s arms, the tournament); the
contract test (``tests/protocols/test_contract.py``) plays every registered protocol and holds
it to the rules every protocol keeps. Adding a protocol is one module with one declaration,
plus its import in :func:`load_builtins`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from backchannel.agents.base import Strategy
from backchannel.channel.route import Route
from backchannel.protocols.transcript import Transcript
from backchannel.scenario.model import Scenario


@dataclass(frozen=True)
class RunSetup:
    """Everything one negotiation needs, built by ``runner.prepare_run``: the scenario, the
    route messages take, a fresh strategy per party, the mediator policy, the protocol's own
    random stream and the transcript to fill."""

    scenario: Scenario
    route: Route
    strategies: Mapping[str, Strategy]
    mediator: Any
    rng: np.random.Generator
    transcript: Transcript
    post_settlement: bool = True


Play = Callable[[RunSetup], Transcript]


@dataclass(frozen=True)
class ProtocolInfo:
    """A protocol as declared.

    ``intermediary``: messages go through the scenario's intermediaries (else a direct line,
    which a party may refuse). ``mediators``: which family of ``agents.mediators`` policies it
    takes. ``array_form``: the batch engine (``experiments.batch``) restates its rules over
    arrays of runs, so both engines must agree run by run. ``order``: place in listings.
    """

    name: str
    description: str
    play: Play
    intermediary: bool
    mediators: str
    array_form: bool = False
    order: int = 100


_REGISTRY: dict[str, ProtocolInfo] = {}


def protocol(
    name: str,
    description: str,
    *,
    intermediary: bool = True,
    mediators: str | None = None,
    array_form: bool = False,
    order: int = 100,
) -> Callable[[Play], Play]:
    """Declare ``play`` as the protocol ``name``; ``order`` places it in listings (help texts,
    ``compare``'s default arms), by name among equals."""

    def declare(play: Play) -> Play:
        if name in _REGISTRY:
            raise ValueError(f"protocol '{name}' is already registered")
        _REGISTRY[name] = ProtocolInfo(
            name, description, play, intermediary, mediators or name, array_form, order
        )
        return play

    return declare


_LOADED: list[bool] = []  # non-empty once the built-in protocols are declared


def load_builtins() -> None:
    """Import the built-in protocol modules, which declare themselves (listing order); once:
    every run looks its protocol up."""
    if _LOADED:
        return
    from backchannel.protocols import (  # noqa: F401
        alternating,
        confidential,
        relay_play,
        single_text,
    )

    _LOADED.append(True)


def protocol_names() -> tuple[str, ...]:
    """Every protocol's name, in the declared listing order."""
    load_builtins()
    return tuple(sorted(_REGISTRY, key=lambda name: (_REGISTRY[name].order, name)))


def get_protocol(name: str) -> ProtocolInfo:
    """The declared protocol; ``KeyError`` with the known names."""
    load_builtins()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(protocol_names())
        raise KeyError(f"unknown protocol '{name}'; choose one of: {known}") from None
