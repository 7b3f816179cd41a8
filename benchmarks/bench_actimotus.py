"""backcare and ActiMotus side by side on the same labelled thigh recordings.

Both tools get the same raw samples of each recording (the thigh sensor only: ActiMotus's
reference use is thigh-first) and each runs in its own child process, so wall time and peak
memory (``os.wait4``) cover exactly one tool. Printed: per-class sensitivity of both against the
truth, balanced accuracy per file and pooled, the share of seconds on which they agree, and the
time/memory ratios.

ActiMotus (``acti-motus`` on PyPI) is not a backcare dependency: it is installed into a throwaway
virtual environment under the work folder (``--actimotus-python`` to use one you have). When it
cannot be installed (no network access to the package index) the comparison is skipped with a
message.

Recordings: ``--harth DIR`` or ``--files DIR`` take the layouts of
``scripts/validate_wearable.py`` (real labelled data you downloaded); without them the
simulator's hard cases are used (realistic, not real: they show defects, not accuracy).

Usage: ``python benchmarks/bench_actimotus.py [--harth DIR | --files DIR] [--workdir DIR]``
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
from _throwaway import throwaway_python

from backcare.posture.angles import SensorAxes

ROOT = Path(__file__).resolve().parents[1]
SensorAxesDefault = SensorAxes("+x", "-z")  # backcare's thigh default

BACKCARE_CHILD = """
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import pandas as pd
from backcare.posture.angles import SensorAxes
from backcare.wearable.pipeline import SensorInput, analyze
from backcare.wearable.recording import Recording, RecordingInfo
t1 = time.perf_counter()

class Frame:
    def __init__(self, df, name):
        start = df.index[0].floor("s")
        self.t = (df.index - start).total_seconds().to_numpy(np.float64)
        self.a = df[["acc_x", "acc_y", "acc_z"]].to_numpy(np.float32)
        fs = 1.0 / float(np.median(np.diff(self.t[:5000])))
        self.info = RecordingInfo(name, "AX3", fs, start.to_pydatetime())
    def chunks(self, max_samples=1 << 18):
        for i in range(0, len(self.t), max_samples):
            j = i + max_samples
            yield Recording(self.t[i:j], self.a[i:j], self.info)

out = {}
for path in sys.argv[2:]:
    df = pd.read_parquet(path)
    # ActiMotus's thigh frame: +x up the thigh, -z to the front
    axes = SensorAxes("-x", "-z")
    result = analyze([SensorInput("thigh", Frame(df, path), axes=axes)])
    s = result.series
    t0s = int(s.meta.start.timestamp())
    labels = {}
    for t, code in zip(s.time.tolist(), s.activity.tolist()):
        labels[t0s + int(t)] = int(code)
    out[path] = labels
t2 = time.perf_counter()
with open(sys.argv[1], "w") as f:
    json.dump(out, f)
print(json.dumps({"import_s": t1 - t0, "pipeline_s": t2 - t1}))
"""

ACTIMOTUS_CHILD = """
import json, sys, time
t0 = time.perf_counter()
import pandas as pd
from actimotus import Activities, Features
t1 = time.perf_counter()
out = {}
for path in sys.argv[2:]:
    df = pd.read_parquet(path)
    features = Features().compute(df)
    activities, _ = Activities().compute(features)
    labels = {}
    for ts, name in activities["activity"].items():
        labels[int(pd.Timestamp(ts).timestamp())] = str(name)
    out[path] = labels
t2 = time.perf_counter()
with open(sys.argv[1], "w") as f:
    json.dump(out, f)
