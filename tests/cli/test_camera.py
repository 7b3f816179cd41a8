from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
from PIL import Image

from tests.camera.media import grace_hopper, placed, write_clip


def _clip(tmp_path: Path, n: int = 12) -> Path:
    src = Image.open(grace_hopper()).convert("RGB")
    return write_clip(tmp_path / "hopper.mp4", lambda i: placed(src, x=40 + 5 * i), n, fps=10)


def test_analyze_photo_and_clip(cli, tmp_path: Path, shared_dir: Path):
    photo = shared_dir / "data" / "camera" / "astronaut.png"
    clip = _clip(tmp_path)
    out = tmp_path / "out"
    rc, stdout, _ = cli(
        "camera",
        "analyze",
        str(photo),
        str(clip),
        "--out",
        str(out),
        "--mass",
        "70",
        "--height",
        "170",
        "--load",
        "2",
    )
    assert rc == 0, stdout
    assert "astronaut.png" in stdout
    assert "hopper.mp4" in stdout
    assert "front view" in stdout
    names = {p.name for p in out.iterdir()}
    for stem in ("astronaut_png", "hopper_mp4"):
        assert {f"{stem}.parquet", f"{stem}.csv", f"{stem}.summary.json", f"{stem}.html"} <= names
    assert "astronaut_png.annotated.png" in names
    assert "hopper_mp4.annotated.mp4" in names or "hopper_mp4.annotated.webm" in names
    summary = json.loads((out / "hopper_mp4.summary.json").read_text())
    assert summary["frames"]["analysed"] == 12
    assert summary["body"] == {"mass_kg": 70.0, "height_cm": 170.0, "hand_load_kg": 2.0}


def test_folder_with_a_bad_file_reports_it_and_goes_on(cli, tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(grace_hopper(), folder / "hopper.jpg")
    (folder / "notes.mp4").write_text("this is not a video\n" * 10)
    rc, stdout, stderr = cli(
        "camera", "analyze", str(folder), "--out", str(tmp_path / "out"), "--no-video"
    )
    assert rc == 2
    assert "notes.mp4" in stderr
    assert "cannot be opened as a video" in stderr
    assert "Traceback" not in stderr
    assert "hopper.jpg" in stdout
    assert (tmp_path / "out" / "hopper_jpg.html").is_file()


def test_option_errors(cli, tmp_path: Path):
    photo = tmp_path / "p.png"
    Image.fromarray(np.zeros((100, 100, 3), dtype=np.uint8)).save(photo)
    rc, _, err = cli(
        "camera", "analyze", str(photo), "--out", str(tmp_path), "--every", "2", "--fps", "5"
    )
    assert rc == 2
    assert "--every/--fps" in err
    rc, _, err = cli("camera", "analyze", str(photo), "--out", str(tmp_path), "--neutral", "3")
    assert rc == 2
    assert "--neutral" in err
    rc, _, err = cli("camera", "analyze", str(tmp_path / "absent.mp4"), "--out", str(tmp_path))
    assert rc == 2
    assert "absent.mp4" in err
    rc, _, err = cli("camera", "analyze", str(photo), "--out", str(tmp_path), "--mass", "5")
    assert rc == 2
    assert "--mass" in err


def test_two_workers(cli, tmp_path: Path):
    clip = _clip(tmp_path, n=6)
    other = tmp_path / "copy.mp4"
    shutil.copy(clip, other)
    rc, stdout, _ = cli(
        "camera",
        "analyze",
        str(clip),
        str(other),
        "--out",
        str(tmp_path / "o"),
        "--workers",
        "2",
        "--no-video",
    )
    assert rc == 0, stdout
    assert (tmp_path / "o" / "hopper_mp4.summary.json").is_file()
    assert (tmp_path / "o" / "copy_mp4.summary.json").is_file()


def test_person_option_picks_someone_else(cli, tmp_path: Path):
    from tests.camera.media import side_by_side

    hopper = Image.open(grace_hopper()).convert("RGB")
    photo = tmp_path / "two.png"
    side_by_side(
        [
            (hopper.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (230, 270), (30, 130)),
            (hopper, (340, 400), (380, 0)),
        ],
        size=(800, 400),
    ).save(photo)
    out = tmp_path / "out"
    rc, stdout, stderr = cli("camera", "analyze", str(photo), "--out", str(out), "--person", "1")
    assert rc == 0, stdout + stderr
    assert "analysed person 1" in stdout
    assert "as asked" in stdout
    assert (out / "two_png.people.png").is_file()
    people = json.loads((out / "two_png.people.json").read_text())
    assert [p["analysed"] for p in people["people"]] == [True, False]
    shutil.copy(photo, tmp_path / "copy.png")
    rc, _, err = cli(
        "camera",
        "analyze",
        str(photo),
        str(tmp_path / "copy.png"),
        "--out",
        str(out),
        "--person",
        "1",
    )
    assert rc == 2
    assert "one file" in err
    rc, _, err = cli(
        "camera", "analyze", str(photo), "--out", str(out), "--person", "1", "--no-people"
    )
    assert rc == 2
    assert "--no-people" in err
