"""The compiled-scenario cache keeps what is in use: a negotiation written to all along stays
compiled while more negotiations than the cache holds are opened."""

from __future__ import annotations

from backchannel.service import scenarios


def test_a_scenario_in_use_stays_cached() -> None:
    spec = scenarios.bundled_spec("iran-us-2025")
    kept = scenarios.compiled(spec, "in-use")
    for other in range(2 * scenarios._CACHE_SIZE):
        scenarios.compiled(spec, f"other-{other}")
        assert scenarios.cached_scenario("in-use") is kept
