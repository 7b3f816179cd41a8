"""Simulated AX3 ``.cwa`` recordings of a scripted week, with per-second ground truth.

:func:`simulate_cwa` writes a valid AX3 ``.cwa`` file (packed samples: the default of AX3 devices,
120 per block, 10-bit + exponent; a 7-day, 100 Hz file is about 258 MB) and its truth beside it
(``FILE.truth.parquet``). The day plans are data (``wearable/scripts/week.yaml``): a sequence of
bouts (sleep supine/side, desk work, walking, stairs, bent work, standing...), each with the
posture of five body segments. Bout lengths are jittered with the seed; every day is 24 h.

Physics
-------
A segment's posture is a flexion ``phi`` (+ = its upper end tilts forward) and a lateral tilt
``lam`` (+ = its upper end tilts to the person's right). With the segment axes ``D`` (down along
the segment), ``F`` (forward, out of its front) and ``L`` (the person's left), the world's up
direction in segment axes is ``u = (-cos lam cos phi, -sin phi, sin lam cos phi)`` and world
forward is ``w = (-cos lam sin phi, cos phi, sin lam sin phi)``. An accelerometer at rest reads
``+1 g`` along up, so the sensor reads ``u * (1 + bounce) + w * surge`` [g], where ``bounce`` and
``surge`` are the vertical and forward accelerations of stepping (step frequency, amplitudes from
the script), plus white noise. Postures change with 1-s ramps; while stepping the segment swings
about its mean flexion at the stride frequency (half the cadence). The device axes follow the
placement convention: e.g. thigh ``+x`` down and ``-z`` forward, upper back ``+x`` down and ``+z``
forward. Off the body (``nonwear``) the device lies still, face up.

Truth (one row per second, ``time_s`` since the start): ``activity`` (code of
:class:`backcare.posture.conventions.Activity`), ``label``, and for trunk, thigh and the sensor's
own segment the inclination from vertical [deg] and the forward angle (the flexion ``phi``) [deg]
of the posture at the middle of the second (swing excluded); NaN while the device is off.

Memory and speed: samples are generated and written an hour at a time (vectorised, float32),
so a week at 100 Hz takes seconds and a few tens of MB.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import yaml
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from backcare.errors import InputError
from backcare.posture.conventions import Activity
from backcare.wearable.cwa_writer import CwaWriter
from backcare.wearable.placements import PLACEMENTS

__all__ = [
    "PLACEMENTS",
    "SEGMENTS",
    "Script",
    "Simulation",
    "SimulationResult",
    "Timeline",
    "build_timeline",
    "device_matrix",
    "load_script",
    "simulate_cwa",
    "single_activity",
    "truth_path",
]

SEGMENTS = ("trunk", "pelvis", "thigh", "upper_arm", "forearm")
Range = float | tuple[float, float]
Axis = Literal["+x", "-x", "+y", "-y", "+z", "-z"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SegmentPose(_Model):
    flexion: Range = 0.0
    lateral: Range = 0.0
    swing: float = Field(default=0.0, ge=0, le=90)


class ActivitySpec(_Model):
    activity: str
    resample_s: tuple[float, float] = (60.0, 60.0)
    cadence_hz: Range = 0.0
    bounce_g: Range = 0.0
    trunk: SegmentPose = SegmentPose()
    pelvis: SegmentPose = SegmentPose()
    thigh: SegmentPose = SegmentPose()
    upper_arm: SegmentPose = SegmentPose()
    forearm: SegmentPose = SegmentPose()

    @field_validator("activity")
    @classmethod
    def _known(cls, value: str) -> str:
        if value.upper() not in Activity.__members__:
            raise ValueError(f"unknown activity {value!r}")
        return value

    @property
    def code(self) -> Activity:
        return Activity[self.activity.upper()]


class PlacementSpec(_Model):
    segment: Literal["trunk", "pelvis", "thigh", "upper_arm", "forearm"]
    down: Axis
    forward: Axis


class BoutSpec(_Model):
    do: str
    min: float = Field(gt=0)
    jitter: float = Field(default=0.2, ge=0, lt=1)


class RepeatSpec(_Model):
    repeat: int = Field(ge=1, le=100)
    bouts: list[Annotated[BoutSpec | RepeatSpec, Field(union_mode="left_to_right")]]


class Script(_Model):
    """A simulator script (see ``wearable/scripts/week.yaml``)."""

    name: str
    noise_g: float = Field(ge=0, le=0.5)
    worn_temperature_c: float
    off_temperature_c: float
    bounce_gain: dict[str, float]
    placements: dict[str, PlacementSpec]
    activities: dict[str, ActivitySpec]
    days: dict[str, list[Annotated[BoutSpec | RepeatSpec, Field(union_mode="left_to_right")]]]
    week: list[str] = Field(min_length=7, max_length=7)


def load_script(path: str | Path | None = None) -> Script:
    """The simulator script at ``path`` (default: the packaged week)."""
    if path is None:
        text = resources.files("backcare.wearable").joinpath("scripts/week.yaml").read_text()
        where = "wearable/scripts/week.yaml"
    else:
        where = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read the script: {exc.strerror}", where=where) from None
    try:
        script = Script.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        raise InputError(f"invalid simulator script: {exc}", where=where) from None
    for day, bouts in script.days.items():
        for name in _names(bouts):
            if name not in script.activities:
                raise InputError(f"day {day!r} uses unknown activity {name!r}", where=where)
    for day in script.week:
        if day not in script.days:
            raise InputError(f"week names unknown day {day!r}", where=where)
    return script


def single_activity(script: Script, activity: str) -> Script:
    """``script`` with every day one bout of ``activity`` (one of its activities): for
    one-activity recordings, such as the short labelled files of validation studies."""
    if activity not in script.activities:
        raise InputError(
            f"unknown activity {activity!r}; choose one of {', '.join(script.activities)}",
            where="only",
        )
    day = [BoutSpec(do=activity, min=1440.0, jitter=0.0)]
    return script.model_copy(update={"days": {"only": day}, "week": ["only"] * 7})


def _names(bouts: list[Any]) -> list[str]:
    out: list[str] = []
    for b in bouts:
        out.extend(_names(b.bouts) if isinstance(b, RepeatSpec) else [b.do])
    return out


def _flatten(bouts: list[Any]) -> list[BoutSpec]:
    out: list[BoutSpec] = []
    for b in bouts:
        if isinstance(b, RepeatSpec):
            for _ in range(b.repeat):
                out.extend(_flatten(b.bouts))
        else:
            out.append(b)
    return out


_AXES = {"x": 0, "y": 1, "z": 2}
# segment axes (D, F, L) as world vectors of a person standing upright (x fwd, y left, z up)
_SEG_WORLD = np.array([[0.0, 0.0, -1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def device_matrix(down: str, forward: str) -> NDArray[np.float64]:
    """3x3 matrix taking (D, F, L) segment components to device (x, y, z) components."""
    i, j = _AXES[down[1]], _AXES[forward[1]]
    if i == j:
        raise InputError(f"down {down} and forward {forward} must be different axes")
    dev = np.zeros((3, 3))  # device axes as world vectors (standing)
    dev[i] = (1 if down[0] == "+" else -1) * _SEG_WORLD[0]
    dev[j] = (1 if forward[0] == "+" else -1) * _SEG_WORLD[1]
    k = 3 - i - j
    dev[k] = np.cross(dev[(k + 1) % 3], dev[(k + 2) % 3])  # right-handed device axes
    result: NDArray[np.float64] = dev @ _SEG_WORLD.T
    return result


# -- timeline ----------------------------------------------------------------------------------
@dataclass
class Timeline:
    """Sub-bouts in seconds since the first simulated midnight (all arrays the same length)."""

    start_s: NDArray[np.int64]  # sub-bout starts (whole seconds)
    end_s: NDArray[np.int64]
    activity: NDArray[np.int8]  # Activity code
    spec: list[str]  # activity name per sub-bout
    flexion: dict[str, NDArray[np.float64]]  # per segment [deg]
    lateral: dict[str, NDArray[np.float64]]
    swing: dict[str, NDArray[np.float64]]
    cadence_hz: NDArray[np.float64]
    bounce_g: NDArray[np.float64]


def _draw(value: Range, rng: np.random.Generator) -> float:
    if isinstance(value, tuple):
        return float(rng.uniform(value[0], value[1]))
    return float(value)


def build_timeline(script: Script, first_day: datetime, n_days: int, seed: int) -> Timeline:
    """Lay the script's days end to end from ``first_day`` (midnight) for ``n_days`` days."""
    rng = np.random.default_rng(seed)
    starts: list[int] = []
    ends: list[int] = []
    names: list[str] = []
    for d in range(n_days):
        day = script.week[(first_day + timedelta(days=d)).weekday()]
        bouts = _flatten(script.days[day])
        minutes = np.array([b.min * (1 + rng.uniform(-b.jitter, b.jitter)) for b in bouts])
        secs = np.maximum(1, np.round(minutes / minutes.sum() * 86400)).astype(np.int64)
        secs[-1] = 86400 - secs[:-1].sum()
        if secs[-1] < 1:
            raise InputError(f"day {day!r} has too many bouts to fit 24 h", where="script")
        edges = d * 86400 + np.concatenate([[0], np.cumsum(secs)])
        for b, a, e in zip(bouts, edges[:-1], edges[1:], strict=True):
            spec = script.activities[b.do]
            lo, hi = spec.resample_s
            t = int(a)
            while t < e:  # sub-bouts: posture drawn anew
                step = max(1, round(rng.uniform(lo, hi)))
                stop = min(int(e), t + step)
                starts.append(t)
                ends.append(stop)
                names.append(b.do)
                t = stop
    n = len(starts)
    flexion = {s: np.zeros(n) for s in SEGMENTS}
    lateral = {s: np.zeros(n) for s in SEGMENTS}
    swing = {s: np.zeros(n) for s in SEGMENTS}
    cadence = np.zeros(n)
    bounce = np.zeros(n)
    act = np.zeros(n, np.int8)
    for k, name in enumerate(names):
        spec = script.activities[name]
        act[k] = int(spec.code)
        cadence[k] = _draw(spec.cadence_hz, rng)
        bounce[k] = _draw(spec.bounce_g, rng)
        for s in SEGMENTS:
            pose: SegmentPose = getattr(spec, s)
            flexion[s][k] = _draw(pose.flexion, rng)
            lateral[s][k] = _draw(pose.lateral, rng)
            swing[s][k] = pose.swing
    return Timeline(
        start_s=np.array(starts, np.int64),
        end_s=np.array(ends, np.int64),
        activity=act,
        spec=names,
        flexion=flexion,
        lateral=lateral,
        swing=swing,
        cadence_hz=cadence,
        bounce_g=bounce,
    )


