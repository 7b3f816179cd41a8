"""Streaming posture alerts: rules evaluated on samples as they arrive.

Feed chunks of any size (one sample at a time included) to :class:`AlertEvaluator`; it returns
the :class:`AlertEvent` s that became certain with that chunk. Because every rule runs through the
same chunk-invariant engine as the batch exposure summary, :func:`evaluate_batch` on a series gives
exactly the events that streaming the same series in any chunking gives.

Rules
-----
:class:`AngleRule`
    A signal (a channel such as ``neck_flexion`` or a derived signal such as
    ``trunk_forward_inclination``) stays above ``above_deg`` (or below ``below_deg``) after the
    median filter for ``duration_s`` of credited time. ``repeat_s`` fires again while it lasts.
:class:`SittingBoutRule`
    An uninterrupted sitting bout reaches ``duration_s`` (a micro-break is due).

:func:`iso_rules` turns an ISO 11226 measure of the knowledge data into its two angle rules (the
middle zone held beyond the maximum holding time; the not-recommended zone sustained);
:func:`default_rules` returns the packaged defaults.

Latency: an event is emitted once the median filter's half window (2.5 s by default) and one
sample after the triggering sample have arrived; :meth:`AlertEvaluator.close` flushes the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from backcare.errors import InputError
from backcare.knowledge.exposure import IsoMeasure, alert_rules, iso11226, thresholds
from backcare.posture._engine import (
    DERIVED_SIGNALS,
    NS_PER_S,
    Block,
    Fired,
    RunDetector,
    Stream,
    Trigger,
    half_window,
    vote,
)
from backcare.posture.conventions import CHANNELS, Activity
from backcare.posture.series import PostureSeries

__all__ = [
    "AlertEvaluator",
    "AlertEvent",
    "AlertRule",
    "AngleRule",
    "SittingBoutRule",
    "default_rules",
    "evaluate_batch",
    "fired_events",
    "iso_rules",
]

RuleKind = Literal["sustained_angle", "iso_holding", "iso_not_recommended", "sitting_bout"]
_BATCH_CHUNK = 1 << 20


@dataclass(frozen=True)
class AngleRule:
    """Fire when ``signal`` stays beyond a limit for ``duration_s``.

    Parameters
    ----------
    id
        Unique rule id (appears in every event).
    signal
        Channel name or derived signal (``trunk_forward_inclination``, ``head_inclination``,
        ``upper_arm_elevation``).
    duration_s
        Credited time the condition must last [s] (> 0).
    above_deg, below_deg
        The condition is ``angle > above_deg`` or ``angle < below_deg`` [deg]; at least one.
    repeat_s
        Fire again every ``repeat_s`` while the condition lasts; ``None`` fires once per run.
    kind
        What the rule stands for (``sustained_angle`` or one of the two ISO 11226 kinds).
    measure
        The ISO 11226 measure id for ISO rules.
    message
        Text for the person.
    """

    id: str
    signal: str
    duration_s: float
    above_deg: float | None = None
    below_deg: float | None = None
    repeat_s: float | None = None
    kind: RuleKind = "sustained_angle"
    measure: str | None = None
    message: str = ""

    def __post_init__(self) -> None:
        where = f"alert rule {self.id!r}"
        if self.above_deg is None and self.below_deg is None:
            raise InputError("needs above_deg or below_deg", where=where)
        if not self.duration_s > 0:
            raise InputError(f"duration_s must be > 0, got {self.duration_s}", where=where)
        if self.repeat_s is not None and not self.repeat_s > 0:
            raise InputError(f"repeat_s must be > 0, got {self.repeat_s}", where=where)
        if self.signal not in CHANNELS and self.signal not in DERIVED_SIGNALS:
            raise InputError(
                f"unknown signal {self.signal!r}; use a channel or one of "
                f"{', '.join(DERIVED_SIGNALS)}",
                where=where,
            )


@dataclass(frozen=True)
class SittingBoutRule:
    """Fire when an uninterrupted bout of ``activities`` reaches ``duration_s``.

    Parameters
    ----------
    id
        Unique rule id.
    duration_s
        Bout length that triggers [s] (> 0).
    repeat_s
        Fire again every ``repeat_s`` while the bout lasts; ``None`` fires once.
    activities
        Activity labels that make up the bout (default sitting).
    message
        Text for the person.
    """

    id: str
    duration_s: float
    repeat_s: float | None = None
    activities: tuple[str, ...] = ("sit",)
    message: str = ""

    def __post_init__(self) -> None:
        where = f"alert rule {self.id!r}"
        if not self.duration_s > 0:
            raise InputError(f"duration_s must be > 0, got {self.duration_s}", where=where)
        if self.repeat_s is not None and not self.repeat_s > 0:
            raise InputError(f"repeat_s must be > 0, got {self.repeat_s}", where=where)
        known = {a.label for a in Activity}
        bad = sorted(set(self.activities) - known)
        if bad or not self.activities:
            raise InputError(f"unknown activity labels {bad}; known: {sorted(known)}", where=where)

    @property
    def kind(self) -> RuleKind:
        return "sitting_bout"


AlertRule = AngleRule | SittingBoutRule


@dataclass(frozen=True)
class AlertEvent:
    """One alert.

    Attributes
    ----------
    rule_id, kind
        The rule that fired and what it stands for.
    time_s
        Series time of the sample at which the condition had lasted long enough [s].
    started_s
        Series time at which the run began [s].
    held_s
        Credited time the condition had lasted at ``time_s`` (including that sample) [s].
    sample_index
        Index of the triggering sample since the stream began.
    repeat
        1 for the first event of a run, 2 for the first repeat...
    signal
        The angle signal (``None`` for activity rules).
    message
        Text for the person.
    """

    rule_id: str
    kind: RuleKind
    time_s: float
    started_s: float
    held_s: float
    sample_index: int
    repeat: int
    signal: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of an alert, the same in every output: ``rule_id``, ``kind``,
        ``time_s`` and ``started_s`` [s, to 0.01 s], ``held_s`` [s, to 0.1 s], ``repeat``,
        ``signal`` and ``message``."""
        return {
            "rule_id": self.rule_id,
            "kind": self.kind,
            "time_s": round(self.time_s, 2),
            "started_s": round(self.started_s, 2),
            "held_s": round(self.held_s, 1),
            "repeat": self.repeat,
            "signal": self.signal,
            "message": self.message,
        }


