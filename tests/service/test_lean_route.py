"""A lean route answers every request exactly as FastAPI's own solver answers it: the same
values, the same validation errors, the same order of dependencies, for any request."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import pytest
from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field

from backchannel.service.lean_route import LeanRoute, lean_post
from backchannel.service.routes import messages


class Item(BaseModel):
    kind: Literal["proposal", "accept", "note"]
    terms: dict[str, str] | None = None
    text: str = Field("", max_length=12)
    confirm: bool = False


TRACE: list[str] = []
"""What ran, in order, for the request being compared."""


async def session(request: Request) -> AsyncIterator[str]:
    TRACE.append("open")
    try:
        yield "session"
    finally:
        TRACE.append("close")


Db = Annotated[str, Depends(session, scope="function")]


async def caller_of(negotiation_id: str, request: Request, db: Db) -> str:
    TRACE.append(f"caller {negotiation_id} {db}")
    if request.headers.get("x-deny"):
        raise HTTPException(401, "no access")
    return f"caller of {negotiation_id}"


Caller = Annotated[str, Depends(caller_of)]


async def noted(note: Annotated[int, Header(alias="X-Note")]) -> int:
    """A dependency with a parameter of its own, solved before the caller check: when its
    parameter is invalid, the caller check still runs (and may answer first)."""
    TRACE.append(f"noted {note}")
    return note


Noted = Annotated[int, Depends(noted)]
Key = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=8, max_length=20, pattern=r"^[a-z0-9-]+$"),
]
Prefer = Annotated[str | None, Header(alias="Prefer")]
Count = Annotated[int, Header(alias="X-Count")]


async def endpoint(
    request: Request,
    body: Item,
    note: Noted,
    caller: Caller,
    db: Db,
    count: Count,
    key: Key = None,
    prefer: Prefer = None,
) -> Response:
    TRACE.append("endpoint")
    answer = {
        "body": body.model_dump(),
        "note": note,
        "caller": caller,
        "db": db,
        "count": count,
        "key": key,
        "prefer": prefer,
    }
    return JSONResponse(answer, status_code=201)


async def included() -> None:
    TRACE.append("included")


async def every_detail(_request: Request, error: Exception) -> Response:
    """Each validation error whole (type, location, message, input, context) and the body."""
    assert isinstance(error, RequestValidationError)
    document = {"errors": error.errors(), "body": error.body}
    return Response(json.dumps(document, default=repr), status_code=422)


def traced_app(include_dependency: bool = False) -> FastAPI:
    """One endpoint served twice, by FastAPI (``/plain``) and by a lean route (``/lean``), with
    the real routes' kinds of parameters."""
    app = FastAPI()
    app.add_exception_handler(RequestValidationError, every_detail)
    for kind in ("plain", "lean"):
        router = APIRouter(prefix=f"/{kind}/{{negotiation_id}}")
        if kind == "plain":
            router.post("/act")(endpoint)
        else:
            lean_post(router, "/act")(endpoint)
        extra = [Depends(included)] if include_dependency else []
        app.include_router(router, dependencies=extra)
    return app


def answer(client: TestClient, kind: str, request: dict[str, Any]) -> Any:
    TRACE.clear()
    response = client.post(f"/{kind}/{request['id']}/act", **request["send"])
    return response.status_code, response.json(), list(TRACE)


printable = st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=24)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=16),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
items = st.fixed_dictionaries(
    {"kind": st.sampled_from(["proposal", "accept", "note", "other"])},
    optional={
        "terms": st.none()
        | st.dictionaries(st.text(max_size=6), st.text(max_size=6) | st.integers()),
        "text": st.text(max_size=16) | st.integers(),
        "confirm": st.booleans() | st.sampled_from(["yes", "true", 2]),
        "extra": json_values,
    },
)
bodies = st.one_of(
    st.none(),
    st.sampled_from([b"null", b"{}", b"[]", b'""', b"0"]),
    st.binary(max_size=40),
    items.map(lambda item: json.dumps(item).encode()),
    json_values.map(lambda value: json.dumps(value).encode()),
    items.map(lambda item: json.dumps(item).encode()[:-1]),
)
content_types = st.sampled_from(
    [
        None,
        "application/json",
        "application/json; charset=utf-8",
        "application/problem+json",
        "text/plain",
        "application/x-www-form-urlencoded",
    ]
)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    headers: dict[str, str] = {}
    for name, values in (
        ("Idempotency-Key", printable | st.sampled_from(["good-key-01", "short"])),
        ("Prefer", printable | st.just("return=minimal")),
        ("X-Count", printable | st.integers(-5, 5).map(str)),
        ("X-Note", printable | st.integers(-5, 5).map(str)),
        ("X-Deny", st.just("1")),
    ):
        if draw(st.booleans()):
            headers[name] = draw(values)
    content_type = draw(content_types)
    if content_type is not None:
        headers["Content-Type"] = content_type
    body = draw(bodies)
    send: dict[str, Any] = {"headers": headers}
    if body is not None:
        send["content"] = body
    identifier = draw(st.text(st.characters(min_codepoint=48, max_codepoint=122), min_size=1))
    return {"id": identifier, "send": send}


