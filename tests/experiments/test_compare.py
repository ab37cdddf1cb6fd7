import itertools

import numpy as np
import pytest

from backchannel.analysis.solutions import agreeable_mask, nash_index
from backchannel.experiments.compare import (
    CompareError,
    CompareSettings,
    draw_for,
    parse_arms,
    run_comparison,
)
from backchannel.experiments.variants import with_channel_variant
from backchannel.protocols import runner
from backchannel.protocols.runner import RunOptions, RunRefused, run_negotiation


def _settings(scenario, text="direct,shuttle,shuttle@other", **kw):
    return CompareSettings(parse_arms(text, scenario), **{"runs": 12, "seed": 5, **kw})


def test_arms_parse_routes_and_mark_the_counterfactual_direct_line(uncertain):
    direct, shuttle, chained = parse_arms("direct, shuttle,shuttle@other+broker", uncertain)
    assert direct.force_direct and direct.via == ()
    assert not shuttle.force_direct and shuttle.via == ()
    assert chained.via == ("other", "broker")
    assert parse_arms("shuttle", uncertain, via=["other"])[0].via == ("other",)


def test_arms_are_checked_against_the_protocols_listed_at_run_time(uncertain, monkeypatch):
    listed = ", ".join(runner.PROTOCOLS)
    with pytest.raises(CompareError, match=rf"unknown protocol 'telepathy'.*{listed}"):
        parse_arms("direct,telepathy", uncertain)
    monkeypatch.setattr(runner, "PROTOCOLS", (*runner.PROTOCOLS, "telepathy"))
    assert parse_arms("direct,telepathy", uncertain)[1].protocol == "telepathy"
    with pytest.raises(CompareError, match="more than once"):
        parse_arms("direct,direct", uncertain)
    with pytest.raises(CompareError, match="takes no route"):
        parse_arms("direct@broker", uncertain)


def test_bad_settings_are_refused_before_any_run(uncertain):
    with pytest.raises(RunRefused, match="no intermediary 'nowhere'"):
        run_comparison(uncertain, _settings(uncertain, "shuttle@nowhere"))
    with pytest.raises(RunRefused, match="unknown strategy"):
        run_comparison(uncertain, _settings(uncertain, strategies=(("a", "nope"),)))
    with pytest.raises(CompareError, match="at least 1"):
        run_comparison(uncertain, _settings(uncertain, runs=0))


def test_rows_do_not_depend_on_chunking_and_repeat_for_a_seed(uncertain):
    whole = run_comparison(uncertain, _settings(uncertain, chunk_size=12)).rows
    assert run_comparison(uncertain, _settings(uncertain, chunk_size=5)).rows == whole
    assert run_comparison(uncertain, _settings(uncertain, seed=6)).rows != whole
    assert [(r["run"], r["arm"]) for r in whole[:3]] == [
        (0, "direct"),
        (0, "shuttle"),
        (0, "shuttle@other"),
    ]


def test_a_chunk_played_a_few_runs_at_a_time_gives_the_same_rows(uncertain, monkeypatch):
    from backchannel.experiments import compare

    whole = run_comparison(uncertain, _settings(uncertain, chunk_size=12)).rows
    monkeypatch.setattr(compare, "HELD_BYTES", 1)  # one drawn run held at a time
    assert run_comparison(uncertain, _settings(uncertain, chunk_size=12)).rows == whole


def test_each_run_is_one_draw_played_by_every_arm_as_the_step_engine_would(uncertain):
    comparison = run_comparison(uncertain, _settings(uncertain, runs=6))
    for run, rows in itertools.groupby(comparison.rows, key=lambda r: r["run"]):
        rows = list(rows)
        assert len({(r["seed"], r["reservation_a"], r["reservation_b"]) for r in rows}) == 1
        drawn = draw_for(uncertain, rows[0]["seed"])
        assert rows[0]["reservation_a"] == drawn.party("a").reservation
        for row, arm in zip(rows, comparison.settings.arms, strict=True):
            options = RunOptions(
                protocol=arm.protocol, via=arm.via, seed=row["seed"], force_direct=arm.force_direct
            )
            result = run_negotiation(drawn, options).result
            got = (row["agreement"], row["rounds"], row["time_hours"])
            assert got == (result.agreement, result.rounds, result.time_hours), run


