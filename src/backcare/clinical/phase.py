"""Phase of the current pain episode (acute / subacute / chronic) from its duration.

Defaults come from ``knowledge/data/clinical/phase.yaml``: acute below 6 weeks, chronic above 12
weeks, subacute in between with both ends included (so exactly 6 and exactly 12 weeks are
subacute). Pass :class:`PhaseCutoffs` to use other conventions, e.g. ACP 2017's 4 and 12 weeks.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from backcare.errors import InputError
from backcare.knowledge import load
from backcare.knowledge.clinical import PhaseDocument

__all__ = ["PhaseCutoffs", "PhaseResult", "default_cutoffs", "make_cutoffs", "phase"]

PhaseName = Literal["acute", "subacute", "chronic", "unknown"]


class PhaseCutoffs(BaseModel):
    """Duration cut-offs [weeks]: acute if ``d < acute_below_weeks``, chronic if
    ``d > chronic_above_weeks``, subacute otherwise."""

    model_config = ConfigDict(frozen=True)

    acute_below_weeks: float = Field(gt=0)
    chronic_above_weeks: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> PhaseCutoffs:
        if not (
            math.isfinite(self.acute_below_weeks)
            and math.isfinite(self.chronic_above_weeks)
            and self.acute_below_weeks < self.chronic_above_weeks
        ):
            raise ValueError("need finite cut-offs with acute_below_weeks < chronic_above_weeks")
        return self


def _doc() -> PhaseDocument:
    doc: PhaseDocument = load("clinical/phase.yaml", PhaseDocument)
    return doc


def default_cutoffs() -> PhaseCutoffs:
    """The cut-offs from the knowledge file (6 and 12 weeks)."""
    spec = _doc().cutoffs
    return PhaseCutoffs(
        acute_below_weeks=spec.acute_below_weeks, chronic_above_weeks=spec.chronic_above_weeks
    )


def make_cutoffs(acute_below_weeks: float, chronic_above_weeks: float) -> PhaseCutoffs:
    """Custom cut-offs [weeks] from user input; bad values raise :class:`InputError`."""
    try:
        return PhaseCutoffs(
            acute_below_weeks=acute_below_weeks, chronic_above_weeks=chronic_above_weeks
        )
    except ValidationError as exc:
        raise InputError(
            "phase cut-offs must be finite, positive and acute_below_weeks < chronic_above_weeks"
            f" (got {acute_below_weeks!r}, {chronic_above_weeks!r})",
            where="cutoffs",
        ) from exc


class PhaseResult(BaseModel):
    """The phase of the episode. JSON-serialisable."""

    model_config = ConfigDict(frozen=True)

    phase: PhaseName
    #: Episode duration [weeks], ``None`` when unknown.
    duration_weeks: float | None
    recurrent: bool | None
    episode: Literal["first", "recurrent", "unknown"]
    cutoffs: PhaseCutoffs
    label: str
    description: str
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...]


def phase(
    duration_weeks: float | None,
    recurrent: bool | None = None,
    cutoffs: PhaseCutoffs | None = None,
) -> PhaseResult:
    """Classify the episode.

    Parameters
    ----------
    duration_weeks
        Time since this episode started [weeks], ``>= 0``; ``None`` if unknown (phase
        ``"unknown"``; the plan then keeps only advice that holds in every phase).
    recurrent
        True if the person has had similar episodes before (a recurrent episode); ``None`` if
        unknown.
    cutoffs
        Custom cut-offs; default :func:`default_cutoffs`.

    Raises
    ------
    InputError
        For a negative, non-finite or non-numeric duration, or a non-boolean ``recurrent``.
    """
    if duration_weeks is not None and (
        isinstance(duration_weeks, bool) or not isinstance(duration_weeks, int | float)
    ):
        raise InputError(
            f"expected a number of weeks, got {duration_weeks!r}", where="pain.duration_weeks"
        )
    if duration_weeks is not None and (not math.isfinite(duration_weeks) or duration_weeks < 0):
        raise InputError(
            f"must be a finite number of weeks >= 0, got {duration_weeks!r}",
            where="pain.duration_weeks",
        )
    if recurrent is not None and not isinstance(recurrent, bool):
        raise InputError(f"expected true, false or null, got {recurrent!r}", where="pain.recurrent")
    cut = cutoffs if cutoffs is not None else default_cutoffs()
    doc = _doc()
    notes: list[str] = []
    sources: list[str] = []
    name: PhaseName
    if duration_weeks is None:
        name = "unknown"
        label = "Phase unknown"
        description = (
            "How long this episode has lasted was not given, so only advice that holds in every "
            "phase is shown."
        )
        sources.extend(doc.cutoffs.sources)
    else:
        d = float(duration_weeks)
        if d < cut.acute_below_weeks:
            name = "acute"
        elif d > cut.chronic_above_weeks:
            name = "chronic"
        else:
            name = "subacute"
        info = next(p for p in doc.phases if p.id == name)
        label, description = info.label, info.description
        sources.extend(info.sources)
    if recurrent:
        notes.append(doc.recurrent_note.text)
        sources.extend(doc.recurrent_note.sources)
    episode: Literal["first", "recurrent", "unknown"] = (
        "unknown" if recurrent is None else ("recurrent" if recurrent else "first")
    )
    return PhaseResult(
        phase=name,
        duration_weeks=None if duration_weeks is None else float(duration_weeks),
        recurrent=recurrent,
        episode=episode,
        cutoffs=cut,
        label=label,
        description=description,
        notes=tuple(notes),
        sources=tuple(dict.fromkeys(sources)),
    )
