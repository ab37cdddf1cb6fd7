"""The live service's export holds a transcript in the schema of ``backchannel run --json``."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from backchannel.cli.main import app as cli
from backchannel.report.transcript_schema import TranscriptDocument

from .conftest import make_world, ok, package


def api(world, suffix: str = "") -> str:
    return f"/api/negotiations/{world.id}{suffix}"


def test_run_json_and_the_live_export_share_one_schema(app) -> None:
    for protocol in ("direct", "shuttle", "single-text", "confidential", "live"):
        result = CliRunner().invoke(cli, ["run", "-p", protocol, "--force-direct", "--json"])
        assert result.exit_code == 0, result.output
        TranscriptDocument.model_validate(json.loads(result.output))

    world = make_world(app)
    mediator, us, iran = (world.clients[k] for k in ("mediator", "us", "iran"))
    room = ok(iran.get(api(world, "/room")))
    sent = ok(
        iran.post(api(world, "/messages"), json={"kind": "proposal", "terms": package(room, 2)}),
        201,
    )
    ok(
        mediator.post(
            api(world, "/relay"), json={"to": "us", "source": sent["messages"][-1]["id"]}
        ),
        201,
    )
    ok(
        us.post(api(world, "/messages"), json={"kind": "accept", "confirm_below_walkaway": True}),
        201,
    )
    export = ok(mediator.get(api(world, "/export")))

    document = TranscriptDocument.model_validate(export["transcript"])
    kinds = [e.kind for e in document.events]
    agreed = export["negotiation"]["status"] in ("agreed", "closed") and export["agreement"]
    tail = ["offer", "offer", "accept", "agreement"] if agreed else ["offer", "offer", "accept"]
    assert kinds[0] == "start" and kinds[-len(tail) :] == tail
    relayed = document.events[-len(tail) + 1]
    assert (relayed.receiver, relayed.via) == ("us", ["mediator"])  # passed on by the mediator
    if agreed:
        assert document.result is not None and document.result.agreement is not None
        assert document.result.agreement_terms == export["agreement"]["terms"]
    else:
        assert document.result is None  # still open: no result yet
    assert all(e.time_hours >= 0 for e in document.events)  # real hours since it opened


def test_the_schema_refuses_what_a_transcript_cannot_hold() -> None:
    result = CliRunner().invoke(cli, ["run", "buyer-seller", "--json"])
    good = json.loads(result.output)
    TranscriptDocument.model_validate(good)
    undeclared = json.loads(result.output)
    undeclared["events"][1]["details"]["colour"] = "red"
    with pytest.raises(ValueError, match="undeclared detail 'colour'"):
        TranscriptDocument.model_validate(undeclared)
    backwards = json.loads(result.output)
    backwards["events"][-1]["time_hours"] = -1.0
    with pytest.raises(ValueError, match="time order"):
        TranscriptDocument.model_validate(backwards)


def test_analyze_reads_a_live_export_as_it_reads_run_json(app, tmp_path) -> None:
    """One reader: the agreement comes from each document's transcript result."""
    ran = CliRunner().invoke(cli, ["run", "iran-us-2025", "-p", "live", "--json"])
    assert ran.exit_code == 0, ran.output
    run_document = json.loads(ran.output)
    TranscriptDocument.model_validate(run_document)

    world = make_world(app)  # the US proposed; the mediator passed it on to Iran
    ok(world.clients["iran"].post(api(world, "/messages"), json={"kind": "accept"}), 201)
    export = ok(world.clients["mediator"].get(api(world, "/export")))
    live_document = export["transcript"]
    TranscriptDocument.model_validate(live_document)
    assert live_document["protocol"] == run_document["protocol"] == "live"
    assert "agreement" not in {p["id"] for p in export["scenario"].get("packages", [])}

    for name, written, transcript in (
        ("run.json", run_document, run_document),
        ("export.json", export, live_document),
    ):
        path = tmp_path / name
        path.write_text(json.dumps(written))
        answer = CliRunner().invoke(cli, ["analyze", str(path), "--json"])
        assert answer.exit_code == 0, answer.output
        run = json.loads(answer.output)["run"]
        agreement = transcript["result"]["agreement"]
        assert run["reason"] == transcript["result"]["reason"]
        if agreement is None:
            assert run["agreement"] is None
        else:
            assert run["agreement"]["index"] == agreement
            assert run["agreement"]["outcome"] == transcript["result"]["agreement_terms"]
        text = CliRunner().invoke(cli, ["analyze", str(path)])
        assert text.exit_code == 0 and "The run in" in text.output, text.output
    assert export["transcript"]["result"]["agreement"] is not None


def test_an_export_without_a_transcript_gets_a_one_line_answer(tmp_path) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"format": "backchannel-live-transcript", "scenario": {}}))
    answer = CliRunner().invoke(cli, ["analyze", str(path)])
    assert answer.exit_code == 2 and "export the negotiation again" in answer.output
