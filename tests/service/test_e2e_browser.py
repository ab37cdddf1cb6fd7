"""In a real browser (Debian's Chromium): the mediator opens a negotiation, parties join in
separate browser contexts, offers travel through the mediator, and each safety net and
accessibility promise of the pages holds. Every page fails its test on a console error or an
uncaught page error.

Screenshots are saved under ``artifacts/e2e/`` (and the test's own tmp folder).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from .browser import (
    ARGS,
    CHROMIUM,
    Watched,
    axe_violations,
    horizontal_overflow,
    in_same_browser,
    open_page,
    press_on,
)
from .server import Server

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
PLAN = {
    "enrichment": "3.67",
    "frozen_funds": "4",
    "proxy_truce": "6",
    "missiles": "range-cap",
    "allied_groups": "no-new-arms",
    "sanctions": "broad-relief",
    "inspections": "enhanced",
    "snapback": "npt-for-snapback",
}
HOSTILE = "<img src=x onerror=window.__pwned=1>"
HOSTILE_SCENARIO = f"""
name: hostile-labels
title: "Labels that look like markup <b>bold</b>"
issues:
  - id: venue
    name: "Venue {HOSTILE}"
    options: ["{HOSTILE}", "<script>window.__pwned=2</script>", "plain"]
  - id: share
    name: Share
    range: {{min: 0, max: 10, step: 1}}
parties:
  - id: a
    reservation: 0.1
    preferences:
      weights: {{venue: 0.5, share: 0.5}}
      values:
        venue: {{"{HOSTILE}": 1.0, "<script>window.__pwned=2</script>": 0.5, plain: 0.0}}
        share: [[0, 0.0], [10, 1.0]]
  - id: b
    reservation: 0.1
    preferences:
      weights: {{venue: 0.5, share: 0.5}}
      values:
        venue: {{"{HOSTILE}": 0.0, "<script>window.__pwned=2</script>": 0.5, plain: 1.0}}
        share: [[0, 1.0], [10, 0.0]]
negotiation:
  deadline_days: 10
  max_rounds: 50
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"the browser test needs Debian's Chromium at {CHROMIUM}: apt-get install chromium"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = Server(tmp_path_factory.mktemp("e2e") / "e2e.db")
    try:
        yield server.base
    finally:
        server.kill()


def shoot(page: Page, name: str, folder: Path) -> Path:
    """A full-page screenshot in the test's tmp folder, copied to artifacts/e2e for people."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, ARTIFACTS / path.name)
    return path


def create(browser: Browser, base: str, scenario: str = "iran-us-2025", upload: Path | None = None):
    """The mediator creates a negotiation; returns its page and every invitation link."""
    mediator = open_page(browser, base + "/")
    page = mediator.page
    if upload is not None:
        page.set_input_files("input[type=file]", str(upload))
    else:
        page.select_option("#scenario-select", scenario)
    page.get_by_role("button", name="Create negotiation").click()
    expect(page.locator("#created")).to_be_visible()
    links = {
        input_.get_attribute("data-party"): input_.input_value()
        for input_ in page.locator("#links input").all()
    }
    return mediator, links


def open_desk(mediator: Watched) -> Page:
    page = mediator.page
    page.get_by_role("link", name="Open the mediator's desk").click()
    expect(page.locator("[data-status]")).to_be_visible()
    return page


def pick(page: Page, terms: dict[str, str]) -> None:
    for issue, value in terms.items():
        page.select_option(f"#propose-form select[data-issue='{issue}']", value)


def cross_a_red_line(page: Page) -> None:
    """Choose, on the first issue that has one, an option marked as the party's red line."""
    for select in page.locator("#propose-form select[data-issue]").all():
        marked = select.locator("option", has_text="red line")
        if marked.count():
            select.select_option(marked.first.get_attribute("value"))
            return
    raise AssertionError("this party has no red line to cross")


