"""``backchannel compare`` as a user meets it: table, JSON, files, plot, clear errors."""

from __future__ import annotations

import json

import pytest
from tests.experiments.conftest import UNCERTAIN
from typer.testing import CliRunner

from backchannel.cli.main import app
from backchannel.experiments.results import read_results

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_compare_prints_a_table_and_flags_the_counterfactual_direct_line():
    result = invoke("compare", str(UNCERTAIN), "--runs", "8", "-p", "direct,shuttle")
    assert result.exit_code == 0, result.output
    assert "'direct' is a counterfactual" in result.output
    assert "a reservation ~ uniform(0.2, 0.9)" in result.output
    for word in ("direct", "shuttle", "miscalc.", "p50/p90"):
        assert word in result.output


def test_compare_json_writes_rows_and_a_plot(tmp_path):
    out, plot = tmp_path / "rows.parquet", tmp_path / "compare.png"
    args = ["compare", str(UNCERTAIN), "-n", "6", "--seed", "2", "--json"]
    result = invoke(*args, "--out", str(out), "--plot", str(plot), "-p", "direct,shuttle@other")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)  # nothing but JSON on stdout (no progress bar)
    labels = [s["arm"] for s in document["summary"]]
    assert labels == ["direct", "shuttle@other"]
    assert document["arms"][0]["counterfactual_direct"] is True
    rows = read_results(out)
    assert len(rows) == 12 and {r["arm"] for r in rows} == set(labels)
    assert (
        sum(r["agreed"] for r in rows if r["arm"] == "direct")
        == document["summary"][0]["agreements"]
    )
    assert plot.read_bytes()[:4] == b"\x89PNG"
    again = invoke(*args, "--out", str(tmp_path / "rows.csv"), "-p", "direct,shuttle@other")
    assert json.loads(again.output)["summary"] == document["summary"]
    # CSV has no null: an empty text ('via' of the direct line) reads back as None.
    assert read_results(tmp_path / "rows.csv") == [
        {k: None if v == "" else v for k, v in row.items()} for row in rows
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "direct,teleport"], "unknown protocol 'teleport' in --protocols; choose from"),
        (["-p", "shuttle@atlantis"], "no intermediary 'atlantis'"),
        (["--out", "rows.xlsx"], "end the file name with .parquet or .csv"),
        (["--backend", "spark"], "choose one of: local, process, ray"),
        (["--ray-address", "ray://x:10001"], "--ray-address only applies with --backend ray"),
        (["--strategy", "us"], "--strategy expects PARTY=NAME"),
        (["--runs", "0"], "--runs must be at least 1"),
    ],
)
def test_user_errors_are_explained_without_a_traceback(args, message):
    result = invoke("compare", "iran-us-2025", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
