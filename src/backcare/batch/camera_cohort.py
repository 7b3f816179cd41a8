"""Run a camera cohort on Dask: one task per photo or video, isolated failures, resumable.

The same cluster machinery as the wearable cohorts (:func:`backcare.batch.runner.open_client`:
a local cluster of worker processes with a memory limit each, or a running scheduler). Every file
is analysed by :func:`backcare.batch.camera_task.analyze_media`, which calls the entry point of
``backcare camera analyze``. Outputs in ``out``::

    out/files/<file>/             the file's own outputs (tables, summary, report, people preview),
                                  row.json (its cohort row) and batch.json (written last)
    out/camera_cohort.csv|parquet one row per analysed file (see camera_task.cohort_row)
    out/camera_summary.csv        per group: n files, median / P10 / P90 of each numeric column,
                                  and the share of files whose REBA peak reached each action level
    out/files.csv                 status of every file (done, skipped, failed)
    out/failures.csv              one row per failed file, the message naming it
    out/cohort_report.html        the cohort report (lead sentence, plots, tables)

MediaPipe graphs cannot be shared between threads of one process, so local workers are always
processes.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from backcare.batch.camera_manifest import MediaCohort, MediaSpec
from backcare.batch.camera_task import (
    CameraBatchOptions,
    MediaOutcome,
    analyze_media,
    load_done_row,
    media_fingerprint,
)
from backcare.batch.runner import ClusterOptions, OutcomeCounts, _memory_limit, run_tasks
from backcare.errors import InputError

__all__ = ["FILES_DIR", "CameraCohortResult", "camera_summary", "run_camera_cohort"]

FILES_DIR = "files"
_LEVELS = ("negligible", "low", "medium", "high", "very high")
_NO_GROUP = "(no group)"


@dataclass(frozen=True)
class CameraCohortResult(OutcomeCounts):
    """The camera cohort run: outcome per file and the cohort tables (also written to ``out``)."""

    cohort: MediaCohort
    outcomes: dict[str, MediaOutcome]
    rows: pd.DataFrame
    summary: pd.DataFrame
    failures: pd.DataFrame
    files: pd.DataFrame
    paths: dict[str, Path] = field(default_factory=dict)


def _failed(spec: MediaSpec, exc: BaseException) -> MediaOutcome:
    return MediaOutcome(
        key=spec.key,
        status="failed",
        error=type(exc).__name__,
        message=f"the task did not finish (its worker died or was restarted, e.g. above its "
        f"memory limit): {exc} [file: {spec.path}]",
    )


def run_camera_cohort(
    cohort: MediaCohort,
    out: str | Path,
    *,
    cluster: ClusterOptions | None = None,
    options: CameraBatchOptions | None = None,
    force: bool = False,
    report: bool = True,
    on_start: Callable[[int, int], None] | None = None,
    on_outcome: Callable[[MediaOutcome], None] | None = None,
) -> CameraCohortResult:
    """Analyse every file of ``cohort`` and write the cohort outputs into ``out``.

    Files whose outputs match their inputs and options are skipped unless ``force``;
    ``on_start(files, to analyse)`` and ``on_outcome(outcome)`` report progress.
    """
    cluster = cluster or ClusterOptions()
    if not cluster.processes:
        raise InputError("camera analyses need worker processes, not threads", where="threads")
    options = options or CameraBatchOptions()
    if cluster.scheduler is None:
        _memory_limit(cluster.memory_limit, cluster.workers or 1)  # a bad size stops the run now
    problems = []
    for spec in cohort.items:  # bad options stop the run before any work
        try:
            options.for_file(spec)
        except InputError as exc:
            problems.append(f"{spec.key}: {exc}")
    if problems:
        raise InputError("; ".join(problems), where=str(cohort.source))
    root = Path(out).resolve()
    files_root = root / FILES_DIR
    files_root.mkdir(parents=True, exist_ok=True)

    def skipped(spec: MediaSpec, expected: str) -> MediaOutcome | None:
        row = load_done_row(files_root / spec.key, expected)
        return None if row is None else MediaOutcome(key=spec.key, status="skipped", row=row)

    def unreadable(spec: MediaSpec, exc: OSError) -> MediaOutcome:
        return MediaOutcome(
            key=spec.key,
            status="failed",
            error=type(exc).__name__,
            message=f"cannot read {exc.filename}: {exc.strerror}",
        )

    outcomes = run_tasks(
        cohort.items,
        kind="camera",
        fingerprint=lambda spec: media_fingerprint(spec, options),
        done=skipped,
        unreadable=unreadable,
        submit=(analyze_media, (str(files_root), options)),
        died=_failed,
        cluster=cluster,
        force=force,
        on_start=on_start,
        on_outcome=on_outcome,
    )
    return _write_outputs(cohort, root, outcomes, report=report)


def camera_summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Per group (and ``(all)``): ``n_files`` and, per numeric column, ``n``, ``median``, ``p10``
    and ``p90``; and per REBA/RULA action level the share of files whose peak reached it."""
    header = ["group", "variable", "n_files", "n", "median", "p10", "p90", "share_of_files"]
    if rows.empty:
        return pd.DataFrame(columns=header)
    skip = {"frames", "notes"}
    numeric = [
        c
        for c in rows.columns
        if c not in skip
        and pd.api.types.is_numeric_dtype(rows[c])
        and not pd.api.types.is_bool_dtype(rows[c])
        and rows[c].notna().any()
    ]
    groups = sorted(g for g in rows["group"].unique() if g)
    parts: list[tuple[str, pd.DataFrame]] = [("(all)", rows)]
    if groups:
        parts += [
            (g or _NO_GROUP, rows[rows["group"] == g]) for g in sorted(rows["group"].unique())
        ]
    out: list[dict[str, Any]] = []
    for name, part in parts:
        for col in numeric:
            x = part[col].to_numpy(dtype=np.float64)
            x = x[np.isfinite(x)]
            out.append(
                {
                    "group": name,
                    "variable": col,
                    "n_files": len(part),
                    "n": int(x.size),
                    "median": float(np.median(x)) if x.size else None,
                    "p10": float(np.percentile(x, 10)) if x.size else None,
                    "p90": float(np.percentile(x, 90)) if x.size else None,
                    "share_of_files": None,
                }
            )
        for method in ("reba", "rula"):
            col = f"{method}_peak_level"
            if col not in part.columns:
                continue
            levels = part[col].dropna()
            for level in _LEVELS:
                if not len(levels):
                    continue
                out.append(
                    {
                        "group": name,
                        "variable": f"{col} = {level}",
                        "n_files": len(part),
                        "n": len(levels),
                        "median": None,
                        "p10": None,
                        "p90": None,
                        "share_of_files": round(float((levels == level).mean()), 3),
                    }
                )
    return pd.DataFrame(out, columns=header)


