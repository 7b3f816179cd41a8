"""What the result page shows, computed from a finished job's output folder (no database).

:func:`result_view` reads the job's manifest (:data:`backcare.web.worker.MANIFEST`) and the
pipeline's summary JSON and returns plain rows for the templates: the media to show, the plots,
the tables (angles, REBA/RULA, time per activity, trunk forward bands, ISO 11226 verdicts, load)
and the files to download. :func:`resolve_output_file` is the only way a request reaches a file
in the folder: the name must be one the manifest lists.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from backcare.report.headline import Headline, disc_dose_standing_hours, result_headline
from backcare.report.labels import (
    activity_label,
    angle_label,
    body_part_label,
    iso_verdict_label,
    level_label,
    level_range_label,
)
from backcare.report.labels import plain_notes as _plain_notes
from backcare.web.worker import read_manifest

__all__ = [
    "CONTENT_TYPES",
    "FileLink",
    "ResultView",
    "Table",
    "plain_notes",
    "resolve_output_file",
    "result_view",
    "web_wording",
]

#: Content types of the files an analysis writes, by suffix.
CONTENT_TYPES: dict[str, str] = {
    ".parquet": "application/vnd.apache.parquet",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".png": "image/png",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
}

_ROLE_LABELS = {
    "series": "Posture series (Parquet)",
    "csv": "Per-frame table (CSV)",
    "summary": "Summary (JSON)",
    "session": "Exposure summary (JSON)",
    "report": "Report (HTML)",
    "annotated": "Annotated media",
    "daily": "Per day (CSV)",
    "hourly": "Per hour (CSV)",
    "windows": "Per window (CSV)",
    "bouts": "Bouts (CSV)",
    "people_image": "People found, numbered (PNG)",
    "people_json": "People found (JSON)",
}


@dataclass(frozen=True)
class FileLink:
    role: str
    name: str
    label: str
    size_bytes: int
    content_type: str


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str | None = None


@dataclass
class ResultView:
    kind: str
    media: FileLink | None = None
    media_is_video: bool = False
    report: FileLink | None = None
    plots: list[FileLink] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    downloads: list[FileLink] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    duration_s: float | None = None
    headline: Headline | None = None


#: Notes stored by older versions named command-line options; today's pipeline notes name no
#: option. This only reads those old job folders in plain words.
_OLD_WORDING = (
    ("give --mass and --height or store them in your profile", "store them in your profile"),
    ("no --camera-pitch or --neutral window", "no camera tilt given"),
    ("give --sex female", "set your sex in your profile"),
    (
        "with the person number (--person N on the command line, or the people picker on the "
        "results page)",
        "in the list of people on this page",
    ),
    ("--camera-pitch", "the camera tilt"),
    ("--mass", "body mass"),
    ("--height", "height"),
    ("--load", "the load"),
)


def web_wording(note: str) -> str:
    """A stored note in the page's words (notes of older versions named command-line options)."""
    for cli_words, page_words in _OLD_WORDING:
        note = note.replace(cli_words, page_words)
    return note


def plain_notes(notes: Sequence[str]) -> list[str]:
    """The pipelines' notes in the page's words (see :func:`backcare.report.labels.plain_notes`;
    command-line option names become the page's fields first)."""
    return _plain_notes([web_wording(str(n)) for n in notes])


def resolve_output_file(output_dir: str | Path | None, name: str) -> Path | None:
    """The path of ``name`` in a finished job's folder when the manifest lists it, else ``None``."""
    manifest = read_manifest(output_dir)
    if manifest is None or output_dir is None:
        return None
    files = manifest.get("files")
    if not isinstance(files, Mapping) or name not in {str(v) for v in files.values()}:
        return None
    path = Path(output_dir) / name
    if path.name != name or not path.is_file():
        return None
    return path


