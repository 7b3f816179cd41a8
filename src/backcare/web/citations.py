"""Numbered citations for result pages: sources are numbered in order of first use."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from backcare.knowledge import source

__all__ = ["Citation", "References"]


@dataclass(frozen=True)
class Citation:
    number: int
    id: str
    citation: str
    link: str


class References:
    """Call :meth:`cite` while rendering; :meth:`entries` then lists every source cited."""

    def __init__(self) -> None:
        self._ids: list[str] = []

    def cite(self, ids: Iterable[str]) -> list[int]:
        """The numbers of ``ids`` (new ids get the next numbers)."""
        numbers = []
        for sid in ids:
            if sid not in self._ids:
                self._ids.append(sid)
            numbers.append(self._ids.index(sid) + 1)
        return numbers

    def entries(self) -> list[Citation]:
        out = []
        for n, sid in enumerate(self._ids, start=1):
            src = source(sid)
            link = f"https://doi.org/{src.doi}" if src.doi else str(src.url)
            out.append(Citation(n, sid, src.citation, link))
        return out
