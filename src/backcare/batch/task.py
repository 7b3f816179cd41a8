"""One recording, analysed on a worker: exactly the analysis of ``backcare wearable analyze``.

The task calls :func:`backcare.analyze_wearable` (streaming, bounded memory) with the recording's
options and saves the single-recording outputs with :meth:`~backcare.WearableResult.save`. It adds
no analysis of its own: besides those files it writes ``periods.parquet`` (the day and work-window
rows of the exposure summary, typed, for the cohort tables) and ``batch.json`` (the input
fingerprint, written last: a folder without it is incomplete and is analysed again).

Outputs are written into a temporary sibling folder that replaces the recording's folder only when
complete, so an interrupted run never leaves a half-written folder that looks finished.

Any error becomes a ``failed`` :class:`RecordingOutcome` whose message names the file (the worker
survives and the cohort run continues).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from backcare import __version__
from backcare.api import CHUNK_SAMPLES
from backcare.batch.manifest import RecordingSpec
from backcare.errors import BackcareError

__all__ = [
    "DONE_FILE",
    "PERIODS_FILE",
    "AnalysisOptions",
    "RecordingOutcome",
    "analyze_recording",
    "fingerprint",
    "load_done",
]

DONE_FILE = "batch.json"


@contextmanager
def staged_outputs(root: Path, key: str) -> Iterator[Path]:
    """A private folder for one task's outputs that becomes ``root/key`` only when the body
    finishes: a task that fails or dies never leaves a half-written folder that looks done.
    The body writes :data:`DONE_FILE` last (:func:`write_done`)."""
    final = root / key
    tmp = root / f".{key}.partial-{os.getpid()}"
    root.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
        if final.exists():
            shutil.rmtree(final)
        tmp.rename(final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_done(folder: Path, fingerprint: str, **record: Any) -> None:
    """Mark ``folder`` complete: its fingerprint, what it was made from and the version."""
    body = {"fingerprint": fingerprint, **record, "backcare_version": __version__}
    (folder / DONE_FILE).write_text(json.dumps(body, indent=2), encoding="utf-8")


PERIODS_FILE = "periods.parquet"
_SAMPLE_BYTES = 64 << 10
Status = Literal["done", "skipped", "failed"]


@dataclass(frozen=True)
class AnalysisOptions:
    """Options applied to every recording (as the ``wearable analyze`` options of that name)."""

    auto_calibrate: bool = True
    chunk_samples: int = CHUNK_SAMPLES
    html: bool = False


@dataclass(frozen=True)
class RecordingOutcome:
    """What became of one recording.

    ``periods`` holds the exposure summary's day rows and work-window rows (``None`` when it
    failed); ``elapsed_s`` is the task's wall time and ``cpu_s`` the CPU time its worker process
    used meanwhile (all its threads: exact when the process runs one task at a time);
    ``worker`` and ``worker_peak_rss_mib`` say where it ran and the peak resident memory of that
    worker process so far.
    """

    key: str
    status: Status
    periods: pd.DataFrame | None = None
    error: str = ""
    message: str = ""
    detail: str = ""
    elapsed_s: float = 0.0
    cpu_s: float = 0.0
    seconds: int = 0
    notes: tuple[str, ...] = field(default=())
    worker: str = ""
    worker_peak_rss_mib: float | None = None


def _file_identity(path: Path) -> dict[str, Any]:
    """Size, modification time and a hash of the first and last 64 KiB of a file."""
    st = path.stat()
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as fh:
        digest.update(fh.read(_SAMPLE_BYTES))
        if st.st_size > 2 * _SAMPLE_BYTES:
            fh.seek(st.st_size - _SAMPLE_BYTES)
            digest.update(fh.read(_SAMPLE_BYTES))
    return {
        "name": path.name,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "sample_hash": digest.hexdigest(),
    }


def fingerprint(rec: RecordingSpec, options: AnalysisOptions) -> str:
    """Identity of a recording's inputs: its files (size, time, first/last 64 KiB), its options,
    the analysis options, the backcare version and the knowledge in use.

    Group and day labels are not part of it: they only label the cohort tables.
    """
    from backcare.knowledge import fingerprint as knowledge_fingerprint

    spec = {
        "backcare": __version__,
        "knowledge": knowledge_fingerprint(),
        "auto_calibrate": options.auto_calibrate,
        "html": options.html,
        "arm_side": rec.arm_side,
        "reference": rec.reference,
        "work_hours": list(rec.work_hours) if rec.work_hours else None,
        "sensors": [
            {
                "placement": s.placement,
                "axes": [s.axes.down, s.axes.forward] if s.axes else None,
                "label": s.label,
                "file": _file_identity(s.path),
            }
            for s in rec.sensors
        ],
    }
    text = json.dumps(spec, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def load_done(folder: Path, expected: str) -> pd.DataFrame | None:
    """The saved period rows of a finished recording whose fingerprint is ``expected``, else
    ``None`` (never analysed, interrupted, inputs or options changed, or files missing)."""
    done = folder / DONE_FILE
    periods = folder / PERIODS_FILE
    try:
        info = json.loads(done.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or info.get("fingerprint") != expected:
        return None
    if not periods.is_file() or not (folder / "seconds.parquet").is_file():
        return None
    try:
        return pd.read_parquet(periods)
    except (OSError, ValueError):
        return None


def _peak_rss_mib() -> float | None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024.0


def _files_text(rec: RecordingSpec) -> str:
    return ", ".join(f"{s.site}={s.path}" for s in rec.sensors)


def _analyze(
    rec: RecordingSpec, folder: Path, options: AnalysisOptions
) -> tuple[pd.DataFrame, int]:
    # the facade ``backcare wearable analyze`` calls (the reference window was resolved
    # against the files' start when the manifest was read)
    from backcare.api import analyze_wearable

    result = analyze_wearable(
        options=rec.options(
            auto_calibrate=options.auto_calibrate, chunk_samples=options.chunk_samples
        )
    )
    result.save(folder, html=options.html)
    report = result.exposure
    periods = pd.concat(
        [t for t in (report.per_day, report.per_window) if len(t)], ignore_index=True
    )
    periods.to_parquet(folder / PERIODS_FILE, index=False)
    return periods, len(result.series)


def analyze_recording(
    rec: RecordingSpec, out_dir: str | Path, options: AnalysisOptions, expected: str
) -> RecordingOutcome:
    """Analyse one recording into ``out_dir/<key>``; never raises for a bad recording.

    Parameters
    ----------
    rec
        The recording (validated by :mod:`backcare.batch.manifest`).
    out_dir
        The folder holding one sub-folder per recording.
    options
        Analysis options shared by the cohort.
    expected
        The input fingerprint (:func:`fingerprint`), stored in ``batch.json``.
    """
    t0 = time.perf_counter()
    c0 = time.process_time()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    root = Path(out_dir)
    try:
        with staged_outputs(root, rec.key) as tmp:
            periods, seconds = _analyze(rec, tmp, options)
            write_done(
                tmp,
                expected,
                recording=rec.key,
                files={s.site: str(s.path) for s in rec.sensors},
            )
    except Exception as exc:
        known = isinstance(exc, BackcareError)
        message = str(exc)
        if not any(str(s.path) in message for s in rec.sensors):
            message = f"{message} [files: {_files_text(rec)}]"
        return RecordingOutcome(
            key=rec.key,
            status="failed",
            error=type(exc).__name__,
            message=message,
            detail="" if known else traceback.format_exc(limit=8),
            elapsed_s=time.perf_counter() - t0,
            cpu_s=time.process_time() - c0,
            worker=worker,
            worker_peak_rss_mib=_peak_rss_mib(),
        )
    return RecordingOutcome(
        key=rec.key,
        status="done",
        periods=periods,
        elapsed_s=time.perf_counter() - t0,
        cpu_s=time.process_time() - c0,
        seconds=seconds,
        worker=worker,
        worker_peak_rss_mib=_peak_rss_mib(),
    )
