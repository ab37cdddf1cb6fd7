"""``backchannel run``: play one negotiation and tell it round by round."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from backchannel.cli.choices import PROTOCOLS
from backchannel.cli.common import (
    LOAD_OPTION,
    SCENARIO_ARGUMENT,
    SEED_OPTION,
    console,
    errors,
    load_user_strategies,
    open_scenario,
    parse_assignments,
    print_json,
    user_errors,
)

if TYPE_CHECKING:
    from backchannel.analysis.outcome_space import SpaceAnalysis
    from backchannel.protocols.transcript import Transcript
    from backchannel.scenario.model import Scenario


def run(
    scenario: str = SCENARIO_ARGUMENT,
    protocol: str = typer.Option(
        "shuttle", "--protocol", "-p", help=f"One of: {', '.join(PROTOCOLS)}."
    ),
    via: list[str] = typer.Option(
        [],
        "--via",
        help="Intermediary or named route to go through; repeat for a chain "
        "(--via qatar --via oman).",
    ),
    mediator: str = typer.Option(
        None,
        "--mediator",
        "-m",
        help="Mediator policy: shuttle relay|hold|scheduled|reword; single-text "
        "annealing|hill-climbing; confidential nash|kalai-smorodinsky.",
    ),
    no_post_settlement: bool = typer.Option(
        False,
        "--no-post-settlement",
        help="Confidential mediation: do not try to improve a settled deal afterwards.",
    ),
    strategy: list[str] = typer.Option(
        [], "--strategy", "-s", help="PARTY=NAME, e.g. us=conceder."
    ),
    seed: int = SEED_OPTION,
    force_direct: bool = typer.Option(
        False,
        "--force-direct",
        help="Talk directly even if a party refuses (it pays its domestic price).",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the full transcript as JSON."),
    load: list[str] = LOAD_OPTION,
) -> None:
    """Run a negotiation (the flagship US–Iran talks through Oman by default)."""
    from backchannel.analysis.outcome_space import analyze_space
    from backchannel.cli.render import outcome_table
    from backchannel.protocols.runner import RunOptions, run_negotiation
    from backchannel.report.transcript_document import outcome_benchmarks, transcript_document

    with user_errors():
        load_user_strategies(load)
        model = open_scenario(scenario)
        options = RunOptions(
            protocol=protocol,
            via=tuple(via),
            strategies=parse_assignments(strategy, "--strategy"),
            seed=seed,
            force_direct=force_direct,
            mediator=mediator,
            post_settlement=not no_post_settlement,
        )
        transcript = run_negotiation(model, options)
    _note_renamed(mediator, protocol)
    analysis = analyze_space(model)
    if json_output:
        from backchannel.cli.run_file import source_of

        document = transcript_document(model, transcript, analysis)
        document["scenario_source"] = source_of(scenario)  # for: backchannel analyze run.json
        print_json(document)
        return
    tell(model, transcript, analysis)
    result = transcript.result
    assert result is not None
    bench = outcome_benchmarks(model, transcript, analysis)
    rows = [("Nash solution", analysis.nash, "benchmark")]
    if result.agreement is not None:
        note = (
            "on the Pareto frontier"
            if bench["pareto_efficient"]
            else f"{bench['distance_to_frontier']:.3f} from the frontier"
        )
        rows.insert(0, ("agreement", result.agreement, note))
    console.print(outcome_table(model, rows, "Result against the benchmarks"))
    payoffs = ", ".join(f"{pid} {v:.3f}" for pid, v in result.payoffs.items())
    console.print(f"Payoffs after time discounting and any price of direct contact: {payoffs}")


def _note_renamed(mediator: str | None, protocol: str) -> None:
    """A one-line note on stderr when a mediator was asked for by its former name."""
    from backchannel.agents.mediators import renamed

    current = renamed(mediator, protocol)
    if current:
        errors.print(f"note: --mediator {mediator} is now called '{current}'; the old name works")


def tell(model: Scenario, transcript: Transcript, analysis: SpaceAnalysis) -> None:
    """The account: who talks through whom, the deadline and walk-away values, each event in
    a column of dates, repeated rounds folded, and why it ended as it did."""
    from backchannel.cli.story import Clock, account, closing, entry, fold, opening
    from backchannel.report.describe import describe_event, short_name, terms

    hops = {i.id: i.name for i in model.channel.intermediaries}
    # A mediator is an intermediary: named like the parties ("Oman proposes", not "oman").
    names = {i: short_name(model, i) for i in hops} | {p.id: p.name for p in model.parties}
    settings = transcript.settings
    route = " → ".join(hops.get(h, h) for h in settings["via"]) or "a direct line"
    clock = Clock(model)
    console.rule(f"[bold]{model.title}")
    console.print(
        f"Protocol {transcript.protocol} through {route}; strategies "
        + ", ".join(f"{names[k]}: {v}" for k, v in settings["strategies"].items())
        + f"; seed {transcript.seed}."
    )
    for line in opening(model, clock):
        console.print(line)
    last_offer: dict[str, int] = {}
    entries = []
    for event in transcript.events:
        line = describe_event(model, names, event, last_offer)
        if line:
            entries.append(entry(event, line))
    for line in account(fold(entries), clock, console.width):
        console.print(line, soft_wrap=True)
    result = transcript.result
    assert result is not None
    when = clock.day(result.time_hours)
    if result.agreement is not None:
        console.print(
            f"[bold green]Agreement[/] after {result.rounds} rounds, on {when}: "
            f"{terms(model, result.agreement)}"
        )
    else:
        console.print(
            f"[bold red]No agreement[/] after {result.rounds} rounds, on {when}; "
            "each side falls back on its alternative."
        )
    console.print(closing(model, transcript, analysis))


def register(app: typer.Typer) -> None:
    app.command()(run)
