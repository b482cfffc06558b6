"""Fuzz test of issue 11, item 8: every public callable of qrmlib, one-argument
mutations into unambiguously invalid inputs plus hypothesis-generated valid
variants, each case in a forked child with a timeout and a memory cap.

The harness and the registry are ``tests/_fuzz.py`` and ``tests/_fuzz_registry.py``
(``python tests/_fuzz.py`` prints the table).  The run writes its report to
``_build/fuzz_report.txt`` (and ``/tmp/fuzz_report.txt``).
"""

import inspect
import json
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _fuzz  # noqa: E402
import _fuzz_registry as reg  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the fuzz harness forks one child per case")


def _show(cases, n=25):
    lines = [f"{c['name']} | {c['arg']} | {c['label']} | {c['outcome']} | {c['etype']}: {' '.join(c['msg'].split())[:120]}"
             for c in cases[:n]]
    more = f"\n... and {len(cases) - n} more (see _build/fuzz_report.txt)" if len(cases) > n else ""
    return "\n".join(lines) + more


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory):
    """Run the harness in a fresh interpreter: a small parent (no pytest, no other test
    modules, no hypothesis) forks its ~4500 children several times faster."""
    out = tmp_path_factory.mktemp("fuzz") / "fuzz.json"
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, _fuzz.__file__, "--json", str(out)], env=env,
                          capture_output=True, text=True, timeout=900)
    assert out.exists(), f"the fuzz harness did not finish:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    doc = json.loads(out.read_text())
    print(proc.stdout.split("Per module")[0])
    return doc


def _bad(doc, *outcomes):
    return [c for c in doc["bad"] if c["outcome"] in outcomes]


def test_registry_covers_every_public_callable():
    """A new public function without a registry entry (or a justified exclusion) fails here."""
    entries = reg.build_registry()
    public = set(reg.enumerate_public())
    names = {e.name for e in entries}
    missing = sorted(public - names - set(reg.EXCLUDED))
    assert not missing, "public callables without a fuzz registry entry:\n" + "\n".join(missing)
    assert not sorted(names - public), "registry entries naming no public callable"
    assert all(isinstance(why, str) and len(why) > 20 for why in reg.EXCLUDED.values())
    assert len(reg.EXCLUDED) <= 10, "keep the exclusions few"
    # every argument of every entry is fuzzed, except arguments with no invalid value
    for e in entries:
        assert set(e.kinds) <= set(e.kwargs), e.name


def test_every_argument_is_fuzzed():
    """Every parameter of every registered callable gets mutations (new arguments too)."""
    fuzzed = {}
    for e in reg.build_registry():
        fuzzed.setdefault(e.name, set()).update(e.kinds, (a for a, _, _ in e.extra))
        fuzzed.setdefault(e.name + ":fn", e.fn)
    missing = []
    for name, args in fuzzed.items():
        if name.endswith(":fn"):
            continue
        try:
            params = inspect.signature(fuzzed[name + ":fn"]).parameters
        except (TypeError, ValueError):
            continue
        for p, v in params.items():
            if v.kind in (v.VAR_POSITIONAL, v.VAR_KEYWORD) or p.startswith("_") or p in args:
                continue
            if (name, p) not in reg.UNFUZZED:
                missing.append(f"{name}({p})")
    assert not missing, "arguments without mutations (add a kind in tests/_fuzz_registry.py):\n" + "\n".join(missing)


def test_registry_baselines_and_mutations_are_well_formed():
    """Each case changes the baseline call (a mutation that is a no-op would count as accepted)."""
    for e in reg.build_registry():
        for arg, label, kw in e.cases():
            changed = set(kw) != set(e.kwargs) or any(kw[k] is not e.kwargs[k] for k in kw)
            assert changed, (e.name, arg, label)


@pytest.mark.parametrize("category", ["hang", "crash", "valid-hang", "valid-crash"])
def test_no_hang_or_crash(fuzz, category):
    bad = _bad(fuzz, category)
    assert not bad, f"{len(bad)} cases: {category}\n" + _show(bad)


def test_only_value_or_type_errors(fuzz):
    bad = _bad(fuzz, "other-exception")
    assert not bad, f"{len(bad)} invalid inputs raise another exception type\n" + _show(bad)


def test_no_invalid_input_accepted(fuzz):
    bad = _bad(fuzz, "accepted-invalid")
    assert not bad, f"{len(bad)} invalid inputs were accepted (a value was returned)\n" + _show(bad)


def test_messages_name_the_argument(fuzz):
    bad = _bad(fuzz, "unnamed")
    assert not bad, f"{len(bad)} ValueError/TypeError messages do not name the argument\n" + _show(bad)


def test_valid_inputs_give_finite_results(fuzz):
    bad = _bad(fuzz, "valid-error", "valid-nonfinite")
    assert not bad, f"{len(bad)} valid calls raised or returned non-finite values\n" + _show(bad)


def test_fuzz_covers_every_registered_callable(fuzz):
    assert not fuzz["missing"], "public callables without a registry entry: " + ", ".join(fuzz["missing"])
    assert set(fuzz["callables"]) == {e.name for e in reg.build_registry()}
    assert fuzz["counts"].get("valid-ok", 0) > 0
    assert fuzz["counts"].get("clean", 0) > 1000
