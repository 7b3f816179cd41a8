"""Form parsing and the pure logic behind the profile, diary and schedule pages.

Every parser takes the raw strings of a submitted form and returns typed values, or raises
:class:`~backcare.errors.InputError` whose ``where`` is the form field, so the page shows the
message next to that field. Ranges come from knowledge data:

* profile: age 16-120 years (``clinical/triage.yaml``, ``profile.age``: backcare's guidance is
  for adults), body mass and height within the load model's input ranges
  (``biomechanics/l5s1_model.yaml``, ``inputs``), because the load models read them;
* schedule: the defaults and ranges of ``schedule/defaults.yaml``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from backcare.clinical.answers import triage_knowledge
from backcare.clinical.plan import Plan
from backcare.errors import InputError
from backcare.knowledge import load, source
from backcare.knowledge.biomechanics import L5S1ModelDocument
from backcare.knowledge.clinical import PreventionDocument, PreventionItem
from backcare.knowledge.schedule import ScheduleDefaultsDocument, ScheduleRule

__all__ = [
    "SEXES",
    "DiaryForm",
    "ProfileForm",
    "ProfileLimits",
    "ScheduleForm",
    "ScheduleProposal",
    "WeekAdherence",
    "next_break_due",
    "parse_diary",
    "parse_profile",
    "parse_schedule",
    "profile_limits",
    "schedule_defaults",
    "schedule_proposal",
    "week_start",
    "weekly_adherence",
]

#: Profile sex values: the columns of the body-segment tables the load models use.
SEXES = ("female", "male")
NOTES_MAX_CHARS = 4000


def _number(raw: str | None, field: str, *, integer: bool = False) -> float | None:
    text = (raw or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InputError("enter a number", where=field) from None
    if not math.isfinite(value):
        raise InputError("enter a finite number", where=field)
    if integer and not value.is_integer():
        raise InputError("enter a whole number", where=field)
    return value


def _in_range(value: float, lo: float, hi: float, unit: str, field: str) -> None:
    if not lo <= value <= hi:
        raise InputError(f"must be between {lo:g} and {hi:g} {unit}", where=field)


# -- profile ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileLimits:
    """Accepted ranges of the profile fields (inclusive)."""

    birth_year_min: int
    birth_year_max: int
    height_cm_min: float
    height_cm_max: float
    mass_kg_min: float
    mass_kg_max: float


@dataclass(frozen=True)
class ProfileForm:
    birth_year: int | None
    sex: str | None
    height_cm: float | None
    mass_kg: float | None


def profile_limits(today: date) -> ProfileLimits:
    """The profile ranges for a form filled in on ``today``."""
    age = next(item for item in triage_knowledge().answers if item.id == "profile.age")
    inputs = load("biomechanics/l5s1_model.yaml", L5S1ModelDocument).inputs
    age_min = int(age.minimum if age.minimum is not None else 0)
    age_max = int(age.maximum if age.maximum is not None else 120)
    return ProfileLimits(
        birth_year_min=today.year - age_max,
        birth_year_max=today.year - age_min,
        height_cm_min=round(inputs.height_m.low * 100, 1),
        height_cm_max=round(inputs.height_m.high * 100, 1),
        mass_kg_min=inputs.body_mass_kg.low,
        mass_kg_max=inputs.body_mass_kg.high,
    )


def parse_profile(form: Mapping[str, str], *, today: date) -> ProfileForm:
    """Birth year, sex, height [cm] and body mass [kg]; each may be left empty."""
    lim = profile_limits(today)
    year = _number(form.get("birth_year"), "birth_year", integer=True)
    if year is not None:
        _in_range(year, lim.birth_year_min, lim.birth_year_max, "", "birth_year")
    sex = (form.get("sex") or "").strip() or None
    if sex is not None and sex not in SEXES:
        raise InputError("choose female, male or leave it empty", where="sex")
    height = _number(form.get("height_cm"), "height_cm")
    if height is not None:
        _in_range(height, lim.height_cm_min, lim.height_cm_max, "cm", "height_cm")
    mass = _number(form.get("mass_kg"), "mass_kg")
    if mass is not None:
        _in_range(mass, lim.mass_kg_min, lim.mass_kg_max, "kg", "mass_kg")
    return ProfileForm(
        birth_year=int(year) if year is not None else None,
        sex=sex,
        height_cm=height,
        mass_kg=mass,
    )


# -- diary -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiaryForm:
    day: date
    pain_nrs: int | None
    notes: str | None
    exercise_done: bool
    exercise_minutes: int | None
    breaks_taken: int


def parse_day(raw: str | None, *, today: date, field: str = "day") -> date:
    """An ISO date that is not in the future (a diary records what happened)."""
    text = (raw or "").strip()
    if not text:
        return today
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError("enter a date as YYYY-MM-DD", where=field) from None
    if day > today:
        raise InputError("a diary day cannot be in the future", where=field)
    if day.year < 1900:
        raise InputError("enter a date after 1900", where=field)
    return day


def parse_diary(form: Mapping[str, str], *, today: date) -> DiaryForm:
    """One diary day: pain 0-10 (NRS), notes, exercise done (and minutes), breaks taken."""
    day = parse_day(form.get("day"), today=today)
    pain = _number(form.get("pain_nrs"), "pain_nrs", integer=True)
    if pain is not None:
        _in_range(pain, 0, 10, "(0 = no pain, 10 = worst imaginable)", "pain_nrs")
    notes = (form.get("notes") or "").strip() or None
    if notes is not None and len(notes) > NOTES_MAX_CHARS:
        raise InputError(f"notes are limited to {NOTES_MAX_CHARS} characters", where="notes")
    exercise = (form.get("exercise_done") or "").strip().lower() in ("1", "on", "yes", "true")
    minutes = _number(form.get("exercise_minutes"), "exercise_minutes", integer=True)
    if minutes is not None:
        _in_range(minutes, 0, 1440, "minutes", "exercise_minutes")
        if minutes > 0:
            exercise = True
    breaks = _number(form.get("breaks_taken"), "breaks_taken", integer=True)
    if breaks is not None:
        _in_range(breaks, 0, 1000, "breaks", "breaks_taken")
    return DiaryForm(
        day=day,
        pain_nrs=int(pain) if pain is not None else None,
        notes=notes,
        exercise_done=exercise,
        exercise_minutes=int(minutes) if minutes is not None else None,
        breaks_taken=int(breaks) if breaks is not None else 0,
    )


# -- schedule --------------------------------------------------------------------------------------


def schedule_defaults() -> ScheduleDefaultsDocument:
    """The schedule defaults knowledge file."""
    doc: ScheduleDefaultsDocument = load("schedule/defaults.yaml", ScheduleDefaultsDocument)
    return doc


@dataclass(frozen=True)
class Reference:
    id: str
    citation: str
    link: str


@dataclass(frozen=True)
class ScheduleProposal:
    """The schedule backcare proposes from the latest plan, with the lines it puts into practice.

    ``exercise_held_back``/``breaks_held_back`` give the reason when the plan holds the line back
    (warning signs to be seen by a clinician, or an emergency).
    """

    break_every_min: int
    break_length_min: int
    exercise_days_per_week: int
    lines: tuple[PreventionItem, ...]
    rules: tuple[ScheduleRule, ...]
    references: tuple[Reference, ...]
    exercise_held_back: str | None = None
    breaks_held_back: str | None = None


def _reference(source_id: str) -> Reference:
    src = source(source_id)
    link = f"https://doi.org/{src.doi}" if src.doi else str(src.url)
    return Reference(src.id, src.citation, link)


def schedule_proposal(plan: Plan | None) -> ScheduleProposal:
    """Defaults for the schedule from ``plan`` (the latest assessment's), or from the prevention
    knowledge when there is no assessment yet."""
    doc = schedule_defaults()
    prevention = {i.id: i for i in load("clinical/prevention.yaml", PreventionDocument).items}
    rules = (doc.break_every_min, doc.break_length_min, doc.exercise_days_per_week)
    held: dict[str, str] = {}
    if plan is not None:
        if plan.status == "emergency":
            reason = (
                "Your latest assessment found an emergency sign: get help first. backcare gives "
                "no other advice until then."
            )
            held = {line: reason for line in prevention}
        else:
            held = {h.id: h.reason for h in plan.held_back}
    exercise_reason = held.get(doc.exercise_days_per_week.prevention_line)
    breaks_reason = held.get(doc.break_every_min.prevention_line)
    line_ids = dict.fromkeys(r.prevention_line for r in rules)
    lines = tuple(prevention[i] for i in line_ids if i in prevention)
    cited = dict.fromkeys(
        [s for line in lines for s in line.sources] + [s for r in rules for s in r.sources]
    )
    return ScheduleProposal(
        break_every_min=doc.break_every_min.default,
        break_length_min=doc.break_length_min.default,
        exercise_days_per_week=0 if exercise_reason else doc.exercise_days_per_week.default,
        lines=lines,
        rules=rules,
        references=tuple(_reference(s) for s in cited),
        exercise_held_back=exercise_reason,
        breaks_held_back=breaks_reason,
    )


@dataclass(frozen=True)
class ScheduleForm:
    break_every_min: int
    exercise_days_per_week: int
    reminders: bool


def parse_schedule(form: Mapping[str, str]) -> ScheduleForm:
    """Break interval [min] and exercise days a week within the knowledge ranges."""
    doc = schedule_defaults()
    out: dict[str, int] = {}
    for name, rule in (
        ("break_every_min", doc.break_every_min),
        ("exercise_days_per_week", doc.exercise_days_per_week),
    ):
        value = _number(form.get(name), name, integer=True)
        if value is None:
            raise InputError("enter a whole number", where=name)
        _in_range(value, rule.minimum, rule.maximum, rule.unit, name)
        out[name] = int(value)
    reminders = (form.get("reminders") or "").strip().lower() in ("1", "on", "yes", "true")
    return ScheduleForm(out["break_every_min"], out["exercise_days_per_week"], reminders)


def next_break_due(last_break: datetime | None, opened_at: datetime, every_min: int) -> datetime:
    """When the next micro-break is due: ``every_min`` after the last break if that was less than
    ``every_min`` before the page was opened, else ``every_min`` after the opening (time away
    from the desk is not desk time)."""
    interval = timedelta(minutes=every_min)
    recent = last_break is not None and opened_at - last_break < interval
    start = last_break if recent and last_break is not None else opened_at
    return start + interval


def week_start(day: date) -> date:
    """Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class WeekAdherence:
    """One week (Monday to Sunday) of the schedule.

    ``exercise_days`` counts distinct days with exercise recorded (schedule or diary);
    ``exercise_pct`` is that against the target, capped at 100 (``None`` when the target is 0).
    ``breaks_done`` counts breaks marked done on the schedule and, for days without any, the
    diary's "breaks taken"; ``breaks_due`` counts breaks that fell due while the schedule page was
    open plus those marked done without a reminder; ``breaks_pct`` is done of due (``None``
    when none fell due).
    """

    week: date
    exercise_days: int
    exercise_target: int
    exercise_pct: float | None
    breaks_done: int
    breaks_due: int
    breaks_pct: float | None


class EventLike(Protocol):
    """A schedule event as the repository returns it."""

    @property
    def kind(self) -> str: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def done_at(self) -> datetime | None: ...


class DiaryLike(Protocol):
    """A diary entry as the repository returns it."""

    @property
    def day(self) -> date: ...
    @property
    def exercise_done(self) -> bool: ...
    @property
    def breaks_taken(self) -> int: ...


def weekly_adherence(
    events: Iterable[EventLike],
    diary: Iterable[DiaryLike],
    *,
    exercise_target: int,
    weeks: Sequence[date],
) -> list[WeekAdherence]:
    """Adherence per week for the Mondays in ``weeks`` (dates of events in UTC)."""
    event_list = list(events)
    diary_list = list(diary)
    out: list[WeekAdherence] = []
    for monday in weeks:
        sunday = monday + timedelta(days=6)

        def in_week(d: date, monday: date = monday, sunday: date = sunday) -> bool:
            return monday <= d <= sunday

        exercise_days = {
            e.done_at.date()
            for e in event_list
            if e.kind == "exercise" and e.done_at is not None and in_week(e.done_at.date())
        }
        exercise_days |= {d.day for d in diary_list if d.exercise_done and in_week(d.day)}
        breaks = [e for e in event_list if e.kind == "break" and in_week(e.due_at.date())]
        done = [e for e in breaks if e.done_at is not None]
        done_days = {e.done_at.date() for e in done if e.done_at is not None}
        diary_breaks = sum(
            d.breaks_taken for d in diary_list if in_week(d.day) and d.day not in done_days
        )
        breaks_done = len(done) + diary_breaks
        breaks_due = len(breaks) + diary_breaks
        out.append(
            WeekAdherence(
                week=monday,
                exercise_days=len(exercise_days),
                exercise_target=exercise_target,
                exercise_pct=(
                    min(100.0, 100.0 * len(exercise_days) / exercise_target)
                    if exercise_target > 0
                    else None
                ),
                breaks_done=breaks_done,
                breaks_due=breaks_due,
                breaks_pct=100.0 * breaks_done / breaks_due if breaks_due else None,
            )
        )
    return out
