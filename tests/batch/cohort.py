"""A small simulated cohort: short thigh + upper-back .cwa recordings and one corrupt file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from backcare.posture.conventions import Activity
from backcare.wearable.cwa_writer import CwaWriter
from backcare.wearable.synthetic import Bout, simulate
from tests.wearable.sim import BACK, DAY, THIGH

# Three workers in two jobs; the second bends more (an extra 10 min at 70 deg), the third sits
# more (an extra 20 min at the desk).
SUBJECTS: dict[str, tuple[str, list[Bout]]] = {
    "w01": ("office", DAY),
    "w02": ("warehouse", [*DAY[:4], Bout(Activity.STAND, 600, trunk_flexion_deg=70), *DAY[4:]]),
    "w03": ("office", [*DAY[:3], Bout(Activity.SIT, 1200, trunk_flexion_deg=10), *DAY[3:]]),
}
CORRUPT = "w04"
START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def write_recording(folder: Path, subject: str, bouts: list[Bout], seed: int) -> dict[str, Path]:
    """``<subject>_thigh.cwa`` and ``<subject>_back.cwa`` (25 Hz) in ``folder``."""
    sources, _ = simulate(bouts, [THIGH, BACK], fs_hz=25, seed=seed, start=START)
    out = {}
    for placement, src in sources.items():
        name = "thigh" if placement == "thigh" else "back"
        path = folder / f"{subject}_{name}.cwa"
        with CwaWriter(path, rate_hz=25, start=src.info.start) as writer:
            for chunk in src.chunks(200_000):
                writer.write(chunk.accel)
        out[name] = path
    return out


def write_corrupt(path: Path) -> Path:
    """A file with a .cwa header magic and no valid data block."""
    path.write_bytes(b"MD" + bytes(range(256)) * 16)
    return path


def build_cohort(folder: Path, *, corrupt: bool = True) -> dict[str, dict[str, Path]]:
    """Write the cohort into ``folder`` (flat, named by the folder convention)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        subject: write_recording(folder, subject, bouts, seed=31 + i)
        for i, (subject, (_, bouts)) in enumerate(SUBJECTS.items())
    }
    if corrupt:
        files[CORRUPT] = {"thigh": write_corrupt(folder / f"{CORRUPT}_thigh.cwa")}
    return files


def write_manifest(path: Path, files: dict[str, dict[str, Path]]) -> Path:
    """A CSV manifest of ``files`` with the groups of :data:`SUBJECTS` (paths relative) and work
    hours 6-8 (the simulated day starts at 06:00)."""
    lines = ["subject,group,thigh,trunk,work_hours"]
    for subject, paths in files.items():
        group = SUBJECTS.get(subject, ("office", []))[0]
        rel = {k: p.relative_to(path.parent).as_posix() for k, p in paths.items()}
        lines.append(f"{subject},{group},{rel['thigh']},{rel.get('back', '')},6-8")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
