from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from backchannel.timeline.indicators import SeriesError, read_csv_series


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "series.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_dates_and_values(tmp_path: Path) -> None:
    dates, values = read_csv_series(
        write(tmp_path, "date,value\n2025-01-01,1\n2025-02-01,2.5\n"), "x"
    )
    assert dates == [dt.date(2025, 1, 1), dt.date(2025, 2, 1)]
    assert values == [1.0, 2.5]


def test_interpolates_linearly_and_holds_beyond_the_ends(pressure) -> None:
    currency = pressure.timeline.indicator("currency")
    start = pressure.timeline.start  # 2026-01-01, value 0.20; 2026-01-21 is 0.40
    days = np.array([-31.0, -100.0, 0.0, 10.0, 20.0, 60.0])
    expected = [0.10, 0.10, 0.20, 0.30, 0.40, 0.40]
    np.testing.assert_allclose(currency.value_at(start, days * 24), expected)


@pytest.mark.parametrize(
    ("text", "message", "fix"),
    [
        ("when,value\n2025-01-01,1\n", "row 1: expected the header 'date,value'", "date,value"),
        ("date,value\n2025-01-01,1\n2025-13-01,2\n", "row 3: '2025-13-01' is not a date", "YYYY"),
        ("date,value\n2025-01-01,abc\n", "row 2: 'abc' is not a number", "number"),
        ("date,value\n2025-01-01,1,2\n", "row 2: expected 2 cells", "YYYY-MM-DD,value"),
        (
            "date,value\n2025-02-01,1\n2025-01-01,2\n",
            "row 3: date 2025-01-01 does not come",
            "sort",
        ),
        ("date,value\n", "holds no data rows", "add rows"),
        ("date,value\n2025-01-01,nan\n", "not a finite number", "finite"),
    ],
)
def test_bad_data_names_file_row_and_fix(tmp_path: Path, text: str, message: str, fix: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SeriesError) as caught:
        read_csv_series(path, "timeline.indicators[0].csv")
    problem = caught.value.problems[0]
    assert str(path) in problem.message
    assert message in problem.message
    assert fix in problem.fix
    assert problem.path == "timeline.indicators[0].csv"


def test_missing_file_says_where_paths_start(tmp_path: Path) -> None:
    with pytest.raises(SeriesError) as caught:
        read_csv_series(tmp_path / "nope.csv", "here")
    assert "does not exist" in caught.value.problems[0].message
    assert "relative to the scenario file" in caught.value.problems[0].fix
