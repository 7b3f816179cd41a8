"""Progress charts as inline SVG: daily pain, questionnaire scores with meaningful-change markers,
and daily posture exposure.

Each chart is a pure function from data to an SVG string, drawn with matplotlib's object API (no
pyplot state). The SVG is made safe to inline under a strict Content-Security-Policy: no
``<style>`` element and no ``style`` attribute (matplotlib's inline styles become SVG
presentation attributes), no XML prolog, and element ids prefixed per chart so several charts
can share one page. The root element carries ``role="img"`` and a ``<title>``; pages show the
same numbers in a table for screen readers and for people who prefer numbers.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape
from typing import TYPE_CHECKING

from backcare.errors import InputError

if TYPE_CHECKING:  # matplotlib loads when a chart is drawn, not with the progress page's types
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "CHANGE_MARKERS",
    "ExposureDay",
    "PainPoint",
    "ScorePoint",
    "ScoreSeries",
    "exposure_chart",
    "mic_legend",
    "pain_chart",
    "pain_line",
    "scores_chart",
]

_INK = "#1f2933"
_GRID = "#d9dee3"
_PAIN = "#c2410c"
_SCORE = "#1d4ed8"
_BAND20 = "#93c5fd"
_BAND60 = "#1e3a8a"
_SIT = "#b45309"

#: Marker, colour and legend text per meaningful-change class (shape and colour both differ).
CHANGE_MARKERS: dict[str, tuple[str, str, str]] = {
    "improved": ("v", "#15803d", "improved (≥ MIC)"),
    "worsened": ("^", "#b91c1c", "worsened (≥ MIC)"),
    "no_meaningful_change": ("o", "#6b7280", "change within the MIC"),
    "not_applicable": ("s", "#6b7280", "no MIC for this instrument"),
    "first": ("D", _SCORE, "first assessment"),
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


# -- SVG post-processing ---------------------------------------------------------------------------

_STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>", re.S)
_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')
_ID_ATTR = re.compile(r'\bid="([^"]+)"')
_PROLOG = re.compile(r"^.*?(<svg\b)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>", re.S)


def _presentation(match: re.Match[str]) -> str:
    attrs = []
    for decl in match.group(1).split(";"):
        if ":" not in decl:
            continue
        name, value = (part.strip() for part in decl.split(":", 1))
        if name and value:
            attrs.append(f' {name}="{escape(value, quote=True)}"')
    return "".join(attrs)


def _inline_safe(svg: str, prefix: str, title: str) -> str:
    svg = _PROLOG.sub(r"\1", svg, count=1)
    svg = _METADATA.sub("", svg)
    svg = _STYLE_ELEMENT.sub("", svg)
    svg = _STYLE_ATTR.sub(_presentation, svg)
    ids = sorted(set(_ID_ATTR.findall(svg)), key=len, reverse=True)
    for old in ids:
        new = f"{prefix}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"')
        svg = svg.replace(f'"#{old}"', f'"#{new}"')
        svg = svg.replace(f"url(#{old})", f"url(#{new})")
    title_id = f"{prefix}-title"
    svg = re.sub(
        r"<svg\b",
        f'<svg role="img" aria-labelledby="{title_id}" class="chart" '
        'stroke-linejoin="round" stroke-linecap="butt"',
        svg,
        count=1,
    )
    svg = re.sub(
        r"(<svg\b[^>]*>)",
        lambda m: f'{m.group(1)}<title id="{title_id}">{escape(title)}</title>',
        svg,
        count=1,
    )
    return svg.strip()


def _render(fig: Figure, prefix: str, title: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return _inline_safe(buf.getvalue(), prefix, title)


def _figure(height_in: float) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, height_in), dpi=96, layout="constrained")
    fig.patch.set_alpha(0)
    return fig


def _style_axes(ax: Axes) -> None:
    ax.grid(True, color=_GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=_INK, labelsize=8)


def _date_axis(ax: Axes) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
    formatter = mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)


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


def pain_chart(points: Sequence[PainPoint], *, chart_id: str = "pain") -> str:
    """Daily pain (NRS 0-10) as a line that breaks where days are missing.

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
    xs, ys = pain_line(ordered)
    fig = _figure(2.6)
    ax = fig.add_subplot()
    ax.plot(xs, ys, color=_PAIN, linewidth=1.6, marker="o", markersize=3.5)  # type: ignore[arg-type]
    ax.set_ylim(-0.3, 10.3)
    ax.set_yticks(range(0, 11, 2))
    ax.set_ylabel("pain (NRS 0–10)", color=_INK, fontsize=9)
    if len(ordered) == 1:
        day = ordered[0].day
        ax.set_xlim(day - timedelta(days=3), day + timedelta(days=3))  # type: ignore[arg-type]
    _date_axis(ax)
    _style_axes(ax)
    title = (
        f"Daily pain from {ordered[0].day.isoformat()} to {ordered[-1].day.isoformat()}: "
        f"{len(ordered)} rated days, latest {ordered[-1].nrs:g} of 10"
    )
    return _render(fig, chart_id, title)


