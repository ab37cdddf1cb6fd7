"""``backchannel run`` with mediation protocols, mediator policies and chains of intermediaries."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from backchannel.cli.main import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_single_text_and_confidential_run_from_the_command_line(fixtures: Path) -> None:
    for protocol in ("single-text", "confidential"):
        result = invoke("run", str(fixtures / "split.yaml"), "--protocol", protocol)
        assert result.exit_code == 0, result.output
        assert "Agreement" in result.output or "No agreement" in result.output
    confidential = invoke("run", str(fixtures / "split.yaml"), "-p", "confidential")
    assert "confides truthfully to the mediator" in confidential.output


def test_mediator_policy_is_chosen_by_name(fixtures: Path) -> None:
    result = invoke("run", str(fixtures / "split.yaml"), "--mediator", "scheduled", "--json")
    data = json.loads(result.output)
    assert data["settings"]["mediator"] == "scheduled"
    assert any(e["kind"] == "hold" for e in data["events"])


def test_former_mediator_name_still_works_with_a_note(fixtures: Path) -> None:
    """ "batch" names the array engine only; the weekly-trips policy is "scheduled" now."""
    result = invoke("run", str(fixtures / "split.yaml"), "--mediator", "batch")
    assert result.exit_code == 0
    assert "note: --mediator batch is now called 'scheduled'" in result.output


def test_unknown_mediator_is_a_clear_error(fixtures: Path) -> None:
    result = invoke("run", str(fixtures / "split.yaml"), "-p", "single-text", "-m", "oracle")
    assert result.exit_code == 2
    assert "unknown mediator 'oracle'" in result.output and "annealing" in result.output


def test_repeated_via_builds_a_chain_and_the_account_shows_changes(
    fixtures: Path, tmp_path: Path
) -> None:
    data = yaml.safe_load((fixtures / "split.yaml").read_text())
    data["channel"]["intermediaries"] = [
        {"id": "qatar", "delay_hours": 6},
        {
            "id": "oman",
            "delay_hours": 6,
            "fidelity": [{"kind": "round", "issue": "share", "step": 25}],
        },
    ]
    path = tmp_path / "chain.yaml"
    path.write_text(yaml.safe_dump(data))
    result = invoke("run", str(path), "--via", "qatar", "--via", "oman")
    assert result.exit_code == 0, result.output
    assert "qatar → oman" in result.output
    assert "oman changed the message" in result.output


def test_flagship_confidential_mediation_tells_of_the_supreme_leader() -> None:
    # seed 1: a run the flagship's breakdown hazard spares, so a deal goes to the ratifiers
    result = invoke("run", "--protocol", "confidential", "--seed", "1", "--json")
    data = json.loads(result.output)
    kinds = [e["kind"] for e in data["events"]]
    assert "confide" in kinds and ("ratified" in kinds or "ratification_failed" in kinds)


def test_flagship_confidential_mediation_can_collapse_into_strikes() -> None:
    result = invoke("run", "--protocol", "confidential", "--json")  # seed 0: the hazard strikes
    data = json.loads(result.output)
    fired = [e["details"] for e in data["events"] if e["details"].get("cause") == "breakdown"]
    assert fired == [{"event": "strikes-resume", "cause": "breakdown"}]
    assert data["result"]["reason"] == "breakdown" and data["result"]["collapses"] == 1
