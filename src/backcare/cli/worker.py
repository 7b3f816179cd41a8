"""``backcare worker``: run the web app's background analyses in a process of their own.

``backcare serve`` runs two worker slots by default; this command runs the same loop
(:class:`backcare.web.worker.JobWorker`, ``--slots`` of them) on the same database and data
directory (``BACKCARE_DATABASE_URL``, ``BACKCARE_DATA_DIR``), e.g. on another machine that shares
them. Each analysis runs in a child process with memory, CPU-time and wall-clock limits derived
from its input's size. Several workers may run at once: each job is claimed by exactly one.
"""

from __future__ import annotations

import typer

from backcare.cli.console import console, err_console

__all__ = ["worker_command"]


def worker_command(
    once: bool = typer.Option(
        False, "--once", help="Run the queued jobs, then exit (instead of waiting for more)."
    ),
    poll: float = typer.Option(1.0, "--poll", min=0.1, help="Seconds between looks at the queue."),
    slots: int = typer.Option(
        2, "--slots", min=1, max=64, help="Analyses run at once (each in its own process)."
    ),
    max_attempts: int = typer.Option(
        3, "--max-attempts", min=1, help="Starts allowed before an interrupted job fails."
    ),
    stale_after: float = typer.Option(
        60.0,
        "--stale-after",
        min=15.0,
        help="Seconds without a heartbeat after which a running job counts as interrupted.",
    ),
) -> None:
    """Run background analyses (uploads of worn-sensor files, videos and photos)."""
    from backcare.store.db import open_database
    from backcare.web.settings import WebSettings
    from backcare.web.worker import JobWorker, WorkerConfig

    settings = WebSettings.from_env()
    config = WorkerConfig(
        poll_s=poll,
        heartbeat_s=min(5.0, stale_after / 4),
        stale_after_s=stale_after,
        max_attempts=max_attempts,
    )
    db = open_database(settings.database_url)
    try:
        worker = JobWorker(db, settings.data_dir, config=config)
        requeued, failed = worker.recover()
        if requeued or failed:
            console.print(
                f"interrupted jobs: {len(requeued)} queued again, {len(failed)} failed "
                f"after {max_attempts} attempts"
            )
        if once:
            done = 0
            while (job_id := worker.run_once()) is not None:
                done += 1
                console.print(f"job {job_id} finished")
            console.print(f"{done} job(s) run; the queue is empty")
            return
        console.print(
            f"worker running on {settings.data_dir} with {slots} slot(s) (Ctrl+C stops it)",
            markup=False,
        )
        workers = [worker] + [
            JobWorker(db, settings.data_dir, config=config) for _ in range(slots - 1)
        ]
        threads = [w.start() for w in workers]
        try:
            while any(t.is_alive() for t in threads):
                threads[0].join(0.5)
        except KeyboardInterrupt:
            err_console.print("stopping: running analyses go back to the queue")
            for w in workers:
                w.stop(timeout_s=30.0)
    finally:
        db.dispose()
