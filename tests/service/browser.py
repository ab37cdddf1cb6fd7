"""Helpers for the browser tests: Debian's Chromium through Playwright, pages that fail the test
on any console error or uncaught page error, dialogs that are recorded, keyboard-only moves and
an axe-core accessibility check."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import axe_playwright_python
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, expect

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
TIMEOUT = 20_000
# A loaded machine (uploads are checked in a child process) may take more than the default 5 s.
expect.set_options(timeout=TIMEOUT)
AXE_SOURCE = Path(axe_playwright_python.__file__).with_name("axe.min.js")
FAILED_LOAD = re.compile(r"status of (\d{3})")


@dataclass
class Watched:
    """A page and everything it reported: console errors, page errors, dialogs."""

    page: Page
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    allowed_statuses: set[int] = field(default_factory=set)
    answer_dialogs: list[bool] = field(default_factory=list)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        status = FAILED_LOAD.search(message.text)
        if status and int(status.group(1)) in self.allowed_statuses:
            return  # a refusal the test provokes on purpose (the page shows it to the person)
        self.errors.append(f"console: {message.text} at {message.location.get('url')}")

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        accept = self.answer_dialogs.pop(0) if self.answer_dialogs else False
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    def will_answer(self, *answers: bool) -> None:
        """The answers (accept = True) to give the next dialogs, in order."""
        self.answer_dialogs.extend(answers)

    def assert_clean(self) -> None:
        assert not self.errors, "\n".join(self.errors)


def open_page(
    browser: Browser,
    url: str,
    width: int = 1280,
    height: int = 900,
    allowed_statuses: tuple[int, ...] = (),
    bypass_csp: bool = False,
) -> Watched:
    """A page in a browser context of its own (its own cookies: another person)."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, bypass_csp=bypass_csp
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    watched = Watched(page, allowed_statuses=set(allowed_statuses))
    page.on("console", watched._console)
    page.on("pageerror", lambda error: watched.errors.append(f"page error: {error}"))
    page.on("dialog", watched._dialog)
    page.goto(url)
    enter(page)
    sign_in_as_operator(page)
    return watched


def sign_in_as_operator(page: Page) -> None:
    """The start page asks a browser for the operator token once (the test server's token)."""
    from .server import OPERATOR

    field = page.locator("#operator-token")
    if field.count():
        field.fill(OPERATOR)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("#create-form")


def enter(page: Page) -> None:
    """Pass an invitation page, where there is one (a link signs in only through its button)."""
    button = page.get_by_role("button", name="Enter the negotiation")
    if "/join/" in page.url and button.count():
        button.click()
        page.wait_for_url("**/n/**")


def in_same_browser(watched: Watched, url: str) -> Watched:
    """Another tab of the same browser (same cookies)."""
    page = watched.page.context.new_page()
    page.set_default_timeout(TIMEOUT)
    other = Watched(page, allowed_statuses=watched.allowed_statuses)
    page.on("console", other._console)
    page.on("pageerror", lambda error: other.errors.append(f"page error: {error}"))
    page.on("dialog", other._dialog)
    page.goto(url)
    return other


def press_on(page: Page, selector: str, key: str = "Enter", limit: int = 250) -> None:
    """Move the focus with Tab only until it is on ``selector``, then press ``key``."""
    for _ in range(limit):
        if page.evaluate(
            "s => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            page.keyboard.press(key)
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def axe_violations(page: Page) -> list[dict]:
    """Serious and critical axe-core violations on the page as it is now.

    Needs a context opened with ``bypass_csp``: the page's own policy rightly refuses the
    injected script.
    """
    page.add_script_tag(content=AXE_SOURCE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, { resultTypes: ["violations"] });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
            }));
        }"""
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def horizontal_overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0: nothing cut off or scrolled)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))
