"""Read questionnaire answers (``{item_id: value | null}``) from a JSON file."""

from __future__ import annotations

import json
from pathlib import Path

from backcare.errors import InputError

__all__ = ["read_answers", "read_user_text"]


def read_user_text(path: Path, what: str) -> str:
    """The UTF-8 text of a user's file; an unreadable file raises ``InputError`` naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {what} ({exc})", where=str(path)) from exc


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKeyError(key)
        out[key] = value
    return out


def read_answers(path: str | Path) -> dict[str, object]:
    """Read a JSON object of answers; values are checked later, when scoring.

    Raises
    ------
    InputError
        The file cannot be read, is not JSON, is not a JSON object or repeats a key; the error
        names the file (and the line and column for a syntax error).
    """
    path = Path(path)
    where = str(path)
    text = read_user_text(path, "the answers file")
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except _DuplicateKeyError as exc:
        raise InputError(f"key {exc.args[0]!r} is given twice", where=where) from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", where=where
        ) from exc
    if not isinstance(data, dict):
        raise InputError(
            f'answers must be a JSON object such as {{"odi.1": 2}}, not a {type(data).__name__}',
            where=where,
        )
    return data
