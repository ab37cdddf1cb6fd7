"""Reading GENIUS domains and profiles: the shipped lease example, checked by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from backchannel.scenario.genius import ImportOptions, find_genius_files, read_genius
from backchannel.scenario.loader import compile_spec, load_scenario

LEASE = Path(__file__).parents[1] / "fixtures" / "genius" / "lease"


@pytest.fixture
def lease():
    return load_scenario(LEASE)


def utility(scenario, party: str, **terms: object) -> float:
    index = scenario.space.index(terms)
    return float(scenario.utilities[index, scenario.party_index(party)])


def test_folder_gives_domain_and_profiles_in_name_order():
    domain, profiles = find_genius_files(LEASE)
    assert domain.name == "lease-domain.xml"
    assert [p.name for p in profiles] == ["lease-landlord.xml", "lease-tenant.xml"]


def test_issues_keep_names_and_map_numbers(lease):
    space = lease.space
    assert space.issue_ids == ("location", "term", "rent", "parking-spaces")
    assert space.issue("parking-spaces").name == "Parking spaces"
    assert space.issue("term").values == (1.0, 2.0, 3.0, 4.0, 5.0)
    # a real issue over [20, 40] becomes 11 evenly spaced values by default
    assert space.issue("rent").values == tuple(float(v) for v in range(20, 41, 2))
    assert space.size == 3 * 5 * 11 * 3


def test_utilities_match_hand_computation(lease):
    # evaluations 10/6/3 are divided by their largest, as GENIUS does
    value = 0.3 * 0.3 + 0.1 * 0.5 + 0.45 * 0.5 + 0.15 * 0.7
    got = utility(lease, "tenant", location="Suburb", term=3, rent=30, **{"parking-spaces": "two"})
    assert got == pytest.approx(value, abs=1e-12)
    best = utility(
        lease, "tenant", location="City centre", term=1, rent=20, **{"parking-spaces": "five"}
    )
    assert best == pytest.approx(1.0, abs=1e-12)
    # landlord: rent value -1 + 0.05 x, clipped at 0; term 0.25 (x - 1)
    landlord = utility(
        lease, "landlord", location="City centre", term=2, rent=22, **{"parking-spaces": "none"}
    )
    assert landlord == pytest.approx(0.2 * 0.4 + 0.3 * 0.25 + 0.4 * 0.1 + 0.1 * 1.0, abs=1e-12)


def test_reservation_and_discount(lease):
    tenant, landlord = lease.party("tenant"), lease.party("landlord")
    assert tenant.reservation == 0.35 and landlord.reservation == 0.3
    # 0.9 over the whole negotiation of 100 days -> 0.9 ** (1/100) per day
    assert tenant.time_discount == pytest.approx(0.9 ** (1 / 100))
    assert tenant.time_discount**lease.deadline_days == pytest.approx(0.9)
    assert landlord.time_discount == 1.0
    assert lease.max_rounds == 100 and lease.deadline_days == 100


def test_options_set_rounds_steps_and_name():
    spec = read_genius(
        LEASE / "lease-domain.xml",
        [LEASE / "lease-tenant.xml", LEASE / "lease-landlord.xml"],
        ImportOptions(name="office", rounds=40, real_steps=4),
    )
    scenario = compile_spec(spec)
    assert scenario.name == "office"
    assert scenario.party_ids == ("tenant", "landlord")
    assert scenario.space.issue("rent").values == (20.0, 25.0, 30.0, 35.0, 40.0)
    assert scenario.max_rounds == 40
    assert scenario.party("tenant").time_discount == pytest.approx(0.9 ** (1 / 40))


def test_domain_file_path_finds_its_profiles(lease):
    by_file = load_scenario(LEASE / "lease-domain.xml")
    assert np.array_equal(by_file.utilities, lease.utilities)


def test_evaluator_kinds(tmp_path):
    (tmp_path / "d-domain.xml").write_text(
        """<negotiation_template><utility_space><objective>
        <issue index="1" name="x" type="real"><range lowerbound="0" upperbound="10"/></issue>
        </objective></utility_space></negotiation_template>"""
    )
    evaluators = {
        "a": '<evaluator ftype="triangular" parameter0="2" parameter1="8" parameter2="4"/>',
        "b": '<evaluator ftype="constant" parameter0="0.25"/>',
    }
    for party, evaluator in evaluators.items():
        (tmp_path / f"d-{party}.xml").write_text(
            f"""<utility_space><objective>
            <issue index="1" name="x" type="real"><range lowerbound="0" upperbound="10"/>
            {evaluator}</issue><weight index="1" value="1"/></objective></utility_space>"""
        )
    scenario = load_scenario(tmp_path)
    xs = np.array(scenario.space.issue("x").values)
    triangular = np.interp(xs, [2, 4, 8], [0, 1, 0], left=0, right=0)
    assert np.allclose(scenario.utilities[:, 0], triangular, atol=1e-12)
    assert np.allclose(scenario.utilities[:, 1], 0.25)


def test_numeric_items_from_other_tools_match_by_value(tmp_path):
    # an integer issue in the domain, rated item by item in the profile (as NegMAS writes it)
    (tmp_path / "n-domain.xml").write_text(
        """<negotiation_template><utility_space><objective>
        <issue index="1" name="q" etype="integer" type="integer" vtype="integer"
         lowerbound="0" upperbound="2"/>
        </objective></utility_space></negotiation_template>"""
    )
    for party, values in {"a": (0.0, 0.5, 1.0), "b": (1.0, 0.5, 0.0)}.items():
        items = "".join(
            f'<item index="{k + 1}" value="{k}.0" evaluation="{v}"/>' for k, v in enumerate(values)
        )
        (tmp_path / f"n-{party}.xml").write_text(
            f"""<utility_space><objective><issue index="1" name="q" type="discrete"
            vtype="integer">{items}</issue><weight index="1" value="1.0"/></objective>
            </utility_space>"""
        )
    scenario = load_scenario(tmp_path)
    assert scenario.utilities.tolist() == [[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]]
