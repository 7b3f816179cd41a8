"""Progress charts: inline-safe SVG with the data drawn, titles for screen readers, bad input."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta

import pytest

from backcare.errors import InputError
from backcare.report.progress import (
    CHANGE_MARKERS,
    NO_DATA,
    DateWindow,
    ExposureDay,
    PainPoint,
    ScorePoint,
    ScoreSeries,
    date_window,
    exposure_chart,
    pain_chart,
    pain_line,
    scores_chart,
)

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _assert_inline_safe(svg: str, prefix: str) -> None:
    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    assert "<!DOCTYPE" not in svg
    assert "<style" not in svg
    assert ' style="' not in svg
    assert "<script" not in svg
    root = _parse(svg)
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text
    for element in root.iter():
        ident = element.get("id")
        if ident is not None:
            assert ident.startswith(prefix + "-"), ident
    for ref in re.findall(r'(?:href="#|url\(#)([^")]+)', svg):
        assert ref.startswith(prefix + "-"), ref


def test_pain_chart_is_inline_safe_and_titled():
    points = [PainPoint(date(2026, 1, 1) + timedelta(days=i), float(i % 11)) for i in range(12)]
    svg = pain_chart(points, chart_id="pain")
    _assert_inline_safe(svg, "pain")
    title = _parse(svg).find(f"{SVG}title")
    assert title is not None
    assert "2026-01-01" in (title.text or "")
    assert "2026-01-12" in (title.text or "")
    assert "latest 0 of 10" in (title.text or "")


def test_pain_line_breaks_over_missing_days():
    days = [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 9)]
    xs, ys = pain_line([PainPoint(d, 3.0) for d in reversed(days)])
    assert xs[:2] == days[:2]
    assert xs[-1] == days[2]
    assert len(xs) == 4
    assert math.isnan(ys[2])
    dense_x, dense_y = pain_line(
        [PainPoint(date(2026, 1, 1) + timedelta(days=i), 1) for i in range(5)]
    )
    assert len(dense_x) == 5
    assert not any(math.isnan(y) for y in dense_y)


def test_two_charts_on_one_page_share_no_ids():
    a = pain_chart([PainPoint(date(2026, 1, 1), 2)], chart_id="a")
    b = pain_chart([PainPoint(date(2026, 1, 1), 2)], chart_id="b")
    ids_a = set(re.findall(r' id="([^"]+)"', a))
    ids_b = set(re.findall(r' id="([^"]+)"', b))
    assert ids_a
    assert ids_a.isdisjoint(ids_b)


def test_pain_chart_rejects_bad_input():
    with pytest.raises(InputError, match="no diary entries"):
        pain_chart([])
    with pytest.raises(InputError, match="0-10"):
        pain_chart([PainPoint(date(2026, 1, 1), 11)])
    with pytest.raises(InputError):
        pain_chart([PainPoint(date(2026, 1, 1), math.nan)])


def _series(changes: list[str | None]) -> ScoreSeries:
    start = datetime(2026, 1, 1)
    return ScoreSeries(
        instrument="odi",
        label="ODI",
        low=0,
        high=100,
        unit="%",
        points=tuple(
            ScorePoint(start + timedelta(days=30 * i), 40 - 5 * i, c) for i, c in enumerate(changes)
        ),
    )


def test_scores_chart_marks_meaningful_change_by_class():
    svg = scores_chart([_series([None, "improved", "no_meaningful_change", "worsened"])])
    _assert_inline_safe(svg, "scores")
    for key in ("first", "improved", "no_meaningful_change", "worsened"):
        colour = CHANGE_MARKERS[key][1]
        assert colour.lower() in svg.lower(), key
    assert "ODI: 4 scores, latest 25 %" in svg
    only_first = scores_chart([_series([None])])
    assert CHANGE_MARKERS["improved"][1].lower() not in only_first.lower()


def test_scores_chart_rejects_out_of_range_and_empty():
    with pytest.raises(InputError):
        scores_chart([])
    bad = ScoreSeries("nrs", "Pain NRS", 0, 10, "points", (ScorePoint(datetime(2026, 1, 1), 12),))
    with pytest.raises(InputError, match="0-10"):
        scores_chart([bad])
    with pytest.raises(InputError):
        scores_chart([ScoreSeries("nrs", "Pain NRS", 0, 10, "points", ())])


def test_exposure_chart_draws_what_was_measured():
    days = [
        ExposureDay(date(2026, 2, 1), 30.0, 5.0, 300.0),
        ExposureDay(date(2026, 2, 2), 12.5, None, None),
    ]
    both = exposure_chart(days)
    _assert_inline_safe(both, "exposure")
    trunk_only = exposure_chart([ExposureDay(date(2026, 2, 1), 30.0, 5.0, None)])
    assert len(both) > len(trunk_only)  # the sitting panel is drawn only when measured
    with pytest.raises(InputError, match="no measured"):
        exposure_chart([ExposureDay(date(2026, 2, 1))])
    with pytest.raises(InputError, match="non-negative"):
        exposure_chart([ExposureDay(date(2026, 2, 1), -1.0)])
    with pytest.raises(InputError):
        exposure_chart([])


TODAY = date(2026, 3, 15)


def test_date_window_ends_today_and_covers_the_chosen_range():
    two = date_window("2w", TODAY)
    assert (two.start, two.end, two.days) == (TODAY - timedelta(days=13), TODAY, 14)
    three = date_window("3m", TODAY)
    assert three.end == TODAY
    assert three.days == 91
    assert date_window("nonsense", TODAY) == date_window(None, TODAY) == three
    everything = date_window("all", TODAY, date(2024, 5, 1))
    assert (everything.start, everything.end) == (date(2024, 5, 1), TODAY)
    # data starting in the future, or no data: still a range that ends today
    assert date_window("all", TODAY, TODAY + timedelta(days=30)).end == TODAY
    assert date_window("all", TODAY).days == 14
    assert TODAY + timedelta(days=1) not in everything
    assert datetime(2026, 3, 15, 23, 59) in everything


def test_charts_never_draw_past_today():
    window = date_window("2w", TODAY)
    points = [PainPoint(TODAY - timedelta(days=i), 4.0) for i in range(-3, 20)]
    svg = pain_chart(points, window=window)
    title = _parse(svg).find(f"{SVG}title")
    assert title is not None
    assert title.text
    assert f"to {TODAY.isoformat()}:" in title.text
    assert "14 rated days" in title.text  # 3 future days and older ones left out
    xs = [float(c.get("cx", "0")) for c in _parse(svg).iter(f"{SVG}circle")]
    assert xs
    assert max(xs) <= 380 - 8


def test_empty_range_says_no_data_instead_of_an_axis():
    window = DateWindow(date(2026, 3, 1), TODAY, "2w")
    old = [PainPoint(date(2025, 1, 1), 5.0)]
    svg = pain_chart(old, window=window)
    _assert_inline_safe(svg, "pain")
    assert NO_DATA in svg
    assert "chart-axis" not in svg
    scores = scores_chart(
        [
            ScoreSeries("nrs", "Pain", 0, 10, "points", (ScorePoint(datetime(2026, 3, 10), 4),)),
            ScoreSeries("odi", "ODI", 0, 100, "%", (ScorePoint(datetime(2025, 3, 10), 40),)),
        ],
        window=window,
    )
    assert scores.count(f">{NO_DATA}</text>") == 1  # the ODI panel only
    exposure = exposure_chart([ExposureDay(date(2026, 3, 12), 30.0, 5.0, None)], window=window)
    assert NO_DATA not in exposure
    assert "bent 60° or more" in exposure  # the legend names every colour drawn
    empty = exposure_chart([ExposureDay(date(2025, 3, 12), 30.0, 5.0, 200.0)], window=window)
    assert empty.count(f">{NO_DATA}</text>") == 2


def test_chart_text_is_readable_at_phone_width():
    svg = pain_chart([PainPoint(TODAY, 3.0)], window=date_window("2w", TODAY))
    root = _parse(svg)
    width = float(root.get("viewBox", "0 0 0 0").split()[2])
    sizes = [float(t.get("font-size", "0")) for t in root.iter(f"{SVG}text")]
    assert sizes
    # drawn at the ~330 px a 360 px phone leaves for it, every text is 11 px or more
    assert min(sizes) * 330 / width >= 11
