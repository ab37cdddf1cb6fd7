"""Indicator series: observable numbers over time, from inline points or a ``date,value`` CSV.

Lines of a CSV file that start with ``#`` are notes (e.g. where the numbers come from).

Values between dates are interpolated linearly; before the first and after the last date the
nearest value holds. An indicator's effects are changes *per unit* of the indicator above its
value on the day the negotiation clock starts.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from backchannel.problems import Problem
from backchannel.timeline.effects import Effect
from backchannel.timeline.events import HOURS_PER_DAY

CSV_HEADER = ("date", "value")


@dataclass(frozen=True, eq=False)
class Indicator:
    id: str
    name: str
    unit: str
    dates: tuple[dt.date, ...]
    values: np.ndarray
    effects: tuple[Effect, ...] = ()
    watch: str = ""
    note: str = ""

    def days_from(self, start: dt.date) -> np.ndarray:
        return np.array([(d - start).days for d in self.dates], dtype=float)

    def value_at(self, start: dt.date, hours: np.ndarray | float) -> np.ndarray:
        """Interpolated value at each simulated hour (flat beyond the first and last dates)."""
        days = np.asarray(hours, dtype=float) / HOURS_PER_DAY
        return np.interp(days, self.days_from(start), self.values)

    def with_path(self, dates: tuple[dt.date, ...], values: np.ndarray) -> Indicator:
        return replace(self, dates=dates, values=np.asarray(values, dtype=float))


class SeriesError(ValueError):
    """A series that cannot be read; carries the problems found (file, row, fix)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


def check_points(where: str, dates: list[dt.date], values: list[float]) -> list[Problem]:
    """Problems with an inline series: it must hold points with strictly increasing dates."""
    if not dates:
        return [Problem(where, "the series has no points", "list at least one [date, value] pair")]
    for number in range(1, len(dates)):
        if dates[number] <= dates[number - 1]:
            return [
                Problem(
                    f"{where}[{number}]",
                    f"date {dates[number]} does not come after {dates[number - 1]}",
                    "sort the points by date and remove repeated dates",
                )
            ]
    if not np.all(np.isfinite(values)):
        return [Problem(where, "the series holds a value that is not a finite number", "fix it")]
    return []


def read_csv_series(path: Path, where: str) -> tuple[list[dt.date], list[float]]:
    """Read a ``date,value`` CSV file; :class:`SeriesError` names the file, the row and the fix."""
    if not path.is_file():
        raise SeriesError(
            [
                Problem(
                    where,
                    f"the indicator file {path} does not exist",
                    "give a path relative to the scenario file's folder, or an absolute path",
                )
            ]
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        problem = Problem(where, f"cannot read {path} ({error})", "check the file")
        raise SeriesError([problem]) from None
    numbered = [
        (number, next(csv.reader([line])))
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    first, header_row = numbered[0] if numbered else (1, [])
    header = tuple(cell.strip().lower() for cell in header_row)
    if header != CSV_HEADER:
        raise SeriesError(
            [
                Problem(
                    where,
                    f"{path} row {first}: expected the header 'date,value', "
                    f"found '{','.join(header)}'",
                    "start the file with the line: date,value",
                )
            ]
        )
    dates: list[dt.date] = []
    values: list[float] = []
    for number, row in numbered[1:]:
        when, value = _parse_row(path, number, row, where)
        if dates and when <= dates[-1]:
            raise SeriesError(
                [
                    Problem(
                        where,
                        f"{path} row {number}: date {when} does not come after {dates[-1]}",
                        "sort the rows by date and remove repeated dates",
                    )
                ]
            )
        dates.append(when)
        values.append(value)
    if not dates:
        raise SeriesError(
            [Problem(where, f"{path} holds no data rows", "add rows such as: 2025-01-01,0.5")]
        )
    return dates, values


def _parse_row(path: Path, number: int, row: list[str], where: str) -> tuple[dt.date, float]:
    def problem(message: str, fix: str) -> SeriesError:
        return SeriesError([Problem(where, f"{path} row {number}: {message}", fix)])

    if len(row) != 2:
        raise problem(f"expected 2 cells (date,value), found {len(row)}", "write: YYYY-MM-DD,value")
    try:
        when = dt.date.fromisoformat(row[0].strip())
    except ValueError:
        raise problem(f"'{row[0].strip()}' is not a date", "write dates as YYYY-MM-DD") from None
    try:
        value = float(row[1].strip())
    except ValueError:
        raise problem(f"'{row[1].strip()}' is not a number", "write a number") from None
    if not np.isfinite(value):
        raise problem(f"'{row[1].strip()}' is not a finite number", "write a finite number")
    return when, value
