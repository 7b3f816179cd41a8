"""The care programme in real headless Chromium, at phone size (390x844) and on a desktop:
register, assess, see the plan, do a session in the player, check in on 14 simulated days (the
server's clock comes from a file the test moves on), see the plan progress and the flare-up plan
appear. Screenshots go to test-artifacts/screenshots/care-*.png; no page overflows at 360 px."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from . import test_journey
from .conftest import Server, register, start_server, stop_server

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PAGES = ("/", "/plan", "/exercises", "/exercises/bird_dog", "/lessons", "/plan/settings")


# The wizard filled as in the first-visit journey, but with numbers at a quarter of their range
# (an adult under 50 with recent pain): no warning sign fires, so the urgency is self-care and the
# exercise programme opens.
_FILL_SELF_CARE = test_journey._FILL.replace("(hi - lo) / 3", "(hi - lo) / 4")


def finish_assessment(page) -> None:
    page.goto("/assess")
    for _ in range(40):
        if re.search(r"/assessments/\d+$", page.url):
            return
        assert page.evaluate(_FILL_SELF_CARE) == "filled", page.content()[:2000]
        with page.expect_navigation():
            page.click("form.wizard button[type=submit]")
    raise AssertionError(f"the wizard did not finish; at {page.url}")


class FileClock:
    """The server reads "now" from this file (``BACKCARE_CLOCK_FILE``) on every request."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.base = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
        self.set_day(0)

    def set_day(self, n: int) -> None:
        self.path.write_text((self.base + timedelta(days=n)).isoformat(), encoding="utf-8")


@pytest.fixture(scope="module")
def care_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, FileClock]]:
    base = tmp_path_factory.mktemp("care-server")
    clock = FileClock(base / "clock.txt")
    previous = os.environ.get("BACKCARE_CLOCK_FILE")
    os.environ["BACKCARE_CLOCK_FILE"] = str(clock.path)
    try:
        server = start_server(base / "data", base / "server.log")
    finally:
        if previous is None:
            os.environ.pop("BACKCARE_CLOCK_FILE", None)
        else:
            os.environ["BACKCARE_CLOCK_FILE"] = previous
    try:
        yield server, clock
    finally:
        stop_server(server)


def new_page(browser, server: Server, viewport: dict[str, int]):
    context = browser.new_context(base_url=server.url, viewport=viewport)
    context.set_default_timeout(30_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, tab, errors


def tap(page, name: str, value: str) -> None:
    """Tap an answer button (the label around a visually hidden radio input)."""
    page.locator("label", has=page.locator(f"input[name={name}][value='{value}']")).first.click()


def assert_no_overflow(page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (where, width)


def run_session(page, shot=None, name: str = "") -> None:
    page.goto("/plan")
    with page.expect_navigation():
        page.locator("a.button", has_text="Start this session").first.click()
    assert "/plan/session/" in page.url
    steps = page.locator("#player .step").count()
    for i in range(steps - 1):
        current = page.locator("#player .step.current")
        if i == 0:
            counter = current.locator("button.rep, button.timer")
            if counter.count():
                counter.first.click()
            if shot:
                shot(page, f"{name}-player")
        current.locator("button.next").click()
    tap(page, "pain_during", "3")
    if shot:
        shot(page, f"{name}-player-end")
    with page.expect_navigation():
        page.click("#player button[type=submit]")
    assert "logged=1" in page.url
    assert "Session saved" in page.inner_text("main")


def check_in(page, pain: int) -> None:
    page.goto("/")
    if page.locator("form.checkin").count() == 0:
        page.goto("/?edit=1")
    tap(page, "pain", str(pain))
    tap(page, "limits", "1")
    tap(page, "sleep", "ok")
    tap(page, "did_plan", "yes")
    tap(page, "warning", "no")
    with page.expect_navigation():
        page.click("form.checkin button[type=submit]")
    assert "checked=1" in page.url, page.inner_text("main")[:1500]


def level(page) -> int:
    page.goto("/plan")
    found = re.search(r"Level (\d) of 3", page.inner_text("main"))
    assert found, page.inner_text("main")[:2000]
    return int(found.group(1))


def test_phone_journey_plan_session_fourteen_days_progress_and_flare(
    browser, care_server, shot
) -> None:
    server, clock = care_server
    clock.set_day(0)
    context, page, errors = new_page(browser, server, PHONE)
    try:
        register(page)
        finish_assessment(page)
        page.goto("/plan")
        shot(page, "care-phone-plan")
        main = page.inner_text("main")
        assert page.locator("ol.actions > li").count() in range(3, 6), main[:2000]
        assert "Why this plan" in main
        start = level(page)

        run_session(page, shot, "care-phone")
        pains = [4] * 13 + [8]
        session_days = {0, 2, 4, 7}
        seen_progress = False
        for n, pain in enumerate(pains):
            clock.set_day(n)
            if n in session_days and n:
                run_session(page)
            check_in(page, pain)
            if n == 0:
                shot(page, "care-phone-home-checked-in")
            page.goto("/plan")
            if "move up a step" in page.inner_text("main"):
                if not seen_progress:
                    shot(page, "care-phone-plan-progress")
                seen_progress = True
        assert seen_progress
        page.goto("/plan")
        final = page.inner_text("main")
        shot(page, "care-phone-plan-flare")
        assert "Your flare-up plan" in final
        assert "Level 1 of 3" in final
        assert start <= 3
        page.goto("/")
        shot(page, "care-phone-home-14-days")
        assert "14 days in a row" in page.inner_text("main")
        assert page.locator("svg.trend rect.bar").count() == 14

        page.set_viewport_size({"width": 360, "height": 800})
        for url in (*PAGES, "/lessons/hurt_is_not_harm"):
            page.goto(url)
            assert_no_overflow(page, url)
        page.goto("/plan")
        with page.expect_navigation():
            page.locator("a.button", has_text="Start this session").first.click()
        assert_no_overflow(page, page.url)
    finally:
        context.close()
    assert not errors, errors


def test_desktop_plan_player_and_pages(browser, care_server, shot) -> None:
    server, clock = care_server
    clock.set_day(0)
    context, page, errors = new_page(browser, server, DESKTOP)
    try:
        register(page)
        finish_assessment(page)
        page.goto("/plan")
        shot(page, "care-desktop-plan")
        run_session(page, shot, "care-desktop")
        check_in(page, 3)
        shot(page, "care-desktop-home")
        page.goto("/exercises")
        assert page.locator("ul.library li").count() >= 24
        shot(page, "care-desktop-exercises")
        page.goto("/exercises/bird_dog")
        shot(page, "care-desktop-exercise")
        page.goto("/lessons")
        with page.expect_navigation():
            page.locator("a", has_text="Next:").or_(page.locator("p.lead a")).first.click()
        shot(page, "care-desktop-lesson")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert "/lessons/" in page.url
    finally:
        context.close()
    assert not errors, errors
