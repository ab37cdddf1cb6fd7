"""Negotiating strategies: components, time-based and behavioural agents, the registry."""

from backchannel.agents.base import Strategy
from backchannel.agents.composed import Composed
from backchannel.agents.registry import create_strategy, register, strategy_names

__all__ = ["Composed", "Strategy", "create_strategy", "register", "strategy_names"]
