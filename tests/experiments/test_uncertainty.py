from dataclasses import replace

import numpy as np
import pytest
import yaml
from tests.experiments.conftest import UNCERTAIN

from backchannel.experiments.uncertainty import draw_scenario, draw_weights, sample
from backchannel.scenario.errors import ScenarioError
from backchannel.scenario.loader import load_scenario
from backchannel.scenario.uncertainty import Distribution


def test_a_scenario_without_uncertainty_is_returned_as_is(fixtures):
    split = load_scenario(fixtures / "split.yaml")
    assert split.uncertainty is None
    assert draw_scenario(split, np.random.default_rng(0)) is split


def test_draws_are_reproducible_per_generator_and_vary_across_generators(uncertain):
    first = draw_scenario(uncertain, np.random.default_rng(1))
    again = draw_scenario(uncertain, np.random.default_rng(1))
    other = draw_scenario(uncertain, np.random.default_rng(2))
    assert first.reservations.tolist() == again.reservations.tolist()
    assert np.array_equal(first.utilities, again.utilities)
    assert first.reservations.tolist() != other.reservations.tolist()
    assert uncertain.reservations.tolist() == [0.3, 0.3]  # the base scenario is untouched


def test_reservation_draws_share_the_utility_matrix(uncertain):
    parties = tuple(replace(p, concentration=None) for p in uncertain.uncertainty.parties)
    only_reservations = replace(
        uncertain, uncertainty=replace(uncertain.uncertainty, parties=parties)
    )
    drawn = draw_scenario(only_reservations, np.random.default_rng(3))
    assert drawn.reservations.tolist() != only_reservations.reservations.tolist()
    assert drawn.utilities is only_reservations.utilities
    assert drawn.allowed is only_reservations.allowed


def test_weight_draws_compute_the_utility_matrix_only_when_asked(uncertain):
    drawn = draw_scenario(uncertain, np.random.default_rng(4))
    assert "utilities" not in drawn.__dict__  # a draw makes no pass over the space
    weights = drawn.party("b").utility.weights
    assert weights.sum() == pytest.approx(1.0)
    assert not np.allclose(weights, uncertain.party("b").utility.weights)
    assert np.array_equal(drawn.utilities[:, 0], uncertain.utilities[:, 0])
    fresh = drawn.party("b").utility.over_space(drawn.space)
    assert np.array_equal(drawn.utilities[:, 1], fresh)
    assert drawn.allowed is uncertain.allowed


def test_dirichlet_is_centred_on_the_stated_weights_and_keeps_zeros():
    stated = np.array([0.5, 0.0, 0.3, 0.2])
    rng = np.random.default_rng(0)
    draws = np.array([draw_weights(stated, 100.0, rng) for _ in range(2000)])
    assert (draws[:, 1] == 0).all()
    assert np.allclose(draws.sum(axis=1), 1.0)
    assert np.allclose(draws.mean(axis=0), stated, atol=0.01)
    # Dirichlet variance w(1-w)/(c+1): 0.25/101 for the first weight.
    assert draws[:, 0].var() == pytest.approx(0.25 / 101, rel=0.15)
    assert draw_weights(np.array([0.0, 1.0]), 5.0, rng).tolist() == [0.0, 1.0]


def test_samples_are_clipped_and_follow_their_kind():
    rng = np.random.default_rng(0)
    wide = Distribution("normal", mean=0.5, sd=5.0, floor=0.0, ceiling=1.0)
    values = np.array([sample(wide, rng) for _ in range(500)])
    assert values.min() == 0.0 and values.max() == 1.0
    tri = Distribution("triangular", low=2.0, mode=3.0, high=10.0)
    values = np.array([sample(tri, rng) for _ in range(2000)])
    assert values.min() >= 2.0 and values.max() <= 10.0
    assert values.mean() == pytest.approx(5.0, abs=0.2)  # (2 + 3 + 10) / 3
    assert sample(Distribution("uniform", low=4.0, high=4.0), rng) == 4.0


