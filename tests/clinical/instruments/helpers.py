"""Answer builders shared by the instrument tests."""

from __future__ import annotations

from collections.abc import Sequence


def numbered(prefix: str, values: Sequence[int | None]) -> dict[str, object]:
    """``{"odi.1": v1, "odi.2": v2, ...}``."""
    return {f"{prefix}.{n}": v for n, v in enumerate(values, start=1)}


def odi_with_sum(total: int, answered: int = 10) -> dict[str, object]:
    """ODI answers whose answered sections add up to ``total`` (blank sections from the end)."""
    values: list[int | None] = []
    left = total
    for _ in range(answered):
        v = min(5, left)
        values.append(v)
        left -= v
    assert left == 0, "total too large for the answered sections"
    values += [None] * (10 - answered)
    return numbered("odi", values)


def ndi_with_sum(total: int, answered: int = 10) -> dict[str, object]:
    """NDI answers whose answered items add up to ``total``."""
    return {k.replace("odi", "ndi"): v for k, v in odi_with_sum(total, answered).items()}
