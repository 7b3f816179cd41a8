"""Time per activity class and the forward-trunk histograms, per segment between period
boundaries, accumulated chunk by chunk."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from backcare.knowledge.exposure import thresholds
from backcare.posture._engine import (
    TRUNK_FORWARD,
    UPPER_ARM,
    Block,
)
from backcare.posture.exposure._common import (
    F64,
    N_ACTIVITY,
    POSTURE_CLASS,
)
from backcare.posture.exposure.scored import Scored


class Accumulator:
    """Per-segment sums filled block by block."""

    def __init__(self, bounds: F64, signals: tuple[str, ...], nbins: int, scale: float) -> None:
        s = bounds.shape[0] - 1
        cfg = thresholds()
        self.bounds = bounds
        self.nbins = nbins
        self.scale = scale
        self.act_s = np.zeros((s, N_ACTIVITY))
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
        self._class_offset = (POSTURE_CLASS * nbins).astype(np.int32)

    def add(self, block: Block, scored: Sequence[Scored], disc: bool, d_ok: dict[str, F64]) -> None:
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
            self.act_s[seg] += np.bincount(act_all[sl], weights=d, minlength=N_ACTIVITY)[
                :N_ACTIVITY
            ]
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
