"""The background job workers: run queued analyses from the ``jobs`` table in child processes.

Life of a job: the upload page queues it (``queued``); a worker claims it atomically
(``running``, one more attempt), checks that its input files still exist, runs the wearable or
camera analysis (:mod:`backcare.web.analysis`) into the job's output folder, reporting progress
and a message as it goes, and marks it ``done`` together with its ``posture_sessions`` row, or
``failed`` with a reason a person can read.

Where it runs: each analysis runs in a **child process of its own** (:mod:`backcare.web.job_child`,
a fresh interpreter), never in the web server's process, with an address-space limit
(``RLIMIT_AS``) and a CPU-time limit (``RLIMIT_CPU``) derived from the real size of its input
files (:func:`limits_for`), and a wall-clock limit the worker enforces; a job over a limit is
killed and fails with a reason that says which limit and that the owner may try a smaller file.
By default the app's lifespan starts ``WebSettings.worker_slots`` worker threads (two), each
supervising one child at a time; ``backcare worker`` runs the same loop (``--slots``) as a separate
process, e.g. on another machine against the same database. Claims are atomic, and fair: the next
job is the oldest of the person with the fewest running jobs, so one person's uploads cannot
starve the others. The owner can cancel a queued or running job; a running one's child is
killed within a second.

Liveness: while a job runs, a heartbeat thread stamps ``heartbeat_at`` every
:attr:`WorkerConfig.heartbeat_s` seconds (progress reports stamp it too). When a worker starts it
calls :meth:`JobWorker.recover`: jobs left ``running`` with a heartbeat older than
:attr:`WorkerConfig.stale_after_s` belonged to a worker that died; they go back to the queue, or,
once started :attr:`WorkerConfig.max_attempts` times, fail with "interrupted N times". A job
whose input file vanished fails with that reason. Nothing is dropped silently.

Stopping: :meth:`JobWorker.stop` asks the running analysis to stop at its next progress report;
the job goes back to the queue without using up an attempt. An analysis that does not report in
time is left to the stale-heartbeat recovery of the next start.

Tests call :meth:`JobWorker.run_once` to run the next job synchronously.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import shutil
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from backcare.errors import BackcareError
from backcare.store import job_queue, jobs
from backcare.store.db import Database
from backcare.store.files import person_dir
from backcare.web.analysis import (
    AnalysisOutcome,
    Profile,
    describe_error,
)
from backcare.web.job_child import JobLimits
from backcare.web.job_child import main as child_main

__all__ = [
    "MANIFEST",
    "JobWorker",
    "WorkerConfig",
    "job_output_dir",
    "limits_for",
    "read_manifest",
]

log = logging.getLogger(__name__)

#: The file in a job's output folder that lists what the analysis wrote.
MANIFEST = "outputs.json"

Analyse = Callable[[str, Mapping[str, Any], Path, Profile, Callable[[float, str], None]], Any]


@dataclass(frozen=True)
class WorkerConfig:
    """Timing of the worker.

    Attributes
    ----------
    poll_s
        Wait between looks at an empty queue [s].
    heartbeat_s
        Interval of the heartbeat while a job runs [s].
    stale_after_s
        A running job whose heartbeat is older than this belonged to a dead worker [s]; it must
        be well above ``heartbeat_s``.
    max_attempts
        Starts allowed before an interrupted job fails.
    progress_every_s
        Least interval between two progress writes to the database [s] (the first and the last
        report are always written).
    """

    poll_s: float = 1.0
    heartbeat_s: float = 5.0
    stale_after_s: float = 60.0
    max_attempts: int = 3
    progress_every_s: float = 0.5
    #: Limits of a job's child process (see :func:`limits_for`): address space the analysis may
    #: add to the loaded libraries = base + factor x input bytes (at most ``memory_max``); CPU
    #: time = base + seconds per MiB of input; wall time = CPU time x ``wall_factor`` +
    #: ``wall_extra_s``.
    memory_base: int = 2 << 30
    memory_per_input_byte: float = 24.0
    memory_max: int = 48 << 30
    cpu_base_s: float = 120.0
    cpu_s_per_mib: float = 3.0
    wall_factor: float = 2.0
    wall_extra_s: float = 60.0

    def __post_init__(self) -> None:
        if self.stale_after_s <= 2 * self.heartbeat_s:
            raise ValueError("stale_after_s must exceed twice heartbeat_s")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")


def job_output_dir(data_dir: Path, person_id: int, job_id: int) -> Path:
    """``<person folder>/jobs/<job id>``: where a job's outputs go."""
    return person_dir(data_dir, person_id) / "jobs" / str(int(job_id))


