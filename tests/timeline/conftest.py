"""A small scenario with a timeline: a pie split under an ultimatum, a strike and a currency."""

from __future__ import annotations

from pathlib import Path

import pytest

from backchannel.scenario.loader import load_scenario
from backchannel.scenario.model import Scenario

HERE = Path(__file__).parent


@pytest.fixture
def pressure_file() -> Path:
    return HERE / "pressure.yaml"


@pytest.fixture
def pressure(pressure_file: Path) -> Scenario:
    return load_scenario(pressure_file)
