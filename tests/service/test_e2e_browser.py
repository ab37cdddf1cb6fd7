"""In a real browser: the mediator opens the flagship negotiation, two parties join in separate
browser contexts, offers travel through the mediator, and the parties reach an agreement.

Screenshots of each room are saved under ``artifacts/e2e/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from .server import OPERATOR, Server

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
TIMEOUT = 20_000


@pytest.fixture(scope="module")
def browser() -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"the browser test needs Debian's Chromium at {CHROMIUM}: apt-get install chromium"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()


def open_page(browser: Browser, url: str) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    return page


def sign_in_as_operator(page: Page) -> None:
    """The start page asks for the operator token once per browser."""
    page.fill("#operator-token", OPERATOR)
    page.get_by_role("button", name="Sign in").click()


def open_invitation(browser: Browser, link: str) -> Page:
    """An invitation link shows a page; its button signs the browser in."""
    page = open_page(browser, link)
    page.get_by_role("button", name="Enter the negotiation").click()
    return page


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_mediated_negotiation_in_the_browser(browser: Browser, tmp_path: Path) -> None:
    server = Server(tmp_path / "e2e.db")
    try:
        run_negotiation(browser, server.base)
    finally:
        server.kill()


def run_negotiation(browser: Browser, base: str) -> None:
    mediator = open_page(browser, base + "/")
    sign_in_as_operator(mediator)
    mediator.select_option("#scenario-select", "iran-us")
    mediator.get_by_role("button", name="Create negotiation").click()
    links = {
        who: mediator.locator(f"input[data-party='{who}']").input_value()
        for who in ("mediator", "us", "iran")
    }
    shoot(mediator, "0-invitations")
    mediator.get_by_role("link", name="Open the mediator's desk").click()
    expect(mediator.locator("[data-status]")).to_have_text("setup")

    us, iran = open_invitation(browser, links["us"]), open_invitation(browser, links["iran"])
    expect(us.locator("h1")).to_contain_text("US-Iran")
    expect(us.get_by_text("You are")).to_contain_text("United States")
    expect(iran.get_by_text("You are")).to_contain_text("Iran")

    mediator.get_by_role("button", name="Start the negotiation").click()
    expect(us.locator("[data-status]")).to_have_text("open")  # live, without reloading

    # The US proposes the three-step plan; the mediator passes it on as it is.
    plan = {
        "enrichment": "3.67",
        "frozen_funds": "4",
        "proxy_truce": "6",
        "missiles": "range-cap",
        "allied_groups": "no-new-arms",
        "sanctions": "broad-relief",
        "inspections": "enhanced",
        "snapback": "npt-for-snapback",
    }
    for issue, value in plan.items():
        us.select_option(f"#propose-form select[data-issue='{issue}']", value)
    expect(us.locator("#utility-value")).not_to_have_text("–")
    us.fill("#propose-form textarea", "The three-step plan.")
    us.get_by_role("button", name="Propose through the mediator").click()
    message_from_us = mediator.locator("li.message", has_text="The three-step plan.")
    message_from_us.get_by_role("button", name="Pass to iran as is").click()

    # Iran rejects and counters with more frozen funds; the mediator rewords the message.
    expect(iran.get_by_text("The three-step plan.")).to_be_visible()
    iran.get_by_role("button", name="Reject").click()
    expect(iran.locator("li.message", has_text="You → mediator")).to_contain_text("reject")
    iran.get_by_role("button", name="Counter from these terms").click()
    iran.select_option("#propose-form select[data-issue='frozen_funds']", "6")
    iran.fill("#propose-form textarea", "Not for a few billion dollars.")
    iran.get_by_role("button", name="Propose through the mediator").click()
    counter = mediator.locator("li.message", has_text="Not for a few billion dollars.")
    counter.get_by_role("button", name="Edit, then pass to us").click()
    mediator.fill("#relay-form textarea", "Iran can accept the plan with more funds released.")
    mediator.get_by_role("button", name="Send to party").click()

    # The US sees only the mediator's wording, and accepts.
    expect(us.get_by_text("Iran can accept the plan")).to_be_visible()
    expect(us.get_by_text("Not for a few billion")).to_have_count(0)
    us.get_by_role("button", name="Accept").click()
    for page in (us, iran, mediator):
        expect(page.locator("[data-status]")).to_have_text("agreed")
        expect(page.locator(".agreement")).to_contain_text("Frozen funds released")
    expect(us.locator("#preferences-form input").first).to_be_disabled()
    mediator.get_by_role("button", name="Consult the assistant").click()
    expect(mediator.locator("#assistant-out")).to_contain_text("Nash")
    shoot(mediator, "1-mediator")
    shoot(us, "2-room-us")
    shoot(iran, "3-room-iran")
