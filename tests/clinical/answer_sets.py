"""Answer sets shared by the triage, plan and property tests (not a test module)."""

from __future__ import annotations

from backcare.clinical.answers import triage_knowledge

TRIAGE_IDS: tuple[str, ...] = tuple(
    item.id for item in triage_knowledge().answers if item.id.startswith("triage.")
)


def all_no(**overrides: object) -> dict[str, object]:
    """Every triage question answered "no", a 35-year-old with 2 weeks of low back pain that
    first started at 30; keyword arguments override (use ``__`` for the dot:
    ``triage__fever=True``)."""
    answers: dict[str, object] = {tid: False for tid in TRIAGE_IDS}
    answers.update(
        {
            "pain.region": "low_back",
            "pain.duration_weeks": 2,
            "pain.recurrent": False,
            "profile.age": 35,
            "pain.onset_age": 30,
        }
    )
    for key, value in overrides.items():
        answers[key.replace("__", ".")] = value
    return answers
