"""Hostile input to the service: every answer is a 4xx that names the problem, never a 500,
never a file read on the server, never a stalled event loop."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backchannel.scenario.errors import ScenarioError
from backchannel.service.uploads import Budget, UploadChecker

from .conftest import OPERATOR, World, client, make_world, ok, package

SPLIT = (Path(__file__).parents[1] / "fixtures" / "split.yaml").read_text()


def alias_bomb(levels: int = 8, width: int = 9) -> str:
    lines = [f"a0: &a0 [{', '.join(['1'] * width)}]"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


NUL_TITLE = SPLIT.replace(
    "title: Split a pie of 100 between two parties\n", 'title: "Split a pie\\0 of 100"\n'
)


def split_with_range(bounds: str) -> str:
    return SPLIT.replace("range: {min: 0, max: 100, step: 1}", f"range: {{{bounds}}}")


HOSTILE_UPLOADS = {
    "alias-bomb.yaml": (alias_bomb(), "once its aliases are expanded"),
    "cycle.yaml": ("a: &a [*a]\n", "refers to the anchor that contains it"),
    "deep.yaml": ("name: x\nissues: " + "[" * 5000 + "]" * 5000 + "\n", "nest"),
    "deep.json": ('{"name": "x", "issues": ' + "[" * 5000 + "]" * 5000 + "}", "nested more"),
    "huge-range.yaml": (split_with_range("min: 0, max: 1e8, step: 1"), "100,000,001 values"),
    "inf.yaml": (split_with_range("min: 0, max: .inf, step: 1"), "finite number"),
    "nan.yaml": (split_with_range("min: 0, max: .nan, step: 1"), "finite number"),
    "e308.yaml": (split_with_range("min: 0, max: 1e308, step: 1"), "more than the limit"),
    "tiny-step.yaml": (split_with_range("min: 0, max: 1, step: 1e-300"), "more than the limit"),
    "service-cap.yaml": (split_with_range("min: 0, max: 3e6, step: 1"), "2,000,000"),
    "large.yaml": (SPLIT + "#" * (1 << 20), "more than the limit of 1,048,576"),
    "mediator.yaml": (SPLIT.replace("  - id: b\n", "  - id: mediator\n"), "'mediator'"),
    "huge-int.json": ('{"name": 1' + "1" * 5000 + "}", "a value cannot be read"),
    "bad-tag.yaml": ("name: !!float abc\n", "a value cannot be read"),
    "long-name.yaml": (SPLIT.replace("name: split", "name: " + "s" * 100_000), "at most 64"),
    "long-title.yaml": (SPLIT.replace("title: Split", "title: " + "t" * 1000), "at most 200"),
    "nul-title.yaml": (NUL_TITLE, "NUL character"),
}


def problems_text(answer: Any) -> str:
    return " ".join(p["message"] + " " + p["fix"] for p in answer.json()["problems"])


@pytest.mark.parametrize("name", sorted(HOSTILE_UPLOADS))
def test_hostile_uploads_are_refused_naming_the_limit(app: FastAPI, name: str) -> None:
    text, expected = HOSTILE_UPLOADS[name]
    answer = client(app, operator=True).post(
        "/api/negotiations", files={"file": (name, text.encode())}
    )
    assert answer.status_code == 422, answer.text
    assert expected in problems_text(answer)


def test_a_body_larger_than_any_upload_is_refused_before_it_is_read(app: FastAPI) -> None:
    big = client(app, operator=True).post(
        "/api/negotiations", files={"file": ("big.yaml", b"#" * (2 << 20))}
    )
    assert big.status_code == 413 and "1,048,576 bytes" in big.json()["fix"]
    lying = client(app, operator=True).post(
        "/api/negotiations", content=b"scenario=iran-us", headers={"content-length": "9" * 30}
    )
    assert lying.status_code == 413

    def chunks():
        yield b"scenario=iran-us"

    unsized = client(app, operator=True).post(
        "/api/negotiations",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert unsized.status_code == 411


def test_a_reserved_party_id_is_refused_with_the_fix(app: FastAPI) -> None:
    text = SPLIT.replace("  - id: b\n", "  - id: mediator\n")
    answer = client(app, operator=True).post(
        "/api/negotiations", files={"file": ("m.yaml", text.encode())}
    )
    assert answer.status_code == 422
    problem = answer.json()["problems"][0]
    assert problem["path"] == "parties[1]" and problem["line"] == 14
    assert "reserved" in problem["message"] and "mediator-side" in problem["message"]


def test_the_scenario_field_names_bundled_scenarios_only(app: FastAPI, tmp_path: Path) -> None:
    elsewhere = tmp_path / "valid.yaml"
    elsewhere.write_text(SPLIT)
    probes = ["/etc/passwd", "/no/such/file.yaml", str(elsewhere), str(tmp_path), "x" * 100_000]
    probes += ["../../../etc/passwd", "iran-us.yaml", "atlantis"]
    answers = [
        client(app, operator=True).post("/api/negotiations", data={"scenario": p}) for p in probes
    ]
    assert {a.status_code for a in answers} == {422}
    assert len({a.text for a in answers}) == 1  # the same words whatever exists on the server
    document = answers[0].json()
    assert document["error"] == "unknown bundled scenario"
    assert "iran-us" in document["fix"] and "upload" in document["fix"]
    assert len(answers[0].content) < 300


def test_an_upload_name_is_shown_short_and_encodable(app: FastAPI) -> None:
    name = "../../" + "n\u2028" * 200 + ".yaml"
    answer = client(app, operator=True).post(
        "/api/negotiations", files={"file": (name, b"name: [")}
    )
    assert answer.status_code == 422
    shown = answer.json()["error"].split("'")[1]
    assert len(shown) <= 80 and "/" not in shown and "\u2028" not in shown
    assert shown.endswith(".yaml")


class _HeldChecker(UploadChecker):
    """Checks uploads as the service does, but only once the test lets it."""

    def __init__(self) -> None:
        super().__init__()
        self.started, self.release = threading.Event(), threading.Event()

    def _check_in_child(self, filename: str, content: bytes) -> dict[str, Any]:
        self.started.set()
        self.release.wait()
        return super()._check_in_child(filename, content)


def test_other_requests_are_answered_while_an_upload_is_checked(app: FastAPI) -> None:
    held = _HeldChecker()
    original, app.state.upload_checker = app.state.upload_checker, held
    answers: dict[str, Any] = {}
    try:
        with TestClient(app, base_url="http://testserver") as shared:  # one event loop
            shared.headers["Authorization"] = f"Bearer {OPERATOR}"

            def upload() -> None:
                files = {"file": ("split.yaml", SPLIT.encode())}
                answers["upload"] = shared.post("/api/negotiations", files=files)

            def other() -> None:
                answers["scenarios"] = shared.get("/api/scenarios")
                answers["created"] = shared.post(
                    "/api/negotiations", data={"scenario": "iran-us-2025"}
                )

            uploading = threading.Thread(target=upload)
            uploading.start()
            held.started.wait()
            asking = threading.Thread(target=other)
            asking.start()
            asking.join(timeout=120)  # a guard against a hang, not a speed measurement
            assert not asking.is_alive(), "the event loop waited for the upload"
            assert "upload" not in answers  # the upload was still being checked
            held.release.set()
            uploading.join()
    finally:
        held.release.set()
        app.state.upload_checker = original
    assert answers["scenarios"].status_code == 200
    assert answers["created"].status_code == 201  # the write lock is not held during a check
    assert answers["upload"].status_code == 201


def _check(checker: UploadChecker, name: str, text: str) -> dict[str, Any]:
    return anyio.run(checker.check, name, text.encode())


def test_a_check_past_its_time_budget_is_stopped() -> None:
    with pytest.raises(ScenarioError) as caught:
        _check(UploadChecker(Budget(seconds=0)), "split.yaml", SPLIT)
    assert "took longer than 0 s" in caught.value.render()


def test_a_check_past_its_memory_budget_is_stopped() -> None:
    """Two million outcomes pass the service's limits but need more than 16 MB to compile."""
    big = split_with_range("min: 0, max: 1999999, step: 1").replace("[100, ", "[1999999, ")
    assert _check(UploadChecker(), "big.yaml", big)["name"] == "split"
    with pytest.raises(ScenarioError) as caught:
        _check(UploadChecker(Budget(memory_bytes=16 << 20)), "big.yaml", big)
    assert "needed more than the 16 MB the service allows" in caught.value.render()