def read_manifest(output_dir: str | Path | None) -> dict[str, Any] | None:
    """The manifest of a finished job's output folder, or ``None`` when there is none."""
    if not output_dir:
        return None
    path = Path(output_dir) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def limits_for(input_bytes: int, config: WorkerConfig) -> JobLimits:
    """The limits of a job whose input files hold ``input_bytes`` bytes."""
    memory = int(
        min(config.memory_max, config.memory_base + config.memory_per_input_byte * input_bytes)
    )
    cpu = int(config.cpu_base_s + config.cpu_s_per_mib * input_bytes / (1 << 20))
    return JobLimits(
        memory_bytes=memory,
        cpu_s=max(1, cpu),
        wall_s=cpu * config.wall_factor + config.wall_extra_s,
    )


def _mib_text(n: int) -> str:
    return f"{n / (1 << 30):.1f} GB" if n >= 1 << 30 else f"{n >> 20} MB"


class _JobFailedError(Exception):
    """The job's child process failed or was stopped; ``reason`` is for the person."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class _StopRequestedError(BaseException):
    """The worker is stopping: abandon the analysis and put the job back."""


class _JobLostError(BaseException):
    """The job is no longer ours (re-queued or failed by someone else)."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class JobWorker:
    """Runs jobs from the queue (see the module docstring).

    Parameters
    ----------
    db
        The database.
    data_dir
        The data directory (people's folders).
    config
        Timing.
    clock
        Returns the current time (UTC); tests pass a fake.
    analyse
        ``analyse(kind, params, out_dir, profile, progress) -> AnalysisOutcome`` run in this
        process (tests); by default :func:`backcare.web.analysis.run_analysis` runs in a child
        process under the limits of :func:`limits_for`.
    """

    def __init__(
        self,
        db: Database,
        data_dir: Path,
        *,
        config: WorkerConfig | None = None,
        clock: Callable[[], datetime] = _utcnow,
        analyse: Analyse | None = None,
    ) -> None:
        self.db = db
        self.data_dir = Path(data_dir)
        self.config = config or WorkerConfig()
        self.clock = clock
        self.analyse: Analyse = analyse or self._run_isolated
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- recovery ---------------------------------------------------------------------------------

    def recover(self) -> tuple[list[int], list[int]]:
        """Re-queue or fail jobs left running by a dead worker; returns ``(requeued, failed)``."""
        now = self.clock()
        requeued, failed = jobs.recover_stale(
            self.db,
            stale_before=now - timedelta(seconds=self.config.stale_after_s),
            max_attempts=self.config.max_attempts,
            now=now,
        )
        if requeued or failed:
            log.info("recovered jobs: requeued %s, failed %s", requeued, failed)
        return requeued, failed

    # -- one job ----------------------------------------------------------------------------------

    def run_once(self) -> int | None:
        """Claim the next queued job and run it to the end; returns its id (``None``: no job)."""
        job = jobs.claim_next(self.db, now=self.clock())
        if job is None:
            return None
        self._run(job)
        return job.id

    def _run(self, job: jobs.JobRecord) -> None:
        missing = [p for p in job.inputs if not Path(p).is_file()]
        if missing:
            names = ", ".join(Path(p).name for p in missing)
            job_queue.fail(
                self.db,
                job.id,
                reason=f"the input file is missing (deleted or moved): {names}",
                now=self.clock(),
            )
            return
        out_dir = Path(job.output_dir) if job.output_dir else None
        if out_dir is None:
            out_dir = job_output_dir(self.data_dir, job.person_id, job.id)
        self._fresh_dir(out_dir, job.person_id)
        profile = Profile.from_values(*job_queue.profile_values(self.db, job.person_id))
        reporter = _Reporter(self, job.id)
        reporter.inputs = tuple(job.inputs)
        beat = _Heartbeat(self, job.id)
        beat.start()
        try:
            outcome = self.analyse(job.kind, job.params, out_dir, profile, reporter)
        except _StopRequestedError:
            job_queue.release(
                self.db, job.id, now=self.clock(), message="the worker stopped; queued again"
            )
            return
        except _JobLostError:
            log.warning("job %s was taken over while running; its result is dropped", job.id)
            return
        except _JobFailedError as exc:
            self._fail(job.id, exc.reason)
            return
        except BackcareError as exc:
            self._fail(job.id, describe_error(exc))
            return
        except Exception as exc:
            log.exception("job %s failed", job.id)
            self._fail(job.id, describe_error(exc))
            return
        finally:
            beat.stop()
        self._finish(job, out_dir, outcome)

    def _run_isolated(
        self,
        kind: str,
        params: Mapping[str, Any],
        out_dir: Path,
        profile: Profile,
        progress: Callable[[float, str], None],
    ) -> AnalysisOutcome:
        """Run the analysis in a child process under limits; relay its progress."""
        inputs = getattr(progress, "inputs", ())
        sizes = [Path(p).stat().st_size for p in inputs if Path(p).is_file()]
        limits = limits_for(sum(sizes), self.config)
        job_id = getattr(progress, "job_id", None)
        ctx = multiprocessing.get_context("spawn")
        receiver, sender = ctx.Pipe(duplex=False)
        child = ctx.Process(
            target=child_main,
            args=(sender, kind, dict(params), str(out_dir), profile, limits),
            name=f"backcare-job-{job_id}",
            daemon=True,
        )
        child.start()
        sender.close()
        deadline = time.monotonic() + limits.wall_s
        next_check = time.monotonic() + 1.0
        try:
            while True:
                if receiver.poll(0.25):
                    try:
                        message = receiver.recv()
                    except (EOFError, OSError):
                        message = None
                    if message is not None and message[0] == "progress":
                        progress(message[1], message[2])
                        continue
                    if message is not None and message[0] == "done":
                        outcome: AnalysisOutcome = message[1]
                        return outcome
                    if message is not None and message[0] == "failed":
                        raise _JobFailedError(self._reason(message[2], message[1], limits))
                    child.join(5.0)
                    raise _JobFailedError(self._reason_from_exit(child.exitcode, limits))
                if not child.is_alive() and not receiver.poll(0):
                    raise _JobFailedError(self._reason_from_exit(child.exitcode, limits))
                now = time.monotonic()
                if now > deadline:
                    raise _JobFailedError(
                        f"the analysis took longer than the {limits.wall_s / 60:.0f} minutes "
                        "allowed for a file of this size and was stopped; try a shorter recording"
                    )
                if job_id is not None and now >= next_check:
                    next_check = now + 1.0
                    current = jobs.get_job(self.db, job_id)
                    if current is None or current.status != "running":
                        raise _JobLostError  # cancelled by its owner, or taken over
                    if self.stopping:
                        raise _StopRequestedError
        finally:
            receiver.close()
            if child.is_alive():
                child.kill()
            child.join(10.0)

    @staticmethod
    def _reason(what: str, message: str, limits: JobLimits) -> str:
        if what == "memory":
            return (
                f"the analysis needed more than the {_mib_text(limits.memory_bytes)} of memory "
                "allowed for a file of this size and was stopped; the file may be damaged"
            )
        return message or "the analysis failed"

    @staticmethod
    def _reason_from_exit(code: int | None, limits: JobLimits) -> str:
        if code in (-signal.SIGXCPU, -signal.SIGKILL):
            return (
                f"the analysis used more than the {limits.cpu_s} s of processing time allowed "
                "for a file of this size and was stopped; the file may be damaged"
            )
        return f"the analysis stopped unexpectedly (exit status {code})"

    def _fail(self, job_id: int, reason: str) -> None:
        job_queue.fail(self.db, job_id, reason=reason, now=self.clock())

    def _fresh_dir(self, out_dir: Path, person_id: int) -> None:
        """An empty output folder (what an interrupted attempt left is removed)."""
        root = person_dir(self.data_dir, person_id).resolve()
        if out_dir.exists():
            resolved = out_dir.resolve()
            if resolved != root and resolved.is_relative_to(root):
                shutil.rmtree(resolved)
        out_dir.mkdir(parents=True, exist_ok=True)

    def _finish(self, job: jobs.JobRecord, out_dir: Path, outcome: AnalysisOutcome) -> None:
        now = self.clock()
        manifest = {
            "kind": job.kind,
            "files": outcome.files,
            "notes": outcome.notes,
            "duration_s": outcome.duration_s,
            "started_at": outcome.started_at.isoformat() if outcome.started_at else None,
            "finished_at": now.isoformat(),
        }
        (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        session_row = None
        if outcome.summary is not None:
            series = outcome.files.get("series")
            session_row = job_queue.SessionInput(
                source=job.kind,
                started_at=outcome.started_at or job.created_at,
                duration_s=max(0.0, float(outcome.duration_s)),
                series_path=str(out_dir / series) if series else None,
                summary=outcome.summary,
            )
        note = f" ({len(outcome.notes)} notes)" if outcome.notes else ""
        if not job_queue.complete(
            self.db, job.id, now=now, message=f"finished{note}", session_row=session_row
        ):
            log.warning("job %s was taken over before it finished; its result is dropped", job.id)

    # -- the loop ---------------------------------------------------------------------------------

    def run_forever(self) -> None:
        """Recover, then run jobs until :meth:`stop` (waiting ``poll_s`` on an empty queue)."""
        self.recover()
        next_recovery = time.monotonic() + self.config.stale_after_s
        while not self._stop.is_set():
            try:
                ran = self.run_once()
                if time.monotonic() >= next_recovery:
                    self.recover()  # picks up jobs of other worker processes that died
                    next_recovery = time.monotonic() + self.config.stale_after_s
            except Exception:
                log.exception("the job worker hit an error; it carries on")
                ran = None
            if ran is None:
                self._stop.wait(self.config.poll_s)

    def start(self) -> threading.Thread:
        """Run :meth:`run_forever` in a daemon thread (the app's lifespan does this)."""
        if self._thread is not None and self._thread.is_alive():
            return self._thread
        self._stop.clear()
        self._thread = threading.Thread(target=self.run_forever, name="backcare-jobs", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout_s: float = 5.0) -> None:
        """Ask the loop (and a running analysis, at its next progress report) to stop."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()


class _Reporter:
    """The progress callback handed to an analysis: throttled writes, stop and loss checks."""

    def __init__(self, worker: JobWorker, job_id: int) -> None:
        self.worker = worker
        self.job_id = job_id
        self.inputs: tuple[str, ...] = ()
        self._last_write = -float("inf")

    def __call__(self, fraction: float, message: str) -> None:
        if self.worker.stopping:
            raise _StopRequestedError
        now = time.monotonic()
        if fraction < 1.0 and now - self._last_write < self.worker.config.progress_every_s:
            return
        self._last_write = now
        still_ours = job_queue.report_progress(
            self.worker.db,
            self.job_id,
            progress=fraction,
            message=message,
            now=self.worker.clock(),
        )
        if not still_ours:
            raise _JobLostError


class _Heartbeat:
    """Stamps the job's heartbeat every ``heartbeat_s`` while the analysis runs."""

    def __init__(self, worker: JobWorker, job_id: int) -> None:
        self.worker = worker
        self.job_id = job_id
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"heartbeat-{job_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._done.wait(self.worker.config.heartbeat_s):
            try:
                job_queue.heartbeat(self.worker.db, self.job_id, now=self.worker.clock())
            except Exception:
                log.exception("heartbeat of job %s failed", self.job_id)
