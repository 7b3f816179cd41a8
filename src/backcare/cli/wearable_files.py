"""``backcare wearable info`` and ``backcare wearable simulate``: sensor files in and out.

``info FILE`` prints what a sensor file holds (device, serial, rate, range, start, duration,
samples, sensors, placement) and every problem found while reading it all, or JSON with
``--json``; ``--header-only`` skips the pass over the data. ``simulate`` writes an AX3 ``.cwa``
file of a scripted week (see :mod:`backcare.wearable.simulator`) and its per-second truth.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from backcare.cli.console import console
from backcare.errors import InputError
from backcare.wearable.placements import PLACEMENTS

if TYPE_CHECKING:  # the readers (NumPy) and the simulator (pandas) load inside the commands
    from backcare.wearable.recording import RecordingInfo

__all__ = ["info_command", "simulate_command"]


def _duration(seconds: float) -> str:
    days, rest = divmod(round(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days} d {text}" if days else text


def _as_dict(info: RecordingInfo, scanned: bool) -> dict[str, Any]:
    extra = dict(info.extra)
    out: dict[str, Any] = {
        "path": info.path,
        "device": info.device,
        "serial": info.serial,
        "rate_hz": info.fs_hz,
        "range_g": info.range_g,
        "start": info.start.isoformat() if info.start else None,
        "sensor_label": info.sensor_label,
        "placement": info.placement,
        "scanned": scanned,
    }
    if scanned:
        out["n_samples"] = extra.pop("n_samples", 0)
        out["duration_s"] = extra.pop("duration_s", 0.0)
        out["sensors"] = extra.pop("sensors", ["accelerometer"])
    out["issues"] = [
        {"where": i.where, "problem": i.problem, "start_s": i.start_s, "end_s": i.end_s}
        for i in info.issues
    ]
    out["extra"] = extra
    return out


def info_command(
    file: Annotated[Path, typer.Argument(help="Sensor file (.cwa, .bin, .h5, .gt3x, .csv).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    header_only: Annotated[
        bool, typer.Option("--header-only", help="Read the header only (no issues, no counts).")
    ] = False,
    sensor: Annotated[
        str | None, typer.Option(help="Sensor of a multi-sensor file (APDM label, e.g. Lumbar).")
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="cwa, geneactiv, apdm, gt3x or csv.")
    ] = None,
    units: Annotated[str | None, typer.Option(help="CSV units: g or m/s2.")] = None,
) -> None:
    """Show what a sensor file holds and the problems found in it."""
    from backcare.wearable.readers import open_recording

    with open_recording(file, fmt=fmt, sensor=sensor, units=units) as src:
        info = src.info if header_only else src.scan()
    doc = _as_dict(info, scanned=not header_only)
    if as_json:
        console.print(json.dumps(doc, indent=2, default=str), markup=False, highlight=False)
        return
    table = Table(title=escape(Path(info.path).name), show_header=False)
    table.add_column("field")
    table.add_column("value")
    rows: list[tuple[str, Any]] = [
        ("device", doc["device"]),
        ("serial", doc["serial"]),
        ("rate", f"{doc['rate_hz']:g} Hz"),
        ("range", f"+-{doc['range_g']:g} g" if doc["range_g"] else "-"),
        ("start", doc["start"] or "unknown"),
    ]
    if not header_only:
        rows += [
            ("duration", _duration(doc["duration_s"])),
            ("samples", f"{doc['n_samples']:,}"),
            ("sensors", ", ".join(doc["sensors"])),
        ]
    if doc["sensor_label"]:
        rows.append(("sensor", doc["sensor_label"]))
    rows.append(("placement", doc["placement"] or "-"))
    for name, value in rows:
        table.add_row(name, escape(str(value)) if value is not None else "-")
    console.print(table, markup=False)
    issues = info.issues
    if not issues:
        console.print("no problems found" if not header_only else "header read; data not checked")
        return
    console.print(f"[yellow]{len(issues)} problem(s):[/]")
    for i in issues[:50]:
        span = f" [{i.start_s:.2f}-{i.end_s:.2f} s]" if i.start_s is not None and i.end_s else ""
        console.print(f"  {i.where}: {i.problem}{span}", markup=False)
    if len(issues) > 50:
        console.print(f"  ... and {len(issues) - 50} more (see --json)")


def simulate_command(
    out: Annotated[Path, typer.Option("--out", help="Output .cwa file (truth beside it).")],
    days: Annotated[float, typer.Option(help="Duration [days].")] = 7.0,
    rate: Annotated[
        float, typer.Option(help="Sample rate [Hz] (3200/2^k: 25, 50, 100...).")
    ] = 100.0,
    placement: Annotated[str, typer.Option(help=f"One of: {', '.join(PLACEMENTS)}.")] = "thigh",
    range_g: Annotated[int, typer.Option("--range", help="Range [g]: 2, 4, 8 or 16.")] = 8,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    start: Annotated[
        str | None, typer.Option(help="Device time of the first sample (ISO 8601).")
    ] = None,
    unpacked: Annotated[
        bool, typer.Option("--unpacked", help="16-bit samples (1.5x larger file).")
    ] = False,
) -> None:
    """Write a simulated AX3 .cwa file of a scripted week and its per-second truth."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    when: datetime | None = None
    if start is not None:
        try:
            when = datetime.fromisoformat(start)
        except ValueError:
            raise InputError(f"{start!r} is not an ISO 8601 date-time", where="--start") from None
    if out.suffix.lower() != ".cwa":
        raise InputError("the output file must end in .cwa", where="--out")
    with Progress(
        TextColumn("simulating"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("simulate", total=max(1.0, days * 86400))

        def progress(done_s: float, total_s: float) -> None:
            bar.update(task, completed=done_s, total=total_s)

        from backcare.wearable.simulator import simulate_cwa

        result = simulate_cwa(
            out,
            days=days,
            rate_hz=rate,
            placement=placement,
            range_g=range_g,
            seed=seed,
            start=when,
            packed=not unpacked,
            progress=progress,
        )
    size = result.path.stat().st_size
    console.print(
        f"wrote {result.path} ({size / 1e6:.1f} MB, {result.n_samples:,} samples at "
        f"{result.rate_hz:g} Hz, {result.placement}, seed {result.seed}, start "
        f"{result.start.isoformat()})",
        markup=False,
    )
    console.print(f"truth: {result.truth_path}", markup=False)