def all_clean(*pages: Watched) -> None:
    for watched in pages:
        watched.assert_clean()


def test_a_mediated_negotiation_in_the_browser(browser: Browser, base: str, tmp_path) -> None:
    mediator, links = create(browser, base)
    copy = mediator.page.get_by_role("button", name="Copy Invitation for us")
    copy.click()
    expect(copy).to_have_text("Copied")
    expect(mediator.page.get_by_role("textbox", name="Invitation for us")).to_have_value(
        links["us"]
    )
    shoot(mediator.page, "0-invitations", tmp_path)
    desk = open_desk(mediator)
    expect(desk.locator("[data-status]")).to_have_text("setup")

    us, iran = open_page(browser, links["us"]), open_page(browser, links["iran"])
    expect(us.page.locator("h1")).to_contain_text("US-Iran")
    expect(us.page.get_by_text("You are")).to_contain_text("United States")
    expect(iran.page.get_by_text("You are")).to_contain_text("Iran")
    expect(us.page.get_by_role("button", name="Propose through the mediator")).to_be_disabled()
    us.page.fill("#weight-enrichment", "0.3")
    us.page.get_by_role("button", name="Save my preferences").click()
    expect(us.page.locator("#flash")).to_contain_text("Preferences saved")
    expect(desk.locator(".seat", has_text="United States")).to_contain_text("preferences confided")

    desk.get_by_role("button", name="Start the negotiation").click()
    expect(us.page.locator("[data-status]")).to_have_text("open")  # live, without reloading
    expect(us.page.get_by_role("button", name="Propose through the mediator")).to_be_enabled()

    # The US proposes the three-step plan; the mediator passes it on as it is.
    pick(us.page, PLAN)
    expect(us.page.locator("#utility-value")).not_to_have_text("–")
    us.page.fill("#propose-form textarea", "The three-step plan.")
    us.page.get_by_role("button", name="Propose through the mediator").click()
    message_from_us = desk.locator("li.message", has_text="The three-step plan.")
    message_from_us.get_by_role("button", name="Pass to iran as is").click()

    # Iran rejects (Accept and Reject go) and counters; the mediator rewords the message.
    expect(iran.page.get_by_text("The three-step plan.")).to_be_visible()
    iran.page.get_by_role("button", name="Reject").click()
    expect(iran.page.locator("li.message", has_text="You → mediator")).to_contain_text("rejection")
    expect(iran.page.get_by_role("button", name="Reject")).to_have_count(0)
    expect(iran.page.get_by_role("button", name="Accept")).to_have_count(0)
    iran.page.get_by_role("button", name="Counter from these terms").click()
    iran.page.select_option("#propose-form select[data-issue='frozen_funds']", "6")
    iran.page.fill("#propose-form textarea", "Not for a few billion dollars.")
    iran.page.get_by_role("button", name="Propose through the mediator").click()
    counter = desk.locator("li.message", has_text="Not for a few billion dollars.")
    counter.get_by_role("button", name="Edit, then pass to us").click()
    desk.fill("#relay-form textarea", "Iran can accept the plan with more funds released.")
    desk.get_by_role("button", name="Send to party").click()

    # The US sees only the mediator's wording, and accepts.
    expect(us.page.get_by_text("Iran can accept the plan")).to_be_visible()
    expect(us.page.get_by_text("Not for a few billion")).to_have_count(0)
    us.page.get_by_role("button", name="Accept").click()
    for page in (us.page, iran.page, desk):
        expect(page.locator("[data-status]")).to_have_text("agreed")
        expect(page.locator(".agreement")).to_contain_text("Frozen funds released")
    expect(us.page.locator("#preferences-form input").first).to_be_disabled()
    expect(us.page.get_by_role("button", name="Propose through the mediator")).to_be_disabled()
    desk.get_by_role("button", name="Consult the assistant").click()
    expect(desk.locator("#assistant-out")).to_contain_text("Nash")
    expect(desk.locator("#assistant-out")).to_contain_text("Uranium enrichment cap: 3.67 %")
    shoot(desk, "1-mediator", tmp_path)
    shoot(us.page, "2-room-us", tmp_path)
    shoot(iran.page, "3-room-iran", tmp_path)
    all_clean(mediator, us, iran)


