"""Timing, memory and reporting helpers of ``benchmarks/run.py``."""

from __future__ import annotations

import gc
import os
import platform
import statistics
import time
import tracemalloc
from dataclasses import dataclass, field

import numpy as np


def environment() -> dict:
    """Versions, CPU and the BLAS/OpenMP libraries as reported by threadpoolctl."""
    import scipy
    from threadpoolctl import threadpool_info

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    env = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "threadpools": [{k: v for k, v in p.items() if k in (
            "user_api", "internal_api", "prefix", "version", "num_threads", "threading_layer",
            "architecture", "filepath")} for p in threadpool_info()],
    }
    try:
        import qutip

        env["qutip"] = qutip.__version__
    except ImportError:
        env["qutip"] = None
    try:
        with open("/proc/loadavg") as f:
            env["loadavg_at_start"] = f.read().split()[:3]
    except OSError:
        pass
    return env


@dataclass
class Timings:
    """Wall times (s) per competitor, collected by :func:`alternate`."""

    times: dict = field(default_factory=dict)
    scale: dict = field(default_factory=dict)   # multiply a raw time by this (sampled competitors)

    def median(self, name):
        return statistics.median(self.times[name]) * self.scale.get(name, 1.0)

    def as_dict(self):
        return {k: {"raw_s": v, "scale": self.scale.get(k, 1.0), "median_s": self.median(k)}
                for k, v in self.times.items()}


def alternate(competitors: dict, repeats: int, *, scale: dict | None = None, warmup: bool = True) -> Timings:
    """Run the competitors round-robin ``repeats`` times (same process), timing each call.

    ``competitors`` maps a name to a zero-argument callable; a callable may
    instead be a factory ``f(k)`` of the repeat index ``k`` (flag: attribute
    ``per_repeat = True``), e.g. to time a different sample of points per round.
    Alternating spreads machine noise evenly over the competitors; the median
    over rounds is reported.  ``scale`` multiplies the raw times of sampled
    competitors (points in the grid / points timed).
    """
    t = Timings(scale=dict(scale or {}))
    if warmup:
        for name, f in competitors.items():
            if not getattr(f, "skip_warmup", False):
                (f(0) if getattr(f, "per_repeat", False) else f())
    for k in range(repeats):
        for name, f in competitors.items():
            gc.collect()
            t0 = time.perf_counter()
            (f(k) if getattr(f, "per_repeat", False) else f())
            t.times.setdefault(name, []).append(time.perf_counter() - t0)
    return t


def timed(f, repeats=1):
    """Median wall time of ``f()`` over ``repeats`` calls, and its last result."""
    ts, out = [], None
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), out


def peak_memory(f):
    """Peak of NumPy/Python allocations (bytes, tracemalloc) during ``f()``, and its result."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        out = f()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return peak, out


def fit_exponent(x, y):
    """Least-squares slope of log y against log x (growth exponent)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = (x > 0) & (y > 0)
    if ok.sum() < 2:
        return float("nan")
    return float(np.polyfit(np.log(x[ok]), np.log(y[ok]), 1)[0])


def fmt_time(s):
    if s is None or not np.isfinite(s):
        return "-"
    if s >= 100:
        return f"{s:.0f} s"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.0f} us"


def fmt_bytes(b):
    if b is None or not np.isfinite(b):
        return "-"
    for unit, k in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if b >= k:
            return f"{b / k:.3g} {unit}"
    return f"{b:.0f} B"


class Table:
    """Fixed-width text table, printed as rows are added."""

    def __init__(self, columns, widths):
        self.columns, self.widths = columns, widths
        self.rows = []

    def header(self):
        line = "  ".join(c.ljust(w) for c, w in zip(self.columns, self.widths))
        return line + "\n" + "-" * len(line)

    def add(self, *cells):
        cells = [("" if c is None else str(c)) for c in cells]
        self.rows.append(cells)
        line = "  ".join(c.ljust(w) for c, w in zip(cells, self.widths))
        print(line, flush=True)
        return line

    def text(self):
        return "\n".join([self.header()] + ["  ".join(c.ljust(w) for c, w in zip(r, self.widths))
                                            for r in self.rows])
