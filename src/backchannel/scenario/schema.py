"""The scenario file format, as typed pydantic models.

A scenario file is what a person writes; :mod:`backchannel.scenario.compile` turns it into the
array model the engine runs on. Every object may carry ``source`` (where a fact comes from) and
``assumption`` (why a number the sources do not give was chosen), so modelling choices stay
visible and are never mistaken for facts.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

Identifier = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        description="lower-case letters, digits, '-' and '_', starting with a letter or digit",
    ),
]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class Spec(BaseModel):
    """Base for every object in a scenario: unknown keys are errors (they are usually typos)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Annotated_(Spec):
    """An object that may say where its facts come from and which numbers are assumptions."""

    source: str | None = None
    assumption: str | None = None


class NumericRange(Spec):
    min: float
    max: float
    step: float = Field(gt=0.0)

    @model_validator(mode="after")
    def _ordered(self) -> NumericRange:
        if self.max < self.min:
            raise ValueError("'max' must be at least 'min'; swap the two numbers")
        return self


class IssueSpec(Annotated_):
    """An issue: either named ``options``, or numbers (``range`` with a step, or ``values``)."""

    id: Identifier
    name: str | None = None
    options: list[str] | None = None
    values: list[float] | None = None
    range: NumericRange | None = None
    unit: str = ""

    @model_validator(mode="after")
    def _one_kind(self) -> IssueSpec:
        given = [k for k in ("options", "values", "range") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of 'options' (named choices), 'values' (a list of numbers) "
                f"or 'range' (min, max, step); found {given or 'none'}"
            )
        listed = self.options if self.options is not None else self.values
        if listed is not None:
            if len(listed) < 1:
                raise ValueError("list at least one option")
            if len(set(listed)) != len(listed):
                raise ValueError("options must be distinct; remove the repeated one")
        if self.values is not None and sorted(self.values) != self.values:
            raise ValueError("'values' must be in increasing order")
        return self


class RedLineSpec(Annotated_):
    """Outcomes a party will never accept: listed options, or numbers above/below a bound."""

    issue: str
    options: list[str] | None = None
    above: float | None = None
    below: float | None = None

    @model_validator(mode="after")
    def _some_rule(self) -> RedLineSpec:
        if self.options is None and self.above is None and self.below is None:
            raise ValueError("say which outcomes are excluded: 'options', 'above' or 'below'")
        return self


class PreferencesSpec(Annotated_):
    """Issue weights (summing to 1) and one value function per issue, values in [0, 1].

    A value function is a table ``{option: value}`` for named options, or for numeric issues
    either such a table keyed by number or a piecewise-linear list of ``[x, value]`` points.
    """

    weights: dict[str, NonNegative]
    values: dict[str, dict[str, Unit] | list[tuple[float, Unit]]]


class ReservationSpec(Annotated_):
    value: Unit


class PartySpec(Annotated_):
    id: Identifier
    name: str | None = None
    strategy: str = "boulware"
    reservation: Unit | ReservationSpec = 0.0
    preferences: PreferencesSpec
    red_lines: list[RedLineSpec] = Field(default_factory=list)
    time_discount: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        1.0, description="utility multiplier per simulated day of delay"
    )
    deadline_days: Annotated[float, Field(gt=0.0)] | None = None
    refuses_direct_talks: bool = False
    direct_contact_cost: Unit = Field(
        0.0, description="utility lost by this party if it is made to talk directly"
    )

    @property
    def reservation_value(self) -> float:
        return (
            self.reservation.value
            if isinstance(self.reservation, ReservationSpec)
            else float(self.reservation)
        )


class IntermediarySpec(Annotated_):
    id: Identifier
    name: str | None = None
    delay_hours: NonNegative = Field(24.0, description="time for a message to cross this hop")


class ChannelSpec(Annotated_):
    direct_delay_hours: NonNegative = Field(
        1.0, description="time for a message on a direct line between the parties"
    )
    intermediaries: list[IntermediarySpec] = Field(default_factory=list)
    default_route: str | None = Field(
        None, description="intermediary id used by the shuttle protocol unless --via says otherwise"
    )


class NegotiationSpec(Annotated_):
    deadline_days: Annotated[float, Field(gt=0.0)] = 30.0
    max_rounds: Annotated[int, Field(ge=1)] = 100
    first_mover: str | None = None
    response_hours: NonNegative = Field(
        0.0, description="time a party takes to consider a proposal before answering"
    )


class PackageSpec(Annotated_):
    """A named package of terms, such as a plan floated in the press."""

    id: Identifier
    name: str | None = None
    terms: dict[str, str | float]


class ScenarioSpec(Annotated_):
    name: Identifier
    title: str | None = None
    description: str = ""
    sources: dict[str, str] = Field(default_factory=dict)
    issues: list[IssueSpec] = Field(min_length=1)
    parties: list[PartySpec] = Field(min_length=2)
    channel: ChannelSpec = Field(default_factory=ChannelSpec)
    negotiation: NegotiationSpec = Field(default_factory=NegotiationSpec)
    packages: list[PackageSpec] = Field(default_factory=list)
