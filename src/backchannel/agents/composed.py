"""A strategy declared as components: a concession curve, an acceptance rule, an offer choice.

Declare the three as class attributes and register the class; that is all a new strategy
takes. Both engines read the same components: the step engine calls their scalar forms through
the hooks below (``target``, ``offer_at``, ``propose``, ``respond``), the batch engine calls
their array forms. A subclass may still override a hook; it then plays step by step, since the
batch engine could not know what the override does (:func:`array_components`).

Parameters given when the strategy is created (``create_strategy("boulware", exponent=3)``)
go to the component that has a field of that name.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from typing import ClassVar

import numpy as np

from backchannel.agents.acceptance import AcceptanceRule, AcceptNext
from backchannel.agents.base import Strategy
from backchannel.agents.concession import Aspiration, ConcessionCurve
from backchannel.agents.offer_choice import NearestToLatest, OfferChoice
from backchannel.agents.views import PartyView

Component = ConcessionCurve | AcceptanceRule | OfferChoice
HOOKS = ("target", "offer_at", "propose", "respond")  # the decisions the components make
KINDS = {"curve": ConcessionCurve, "acceptance": AcceptanceRule, "offer_choice": OfferChoice}
GIVEN_KEPT = 256  # parameterised components kept for sharing, at most
# (strategy class, parameter values) -> (its declared components, the components made from them)
_GIVEN: dict[
    tuple[type, tuple], tuple[tuple[Component, ...], tuple[tuple[str, Component], ...]]
] = {}


class Composed(Strategy):
    """Concede along ``curve``, offer by ``offer_choice``, answer by ``acceptance``."""

    # Declared per class; an instance given parameters holds its own copies.
    curve: ConcessionCurve = Aspiration(1.0)
    acceptance: AcceptanceRule = AcceptNext()
    offer_choice: OfferChoice = NearestToLatest()
    # Neither ``target`` nor ``offer_at`` overridden: ``propose`` and ``respond`` call the
    # components themselves (two calls fewer a decision, on the step engine's hot path).
    plain_hooks: ClassVar[bool] = True

    def __init__(self, rng: np.random.Generator | None = None, **params: object) -> None:
        super().__init__(rng)
        if params:  # an instance attribute shadows each declared component given parameters
            for kind, component in self._given(params):
                setattr(self, kind, component)

    def _given(self, params: dict[str, object]) -> tuple[tuple[str, Component], ...]:
        """The components ``params`` change, by kind. Frozen ones are made once per class and
        values, then shared: a strategy is created for every negotiation."""
        declared = self.components()
        try:  # each value's type too: 3 and 3.0 are equal keys but not the same parameter
            values = tuple((name, type(value), value) for name, value in sorted(params.items()))
            key = (type(self), values)
            known = _GIVEN.get(key)
        except TypeError:  # a value that cannot be a key: made afresh
            return self._made_with(params)
        if known is not None and all(map(operator.is_, known[0], declared)):
            return known[1]
        made = self._made_with(params)
        if len(_GIVEN) < GIVEN_KEPT and all(_frozen(component) for _, component in made):
            _GIVEN[key] = (declared, made)
        return made

    def _made_with(self, params: dict[str, object]) -> tuple[tuple[str, Component], ...]:
        unknown = dict(params)
        made = []
        for kind in KINDS:
            component = getattr(self, kind)
            fields = _field_names(type(component))
            mine = {name: unknown.pop(name) for name in list(unknown) if name in fields}
            if mine:
                made.append((kind, dataclasses.replace(component, **mine)))
        if unknown:
            raise TypeError(
                f"{type(self).__name__} has no parameter {', '.join(sorted(unknown))}; "
                f"its parameters: {', '.join(self.parameters()) or 'none'}"
            )
        return tuple(made)

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        for kind, base in KINDS.items():
            if not isinstance(getattr(cls, kind), base):
                raise TypeError(f"{cls.__name__}.{kind} must be a {base.__name__}")
        cls.plain_hooks = cls.target is Composed.target and cls.offer_at is Composed.offer_at

    def components(self) -> tuple[ConcessionCurve, AcceptanceRule, OfferChoice]:
        return self.curve, self.acceptance, self.offer_choice

    def parameters(self) -> dict[str, object]:
        """Every component's fields by name (what ``create_strategy`` may set)."""
        return {
            f.name: getattr(component, f.name)
            for component in self.components()
            for f in _fields(component)
        }

    def target(self, view: PartyView) -> float:
        """The utility demanded now (the concession curve)."""
        return self.curve.demand(view)

    def offer_at(self, view: PartyView, target: float) -> int:
        """The outcome to offer when demanding ``target`` (the offer choice)."""
        return self.offer_choice.choose(view, target)

    def propose(self, view: PartyView) -> int:
        if self.plain_hooks:
            return self.offer_choice.choose(view, self.curve.demand(view))
        return self.offer_at(view, self.target(view))

    def respond(self, view: PartyView, offer: int) -> bool:
        if self.plain_hooks:
            demand = self.curve.demand(view)
            next_offer = functools.partial(self.offer_choice.choose, view, demand)
            return self.acceptance.accepts(view, offer, demand, next_offer)
        demand = self.target(view)
        return self.acceptance.accepts(view, offer, demand, lambda: self.offer_at(view, demand))


def array_components(
    strategy: Strategy,
) -> tuple[ConcessionCurve, AcceptanceRule, OfferChoice] | None:
    """The components the batch engine plays for ``strategy``, or None if it cannot.

    It can when the strategy is declared as components, overrides none of the decision hooks,
    draws no randomness, and every component has an array form: coverage follows the
    components, whatever the class is called.
    """
    if not isinstance(strategy, Composed) or strategy.stochastic:
        return None
    kind = type(strategy)
    if any(getattr(kind, hook) is not getattr(Composed, hook) for hook in HOOKS):
        return None
    parts = strategy.components()
    if not all(has_array_form(part) for part in parts):
        return None
    return parts


def has_array_form(component: Component) -> bool:
    """Whether ``component`` defines its array form and draws no randomness."""
    for base, method in (
        (ConcessionCurve, "demand_runs"),
        (AcceptanceRule, "accepts_runs"),
        (OfferChoice, "choose_runs"),
    ):
        if isinstance(component, base):
            own = getattr(type(component), method) is not getattr(base, method)
            return own and not component.stochastic
    return False


def _frozen(component: Component) -> bool:
    return bool(type(component).__dataclass_params__.frozen)  # type: ignore[attr-defined]


@functools.cache
def _field_names(kind: type) -> frozenset[str]:
    """The names of a component class's parameters (its dataclass fields; none for a plain
    class); fixed once the class exists."""
    return (
        frozenset(f.name for f in dataclasses.fields(kind))
        if dataclasses.is_dataclass(kind)
        else frozenset()
    )


def _fields(component: Component) -> tuple[dataclasses.Field, ...]:  # type: ignore[type-arg]
    """A component's parameters: its dataclass fields (none for a plain class)."""
    return dataclasses.fields(component) if dataclasses.is_dataclass(component) else ()