def test_uploads_beyond_the_concurrent_budget_are_told_to_retry(app: FastAPI) -> None:
    held = _HeldChecker()
    original, app.state.upload_checker = app.state.upload_checker, held
    try:
        for _ in range(held.budget.concurrent):
            held._slots.acquire()
        answer = client(app, operator=True).post(
            "/api/negotiations", files={"file": ("s.yaml", SPLIT.encode())}
        )
    finally:
        for _ in range(held.budget.concurrent):
            held._slots.release()
        app.state.upload_checker = original
    assert answer.status_code == 503 and "try again" in answer.json()["fix"]


# --- request bodies ---------------------------------------------------------------------------


def raw(c: TestClient, method: str, path: str, body: str) -> Any:
    return c.request(method, path, content=body, headers={"content-type": "application/json"})


def assert_refused(answer: Any, status: int = 422) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    answer.content.decode("utf-8")  # encodable, whatever the request held
    return answer.json()  # type: ignore[no-any-return]


@pytest.fixture
def numeric_world(world: World) -> tuple[World, dict[str, str], str]:
    room = ok(world.clients["us"].get(world.path("/api/negotiations/{id}/room")))
    terms = package(room, 1)
    return world, terms, "enrichment"


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", '"nan"', '"inf"', "1e308"])
@pytest.mark.parametrize("path", ["/room/utility", "/messages"])
def test_nan_and_infinity_in_terms_are_refused(numeric_world, value: str, path: str) -> None:
    world, terms, issue = numeric_world
    body = {"terms": {**terms, issue: "PLACEHOLDER"}}
    if path == "/messages":
        body["kind"] = "proposal"
    text = json.dumps(body).replace('"PLACEHOLDER"', value)
    answer = raw(world.clients["us"], "POST", world.path("/api/negotiations/{id}") + path, text)
    document = assert_refused(answer)
    assert issue in json.dumps(document)


