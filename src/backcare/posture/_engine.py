"""The chunk-invariant engine shared by exposure summaries and streaming alerts.

Batch exposure and live alerts must agree on the same data, so both push samples through the same
:class:`Stream` and the same :class:`RunDetector`. Results do not depend on how the samples were
chunked: a chunk of one sample gives the same runs and events as the whole series at once.

Rules this module fixes (documented once, used everywhere):

* **Time weight.** A sample stands for the step to the next sample; the last one gets the nominal
  interval; a step longer than 5 x nominal counts as the nominal interval (the rule of
  :meth:`PostureSeries.sample_durations`). Durations are accumulated in integer nanoseconds so
  that sums are exact and independent of chunking.
* **Gaps break runs.** A sample that follows a step longer than 5 x nominal starts a new run.
* **Median filter.** ``x > threshold`` after a centred median filter of ``w`` samples (``w`` odd)
  holds exactly when at least ``w // 2 + 1`` of the ``w`` samples exceed the threshold, so the
  filter is a majority vote of the threshold indicator, computed with cumulative sums. Edges are
  padded with the first/last sample. A missing sample (NaN) votes "no" and is never in a run.
  Zone conditions with two limits (above one or below another) vote on the combined indicator.
* **Derived signals.** ``trunk_forward_inclination``: ``trunk_inclination`` where
  ``trunk_flexion`` is forward (> 0), 0 where it is backward (<= 0), NaN where the flexion is
  missing; with only ``trunk_inclination`` the whole inclination counts (sign unknown); with only
  ``trunk_flexion`` (camera) its forward part ``max(flexion, 0)``. Lying and non-wear samples are
  NaN (excluded). ``head_inclination``: the measured ``head_inclination`` channel where the
  series has it (it needs no hips), else ``trunk_flexion + neck_flexion`` (sagittal plane); where
  both exist the measured channel wins and the sum fills its gaps; lying and non-wear excluded.
  ``upper_arm_elevation``: the larger of the two arms' elevations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from backcare.errors import InputError
from backcare.posture.conventions import CHANNELS, LYING, Activity

__all__ = [
    "DERIVED_SIGNALS",
    "HEAD_INCLINATION",
    "NS_PER_S",
    "TRUNK_FORWARD",
    "UPPER_ARM",
    "Block",
    "RunDetector",
    "Runs",
    "Stream",
    "Trigger",
    "derive_signal",
    "half_window",
    "signal_available",
    "vote",
]

NS_PER_S = 1_000_000_000
GAP_FACTOR = 5.0

TRUNK_FORWARD = "trunk_forward_inclination"
HEAD_INCLINATION = "head_inclination"
UPPER_ARM = "upper_arm_elevation"

DERIVED_SIGNALS: dict[str, str] = {
    TRUNK_FORWARD: "forward trunk inclination from vertical [deg]; 0 when leaning back; "
    "lying and non-wear excluded",
    HEAD_INCLINATION: "head inclination from vertical [deg]: the measured channel, else trunk "
    "flexion + neck flexion; lying and non-wear excluded",
    UPPER_ARM: "elevation of the higher upper arm [deg]",
}

_EXCLUDED = np.zeros(max(a.value for a in Activity) + 1, dtype=bool)
for _a in (*LYING, Activity.NONWEAR):
    _EXCLUDED[_a.value] = True

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]


def signal_available(name: str, channels: set[str] | frozenset[str] | tuple[str, ...]) -> bool:
    """Whether ``name`` (a channel or a derived signal) can be computed from ``channels``."""
    have = set(channels)
    if name == TRUNK_FORWARD:
        return bool(have & {"trunk_inclination", "trunk_flexion"})
    if name == HEAD_INCLINATION:
        return HEAD_INCLINATION in have or {"trunk_flexion", "neck_flexion"} <= have
    if name == UPPER_ARM:
        return bool(have & {"upper_arm_elevation_left", "upper_arm_elevation_right"})
    return name in have


def _f32(a: ArrayLike) -> F32:
    return np.asarray(a, dtype=np.float32)


def derive_signal(
    name: str, values: Mapping[str, ArrayLike], activity: NDArray[np.int8]
) -> F32 | None:
    """Signal ``name`` for a chunk of samples (float32), or ``None`` when it cannot be computed.

    Parameters
    ----------
    name
        A channel of :data:`~backcare.posture.conventions.CHANNELS` or one of
        :data:`DERIVED_SIGNALS`.
    values
        Channel arrays of the chunk [deg].
    activity
        Activity codes of the chunk.
    """
    if name == TRUNK_FORWARD:
        inc = values.get("trunk_inclination")
        flex = values.get("trunk_flexion")
        if inc is not None and flex is not None:
            f = _f32(flex)
            out = np.where(f > 0, _f32(inc), np.float32(0.0))
            out[np.isnan(f)] = np.nan
        elif inc is not None:
            out = np.array(inc, dtype=np.float32)
        elif flex is not None:
            out = np.maximum(_f32(flex), np.float32(0.0))
        else:
            return None
        out[_EXCLUDED[activity]] = np.nan
        return out
    if name == HEAD_INCLINATION:
        measured = values.get(HEAD_INCLINATION)
        flex = values.get("trunk_flexion")
        neck = values.get("neck_flexion")
        if measured is None and (flex is None or neck is None):
            return None
        summed = _f32(flex) + _f32(neck) if flex is not None and neck is not None else None
        if measured is not None:
            out = np.array(measured, dtype=np.float32)
            if summed is not None:
                gaps = np.isnan(out)
                out[gaps] = summed[gaps]
        elif summed is not None:
            out = summed
        else:
            return None
        out[_EXCLUDED[activity]] = np.nan
        return out
    if name == UPPER_ARM:
        left = values.get("upper_arm_elevation_left")
        right = values.get("upper_arm_elevation_right")
        if left is not None and right is not None:
            return np.fmax(_f32(left), _f32(right))
        one = left if left is not None else right
        return None if one is None else np.array(one, dtype=np.float32)
    if name not in CHANNELS:
        raise InputError(
            f"unknown signal; use a channel or one of {', '.join(DERIVED_SIGNALS)}",
            where=f"signal {name!r}",
        )
    raw = values.get(name)
    return None if raw is None else np.array(raw, dtype=np.float32)


def half_window(filter_s: float, interval_s: float) -> int:
    """Half length ``h`` of the odd median window ``w = 2h + 1`` covering ``filter_s`` seconds."""
    if filter_s <= 0 or interval_s <= 0:
        return 0
    w = max(1, round(filter_s / interval_s))
    return w // 2


def vote(ext: F32, h: int, above: float | None = None, below: float | None = None) -> Bool:
    """Median-filtered zone condition for the centre samples of ``ext``.

    ``ext`` holds the block's samples with ``h`` samples of context on each side; the condition is
    ``x > above`` or ``x < below``; the result has ``len(ext) - 2h`` elements.
    """
    ind: Bool
    if above is not None and below is not None:
        ind = (ext > above) | (ext < below)
    elif above is not None:
        ind = ext > above
    elif below is not None:
        ind = ext < below
    else:
        raise ValueError("vote needs a threshold")
    k = ext.shape[0] - 2 * h
    if h == 0:
        return ind
    cs = np.zeros(ext.shape[0] + 1, dtype=np.int32)
    np.cumsum(ind, out=cs[1:])
    count = cs[2 * h + 1 :] - cs[:k]
    out: Bool = count >= h + 1
    out &= ~np.isnan(ext[h : h + k])
    return out


@dataclass
class Block:
    """Samples ready to be evaluated, with their context.

    ``ext`` holds each signal over the block plus ``h`` samples before and after (edge-padded).
    """

    index0: int
    time: F64
    dur_s: F64
    dur_ns: I64
    c_after: I64
    gap: Bool
    activity: NDArray[np.int8]
    h: int
    ext: dict[str, F32]
    extra: dict[str, NDArray[Any]]

    def __len__(self) -> int:
        return int(self.time.shape[0])

    def center(self, name: str) -> F32:
        """The signal over the block's own samples."""
        e = self.ext[name]
        return e[self.h : e.shape[0] - self.h]