def _files_table(cohort: MediaCohort, outcomes: dict[str, MediaOutcome], root: Path) -> Any:
    return pd.DataFrame(
        [
            {
                "file": m.key,
                "group": m.group,
                "path": str(m.path),
                "status": outcomes[m.key].status,
                "elapsed_s": round(outcomes[m.key].elapsed_s, 3),
                "cpu_s": round(outcomes[m.key].cpu_s, 3),
                "worker": outcomes[m.key].worker,
                "worker_peak_rss_mib": outcomes[m.key].worker_peak_rss_mib,
                "folder": str(root / m.key),
                "message": outcomes[m.key].message,
            }
            for m in cohort.items
        ]
    )


def _failures_table(cohort: MediaCohort, outcomes: dict[str, MediaOutcome]) -> pd.DataFrame:
    columns = ["file", "group", "path", "error", "message"]
    return pd.DataFrame(
        [
            {
                "file": m.key,
                "group": m.group,
                "path": str(m.path),
                "error": outcomes[m.key].error,
                "message": outcomes[m.key].message,
            }
            for m in cohort.items
            if outcomes[m.key].status == "failed"
        ],
        columns=columns,
    )


def _write_outputs(
    cohort: MediaCohort, root: Path, outcomes: dict[str, MediaOutcome], *, report: bool
) -> CameraCohortResult:
    rows = pd.DataFrame(
        [outcomes[m.key].row for m in cohort.items if outcomes[m.key].row is not None]
    )
    if rows.empty:
        rows = pd.DataFrame(columns=["file", "group"])
    for m in cohort.items:  # the manifest's group now, even for a file analysed before
        if outcomes[m.key].row is not None:
            rows.loc[rows["file"] == m.key, "group"] = m.group
    summary = camera_summary(rows)
    failures = _failures_table(cohort, outcomes)
    files = _files_table(cohort, outcomes, root / FILES_DIR)
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

    put("camera_cohort.parquet", rows, "parquet")
    put("camera_cohort.csv", rows, "csv")
    put("camera_summary.csv", summary, "csv")
    put("files.csv", files, "csv")
    put("failures.csv", failures, "csv")
    result = CameraCohortResult(
        cohort=cohort,
        outcomes=outcomes,
        rows=rows,
        summary=summary,
        failures=failures,
        files=files,
        paths=paths,
    )
    if report:
        path = root / "cohort_report.html"
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(render_camera_cohort(result), encoding="utf-8")
        tmp.replace(path)
        paths[path.name] = path
    return result


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 1 or value == 0 else f"{value:.2f}"
    return html.escape(str(value))


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th scope='col'>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in r) + "</tr>" for r in rows)
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f"<div class='scroll'>{table}</div>"


