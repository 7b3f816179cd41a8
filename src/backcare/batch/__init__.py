"""Cohort-scale analysis of many recordings on Dask.

The batch layer schedules, collects and aggregates; every recording is analysed by the same
wearable pipeline and exposure summary as ``backcare wearable analyze``::

    from backcare.batch import ClusterOptions, load_cohort, run_cohort

    cohort = load_cohort("cohort.csv")            # or a folder of <subject>_<placement>.cwa
    result = run_cohort(cohort, "out", cluster=ClusterOptions(workers=4))
    result.daily        # one row per subject-day (and work window)
    result.summary      # per group: n subjects, n days, mean/median/P10/P90 per variable
    result.failures     # one row per recording that could not be analysed

See ``docs/batch.md``.
"""

from backcare.batch.manifest import Cohort, RecordingSpec, load_cohort
from backcare.batch.runner import ClusterOptions, CohortResult, open_client, run_cohort
from backcare.batch.tables import cohort_daily, cohort_summary, column_glossary
from backcare.batch.task import AnalysisOptions, RecordingOutcome, analyze_recording

__all__ = [
    "AnalysisOptions",
    "ClusterOptions",
    "Cohort",
    "CohortResult",
    "RecordingOutcome",
    "RecordingSpec",
    "analyze_recording",
    "cohort_daily",
    "cohort_summary",
    "column_glossary",
    "load_cohort",
    "open_client",
    "run_cohort",
]
