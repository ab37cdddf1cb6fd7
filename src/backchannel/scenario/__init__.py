"""Scenario files: schema, loading and validation, the compiled model, bundled scenarios."""

from backchannel.scenario.errors import Problem, ScenarioError
from backchannel.scenario.loader import bundled_names, load_scenario, load_spec
from backchannel.scenario.model import Channel, Intermediary, Package, Party, Scenario

__all__ = [
    "Channel",
    "Intermediary",
    "Package",
    "Party",
    "Problem",
    "Scenario",
    "ScenarioError",
    "bundled_names",
    "load_scenario",
    "load_spec",
]
