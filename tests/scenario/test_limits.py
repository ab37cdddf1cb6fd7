"""Hostile scenario files are refused before they are built: alias bombs, cycles, deep nesting,
ranges of 10^8 values or of infinite length, NaN, oversized files. Memory is measured with
tracemalloc (never time), so a check that builds first and refuses later fails here."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from backchannel.cli.main import app
from backchannel.scenario.errors import ScenarioError
from backchannel.scenario.limits import Limits, _json_depth, range_size
from backchannel.scenario.loader import compile_spec, load_scenario, load_spec
from backchannel.space.issues import NumericIssue

MEGABYTE = 1 << 20

TWO_PARTIES = """
parties:
  - id: a
    preferences: {weights: {x: 1}, values: {x: [[0, 0], [10, 1]]}}
  - id: b
    preferences: {weights: {x: 1}, values: {x: [[0, 1], [10, 0]]}}
"""


def alias_bomb(levels: int = 8, width: int = 9) -> str:
    lines = [f"a0: &a0 [{', '.join(['1'] * width)}]"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def with_range(bounds: str) -> str:
    return f"name: big\nissues:\n  - id: x\n    range: {{{bounds}}}\n{TWO_PARTIES}"


HOSTILE = {
    "alias-bomb.yaml": (alias_bomb(), "once its aliases are expanded"),
    "cycle.yaml": ("a: &a [*a]\n", "refers to the anchor that contains it"),
    "deep.yaml": ("name: x\nissues: " + "[" * 5000 + "]" * 5000 + "\n", "nest"),
    "deep.json": ('{"name": "x", "issues": ' + "[" * 5000 + "]" * 5000 + "}", "nested more than"),
    "huge-range.yaml": (with_range("min: 0, max: 1e8, step: 1"), "100,000,001 values"),
    "inf.yaml": (with_range("min: 0, max: .inf, step: 1"), "finite number"),
    "nan.yaml": (with_range("min: 0, max: .nan, step: 1"), "finite number"),
    "e308.yaml": (with_range("min: 0, max: 1e308, step: 1"), "more than the limit"),
    "wide.yaml": (with_range("min: -1e308, max: 1e308, step: 1"), "more than the limit"),
    "tiny-step.yaml": (with_range("min: 0, max: 1, step: 1e-300"), "more than the limit"),
    "huge-int.yaml": ("name: 1" + "1" * 5000 + "\n", "a value cannot be read"),
    "huge-int.json": ('{"name": 1' + "1" * 5000 + "}", "a value cannot be read"),
    "bad-date.yaml": ("name: x\ntimeline: {start: 2001-13-45}\n", "month must be in 1..12"),
    "bad-tag.yaml": ("name: !!int abc\n", "a value cannot be read"),
}


def refused_within(path: Path, limit_bytes: int = 20 * MEGABYTE) -> str:
    """The refusal's text, after checking the loader allocated less than ``limit_bytes``."""
    tracemalloc.start()
    try:
        with pytest.raises(ScenarioError) as caught:
            load_scenario(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < limit_bytes, f"{path.name}: {peak / MEGABYTE:.0f} MB before refusing"
    return caught.value.render()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_are_refused_with_bounded_memory(tmp_path: Path, name: str) -> None:
    text, expected = HOSTILE[name]
    path = tmp_path / name
    path.write_text(text)
    rendered = refused_within(path)
    assert expected in rendered
    assert "fix:" in rendered


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_validate_answers_hostile_files_in_one_message_with_exit_2(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_text(HOSTILE[name][0])
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert HOSTILE[name][1] in result.output


def test_outcome_product_is_counted_before_building(tmp_path: Path) -> None:
    issues = "".join(f"  - id: i{k}\n    range: {{min: 0, max: 99, step: 1}}\n" for k in range(4))
    weights = ", ".join(f"i{k}: 0.25" for k in range(4))
    values = ", ".join(f"i{k}: [[0, 0], [99, 1]]" for k in range(4))
    party = f"    preferences: {{weights: {{{weights}}}, values: {{{values}}}}}\n"
    path = tmp_path / "product.yaml"
    path.write_text(f"name: p\nissues:\n{issues}parties:\n  - id: a\n{party}  - id: b\n{party}")
    assert "100,000,000 outcomes" in refused_within(path)


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "large.yaml"
    path.write_text("name: x\n" + "# padding\n" * 2000)
    with pytest.raises(ScenarioError) as caught:
        load_spec(path, Limits(file_bytes=1000))
    assert "more than the limit of 1,000" in caught.value.render()


def test_tighter_outcome_limit_applies(tmp_path: Path) -> None:
    path = tmp_path / "mid.yaml"
    path.write_text(with_range("min: 0, max: 10, step: 0.001"))
    load_spec(path)
    with pytest.raises(ScenarioError) as caught:
        load_spec(path, Limits(outcomes=1000))
    assert "10,001 outcomes, more than the limit of 1,000" in caught.value.render()


def test_anchors_used_sensibly_still_load_with_line_numbers(tmp_path: Path) -> None:
    text = """name: shared
issues:
  - id: x
    values: [0, 5, 10]
parties:
  - id: a
    preferences: &prefs {weights: {x: 1}, values: {x: [[0, 0], [10, 1]]}}
  - id: b
    preferences: *prefs
    reservation: 2
"""
    path = tmp_path / "shared.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert f"{path}:10 at parties[1].reservation" in caught.value.render()
    path.write_text(text.replace("    reservation: 2\n", ""))
    assert load_scenario(path).space.size == 3


def test_nan_in_value_points_and_deadline_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nan.yaml"
    text = with_range("min: 0, max: 10, step: 1").replace("[[0, 0], [10, 1]]", "[[0, .nan]]")
    path.write_text(text + "negotiation: {deadline_days: .nan}\n")
    rendered = refused_within(path)
    assert "parties[0].preferences.values.x[0][1]" in rendered
    assert "negotiation.deadline_days" in rendered


@settings(max_examples=200, deadline=None)
@given(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.floats(0, 1e4, allow_nan=False),
    st.floats(0.01, 1e3, allow_nan=False),
)
def test_range_size_matches_the_values_built(low: float, width: float, step: float) -> None:
    assert (
        range_size(low, low + width, step)
        == NumericIssue.from_range("x", "x", low, low + width, step).size
    )


nested = st.recursive(
    st.none() | st.integers() | st.text(alphabet='[]{}"\\ab', max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=20,
)


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=200, deadline=None)
@given(nested)
def test_json_depth_matches_the_parsed_structure(value: object) -> None:
    assert _json_depth(json.dumps(value)) == _depth(value)


def test_yaml_alias_bomb_never_expands_when_loaded_directly(tmp_path: Path) -> None:
    """The same bomb, wider and deeper, still costs only its anchors to refuse."""
    path = tmp_path / "wider.yaml"
    path.write_text(alias_bomb(levels=12, width=20))
    assert len(path.read_text()) < 2000
    assert "aliases" in refused_within(path, 5 * MEGABYTE)
    assert yaml.safe_load(path.read_text())  # (PyYAML shares the lists; walking them is the bomb)


# --- fuzzing: malformed files never hang, never raise anything but ScenarioError, and never
# make the loader allocate more than a fixed budget ---------------------------------------------

SPLIT = (Path(__file__).parents[1] / "fixtures" / "split.yaml").read_text()
TOKENS = [
    "*a",
    "&a ",
    "&b ",
    "*b",
    "[",
    "]",
    "{",
    "}",
    ", ",
    ": ",
    "- ",
    "\n",
    "\n  ",
    "'",
    '"',
    ".nan",
    ".inf",
    "-.inf",
    "1e308",
    "1e-300",
    "-1",
    "0",
    "9" * 400,
    "!!python/object:os.system",
    "!!binary",
    "<<: *a",
    "? ",
    "|",
    ">",
    "\t",
    "\\udfff",
    "\u2028",
    "%YAML 1.2\n",
    "---\n",
    "mediator",
    "id",
    "range",
    "min",
    "max",
    "step",
    "values",
    "options",
    "parties",
]


@st.composite
def mutated_scenario(draw: st.DrawFn) -> str:
    """The small fixture scenario with a few spans replaced by hostile tokens."""
    text = SPLIT
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(text)))
        end = min(len(text), start + draw(st.integers(0, 40)))
        filler = "".join(draw(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=8)))
        text = text[:start] + filler + text[end:]
    return text


