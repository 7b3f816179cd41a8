"""Diary CSV: periods with their context, and errors that name the row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from backcare.errors import InputError
from backcare.io.diary import parse_diary, read_diary

GOOD = """Start,End,Context,comment
2026-03-02 08:00,2026-03-02 16:00,work,office
2026-03-02 16:00,2026-03-02 22:30,Leisure,
2026-03-02T22:30:00+00:00,2026-03-03T06:30:00+00:00,sleep,
2026-03-03 06:30,2026-03-03 07:00,non-wear,shower
"""


def test_a_good_diary_is_read_with_times_on_the_recording_clock():
    entries = parse_diary(GOOD, UTC)
    assert [e.context for e in entries] == ["work", "leisure", "sleep", "nonwear"]
    assert entries[0].start == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert [e.row for e in entries] == [1, 2, 3, 4]
    cet = timezone(timedelta(hours=1))
    naive_only = "\n".join(GOOD.splitlines()[:3])
    assert parse_diary(naive_only, cet)[0].start.utcoffset() == timedelta(hours=1)
    # the same diary with the recording an hour ahead makes the UTC sleep row overlap
    with pytest.raises(InputError, match="overlaps row 3"):
        parse_diary(GOOD, cet)


@pytest.mark.parametrize(
    ("row", "text", "message"),
    [
        (2, "2026-03-02 09:00,2026-03-02 08:00,work", "not after start"),
        (2, "2026-03-02 09:00,2026-03-02 10:00,lunch", "unknown context 'lunch'"),
        (2, "yesterday,2026-03-02 10:00,work", "'yesterday' is not a date and time"),
        (2, "2026-03-02 09:00,,work", "end is empty"),
        (2, "2026-03-02 07:30,2026-03-02 08:30,leisure", "overlaps row 1"),
    ],
)
def test_errors_name_the_row(row, text, message):
    csv_text = "start,end,context\n2026-03-02 07:00,2026-03-02 08:00,work\n" + text + "\n"
    with pytest.raises(InputError, match=message) as err:
        parse_diary(csv_text, UTC, source="diary.csv")
    assert err.value.where == f"diary.csv: row {row}"


def test_missing_columns_and_empty_diaries_are_errors(tmp_path):
    with pytest.raises(InputError, match="missing: context"):
        parse_diary("start,end\n2026-03-02 07:00,2026-03-02 08:00\n", UTC)
    with pytest.raises(InputError, match="no periods"):
        parse_diary("start,end,context\n,,\n", UTC)
    path = tmp_path / "diary.csv"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(InputError, match="cannot read the diary"):
        read_diary(path, UTC)
