"""Run a cohort on Dask: one task per recording, isolated failures, resumable, cohort outputs.

:func:`run_cohort` checks which recordings are already done (same input fingerprint, unless
``force``), starts a ``dask.distributed`` client on a local cluster (``workers`` processes with
one thread each and a memory limit per worker) or connects to a running scheduler, submits one
task per remaining recording, collects them with :func:`distributed.as_completed` and writes the
cohort tables and report into ``out``::

    out/recordings/<recording>/   seconds.parquet, daily.csv, hourly.csv, bouts.csv, summary.json,
                                  [windows.csv], [report.html], periods.parquet, batch.json
    out/cohort_daily.parquet|csv  one row per subject-day (and per work window)
    out/cohort_summary.csv        per group and period: n subjects, n days, mean/median/P10/P90
    out/cohort_columns.csv        unit and meaning of every column
    out/recordings.csv            status of every recording (done, skipped, failed)
    out/failures.csv              one row per failed recording, the message naming the file
    out/cohort_report.html        self-contained plots and tables

With a remote scheduler the workers must have backcare installed and see the sensor files and
``out`` under the same paths as this machine (shared storage).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pandas as pd

from backcare.batch.manifest import Cohort, RecordingSpec
from backcare.batch.tables import cohort_daily, cohort_summary, column_glossary
from backcare.batch.task import (
    AnalysisOptions,
    RecordingOutcome,
    analyze_recording,
    fingerprint,
    load_done,
)
from backcare.errors import InputError

__all__ = [
    "RECORDINGS_DIR",
    "ClusterOptions",
    "CohortResult",
    "OutcomeCounts",
    "open_client",
    "run_cohort",
    "run_tasks",
]

RECORDINGS_DIR = "recordings"
_DEFAULT_MEMORY_BYTES = 4 << 30


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


_Spec = TypeVar("_Spec", bound=_Keyed)
_Outcome = TypeVar("_Outcome")


@dataclass(frozen=True)
class ClusterOptions:
    """Where the tasks run.

    Parameters
    ----------
    workers
        Local worker processes (default: the CPU count, at most the number of recordings to
        analyse); ignored with ``scheduler``.
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``) instead of a local cluster.
    memory_limit
        Memory per local worker, e.g. ``"4GiB"`` (default: 4 GiB or the machine's memory divided
        by the workers, whichever is less); a worker above it is restarted by Dask.
    processes
        Local workers as processes (default) or as threads of this process.
    connect_timeout_s
        How long to try reaching ``scheduler`` [s].
    """

    workers: int | None = None
    scheduler: str | None = None
    memory_limit: str | None = None
    processes: bool = True
    connect_timeout_s: float = 20.0


class _HasStatus(Protocol):
    @property
    def status(self) -> str: ...


class OutcomeCounts:
    """``count`` and ``complete`` of a cohort result whose ``outcomes`` carry a ``status``."""

    outcomes: Mapping[str, _HasStatus]

    def count(self, status: str) -> int:
        """How many tasks ended with ``status`` (``done``, ``skipped`` or ``failed``)."""
        return sum(1 for o in self.outcomes.values() if o.status == status)

    @property
    def complete(self) -> bool:
        """Every task of the cohort was analysed (now or before)."""
        return self.count("failed") == 0


@dataclass(frozen=True)
class CohortResult(OutcomeCounts):
    """The cohort run: outcome per recording and the cohort tables (also written to ``out``)."""

    cohort: Cohort
    outcomes: dict[str, RecordingOutcome]
    daily: pd.DataFrame
    summary: pd.DataFrame
    failures: pd.DataFrame
    recordings: pd.DataFrame
    paths: dict[str, Path] = field(default_factory=dict)


def _memory_limit(option: str | None, workers: int) -> int:
    from dask.utils import parse_bytes
    from distributed.system import MEMORY_LIMIT

    if option is None:
        return int(min(_DEFAULT_MEMORY_BYTES, MEMORY_LIMIT // max(workers, 1)))
    try:
        value = int(parse_bytes(option))
    except (ValueError, TypeError):
        raise InputError(
            f"{option!r} is not a size such as 4GiB or 1500MB", where="memory_limit"
        ) from None
    if value < 256 << 20:
        raise InputError("at least 256MiB per worker", where="memory_limit")
    return value


@contextmanager
def open_client(cluster: ClusterOptions, n_tasks: int) -> Iterator[Any]:
    """A ``distributed.Client``: on a new local cluster, or connected to ``cluster.scheduler``."""
    import distributed

    dd: Any = distributed  # untyped package
    if cluster.scheduler:
        try:
            client = dd.Client(cluster.scheduler, timeout=f"{cluster.connect_timeout_s}s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(
                f"cannot connect to the Dask scheduler: {exc}", where="scheduler"
            ) from None
        with client:
            yield client
        return
    workers = cluster.workers or min(os.cpu_count() or 1, max(n_tasks, 1))
    if workers < 1:
        raise InputError("must be at least 1", where="workers")
    memory = _memory_limit(cluster.memory_limit, workers)
    with (
        dd.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=cluster.processes,
            memory_limit=memory,
            # a free loopback port: never the fixed 8787 (two runs would race for it), never
            # on a public interface (the dashboard shows file names of health data)
            dashboard_address="127.0.0.1:0",
        ) as local,
        dd.Client(local) as client,
    ):
        yield client


def run_tasks(
    specs: Sequence[_Spec],
    *,
    kind: str,
    fingerprint: Callable[[_Spec], str],
    done: Callable[[_Spec, str], _Outcome | None],
    unreadable: Callable[[_Spec, OSError], _Outcome],
    submit: tuple[Callable[..., _Outcome], tuple[Any, ...]],
    died: Callable[[_Spec, BaseException], _Outcome],
    cluster: ClusterOptions,
    force: bool,
    on_start: Callable[[int, int], None] | None,
    on_outcome: Callable[[_Outcome], None] | None,
) -> dict[str, _Outcome]:
    """Run one task per item of a cohort on Dask, with resume and failure isolation; the
    outcomes by item key, in the cohort's order of completion.

    An item whose inputs cannot be read gets ``unreadable(spec, error)``; unless ``force``,
    ``done(spec, fingerprint)`` returns the outcome of an item whose saved outputs match its
    inputs (it is not run again); the others run as ``task(spec, *args, fingerprint)`` with
    ``submit = (task, args)``, and a task whose worker died gets ``died(spec, error)``.
    ``on_start(items, to run)`` is called once, and ``on_outcome`` for every item.
    """
    outcomes: dict[str, _Outcome] = {}
    todo: list[tuple[_Spec, str]] = []
    for spec in specs:
        try:
            expected = fingerprint(spec)
        except OSError as exc:
            outcomes[spec.key] = unreadable(spec, exc)
            continue
        saved = None if force else done(spec, expected)
        if saved is not None:
            outcomes[spec.key] = saved
        else:
            todo.append((spec, expected))
    if on_start is not None:
        on_start(len(specs), len(todo))
    if on_outcome is not None:
        for o in list(outcomes.values()):
            on_outcome(o)
    if not todo:
        return outcomes
    import distributed

    as_completed: Any = distributed.as_completed
    task, args = submit
    with open_client(cluster, len(todo)) as client:
        token = uuid.uuid4().hex[:8]
        futures = {}
        for spec, expected in todo:
            fut = client.submit(
                task, spec, *args, expected, key=f"backcare-{kind}-{spec.key}-{token}", pure=False
            )
            futures[fut.key] = (fut, spec)
        for fut in as_completed([f for f, _ in futures.values()]):
            spec = futures[fut.key][1]
            try:
                outcome = fut.result()
            except Exception as exc:
                outcome = died(spec, exc)
            finally:
                fut.release()
            outcomes[spec.key] = outcome
            if on_outcome is not None:
                on_outcome(outcome)
    return outcomes


def _unreadable(key: str, exc: OSError) -> RecordingOutcome:
    return RecordingOutcome(
        key=key,
        status="failed",
        error=type(exc).__name__,
        message=f"cannot read {exc.filename}: {exc.strerror}",
    )


def _failed_future(rec: RecordingSpec, exc: BaseException) -> RecordingOutcome:
    files = ", ".join(f"{s.site}={s.path}" for s in rec.sensors)
    return RecordingOutcome(
        key=rec.key,
        status="failed",
        error=type(exc).__name__,
        message=f"the task did not finish (its worker died or was restarted, e.g. above its "
        f"memory limit): {exc} [files: {files}]",
    )


def _recordings_table(cohort: Cohort, outcomes: dict[str, RecordingOutcome], root: Path) -> Any:
    rows = []
    for rec in cohort.recordings:
        o = outcomes[rec.key]
        rows.append(
            {
                "recording": rec.key,
                "subject": rec.subject,
                "recording_day": rec.day,
                "group": rec.group,
                "status": o.status,
                "seconds": o.seconds,
                "elapsed_s": round(o.elapsed_s, 3),
                "cpu_s": round(o.cpu_s, 3),
                "worker": o.worker,
                "worker_peak_rss_mib": o.worker_peak_rss_mib,
                "folder": str(root / rec.key),
                "files": "; ".join(f"{s.site}={s.path}" for s in rec.sensors),
                "message": o.message,
            }
        )
    return pd.DataFrame(rows)


def _failures_table(cohort: Cohort, outcomes: dict[str, RecordingOutcome]) -> pd.DataFrame:
    columns = ["recording", "subject", "recording_day", "group", "files", "error", "message"]
    rows = [
        {
            "recording": rec.key,
            "subject": rec.subject,
            "recording_day": rec.day,
            "group": rec.group,
            "files": "; ".join(f"{s.site}={s.path}" for s in rec.sensors),
            "error": outcomes[rec.key].error,
            "message": outcomes[rec.key].message,
        }
        for rec in cohort.recordings
        if outcomes[rec.key].status == "failed"
    ]
    return pd.DataFrame(rows, columns=columns)


def run_cohort(
    cohort: Cohort,
    out: str | Path,
    *,
    cluster: ClusterOptions | None = None,
    options: AnalysisOptions | None = None,
    force: bool = False,
    min_wear_h: float | None = None,
    report: bool = True,
    on_start: Callable[[int, int], None] | None = None,
    on_outcome: Callable[[RecordingOutcome], None] | None = None,
) -> CohortResult:
    """Analyse every recording of ``cohort`` and write the cohort outputs into ``out``.

    Parameters
    ----------
    cohort
        Validated recordings (:func:`backcare.batch.manifest.load_cohort`).
    out
        Output folder (created).
    cluster
        Local cluster or scheduler address (:class:`ClusterOptions`).
    options
        Analysis options for every recording.
    force
        Analyse every recording again, even when its outputs match its inputs.
    min_wear_h
        Minimum worn time [h] of a day in the summary (default: the cohort rules).
    report
        Write ``cohort_report.html``.
    on_start
        Called once with (recordings in the cohort, recordings to analyse now).
    on_outcome
        Called for each recording as it completes (skipped ones first).
    """
    cluster = cluster or ClusterOptions()
    options = options or AnalysisOptions()
    if min_wear_h is not None and not 0 <= min_wear_h <= 24:
        raise InputError("must lie within 0..24 hours", where="min_wear_hours")
    if cluster.scheduler is None:
        _memory_limit(cluster.memory_limit, cluster.workers or 1)  # a bad size stops the run now
    root = Path(out).resolve()
    rec_root = root / RECORDINGS_DIR
    rec_root.mkdir(parents=True, exist_ok=True)

    def skipped(rec: RecordingSpec, expected: str) -> RecordingOutcome | None:
        saved = load_done(rec_root / rec.key, expected)
        if saved is None:
            return None
        return RecordingOutcome(key=rec.key, status="skipped", periods=saved)

    outcomes = run_tasks(
        cohort.recordings,
        kind="recording",
        fingerprint=lambda rec: fingerprint(rec, options),
        done=skipped,
        unreadable=lambda rec, exc: _unreadable(rec.key, exc),
        submit=(analyze_recording, (str(rec_root), options)),
        died=_failed_future,
        cluster=cluster,
        force=force,
        on_start=on_start,
        on_outcome=on_outcome,
    )
    periods = {k: o.periods for k, o in outcomes.items() if o.periods is not None}
    return _write_outputs(cohort, root, outcomes, periods, min_wear_h=min_wear_h, report=report)


def _write_outputs(
    cohort: Cohort,
    root: Path,
    outcomes: dict[str, RecordingOutcome],
    periods: dict[str, pd.DataFrame],
    *,
    min_wear_h: float | None,
    report: bool,
) -> CohortResult:
    daily = cohort_daily(cohort.recordings, periods, min_wear_h=min_wear_h)
    summary = cohort_summary(daily)
    failures = _failures_table(cohort, outcomes)
    status = _recordings_table(cohort, outcomes, root / RECORDINGS_DIR)
    paths: dict[str, Path] = {}

    def put(name: str, frame: pd.DataFrame, kind: str) -> None:
        path = root / name
        tmp = path.with_name(path.name + ".tmp")
        if kind == "parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
        tmp.replace(path)
        paths[name] = path

    put("cohort_daily.parquet", daily, "parquet")
    put("cohort_daily.csv", daily, "csv")
    put("cohort_summary.csv", summary, "csv")
    glossary = column_glossary()
    put(
        "cohort_columns.csv",
        pd.DataFrame(
            [
                {"column": c, "unit": glossary[c][0], "meaning": glossary[c][1]}
                for c in daily.columns
                if c in glossary
            ]
        ),
        "csv",
    )
    put("recordings.csv", status, "csv")
    put("failures.csv", failures, "csv")
    from backcare.report.qc import cohort_qc_table  # one row per recording, sensor and day

    put("cohort_qc.csv", cohort_qc_table(status), "csv")
    result = CohortResult(
        cohort=cohort,
        outcomes=outcomes,
        daily=daily,
        summary=summary,
        failures=failures,
        recordings=status,
        paths=paths,
    )
    if report:
        from backcare.knowledge.batch import cohort_rules
        from backcare.report.cohort import render_cohort_report

        html = render_cohort_report(
            daily,
            summary,
            status,
            failures,
            source=str(cohort.source),
            min_wear_h=cohort_rules().valid_day.min_wear_h if min_wear_h is None else min_wear_h,
        )
        path = root / "cohort_report.html"
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(path)
        paths[path.name] = path
    return result
