import math

import numpy as np
import pytest

from backchannel.experiments.results import ResultsError, columns, read_results, write_results

ROWS = [
    {"run": 0, "protocol": "direct", "agreed": True, "time_days": 1.5, "seed": 2**62 + 1},
    {"run": 1, "protocol": "shuttle", "agreed": False, "time_days": None, "seed": 3},
    {"run": 2, "protocol": "shuttle", "agreed": True, "time_days": 0.1, "seed": 4, "extra": "x"},
]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_rows_round_trip(tmp_path, suffix):
    path = write_results(ROWS, tmp_path / f"results{suffix}")
    back = read_results(path)
    expected = [{**{"extra": None}, **row} for row in ROWS]
    assert back == [{k: r[k] for k in back[0]} for r in expected]
    assert list(back[0]) == ["run", "protocol", "agreed", "time_days", "seed", "extra"]


def test_unknown_suffix_and_missing_folder_are_explained(tmp_path):
    with pytest.raises(ResultsError, match=r"end the name with \.parquet or \.csv"):
        write_results(ROWS, tmp_path / "results.xlsx")
    with pytest.raises(ResultsError, match="does not exist"):
        write_results(ROWS, tmp_path / "nowhere" / "results.csv")


def test_columns_are_arrays_with_missing_values_as_none():
    data = columns(ROWS)
    assert data["time_days"][1] is None
    assert data["run"].dtype.kind == "i"
    assert np.array_equal(data["agreed"], [True, False, True])
    assert math.isclose(data["time_days"][2], 0.1)