def iso_rules(measure: IsoMeasure | str, *, message: str = "") -> tuple[AngleRule, ...]:
    """The alert rules of one ISO 11226 measure (see ``knowledge/data/exposure/iso11226.yaml``).

    ``<id>.holding``: in the middle zone or beyond for longer than the maximum holding time;
    ``<id>.not_recommended``: in the not-recommended zone for the sustained minimum.
    """
    doc = iso11226()
    if isinstance(measure, str):
        found = [m for m in doc.measures if m.id == measure]
        if not found:
            known = ", ".join(m.id for m in doc.measures)
            raise InputError(f"unknown ISO 11226 measure; known: {known}", where=measure)
        measure = found[0]
    rules: list[AngleRule] = []
    if measure.not_recommended_above_deg > measure.acceptable_max_deg:
        assert measure.max_holding_time_s is not None  # enforced by the schema
        rules.append(
            AngleRule(
                id=f"iso.{measure.id}.holding",
                signal=measure.signal,
                duration_s=measure.max_holding_time_s,
                above_deg=measure.acceptable_max_deg,
                below_deg=measure.not_recommended_below_deg,
                kind="iso_holding",
                measure=measure.id,
                message=message,
            )
        )
    rules.append(
        AngleRule(
            id=f"iso.{measure.id}.not_recommended",
            signal=measure.signal,
            duration_s=doc.not_recommended_sustained.min_s,
            above_deg=measure.not_recommended_above_deg,
            below_deg=measure.not_recommended_below_deg,
            kind="iso_not_recommended",
            measure=measure.id,
            message=message,
        )
    )
    return tuple(rules)


def default_rules() -> tuple[AlertRule, ...]:
    """The packaged default rules (``knowledge/data/exposure/alerts.yaml``)."""
    out: list[AlertRule] = []
    for spec in alert_rules().rules:
        if spec.kind == "iso11226":
            assert spec.measure is not None
            out.extend(iso_rules(spec.measure, message=spec.message))
        elif spec.kind == "sitting_bout":
            assert spec.duration_s is not None
            out.append(
                SittingBoutRule(
                    id=spec.id,
                    duration_s=spec.duration_s,
                    repeat_s=spec.repeat_s,
                    message=spec.message,
                )
            )
        else:
            assert spec.signal is not None
            assert spec.duration_s is not None
            above = spec.threshold_deg if spec.direction == "above" else None
            below = spec.threshold_deg if spec.direction == "below" else None
            out.append(
                AngleRule(
                    id=spec.id,
                    signal=spec.signal,
                    duration_s=spec.duration_s,
                    above_deg=above,
                    below_deg=below,
                    repeat_s=spec.repeat_s,
                    message=spec.message,
                )
            )
    return tuple(out)


def _ns(seconds: float) -> int:
    return round(seconds * NS_PER_S)


