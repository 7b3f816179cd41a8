"""End-to-end fixtures: the real server in a subprocess and Debian's headless Chromium.

* ``chromium_path`` -- the installed Chromium, found on PATH (``BACKCARE_CHROMIUM`` overrides).
  Playwright drives it through ``executable_path``; no browser is ever downloaded. Without one the
  browser tests skip with the reason, or fail when ``BACKCARE_REQUIRE_BROWSER=1`` (CI).
* ``fake_camera`` -- a few seconds of YUV4MPEG2 (4:2:0) video made from a real photo of a person,
  which Chromium plays as its webcam (``--use-file-for-fake-video-capture``).
* ``server`` -- ``backcare serve`` (uvicorn) on a free loopback port with a temporary data
  directory and SQLite, started once per test process and stopped at the end.
* ``browser`` / ``page`` -- one headless Chromium per test process; a fresh context (cookies) per
  test. ``shot(page, name)`` saves a screenshot under ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pytest
from matplotlib import cbook
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
VENDOR_POSE = ROOT / "src" / "backcare" / "web" / "static" / "vendor" / "mediapipe" / "pose"
REQUIRE = os.environ.get("BACKCARE_REQUIRE_BROWSER") == "1"
PASSWORD = "correct horse battery staple"
CHROMIUM_NAMES = ("chromium", "chromium-browser")
MISSING_CHROMIUM = "Debian chromium not installed: apt-get install chromium"


def _unavailable(reason: str) -> None:
    """Skip, or fail where the browser tests must run (``BACKCARE_REQUIRE_BROWSER=1``)."""
    if REQUIRE:
        pytest.fail(f"{reason} (BACKCARE_REQUIRE_BROWSER=1 makes this a failure)")
    pytest.skip(reason)


def find_chromium() -> str | None:
    """``BACKCARE_CHROMIUM`` or the first Chromium on PATH."""
    override = os.environ.get("BACKCARE_CHROMIUM")
    if override:
        return override if Path(override).is_file() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    found = find_chromium()
    if found is None:
        _unavailable(MISSING_CHROMIUM)
    assert found is not None
    return found


# -- the fake camera ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Photo:
    """A public-domain photo of a person; ``hips_in_view``: whether the pose model sees the
    hips, without which trunk and neck angles are missing (shown as "–")."""

    name: str
    path: Path
    hips_in_view: bool

    def image(self) -> Image.Image:
        return Image.open(self.path).convert("RGB")


def person_photo() -> Photo:
    """``../shared``'s astronaut (seated, hips at the picture's lower edge, which the browser's
    pose model still sees), else matplotlib's Grace Hopper (head and shoulders only)."""
    astronaut = SHARED / "data" / "camera" / "astronaut.png"
    if astronaut.is_file():
        return Photo("astronaut", astronaut, hips_in_view=True)
    hopper = Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    return Photo("grace_hopper", hopper, hips_in_view=False)


def write_y4m(
    image: Image.Image,
    path: Path,
    *,
    size: tuple[int, int] = (640, 480),
    seconds: float = 2.0,
    fps: int = 15,
) -> Path:
    """A YUV4MPEG2 file (4:2:0, full-range BT.601) showing ``image`` centred on grey.

    The picture sways by a few pixels so that the stream is not frozen.
    """
    width, height = size
    canvas = Image.new("RGB", size, (128, 128, 128))
    scale = min(width / image.width, height / image.height)
    fitted = image.resize((int(image.width * scale) // 2 * 2, int(image.height * scale) // 2 * 2))
    frames = max(1, round(seconds * fps))
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for i in range(frames):
            frame = canvas.copy()
            dx = round(4 * np.sin(2 * np.pi * i / frames))
            frame.paste(fitted, ((width - fitted.width) // 2 + dx, (height - fitted.height) // 2))
            rgb = np.asarray(frame, dtype=np.float32)
            r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
            y = 0.299 * r + 0.587 * g + 0.114 * b
            u = 128.0 + 0.564 * (b - y)
            v = 128.0 + 0.713 * (r - y)

            def sub(c: np.ndarray) -> bytes:
                half = c.reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3))
                return np.clip(np.rint(half), 0, 255).astype(np.uint8).tobytes()

            out.write(b"FRAME\n")
            out.write(np.clip(np.rint(y), 0, 255).astype(np.uint8).tobytes())
            out.write(sub(u))
            out.write(sub(v))
    return path


@dataclass(frozen=True)
class FakeCamera:
    path: Path
    photo: Photo


@pytest.fixture(scope="session")
def fake_camera(tmp_path_factory: pytest.TempPathFactory) -> FakeCamera:
    photo = person_photo()
    path = write_y4m(photo.image(), tmp_path_factory.mktemp("camera") / f"{photo.name}.y4m")
    return FakeCamera(path, photo)


# -- the server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]


def start_server(data_dir: Path, log: Path, *, timeout_s: float = 90.0) -> Server:
    """``backcare serve`` on a free loopback port; returns once ``/healthz`` answers."""
    port = free_port()
    env = {
        **os.environ,
        "BACKCARE_DATA_DIR": str(data_dir),
        "BACKCARE_SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
        # every browser test registers its own account from 127.0.0.1
        "BACKCARE_REGISTRATIONS_PER_IP": "1000",
    }
    env.pop("BACKCARE_DATABASE_URL", None)
    backcare = Path(sys.executable).with_name("backcare")
    command = [str(backcare)] if backcare.is_file() else [sys.executable, "-m", "backcare.cli.main"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                *command,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", data_dir, process, log)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"backcare serve exited ({process.returncode}):\n{server.log_tail()}"
            )
        try:
            if httpx.get(server.url + "/healthz", timeout=2.0).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    stop_server(server)
    raise RuntimeError(
        f"backcare serve did not answer within {timeout_s:g} s:\n{server.log_tail()}"
    )


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("server")
    srv = start_server(base / "data", base / "server.log")
    try:
        yield srv
    finally:
        stop_server(srv)


# -- the browser ----------------------------------------------------------------------------------

CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
)


@pytest.fixture(scope="session")
def browser(chromium_path: str, fake_camera: FakeCamera) -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright (Python) is not installed")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=[*CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={fake_camera.path}"],
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser, server: Server) -> Iterator[object]:
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        yield tab
    finally:
        context.close()
    assert not problems, f"JavaScript errors on the page: {problems}"


@pytest.fixture
def shot() -> Callable[[object, str], Path]:
    """``shot(page, "name")`` saves ``test-artifacts/screenshots/name.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(tab, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    return take


def register(tab, email: str | None = None, role: str = "person") -> str:
    """Create an account through the form (logged in afterwards); returns the e-mail address."""
    address = email or f"e2e-{uuid.uuid4().hex[:10]}@example.org"
    tab.goto("/register")
    tab.fill("#email", address)
    tab.fill("#display_name", "E2E Tester")
    tab.fill("#password", PASSWORD)
    tab.fill("#password_again", PASSWORD)
    tab.check(f"input[name=role][value={role}]")
    tab.click("button[type=submit]")
    tab.wait_for_load_state()
    assert "/register" not in tab.url, tab.content()[:2000]
    return address


@pytest.fixture(scope="session")
def pose_files() -> Path:
    """The MediaPipe Pose files the build copies into static/vendor."""
    if not (VENDOR_POSE / "pose.js").is_file():
        _unavailable("the front-end is not built (make frontend): no MediaPipe Pose files")
    return VENDOR_POSE
