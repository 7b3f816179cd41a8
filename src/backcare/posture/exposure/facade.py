"""``analyze_exposure``: exposure with REBA/RULA scores and disc pressure computed for you.

:func:`~backcare.posture.exposure.report.exposure` takes the scores and the pressure as
precomputed arrays so that it does not depend on how they are computed. This facade computes them
with :func:`backcare.posture.reba.reba_series`, :func:`backcare.posture.rula.rula_series` (these
need the task inputs: without ``task`` they are left out, with a note) and
:func:`backcare.posture.load.disc_pressure_series`, then calls ``exposure``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from backcare.posture.ergo_common import TaskInputs
from backcare.posture.exposure.report import exposure
from backcare.posture.exposure.summary import ExposureReport
from backcare.posture.load import DiscModel, disc_pressure_series
from backcare.posture.reba import reba_series
from backcare.posture.rula import rula_series
from backcare.posture.series import PostureSeries

__all__ = ["analyze_exposure"]


def analyze_exposure(
    series: PostureSeries,
    *,
    task: TaskInputs | None = None,
    work_hours: tuple[float, float] | None = None,
    windows: Sequence[tuple[float | datetime, float | datetime]] | None = None,
    scores: bool = True,
    disc: bool = True,
    disc_model: DiscModel = "wilke1999",
) -> ExposureReport:
    """Exposure of ``series`` with REBA/RULA (when ``task`` is given) and disc pressure.

    Parameters
    ----------
    series
        The posture series.
    task
        Task inputs for REBA/RULA (load, coupling...). ``None`` leaves the scores out.
    work_hours, windows
        As in :func:`~backcare.posture.exposure.report.exposure`.
    scores
        Compute REBA and RULA (needs ``task``).
    disc
        Compute the intradiscal pressure (needs ``trunk_flexion`` for standing and sitting
        samples; lying samples get a value from the activity alone).
    disc_model
        ``"wilke1999"`` or ``"nachemson1981"``.
    """
    notes: list[str] = []
    reba = rula = None
    if scores and task is not None:
        reba = reba_series(series, task)
        rula = rula_series(series, task)
    elif scores:
        notes.append("REBA/RULA not computed: they need the task inputs (load, coupling)")
    pressure = disc_pressure_series(series, model=disc_model) if disc else None
    report = exposure(
        series,
        work_hours=work_hours,
        windows=windows,
        reba=reba,
        rula=rula,
        disc_pressure_mpa=pressure,
    )
    if notes:
        report = replace(report, notes=report.notes + tuple(notes))
    return report
