"""A live negotiation leaves out what acts in simulated time only: the flagship's proximity
route keeps its chain of intermediaries but not its dated sessions."""

from __future__ import annotations

from backchannel.scenario.loader import bundled_path, load_spec
from backchannel.service.scenarios import compiled, spec_document


def test_the_flagship_opens_live_with_its_rounds_route_as_a_plain_chain() -> None:
    document = spec_document(load_spec(bundled_path("iran-us")))
    assert "timeline" not in document and "breakdown" not in document["negotiation"]
    assert document["channel"]["routes"]["rounds-2025"] == ["oman"]
    scenario = compiled(document)
    assert scenario.channel.sessions == () and scenario.channel.chain("rounds-2025") == ("oman",)
