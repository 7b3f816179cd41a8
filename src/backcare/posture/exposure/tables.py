"""The exposure tables: one row per period (hour, day, window, total) from the accumulated
segments and the runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from backcare.knowledge.exposure import iso11226, thresholds
from backcare.posture._engine import (
    NS_PER_S,
    UPPER_ARM,
)
from backcare.posture.conventions import LYING, SITTING, UPRIGHT, Activity
from backcare.posture.exposure._common import (
    F64,
)
from backcare.posture.exposure.accumulate import Accumulator
from backcare.posture.exposure.glossary import (
    band_name,
    glossary,
    long_bout_name,
    longest_name,
)
from backcare.posture.exposure.periods import Period
from backcare.posture.exposure.runs import RunSets, subset_runs
from backcare.posture.exposure.scored import Scored
from backcare.posture.exposure.stats import (
    clipped,
    count_in,
    pct,
    percentiles,
    weighted_median,
)
from backcare.posture.exposure.summary import (
    Verdict,
)


class _Span(NamedTuple):
    """A period and its segments: segment range ``[j0, j1)`` and credit range ``[c0, c1)``."""

    p: Period
    j0: int
    j1: int
    c0: int
    c1: int


class TableBuilder:
    def __init__(
        self,
        acc: Accumulator,
        runs: RunSets,
        signals: tuple[str, ...],
        scored: Sequence[Scored],
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
        self.sed_long = subset_runs(sed, long_mask)
        brk = np.isin(sed.next_activity, runs.break_codes)
        self.break_end_s = np.sort(sed.end_s[brk])

    def _seg(self, p: Period) -> tuple[int, int]:
        b = self.acc.bounds
        return int(np.searchsorted(b, p.start_s)), int(np.searchsorted(b, p.end_s))

    def row(self, p: Period) -> dict[str, Any]:
        """One table row: the metrics of period ``p``."""
        acc = self.acc
        j0, j1 = self._seg(p)
        c0, c1 = int(self.cum_ns[j0]), int(self.cum_ns[j1])
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
        span = _Span(p, j0, j1, c0, c1)
        self._trunk(r, span)
        self._bands(r, span)
        self._iso(r, span)
        self._holds(r, span)
        self._sedentary(r, span)
        self._disc(r, span)
        self._scores(r, span)
        return r

    def _trunk(self, r: dict[str, Any], span: _Span) -> None:
        """Trunk: time per posture class, forward bands, percentiles, the longest bend."""
        cfg = self.cfg
        acc = self.acc
        j0 = span.j0
        j1 = span.j1
        c0 = span.c0
        c1 = span.c1
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
                r[f"trunk_fwd_{b}_pct"] = pct(all_t, trunk_t)
                r[f"trunk_fwd_{b}_sit_time_s"] = float(at[0])
                r[f"trunk_fwd_{b}_sit_pct"] = pct(float(at[0]), float(by_class[0]))
                r[f"trunk_fwd_{b}_upright_time_s"] = float(at[1])
                r[f"trunk_fwd_{b}_upright_pct"] = pct(float(at[1]), float(by_class[1]))
            pcts = percentiles(hist.sum(axis=0), cfg.percentiles.percentiles, 1.0 / acc.scale)
            for q, v in zip(cfg.percentiles.percentiles, pcts, strict=True):
                r[f"trunk_fwd_p{q}_deg"] = v
            assert self.runs.longest is not None
            r[longest_name()] = clipped(self.runs.longest, c0, c1)[1]

    def _bands(self, r: dict[str, Any], span: _Span) -> None:
        """Neck flexion and upper-arm elevation bands."""
        acc = self.acc
        j0 = span.j0
        j1 = span.j1
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
                r[f"{prefix}_{b}_pct"] = pct(float(ge[j]), vt)

    def _iso(self, r: dict[str, Any], span: _Span) -> None:
        """ISO 11226: time in the zones and the verdict per body part."""
        acc = self.acc
        p = span.p
        j0 = span.j0
        j1 = span.j1
        c0 = span.c0
        c1 = span.c1
        for part in sorted({m.part for m in self.iso.measures}):
            measures = [m for m in self.iso.measures if m.part == part and m.signal in self.signals]
            if not measures:
                r[f"iso_{part}_verdict"] = "not_measured"
                r[f"iso_{part}_violations_n"] = 0
                continue
            viol = count_in(self.part_events[part], p.start_s, p.end_s)
            zone_time = 0.0
            measured = 0.0
            for m in measures:
                measured += float(acc.valid_s[m.signal][j0:j1].sum())
                nr_t = clipped(self.runs.iso[f"iso.{m.id}.not_recommended"], c0, c1)[0]
                r[f"iso_{m.id}_not_recommended_time_s"] = nr_t
                zone_time += nr_t
                hold_id = f"iso.{m.id}.holding"
                if hold_id in self.runs.iso:
                    ge1 = clipped(self.runs.iso[hold_id], c0, c1)[0]
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

    def _holds(self, r: dict[str, Any], span: _Span) -> None:
        """Static holds per body part."""
        p = span.p
        c0 = span.c0
        c1 = span.c1
        for hold_part, holds in self.runs.holds.items():
            tot, lng = clipped(holds, c0, c1)
            r[f"hold_{hold_part}_n"] = count_in(holds.start_s, p.start_s, p.end_s)
            r[f"hold_{hold_part}_longest_s"] = lng
            r[f"hold_{hold_part}_time_s"] = tot

    def _sedentary(self, r: dict[str, Any], span: _Span) -> None:
        """Long sedentary bouts, the longest bout and the breaks."""
        p = span.p
        c0 = span.c0
        c1 = span.c1
        lb = long_bout_name()
        r[f"{lb}_n"] = count_in(self.sed_long.start_s, p.start_s, p.end_s)
        r[f"{lb}_time_s"] = clipped(self.sed_long, c0, c1)[0]
        r["sed_longest_s"] = clipped(self.runs.sed, c0, c1)[1]
        r["sed_breaks_n"] = count_in(self.break_end_s, p.start_s, p.end_s)

    def _disc(self, r: dict[str, Any], span: _Span) -> None:
        """Disc-load dose and its ratio to standing."""
        cfg = self.cfg
        acc = self.acc
        nan = float("nan")
        j0 = span.j0
        j1 = span.j1
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

    def _scores(self, r: dict[str, Any], span: _Span) -> None:
        """REBA/RULA: scored time, median and maximum score."""
        acc = self.acc
        nan = float("nan")
        j0 = span.j0
        j1 = span.j1
        for sc in self.scored:
            dist = acc.scored[sc.name][0][j0:j1].sum(axis=0) if sc.name in acc.scored else None
            if dist is None:
                continue
            valid = dist[1:]
            r[f"{sc.name}_scored_time_s"] = float(valid.sum())
            r[f"{sc.name}_median_score"] = weighted_median(valid) + 1 if valid.sum() > 0 else nan
            nz = np.flatnonzero(valid > 0)
            r[f"{sc.name}_max_score"] = float(nz[-1] + 1) if nz.size else nan

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
                            "pct": pct(float(dist[v]), scored_t),
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
                                "pct": pct(float(lev[v]), scored_t),
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