print(json.dumps({"import_s": t1 - t0, "pipeline_s": t2 - t1}))
"""

ACTIMOTUS_NAMES = {
    "bicycle": "cycle", "cycle": "cycle", "non-wear": "nonwear", "nonwear": "nonwear",
    "stairs": "stairs", "stair": "stairs", "lie": "lie", "sit": "sit", "stand": "stand",
    "walk": "walk", "slow-walk": "walk", "fast-walk": "walk", "run": "run", "move": "move",
    "row": "move",
}  # fmt: skip


def validation_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "validate_wearable", ROOT / "scripts" / "validate_wearable.py"
    )
    if spec is None or spec.loader is None:
        raise RuntimeError("scripts/validate_wearable.py not found")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["validate_wearable"] = mod
    spec.loader.exec_module(mod)
    return mod


def run_child(cmd: list[str]) -> tuple[float, float, str]:
    """Run ``cmd``; return (wall [s], that child's peak RSS [MB], stdout)."""
    with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out_f, stderr=err_f)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        out_f.seek(0)
        err_f.seek(0)
        out, err = out_f.read().decode(), err_f.read().decode()
    if code != 0:
        raise RuntimeError(f"{cmd[0]} failed ({code}):\n{err[-3000:]}")
    return wall, usage.ru_maxrss / 1024.0, out


def last_json(text: str) -> dict[str, float]:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            loaded: dict[str, float] = json.loads(line)
            return loaded
    raise RuntimeError(f"no result line in the child's output:\n{text[-2000:]}")


def actimotus_python(workdir: Path) -> Path | None:
    return throwaway_python(workdir, "acti-motus", "actimotus")


def _unit(axis: str) -> np.ndarray:
    v = np.zeros(3)
    v["xyz".index(axis[1])] = 1.0 if axis[0] == "+" else -1.0
    return v


def actimotus_frame(down: str, forward: str) -> np.ndarray:
    """Rows: ActiMotus's thigh axes in device axes. ActiMotus reads the thigh's inclination as
    arccos(x), so its x points up the thigh; sitting reads z near -1, so its -z points to the
    front of the thigh; y completes a right-handed frame."""
    x = -_unit(down)
    z = -_unit(forward)
    return np.stack([x, np.cross(z, x), z])


