"""``backcare batch``: cohort analyses on Dask.

``backcare batch wearable MANIFEST_OR_DIR --out DIR`` analyses every recording of a manifest
(CSV/YAML) or of a folder named ``<subject>[_<day>]_<placement>.<ext>`` exactly as
``backcare wearable analyze`` would, one Dask task per recording, and writes the cohort tables and
report (see ``docs/batch.md``). The exit status is 0 when every recording was analysed, 1 when
some failed (they are listed in ``failures.csv``), 2 for a bad manifest or option.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from backcare.cli.console import console, err_console
from backcare.errors import InputError

__all__ = ["batch_app", "camera_command", "wearable_command"]

batch_app = typer.Typer(
    # help texts hold units in brackets ("[kg]"): plain text, not Rich markup
    rich_markup_mode=None,
    help="Cohort analyses: many recordings at once on a Dask cluster.",
    no_args_is_help=True,
)


# the cluster options both cohort commands share
_OUT = typer.Option(..., "--out", help="Output folder (created).")
_WORKERS = typer.Option(
    None, "--workers", min=1, help="Local worker processes (default: CPU count)."
)
_SCHEDULER = typer.Option(
    None, "--scheduler", help="Address of a running Dask scheduler, e.g. tcp://host:8786."
)
_MEMORY_LIMIT = typer.Option(
    None, "--memory-limit", help="Memory per local worker, e.g. 4GiB (default: 4 GiB or less)."
)


def wearable_command(
    source: Path = typer.Argument(
        ..., help="Manifest (.csv/.tsv/.yaml) or folder of <subject>[_<day>]_<placement> files."
    ),
    out: Path = _OUT,
    workers: int | None = _WORKERS,
    scheduler: str | None = _SCHEDULER,
    memory_limit: str | None = _MEMORY_LIMIT,
    force: bool = typer.Option(
        False, "--force", help="Analyse every recording again, even when its outputs are current."
    ),
    min_wear_hours: float | None = typer.Option(
        None,
        "--min-wear-hours",
        help="Wear time [h] a day needs to enter the summary (default: the cohort rules, 10 h).",
    ),
    recording_reports: bool = typer.Option(
        False, "--recording-reports", help="Also write each recording's own HTML report."
    ),
    no_report: bool = typer.Option(False, "--no-report", help="Skip the cohort HTML report."),
    no_calibrate: bool = typer.Option(
        False, "--no-calibrate", help="Skip the auto-calibration to local gravity."
    ),
    chunk: int = typer.Option(1 << 19, "--chunk", min=10_000, help="Samples per read chunk."),
    threads: bool = typer.Option(
        False, "--threads", help="Run local workers as threads of this process (no processes)."
    ),
) -> None:
    """Analyse a cohort of body-worn sensor recordings (one task per recording).

    Recordings whose outputs already match their inputs are skipped (resume after an
    interruption); a recording that cannot be analysed is listed in failures.csv and the others
    go on.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from backcare.batch import AnalysisOptions, ClusterOptions, load_cohort, run_cohort

    if scheduler and workers is not None:
        raise InputError("give either --workers (local cluster) or --scheduler", where="--workers")
    if scheduler and (memory_limit or threads):
        raise InputError(
            "--memory-limit and --threads apply to a local cluster only", where="--scheduler"
        )
    cohort = load_cohort(source)
    groups = [g for g in cohort.groups if g]
    console.print(
        f"{len(cohort)} recording(s)"
        + (f" in {len(groups)} group(s): {', '.join(groups)}" if groups else ""),
        markup=False,
    )
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(),
    )
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as bar:
        task: dict[str, Any] = {}

        def start(total: int, to_run: int) -> None:
            task["id"] = bar.add_task("recordings", total=total, last="")
            if to_run < total:
                console.print(f"{total - to_run} recording(s) already analysed with these inputs")
            if to_run:
                where = scheduler or f"{workers or 'auto'} local worker(s)"
                console.print(f"analysing {to_run} recording(s) on {where}", markup=False)

        def done(outcome: Any) -> None:
            bar.update(task["id"], advance=1, last=escape(f"{outcome.key}: {outcome.status}"))
            if outcome.status == "failed":
                err_console.print(f"[red]failed:[/] {escape(f'{outcome.key}: {outcome.message}')}")

        result = run_cohort(
            cohort,
            out,
            cluster=ClusterOptions(
                workers=workers,
                scheduler=scheduler,
                memory_limit=memory_limit,
                processes=not threads,
            ),
            options=AnalysisOptions(
                auto_calibrate=not no_calibrate, chunk_samples=chunk, html=recording_reports
            ),
            force=force,
            min_wear_h=min_wear_hours,
            report=not no_report,
            on_start=start,
            on_outcome=done,
        )
    _print_summary(result)
    if not result.complete:
        err_console.print(
            f"[bold red]incomplete:[/] {result.count('failed')} of {len(cohort)} recording(s) "
            "failed and are missing from the cohort tables (see failures.csv)"
        )
        raise typer.Exit(code=1)