class AlertEvaluator:
    """Evaluate alert rules on a stream of samples.

    Parameters
    ----------
    rules
        The rules (default :func:`default_rules`). Ids must be unique.
    sample_interval_s
        Nominal sample interval [s]: sets the median window in samples, the duration of the last
        sample and the gap rule (a step > 5 x nominal is a gap that breaks runs and is not
        credited).
    filter_s
        Median filter length [s] (default ``thresholds.yaml`` ``median_filter.window_s``).

    Examples
    --------
    >>> ev = AlertEvaluator(sample_interval_s=1 / 25)
    >>> events = ev.feed(time, {"neck_flexion": angles}, activity)  # doctest: +SKIP
    >>> events += ev.close()  # doctest: +SKIP
    """

    def __init__(
        self,
        rules: Sequence[AlertRule] | None = None,
        *,
        sample_interval_s: float,
        filter_s: float | None = None,
    ) -> None:
        self.rules: tuple[AlertRule, ...] = tuple(default_rules() if rules is None else rules)
        ids = [r.id for r in self.rules]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise InputError(f"rule ids must be unique; repeated: {dup}", where="rules")
        if not np.isfinite(sample_interval_s) or sample_interval_s < 0:
            raise InputError(
                f"must be a finite interval >= 0 s, got {sample_interval_s}",
                where="sample_interval_s",
            )
        window = thresholds().median_filter.window_s if filter_s is None else filter_s
        if window < 0:
            raise InputError(f"must be >= 0 s, got {window}", where="filter_s")
        self.sample_interval_s = float(sample_interval_s)
        self.filter_s = float(window)
        h = half_window(window, sample_interval_s)
        signals = tuple(sorted({r.signal for r in self.rules if isinstance(r, AngleRule)}))
        self._stream = Stream(signals, h=h, nominal_s=sample_interval_s)
        self._detectors = [
            RunDetector(trigger=Trigger(_ns(r.duration_s), _ns(r.repeat_s) if r.repeat_s else None))
            for r in self.rules
        ]
        by_label = {a.label: a.value for a in Activity}
        self._codes = [
            np.array([by_label[a] for a in r.activities], dtype=np.int8)
            if isinstance(r, SittingBoutRule)
            else None
            for r in self.rules
        ]

    @classmethod
    def for_series(
        cls,
        series: PostureSeries,
        rules: Sequence[AlertRule] | None = None,
        *,
        filter_s: float | None = None,
    ) -> AlertEvaluator:
        """An evaluator with the nominal interval of ``series``."""
        return cls(rules, sample_interval_s=series.sample_interval_s(), filter_s=filter_s)

    @property
    def latency_samples(self) -> int:
        """Samples that must follow a sample before its events are certain."""
        return max(self._stream.h, 1)

    def feed(
        self,
        time: ArrayLike,
        values: Mapping[str, ArrayLike],
        activity: ArrayLike | None = None,
    ) -> list[AlertEvent]:
        """Add samples (time [s] non-decreasing, channels [deg], activity codes); new events.

        Channels a rule needs but ``values`` lacks count as missing (the rule cannot fire).
        """
        return self._process(self._stream.push(time, values, activity))

    def close(self) -> list[AlertEvent]:
        """End of the stream: evaluate the samples still waiting for context."""
        events = self._process(self._stream.close())
        for det in self._detectors:
            det.finish()
        return events

    def _process(self, block: Block | None) -> list[AlertEvent]:
        if block is None:
            return []
        found: list[tuple[int, int, AlertEvent]] = []
        for order, (rule, det, codes) in enumerate(
            zip(self.rules, self._detectors, self._codes, strict=True)
        ):
            if isinstance(rule, AngleRule):
                m = vote(block.ext[rule.signal], block.h, rule.above_deg, rule.below_deg)
                signal: str | None = rule.signal
            else:
                assert codes is not None
                m = np.isin(block.activity, codes)
                signal = None
            fired = det.process(block, m)
            if fired is None:
                continue
            found.extend(fired_events(fired, rule, order, signal))
        found.sort(key=lambda x: (x[0], x[1]))
        return [e for _, _, e in found]


def fired_events(
    fired: Fired, rule: AlertRule, order: int, signal: str | None
) -> list[tuple[int, int, AlertEvent]]:
    """The events a detector fired in one block, keyed ``(sample index, rule order)`` so events of
    several rules can be sorted into one deterministic sequence."""
    out: list[tuple[int, int, AlertEvent]] = []
    for i in range(fired.index.shape[0]):
        idx = int(fired.index[i])
        out.append(
            (
                idx,
                order,
                AlertEvent(
                    rule_id=rule.id,
                    kind=rule.kind,
                    time_s=float(fired.time_s[i]),
                    started_s=float(fired.started_s[i]),
                    held_s=int(fired.held_ns[i]) / NS_PER_S,
                    sample_index=idx,
                    repeat=int(fired.level[i]),
                    signal=signal,
                    message=rule.message,
                ),
            )
        )
    return out


def _chunks(n: int, size: int) -> Iterable[slice]:
    for i in range(0, n, size):
        yield slice(i, min(n, i + size))


def evaluate_batch(
    series: PostureSeries,
    rules: Sequence[AlertRule] | None = None,
    *,
    filter_s: float | None = None,
) -> list[AlertEvent]:
    """All events of ``rules`` on a whole series (the same as streaming it in any chunking)."""
    ev = AlertEvaluator.for_series(series, rules, filter_s=filter_s)
    needed = {r.signal for r in ev.rules if isinstance(r, AngleRule)}
    channels = [c for c in series.channels if c in CHANNELS]
    events: list[AlertEvent] = []
    for sl in _chunks(len(series), _BATCH_CHUNK):
        values: dict[str, NDArray[np.floating[Any]]] = {c: series[c][sl] for c in channels}
        events += ev.feed(series.time[sl], values if needed else {}, series.activity[sl])
    events += ev.close()
    return events
