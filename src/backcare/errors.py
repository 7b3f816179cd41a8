"""Exceptions shared by every layer.

Every error a user can cause derives from :class:`BackcareError` and carries a message that names
the problem *and the place* (file, item, block, field), so the CLI and the web app can show it
without a traceback.
"""

from __future__ import annotations

import re

__all__ = [
    "BackcareError",
    "InputError",
    "KnowledgeError",
    "MissingExtraError",
    "redact_paths",
]

# an absolute path (POSIX or Windows) of at least two parts; the last part is kept
_PATH = re.compile(r"(?<![\w.~:/])(?:[A-Za-z]:)?[\\/](?:[^\s'\"\\/:]+[\\/])+([^\s'\"\\/:]+)")


def redact_paths(text: str) -> str:
    """``text`` with every absolute file path cut to its file name, for messages shown to people
    (a server's folders, and the person ids in them, are nobody's business)."""
    return _PATH.sub(lambda m: m.group(1), text)


class BackcareError(Exception):
    """Base class of all errors backcare reports to a user."""


class InputError(BackcareError, ValueError):
    """Bad input from a user or a file.

    Parameters
    ----------
    message
        What is wrong and which rule it breaks.
    where
        The place: a file name, ``file:block 12``, an item id such as ``odi.3``, a CLI option.
    """

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.where = where
        self.problem = message
        super().__init__(f"{where}: {message}" if where else message)


class KnowledgeError(BackcareError):
    """A knowledge data file is malformed or refers to something that does not exist."""


class MissingExtraError(BackcareError, ImportError):
    """An optional dependency group is not installed."""

    def __init__(self, extra: str, purpose: str) -> None:
        self.extra = extra
        super().__init__(
            f"{purpose} needs the optional extra '{extra}'. "
            f"Install it with: pip install 'backcare[{extra}]' (or run `make install`)."
        )