def test_zone_and_distances_match_brute_force_on_each_drawn_scenario(uncertain):
    comparison = run_comparison(uncertain, _settings(uncertain, runs=30))
    rows = comparison.rows
    assert {r["zopa"] for r in rows} == {True, False}  # the fixture's spread makes both happen
    for row in rows:
        drawn = draw_for(uncertain, row["seed"])
        u, r = drawn.utilities, drawn.reservations
        agreeable = agreeable_mask(u, r, drawn.allowed)
        assert row["zopa"] == bool(agreeable.any())
        assert row["miscalculation"] == (row["zopa"] and not row["agreed"])
        if not row["agreed"]:
            assert row["distance_frontier"] is None
            continue
        candidates = np.flatnonzero(agreeable)
        frontier = [
            i
            for i in candidates
            if not any((u[j] >= u[i]).all() and (u[j] > u[i]).any() for j in candidates)
        ]
        point = u[row["agreement"]]
        nearest = min(float(np.linalg.norm(u[i] - point)) for i in frontier)
        assert row["distance_frontier"] == pytest.approx(nearest)
        nash = nash_index(u, r, agreeable)
        assert row["distance_nash"] == pytest.approx(float(np.linalg.norm(u[nash] - point)))


def test_summaries_follow_the_rows(uncertain):
    comparison = run_comparison(uncertain, _settings(uncertain, runs=20))
    for summary in comparison.summaries:
        mine = [r for r in comparison.rows if r["arm"] == summary.arm]
        assert summary.runs == 20
        assert summary.agreements == sum(r["agreed"] for r in mine)
        zone = [r for r in mine if r["zopa"]]
        assert summary.miscalculations == sum(not r["agreed"] for r in zone)
        assert comparison.engines[summary.arm]


def test_channel_variants_switch_off_loss_and_distortion_only(uncertain):
    arms = "shuttle@other,shuttle@other:faithful,shuttle@other:lossless,shuttle@other:undistorted"
    parsed = parse_arms(arms, uncertain)
    assert [a.variant for a in parsed] == ["", "faithful", "lossless", "undistorted"]
    faithful = with_channel_variant(uncertain, "faithful").channel.intermediary("other")
    assert (faithful.loss, faithful.fidelity, faithful.delay_hours) == (0.0, (), 30.0)
    lossless = with_channel_variant(uncertain, "lossless").channel.intermediary("other")
    assert lossless.loss == 0.0 and lossless.fidelity
    assert with_channel_variant(uncertain, "lossless").utilities is uncertain.utilities
    comparison = run_comparison(uncertain, CompareSettings(parsed, runs=40, seed=2))
    assert comparison.engines["shuttle@other"] == ["step"]  # loss draws randomness
    assert comparison.engines["shuttle@other:faithful"] == ["batch"]
    lossy, clean = comparison.summaries[0], comparison.summaries[1]
    assert lossy.miscalculation_rate > clean.miscalculation_rate
    row = next(r for r in comparison.rows if r["arm"] == "shuttle@other:faithful")
    drawn = with_channel_variant(draw_for(uncertain, row["seed"]), "faithful")
    options = RunOptions(protocol="shuttle", via=("other",), seed=row["seed"])
    assert run_negotiation(drawn, options).result.agreement == row["agreement"]
    with pytest.raises(CompareError, match="unknown channel variant 'perfect'"):
        parse_arms("shuttle:perfect", uncertain)
    with pytest.raises(CompareError, match="takes no route or variant"):
        parse_arms("direct:faithful", uncertain)
