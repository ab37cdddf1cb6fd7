import numpy as np
import pytest

from backchannel.experiments.plan import job_rng, plan_runs, run_seeds


def test_chunking_does_not_change_the_seeds():
    flat = [job for chunk in plan_runs(7, 23, chunk_size=23) for job in chunk.jobs]
    for size in (1, 4, 10):
        chunks = plan_runs(7, 23, chunk_size=size)
        assert [c.index for c in chunks] == list(range(len(chunks)))
        assert all(len(c) <= size for c in chunks)
        assert [job for c in chunks for job in c.jobs] == flat
    assert [job.index for job in flat] == list(range(23))


def test_seeds_are_prefix_stable_distinct_and_fit_int64():
    seeds = run_seeds(3, 1000)
    assert np.array_equal(run_seeds(3, 10), seeds[:10])
    assert len(set(seeds.tolist())) == 1000
    assert seeds.dtype == np.int64 and (seeds >= 0).all()
    assert not np.array_equal(run_seeds(4, 10), seeds[:10])


def test_streams_differ_from_each_other_and_from_the_runner_family():
    seed = int(run_seeds(1, 1)[0])
    runner_first = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0]).random(4)
    plain = np.random.default_rng(seed).random(4)
    a, b = job_rng(seed, 0).random(4), job_rng(seed, 1).random(4)
    for other in (runner_first, plain, b):
        assert not np.allclose(a, other)
    assert np.array_equal(job_rng(seed, 0).random(4), a)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        plan_runs(0, 5, chunk_size=0)
    with pytest.raises(ValueError):
        run_seeds(0, -1)
