"""Streaming uploads: size limits while streaming, signatures, header probes, CSRF before data."""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import matplotlib.cbook as cbook
import pytest
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backcare.web.intake import (
    SUFFIXES,
    UploadError,
    check_signature,
    kind_of,
    probe,
    receive_upload,
)

with warnings.catch_warnings():
    # the installed client library is the older httpx, which the test client still supports
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

TOKEN = "t" * 43
LIMITS = {"wearable": 64 * 1024, "video": 64 * 1024, "image": 512 * 1024}
HOPPER = Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))


def _app(dest: Path, limits: dict[str, int] = LIMITS) -> Starlette:
    async def upload(request: Request) -> JSONResponse:
        try:
            parsed = await receive_upload(request, dest, limits, csrf_token=TOKEN)
        except UploadError as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status_code)
        return JSONResponse(
            {
                "fields": parsed.fields,
                "files": [
                    {
                        "field": f.field,
                        "name": f.original_name,
                        "path": str(f.path),
                        "size": f.size_bytes,
                        "sha256": f.sha256,
                        "kind": f.kind,
                        "info": f.info,
                    }
                    for f in parsed.files
                ],
            }
        )

    return Starlette(routes=[Route("/up", upload, methods=["POST"])])


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    return tmp_path / "uploads"


def _leftovers(dest: Path) -> list[Path]:
    return sorted(dest.iterdir()) if dest.exists() else []


def test_image_is_stored_with_random_name_and_sha256(dest: Path) -> None:
    data = HOPPER.read_bytes()
    with TestClient(_app(dest)) as client:
        r = client.post(
            "/up",
            data={"csrf_token": TOKEN, "load_kg": "5"},
            files={"media_file": ("Grace Hopper.JPG", data, "image/jpeg")},
        )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["fields"] == {"csrf_token": TOKEN, "load_kg": "5"}
    (f,) = body["files"]
    stored = Path(f["path"])
    assert stored.parent == dest
    assert stored.suffix == ".jpg"
    assert "Grace" not in stored.name
    assert stored.read_bytes() == data
    assert f["sha256"] == hashlib.sha256(data).hexdigest()
    assert f["size"] == len(data)
    assert f["kind"] == "image"
    assert f["info"]["width"] > 0


def test_wearable_upload_is_probed_with_the_reader(dest: Path, shared_dir: Path) -> None:
    data = (shared_dir / "data/wearable/skdh/gnactv_sample.bin").read_bytes()
    with TestClient(_app(dest)) as client:
        r = client.post(
            "/up",
            data={"csrf_token": TOKEN},
            files={"thigh_file": ("gnactv.bin", data, "application/octet-stream")},
        )
    assert r.status_code == 200, r.text
    (f,) = r.json()["files"]
    assert f["info"]["device"] == "GENEActiv"
    assert f["info"]["fs_hz"] == pytest.approx(50.0)


def test_too_large_is_413_and_the_partial_file_is_removed(dest: Path) -> None:
    limits = {**LIMITS, "image": 30 * 1024}
    data = HOPPER.read_bytes()
    assert len(data) > 30 * 1024
    with TestClient(_app(dest, limits)) as client:
        r = client.post(
            "/up",
            data={"csrf_token": TOKEN},
            files={"media_file": ("big.jpg", data, "image/jpeg")},
        )
    assert r.status_code == 413
    assert "larger than the 30 KiB allowed for image files" in r.json()["error"]
    assert _leftovers(dest) == []


def test_declared_length_far_past_the_limit_is_refused_before_reading(dest: Path) -> None:
    with TestClient(_app(dest)) as client:
        r = client.post(
            "/up",
            content=b"x" * 10,
            headers={
                "content-type": "multipart/form-data; boundary=abc",
                "content-length": str(10**12),
            },
        )
    assert r.status_code == 413
    assert not dest.exists() or _leftovers(dest) == []


def test_the_limit_holds_without_a_declared_length(dest: Path) -> None:
    """A chunked body (no Content-Length) is still cut off at the limit."""
    limits = {**LIMITS, "image": 50_000}
    data = HOPPER.read_bytes()
    boundary = "bndry1234"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{TOKEN}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="media_file"; '
            f'filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )

    def chunks():
        for i in range(0, len(body), 8192):
            yield body[i : i + 8192]

    with TestClient(_app(dest, limits)) as client:
        r = client.post(
            "/up",
            content=chunks(),
            headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        )
    assert r.status_code == 413
    assert _leftovers(dest) == []


