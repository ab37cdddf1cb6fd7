"""Run one negotiation of a scenario under a named protocol: the entry point the CLI uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from backchannel.agents.base import Strategy
from backchannel.agents.registry import create_strategy
from backchannel.channel.route import Route, direct_route, route_via
from backchannel.protocols.alternating import AlternatingOffers, AlternatingSettings
from backchannel.protocols.transcript import Transcript
from backchannel.scenario.model import Scenario

PROTOCOLS = ("direct", "shuttle")


class RunRefused(ValueError):
    """A run the scenario does not allow as asked; the message says why and how to override."""


@dataclass(frozen=True)
class RunOptions:
    protocol: str = "shuttle"
    via: tuple[str, ...] = ()
    strategies: Mapping[str, str] = field(default_factory=dict)
    seed: int = 0
    force_direct: bool = False


def run_negotiation(scenario: Scenario, options: RunOptions = RunOptions()) -> Transcript:
    """Play one negotiation and return its complete transcript."""
    route = _route(scenario, options)
    seeds = np.random.SeedSequence(options.seed)
    protocol_seed, *party_seeds = seeds.spawn(1 + len(scenario.parties))
    strategies = build_strategies(scenario, options.strategies, party_seeds)
    settings = AlternatingSettings(
        name=options.protocol, direct_contact=options.protocol == "direct"
    )
    transcript = Transcript(
        scenario=scenario.name,
        protocol=options.protocol,
        parties=scenario.party_ids,
        seed=options.seed,
        settings={
            "via": list(route.via),
            "strategies": {pid: s.name for pid, s in strategies.items()},
            "force_direct": options.force_direct,
        },
    )
    engine = AlternatingOffers(scenario, lambda _a, _b: route, settings)
    return engine.run(strategies, np.random.default_rng(protocol_seed), transcript)


def build_strategies(
    scenario: Scenario,
    overrides: Mapping[str, str],
    seeds: list[np.random.SeedSequence],
) -> dict[str, Strategy]:
    """One fresh strategy per party: the scenario's default unless overridden by name."""
    unknown = [pid for pid in overrides if pid not in scenario.party_ids]
    if unknown:
        raise RunRefused(
            f"no party '{unknown[0]}' in scenario '{scenario.name}'; "
            f"parties are: {', '.join(scenario.party_ids)}"
        )
    strategies = {}
    for party, seed in zip(scenario.parties, seeds, strict=True):
        name = overrides.get(party.id, party.strategy)
        try:
            strategies[party.id] = create_strategy(name, rng=np.random.default_rng(seed))
        except KeyError as error:
            raise RunRefused(str(error.args[0])) from None
    return strategies


def _route(scenario: Scenario, options: RunOptions) -> Route:
    if options.protocol not in PROTOCOLS:
        raise RunRefused(
            f"unknown protocol '{options.protocol}'; choose one of: {', '.join(PROTOCOLS)}"
        )
    if options.protocol == "direct":
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
    via = options.via or (
        (scenario.channel.default_route,) if scenario.channel.default_route else ()
    )
    if not via:
        raise RunRefused(
            f"scenario '{scenario.name}' declares no intermediary; add one under "
            "channel.intermediaries or use --protocol direct"
        )
    try:
        return route_via(scenario.channel, via)
    except KeyError as error:
        raise RunRefused(str(error.args[0])) from None