def _print_summary(result: Any) -> None:
    table = Table(title="Cohort", show_edge=False)
    table.add_column("recordings")
    table.add_column("n", justify="right")
    for status in ("done", "skipped", "failed"):
        table.add_row(status, str(result.count(status)))
    daily = result.daily
    if len(daily) and "period" in daily.columns:
        days = daily[daily["period"] == "day"]
        table.add_row("days (valid / all)", f"{int(days['valid'].sum())} / {len(days)}")
    console.print(table)
    for name, path in result.paths.items():
        console.print(f"{name}: {path}", markup=False)


def camera_command(
    source: Path = typer.Argument(
        ..., help="Manifest (.csv/.tsv with a 'file' column) or folder of photos and videos."
    ),
    out: Path = _OUT,
    workers: int | None = _WORKERS,
    scheduler: str | None = _SCHEDULER,
    memory_limit: str | None = _MEMORY_LIMIT,
    force: bool = typer.Option(
        False, "--force", help="Analyse every file again, even when its outputs are current."
    ),
    every: int | None = typer.Option(
        None, "--every", min=1, help="Analyse every N-th video frame.", show_default=False
    ),
    fps: float | None = typer.Option(
        None, "--fps", help="Analyse at most N frames per second of video.", show_default=False
    ),
    mass: float | None = typer.Option(
        None, "--mass", help="Body mass in kg for the spinal load estimate.", show_default=False
    ),
    height: float | None = typer.Option(
        None, "--height", help="Body height in cm for the spinal load estimate.", show_default=False
    ),
    load: float = typer.Option(
        0.0, "--load", help="Load held in the hands, in kg (a manifest's load_kg wins)."
    ),
    camera_pitch: float | None = typer.Option(
        None,
        "--camera-pitch",
        help="Camera tilt in degrees, positive looking down (a manifest's camera_pitch_deg wins).",
        show_default=False,
    ),
    annotate: bool = typer.Option(
        False, "--annotate", help="Also write each file's annotated image or video (slower)."
    ),
    people: bool = typer.Option(
        True, "--people/--no-people", help="Look for several people and choose whom to analyse."
    ),
    pose_model: str = typer.Option(
        "full", "--pose-model", help="MediaPipe's pose model: full, or heavy (slower)."
    ),
    no_report: bool = typer.Option(False, "--no-report", help="Skip the cohort HTML report."),
) -> None:
    """Analyse many photos and videos (one task per file) and write the cohort tables.

    Files whose outputs already match their inputs are skipped (resume after an interruption);
    a file that cannot be analysed is listed in failures.csv and the others go on.
    """
    from backcare.batch import ClusterOptions
    from backcare.batch.camera_cohort import run_camera_cohort
    from backcare.batch.camera_manifest import load_media_cohort
    from backcare.batch.camera_task import CameraBatchOptions

    if scheduler and workers is not None:
        raise InputError("give either --workers (local cluster) or --scheduler", where="--workers")
    if scheduler and memory_limit:
        raise InputError("--memory-limit applies to a local cluster only", where="--scheduler")
    if every is not None and fps is not None:
        raise InputError("give either --every or --fps, not both", where="--every/--fps")
    cohort = load_media_cohort(source, exclude=out)
    options = CameraBatchOptions(
        every=every,
        fps=fps,
        mass_kg=mass,
        height_cm=height,
        load_kg=load,
        camera_pitch_deg=camera_pitch,
        annotate=annotate,
        find_people=people,
        pose_model=pose_model,
    )
    console.print(f"{len(cohort)} file(s)", markup=False)

    def start(total: int, to_run: int) -> None:
        if to_run < total:
            console.print(f"{total - to_run} file(s) already analysed with these inputs")
        if to_run:
            where = scheduler or f"{workers or 'auto'} local worker(s)"
            console.print(f"analysing {to_run} file(s) on {where}", markup=False)

    def done(outcome: Any) -> None:
        if outcome.status == "failed":
            err_console.print(f"[red]failed:[/] {escape(f'{outcome.key}: {outcome.message}')}")
        elif console.is_terminal:
            console.print(f"{outcome.key}: {outcome.status}", markup=False)

    result = run_camera_cohort(
        cohort,
        out,
        cluster=ClusterOptions(workers=workers, scheduler=scheduler, memory_limit=memory_limit),
        options=options,
        force=force,
        report=not no_report,
        on_start=start,
        on_outcome=done,
    )
    table = Table(title="Camera cohort", show_edge=False)
    table.add_column("files")
    table.add_column("n", justify="right")
    for status in ("done", "skipped", "failed"):
        table.add_row(status, str(result.count(status)))
    console.print(table)
    for name, path in result.paths.items():
        console.print(f"{name}: {path}", markup=False)
    if not result.complete:
        err_console.print(
            f"[bold red]incomplete:[/] {result.count('failed')} of {len(cohort)} file(s) "
            "failed and are missing from the cohort tables (see failures.csv)"
        )
        raise typer.Exit(code=1)
