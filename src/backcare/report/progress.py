"""Progress charts as inline SVG: daily pain, questionnaire scores with meaningful-change markers,
and daily posture exposure, over one date range shared by every chart of a page.

Each chart is a pure function from data to an SVG string, drawn directly as SVG elements (a few
hundred microseconds per chart, so a page can draw its charts on every request). The SVG is safe
to inline under a strict Content-Security-Policy: no ``<style>`` element, no ``style``
attribute, no script, no XML prolog; the only id (the title's) is prefixed per chart, so several
charts share one page. Text and axes use ``currentColor`` and the classes ``chart-grid`` /
``chart-axis``, so the page's stylesheet sets them for light and dark mode; series colours are
mid-tones readable on both. The drawing is 380 units wide with 13.5-unit text: at a phone's
360 px (about 330 px of chart) text stays at 11 px or more.

:class:`DateWindow` is the page's range (last 2 weeks, last 3 months, or everything), never
past today: points outside it are left out, and a panel with nothing in it says "no data yet"
instead of drawing an empty axis. The root element carries ``role="img"`` and a ``<title>``;
pages show the same numbers in a table for screen readers and for people who prefer numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

from backcare.errors import InputError

__all__ = [
    "CHANGE_MARKERS",
    "DATE_RANGES",
    "NO_DATA",
    "DateWindow",
    "ExposureDay",
    "PainPoint",
    "ScorePoint",
    "ScoreSeries",
    "date_window",
    "exposure_chart",
    "mic_legend",
    "pain_chart",
    "pain_line",
    "scores_chart",
]

_PAIN = "#c2410c"
_SCORE = "#2563eb"
_BAND20 = "#60a5fa"
_BAND60 = "#1e3a8a"
_SIT = "#d97706"

#: What an empty panel says instead of drawing an axis.
NO_DATA = "no data yet"

#: Marker, colour and legend text per meaningful-change class (shape and colour both differ).
CHANGE_MARKERS: dict[str, tuple[str, str, str]] = {
    "improved": ("v", "#15803d", "better by a meaningful amount"),
    "worsened": ("^", "#b91c1c", "worse by a meaningful amount"),
    "no_meaningful_change": ("o", "#6b7280", "change too small to matter"),
    "not_applicable": ("s", "#6b7280", "no change rule for this questionnaire"),
    "first": ("D", _SCORE, "first score"),
}


@dataclass(frozen=True)
class PainPoint:
    """One diary day's pain rating (0-10 NRS)."""

    day: date
    nrs: float


@dataclass(frozen=True)
class ScorePoint:
    """One assessment's score and how it changed from the previous one.

    ``change`` is the class from ``classify_change`` (``improved``, ``worsened``,
    ``no_meaningful_change``, ``not_applicable``), ``None`` for the first assessment.
    """

    when: datetime
    total: float
    change: str | None = None


@dataclass(frozen=True)
class ScoreSeries:
    """An instrument's scores over time with its scale."""

    instrument: str
    label: str
    low: float
    high: float
    unit: str
    points: tuple[ScorePoint, ...]
    #: ``True`` when a higher score is worse (every shipped instrument but none is inverted).
    higher_is_worse: bool = True


@dataclass(frozen=True)
class ExposureDay:
    """Daily posture exposure: minutes of forward trunk inclination at or above 20 and 60 degrees
    and sitting minutes, each ``None`` where not measured."""

    day: date
    trunk_ge20_min: float | None = None
    trunk_ge60_min: float | None = None
    sitting_min: float | None = None


# -- the date range --------------------------------------------------------------------------------

#: The reader's choices: key -> (words, days; ``None`` for everything).
DATE_RANGES: dict[str, tuple[str, int | None]] = {
    "2w": ("last 2 weeks", 14),
    "3m": ("last 3 months", 91),
    "all": ("everything", None),
}
DEFAULT_RANGE = "3m"


@dataclass(frozen=True)
class DateWindow:
    """Days ``start`` to ``end`` inclusive (``end`` is today at the latest)."""

    start: date
    end: date
    key: str = DEFAULT_RANGE

    @property
    def label(self) -> str:
        return DATE_RANGES.get(self.key, ("", None))[0]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        if isinstance(day, datetime):
            day = day.date()
        return isinstance(day, date) and self.start <= day <= self.end


