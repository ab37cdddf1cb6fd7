"""The scenarios shipped with the package: they load, offer a deal, and say where numbers come from.

The flagship ``iran-us`` must stay faithful to its seed articles: facts carry a ``source`` that
cites one of the declared sources, and numbers the sources do not give carry an ``assumption``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from pydantic import BaseModel

from backchannel.analysis import analyze_space
from backchannel.scenario import Scenario, bundled_names, load_scenario
from backchannel.scenario.schema import ScenarioSpec
from backchannel.space.issues import DiscreteIssue, NumericIssue

BUNDLED = ("buyer-seller", "employment", "iran-us")
FLAGSHIP = "iran-us"
MAX_FLAGSHIP_OUTCOMES = 100_000


@pytest.fixture(scope="module")
def flagship() -> Scenario:
    return load_scenario(FLAGSHIP)


def unannotated(spec: ScenarioSpec) -> list[str]:
    """Places in a spec that should say where they come from but carry neither note."""

    def bare(item: object) -> bool:
        return not (getattr(item, "source", None) or getattr(item, "assumption", None))

    missing = [f"issues.{issue.id}" for issue in spec.issues if bare(issue)]
    for party in spec.parties:
        where = f"parties.{party.id}"
        if bare(party):
            missing.append(where)
        if not party.preferences.assumption:
            missing.append(f"{where}.preferences (needs an assumption)")
        if isinstance(party.reservation, float) or bare(party.reservation):
            missing.append(f"{where}.reservation (write it as value + notes)")
        missing += [
            f"{where}.red_lines[{n}]" for n, line in enumerate(party.red_lines) if bare(line)
        ]
    missing += [f"channel.intermediaries.{i.id}" for i in spec.channel.intermediaries if bare(i)]
    missing += [name for name in ("channel", "negotiation") if bare(getattr(spec, name))]
    missing += [f"packages.{p.id}" for p in spec.packages if bare(p)]
    return missing


def source_notes(spec: ScenarioSpec) -> list[tuple[str, str]]:
    """Every ``source`` note in a spec, with where it is."""
    notes: list[tuple[str, str]] = []

    def visit(item: object, where: str) -> None:
        if isinstance(item, list | tuple):
            for number, child in enumerate(item):
                visit(child, f"{where}[{number}]")
            return
        if not isinstance(item, BaseModel):
            return
        if getattr(item, "source", None):
            notes.append((where, item.source))  # type: ignore[attr-defined]
        for name in type(item).model_fields:
            visit(getattr(item, name), f"{where}.{name}")

    visit(spec, "scenario")
    return notes


# --- every bundled scenario ----------------------------------------------------------------


def test_the_three_scenarios_are_bundled() -> None:
    assert set(BUNDLED) <= set(bundled_names())


@pytest.mark.parametrize("name", BUNDLED)
def test_loads_and_compiles(name: str) -> None:
    scenario = load_scenario(name)
    assert scenario.name == name
    assert scenario.spec is not None
    assert len(scenario.parties) == 2
    assert scenario.utilities.shape == (scenario.space.size, 2)
    assert np.all((scenario.utilities >= 0) & (scenario.utilities <= 1 + 1e-9))
    for package in scenario.spec.packages:
        assert scenario.package(package.id).index < scenario.space.size


@pytest.mark.parametrize("name", BUNDLED)
def test_has_a_zone_of_possible_agreement(name: str) -> None:
    scenario = load_scenario(name)
    analysis = analyze_space(scenario)
    assert analysis.zopa_size > 0
    assert analysis.nash is not None
    nash = scenario.utilities[analysis.nash]
    assert np.all(nash >= scenario.reservations)
    assert scenario.allowed[analysis.nash].all()


@pytest.mark.parametrize("name", BUNDLED)
def test_every_party_preference_explains_its_numbers(name: str) -> None:
    spec = load_scenario(name).spec
    assert spec is not None
    for party in spec.parties:
        assert party.preferences.assumption, f"{name}: {party.id}.preferences has no assumption"


# --- the flagship ----------------------------------------------------------------------------


def test_flagship_is_small_enough_to_analyse_quickly(flagship: Scenario) -> None:
    assert flagship.space.size <= MAX_FLAGSHIP_OUTCOMES


def test_flagship_has_the_issues_from_the_seeds(flagship: Scenario) -> None:
    space = flagship.space
    for issue_id in (
        "enrichment",
        "frozen_funds",
        "proxy_truce",
        "missiles",
        "allied_groups",
        "sanctions",
        "inspections",
    ):
        assert issue_id in space.issue_ids
    enrichment = space.issue("enrichment")
    assert isinstance(enrichment, NumericIssue)
    assert enrichment.values == (0.0, 3.67, 20.0, 60.0)
    assert enrichment.unit == "%"
    assert isinstance(space.issue("frozen_funds"), NumericIssue)
    truce = space.issue("proxy_truce")
    assert isinstance(truce, NumericIssue) and 6.0 in truce.values
    sanctions = space.issue("sanctions")
    assert isinstance(sanctions, DiscreteIssue)
    assert any("shadow-banking" in option for option in sanctions.options)


def test_flagship_channel_runs_through_oman_with_qatar_as_alternative(flagship: Scenario) -> None:
    channel = flagship.channel
    assert {i.id for i in channel.intermediaries} == {"oman", "qatar"}
    assert channel.default_route == "oman"
    # Indirection is slower than a direct line: days, not hours.
    for intermediary in channel.intermediaries:
        assert intermediary.delay_hours >= 24 > channel.direct_delay_hours


def test_iran_refuses_direct_talks_and_pays_for_them(flagship: Scenario) -> None:
    iran, us = flagship.party("iran"), flagship.party("us")
    assert iran.refuses_direct_talks
    assert iran.direct_contact_cost > 0
    assert not us.refuses_direct_talks


def test_red_lines_match_the_seeds(flagship: Scenario) -> None:
    space = flagship.space
    column = space.issue_ids.index("enrichment")
    us_forbidden = flagship.party("us").utility.forbidden[column]
    iran_forbidden = flagship.party("iran").utility.forbidden[column]
    values = np.asarray(space.issue("enrichment").values)
    assert list(values[us_forbidden]) == [20.0, 60.0]  # "enrichment above 3.67 %"
    assert list(values[iran_forbidden]) == [0.0]  # zero enrichment is a "diktat"


def test_three_step_plan(flagship: Scenario) -> None:
    terms = flagship.space.outcome(flagship.package("three-step-plan").index)
    assert terms["enrichment"] == pytest.approx(3.67)
    assert terms["proxy_truce"] == 6
    assert terms["frozen_funds"] > 0
    # Everything the plan does not mention stays as it is today.
    assert terms["missiles"] == "none"
    assert terms["allied_groups"] == "unchanged"
    assert terms["sanctions"] == "no-relief"


def test_zone_of_agreement_exists_but_is_narrow(flagship: Scenario) -> None:
    analysis = analyze_space(flagship)
    within_red_lines = int(flagship.allowed.all(axis=1).sum())
    # A small share of all deals, and well short of every deal the red lines leave open.
    assert 0 < analysis.zopa_size < 0.07 * analysis.outcome_count
    assert analysis.zopa_size < 0.6 * within_red_lines


def test_three_step_plan_is_within_reach_but_not_efficient(flagship: Scenario) -> None:
    analysis = analyze_space(flagship)
    plan = flagship.package("three-step-plan").index
    utilities = flagship.utilities[plan]
    assert flagship.allowed[plan].all()
    assert np.all(utilities >= flagship.reservations - 0.02)
    assert analysis.nash is not None
    nash = flagship.utilities[analysis.nash]
    assert np.all(nash > utilities - 1e-9) and np.any(nash > utilities + 0.05)


def test_bargaining_solutions_keep_enrichment_at_the_jcpoa_level(flagship: Scenario) -> None:
    analysis = analyze_space(flagship)
    for index in (analysis.nash, analysis.kalai_smorodinsky):
        assert index is not None
        assert flagship.space.outcome(index)["enrichment"] == pytest.approx(3.67)


def test_flagship_says_where_everything_comes_from(flagship: Scenario) -> None:
    assert flagship.spec is not None
    assert unannotated(flagship.spec) == []


def test_flagship_facts_cite_a_declared_source(flagship: Scenario) -> None:
    spec = flagship.spec
    assert spec is not None
    assert len(spec.sources) == 2
    keys = "|".join(re.escape(k) for k in spec.sources)
    notes = source_notes(spec)
    assert len(notes) >= 20
    uncited = [where for where, text in notes if not re.search(rf"\b({keys}):", text)]
    assert uncited == []


def test_flagship_issues_parties_and_intermediaries_cite_the_seeds(flagship: Scenario) -> None:
    spec = flagship.spec
    assert spec is not None
    items = [*spec.issues, *spec.parties, *spec.channel.intermediaries]
    items += [line for party in spec.parties for line in party.red_lines]
    assert all(item.source for item in items)


def test_the_note_check_catches_a_missing_note(flagship: Scenario) -> None:
    spec = flagship.spec
    assert spec is not None
    stripped = spec.issues[1].model_copy(update={"source": None, "assumption": None})
    broken = spec.model_copy(update={"issues": [spec.issues[0], stripped, *spec.issues[2:]]})
    assert unannotated(broken) == [f"issues.{stripped.id}"]


# --- the teaching cases --------------------------------------------------------------------


def test_employment_mixes_discrete_and_numeric_issues() -> None:
    issues = load_scenario("employment").space.issues
    assert sum(isinstance(i, NumericIssue) for i in issues) >= 2
    assert sum(isinstance(i, DiscreteIssue) for i in issues) >= 2


def test_buyer_seller_is_the_two_issue_case() -> None:
    scenario = load_scenario("buyer-seller")
    assert scenario.space.issue_ids == ("price", "delivery")
    assert all(isinstance(i, NumericIssue) for i in scenario.space.issues)
