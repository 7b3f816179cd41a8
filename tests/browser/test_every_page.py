"""Every page with the demo data, at a phone's and a laptop's size, in headless Chromium: nothing
wider than the screen, no code or missing number shown to the reader, and result pages leading
with their one-sentence headline.

The demo data (``backcare.web.demo``: an assessment, two weeks of diary, a posture session, a
queued wearable analysis and a clinician the person shares with) is seeded into the test
server's database; its worker runs the analysis. Screenshots: ``pages-<page>-<width>.png``.
"""

from __future__ import annotations

import os
import re
import time

import pytest

from .conftest import Server

pytestmark = pytest.mark.browser

VIEWPORTS = ({"width": 390, "height": 844}, {"width": 1366, "height": 900})

#: A code (snake_case), or a missing number, in the visible text.
RAW = re.compile(r"\b[a-z]+_[a-z0-9_]+\b|\bNaN\b|\bnan\b|\bNone\b(?! of)|\bnull\b|\bundefined\b")

#: What the page shows the reader: the visible text of <main> and the header.
_VISIBLE = "() => document.body.innerText"
_WIDTHS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


@pytest.fixture(scope="module")
def demo(server: Server) -> dict[str, str]:
    """Seed the demo accounts into the running server's database."""
    from backcare.store.db import open_database
    from backcare.web.app import route_modules
    from backcare.web.demo import DEMO_CLINICIAN_EMAIL, DEMO_EMAIL, DEMO_PASSWORD, seed_demo
    from backcare.web.settings import WebSettings

    route_modules()  # the pages register their demo seeders when imported
    saved = os.environ.get("BACKCARE_DATA_DIR")
    os.environ["BACKCARE_DATA_DIR"] = str(server.data_dir)
    try:
        settings = WebSettings.from_env()
        db = open_database(settings.database_url)
        try:
            account = seed_demo(db, settings)
        finally:
            db.dispose()
    finally:
        if saved is None:
            os.environ.pop("BACKCARE_DATA_DIR", None)
        else:
            os.environ["BACKCARE_DATA_DIR"] = saved
    assert not account.notes, account.notes
    return {"person": DEMO_EMAIL, "clinician": DEMO_CLINICIAN_EMAIL, "password": DEMO_PASSWORD}


def _login(tab, email: str, password: str) -> None:
    tab.goto("/login")
    tab.fill("#email", email)
    tab.fill("#password", password)
    with tab.expect_navigation():
        tab.click("main button[type=submit]")
    assert "/login" not in tab.url, tab.inner_text("main")[:500]


def _first_link(tab, path: str, pattern: str) -> str:
    tab.goto(path)
    href = tab.evaluate(
        "(re) => { const a = [...document.querySelectorAll('main a')]"
        ".find((x) => new RegExp(re).test(x.getAttribute('href') || ''));"
        " return a ? a.getAttribute('href') : null; }",
        pattern,
    )
    assert href, f"no link matching {pattern} on {path}"
    return str(href)


def _finished_result(tab, timeout_s: float = 180.0) -> str:
    """The demo analysis' result page, once the server's worker has run it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        tab.goto("/uploads")
        link = tab.locator("main a[href^='/results/']")
        if link.count():
            return str(link.first.get_attribute("href"))
        failed = tab.locator(".status-failed")
        assert failed.count() == 0, tab.inner_text("main")
        time.sleep(2.0)
    raise AssertionError("the demo analysis did not finish in time")


def _check(tab, path: str, shot, *, headline: bool, name: str, status: int = 200) -> list[str]:
    """Load ``path`` at each viewport; returns what is wrong with it (nothing: fine)."""
    problems = []
    for viewport in VIEWPORTS:
        tab.set_viewport_size(viewport)
        response = tab.goto(path)
        assert response is not None
        if response.status != status:
            problems.append(f"{path}: status {response.status}")
            continue
        tab.wait_for_load_state("load")
        scroll, client = tab.evaluate(_WIDTHS)
        width = viewport["width"]
        shot(tab, f"pages-{name}-{width}")
        if scroll > client:
            problems.append(f"{path} at {width} px: content {scroll} px wide, screen {client}")
        raw = RAW.findall(tab.evaluate(_VISIBLE))
        if raw:
            problems.append(f"{path} at {width} px shows codes or missing numbers: {raw[:8]}")
        if headline and tab.locator(".headline").count() < 1:
            problems.append(f"{path}: no headline")
    return problems


PERSON_PAGES = (
    ("/", False),
    ("/plan", False),
    ("/plan/settings", False),
    ("/assess", False),
    ("/assessments", False),
    ("/diary", False),
    ("/progress", False),
    ("/progress?range=2w", False),
    ("/progress?range=all", False),
    ("/schedule", False),
    ("/uploads", False),
    ("/coach", False),
    ("/exercises", False),
    ("/lessons", False),
    ("/facts", False),
    ("/profile", False),
    ("/sharing", False),
    ("/account", False),
    ("/export", True),
)


def _name(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


def test_every_person_page_fits_and_speaks_words(browser, server: Server, demo, shot):
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(30_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        _login(tab, demo["person"], demo["password"])
        pages = list(PERSON_PAGES)
        pages.append((_first_link(tab, "/assessments", r"^/assessments/\d+$"), True))
        pages.append((_first_link(tab, "/exercises", r"^/exercises/[^/]+$"), False))
        pages.append((_first_link(tab, "/lessons", r"^/lessons/[^/]+$"), False))
        result = _finished_result(tab)
        pages.append((result, True))
        pages.append((result.replace("/results/", "/jobs/"), False))
        problems = []
        for path, headline in pages:
            name = "person-" + _name(path.split("?")[0] + "-" + path.partition("?")[2])
            problems += _check(tab, path, shot, headline=headline, name=name)
        problems += _check(
            tab, "/no-such-page", shot, headline=False, name="person-not-found", status=404
        )
        assert demo["person"] in tab.inner_text("header")  # the 404 keeps the signed-in header
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert not errors, errors


def test_every_clinician_page_fits_and_speaks_words(browser, server: Server, demo, shot):
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(30_000)
    tab = context.new_page()
    try:
        _login(tab, demo["clinician"], demo["password"])
        summary = _first_link(tab, "/patients", r"^/people/\d+/summary$")
        person = summary.removesuffix("/summary")
        person_id = person.rsplit("/", 1)[1]
        problems = []
        for path in (
            "/",
            "/sharing",
            "/patients",
            person,
            summary,
            f"/progress?person={person_id}",
            f"/uploads?person={person_id}",
            "/text-packs",
        ):
            problems += _check(tab, path, shot, headline=False, name="clinician-" + _name(path))
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_public_pages_fit(browser, server: Server, shot):
    context = browser.new_context(base_url=server.url)
    tab = context.new_page()
    try:
        problems = []
        for path in ("/", "/login", "/register", "/facts"):
            problems += _check(tab, path, shot, headline=False, name="public-" + _name(path))
    finally:
        context.close()
    assert not problems, "\n".join(problems)
