"""Fuzz harness of issue 11, item 8: one-argument mutations of every public callable
of :mod:`qrmlib`, plus hypothesis-generated valid variants, each case in a forked
child with a timeout and an address-space cap.

Outcome classes
---------------
invalid input (a mutation of one argument of a valid baseline call):
    ``clean``            ValueError/TypeError whose message names the argument
    ``unnamed``          ValueError/TypeError whose message does not name it
    ``other-exception``  any other exception type (IndexError, LinAlgError is a ValueError subclass
                         and counts by its message, AttributeError, MemoryError, ...)
    ``accepted-invalid`` the call returned a value
    ``hang``             no answer within the timeout (the child is killed)
    ``crash``            the child died without answering (signal, hard exit)
valid input (the baseline and hypothesis variants):
    ``valid-ok``, ``valid-nonfinite`` (a NaN/inf anywhere in the result), ``valid-error``
    (any exception), ``hang``, ``crash``

Usage (for the engineers fixing what it finds)::

    .venv/bin/python tests/_fuzz.py                 # all, writes /tmp/fuzz_report.txt, _build/fuzz_report.txt
    .venv/bin/python tests/_fuzz.py --only reset.   # callables whose name contains "reset."
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

import argparse  # noqa: E402
import collections  # noqa: E402
import dataclasses  # noqa: E402
import pickle  # noqa: E402
import re  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _fuzz_registry as reg  # noqa: E402

TIMEOUT = float(os.environ.get("QRM_FUZZ_TIMEOUT", 10.0))
JOBS = int(os.environ.get("QRM_FUZZ_JOBS", 2))
MEM_CAP = 4 << 30          # bytes of address space a child may add to the parent's
N_VARIANTS = 3             # hypothesis examples per entry with ``vary``
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPORTS = ["/tmp/fuzz_report.txt", os.path.join(ROOT, "_build", "fuzz_report.txt")]

INVALID_CATS = ["clean", "unnamed", "other-exception", "accepted-invalid", "hang", "crash"]
VALID_CATS = ["valid-ok", "valid-nonfinite", "valid-error", "valid-hang", "valid-crash"]
#: categories the test requires to be empty
FAILING = ["unnamed", "other-exception", "accepted-invalid", "hang", "crash",
           "valid-nonfinite", "valid-error", "valid-hang", "valid-crash"]


@dataclasses.dataclass
class Case:
    entry: reg.Entry
    arg: str          # the mutated argument ("" for a valid case)
    label: str        # the mutation ("baseline", "hypothesis #k" for valid cases)
    kwargs: dict
    valid: bool
    outcome: str = ""
    etype: str = ""
    msg: str = ""
    seconds: float = 0.0


# --- the child --------------------------------------------------------------------

def _nonfinite(x, depth=0) -> bool:
    """Whether a NaN/inf number occurs anywhere in a result (arrays, scalars, mpmath,
    tuples/NamedTuples, lists, dicts, dataclasses)."""
    if depth > 6 or x is None or isinstance(x, (str, bytes, bool, np.bool_)):
        return False
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "fc":
            return not bool(np.all(np.isfinite(x)))
        if x.dtype.kind == "O":
            return any(_nonfinite(e, depth + 1) for e in x.flat)
        return False
    if isinstance(x, (int, np.integer)):
        return False
    if isinstance(x, (float, complex, np.floating, np.complexfloating)):
        return not np.isfinite(x)
    if type(x).__module__.startswith("mpmath"):
        try:
            return not np.isfinite(complex(x))
        except (TypeError, ValueError):
            return False
    if isinstance(x, dict):
        return any(_nonfinite(v, depth + 1) for v in x.values())
    if isinstance(x, (tuple, list)):
        return any(_nonfinite(v, depth + 1) for v in x)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return any(_nonfinite(getattr(x, f.name), depth + 1) for f in dataclasses.fields(x))
    return False


def _run_child(case: Case, wfd: int) -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        try:
            import resource

            vm = _vm_bytes()
            cap = vm + MEM_CAP
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        except (ImportError, ValueError, OSError):
            pass
        warnings.simplefilter("ignore")
        try:
            res = case.entry.fn(**case.kwargs)
            out = {"status": "returned", "nonfinite": _nonfinite(res) if case.valid else False}
        except BaseException as exc:  # noqa: BLE001 - everything is an outcome here
            out = {"status": "raised", "etype": type(exc).__name__,
                   "mro": [c.__name__ for c in type(exc).__mro__], "msg": str(exc)[:400]}
        os.write(wfd, pickle.dumps(out))
    finally:
        os._exit(0)


def _vm_bytes() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


# --- the parent -------------------------------------------------------------------

_CONTRACTIONS = re.compile(r"\b(can|don|isn|won|doesn|aren|couldn|shouldn|wasn)'t\b")


def _names_arg(arg: str, msg: str) -> bool:
    """Whether ``msg`` names ``arg`` as a word (``t`` is not named by "can't")."""
    msg = _CONTRACTIONS.sub(" ", msg)
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(arg)}(?![A-Za-z0-9_])", msg) is not None


def _is_mismatch(label: str) -> bool:
    """A mutation that makes two arguments inconsistent: naming either one is clean."""
    return "mismatch" in label or label.startswith("J+1") or label.startswith("state of mismatched")


def _classify(case: Case, out: dict | None, timed_out: bool) -> None:
    if timed_out:
        case.outcome = "valid-hang" if case.valid else "hang"
        return
    if out is None:
        case.outcome = "valid-crash" if case.valid else "crash"
        return
    if case.valid:
        if out["status"] == "returned":
            case.outcome = "valid-nonfinite" if out["nonfinite"] else "valid-ok"
        else:
            case.outcome, case.etype, case.msg = "valid-error", out["etype"], out["msg"]
        return
    if out["status"] == "returned":
        case.outcome = "accepted-invalid"
        return
    case.etype, case.msg = out["etype"], out["msg"]
    allowed = {"ValueError", "TypeError"} | {t.__name__ for t in case.entry.allow}
    if not allowed & set(out["mro"]):
        case.outcome = "other-exception"
    elif (case.etype in {t.__name__ for t in case.entry.unnamed_ok} or _names_arg(case.arg, case.msg)
          or (_is_mismatch(case.label) and any(_names_arg(a, case.msg) for a in case.kwargs))):
        case.outcome = "clean"
    else:
        case.outcome = "unnamed"


def run_cases(cases, jobs=JOBS, timeout=TIMEOUT, progress=None):
    """Run every case in its own forked child, ``jobs`` at a time."""
    pending = collections.deque(cases)
    running = {}  # rfd -> (pid, case, t0, chunks)
    done = 0
    with _single_thread():
        while pending or running:
            while pending and len(running) < jobs:
                case = pending.popleft()
                r, w = os.pipe()
                pid = os.fork()
                if pid == 0:  # child
                    os.close(r)
                    _run_child(case, w)
                os.close(w)
                running[r] = (pid, case, time.monotonic(), [])
            ready, _, _ = select.select(list(running), [], [], 0.05)
            now = time.monotonic()
            for r in list(running):
                pid, case, t0, chunks = running[r]
                finished = timed_out = False
                if r in ready:
                    data = os.read(r, 1 << 16)
                    if data:
                        chunks.append(data)
                    else:
                        finished = True
                if not finished and now - t0 > timeout:
                    os.kill(pid, signal.SIGKILL)
                    finished = timed_out = True
                if finished:
                    os.waitpid(pid, 0)
                    os.close(r)
                    del running[r]
                    out = None
                    if chunks and not timed_out:
                        try:
                            out = pickle.loads(b"".join(chunks))
                        except Exception:  # noqa: BLE001
                            out = None
                    case.seconds = time.monotonic() - t0
                    _classify(case, out, timed_out)
                    done += 1
                    if progress:
                        progress(done, case)
    return cases


class _single_thread:
    def __enter__(self):
        try:
            from threadpoolctl import threadpool_limits

            self._ctx = threadpool_limits(limits=1)
        except ImportError:
            self._ctx = None
        return self

    def __exit__(self, *exc):
        if self._ctx is not None:
            self._ctx.unregister() if hasattr(self._ctx, "unregister") else self._ctx.__exit__(*exc)


# --- valid variants from hypothesis ------------------------------------------------

def _strategy(kind, v):
    from hypothesis import strategies as st

    seeds = st.integers(0, 2**32 - 1)
    shape = np.shape(v)
    if kind == "herm":
        return st.tuples(seeds, st.floats(0.3, 3.0)).map(
            lambda s: reg.rand_herm(np.random.default_rng(s[0]), shape[-1], s[1]))
    if kind == "fstate":
        return seeds.map(lambda s: reg.rand_faithful(np.random.default_rng(s), shape[-1]))
    if kind == "fstates":
        return seeds.map(lambda s: np.stack([reg.rand_faithful(np.random.default_rng([s, j]), shape[-1])
                                             for j in range(shape[0])]))
    if kind == "rates":
        return st.lists(st.floats(0.1, 5.0), min_size=shape[0], max_size=shape[0]).map(np.array)
    if kind == "rate":
        return st.floats(0.1, 5.0)
    raise KeyError(kind)


def hypothesis_variants(entry, n=N_VARIANTS):
    """``n`` valid variants of the baseline call: the ``vary`` arguments redrawn by
    hypothesis (seeded random Hermitian H, faithful states, rates in [0.1, 5]),
    derandomized so that every run draws the same examples."""
    if not entry.vary:
        return []
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    out = []
    strat = st.fixed_dictionaries({a: _strategy(k, entry.kwargs[a]) for a, k in entry.vary.items()})

    @settings(max_examples=n, derandomize=True, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strat)
    def collect(upd):
        if len(out) < n:
            out.append(upd)

    collect()
    return [dict(entry.kwargs, **u) for u in out]


# --- the whole run -------------------------------------------------------------------

def _variants_in_child(entries):
    """All hypothesis variants, drawn in a forked helper so that this process never
    imports hypothesis (a smaller parent forks faster)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            out = {i: hypothesis_variants(e) for i, e in enumerate(entries) if e.vary}
            data = pickle.dumps(out)
            with os.fdopen(w, "wb") as fh:
                fh.write(data)
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    return pickle.loads(data)


