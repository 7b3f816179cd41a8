"""Several people in an uploaded photo: the result page shows them numbered on the picture and a
picker (radio buttons, no JavaScript) that analyses the chosen person in a new job."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from backcare.store.db import Database
from backcare.web.settings import UploadLimits, WebSettings
from backcare.web.worker import JobWorker
from tests.camera.media import grace_hopper, side_by_side

MiB = 1024 * 1024


@pytest.fixture
def web_settings(db_url: str, tmp_path: Path) -> WebSettings:
    return WebSettings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        secret_key="test-secret-" + "k" * 40,
        worker_enabled=False,
        upload_limits=UploadLimits(wearable=2 * MiB, video=2 * MiB, image=1 * MiB),
    )


def _two_people_jpeg() -> bytes:
    hopper = Image.open(grace_hopper()).convert("RGB")
    canvas = side_by_side(
        [
            (hopper.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (230, 270), (30, 130)),
            (hopper, (340, 400), (380, 0)),
        ],
        size=(800, 400),
    )
    buf = io.BytesIO()
    canvas.save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def _job(response) -> int:
    assert response.status_code == 303, response.text[:2000]
    match = re.fullmatch(r"/jobs/(\d+)", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


def test_the_picker_analyses_the_chosen_person(
    person, other_person, app_db: Database, web_settings: WebSettings
) -> None:
    r = person.post("/uploads", files={"media_file": ("two.jpg", _two_people_jpeg(), "image/jpeg")})
    first = _job(r)
    assert JobWorker(app_db, web_settings.data_dir).run_once() == first
    page = person.client.get(f"/results/{first}")
    assert page.status_code == 200
    assert "2 people were found" in page.text
    assert "backcare analysed person 2" in page.text  # the larger, more central one
    (preview,) = re.findall(rf'<img src="/results/{first}/files/([^"]+people\.png)"', page.text)
    image = person.client.get(f"/results/{first}/files/{preview}")
    assert image.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(image.content)).size == (800, 400)
    radios = re.findall(r'<input type="radio" name="person" value="(\d)"( checked)?>', page.text)
    assert radios == [("1", ""), ("2", " checked")]
    assert "Person 1: on the left" in page.text
    assert "<legend>Person to analyse</legend>" in page.text
    assert "choose another in the list of people on this page" in page.text
    assert "--person" not in page.text
    # someone else cannot start an analysis of this upload
    assert other_person.post(f"/results/{first}/person", {"person": "1"}).status_code == 404
    assert person.post(f"/results/{first}/person", {"person": "7"}).status_code == 400
    second = _job(person.post(f"/results/{first}/person", {"person": "1"}))
    assert second != first
    assert JobWorker(app_db, web_settings.data_dir).run_once() == second
    again = person.client.get(f"/results/{second}")
    assert "backcare analysed person 1" in again.text
    radios = re.findall(r'<input type="radio" name="person" value="(\d)"( checked)?>', again.text)
    assert radios == [("1", " checked"), ("2", "")]
    # the first analysis is kept as it was
    assert "backcare analysed person 2" in person.client.get(f"/results/{first}").text


def test_one_person_gets_no_picker(person, app_db: Database, web_settings: WebSettings) -> None:
    data = grace_hopper().read_bytes()
    job = _job(person.post("/uploads", files={"media_file": ("me.jpg", data, "image/jpeg")}))
    JobWorker(app_db, web_settings.data_dir).run_once()
    page = person.client.get(f"/results/{job}")
    assert page.status_code == 200
    assert 'name="person"' not in page.text
    assert person.post(f"/results/{job}/person", {"person": "1"}).status_code == 404