@st.composite
def alias_graph(draw: st.DrawFn) -> str:
    """Anchors that reuse earlier anchors (or, sometimes, themselves) in random widths."""
    count = draw(st.integers(1, 14))
    lines = []
    for k in range(count):
        width = draw(st.integers(1, 12))
        refs = [f"*a{draw(st.integers(0, k))}" if k else "1" for _ in range(width)]
        lines.append(f"a{k}: &a{k} [{', '.join(refs)}]")
    return "\n".join(lines) + "\n"


PEAK = 64 * MEGABYTE


@settings(max_examples=150, deadline=None)
@given(st.one_of(mutated_scenario(), alias_graph()), st.sampled_from([".yaml", ".json"]))
def test_malformed_files_are_refused_within_a_memory_budget(text: str, suffix: str) -> None:
    import tempfile

    from backchannel.scenario.limits import SERVICE

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        tracemalloc.start()
        try:
            compile_spec(load_spec(path, SERVICE), str(path))
        except ScenarioError as error:
            assert "fix:" in error.render()
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    assert peak < PEAK, f"{peak / MEGABYTE:.0f} MB"


def test_the_how_to_limits_example_prints_what_the_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re
    import shlex

    page = (Path(__file__).parents[2] / "docs" / "how-to" / "write-a-scenario.md").read_text()
    section = page.split("## Limits", 1)[1]
    printf, validate = re.search(r"```bash\n(.*?)```", section, flags=re.S).group(1).splitlines()
    after = section.split("```bash", 1)[1].split("```", 1)[1]
    shown = re.search(r"```\n(.*?)```", after, flags=re.S).group(1)
    words = shlex.split(printf)
    assert words[0] == "printf" and words[-2:] == [">", "big.yaml"]
    monkeypatch.chdir(tmp_path)
    Path("big.yaml").write_text(words[1].encode().decode("unicode_escape"))
    result = CliRunner().invoke(app, shlex.split(validate)[1:], catch_exceptions=False)
    assert result.exit_code == 2
    assert " ".join(result.output.split()) == " ".join(shown.split())
