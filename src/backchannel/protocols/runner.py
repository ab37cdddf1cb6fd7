"""Run one negotiation of a scenario under a named protocol: the entry point the CLI uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from backchannel.agents.base import Strategy
from backchannel.agents.mediators import create_mediator
from backchannel.agents.registry import create_strategy
from backchannel.channel.route import Route, direct_route, route_via
from backchannel.protocols.registry import RunSetup, get_protocol, protocol_names
from backchannel.protocols.transcript import Transcript
from backchannel.randomness import lazy_rng
from backchannel.scenario.model import Scenario

PROTOCOLS = protocol_names()  # the built-in protocols, in listing order
MEDIATED = ("single-text", "confidential")


class RunRefused(ValueError):
    """A run the scenario does not allow as asked; the message says why and how to override."""


@dataclass(frozen=True)
class RunOptions:
    protocol: str = "shuttle"
    via: tuple[str, ...] = ()
    strategies: Mapping[str, str] = field(default_factory=dict)
    seed: int = 0
    force_direct: bool = False
    mediator: str | None = None  # policy name (agents.mediators); None: the protocol's default
    post_settlement: bool = True  # confidential: try to improve a settled deal for both


def run_negotiation(scenario: Scenario, options: RunOptions = RunOptions()) -> Transcript:
    """Play one negotiation and return its complete transcript."""
    run = prepare_run(scenario, options)
    return get_protocol(options.protocol).play(run)


def prepare_run(scenario: Scenario, options: RunOptions) -> RunSetup:
    """The route, strategies, mediator, random stream and empty transcript of one run; refuses
    (``RunRefused``) what the scenario does not allow."""
    route = route_for(scenario, options)
    # Streams 0 (the protocol) and 1.. (the parties) of the seed, built when first drawn from.
    strategies = build_strategies(scenario, options.strategies, options.seed)
    mediator = _mediator(scenario, options, route)
    transcript = Transcript(
        scenario=scenario.name,
        protocol=options.protocol,
        parties=scenario.party_ids,
        seed=options.seed,
        settings={
            "via": list(route.via),
            "strategies": {pid: s.name for pid, s in strategies.items()},
            "force_direct": options.force_direct,
            "mediator": mediator.name,
        },
    )
    return RunSetup(
        scenario,
        route,
        strategies,
        mediator,
        lazy_rng(options.seed, 0),
        transcript,
        options.post_settlement,
    )


def _mediator(scenario: Scenario, options: RunOptions, route: Route) -> Any:
    """The protocol's mediator policy, told what it may know: the space, its own bias."""
    protocol = get_protocol(options.protocol).mediators
    context: dict[str, object] = {}
    if protocol == "shuttle":
        context = {"space": scenario.space, "mediator_id": (route.via or ("direct",))[0]}
    elif protocol == "confidential":
        lead = route.hops[0] if route.via else None
        bias = scenario.channel.intermediary(lead.carrier).bias if lead and lead.carrier else None
        if bias is not None and lead is not None:
            context = {"bias": lead.bias, "bias_strength": bias.strength}
    try:
        return create_mediator(options.mediator, protocol, **context)
    except KeyError as error:
        raise RunRefused(str(error.args[0])) from None


def build_strategies(
    scenario: Scenario,
    overrides: Mapping[str, str],
    seed: int,
) -> dict[str, Strategy]:
    """One fresh strategy per party: the scenario's default unless overridden by name; party
    ``k`` (from 0) draws from stream ``k + 1`` of ``seed``."""
    unknown = [pid for pid in overrides if pid not in scenario.party_ids]
    if unknown:
        raise RunRefused(
            f"no party '{unknown[0]}' in scenario '{scenario.name}'; "
            f"parties are: {', '.join(scenario.party_ids)}"
        )
    strategies = {}
    for index, party in enumerate(scenario.parties, start=1):
        name = overrides.get(party.id, party.strategy)
        try:
            strategies[party.id] = create_strategy(name, rng=lazy_rng(seed, index))
        except KeyError as error:
            raise RunRefused(str(error.args[0])) from None
    return strategies


def route_for(scenario: Scenario, options: RunOptions) -> Route:
    """The route a run takes, or ``RunRefused`` saying why the protocol or route cannot be used."""
    try:
        declared = get_protocol(options.protocol)
    except KeyError as error:
        raise RunRefused(str(error.args[0])) from None
    if not declared.intermediary:
        refusing = [p for p in scenario.parties if p.refuses_direct_talks]
        if refusing and not options.force_direct:
            party = refusing[0]
            raise RunRefused(
                f"{party.name} refuses direct talks in scenario '{scenario.name}', so the direct "
                "protocol is not available. Use --protocol shuttle to negotiate through an "
                "intermediary, or add --force-direct to simulate direct talks anyway; "
                f"{party.name} then pays the domestic price of direct contact "
                f"({party.direct_contact_cost:g} utility)."
            )
        return direct_route(scenario.channel)
    named = options.via or (
        (scenario.channel.default_route,) if scenario.channel.default_route else ()
    )
    if not named:
        raise RunRefused(
            f"scenario '{scenario.name}' declares no intermediary; add one under "
            "channel.intermediaries or use --protocol direct"
        )
    try:
        via = [hop for name in named for hop in scenario.channel.chain(name)]
        sessions = scenario.channel.schedule(named)
        return route_via(scenario.channel, via, scenario, sessions)
    except KeyError as error:
        raise RunRefused(str(error.args[0])) from None
    except ValueError as error:
        raise RunRefused(str(error)) from None
