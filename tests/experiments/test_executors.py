import functools

import pytest
from tests.experiments.workers import draw_rows

from backchannel.experiments.executors import BackendUnavailable, execute
from backchannel.experiments.plan import plan_runs


def test_local_and_process_backends_agree_whatever_the_chunking():
    expected = execute(plan_runs(5, 20, chunk_size=20), draw_rows, "local")
    assert [row["run"] for row in expected] == list(range(20))
    seen = []
    got = execute(
        plan_runs(5, 20, chunk_size=3), draw_rows, "process", workers=2, progress=seen.append
    )
    assert got == expected
    assert sum(seen) == 20 and len(seen) == 7


def test_partial_workers_and_empty_plans():
    worker = functools.partial(draw_rows)
    assert execute([], worker, "process") == []
    assert execute(plan_runs(1, 2), worker) == execute(plan_runs(1, 2, 1), draw_rows)


def test_unknown_backend_and_bad_worker_count_are_user_errors():
    with pytest.raises(BackendUnavailable, match="choose one of: local, process, ray"):
        execute(plan_runs(0, 1), draw_rows, "spark")
    with pytest.raises(BackendUnavailable, match="at least 1"):
        execute(plan_runs(0, 1), draw_rows, "process", workers=0)