def test_hop_delays_are_drawn_and_stated_values_fill_the_mode(uncertain):
    dist = dict(uncertain.uncertainty.delays)["broker"]
    assert (dist.low, dist.mode, dist.high) == (6.0, 12.0, 48.0)
    delays = {
        draw_scenario(uncertain, np.random.default_rng(k))
        .channel.intermediary("broker")
        .delay_hours
        for k in range(20)
    }
    assert len(delays) == 20 and min(delays) >= 6.0 and max(delays) <= 48.0
    drawn = draw_scenario(uncertain, np.random.default_rng(0))
    assert drawn.channel.intermediary("other").delay_hours == 30.0


def _with_uncertainty(tmp_path, block):
    data = yaml.safe_load(UNCERTAIN.read_text())
    data["uncertainty"] = block
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            {"parties": {"c": {"reservation": {"distribution": "normal", "sd": 0.1}}}},
            "uncertainty.parties.c: 'c' is not a party",
        ),
        (
            {
                "intermediaries": {
                    "qatar": {"delay_hours": {"distribution": "uniform", "low": 1, "high": 2}}
                }
            },
            "'qatar' is not an intermediary",
        ),
        (
            {
                "parties": {
                    "a": {"reservation": {"distribution": "triangular", "low": 0.5, "high": 0.9}}
                }
            },
            "the mode 0.3 is not between low 0.5 and high 0.9",
        ),
        (
            {"parties": {"a": {"reservation": {"distribution": "normal"}}}},
            "a normal distribution needs sd",
        ),
        (
            {
                "parties": {
                    "a": {"reservation": {"distribution": "uniform", "low": 0, "high": 1, "sd": 2}}
                }
            },
            "sd does not apply to a uniform distribution",
        ),
        ({"parties": {"a": {"weights": {"concentration": 0}}}}, "greater than 0"),
    ],
)
def test_bad_uncertainty_blocks_are_reported_with_place_and_fix(tmp_path, block, expected):
    with pytest.raises(ScenarioError) as error:
        load_scenario(_with_uncertainty(tmp_path, block))
    assert expected in error.value.render()


def test_a_draw_moves_with_a_changed_stated_value():
    """Uncertainty is a spread around the stated value: ``--set`` moves the whole spread."""
    from backchannel.experiments.uncertainty import draw_scenario
    from backchannel.scenario.loader import load_scenario

    flagship = load_scenario("iran-us-2025")
    changed = flagship.with_party("iran", reservation=0.7)
    for seed in range(20):
        base = draw_scenario(flagship, np.random.default_rng(seed))
        moved = draw_scenario(changed, np.random.default_rng(seed))
        assert moved.party("iran").reservation == pytest.approx(
            min(1.0, base.party("iran").reservation + 0.2)
        )
        assert moved.party("us").reservation == base.party("us").reservation
    dist = Distribution("normal", mean=0.5, sd=0.0, floor=0.0, ceiling=1.0, centre=0.5)
    assert sample(dist, np.random.default_rng(0), current=0.9) == pytest.approx(0.9)
    assert sample(dist, np.random.default_rng(0), current=1.7) == 1.0


def test_draw_run_reuses_draws_across_timeline_versions_and_keeps_no_matrix(uncertain):
    from dataclasses import replace as changed

    from backchannel.experiments import uncertainty as module
    from backchannel.experiments.plan import job_rng
    from backchannel.experiments.uncertainty import draw_run

    reference = draw_scenario(uncertain, job_rng(9, module.DRAW_STREAM))
    first = draw_run(uncertain, 9)
    other_version = draw_run(changed(uncertain, timeline=None), 9)
    for drawn in (first, other_version):
        assert [p.reservation for p in drawn.parties] == [p.reservation for p in reference.parties]
        assert np.array_equal(drawn.utilities, reference.utilities)
    assert other_version.parties is first.parties  # drawn once, shared
    assert other_version.timeline is None
    kept = [entry for entry in module._DRAWS.values() if entry[0] is uncertain.uncertainty]
    assert kept and all(not isinstance(item, type(uncertain)) for e in kept for item in e)
