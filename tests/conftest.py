"""Shared fixtures: small scenarios built in code, so tests do not depend on bundled numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


PRESSURE_FILE = Path(__file__).parent / "timeline" / "pressure.yaml"


@pytest.fixture
def pressure_file() -> Path:
    """A small scenario with a timeline: a pie split under an ultimatum, a strike, a currency."""
    return PRESSURE_FILE


@pytest.fixture
def pressure(pressure_file: Path):
    from backchannel.scenario.loader import load_scenario

    return load_scenario(pressure_file)
