"""Validate backcare's per-second thigh (and trunk) activity against labelled recordings.

Not part of the unit tests: it needs labelled data that the project does not ship. One command::

    .venv/bin/python scripts/validate_wearable.py harth DIR      # HARTH-style CSVs (thigh + back)
    .venv/bin/python scripts/validate_wearable.py files DIR      # one activity per file
    .venv/bin/python scripts/validate_wearable.py simulated      # the simulator's hard cases

For every file and for every person joined into one recording it prints, over the scored classes
(sit, stand, walk, run, stairs, plus lie and cycle where the truth has them), each class's
sensitivity and specificity, the balanced accuracy (mean sensitivity over the classes present in
the truth) and the confusion matrix (truth in rows, backcare in columns). Seconds whose truth is
not a scored class (HARTH's shuffling, transitions) are left out of the scores, never guessed.

Layouts
-------
``harth``: one CSV per person with columns ``timestamp, back_x, back_y, back_z, thigh_x, thigh_y,
thigh_z, label`` (g) and HARTH's label codes. HARTH names each axis by the direction of gravity
that reads positive (thigh: x down, z backward; lower back: x down, z forward; standing reads
x = +1), so in backcare's terms (the device axis pointing down the segment, the one pointing to
the front) the thigh is ``down=-x, forward=+z`` and the lower back ``down=-x, forward=-z``. These
are given explicitly; ``--auto-axes`` lets backcare's mounting check find them instead. Both
sensors are analysed together (the trunk measures lying); ``--thigh-only`` leaves the back out.

``files``: ``DIR/<person>/<activity>.<ext>`` or ``DIR/<person>_<activity>.<ext>``, any format
``backcare wearable analyze`` reads (``.cwa``, ``.csv`` with ``time,x,y,z``...), one activity per
file; the activity is read from the name (sit, stand, walk, run, stairs, lie, cycle and common
spellings). ``--axes down=+x,forward=-z`` gives the thigh sensor's axes when they are known.
Files of one person are joined in name order, each starting one second after the previous one.

``simulated``: recordings from :mod:`backcare.wearable.synthetic` covering the cases the real
data sets showed to be hard (short single-activity files, slow walkers, slow joggers, stairs
without level walking, lying with bent knees). They are realistic, not real: use them to see a
defect, and the real data sets to measure.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from backcare.posture.angles import SensorAxes
from backcare.posture.conventions import Activity
from backcare.wearable.pipeline import SensorInput, analyze
from backcare.wearable.readers import open_recording
from backcare.wearable.recording import Recording, RecordingInfo
from backcare.wearable.synthetic import Bout, SimulatedSensor, simulate

CLASSES = ("sit", "stand", "walk", "run", "stairs", "lie", "cycle")
CORE = ("sit", "stand", "walk", "run", "stairs")

# HARTH label codes (README of the data set)
HARTH_LABELS = {
    1: "walk",
    2: "run",
    3: None,  # shuffling: standing with leg movement, not scored
    4: "stairs",
    5: "stairs",
    6: "stand",
    7: "sit",
    8: "lie",
    13: "cycle",
    14: "cycle",
    130: "cycle",
    140: "cycle",
}

NAME_LABELS = {
    "sit": "sit", "sitting": "sit", "stand": "stand", "standing": "stand", "walk": "walk",
    "walking": "walk", "run": "run", "running": "run", "jog": "run", "jogging": "run",
    "stairs": "stairs", "stair": "stairs", "upstairs": "stairs", "downstairs": "stairs",
    "stairs_up": "stairs", "stairs_down": "stairs", "lie": "lie", "lying": "lie", "cycle": "cycle",
    "cycling": "cycle", "bike": "cycle", "bicycling": "cycle",
}  # fmt: skip


def predicted_label(code: int) -> str:
    """backcare's activity code as a class name of the scores."""
    act = Activity(int(code))
    if act in (Activity.LIE, Activity.LIE_SUPINE, Activity.LIE_PRONE, Activity.LIE_SIDE):
        return "lie"
    return act.label


