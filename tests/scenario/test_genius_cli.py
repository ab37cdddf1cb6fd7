"""``import-genius``, ``export-genius``, and GENIUS folders given to ``analyze`` and ``run``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from backchannel.cli.main import app
from backchannel.scenario.loader import load_scenario

runner = CliRunner()
LEASE = Path(__file__).parents[1] / "fixtures" / "genius" / "lease"
FILES = [str(LEASE / f"lease-{part}.xml") for part in ("domain", "tenant", "landlord")]


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_import_writes_a_valid_yaml_scenario(tmp_path):
    out = tmp_path / "lease.yaml"
    result = invoke("import-genius", *FILES, "-o", str(out), "--rounds", "60")
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("# Imported from GENIUS")
    assert "assumption" in text
    from_yaml, from_xml = load_scenario(out), load_scenario(LEASE)
    assert from_yaml.max_rounds == 60
    columns = [from_xml.party_index(pid) for pid in from_yaml.party_ids]
    assert np.array_equal(from_yaml.utilities, from_xml.utilities[:, columns])
    assert invoke("validate", str(out)).exit_code == 0


def test_import_without_output_prints_yaml():
    result = invoke("import-genius", *FILES)
    assert result.exit_code == 0
    assert "name: lease" in result.output


def test_export_then_analyze_the_folder(tmp_path):
    result = invoke("export-genius", str(LEASE), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "lease-domain.xml").exists()
    analysis = invoke("analyze", str(tmp_path / "out"), "--json")
    assert analysis.exit_code == 0
    direct = json.loads(invoke("analyze", str(LEASE), "--json").output)
    assert json.loads(analysis.output)["nash"]["utilities"] == direct["nash"]["utilities"]


def test_export_says_what_genius_cannot_hold(tmp_path):
    result = invoke("export-genius", "iran-us-2025", "-o", str(tmp_path))
    assert result.exit_code == 0
    assert "left out" in result.output and "intermediaries" in result.output


def test_run_a_genius_folder_directly():
    result = invoke("run", str(LEASE), "--protocol", "direct", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["result"]["rounds"] >= 1


def test_bad_xml_is_a_message_not_a_traceback(tmp_path):
    bad = tmp_path / "broken-domain.xml"
    bad.write_text("<negotiation_template><utility_space>")
    result = runner.invoke(app, ["import-genius", str(bad), FILES[1], FILES[2]])
    assert result.exit_code == 2
    assert "broken-domain.xml" in result.output and "not well-formed XML" in result.output
    assert "Traceback" not in result.output
    analyze = runner.invoke(app, ["analyze", str(bad)])
    assert analyze.exit_code == 2 and "Traceback" not in analyze.output
