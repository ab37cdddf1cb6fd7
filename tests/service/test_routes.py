"""The service's routes: none shadows another, so their order changes no answer."""

from __future__ import annotations

import itertools
import re

from starlette.routing import Route

from backchannel.service.app import ROUTERS


def concrete(path: str) -> str:
    """An address the route answers: each path parameter filled in."""
    return re.sub(r"\{[^}]+\}", "x1", path)


def test_no_route_answers_another_routes_address_and_method() -> None:
    routes = [r for module in ROUTERS for r in module.router.routes if isinstance(r, Route)]
    assert len(routes) > 20
    for first, second in itertools.permutations(routes, 2):
        shared = (first.methods or set()) & (second.methods or set())
        if shared and second.path_regex.match(concrete(first.path)):
            raise AssertionError(f"{second.path} also answers {first.path} ({sorted(shared)})")


def test_the_busiest_routes_are_matched_first() -> None:
    first = ROUTERS[0].router.routes
    assert {r.path.rsplit("/", 1)[-1] for r in first} >= {"messages", "relay"}