class ArraySource:
    """An in-memory recording with the reader interface the pipeline streams from."""

    def __init__(self, time: NDArray[np.float64], accel: NDArray[np.float32], info: RecordingInfo):
        self.info = info
        self._time = time
        self._accel = accel

    def chunks(self, max_samples: int = 1 << 18) -> Iterator[Recording]:
        for i in range(0, self._time.shape[0], max_samples):
            yield Recording(
                self._time[i : i + max_samples], self._accel[i : i + max_samples], self.info
            )


@dataclass
class Labelled:
    """One recording with its per-second truth (``None``: not scored)."""

    person: str
    name: str
    sensors: list[SensorInput]
    truth: list[str | None]


def _source(
    path: str, device: str, start: datetime, t: NDArray[np.float64], acc: NDArray[np.float32]
) -> ArraySource:
    fs = float(1.0 / np.median(np.diff(t[: min(len(t), 5000)])))
    return ArraySource(t, acc, RecordingInfo(path=path, device=device, fs_hz=fs, start=start))


def _per_second(labels: pd.Series, t: NDArray[np.float64]) -> list[str | None]:
    """Majority truth per second; seconds with mixed truth (a transition) are not scored."""
    sec = np.floor(t).astype(np.int64)
    frame = pd.DataFrame({"s": sec, "label": labels.fillna("-").to_numpy()})
    counts = frame.groupby(["s", "label"]).size().unstack(fill_value=0)
    n = int(sec.max()) + 1
    out: list[str | None] = [None] * n
    share = counts.div(counts.sum(axis=1), axis=0)
    for s, row in share.iterrows():
        top = row.idxmax()
        if row[top] >= 0.8 and top != "-":
            out[int(s)] = str(top)
    return out


def load_harth(folder: Path, *, thigh_only: bool, auto_axes: bool = False) -> list[Labelled]:
    out: list[Labelled] = []
    for path in sorted(folder.glob("*.csv")):
        df = pd.read_csv(path)
        ts = pd.to_datetime(df["timestamp"], utc=True)
        start = ts.iloc[0].floor("s").to_pydatetime()
        t = ((ts - ts.iloc[0].floor("s")).dt.total_seconds()).to_numpy(np.float64)
        keep = np.concatenate([[True], np.diff(t) > 0])
        df, t = df[keep], t[keep]
        thigh = df[["thigh_x", "thigh_y", "thigh_z"]].to_numpy(np.float32)
        sensors = [
            SensorInput(
                "thigh",
                _source(f"{path.name}:thigh", "AX3", start, t, thigh),
                axes=None if auto_axes else SensorAxes("-x", "+z"),
            )
        ]
        if not thigh_only:
            back = df[["back_x", "back_y", "back_z"]].to_numpy(np.float32)
            sensors.append(
                SensorInput(
                    "trunk_lumbar",
                    _source(f"{path.name}:back", "AX3", start, t, back),
                    axes=None if auto_axes else SensorAxes("-x", "-z"),
                )
            )
        labels = df["label"].map(HARTH_LABELS)
        out.append(Labelled(path.stem, path.stem, sensors, _per_second(labels, t)))
    return out


def _activity_of(name: str) -> str | None:
    for token in reversed(re.split(r"[^a-z]+", name.lower())):
        if token in NAME_LABELS:
            return NAME_LABELS[token]
    return None


def load_files(folder: Path, axes: SensorAxes | None) -> list[Labelled]:
    out: list[Labelled] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        label = _activity_of(path.stem)
        if label is None:
            continue
        rel = path.relative_to(folder)
        person = rel.parts[0] if len(rel.parts) > 1 else path.stem.split("_")[0]
        src = open_recording(path)
        recs = list(src.chunks())
        t = np.concatenate([r.time for r in recs])
        acc = np.concatenate([r.accel for r in recs])
        arr = ArraySource(t - float(t[0]), acc, src.info)
        n = int(np.ceil(t[-1] - t[0]))
        out.append(Labelled(person, str(rel), [SensorInput("thigh", arr, axes=axes)], [label] * n))
    return out


