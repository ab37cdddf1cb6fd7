"""Strategies register themselves by name with a decorator; nothing keeps a hand-made list."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np

from backchannel.agents.base import Strategy

StrategyType = TypeVar("StrategyType", bound=type[Strategy])

_REGISTRY: dict[str, Callable[..., Strategy]] = {}
_DESCRIPTIONS: dict[str, str] = {}


def register(
    name: str | None = None, description: str | None = None, **defaults: object
) -> Callable[[StrategyType], StrategyType]:
    """Class decorator: make a strategy available under ``name`` (with default parameters)."""

    def decorate(cls: StrategyType) -> StrategyType:
        key = name or cls.name
        if not key:
            raise ValueError(f"{cls.__name__} needs a name to be registered")
        if key in _REGISTRY:
            raise ValueError(f"strategy name '{key}' is already registered")
        _REGISTRY[key] = lambda rng=None, **kw: cls(rng=rng, **{**defaults, **kw})
        _DESCRIPTIONS[key] = description or cls.description
        return cls

    return decorate


_LOADED: list[bool] = []  # non-empty once the built-in strategies are registered


def _load_builtins() -> None:
    """Register the built-in strategies (once: a strategy is created on every run)."""
    if _LOADED:
        return
    import backchannel.agents.behavioural
    import backchannel.agents.equilibrium
    import backchannel.agents.opponent_model
    import backchannel.agents.time_based  # noqa: F401

    _LOADED.append(True)


def strategy_names() -> list[str]:
    _load_builtins()
    return sorted(_REGISTRY)


def describe_strategies() -> dict[str, str]:
    _load_builtins()
    return dict(sorted(_DESCRIPTIONS.items()))


def create_strategy(
    name: str, rng: np.random.Generator | None = None, **params: object
) -> Strategy:
    """A fresh strategy instance; ``KeyError`` lists the known names."""
    _load_builtins()
    if name not in _REGISTRY:
        raise KeyError(f"unknown strategy '{name}'; known: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name](rng=rng, **params)
