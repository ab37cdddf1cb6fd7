"""``backchannel whatif``: move an event, set a number or sweep an indicator, and compare."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from backchannel.cli.choices import PROTOCOLS
from backchannel.cli.common import (
    SCENARIO_ARGUMENT,
    SEED_OPTION,
    UsageProblem,
    check_output_file,
    console,
    open_scenario,
    print_json,
    progress_bar,
    user_errors,
)
from backchannel.experiments.rates import wilson

if TYPE_CHECKING:
    from rich.table import Table

    from backchannel.experiments.whatif import Figures


@contextmanager
def _flags() -> Iterator[None]:
    from backchannel.experiments.whatif import WhatIfError

    try:
        yield
    except WhatIfError as error:
        raise UsageProblem(str(error)) from None


def whatif(
    scenario: str = SCENARIO_ARGUMENT,
    event: list[str] = typer.Option(
        [], "--event", "-e", help="EVENT@YYYY-MM-DD or EVENT@never (repeatable)."
    ),
    setting: list[str] = typer.Option(
        [], "--set", help="PARTY.FIELD=VALUE, e.g. iran.reservation=0.3 (repeatable)."
    ),
    sweep: str = typer.Option(
        None, "--sweep", help="INDICATOR=START:STOP:COUNT, the value reached by the deadline."
    ),
    runs: int = typer.Option(20, "--runs", "-n", metavar="N", help="Negotiations per version."),
    seed: int = SEED_OPTION,
    protocol: str = typer.Option(
        "shuttle", "--protocol", "-p", help=f"One of: {', '.join(PROTOCOLS)}."
    ),
    force_direct: bool = typer.Option(
        False, "--force-direct", help="Direct talks even if refused."
    ),
    plot: Path = typer.Option(
        None,
        "--plot",
        metavar="FILE.png",
        help="Draw reservations, concessions and window (.png/.svg/.pdf).",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print a JSON document instead."),
) -> None:
    """How the zone of agreement, agreement rate and time to agreement change under pressure."""
    from backchannel.experiments.whatif import (
        apply_changes,
        figures,
        parse_event,
        parse_setting,
        parse_sweep,
        with_sweep_value,
    )
    from backchannel.protocols.runner import RunOptions, RunRefused

    with user_errors(), _flags():
        if runs < 1:
            raise UsageProblem(f"--runs must be at least 1, got {runs}; e.g. --runs 20")
        check_output_file(plot, "--plot")
        base = open_scenario(scenario)
        moves = [parse_event(text) for text in event]
        settings = [parse_setting(text) for text in setting]
        swept = parse_sweep(sweep) if sweep else None
        changed = apply_changes(base, moves, settings)
        if swept is not None:
            with_sweep_value(changed, swept.indicator, float(swept.values[0]))  # check the name
        options = RunOptions(protocol=protocol, seed=seed, force_direct=force_direct)
        try:
            steps = 1 + bool(moves or settings) + (len(swept.values) if swept else 0)
            label = f"simulating {runs} negotiations per version"
            with progress_bar(steps, not json_output, label) as advance:
                tick = advance or (lambda _done: None)
                baseline = figures(base, "baseline", runs, options, seed)
                tick(1)
                versions = [baseline]
                if moves or settings:
                    versions.append(figures(changed, "what-if", runs, options, seed))
                    tick(1)
                sweep_results = []
                if swept is not None:
                    for value in swept.values:
                        variant = with_sweep_value(changed, swept.indicator, float(value))
                        sweep_results.append(figures(variant, f"{value:g}", runs, options, seed))
                        tick(1)
        except RunRefused as error:
            raise UsageProblem(str(error)) from None
    if plot is not None:
        from backchannel.report.timeline_plot import plot_pressure

        sweep_plot = (swept.indicator, swept.values, sweep_results) if swept else None
        with user_errors():
            plot_pressure(versions, plot, sweep_plot)
    if json_output:
        document: dict[str, Any] = {
            "scenario": base.name,
            "runs": runs,
            "seed": seed,
            "protocol": protocol,
            "changes": {"events": event, "set": setting},
            "versions": {v.label: summary(v) for v in versions},
        }
        if swept is not None:
            document["sweep"] = {
                "indicator": swept.indicator,
                "rows": [
                    {"value": float(value), **summary(f)}
                    for value, f in zip(swept.values, sweep_results, strict=True)
                ],
            }
        print_json(document)
        return
    console.rule(f"[bold]What if … {base.title}")
    if base.timeline is not None and base.timeline.illustrative:
        console.print(
            "[dim]The scenario's timeline is illustrative: its numbers are assumptions.[/]"
        )
    console.print(_table(versions))
    if swept is not None:
        console.print(_sweep_table(swept.indicator, swept.values, sweep_results))
    if plot is not None:
        console.print(f"Plot written to {plot}")


def summary(version: Figures) -> dict[str, Any]:
    """The figures of one version as plain numbers (``None`` where there is none)."""
    window, runs, timeline = version.window, version.runs, version.scenario.timeline
    closes = window.closes_day()
    return {
        "zopa_first_day": window.zopa_start,
        "zopa_deadline": window.zopa_end,
        "window_open_share": window.open_share,
        "window_first_open_day": window.first_open_day,
        "window_last_open_day": window.last_open_day,
        "window_closes_day": closes,
        "window_closes_date": (
            None if closes is None or timeline is None else str(timeline.date_at(closes * 24))
        ),
        "runs": runs.count,
        "agreement_rate": runs.agreement_rate,
        "agreement_rate_interval": list(wilson(runs.agreements, runs.count)),
        "median_days_to_agreement": runs.median_days,
        "mean_payoffs": runs.mean_payoffs,
        "reservations_first_day": dict(
            zip(version.scenario.party_ids, map(float, window.reservations[0]), strict=True)
        ),
        "reservations_deadline": dict(
            zip(version.scenario.party_ids, map(float, window.reservations[-1]), strict=True)
        ),
    }


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _rate(row: dict[str, Any]) -> str:
    """``80% (49–94%)``: the agreement rate with its 95% Wilson interval."""
    low, high = row["agreement_rate_interval"]
    return f"{row['agreement_rate']:.0%} ({100 * low:.0f}–{100 * high:.0f}%)"


def _table(versions: list[Figures]) -> Table:
    from rich.table import Table

    table = Table(title="Zone of agreement, agreements and time, against the baseline")
    table.add_column("figure")
    for version in versions:
        table.add_column(version.label, justify="right")
    rows = [summary(v) for v in versions]
    lines = [
        ("deals possible on day 0 (outcomes)", "zopa_first_day"),
        ("deals possible at the deadline", "zopa_deadline"),
        ("share of days with a deal window", "window_open_share"),
        ("window closes on", "window_closes_date"),
        ("agreement rate", "agreement_rate"),
        ("median days to agreement", "median_days_to_agreement"),
    ]
    for label, key in lines:
        if key == "agreement_rate":
            table.add_row(label + " (95% interval)", *(_rate(r) for r in rows))
            continue
        table.add_row(label, *(_cell(r[key]) for r in rows))
    for pid in versions[0].scenario.party_ids:
        table.add_row(
            f"{pid}: reservation at the deadline",
            *(_cell(r["reservations_deadline"][pid]) for r in rows),
        )
        table.add_row(f"{pid}: mean payoff", *(_cell(r["mean_payoffs"][pid]) for r in rows))
    return table


def _sweep_table(name: str, values, results: list[Figures]) -> Table:
    from rich.table import Table

    table = Table(title=f"Sweep: {name} reached by the deadline")
    for column in (
        "value",
        "deals at deadline",
        "days with window",
        "agreement rate",
        "median days",
    ):
        table.add_column(column, justify="right")
    for value, version in zip(values, results, strict=True):
        row = summary(version)
        table.add_row(
            f"{value:g}",
            _cell(row["zopa_deadline"]),
            _cell(row["window_open_share"]),
            _rate(row),
            _cell(row["median_days_to_agreement"]),
        )
    return table


def register(app: typer.Typer) -> None:
    app.command()(whatif)
