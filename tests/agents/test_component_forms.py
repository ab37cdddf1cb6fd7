"""Every strategy component's scalar form (step engine) and array form (batch engine) agree
bit for bit, on random outcome spaces, utilities, red lines, walk-away values, offers received
and times, whether the party's arrays are ranked (read-only) or scanned."""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import backchannel.agents
from backchannel.agents.acceptance import AcceptanceRule, AcceptNext, AtDemand, FixedThreshold
from backchannel.agents.composed import has_array_form
from backchannel.agents.concession import Aspiration, ConcessionCurve, Fixed, Mirror
from backchannel.agents.offer_choice import NearestToLatest, OfferChoice
from backchannel.agents.side_arrays import SideArrays
from backchannel.agents.views import Offer, PartyView
from backchannel.experiments.batch.offers import OfferTable
from backchannel.space.issues import DiscreteIssue
from backchannel.space.outcomes import OutcomeSpace

CURVES = (Aspiration(4.0), Aspiration(1.0), Aspiration(0.25), Aspiration(2.5), Mirror(1.0),
          Mirror(0.6), Fixed(1.0), Fixed(0.35))  # fmt: skip
RULES = (AtDemand(), AcceptNext(), FixedThreshold(0.5), FixedThreshold(0.9))
CHOICES = (NearestToLatest(),)
# Values that tie and values that do not: ties are where an offer choice can go wrong.
VALUES = st.one_of(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]), st.floats(0.0, 1.0))


def bits(values: object) -> list[str]:
    return [float(v).hex() for v in np.atleast_1d(np.asarray(values, dtype=float))]


@st.composite
def sides(draw: st.DrawFn) -> tuple[list[PartyView], SideArrays]:
    """Runs of one party: a view per run, and the same runs as one side of arrays."""
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    space = OutcomeSpace(
        tuple(
            DiscreteIssue(f"i{k}", f"i{k}", tuple(f"o{j}" for j in range(n)))
            for k, n in enumerate(sizes)
        )
    )
    utilities = np.array(draw(st.lists(VALUES, min_size=space.size, max_size=space.size)))
    allowed = np.array(draw(st.lists(st.booleans(), min_size=space.size, max_size=space.size)))
    ranked = draw(st.booleans())  # read-only arrays: the scalar forms answer from a ranking
    runs = draw(st.integers(1, 5))
    reservation = np.array(draw(st.lists(VALUES, min_size=runs, max_size=runs)))
    times = draw(st.lists(st.floats(-0.2, 1.2), min_size=runs, max_size=runs))
    count = draw(st.integers(0, 3))
    outcome = st.integers(0, space.size - 1)
    received = [draw(st.lists(outcome, min_size=count, max_size=count)) for _ in range(runs)]
    if ranked:
        utilities.flags.writeable = False
        allowed.flags.writeable = False
    views = []
    for run in range(runs):
        acceptable = allowed & (utilities >= reservation[run])
        if ranked:
            acceptable.flags.writeable = False
        views.append(
            PartyView(
                party_id="a",
                space=space,
                utilities=utilities,
                acceptable=acceptable,
                reservation=float(reservation[run]),
                relative_time=times[run],
                elapsed_hours=0.0,
                round=1 + count,
                received=tuple(Offer("b", o, 0.0) for o in received[run]),
                sent=(),
                allowed=allowed,
            )
        )
    side = SideArrays(OfferTable(space, utilities, allowed), reservation.copy())
    for k in range(count):
        side.receive(np.array([r[k] for r in received], dtype=np.int64))
    return views, side


EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@EXAMPLES
@given(sides())
def test_curves_demand_the_same_in_both_forms(runs) -> None:
    views, side = runs
    times = np.array([v.relative_time for v in views])
    for curve in CURVES:
        assert bits(curve.demand_runs(side, times)) == bits([curve.demand(v) for v in views])


@EXAMPLES
@given(sides(), st.data())
def test_offer_choices_pick_the_same_outcome_in_both_forms(runs, data) -> None:
    views, side = runs
    demand = np.array(data.draw(st.lists(VALUES, min_size=len(views), max_size=len(views))))
    for choice in CHOICES:
        expected = [choice.choose(v, float(d)) for v, d in zip(views, demand, strict=True)]
        assert choice.choose_runs(side, demand).tolist() == expected


@EXAMPLES
@given(sides(), st.data())
def test_acceptance_rules_answer_the_same_in_both_forms(runs, data) -> None:
    views, side = runs
    size = views[0].space.size
    count = len(views)
    offer = np.array(data.draw(st.lists(st.integers(0, size - 1), min_size=count, max_size=count)))
    demand = np.array(data.draw(st.lists(VALUES, min_size=count, max_size=count)))
    choice = NearestToLatest()
    for rule in RULES:
        expected = [
            rule.accepts(v, int(o), float(d), lambda v=v, d=d: choice.choose(v, float(d)))
            for v, o, d in zip(views, offer, demand, strict=True)
        ]
        answers = rule.accepts_runs(side, offer, demand, lambda: choice.choose_runs(side, demand))
        assert answers.tolist() == expected


def test_every_component_with_an_array_form_is_checked_here() -> None:
    """A component added to the package with an array form must join the lists above."""
    for module in pkgutil.iter_modules(backchannel.agents.__path__):
        importlib.import_module(f"backchannel.agents.{module.name}")
    checked = {type(c) for c in (*CURVES, *RULES, *CHOICES)}
    for base in (ConcessionCurve, AcceptanceRule, OfferChoice):
        for kind in base.__subclasses__():
            if kind.__module__.startswith("backchannel.") and has_array_form(kind()):
                assert kind in checked, f"{kind.__name__} has an array form but no check"
