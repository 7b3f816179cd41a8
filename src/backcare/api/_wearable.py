"""Body-worn sensors through the facade: read one file, or analyse a set of worn sensors.

:func:`analyze_wearable` is the one place that opens the sensor files, runs the per-second
pipeline (:func:`backcare.wearable.pipeline.analyze`, streaming, memory bounded by the read chunk)
and summarises the exposure; the command line, a cohort run and the web app all call it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backcare.api._options import (
    WearableOptions,
    parse_reference,
    wearable_options,
)
from backcare.api._results import WearableResult
from backcare.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from backcare.io.diary import DiaryEntry
    from backcare.posture.angles import SensorAxes
    from backcare.posture.exposure import ExposureReport
    from backcare.wearable.pipeline import WearableAnalysis
    from backcare.wearable.readers import RecordingSource

__all__ = ["BYTES_PER_SAMPLE", "ReadProgress", "analyze_wearable", "read_wearable"]

#: ``progress(placement, seconds_read, seconds_expected)`` after each read chunk; the expectation
#: [s] is a rough guess from the file size (``None`` when it cannot be guessed).
ReadProgress = Callable[[str, float, float | None], None]

#: Typical bytes per sample of each sensor format, for the rough length guess of a file.
BYTES_PER_SAMPLE: dict[str, float] = {
    "cwa": 512 / 120,  # packed AX3 blocks: 120 samples in 512 bytes
    "geneactiv": 12.0,  # hexadecimal pages: 12 characters per sample
    "apdm": 40.0,  # HDF5: accelerometer, gyroscope, magnetometer and more per sample
    "gt3x": 3.0,  # packed 12-bit samples, zipped
    "csv": 30.0,  # one text line per sample
}


def _open(path: Path, label: str | None, where: str) -> RecordingSource:
    from backcare.wearable.readers import open_recording

    try:
        return open_recording(path, sensor=label)
    except InputError as exc:
        raise InputError(exc.problem, where=f"{where} file {exc.where or path}") from None


def _expected_seconds(path: Path, fs_hz: float) -> float | None:
    from backcare.wearable.readers import detect_format

    try:
        per_sample = BYTES_PER_SAMPLE.get(detect_format(path))
        size = path.stat().st_size
    except (OSError, InputError):
        return None
    if per_sample is None or fs_hz <= 0:
        return None
    return max(1.0, size / per_sample / fs_hz)


def read_wearable(
    path: str | Path, *, sensor: str | None = None, units: str | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read a whole sensor file into memory.

    Parameters
    ----------
    path
        A ``.cwa`` (Axivity), ``.bin`` (GENEActiv), ``.h5`` (APDM), ``.gt3x`` (ActiGraph) or
        ``.csv`` file.
    sensor
        Which sensor of a multi-sensor file (APDM), e.g. ``"Lumbar"``.
    units
        Acceleration units of a CSV file, ``"g"`` or ``"m/s2"`` (detected when omitted).

    Returns
    -------
    data
        One row per sample, indexed by time (``DatetimeIndex`` when the file gives its start,
        else ``TimedeltaIndex`` since the first sample): ``x``, ``y``, ``z`` acceleration [g] in
        the device's axes; ``gyro_x`` .. ``gyro_z`` angular velocity [deg/s] and
        ``temperature`` [degC] where the device records them.
    info
        ``path``, ``device``, ``serial``, ``fs_hz`` [Hz], ``start`` (datetime or ``None``),
        ``range_g`` [g], ``sensor_label``, ``samples``, ``duration_s`` [s] and ``issues``
        (damaged spans the reader skipped, as text).

    Memory grows with the file (about 40 bytes a sample); for long recordings use
    :func:`analyze_wearable`, which streams.
    """
    import numpy as np
    import pandas as pd

    src = _open(Path(path), sensor, "path")
    try:
        rec = src.read()
    finally:
        src.close()
    info = rec.info
    offsets = pd.to_timedelta(np.asarray(rec.time, dtype=np.float64), unit="s")
    index = pd.Timestamp(info.start) + offsets if info.start is not None else offsets
    cols: dict[str, Any] = {"x": rec.accel[:, 0], "y": rec.accel[:, 1], "z": rec.accel[:, 2]}
    if rec.gyro is not None:
        cols.update({f"gyro_{a}": rec.gyro[:, i] for i, a in enumerate("xyz")})
    if rec.temperature is not None:
        cols["temperature"] = rec.temperature
    data = pd.DataFrame(cols, index=pd.Index(index, name="time"))
    meta: dict[str, Any] = {
        "path": info.path,
        "device": info.device,
        "serial": info.serial,
        "fs_hz": info.fs_hz,
        "start": info.start,
        "range_g": info.range_g,
        "sensor_label": info.sensor_label,
        "samples": len(rec),
        "duration_s": rec.duration_s,
        "issues": [f"{i.where}: {i.problem}" for i in info.issues],
        **info.extra,
    }
    return data, meta


def _with_contexts(report: ExposureReport, entries: tuple[DiaryEntry, ...]) -> ExposureReport:
    """The report with a ``context`` column in the windows table: the diary's periods are the
    last windows (after any work-hours windows), in the diary's order."""
    table = report.per_window.copy()
    n_work = len(table) - len(entries)
    table.insert(0, "context", ["work hours"] * n_work + [e.context for e in entries])
    return replace(report, per_window=table)


