"""The strategy contract across engines: a strategy declared as components plays on the batch
engine exactly as on the step engine, with no second class; coverage follows the components
(array forms, nothing random, no overridden decision), never the class name."""

from __future__ import annotations

import numpy as np
import pytest

from backchannel.agents.acceptance import AtDemand, FixedThreshold
from backchannel.agents.composed import Composed, array_components
from backchannel.agents.concession import Aspiration, ConcessionCurve
from backchannel.agents.offer_choice import ModelledBest
from backchannel.agents.registry import create_strategy, register, strategy_names
from backchannel.agents.views import Offer, PartyView
from backchannel.experiments.batch import batch_supported, run_batch, why_not_batch
from backchannel.experiments.plan import job_rng
from backchannel.experiments.uncertainty import draw_scenario
from backchannel.scenario.loader import load_scenario
from backchannel.scenario.model import Scenario


# A new built-in combination, declared purely from existing components.
@register("contract-conceder-fixed", "a conceder that accepts 60 % of its gain (test only)")
class ConcederFixed(Composed):
    name = "contract-conceder-fixed"
    curve = Aspiration(0.25)
    acceptance = FixedThreshold(0.6)


@register("contract-linear-at-demand", "linear, accepting only its demand (test only)")
class LinearAtDemand(Composed):
    name = "contract-linear-at-demand"
    curve = Aspiration(1.0)
    acceptance = AtDemand()


@register("contract-fixed-refuser", "the conceder above, overriding its answer (test only)")
class Refuser(ConcederFixed):
    name = "contract-fixed-refuser"

    def respond(self, view: PartyView, offer: int) -> bool:
        return False


@register("contract-boulware-modelled", "Boulware with the frequency model's offers (test only)")
class BoulwareModelled(Composed):
    name = "contract-boulware-modelled"
    curve = Aspiration(4.0)
    offer_choice = ModelledBest()


NEW = ("contract-conceder-fixed", "contract-linear-at-demand")
SEEDS = [3, 1, 4, 1, 5]


def drawn(scenario: Scenario, seed: int) -> Scenario:
    return draw_scenario(scenario, job_rng(seed, 0))


def rows(scenario: Scenario, protocol: str, strategies: dict[str, str], engine: str, draw=None):
    found = run_batch(scenario, protocol, strategies, SEEDS, engine=engine, draw=draw)
    assert {row["engine"] for row in found} == {"batch" if engine == "auto" else "step"}
    return [{k: v for k, v in row.items() if k != "engine"} for row in found]


@pytest.fixture(scope="module")
def flagship() -> Scenario:
    return load_scenario("iran-us-2025")


@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("scenario_name", ["buyer-seller", "employment"])
def test_a_new_combination_plays_on_the_batch_engine_as_on_the_step_engine(
    name: str, scenario_name: str
) -> None:
    scenario = load_scenario(scenario_name)
    first, second = scenario.party_ids
    for strategies in ({first: name}, {first: "tit-for-tat", second: name}):
        for protocol in ("direct", "shuttle"):
            if not batch_supported(scenario, protocol, strategies):
                assert why_not_batch(scenario, protocol, strategies) is not None
                assert name not in str(why_not_batch(scenario, protocol, strategies))
                continue
            batch = rows(scenario, protocol, strategies, "auto")
            assert batch == rows(scenario, protocol, strategies, "step")


@pytest.mark.parametrize("name", NEW)
def test_a_new_combination_matches_under_drawn_weights_and_a_timeline(
    name: str, flagship: Scenario
) -> None:
    # The flagship draws both sides' weights (each run its own utilities), has a timeline and a
    # ratifier; every run's answers come from the components' array forms.
    strategies = {"us": name, "iran": "conceder"}
    assert batch_supported(flagship, "shuttle", strategies)
    batch = rows(flagship, "shuttle", strategies, "auto", draw=drawn)
    assert batch == rows(flagship, "shuttle", strategies, "step", draw=drawn)


def test_the_new_combination_behaves_as_its_components_say(fixtures) -> None:
    # Late in the talks the conceder demands little and takes a poor offer; with the fixed
    # threshold it still wants 60 % of its gain: a composition, not one of the old families.
    strategy = create_strategy("contract-conceder-fixed")
    assert strategy.parameters() == {"exponent": 0.25, "share": 0.6}
    assert create_strategy("contract-conceder-fixed", share=0.8).acceptance == FixedThreshold(0.8)
    split = load_scenario(fixtures / "split.yaml")  # a's utility is its share; walk-away 0.2
    utilities = split.utilities[:, 0]
    view = PartyView(
        party_id="a",
        space=split.space,
        utilities=utilities,
        acceptable=split.allowed[:, 0] & (utilities >= 0.2),
        reservation=0.2,
        relative_time=0.99,
        elapsed_hours=0.0,
        round=9,
        received=(Offer("b", 30, 0.0),),
        sent=(),
    )
    assert create_strategy("conceder").respond(view, 30)
    assert not strategy.respond(view, 30)  # 0.30 < 0.2 + 0.8 * 0.6
    assert strategy.respond(view, 68) and not strategy.respond(view, 67)
    assert strategy.propose(view) == create_strategy("conceder").propose(view)


