"""Analyse many files, one after another or in worker processes.

Each file is analysed by :func:`analyze_file` with MediaPipe graphs created **in the process that
runs it** (a MediaPipe graph cannot be shared between processes): a fresh tracking graph per
video, and one static-image graph per process for photos and the second-person search. With
``workers > 1`` files go to a pool of spawned processes; progress comes back through a queue. A
file that fails (unreadable, nobody in it) is reported with its message and does not stop the
others.
"""

from __future__ import annotations

import multiprocessing as mp
import queue as queue_mod
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from backcare.camera.backend import MediaPipeBackend, PoseBackend
from backcare.camera.people import PeopleSurvey
from backcare.camera.pipeline import (
    CameraAnalysis,
    CameraOptions,
    analyze_image,
    analyze_video,
    survey_media,
)
from backcare.camera.video import IMAGE_SUFFIXES, VIDEO_SUFFIXES, media_kind
from backcare.errors import BackcareError, InputError

__all__ = [
    "PEOPLE_IMAGE",
    "PEOPLE_JSON",
    "FileResult",
    "analyze_file",
    "analyze_media_file",
    "collect_inputs",
    "list_people",
    "people_table",
    "run_files",
    "write_people",
]

PEOPLE_IMAGE = "people.png"
PEOPLE_JSON = "people.json"

#: ``(file number, stage, done, total)``; stage is "analyse" or "annotate".
ProgressEvent = tuple[int, str, int, int | None]


@dataclass
class FileResult:
    """What happened to one input file (picklable)."""

    path: Path
    ok: bool
    files: dict[str, str] = field(default_factory=dict)
    headline: dict[str, Any] = field(default_factory=dict)
    issues: list[str] = field(default_factory=list)
    error: str | None = None


def collect_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files to analyse: given files as they are, folders expanded to their images and videos
    (recursively, sorted). A path that does not exist or a folder without media is an error."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES | VIDEO_SUFFIXES
            )
            if not found:
                raise InputError("the folder holds no image or video file", where=str(path))
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise InputError("no such file or folder", where=str(path))
    seen: set[Path] = set()
    unique = []
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


_STATIC: dict[str, PoseBackend] = {}


def _static_backend(model: str = "full") -> PoseBackend:
    """This process's static-image MediaPipe graph for landmark model ``model`` (created once)."""
    if model not in _STATIC:
        _STATIC[model] = MediaPipeBackend(model=model, static_image_mode=True)
    return _STATIC[model]