def analyze_sensors(
    options: WearableOptions, progress: ReadProgress | None = None
) -> tuple[WearableAnalysis, tuple[DiaryEntry, ...]]:
    """The per-second analysis of the sensors of ``options`` and the diary's periods (no
    exposure summary)."""
    from backcare.io.diary import read_diary
    from backcare.wearable.pipeline import SensorInput, analyze, common_origin

    with ExitStack() as stack:
        inputs = []
        expected: dict[str, float | None] = {}
        for s in options.sensors:
            src = _open(s.path, s.label, s.site)
            stack.callback(src.close)
            inputs.append(SensorInput(s.placement, src, axes=s.axes, side=options.arm_side))
            if progress is not None:
                expected[s.placement] = _expected_seconds(s.path, src.info.fs_hz)
        origin = common_origin(i.source.info for i in inputs)
        window = parse_reference(options.reference, origin)
        entries: tuple[DiaryEntry, ...] = ()
        if options.diary is not None:
            # checked before the long part; naive device clocks are read as UTC
            tz = origin.tzinfo if origin is not None and origin.tzinfo is not None else UTC
            entries = tuple(read_diary(options.diary, tz))

        def tick(placement: str, seconds: float) -> None:
            if progress is not None:
                progress(placement, seconds, expected.get(placement))

        analysis = analyze(
            inputs,
            reference=window,
            auto_calibrate=options.auto_calibrate,
            max_samples=options.chunk_samples,
            progress=tick if progress is not None else None,
        )
    return analysis, entries


def run_wearable(options: WearableOptions, progress: ReadProgress | None = None) -> WearableResult:
    """Analyse the sensors of ``options`` (see :func:`analyze_wearable`)."""
    from backcare.posture.exposure import analyze_exposure

    analysis, entries = analyze_sensors(options, progress)
    report = analyze_exposure(
        analysis.series,
        work_hours=options.work_hours,
        windows=[(e.start, e.end) for e in entries] if entries else None,
        scores=False,
    )
    if entries:
        report = _with_contexts(report, entries)
    return WearableResult(analysis.series, report, analysis, entries)


def analyze_wearable(
    thigh: str | Path | None = None,
    trunk: str | Path | None = None,
    arm: str | Path | None = None,
    *,
    trunk_placement: str = "back",
    arm_side: str = "right",
    thigh_axes: str | SensorAxes | None = None,
    trunk_axes: str | SensorAxes | None = None,
    arm_axes: str | SensorAxes | None = None,
    thigh_sensor: str | None = None,
    trunk_sensor: str | None = None,
    arm_sensor: str | None = None,
    work_hours: str | tuple[float, float] | None = None,
    reference: str | tuple[float, float] | None = None,
    diary: str | Path | None = None,
    auto_calibrate: bool = True,
    options: WearableOptions | None = None,
    progress: ReadProgress | None = None,
) -> WearableResult:
    """Analyse body-worn accelerometers: activity per second, trunk and arm angles, exposure.

    A thigh sensor gives the activity types (lie, sit, stand, move, walk, run, stairs, cycle);
    a trunk sensor adds trunk inclination and splits lying; an upper-arm sensor adds arm
    elevation. The sensors are aligned on wall-clock time.

    Parameters
    ----------
    thigh, trunk, arm
        Sensor files (at least one).
    trunk_placement
        Where the trunk sensor sits: ``"back"`` (upper back), ``"lumbar"`` or ``"chest"``.
    arm_side
        Which arm wears the arm sensor: ``"left"`` or ``"right"``.
    thigh_axes, trunk_axes, arm_axes
        ``"down=<axis>,forward=<axis>"`` (``<axis>`` one of ``+x -x +y -y +z -z``): the device
        axes pointing down the segment and forward when upright. Default: the placement's,
        with upside-down and inside-out mounting detected and corrected.
    thigh_sensor, trunk_sensor, arm_sensor
        Sensor label in a multi-sensor file (APDM), e.g. ``"Lumbar"``.
    work_hours
        Daily work window in local hours, ``"8-16"`` or ``(8, 16)`` [h].
    reference
        Upright standing window ``"START..END"``: seconds since the start (``"30..40"``), times
        of day on the first day (``"08:00:00..08:00:10"``) or ISO date-times; or ``(start,
        end)`` [s since the start]. Default: estimated from walking.
    diary
        Diary CSV (``start, end, context``: work, leisure, sleep or nonwear): every table is
        also split by its periods.
    auto_calibrate
        Fit the auto-calibration to local gravity per sensor.
    options
        All of the above at once (:func:`backcare.api.wearable_options`); the other parameters
        must then be left out.
    progress
        ``progress(placement, seconds_read, seconds_expected)`` after each read chunk.

    Raises
    ------
    InputError
        Naming the parameter or the file: no sensor, a file that cannot be read, bad options.
    """
    if options is None:
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
            auto_calibrate=auto_calibrate,
        )
    elif any(v is not None for v in (thigh, trunk, arm, work_hours, reference, diary)):
        raise InputError("give either options or the sensor files and options", where="options")
    return run_wearable(options, progress)
