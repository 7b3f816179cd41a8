"""One photo or video, analysed on a worker: exactly what ``backcare camera analyze`` does.

The task calls :func:`backcare.camera.runner.analyze_file` (the entry point of the ``camera``
command) into a temporary sibling folder that replaces the file's folder only when complete, then
reduces the file's own outputs (``*.summary.json`` and the per-frame ``*.csv``) to one cohort row
(:func:`cohort_row`) saved as ``row.json``, and writes ``batch.json`` (the input fingerprint)
last: a folder without it is incomplete and is analysed again. Any error becomes a ``failed``
:class:`MediaOutcome` whose message names the file; the worker and the cohort run go on.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from backcare import __version__
from backcare.batch.camera_manifest import MediaSpec
from backcare.batch.task import (
    DONE_FILE,
    _file_identity,
    _peak_rss_mib,
    staged_outputs,
    write_done,
)
from backcare.errors import BackcareError

__all__ = [
    "ROW_FILE",
    "CameraBatchOptions",
    "MediaOutcome",
    "analyze_media",
    "cohort_row",
    "load_done_row",
    "media_fingerprint",
]

ROW_FILE = "row.json"
Status = Literal["done", "skipped", "failed"]
_ANGLES = (
    "trunk_flexion",
    "trunk_lateral",
    "neck_flexion",
    "upper_arm_elevation_left",
    "upper_arm_elevation_right",
)


@dataclass(frozen=True)
class CameraBatchOptions:
    """Options for every file (as the ``camera analyze`` options of that name); a manifest row's
    ``load_kg``, ``coupling``, ``camera_pitch_deg`` and ``person`` override them for its file."""

    every: int | None = None
    fps: float | None = None
    mass_kg: float | None = None
    height_cm: float | None = None
    sex: str | None = None
    load_kg: float = 0.0
    coupling: str = "good"
    camera_pitch_deg: float | None = None
    annotate: bool = False
    find_people: bool = True
    pose_model: str = "full"

    def for_file(self, spec: MediaSpec) -> Any:
        """The :class:`~backcare.camera.pipeline.CameraOptions` of one file (validated)."""
        from backcare.camera.pipeline import CameraOptions

        return CameraOptions(
            every=self.every,
            fps=self.fps,
            mass_kg=self.mass_kg,
            height_cm=self.height_cm,
            sex=self.sex,  # type: ignore[arg-type]  # checked by CameraOptions
            load_kg=self.load_kg if spec.load_kg is None else spec.load_kg,
            coupling=(spec.coupling or self.coupling),  # type: ignore[arg-type]
            camera_pitch_deg=(
                self.camera_pitch_deg if spec.camera_pitch_deg is None else spec.camera_pitch_deg
            ),
            person=spec.person,
            subject=spec.key,
            pose_model=self.pose_model,
        )


@dataclass(frozen=True)
class MediaOutcome:
    """What became of one file: its cohort row (``None`` when it failed), timings and where it
    ran (as :class:`backcare.batch.task.RecordingOutcome`)."""

    key: str
    status: Status
    row: dict[str, Any] | None = None
    error: str = ""
    message: str = ""
    detail: str = ""
    elapsed_s: float = 0.0
    cpu_s: float = 0.0
    worker: str = ""
    worker_peak_rss_mib: float | None = None


def media_fingerprint(spec: MediaSpec, options: CameraBatchOptions) -> str:
    """Identity of a file's inputs: the file (size, time, first/last 64 KiB), its options, the
    backcare version and the knowledge in use (the group only labels the tables)."""
    from backcare.knowledge import fingerprint as knowledge_fingerprint

    camera = options.for_file(spec)
    text = json.dumps(
        {
            "backcare": __version__,
            "knowledge": knowledge_fingerprint(),
            "file": _file_identity(spec.path),
            "options": {k: v for k, v in vars(camera).items() if k != "subject"},
            "annotate": options.annotate,
            "find_people": options.find_people,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def load_done_row(folder: Path, expected: str) -> dict[str, Any] | None:
    """The saved cohort row of a finished file whose fingerprint is ``expected``, else ``None``
    (never analysed, interrupted, inputs or options changed, or files missing)."""
    try:
        info = json.loads((folder / DONE_FILE).read_text(encoding="utf-8"))
        row = json.loads((folder / ROW_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or info.get("fingerprint") != expected:
        return None
    files = info.get("files", {})
    if not isinstance(row, dict) or not all((folder / n).is_file() for n in files.values()):
        return None
    return row


def _levels(block: dict[str, Any] | None, method: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        f"{method}_median": None,
        f"{method}_max": None,
        f"{method}_max_possible": None,
        f"{method}_peak_level_possible": None,
    }
    if not block:
        return out
    out[f"{method}_median"] = block.get("median")
    out[f"{method}_max"] = block.get("max")
    out[f"{method}_scored_fraction"] = block.get("scored_fraction")
    out[f"{method}_peak_level"] = block.get("peak_level")
    # a score with parts the camera did not see is a range: its top end stands beside it
    out[f"{method}_max_possible"] = block.get("score_max", block.get("max"))
    out[f"{method}_peak_level_possible"] = block.get("level_max", block.get("peak_level"))
    for level, share in (block.get("time_in_levels") or {}).items():
        out[f"{method}_{level.replace(' ', '_')}_fraction"] = share.get("fraction")
    return out


def _angle_stats(table: pd.DataFrame, name: str) -> dict[str, Any]:
    if name not in table.columns:
        return {}
    values = pd.to_numeric(table[name], errors="coerce").to_numpy(dtype=np.float64)
    seen = np.isfinite(values)
    out: dict[str, Any] = {
        f"{name}_seen_fraction": round(float(seen.mean()), 3) if len(seen) else 0.0
    }
    if seen.any():
        p50, p90 = np.percentile(values[seen], [50, 90])
        out[f"{name}_median_deg"] = round(float(p50), 1)
        out[f"{name}_p90_deg"] = round(float(p90), 1)
    else:
        out[f"{name}_median_deg"] = out[f"{name}_p90_deg"] = None
    return out


def cohort_row(spec: MediaSpec, summary: dict[str, Any], table: pd.DataFrame) -> dict[str, Any]:
    """One file's row of the cohort table, from its own summary and per-frame table.

    REBA and RULA: median, maximum, the share of frames scored and the share of time in each
    action level; trunk, neck and upper-arm angles: median and 90th percentile where seen, and
    the share of frames where they were seen; the exposure summary's shares of time with the
    trunk bent forward beyond its thresholds; refusals: the scores and channels backcare withheld
    and why (``unavailable``, ``notes``).
    """
    frames = summary.get("frames", {})
    analysed = int(frames.get("analysed") or 0)
    row: dict[str, Any] = {
        "file": spec.key,
        "group": spec.group,
        "path": str(spec.path),
        "input": summary.get("input"),
        "duration_s": summary.get("duration_s"),
        "frames": analysed,
        "person_found_fraction": (
            round(int(frames.get("with_person") or 0) / analysed, 3) if analysed else 0.0
        ),
        "view": (summary.get("view") or {}).get("view"),
    }
    row.update(_levels(summary.get("reba"), "reba"))
    row.update(_levels(summary.get("rula"), "rula"))
    for name in _ANGLES:
        row.update(_angle_stats(table, name))
    expo = ((summary.get("exposure") or {}).get("summary")) or {}
    for threshold, pct in (expo.get("trunk_fwd_pct") or {}).items():
        row[f"trunk_forward_over_{float(threshold):g}deg_pct"] = pct
    for part, verdict in ((summary.get("exposure") or {}).get("iso11226") or {}).items():
        row[f"iso11226_{part}"] = verdict.get("verdict")
    reba = summary.get("reba") or {}
    row["reba_not_computable_frames"] = (reba.get("frames") or {}).get("not_computable")
    row["unavailable"] = "; ".join(summary.get("unavailable") or [])
    row["notes"] = len(summary.get("issues") or [])
    return row


def _analyze(spec: MediaSpec, folder: Path, options: CameraBatchOptions) -> dict[str, Any]:
    from backcare.camera.runner import analyze_file

    result = analyze_file(
        spec.path,
        options.for_file(spec),
        folder,
        annotate=options.annotate,
        find_people=options.find_people,
    )
    if not result.ok:
        raise _FileFailedError(result.error or "could not be analysed")
    summary = json.loads((folder / result.files["summary"]).read_text(encoding="utf-8"))
    table = pd.read_csv(folder / result.files["csv"])
    row = cohort_row(spec, summary, table)
    row["people_found"] = result.headline.get("people")
    row["person_analysed"] = result.headline.get("person")
    (folder / ROW_FILE).write_text(json.dumps(row, indent=2), encoding="utf-8")
    return {"row": row, "files": result.files}


class _FileFailedError(BackcareError):
    """The camera entry point reported the file as not analysable (its message names it)."""


def analyze_media(
    spec: MediaSpec, out_dir: str | Path, options: CameraBatchOptions, expected: str
) -> MediaOutcome:
    """Analyse one file into ``out_dir/<key>``; never raises for a bad file."""
    t0 = time.perf_counter()
    c0 = time.process_time()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    root = Path(out_dir)
    try:
        with staged_outputs(root, spec.key) as tmp:
            done = _analyze(spec, tmp, options)
            write_done(tmp, expected, file=str(spec.path), files=done["files"])
    except Exception as exc:
        message = str(exc)
        if str(spec.path) not in message and spec.path.name not in message:
            message = f"{message} [file: {spec.path}]"
        return MediaOutcome(
            key=spec.key,
            status="failed",
            error="InputError" if isinstance(exc, _FileFailedError) else type(exc).__name__,
            message=message,
            detail="" if isinstance(exc, BackcareError) else traceback.format_exc(limit=8),
            elapsed_s=time.perf_counter() - t0,
            cpu_s=time.process_time() - c0,
            worker=worker,
            worker_peak_rss_mib=_peak_rss_mib(),
        )
    return MediaOutcome(
        key=spec.key,
        status="done",
        row=done["row"],
        elapsed_s=time.perf_counter() - t0,
        cpu_s=time.process_time() - c0,
        worker=worker,
        worker_peak_rss_mib=_peak_rss_mib(),
    )
