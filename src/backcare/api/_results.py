"""What the facade's analyses return: the posture series, its exposure and a way to save both."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from backcare.camera.pipeline import CameraAnalysis
    from backcare.io.diary import DiaryEntry
    from backcare.posture.exposure import ExposureReport, ExposureSummary
    from backcare.posture.series import PostureSeries
    from backcare.wearable.pipeline import WearableAnalysis

__all__ = ["MediaResult", "WearableResult", "time_indexed"]


def time_indexed(series: PostureSeries) -> pd.DataFrame:
    """``series.to_frame()`` indexed by time: a ``DatetimeIndex`` named ``time`` when the
    recording's start is known (timezone as the device gave it), else a ``TimedeltaIndex`` since
    the start. The ``seconds`` column keeps the time [s since the start]."""
    import pandas as pd

    frame = series.to_frame().rename(columns={"time": "seconds"})
    offsets = pd.to_timedelta(frame["seconds"].to_numpy(), unit="s")
    start = series.meta.start
    index = pd.Timestamp(start) + offsets if start is not None else pd.TimedeltaIndex(offsets)
    frame.index = index
    frame.index.name = "time"
    return frame


@dataclass(frozen=True)
class WearableResult:
    """The analysis of body-worn sensors (:func:`backcare.analyze_wearable`).

    Attributes
    ----------
    series
        One row per second: activity, trunk inclination [deg], arm elevation [deg]...
    exposure
        The exposure report: per hour, day, work window and diary period, bouts, ISO 11226.
    analysis
        What the pipeline did per sensor: calibration, mounting, reference, non-wear.
    diary
        The diary's periods, when a diary was given (the last rows of ``exposure.per_window``).
    """

    series: PostureSeries
    exposure: ExposureReport
    analysis: WearableAnalysis
    diary: tuple[DiaryEntry, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        """The per-second series as a time-indexed table (see :func:`time_indexed`)."""
        return time_indexed(self.series)

    def summary(self) -> ExposureSummary:
        """The exposure totals of the whole recording (times [s], angles [deg], shares [%])."""
        return self.exposure.summary

    def activities(self) -> list[dict[str, Any]]:
        """Time per activity: ``activity``, ``hours`` [h] and ``pct`` [% of the recording]."""
        from backcare.report.wearable import activity_table

        return activity_table(self.series)

    @property
    def notes(self) -> list[str]:
        """What the analysis wants the reader to know (assumptions, data problems)."""
        return list(self.series.meta.notes) + list(self.exposure.notes)

    def save(self, folder: str | Path, *, html: bool = True) -> dict[str, Path]:
        """Write the tables (``seconds.parquet``, ``daily.csv``, ``hourly.csv``, ``windows.csv``,
        ``bouts.csv``, ``qc.csv``), ``summary.json`` and ``report.html`` into ``folder``
        (created); returns the files by kind."""
        from backcare.report.wearable import write_wearable_outputs

        return write_wearable_outputs(self.series, self.exposure, Path(folder), html=html)


@dataclass(frozen=True)
class MediaResult:
    """The analysis of one photo or video (:func:`backcare.analyze_media`).

    Attributes
    ----------
    path
        The analysed file.
    series
        One row per analysed frame: joint angles [deg], activity.
    exposure
        The exposure report of a video (``None`` for a photo, which has no duration).
    analysis
        Everything the camera pipeline found: landmarks, view, camera tilt, REBA/RULA, load.
    """

    path: Path
    series: PostureSeries
    exposure: ExposureReport | None
    analysis: CameraAnalysis

    def to_frame(self) -> pd.DataFrame:
        """The per-frame series as a time-indexed table (see :func:`time_indexed`)."""
        return time_indexed(self.series)

    def summary(self) -> ExposureSummary | None:
        """The exposure totals of a video (``None`` for a photo)."""
        return self.exposure.summary if self.exposure is not None else None

    @property
    def notes(self) -> list[str]:
        """What the analysis wants the reader to know."""
        return list(self.analysis.issues)

    def save(
        self,
        folder: str | Path,
        *,
        annotate: bool = True,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> dict[str, Path]:
        """Write the tables (``*.parquet``, ``*.csv``), ``*.summary.json``, the HTML report and
        the annotated image or video into ``folder`` (created); returns the files by kind.
        ``progress(done, total)`` counts the frames drawn into the annotated video."""
        from backcare.camera.outputs import write_outputs

        out = Path(folder)
        files = write_outputs(self.analysis, out, annotate=annotate, progress=progress)
        people = self.analysis.people
        if people is not None and len(people.people) > 1:  # the numbered picture to choose from
            from backcare.camera.runner import write_people

            summary = files.get("summary", "")
            stem = summary[: -len("summary.json")] if summary.endswith("summary.json") else ""
            files.update(write_people(people, out, stem))
        return {kind: out / name for kind, name in files.items()}
