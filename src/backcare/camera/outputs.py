"""Write what one analysed file gave: tables, summary, report and annotated media.

For an input ``clip.mp4`` and an output folder ``out`` :func:`write_outputs` writes

* ``clip.parquet`` -- the PostureSeries (:func:`backcare.io.parquet.write_series`);
* ``clip.csv`` -- one row per analysed frame: time, frame number, whether a person was found,
  view, activity, every angle with its confidence, REBA and RULA with their action levels, disc
  pressure and L5/S1 compression;
* ``clip.summary.json`` -- the summary (:func:`summarize`);
* ``clip.html`` -- a self-contained report (:mod:`backcare.report.camera`);
* ``clip.annotated.mp4`` (or ``.webm``) for a video, ``clip.annotated.png`` for an image.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from backcare import __version__
from backcare.camera.annotate import annotate_frame
from backcare.camera.pipeline import CameraAnalysis, camera_rules
from backcare.camera.scoring import FrameScores, score_text
from backcare.camera.video import AnnotatedVideoWriter, VideoReader, read_image, write_image
from backcare.io.parquet import write_series
from backcare.knowledge.loader import cited_ids
from backcare.report.camera import render_camera_report

__all__ = ["frame_table", "output_stem", "summarize", "write_outputs"]

Progress = Callable[[int, int | None], None]


def output_stem(path: Path) -> str:
    """``clip.mp4`` -> ``clip_mp4`` (two inputs that differ only in suffix do not collide)."""
    return f"{path.stem}_{path.suffix.lstrip('.').lower()}" if path.suffix else path.name


def frame_table(analysis: CameraAnalysis) -> pd.DataFrame:
    """One row per analysed frame (see the module docstring)."""
    series = analysis.series
    track = analysis.track
    cols: dict[str, Any] = {
        "time": series.time,
        "frame": track.frame_index,
        "person_found": track.found,
        "view": analysis.view.per_frame,
        "view_yaw_deg": analysis.view.yaw_deg,
        "activity": series.activity_labels(),
    }
    for name in series:
        cols[name] = series[name]
    for name, conf in series.confidences.items():
        cols[f"conf_{name}"] = conf
    s = analysis.scores
    for fs in (s.reba, s.rula):
        if fs is not None:
            cols[fs.method] = fs.score
            cols[f"{fs.method}_level"] = fs.level
            cols[f"{fs.method}_min"] = fs.score
            cols[f"{fs.method}_max"] = fs.high
            cols[f"{fs.method}_level_max"] = fs.high_level
    if s.disc_pressure is not None:
        cols[f"disc_pressure_{s.disc_pressure_unit}"] = s.disc_pressure
    if s.l5s1_compression_n is not None:
        cols["l5s1_compression_n"] = s.l5s1_compression_n
    return pd.DataFrame(cols)


def _num(x: float | np.floating[Any] | None, digits: int = 1) -> float | None:
    if x is None:
        return None
    v = float(x)
    return round(v, digits) if math.isfinite(v) else None


def _stats(values: np.ndarray[Any, Any], digits: int = 1) -> dict[str, Any]:
    ok = values[np.isfinite(values)]
    if ok.size == 0:
        return {"valid_fraction": 0.0}
    return {
        "median": _num(np.median(ok), digits),
        "p90": _num(np.percentile(ok, 90), digits),
        "min": _num(ok.min(), digits),
        "max": _num(ok.max(), digits),
        "valid_fraction": round(float(ok.size / values.size), 3),
    }


def _level_time(fs: FrameScores, durations: np.ndarray[Any, Any]) -> dict[str, Any]:
    total = float(durations.sum())
    out: dict[str, Any] = {}
    for name in fs.levels:
        t = float(durations[fs.level == name].sum())
        out[name] = {"seconds": round(t, 2), "fraction": round(t / total, 3) if total else None}
    return out


def _score_summary(fs: FrameScores, durations: np.ndarray[Any, Any], time: Any) -> dict[str, Any]:
    ok = np.isfinite(fs.score)
    out: dict[str, Any] = {"scored_fraction": round(float(ok.mean()), 3) if ok.size else 0.0}
    if ok.any():
        peak = int(np.nanargmax(np.where(ok, fs.score, -np.inf)))
        high = np.where(ok, fs.high, -np.inf)
        peak_hi = int(np.argmax(high))
        out.update(
            {
                "max": _num(fs.score[peak], 0),
                "median": _num(np.median(fs.score[ok]), 1),
                "peak_time_s": _num(time[peak], 2),
                "peak_level": str(fs.level[peak]),
                "score_min": _num(fs.score[peak], 0),
                "score_max": _num(fs.high[peak_hi], 0),
                "level_min": str(fs.level[peak]),
                "level_max": str(fs.high_level[peak_hi]),
                "text": score_text(
                    fs.method,
                    fs.score[peak],
                    fs.high[peak_hi],
                    str(fs.level[peak]),
                    str(fs.high_level[peak_hi]),
                ),
                "time_in_levels": _level_time(fs, np.where(ok, durations, 0.0)),
            }
        )
    out.update(fs.detail)
    return out


def summarize(analysis: CameraAnalysis, outputs: dict[str, str] | None = None) -> dict[str, Any]:
    """A JSON-ready summary of one analysed file."""
    series = analysis.series
    track = analysis.track
    rules = camera_rules()
    extra = series.meta.extra
    reliable = set(extra.get("reliable_channels", []))
    unreliable = set(extra.get("unreliable_channels", []))
    durations = series.sample_durations() if len(series) > 1 else np.ones(len(series))
    angles: dict[str, Any] = {}
    for name in series:
        if name == "hand_load":
            continue
        values = np.asarray(series[name], dtype=np.float64)
        entry: dict[str, Any] = (
            {"value": _num(values[0])} if analysis.kind == "image" else _stats(values)
        )
        conf = series.confidence(name)
        if conf is not None and np.isfinite(values).any():
            entry["mean_confidence"] = _num(np.mean(conf[np.isfinite(values)]), 2)
        entry["reliable_from_view"] = (
            True if name in reliable else False if name in unreliable else None
        )
        angles[name] = entry
    s = analysis.scores
    summary: dict[str, Any] = {
        "file": analysis.source.name,
        "input": analysis.kind,
        "backcare_version": __version__,
        "backend": analysis.backend,
        "frames": {
            "decoded": analysis.decoded_frames,
            "analysed": len(track),
            "with_person": int(track.found.sum()),
        },
        "duration_s": _num(series.duration_s, 2),
        "frame_size": [track.width, track.height],
        "rate_hz": _num(analysis.rate_hz, 3),
        "view": {
            "view": analysis.view.view,
            "fractions": analysis.view.fractions,
            "median_yaw_deg": _num(analysis.view.median_yaw_deg),
            "reliable_channels": sorted(reliable),
            "unreliable_channels": sorted(unreliable),
            "note": (r.note if (r := rules.reliability_for(analysis.view.view)) else None),
        },
        "camera_tilt": extra.get("camera_tilt"),
        "calibration": dict(series.meta.calibration),
        "smoothing": extra.get("smoothing"),
        "min_visibility": rules.landmarks.min_visibility,
        "activity": {
            label: round(float(durations[series.activity_labels() == label].sum()), 2)
            for label in sorted(set(series.activity_labels().tolist()))
        },
        "angles": angles,
        "body": {
            "mass_kg": analysis.options.mass_kg,
            "height_cm": analysis.options.height_cm,
            "hand_load_kg": analysis.options.load_kg,
        },
    }
    for fs in (s.reba, s.rula):
        if fs is None:
            continue
        entry = _score_summary(fs, durations, series.time)
        summary[fs.method] = entry
        summary[f"{fs.method}_min"] = entry.get("score_min")
        summary[f"{fs.method}_max"] = entry.get("score_max")
    load: dict[str, Any] = {}
    if s.disc_pressure is not None:
        load["disc_pressure"] = {"unit": s.disc_pressure_unit, **_stats(s.disc_pressure, 2)}
    if s.l5s1_compression_n is not None:
        load["l5s1_compression_n"] = _stats(s.l5s1_compression_n, 0)
    if load:
        summary["load"] = load
    if s.exposure is not None:
        summary["exposure"] = s.exposure
    summary["alerts"] = s.alerts
    summary["issues"] = list(analysis.issues)
    summary["unavailable"] = list(s.unavailable)
    summary["knowledge"] = extra.get("knowledge", {})
    summary["sources"] = sorted(
        {sid for doc in _knowledge_used(rules) for _, sid in cited_ids(doc)}
    )
    summary["outputs"] = outputs or {}
    return summary


def _knowledge_used(rules: object) -> list[object]:
    """The knowledge documents behind a camera result: camera rules, REBA, RULA and their
    series rules, ISO 11226."""
    from backcare.knowledge.exposure import iso11226
    from backcare.posture.ergo_common import reba_tables, rula_tables, series_rules

    return [rules, reba_tables(), rula_tables(), series_rules(), iso11226()]


def _frame_overlay(analysis: CameraAnalysis, i: int) -> dict[str, Any]:
    s = analysis.scores
    series = analysis.series
    found = bool(analysis.track.found[i])
    trunk = series.get("trunk_flexion")
    neck = series.get("neck_flexion")
    return {
        "image_xy": analysis.track.image[i] if found else None,
        "visibility": analysis.track.visibility[i] if found else None,
        "time_s": float(series.time[i]) if analysis.kind == "video" else None,
        "trunk_deg": float(trunk[i]) if trunk is not None else None,
        "neck_deg": float(neck[i]) if neck is not None else None,
        "reba": float(s.reba.score[i]) if s.reba is not None else None,
        "level": str(s.reba.level[i]) if s.reba is not None else None,
        "min_visibility": camera_rules().landmarks.min_visibility,
    }


def _write_annotated_video(
    analysis: CameraAnalysis, path: Path, progress: Progress | None
) -> Path | None:
    opts = analysis.options
    reader = VideoReader(analysis.source, every=opts.every, fps=opts.fps, max_side=opts.max_side)
    rows = {int(f): i for i, f in enumerate(analysis.track.frame_index)}
    writer: AnnotatedVideoWriter | None = None
    try:
        for frame in reader:
            i = rows.get(frame.index)
            if i is None:
                continue
            img = annotate_frame(frame.rgb, **_frame_overlay(analysis, i))
            if writer is None:
                h, w = img.shape[:2]
                writer = AnnotatedVideoWriter(path, w, h, analysis.rate_hz)
            writer.write(img, frame.time_s)
            if progress is not None:
                progress(i + 1, len(rows))
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    return writer.close() if writer is not None else None


def write_outputs(
    analysis: CameraAnalysis,
    out_dir: str | Path,
    *,
    annotate: bool = True,
    progress: Progress | None = None,
) -> dict[str, str]:
    """Write every output of ``analysis`` into ``out_dir``; returns ``{kind: file name}``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = output_stem(analysis.source)
    files: dict[str, str] = {}
    files["parquet"] = write_series(analysis.series, out / f"{stem}.parquet").name
    table = frame_table(analysis)
    table.to_csv(out / f"{stem}.csv", index=False, float_format="%.4g")
    files["csv"] = f"{stem}.csv"
    annotated_b64: str | None = None
    if annotate:
        if analysis.kind == "image":
            img = annotate_frame(read_image(analysis.source), **_frame_overlay(analysis, 0))
            files["annotated"] = write_image(out / f"{stem}.annotated.png", img).name
            annotated_b64 = _png_base64(img)
        else:
            written = _write_annotated_video(analysis, out / f"{stem}.annotated", progress)
            if written is not None:
                files["annotated"] = written.name
    files["summary"] = f"{stem}.summary.json"
    files["html"] = f"{stem}.html"
    summary = summarize(analysis, files)
    (out / files["summary"]).write_text(json.dumps(summary, indent=2), encoding="utf-8")
    html = render_camera_report(summary, table, annotated_png_base64=annotated_b64)
    (out / files["html"]).write_text(html, encoding="utf-8")
    return files


def _png_base64(rgb: np.ndarray[Any, Any]) -> str:
    import base64
    import io

    from PIL import Image

    buf = io.BytesIO()
    img = Image.fromarray(rgb)
    if max(img.size) > 1024:
        img.thumbnail((1024, 1024))
    img.save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")
