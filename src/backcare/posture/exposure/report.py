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
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from backcare.errors import InputError
from backcare.knowledge.exposure import iso11226, thresholds
from backcare.posture._engine import (
    NS_PER_S,
    TRUNK_FORWARD,
    UPPER_ARM,
    Block,
    RunDetector,
    Stream,
    Trigger,
    half_window,
    signal_available,
    vote,
)
from backcare.posture.alerts import AlertEvent, AngleRule, fired_events, iso_rules
from backcare.posture.conventions import Activity
from backcare.posture.exposure._common import (
    DEFAULT_CHUNK,
    F64,
    PART_SIGNAL,
)
from backcare.posture.exposure.accumulate import Accumulator
from backcare.posture.exposure.bouts import bouts_table
from backcare.posture.exposure.holds import EpochAccumulator, find_holds
from backcare.posture.exposure.periods import build_periods
from backcare.posture.exposure.runs import RunSets
from backcare.posture.exposure.scored import Scored, scored_array
from backcare.posture.exposure.summary import ExposureReport, ScoredFrames
from backcare.posture.exposure.tables import TableBuilder
from backcare.posture.exposure.totals import summary_from_total
from backcare.posture.series import PostureSeries

__all__ = ["exposure"]


def exposure(
    series: PostureSeries,
    *,
    work_hours: tuple[float, float] | None = None,
    windows: Sequence[tuple[float | datetime, float | datetime]] | None = None,
    reba: ScoredFrames | ArrayLike | None = None,
    rula: ScoredFrames | ArrayLike | None = None,
    disc_pressure_mpa: ArrayLike | None = None,
    chunk_size: int = DEFAULT_CHUNK,
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
    channels = frozenset(series.channels)
    signals = _signals(channels)
    notes = _notes(series, channels, signals)
    start = series.meta.start
    time = series.time
    hours, days, wins, total = build_periods(
        start, float(time[0]), float(time[-1]), work_hours=work_hours, windows=windows
    )
    all_periods = [*hours, *days, *wins, total]
    bounds = np.unique(np.array([x for p in all_periods for x in (p.start_s, p.end_s)]))
    scored = [
        s for s in (scored_array("reba", reba, n), scored_array("rula", rula, n)) if s is not None
    ]
    disc = _disc(disc_pressure_mpa, n)
    one_pass = _Pass(series, signals, bounds, scored, disc)
    for i in range(0, n, chunk_size):
        one_pass.push(slice(i, min(n, i + chunk_size)))
    run_sets = one_pass.finish()
    has_disc = disc is not None
    builder = TableBuilder(one_pass.acc, run_sets, signals, scored, has_disc)
    total_df = builder.frame([total])
    return ExposureReport(
        summary=summary_from_total(total_df, len(days), run_sets, signals, scored, has_disc),
        per_hour=builder.frame(hours),
        per_day=builder.frame(days),
        per_window=builder.frame(wins),
        total=total_df,
        bouts=bouts_table(run_sets, start, one_pass.longest is not None),
        scores=builder.scores(all_periods),
        events=run_sets.events,
        notes=tuple(notes),
    )


def _signals(channels: frozenset[str]) -> tuple[str, ...]:
    """The angle signals the series can give, in column order."""
    wanted = [TRUNK_FORWARD, "neck_flexion", UPPER_ARM] + [m.signal for m in iso11226().measures]
    return tuple(dict.fromkeys(s for s in wanted if signal_available(s, channels)))


def _notes(series: PostureSeries, channels: frozenset[str], signals: tuple[str, ...]) -> list[str]:
    """How the data were read: a missing start, the trunk signal used, missing body parts."""
    notes: list[str] = []
    if series.meta.start is None:
        notes.append("no wall-clock start: days and hours are counted from the first sample")
    if "trunk_inclination" in channels and "trunk_flexion" not in channels:
        notes.append(
            "trunk_inclination without trunk_flexion: the forward sign is unknown, so all "
            "inclination counts as forward"
        )
    elif "trunk_flexion" in channels and "trunk_inclination" not in channels:
        notes.append("forward trunk inclination from trunk_flexion (its forward part)")
    for part, sig in PART_SIGNAL.items():
        if sig not in signals:
            notes.append(f"{part}: no {sig} signal in the series; its columns are NaN")
    return notes


def _disc(disc_pressure_mpa: ArrayLike | None, n: int) -> F64 | None:
    """The checked disc pressure per sample [MPa] (``None`` when not given)."""
    if disc_pressure_mpa is None:
        return None
    disc = np.asarray(disc_pressure_mpa, dtype=np.float64)
    if disc.shape != (n,):
        raise InputError(
            f"needs one value per sample ({n}), got shape {disc.shape}",
            where="disc_pressure_mpa",
        )
    if (disc[~np.isnan(disc)] < 0).any():
        raise InputError("pressures must be >= 0 MPa", where="disc_pressure_mpa")
    return disc


class _Pass:
    """One streaming pass: the accumulators and run detectors every chunk feeds."""

    def __init__(
        self,
        series: PostureSeries,
        signals: tuple[str, ...],
        bounds: F64,
        scored: list[Scored],
        disc: F64 | None,
    ) -> None:
        cfg = thresholds()
        self.series, self.signals, self.scored, self.disc = series, signals, scored, disc
        self.cfg = cfg
        extra_names: list[str] = []
        for sc in scored:
            extra_names.append(f"{sc.name}_score")
            if sc.level is not None:
                extra_names.append(f"{sc.name}_level")
        if disc is not None:
            extra_names.append("disc")
        nominal = series.sample_interval_s()
        h = half_window(cfg.median_filter.window_s, nominal)
        self.stream = Stream(signals, h=h, nominal_s=nominal, extra=tuple(extra_names))
        res = cfg.percentiles.resolution_deg
        scale = round(1.0 / res)
        if abs(scale * res - 1.0) > 1e-9:
            raise InputError(
                "percentiles.resolution_deg must divide 1 deg", where="thresholds.yaml"
            )
        self.acc = Accumulator(bounds, signals, 180 * scale + 1, float(scale))
        self.longest = RunDetector(collect=True) if TRUNK_FORWARD in signals else None
        self.iso_dets: list[tuple[AngleRule, RunDetector]] = []
        for m in iso11226().measures:
            if m.signal in signals:
                for rule in iso_rules(m):
                    trig = Trigger(round(rule.duration_s * NS_PER_S))
                    self.iso_dets.append((rule, RunDetector(trigger=trig, collect=True)))
        by_label = {a.label: a.value for a in Activity}
        self.sed_codes = np.array([by_label[a] for a in cfg.sedentary.activities], dtype=np.int8)
        self.break_codes = np.array(
            [by_label[a] for a in cfg.sedentary.break_activities], dtype=np.int8
        )
        self.sed = RunDetector(collect=True)
        time = series.time
        hold_cfg = cfg.static_hold
        n_epochs = int(np.floor((time[-1] - time[0]) / hold_cfg.epoch_s)) + 1
        self.epochs = {
            part: EpochAccumulator(float(time[0]), hold_cfg.epoch_s, n_epochs)
            for part, sig in PART_SIGNAL.items()
            if sig in signals
        }
        self.hold_signals = {PART_SIGNAL[part] for part in self.epochs}
        self.events: list[tuple[int, int, AlertEvent]] = []
        self.chans = [c for c in series.channels if c != "hand_load"]

    def push(self, sl: slice) -> None:
        """Feed samples ``sl`` of the series."""
        series = self.series
        extra: dict[str, NDArray[Any]] = {}
        for sc in self.scored:
            extra[f"{sc.name}_score"] = sc.score[sl]
            if sc.level is not None:
                extra[f"{sc.name}_level"] = sc.level[sl]
        if self.disc is not None:
            extra["disc"] = self.disc[sl]
        values = {c: series[c][sl] for c in self.chans}
        self._process(self.stream.push(series.time[sl], values, series.activity[sl], extra))

    def _process(self, block: Block | None) -> None:
        if block is None:
            return
        d_ok: dict[str, F64] = {}
        filled: dict[str, NDArray[np.float32]] = {}
        for sig in self.signals:
            x = block.center(sig)
            missing = np.isnan(x)
            d_ok[sig] = np.where(missing, 0.0, block.dur_s)
            if sig in self.hold_signals:
                filled[sig] = np.where(missing, np.float32(0.0), x)
        self.acc.add(block, self.scored, self.disc is not None, d_ok)
        if self.longest is not None:
            ext = block.ext[TRUNK_FORWARD]
            bent = vote(ext, block.h, above=self.cfg.longest.above_deg)
            self.longest.process(block, bent, block.center(TRUNK_FORWARD))
        for order, (rule, det) in enumerate(self.iso_dets):
            m = vote(block.ext[rule.signal], block.h, rule.above_deg, rule.below_deg)
            fired = det.process(block, m)
            if fired is None:
                continue
            self.events.extend(fired_events(fired, rule, order, rule.signal))
        self.sed.process(block, np.isin(block.activity, self.sed_codes))
        for part, ep in self.epochs.items():
            sig = PART_SIGNAL[part]
            ep.add(block, filled[sig], d_ok[sig])

    def finish(self) -> RunSets:
        """Flush the stream and close every detector: the runs and events of the whole series."""
        self._process(self.stream.close())
        dets = [d for _, d in self.iso_dets] + [self.sed] + ([self.longest] if self.longest else [])
        for det in dets:
            det.finish()
        n = len(self.series)
        self.events.sort(key=lambda x: (x[0], x[1]))
        hold_cfg = self.cfg.static_hold
        return RunSets(
            longest=self.longest.runs(n) if self.longest else None,
            iso={rule.id: det.runs(n) for rule, det in self.iso_dets},
            sed=self.sed.runs(n),
            holds={
                part: find_holds(
                    ep,
                    filter_epochs=hold_cfg.filter_epochs,
                    tolerance_deg=hold_cfg.tolerance_deg,
                    min_duration_s=hold_cfg.min_duration_s,
                )
                for part, ep in self.epochs.items()
            },
            events=tuple(e for _, _, e in self.events),
            break_codes=self.break_codes,
        )
