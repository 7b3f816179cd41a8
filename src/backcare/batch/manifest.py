"""The cohort manifest: which recordings to analyse, read from a CSV/YAML file or a folder.

A manifest has one row per recording (one worker wearing one set of sensors for one measurement
period). Columns (CSV header or YAML keys; only ``subject`` and one sensor file are required):

==================  ==============================================================================
column              meaning
==================  ==============================================================================
subject             subject id: letters, digits, ``.``, ``_``, ``-`` (it names output folders)
day                 measurement label for a subject measured more than once (same characters)
group               job title, department... (free text); the cohort summary is per group
thigh, trunk, arm   sensor files; relative paths are relative to the manifest's folder
trunk_placement     ``back`` (default), ``lumbar`` or ``chest``
arm_side            ``right`` (default) or ``left``
thigh_axes, ...     ``down=<axis>,forward=<axis>`` per sensor (``thigh_axes``, ``trunk_axes``,
                    ``arm_axes``), as ``backcare.analyze_wearable(thigh_axes=...)``
thigh_sensor, ...   sensor label inside a multi-sensor file (APDM), per sensor
reference           upright standing window ``START..END``, as ``reference``
work_hours          daily work window in local hours, e.g. ``8-16``, as ``work_hours``
==================  ==============================================================================

A folder is scanned by file name instead: ``<subject>[_<day>]_<placement>.<ext>`` where
``<placement>`` is ``thigh``, ``trunk`` or ``back`` (a trunk sensor on the back), ``chest`` (on the
chest) or ``arm``; ``<day>`` is recognised only as ``YYYY-MM-DD``, ``YYYYMMDD``, ``d<N>`` or
``day<N>`` (otherwise it is part of the subject id). Files in a sub-folder get the sub-folder's
name as their group. Files whose extension is not a sensor format are ignored.

Every column means what the parameter of the same name of :func:`backcare.analyze_wearable`
means, parsed by the same functions. Everything is checked before any analysis starts; every
problem is reported at once, each naming its row (data rows count from 1, the header is not a
row) and column, or its file.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from backcare.api import (
    CHUNK_SAMPLES,
    SensorFile,
    WearableOptions,
    parse_reference,
    parse_work_hours,
)
from backcare.api._options import TRUNK_PLACEMENTS, parse_axes
from backcare.errors import InputError

__all__ = [
    "COLUMNS",
    "SENSOR_COLUMNS",
    "Cohort",
    "RecordingSpec",
    "load_cohort",
    "read_manifest",
    "scan_folder",
]

#: Manifest sensor columns and the pipeline placement each one feeds (the trunk follows
#: ``trunk_placement``).
SENSOR_COLUMNS: dict[str, str] = {"thigh": "thigh", "trunk": "trunk_back", "arm": "upper_arm"}

#: Every column a manifest may have.
COLUMNS: tuple[str, ...] = (
    "subject",
    "day",
    "group",
    *SENSOR_COLUMNS,
    "trunk_placement",
    "arm_side",
    *(f"{c}_axes" for c in SENSOR_COLUMNS),
    *(f"{c}_sensor" for c in SENSOR_COLUMNS),
    "reference",
    "work_hours",
)

#: Placement words recognised at the end of a file name in a scanned folder.
FOLDER_PLACEMENTS: dict[str, tuple[str, str]] = {
    "thigh": ("thigh", "back"),
    "trunk": ("trunk", "back"),
    "back": ("trunk", "back"),
    "chest": ("trunk", "chest"),
    "arm": ("arm", "back"),
}

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_DAY_TOKEN = re.compile(r"^(\d{4}-\d{2}-\d{2}|\d{8}|d\d+|day\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class RecordingSpec:
    """One recording of the cohort: who, which group, which files and which options.

    ``reference`` is the window as written, ``reference_s`` the same window in seconds of the
    analysis grid (resolved against the files' start when the manifest is read); ``row`` is where
    the recording came from (``row 3`` of a manifest, or a file of a scanned folder); ``key``
    (``<subject>`` or ``<subject>_<day>``) names its output folder.
    """

    subject: str
    sensors: tuple[SensorFile, ...]
    day: str = ""
    group: str = ""
    arm_side: Literal["left", "right"] = "right"
    reference: str | None = None
    reference_s: tuple[float, float] | None = None
    work_hours: tuple[float, float] | None = None
    row: str = ""

    @property
    def key(self) -> str:
        return f"{self.subject}_{self.day}" if self.day else self.subject

    def files(self) -> dict[str, Path]:
        """Sensor files by manifest column (``thigh``, ``trunk``, ``arm``)."""
        return {s.site: s.path for s in self.sensors}

    def options(
        self, *, auto_calibrate: bool = True, chunk_samples: int = CHUNK_SAMPLES
    ) -> WearableOptions:
        """The options of :func:`backcare.analyze_wearable` for this recording."""
        return WearableOptions(
            sensors=self.sensors,
            arm_side=self.arm_side,
            work_hours=self.work_hours,
            reference=self.reference_s,
            auto_calibrate=auto_calibrate,
            chunk_samples=chunk_samples,
        )


@dataclass(frozen=True)
class Cohort:
    """The validated recordings and where they were listed."""

    recordings: tuple[RecordingSpec, ...]
    source: Path
    notes: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.recordings)

    @property
    def groups(self) -> list[str]:
        return sorted({r.group for r in self.recordings})


class _Problems:
    """Collects every validation problem so that the user sees them all at once."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if not self.items:
            return
        shown = self.items[:50]
        more = len(self.items) - len(shown)
        text = "\n  ".join(shown) + (f"\n  ... and {more} more" if more > 0 else "")
        noun = "problem" if len(self.items) == 1 else "problems"
        raise InputError(
            f"the cohort has {len(self.items)} {noun}:\n  {text}", where=str(self.source)
        )


def _resolve_reference(
    text: str, sensors: Iterable[SensorFile]
) -> tuple[tuple[float, float] | None, str | None, str | None]:
    """The window in seconds of the analysis grid, or (None, column, problem)."""
    from backcare.wearable.pipeline import common_origin
    from backcare.wearable.readers import open_recording

    infos = []
    for s in sensors:
        try:
            src = open_recording(s.path, sensor=s.label)
        except InputError as exc:
            return None, s.site, str(exc)
        try:
            infos.append(src.info)
        finally:
            src.close()
    try:
        window = parse_reference(text, common_origin(infos))
    except InputError as exc:
        return None, "reference", exc.problem
    return window, None, None


def _recording(
    raw: Mapping[str, str], row: str, base: Path, problems: _Problems
) -> RecordingSpec | None:
    """Validate one row (values already stripped; empty means not given)."""
    n_before = len(problems.items)

    def bad(column: str, message: str) -> None:
        problems.add(f"{row}, column {column!r}", message)

    subject = raw.get("subject", "")
    if not subject:
        bad("subject", "a subject id is required")
    elif not _ID.match(subject):
        bad("subject", f"{subject!r} may hold only letters, digits, '.', '_' and '-'")
    day = raw.get("day", "")
    if day and not _ID.match(day):
        bad("day", f"{day!r} may hold only letters, digits, '.', '_' and '-'")
    trunk_placement = raw.get("trunk_placement", "") or "back"
    if trunk_placement not in TRUNK_PLACEMENTS:
        bad(
            "trunk_placement",
            f"unknown trunk placement {trunk_placement!r}; use {', '.join(TRUNK_PLACEMENTS)}",
        )
    arm_side = raw.get("arm_side", "") or "right"
    if arm_side not in ("left", "right"):
        bad("arm_side", f"must be left or right, got {arm_side!r}")
    sensors: list[SensorFile] = []
    for column, placement in SENSOR_COLUMNS.items():
        text = raw.get(column, "")
        axes_text = raw.get(f"{column}_axes", "")
        label = raw.get(f"{column}_sensor", "") or None
        if not text:
            for extra in (f"{column}_axes", f"{column}_sensor"):
                if raw.get(extra, ""):
                    bad(extra, f"given without a {column} file")
            continue
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = base / path
        if not path.exists():
            bad(column, f"file not found: {path}")
        elif not path.is_file():
            bad(column, f"not a file: {path}")
        axes = None
        try:
            axes = parse_axes(axes_text, f"{column}_axes")
        except InputError as exc:
            bad(f"{column}_axes", exc.problem)
        if column == "trunk" and trunk_placement in TRUNK_PLACEMENTS:
            placement = f"trunk_{trunk_placement}"
        sensors.append(SensorFile(placement, path, axes, label))
    if not sensors:
        bad("thigh", "no sensor file: give at least one of thigh, trunk, arm")
    seen: dict[Path, str] = {}
    for s in sensors:
        if s.path in seen:
            bad(s.site, f"the same file as column {seen[s.path]!r}")
        seen.setdefault(s.path, s.site)
    work_hours = None
    if raw.get("work_hours", ""):
        try:
            work_hours = parse_work_hours(raw["work_hours"])
        except InputError as exc:
            bad("work_hours", exc.problem)
    if len(problems.items) > n_before:
        return None
    reference: str | None = raw.get("reference", "") or None
    window = None
    if reference is not None:
        # resolved against the recording's start now, so that a bad window stops the run early
        window, bad_column, problem = _resolve_reference(reference, sensors)
        if bad_column is not None:
            bad(bad_column, str(problem))
            return None
    return RecordingSpec(
        subject=subject,
        sensors=tuple(sensors),
        day=day,
        group=raw.get("group", ""),
        arm_side="left" if arm_side == "left" else "right",
        reference=reference,
        reference_s=window,
        work_hours=work_hours,
        row=row,
    )


def _check_unique(recordings: Iterable[RecordingSpec], problems: _Problems) -> None:
    first: dict[tuple[str, str], str] = {}
    for rec in recordings:
        # output folders must differ on case-insensitive file systems too
        ident = (rec.subject.lower(), rec.day.lower())
        if ident in first:
            what = f"subject {rec.subject!r}" + (f", day {rec.day!r}" if rec.day else "")
            problems.add(
                f"{rec.row}, column 'day'",
                f"duplicate {what}: already listed in {first[ident]} (give each measurement "
                "of a subject its own day label)",
            )
        else:
            first[ident] = rec.row


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _read_rows(path: Path) -> tuple[list[tuple[str, dict[str, str]]], _Problems]:
    problems = _Problems(path)
    rows: list[tuple[str, dict[str, str]]] = []
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read the manifest: {exc.strerror}", where=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("the manifest is not UTF-8 text", where=str(path)) from None
    if suffix in (".yaml", ".yml"):
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InputError(f"not valid YAML: {exc}", where=str(path)) from None
        items = doc.get("recordings") if isinstance(doc, dict) else doc
        if not isinstance(items, list):
            raise InputError(
                "expected a list of recordings (or a mapping with a 'recordings' list)",
                where=str(path),
            )
        for i, item in enumerate(items, start=1):
            row = f"row {i}"
            if not isinstance(item, dict):
                problems.add(row, "each recording must be a mapping of column: value")
                continue
            for key in item:
                if str(key) not in COLUMNS:
                    problems.add(
                        f"{row}, column {str(key)!r}",
                        f"unknown column (placements are {', '.join(SENSOR_COLUMNS)}); "
                        f"known columns: {', '.join(COLUMNS)}",
                    )
            rows.append((row, {str(k): _cell(v) for k, v in item.items() if str(k) in COLUMNS}))
        return rows, problems
    if suffix not in (".csv", ".tsv", ".txt"):
        raise InputError("a manifest is a .csv, .tsv, .yaml or .yml file", where=str(path))
    lines = text.splitlines()
    if not lines:
        raise InputError("the manifest is empty", where=str(path))
    try:
        dialect: Any = csv.Sniffer().sniff(lines[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(lines, dialect)
    header = [h.strip().lower() for h in next(reader)]
    for col in header:
        if col not in COLUMNS:
            problems.add(
                f"header, column {col!r}",
                f"unknown column (placements are {', '.join(SENSOR_COLUMNS)}); "
                f"known columns: {', '.join(COLUMNS)}",
            )
    dupes = sorted({c for c in header if header.count(c) > 1})
    for col in dupes:
        problems.add(f"header, column {col!r}", "appears more than once")
    if "subject" not in header:
        problems.add("header", "the column 'subject' is required")
    number = 0
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        number += 1
        row = f"row {number}"
        if len(values) > len(header):
            problems.add(row, f"has {len(values)} cells but the header has {len(header)}")
            continue
        rows.append(
            (
                row,
                {col: _cell(v) for col, v in zip(header, values, strict=False) if col in COLUMNS},
            )
        )
    return rows, problems


def read_manifest(path: str | Path) -> Cohort:
    """Read and validate a manifest file (``.csv``/``.tsv`` or ``.yaml``/``.yml``).

    Raises
    ------
    InputError
        Listing every problem, each with its row and column: unknown column or placement, missing
        file, bad axes/reference/work hours, invalid or duplicate subject + day.
    """
    path = Path(path)
    rows, problems = _read_rows(path)
    base = path.resolve().parent
    recordings = [r for row, raw in rows if (r := _recording(raw, row, base, problems))]
    _check_unique(recordings, problems)
    if not rows and not problems.items:
        problems.add("manifest", "lists no recording")
    problems.raise_if_any()
    return Cohort(tuple(recordings), path)


def _sensor_suffixes() -> tuple[str, ...]:
    from backcare.wearable.readers import FORMATS

    return tuple(ext for exts in FORMATS.values() for ext in exts)


def scan_folder(folder: str | Path) -> Cohort:
    """The recordings of a folder named by the convention in the module docstring.

    Raises
    ------
    InputError
        Listing every file that breaks the convention (no or unknown placement), every recording
        with the same placement twice, and duplicate subject + day ids.
    """
    folder = Path(folder)
    problems = _Problems(folder)
    suffixes = _sensor_suffixes()
    files = sorted(
        p
        for p in [*folder.glob("*"), *folder.glob("*/*")]
        if p.is_file() and not p.name.startswith(".") and p.name.lower().endswith(suffixes)
    )
    found: dict[tuple[str, str, str], dict[str, str]] = {}
    origin: dict[tuple[str, str, str], str] = {}
    for path in files:
        rel = path.relative_to(folder).as_posix()
        name = path.name
        stem = name[: -len(next(s for s in suffixes if name.lower().endswith(s)))]
        tokens = stem.split("_")
        where = f"file {rel}"
        placement = tokens[-1].lower() if len(tokens) >= 2 else ""
        if placement not in FOLDER_PLACEMENTS:
            problems.add(
                where,
                f"unknown placement {tokens[-1]!r}: name files <subject>[_<day>]_<placement>"
                f" with placement one of {', '.join(FOLDER_PLACEMENTS)}",
            )
            continue
        rest = tokens[:-1]
        day = ""
        if len(rest) >= 2 and _DAY_TOKEN.match(rest[-1]):
            day = rest.pop()
        subject = "_".join(rest)
        group = path.parent.name if path.parent != folder else ""
        ident = (group, subject, day)
        column, trunk_placement = FOLDER_PLACEMENTS[placement]
        raw = found.setdefault(ident, {"subject": subject, "day": day, "group": group})
        if column in raw:
            problems.add(where, f"a second {column} file for the same recording as {raw[column]}")
            continue
        raw[column] = str(path)
        origin.setdefault(ident, where)
        if column == "trunk":
            raw["trunk_placement"] = trunk_placement
    recordings = []
    for ident, raw in found.items():
        rec = _recording(raw, origin[ident], folder, problems)
        if rec is not None:
            recordings.append(rec)
    _check_unique(recordings, problems)
    if not files and not problems.items:
        problems.add(
            "folder",
            f"holds no sensor file ({', '.join(suffixes)}) named <subject>_<placement>",
        )
    problems.raise_if_any()
    return Cohort(tuple(recordings), folder)


def load_cohort(manifest_or_dir: str | Path) -> Cohort:
    """A manifest file or a folder (see the module docstring)."""
    path = Path(manifest_or_dir)
    if path.is_dir():
        return scan_folder(path)
    if not path.exists():
        raise InputError("no such manifest file or folder", where=str(path))
    return read_manifest(path)