def simulated_cases() -> list[Labelled]:
    """Short single-activity recordings of the kinds the real data sets showed to be hard."""
    thigh = SimulatedSensor("thigh", axes=SensorAxes("+x", "-z"))
    start = datetime(2026, 3, 2, 9, 0, 0, 600_000, tzinfo=UTC)  # partial first second
    cases: dict[str, tuple[str, list[Bout]]] = {
        "sit": ("a", [Bout(Activity.SIT, 180)]),
        "stand": ("a", [Bout(Activity.STAND, 180)]),
        "walk-58s": ("a", [Bout(Activity.WALK, 58)]),
        "walk": ("a", [Bout(Activity.WALK, 180)]),
        "run": ("a", [Bout(Activity.RUN, 180)]),
        "stairs-20deg": ("a", [Bout(Activity.STAIRS, 180, thigh_inclination_deg=20.0)]),
        "walk-slow": ("b", [Bout(Activity.WALK, 180, intensity=0.25, step_hz=1.5)]),
        "jog-low-sd": ("b", [Bout(Activity.RUN, 180, intensity=0.55, step_hz=2.7)]),
        "jog-slow-steps": ("b", [Bout(Activity.RUN, 180, intensity=0.66, step_hz=2.4)]),
        "lie-knees-bent": ("b", [Bout(Activity.LIE, 180, thigh_inclination_deg=145.0)]),
        "sit-b": ("b", [Bout(Activity.SIT, 180)]),
        "stand-b": ("b", [Bout(Activity.STAND, 180)]),
    }
    out: list[Labelled] = []
    for name, (person, bouts) in cases.items():
        sources, truth = simulate(bouts, [thigh], fs_hz=100.0, seed=len(out), start=start)
        labels = [predicted_label(int(c)) for c in truth.activity]
        out.append(Labelled(person, name, [SensorInput("thigh", sources["thigh"])], list(labels)))
    return out


def join(recs: Sequence[Labelled]) -> Labelled:
    """The recordings of one person, one after the other (1 s apart) as one recording."""
    parts_t: dict[str, list[NDArray[np.float64]]] = {}
    parts_a: dict[str, list[NDArray[np.float32]]] = {}
    axes: dict[str, SensorAxes | None] = {}
    truth: list[str | None] = []
    offset = 0.0
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for rec in recs:
        span = len(rec.truth)
        for s in rec.sensors:
            chunks = list(s.source.chunks())
            t = np.concatenate([c.time for c in chunks])
            parts_t.setdefault(s.placement, []).append(t - float(t[0]) + offset)
            parts_a.setdefault(s.placement, []).append(np.concatenate([c.accel for c in chunks]))
            axes[s.placement] = s.axes
        truth.extend(rec.truth)
        truth.append(None)
        offset += span + 1
    sensors = []
    for placement, ts in parts_t.items():
        t = np.concatenate(ts)
        acc = np.concatenate(parts_a[placement])
        src = _source(f"{recs[0].person}:{placement}", "joined", start, t, acc)
        sensors.append(SensorInput(placement, src, axes=axes[placement]))
    return Labelled(recs[0].person, f"{recs[0].person} (joined)", sensors, truth)


@dataclass
class Scores:
    confusion: pd.DataFrame
    sensitivity: dict[str, float]
    specificity: dict[str, float]
    balanced_accuracy: float
    n: int


def score(truth: Sequence[str | None], predicted: Sequence[str], classes: Sequence[str]) -> Scores:
    n = min(len(truth), len(predicted))
    pairs = [(t, p) for t, p in zip(truth[:n], predicted[:n], strict=True) if t in classes]
    tr = pd.Categorical([t for t, _ in pairs], categories=list(classes))
    pr = [p for _, p in pairs]
    cols = list(classes) + sorted({p for p in pr} - set(classes))
    conf = pd.crosstab(
        pd.Series(tr, name="truth"), pd.Categorical(pr, categories=cols), dropna=False
    )
    conf.columns.name = "backcare"
    total = conf.to_numpy().sum()
    sens: dict[str, float] = {}
    spec: dict[str, float] = {}
    for c in classes:
        row = conf.loc[c].sum()
        tp = conf.loc[c, c] if c in conf.columns else 0
        if row:
            sens[c] = tp / row
        pred_c = conf[c].sum() if c in conf.columns else 0
        neg = total - row
        if neg:
            spec[c] = (neg - (pred_c - tp)) / neg
    ba = float(np.mean(list(sens.values()))) if sens else float("nan")
    return Scores(conf.loc[[c for c in classes if conf.loc[c].sum()]], sens, spec, ba, len(pairs))


