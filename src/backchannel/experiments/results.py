"""Tidy results: one row (a flat dict of scalars) per run, written to Parquet or CSV.

API (small on purpose; compare, the batch engine and tournaments all use it)::

    write_results(rows, path) -> Path     # .parquet (needs pyarrow) or .csv, by the suffix
    read_results(path) -> list[row]       # the same rows back (CSV values come back typed)
    columns(rows) -> dict[str, ndarray]   # column arrays for vectorised summaries

Columns are the union of the rows' keys in order of first appearance; a key a row lacks is
written as empty (null). CSV cannot tell an empty text from a missing value: both read back as
None. Parquet keeps types and is the better format for large sweeps; it
needs ``pyarrow`` (``pip install 'backchannel[experiments]'``). CSV needs nothing extra.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

Row = dict[str, Any]
FORMATS = {".parquet": "Parquet", ".csv": "CSV"}


class ResultsError(ValueError):
    """Results cannot be written or read as asked; the message says how to fix it."""


def column_names(rows: Sequence[Row]) -> list[str]:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    return list(names)


def columns(rows: Sequence[Row]) -> dict[str, np.ndarray]:
    """Each column as an array (missing values as None, in an object array)."""
    data = {}
    for name in column_names(rows):
        values = [row.get(name) for row in rows]
        has_missing = any(v is None for v in values)
        data[name] = np.array(values, dtype=object) if has_missing else np.array(values)
    return data


def write_results(rows: Sequence[Row], path: str | Path) -> Path:
    """Write ``rows`` to ``path`` in the format its suffix names; the folder must exist."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ResultsError(
            f"cannot write results to '{path}': unknown file type '{path.suffix or '(none)'}'; "
            "end the name with .parquet or .csv"
        )
    if not path.parent.exists():
        raise ResultsError(
            f"cannot write results to '{path}': the folder '{path.parent}' does not exist; "
            "create it first or choose another path"
        )
    if suffix == ".parquet":
        _write_parquet(rows, path)
    else:
        _write_csv(rows, path)
    return path


def read_results(path: str | Path) -> list[Row]:
    """Read rows written by :func:`write_results`."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _pyarrow_parquet().read_table(path).to_pylist()
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            return [{k: _parse(v) for k, v in row.items()} for row in csv.DictReader(handle)]
    raise ResultsError(f"cannot read results from '{path}': end the name with .parquet or .csv")


def _write_parquet(rows: Sequence[Row], path: Path) -> None:
    parquet = _pyarrow_parquet()  # first: says how to install pyarrow if it is missing
    import pyarrow as pa

    names = column_names(rows)
    table = pa.Table.from_pylist([{n: row.get(n) for n in names} for row in rows])
    parquet.write_table(table, path)


def _pyarrow_parquet() -> Any:
    try:
        import pyarrow.parquet as parquet
    except ImportError:
        raise ResultsError(
            "Parquet files need pyarrow, which is not installed; install it with "
            "pip install 'backchannel[experiments]', or write a .csv file instead"
        ) from None
    return parquet


def _write_csv(rows: Sequence[Row], path: Path) -> None:
    names = column_names(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({n: _format(row.get(n)) for n in names})


def _format(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # round-trips exactly
    if isinstance(value, np.generic):
        return _format(value.item())
    return value


def _parse(text: str) -> Any:
    """CSV cells back to None, bool, int or float where they look like one."""
    if text == "":
        return None
    if text in ("True", "False"):
        return text == "True"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text