@pytest.mark.parametrize(
    "who, path, body",
    [
        ("us", "/room/utility", {"terms": {"enrichment": "\udfff"}}),
        ("us", "/room/utility", {"terms": {"\udfff": "0"}}),
        ("us", "/messages", {"kind": "note", "text": "hello \udfff"}),
        ("us", "/messages", {"kind": "note", "text": "hello \u0000"}),
        ("mediator", "/relay", {"to": "iran", "kind": "note", "text": "hello \u0000"}),
        ("mediator", "/seats/us/agent", {"strategy": "\udfff"}),
        ("mediator", "/relay", {"to": "\udfff", "source": 1}),
        ("mediator", "/relay", {"to": "iran", "source": 18446744073709551616}),
        ("mediator", "/relay", {"to": "iran", "source": -1}),
        ("mediator", "/relay", {"to": "i" * 100_000, "source": 1}),
        ("mediator", "/drafts", {"terms": {"enrichment": "x" * 100_000}}),
    ],
)
def test_bad_fields_are_4xx_and_never_echoed_unencodably(world: World, who, path, body) -> None:
    answer = raw(
        world.clients[who], "POST", world.path("/api/negotiations/{id}") + path, json.dumps(body)
    )
    assert_refused(answer)
    assert len(answer.content) < 2000
    assert "function-after" not in answer.text and "constrained" not in answer.text


def test_a_nul_in_the_address_is_refused_with_the_fix(world: World) -> None:
    """PostgreSQL cannot compare a NUL character: refused before any handler reads the id."""
    for path in ("/api/negotiations/x%00y/room", "/n/x%00y"):
        answer = world.clients["us"].get(path)
        assert answer.status_code == 400, answer.text
        assert answer.json() == {
            "error": "the address holds a NUL character (%00)",
            "fix": "remove %00 from the address",
        }


def test_a_nul_in_an_uploaded_title_names_the_place(app: FastAPI) -> None:
    text = NUL_TITLE
    answer = client(app, operator=True).post(
        "/api/negotiations", files={"file": ("nul.yaml", text.encode())}
    )
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["path"] == "title"


@pytest.mark.parametrize("opening, closing", [("[", "]"), ('{"a":', "}")])
def test_deeply_nested_bodies_are_4xx(world: World, opening: str, closing: str) -> None:
    body = '{"to": "iran", "terms": ' + opening * 100_000 + "1" + closing * 100_000 + "}"
    answer = raw(
        world.clients["mediator"], "POST", world.path("/api/negotiations/{id}/relay"), body
    )
    assert 400 <= answer.status_code < 500


@pytest.mark.parametrize("reservation", ["NaN", "Infinity"])
def test_nan_preferences_are_refused(app: FastAPI, reservation: str) -> None:
    world = make_world(app, start=False)
    weights = {issue: 1 / len(world.issues) for issue in world.issues}
    body = json.dumps({"weights": weights, "reservation": 0.5}).replace("0.5", reservation)
    answer = raw(
        world.clients["us"], "PUT", world.path("/api/negotiations/{id}/room/preferences"), body
    )
    assert_refused(answer)


def test_timestamps_carry_their_timezone(world: World) -> None:
    view = ok(world.clients["mediator"].get(world.path("/api/negotiations/{id}")))
    room = ok(world.clients["us"].get(world.path("/api/negotiations/{id}/room")))
    exported = ok(world.clients["mediator"].get(world.path("/api/negotiations/{id}/export")))
    stamps = [m["at"] for m in view["messages"] + room["messages"] + exported["messages"]]
    stamps += [exported["exported_at"], exported["negotiation"]["created_at"]]
    for stamp in stamps:
        moment = datetime.fromisoformat(stamp)
        assert moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0, stamp