def _fmt(value: Any, digits: int = 1, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        text = f"{value:.{digits}f}" if isinstance(value, float) else str(value)
        return f"{text} {unit}".strip()
    return str(value)


def _minutes(seconds: Any) -> str:
    if not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        return "–"
    return f"{seconds / 60.0:.1f} min"


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _angle_table(summary: Mapping[str, Any]) -> Table | None:
    angles = summary.get("angles")
    if not isinstance(angles, Mapping) or not angles:
        return None
    image = summary.get("input") == "image"
    rows: list[tuple[str, ...]] = []
    for name, entry in angles.items():
        if not isinstance(entry, Mapping):
            continue
        reliable = entry.get("reliable_from_view")
        view = "–" if reliable is None else ("reliable" if reliable else "less reliable")
        if image:
            rows.append((angle_label(name), _fmt(entry.get("value"), 1, "°"), view))
        else:
            rows.append(
                (
                    angle_label(name),
                    _fmt(entry.get("median"), 1, "°"),
                    _fmt(entry.get("p90"), 1, "°"),
                    _fmt(entry.get("max"), 1, "°"),
                    view,
                )
            )
    columns = (
        ("angle", "value", "from this view")
        if image
        else ("angle", "median", "90th percentile", "max", "from this view")
    )
    return Table("Joint angles", columns, tuple(rows))


def _score_table(summary: Mapping[str, Any]) -> Table | None:
    rows = []
    for method in ("reba", "rula"):
        entry = summary.get(method)
        if not isinstance(entry, Mapping):
            continue
        scored = entry.get("scored_fraction")
        rows.append(
            (
                method.upper(),
                _fmt(entry.get("max"), 0)
                + (
                    f"–{entry['score_max']:g}"
                    if isinstance(entry.get("score_max"), (int, float))
                    and isinstance(entry.get("max"), (int, float))
                    and entry["score_max"] > entry["max"]
                    else ""
                ),
                _fmt(entry.get("median"), 1),
                level_range_label(entry.get("peak_level"), entry.get("level_max"))
                if entry.get("peak_level")
                else "–",
                _fmt(100 * scored, 0, "%") if isinstance(scored, (int, float)) else "–",
            )
        )
    if not rows:
        return None
    return Table(
        "Posture scores",
        ("method", "highest", "median", "action level at the highest", "frames scored"),
        tuple(rows),
    )


def _levels_table(summary: Mapping[str, Any]) -> Table | None:
    """REBA/RULA action levels as a share of the video's scored time."""
    if summary.get("input") == "image":
        return None
    rows = []
    for method in ("reba", "rula"):
        entry = summary.get(method)
        levels = entry.get("time_in_levels") if isinstance(entry, Mapping) else None
        if not isinstance(levels, Mapping):
            continue
        for level, spent in levels.items():
            if not isinstance(spent, Mapping):
                continue
            fraction = spent.get("fraction")
            rows.append(
                (
                    method.upper(),
                    level_label(level),
                    _minutes(spent.get("seconds")),
                    _fmt(100 * fraction, 0, "%") if isinstance(fraction, (int, float)) else "–",
                )
            )
    if not rows:
        return None
    return Table(
        "Time at each action level",
        ("method", "level", "time", "share of scored time"),
        tuple(rows),
    )


def _activity_table(session: Mapping[str, Any]) -> Table | None:
    acts = session.get("activities")
    if not isinstance(acts, list) or not acts:
        return None
    rows = tuple(
        (
            activity_label(a.get("activity")),
            _fmt(a.get("hours"), 2, "h"),
            _fmt(a.get("pct"), 1, "%"),
        )
        for a in acts
        if isinstance(a, Mapping)
    )
    return Table("Time per activity", ("activity", "time", "share"), rows)


def _exposure_table(session: Mapping[str, Any]) -> Table | None:
    bands = session.get("trunk_fwd_time_s")
    pct = session.get("trunk_fwd_pct")
    if not isinstance(bands, Mapping) or not bands:
        return None
    pct = pct if isinstance(pct, Mapping) else {}
    rows = tuple(
        (f"≥ {k}°", _minutes(v), _fmt(pct.get(k), 1, "%"))
        for k, v in sorted(bands.items(), key=lambda kv: float(kv[0]))
    )
    longest = session.get("trunk_fwd_longest_s")
    note = None
    if isinstance(longest, (int, float)):
        note = f"Longest continuous forward bend: {_fmt(float(longest), 0, 's')}."
    return Table(
        "Trunk forward inclination (upright and sitting)",
        ("band", "time", "share of trunk time"),
        rows,
        note=note,
    )


def _totals_table(session: Mapping[str, Any]) -> Table | None:
    rows = []
    for key, label in (
        ("measured_time_s", "measured"),
        ("sit_time_s", "sitting"),
        ("upright_time_s", "upright"),
        ("lying_time_s", "lying"),
    ):
        if key in session:
            rows.append((label, _minutes(session.get(key))))
    if "long_sedentary_bouts" in session:
        rows.append(("long sedentary bouts", _fmt(session.get("long_sedentary_bouts"), 0)))
    if "sedentary_breaks" in session:
        rows.append(("breaks in sitting", _fmt(session.get("sedentary_breaks"), 0)))
    standing = disc_dose_standing_hours(session.get("disc_dose_mpa_h_per_day"))
    if standing is not None:
        rows.append(("daily load on the lower discs", f"like {standing:.1f} hours of standing"))
    load = session.get("l5s1_compression_n")
    if isinstance(load, Mapping):
        rows.append(
            (
                "L5/S1 compression (median / 90th pct.)",
                f"{_fmt(load.get('p50'), 0)} / {_fmt(load.get('p90'), 0)} N",
            )
        )
    if not rows:
        return None
    return Table("Totals", ("", "value"), tuple(rows))


def _iso_table(session: Mapping[str, Any]) -> Table | None:
    iso = session.get("iso")
    if not isinstance(iso, Mapping) or not iso:
        return None
    rows = []
    for part, entry in iso.items():
        if not isinstance(entry, Mapping):
            continue
        rows.append(
            (
                body_part_label(part),
                iso_verdict_label(entry.get("verdict", "not_measured")),
                _fmt(entry.get("violations"), 0),
                _minutes(entry.get("not_recommended_time_s")),
            )
        )
    return Table(
        "ISO 11226 static postures",
        ("body part", "verdict", "violations", "time not recommended"),
        tuple(rows),
    )


def _recording_day(manifest: Mapping[str, Any]) -> date | None:
    """The recording's first day, from the manifest's ``started_at`` (ISO), if any."""
    text = manifest.get("started_at")
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def result_view(output_dir: str | Path, *, sensors: Sequence[str] = ()) -> ResultView | None:
    """The result page's content for a finished job's folder (``None``: no manifest).

    ``sensors``: the placements of a wearable job's sensors (``thigh``, ``trunk_back``, ...), so
    the headline can say what a missing sensor would have added."""
    out = Path(output_dir)
    manifest = read_manifest(out)
    if manifest is None:
        return None
    files = manifest.get("files") if isinstance(manifest.get("files"), Mapping) else {}
    assert isinstance(files, Mapping)
    view = ResultView(kind=str(manifest.get("kind", "")))
    view.notes = plain_notes([str(n) for n in manifest.get("notes", []) if n])
    duration = manifest.get("duration_s")
    view.duration_s = float(duration) if isinstance(duration, (int, float)) else None
    links: dict[str, FileLink] = {}
    for role, name in files.items():
        path = out / str(name)
        if not path.is_file():
            continue
        links[str(role)] = FileLink(
            role=str(role),
            name=str(name),
            label=_ROLE_LABELS.get(str(role), str(role).replace("_", " ")),
            size_bytes=path.stat().st_size,
            content_type=CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream"),
        )
    view.media = links.get("annotated")
    view.media_is_video = bool(view.media and view.media.content_type.startswith("video/"))
    view.report = links.get("report")
    view.plots = [link for role, link in sorted(links.items()) if role.startswith("plot_")]
    view.downloads = [
        link for role, link in links.items() if not role.startswith("plot_") and role != "report"
    ]
    summary = _load_json(out / links["summary"].name) if "summary" in links else {}
    session = _load_json(out / links["session"].name) if "session" in links else {}
    for table in (
        _angle_table(summary),
        _score_table(summary),
        _levels_table(summary),
        _activity_table(session),
        _totals_table(session),
        _exposure_table(session),
        _iso_table(session),
    ):
        if table is not None and table.rows:
            view.tables.append(table)
    view.headline = result_headline(
        view.kind,
        summary=summary,
        session=session,
        day=_recording_day(manifest),
        sensors=sensors,
    )
    return view