_LABELS = {
    "file": "file",
    "group": "group",
    "view": "view",
    "reba_median": "REBA, median",
    "reba_max": "REBA, highest",
    "reba_max_possible": "REBA, highest possible with the parts not seen",
    "reba_peak_level": "highest REBA level",
    "rula_max": "RULA, highest",
    "trunk_flexion_median_deg": "trunk flexion, median [deg]",
    "trunk_flexion_p90_deg": "trunk flexion, 90th percentile [deg]",
    "neck_flexion_p90_deg": "neck flexion, 90th percentile [deg]",
    "upper_arm_elevation_right_p90_deg": "right upper arm, 90th percentile [deg]",
    "people_found": "people in view",
    "person_analysed": "person analysed",
    "unavailable": "withheld",
}


_WITHHELD = {
    "l5s1": "spinal load (needs body mass and height)",
    "reba": "REBA",
    "rula": "RULA",
    "exposure": "exposure summary",
    "alerts": "alerts",
}


def _withheld(value: Any) -> str:
    if not isinstance(value, str) or not value:
        return "-"
    return ", ".join(_WITHHELD.get(v.strip(), v.strip()) for v in value.split(";"))


def _label(variable: str) -> str:
    if variable.startswith("reba_peak_level = "):
        return f"highest REBA level reached: {variable.removeprefix('reba_peak_level = ')}"
    return _LABELS.get(variable, variable.replace("_", " "))


def _lead(result: CameraCohortResult) -> str:
    n = len(result.cohort)
    analysed = len(result.rows)
    if not analysed:
        return f"None of the {n} files could be analysed; the reasons are listed below."
    top = ["high", "very high"]
    peaks = result.rows.get("reba_peak_level")
    high = peaks.isin(top) if peaks is not None else pd.Series(dtype=bool)
    scored = int(peaks.notna().sum()) if peaks is not None else 0
    text = (
        f"{analysed} of {n} files were analysed; in {int(high.sum())} of the {scored} with a "
        "REBA score the posture reached a high or very high action level at least once."
    )
    # a score with parts the camera did not see is a range: its top may reach what its
    # lowest end does not
    possible = result.rows.get("reba_peak_level_possible")
    maybe = int((possible.isin(top) & ~high).sum()) if possible is not None else 0
    if maybe:
        text += (
            f" In {maybe} more it may have: parts the score needs, such as a twist or the "
            "wrists, were not seen."
        )
    if scored < analysed:
        text += f" {analysed - scored} could not be scored (the body was not seen well enough)."
    return text


