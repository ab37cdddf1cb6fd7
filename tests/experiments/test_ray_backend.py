"""The Ray backend on a local Ray instance gives exactly the local backend's rows."""

import pytest

from backchannel.experiments.compare import CompareSettings, parse_arms, run_comparison


@pytest.fixture(scope="module")
def ray_instance():
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_compare_on_ray_matches_the_local_backend(uncertain, ray_instance):
    settings = CompareSettings(
        parse_arms("direct,shuttle", uncertain), runs=10, seed=3, chunk_size=3
    )
    local = run_comparison(uncertain, settings)
    done = []
    distributed = run_comparison(uncertain, settings, backend="ray", progress=done.append)
    assert ray_instance.is_initialized()  # an instance it did not start is left running
    assert distributed.rows == local.rows
    assert distributed.summaries == local.summaries
    assert sum(done) == 10
