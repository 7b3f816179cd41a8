"""The web server starts at once: building the app loads no pandas, SciPy or matplotlib.

Those load with the first page that needs them (a chart, the live coach, an analysis). Checked in
a fresh interpreter, as ``backcare serve`` starts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_creating_the_app_loads_no_heavy_library(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "from backcare.web.app import create_app\n"
        "from backcare.web.settings import WebSettings\n"
        "app = create_app(WebSettings.from_env())\n"
        "heavy = [m for m in ('pandas', 'scipy', 'matplotlib', 'pyarrow') if m in sys.modules]\n"
        "print(json.dumps({'routes': len(app.routes), 'heavy': heavy}))\n"
    )
    env = {
        "BACKCARE_DATA_DIR": str(tmp_path),
        "BACKCARE_SECRET_KEY": "k" * 64,
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["routes"] > 10
    assert got["heavy"] == []
