"""The child process one analysis runs in, under address-space and CPU-time limits.

The worker (:mod:`backcare.web.worker`) starts :func:`main` in a fresh interpreter (``spawn``),
so nothing of the web server's memory is shared. This module imports only the standard library
at the top: the numeric libraries are told to use one thread before they are imported; then the
analysis code is imported, and the limits are set on top of what the process uses at that point
(so they bound the analysis, not the fixed cost of loading the libraries).

Messages to the parent, over a one-way pipe: ``("progress", fraction, message)``,
``("done", outcome)`` or ``("failed", reason, what)`` with ``what`` one of ``"input"`` (a
problem with the file), ``"memory"`` (the address-space limit was reached) or ``"internal"``.
Over the CPU-time limit the kernel ends the process (SIGXCPU, then SIGKILL); the parent reads
that from the exit status.
"""

from __future__ import annotations

import os
import resource
import sys
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

__all__ = ["JobLimits", "main"]

_ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


@dataclass(frozen=True)
class JobLimits:
    """Limits of one job: address space the analysis may add [bytes], CPU time [s] and
    wall-clock time [s]."""

    memory_bytes: int
    cpu_s: int
    wall_s: float


#: Memory [bytes] held back from the analysis and freed to report that it ran out.
_RESERVE_BYTES = 4 << 20


def _address_space() -> int:
    """The process's current virtual memory size [bytes] (Linux: /proc/self/statm)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def _apply(limits: JobLimits) -> None:
    memory = _address_space() + limits.memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(usage.ru_utime + usage.ru_stime) + limits.cpu_s
    # soft limit: SIGXCPU ends the process; the hard limit (SIGKILL) follows if it is caught
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))


def main(
    conn: Connection,
    kind: str,
    params: dict[str, Any],
    out_dir: str,
    profile: Any,
    limits: JobLimits,
) -> None:
    """Run one analysis and report over ``conn`` (see the module docstring)."""
    for name in _ONE_THREAD:
        os.environ[name] = "1"
    from backcare.errors import BackcareError
    from backcare.web.analysis import describe_error, run_analysis

    # freed before a failure is reported, so that the report itself can be sent when the
    # analysis ran out of memory (the handler's own pickling had failed and the child died
    # without a word, "stopped unexpectedly" instead of "out of memory")
    reserve: list[bytearray] = [bytearray(_RESERVE_BYTES)]
    _apply(limits)
    try:

        def report(fraction: float, message: str) -> None:
            conn.send(("progress", float(fraction), str(message)))

        try:
            outcome = run_analysis(kind, params, Path(out_dir), profile, report)
        except BackcareError as exc:
            conn.send(("failed", describe_error(exc), "input"))
            return
        conn.send(("done", outcome))
    except (MemoryError, SystemError):
        # CPython reports some allocations that fail inside C extensions as SystemError
        reserve.clear()
        conn.send(("failed", "", "memory"))
    except (ImportError, OSError) as exc:  # a library loaded late could not be mapped
        traceback.print_exc(file=sys.stderr)
        text = str(exc).lower()
        out_of_memory = "map segment" in text or "cannot allocate memory" in text
        conn.send(("failed", describe_error(exc), "memory" if out_of_memory else "internal"))
    except Exception as exc:  # the traceback goes to the worker's log (stderr), not the page
        traceback.print_exc(file=sys.stderr)
        conn.send(("failed", describe_error(exc), "internal"))
    finally:
        conn.close()