def render_camera_cohort(result: CameraCohortResult) -> str:
    """The cohort report: one sentence answering "how risky is the work filmed", what to do,
    then plots per group, one row per file, the per-group summary and the failures."""
    from backcare.report.cohort import CohortPlot, distribution_png

    rows = result.rows
    plots = []
    for plot in (
        CohortPlot("reba_max", "highest REBA score", "points", 1.0),
        CohortPlot("reba_median", "median REBA score", "points", 1.0),
        CohortPlot("trunk_flexion_p90_deg", "trunk flexion, 90th percentile", "deg", 1.0),
        CohortPlot(
            "upper_arm_elevation_right_p90_deg", "right upper arm, 90th percentile", "deg", 1.0
        ),
    ):
        if (
            plot.column in rows.columns
            and len(rows)
            and (png := distribution_png(rows, plot, "file"))
        ):
            plots.append(
                f"<figure><img src='data:image/png;base64,{png}' alt='{html.escape(plot.title)} "
                "per group, one dot per file'></figure>"
            )
    cols = [
        c
        for c in (
            "file",
            "group",
            "view",
            "reba_median",
            "reba_max",
            "reba_max_possible",
            "reba_peak_level",
            "rula_max",
            "trunk_flexion_median_deg",
            "trunk_flexion_p90_deg",
            "neck_flexion_p90_deg",
            "upper_arm_elevation_right_p90_deg",
            "people_found",
            "person_analysed",
            "unavailable",
        )
        if c in rows.columns
    ]
    file_rows = [
        [_withheld(r.get(c)) if c == "unavailable" else r.get(c) for c in cols]
        for r in rows.to_dict("records")
    ]
    summary = result.summary
    key = summary[
        summary["variable"].isin(["reba_max", "reba_median", "trunk_flexion_p90_deg"])
        | summary["variable"].str.startswith("reba_peak_level")
    ]
    sum_rows = [
        [
            r["group"],
            _label(r["variable"]),
            r["n"],
            r["median"],
            r["p10"],
            r["p90"],
            r["share_of_files"],
        ]
        for r in key.to_dict("records")
    ]
    fails = [[r["file"], r["message"]] for r in result.failures.to_dict("records")]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Camera cohort</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1rem; max-width: 60rem; line-height: 1.4; }}
.scroll {{ overflow-x: auto; }}
table {{ border-collapse: collapse; font-size: 0.9rem; }}
th, td {{ border-bottom: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; }}
img {{ max-width: 100%; height: auto; }}
</style></head><body>
<h1>Camera cohort</h1>
<p class="lead"><strong>{html.escape(_lead(result))}</strong></p>
<p>What to do: look first at the tasks with a high or very high REBA peak (the table below is
per file) and open their own reports in <code>files/</code> to see when it happens. Scores are
from one camera; a file filmed from the front or with the body partly hidden gives less reliable
angles (see each file's notes).</p>
<p>Source: {html.escape(str(result.cohort.source))} &middot; {len(result.cohort)} files,
{result.count("failed")} failed.</p>
<h2>Per group</h2>
{"".join(plots) or "<p>No scores to plot.</p>"}
{_table(["group", "measure", "files with it", "median", "P10", "P90", "share of files"], sum_rows)}
<h2>Per file</h2>
{_table([_label(c) for c in cols], file_rows)}
<h2>Files that could not be analysed</h2>
{_table(["file", "reason"], fails) if fails else "<p>None.</p>"}
</body></html>
"""
