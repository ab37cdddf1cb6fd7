"""Fuzz every JSON endpoint from the app's own OpenAPI schema: no answer may be a 5xx.

Each operation is called with schema-conforming and with schema-violating requests, as the
mediator and as a party of a started negotiation (so the requests get past the access checks
and reach the code that reads their bodies), a bounded number of examples each. The failures
are collected rather than shrunk, so one run reports every endpoint that fails.
"""

from __future__ import annotations

import tracemalloc
import warnings
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from backchannel.service.app import create_app

from .conftest import World, _settings, make_world

EXAMPLES = 12
LAST = ("/close",)  # closing the negotiation would turn later requests into plain 409s


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('fuzz')) / 'fuzz.db'}"
    return make_world(create_app(_settings(url)))


def _operations(app: FastAPI) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    return sorted(operations, key=lambda op: op.path.endswith(LAST))


def _fuzz(operation: Any, mode: Any, world: World, role: str, log: list[tuple[str, int]]) -> None:
    """Call ``operation`` with ``EXAMPLES`` generated requests; log each (curl, status)."""
    c = world.clients[role]
    cookies, headers = dict(c.cookies), {"X-CSRF-Token": c.cookies["bc_csrf"]}
    given_path = {"negotiation_id": world.id} if "{negotiation_id}" in operation.path else None

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode, path_parameters=given_path))
    def call(case: Any) -> None:
        response = case.call(cookies=cookies, headers=headers)
        log.append((f"{case.as_curl_command()} ({role})", response.status_code))

    try:
        call()
    except Unsatisfiable:  # nothing to get wrong: an operation without parameters or body
        assert mode == schemathesis.GenerationMode.NEGATIVE


def test_no_request_to_any_endpoint_gets_a_server_error(fuzz_world: World) -> None:
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    log: list[tuple[str, int]] = []
    operations = _operations(fuzz_world.app)
    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            for role in ("mediator", "us"):
                before = len(log)
                _fuzz(operation, mode, fuzz_world, role, log)
                assert mode == schemathesis.GenerationMode.NEGATIVE or len(log) > before
    failures = [f"{call} -> {status}" for call, status in log if status >= 500]
    print(f"fuzzed {len(log)} requests over {len(operations)} operations; {len(failures)} 5xx")
    assert not failures, "\n".join(failures[:20])


UPLOADS = 60


def test_malformed_uploads_get_4xx_with_bounded_server_memory(fuzz_world: World) -> None:
    """Hostile and malformed scenario files, uploaded: never a 5xx, never a hang (the check
    runs in a child with a time budget), and the server side (this process: form parsing,
    the waiting thread, storing) allocates at most a fixed amount, measured by tracemalloc."""
    from hypothesis import strategies as st

    from .test_hostile_input import HOSTILE_UPLOADS, SPLIT

    hostile = [(name, text) for name, (text, _) in HOSTILE_UPLOADS.items()]
    statuses: list[int] = []
    c = fuzz_world.clients["mediator"]

    @settings(max_examples=UPLOADS, deadline=None, database=None, phases=[Phase.generate])
    @given(
        st.one_of(
            st.sampled_from(hostile),
            st.tuples(
                st.sampled_from(["f.yaml", "f.json", "f.yml"]),
                st.builds(
                    lambda cut, junk: SPLIT[:cut] + junk + SPLIT[cut:],
                    st.integers(0, len(SPLIT)),
                    st.text(min_size=1, max_size=30),
                ),
            ),
        )
    )
    def upload(named: tuple[str, str]) -> None:
        name, text = named
        content = text.encode("utf-8", "surrogatepass")
        answer = c.post("/api/negotiations", files={"file": (name, content)})
        statuses.append(answer.status_code)

    tracemalloc.start()
    try:
        upload()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    print(f"uploaded {len(statuses)} files; peak {peak / (1 << 20):.1f} MB traced in the server")
    assert set(statuses) <= {201, 422}, sorted(set(statuses))
    assert peak < 64 << 20