class Stream:
    """Buffers incoming samples and releases them as :class:`Block` s once their context is known.

    Buffers are never written in place (each push builds new arrays), so blocks can hold views.

    Parameters
    ----------
    signals
        Signals to derive for every sample (absent ones are all-NaN).
    h
        Half window of the median filter [samples].
    nominal_s
        Nominal sample interval [s] (the last sample's duration and the gap rule).
    extra
        Names of per-sample arrays passed through unchanged (e.g. REBA scores).
    """

    def __init__(
        self,
        signals: tuple[str, ...],
        *,
        h: int,
        nominal_s: float,
        extra: tuple[str, ...] = (),
    ) -> None:
        self.signals = signals
        self.h = h
        self.nominal_s = nominal_s
        self.cap_s = GAP_FACTOR * nominal_s
        self.extra_names = extra
        self._keep = max(h, 1)
        self._t: F64 = np.zeros(0)
        self._a: NDArray[np.int8] = np.zeros(0, dtype=np.int8)
        self._v: dict[str, F32] = {s: np.zeros(0, dtype=np.float32) for s in signals}
        self._x: dict[str, NDArray[Any]] = {}
        self._g0 = 0  # global index of buffer element 0
        self._next = 0  # global index of the next sample to release
        self._n = 0  # samples received
        self._c = 0  # credited nanoseconds released so far
        self._first: dict[str, np.float32] = {}
        self._closed = False

    @property
    def received(self) -> int:
        return self._n

    def push(
        self,
        time: ArrayLike,
        values: Mapping[str, ArrayLike],
        activity: ArrayLike | None = None,
        extra: Mapping[str, ArrayLike] | None = None,
    ) -> Block | None:
        """Add samples; returns the block that became ready (or ``None``)."""
        if self._closed:
            raise InputError("the stream was closed; start a new evaluator", where="feed")
        t = np.asarray(time, dtype=np.float64).reshape(-1)
        n = t.shape[0]
        if n == 0:
            return None
        if not np.isfinite(t).all():
            raise InputError("time is not finite", where="time")
        backwards = bool((t[1:] < t[:-1]).any())
        if backwards or (self._t.shape[0] and t[0] < self._t[-1]):
            raise InputError("time goes backwards (samples must arrive in order)", where="time")
        if activity is None:
            act = np.zeros(n, dtype=np.int8)
        else:
            act = np.asarray(activity).astype(np.int8, copy=False).reshape(-1)
            if act.shape[0] != n:
                raise InputError(f"activity has {act.shape[0]} samples, time {n}", where="activity")
        for name, v in values.items():
            if np.shape(v) != (n,):
                raise InputError(
                    f"has shape {np.shape(v)}, expected ({n},) like time", where=f"channel {name!r}"
                )
        for s in self.signals:
            d = derive_signal(s, values, act)
            arr = np.full(n, np.nan, dtype=np.float32) if d is None else d
            if s not in self._first:
                self._first[s] = arr[0]
            self._v[s] = np.concatenate((self._v[s], arr))
        for name in self.extra_names:
            xa = np.asarray((extra or {})[name]).reshape(-1)
            if xa.shape[0] != n:
                raise InputError(f"has {xa.shape[0]} samples, time {n}", where=name)
            old = self._x.get(name)
            self._x[name] = xa if old is None else np.concatenate((old, xa))
        self._t = np.concatenate((self._t, t))
        self._a = np.concatenate((self._a, act))
        self._n += n
        return self._emit(final=False)

    def close(self) -> Block | None:
        """Release the remaining samples (the stream ends here)."""
        if self._closed:
            return None
        self._closed = True
        return self._emit(final=True)

    def _emit(self, *, final: bool) -> Block | None:
        end = self._n if final else self._n - self._keep
        if end <= self._next:
            return None
        h = self.h
        s = self._next - self._g0
        e = end - self._g0
        k = e - s
        t = self._t
        nominal = self.nominal_s
        off = 1 if s > 0 else 0
        steps = np.diff(t[s - off : min(e + 1, t.shape[0])])
        d = np.empty(k, dtype=np.float64)
        nd = steps.shape[0] - off  # k, or k - 1 at the end of the stream
        d[:nd] = steps[off:]
        if nd < k:
            d[-1] = nominal
        gap = np.zeros(k, dtype=bool)
        if nominal > 0:
            if off:
                np.greater(steps[:k], self.cap_s, out=gap)
            else:
                np.greater(steps[: k - 1], self.cap_s, out=gap[1:])
            d[d > self.cap_s] = nominal
        dur_ns = np.rint(d * NS_PER_S).astype(np.int64)
        c_after = np.cumsum(dur_ns)
        c_after += self._c
        self._c = int(c_after[-1])
        ext: dict[str, F32] = {}
        for name in self.signals:
            v = self._v[name]
            lo = s - h
            hi = e + h
            parts: list[F32] = []
            if lo < 0:
                parts.append(np.full(-lo, self._first[name], dtype=np.float32))
                lo = 0
            parts.append(v[lo : min(hi, v.shape[0])])
            if hi > v.shape[0]:
                parts.append(np.full(hi - v.shape[0], v[-1], dtype=np.float32))
            ext[name] = parts[0] if len(parts) == 1 else np.concatenate(parts)
        block = Block(
            index0=self._next,
            time=t[s:e],
            dur_s=d,
            dur_ns=dur_ns,
            c_after=c_after,
            gap=gap,
            activity=self._a[s:e],
            h=h,
            ext=ext,
            extra={name: x[s:e] for name, x in self._x.items()},
        )
        self._next = end
        # keep the context the next block needs
        drop = max(0, (end - self._keep) - self._g0)
        if drop:
            self._t = self._t[drop:]
            self._a = self._a[drop:]
            for name in self.signals:
                self._v[name] = self._v[name][drop:]
            for name in self._x:
                self._x[name] = self._x[name][drop:]
            self._g0 += drop
        return block


