"""A route whose parameters are resolved from a plan made once, for the hottest write routes.

FastAPI's dependency solver works out again on every request what kind each parameter is,
which dependency is a generator, which is a security scheme: about a fifth of the event loop's
time in a write (sending and relaying messages), measured with py-spy. A ``LeanRoute`` is
declared like any other route, so its signature stays the one source of the OpenAPI document,
and it resolves that same signature from a plan made when the route is built: the same values,
in the same order (dependencies first, then the path, the headers and the body), with the same
validation errors. A parameter kind the plan does not cover is refused when the route is built,
never guessed at.
"""

from __future__ import annotations

import email.message
import inspect
import json
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

import fastapi.routing
from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import ValidationError

Endpoint = Callable[..., Awaitable[Response]]
Values = dict[str, Any]
_MISSING = object()
"""No such header or path parameter, or no body (a JSON ``null`` is a body)."""
_FUNCTION_STACK, _REQUEST_STACK = "fastapi_function_astack", "fastapi_inner_astack"
"""Where FastAPI keeps the exits of generator dependencies: run before the answer is sent
(``scope="function"``), or after it."""


@dataclass(frozen=True)
class _Field:
    """One path or header parameter, or the body: where to find it and how to check it."""

    name: str
    where: str  # "path", "header" or "body"
    key: str  # the path parameter's or the header's name
    field: Any  # FastAPI's ModelField: its ``validate`` gives FastAPI's own errors
    location: tuple[str, ...]  # where an error is said to be: ("header", key), ("body",)

    def value(self, found: Any, values: Values) -> tuple[Any, list[Any]]:
        if found is _MISSING:
            if self.field.field_info.is_required():
                return None, [_missing(self.location)]
            return deepcopy(self.field.default), []
        return self.field.validate(found, values, loc=self.location)


@dataclass(frozen=True)
class _Dependency:
    """A dependency of a plan: its own plan, and how to call it."""

    name: str | None  # None for a dependency that only runs (the including router's)
    call: Callable[..., Any]
    plan: _Plan
    generator: bool
    exit_stack: str  # where a generator's exit waits: before the answer is sent, or after


@dataclass(frozen=True)
class _Plan:
    dependencies: tuple[_Dependency, ...]
    fields: tuple[_Field, ...]
    request_name: str | None

    async def solve(
        self, request: Request, body: Any, cache: dict[Any, Any]
    ) -> tuple[Values, list[Any]]:
        """The parameter values and the validation errors, as FastAPI's solver gives them: a
        dependency runs unless its own parameters are invalid, even if an earlier one's were,
        and runs once per request (its parameters are checked again where it is used again)."""
        values: Values = {}
        errors: list[Any] = []
        for dependency in self.dependencies:
            arguments, problems = await dependency.plan.solve(request, body, cache)
            if problems:
                errors.extend(problems)
                continue
            if dependency.call in cache:
                solved = cache[dependency.call]
            elif dependency.generator:
                stack: AsyncExitStack = request.scope[dependency.exit_stack]
                opened = asynccontextmanager(dependency.call)(**arguments)
                solved = cache[dependency.call] = await stack.enter_async_context(opened)
            else:
                solved = cache[dependency.call] = await dependency.call(**arguments)
            if dependency.name is not None:
                values[dependency.name] = solved
        for field in self.fields:
            if field.where == "path":
                found = request.path_params.get(field.key, _MISSING)
            elif field.where == "header":
                found = request.headers.get(field.key, _MISSING)
            else:
                found = body
            value, problems = field.value(found, values)
            if problems:
                errors.extend(problems)
            else:
                values[field.name] = value
        if self.request_name is not None:
            values[self.request_name] = request
        return values, errors


