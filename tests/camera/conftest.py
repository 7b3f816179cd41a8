"""Fixtures shared by the camera tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

VALIDATION_PACKAGE = Path(__file__).resolve().parents[2] / "scripts" / "camera_validation"


@pytest.fixture(scope="session")
def vc() -> ModuleType:
    """The package behind ``scripts/validate_camera.py``, ``scripts/camera_validation``, loaded
    from its folder (``scripts`` is not on the import path)."""
    spec = importlib.util.spec_from_file_location(
        "camera_validation",
        VALIDATION_PACKAGE / "__init__.py",
        submodule_search_locations=[str(VALIDATION_PACKAGE)],
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
