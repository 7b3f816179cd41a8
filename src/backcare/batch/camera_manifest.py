"""The camera cohort: which photos and videos to analyse, from a CSV manifest or a folder.

A manifest (``.csv`` or ``.tsv``) has one row per file. Only ``file`` is required:

=================  ===============================================================================
column             meaning
=================  ===============================================================================
file               photo or video; a relative path is relative to the manifest's folder
id                 name of the file's output folder: letters, digits, ``.``, ``_``, ``-``
                   (default: the file's path below the manifest's folder, e.g. ``site1_lift.mp4``)
group              task, job title, site... (free text); the cohort summary is per group
person             number of the person to analyse when several are in view (as ``--person``)
load_kg            load held in the hands [kg] (as ``--load``)
coupling           REBA hand coupling: good, fair, poor, unacceptable (as ``--coupling``)
camera_pitch_deg   camera tilt [deg], positive looking down (as ``--camera-pitch``)
=================  ===============================================================================

A folder is scanned for photos and videos (sub-folders included); a file in a sub-folder gets the
sub-folder's name as its group. Everything is checked before any analysis starts and every
problem is reported at once, naming its row (data rows count from 1) and column.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backcare.batch.manifest import _ID, _Problems
from backcare.errors import InputError

__all__ = ["CAMERA_COLUMNS", "MediaCohort", "MediaSpec", "load_media_cohort"]

CAMERA_COLUMNS = ("file", "id", "group", "person", "load_kg", "coupling", "camera_pitch_deg")
_COUPLINGS = ("good", "fair", "poor", "unacceptable")


@dataclass(frozen=True)
class MediaSpec:
    """One photo or video of the cohort, with the options that apply to it alone."""

    key: str
    path: Path
    group: str = ""
    person: int | None = None
    load_kg: float | None = None
    coupling: str | None = None
    camera_pitch_deg: float | None = None


@dataclass(frozen=True)
class MediaCohort:
    """The validated files and where they were listed."""

    items: tuple[MediaSpec, ...]
    source: Path
    notes: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.items)

    @property
    def groups(self) -> list[str]:
        return sorted({m.group for m in self.items})


def _media_suffixes() -> frozenset[str]:
    from backcare.camera.video import IMAGE_SUFFIXES, VIDEO_SUFFIXES

    return frozenset(IMAGE_SUFFIXES) | frozenset(VIDEO_SUFFIXES)


def _key_from(relative: Path) -> str:
    text = "_".join(relative.parts)
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-")
    return text or "file"


def _number(
    raw: str, where: str, problems: _Problems, low: float, high: float, unit: str
) -> float | None:
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        problems.add(where, f"{raw!r} is not a number")
        return None
    if not (math.isfinite(value) and low <= value <= high):
        problems.add(where, f"{raw} is outside {low:g}..{high:g} {unit}")
        return None
    return value


def _spec(row: str, raw: dict[str, str], base: Path, problems: _Problems) -> MediaSpec | None:
    name = raw.get("file", "")
    if not name:
        problems.add(f"{row}, column 'file'", "is empty")
        return None
    path = Path(name).expanduser()
    if not path.is_absolute():
        path = base / path
    ok = True
    if not path.is_file():
        problems.add(f"{row}, column 'file'", f"no such file: {path}")
        ok = False
    elif path.suffix.lower() not in _media_suffixes():
        problems.add(f"{row}, column 'file'", f"{path.name} is not a photo or video file")
        ok = False
    key = raw.get("id", "")
    if key and not _ID.match(key):
        problems.add(
            f"{row}, column 'id'", f"{key!r} may hold only letters, digits, '.', '_' and '-'"
        )
        ok = False
    if not key:
        try:
            key = _key_from(path.resolve().relative_to(base))
        except ValueError:
            key = _key_from(Path(path.name))
    person = None
    if raw.get("person"):
        try:
            person = int(raw["person"])
            if person < 1:
                raise ValueError
        except ValueError:
            problems.add(f"{row}, column 'person'", f"{raw['person']!r} is not a number from 1")
            ok = False
    load = _number(raw.get("load_kg", ""), f"{row}, column 'load_kg'", problems, 0, 500, "kg")
    pitch = _number(
        raw.get("camera_pitch_deg", ""),
        f"{row}, column 'camera_pitch_deg'",
        problems,
        -89,
        89,
        "deg",
    )
    coupling = raw.get("coupling", "").lower() or None
    if coupling is not None and coupling not in _COUPLINGS:
        problems.add(
            f"{row}, column 'coupling'", f"{coupling!r} is not one of {', '.join(_COUPLINGS)}"
        )
        ok = False
    if not ok:
        return None
    return MediaSpec(
        key=key,
        path=path,
        group=raw.get("group", ""),
        person=person,
        load_kg=load,
        coupling=coupling,
        camera_pitch_deg=pitch,
    )


def _check_unique(items: list[MediaSpec], problems: _Problems) -> None:
    seen: dict[str, Path] = {}
    for m in items:
        if m.key in seen:
            problems.add(
                f"id {m.key!r}", f"names two files ({seen[m.key]} and {m.path}); give each an id"
            )
        seen[m.key] = m.path


def read_media_manifest(path: Path) -> MediaCohort:
    """Read and validate a camera manifest (``.csv``/``.tsv``)."""
    if path.suffix.lower() not in (".csv", ".tsv", ".txt"):
        raise InputError("a camera manifest is a .csv or .tsv file", where=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read the manifest: {exc.strerror}", where=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("the manifest is not UTF-8 text", where=str(path)) from None
    lines = text.splitlines()
    if not lines:
        raise InputError("the manifest is empty", where=str(path))
    try:
        dialect: Any = csv.Sniffer().sniff(lines[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(lines, dialect)
    header = [h.strip().lower() for h in next(reader)]
    problems = _Problems(path)
    for col in header:
        if col not in CAMERA_COLUMNS:
            problems.add(
                f"header, column {col!r}",
                f"unknown column; known columns: {', '.join(CAMERA_COLUMNS)}",
            )
    for col in sorted({c for c in header if header.count(c) > 1}):
        problems.add(f"header, column {col!r}", "appears more than once")
    if "file" not in header:
        problems.add("header", "the column 'file' is required")
    base = path.resolve().parent
    items: list[MediaSpec] = []
    number = 0
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        number += 1
        row = f"row {number}"
        if len(values) > len(header):
            problems.add(row, f"has {len(values)} cells but the header has {len(header)}")
            continue
        raw = {c: v.strip() for c, v in zip(header, values, strict=False) if c in CAMERA_COLUMNS}
        if "file" in header and (spec := _spec(row, raw, base, problems)) is not None:
            items.append(spec)
    _check_unique(items, problems)
    if number == 0 and not problems.items:
        problems.add("manifest", "lists no file")
    problems.raise_if_any()
    return MediaCohort(tuple(items), path)


def scan_media_folder(folder: Path, exclude: Path | None = None) -> MediaCohort:
    """Every photo and video below ``folder`` (sorted), grouped by sub-folder; hidden files and
    anything below ``exclude`` (the output folder) are left out."""
    suffixes = _media_suffixes()
    skip = exclude.resolve() if exclude is not None else None
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in suffixes
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and not (skip is not None and p.resolve().is_relative_to(skip))
    )
    if not files:
        raise InputError("the folder holds no photo or video file", where=str(folder))
    items = []
    for p in files:
        rel = p.relative_to(folder)
        group = rel.parts[0] if len(rel.parts) > 1 else ""
        items.append(MediaSpec(key=_key_from(rel), path=p, group=group))
    problems = _Problems(folder)
    _check_unique(items, problems)
    problems.raise_if_any()
    return MediaCohort(tuple(items), folder)


def load_media_cohort(manifest_or_dir: str | Path, exclude: Path | None = None) -> MediaCohort:
    """A camera manifest file or a folder of photos and videos (see the module docstring);
    ``exclude``: a folder whose files a folder scan leaves out (the output folder)."""
    path = Path(manifest_or_dir)
    if path.is_dir():
        return scan_media_folder(path, exclude)
    if not path.exists():
        raise InputError("no such manifest file or folder", where=str(path))
    return read_media_manifest(path)