def build_cases(entries, only=None):
    cases = []
    entries = [e for e in entries if not only or only in e.name]
    variants = _variants_in_child(entries)
    for i, e in enumerate(entries):
        cases.append(Case(e, "", "baseline", dict(e.kwargs), True))
        for k, upd in enumerate(variants.get(i, [])):
            kw = dict(e.kwargs)
            kw.update({a: upd[a] for a in e.vary})
            cases.append(Case(e, "", f"hypothesis #{k}", kw, True))
        for arg, label, kw in e.cases():
            cases.append(Case(e, arg, label, kw, False))
    return cases


@dataclasses.dataclass
class Result:
    cases: list
    counts: collections.Counter
    seconds: float
    missing: list          # enumerated public callables without an entry or exclusion
    stale: list            # entries naming no enumerated callable
    n_callables: int

    @property
    def failing(self):
        return {c: self.counts.get(c, 0) for c in FAILING}


def run(only=None, jobs=JOBS, timeout=TIMEOUT, verbose=False):
    t0 = time.monotonic()
    entries = reg.build_registry()
    public = reg.enumerate_public()
    names = {e.name for e in entries}
    missing = [n for n in public if n not in names and n not in reg.EXCLUDED]
    stale = sorted(names - set(public))
    cases = build_cases(entries, only)

    def prog(i, c):
        if verbose and (i % 250 == 0 or i == len(cases)):
            print(f"  {i}/{len(cases)} cases, {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)

    run_cases(cases, jobs=jobs, timeout=timeout, progress=prog)
    counts = collections.Counter(c.outcome for c in cases)
    return Result(cases, counts, time.monotonic() - t0, missing, stale, len(names))


def _module_of(name):
    parts = name.split(".")
    return ".".join(parts[:2])


def format_report(res: Result) -> str:
    lines = []
    inv = [c for c in res.cases if not c.valid]
    val = [c for c in res.cases if c.valid]
    lines.append("qrmlib fuzz report (issue 11, item 8) -- tests/_fuzz.py, "
                 f"{time.strftime('%Y-%m-%d %H:%M:%S')}")
    lines.append(f"{res.n_callables} registered callables, {len(reg.EXCLUDED)} excluded, "
                 f"{len(inv)} invalid-input cases, {len(val)} valid cases, {res.seconds:.1f} s "
                 f"(jobs={JOBS}, timeout={TIMEOUT:g} s, address-space cap +{MEM_CAP >> 30} GiB)")
    lines.append("")
    lines.append("Summary (invalid input)")
    for c in INVALID_CATS:
        lines.append(f"  {c:18s} {res.counts.get(c, 0):6d}")
    lines.append("Summary (valid input)")
    for c in VALID_CATS:
        lines.append(f"  {c:18s} {res.counts.get(c, 0):6d}")
    lines.append("")
    if res.missing:
        lines.append("PUBLIC CALLABLES WITHOUT A REGISTRY ENTRY (add them to tests/_fuzz_registry.py):")
        lines += [f"  {n}" for n in res.missing]
        lines.append("")
    if res.stale:
        lines.append("Registry entries naming no public callable (renamed/removed?):")
        lines += [f"  {n}" for n in res.stale]
        lines.append("")
    # per module
    lines.append("Per module: non-clean / total cases")
    bym = collections.defaultdict(collections.Counter)
    for c in res.cases:
        bym[_module_of(c.entry.name)][c.outcome] += 1
    for m in sorted(bym):
        cnt = bym[m]
        bad = sum(v for k, v in cnt.items() if k in FAILING)
        detail = ", ".join(f"{k} {v}" for k, v in sorted(cnt.items()) if k in FAILING)
        lines.append(f"  {m:22s} {bad:5d} / {sum(cnt.values()):5d}   {detail}")
    lines.append("")
    lines.append("Exclusions (not fuzzed):")
    lines += [f"  {n}: {why}" for n, why in sorted(reg.EXCLUDED.items())]
    lines.append("")
    lines.append("Non-clean cases (callable | argument | mutation | outcome | exception: message)")
    bad = [c for c in res.cases if c.outcome in FAILING]
    bad.sort(key=lambda c: (c.entry.name, c.arg, c.label))
    last = None
    for c in bad:
        if c.entry.name != last:
            lines.append(f"== {c.entry.name}")
            last = c.entry.name
        msg = " ".join(c.msg.split())[:160]
        exc = f"{c.etype}: {msg}" if c.etype else ""
        lines.append(f"   {c.arg or '-':14s} | {c.label:30s} | {c.outcome:16s} | {exc}")
    lines.append("")
    tot = collections.Counter()
    for c in res.cases:
        tot[c.entry.name] += c.seconds
    lines.append("Most expensive callables (child seconds, all cases): "
                 + "; ".join(f"{n.split('.', 1)[1]} {s:.1f}s" for n, s in tot.most_common(12)))
    slow = sorted(res.cases, key=lambda c: -c.seconds)[:10]
    lines.append("Slowest cases: " + "; ".join(f"{c.entry.name.split('.', 1)[1]}[{c.arg}:{c.label}] {c.seconds:.1f}s"
                                              for c in slow))
    return "\n".join(lines) + "\n"


def write_report(text: str, paths=None):
    for p in paths or REPORTS:
        try:
            os.makedirs(os.path.dirname(p), exist_ok=True)
            tmp = p + ".tmp"
            with open(tmp, "w") as fh:
                fh.write(text)
            os.replace(tmp, p)
        except OSError:
            pass


def write_json(res: Result, path: str) -> None:
    import json

    bad = [dict(name=c.entry.name, arg=c.arg, label=c.label, outcome=c.outcome, etype=c.etype, msg=c.msg)
           for c in res.cases if c.outcome in FAILING]
    doc = dict(counts=dict(res.counts), failing=res.failing, missing=res.missing, stale=res.stale,
               seconds=res.seconds, n_cases=len(res.cases), n_callables=res.n_callables,
               callables=sorted({c.entry.name for c in res.cases}), bad=bad)
    with open(path, "w") as fh:
        json.dump(doc, fh, indent=1)


def main(argv=None):
    global JOBS, TIMEOUT
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="run only callables whose name contains this string")
    ap.add_argument("--jobs", type=int, default=JOBS)
    ap.add_argument("--timeout", type=float, default=TIMEOUT)
    ap.add_argument("--report", action="append", help="report path(s); default " + ", ".join(REPORTS))
    ap.add_argument("--full", action="store_true", help="print the whole report, not only the summary")
    ap.add_argument("--json", help="also write the counts and the non-clean cases as JSON here")
    a = ap.parse_args(argv)
    JOBS, TIMEOUT = a.jobs, a.timeout
    res = run(only=a.only, jobs=a.jobs, timeout=a.timeout, verbose=True)
    text = format_report(res)
    if not a.only:
        write_report(text, a.report)
    elif a.report:
        write_report(text, a.report)
    if a.json:
        write_json(res, a.json)
    print(text if a.full else text.split("Non-clean cases")[0])
    return 0 if not any(res.failing.values()) and not res.missing else 1


if __name__ == "__main__":
    sys.exit(main())
