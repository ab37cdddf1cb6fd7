"""The ``negmas`` fixture: fails with the install command when NegMAS is missing."""

from __future__ import annotations

from types import ModuleType

import pytest

from .pairs import negmas_module


@pytest.fixture
def negmas() -> ModuleType:
    return negmas_module()