def test_an_overridden_decision_runs_on_the_step_engine_and_is_obeyed() -> None:
    scenario = load_scenario("buyer-seller")
    first, second = scenario.party_ids
    strategies = {first: "contract-fixed-refuser", second: "contract-fixed-refuser"}
    reason = why_not_batch(scenario, "direct", strategies)
    assert reason is not None and "contract-fixed-refuser" in reason
    found = run_batch(scenario, "direct", strategies, [0, 1])
    assert [row["engine"] for row in found] == ["step", "step"]
    assert not any(row["agreed"] for row in found)  # the override, not the components, answered


def test_overridden_hooks_are_what_the_step_engine_calls(fixtures) -> None:
    # A subclass's own offer choice is used for its offers and by AC_next for its answers,
    # as before strategies were declared as components; either override leaves the batch engine.
    from backchannel.agents.time_based import Linear

    class Cheap(Linear):  # offers its least acceptable outcome, whatever it demands
        def offer_at(self, view: PartyView, target: float) -> int:
            return int(np.argmin(np.where(view.acceptable, view.utilities, np.inf)))

    class NeverConcedes(Linear):
        def target(self, view: PartyView) -> float:
            return view.best_utility

    split = load_scenario(fixtures / "split.yaml")
    utilities = split.utilities[:, 0]
    view = PartyView(
        party_id="a",
        space=split.space,
        utilities=utilities,
        acceptable=split.allowed[:, 0] & (utilities >= 0.2),
        reservation=0.2,
        relative_time=0.5,
        elapsed_hours=0.0,
        round=9,
        received=(Offer("b", 50, 0.0),),
        sent=(),
    )
    assert Linear().propose(view) == 60 and not Linear().respond(view, 30)  # demands 0.6
    assert Cheap().propose(view) == 20
    assert Cheap().respond(view, 30)  # AC_next against its own next offer, worth 0.2
    assert NeverConcedes().propose(view) == 100 and not NeverConcedes().respond(view, 99)
    assert array_components(Cheap()) is None and array_components(NeverConcedes()) is None
    assert array_components(Linear()) is not None


def test_a_component_without_an_array_form_runs_on_the_step_engine() -> None:
    assert array_components(create_strategy("contract-boulware-modelled")) is None
    assert array_components(create_strategy("opponent-model")) is None
    assert array_components(create_strategy("equilibrium")) is None  # not declared as parts


def test_a_random_component_runs_on_the_step_engine() -> None:
    class Jitter(ConcessionCurve):
        stochastic = True

        def demand(self, view: PartyView) -> float:
            return view.reservation

        def demand_runs(self, side, relative_time):  # type: ignore[no-untyped-def]
            return side.reservation

    class Jittery(Composed):
        curve = Jitter()

    assert array_components(Jittery()) is None
    assert array_components(ConcederFixed()) is not None


@pytest.mark.parametrize("name", strategy_names())
def test_every_strategy_is_covered_exactly_when_its_components_are(name: str) -> None:
    strategy = create_strategy(name, rng=np.random.default_rng(0))
    scenario = load_scenario("buyer-seller")
    first, _ = scenario.party_ids
    parts = array_components(strategy)
    assert batch_supported(scenario, "direct", {first: name}) == (parts is not None)
    if parts is not None:
        strategies = {first: name}
        assert rows(scenario, "direct", strategies, "auto") == rows(
            scenario, "direct", strategies, "step"
        )


def test_the_built_in_families_are_covered_by_their_components() -> None:
    for name in ("boulware", "linear", "conceder", "tit-for-tat", "hardliner"):
        assert array_components(create_strategy(name)) is not None, name


def test_parameters_go_to_the_component_that_has_them() -> None:
    assert create_strategy("boulware", exponent=3.0).exponent == 3.0
    assert create_strategy("tit-for-tat", generosity=0.5).generosity == 0.5
    assert create_strategy("hardliner", firmness=0.8).firmness == 0.8
    assert create_strategy("boulware").exponent == 4.0  # a variant leaves the class as declared
    with pytest.raises(TypeError, match="no parameter speed; its parameters: exponent"):
        create_strategy("contract-boulware-modelled", speed=2.0)
    with pytest.raises(ValueError, match="exponent must be positive"):
        create_strategy("linear", exponent=0.0)


def test_a_component_slot_takes_only_its_kind() -> None:
    with pytest.raises(TypeError, match="curve must be a ConcessionCurve"):
        type("Wrong", (Composed,), {"curve": AtDemand()})