def test_uploaded_labels_render_as_text_and_run_nothing(browser, base, tmp_path) -> None:
    upload = tmp_path / "hostile.yaml"
    upload.write_text(HOSTILE_SCENARIO, encoding="utf-8")
    mediator, links = create(browser, base, upload=upload)
    desk = open_desk(mediator)
    party = open_page(browser, links["a"])
    desk.get_by_role("button", name="Consult the assistant").click()
    expect(desk.locator("#assistant-out")).to_contain_text(f"Venue {HOSTILE}: ")
    expect(desk.locator("h1")).to_have_text("Labels that look like markup <b>bold</b>")
    expect(party.page.locator("#propose-form select[data-issue='venue']")).to_contain_text(HOSTILE)
    for page in (desk, party.page):
        assert page.evaluate("window.__pwned") is None
        assert page.locator("main img, main script, main b").count() == 0
    all_clean(mediator, party)


def test_upload_errors_name_the_line_and_the_fix(browser, base, tmp_path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(HOSTILE_SCENARIO.replace("weights:", "wieghts:", 1), encoding="utf-8")
    home = open_page(browser, base + "/", allowed_statuses=(422,))
    home.page.set_input_files("input[type=file]", str(broken))
    home.page.get_by_role("button", name="Create negotiation").click()
    flash = home.page.locator("#flash")
    expect(flash).to_contain_text("broken.yaml")
    expect(flash).to_contain_text("line ")
    expect(flash).to_contain_text("fix: ")
    expect(home.page.locator("#created")).to_be_hidden()
    home.assert_clean()


def test_a_new_link_survives_live_refreshes_and_close_asks_first(browser, base) -> None:
    mediator, links = create(browser, base)
    desk = open_desk(mediator)
    old_us = open_page(browser, links["us"], allowed_statuses=(401,))
    expect(old_us.page.get_by_text("You are")).to_be_visible()

    mediator.will_answer(True)
    desk.get_by_role("button", name=re.compile("^New link for United States")).click()
    assert "stops working" in mediator.dialogs[-1]
    new_link = desk.locator("#reissued input")
    expect(new_link).to_be_visible()
    link = new_link.input_value()
    # Iran joins: the desk redraws its live part; the new link stays on screen.
    iran = open_page(browser, links["iran"])
    expect(desk.locator(".seat", has_text="Iran")).to_contain_text("joined")
    expect(new_link).to_be_visible()
    assert new_link.input_value() == link
    # The old link's page says it was revoked; the new link opens the room.
    expect(old_us.page.locator("h1")).to_contain_text("revoked")
    new_us = open_page(browser, link)
    expect(new_us.page.get_by_text("You are")).to_contain_text("United States")

    mediator.will_answer(False)
    desk.get_by_role("button", name="Close the negotiation…").click()
    assert "cannot be reopened" in mediator.dialogs[-1]
    expect(desk.locator("[data-status]")).to_have_text("setup")  # dismissed: nothing happened
    mediator.will_answer(True)
    desk.get_by_role("button", name="Close the negotiation…").click()
    expect(desk.locator("[data-status]")).to_have_text("closed")
    expect(iran.page.locator("[data-status]")).to_have_text("closed")
    all_clean(mediator, iran, new_us, old_us)


def test_a_mediator_opening_a_party_link_keeps_the_desk(browser, base) -> None:
    mediator, links = create(browser, base)
    desk = open_desk(mediator)
    mediator.allowed_statuses.add(409)
    tab = in_same_browser(mediator, links["us"])
    expect(tab.page.locator("h1")).to_contain_text("link for the party")
    tab.page.get_by_role("link", name="Back to your desk").click()
    expect(tab.page.get_by_role("button", name="Start the negotiation")).to_be_visible()
    desk.reload()
    expect(desk.get_by_role("heading", name="Seats")).to_be_visible()
    all_clean(mediator, tab)


def test_a_double_click_sends_once(browser, base) -> None:
    mediator, links = create(browser, base)
    desk = open_desk(mediator)
    us, iran = open_page(browser, links["us"]), open_page(browser, links["iran"])
    desk.get_by_role("button", name="Start the negotiation").click()
    expect(us.page.locator("[data-status]")).to_have_text("open")
    pick(us.page, PLAN)
    us.page.fill("#propose-form textarea", "Only once, please.")
    us.page.get_by_role("button", name="Propose through the mediator").dblclick()
    sent = desk.locator("li.message", has_text="Only once, please.")
    expect(sent).to_have_count(1)
    # Focus stays on the button a live refresh redraws, and the change is announced.
    relay_button = sent.get_by_role("button", name="Pass to iran as is")
    relay_button.focus()
    button_id = relay_button.get_attribute("id")
    iran.page.fill("#propose-form textarea", "Iran is listening.")
    iran.page.get_by_role("button", name="Send message only").click()
    expect(desk.locator("li.message", has_text="Iran is listening.")).to_have_count(1)
    assert desk.evaluate("document.activeElement.id") == button_id
    expect(desk.locator("#announce")).to_have_text("One new message.")
    sent.get_by_role("button", name="Pass to iran as is").dblclick()
    expect(iran.page.locator("li.message", has_text="Only once, please.")).to_have_count(1)
    expect(desk.locator("li.message", has_text="Only once, please.")).to_have_count(2)
    us.page.wait_for_timeout(500)  # a second request, had one gone out, would have landed
    expect(desk.locator("li.message", has_text="Only once, please.")).to_have_count(2)
    expect(us.page.locator("li.message", has_text="Only once, please.")).to_have_count(1)
    all_clean(mediator, us, iran)


def test_crossing_a_red_line_asks_first_and_an_acceptance_can_be_answered(browser, base) -> None:
    mediator, links = create(browser, base)
    desk = open_desk(mediator)
    us = open_page(browser, links["us"], allowed_statuses=(409,))
    iran = open_page(browser, links["iran"], allowed_statuses=(409,))
    desk.get_by_role("button", name="Start the negotiation").click()
    expect(iran.page.locator("[data-status]")).to_have_text("open")

    # Iran composes a package that crosses one of its own red lines.
    cross_a_red_line(iran.page)
    expect(iran.page.locator("#utility-note")).to_contain_text("red line")
    iran.page.fill("#propose-form textarea", "Crossing on purpose.")
    iran.will_answer(False)
    iran.page.get_by_role("button", name="Propose through the mediator").click()
    expect(iran.page.locator("#flash")).to_contain_text("Not sent")
    assert "red lines" in iran.dialogs[-1] and "anyway" in iran.dialogs[-1]
    expect(desk.locator("li.message", has_text="Crossing on purpose.")).to_have_count(0)
    iran.will_answer(True)
    iran.page.get_by_role("button", name="Propose through the mediator").click()
    proposal = desk.locator("li.message", has_text="Crossing on purpose.")
    expect(proposal).to_have_count(1)

    # The mediator tells the US that Iran accepts these terms: the US answers in one click.
    proposal.get_by_role("button", name="Edit, then pass to us").click()
    desk.select_option("#relay-form select[name=kind]", "accept")
    desk.fill("#relay-form textarea", "Iran would accept exactly this.")
    desk.get_by_role("button", name="Send to party").click()
    relayed = us.page.locator("li.message", has_text="Iran would accept exactly this.")
    expect(relayed).to_contain_text("acceptance")
    expect(relayed.get_by_role("button", name="Counter from these terms")).to_be_visible()
    us.will_answer(True)
    relayed.get_by_role("button", name="Accept these terms").click()
    for page in (us.page, iran.page, desk):
        expect(page.locator("[data-status]")).to_have_text("agreed")
    all_clean(mediator, us, iran)


def test_the_pages_work_at_390_px(browser, base, tmp_path) -> None:
    mediator, links = create(browser, base)
    desk = open_desk(mediator)
    desk.set_viewport_size({"width": 390, "height": 844})
    us = open_page(browser, links["us"], width=390, height=844)
    desk.get_by_role("button", name="Start the negotiation").click()
    expect(us.page.locator("[data-status]")).to_have_text("open")
    pick(us.page, PLAN)
    us.page.fill("#propose-form textarea", "From a phone.")
    us.page.get_by_role("button", name="Propose through the mediator").click()
    expect(desk.locator("li.message", has_text="From a phone.")).to_be_visible()
    desk.get_by_role("button", name="Consult the assistant").click()
    expect(desk.locator("#assistant-out")).to_contain_text("Nash")
    home = open_page(browser, base + "/", width=390, height=844)
    for name, page in (("390-home", home.page), ("390-desk", desk), ("390-room", us.page)):
        assert horizontal_overflow(page) == 0, name
        shoot(page, name, tmp_path)
    all_clean(mediator, us, home)


def test_no_serious_accessibility_violation(browser, base) -> None:
    home = open_page(browser, base + "/", bypass_csp=True)
    assert axe_violations(home.page) == []
    mediator, links = create(browser, base)
    mediator.page.context.close()
    desk_watch = open_page(browser, links["mediator"], bypass_csp=True)
    room = open_page(browser, links["us"], bypass_csp=True)
    desk = desk_watch.page
    desk.get_by_role("button", name="Start the negotiation").click()
    expect(room.page.locator("[data-status]")).to_have_text("open")
    pick(room.page, PLAN)
    room.page.get_by_role("button", name="Propose through the mediator").click()
    expect(desk.locator("li.message")).to_have_count(1)
    desk.get_by_role("button", name="Consult the assistant").click()
    expect(desk.locator("#assistant-out")).to_contain_text("Nash")
    assert axe_violations(desk) == []
    assert axe_violations(room.page) == []
    all_clean(home, desk_watch, room)


def test_a_whole_negotiation_by_keyboard_only(browser, base) -> None:
    """Tab, Enter and Space only: create, start, consult, send, accept, relay, agree."""
    mediator = open_page(browser, base + "/")
    page = mediator.page
    press_on(page, "#create-form button[type=submit]")
    expect(page.locator("#created")).to_be_visible()
    links = {
        i.get_attribute("data-party"): i.input_value() for i in page.locator("#links input").all()
    }
    press_on(page, "#desk-link")
    us, iran = open_page(browser, links["us"]), open_page(browser, links["iran"])
    press_on(page, "button[data-action=start]", key="Space")
    expect(us.page.locator("[data-status]")).to_have_text("open")

    press_on(page, "button[data-action=assistant]")
    expect(page.locator("#assistant-out")).to_contain_text("Nash")
    press_on(page, "button[aria-label='Use the Nash package']")
    press_on(page, "#relay-form button[type=submit]")
    expect(us.page.locator("li.message", has_text="From the mediator")).to_have_count(1)

    press_on(us.page, "button[data-action=accept]")
    expect(page.locator("li.message", has_text="us → mediator")).to_contain_text("accept")
    press_on(page, "button[data-action=relay][data-to=iran]", key="Space")
    press_on(iran.page, "button[data-action=accept]")
    for each in (page, us.page, iran.page):
        expect(each.locator("[data-status]")).to_have_text("agreed")
    assert not (mediator.dialogs or us.dialogs or iran.dialogs)  # Nash is within both limits
    all_clean(mediator, us, iran)
