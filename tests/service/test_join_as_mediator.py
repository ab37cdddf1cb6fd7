"""A mediator who opens a party's link in the same browser keeps the desk: the link is not
used, the seat does not count as joined, and the page says what to do instead."""

from __future__ import annotations

import re

from .conftest import arm_csrf, client, join, ok


def test_a_party_link_in_the_mediator_s_browser_keeps_the_desk(app) -> None:
    mediator = client(app, operator=True)
    created = ok(mediator.post("/api/negotiations", data={"scenario": "iran-us-2025"}), 201)
    arm_csrf(mediator)
    token = created["invitations"]["us"].rsplit("/", 1)[1]
    page = mediator.get("/join/" + token, follow_redirects=False)
    assert page.status_code == 409
    assert "link for the party" in page.text and "private window" in page.text
    assert f'href="/n/{created["id"]}"' in page.text
    view = ok(mediator.get(f"/api/negotiations/{created['id']}"))  # still the mediator
    assert {s["party"]: s["joined"] for s in view["seats"]} == {"us": False, "iran": False}
    refused = mediator.post("/api/sessions", json={"token": token})
    assert refused.status_code == 409
    form = mediator.post("/join/" + token, data={"csrf": mediator.cookies["bc_csrf"]})
    assert form.status_code == 409 and "private window" in form.text
    assert refused.status_code == 409 and "private window" in refused.json()["fix"]
    # The party itself, in its own browser, joins as before.
    us = join(app, created["invitations"]["us"])
    assert ok(us.get(f"/api/negotiations/{created['id']}/room"))["party"]["id"] == "us"
    seats = ok(mediator.get(f"/api/negotiations/{created['id']}"))["seats"]
    assert {s["party"]: s["joined"] for s in seats}["us"] is True


def test_the_mediator_link_in_the_mediator_s_browser_still_opens_the_desk(app) -> None:
    mediator = client(app, operator=True)
    created = ok(mediator.post("/api/negotiations", data={"scenario": "iran-us-2025"}), 201)
    token = created["mediator_link"].rsplit("/", 1)[1]
    assert mediator.get("/join/" + token).status_code == 200  # the page with its button
    csrf = {"csrf": mediator.cookies["bc_csrf"]}
    opened = mediator.post("/join/" + token, data=csrf, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == f"/n/{created['id']}"


def test_pages_name_an_icon_that_exists(app) -> None:
    c = client(app)
    assert re.search(r'rel="icon" href="[^"]*/static/favicon.svg"', c.get("/").text)
    icon = c.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg")