def _anchors(tl: Timeline, values: NDArray[np.float64]) -> tuple[NDArray[Any], NDArray[Any]]:
    """Interpolation anchors: constant within a sub-bout, 1-s ramps between sub-bouts."""
    half = np.minimum(0.5, (tl.end_s - tl.start_s) / 2.0)
    x = np.empty(2 * tl.start_s.size)
    x[0::2] = tl.start_s + half
    x[1::2] = tl.end_s - half
    y = np.repeat(values, 2)
    return x, y


# -- sample generation -------------------------------------------------------------------------
def _posture(
    tl: Timeline, seg: str, t: NDArray[np.float64], idx: NDArray[np.int64]
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Slow posture plus swing [deg] of segment ``seg`` at times ``t`` (sub-bout ``idx``)."""
    xf, yf = _anchors(tl, tl.flexion[seg])
    xl, yl = _anchors(tl, tl.lateral[seg])
    phi = np.interp(t, xf, yf).astype(np.float32)
    lam = np.interp(t, xl, yl).astype(np.float32)
    amp = tl.swing[seg][idx].astype(np.float32)
    if amp.any():
        stride = (0.5 * tl.cadence_hz[idx]).astype(np.float32)
        local = (t - tl.start_s[idx]).astype(np.float32)
        phi += amp * np.sin(np.float32(2 * np.pi) * stride * local)
    return phi, lam


def _segment_comps(
    tl: Timeline, seg: str, t: NDArray[np.float64], idx: NDArray[np.int64], gain: float
) -> tuple[NDArray[np.float32], ...]:
    """Specific force [g] in segment axes (D, F, L) at times ``t`` (exact, per sample)."""
    phi, lam = _posture(tl, seg, t, idx)
    rad = np.float32(np.pi / 180)
    sp, cp = np.sin(phi * rad), np.cos(phi * rad)
    sl, cl = np.sin(lam * rad), np.cos(lam * rad)
    bounce_amp = (tl.bounce_g[idx] * gain).astype(np.float32)
    if not bounce_amp.any():
        return (-cl * cp, -sp, sl * cp)
    local = (t - tl.start_s[idx]).astype(np.float32)
    wave = np.float32(2 * np.pi) * tl.cadence_hz[idx].astype(np.float32) * local
    lift = np.float32(1) + bounce_amp * np.sin(wave)
    surge = np.float32(0.4) * bounce_amp * np.cos(wave)
    return (-cl * (cp * lift + sp * surge), cp * surge - sp * lift, sl * (cp * lift + sp * surge))


def _sub_bout_index(tl: Timeline, t: NDArray[np.float64]) -> NDArray[np.int64]:
    """Sub-bout of each time in the sorted array ``t`` (one search per sub-bout, not per sample)."""
    lo = int(np.searchsorted(tl.end_s, t[0], side="right"))
    hi = int(np.searchsorted(tl.end_s, t[-1], side="right")) + 1
    edges = np.searchsorted(t, tl.end_s[lo:hi], side="left")
    counts = np.diff(np.concatenate([[0], np.minimum(edges, t.size)]))
    counts[-1] += t.size - counts.sum()
    idx = np.repeat(np.arange(lo, lo + counts.size), counts)
    result: NDArray[np.int64] = np.minimum(idx, tl.end_s.size - 1)
    return result


def _samples(
    tl: Timeline,
    seg: str,
    matrix: NDArray[np.float64],
    t: NDArray[np.float64],
    script: Script,
    rng: np.random.Generator,
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Device acceleration [g] (n, 3) and temperature [degC] at times ``t`` [s].

    Still postures are computed once per sub-bout; only samples while stepping and within the
    1-s ramps between sub-bouts are computed one by one.
    """
    idx = _sub_bout_index(tl, t)
    gain = script.bounce_gain.get(seg, 1.0)
    phi_sb = np.radians(tl.flexion[seg])
    lam_sb = np.radians(tl.lateral[seg])
    const = np.stack(
        [-np.cos(lam_sb) * np.cos(phi_sb), -np.sin(phi_sb), np.sin(lam_sb) * np.cos(phi_sb)],
        axis=1,
    )
    const_dev = (const @ matrix.T).astype(np.float32)
    const_dev[tl.activity == int(Activity.NONWEAR)] = (0.0, 0.0, 1.0)  # off: still, face up
    dev = const_dev[idx]
    moving = (tl.swing[seg] > 0) | (tl.bounce_g > 0)
    exact = moving[idx] | (t - tl.start_s[idx] < 0.5) | (tl.end_s[idx] - t < 0.5)
    exact &= tl.activity[idx] != int(Activity.NONWEAR)
    sel = np.flatnonzero(exact)
    if sel.size:
        comps = _segment_comps(tl, seg, t[sel], idx[sel], gain)
        for r in range(3):  # device axes are a signed permutation of the segment axes
            c = int(np.flatnonzero(matrix[r])[0])
            dev[sel, r] = comps[c] if matrix[r, c] > 0 else -comps[c]
    # white noise: uniform with SD noise_g (much faster to draw than Gaussian; below 2 LSB of
    # the packed samples its shape does not matter)
    noise = rng.random(dev.shape, dtype=np.float32)
    noise -= np.float32(0.5)
    noise *= np.float32(script.noise_g * np.sqrt(12.0))
    dev += noise
    off = tl.activity[idx] == int(Activity.NONWEAR)
    temp = np.where(off, script.off_temperature_c, script.worn_temperature_c).astype(np.float32)
    return dev, temp


def _truth(tl: Timeline, seg: str, seconds: NDArray[np.float64]) -> dict[str, NDArray[Any]]:
    idx = np.minimum(np.searchsorted(tl.end_s, seconds, side="right"), tl.end_s.size - 1)
    act = tl.activity[idx]
    off = act == int(Activity.NONWEAR)
    out: dict[str, NDArray[Any]] = {"activity": act}
    for name, s in (("trunk", "trunk"), ("thigh", "thigh"), ("sensor", seg)):
        phi = np.interp(seconds, *_anchors(tl, tl.flexion[s]))
        lam = np.interp(seconds, *_anchors(tl, tl.lateral[s]))
        incl = np.degrees(
            np.arccos(np.clip(np.cos(np.radians(phi)) * np.cos(np.radians(lam)), -1, 1))
        )
        out[f"{name}_inclination_deg"] = np.where(off, np.nan, incl)
        out[f"{name}_forward_deg"] = np.where(off, np.nan, phi)
    return out


@dataclass(frozen=True)
class SimulationResult:
    """What :func:`simulate_cwa` wrote."""

    path: Path
    truth_path: Path
    n_samples: int
    start: datetime
    rate_hz: float
    placement: str
    seed: int


def truth_path(path: str | Path) -> Path:
    """Where the truth of a simulated file lives: ``FILE.truth.parquet`` beside ``FILE.cwa``."""
    p = Path(path)
    return p.with_name(p.stem + ".truth.parquet")


class Simulation:
    """A simulated recording, generated chunk by chunk (deterministic for a seed).

    Parameters are those of :func:`simulate_cwa`. :meth:`chunks` yields ``(time [s] since the
    start, accel [g] (n, 3) float32 before quantisation, temperature [degC])``; :meth:`truth`
    returns the per-second truth table.
    """

    def __init__(
        self,
        *,
        days: float = 7.0,
        rate_hz: float = 100.0,
        placement: str = "thigh",
        seed: int = 0,
        start: datetime | None = None,
        script: Script | None = None,
        chunk_s: int = 3600,
        only: str | None = None,
    ) -> None:
        self.script = script or load_script()
        if only is not None:
            self.script = single_activity(self.script, only)
        if placement not in self.script.placements:
            raise InputError(
                f"unknown placement {placement!r}; choose one of "
                f"{', '.join(self.script.placements)}",
                where="placement",
            )
        if not 0 < days <= 60:
            raise InputError("days must be more than 0 and at most 60", where="days")
        if not rate_hz > 0:
            raise InputError("the rate must be positive", where="rate_hz")
        self.placement = placement
        self.rate_hz = float(rate_hz)
        self.seed = int(seed)
        self.start = (start or datetime(2024, 1, 1)).replace(tzinfo=None)
        place = self.script.placements[placement]
        self.segment = place.segment
        self.matrix = device_matrix(place.down, place.forward)
        midnight = self.start.replace(hour=0, minute=0, second=0, microsecond=0)
        self._offset_s = (self.start - midnight).total_seconds()
        self.total_s = round(days * 86400)
        n_days = int(np.ceil((self._offset_s + self.total_s) / 86400)) + 1
        self.timeline = build_timeline(self.script, midnight, n_days, self.seed)
        self.n_samples = round(self.total_s * self.rate_hz)
        self._per_chunk = max(1, round(chunk_s * self.rate_hz))
        self._starts = list(range(0, self.n_samples, self._per_chunk))
        self._seeds = np.random.SeedSequence([self.seed, 1]).spawn(len(self._starts))

    def chunk(self, k: int) -> tuple[NDArray[np.float64], NDArray[np.float32], NDArray[np.float32]]:
        """Chunk ``k``: (time [s] since the start, accel [g] (n, 3), temperature [degC])."""
        a = self._starts[k]
        b = min(self.n_samples, a + self._per_chunk)
        t = np.arange(a, b, dtype=np.float64) / self.rate_hz
        rng = np.random.default_rng(self._seeds[k])
        accel, temp = _samples(
            self.timeline, self.segment, self.matrix, t + self._offset_s, self.script, rng
        )
        return t, accel, temp

    def chunks(
        self,
    ) -> Iterator[tuple[NDArray[np.float64], NDArray[np.float32], NDArray[np.float32]]]:
        """Every chunk in order; the next is generated in a thread while one is consumed."""
        if not self._starts:
            return
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(self.chunk, 0)
            for k in range(len(self._starts)):
                current = pending.result()
                if k + 1 < len(self._starts):
                    pending = pool.submit(self.chunk, k + 1)
                yield current

    def truth(self) -> pd.DataFrame:
        """One row per second (see the module docstring for the columns)."""
        seconds = self._offset_s + np.arange(self.total_s, dtype=np.float64) + 0.5
        truth = _truth(self.timeline, self.segment, seconds)
        frame = pd.DataFrame(
            {
                "time_s": np.arange(self.total_s, dtype=np.int64),
                "activity": truth.pop("activity").astype(np.int8),
            }
        )
        frame["label"] = pd.Categorical(_labels(frame["activity"].to_numpy()))
        for key, value in truth.items():
            frame[key] = value.astype(np.float32)
        return frame


def simulate_cwa(
    out: str | Path,
    *,
    days: float = 7.0,
    rate_hz: float = 100.0,
    placement: str = "thigh",
    range_g: int = 8,
    seed: int = 0,
    start: datetime | None = None,
    packed: bool = True,
    script: Script | None = None,
    chunk_s: int = 3600,
    progress: Callable[[float, float], None] | None = None,
    only: str | None = None,
) -> SimulationResult:
    """Write a simulated AX3 ``.cwa`` file and its per-second truth (see module doc).

    Parameters
    ----------
    out
        Output ``.cwa`` path; the truth goes to :func:`truth_path` of it.
    days
        Duration [days] (fractions allowed; whole seconds).
    rate_hz
        Sample rate [Hz], 3200/2^k (e.g. 25, 50, 100).
    placement
        Where the device sits: thigh, trunk_back, trunk_lumbar, trunk_chest, upper_arm, wrist or
        hip.
    range_g
        Recorded range [g] (2, 4, 8 or 16).
    seed
        Random seed (bout lengths, postures, noise).
    start
        Device-clock time of the first sample (default 2024-01-01 00:00, a Monday).
    packed
        Packed (default, 4 bytes per sample) or unpacked (6 bytes) samples.
    script
        Day plans (default: the packaged ``wearable/scripts/week.yaml``).
    chunk_s
        Seconds generated and written at a time (memory: about 40 bytes per sample).
    progress
        Called with (seconds written, total seconds) after each chunk.
    only
        One of the script's activities (e.g. ``walk_slow``, ``cycle``, ``sleep_knees_bent``)
        for the whole file instead of the day plans: a one-activity recording.
    """
    sim = Simulation(
        days=days,
        rate_hz=rate_hz,
        placement=placement,
        seed=seed,
        start=start,
        script=script,
        chunk_s=chunk_s,
        only=only,
    )
    out = Path(out)
    with CwaWriter(
        out,
        rate_hz=rate_hz,
        range_g=range_g,
        start=sim.start,
        packed=packed,
        device_id=40000 + seed % 10000,
        session_id=seed & 0xFFFFFFFF,
        metadata={"_p": placement, "simulator": sim.script.name, "seed": str(seed)},
    ) as writer:
        for t, accel, temp in sim.chunks():
            writer.write(accel, temp)
            if progress is not None:
                progress(float(t[-1]) + 1.0 / sim.rate_hz, float(sim.total_s))
    tpath = truth_path(out)
    tmp = tpath.with_name(tpath.name + ".tmp")
    sim.truth().to_parquet(tmp, index=False)
    tmp.replace(tpath)
    return SimulationResult(
        path=out,
        truth_path=tpath,
        n_samples=sim.n_samples,
        start=sim.start,
        rate_hz=sim.rate_hz,
        placement=placement,
        seed=seed,
    )


def _labels(codes: NDArray[np.int8]) -> NDArray[Any]:
    table = np.array(["unknown"] * 128, dtype=object)
    for act in Activity:
        table[int(act)] = act.label
    labels: NDArray[Any] = table[codes.astype(np.int64) & 127]
    return labels
