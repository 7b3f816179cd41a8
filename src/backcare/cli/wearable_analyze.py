"""``backcare wearable analyze`` and ``backcare wearable classify``.

Axis options take ``down=<axis>,forward=<axis>`` where ``<axis>`` is ``+x -x +y -y +z -z``: the
signed device axis pointing down along the body segment and the one pointing forward (anterior)
when the person stands upright. Defaults per placement are in
``knowledge/data/wearable/placements.yaml``; upside-down and inside-out mounting are detected and
reported, and corrected only when the axes were not given (axes given explicitly are kept).

``--diary FILE`` takes a CSV of periods (``start, end, context``: work, leisure, sleep or
nonwear); every table is then also split by them (``windows.csv`` gets a ``context`` column).

``--reference START..END`` is an upright standing window, each end given as seconds since the
start of the recording (``30..40``), a time of day on the first day (``08:00:00..08:00:10``) or an
ISO date-time. Without it the reference is estimated from walking.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from backcare.cli.console import console
from backcare.errors import InputError

__all__ = ["analyze_command", "classify_command"]

_AXES_HELP = "Device axes as down=<axis>,forward=<axis> (e.g. down=+x,forward=-z)."


@contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[read]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True, disable=not enabled) as bar:
        tasks: dict[str, Any] = {}

        def tick(placement: str, seconds: float) -> None:
            if placement not in tasks:
                tasks[placement] = bar.add_task(f"reading {placement}", total=None, read="")
            bar.update(tasks[placement], read=f"{seconds / 3600.0:.1f} h read")

        yield tick


def analyze_command(
    thigh: Path | None = typer.Option(None, "--thigh", help="Thigh sensor file."),
    trunk: Path | None = typer.Option(None, "--trunk", help="Trunk sensor file."),
    arm: Path | None = typer.Option(None, "--arm", help="Upper-arm sensor file."),
    out: Path = typer.Option(..., "--out", help="Output folder (created)."),
    reference: str | None = typer.Option(
        None, "--reference", help="Upright standing window START..END (see the docs)."
    ),
    work_hours: str | None = typer.Option(
        None, "--work-hours", help="Daily work window in local hours, e.g. 8-16."
    ),
    diary: Path | None = typer.Option(
        None,
        "--diary",
        help="Diary CSV (start, end, context: work, leisure, sleep or nonwear): every table is "
        "also split by its periods.",
    ),
    trunk_placement: str = typer.Option(
        "back",
        "--trunk-placement",
        help="Where the trunk sensor sits: back (upper back), lumbar (lower back) or chest.",
    ),
    arm_side: str = typer.Option("right", "--arm-side", help="Which arm: left or right."),
    thigh_axes: str | None = typer.Option(None, "--thigh-axes", help=_AXES_HELP),
    trunk_axes: str | None = typer.Option(None, "--trunk-axes", help=_AXES_HELP),
    arm_axes: str | None = typer.Option(None, "--arm-axes", help=_AXES_HELP),
    thigh_sensor: str | None = typer.Option(
        None, "--thigh-sensor", help="Sensor label in a multi-sensor file (APDM)."
    ),
    trunk_sensor: str | None = typer.Option(
        None, "--trunk-sensor", help="Sensor label in a multi-sensor file (APDM), e.g. Lumbar."
    ),
    arm_sensor: str | None = typer.Option(
        None, "--arm-sensor", help="Sensor label in a multi-sensor file (APDM)."
    ),
    no_calibrate: bool = typer.Option(
        False, "--no-calibrate", help="Skip the auto-calibration to local gravity."
    ),
    no_html: bool = typer.Option(False, "--no-html", help="Skip the HTML report."),
    pdf: bool = typer.Option(
        False, "--pdf", help="Also write the report as a PDF (report.pdf; needs WeasyPrint)."
    ),
    chunk: int = typer.Option(
        1 << 19, "--chunk", min=10_000, help="Samples per read chunk (memory bound)."
    ),
) -> None:
    """Analyse body-worn accelerometers: activity per second, trunk/arm angles and exposure.

    A thigh sensor gives the activity types (lie, sit, stand, move, walk, run, stairs, cycle);
    a trunk sensor adds trunk inclination and splits lying; an upper-arm sensor adds arm
    elevation. Sensors are aligned on wall-clock time.
    """
    # heavy modules (pandas, SciPy, matplotlib) load only when the command runs
    from backcare.api import analyze_wearable, wearable_options

    if pdf and no_html:
        raise InputError("the PDF is made from the HTML report: drop --no-html", where="pdf")
    options = wearable_options(
        thigh=thigh,
        trunk=trunk,
        arm=arm,
        trunk_placement=trunk_placement,
        arm_side=arm_side,
        thigh_axes=thigh_axes,
        trunk_axes=trunk_axes,
        arm_axes=arm_axes,
        thigh_sensor=thigh_sensor,
        trunk_sensor=trunk_sensor,
        arm_sensor=arm_sensor,
        work_hours=work_hours,
        reference=reference,
        diary=diary,
        auto_calibrate=not no_calibrate,
        chunk_samples=chunk,
    )
    with _progress(console.is_terminal) as tick:
        result = analyze_wearable(options=options, progress=lambda p, s, _e: tick(p, s))
    paths = result.save(out, html=not no_html)
    if pdf:
        from backcare.report.pdf import write_pdf_beside

        paths["pdf"] = write_pdf_beside(paths["report"])
    _print_summary(result.series, result.exposure, paths)


def _print_summary(series: Any, report: Any, paths: dict[str, Path]) -> None:
    from backcare.report.wearable import activity_table

    table = Table(title="Time per activity", show_edge=False)
    table.add_column("activity")
    table.add_column("hours", justify="right")
    table.add_column("%", justify="right")
    for row in activity_table(series):
        table.add_row(row["activity"], f"{row['hours']:.2f}", f"{row['pct']:.1f}")
    console.print(table)
    s = report.summary
    if s.trunk_time_s > 0:
        bands = ", ".join(f">={k:g} deg {v:.1f}%" for k, v in sorted(s.trunk_fwd_pct.items()))
        console.print(f"Trunk forward inclination (upright and sitting): {bands}")
        console.print(f"Longest forward bend >60 deg: {s.trunk_fwd_longest_s:.0f} s")
    for note in list(series.meta.notes) + list(report.notes):
        console.print(f"[yellow]note:[/] {escape(str(note))}")
    for kind, path in paths.items():
        console.print(f"{kind}: {path}", markup=False)


def classify_command(
    file: Path = typer.Argument(..., help="Sensor file."),
    out: Path = typer.Option(..., "--out", help="Output CSV of per-second labels."),
    placement: str = typer.Option(
        "thigh",
        "--placement",
        help="thigh, trunk_back, trunk_lumbar, trunk_chest, upper_arm, wrist or hip.",
    ),
    axes: str | None = typer.Option(None, "--axes", help=_AXES_HELP),
    sensor: str | None = typer.Option(
        None, "--sensor", help="Sensor label in a multi-sensor file (APDM)."
    ),
    no_calibrate: bool = typer.Option(False, "--no-calibrate", help="Skip auto-calibration."),
    chunk: int = typer.Option(
        1 << 19, "--chunk", min=10_000, help="Samples per read chunk (memory bound)."
    ),
) -> None:
    """Per-second activity labels of one sensor (a thigh sensor gives every activity type;
    a trunk sensor gives lying and non-wear only)."""
    from backcare.api import SensorFile, WearableOptions
    from backcare.api._options import parse_axes
    from backcare.api._wearable import analyze_sensors
    from backcare.report.wearable import activity_table

    options = WearableOptions(
        sensors=(SensorFile(placement, file, parse_axes(axes, "axes"), sensor),),
        auto_calibrate=not no_calibrate,
        chunk_samples=chunk,
    )
    with _progress(console.is_terminal) as tick:
        result, _ = analyze_sensors(options, lambda p, s, _e: tick(p, s))
    series = result.series
    labels = series.activity_labels()
    start = series.meta.start
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["time", "seconds", "activity"])
        for t, label in zip(series.time.tolist(), labels.tolist(), strict=True):
            when = (start + timedelta(seconds=t)).isoformat() if start else ""
            writer.writerow([when, f"{t:.0f}", label])
    for row in activity_table(series):
        console.print(f"{row['activity']:>12}  {row['hours']:7.2f} h  {row['pct']:5.1f} %")
    for note in series.meta.notes:
        console.print(f"[yellow]note:[/] {escape(str(note))}")
    console.print(f"labels: {out}", markup=False)
