"""The scenario file format, as typed pydantic models.

A scenario file is what a person writes; :mod:`backchannel.scenario.compile` turns it into the
array model the engine runs on. Every object may carry ``source`` (where a fact comes from) and
``assumption`` (why a number the sources do not give was chosen), so modelling choices stay
visible and are never mistaken for facts.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from backchannel.scenario.limits import MAX_OUTCOMES, outcome_count, range_size, too_many

Identifier = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        max_length=64,
        description="lower-case letters, digits, '-' and '_', starting with a letter or digit; "
        "at most 64 characters",
    ),
]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class Spec(BaseModel):
    """Base for every object in a scenario: unknown keys are errors (they are usually typos),
    and so are NaN and infinity, which no comparison or weighted sum handles sensibly.

    Validators are built when a model is first used (``defer_build``), not when this module is
    imported: a scenario is validated through ``ScenarioSpec``, whose validator covers every
    model below it, so building each of the thirty-odd models' own at import was wasted start-up
    time (about a fifth of ``backchannel analyze``'s)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)


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
        excess = too_many(range_size(self.min, self.max, self.step), MAX_OUTCOMES, "values")
        if excess:
            raise ValueError(f"the range has {excess}; use a larger 'step' or a narrower range")
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


class RatifierSpec(Annotated_):
    """Who must approve a deal at home (a supreme leader, a legislature): a second, private
    acceptance test. Without ``preferences`` it judges by the party's own preferences."""

    name: str
    threshold: Unit = Field(description="least utility, on the ratifier's preferences, it approves")
    preferences: PreferencesSpec | None = None
    red_lines: list[RedLineSpec] = Field(default_factory=list)
    decision_hours: NonNegative = Field(0.0, description="time the ratifier takes to decide")


RESERVED_PARTY_IDS = ("mediator", "party")


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
    leak_cost: Unit = Field(
        0.0, description="utility lost by this party each time progress leaks to the press"
    )
    ratifier: RatifierSpec | None = None

    @model_validator(mode="after")
    def _not_reserved(self) -> PartySpec:
        """A party called 'mediator' would be taken for the mediator (its messages, its rights)."""
        if self.id in RESERVED_PARTY_IDS:
            raise ValueError(
                f"the party id '{self.id}' is reserved for a role; "
                f"give this party another id, such as '{self.id}-side'"
            )
        return self

    @property
    def reservation_value(self) -> float:
        return (
            self.reservation.value
            if isinstance(self.reservation, ReservationSpec)
            else float(self.reservation)
        )


class DelaySpec(Annotated_):
    """A delay distribution in hours: fixed, uniform, triangular or lognormal."""

    distribution: Literal["fixed", "uniform", "triangular", "lognormal"]
    hours: NonNegative | None = None
    low: NonNegative | None = None
    high: NonNegative | None = None
    mode: NonNegative | None = None
    median: NonNegative | None = None
    sigma: NonNegative | None = None

    @model_validator(mode="after")
    def _parameters(self) -> DelaySpec:
        needs = {
            "fixed": ("hours",),
            "uniform": ("low", "high"),
            "triangular": ("low", "mode", "high"),
            "lognormal": ("median", "sigma"),
        }[self.distribution]
        missing = [k for k in needs if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.distribution} delay needs {', '.join(needs)}")
        low, high = self.low or 0.0, self.high if self.high is not None else 0.0
        if self.distribution in ("uniform", "triangular") and high < low:
            raise ValueError("'high' must be at least 'low'")
        if self.distribution == "triangular" and not low <= (self.mode or 0.0) <= high:
            raise ValueError("'mode' must lie between 'low' and 'high'")
        return self


class FidelitySpec(Annotated_):
    """One way an intermediary changes what it carries (see ``backchannel.channel.fidelity``)."""

    kind: Literal["round", "drop", "blur", "lean", "noise"]
    issue: str | None = None
    probability: Probability = 1.0
    step: Annotated[float, Field(gt=0.0)] | None = Field(None, description="for 'round'")
    default: str | float | None = Field(None, description="for 'drop': the value put instead")
    toward: dict[str, str | float] | str | None = Field(
        None, description="for 'lean': terms (or a package id) the intermediary prefers"
    )
    steps: Annotated[int, Field(ge=1)] = 1

    @model_validator(mode="after")
    def _needs(self) -> FidelitySpec:
        if self.kind in ("round", "drop", "blur") and self.issue is None:
            raise ValueError(f"a '{self.kind}' step needs the 'issue' it changes")
        if self.kind == "round" and self.step is None:
            raise ValueError("a 'round' step needs the coarser 'step' to round to")
        if self.kind == "drop" and self.default is None:
            raise ValueError("a 'drop' step needs the 'default' value put in place of the issue")
        return self


class BiasSpec(Annotated_):
    """An intermediary's own preferences (a biased mediator): favour a party, or own weights."""

    favours: str | None = None
    preferences: PreferencesSpec | None = None
    strength: Unit = Field(1.0, description="0: cares only about joint welfare; 1: fully biased")

    @model_validator(mode="after")
    def _one(self) -> BiasSpec:
        if (self.favours is None) == (self.preferences is None):
            raise ValueError("give exactly one of 'favours' (a party id) or 'preferences'")
        return self


class IntermediarySpec(Annotated_):
    id: Identifier
    name: str | None = None
    delay_hours: NonNegative = Field(24.0, description="time for a message to cross this hop")
    delay: DelaySpec | None = Field(None, description="a delay distribution (replaces delay_hours)")
    loss: Probability = Field(0.0, description="chance that a message is lost on this hop")
    leak: Probability = Field(0.0, description="chance that a passage leaks to the press")
    fidelity: list[FidelitySpec] = Field(default_factory=list)
    bias: BiasSpec | None = None

    @model_validator(mode="after")
    def _one_delay(self) -> IntermediarySpec:
        if self.delay is not None and "delay_hours" in self.model_fields_set:
            raise ValueError("give either 'delay_hours' (fixed) or 'delay' (a distribution)")
        return self


class SessionSpec(Annotated_):
    """One session of proximity talks: when it opens (a date, or a day counted from the clock's
    start) and how long it lasts."""

    date: dt.date | None = Field(None, description="the day it opens (needs timeline.start)")
    day: NonNegative | None = Field(None, description="or: days after the clock starts")
    hour: Annotated[float, Field(ge=0.0, lt=24.0)] = Field(
        0.0, description="the hour of the day it opens (with 'date' or 'day')"
    )
    length_hours: Annotated[float, Field(gt=0.0)] = Field(description="how long it lasts")

    @model_validator(mode="after")
    def _one_start(self) -> SessionSpec:
        if (self.date is None) == (self.day is None):
            raise ValueError("give exactly one of 'date' (YYYY-MM-DD) or 'day' (days after start)")
        return self


class SessionsSpec(Annotated_):
    """A route run in proximity rounds (``channel.routes.NAME.sessions``): relays within hours
    inside dated sessions, nothing between them (see ``backchannel.channel.sessions``)."""

    relay_hours: NonNegative = Field(description="hours one relay across a hop takes in session")
    response_hours: NonNegative | None = Field(
        None, description="hours a delegation takes to answer in session (default: the scenario's)"
    )
    schedule: list[SessionSpec] = Field(min_length=1, max_length=1000)
    then_every_days: Annotated[float, Field(gt=0.0)] | None = Field(
        None, description="after the last listed session, one more of its length every N days"
    )
    after_last: Literal["trips", "nothing"] | None = Field(
        None, description="after the last session: 'trips' (the hop's own delay) or 'nothing'"
    )

    @model_validator(mode="after")
    def _ends_once(self) -> SessionsSpec:
        if self.then_every_days is not None and self.after_last is not None:
            raise ValueError(
                "give either 'then_every_days' (sessions go on) or 'after_last' (they stop)"
            )
        return self


class RouteSpec(Annotated_):
    """A named route: a chain of intermediaries, optionally run in proximity sessions."""

    via: list[str] = Field(min_length=1)
    sessions: SessionsSpec | None = None


def _route_form(value: object) -> str:
    return "Chain" if isinstance(value, list | tuple) else "RouteSpec"


# A named route is a list of intermediary ids, or a mapping with 'via' (and 'sessions'): told
# apart by form, so a mistake is reported against the form that was written.
NamedRoute = Annotated[
    Annotated[list[str], Tag("Chain")] | Annotated[RouteSpec, Tag("RouteSpec")],
    Discriminator(_route_form),
]


class ChannelSpec(Annotated_):
    direct_delay_hours: NonNegative = Field(
        1.0, description="time for a message on a direct line between the parties"
    )
    intermediaries: list[IntermediarySpec] = Field(default_factory=list)
    default_route: str | None = Field(
        None, description="intermediary id used by the shuttle protocol unless --via says otherwise"
    )
    routes: dict[str, NamedRoute] = Field(
        default_factory=dict,
        description="named chains of intermediaries, e.g. doha-muscat, or {via, sessions}",
    )
    timeout_hours: Annotated[float, Field(gt=0.0)] | None = Field(
        None, description="a sender re-sends a lost message after this long (default: 2x delay)"
    )
    max_attempts: Annotated[int, Field(ge=1)] = Field(
        10, description="times a sender tries before it gives up on a message"
    )


class ResumeSpec(Annotated_):
    """Talks resumed after a collapse: how long after, and what stands when they do."""

    after_days: Annotated[float, Field(gt=0.0)] = Field(
        description="days between the collapse and the first round of the resumed talks"
    )
    reservations: dict[str, Unit] = Field(
        default_factory=dict,
        description="each side's walk-away value when the talks resume (default: unchanged)",
    )
    event: str | None = Field(None, description="a timeline event in force from the resumption")
    times: Annotated[int, Field(ge=1, le=100)] = Field(
        1, description="how many collapses the talks may resume after"
    )


class BreakdownSpec(Annotated_):
    """A hazard that the talks collapse: after each rejection (``per_round``) and for each day
    that passes (``per_day``), optionally driven by a timeline indicator; and what collapse
    leads to (each side's payoff, a timeline event it sets off)."""

    per_round: Probability = Field(0.0, description="chance of collapse after each rejection")
    per_day: Probability = Field(0.0, description="chance of collapse per simulated day")
    indicator: str | None = Field(None, description="a timeline indicator that drives per_round")
    per_unit: float = Field(
        0.0, description="change of per_round per unit of the indicator above its start value"
    )
    payoffs: dict[str, float] = Field(
        default_factory=dict, description="each side's payoff on collapse (default: walk-away)"
    )
    event: str | None = Field(None, description="a timeline event id that collapse sets off")
    resume: ResumeSpec | None = Field(None, description="talks resumed after a collapse")


class NegotiationSpec(Annotated_):
    deadline_days: Annotated[float, Field(gt=0.0)] = 30.0
    max_rounds: Annotated[int, Field(ge=1)] = 100
    first_mover: str | None = None
    response_hours: NonNegative = Field(
        0.0, description="time a party takes to consider a proposal before answering"
    )
    breakdown: BreakdownSpec | None = None


class PackageSpec(Annotated_):
    """A named package of terms, such as a plan floated in the press."""

    id: Identifier
    name: str | None = None
    terms: dict[str, str | float]


class EffectSpec(Annotated_):
    """A declared change to one party or one channel hop (a modelling assumption).

    On an event the numbers are changes from the event's date on; on an indicator they are
    changes per unit of the indicator above its value on the day the clock starts.
    """

    party: str | None = None
    intermediary: str | None = Field(None, description="an intermediary id, or 'direct'")
    reservation: float | None = Field(None, description="change in the reservation value")
    deadline_days: float | None = Field(None, description="change in the party's deadline")
    time_discount: float | None = Field(None, description="change in the daily time discount")
    direct_contact_cost: float | None = None
    refuses_direct_talks: bool | None = None
    suspended: bool | None = Field(None, description="messages wait until the hop resumes")
    delay_hours: float | None = Field(None, description="change in the hop's delay")
    leak: float | None = Field(None, description="change in the hop's leak probability")

    @model_validator(mode="after")
    def _one_target(self) -> EffectSpec:
        if (self.party is None) == (self.intermediary is None):
            raise ValueError("name exactly one target: 'party' or 'intermediary'")
        party_fields = ("reservation", "deadline_days", "time_discount", "direct_contact_cost")
        party_fields += ("refuses_direct_talks",)
        hop_fields = ("suspended", "delay_hours", "leak")
        mine, other = (party_fields, hop_fields) if self.party else (hop_fields, party_fields)
        wrong = [f for f in other if getattr(self, f) is not None]
        if wrong:
            target = "a party" if self.party else "an intermediary"
            raise ValueError(f"{', '.join(wrong)} cannot change {target}; use {', '.join(mine)}")
        if all(getattr(self, f) is None for f in mine):
            raise ValueError(f"say what changes: one of {', '.join(mine)}")
        return self


class EventSpec(Annotated_):
    """A dated event; without a date it is a possible event that what-if runs can schedule."""

    id: Identifier
    name: str | None = None
    date: dt.date | None = None
    lasts_days: Annotated[float, Field(gt=0.0)] | None = None
    expected_by: dt.date | None = Field(
        None, description="a possible event's last possible date (e.g. a legal deadline)"
    )
    effects: list[EffectSpec] = Field(default_factory=list)


class IndicatorSpec(Annotated_):
    """An observable series (inline ``points`` or a ``csv`` file of ``date,value`` rows)."""

    id: Identifier
    name: str | None = None
    unit: str = ""
    watch: str | None = Field(None, description="where an observer reads this indicator")
    points: list[tuple[dt.date, float]] | None = None
    csv: str | None = Field(None, description="path relative to the scenario file")
    effects: list[EffectSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_source(self) -> IndicatorSpec:
        if (self.points is None) == (self.csv is None):
            raise ValueError("give the series either as 'points' or as a 'csv' file, not both")
        return self


class TimelineSpec(Annotated_):
    """Pressure over time: the day the clock starts, dated events and indicator series."""

    start: dt.date
    illustrative: bool = False
    events: list[EventSpec] = Field(default_factory=list)
    indicators: list[IndicatorSpec] = Field(default_factory=list)


class DistributionSpec(Annotated_):
    """An uncertain number: ``normal`` (mean, sd), ``uniform`` (low, high) or ``triangular``
    (low, mode, high). A missing mean or mode is the value stated elsewhere in the file."""

    distribution: Literal["normal", "uniform", "triangular"]
    mean: float | None = None
    sd: NonNegative | None = None
    low: float | None = None
    high: float | None = None
    mode: float | None = None

    @model_validator(mode="after")
    def _parameters(self) -> DistributionSpec:
        needed = {"normal": ("sd",), "uniform": ("low", "high"), "triangular": ("low", "high")}
        allowed = {"normal": ("mean", "sd"), "uniform": ("low", "high")}
        allowed["triangular"] = ("low", "mode", "high")
        missing = [k for k in needed[self.distribution] if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.distribution} distribution needs {', '.join(missing)}")
        extra = [
            k
            for k in ("mean", "sd", "low", "high", "mode")
            if getattr(self, k) is not None and k not in allowed[self.distribution]
        ]
        if extra:
            raise ValueError(
                f"{', '.join(extra)} does not apply to a {self.distribution} distribution; "
                f"use {', '.join(allowed[self.distribution])}"
            )
        return self


class WeightsUncertaintySpec(Annotated_):
    """Weights drawn from a Dirichlet centred on the stated ones (zero weights stay zero)."""

    distribution: Literal["dirichlet"] = "dirichlet"
    concentration: float = Field(
        gt=0.0, description="larger is surer: the spread of each weight shrinks like 1/sqrt(c)"
    )


class PartyUncertaintySpec(Annotated_):
    weights: WeightsUncertaintySpec | None = None
    reservation: DistributionSpec | None = Field(
        None, description="drawn values are clipped to [0, 1]"
    )


class IntermediaryUncertaintySpec(Annotated_):
    delay_hours: DistributionSpec = Field(description="drawn values are clipped at 0")


class UncertaintySpec(Annotated_):
    """What the modeller does not know; each run of ``backchannel compare`` draws from it."""

    parties: dict[str, PartyUncertaintySpec] = Field(default_factory=dict)
    intermediaries: dict[str, IntermediaryUncertaintySpec] = Field(default_factory=dict)
    direct_delay_hours: DistributionSpec | None = None


class EvidenceSpec(Annotated_):
    """A dated entry of the evidence ledger: what a source says, and when it said it. Facts
    elsewhere in the file cite the entry by its key in ``sources``."""

    date: dt.date = Field(description="when the source published it (YYYY-MM-DD)")
    says: str
    url: str | None = None


class ScenarioSpec(Annotated_):
    name: Identifier
    title: Annotated[str, Field(max_length=200)] | None = None
    description: str = ""
    sources: dict[str, EvidenceSpec | str] = Field(
        default_factory=dict, description="the evidence ledger: key -> dated entry (or a note)"
    )
    issues: list[IssueSpec] = Field(min_length=1)
    parties: list[PartySpec] = Field(min_length=2)
    channel: ChannelSpec = Field(default_factory=ChannelSpec)
    negotiation: NegotiationSpec = Field(default_factory=NegotiationSpec)
    packages: list[PackageSpec] = Field(default_factory=list)
    uncertainty: UncertaintySpec | None = None
    timeline: TimelineSpec | None = None

    @model_validator(mode="after")
    def _breakdown_names_what_exists(self) -> ScenarioSpec:
        hazard = self.negotiation.breakdown
        if hazard is None:
            return self
        parties = [p.id for p in self.parties]
        unknown = [k for k in hazard.payoffs if k not in parties]
        if unknown:
            raise ValueError(
                f"negotiation.breakdown.payoffs names {', '.join(unknown)}, not a party; "
                f"use: {', '.join(parties)}"
            )
        timeline = self.timeline
        indicators = [i.id for i in timeline.indicators] if timeline else []
        events = [e.id for e in timeline.events] if timeline else []
        if hazard.indicator is not None and hazard.indicator not in indicators:
            raise ValueError(
                f"negotiation.breakdown.indicator '{hazard.indicator}' is not a timeline "
                f"indicator; use one of: {', '.join(indicators) or 'none declared'}"
            )
        if hazard.event is not None and hazard.event not in events:
            raise ValueError(
                f"negotiation.breakdown.event '{hazard.event}' is not a timeline event; "
                f"use one of: {', '.join(events) or 'none declared'}"
            )
        resume = hazard.resume
        if resume is not None:
            unknown = [k for k in resume.reservations if k not in parties]
            if unknown:
                raise ValueError(
                    f"negotiation.breakdown.resume.reservations names {', '.join(unknown)}, "
                    f"not a party; use: {', '.join(parties)}"
                )
            if resume.event is not None and resume.event not in events:
                raise ValueError(
                    f"negotiation.breakdown.resume.event '{resume.event}' is not a timeline "
                    f"event; use one of: {', '.join(events) or 'none declared'}"
                )
        return self

    @model_validator(mode="after")
    def _outcomes_within_limit(self) -> ScenarioSpec:
        """Counted from the issue sizes, so a space too large to build is never built."""
        excess = too_many(outcome_count(self.issues), MAX_OUTCOMES)
        if excess:
            raise ValueError(
                f"the issues make {excess}; use fewer options or a coarser 'step' on numeric issues"
            )
        return self


PLUGINS_OFF = "PYDANTIC_DISABLE_PLUGINS"


def validate_scenario(data: Any) -> ScenarioSpec:
    """``ScenarioSpec.model_validate(data)``; its validator is built on first use without
    searching the installed packages for pydantic plugins.

    That search reads the metadata of every installed distribution (about 35 ms with a hundred
    packages, a tenth of ``backchannel analyze``), and a plugin has nothing to observe in the
    reading of a scenario file. Typer builds its option parsers the same way.
    """
    if not ScenarioSpec.__pydantic_complete__:
        previous = os.environ.get(PLUGINS_OFF)
        os.environ[PLUGINS_OFF] = "1"
        try:
            ScenarioSpec.model_rebuild()
        finally:
            if previous is None:
                del os.environ[PLUGINS_OFF]
            else:
                os.environ[PLUGINS_OFF] = previous
    return ScenarioSpec.model_validate(data)
