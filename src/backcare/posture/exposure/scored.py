"""REBA/RULA scores given to :func:`~backcare.posture.exposure.exposure` as per-sample arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from backcare.errors import InputError
from backcare.posture.exposure.summary import (
    ScoredFrames,
)


@dataclass
class Scored:
    name: str
    score: NDArray[np.int64]  # per sample
    level: NDArray[np.int64] | None
    n_scores: int
    n_levels: int


def scored_array(name: str, obj: ScoredFrames | ArrayLike | None, n: int) -> Scored | None:
    if obj is None:
        return None
    score_raw = getattr(obj, "score", obj)
    level_raw = getattr(obj, "action_level", None)
    score = np.asarray(score_raw)
    if score.shape != (n,) or score.dtype.kind not in "iu":
        raise InputError(
            f"scores must be integers with one per sample ({n}), got {score.dtype} {score.shape}",
            where=name,
        )
    if (score < 0).any():
        raise InputError("scores must be >= 0 (0 = not computable)", where=name)
    level = None
    n_levels = 0
    if level_raw is not None:
        level = np.asarray(level_raw)
        if level.shape != (n,):
            raise InputError(f"action_level must have one value per sample ({n})", where=name)
        level = np.where(score > 0, level, -1).astype(np.int64)
        n_levels = int(level.max()) + 1 if level.size and level.max() >= 0 else 0
    return Scored(
        name, score.astype(np.int64), level, int(score.max()) + 1 if n else 1, max(n_levels, 1)
    )