def date_window(choice: str | None, today: date, first: date | None = None) -> DateWindow:
    """The page's date range for the reader's ``choice`` (``2w``, ``3m``, ``all``; anything else
    is the default, 3 months), ending today. ``all`` starts at ``first`` (the earliest data),
    and covers at least two weeks; data after today are never inside."""
    key = choice if choice in DATE_RANGES else DEFAULT_RANGE
    days = DATE_RANGES[key][1]
    if days is None:
        start = today - timedelta(days=13)
        if first is not None and first < start:
            start = first
    else:
        start = today - timedelta(days=days - 1)
    return DateWindow(start, today, key)


def _data_window(days: Sequence[date]) -> DateWindow:
    first, last = min(days), max(days)
    if (last - first).days < 6:  # a week at least, centred on the data
        pad = (6 - (last - first).days + 1) // 2
        first, last = first - timedelta(days=pad), last + timedelta(days=pad)
    return DateWindow(first, last, "data")


# -- drawing ---------------------------------------------------------------------------------------

_W = 380.0
_LEFT = 38.0
_RIGHT = 8.0
_FONT = 13.5
_PANEL_H = 130.0
_AXIS_H = 22.0
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: float = _FONT) -> str:
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" font-size="{_f(size)}" text-anchor="{anchor}" '
        f'fill="currentColor">{escape(text)}</text>'
    )


def _day_label(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]}"


class _Frame:
    """A panel's coordinates: days of ``window`` across, ``low``-``high`` up."""

    def __init__(self, window: DateWindow, top: float, low: float, high: float) -> None:
        self.window = window
        self.top = top
        self.low = low
        self.high = high
        self.width = _W - _LEFT - _RIGHT
        self.day_w = self.width / window.days

    def x(self, moment: date | datetime) -> float:
        """The centre of a day (a datetime: its place within the day)."""
        if isinstance(moment, datetime):
            day = moment.date()
            frac = (moment.hour * 3600 + moment.minute * 60 + moment.second) / 86400.0
        else:
            day, frac = moment, 0.5
        return _LEFT + ((day - self.window.start).days + frac) * self.day_w

    def y(self, value: float) -> float:
        span = self.high - self.low or 1.0
        return self.top + _PANEL_H * (1.0 - (value - self.low) / span)

    def grid(self, ticks: Sequence[float], label: str) -> list[str]:
        out = []
        for t in ticks:
            y = self.y(t)
            out.append(
                f'<line class="chart-grid" x1="{_f(_LEFT)}" x2="{_f(_W - _RIGHT)}" '
                f'y1="{_f(y)}" y2="{_f(y)}" stroke="#d0d7de" stroke-width="0.8"/>'
            )
            out.append(_text(_LEFT - 4, y + 4.5, f"{t:g}", anchor="end"))
        bottom = self.top + _PANEL_H
        out.append(
            f'<line class="chart-axis" x1="{_f(_LEFT)}" x2="{_f(_W - _RIGHT)}" '
            f'y1="{_f(bottom)}" y2="{_f(bottom)}" stroke="currentColor" stroke-width="1"/>'
        )
        out.append(_text(_LEFT, self.top - 5, label))
        return out

    def date_axis(self) -> list[str]:
        bottom = self.top + _PANEL_H
        n = self.window.days
        step = next((s for s in (1, 2, 7, 14, 30, 61, 91, 182, 365) if n / s <= 5), 730)
        out = []
        day = self.window.start
        if step >= 7:  # ticks on Mondays or the first of a month, where the step allows
            if step >= 30:
                day = date(day.year, day.month, 1)
                if day < self.window.start:
                    day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
            else:
                day += timedelta(days=(7 - day.weekday()) % 7)
        while day <= self.window.end:
            x = self.x(day)
            out.append(
                f'<line class="chart-axis" x1="{_f(x)}" x2="{_f(x)}" y1="{_f(bottom)}" '
                f'y2="{_f(bottom + 4)}" stroke="currentColor" stroke-width="1"/>'
            )
            text = _day_label(day)
            half = 0.3 * _FONT * len(text)
            if x + half > _W - 1:  # keep the label inside the drawing
                out.append(_text(_W - 1, bottom + 17, text, anchor="end"))
            elif x - half < 1:
                out.append(_text(1, bottom + 17, text))
            else:
                out.append(_text(x, bottom + 17, text, anchor="middle"))
            if step >= 30:
                months = round(step / 30.4)
                m = day.month - 1 + months
                day = date(day.year + m // 12, m % 12 + 1, 1)
            else:
                day += timedelta(days=step)
        return out


def _empty_panel(top: float, label: str) -> list[str]:
    mid = top + _PANEL_H / 2
    return [
        _text(_LEFT, top - 5, label),
        f'<rect class="chart-grid" x="{_f(_LEFT)}" y="{_f(top)}" width="{_f(_W - _LEFT - _RIGHT)}" '
        f'height="{_f(_PANEL_H)}" fill="none" stroke="#d0d7de" stroke-dasharray="4 4"/>',
        _text(_W / 2, mid + 4, NO_DATA, anchor="middle"),
    ]


def _marker(shape: str, x: float, y: float, colour: str, r: float = 5.0) -> str:
    common = f'fill="{colour}" stroke="currentColor" stroke-width="0.7"'
    if shape == "o":
        return f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}" {common}/>'
    if shape == "s":
        return (
            f'<rect x="{_f(x - r)}" y="{_f(y - r)}" width="{_f(2 * r)}" height="{_f(2 * r)}" '
            f"{common}/>"
        )
    points = {
        "^": ((0, -r * 1.2), (r * 1.1, r), (-r * 1.1, r)),
        "v": ((0, r * 1.2), (r * 1.1, -r), (-r * 1.1, -r)),
        "D": ((0, -r * 1.3), (r, 0), (0, r * 1.3), (-r, 0)),
    }[shape]
    coords = " ".join(f"{_f(x + dx)},{_f(y + dy)}" for dx, dy in points)
    return f'<polygon points="{coords}" {common}/>'