def analyze_media_file(
    path: Path,
    options: CameraOptions,
    *,
    find_people: bool = True,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> CameraAnalysis:
    """Analyse one image or video with MediaPipe (graphs made in this process); writes nothing."""
    kind = media_kind(path)
    if kind == "image":
        return analyze_image(
            path, _static_backend(options.pose_model), options, find_people=find_people
        )
    tracker = MediaPipeBackend(model=options.pose_model, static_image_mode=False)
    try:
        return analyze_video(
            path,
            tracker,
            options,
            searcher=_static_backend(options.pose_model) if find_people else None,
            progress=(lambda d, t: progress("analyse", d, t)) if progress else None,
        )
    finally:
        tracker.close()


def list_people(path: Path, options: CameraOptions | None = None) -> PeopleSurvey | None:
    """The people in a photo or spread over a video, numbered, with the one backcare would
    analyse (``options.person`` or the automatic choice); ``None`` when nobody is found."""
    return survey_media(path, _static_backend(options.pose_model if options else "full"), options)


def people_table(survey: PeopleSurvey) -> dict[str, Any]:
    """The survey as plain data (``people.json``)."""
    return {
        "kind": survey.kind,
        "preview_frame": survey.preview_index,
        "checked_frames": len(survey.samples),
        "analysed": survey.chosen,
        "asked": survey.asked,
        "people": [
            {
                "number": p.number,
                "where": p.describe(p.box_at(survey.preview_index)),
                "box": [round(v, 4) for v in (p.box_at(survey.preview_index) or p.first_box)],
                "on_preview": p.box_at(survey.preview_index) is not None,
                "seen_in_checked_frames": len(p.sightings),
                "presence": round(p.presence, 3),
                "arm_activity": round(p.activity, 4),
                "score": round(p.score, 4),
                "analysed": p.number == survey.chosen,
            }
            for p in survey.people
        ],
    }


def write_people(survey: PeopleSurvey, out_dir: Path, stem: str = "") -> dict[str, str]:
    """Write the preview with numbered boxes and ``people.json`` into ``out_dir``; returns their
    names (keys ``people_image`` and ``people_json``)."""
    import json

    from PIL import Image

    from backcare.camera.annotate import draw_people

    out_dir.mkdir(parents=True, exist_ok=True)
    image_name, json_name = f"{stem}{PEOPLE_IMAGE}", f"{stem}{PEOPLE_JSON}"
    drawn = draw_people(survey.preview, survey.preview_boxes(), survey.chosen)
    Image.fromarray(drawn).save(out_dir / image_name)
    (out_dir / json_name).write_text(json.dumps(people_table(survey), indent=2), encoding="utf-8")
    return {"people_image": image_name, "people_json": json_name}


def analyze_file(
    path: Path,
    options: CameraOptions,
    out_dir: Path,
    *,
    annotate: bool = True,
    find_people: bool = True,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> FileResult:
    """Analyse one image or video with MediaPipe and write its outputs into ``out_dir``."""
    from backcare.camera.outputs import write_outputs

    try:
        analysis = analyze_media_file(path, options, find_people=find_people, progress=progress)
        files = write_outputs(
            analysis,
            out_dir,
            annotate=annotate,
            progress=(lambda d, t: progress("annotate", d, t)) if progress else None,
        )
        if analysis.people is not None and len(analysis.people.people) > 1:
            files.update(write_people(analysis.people, out_dir, _stem(files)))
    except BackcareError as exc:
        return FileResult(path=path, ok=False, error=str(exc))
    s = analysis.scores
    headline: dict[str, Any] = {
        "view": analysis.view.view,
        "frames": len(analysis.track),
        "with_person": int(analysis.track.found.sum()),
        "people": len(analysis.people.people) if analysis.people is not None else None,
        "person": analysis.people.chosen if analysis.people is not None else None,
    }
    for fs in (s.reba, s.rula):
        if fs is not None and np.isfinite(fs.score).any():
            headline[f"{fs.method}_max"] = float(np.nanmax(fs.score))
            headline[f"{fs.method}_max_possible"] = float(np.nanmax(fs.high))
    return FileResult(path=path, ok=True, files=files, headline=headline, issues=analysis.issues)


def _stem(files: dict[str, str]) -> str:
    """The prefix the outputs of one file share (``"clip."`` for ``clip.summary.json``)."""
    name = files.get("summary", "")
    return name[: -len("summary.json")] if name.endswith("summary.json") else ""


def _worker(
    index: int,
    path: Path,
    options: CameraOptions,
    out_dir: Path,
    annotate: bool,
    find_people: bool,
    events: Any,
) -> FileResult:
    def report(stage: str, done: int, total: int | None) -> None:
        events.put((index, stage, done, total))

    return analyze_file(
        path, options, out_dir, annotate=annotate, find_people=find_people, progress=report
    )


def run_files(
    paths: Sequence[Path],
    options: CameraOptions,
    out_dir: Path,
    *,
    workers: int = 1,
    annotate: bool = True,
    find_people: bool = True,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    on_done: Callable[[int, FileResult], None] | None = None,
) -> list[FileResult]:
    """Analyse ``paths`` (in this process for ``workers == 1``, else in a process pool).

    ``on_progress`` receives :data:`ProgressEvent` tuples and ``on_done(index, result)`` is called
    as each file finishes; results come back in input order.
    """
    if workers < 1:
        raise InputError("must be at least 1", where="workers")
    results: list[FileResult | None] = [None] * len(paths)
    if workers == 1 or len(paths) <= 1:
        for i, path in enumerate(paths):

            def report(stage: str, done: int, total: int | None, i: int = i) -> None:
                if on_progress is not None:
                    on_progress((i, stage, done, total))

            result = analyze_file(
                path,
                options,
                out_dir,
                annotate=annotate,
                find_people=find_people,
                progress=report,
            )
            results[i] = result
            if on_done is not None:
                on_done(i, result)
        return [r for r in results if r is not None]
    ctx = mp.get_context("spawn")
    with (
        ctx.Manager() as manager,
        ProcessPoolExecutor(max_workers=min(workers, len(paths)), mp_context=ctx) as pool,
    ):
        events = manager.Queue()
        futures: dict[Future[FileResult], int] = {
            pool.submit(_worker, i, p, options, out_dir, annotate, find_people, events): i
            for i, p in enumerate(paths)
        }
        pending = set(futures)
        while pending:
            try:
                event = events.get(timeout=0.1)
            except queue_mod.Empty:
                event = None
            if event is not None and on_progress is not None:
                on_progress(event)
            for fut in [f for f in pending if f.done()]:
                pending.discard(fut)
                i = futures[fut]
                exc = fut.exception()
                result = (
                    fut.result()
                    if exc is None
                    else FileResult(path=paths[i], ok=False, error=f"worker failed: {exc}")
                )
                results[i] = result
                if on_done is not None:
                    on_done(i, result)
        while on_progress is not None:
            try:
                on_progress(events.get_nowait())
            except queue_mod.Empty:
                break
    return [r for r in results if r is not None]
