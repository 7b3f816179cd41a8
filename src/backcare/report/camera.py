"""The camera analysis report: plots and one self-contained HTML page.

:func:`render_camera_report` takes the summary (``*.summary.json``) and the per-frame table
(``*.csv``) of one analysed file, so a report can be rebuilt from stored results. Plots are drawn
with matplotlib's object API (no global pyplot state, safe in worker processes) and embedded as
base64 PNG, so the page needs no other file and no network:

* angle timelines (trunk, neck, upper arms) whose line colour is the frame's REBA action level;
* time in each REBA and RULA action level;
* relative disc pressure and L5/S1 compression over time.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from backcare.report.ergo_summary import camera_ergo_summary
from backcare.report.headline import camera_headline
from backcare.report.labels import label as words_for

__all__ = [
    "LEVEL_HEX",
    "angle_timeline_png",
    "level_hex",
    "level_time_png",
    "load_timeline_png",
    "render_camera_report",
]

#: Colours (hex) per action level; the annotated video uses the same (RGB) values.
LEVEL_HEX: dict[str, str] = {
    "negligible": "#2ea043",
    "acceptable": "#2ea043",
    "low": "#a6ce39",
    "investigate": "#ffc107",
    "medium": "#ff9800",
    "change soon": "#f57c00",
    "high": "#e53935",
    "change now": "#b71c1c",
    "very high": "#880e4f",
}
_GREY = "#9e9e9e"

_TIMELINE_CHANNELS: tuple[tuple[str, str], ...] = (
    ("trunk_flexion", "Trunk flexion"),
    ("neck_flexion", "Neck flexion"),
    ("upper_arm_elevation_left", "Left upper arm elevation"),
    ("upper_arm_elevation_right", "Right upper arm elevation"),
)


def level_hex(level: object) -> str:
    """Hex colour of an action level name (grey for none or an unknown name)."""
    key = str(level).lower().replace("_", " ") if isinstance(level, str) and level else ""
    for name, colour in LEVEL_HEX.items():
        if key.startswith(name):
            return colour
    return _GREY


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def angle_timeline_png(table: pd.DataFrame, level_column: str = "reba_level") -> str | None:
    """Angle timelines coloured by action level (base64 PNG), ``None`` with nothing to plot."""
    channels = [
        (c, label)
        for c, label in _TIMELINE_CHANNELS
        if c in table and np.isfinite(table[c].to_numpy(dtype=float)).any()
    ]
    if not channels or len(table) < 2:
        return None
    t = table["time"].to_numpy(dtype=float)
    levels = table[level_column].astype(str).to_numpy() if level_column in table else None
    colours = [level_hex(lv) for lv in levels] if levels is not None else [_GREY] * len(t)
    fig = Figure(figsize=(9, 1.9 * len(channels) + 0.6))
    axes = fig.subplots(len(channels), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (name, label) in zip(axes, channels, strict=True):
        y = table[name].to_numpy(dtype=float)
        pts = np.column_stack([t, y])
        segs = np.stack([pts[:-1], pts[1:]], axis=1)
        keep = np.isfinite(segs).all(axis=(1, 2))
        lc = LineCollection(
            list(segs[keep]), colors=[c for c, k in zip(colours[:-1], keep, strict=True) if k]
        )
        lc.set_linewidth(2.0)
        ax.add_collection(lc)
        lone = np.isfinite(y)
        ax.scatter(t[lone], y[lone], s=4, c=[colours[i] for i in np.flatnonzero(lone)])
        ax.set_xlim(float(t.min()), float(t.max()) if t.max() > t.min() else float(t.min()) + 1)
        finite = y[np.isfinite(y)]
        lo, hi = float(finite.min()), float(finite.max())
        pad = max(5.0, 0.1 * (hi - lo))
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_ylabel(f"{label}\n[deg]", fontsize=8)
        ax.axhline(0, color="#cccccc", linewidth=0.8)
        ax.grid(True, alpha=0.3)
    axes[-1].set_xlabel("time [s]")
    if levels is not None:
        seen = [lv for lv in dict.fromkeys(levels) if lv and lv != "nan"]
        handles = [
            axes[0].plot([], [], color=level_hex(lv), linewidth=3, label=f"REBA {lv}")[0]
            for lv in seen
        ]
        if handles:
            axes[0].legend(handles=handles, fontsize=7, loc="upper right", ncol=len(handles))
    return _png(fig)


def level_time_png(summary: Mapping[str, Any]) -> str | None:
    """Stacked bars of the time spent in each REBA / RULA action level (base64 PNG)."""
    rows = [
        (method.upper(), summary[method]["time_in_levels"])
        for method in ("reba", "rula")
        if isinstance(summary.get(method), Mapping) and "time_in_levels" in summary[method]
    ]
    if not rows:
        return None
    fig = Figure(figsize=(9, 0.8 + 0.7 * len(rows)))
    ax = fig.subplots()
    for y, (_, levels) in enumerate(rows):
        left = 0.0
        for name, share in levels.items():
            frac = float(share.get("fraction") or 0.0) * 100
            if frac <= 0:
                continue
            ax.barh(y, frac, left=left, color=level_hex(name), edgecolor="white")
            if frac >= 7:
                ax.text(
                    left + frac / 2, y, f"{name}\n{frac:.0f}%", ha="center", va="center", fontsize=7
                )
            left += frac
    ax.set_yticks(range(len(rows)), [r[0] for r in rows])
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of the scored time [%]")
    ax.invert_yaxis()
    return _png(fig)


def load_timeline_png(table: pd.DataFrame) -> str | None:
    """Relative disc pressure and L5/S1 compression over time (base64 PNG)."""
    disc_cols = [c for c in table.columns if c.startswith("disc_pressure_")]
    has_disc = bool(disc_cols) and np.isfinite(table[disc_cols[0]].to_numpy(dtype=float)).any()
    has_l5 = (
        "l5s1_compression_n" in table
        and np.isfinite(table["l5s1_compression_n"].to_numpy(dtype=float)).any()
    )
    if len(table) < 2 or not (has_disc or has_l5):
        return None
    t = table["time"].to_numpy(dtype=float)
    fig = Figure(figsize=(9, 2.8))
    ax = fig.subplots()
    lines = []
    if has_disc:
        unit = disc_cols[0].removeprefix("disc_pressure_")
        lines += ax.plot(
            t,
            table[disc_cols[0]].to_numpy(dtype=float),
            color="#1565c0",
            label=f"disc pressure [{unit}]",
        )
        ax.set_ylabel(f"disc pressure [{unit}]")
    if has_l5:
        ax2 = ax.twinx() if has_disc else ax
        lines += ax2.plot(
            t,
            table["l5s1_compression_n"].to_numpy(dtype=float),
            color="#c62828",
            label="L5/S1 compression [N]",
        )
        ax2.set_ylabel("L5/S1 compression [N]")
    ax.set_xlabel("time [s]")
    ax.grid(True, alpha=0.3)
    ax.legend(handles=lines, fontsize=7, loc="upper right")
    return _png(fig)


_ENV = Environment(
    loader=PackageLoader("backcare.report", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _angle_rows(summary: Mapping[str, Any]) -> Sequence[dict[str, Any]]:
    rows = []
    for name, entry in summary.get("angles", {}).items():
        rows.append({"name": name.replace("_", " "), **entry})
    return rows


def render_camera_report(
    summary: Mapping[str, Any],
    table: pd.DataFrame,
    *,
    annotated_png_base64: str | None = None,
) -> str:
    """The HTML page of one analysed file.

    Parameters
    ----------
    summary
        The summary dictionary (:func:`backcare.camera.outputs.summarize`).
    table
        The per-frame table (:func:`backcare.camera.outputs.frame_table`).
    annotated_png_base64
        For a photo: the annotated image, embedded in the page.
    """
    is_video = summary.get("input") == "video"
    plots = {
        "angles": angle_timeline_png(table) if is_video else None,
        "levels": level_time_png(summary) if is_video else None,
        "load": load_timeline_png(table) if is_video else None,
    }
    template = _ENV.get_template("camera.html.j2")
    return template.render(
        headline=camera_headline(summary),
        ergo=camera_ergo_summary(summary),
        label=words_for,
        s=summary,
        angles=_angle_rows(summary),
        plots=plots,
        annotated=annotated_png_base64,
        level_hex=level_hex,
        is_video=is_video,
    )
