"""Mutation fuzzing of one reader for a time budget, in a process of its own under a memory bound.

``python -m tests.wearable.readers.fuzz_run FORMAT SECONDS`` builds the seeds of FORMAT
(:mod:`tests.wearable.readers.fuzz_corpus`), limits its own address space to what it uses now plus
20 times the largest seed plus 300 MB, and lets Hypothesis mutate the seeds (byte flips,
truncation, a repeated slice) for about SECONDS. Each mutated file must give an
:class:`~backcare.errors.InputError` naming the file, or a recording with finite, non-decreasing
times and finite values; a hang (more than :data:`HANG_S` for one file), a ``MemoryError`` or any
other exception is a failure. It prints one line per outcome kind and exits 1 on a failure (with
the failing example, which Hypothesis shrinks).
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backcare.errors import InputError
from backcare.wearable.readers import open_recording
from tests.wearable.readers.fuzz_corpus import seeds

HANG_S = 20
MEMORY_FACTOR = 20
MEMORY_EXTRA = 300 << 20


class HangError(Exception):
    pass


def _on_alarm(_signum: int, _frame: Any) -> None:
    raise HangError(f"no answer within {HANG_S} s")


def _address_space() -> int:
    return int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _mutate(data: bytes, flips: list[tuple[float, int]], cut: float | None, rep: Any) -> bytes:
    out = bytearray(data)
    for where, xor in flips:
        out[int(where * len(out))] ^= xor
    if rep is not None:
        a, length, times = rep
        start = int(a * len(out))
        piece = bytes(out[start : start + length])
        out[start:start] = piece * times
    if cut is not None:
        out = out[: max(1, int(cut * len(out)))]
    return bytes(out)


def check(path: Path) -> str:
    """Read ``path``; the outcome kind, or raise AssertionError for a broken promise."""
    signal.alarm(HANG_S)
    try:
        rec = open_recording(path).read()
    except InputError as exc:
        if not exc.where:
            raise AssertionError(f"InputError without a place: {exc}") from exc
        return "input error"
    finally:
        signal.alarm(0)
    assert len(rec.time) == len(rec.accel) > 0
    assert np.isfinite(rec.time).all()
    assert np.all(np.diff(rec.time) >= 0)
    assert np.isfinite(rec.accel).all()
    return "recording"


def main(fmt: str, budget_s: float) -> int:
    signal.signal(signal.SIGALRM, _on_alarm)
    tmp = Path(tempfile.mkdtemp(prefix="fuzz-"))
    corpus = seeds(fmt, tmp)
    if not corpus:
        print(f"{fmt}: no seeds (../shared absent)")
        return 0
    # warm the reader on every seed (imports, caches), then bound the address space
    for name, data in corpus.items():
        (tmp / name).write_bytes(data)
        check(tmp / name)
    bound = _address_space() + MEMORY_FACTOR * max(len(d) for d in corpus.values()) + MEMORY_EXTRA
    resource.setrlimit(resource.RLIMIT_AS, (bound, bound))
    started = time.monotonic()
    for name in corpus:
        check(tmp / name)
    per_read = max(0.005, (time.monotonic() - started) / len(corpus))
    examples = max(10, min(2000, int(budget_s / (per_read * 2.5))))
    outcomes: Counter[str] = Counter()
    names = sorted(corpus)

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        st.sampled_from(names),
        st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), max_size=8),
        st.one_of(st.none(), st.floats(0, 1)),
        st.one_of(
            st.none(),
            st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 64), st.integers(1, 64)),
        ),
    )
    def fuzz(name: str, flips: list[tuple[float, int]], cut: float | None, rep: Any) -> None:
        path = tmp / f"m-{name}"
        path.write_bytes(_mutate(corpus[name], flips, cut, rep))
        outcomes[check(path)] += 1

    fuzz()
    took = time.monotonic() - started
    summary = ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items()))
    print(f"{fmt}: {examples} mutated files in {took:.1f} s ({summary}); bound {bound >> 20} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2])))
