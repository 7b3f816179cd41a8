"""Photos of people at work with keypoints placed by hand for this project."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

from ._keypoints import _joint_name
from ._references import _row

#: Source name and folder under ``--data`` of the photos whose keypoints were placed by hand
#: for this project (one folder per repository, ``owner/name``, then the file's path there).
HANDPLACED = ("handplaced", "handplaced")
#: Columns of the hand-placed annotation file (``validation/camera/handplaced.csv``).
HANDPLACED_COLUMNS = ("repository", "commit", "path", "joint", "x", "y", "placed_by")
#: Joints that may be placed by hand (COCO's names; the angle code reads these).
HANDPLACED_JOINTS = frozenset(
    f"{side}_{part}"
    for side in ("left", "right")
    for part in ("ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle")
) | {"nose"}


def build_handplaced(annotations: Path) -> list[dict[str, Any]]:
    """Rows of ``keypoints.csv`` (source ``handplaced``) from the hand-placed annotation file.

    Each line of the file is one joint of the one worker in one photo: the public repository
    (``owner/name``), the commit the photo was taken from, its path there, the joint, its pixel
    position in the original photo and who placed it. The photo is looked for under
    ``DIR/handplaced/owner/name/path``. A joint placed twice, an unknown joint name, a photo
    listed under two commits or a point outside the picture's positive quadrant is an error:
    the file is typed by hand."""
    source, folder = HANDPLACED
    rows: list[dict[str, Any]] = []
    commits: dict[tuple[str, str], str] = {}
    seen: set[tuple[str, str]] = set()
    with annotations.open(newline="") as fh:
        reader = csv.DictReader(fh)
        missing = set(HANDPLACED_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{annotations} lacks the columns {sorted(missing)}")
        for n, line in enumerate(reader, start=2):
            repo, path = line["repository"].strip(), line["path"].strip()
            joint = _joint_name(line["joint"])
            if repo.count("/") != 1 or not path or not line["commit"].strip():
                raise ValueError(f"line {n}: needs owner/name, commit and path")
            if joint not in HANDPLACED_JOINTS:
                raise ValueError(f"line {n}: unknown joint {line['joint']!r}")
            if commits.setdefault((repo, path), line["commit"].strip()) != line["commit"].strip():
                raise ValueError(f"line {n}: {repo} {path} listed under two commits")
            if (f"{repo}/{path}", joint) in seen:
                raise ValueError(f"line {n}: {joint} of {repo} {path} placed twice")
            seen.add((f"{repo}/{path}", joint))
            x, y = float(line["x"]), float(line["y"])
            if not (math.isfinite(x) and math.isfinite(y)) or x < 0 or y < 0:
                raise ValueError(f"line {n}: {joint} at ({x}, {y}) lies outside the picture")
            image = f"{folder}/{repo}/{path}"
            rows.append(_row(source, image, 0, joint, x, y, math.nan, space="image_px"))
    if not rows:
        raise ValueError(f"{annotations} holds no keypoints")
    return rows
