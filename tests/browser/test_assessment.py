"""The assessment in headless Chromium at phone size: without a text pack (backcare's own
questions, no item-score inputs anywhere) and with a test text pack installed through the web by
a clinician (the questionnaire shown as wording with radio buttons)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import register
from .test_journey import _FILL

pytestmark = pytest.mark.browser

ODI_PACK = Path(__file__).resolve().parents[1] / "io" / "data" / "fictional-odi-pack.yaml"
PHONE = {"width": 390, "height": 844}

_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
_YES_NO_GROUPS = """
() => Array.from(document.querySelectorAll('form.wizard fieldset')).map((fs) => {
  const radios = fs.querySelectorAll('input[type=radio]');
  return Array.from(radios).map((r) => r.value).join(',');
})
"""


def _walk(page, shot, prefix: str, on_page=None, max_steps: int = 40) -> str:
    page.goto("/assess")
    for step in range(max_steps):
        if re.search(r"/assessments/\d+$", page.url):
            return page.url
        html = page.content()
        assert "item score" not in html
        assert "copy each item" not in html.lower()
        assert not re.search(r'name="(odi|ndi|rmdq|startback|orebro)\.', html) or on_page
        # every yes/no question offers yes, no and don't know
        for values in page.evaluate(_YES_NO_GROUPS):
            if values.startswith("yes,no"):
                assert values == "yes,no,unknown", values
        if on_page is not None:
            on_page(page)
        assert page.evaluate(_FILL) == "filled"
        if step < 3:
            shot(page, f"{prefix}-step-{step + 1}")
        with page.expect_navigation():
            page.click("form.wizard button[type=submit]")
        assert page.locator("#form-errors").count() == 0, page.inner_text("#wizard")
    raise AssertionError(f"the wizard did not finish; at {page.url}")


def test_wizard_without_a_text_pack_on_a_phone(browser, server, shot):
    context = browser.new_context(base_url=server.url, viewport=PHONE)
    page = context.new_page()
    try:
        register(page)
        url = _walk(page, shot, "assess-phone")
        text = page.inner_text("main")
        shot(page, "assess-phone-result")
        # the headline answers the question first; no ids or enum names
        assert page.locator("section.urgency .headline").count() == 1
        for raw in ("self_care", "same_day", "low_back", "roughly_right", "nrs.", "triage."):
            assert raw not in text, raw
        assert "NaN" not in text
        page.set_viewport_size({"width": 360, "height": 800})
        assert page.evaluate(_OVERFLOW) <= 0
        assert url
    finally:
        context.close()


def test_the_rule_that_a_skipped_warning_sign_is_not_a_no(browser, server, shot):
    """Submitting a warning-sign page without choosing keeps the person there with a message."""
    context = browser.new_context(base_url=server.url, viewport=PHONE)
    page = context.new_page()
    try:
        register(page)
        page.goto("/assess")
        page.evaluate(_FILL)
        with page.expect_navigation():
            page.click("form.wizard button[type=submit]")
        assert "triage:emergency" in page.content()
        # the browser itself asks for an answer (required radios); the server does too
        page.evaluate("() => document.querySelectorAll('input').forEach(i => i.required = false)")
        page.click("form.wizard button[type=submit]")
        page.wait_for_selector("#form-errors")
        shot(page, "assess-skip-refused")
        assert "choose yes, no or don't know" in page.inner_text("#wizard")
    finally:
        context.close()


def test_a_clinician_installs_a_text_pack_and_the_wizard_shows_its_wording(browser, server, shot):
    context = browser.new_context(base_url=server.url, viewport=PHONE)
    page = context.new_page()
    try:
        register(page, role="clinician")
        page.goto("/text-packs")
        page.set_input_files("#pack", str(ODI_PACK))
        with page.expect_navigation():
            page.click("form[enctype] button[type=submit]")
        shot(page, "text-pack-installed")
        assert "Installed: Fictional back questionnaire wording" in page.inner_text("main")
        assert page.evaluate(_OVERFLOW) <= 0

        seen: dict[str, bool] = {}

        def on_page(tab) -> None:
            html = tab.content()
            if 'name="instruments"' in html:
                tab.check("input[name=instruments][value=odi]")
            if 'name="odi.1"' in html:
                seen["odi"] = True
                assert "Fictional section 1" in html
                assert tab.locator("input[type=radio][name='odi.1']").count() == 6
                shot(tab, "assess-with-text-pack")

        _walk(page, shot, "assess-pack", on_page=on_page)
        assert seen.get("odi")
        assert "Oswestry" in page.inner_text("main")
    finally:
        context.close()
