"""Bad values for every command's flags: each is refused (or handled) without a traceback.

A table of mistakes people make (negative or zero counts, unknown names, malformed pairs,
files that are folders, text where numbers go), tried on every command that takes the flag,
plus random text for the free-form flags.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from backchannel.cli.main import app

runner = CliRunner()
FIXTURES = Path(__file__).parents[1] / "fixtures"
SPLIT = str(FIXTURES / "split.yaml")
FOLDER = str(FIXTURES)
QUICK = {  # the cheapest valid call of each command, to which one bad flag is added
    "run": ["run", SPLIT],
    "analyze": ["analyze", SPLIT],
    "compare": ["compare", SPLIT, "-n", "1", "-p", "direct"],
    "whatif": ["whatif", SPLIT, "-n", "1"],
    "tournament": ["tournament", "--scenarios", SPLIT, "--strategies", "boulware", "-n", "1"],
    "brief": ["brief", SPLIT, "-n", "1"],
    "validate": ["validate"],
    "init": ["init"],
    "export-genius": ["export-genius", SPLIT],
}
MISTAKES = [
    ("run", ["--protocol", "telepathy"]),
    ("run", ["--via", "atlantis"]),
    ("run", ["--mediator", "oracle"]),
    ("run", ["--strategy", "a"]),
    ("run", ["--strategy", "nobody=boulware"]),
    ("run", ["--strategy", "a=nonsense"]),
    ("run", ["--seed", "abc"]),
    ("run", ["--seed", "1.5"]),
    ("run", ["--load", FOLDER]),
    ("run", ["--load", SPLIT]),
    ("analyze", ["--points", "0"]),
    ("analyze", ["--points", "-3"]),
    ("analyze", ["--plot", FOLDER]),
    ("compare", ["--runs", "0"]),
    ("compare", ["--runs", "-5"]),
    ("compare", ["--chunk-size", "0"]),
    ("compare", ["--workers", "0"]),
    ("compare", ["--workers", "-1", "--backend", "process"]),
    ("compare", ["--protocols", ",,,"]),
    ("compare", ["--protocols", "shuttle:loss=2"]),
    ("compare", ["--protocols", "shuttle:loss=abc"]),
    ("compare", ["--protocols", "shuttle:bogus"]),
    ("compare", ["--protocols", "shuttle@nowhere"]),
    ("compare", ["--out", FOLDER + "/rows.csv/x.csv"]),
    ("compare", ["--out", "rows"]),
    ("compare", ["--backend", "cloud"]),
    ("compare", ["--via", "nowhere", "-p", "shuttle"]),
    ("whatif", ["--runs", "0"]),
    ("whatif", ["--event", "nothing"]),
    ("whatif", ["--event", "nothing@2026-01-01"]),
    ("whatif", ["--event", "x@not-a-date"]),
    ("whatif", ["--set", "a.reservation"]),
    ("whatif", ["--set", "a.reservation=abc"]),
    ("whatif", ["--set", "a.reservation=5"]),
    ("whatif", ["--set", "nobody.reservation=0.1"]),
    ("whatif", ["--set", "a.colour=0.1"]),
    ("whatif", ["--sweep", "x"]),
    ("whatif", ["--sweep", "x=0:1:3"]),
    ("whatif", ["--sweep", "x=a:b:c"]),
    ("whatif", ["--protocol", "telepathy"]),
    ("tournament", ["--repetitions", "0"]),
    ("tournament", ["--strategies", ""]),
    ("tournament", ["--strategies", "nonsense"]),
    ("tournament", ["--protocols", "telepathy"]),
    ("tournament", ["--scenarios", "nowhere"]),
    ("tournament", ["--out", "rows.txt"]),
    ("tournament", ["--backend", "cloud"]),
    ("tournament", ["--workers", "0"]),
    ("brief", ["--runs", "0"]),
    ("brief", ["--out", SPLIT]),
    ("validate", [FOLDER]),
    ("validate", ["no-such-file.yaml"]),
    ("validate", [str(FIXTURES / "genius" / "lease" / "lease-domain.xml") + "x"]),
    ("init", ["no-such", "here"]),
    ("init", [SPLIT, SPLIT]),
    ("export-genius", ["-o", SPLIT]),
]


@pytest.mark.parametrize(("command", "args"), MISTAKES)
def test_a_bad_flag_value_is_a_message_not_a_traceback(command: str, args: list[str]) -> None:
    result = runner.invoke(app, [*QUICK[command], *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code != 0, result.output
    assert result.output.lstrip().startswith("error:"), result.output


FREE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    flag=st.sampled_from(
        [
            ("run", "--strategy"),
            ("run", "--via"),
            ("run", "--protocol"),
            ("run", "--mediator"),
            ("whatif", "--set"),
            ("whatif", "--event"),
            ("whatif", "--sweep"),
            ("compare", "--protocols"),
        ]
    ),
    value=FREE_TEXT,
)
def test_random_text_in_a_free_form_flag_never_crashes(flag: tuple[str, str], value: str) -> None:
    command, name = flag
    result = runner.invoke(app, [*QUICK[command], f"{name}={value}"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