def _legend(items: Sequence[tuple[str, str, str]], top: float) -> tuple[list[str], float]:
    """Legend entries ``(shape, colour, text)`` wrapped to the width; returns the elements and
    the height used. ``shape`` ``bar`` draws a swatch."""
    out: list[str] = []
    x, y = _LEFT, top + 10
    for shape, colour, text in items:
        width = 18 + 0.56 * _FONT * len(text) + 12
        if x + width > _W - _RIGHT and x > _LEFT:
            x, y = _LEFT, y + 19
        if shape == "bar":
            out.append(
                f'<rect x="{_f(x)}" y="{_f(y - 6)}" width="12" height="12" fill="{colour}"/>'
            )
        elif shape == "line":
            out.append(
                f'<line x1="{_f(x)}" x2="{_f(x + 12)}" y1="{_f(y)}" y2="{_f(y)}" '
                f'stroke="{colour}" stroke-width="2.5"/>'
            )
        else:
            out.append(_marker(shape, x + 6, y, colour, 4.5))
        out.append(_text(x + 17, y + 4.5, text))
        x += width
    return out, y - top + 14


def _svg(prefix: str, title: str, height: float, body: Sequence[str]) -> str:
    title_id = f"{prefix}-title"
    return (
        f'<svg role="img" aria-labelledby="{title_id}" xmlns="http://www.w3.org/2000/svg" '
        f'class="chart" viewBox="0 0 {_f(_W)} {_f(height)}" width="{_f(_W)}" '
        f'height="{_f(height)}" font-family="system-ui, sans-serif" '
        f'stroke-linejoin="round" stroke-linecap="butt">'
        f'<title id="{title_id}">{escape(title)}</title>' + "".join(body) + "</svg>"
    )


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    span = high - low
    if span <= 0:
        return [low]
    raw = span / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(low / step) * step
    out = []
    t = first
    while t <= high + 1e-9:
        out.append(round(t, 6))
        t += step
    return out


def _check_number(value: float, lo: float, hi: float, where: str) -> None:
    if not (math.isfinite(value) and lo <= value <= hi):
        raise InputError(f"must lie within {lo:g}-{hi:g}, got {value!r}", where=where)


# -- charts ----------------------------------------------------------------------------------------


def pain_line(points: Sequence[PainPoint]) -> tuple[list[date], list[float]]:
    """The pain line's x and y values, oldest first, with a NaN after each day that is followed
    by a gap, so the line is not drawn across days without a rating."""
    ordered = sorted(points, key=lambda p: p.day)
    xs: list[date] = []
    ys: list[float] = []
    for prev, cur in zip([None, *ordered[:-1]], ordered, strict=True):
        if prev is not None and (cur.day - prev.day) > timedelta(days=1):
            xs.append(prev.day + timedelta(days=1))
            ys.append(math.nan)
        xs.append(cur.day)
        ys.append(cur.nrs)
    return xs, ys


