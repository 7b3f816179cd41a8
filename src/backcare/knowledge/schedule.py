"""Schema of the prevention-schedule defaults (``knowledge/data/schedule/defaults.yaml``).

The schedule turns two prevention lines of the plan into something to do: a micro-break from desk
work every N minutes (``prev.breaks``) and exercise on a number of days a week
(``prev.exercise``). Each rule names the plan line it comes from, the default, the range a person
may choose, and the sources of the default.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator

from backcare.knowledge.schema import Cited, Document

__all__ = ["ScheduleDefaultsDocument", "ScheduleRule"]


class ScheduleRule(Cited):
    """One schedule setting: default value, the allowed whole-number range and why."""

    #: Id of the prevention line (``clinical/prevention.yaml``) this setting puts into practice.
    prevention_line: str = Field(pattern=r"^[a-z][a-z0-9_.]*$")
    default: int
    minimum: int
    maximum: int
    unit: str = Field(min_length=1)
    statement: str = Field(min_length=10)

    @model_validator(mode="after")
    def _in_range(self) -> ScheduleRule:
        if not self.minimum <= self.default <= self.maximum:
            raise ValueError(
                f"default {self.default} lies outside {self.minimum}-{self.maximum} {self.unit}"
            )
        return self


class ScheduleDefaultsDocument(Document):
    """``schedule/defaults.yaml``."""

    KIND: ClassVar[str] = "schedule-defaults"
    #: Minutes of desk work between micro-breaks.
    break_every_min: ScheduleRule
    #: Exercise days per week.
    exercise_days_per_week: ScheduleRule
    #: Minutes a micro-break lasts (shown in the reminder).
    break_length_min: ScheduleRule