class LeanRoute(APIRoute):
    """An API route resolved from its plan (see the module): for coroutine endpoints that
    return their own ``Response``, with path, header and JSON body parameters and coroutine
    or async generator dependencies."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        route = _effective(self)
        plan = _plan(route.dependant, route.path)
        endpoint = route.dependant.call
        if not inspect.iscoroutinefunction(endpoint):
            raise TypeError(f"{route.path}: a lean route's endpoint must be a coroutine")
        has_body = route.body_field is not None
        strict = route.strict_content_type
        strict = strict.value if isinstance(strict, DefaultPlaceholder) else bool(strict)

        async def handle(request: Request) -> Response:
            body = await _json_body(request, strict) if has_body else _MISSING
            values, errors = await plan.solve(request, body, {})
            if errors:
                raise RequestValidationError(errors, body=None if body is _MISSING else body)
            response = await endpoint(**values)
            if not isinstance(response, Response):
                raise TypeError(f"{route.path}: a lean route's endpoint must return a Response")
            return response

        return handle


def lean_post(router: APIRouter, path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
    """``router.post`` for a ``LeanRoute``."""

    def register(endpoint: Endpoint) -> Endpoint:
        router.add_api_route(
            path, endpoint, methods=["POST"], route_class_override=LeanRoute, **options
        )
        return endpoint

    return register


def _plan(dependant: Dependant, path: str) -> _Plan:
    unplanned = [
        kind
        for kind, present in (
            ("query parameters", dependant.query_params),
            ("cookie parameters", dependant.cookie_params),
            ("a websocket", dependant.websocket_param_name),
            ("a connection", dependant.http_connection_param_name),
            ("a response", dependant.response_param_name),
            ("background tasks", dependant.background_tasks_param_name),
            ("security scopes", dependant.security_scopes_param_name),
            ("more than one body parameter", len(dependant.body_params) > 1),
        )
        if present
    ]
    if unplanned:
        raise TypeError(f"{path}: a lean route does not resolve {', '.join(unplanned)}")
    fields = [_Field(f.name, "path", f.alias, f, ("path", f.alias)) for f in dependant.path_params]
    for header in dependant.header_params:
        name = header.field_info.alias
        if name is None:
            raise TypeError(f"{path}: give the header parameter '{header.name}' an alias")
        fields.append(_Field(header.name, "header", name, header, ("header", name)))
    fields += [_Field(f.name, "body", "", f, ("body",)) for f in dependant.body_params]
    dependencies = []
    for sub in dependant.dependencies:
        call = sub.call
        generator = inspect.isasyncgenfunction(call)
        if call is None or not (generator or inspect.iscoroutinefunction(call)):
            raise TypeError(f"{path}: a lean route's dependency '{sub.name}' must be async")
        if not sub.use_cache or getattr(sub, "concurrency", None) is not None:
            raise TypeError(f"{path}: a lean route caches each dependency, without a limit")
        exit_stack = _FUNCTION_STACK if sub.scope == "function" else _REQUEST_STACK
        dependencies.append(_Dependency(sub.name, call, _plan(sub, path), generator, exit_stack))
    return _Plan(tuple(dependencies), tuple(fields), dependant.request_param_name)


def _effective(route: LeanRoute) -> Any:
    """The route as included in the application (with the including routers' prefixes and
    dependencies), which FastAPI builds the handler of while its include context is set; the
    route itself when it was not included, or with a FastAPI that copies included routes."""
    context = getattr(fastapi.routing, "_effective_route_context_var", None)
    found = context.get() if context is not None else None
    return found if found is not None and found.original_route is route else route


async def _json_body(request: Request, strict: bool) -> Any:
    """The body as FastAPI reads it: parsed if it is JSON (or has no content type and the
    route is not strict about it), the raw bytes otherwise (the model then refuses them),
    nothing if empty; a body that cannot be read or decoded is answered 400, as FastAPI
    answers it."""
    try:
        return _parsed(await request.body(), request.headers.get("content-type"), strict)
    except json.JSONDecodeError as error:
        problem = {
            "type": "json_invalid",
            "loc": ("body", error.pos),
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": error.msg},
        }
        raise RequestValidationError([problem], body=error.doc) from error
    except HTTPException:
        raise
    except Exception as error:
        raise HTTPException(400, "There was an error parsing the body") from error


def _parsed(raw: bytes, content_type: str | None, strict: bool) -> Any:
    if not raw:
        return _MISSING
    if content_type == "application/json":  # what every client sends: no header parsing
        return json.loads(raw)
    if not content_type and strict:
        return raw
    if content_type:
        message = email.message.Message()
        message["content-type"] = content_type
        subtype = message.get_content_subtype()
        if message.get_content_maintype() != "application" or not (
            subtype == "json" or subtype.endswith("+json")
        ):
            return raw
    return json.loads(raw)


def _missing(location: tuple[Any, ...]) -> dict[str, Any]:
    error = ValidationError.from_exception_data(
        "Field required", [{"type": "missing", "loc": location, "input": {}}]
    ).errors(include_url=False)[0]
    error["input"] = None
    return dict(error)