def _paths(frame: _Frame, xs: Sequence[date | datetime], ys: Sequence[float]) -> list[str]:
    """Polyline ``d`` strings, broken at NaN values."""
    runs: list[list[str]] = [[]]
    for x, y in zip(xs, ys, strict=True):
        if math.isnan(y):
            runs.append([])
            continue
        runs[-1].append(f"{_f(frame.x(x))},{_f(frame.y(y))}")
    return ["M" + " L".join(run) for run in runs if len(run) > 1]


def pain_chart(
    points: Sequence[PainPoint], *, chart_id: str = "pain", window: DateWindow | None = None
) -> str:
    """Daily pain (NRS 0-10) as a line that breaks where days are missing, over ``window``
    (default: the data's own days).

    Raises
    ------
    InputError
        With no points, or a rating outside 0-10.
    """
    if not points:
        raise InputError("no diary entries with a pain rating to plot", where="pain chart")
    ordered = sorted(points, key=lambda p: p.day)
    for p in ordered:
        _check_number(p.nrs, 0, 10, f"pain chart: {p.day.isoformat()}")
    window = window or _data_window([p.day for p in ordered])
    shown = [p for p in ordered if p.day in window]
    top = 22.0
    label = "pain (0 = none, 10 = worst)"
    height = top + _PANEL_H + _AXIS_H + 4
    if not shown:
        body = _empty_panel(top, label)
        return _svg(chart_id, f"Daily pain, {window.label}: {NO_DATA}", height - _AXIS_H, body)
    frame = _Frame(window, top, 0, 10)
    body = frame.grid([0, 2, 4, 6, 8, 10], label)
    xs, ys = pain_line(shown)
    for d in _paths(frame, xs, ys):
        body.append(f'<path d="{d}" fill="none" stroke="{_PAIN}" stroke-width="2"/>')
    for p in shown:
        body.append(
            f'<circle cx="{_f(frame.x(p.day))}" cy="{_f(frame.y(p.nrs))}" r="3" fill="{_PAIN}"/>'
        )
    body += frame.date_axis()
    title = (
        f"Daily pain from {shown[0].day.isoformat()} to {shown[-1].day.isoformat()}: "
        f"{len(shown)} rated days, latest {shown[-1].nrs:g} of 10"
    )
    return _svg(chart_id, title, height, body)


def scores_chart(
    series: Sequence[ScoreSeries], *, chart_id: str = "scores", window: DateWindow | None = None
) -> str:
    """One panel per instrument: scores over time on the instrument's own scale, each point
    marked by its meaningful-change class against the previous assessment; a panel without a
    score in ``window`` says "no data yet".

    Raises
    ------
    InputError
        With no series, an empty series, or a score outside the instrument's range.
    """
    if not series:
        raise InputError("no questionnaire scores to plot", where="scores chart")
    for s in series:
        if not s.points:
            raise InputError("a series needs at least one score", where=f"scores chart: {s.label}")
        for p in s.points:
            _check_number(p.total, s.low, s.high, f"scores chart: {s.label}")
    window = window or _data_window([p.when.date() for s in series for p in s.points])
    used: dict[str, None] = {}
    body: list[str] = []
    top = 22.0
    gap = _PANEL_H + _AXIS_H + 30
    for i, s in enumerate(series):
        panel_top = top + i * gap
        label = f"{s.label} ({s.unit})"
        if len(label) > 52:
            label = label[:50] + "…"
        pts = sorted((p for p in s.points if p.when in window), key=lambda p: p.when)
        if not pts:
            body += _empty_panel(panel_top, label)
            continue
        frame = _Frame(window, panel_top, s.low, s.high)
        body += frame.grid(_ticks(s.low, s.high), label)
        if len(pts) > 1:
            d = " L".join(f"{_f(frame.x(p.when))},{_f(frame.y(p.total))}" for p in pts)
            body.append(
                f'<path d="M{d}" fill="none" stroke="{_SCORE}" stroke-width="1.5" '
                'stroke-opacity="0.7"/>'
            )
        for p in pts:
            key = p.change or "first"
            marker, colour, _ = CHANGE_MARKERS.get(key, CHANGE_MARKERS["not_applicable"])
            used[key] = None
            body.append(_marker(marker, frame.x(p.when), frame.y(p.total), colour))
        body += frame.date_axis()
    legend_top = top + len(series) * gap - 20
    items = [CHANGE_MARKERS[k] for k in CHANGE_MARKERS if k in used]
    legend, legend_h = _legend(items, legend_top)
    body += legend
    parts = []
    for s in series:
        latest = max(s.points, key=lambda p: p.when)
        parts.append(f"{s.label}: {len(s.points)} scores, latest {latest.total:g} {s.unit}")
    height = legend_top + (legend_h if items else 0) + 4
    return _svg(chart_id, "Questionnaire scores over time. " + "; ".join(parts), height, body)


