"""Fixtures for the experiments tests: a small scenario with declared uncertainty."""

from __future__ import annotations

from pathlib import Path

import pytest

from backchannel.scenario.loader import load_scenario
from backchannel.scenario.model import Scenario

UNCERTAIN = Path(__file__).parent / "fixtures" / "uncertain.yaml"


@pytest.fixture
def uncertain() -> Scenario:
    return load_scenario(UNCERTAIN)
