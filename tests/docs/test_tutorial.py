"""docs/tutorial.md runs as it is: its ```python blocks, in order, in a fresh folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "tutorial.md"


def _blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)


def test_the_tutorial_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _blocks(TUTORIAL.read_text(encoding="utf-8"))
    assert len(blocks) >= 10
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "tutorial"}
    for number, code in enumerate(blocks, start=1):
        try:
            exec(compile(code, f"{TUTORIAL.name} block {number}", "exec"), namespace)
        except Exception as exc:
            raise AssertionError(f"block {number} of the tutorial failed:\n{code}") from exc
    assert (tmp_path / "results" / "report.html").is_file()


def test_the_blocks_are_found() -> None:
    text = "a\n```python\nx = 1\n```\nb\n```\nnot python\n```\n```python\ny = 2\n```\n"
    assert _blocks(text) == ["x = 1\n", "y = 2\n"]
