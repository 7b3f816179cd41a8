"""The command line starts at once: no heavy library loads for ``--version`` or any ``--help``.

Each check runs a fresh interpreter (the test process itself has pandas loaded long ago), so
what is measured is what a person typing the command gets.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import backcare.cli

HEAVY = ("pandas", "scipy", "matplotlib", "sqlalchemy", "fastapi", "backcare.knowledge.catalog")
COMMAND_MODULES = sorted(m.name for m in pkgutil.iter_modules(backcare.cli.__path__))


def _python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _loaded_after(code: str) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter; the heavy modules it left loaded, and its result."""
    script = (
        "import json, sys\n"
        "sys.argv[0] = 'backcare'\n"
        f"{code}\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(json.dumps({'heavy': heavy, 'result': globals().get('result')}))\n"
    )
    return json.loads(_python(script).strip().splitlines()[-1])


def test_version_and_help_load_no_heavy_library():
    got = _loaded_after(
        "import contextlib, io\n"
        "from backcare.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    result = [main(['--version']), main(['--help'])]\n"
        "result.append(out.getvalue())\n"
    )
    rc_version, rc_help, text = got["result"]  # type: ignore[misc]
    assert (rc_version, rc_help) == (0, 0)
    assert "backcare " in text
    assert "Commands:" in text
    assert got["heavy"] == []


def test_every_command_help_works_and_loads_no_heavy_library():
    """Walks the whole command tree, so a command added later is covered too."""
    got = _loaded_after(
        "import contextlib, io\n"
        "import typer.main\n"
        "from backcare.cli.main import app, main\n"
        "def walk(cmd, path):\n"
        "    yield path\n"
        "    for name, sub in sorted(getattr(cmd, 'commands', {}).items()):\n"
        "        yield from walk(sub, [*path, name])\n"
        "result = {}\n"
        "for path in walk(typer.main.get_command(app), []):\n"
        "    with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "        rc = main([*path, '--help'])\n"
        "    result[' '.join(path)] = [rc, out.getvalue()]\n"
    )
    helps: dict[str, list[object]] = got["result"]  # type: ignore[assignment]
    assert {"", "assess", "serve", "ergo load", "wearable analyze", "camera analyze"} <= set(helps)
    for path, (rc, text) in helps.items():
        assert rc == 0, path
        assert str(text).startswith("Usage: backcare"), path
    # units in brackets survive (plain-text help, not Rich markup)
    assert "Body mass [kg]" in " ".join(str(helps["ergo load"][1]).split())
    assert got["heavy"] == []


@pytest.mark.parametrize("module", COMMAND_MODULES)
def test_each_command_module_imports_on_its_own(module: str):
    """No circular import, and importing a command module loads no heavy library."""
    got = _loaded_after(f"import backcare.cli.{module}")
    assert got["heavy"] == [], module


def test_commands_are_added_in_one_place():
    """No command module reaches for the root app (and so adds itself to it) when imported."""
    got = _loaded_after(
        "import importlib, pkgutil\n"
        "import backcare.cli\n"
        "for m in pkgutil.iter_modules(backcare.cli.__path__):\n"
        "    if m.name != 'main':\n"
        "        importlib.import_module('backcare.cli.' + m.name)\n"
        "result = sorted(n for n in sys.modules if n == 'backcare.cli.main')\n"
    )
    assert got["result"] == []