_client = TestClient(traced_app())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_a_lean_route_answers_any_request_as_fastapi_does(request: dict[str, Any]) -> None:
    plain = answer(_client, "plain", request)
    lean = answer(_client, "lean", request)
    assert lean == plain


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("headers", "content", "status", "ran"),
    [
        (
            {**JSON, "X-Count": "3", "X-Note": "1"},
            b'{"kind": "note"}',
            201,
            5,
        ),
        ({**JSON, "X-Count": "3", "X-Note": "1"}, b'{"kind": ', 422, 0),
        (
            {**JSON, "X-Count": "x", "X-Note": "1"},
            b'{"kind": "note"}',
            422,
            4,
        ),
        ({"X-Count": "3", "X-Note": "1"}, b'{"kind": "note"}', 422, 4),  # strict content type
        ({"X-Count": "3", "X-Note": "1", "X-Deny": "1"}, b"", 401, 4),  # access comes first
        ({"X-Count": "3", "X-Note": "x", "X-Deny": "1"}, b"", 401, 3),  # even after an error
    ],
)
def test_the_comparison_covers_each_kind_of_answer(
    headers: dict[str, str], content: bytes, status: int, ran: int
) -> None:
    """The property test above compares like with like; these pin what both answer, and how
    much of the route ran: nothing for a body that is not JSON; the dependencies whose own
    parameters are valid (the caller check among them) and the session's end for an invalid
    request; and the endpoint as well for a valid one."""
    request = {"id": "n1", "send": {"headers": headers, "content": content}}
    code, _, trace = answer(_client, "lean", request)
    assert (code, len(trace)) == (status, ran)
    assert answer(_client, "plain", request)[0] == status


def test_the_including_routers_dependencies_run_for_a_lean_route() -> None:
    app = traced_app(include_dependency=True)
    headers = {"X-Count": "1", "X-Note": "2"}
    request = {"id": "n1", "send": {"headers": headers, "content": b'{"kind":"note"}'}}
    request["send"]["headers"]["Content-Type"] = "application/json"
    client = TestClient(app)
    plain = answer(client, "plain", request)
    assert plain[2][0] == "included"
    assert answer(client, "lean", request) == plain


def blocking() -> str:
    return "sync"


async def with_query(q: int) -> Response:
    return Response()


async def with_blocking(value: Annotated[str, Depends(blocking)]) -> Response:
    return Response()


def test_a_parameter_the_plan_does_not_cover_is_refused_when_the_route_is_built() -> None:
    router = APIRouter()
    with pytest.raises(TypeError, match="/q: a lean route does not resolve query parameters"):
        lean_post(router, "/q")(with_query)
    with pytest.raises(TypeError, match="/b: a lean route's dependency 'value' must be async"):
        lean_post(router, "/b")(with_blocking)


def test_the_services_message_routes_are_lean_and_documented(app: FastAPI) -> None:
    """Sending and relaying messages are the lean routes; their OpenAPI entries still list
    their headers and bodies (the signature is still the one source)."""
    lean = {route.path for route in messages.router.routes if isinstance(route, LeanRoute)}
    assert set(lean) == {
        "/api/negotiations/{negotiation_id}/messages",
        "/api/negotiations/{negotiation_id}/relay",
    }
    paths = app.openapi()["paths"]
    for path, body in (("messages", "PartyMessageIn"), ("relay", "RelayIn")):
        operation = paths[f"/api/negotiations/{{negotiation_id}}/{path}"]["post"]
        names = {parameter["name"] for parameter in operation["parameters"]}
        assert {"negotiation_id", "Idempotency-Key", "Prefer"} <= names
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        assert schema["$ref"].endswith(f"/{body}")
