"""The live coach in real headless Chromium, fed by a fake webcam showing a real photo.

MediaPipe Pose runs in the page (WebAssembly, on the CPU here), only landmarks go over the
WebSocket, and the server's replies fill the page: the frame count the server received and the
angles prove that the whole chain works. Stopping stores the session.
"""

from __future__ import annotations

import re

import pytest

from .conftest import register

pytestmark = pytest.mark.browser

NUMBER_DEG = re.compile(r"^-?\d+°$")


def server_frames(tab) -> int:
    return int(tab.inner_text("#coach-server-frames") or "0")


def test_live_coach_receives_landmarks_and_shows_angles(page, pose_files, fake_camera, shot):
    register(page)
    page.goto("/coach")
    assert page.locator("#coach-missing").count() == 0
    assert page.locator("#coach-model option[value='0']").count() == 1
    page.select_option("#coach-model", "0")  # the lite model: quickest on a CPU
    # the connection counters are folded away behind "Details" until asked for
    assert not page.is_visible("#coach-server-frames")
    page.click("details.coach-debug > summary")
    assert page.is_visible("#coach-server-frames")
    page.click("#coach-start")
    # loading the model and the first inference take a while without a GPU
    page.wait_for_function(
        "() => parseInt(document.getElementById('coach-server-frames').textContent) >= 3",
        timeout=150_000,
    )
    assert server_frames(page) >= 3
    assert int(page.inner_text("#coach-sent")) >= server_frames(page)
    page.wait_for_function(
        "() => /^-?[0-9]+°$/.test(document.getElementById('angle-shoulder_asymmetry').textContent)",
        timeout=60_000,
    )
    shot(page, f"coach-running-{fake_camera.photo.name}")
    # the shoulders are in both photos: level in both (she sits upright)
    tilt = page.inner_text("#angle-shoulder_asymmetry").strip()
    assert NUMBER_DEG.match(tilt), tilt
    assert abs(int(tilt.rstrip("°"))) < 15
    assert page.inner_text("#coach-activity").strip() == "sitting"  # in words, not a code
    assert page.inner_text("#coach-proc").strip().endswith("ms")
    if fake_camera.photo.hips_in_view:
        for name in ("trunk_flexion", "neck_flexion"):
            text = page.inner_text(f"#angle-{name}").strip()
            assert NUMBER_DEG.match(text), (name, text)
        assert re.match(r"^(≥ )?\d+ \(", page.inner_text("#coach-reba").strip())
        # the person sits upright in the photo: the trunk angle is small
        trunk = int(page.inner_text("#angle-trunk_flexion").strip().rstrip("°"))
        assert abs(trunk) < 30
    else:
        # without hips no trunk or neck angle: shown as missing, never guessed; the head's
        # forward tilt needs only shoulders and ears
        assert page.inner_text("#angle-trunk_flexion").strip() == "–"
    head = page.inner_text("#angle-head_inclination").strip()
    assert NUMBER_DEG.match(head), head
    # calibrate on the still picture, then the neck angle reads about zero
    page.wait_for_function(
        "() => parseInt(document.getElementById('coach-server-frames').textContent) >= 8",
        timeout=120_000,
    )
    page.click("#coach-calibrate")
    page.wait_for_function(
        "() => document.getElementById('coach-status').textContent.startsWith('Calibrated')",
        timeout=30_000,
    )
    # the skeleton was drawn over the video
    drawn = page.evaluate(
        """() => {
          const c = document.getElementById('coach-canvas');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; }
          return n;
        }"""
    )
    assert drawn > 100
    page.click("#coach-stop")
    page.wait_for_selector("#coach-saved:not([hidden])", timeout=60_000)
    saved = page.inner_text("#coach-saved")
    shot(page, "coach-saved")
    assert "Session saved" in saved, saved
    assert page.locator("#coach-saved .headline").count() == 1  # one sentence on the session
    page.click("#coach-saved a[href='/progress']")
    page.wait_for_url("**/progress")
    assert page.locator("#exposure-h").count() == 1
    assert "No measured posture sessions yet" not in page.inner_text("main")
    shot(page, "coach-progress")
