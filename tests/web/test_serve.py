"""``backcare serve --demo`` starts uvicorn, migrates, seeds the demo and answers (subprocess)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from backcare.web.demo import DEMO_CLINICIAN_EMAIL, DEMO_EMAIL, DEMO_PASSWORD

START_TIMEOUT_S = 90


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path):
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "BACKCARE_DATA_DIR": str(tmp_path / "data")}
    env.pop("BACKCARE_DATABASE_URL", None)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from backcare.cli.main import run; run()",
                "serve",
                "--port",
                str(port),
                "--demo",
                "--log-level",
                "warning",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"backcare serve exited with {proc.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"backcare serve did not answer in {START_TIMEOUT_S} s")
            time.sleep(0.3)
        yield base, log, tmp_path / "data"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _login(base: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=10)
    try:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        response = client.post(
            "/login",
            data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token.group(1)},
        )
        assert response.status_code == 303, response.text
    except BaseException:
        client.close()
        raise
    return client


def test_serve_demo_starts_and_answers(server):
    base, log, data_dir = server
    printed = log.read_text()
    assert f"{base}/" in printed
    assert DEMO_EMAIL in printed
    assert DEMO_PASSWORD in printed
    home = httpx.get(f"{base}/", timeout=10)
    assert home.status_code == 200
    assert "camera frames never leave your browser" in home.text
    assert "content-security-policy" in home.headers
    assert (data_dir / "backcare.sqlite3").is_file()
    secret = data_dir / "secret_key"
    assert secret.stat().st_mode & 0o777 == 0o600
    person = _login(base, DEMO_EMAIL)
    try:
        assert "Your backcare" in person.get("/").text
        assert person.get("/account").status_code == 200
    finally:
        person.close()
    clinician = _login(base, DEMO_CLINICIAN_EMAIL)
    try:
        assert "Demo Person" in clinician.get("/sharing").text
    finally:
        clinician.close()
