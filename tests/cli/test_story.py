"""``backchannel run`` in a 100-column terminal: wrapped at words, repeats folded, names,
dates, the deadline and walk-away values first, and why it ended as it did."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from backchannel.cli.story import Entry, fold

SPLIT = str(Path(__file__).parents[1] / "fixtures" / "split.yaml")


def shell(*args: str, columns: int = 100) -> str:
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1", "TERM": "dumb"}
    done = subprocess.run(
        [sys.executable, "-c", "from backchannel.cli.main import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return done.stdout


def account_of(output: str) -> str:
    """The story part: up to the benchmark table."""
    return output.split("Result against the benchmarks")[0]


def test_lines_fit_100_columns_and_break_only_between_words() -> None:
    narrow = account_of(shell("run", "--seed", "2"))
    wide = account_of(shell("run", "--seed", "2", columns=1000))
    assert all(len(line) <= 100 for line in narrow.splitlines())
    assert any(len(line) > 100 for line in wide.splitlines())  # so there was wrapping to do
    words = [w for w in narrow.split() if "─" not in w]  # the title rule spans the width
    assert words == [w for w in wide.split() if "─" not in w]  # the same words: none cut


def test_the_flagship_story_has_names_dates_deadline_walk_away_and_why() -> None:
    story = account_of(shell("run", "--seed", "1"))  # a run the breakdown hazard spares
    lines = story.splitlines()
    assert "The deadline is day 180 (2026-07-19)" in story
    assert "Walking away is worth (utility, 0 to 1): United States 0.450, Iran 0.480" in story
    events = [line for line in lines if line[:4] == "2026"]
    assert len(events) > 10  # calendar dates, since the timeline has a start date
    assert "United States rejects" in story and "Iran rejects" in story
    assert " us rejects" not in story and " iran rejects" not in story
    assert "Iran → Oman → United States" in story  # names on the path, not ids
    assert "worth United States" in story and "u(us)" not in story
    assert "the same terms again (" in story  # folded
    # In 2026 the deal is struck in July and Congress's 30-day review outlasts the deadline.
    assert [line for line in lines if line.startswith("Why no deal: deadline passed before the")]


def test_a_collapse_is_told_with_the_event_it_sets_off_and_not_called_a_miscalculation() -> None:
    story = account_of(shell("run"))  # seed 0: the flagship's breakdown hazard strikes
    assert "the talks collapse: Talks break down and strikes resume" in story
    assert "Why no deal: the talks collapsed before a deal" in story
    assert "miscalculation" not in story


def test_a_scenario_without_a_start_date_counts_days_and_says_why_no_deal() -> None:
    story = account_of(
        shell("run", SPLIT, "--strategy", "a=hardliner", "--strategy", "b=hardliner")
    )
    events = [line for line in story.splitlines() if line.startswith("day ")]
    assert events
    assert "The deadline is day 10, after at most 100 rounds." in story
    assert "Why no deal:" in story


def entry(kind: str, round_number: int | None = None, repeat: bool = False) -> Entry:
    return Entry(float(round_number or 0), round_number, kind, kind, repeat)


def test_fold_keeps_new_offers_and_folds_three_or_more_repeats() -> None:
    new = entry("offer", 1)
    repeats = [entry("offer", r, repeat=True) for r in (2, 3, 4)]
    rejects = [entry("reject") for _ in range(3)]
    stretch = [item for pair in zip(repeats, rejects, strict=True) for item in pair]
    folded = fold([new, entry("reject"), *stretch, entry("offer", 5)])
    assert [e.kind for e in folded] == ["offer", "reject", "folded", "offer"]
    assert folded[2].text.startswith("rounds 2–4: the same terms again")
    assert fold([new, *stretch[:4]]) == [new, *stretch[:4]]  # two repeats stay as they are


def test_fold_never_swallows_an_acceptance() -> None:
    repeats = [entry("offer", r, repeat=True) for r in (1, 2, 3)]
    items = [repeats[0], entry("reject"), repeats[1], entry("reject"), repeats[2], entry("accept")]
    folded = fold(items)
    assert folded[-1].kind == "accept"
    assert folded[-2].kind in ("offer", "folded")


def test_a_mediator_is_named_like_the_parties() -> None:
    story = account_of(shell("run", "--protocol", "confidential"))
    assert "Oman → United States proposes" in story
    assert "oman →" not in story
