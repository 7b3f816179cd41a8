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
import re
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

from backcare.cli.console import console
from backcare.errors import InputError

if TYPE_CHECKING:  # pandas and the posture core load inside the commands
    from backcare.io.diary import DiaryEntry
    from backcare.posture.angles import SensorAxes
    from backcare.posture.exposure import ExposureReport

__all__ = [
    "analyze_command",
    "classify_command",
    "parse_reference",
    "parse_work_hours",
    "with_contexts",
]

_AXES_HELP = "Device axes as down=<axis>,forward=<axis> (e.g. down=+x,forward=-z)."


def _axes(text: str | None, option: str) -> SensorAxes | None:
    if text is None:
        return None
    from backcare.posture.angles import SensorAxes

    try:
        return SensorAxes.parse(text)
    except InputError as exc:
        raise InputError(exc.problem, where=option) from None


def _time_point(text: str, origin: datetime | None) -> float:
    text = text.strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text)
    if origin is None:
        raise InputError(
            "the recording has no start time; give the window in seconds", where="--reference"
        )
    if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", text):
        clock = time.fromisoformat(text if text.count(":") == 2 else text + ":00")
        when = datetime.combine(origin.date(), clock, tzinfo=origin.tzinfo)
        if when < origin:
            when += timedelta(days=1)
    else:
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise InputError(
                f"{text!r} is neither seconds, HH:MM[:SS] nor an ISO date-time",
                where="--reference",
            ) from None
        if when.tzinfo is None and origin.tzinfo is not None:
            when = when.replace(tzinfo=origin.tzinfo)
    return (when - origin).total_seconds()


def parse_reference(text: str | None, origin: datetime | None) -> tuple[float, float] | None:
    """``START..END`` -> seconds on the analysis grid (see the module docstring)."""
    if text is None:
        return None
    start, sep, end = text.partition("..")
    if not sep:
        raise InputError("expected START..END", where="--reference")
    t0, t1 = _time_point(start, origin), _time_point(end, origin)
    if t1 <= t0:
        raise InputError(f"the window ends before it starts ({text})", where="--reference")
    return t0, t1


def with_contexts(report: ExposureReport, entries: Sequence[DiaryEntry]) -> ExposureReport:
    """The report with a ``context`` column in the windows table: the diary's periods are the
    last windows (after any work-hours windows), in the diary's order."""
    table = report.per_window.copy()
    n_work = len(table) - len(entries)
    contexts = ["work hours"] * n_work + [e.context for e in entries]
    table.insert(0, "context", contexts)
    return replace(report, per_window=table)


def parse_work_hours(text: str | None) -> tuple[float, float] | None:
    """``8-16`` -> ``(8.0, 16.0)`` local hours."""
    if text is None:
        return None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*", text)
    if not m:
        raise InputError("expected START-END in hours, e.g. 8-16", where="--work-hours")
    lo, hi = float(m.group(1)), float(m.group(2))
    if not (0 <= lo < 24 and 0 < hi <= 24 and lo != hi):
        raise InputError(f"hours must lie in 0..24 and differ ({text})", where="--work-hours")
    return lo, hi


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


def _open(path: Path, sensor: str | None, where: str) -> Any:
    from backcare.wearable.readers import open_recording

    try:
        return open_recording(path, sensor=sensor)
    except InputError as exc:
        raise InputError(exc.problem, where=f"{where} {exc.where or path}") from None


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
    chunk: int = typer.Option(1 << 18, "--chunk", min=10_000, help="Samples per read chunk."),
) -> None:
    """Analyse body-worn accelerometers: activity per second, trunk/arm angles and exposure.

    A thigh sensor gives the activity types (lie, sit, stand, move, walk, run, stairs, cycle);
    a trunk sensor adds trunk inclination and splits lying; an upper-arm sensor adds arm
    elevation. Sensors are aligned on wall-clock time.
    """
    # heavy modules (SciPy, matplotlib) load only when the command runs
    from backcare.posture.exposure import analyze_exposure
    from backcare.report.wearable import write_wearable_outputs
    from backcare.wearable.pipeline import SensorInput, analyze, common_origin

    if trunk_placement not in ("back", "lumbar", "chest"):
        raise InputError("must be back, lumbar or chest", where="--trunk-placement")
    if diary is not None and not diary.is_file():
        raise InputError("no such file", where=str(diary))
    if arm_side not in ("left", "right"):
        raise InputError("must be left or right", where="--arm-side")
    if thigh is None and trunk is None and arm is None:
        raise InputError("give at least one sensor (--thigh, --trunk or --arm)", where="sensors")
    hours = parse_work_hours(work_hours)
    wanted = [
        ("thigh", thigh, thigh_axes, thigh_sensor, "--thigh"),
        (f"trunk_{trunk_placement}", trunk, trunk_axes, trunk_sensor, "--trunk"),
        ("upper_arm", arm, arm_axes, arm_sensor, "--arm"),
    ]
    with ExitStack() as stack:
        sensors = []
        for placement, path, axes_text, label, option in wanted:
            if path is None:
                continue
            src = _open(path, label, option)
            stack.callback(src.close)
            sensors.append(
                SensorInput(
                    placement,
                    src,
                    axes=_axes(axes_text, f"{option}-axes"),
                    side="left" if arm_side == "left" else "right",
                )
            )
        origin = common_origin(s.source.info for s in sensors)
        window = parse_reference(reference, origin)
        # the diary is checked before the long part; naive device clocks are read as UTC
        entries = None
        if diary is not None:
            tz = origin.tzinfo if origin is not None and origin.tzinfo is not None else UTC
            from backcare.io.diary import read_diary

            entries = read_diary(diary, tz)
        with _progress(console.is_terminal) as tick:
            result = analyze(
                sensors,
                reference=window,
                auto_calibrate=not no_calibrate,
                max_samples=chunk,
                progress=tick,
            )
    report = analyze_exposure(
        result.series,
        work_hours=hours,
        windows=[(e.start, e.end) for e in entries] if entries else None,
        scores=False,
    )
    if entries:
        report = with_contexts(report, entries)
    paths = write_wearable_outputs(result.series, report, out, html=not no_html)
    _print_summary(result.series, report, paths)


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
    chunk: int = typer.Option(1 << 18, "--chunk", min=10_000, help="Samples per read chunk."),
) -> None:
    """Per-second activity labels of one sensor (a thigh sensor gives every activity type;
    a trunk sensor gives lying and non-wear only)."""
    from backcare.report.wearable import activity_table
    from backcare.wearable.pipeline import SensorInput, analyze

    src = _open(file, sensor, "FILE")
    try:
        with _progress(console.is_terminal) as tick:
            result = analyze(
                [SensorInput(placement, src, axes=_axes(axes, "--axes"))],
                auto_calibrate=not no_calibrate,
                max_samples=chunk,
                progress=tick,
            )
    finally:
        src.close()
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
