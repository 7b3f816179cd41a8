"""The first screen of a measured result, for the person it is about: one sentence that answers
"how did I do?", three takeaways each with what to change, and, where part of the result could
not be computed, what that means and how to get it next time.

Pure: it reads the summaries an analysis writes (the camera ``summary`` and the exposure
``session`` JSON, as plain mappings) and returns words. No enum name, column name or "NaN" ever
reaches the text; every code goes through :mod:`backcare.report.labels`. Web pages and the
standalone reports use the same functions, so a result reads the same everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from backcare.knowledge.exposure import thresholds
from backcare.report.labels import (
    activity_label,
    angle_label,
    body_part_label,
    level_label,
    level_range_label,
)

__all__ = [
    "Advice",
    "Headline",
    "Takeaway",
    "camera_headline",
    "disc_dose_standing_hours",
    "duration_words",
    "result_headline",
    "wearable_headline",
]

#: Below this share of computed angles or scored frames a photo or clip is not called complete.
COMPLETE_FRACTION = 0.5


@dataclass(frozen=True)
class Takeaway:
    """One finding in plain words and what to change (``action``)."""

    text: str
    action: str


@dataclass(frozen=True)
class Advice:
    """Something that could not be computed: what it means and how to get it next time."""

    problem: str
    fix: str


@dataclass(frozen=True)
class Headline:
    """The first screen of a result."""

    sentence: str
    takeaways: tuple[Takeaway, ...]
    missing: tuple[Advice, ...] = field(default_factory=tuple)
    #: ``False`` when most of the result could not be computed (the page must not say "done").
    complete: bool = True


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def duration_words(seconds: float | None) -> str:
    """``9.5 hours``, ``2 h 10 min``, ``25 min``, ``40 s`` (``an unknown time`` when missing)."""
    s = _num(seconds)
    if s is None or s < 0:
        return "an unknown time"
    if s < 90:
        return f"{round(s)} s"
    minutes = round(s / 60.0)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if rest == 0:
        return f"{hours} h"
    return f"{hours} h {rest} min"


def _hours_words(seconds: float) -> str:
    hours = seconds / 3600.0
    if hours < 1:
        return duration_words(seconds)
    text = f"{hours:.1f}".removesuffix(".0")
    return "1 hour" if text == "1" else f"{text} hours"


def disc_dose_standing_hours(dose_mpa_h_per_day: Any) -> float | None:
    """The daily disc-load dose as hours of relaxed standing at the knowledge data's standing
    reference pressure (Wilke 1999), or ``None`` when there is no dose."""
    dose = _num(dose_mpa_h_per_day)
    if dose is None or dose < 0:
        return None
    return dose / thresholds().disc.standing_mpa


def _band(mapping: Any, threshold: float) -> float | None:
    if not isinstance(mapping, Mapping):
        return None
    for key, value in mapping.items():
        try:
            if float(key) == threshold:
                return _num(value)
        except (TypeError, ValueError):
            continue
    return None


def _day_words(day: date | None, days: Any) -> str:
    n = _num(days)
    if day is not None and (n is None or n <= 1):
        return f"On {day.strftime('%A')}"
    if n is not None and n > 1:
        return f"Over {int(n)} days"
    return "In this recording"


def _top_activities(activities: Any) -> str:
    """``standing (64 %) and walking (36 %)``: the two largest shares of the recording."""
    if not isinstance(activities, list):
        return ""
    rows = []
    for row in activities:
        if isinstance(row, Mapping) and (pct := _num(row.get("pct"))) is not None and pct >= 5:
            rows.append((pct, activity_label(row.get("activity"))))
    rows.sort(reverse=True)
    return " and ".join(f"{name} ({pct:.0f} %)" for pct, name in rows[:2])


_SIT_ACTION = (
    "Break up sitting: stand up or walk for a few minutes at least every half hour "
    "(a timer or a glass of water helps)."
)


def wearable_headline(
    session: Mapping[str, Any], *, day: date | None = None, trunk_sensor: bool | None = None
) -> Headline:
    """The headline of a worn-sensor recording from its exposure ``session`` summary.

    ``day`` names the recording's day when it covers one day; ``trunk_sensor`` says whether a
    trunk sensor was worn (guessed from the summary when ``None``).
    """
    cfg = thresholds()
    measured = _num(session.get("measured_time_s")) or 0.0
    sit = _num(session.get("sit_time_s"))
    long_bouts = _num(session.get("long_sedentary_bouts"))
    long_time = _num(session.get("long_sedentary_time_s"))
    breaks = _num(session.get("sedentary_breaks"))
    trunk_time = _num(session.get("trunk_time_s")) or 0.0
    ge20 = _band(session.get("trunk_fwd_time_s"), 20.0)
    ge60 = _band(session.get("trunk_fwd_time_s"), 60.0)
    longest_bend = _num(session.get("trunk_fwd_longest_s"))
    if trunk_sensor is None:
        trunk_sensor = trunk_time > 0
    when = _day_words(day, session.get("days"))
    missing: list[Advice] = []
    takeaways: list[Takeaway] = []

    if measured <= 0:
        return Headline(
            sentence="The sensor recorded no time we could measure, so there is nothing to show.",
            takeaways=(),
            missing=(
                Advice(
                    "The recording holds no worn time: the sensor may have been off the body or "
                    "the file may have been cut short.",
                    "Wear the sensor on the front of the thigh with tape or a pouch for a whole "
                    "working day, then upload the file again.",
                ),
            ),
            complete=False,
        )

    long_min = round(cfg.sedentary.long_bout_s / 60.0)
    top = _top_activities(session.get("activities"))
    if sit is not None and sit < 0.05 * measured:
        sentence = f"{when} you were measured for {_hours_words(measured)} and hardly sat"
        sentence += f": you were mostly {top}." if top else "."
        takeaways.append(
            Takeaway(
                "You kept on your feet the whole time.",
                "Standing still for long tires the back too: shift your weight, walk a few "
                "steps, or sit for a while now and then.",
            )
        )
    elif sit is not None:
        share = 100.0 * sit / measured
        sentence = f"{when} you sat for {_hours_words(sit)} of {_hours_words(measured)} measured"
        if long_bouts and long_time:
            sentence += (
                f", {int(long_bouts)} of those spells lasting over {long_min} min without a "
                f"break ({duration_words(long_time)} in all)"
            )
        sentence += "."
        if share >= 50:
            takeaways.append(
                Takeaway(f"Sitting took {share:.0f} % of your measured time.", _SIT_ACTION)
            )
        elif long_bouts:
            takeaways.append(
                Takeaway(
                    f"{int(long_bouts)} sitting spells lasted longer than {long_min} min.",
                    _SIT_ACTION,
                )
            )
        else:
            takeaways.append(
                Takeaway(
                    f"Sitting took {share:.0f} % of your measured time, with no spell longer "
                    f"than {long_min} min.",
                    "Keep changing position as you did: variety is what helps a back most.",
                )
            )
        if breaks is not None:
            takeaways.append(
                Takeaway(
                    f"You broke up sitting {int(breaks)} times by standing or moving.",
                    "Aim for a short break every half hour; standing to take calls or walking "
                    "to a colleague all count.",
                )
            )
    else:
        sentence = f"{when} you were measured for {_hours_words(measured)}."

    if trunk_sensor and ge20 is not None:
        bend = (
            f"Your trunk was bent forward 20° or more for {duration_words(ge20)}"
            + (f", 60° or more for {duration_words(ge60)}" if ge60 else "")
            + (
                f"; the longest deep bend lasted {duration_words(longest_bend)}"
                if longest_bend
                else ""
            )
            + "."
        )
        if ge60 and ge60 >= 60:
            action = (
                "Bring low work up to waist height, or kneel or squat for it, so that you bend "
                "less often and less far."
            )
        else:
            action = "Deep forward bends were rare; keep low work within easy reach."
        takeaways.insert(0, Takeaway(bend, action))
    elif not trunk_sensor:
        missing.append(
            Advice(
                "How far you bent forward was not measured: only a thigh sensor was worn.",
                "Also wear a sensor on the back, between the shoulder blades, to see your "
                "bending and your disc load.",
            )
        )

    iso = session.get("iso")
    if isinstance(iso, Mapping):
        for part, entry in iso.items():
            if not isinstance(entry, Mapping) or entry.get("verdict") != "not_recommended":
                continue
            spent = _num(entry.get("not_recommended_time_s"))
            takeaways.append(
                Takeaway(
                    f"Your {body_part_label(part)} spent {duration_words(spent)} in a static "
                    "posture that ISO 11226 does not recommend.",
                    "Change position before a posture becomes a hold: a few seconds of moving "
                    "resets the clock.",
                )
            )
    dose_hours = disc_dose_standing_hours(session.get("disc_dose_mpa_h_per_day"))
    if trunk_sensor and dose_hours and len(takeaways) < 3:
        takeaways.append(
            Takeaway(
                f"Your lower discs carried a daily load like {dose_hours:.1f} hours of relaxed "
                "standing.",
                "Discs like varied loading; lying down or walking for a while unloads them.",
            )
        )
    if not takeaways:
        takeaways.append(
            Takeaway(
                "Nothing in this recording stands out against the limits we check.",
                "Keep moving as you do; record a whole working day to see more.",
            )
        )
    return Headline(sentence, tuple(takeaways[:3]), tuple(missing), complete=True)


def _angle_value(entry: Any, image: bool) -> float | None:
    if not isinstance(entry, Mapping):
        return None
    return _num(entry.get("value" if image else "median"))


_RETAKE = (
    "Retake the photo or video from the side, 2-3 m away, with your whole body from head to "
    "feet in view and good light."
)


def _score_parts(entry: Mapping[str, Any]) -> tuple[str, str, bool]:
    """``("6", "medium risk", False)``, or the range when parts the score needs were not seen.

    A score with unseen parts (twist, side bend, the wrists from the side) is a range from the
    lowest to the highest possible; its lowest end alone would read as the whole score.
    """
    low = _num(entry.get("max")) or 0.0
    high = _num(entry.get("score_max"))
    ranged = high is not None and high > low
    score = f"{low:.0f} to {high:.0f}" if ranged else f"{low:.0f}"
    top = entry.get("level_max") if ranged else None
    return score, level_range_label(entry.get("peak_level"), top), ranged


def _score_words(entry: Mapping[str, Any]) -> str:
    score, levels, ranged = _score_parts(entry)
    if not ranged:
        return f"{levels} (score {score})"
    unseen = "some parts it needs, such as a twist or the wrists, could not be seen"
    return f"{levels} (score {score}: {unseen})"


def camera_headline(summary: Mapping[str, Any]) -> Headline:
    """The headline of a photo or video from the camera analysis ``summary``."""
    image = summary.get("input") == "image"
    angles = summary.get("angles") if isinstance(summary.get("angles"), Mapping) else {}
    assert isinstance(angles, Mapping)
    values = {name: _angle_value(entry, image) for name, entry in angles.items()}
    known = [name for name, v in values.items() if v is not None]
    missing: list[Advice] = []
    takeaways: list[Takeaway] = []
    trunk = values.get("trunk_flexion")
    neck = values.get("neck_flexion")
    what = "this photo" if image else "this video"
    if trunk is None and values:
        missing.append(
            Advice(
                "Trunk and neck angles could not be measured: the hips were not clearly in view.",
                _RETAKE,
            )
        )
    scored: list[tuple[str, Mapping[str, Any]]] = []
    for method in ("reba", "rula"):
        entry = summary.get(method)
        if isinstance(entry, Mapping):
            fraction = _num(entry.get("scored_fraction")) or 0.0
            if fraction >= COMPLETE_FRACTION and _num(entry.get("max")) is not None:
                scored.append((method, entry))
    if not scored:
        missing.append(
            Advice(
                "The REBA and RULA posture scores could not be computed: they need the trunk, "
                "arms and legs in view.",
                _RETAKE,
            )
        )
    angle_share = len(known) / len(values) if values else 0.0
    complete = bool(scored) and angle_share >= COMPLETE_FRACTION
    if trunk is not None:
        verb = "is" if image else "was"
        when = "" if image else " at the median"
        sentence = f"In {what} your trunk {verb} bent forward {trunk:.0f}°{when}"
        if neck is not None:
            sentence += f" and your neck {neck:.0f}°"
        if scored:
            method, entry = scored[0]
            sentence += (
                f"; {method.upper()} rates the {'posture' if image else 'worst moment'} "
                + _score_words(entry)
            )
        sentence += "."
    elif known:
        sentence = (
            f"Only part of your posture could be measured in {what}: "
            + ", ".join(angle_label(n) for n in known[:3])
            + "."
        )
    else:
        sentence = f"Your posture could not be measured in {what}."
    if trunk is not None:
        if trunk >= 60:
            takeaways.append(
                Takeaway(
                    f"A forward bend of {trunk:.0f}° loads the lower back heavily.",
                    "Bring the work closer and higher, or bend the knees to get down to it.",
                )
            )
        elif trunk >= 20:
            takeaways.append(
                Takeaway(
                    f"A forward bend of {trunk:.0f}° is fine now and then, but tiring when held.",
                    "Raise the work surface or screen so you can stay closer to upright.",
                )
            )
        else:
            takeaways.append(
                Takeaway(
                    f"Your trunk is close to upright ({trunk:.0f}°).",
                    "Keep it that way, and still change position often.",
                )
            )
    if neck is not None and neck >= 20:
        takeaways.append(
            Takeaway(
                f"Your neck is bent forward {neck:.0f}°.",
                "Raise the screen or what you look at so your eyes meet its top third.",
            )
        )
    for method, entry in scored:
        levels = entry.get("time_in_levels")
        if image or not isinstance(levels, Mapping):
            score, risk, _ = _score_parts(entry)
            takeaways.append(
                Takeaway(
                    f"{method.upper()} score {score}: {risk}.",
                    "Scores of medium risk and above call for changes to the task or workplace.",
                )
            )
        else:
            worst = max(
                (
                    (str(k), _num(v.get("fraction")) or 0.0)
                    for k, v in levels.items()
                    if isinstance(v, Mapping)
                ),
                key=lambda kv: kv[1],
                default=None,
            )
            if worst is not None:
                takeaways.append(
                    Takeaway(
                        f"{method.upper()}: {100 * worst[1]:.0f} % of the time at "
                        f"{level_label(worst[0])}.",
                        "Scores of medium risk and above call for changes to the task or "
                        "workplace.",
                    )
                )
    if not takeaways:
        takeaways.append(
            Takeaway("There is too little to judge your posture from.", _RETAKE),
        )
    return Headline(sentence, tuple(takeaways[:3]), tuple(missing), complete=complete)


def result_headline(
    kind: str,
    *,
    summary: Mapping[str, Any] | None = None,
    session: Mapping[str, Any] | None = None,
    day: date | None = None,
    sensors: Sequence[str] = (),
) -> Headline:
    """The headline of a finished analysis: ``kind`` is ``wearable`` or ``camera``."""
    if kind == "camera" and summary:
        return camera_headline(summary)
    if session:
        trunk = any(s.startswith("trunk") for s in sensors) if sensors else None
        return wearable_headline(session, day=day, trunk_sensor=trunk)
    return Headline(
        sentence="This analysis finished, but it left no summary to read.",
        takeaways=(),
        missing=(
            Advice(
                "The files were read, but nothing in them could be measured.",
                "Check that the file is a whole recording (or a photo with one person in "
                "view) and upload it again.",
            ),
        ),
        complete=False,
    )