def run_one(rec: Labelled) -> list[str]:
    result = analyze(rec.sensors)
    codes = np.asarray(result.series.activity)
    first = int(result.series.time[0]) if len(result.series.time) else 0
    pred = ["unknown"] * first + [predicted_label(int(c)) for c in codes]
    return pred


def report(name: str, s: Scores, *, show_matrix: bool) -> None:
    parts = [
        f"{c} {s.sensitivity[c]:.2f}/{s.specificity.get(c, float('nan')):.2f}"
        for c in s.sensitivity
    ]
    print(
        f"{name}: balanced accuracy {s.balanced_accuracy:.3f} over {s.n} s; sens/spec "
        + ", ".join(parts)
    )
    if show_matrix:
        print(s.confusion.loc[:, (s.confusion.sum(axis=0) > 0)].to_string())
        print()


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("layout", choices=("harth", "files", "simulated"))
    ap.add_argument("folder", nargs="?", type=Path)
    ap.add_argument("--thigh-only", action="store_true", help="HARTH: leave the back sensor out")
    ap.add_argument(
        "--auto-axes", action="store_true", help="HARTH: let the mounting check find the axes"
    )
    ap.add_argument("--axes", help="files: the thigh sensor's axes, e.g. down=+x,forward=-z")
    ap.add_argument("--no-join", action="store_true", help="score files only, not joined")
    ap.add_argument("--matrix", action="store_true", help="print every confusion matrix")
    ap.add_argument("--classes", default=",".join(CORE), help="scored classes (default core five)")
    args = ap.parse_args(argv)
    classes = tuple(c for c in args.classes.split(",") if c)
    if args.layout != "simulated" and (args.folder is None or not args.folder.is_dir()):
        print(f"no data folder given or found: {args.folder}", file=sys.stderr)
        return 2
    if args.layout == "harth":
        recs = load_harth(args.folder, thigh_only=args.thigh_only, auto_axes=args.auto_axes)
    elif args.layout == "files":
        axes = None
        if args.axes:
            kv = dict(p.split("=") for p in args.axes.split(","))
            axes = SensorAxes(kv["down"], kv["forward"])  # type: ignore[arg-type]
        recs = load_files(args.folder, axes)
    else:
        recs = simulated_cases()
    if not recs:
        print("no labelled recordings found", file=sys.stderr)
        return 2
    all_truth: list[str | None] = []
    all_pred: list[str] = []
    per_file: list[float] = []
    for rec in recs:
        pred = run_one(rec)
        s = score(rec.truth, pred, classes)
        if s.n:
            per_file.append(s.balanced_accuracy)
            report(rec.name, s, show_matrix=args.matrix)
        n = min(len(pred), len(rec.truth))
        all_truth += rec.truth[:n]
        all_pred += pred[:n]
    total = score(all_truth, all_pred, classes)
    print("\n== all files pooled ==")
    report("files", total, show_matrix=True)
    print(f"per-file balanced accuracy: mean {np.mean(per_file):.3f}, min {np.min(per_file):.3f}")
    if args.layout != "harth" and not args.no_join:
        people: dict[str, list[Labelled]] = {}
        for rec in recs:
            people.setdefault(rec.person, []).append(rec)
        jt: list[str | None] = []
        jp: list[str] = []
        per_person: list[float] = []
        for items in people.values():
            joined = join(items)
            pred = run_one(joined)
            s = score(joined.truth, pred, classes)
            per_person.append(s.balanced_accuracy)
            report(joined.name, s, show_matrix=args.matrix)
            n = min(len(pred), len(joined.truth))
            jt += joined.truth[:n]
            jp += pred[:n]
        print("\n== joined per person, pooled ==")
        report("joined", score(jt, jp, classes), show_matrix=True)
        mean, low = np.mean(per_person), np.min(per_person)
        print(f"per-person balanced accuracy: mean {mean:.3f}, min {low:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
