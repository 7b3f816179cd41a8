"""Questionnaire scoring: STarT Back, ODI, RMDQ, NDI, pain NRS and the Orebro short form.

Public API (pure: no I/O beyond the packaged knowledge files):

- :func:`score` ``(instrument_id, answers, *, variant=None) -> InstrumentResult``
- :func:`score_all` ``(answers) -> dict[str, InstrumentResult]``
- :func:`classify_change` ``(instrument_id, before, after) -> ChangeResult``
- :func:`answers_json_schema` ``(instrument_id=None) -> dict``
- :func:`instrument_ids`, :func:`instrument` (the knowledge definition)

Definitions, rules and sources live in ``backcare/knowledge/data/instruments/*.yaml``.
"""

from .answers_schema import answers_json_schema
from .change import classify_change
from .results import ChangeClass, ChangeResult, InstrumentResult
from .scoring import instrument, instrument_ids, score, score_all

__all__ = [
    "ChangeClass",
    "ChangeResult",
    "InstrumentResult",
    "answers_json_schema",
    "classify_change",
    "instrument",
    "instrument_ids",
    "score",
    "score_all",
]
