"""Several people in view: finding, numbering, following and choosing the person to analyse.

The scripted tests drive the survey with synthetic skeletons; the MediaPipe tests use real
public-domain photos composed side by side (and clips made from them), where the standing helper is
the larger, more central person and the worker the one who moves their arms.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from backcare.camera.backend import FakeBackend, MediaPipeBackend
from backcare.camera.pipeline import CameraOptions, analyze_image, analyze_video, survey_media
from backcare.camera.runner import analyze_file, write_people
from backcare.errors import InputError

from .media import BACKGROUND, astronaut, grace_hopper, side_by_side, write_clip
from .skeleton import pose_result


def _grey(i: int) -> np.ndarray:
    return np.full((240, 320, 3), 100, dtype=np.uint8)


def _centre_x(image_xy: np.ndarray) -> np.ndarray:
    return np.nanmean(image_xy[:, 11:13, 0], axis=1)  # between the shoulders


# --- scripted backends ---------------------------------------------------------------------


def test_photo_people_are_numbered_left_to_right_and_the_note_counts_them(tmp_path: Path):
    photo = tmp_path / "three.png"
    Image.new("RGB", (640, 480), (90, 90, 90)).save(photo)
    right = pose_result(heading_deg=180.0, offset=(0.8, 0.5), scale=0.25)
    middle = pose_result(heading_deg=180.0, offset=(0.5, 0.5), scale=0.35)
    left = pose_result(heading_deg=180.0, offset=(0.2, 0.5), scale=0.2)
    searcher = FakeBackend([right, middle, left, None])
    survey = survey_media(photo, searcher)
    assert survey is not None
    assert [p.number for p in survey.people] == [1, 2, 3]
    xs = [(p.first_box[0] + p.first_box[2]) / 2 for p in survey.people]
    assert xs == sorted(xs)
    assert survey.chosen == 2  # the largest, most central one when nobody moves
    note = survey.note()
    assert note is not None
    assert note.startswith("3 people were found; backcare analysed person 2")
    assert "--person N" in note
    # the same person found twice (the mask did not hide them) is one person
    again = survey_media(photo, FakeBackend([middle, middle, left]))
    assert again is not None
    assert len(again.people) == 1
    assert again.note() is None


def test_asking_for_a_person_analyses_them_and_a_wrong_number_is_refused(tmp_path: Path):
    photo = tmp_path / "two.png"
    Image.new("RGB", (640, 480), (90, 90, 90)).save(photo)
    small = pose_result(heading_deg=180.0, offset=(0.2, 0.5), scale=0.15, arm=90.0)
    big = pose_result(heading_deg=180.0, offset=(0.55, 0.5), scale=0.4)
    a = analyze_image(photo, FakeBackend([big, small, None]), CameraOptions(person=1))
    assert _centre_x(a.track.image)[0] < 0.3
    assert any("analysed person 1" in i and "as asked" in i for i in a.issues)
    with pytest.raises(InputError, match=r"person.*no person 3: 2 people were found"):
        analyze_image(photo, FakeBackend([big, small, None]), CameraOptions(person=3))


def test_video_follows_the_busy_worker_not_the_larger_helper(tmp_path: Path):
    n = 30
    clip = write_clip(tmp_path / "two.mp4", _grey, n, fps=10)  # 3 s: 6 checked frames
    helper = pose_result(heading_deg=180.0, offset=(0.6, 0.5), scale=0.4)
    worker = [
        pose_result(heading_deg=180.0, offset=(0.2, 0.55), scale=0.2, arm=a, elbow=90.0)
        for a in (10.0, 80.0)
    ]
    script = []
    for k in range(6):
        script += [helper, worker[k % 2], None]
    searcher = FakeBackend(script)
    # the tracker locks onto the helper first; once the helper is masked it finds the worker
    tracker = FakeBackend([helper, worker[0], *[worker[i % 2] for i in range(n)]])
    a = analyze_video(clip, tracker, CameraOptions(), searcher=searcher)
    assert a.people is not None
    assert len(a.people.samples) == 6
    assert a.people.chosen == 1  # the worker, on the left
    worker_p = a.people.person(1)
    assert worker_p.activity > 0.2 > a.people.person(2).activity
    assert np.all(_centre_x(a.track.image) < 0.35)  # every frame shows the worker
    assert any(i.startswith("2 people were found; backcare analysed person 1") for i in a.issues)


def test_a_tracked_helper_is_dropped_when_the_worker_cannot_be_refound(tmp_path: Path):
    clip = write_clip(tmp_path / "two.mp4", _grey, 10, fps=10)
    helper = pose_result(heading_deg=180.0, offset=(0.6, 0.5), scale=0.4)
    worker = pose_result(heading_deg=180.0, offset=(0.2, 0.55), scale=0.2)
    searcher = FakeBackend([worker, helper, None] * 4)
    tracker = FakeBackend([worker] * 5 + [helper] * 20)
    a = analyze_video(clip, tracker, CameraOptions(person=1), searcher=searcher)
    found = a.track.found
    assert found[:5].all()
    assert not found[5:].any()
    assert np.all(_centre_x(a.track.image[found]) < 0.35)


# --- the real model on real photos -----------------------------------------------------------


@pytest.fixture(scope="module")
def static_backend():
    backend = MediaPipeBackend(static_image_mode=True)
    yield backend
    backend.close()


@pytest.fixture
def photos(shared_dir: Path) -> tuple[Image.Image, Image.Image]:
    return Image.open(astronaut(shared_dir)).convert("RGB"), Image.open(grace_hopper())


def test_three_real_people_in_a_photo(photos, static_backend, tmp_path: Path):
    astro, hopper = photos
    photo = tmp_path / "three.png"
    side_by_side(
        [
            (astro, (300, 300), (20, 200)),
            (hopper, (380, 500), (410, 0)),
            (astro.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (330, 330), (850, 170)),
        ]
    ).save(photo)
    a = analyze_image(photo, static_backend)
    assert a.people is not None
    assert len(a.people.people) == 3
    assert any(i.startswith("3 people were found; backcare analysed person 2") for i in a.issues)
    assert 0.35 < _centre_x(a.track.image)[0] < 0.65
    third = analyze_image(photo, static_backend, CameraOptions(person=3))
    assert _centre_x(third.track.image)[0] > 0.7
    # the preview: numbered boxes in two colours, the analysed person's box in bluish green
    files = write_people(third.people, tmp_path / "out")  # type: ignore[arg-type]
    drawn = np.asarray(Image.open(tmp_path / "out" / files["people_image"]).convert("RGB"))
    green = np.all(drawn == (0, 158, 115), axis=-1)
    orange = np.all(drawn == (230, 159, 0), axis=-1)
    assert green[:, 800:].sum() > 500
    assert green[:, :800].sum() == 0
    assert orange[:, :800].sum() > 1000
    table = json.loads((tmp_path / "out" / files["people_json"]).read_text())
    assert [p["analysed"] for p in table["people"]] == [False, False, True]
    assert table["people"][0]["where"].startswith("on the left")


def _worker_and_helper(astro: Image.Image, hopper: Image.Image, i: int) -> np.ndarray:
    """The worker (left, smaller) turns as she works; the helper (larger, central) stands still."""
    canvas = Image.new("RGB", (960, 540), BACKGROUND)
    turned = astro.rotate(
        20 * np.sin(i / 5), resample=Image.Resampling.BILINEAR, fillcolor=BACKGROUND
    )
    canvas.paste(turned.resize((300, 300)), (40, 240))
    canvas.paste(hopper.resize((400, 527)), (400, 13))
    return np.asarray(canvas)


def test_real_clip_analyses_the_worker_every_frame(photos, static_backend, tmp_path: Path):
    astro, hopper = photos
    clip = write_clip(
        tmp_path / "work.mp4", lambda i: _worker_and_helper(astro, hopper, i), 45, fps=15
    )
    tracker = MediaPipeBackend(static_image_mode=False)
    try:
        a = analyze_video(clip, tracker, CameraOptions(), searcher=static_backend)
    finally:
        tracker.close()
    assert a.people is not None
    assert a.people.chosen == 1, [
        (len(p.sightings), p.activity, p.first_box) for p in a.people.people
    ]
    x = _centre_x(a.track.image)
    assert a.track.found.mean() > 0.9
    assert np.all(x[np.isfinite(x)] < 0.35)  # the worker, never the larger helper
    assert any(i.startswith("2 people were found; backcare analysed person 1") for i in a.issues)
    # asking for the helper follows her instead, through the same entry point as the CLI
    out = tmp_path / "out"
    result = analyze_file(clip, CameraOptions(person=2), out, annotate=False)
    assert result.ok, result.error
    assert result.headline["people"] == 2
    assert result.headline["person"] == 2
    assert (out / result.files["people_image"]).is_file()
    summary = json.loads((out / result.files["summary"]).read_text())
    assert summary["frames"]["analysed"] == 45
