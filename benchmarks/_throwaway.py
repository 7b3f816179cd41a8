"""A competitor installed into a throwaway virtual environment, for the side-by-side benchmarks.

Not a benchmark itself (``run_all.py`` runs only ``bench_*.py``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

__all__ = ["throwaway_python"]


def throwaway_python(workdir: Path, package: str, module: str) -> Path | None:
    """The Python of ``workdir/<package>-venv`` with ``package`` installed (``module`` importable);
    ``None``, with the installer's last lines printed, when it cannot be installed."""
    venv = workdir / f"{package}-venv"
    python = venv / "bin" / "python"
    if python.exists():
        check = subprocess.run([str(python), "-c", f"import {module}"], capture_output=True)
        if check.returncode == 0:
            return python
    print(f"installing {package} into a throwaway environment ({venv}) ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", package],
        capture_output=True,
        text=True,
    )
    if pip.returncode != 0:
        tail = (pip.stderr or pip.stdout).strip().splitlines()[-3:]
        print(f"{package} could not be installed (no network access to the package index?):")
        for line in tail:
            print(f"  {line}")
        return None
    return python
