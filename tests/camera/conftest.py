"""Fixtures shared by the camera tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

VALIDATE_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "validate_camera.py"


@pytest.fixture(scope="session")
def vc() -> ModuleType:
    """``scripts/validate_camera.py`` loaded as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("validate_camera_under_test", VALIDATE_SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