def _bars(
    frame: _Frame, days: Sequence[date], values: Sequence[float | None], colour: str, share: float
) -> list[str]:
    out = []
    width = max(1.0, frame.day_w * share)
    for day, value in zip(days, values, strict=True):
        if value is None or value <= 0:
            continue
        y = frame.y(value)
        out.append(
            f'<rect x="{_f(frame.x(day) - width / 2)}" y="{_f(y)}" width="{_f(width)}" '
            f'height="{_f(frame.top + _PANEL_H - y)}" fill="{colour}"/>'
        )
    return out


def exposure_chart(
    days: Sequence[ExposureDay], *, chart_id: str = "exposure", window: DateWindow | None = None
) -> str:
    """Daily minutes with the trunk bent forward at least 20 and 60 degrees and, when measured,
    daily sitting time, over ``window``; a panel without data in it says "no data yet".

    Raises
    ------
    InputError
        With no days, a negative or non-finite value, or days where nothing was measured.
    """
    if not days:
        raise InputError("no posture sessions with a daily summary to plot", where="exposure chart")
    ordered = sorted(days, key=lambda d: d.day)
    for d in ordered:
        for name in ("trunk_ge20_min", "trunk_ge60_min", "sitting_min"):
            value = getattr(d, name)
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise InputError(
                    f"{name} must be a non-negative number of minutes, got {value!r}",
                    where=f"exposure chart: {d.day.isoformat()}",
                )
    has_trunk = any(d.trunk_ge20_min is not None or d.trunk_ge60_min is not None for d in ordered)
    has_sit = any(d.sitting_min is not None for d in ordered)
    if not (has_trunk or has_sit):
        raise InputError("the days hold no measured exposure", where="exposure chart")
    window = window or _data_window([d.day for d in ordered])
    shown = [d for d in ordered if d.day in window]
    xs = [d.day for d in shown]
    body: list[str] = []
    top = 22.0
    gap = _PANEL_H + _AXIS_H + 30
    legend_items: list[tuple[str, str, str]] = []
    panels = 0
    if has_trunk:
        label = "trunk bent forward (minutes per day)"
        ge20 = [d.trunk_ge20_min for d in shown]
        ge60 = [d.trunk_ge60_min for d in shown]
        values = [v for v in (*ge20, *ge60) if v is not None]
        if not values:
            body += _empty_panel(top, label)
        else:
            high = _ticks(0, max(max(values), 1.0))[-1]
            high = high if high >= max(values) else max(values) * 1.1
            frame = _Frame(window, top, 0, high)
            body += frame.grid(_ticks(0, high), label)
            body += _bars(frame, xs, ge20, _BAND20, 0.8)
            body += _bars(frame, xs, ge60, _BAND60, 0.45)
            body += frame.date_axis()
        legend_items += [
            ("bar", _BAND20, "bent 20° or more"),
            ("bar", _BAND60, "bent 60° or more"),
        ]
        panels += 1
    if has_sit:
        panel_top = top + panels * gap
        label = "sitting (hours per day)"
        sit = [None if d.sitting_min is None else d.sitting_min / 60.0 for d in shown]
        values = [v for v in sit if v is not None]
        if not values:
            body += _empty_panel(panel_top, label)
        else:
            high = max(max(values), 1.0)
            ticks = _ticks(0, high)
            high = max(high, ticks[-1])
            frame = _Frame(window, panel_top, 0, high)
            body += frame.grid(ticks, label)
            body += _bars(frame, xs, sit, _SIT, 0.8)
            body += frame.date_axis()
        legend_items.append(("bar", _SIT, "sitting"))
        panels += 1
    legend_top = top + panels * gap - 20
    legend, legend_h = _legend(legend_items, legend_top)
    body += legend
    if shown:
        title = (
            f"Daily posture exposure from {shown[0].day.isoformat()} to "
            f"{shown[-1].day.isoformat()} ({len(shown)} days)"
        )
    else:
        title = f"Daily posture exposure, {window.label}: {NO_DATA}"
    return _svg(chart_id, title, legend_top + legend_h + 4, body)


def mic_legend() -> Mapping[str, str]:
    """Legend text per change class (for the page's table fallback)."""
    return {key: text for key, (_, _, text) in CHANGE_MARKERS.items()}