@pytest.mark.parametrize(
    ("name", "content", "field", "status", "words"),
    [
        ("notes.txt", b"hello", "thigh_file", 415, ".txt files are not accepted"),
        ("clip.mp4", HOPPER.read_bytes()[:5000], "media_file", 415, "not an MP4 video"),
        ("photo.png", HOPPER.read_bytes(), "media_file", 415, "not a PNG image"),
        ("rec.cwa", b"\x00" * 2048, "thigh_file", 415, "not an AX3/AX6 .cwa"),
        ("photo.jpg", HOPPER.read_bytes(), "thigh_file", 415, "takes a wearable file"),
        ("data.csv", b"\x00\x01\x02binary", "trunk_file", 415, "not a text (CSV) file"),
        ("rec.gt3x", b"", "thigh_file", 415, "empty"),
    ],
)
def test_wrong_type_is_refused_with_a_clear_message(
    dest: Path, name: str, content: bytes, field: str, status: int, words: str
) -> None:
    with TestClient(_app(dest)) as client:
        r = client.post("/up", data={"csrf_token": TOKEN}, files={field: (name, content)})
    assert r.status_code == status
    assert words in r.json()["error"]
    assert name in r.json()["error"]
    assert _leftovers(dest) == []


def test_valid_signature_but_unreadable_body_is_refused_after_the_probe(dest: Path) -> None:
    fake_jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 5000
    with TestClient(_app(dest)) as client:
        r = client.post(
            "/up", data={"csrf_token": TOKEN}, files={"media_file": ("x.jpg", fake_jpeg)}
        )
    assert r.status_code == 415
    assert "not a readable image" in r.json()["error"]
    assert _leftovers(dest) == []


@pytest.mark.parametrize("token", [None, "wrong"])
def test_no_file_byte_is_written_without_the_csrf_token_first(
    dest: Path, token: str | None
) -> None:
    data = {"csrf_token": token} if token else {}
    with TestClient(_app(dest)) as client:
        r = client.post("/up", data=data, files={"media_file": ("a.jpg", HOPPER.read_bytes())})
    assert r.status_code == 403
    assert _leftovers(dest) == []


def test_csrf_header_is_accepted(dest: Path) -> None:
    with TestClient(_app(dest)) as client:
        r = client.post(
            "/up",
            headers={"x-csrf-token": TOKEN},
            files={"media_file": ("a.jpg", HOPPER.read_bytes())},
        )
    assert r.status_code == 200, r.text


def test_not_multipart_is_400(dest: Path) -> None:
    with TestClient(_app(dest)) as client:
        r = client.post("/up", data={"csrf_token": TOKEN})
    assert r.status_code == 400
    assert "multipart/form-data" in r.json()["error"]


def test_every_accepted_suffix_has_a_signature_rule() -> None:
    for suffix in SUFFIXES:
        assert check_signature(suffix, b"") == "the file is empty"


@pytest.mark.parametrize(
    ("suffix", "head"),
    [
        (".cwa", b"MDxx"),
        (".bin", b"Device Identity\r\n"),
        (".h5", b"\x89HDF\r\n\x1a\n"),
        (".gt3x", b"PK\x03\x04"),
        (".csv", "time,x,y,z\n0,1,0,0\né".encode()),
        (".jpg", b"\xff\xd8\xff\xdb"),
        (".png", b"\x89PNG\r\n\x1a\n"),
        (".mp4", b"\x00\x00\x00\x20ftypisom"),
        (".mov", b"\x00\x00\x00\x08wide"),
        (".webm", b"\x1a\x45\xdf\xa3\x01"),
        (".avi", b"RIFF\x00\x00\x00\x00AVI LIST"),
    ],
)
def test_signatures_accept_the_real_heads(suffix: str, head: bytes) -> None:
    assert check_signature(suffix, head) is None
    assert check_signature(suffix, b"\x00garbage" + head) is not None


def test_csv_cut_inside_a_multibyte_character_is_still_text() -> None:
    head = b"a,b\n" + "é".encode()[:1]
    assert check_signature(".csv", head) is None


def test_kind_of() -> None:
    assert kind_of("A.CWA") == "wearable"
    assert kind_of("x.webm") == "video"
    with pytest.raises(UploadError) as err:
        kind_of("x.exe")
    assert err.value.status_code == 415


def test_probe_rejects_a_truncated_video(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00\x00\x00\x20ftypisom" + b"\x00" * 100)
    with pytest.raises(UploadError) as err:
        probe(path, "video", where="clip.mp4")
    assert err.value.status_code == 415