@dataclass(frozen=True)
class Trigger:
    """Fire when a run has lasted ``after_ns``; again every ``repeat_ns`` (if set)."""

    after_ns: int
    repeat_ns: int | None = None


@dataclass
class Runs:
    """Completed runs (one element per run). Times in series seconds, credit in nanoseconds."""

    start_index: NDArray[np.int64]
    end_index: NDArray[np.int64]
    start_s: F64
    end_s: F64
    start_c: I64
    end_c: I64
    mean: F64
    next_activity: NDArray[np.int8]

    @classmethod
    def empty(cls) -> Runs:
        i64 = np.zeros(0, dtype=np.int64)
        f64 = np.zeros(0, dtype=np.float64)
        return cls(i64, i64, f64, f64, i64, i64, f64, np.zeros(0, dtype=np.int8))

    @property
    def duration_s(self) -> F64:
        out: F64 = (self.end_c - self.start_c) / NS_PER_S
        return out

    def __len__(self) -> int:
        return int(self.start_index.shape[0])


@dataclass
class _Open:
    index: int = 0
    time: float = 0.0
    c: int = 0
    level: int = 0
    sum_vd: float = 0.0
    sum_d: float = 0.0
    end_time: float = 0.0
    end_c: int = 0


@dataclass
class Fired:
    """Events of one block: positions, levels and run facts at the triggering sample."""

    index: NDArray[np.int64]
    time_s: F64
    held_ns: I64
    started_s: F64
    level: NDArray[np.int64]


