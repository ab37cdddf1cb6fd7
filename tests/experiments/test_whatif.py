from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import numpy as np
import pytest
from typer.testing import CliRunner

from backchannel.analysis.window import deal_window
from backchannel.cli.main import app
from backchannel.experiments.whatif import (
    WhatIfError,
    apply_changes,
    figures,
    parse_event,
    parse_setting,
    parse_sweep,
)
from backchannel.protocols.runner import RunOptions
from backchannel.scenario.loader import load_scenario

runner = CliRunner()


def test_parsers() -> None:
    assert parse_event("snapback@2026-03-01").date == dt.date(2026, 3, 1)
    assert parse_event("snapback@never").date is None
    assert parse_setting("iran.reservation=0.3").value == 0.3
    assert parse_setting("iran.refuses_direct_talks=false").value is False
    np.testing.assert_allclose(parse_sweep("rial=0:0.8:9").values, np.linspace(0, 0.8, 9))
    np.testing.assert_allclose(parse_sweep("rial=0.1,0.5").values, [0.1, 0.5])


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_event, "snapback", "--event expects EVENT@YYYY-MM-DD"),
        (parse_event, "snapback@tomorrow", "is not a date"),
        (parse_setting, "iran=0.3", "--set expects PARTY.FIELD=VALUE"),
        (parse_setting, "iran.weights=1", "cannot be set; use one of: reservation"),
        (parse_setting, "iran.reservation=high", "is not a number"),
        (parse_sweep, "rial=0:1", "--sweep expects INDICATOR=START:STOP:COUNT"),
        (parse_sweep, "rial=0:1:1", "COUNT must be at least 2"),
    ],
)
def test_bad_flags_name_the_flag_and_the_fix(parse, text: str, message: str) -> None:
    with pytest.raises(WhatIfError, match=message):
        parse(text)


def test_unknown_names(pressure) -> None:
    with pytest.raises(WhatIfError, match=r"no timeline event 'nope' \(known: ultimatum"):
        apply_changes(pressure, [parse_event("nope@2026-01-02")], [])
    with pytest.raises(WhatIfError, match=r"no party 'c'; parties are: a, b"):
        apply_changes(pressure, [], [parse_setting("c.reservation=0.1")])
    plain = replace(pressure, timeline=None)
    with pytest.raises(WhatIfError, match="has no timeline"):
        apply_changes(plain, [parse_event("ultimatum@2026-01-02")], [])


def test_window_counts_match_brute_force(pressure) -> None:
    window = deal_window(pressure)
    utilities = np.round(pressure.utilities, 12)  # compared at the stated resolution
    for row in (0, 30, 60, 120):
        bar = np.round(window.reservations[row], 12)
        expected = int(((utilities >= bar).all(axis=1) & pressure.allowed.all(axis=1)).sum())
        assert window.zopa_sizes[row] == expected


def test_a_higher_floor_narrows_the_zone_and_moves_payoffs(pressure) -> None:
    options = RunOptions(protocol="shuttle")
    base = figures(pressure, "base", 3, options)
    changed = apply_changes(pressure, [], [parse_setting("b.reservation=0.45")])
    variant = figures(changed, "what-if", 3, options)
    assert variant.window.zopa_start < base.window.zopa_start
    assert variant.runs.mean_payoffs["b"] > base.runs.mean_payoffs["b"]


def test_cli_json_reports_baseline_what_if_and_sweep(pressure_file, tmp_path) -> None:
    plot = tmp_path / "whatif.png"
    result = runner.invoke(
        app,
        [
            "whatif",
            str(pressure_file),
            "--event",
            "sanctions@2026-01-08",
            "--runs",
            "2",
            "--sweep",
            "currency=0:0.8:3",
            "--plot",
            str(plot),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    base, variant = document["versions"]["baseline"], document["versions"]["what-if"]
    # the sanctions round lowers a's floor by 0.1 from day 7: more deals at the deadline
    assert variant["reservations_deadline"]["a"] == pytest.approx(
        base["reservations_deadline"]["a"] - 0.1
    )
    assert variant["zopa_deadline"] > base["zopa_deadline"]
    zones = [row["zopa_deadline"] for row in document["sweep"]["rows"]]
    assert zones == sorted(zones) and zones[0] < zones[-1]  # a weaker currency, a lower floor
    assert plot.stat().st_size > 10_000


def test_cli_bad_flag_is_a_message_not_a_traceback(pressure_file) -> None:
    result = runner.invoke(app, ["whatif", str(pressure_file), "--event", "ultimatum"])
    assert result.exit_code == 2
    assert "--event expects EVENT@YYYY-MM-DD" in result.output
    assert "Traceback" not in result.output


def test_flagship_snapback_narrows_the_zone() -> None:
    flagship = load_scenario("iran-us-2025")
    later = apply_changes(flagship, [parse_event("snapback@2026-03-01")], [])
    assert deal_window(later).zopa_end < deal_window(flagship).zopa_end


def test_flagship_set_reaches_the_simulations() -> None:
    """Both flagship parties declare uncertainty; ``--set`` must still move the runs."""
    result = runner.invoke(
        app, ["whatif", "iran-us-2025", "--set", "iran.reservation=0.9", "--runs", "6", "--json"]
    )
    assert result.exit_code == 0, result.output
    versions = json.loads(result.output)["versions"]
    base, variant = versions["baseline"], versions["what-if"]
    assert variant["zopa_deadline"] == 0
    assert base["agreement_rate"] > 0
    assert variant["agreement_rate"] < base["agreement_rate"]
    assert variant["mean_payoffs"]["iran"] > base["mean_payoffs"]["iran"]


def test_rates_carry_their_95_percent_interval(pressure_file) -> None:
    result = runner.invoke(app, ["whatif", str(pressure_file), "--runs", "2", "--json"])
    assert result.exit_code == 0, result.output
    base = json.loads(result.output)["versions"]["baseline"]
    low, high = base["agreement_rate_interval"]
    assert 0.0 <= low <= base["agreement_rate"] <= high <= 1.0
    assert high - low > 0.5  # two runs say little
    text = runner.invoke(app, ["whatif", str(pressure_file), "--runs", "2"]).output
    assert "agreement rate (95% interval)" in text
