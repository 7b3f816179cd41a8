"""Progression and adaptation: what the check-ins and logged sessions say the plan should do.

Everything here is a pure function of the person's history (check-ins and sessions, by local day)
and the rules in ``knowledge/data/care/programme.yaml``:

* :func:`judge_session` applies the pain-monitoring rule to one session: pain during at most 5/10
  and settled by the next check-in is *good*; above 5, or clearly higher the next day, is *bad*;
  without a next-day check-in it is *pending* (unknown is never counted as good).
* :func:`replay_levels` walks the history day by day: two good sessions in a row move the level
  up, a bad session or a flare moves it down. A flare never moves it up.
* :func:`is_flare` compares a day's pain with the median of the days before it.
* :func:`adapt` decides the state of the plan, most urgent first: ``triage`` (a warning sign, or
  "not sure", reported after the latest assessment), ``flare``, ``review`` (worse than at the
  start, or no meaningful improvement after the review period), ``progress`` (moved up in the last
  week) or ``keep``.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from backcare.knowledge.care import AdaptationRules, FlarePlan, PainMonitoring

__all__ = [
    "Adaptation",
    "CheckIn",
    "LevelChange",
    "SessionLog",
    "State",
    "Verdict",
    "WarningAnswer",
    "adapt",
    "flare_days",
    "is_flare",
    "judge_session",
    "replay_levels",
]

WarningAnswer = Literal["no", "yes", "unsure"]
Verdict = Literal["good", "bad", "pending"]
State = Literal["triage", "flare", "review", "progress", "keep"]


@dataclass(frozen=True)
class CheckIn:
    """One daily check-in (``day`` is the person's local date)."""

    day: date
    recorded_at: datetime
    pain: int | None
    limits: int | None = None
    sleep: str | None = None
    did_plan: str | None = None
    warning: WarningAnswer = "no"


@dataclass(frozen=True)
class SessionLog:
    """One exercise session as logged by the player."""

    day: date
    pain_during: int | None
    difficulty: str | None = None
    completed: bool = True


@dataclass(frozen=True)
class LevelChange:
    day: date
    level: int
    reason: str


@dataclass(frozen=True)
class Adaptation:
    """The plan's state, the exercise level and the reasons, in plain words."""

    state: State
    level: int
    reasons: tuple[str, ...]
    changes: tuple[LevelChange, ...] = field(default_factory=tuple)
    good_streak: int = 0


def _pain_on_or_before(checkins: Sequence[CheckIn], day: date) -> int | None:
    best: CheckIn | None = None
    for c in checkins:
        if c.day <= day and c.pain is not None and (best is None or c.day > best.day):
            best = c
    return None if best is None else best.pain


def _pain_on(checkins: Sequence[CheckIn], day: date) -> int | None:
    for c in checkins:
        if c.day == day and c.pain is not None:
            return c.pain
    return None


def judge_session(
    session: SessionLog, checkins: Sequence[CheckIn], rule: PainMonitoring
) -> Verdict:
    """Good, bad or pending under the pain-monitoring rule."""
    if session.pain_during is None:
        return "pending"
    if session.pain_during > rule.max_pain_during:
        return "bad"
    before = _pain_on_or_before(checkins, session.day)
    after = _pain_on(checkins, session.day + timedelta(days=1))
    if after is None or before is None:
        return "pending"
    if after > before + rule.max_rise_next_day:
        return "bad"
    if not session.completed or session.difficulty == "hard":
        return "pending"  # tolerable, but not yet a reason to move up
    return "good"


def is_flare(checkins: Sequence[CheckIn], day: date, flare: FlarePlan) -> bool:
    """Whether ``day``'s pain is a flare: ``rise_points`` above the median of the previous
    ``baseline_days`` and at least ``min_pain``."""
    today = _pain_on(checkins, day)
    if today is None or today < flare.min_pain:
        return False
    start = day - timedelta(days=flare.baseline_days)
    before = [c.pain for c in checkins if start <= c.day < day and c.pain is not None]
    if len(before) < flare.min_baseline_checkins:
        return False
    return today >= statistics.median(before) + flare.rise_points


def flare_days(checkins: Sequence[CheckIn], flare: FlarePlan) -> list[date]:
    """Every check-in day that was a flare, oldest first."""
    return sorted({c.day for c in checkins if is_flare(checkins, c.day, flare)})


def replay_levels(
    start_level: int,
    sessions: Sequence[SessionLog],
    checkins: Sequence[CheckIn],
    rule: PainMonitoring,
    flare: FlarePlan,
) -> tuple[int, int, tuple[LevelChange, ...]]:
    """``(level, good_streak, changes)`` after replaying the history in day order.

    On a day with a flare the level steps down and the streak resets before that day's sessions
    are judged; a flare day's session never moves the level up.
    """
    level = max(1, min(rule.max_level, start_level))
    streak = 0
    changes: list[LevelChange] = []
    flares = set(flare_days(checkins, flare))
    days = sorted({s.day for s in sessions} | flares)
    for day in days:
        if day in flares:
            streak = 0
            if level > 1:
                level -= 1
                changes.append(LevelChange(day, level, "flare"))
        for session in (s for s in sessions if s.day == day):
            verdict = judge_session(session, checkins, rule)
            if verdict == "bad":
                streak = 0
                if level > 1:
                    level -= 1
                    changes.append(LevelChange(day, level, "pain"))
            elif verdict == "good" and day not in flares:
                streak += 1
                if streak >= rule.good_sessions_to_progress:
                    streak = 0
                    if level < rule.max_level:
                        level += 1
                        changes.append(LevelChange(day, level, "progress"))
    return level, streak, tuple(changes)


def _window_mean(checkins: Sequence[CheckIn], first: date, last: date) -> tuple[float, int]:
    values = [c.pain for c in checkins if first <= c.day <= last and c.pain is not None]
    return (statistics.fmean(values) if values else 0.0), len(values)


def adapt(
    *,
    today: date,
    programme_start: date,
    assessed_at: datetime,
    start_level: int,
    checkins: Sequence[CheckIn],
    sessions: Sequence[SessionLog],
    rule: PainMonitoring,
    flare: FlarePlan,
    rules: AdaptationRules,
) -> Adaptation:
    """The plan's state today, most urgent first (see the module docstring)."""
    history = [c for c in checkins if c.day <= today]
    done = [s for s in sessions if s.day <= today]
    level, streak, changes = replay_levels(start_level, done, history, rule, flare)
    new_warnings = [c for c in history if c.warning != "no" and c.recorded_at > assessed_at]
    if new_warnings:
        return Adaptation(
            "triage",
            level,
            ("You reported a possible warning sign in a check-in.",),
            changes,
            streak,
        )
    latest = max((c for c in history if c.pain is not None), key=lambda c: c.day, default=None)
    recent = latest is not None and today - latest.day <= timedelta(days=1)
    if latest is not None and recent and is_flare(history, latest.day, flare):
        return Adaptation(
            "flare",
            1,
            ("Your pain in your last check-in was well above your usual level.",),
            changes,
            0,
        )
    first_mean, first_n = _window_mean(
        history, programme_start, programme_start + timedelta(days=rules.window_days - 1)
    )
    last_mean, last_n = _window_mean(history, today - timedelta(days=rules.window_days - 1), today)
    separate = today - programme_start >= timedelta(days=2 * rules.window_days - 1)
    enough = min(first_n, last_n) >= rules.min_checkins_per_window
    if separate and enough:
        if last_mean >= first_mean + rules.meaningful_points:
            return Adaptation(
                "review",
                level,
                ("Your pain is clearly higher than when you started.",),
                changes,
                streak,
            )
        drop = first_mean - last_mean
        meaningful = drop >= rules.meaningful_points or (
            first_mean > 0 and drop / first_mean >= rules.meaningful_fraction
        )
        settled_low = first_mean < rules.meaningful_points
        days_in = (today - programme_start).days
        if days_in >= rules.review_after_days and not meaningful and not settled_low:
            return Adaptation(
                "review",
                level,
                (f"After {days_in // 7} weeks your pain has not improved meaningfully.",),
                changes,
                streak,
            )
    recent_up = [c for c in changes if c.reason == "progress" and today - c.day < timedelta(days=7)]
    if recent_up and (not changes or changes[-1].reason == "progress"):
        return Adaptation(
            "progress",
            level,
            ("Your last sessions went well, so your exercises move up a step.",),
            changes,
            streak,
        )
    return Adaptation("keep", level, (), changes, streak)