def scores_chart(series: Sequence[ScoreSeries], *, chart_id: str = "scores") -> str:
    """One panel per instrument: scores over time on the instrument's own scale, each point
    marked by its meaningful-change class against the previous assessment.

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
    fig = _figure(1.2 + 1.9 * len(series))
    axes = fig.subplots(len(series), 1, squeeze=False, sharex=True)[:, 0]
    used: dict[str, None] = {}
    for ax, s in zip(axes, series, strict=True):
        pts = sorted(s.points, key=lambda p: p.when)
        xs = [p.when for p in pts]
        ys = [p.total for p in pts]
        ax.plot(xs, ys, color=_SCORE, linewidth=1.2, alpha=0.7)
        for p in pts:
            key = p.change or "first"
            marker, colour, _ = CHANGE_MARKERS.get(key, CHANGE_MARKERS["not_applicable"])
            used[key] = None
            ax.plot(
                [p.when],
                [p.total],
                linestyle="none",
                marker=marker,
                markersize=7,
                color=colour,
                markeredgecolor=_INK,
                markeredgewidth=0.5,
            )
        span = s.high - s.low
        ax.set_ylim(s.low - 0.04 * span, s.high + 0.04 * span)
        ax.set_ylabel(f"{s.label}\n({s.unit})", color=_INK, fontsize=8)
        if len(pts) == 1:
            ax.set_xlim(pts[0].when - timedelta(days=7), pts[0].when + timedelta(days=7))
        _date_axis(ax)
        _style_axes(ax)
    handles = []
    labels = []
    for key in CHANGE_MARKERS:
        if key in used:
            marker, colour, text = CHANGE_MARKERS[key]
            (handle,) = axes[0].plot(
                [],
                [],
                linestyle="none",
                marker=marker,
                color=colour,
                markeredgecolor=_INK,
                markeredgewidth=0.5,
            )
            handles.append(handle)
            labels.append(text)
    fig.legend(handles, labels, loc="outside upper center", ncols=len(handles), fontsize=8)
    parts = []
    for s in series:
        latest = max(s.points, key=lambda p: p.when)
        parts.append(f"{s.label}: {len(s.points)} scores, latest {latest.total:g} {s.unit}")
    return _render(fig, chart_id, "Questionnaire scores over time. " + "; ".join(parts))


def exposure_chart(days: Sequence[ExposureDay], *, chart_id: str = "exposure") -> str:
    """Daily minutes with the trunk bent forward at least 20 and 60 degrees and, when measured,
    daily sitting time.

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
    rows = int(has_trunk) + int(has_sit)
    fig = _figure(1.0 + 2.1 * rows)
    axes = list(fig.subplots(rows, 1, squeeze=False, sharex=True)[:, 0])
    xs = [d.day for d in ordered]
    width = 0.8
    if has_trunk:
        ax = axes.pop(0)
        ge20 = [math.nan if d.trunk_ge20_min is None else d.trunk_ge20_min for d in ordered]
        ge60 = [math.nan if d.trunk_ge60_min is None else d.trunk_ge60_min for d in ordered]
        ax.bar(xs, ge20, width=width, color=_BAND20, label="trunk ≥ 20° forward")
        ax.bar(xs, ge60, width=width * 0.55, color=_BAND60, label="trunk ≥ 60° forward")
        ax.set_ylabel("minutes per day", color=_INK, fontsize=8)
        ax.legend(fontsize=8, loc="upper left", frameon=False)
        _date_axis(ax)
        _style_axes(ax)
    if has_sit:
        ax = axes.pop(0)
        sit = [math.nan if d.sitting_min is None else d.sitting_min / 60.0 for d in ordered]
        ax.bar(xs, sit, width=width, color=_SIT, label="sitting")
        ax.set_ylabel("sitting (hours per day)", color=_INK, fontsize=8)
        _date_axis(ax)
        _style_axes(ax)
    if len(ordered) == 1:
        day = ordered[0].day
        fig.axes[0].set_xlim(day - timedelta(days=3), day + timedelta(days=3))  # type: ignore[arg-type]
    title = (
        f"Daily posture exposure from {ordered[0].day.isoformat()} to "
        f"{ordered[-1].day.isoformat()} ({len(ordered)} days)"
    )
    return _render(fig, chart_id, title)


def mic_legend() -> Mapping[str, str]:
    """Legend text per change class (for the page's table fallback)."""
    return {key: text for key, (_, _, text) in CHANGE_MARKERS.items()}