@dataclass
class RunDetector:
    """Finds runs of a per-sample condition across blocks; fires a :class:`Trigger`.

    Work per block is a few vectorised passes to find run starts and ends, then per run (not per
    sample): the sample where a run reaches the trigger is found by a binary search in the
    cumulative credited time.
    """

    trigger: Trigger | None = None
    collect: bool = False
    _open: _Open | None = None
    _parts: list[tuple[NDArray[Any], ...]] = field(default_factory=list)

    def process(self, block: Block, m: Bool, value: F32 | None = None) -> Fired | None:
        """Feed the condition ``m`` of one block; returns what fired in it (or ``None``)."""
        k = m.shape[0]
        op = self._open
        gap = block.gap
        linked = m[:-1] & ~gap[1:]  # sample i+1 continues the run of sample i
        starts = m.copy()
        starts[1:] &= ~linked
        carried = bool(op is not None and m[0] and not gap[0])
        if carried:
            starts[0] = False
        ends = m[:-1] & ~(linked & m[1:])
        s_pos = np.flatnonzero(starts)
        e_pos = np.flatnonzero(ends)
        open_at_end = bool(m[-1])
        if open_at_end:
            e_pos = np.append(e_pos, k - 1)
        # closing a run carried from the previous block that did not continue
        closed_carried = op is not None and not carried
        n_runs = s_pos.shape[0] + (1 if carried else 0)
        c_after = block.c_after
        # per run facts
        first_pos = np.concatenate(([0], s_pos)) if carried else s_pos
        start_c = c_after[s_pos] - block.dur_ns[s_pos]
        start_t = block.time[s_pos]
        start_i = block.index0 + s_pos.astype(np.int64)
        already = np.zeros(n_runs, dtype=np.int64)
        if carried:
            assert op is not None
            start_c = np.concatenate(([op.c], start_c))
            start_t = np.concatenate(([op.time], start_t))
            start_i = np.concatenate(([op.index], start_i))
            already[0] = op.level
        end_c = c_after[e_pos]
        fired: Fired | None = None
        reached = already
        if self.trigger is not None and n_runs:
            thr = self.trigger.after_ns
            held_end = end_c - start_c
            rep = self.trigger.repeat_ns
            if rep is None:
                reached = (held_end >= thr).astype(np.int64)
            else:
                reached = np.where(held_end >= thr, (held_end - thr) // rep + 1, 0)
            reached = np.maximum(reached, already)
            new = reached - already
            if new.any():
                run_of = np.repeat(np.arange(n_runs), new)
                offs = np.arange(run_of.shape[0]) - np.repeat(np.cumsum(new) - new, new)
                level = already[run_of] + offs + 1
                target = start_c[run_of] + thr + (level - 1) * (rep or 0)
                pos = np.searchsorted(c_after, target, side="left")
                fired = Fired(
                    index=block.index0 + pos.astype(np.int64),
                    time_s=block.time[pos],
                    held_ns=c_after[pos] - start_c[run_of],
                    started_s=start_t[run_of],
                    level=level,
                )
        if self.collect:
            self._collect(
                block, value, carried, closed_carried, first_pos, e_pos, open_at_end,
                start_c, start_t, start_i,
            )  # fmt: skip
        if open_at_end:
            last = n_runs - 1
            vd, dd = (0.0, 0.0)
            if self.collect and value is not None:
                vd, dd = self._sums(block, value, int(first_pos[last]), k)
                if carried and last == 0 and op is not None:
                    vd += op.sum_vd
                    dd += op.sum_d
            self._open = _Open(
                index=int(start_i[last]),
                time=float(start_t[last]),
                c=int(start_c[last]),
                level=int(reached[last]) if self.trigger is not None else 0,
                sum_vd=vd,
                sum_d=dd,
                end_time=float(block.time[-1] + block.dur_s[-1]),
                end_c=int(c_after[-1]),
            )
        else:
            self._open = None
        return fired

    @staticmethod
    def _sums(block: Block, value: F32, lo: int, hi: int) -> tuple[float, float]:
        v = value[lo:hi]
        d = block.dur_s[lo:hi]
        ok = ~np.isnan(v)
        return float(np.dot(np.where(ok, v, 0.0), d)), float(np.dot(ok, d))

    def _collect(
        self,
        block: Block,
        value: F32 | None,
        carried: bool,
        closed_carried: bool,
        first_pos: NDArray[np.int64],
        e_pos: NDArray[np.int64],
        open_at_end: bool,
        start_c: I64,
        start_t: F64,
        start_i: I64,
    ) -> None:
        op = self._open
        if closed_carried and op is not None:
            nxt = -1 if block.gap[0] else int(block.activity[0])
            self._parts.append(self._single(op, block.index0, nxt))
        n_closed = e_pos.shape[0] - (1 if open_at_end else 0)
        if n_closed <= 0:
            return
        fp = first_pos[:n_closed]
        ep = e_pos[:n_closed]
        mean: F64 = np.full(n_closed, np.nan)
        if value is not None:
            ok = ~np.isnan(value)
            vd_all = np.where(ok, value, np.float32(0.0)) * block.dur_s
            dd_all = np.where(ok, block.dur_s, 0.0)
            pairs = np.empty(2 * n_closed, dtype=np.intp)
            pairs[0::2] = fp
            pairs[1::2] = ep + 1
            sv = np.add.reduceat(vd_all, pairs)[0::2]
            sd = np.add.reduceat(dd_all, pairs)[0::2]
            if carried and op is not None:
                sv[0] += op.sum_vd
                sd[0] += op.sum_d
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(sd > 0, sv / np.where(sd > 0, sd, 1.0), np.nan)
        nxt_act = np.where(block.gap[ep + 1], -1, block.activity[ep + 1].astype(np.int64))
        self._parts.append(
            (
                start_i[:n_closed],
                block.index0 + ep + 1,
                start_t[:n_closed],
                block.time[ep] + block.dur_s[ep],
                start_c[:n_closed],
                block.c_after[ep],
                mean,
                nxt_act,
            )
        )

    @staticmethod
    def _single(op: _Open, end_index: int, nxt: int) -> tuple[NDArray[Any], ...]:
        mean = op.sum_vd / op.sum_d if op.sum_d > 0 else float("nan")
        return (
            np.array([op.index], dtype=np.int64),
            np.array([end_index], dtype=np.int64),
            np.array([op.time]),
            np.array([op.end_time]),
            np.array([op.c], dtype=np.int64),
            np.array([op.end_c], dtype=np.int64),
            np.array([mean]),
            np.array([nxt], dtype=np.int64),
        )

    def finish(self) -> None:
        """Close the open run at the end of the stream."""
        op = self._open
        if op is not None and self.collect:
            self._parts.append(self._single(op, -1, -1))
        self._open = None

    def runs(self, n_total: int) -> Runs:
        """All collected runs; ``n_total`` fills the end index of a run open at the end."""
        if not self._parts:
            return Runs.empty()

        def col(i: int, dtype: type[np.generic]) -> NDArray[Any]:
            return np.concatenate([p[i] for p in self._parts]).astype(dtype)

        end_index = col(1, np.int64)
        end_index[end_index < 0] = n_total
        return Runs(
            start_index=col(0, np.int64),
            end_index=end_index,
            start_s=col(2, np.float64),
            end_s=col(3, np.float64),
            start_c=col(4, np.int64),
            end_c=col(5, np.int64),
            mean=col(6, np.float64),
            next_activity=col(7, np.int8),
        )
