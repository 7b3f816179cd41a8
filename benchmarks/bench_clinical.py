"""Triage, phase and plan speed on full answer sets (the interactive assessment re-runs triage
after every answer, so it must stay far below human reaction time).

Baseline (same process): ``validate_answers`` alone, the type and range checks every call does
before any rule is evaluated. Ratios say what rule evaluation and plan assembly add; absolute
figures depend on the machine.
"""

from __future__ import annotations

import random
import timeit

from backcare.clinical.answers import triage_knowledge, validate_answers
from backcare.clinical.phase import phase
from backcare.clinical.plan import build_plan
from backcare.clinical.triage import triage


def _answers(rng: random.Random) -> dict[str, object]:
    out: dict[str, object] = {}
    for item in triage_knowledge().answers:
        if item.type == "boolean":
            r = rng.random()
            out[item.id] = True if r < 0.02 else (None if r < 0.15 else False)
    out.update(
        {
            "pain.region": rng.choice(["low_back", "neck", "both"]),
            "pain.duration_weeks": rng.uniform(0, 60),
            "pain.recurrent": rng.choice([True, False]),
            "profile.age": rng.randint(16, 90),
            "pain.onset_age": rng.randint(10, 60),
        }
    )
    return out


def _best_us(fn, number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def main() -> None:
    rng = random.Random(11)
    sets = [_answers(rng) for _ in range(50)]
    triage(sets[0])  # load the knowledge files once, outside the timing
    results = [(triage(a), phase(a["pain.duration_weeks"], a["pain.recurrent"])) for a in sets]
    build_plan(*results[0], sets[0]["pain.region"])

    def baseline() -> None:
        for a in sets:
            validate_answers(a)

    def run_triage() -> None:
        for a in sets:
            triage(a)

    def run_plan() -> None:
        for a, (t, p) in zip(sets, results, strict=True):
            build_plan(t, p, a["pain.region"], "medium")

    n = len(sets)
    base = _best_us(baseline, 20) / n
    tri = _best_us(run_triage, 20) / n
    plan = _best_us(run_plan, 20) / n
    emergencies = sum(t.urgency == "emergency" for t, _ in results)
    print(f"answer sets: {n} ({emergencies} emergencies), {len(sets[0])} answers each")
    print(f"baseline validate_answers: {base:8.1f} us/call")
    print(f"triage (validate + rules):  {tri:8.1f} us/call  ({tri / base:5.1f} x baseline)")
    print(f"build_plan:                 {plan:8.1f} us/call  ({plan / base:5.1f} x baseline)")


if __name__ == "__main__":
    main()
