"""Exposure summaries of a posture series: per hour, per day, per window and in total.

One pass over the series in chunks (memory stays a small multiple of one chunk) feeds the same
chunk-invariant engine the streaming alerts use (:mod:`backcare.posture._engine`):

* time per activity class and per segment (a segment is the stretch between two consecutive
  period boundaries), weighted by the credited duration of each sample;
* a histogram of forward trunk inclination per segment and posture class (sitting, upright,
  other), resolved to ``percentiles.resolution_deg``: band times (``>=`` each threshold) and
  percentiles come from it;
* runs (median filtered): forward inclination above the longest-period threshold, the two ISO
  11226 conditions per measure (whose events are exactly the alert events of
  :func:`backcare.posture.alerts.iso_rules`), sedentary bouts;
* epoch means for static holds (:mod:`.holds`).

A run that crosses a period boundary contributes its part inside the period to times and
"longest" columns; it is counted (``_n`` columns) in the period it starts in; an ISO violation
counts in the period where its run reached the limit. Trunk exposure excludes lying and non-wear
samples. See :func:`~backcare.posture.exposure.glossary.glossary` for every column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from backcare.errors import InputError
from backcare.knowledge.exposure import iso11226, thresholds
from backcare.posture._engine import (
    NS_PER_S,
    TRUNK_FORWARD,
    UPPER_ARM,
    Block,
    RunDetector,
    Runs,
    Stream,
    Trigger,
    half_window,
    signal_available,
    vote,
)
from backcare.posture.alerts import AlertEvent, AngleRule, fired_events, iso_rules
from backcare.posture.conventions import LYING, SITTING, UPRIGHT, Activity
from backcare.posture.exposure.glossary import (
    band_name,
    glossary,
    long_bout_name,
    longest_name,
)
from backcare.posture.exposure.holds import EpochAccumulator, find_holds
from backcare.posture.exposure.periods import Period, build_periods
from backcare.posture.exposure.summary import (
    ExposureReport,
    ExposureSummary,
    HoldStats,
    IsoVerdict,
    ScoredFrames,
    Verdict,
)
from backcare.posture.series import PostureSeries

__all__ = [
    "ExposureReport",
    "ExposureSummary",
    "HoldStats",
    "IsoVerdict",
    "ScoredFrames",
    "Verdict",
    "exposure",
]

F64 = NDArray[np.float64]

_NA = max(a.value for a in Activity) + 1
_CLASS = np.full(_NA, 2, dtype=np.int64)  # 0 sit, 1 upright, 2 other
for _a in SITTING:
    _CLASS[_a.value] = 0
for _a in UPRIGHT:
    _CLASS[_a.value] = 1
_PART_SIGNAL = {"trunk": TRUNK_FORWARD, "neck": "neck_flexion", "upper_arm": UPPER_ARM}
_DEFAULT_CHUNK = 1 << 20


# -- scored arrays ---------------------------------------------------------------------------------


@dataclass
class _Scored:
    name: str
    score: NDArray[np.int64]  # per sample
    level: NDArray[np.int64] | None
    n_scores: int
    n_levels: int


def _scored(name: str, obj: ScoredFrames | ArrayLike | None, n: int) -> _Scored | None:
    if obj is None:
        return None
    score_raw = getattr(obj, "score", obj)
    level_raw = getattr(obj, "action_level", None)
    score = np.asarray(score_raw)
    if score.shape != (n,) or score.dtype.kind not in "iu":
        raise InputError(
            f"scores must be integers with one per sample ({n}), got {score.dtype} {score.shape}",
            where=name,
        )
    if (score < 0).any():
        raise InputError("scores must be >= 0 (0 = not computable)", where=name)
    level = None
    n_levels = 0
    if level_raw is not None:
        level = np.asarray(level_raw)
        if level.shape != (n,):
            raise InputError(f"action_level must have one value per sample ({n})", where=name)
        level = np.where(score > 0, level, -1).astype(np.int64)
        n_levels = int(level.max()) + 1 if level.size and level.max() >= 0 else 0
    return _Scored(
        name, score.astype(np.int64), level, int(score.max()) + 1 if n else 1, max(n_levels, 1)
    )


# -- accumulation ----------------------------------------------------------------------------------


class _Accumulator:
    """Per-segment sums filled block by block."""

    def __init__(self, bounds: F64, signals: tuple[str, ...], nbins: int, scale: float) -> None:
        s = bounds.shape[0] - 1
        cfg = thresholds()
        self.bounds = bounds
        self.nbins = nbins
        self.scale = scale
        self.act_s = np.zeros((s, _NA))
        self.credit_ns = np.zeros(s)
        self.valid_s = {sig: np.zeros(s) for sig in signals}
        self.trunk_hist = np.zeros((s, 3, nbins)) if TRUNK_FORWARD in signals else None
        self.neck_bands = cfg.neck.thresholds_deg
        self.arm_bands = cfg.upper_arm.thresholds_deg
        self.neck_ge = np.zeros((s, len(self.neck_bands)))
        self.arm_ge = np.zeros((s, len(self.arm_bands)))
        self.scored: dict[str, tuple[F64, F64]] = {}
        self.disc_dose = np.zeros(s)
        self.disc_time = np.zeros(s)
        self._class_offset = (_CLASS * nbins).astype(np.int32)

    def add(
        self, block: Block, scored: Sequence[_Scored], disc: bool, d_ok: dict[str, F64]
    ) -> None:
        """Add a block; ``d_ok`` holds per signal the durations with 0 where it is missing."""
        time = block.time
        k = time.shape[0]
        first = int(np.searchsorted(self.bounds, time[0], side="right")) - 1
        last = int(np.searchsorted(self.bounds, time[-1], side="right")) - 1
        cuts = np.searchsorted(time, self.bounds[first + 1 : last + 1], side="left")
        edges = [0, *cuts.tolist(), k]
        d_all = block.dur_s
        act_all = block.activity
        centers = {sig: block.center(sig) for sig in self.valid_s}
        nb = self.nbins
        trunk_bins = None
        if self.trunk_hist is not None:
            # float32 is exact here: floor(f * 10) with f float32 never rounds up across an
            # integer, so band edges that are multiples of the resolution stay exact
            x = centers[TRUNK_FORWARD] * np.float32(self.scale)
            np.clip(x, 0, nb - 1, out=x)
            np.nan_to_num(x, copy=False, nan=float(4 * nb))
            trunk_bins = self._class_offset[act_all]
            trunk_bins += x.astype(np.int32)
        for j in range(last - first + 1):
            lo, hi = edges[j], edges[j + 1]
            if hi <= lo:
                continue
            seg = first + j
            sl = slice(lo, hi)
            d = d_all[sl]
            self.act_s[seg] += np.bincount(act_all[sl], weights=d, minlength=_NA)[:_NA]
            self.credit_ns[seg] += float(
                block.c_after[hi - 1] - block.c_after[lo] + block.dur_ns[lo]
            )
            for sig, acc in self.valid_s.items():
                acc[seg] += float(d_ok[sig][sl].sum())
            if trunk_bins is not None and self.trunk_hist is not None:
                hist = np.bincount(trunk_bins[sl], weights=d, minlength=8 * nb)
                self.trunk_hist[seg] += hist[: 3 * nb].reshape(3, nb)
            for sig, bands, out in (
                ("neck_flexion", self.neck_bands, self.neck_ge),
                (UPPER_ARM, self.arm_bands, self.arm_ge),
            ):
                if sig not in centers:
                    continue
                x = centers[sig][sl]
                for i, thr in enumerate(bands):
                    out[seg, i] += float(d[x >= thr].sum())
            for sc in scored:
                dist, levels = self.scored.setdefault(
                    sc.name,
                    (
                        np.zeros((self.act_s.shape[0], sc.n_scores)),
                        np.zeros((self.act_s.shape[0], sc.n_levels)),
                    ),
                )
                score = block.extra[f"{sc.name}_score"][sl]
                dist[seg] += np.bincount(score, weights=d, minlength=sc.n_scores)[: sc.n_scores]
                if sc.level is not None:
                    lv = block.extra[f"{sc.name}_level"][sl]
                    ok_l = lv >= 0
                    levels[seg] += np.bincount(lv[ok_l], weights=d[ok_l], minlength=sc.n_levels)[
                        : sc.n_levels
                    ]
            if disc:
                p = block.extra["disc"][sl]
                ok_p = ~np.isnan(p)
                self.disc_dose[seg] += float(np.dot(p[ok_p], d[ok_p]))
                self.disc_time[seg] += float(d[ok_p].sum())


# -- run statistics per period ---------------------------------------------------------------------


def _clipped(runs: Runs, c0: int, c1: int) -> tuple[float, float]:
    """(total, longest) credited seconds of ``runs`` inside credit range ``[c0, c1)``."""
    if len(runs) == 0 or c1 <= c0:
        return 0.0, 0.0
    lo = int(np.searchsorted(runs.end_c, c0, side="right"))
    hi = int(np.searchsorted(runs.start_c, c1, side="left"))
    if hi <= lo:
        return 0.0, 0.0
    s = np.maximum(runs.start_c[lo:hi], c0)
    e = np.minimum(runs.end_c[lo:hi], c1)
    d = np.maximum(e - s, 0)
    return float(d.sum()) / NS_PER_S, float(d.max()) / NS_PER_S


def _count_in(times: F64, t0: float, t1: float) -> int:
    return int(np.searchsorted(times, t1, side="left") - np.searchsorted(times, t0, side="left"))


def _pct(num: float, den: float) -> float:
    return 100.0 * num / den if den > 0 else float("nan")


def _percentiles(hist: F64, ps: Sequence[int], res: float) -> list[float]:
    total = float(hist.sum())
    if total <= 0:
        return [float("nan")] * len(ps)
    cum = np.cumsum(hist)
    out = []
    for p in ps:
        target = total * p / 100.0
        i = int(np.searchsorted(cum, target, side="left"))
        out.append(min(i, hist.shape[0] - 1) * res)
    return out


def _weighted_median(dist: F64) -> float:
    total = float(dist.sum())
    if total <= 0:
        return float("nan")
    return float(np.searchsorted(np.cumsum(dist), total / 2.0, side="left"))


# -- the facade ------------------------------------------------------------------------------------


def exposure(
    series: PostureSeries,
    *,
    work_hours: tuple[float, float] | None = None,
    windows: Sequence[tuple[float | datetime, float | datetime]] | None = None,
    reba: ScoredFrames | ArrayLike | None = None,
    rula: ScoredFrames | ArrayLike | None = None,
    disc_pressure_mpa: ArrayLike | None = None,
    chunk_size: int = _DEFAULT_CHUNK,
) -> ExposureReport:
    """Exposure summary of a posture series.

    Parameters
    ----------
    series
        The posture series; ``meta.start`` (timezone-aware) anchors wall-clock hours and days.
    work_hours
        ``(start_h, end_h)`` local hours, e.g. ``(8, 16)``: a window per day.
    windows
        Explicit ``(t0, t1)`` windows, in series seconds or as timezone-aware datetimes.
    reba, rula
        Precomputed per-sample scores: ``RebaFrames``/``RulaFrames`` (``score`` with 0 = not
        computable, ``action_level``) or a plain integer score array.
    disc_pressure_mpa
        Precomputed intradiscal pressure per sample [MPa], NaN where unknown.
    chunk_size
        Samples per processing chunk (memory vs. speed; results do not depend on it beyond
        floating-point rounding of sums).

    Returns
    -------
    ExposureReport
        Tables per hour/day/window, bouts, score distributions, ISO events and a typed summary.

    Raises
    ------
    InputError
        Empty series, naive ``meta.start``, bad windows or work hours, or arrays whose length
        differs from the series.
    """
    n = len(series)
    if n == 0:
        raise InputError("an exposure summary needs at least one sample", where="series")
    if chunk_size < 1:
        raise InputError(f"must be >= 1, got {chunk_size}", where="chunk_size")
    cfg = thresholds()
    iso = iso11226()
    channels = frozenset(series.channels)
    notes: list[str] = []
    start = series.meta.start
    if start is None:
        notes.append("no wall-clock start: days and hours are counted from the first sample")
    if "trunk_inclination" in channels and "trunk_flexion" not in channels:
        notes.append(
            "trunk_inclination without trunk_flexion: the forward sign is unknown, so all "
            "inclination counts as forward"
        )
    elif "trunk_flexion" in channels and "trunk_inclination" not in channels:
        notes.append("forward trunk inclination from trunk_flexion (its forward part)")

    wanted = [TRUNK_FORWARD, "neck_flexion", UPPER_ARM] + [m.signal for m in iso.measures]
    signals = tuple(dict.fromkeys(s for s in wanted if signal_available(s, channels)))
    for part, sig in _PART_SIGNAL.items():
        if sig not in signals:
            notes.append(f"{part}: no {sig} signal in the series; its columns are NaN")

    time = series.time
    hours, days, wins, total = build_periods(
        start, float(time[0]), float(time[-1]), work_hours=work_hours, windows=windows
    )
    all_periods = [*hours, *days, *wins, total]
    bounds = np.unique(np.array([x for p in all_periods for x in (p.start_s, p.end_s)]))

    scored = [s for s in (_scored("reba", reba, n), _scored("rula", rula, n)) if s is not None]
    disc = None
    if disc_pressure_mpa is not None:
        disc = np.asarray(disc_pressure_mpa, dtype=np.float64)
        if disc.shape != (n,):
            raise InputError(
                f"needs one value per sample ({n}), got shape {disc.shape}",
                where="disc_pressure_mpa",
            )
        if (disc[~np.isnan(disc)] < 0).any():
            raise InputError("pressures must be >= 0 MPa", where="disc_pressure_mpa")
    extra_names: list[str] = []
    for sc in scored:
        extra_names.append(f"{sc.name}_score")
        if sc.level is not None:
            extra_names.append(f"{sc.name}_level")
    if disc is not None:
        extra_names.append("disc")

    nominal = series.sample_interval_s()
    h = half_window(cfg.median_filter.window_s, nominal)
    stream = Stream(signals, h=h, nominal_s=nominal, extra=tuple(extra_names))
    res = cfg.percentiles.resolution_deg
    scale = round(1.0 / res)
    if abs(scale * res - 1.0) > 1e-9:
        raise InputError("percentiles.resolution_deg must divide 1 deg", where="thresholds.yaml")
    acc = _Accumulator(bounds, signals, 180 * scale + 1, float(scale))

    longest = RunDetector(collect=True) if TRUNK_FORWARD in signals else None
    iso_dets: list[tuple[AngleRule, RunDetector]] = []
    for m in iso.measures:
        if m.signal in signals:
            for rule in iso_rules(m):
                trig = Trigger(round(rule.duration_s * NS_PER_S))
                iso_dets.append((rule, RunDetector(trigger=trig, collect=True)))
    by_label = {a.label: a.value for a in Activity}
    sed_codes = np.array([by_label[a] for a in cfg.sedentary.activities], dtype=np.int8)
    break_codes = np.array([by_label[a] for a in cfg.sedentary.break_activities], dtype=np.int8)
    sed = RunDetector(collect=True)
    hold_cfg = cfg.static_hold
    n_epochs = int(np.floor((time[-1] - time[0]) / hold_cfg.epoch_s)) + 1
    epochs = {
        part: EpochAccumulator(float(time[0]), hold_cfg.epoch_s, n_epochs)
        for part, sig in _PART_SIGNAL.items()
        if sig in signals
    }
    hold_signals = {_PART_SIGNAL[part] for part in epochs}
    events: list[tuple[int, int, AlertEvent]] = []

    def process(block: Block | None) -> None:
        if block is None:
            return
        d_ok: dict[str, F64] = {}
        filled: dict[str, NDArray[np.float32]] = {}
        for sig in signals:
            x = block.center(sig)
            missing = np.isnan(x)
            d_ok[sig] = np.where(missing, 0.0, block.dur_s)
            if sig in hold_signals:
                filled[sig] = np.where(missing, np.float32(0.0), x)
        acc.add(block, scored, disc is not None, d_ok)
        if longest is not None:
            ext = block.ext[TRUNK_FORWARD]
            longest.process(
                block, vote(ext, block.h, above=cfg.longest.above_deg), block.center(TRUNK_FORWARD)
            )
        for order, (rule, det) in enumerate(iso_dets):
            m = vote(block.ext[rule.signal], block.h, rule.above_deg, rule.below_deg)
            fired = det.process(block, m)
            if fired is None:
                continue
            events.extend(fired_events(fired, rule, order, rule.signal))
        sed.process(block, np.isin(block.activity, sed_codes))
        for part, ep in epochs.items():
            sig = _PART_SIGNAL[part]
            ep.add(block, filled[sig], d_ok[sig])

    chans = [c for c in series.channels if c != "hand_load"]
    for i in range(0, n, chunk_size):
        sl = slice(i, min(n, i + chunk_size))
        extra: dict[str, NDArray[Any]] = {}
        for sc in scored:
            extra[f"{sc.name}_score"] = sc.score[sl]
            if sc.level is not None:
                extra[f"{sc.name}_level"] = sc.level[sl]
        if disc is not None:
            extra["disc"] = disc[sl]
        process(
            stream.push(time[sl], {c: series[c][sl] for c in chans}, series.activity[sl], extra)
        )
    process(stream.close())
    for det in [d for _, d in iso_dets] + [sed] + ([longest] if longest else []):
        det.finish()

    events.sort(key=lambda x: (x[0], x[1]))
    event_list = tuple(e for _, _, e in events)
    run_sets = _RunSets(
        longest=longest.runs(n) if longest else None,
        iso={rule.id: det.runs(n) for rule, det in iso_dets},
        sed=sed.runs(n),
        holds={
            part: find_holds(
                ep,
                filter_epochs=hold_cfg.filter_epochs,
                tolerance_deg=hold_cfg.tolerance_deg,
                min_duration_s=hold_cfg.min_duration_s,
            )
            for part, ep in epochs.items()
        },
        events=event_list,
        break_codes=break_codes,
    )
    builder = _TableBuilder(acc, run_sets, signals, scored, disc is not None)
    per_hour = builder.frame(hours)
    per_day = builder.frame(days)
    per_window = builder.frame(wins)
    total_df = builder.frame([total])
    scores = builder.scores([*hours, *days, *wins, total])
    bouts = _bouts(run_sets, start, longest is not None)
    summary = _summary(total_df, len(days), run_sets, signals, scored, disc is not None)
    return ExposureReport(
        summary=summary,
        per_hour=per_hour,
        per_day=per_day,
        per_window=per_window,
        total=total_df,
        bouts=bouts,
        scores=scores,
        events=event_list,
        notes=tuple(notes),
    )


@dataclass
class _RunSets:
    longest: Runs | None
    iso: dict[str, Runs]
    sed: Runs
    holds: dict[str, Runs]
    events: tuple[AlertEvent, ...]
    break_codes: NDArray[np.int8]


class _TableBuilder:
    def __init__(
        self,
        acc: _Accumulator,
        runs: _RunSets,
        signals: tuple[str, ...],
        scored: Sequence[_Scored],
        disc: bool,
    ) -> None:
        self.acc = acc
        self.runs = runs
        self.signals = signals
        self.scored = scored
        self.disc = disc
        self.cfg = thresholds()
        self.iso = iso11226()
        self.columns = [c for c in glossary() if c not in _NON_PERIOD_COLUMNS]
        pre = np.zeros(acc.credit_ns.shape[0] + 1)
        np.cumsum(acc.credit_ns, out=pre[1:])
        self.cum_ns = pre
        part_of = {m.id: m.part for m in self.iso.measures}
        self.part_events: dict[str, F64] = {}
        for part in set(part_of.values()):
            times = [e.time_s for e in runs.events if part_of.get(e.rule_id.split(".")[1]) == part]
            self.part_events[part] = np.sort(np.array(times, dtype=np.float64))
        self.long_ns = round(self.cfg.sedentary.long_bout_s * NS_PER_S)
        sed = runs.sed
        long_mask = (sed.end_c - sed.start_c) >= self.long_ns
        self.sed_long = _subset(sed, long_mask)
        brk = np.isin(sed.next_activity, runs.break_codes)
        self.break_end_s = np.sort(sed.end_s[brk])

    def _seg(self, p: Period) -> tuple[int, int]:
        b = self.acc.bounds
        return int(np.searchsorted(b, p.start_s)), int(np.searchsorted(b, p.end_s))

    def row(self, p: Period) -> dict[str, Any]:
        cfg = self.cfg
        acc = self.acc
        j0, j1 = self._seg(p)
        c0, c1 = int(self.cum_ns[j0]), int(self.cum_ns[j1])
        nan = float("nan")
        r: dict[str, Any] = {
            "period": p.kind,
            "label": p.label,
            "start": p.start if p.start is not None else pd.NaT,
            "end": p.end if p.end is not None else pd.NaT,
            "start_s": p.start_s,
            "end_s": p.end_s,
            "day": p.day,
            "hour": p.hour if p.hour is not None else -1,
        }
        act = acc.act_s[j0:j1].sum(axis=0)
        lying = float(sum(act[a.value] for a in LYING))
        nonwear = float(act[Activity.NONWEAR])
        sit = float(sum(act[a.value] for a in SITTING))
        upright = float(sum(act[a.value] for a in UPRIGHT))
        total = float(act.sum())
        r.update(
            measured_time_s=total - nonwear,
            sit_time_s=sit,
            upright_time_s=upright,
            lying_time_s=lying,
            other_time_s=total - nonwear - sit - upright - lying,
            nonwear_time_s=nonwear,
        )
        # trunk
        if acc.trunk_hist is not None:
            hist = acc.trunk_hist[j0:j1].sum(axis=0)  # (3, nbins)
            by_class = hist.sum(axis=1)
            trunk_t = float(by_class.sum())
            r.update(
                trunk_time_s=trunk_t,
                trunk_sit_time_s=float(by_class[0]),
                trunk_upright_time_s=float(by_class[1]),
            )
            tail = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1]  # time at or above each bin
            for thr in cfg.trunk_forward.thresholds_deg:
                b = band_name(thr)
                i = min(round(thr * acc.scale), acc.nbins - 1)
                at = tail[:, i] if thr <= 180 else np.zeros(3)
                all_t = float(at.sum())
                r[f"trunk_fwd_{b}_time_s"] = all_t
                r[f"trunk_fwd_{b}_pct"] = _pct(all_t, trunk_t)
                r[f"trunk_fwd_{b}_sit_time_s"] = float(at[0])
                r[f"trunk_fwd_{b}_sit_pct"] = _pct(float(at[0]), float(by_class[0]))
                r[f"trunk_fwd_{b}_upright_time_s"] = float(at[1])
                r[f"trunk_fwd_{b}_upright_pct"] = _pct(float(at[1]), float(by_class[1]))
            pcts = _percentiles(hist.sum(axis=0), cfg.percentiles.percentiles, 1.0 / acc.scale)
            for q, v in zip(cfg.percentiles.percentiles, pcts, strict=True):
                r[f"trunk_fwd_p{q}_deg"] = v
            assert self.runs.longest is not None
            r[longest_name()] = _clipped(self.runs.longest, c0, c1)[1]
        # neck and arm bands
        for sig, prefix, time_col, bands, arr in (
            ("neck_flexion", "neck_flex", "neck_time_s", acc.neck_bands, acc.neck_ge),
            (UPPER_ARM, "upper_arm", "upper_arm_time_s", acc.arm_bands, acc.arm_ge),
        ):
            if sig not in acc.valid_s:
                continue
            vt = float(acc.valid_s[sig][j0:j1].sum())
            r[time_col] = vt
            ge = arr[j0:j1].sum(axis=0)
            for j, thr in enumerate(bands):
                b = band_name(thr)
                r[f"{prefix}_{b}_time_s"] = float(ge[j])
                r[f"{prefix}_{b}_pct"] = _pct(float(ge[j]), vt)
        # ISO 11226
        for part in sorted({m.part for m in self.iso.measures}):
            measures = [m for m in self.iso.measures if m.part == part and m.signal in self.signals]
            if not measures:
                r[f"iso_{part}_verdict"] = "not_measured"
                r[f"iso_{part}_violations_n"] = 0
                continue
            viol = _count_in(self.part_events[part], p.start_s, p.end_s)
            zone_time = 0.0
            measured = 0.0
            for m in measures:
                measured += float(acc.valid_s[m.signal][j0:j1].sum())
                nr_t = _clipped(self.runs.iso[f"iso.{m.id}.not_recommended"], c0, c1)[0]
                r[f"iso_{m.id}_not_recommended_time_s"] = nr_t
                zone_time += nr_t
                hold_id = f"iso.{m.id}.holding"
                if hold_id in self.runs.iso:
                    ge1 = _clipped(self.runs.iso[hold_id], c0, c1)[0]
                    r[f"iso_{m.id}_holding_zone_time_s"] = max(ge1 - nr_t, 0.0)
                    zone_time += ge1
            verdict: Verdict
            if viol > 0:
                verdict = "not_recommended"
            elif zone_time > 0:
                verdict = "acceptable_within_holding_time"
            elif measured > 0:
                verdict = "acceptable"
            else:
                verdict = "not_measured"
            r[f"iso_{part}_verdict"] = verdict
            r[f"iso_{part}_violations_n"] = viol
        # static holds
        for hold_part, holds in self.runs.holds.items():
            tot, lng = _clipped(holds, c0, c1)
            r[f"hold_{hold_part}_n"] = _count_in(holds.start_s, p.start_s, p.end_s)
            r[f"hold_{hold_part}_longest_s"] = lng
            r[f"hold_{hold_part}_time_s"] = tot
        # sedentary
        lb = long_bout_name()
        r[f"{lb}_n"] = _count_in(self.sed_long.start_s, p.start_s, p.end_s)
        r[f"{lb}_time_s"] = _clipped(self.sed_long, c0, c1)[0]
        r["sed_longest_s"] = _clipped(self.runs.sed, c0, c1)[1]
        r["sed_breaks_n"] = _count_in(self.break_end_s, p.start_s, p.end_s)
        # disc
        if self.disc:
            dose = float(acc.disc_dose[j0:j1].sum()) / 3600.0
            dt = float(acc.disc_time[j0:j1].sum())
            ref = cfg.disc.standing_mpa
            r.update(
                disc_time_s=dt,
                disc_dose_mpa_h=dose,
                disc_dose_rel_h=dose / ref,
                disc_rel_standing=dose / (ref * dt / 3600.0) if dt > 0 else nan,
            )
        # scores
        for sc in self.scored:
            dist = acc.scored[sc.name][0][j0:j1].sum(axis=0) if sc.name in acc.scored else None
            if dist is None:
                continue
            valid = dist[1:]
            r[f"{sc.name}_scored_time_s"] = float(valid.sum())
            r[f"{sc.name}_median_score"] = _weighted_median(valid) + 1 if valid.sum() > 0 else nan
            nz = np.flatnonzero(valid > 0)
            r[f"{sc.name}_max_score"] = float(nz[-1] + 1) if nz.size else nan
        return r

    def frame(self, periods: Sequence[Period]) -> pd.DataFrame:
        rows = [self.row(p) for p in periods]
        cols = list(PERIOD_ORDER) + self.columns
        df = pd.DataFrame(rows, columns=cols)
        for c in cols:
            if c.endswith("_verdict"):
                df[c] = df[c].fillna("not_measured")
            elif c.endswith("_n"):
                df[c] = df[c].fillna(0).astype(np.int64)
        df["hour"] = df["hour"].astype(np.int64)
        df["day"] = df["day"].astype(np.int64)
        return df

    def scores(self, periods: Sequence[Period]) -> pd.DataFrame:
        rows: list[dict[str, Any]] = []
        for sc in self.scored:
            dist_all, lev_all = self.acc.scored.get(sc.name, (None, None))
            if dist_all is None or lev_all is None:
                continue
            for p in periods:
                j0, j1 = self._seg(p)
                dist = dist_all[j0:j1].sum(axis=0)
                scored_t = float(dist[1:].sum())
                base = {"period": p.kind, "label": p.label, "start_s": p.start_s}
                for v in range(1, dist.shape[0]):
                    rows.append(
                        base
                        | {
                            "method": sc.name,
                            "measure": "score",
                            "value": v,
                            "time_s": float(dist[v]),
                            "pct": _pct(float(dist[v]), scored_t),
                        }
                    )
                if sc.level is not None:
                    lev = lev_all[j0:j1].sum(axis=0)
                    for v in range(lev.shape[0]):
                        rows.append(
                            base
                            | {
                                "method": sc.name,
                                "measure": "action_level",
                                "value": v,
                                "time_s": float(lev[v]),
                                "pct": _pct(float(lev[v]), scored_t),
                            }
                        )
        cols = ["period", "label", "start_s", "method", "measure", "value", "time_s", "pct"]
        return pd.DataFrame(rows, columns=cols)


PERIOD_ORDER = ("period", "label", "start", "end", "start_s", "end_s", "day", "hour")
_NON_PERIOD_COLUMNS = set(PERIOD_ORDER) | {
    "kind",
    "duration_s",
    "mean_deg",
    "ended_by",
    "is_break",
    "method",
    "measure",
    "value",
    "time_s",
    "pct",
}


def _subset(r: Runs, mask: NDArray[np.bool_]) -> Runs:
    return Runs(
        start_index=r.start_index[mask],
        end_index=r.end_index[mask],
        start_s=r.start_s[mask],
        end_s=r.end_s[mask],
        start_c=r.start_c[mask],
        end_c=r.end_c[mask],
        mean=r.mean[mask],
        next_activity=r.next_activity[mask],
    )


def _bouts(runs: _RunSets, start: datetime | None, has_trunk: bool) -> pd.DataFrame:
    labels = {a.value: a.label for a in Activity}
    frames: list[pd.DataFrame] = []

    def add(kind: str, r: Runs, sed: bool = False) -> None:
        if len(r) == 0:
            return
        ended = [labels.get(int(a), "") if a >= 0 else "" for a in r.next_activity]
        frames.append(
            pd.DataFrame(
                {
                    "kind": kind,
                    "start_s": r.start_s,
                    "end_s": r.end_s,
                    "duration_s": r.duration_s,
                    "mean_deg": np.nan if sed else r.mean,
                    "ended_by": ended if sed else "",
                    "is_break": np.isin(r.next_activity, runs.break_codes) if sed else False,
                }
            )
        )

    if runs.longest is not None and has_trunk:
        add(longest_name().removesuffix("_longest_s"), runs.longest)
    add("sedentary", runs.sed, sed=True)
    for part, r in runs.holds.items():
        add(f"static_hold_{part}", r)
    cols = ["kind", "start", "end", "start_s", "end_s", "duration_s", "mean_deg", "ended_by",
            "is_break"]  # fmt: skip
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    df = pd.concat(frames, ignore_index=True)
    if start is not None:
        origin = pd.Timestamp(start)
        df["start"] = origin + pd.to_timedelta(df["start_s"], unit="s")
        df["end"] = origin + pd.to_timedelta(df["end_s"], unit="s")
    else:
        df["start"] = pd.NaT
        df["end"] = pd.NaT
    df["is_break"] = df["is_break"].astype(bool)
    return df[cols].sort_values(["start_s", "kind"], kind="stable").reset_index(drop=True)


def _summary(
    total: pd.DataFrame,
    n_days: int,
    runs: _RunSets,
    signals: tuple[str, ...],
    scored: Sequence[_Scored],
    disc: bool,
) -> ExposureSummary:
    cfg = thresholds()
    row = total.iloc[0]

    def f(col: str) -> float:
        return float(row[col]) if col in row.index else float("nan")

    bands = cfg.trunk_forward.thresholds_deg
    iso_parts: dict[str, IsoVerdict] = {}
    for part in sorted({m.part for m in iso11226().measures}):
        holding = sum(
            f(c)
            for c in row.index
            if c.startswith("iso_")
            and c.endswith("_holding_zone_time_s")
            and _measure_part(c) == part
        )
        nr = sum(
            f(c)
            for c in row.index
            if c.startswith("iso_")
            and c.endswith("_not_recommended_time_s")
            and _measure_part(c) == part
        )
        iso_parts[part] = IsoVerdict(
            part=part,
            verdict=row[f"iso_{part}_verdict"],
            violations=int(row[f"iso_{part}_violations_n"]),
            holding_zone_time_s=float(np.nan_to_num(holding)),
            not_recommended_time_s=float(np.nan_to_num(nr)),
        )
    holds = {
        part: HoldStats(
            count=int(row[f"hold_{part}_n"]),
            longest_s=f(f"hold_{part}_longest_s"),
            time_s=f(f"hold_{part}_time_s"),
        )
        for part in runs.holds
    }
    lb = long_bout_name()
    names = {sc.name for sc in scored}
    return ExposureSummary(
        days=n_days,
        measured_time_s=f("measured_time_s"),
        sit_time_s=f("sit_time_s"),
        upright_time_s=f("upright_time_s"),
        lying_time_s=f("lying_time_s"),
        trunk_time_s=f("trunk_time_s"),
        trunk_fwd_time_s={t: f(f"trunk_fwd_{band_name(t)}_time_s") for t in bands},
        trunk_fwd_pct={t: f(f"trunk_fwd_{band_name(t)}_pct") for t in bands},
        trunk_fwd_sit_time_s={t: f(f"trunk_fwd_{band_name(t)}_sit_time_s") for t in bands},
        trunk_fwd_upright_time_s={t: f(f"trunk_fwd_{band_name(t)}_upright_time_s") for t in bands},
        trunk_fwd_percentiles_deg={
            q: f(f"trunk_fwd_p{q}_deg") for q in cfg.percentiles.percentiles
        },
        trunk_fwd_longest_s=f(longest_name()),
        iso=iso_parts,
        holds=holds,
        long_sedentary_bouts=int(row[f"{lb}_n"]),
        long_sedentary_time_s=f(f"{lb}_time_s"),
        sedentary_breaks=int(row["sed_breaks_n"]),
        disc_dose_mpa_h_per_day=f("disc_dose_mpa_h") / max(n_days, 1) if disc else None,
        disc_rel_standing=f("disc_rel_standing") if disc else None,
        reba_median_score=f("reba_median_score") if "reba" in names else None,
        rula_median_score=f("rula_median_score") if "rula" in names else None,
    )


def _measure_part(column: str) -> str | None:
    for m in iso11226().measures:
        if column.startswith(f"iso_{m.id}_"):
            return m.part
    return None