def write_parquet(rec: object, path: Path) -> tuple[int, int]:
    """The thigh samples of a labelled recording, in ActiMotus's axes, as a parquet file (UTC
    datetime index); returns the epoch second of truth index 0 and the number of truth seconds.
    backcare reads the same file and is told those axes, so both see identical samples."""
    thigh = next(s for s in rec.sensors if s.placement == "thigh")  # type: ignore[attr-defined]
    axes = thigh.axes or SensorAxesDefault
    chunks = list(thigh.source.chunks())
    t = np.concatenate([c.time for c in chunks])
    acc = np.concatenate([c.accel for c in chunks]).astype(np.float64)
    acc = acc @ actimotus_frame(axes.down, axes.forward).T
    start = pd.Timestamp(thigh.source.info.start)
    index = start + pd.to_timedelta(t, unit="s")
    df = pd.DataFrame(acc, columns=["acc_x", "acc_y", "acc_z"], index=index)
    df.index.name = "datetime"
    df.to_parquet(path)
    return int(start.floor("s").timestamp()), len(rec.truth)  # type: ignore[attr-defined]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--harth", type=Path)
    parser.add_argument("--files", type=Path)
    parser.add_argument("--axes", help="--files: the thigh axes, e.g. down=+x,forward=-z")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--actimotus-python", type=Path, default=None)
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.gettempdir()) / "backcare-bench-actimotus"
    workdir.mkdir(parents=True, exist_ok=True)
    val = validation_module()
    if args.harth:
        recs = val.load_harth(args.harth, thigh_only=True)
        source = f"HARTH-style CSVs in {args.harth}"
    elif args.files:
        axes = None
        if args.axes:
            kv = dict(p.split("=") for p in args.axes.split(","))
            axes = val.SensorAxes(kv["down"], kv["forward"])
        recs = val.load_files(args.files, axes)
        source = f"one-activity files in {args.files}"
    else:
        recs = val.simulated_cases()
        source = "simulated hard cases (realistic, not real)"
        print(
            "note: the simulator has no lateral or fore-aft gait motion, which ActiMotus's "
            "cycling refinement relies on; on simulated data it reads walking as cycling. "
            "Compare accuracy on real recordings (--harth / --files); the timings stand."
        )
    print(f"cores: {os.cpu_count()}; recordings: {len(recs)} ({source})")
    files: list[str] = []
    truth_by_file: dict[str, dict[int, str]] = {}
    for i, rec in enumerate(recs):
        path = workdir / f"rec_{i:03d}.parquet"
        first, _ = write_parquet(rec, path)
        files.append(str(path))
        truth_by_file[str(path)] = {
            first + k: label for k, label in enumerate(rec.truth) if label is not None
        }
    out_ours = workdir / "backcare.json"
    wall, rss, out = run_child([sys.executable, "-c", BACKCARE_CHILD, str(out_ours), *files])
    ours = last_json(out)
    print(
        f"backcare:  {wall:.2f} s wall (analysis {ours['pipeline_s']:.2f} s after "
        f"{ours['import_s']:.2f} s of imports), peak {rss:.0f} MB"
    )
    python = args.actimotus_python or actimotus_python(workdir)
    pred_ours = {
        f: {int(k): val.predicted_label(v) for k, v in d.items()}
        for f, d in json.loads(out_ours.read_text()).items()
    }
    pred_theirs: dict[str, dict[int, str]] | None = None
    if python is None:
        print("ActiMotus: skipped")
    else:
        out_theirs = workdir / "actimotus.json"
        a_wall, a_rss, a_out = run_child(
            [str(python), "-c", ACTIMOTUS_CHILD, str(out_theirs), *files]
        )
        theirs = last_json(a_out)
        print(
            f"ActiMotus: {a_wall:.2f} s wall (analysis {theirs['pipeline_s']:.2f} s after "
            f"{theirs['import_s']:.2f} s of imports), peak {a_rss:.0f} MB"
        )
        print(
            f"ratios (ActiMotus / backcare): time {a_wall / wall:.1f}x whole process, "
            f"{theirs['pipeline_s'] / ours['pipeline_s']:.1f}x analysis; memory {a_rss / rss:.1f}x"
        )
        pred_theirs = {
            f: {int(k): ACTIMOTUS_NAMES.get(v, v) for k, v in d.items()}
            for f, d in json.loads(out_theirs.read_text()).items()
        }
    classes = ("sit", "stand", "walk", "run", "stairs", "lie", "cycle")
    pooled: dict[str, tuple[list[str | None], list[str]]] = {
        "backcare": ([], []),
        "ActiMotus": ([], []),
    }
    agree = total = 0
    print("\nper file: balanced accuracy backcare | ActiMotus")
    for rec, f in zip(recs, files, strict=True):
        truth = truth_by_file[f]
        keys = sorted(truth)
        t = [truth[k] for k in keys]
        row = f"  {rec.name}:"
        for tool, preds in (("backcare", pred_ours), ("ActiMotus", pred_theirs)):
            if preds is None:
                continue
            p = [preds[f].get(k, "unknown") for k in keys]
            s = val.score(t, p, classes)
            row += f" {tool} {s.balanced_accuracy:.3f}"
            pooled[tool][0].extend(t)
            pooled[tool][1].extend(p)
        if pred_theirs is not None:
            a = [pred_ours[f].get(k) for k in keys]
            b = [pred_theirs[f].get(k) for k in keys]
            agree += sum(x == y for x, y in zip(a, b, strict=True))
            total += len(keys)
        print(row)
    print("\npooled over all files: sensitivity per class")
    for tool, (t, p) in pooled.items():
        if not t:
            continue
        s = val.score(t, p, classes)
        sens = ", ".join(f"{c} {v:.3f}" for c, v in s.sensitivity.items())
        print(f"  {tool}: balanced accuracy {s.balanced_accuracy:.3f}; {sens}")
    if total:
        print(f"seconds on which the two agree: {agree / total:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
