"""Read a diary of the recording's periods (work, leisure, sleep, non-wear) from a CSV file.

Format: a header row with the columns ``start``, ``end`` and ``context`` (any order, any case;
other columns are ignored), one period per row. ``start``/``end`` are ISO 8601 dates and times
(``2026-03-02 08:00`` or ``2026-03-02T08:00:00+01:00``); times without an offset are on the
recording's own clock. ``context`` is one of ``work``, ``leisure``, ``sleep`` or ``nonwear``
(``non-wear`` and ``non wear`` are accepted). Periods must not overlap.

Every problem is reported with the row it is on (row 1 is the first period after the header), so
the diary can be fixed without guessing. Nothing is dropped silently.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, tzinfo
from itertools import pairwise
from pathlib import Path

from backcare.errors import InputError
from backcare.io.answers import read_user_text

__all__ = ["CONTEXTS", "DiaryEntry", "parse_diary", "read_diary"]

CONTEXTS = ("work", "leisure", "sleep", "nonwear")
_ALIASES = {"non-wear": "nonwear", "non wear": "nonwear", "not worn": "nonwear"}
_MAX_ROWS = 10_000


@dataclass(frozen=True)
class DiaryEntry:
    """One diary period (timezone-aware times)."""

    start: datetime
    end: datetime
    context: str
    row: int


def _time(text: str, tz: tzinfo, where: str, column: str) -> datetime:
    value = text.strip()
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{column} {value!r} is not a date and time (write e.g. 2026-03-02 08:00)", where=where
        ) from None
    return t if t.tzinfo is not None else t.replace(tzinfo=tz)


def parse_diary(text: str, tz: tzinfo, *, source: str = "diary") -> list[DiaryEntry]:
    """Diary entries from CSV text (see the module docstring); ``tz`` for times without one."""
    reader = csv.DictReader(io.StringIO(text))
    header = {h.strip().lower(): h for h in (reader.fieldnames or []) if h}
    missing = [c for c in ("start", "end", "context") if c not in header]
    if missing:
        raise InputError(
            f"the diary needs the columns start, end and context (missing: {', '.join(missing)})",
            where=source,
        )
    entries: list[DiaryEntry] = []
    for i, raw in enumerate(reader, start=1):
        if i > _MAX_ROWS:
            raise InputError(f"more than {_MAX_ROWS} rows; is this a diary?", where=source)
        where = f"{source}: row {i}"
        values = {c: (raw.get(header[c]) or "").strip() for c in ("start", "end", "context")}
        if not any(values.values()):
            continue  # an empty line
        for c, v in values.items():
            if not v:
                raise InputError(f"{c} is empty", where=where)
        start = _time(values["start"], tz, where, "start")
        end = _time(values["end"], tz, where, "end")
        if not end > start:
            raise InputError(
                f"end {values['end']} is not after start {values['start']}", where=where
            )
        context = values["context"].lower()
        context = _ALIASES.get(context, context)
        if context not in CONTEXTS:
            raise InputError(
                f"unknown context {values['context']!r}; use work, leisure, sleep or nonwear",
                where=where,
            )
        entries.append(DiaryEntry(start, end, context, i))
    if not entries:
        raise InputError("the diary has no periods", where=source)
    ordered = sorted(entries, key=lambda e: e.start)
    for a, b in pairwise(ordered):
        if b.start < a.end:
            raise InputError(f"overlaps row {a.row} ({a.context})", where=f"{source}: row {b.row}")
    return entries


def read_diary(path: Path, tz: tzinfo) -> list[DiaryEntry]:
    """Diary entries from a CSV file (see :func:`parse_diary`)."""
    return parse_diary(read_user_text(path, "the diary"), tz, source=str(path))
