"""Run every ``benchmarks/bench_*.py`` script in turn (``make bench``).

Each script prints its own figures and ratios against a baseline measured in the same process;
this runner only sequences them and reports which ones failed to run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    wanted = set(argv)
    scripts = sorted(p for p in here.glob("bench_*.py") if not wanted or p.stem in wanted)
    failed: list[str] = []
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        if subprocess.call([sys.executable, str(script)]) != 0:
            failed.append(script.stem)
    if failed:
        print(f"\nfailed to run: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
