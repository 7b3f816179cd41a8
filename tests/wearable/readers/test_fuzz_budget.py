"""Mutation fuzzing of every reader for a bounded time (see ``fuzz_run``): a clean InputError or
a sane recording for every mutated file, never a traceback, a hang or memory past the bound.

Each format runs in a subprocess with its own address-space limit; the budget per format is
``BACKCARE_FUZZ_SECONDS`` (default 8 s, so the whole test takes about a minute)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.wearable.readers.fuzz_corpus import FORMATS, SHARED

BUDGET_S = float(os.environ.get("BACKCARE_FUZZ_SECONDS", "8"))
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("fmt", FORMATS)
def test_mutated_files_fail_cleanly(fmt: str) -> None:
    if fmt == "geneactiv" and not (SHARED / "gnactv_sample.bin").is_file():
        pytest.skip("../shared (the GENEActiv seed) is not present beside the project")
    run = subprocess.run(
        [sys.executable, "-m", "tests.wearable.readers.fuzz_run", fmt, str(BUDGET_S)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUDGET_S * 4 + 120,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-6000:]
    assert f"{fmt}:" in run.stdout
