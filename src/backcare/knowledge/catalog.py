"""Which schema validates which ``kind`` of knowledge file.

Every file under ``knowledge/data`` declares a ``kind``; this table maps it to its pydantic model.
A test loads every file through this table, so a file nobody can read, a dangling source id or an
unsourced recommendation fails the suite. Register a new kind here when adding a schema.
"""

from __future__ import annotations

import yaml

from backcare.errors import KnowledgeError
from backcare.knowledge.batch import CohortRulesDocument
from backcare.knowledge.biomechanics import (
    AnthropometryDocument,
    DiscPressureDocument,
    L5S1ModelDocument,
    NioshDocument,
)
from backcare.knowledge.camera import CameraPoseDocument
from backcare.knowledge.care import (
    ExercisesDocument,
    LessonDocument,
    PosesDocument,
    ProgrammeDocument,
)
from backcare.knowledge.clinical import (
    ClaimsDocument,
    PhaseDocument,
    PractitionerDocument,
    PreventionDocument,
    RecommendationsDocument,
    TriageDocument,
    UrgencyDocument,
)
from backcare.knowledge.ergonomics import RebaTables, RulaTables, SeriesRules
from backcare.knowledge.exposure import AlertsDocument, IsoDocument, ThresholdsDocument
from backcare.knowledge.instruments import InstrumentDocument
from backcare.knowledge.loader import data_files, load, load_text
from backcare.knowledge.schedule import ScheduleDefaultsDocument
from backcare.knowledge.schema import Document, SourcesDocument
from backcare.knowledge.wearable import (
    ActivityDocument,
    PlacementsDocument,
    PreprocessingDocument,
)
from backcare.knowledge.wearable_formats import ReaderRules

__all__ = ["KINDS", "load_all"]

KINDS: dict[str, type[Document]] = {
    SourcesDocument.KIND: SourcesDocument,
    CohortRulesDocument.KIND: CohortRulesDocument,
    PreprocessingDocument.KIND: PreprocessingDocument,
    ActivityDocument.KIND: ActivityDocument,
    PlacementsDocument.KIND: PlacementsDocument,
    ReaderRules.KIND: ReaderRules,
    CameraPoseDocument.KIND: CameraPoseDocument,
    RebaTables.KIND: RebaTables,
    RulaTables.KIND: RulaTables,
    SeriesRules.KIND: SeriesRules,
    InstrumentDocument.KIND: InstrumentDocument,
    ThresholdsDocument.KIND: ThresholdsDocument,
    IsoDocument.KIND: IsoDocument,
    AlertsDocument.KIND: AlertsDocument,
    DiscPressureDocument.KIND: DiscPressureDocument,
    AnthropometryDocument.KIND: AnthropometryDocument,
    L5S1ModelDocument.KIND: L5S1ModelDocument,
    NioshDocument.KIND: NioshDocument,
    UrgencyDocument.KIND: UrgencyDocument,
    TriageDocument.KIND: TriageDocument,
    PhaseDocument.KIND: PhaseDocument,
    RecommendationsDocument.KIND: RecommendationsDocument,
    PreventionDocument.KIND: PreventionDocument,
    PractitionerDocument.KIND: PractitionerDocument,
    ClaimsDocument.KIND: ClaimsDocument,
    ScheduleDefaultsDocument.KIND: ScheduleDefaultsDocument,
    ExercisesDocument.KIND: ExercisesDocument,
    PosesDocument.KIND: PosesDocument,
    LessonDocument.KIND: LessonDocument,
    ProgrammeDocument.KIND: ProgrammeDocument,
}


def load_all() -> dict[str, Document]:
    """Load and validate every knowledge file (used by tests and ``backcare doctor``)."""
    out: dict[str, Document] = {}
    for rel in data_files():
        header = yaml.safe_load(load_text(rel))
        kind = header.get("kind") if isinstance(header, dict) else None
        model = KINDS.get(str(kind))
        if model is None:
            raise KnowledgeError(f"{rel}: unknown kind {kind!r}; known: {sorted(KINDS)}")
        out[rel] = load(rel, model)
    return out
