"""A person's first visit in real headless Chromium: register, the assessment wizard to a plan,
a diary entry, a photo upload analysed in the background to its result page, and progress."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from .conftest import person_photo, register

pytestmark = pytest.mark.browser

RANGE = re.compile(r"\((-?[\d.]+)\D+?(-?[\d.]+)")

# Answer every question of the current wizard page: "No" to yes/no questions (the journey of a
# person without red flags), the first real option of a choice, the middle of a number's range,
# and leave the questionnaire choice as the wizard proposes it.
_FILL = """
() => {
  const form = document.querySelector('form.wizard');
  if (!form) { return 'no-form'; }
  const groups = {};
  form.querySelectorAll('input[type=radio]').forEach((r) => {
    (groups[r.name] = groups[r.name] || []).push(r);
  });
  Object.values(groups).forEach((radios) => {
    if (radios.some((r) => r.checked)) { return; }
    const no = radios.find((r) => r.value === 'no');
    const real = radios.filter((r) => r.value !== 'unknown' && r.value !== 'dont_know');
    (no || real[0] || radios[0]).checked = true;
  });
  form.querySelectorAll('input[inputmode]').forEach((input) => {
    if (input.value) { return; }
    const label = form.querySelector('label[for="' + input.id + '"]');
    const m = label && /\\((-?[\\d.]+)\\D+?(-?[\\d.]+)/.exec(label.textContent);
    const lo = m ? parseFloat(m[1]) : 0;
    const hi = m ? parseFloat(m[2]) : 4;
    input.value = String(Math.round(lo + (hi - lo) / 3));
  });
  return 'filled';
}
"""


def finish_assessment(page, shot, max_steps: int = 40) -> int:
    page.goto("/assess")
    for step in range(max_steps):
        if re.search(r"/assessments/\d+$", page.url):
            return int(page.url.rsplit("/", 1)[1])
        assert page.evaluate(_FILL) == "filled", page.content()[:2000]
        if step == 0:
            shot(page, "journey-assess-first-step")
        with page.expect_navigation():
            page.click("form.wizard button[type=submit]")
        assert page.locator("#form-errors").count() == 0, page.inner_text("#wizard")
    raise AssertionError(f"the wizard did not finish in {max_steps} steps; at {page.url}")


def test_register_assess_diary_upload_progress(page, server, shot, tmp_path: Path):
    register(page)
    shot(page, "journey-home")

    # the assessment: triage first, then questionnaires, then results with a plan and sources
    assessment_id = finish_assessment(page, shot)
    body = page.inner_text("main")
    shot(page, "journey-results")
    assert re.search(r"plan", body, re.IGNORECASE), body[:1500]
    assert re.search(r"source", body, re.IGNORECASE)
    assert page.locator("main a[href^='http'], main cite, main ol li").count() > 0

    # a diary entry for today
    page.goto("/diary")
    page.fill("#pain_nrs", "3")
    page.check("#exercise_done")
    page.fill("#exercise_minutes", "20")
    page.fill("#breaks_taken", "4")
    page.fill("#notes", "Walked at lunch; back a little stiff in the morning.")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "saved=1" in page.url
    shot(page, "journey-diary")
    assert "Walked at lunch" in page.content()
    assert date.today().isoformat() in page.url

    # a photo upload, analysed by the server's background worker, to its result page
    photo = tmp_path / "at-my-desk.jpg"
    person_photo().image().save(photo, quality=90)
    page.goto("/uploads")
    media = page.locator("input[type=file][accept*='jpg'], input[type=file][accept*='.png']")
    assert media.count() >= 1
    field = media.first.get_attribute("id")
    page.set_input_files(f"#{field}", str(photo))
    with page.expect_navigation():
        page.locator(f"form:has(#{field}) button[type=submit]").click()
    assert re.search(r"/jobs/\d+$", page.url), page.url
    job_id = int(page.url.rsplit("/", 1)[1])
    page.wait_for_selector("#job-status a.button", timeout=180_000)
    shot(page, "journey-job-done")
    page.click("#job-status a.button")
    page.wait_for_url(f"**/results/{job_id}")
    shot(page, "journey-upload-result")
    assert page.locator("main img").count() >= 1
    assert "Posture" in page.inner_text("main")

    # progress: the diary's pain score and the assessment are there
    page.goto("/progress")
    shot(page, "journey-progress")
    progress = page.inner_text("main")
    assert "Pain" in progress or "pain" in progress
    assert page.locator("main svg, main img").count() >= 1
    assert assessment_id > 0


def test_the_photo_for_uploads_is_a_person(tmp_path: Path):
    photo = person_photo().image()
    assert isinstance(photo, Image.Image)
    assert min(photo.size) >= 256
