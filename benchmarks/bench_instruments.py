"""Questionnaire scoring speed: ``score`` per instrument and ``score_all`` on a full assessment.

Baseline (same process): a bare Python loop that sums the same answers with no validation,
knowledge lookup or result model. The ratio says what the checks, exact arithmetic and the
pydantic result cost per call; absolute figures depend on the machine.
"""

from __future__ import annotations

import random
import timeit

from backcare.clinical.instruments import instrument, instrument_ids, score, score_all


def _answers(rng: random.Random) -> dict[str, object]:
    out: dict[str, object] = {}
    for iid in instrument_ids():
        for item in instrument(iid).items:
            out[item.id] = rng.randint(item.min, item.max)
    return out


def _best_us(fn, number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def main() -> None:
    rng = random.Random(7)
    answers = _answers(rng)
    score_all(answers)  # load the knowledge files once, outside the timing

    def baseline() -> int:
        return sum(v for v in answers.values() if isinstance(v, int))

    base_us = _best_us(baseline, 2000)
    print(f"baseline (plain sum of {len(answers)} answers): {base_us:8.2f} us/call")
    for iid in instrument_ids():
        t = _best_us(lambda iid=iid: score(iid, answers), 300)
        print(f"score({iid!r:12}) {t:8.1f} us/call  ({t / base_us:6.0f} x baseline)")
    t_all = _best_us(lambda: score_all(answers), 100)
    print(f"score_all (6 instruments):  {t_all:8.1f} us/call  ({t_all / base_us:6.0f} x baseline)")
    print(f"score_all per second:       {1e6 / t_all:8.0f}")


if __name__ == "__main__":
    main()
