"""Uploads in real headless Chromium: a video and a photo go through the server's background
worker; the job page updates itself; the result page plays and seeks the annotated video (range
requests) and shows the annotated photo, the tables and the report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from tests.camera.media import grace_hopper, placed, write_clip

from .conftest import register

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    frame = placed(Image.open(grace_hopper()), scale=0.9)
    return write_clip(tmp_path_factory.mktemp("clip") / "at work.mp4", lambda i: frame, 18, fps=6)


def _upload_and_wait(page, field: str, path: Path) -> int:
    page.goto("/uploads")
    page.set_input_files(f"#{field}", str(path))
    page.locator(f"form:has(#{field}) button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/jobs/\d+$"))
    job_id = int(page.url.rsplit("/", 1)[1])
    # the status panel replaces itself (htmx) until the job is done; no reload needed
    page.wait_for_selector("#job-status a.button", timeout=180_000)
    return job_id


def test_video_upload_to_results_with_a_seekable_video(page, server, clip, shot):
    register(page)
    job_id = _upload_and_wait(page, "media_file", clip)
    shot(page, "upload-job-done")
    page.click("#job-status a.button")
    page.wait_for_url(f"**/results/{job_id}")
    assert page.locator(".headline").count() == 1
    assert page.locator("h2:has-text('Posture scores')").count() == 1
    video = page.locator("video")
    assert video.count() == 1
    ready = page.evaluate(
        """() => new Promise((resolve) => {
          const v = document.querySelector('video');
          const done = () => resolve({ready: v.readyState, duration: v.duration});
          if (v.readyState >= 1) { done(); } else {
            v.addEventListener('loadedmetadata', done, {once: true});
            const fail = () => resolve({error: v.error && v.error.code});
            v.addEventListener('error', fail, {once: true});
            v.load();
          }
        })"""
    )
    assert ready.get("ready", 0) >= 1, ready
    assert ready["duration"] > 1.0
    seeked = page.evaluate(
        """() => new Promise((resolve) => {
          const v = document.querySelector('video');
          v.addEventListener('seeked', () => resolve(v.currentTime), {once: true});
          v.currentTime = v.duration / 2;
        })"""
    )
    assert seeked > 0.5
    page.click("details.technical > summary")  # tables, plots and the report are folded away
    frame = page.locator("iframe.report")
    assert frame.count() == 1
    frame.scroll_into_view_if_needed()
    report = page.frame_locator("iframe.report")
    report.locator("h1").first.wait_for(timeout=30_000)  # the sandboxed report is rendered
    shot(page, "upload-video-results")


def test_photo_upload_shows_the_annotated_photo(page, server, shot):
    register(page)
    job_id = _upload_and_wait(page, "media_file", grace_hopper())
    page.goto(f"/results/{job_id}")
    img = page.locator("img[alt^='The photo with the detected skeleton']")
    assert img.count() == 1
    width = page.evaluate(
        "() => document.querySelector(\"img[alt^='The photo with']\").naturalWidth"
    )
    assert width > 0
    assert page.locator("h2:has-text('Joint angles')").count() == 1
    assert page.locator(".headline").count() == 1
    # head and shoulders only: the page says the result is partial and how to retake it
    if page.locator(".status-partial").count():
        assert "whole body" in page.inner_text(".result-summary")
    shot(page, "upload-photo-results")


def test_wrong_file_type_is_explained(page, server, tmp_path: Path):
    register(page)
    bogus = tmp_path / "notes.mp4"
    bogus.write_bytes(b"this is not a video at all")
    page.goto("/uploads")
    page.set_input_files("#media_file", str(bogus))
    page.locator("form:has(#media_file) button[type=submit]").click()
    page.wait_for_load_state()
    assert "not an MP4 video" in page.inner_text("p.error")


def test_wearable_options_fit_a_phone_and_the_form_is_analysed(page, server, shot, tmp_path: Path):
    from datetime import datetime

    from backcare.wearable.simulator import simulate_cwa

    start = datetime(2024, 1, 1, 7, 55)
    thigh = simulate_cwa(tmp_path / "thigh.cwa", days=0.01, rate_hz=25, seed=2, start=start).path
    register(page)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/uploads")
    page.locator("summary:has-text('Work hours')").click()
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    shot(page, "upload-wearable-options-360")
    page.set_input_files("#thigh_file", str(thigh))
    page.select_option("#arm_side", "left")
    page.fill("#work_hours", "8-9")
    page.locator("form:has(#thigh_file) button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/jobs/\d+$"))
    page.wait_for_selector("#job-status a.button", timeout=180_000)
    job_id = int(page.url.rsplit("/", 1)[1])
    page.goto(f"/results/{job_id}")
    assert page.locator("h1").count() == 1
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40))
        .slice(0, 8)"""
    )
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, wide


def test_photo_with_two_people_offers_a_picker_that_works_at_phone_width(
    page, server, shot, tmp_path: Path
):
    from tests.camera.media import side_by_side

    hopper = Image.open(grace_hopper()).convert("RGB")
    photo = tmp_path / "two people.jpg"
    side_by_side(
        [
            (hopper.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (230, 270), (30, 130)),
            (hopper, (340, 400), (380, 0)),
        ],
        size=(800, 400),
    ).save(photo, quality=85)
    register(page)
    page.set_viewport_size({"width": 360, "height": 800})
    job_id = _upload_and_wait(page, "media_file", photo)
    page.goto(f"/results/{job_id}")
    assert page.locator("h2:has-text('2 people were found')").count() == 1
    preview = page.locator("img[alt*='numbered box around each person']")
    assert preview.evaluate("img => img.naturalWidth") == 800
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(page, "upload-people-picker")
    # keyboard and label: choosing person 1 by its label, without any script of ours
    page.get_by_label(re.compile(r"Person 1: on the left")).check()
    page.get_by_role("button", name="Analyse this person").click()
    page.wait_for_url(re.compile(r".*/jobs/\d+$"))
    second = int(page.url.rsplit("/", 1)[1])
    assert second != job_id
    page.wait_for_selector("#job-status a.button", timeout=180_000)
    page.goto(f"/results/{second}")
    assert page.get_by_label(re.compile(r"Person 1: on the left")).is_checked()
