"""Registry of the fuzz test (issue 11, item 8): every public callable of qrmlib,
a small valid baseline call, and the KIND of each argument.

A kind maps the baseline value of an argument to a list of ``(label, value)``
mutations, each an *unambiguously invalid* input for that argument (NaN, inf,
wrong shape, complex where a real is required, a string, ...).  Only mutations
that no reading of the docstring makes valid are generated: e.g. a negative
entry of a Hamiltonian is never a mutation.

Built once in the parent process (cheap); the harness (``_fuzz.py``) forks one
child per case.
"""

from __future__ import annotations

import importlib
import inspect
import os
import tempfile
from dataclasses import dataclass, field

import numpy as np

NAN, INF = float("nan"), float("inf")

# ---------------------------------------------------------------------------------
# kinds: baseline value -> [(label, invalid value)]
# ---------------------------------------------------------------------------------

COMMON = [("None", None), ("str", "abc"), ("list-of-str", ["a", "b"])]


def _put(v, idx, x, mirror=False):
    a = np.array(v, dtype=complex, copy=True)
    a[idx] = x
    if mirror:
        i, j = idx[-2], idx[-1]
        a[idx[:-2] + (j, i)] = np.conj(x)
    return a


def _first(v):
    """Index of the first matrix of a stack ``(..., d, d)``."""
    return (0,) * (np.ndim(v) - 2)


def k_matrix(v, tied=False):
    """Any square matrix (stack) ``(..., d, d)``."""
    v = np.asarray(v)
    d = v.shape[-1]
    f = _first(v)
    out = [("nan entry", _put(v, f + (0, 0), NAN)),
           ("inf entry", _put(v, f + (0, d - 1), INF, mirror=True)),
           ("-inf entry", _put(v, f + (d - 1, d - 1), -INF)),
           ("inf diagonal [0, 0]", _put(v, f + (0, 0), INF)),
           ("ndim 1", np.asarray(v)[f + (0,)]),
           ("non-square", np.asarray(v)[..., :, : d - 1] if d > 1 else np.zeros(v.shape[:-1] + (2,))),
           ("empty", np.zeros((0, 0)))] + COMMON
    if tied:
        out.append(("mismatched d", np.eye(d + 1) / (d + 1)))
    return out


def k_anymatrix(v):
    """Any (possibly rectangular) matrix ``(..., m, n)``."""
    v = np.asarray(v)
    f = _first(v)
    return [("nan entry", _put(v, f + (0, 0), NAN)), ("inf entry", _put(v, f + (0, 0), INF)),
            ("ndim 1", v[f + (0,)])] + COMMON


def k_herm(v, tied=False):
    v = np.asarray(v)
    d = v.shape[-1]
    out = k_matrix(v, tied)
    if d > 1:
        out.append(("non-Hermitian", _put(v, _first(v) + (0, d - 1), v[_first(v) + (0, d - 1)] + 1.0)))
    return out


def _neg_state(d):
    w = np.zeros(d)
    w[0], w[-1] = 1.5, -0.5
    return np.diag(w).astype(complex)


def k_pd(v, tied=False):
    """Positive definite Hermitian matrix (not necessarily trace one)."""
    d = np.shape(v)[-1]
    sing = np.eye(d, dtype=complex)
    sing[-1, -1] = 0
    return k_herm(v, tied) + [("negative eigenvalue", _neg_state(d)), ("singular", sing)]


def k_state(v, tied=False, faithful=False):
    """Density matrix (faithful if ``faithful``)."""
    v = np.asarray(v)
    d = v.shape[-1]
    out = k_herm(v, tied) + [("trace 1.1", 1.1 * v), ("negative eigenvalue", _neg_state(d))]
    if faithful:
        pure = np.zeros((d, d), complex)
        pure[0, 0] = 1
        out.append(("rank-deficient (not faithful)", pure))
    return out


def k_fstate(v, tied=False):
    return k_state(v, tied, faithful=True)


def k_states(v, faithful=False, tiedJ=True):
    """Stack of states ``(J, d, d)``: mutate one element, the stack's ndim, emptiness, J."""
    v = np.asarray(v)
    out = []
    for lab, m in k_state(v[0], tied=True, faithful=faithful):
        if lab in ("None", "str", "list-of-str", "ndim 1", "non-square", "empty"):
            continue
        if lab == "mismatched d":
            out.append(("state of mismatched d", np.eye(v.shape[-1] + 1)[None] / (v.shape[-1] + 1)))
            continue
        s = np.array(v, complex, copy=True)
        s[0] = m
        out.append(("element: " + lab, s))
    out += [("ndim 2", v[0]), ("empty stack", np.zeros((0,) + v.shape[-2:], complex))] + COMMON
    if tiedJ:
        out.append(("J+1 (mismatched J)", np.concatenate([v, v[:1]])))
    return out


def k_fstates(v, tiedJ=True):
    return k_states(v, faithful=True, tiedJ=tiedJ)


def k_real(v):
    """Finite real number(s), broadcasting."""
    return [("nan", NAN), ("inf", INF), ("-inf", -INF), ("complex", 1.0 + 1.0j)] + COMMON


def k_real_s(v):
    """One finite real scalar."""
    return k_real(v) + [("shape (2,)", np.array([float(v), float(v)]))]


def k_prob(v):
    """A population t in [0, 1]."""
    return k_real(v) + [("1.5", 1.5), ("-0.5", -0.5)]


def k_prob_s(v):
    return k_prob(v) + [("shape (2,)", np.array([float(v), float(v)]))]


def k_rate(v):
    """Positive rate(s), broadcasting (hypothesis Diss)."""
    return k_real(v) + [("-1", -1.0), ("0", 0.0)]


def k_rate_s(v):
    return k_rate(v) + [("shape (2,)", np.array([float(v), float(v)]))]


def k_posreal(v):
    """Strictly positive finite real (radius, half width, ...)."""
    return k_rate(v)


def k_rates(v, tiedJ=True):
    """Rates ``(..., J)``, > 0."""
    v = np.asarray(v, float)
    out = [("nan", _r(v, NAN)), ("inf", _r(v, INF)), ("negative", _r(v, -1.0)), ("zero", _r(v, 0.0)),
           ("complex", v + 1j), ("empty", np.zeros(0))] + COMMON
    if tiedJ:
        out.append(("J+1", np.append(v, v[0])))
    return out


def _r(v, x):
    a = np.array(v, dtype=complex if np.iscomplexobj(v) else float, copy=True)
    a.flat[0] = x
    return a


def k_weights(v, affine=False):
    v = np.asarray(v, float)
    out = [("nan", _r(v, NAN)), ("inf", _r(v, INF)), ("complex", v + 0.5j), ("empty", np.zeros(0)),
           ("J+1", np.append(v, 0.0))] + COMMON
    if affine:
        out.append(("sum != 1", np.full_like(v, 0.7)))
    return out


def k_affine(v):
    return k_weights(v, affine=True)


def k_g_nz(v):
    """Nonzero finite real coupling."""
    return k_real(v) + [("0", 0.0)]


def k_g_nz_s(v):
    return k_g_nz(v) + [("shape (2,)", np.array([float(v), float(v)]))]


def k_lam(v):
    """Real affine parameter lam not in {0, 1}."""
    return k_real(v) + [("0", 0.0), ("1", 1.0)]


def k_lam_s(v):
    return k_lam(v) + [("shape (2,)", np.array([float(v), float(v)]))]


def k_cplx(v):
    """Finite complex number(s)."""
    return [("nan", complex(NAN, 0)), ("inf", complex(INF, 0)), ("nan imag", complex(0.1, NAN))] + COMMON


def k_dims(v):
    return [("length 2", (2, 4)), ("zero factor", (2, 0, 2)), ("negative factor", (2, -2, 2)),
            ("float factor", (2, 2.5, 2)), ("product mismatch", (2, 2, 3))] + COMMON


def k_dims_any(v):
    """Factor dimensions of any tensor product (any length)."""
    return [("zero factor", (2, 0, 2)), ("negative factor", (2, -2, 2)), ("float factor", (2, 2.5, 2)),
            ("product mismatch", (2, 2, 3))] + COMMON


def k_dims3(v):
    """Three factor dimensions, any product (a model is built from them)."""
    return [("length 2", (2, 4)), ("zero factor", (2, 0, 2)), ("negative factor", (2, -2, 2)),
            ("float factor", (2, 2.5, 2))] + COMMON


def k_fstate_opt(v, tied=False):
    """Optional faithful state (None is the valid default)."""
    return [(lab, m) for lab, m in k_fstate(v, tied) if lab != "None"]


def k_bound(v):
    """A finite real bound of a check (an infinite bound is a one-sided range: not a mutation)."""
    return [("nan", NAN), ("complex", 1.0 + 1.0j), ("shape (2,)", np.array([float(v), float(v)]))] + COMMON


def k_margin(v):
    """A margin (may be +-inf by design: not a mutation)."""
    return [("nan", NAN), ("complex", 1.0 + 1.0j)] + COMMON


def k_keep(v):
    return [("out of range", 7), ("float", 1.5), ("None", None), ("str", "a")]


def k_count(v):
    """Integer >= 1."""
    return [("0", 0), ("-1", -1), ("float 2.5", 2.5), ("nan", NAN), ("None", None), ("str", "3")]


def k_count_opt(v):
    """Optional integer >= 1 (None is the valid default)."""
    return [("0", 0), ("-1", -1), ("float 2.5", 2.5), ("str", "3")]


def k_count0(v):
    """Integer >= 0."""
    return [("-1", -1), ("float 2.5", 2.5), ("None", None), ("str", "3")]


def k_tol(v):
    return [("inf", INF), ("-1", -1.0), ("nan", NAN), ("complex", 1e-9 + 1j), ("None", None), ("str", "abc")]


def k_dps(v):
    return [("-1", -1), ("5 (< 15 digits)", 5), ("float 20.5", 20.5), ("None", None), ("str", "50")]


def k_option(v):
    return [("unknown option", "bogus"), ("None", None), ("int", 3)]


def k_bool(v):
    return [("str", "yes"), ("float", 2.5)]


def k_callable(v):
    return [("None", None), ("int", 3), ("str", "abc")]


def k_callable_opt(v):
    return [("int", 3), ("str", "abc")]


def k_model(v):
    return [("float", 3.0), ("None", None), ("str", "abc"), ("ndarray", np.eye(8))]


def k_text(v):
    return [("None", None), ("float", 3.0)]


def k_numeric(v):
    """Finite numbers (any shape, non-empty)."""
    v = np.asarray(v)
    v = v.astype(complex if np.iscomplexobj(v) else float)
    return [("nan", _r(v, NAN)), ("inf", _r(v, INF)), ("-inf", _r(v, -INF)), ("empty", np.zeros(0))] + COMMON


def k_condition(v):
    return [("str 'False'", "False"), ("empty", np.array([], bool)), ("None", None), ("float", 1.5)]


def k_range(v):
    """A (lo, hi) pair of finite reals."""
    return [("nan", (NAN, 1.0)), ("inf", (0.1, INF)), ("length 1", (0.5,)), ("reversed", (1.0, 0.5)),
            ("None", None), ("str", "ab")]


def k_range_pos(v):
    return k_range(v) + [("non-positive lo", (-1.0, 2.0))]


def k_range01(v):
    return k_range(v) + [("outside (0, 1)", (-0.5, 0.5)), ("above 1", (0.5, 1.5))]


def k_probs_seq(v):
    return [("nan", (NAN,)), ("empty", ()), ("1.5", (1.5,)), ("None", None), ("str", "ab")]


def k_superop(v, tied=False):
    v = np.asarray(v)
    n = v.shape[-1]
    out = [("nan entry", _put(v, (0, 0), NAN)), ("inf entry", _put(v, (0, 1), INF)),
           ("inf at [0, 0] (hung SVD at HEAD)", _put(v, (0, 0), INF)), ("ndim 1", v[0]), ("non-square", v[:, :-1]), ("size not d**2", np.eye(3)),
           ("empty", np.zeros((0, 0)))] + COMMON
    if tied:
        out.append(("mismatched d", np.eye(9)))
    return out


def k_superops(v):
    v = np.asarray(v)
    return [("nan entry", _put(v, (0, 0, 0), NAN)), ("inf entry", _put(v, (0, 0, 1), INF)),
            ("inf at [0, 0]", _put(v, (0, 0, 0), INF)), ("ndim 2", v[0]), ("J+1", np.concatenate([v, v[:1]])), ("empty stack", np.zeros((0,) + v.shape[1:])),
            ("mismatched d", np.zeros((v.shape[0], 9, 9)))] + COMMON


def k_jumps(v):
    v = np.asarray(v)
    return [("nan entry", _put(v, (0, 0, 0), NAN)), ("inf entry", _put(v, (0, 0, 1), INF)),
            ("mismatched d", np.zeros((1, 3, 3))), ("ndim 1", v[0, 0])] + COMMON


def k_vecd(v):
    v = np.asarray(v)
    return [("nan entry", _r(v.real, NAN)), ("inf entry", _r(v.real, INF)), ("length not d**2", np.ones(3)),
            ("ndim 0", np.array(1.0))] + COMMON


def k_axes(v):
    return [("empty dict", {}), ("empty axis", {"x": np.zeros(0)}), ("2-D axis", {"x": np.ones((2, 2))}),
            ("nan axis", {"x": np.array([NAN, 1.0])}), ("None", None), ("str", "abc")]


def k_dict_opt(v):
    return [("str", "abc"), ("int", 3)]


def k_path(v):
    return [("None", None), ("int", 3)]


def k_figure(v):
    return [("None", None), ("int", 3), ("str", "abc")]


def k_data(v):
    return [("None", None), ("int", 3), ("str", "abc")]


def k_data_opt(v):
    return [("int", 3), ("str", "abc")]


def k_env(v):
    return [("str", "abc"), ("length 3", (np.eye(2), np.eye(2), np.eye(2))),
            ("nan entry", (_put(v[0], (0, 0), NAN), v[1]))]


def k_out_shape(v):
    return [("negative", (-1,)), ("float", (2.5,)), ("str", "abc")]


def k_dtype(v):
    return [("unknown dtype", "bogus")]


def k_rows(v):
    return [("None", None), ("int", 3)]


def k_text_figs(v):
    return [("None", None), ("int", 3), ("not numbers", "abc"), ("no such figure", "9")]


def k_figno(v):
    return [("0", 0), ("-1", -1), ("float 2.5", 2.5), ("None", None), ("str", "2")]


# ---------------------------------------------------------------------------------
# registry entries
# ---------------------------------------------------------------------------------

@dataclass
class Entry:
    name: str                    # e.g. "qrmlib.reset.steady_state", "qrmlib.tripartite.TripartiteQRM.L"
    fn: object                   # the callable (bound method for methods)
    kwargs: dict                 # valid baseline keyword arguments
    kinds: dict                  # argument -> kind function (baseline value -> mutations)
    extra: list = field(default_factory=list)   # (arg named in the message, label, kwargs update)
    vary: dict = field(default_factory=dict)    # argument -> hypothesis strategy name, for valid variants
    allow: tuple = ()            # extra exception types that count as a clean refusal
    unnamed_ok: tuple = ()       # exception types for which the message need not name the argument

    def cases(self):
        """All ``(arg, label, kwargs)`` invalid cases."""
        for arg, kind in self.kinds.items():
            if arg not in self.kwargs:  # an option of a newer API (the registry test requires it present)
                continue
            for label, val in kind(self.kwargs[arg]):
                kw = dict(self.kwargs)
                kw[arg] = val
                yield arg, label, kw
        for arg, label, upd in self.extra:
            kw = dict(self.kwargs)
            kw.update(upd)
            yield arg, label, kw


def tied(kind, **opts):
    def k(v):
        return kind(v, **opts)
    k.__name__ = kind.__name__ + "".join(f"[{a}={b}]" for a, b in opts.items())
    return k


T = lambda kind: tied(kind, tied=True)  # noqa: E731


#: callables deliberately not fuzzed, each with its reason
EXCLUDED = {
    "qrmlib.single_thread_blas": "context manager without arguments (threadpoolctl); nothing to validate",
    "qrmlib.figures.fig1_draw": "pure plotting of fig1_data's dict (Matplotlib); its input is the library's own output",
    "qrmlib.figures.fig2_draw": "pure plotting of fig2_data's dict (Matplotlib)",
    "qrmlib.figures.fig3_draw": "pure plotting of fig3_data's dict (Matplotlib)",
    "qrmlib.figures.fig4_draw": "pure plotting of fig4_data's dict (Matplotlib)",
    "qrmlib.figures.fig5_draw": "pure plotting of fig5_data's dict (Matplotlib)",
    "qrmlib.theorem72.plot_convergence": "pure plotting of run_search's log dict (Matplotlib)",
    "qrmlib.theorem72.plot_lambda_star": "pure plotting of run_search's log dict (Matplotlib)",
    "qrmlib.figures.main": "command-line entry point (argparse exits with SystemExit by design, writes files)",
}

#: (callable, argument) pairs deliberately given no mutation, each with its reason
UNFUZZED = {}

MODULES = ["qrmlib", "qrmlib.linalg", "qrmlib.lindblad", "qrmlib.reset", "qrmlib.models",
           "qrmlib.tripartite", "qrmlib.perturbation", "qrmlib.series", "qrmlib.sweep",
           "qrmlib.figures", "qrmlib.checks", "qrmlib.testing", "qrmlib.theorem72"]


def _is_result_record(obj) -> bool:
    """A NamedTuple result type (constructed by the library, not an entry point)."""
    return inspect.isclass(obj) and issubclass(obj, tuple) and hasattr(obj, "_fields")


def _import_public(modname):
    """The module, or None if absent (or, for a copy of the package on ``PYTHONPATH``,
    resolved from another tree)."""
    try:
        mod = importlib.import_module(modname)
    except ImportError:
        return None
    pkg = importlib.import_module("qrmlib")
    if modname != "qrmlib" and os.path.dirname(os.path.abspath(mod.__file__)) != \
            os.path.dirname(os.path.abspath(pkg.__file__)):
        return None
    return mod


def enumerate_public():
    """Canonical names of every public callable: each module's ``__all__`` (an object
    re-exported by ``qrmlib`` counts once, under the submodule exporting it) and the
    public methods of public classes.  NamedTuple result types are skipped."""
    seen = {}
    for modname in MODULES[1:] + MODULES[:1]:  # submodules first, then the package
        mod = _import_public(modname)
        if mod is None:
            continue
        for n in getattr(mod, "__all__", []):
            obj = getattr(mod, n, None)
            if obj is None or inspect.ismodule(obj) or not callable(obj) or _is_result_record(obj):
                continue
            seen.setdefault(id(obj), (f"{modname}.{n}", obj))
    names = []
    for name, obj in seen.values():
        names.append(name)
        if inspect.isclass(obj):
            for k, v in vars(obj).items():
                if k.startswith("_") or isinstance(v, property):
                    continue
                f = v.__func__ if isinstance(v, (staticmethod, classmethod)) else v
                if callable(f):
                    names.append(f"{name}.{k}")
    return sorted(set(names))


# --- baseline fixtures --------------------------------------------------------------

def _rng():
    return np.random.default_rng(20240119)


def rand_herm(rng, d, scale=1.0):
    a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    return scale * (a + a.conj().T) / 2


def rand_faithful(rng, d, floor=0.1):
    x = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    r = x @ x.conj().T
    r = r / np.trace(r).real
    return (1 - floor) * r + floor * np.eye(d) / d


_TMP = None


def tmpdir():
    global _TMP
    if _TMP is None:
        import atexit
        import shutil

        _TMP = tempfile.mkdtemp(prefix="qrm_fuzz_")
        atexit.register(shutil.rmtree, _TMP, True)  # children leave by os._exit: only the parent cleans
    return _TMP


def build_registry():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import qrmlib
    from qrmlib import checks, figures, linalg, lindblad, models, perturbation, reset, series, sweep, tripartite

    for mod in ("scipy.linalg", "scipy.sparse.linalg", "mpmath", "matplotlib.figure", "tqdm", "html"):
        try:
            importlib.import_module(mod)
        except ImportError:
            pass
    rng = _rng()
    E = []

    def add(name, fn, kwargs, kinds, **kw):
        E.append(Entry(name, fn, kwargs, kinds, **kw))

    # --- linalg --------------------------------------------------------------
    A2 = rand_herm(rng, 2) + 0.3j * np.eye(2)        # a generic square matrix
    H2 = rand_herm(rng, 2)
    R2 = rand_faithful(rng, 2)
    S2 = rand_faithful(rng, 2)
    L = "qrmlib.linalg."
    add(L + "dagger", linalg.dagger, dict(a=np.ones((2, 3)) + 1j), dict(a=k_anymatrix))
    add(L + "hermitian_part", linalg.hermitian_part, dict(a=A2), dict(a=k_matrix))
    for n in ("commutator", "anticommutator"):
        add(L + n, getattr(linalg, n), dict(a=A2, b=H2), dict(a=T(k_matrix), b=T(k_matrix)),
            vary=dict(a="herm", b="herm"))
    add(L + "is_hermitian", linalg.is_hermitian, dict(a=H2, atol=1e-10), dict(a=k_matrix, atol=k_tol))
    add(L + "logm_pd", linalg.logm_pd, dict(rho=R2), dict(rho=k_pd), vary=dict(rho="fstate"))
    add(L + "funm_herm", linalg.funm_herm, dict(a=H2, f=np.exp), dict(a=k_herm, f=k_callable),
        vary=dict(a="herm"))
    add(L + "entropy", linalg.entropy, dict(rho=R2), dict(rho=k_state), vary=dict(rho="fstate"))
    add(L + "relative_entropy", linalg.relative_entropy, dict(mu=R2, nu=S2, tol=1e-12),
        dict(mu=T(k_state), nu=T(k_state), tol=k_tol), vary=dict(mu="fstate", nu="fstate"))
    add(L + "trace_distance", linalg.trace_distance, dict(a=R2, b=A2), dict(a=T(k_matrix), b=T(k_matrix)),
        vary=dict(a="fstate", b="fstate"))
    R8 = rand_faithful(rng, 8)
    add(L + "partial_trace", linalg.partial_trace, dict(rho=R8, dims=(2, 2, 2), keep=1),
        dict(rho=T(k_matrix), dims=k_dims_any, keep=k_keep), vary=dict(rho="fstate"))
    add(L + "dlog", linalg.dlog, dict(rho=R2, delta=H2), dict(rho=T(k_pd), delta=T(k_matrix)),
        vary=dict(rho="fstate", delta="herm"))
    for n in ("spre", "spost", "superop_commutator"):
        arg = list(inspect.signature(getattr(linalg, n)).parameters)[0]
        add(L + n, getattr(linalg, n), {arg: A2}, {arg: k_matrix})
    add(L + "sprepost", linalg.sprepost, dict(a=A2, b=H2), dict(a=T(k_matrix), b=T(k_matrix)))
    add(L + "linear_map_matrix", linalg.linear_map_matrix, dict(f=lambda X: np.swapaxes(X, -1, -2), n_in=2),
        dict(f=k_callable, n_in=k_count))
    add(L + "vec", linalg.vec, dict(x=A2), dict(x=k_anymatrix))
    add(L + "unvec", linalg.unvec, dict(v=linalg.vec(A2), d=2), dict(v=k_vecd, d=k_count_opt),
        extra=[("d", "d mismatching len(v)", dict(d=3))])

    # --- reset ---------------------------------------------------------------
    TAUS = np.stack([rand_faithful(rng, 2), rand_faithful(rng, 2)])
    G = np.array([0.7, 1.3])
    LAM = np.array([0.3, 0.7])
    RHO = reset.steady_state(H2, TAUS, G)
    Rs = "qrmlib.reset."
    QV = dict(H="herm", taus="fstates", gammas="rates")
    add(Rs + "combine_resets", reset.combine_resets, dict(taus=TAUS, gammas=G),
        dict(taus=k_states, gammas=k_rates), vary=dict(taus="fstates", gammas="rates"))
    add(Rs + "rho_H", reset.rho_H, dict(H=H2, T=R2), dict(H=T(k_herm), T=T(k_matrix)), vary=dict(H="herm", T="fstate"))
    for n in ("steady_state", "lindbladian"):
        add(Rs + n, getattr(reset, n), dict(H=H2, taus=TAUS, gammas=G),
            dict(H=T(k_herm), taus=k_states, gammas=k_rates), vary=QV)
    add(Rs + "lindbladian_apply", reset.lindbladian_apply, dict(H=H2, taus=TAUS, gammas=G, rho=A2),
        dict(H=T(k_herm), taus=k_states, gammas=k_rates, rho=T(k_matrix)), vary=QV)
    add(Rs + "lindbladian_adjoint_apply", reset.lindbladian_adjoint_apply, dict(H=H2, taus=TAUS, gammas=G, X=A2),
        dict(H=T(k_herm), taus=k_states, gammas=k_rates, X=T(k_matrix)), vary=QV)
    add(Rs + "spectrum", reset.spectrum, dict(H=H2, gammas=G), dict(H=k_herm, gammas=tied(k_rates, tiedJ=False)),
        vary=dict(H="herm", gammas="rates"))
    add(Rs + "evolve", reset.evolve, dict(H=H2, taus=TAUS, gammas=G, rho0=R2, t=np.array([0.0, 0.5, 2.0])),
        dict(H=T(k_herm), taus=k_states, gammas=k_rates, rho0=T(k_matrix), t=k_real), vary=QV)
    add(Rs + "partial_steady_states", reset.partial_steady_states, dict(H=H2, taus=TAUS, gammas=G, lambdas=LAM),
        dict(H=T(k_herm), taus=k_states, gammas=k_rates, lambdas=k_weights), vary=QV)
    add(Rs + "partial_lindbladians_apply", reset.partial_lindbladians_apply,
        dict(H=H2, taus=TAUS, gammas=G, lambdas=LAM, rho=A2),
        dict(H=T(k_herm), taus=k_states, gammas=k_rates, lambdas=k_weights, rho=T(k_matrix)), vary=QV)
    for n in ("entropy_production", "entropy_fluxes"):
        add(Rs + n, getattr(reset, n), dict(H=H2, taus=TAUS, gammas=G, lambdas=LAM, rho=RHO),
            dict(H=T(k_herm), taus=k_fstates, gammas=k_rates, lambdas=k_affine, rho=T(k_fstate_opt)),
            vary=dict(QV, rho="fstate"))
    add(Rs + "flux_observables", reset.flux_observables, dict(H=H2, taus=TAUS, gammas=G, lambdas=LAM),
        dict(H=T(k_herm), taus=k_fstates, gammas=k_rates, lambdas=k_weights), vary=QV)

    # --- lindblad ------------------------------------------------------------
    Lb = "qrmlib.lindblad."
    JUMPS = np.array([[[0, 1], [0, 0]]], complex) * np.sqrt(0.5)
    SOP = lindblad.lindblad_superop(H2, JUMPS)
    add(Lb + "lindblad_superop", lindblad.lindblad_superop, dict(H=H2, jumps=JUMPS),
        dict(H=T(k_herm), jumps=k_jumps), vary=dict(H="herm"))
    add(Lb + "apply_superop", lindblad.apply_superop, dict(S=SOP, rho=R2), dict(S=T(k_superop), rho=T(k_matrix)))
    nss_kw = dict(S=SOP, tol=1e-10) if "tol" in inspect.signature(lindblad.null_steady_state).parameters else dict(S=SOP)
    add(Lb + "null_steady_state", lindblad.null_steady_state, nss_kw, dict(S=k_superop, tol=k_tol),
        extra=[("S", "no kernel (identity)", dict(S=np.eye(4))), ("S", "4-dim kernel (zero)", dict(S=np.zeros((4, 4))))])
    SOPS = np.stack([reset.lindbladian(LAM[j] * H2, TAUS[j:j + 1], G[j:j + 1]) for j in range(2)])
    SST = reset.partial_steady_states(H2, TAUS, G, LAM)
    add(Lb + "entropy_production_sum", lindblad.entropy_production_sum,
        dict(superops=SOPS, steady_states=SST, rho=RHO),
        dict(superops=k_superops, steady_states=k_fstates, rho=T(k_fstate)), vary=dict(rho="fstate"),
        extra=[("superops", "1 superop for 2 states (J mismatch)", dict(superops=SOPS[:1]))])

    # --- models --------------------------------------------------------------
    M_ = "qrmlib.models."
    q = dict(delta=0.7, eps=1.0)
    add(M_ + "qubit_hamiltonian", models.qubit_hamiltonian, dict(q), dict(delta=k_real, eps=k_real))
    add(M_ + "qubit_reset_state", models.qubit_reset_state, dict(t=0.9), dict(t=k_prob))
    for n in ("qubit_steady_state_one_printed", "qubit_steady_state_one"):
        add(M_ + n, getattr(models, n), dict(delta=0.7, gamma_A=1.0, t_A=0.9, eps=1.0),
            dict(delta=k_real, gamma_A=k_rate, t_A=k_prob, eps=k_real))
    P0 = np.diag([0.7, 0.3]).astype(complex)
    add(M_ + "qubit_evolution_commuting", models.qubit_evolution_commuting,
        dict(p0=P0, gamma_A=1.0, t_A=0.9, t=np.array([0.0, 1.0]), eps=1.0),
        dict(p0=T(k_state), gamma_A=k_rate, t_A=k_prob, t=k_real, eps=k_real))
    for n in ("qubit_ep_commuting_printed", "qubit_ep_commuting"):
        add(M_ + n, getattr(models, n), dict(p00=0.7, gamma_A=1.0, t_A=0.9, t=np.array([0.5, 1.0])),
            dict(p00=k_prob, gamma_A=k_rate, t_A=k_prob, t=k_real))
    add(M_ + "qubit_steady_state", models.qubit_steady_state, dict(delta=0.7, Gamma=1.8, tbar=0.7, eps=1.0),
        dict(delta=k_real, Gamma=k_rate, tbar=k_prob, eps=k_real))
    for n in ("qubit_partial_steady_state", "qubit_kappa"):
        add(M_ + n, getattr(models, n), dict(delta=0.7, gamma_j=1.0, t_j=0.9, lam_j=0.4, eps=1.0),
            dict(delta=k_real, gamma_j=k_rate, t_j=k_prob, lam_j=k_real, eps=k_real))
    for n in ("qubit_ep_same_reset_printed", "qubit_ep_same_reset"):
        add(M_ + n, getattr(models, n), dict(delta=0.7, gamma_j=1.0, Gamma=1.8, t=0.9, lam_j=0.4, eps=1.0),
            dict(delta=k_real, gamma_j=k_rate, Gamma=k_rate, t=k_prob, lam_j=k_real, eps=k_real))
    add(M_ + "qubit_ep_case_ii_same_reset", models.qubit_ep_case_ii_same_reset,
        dict(delta=0.7, gamma_A=1.0, gamma_BC=0.8, t_A=0.9, eps=1.0),
        dict(delta=k_real, gamma_A=k_rate, gamma_BC=k_rate, t_A=k_prob, eps=k_real))
    add(M_ + "qubit_ep_commuting_multi", models.qubit_ep_commuting_multi, dict(gamma_j=1.0, t_j=0.9, tbar=0.7),
        dict(gamma_j=k_rate, t_j=k_prob, tbar=k_prob))
    ch6 = dict(e_A=0.08, e_B=0.1, e_C=0.05, U=0.1, J_alpha=0.05, J_beta=0.1)
    add(M_ + "three_qubit_hamiltonian", models.three_qubit_hamiltonian, dict(ch6), {k: k_real for k in ch6})
    add(M_ + "reset_state", models.reset_state, dict(t=0.9), dict(t=k_prob))
    add(M_ + "three_qubit_qrm", models.three_qubit_qrm, dict(t_A=0.95, t_B=0.6, **ch6, gamma_A=0.7, gamma_B=0.6),
        dict(t_A=k_prob_s, t_B=k_prob_s, **{k: k_real_s for k in ch6}, gamma_A=k_rate_s, gamma_B=k_rate_s))
    e4 = dict(e_A=0.08, e_B=0.1, e_C=0.05, U=0.1)
    add(M_ + "hbar_tau", models.hbar_tau, dict(e4, t_A=0.95, t_B=0.6), dict({k: k_real for k in e4}, t_A=k_prob, t_B=k_prob))
    for n in ("hbar_tau_A", "hbar_tau_A_spectrum"):
        add(M_ + n, getattr(models, n), dict(e4, J_beta=0.1, t_A=0.95), dict({k: k_real for k in e4}, J_beta=k_real, t_A=k_prob))
    add(M_ + "hbar_tau_B", models.hbar_tau_B, dict(e4, J_alpha=0.05, t_B=0.6, order="AC"),
        dict({k: k_real for k in e4}, J_alpha=k_real, t_B=k_prob, order=k_option))
    add(M_ + "partial_steady_state_chain", models.partial_steady_state_chain, dict(t=0.9), dict(t=k_prob))
    c6 = dict(J_alpha=0.05, J_beta=0.1, gamma_A=0.7, gamma_B=0.6, t_A=0.95, t_B=0.6)
    c6k = dict(J_alpha=k_real, J_beta=k_real, gamma_A=k_rate, gamma_B=k_rate, t_A=k_prob, t_B=k_prob)
    for n in ("rho0_C", "rho0_chain", "rho1", "commutator_H_rho0", "sigma2_chain"):
        add(M_ + n, getattr(models, n), dict(c6), dict(c6k))
    MODEL = models.three_qubit_qrm(0.95, 0.6)
    RHO8 = MODEL.steady_state(0.3)
    add(M_ + "entropy_fluxes_chain", models.entropy_fluxes_chain,
        dict(rho=RHO8, t_A=0.95, t_B=0.6, gamma_A=0.7, gamma_B=0.6),
        dict(rho=T(k_state), t_A=k_prob, t_B=k_prob, gamma_A=k_rate, gamma_B=k_rate))
    RHO1 = models.rho1(**c6)
    add(M_ + "entropy_fluxes_g2_chain", models.entropy_fluxes_g2_chain,
        dict(H=MODEL.H, rho1=RHO1, t_A=0.95, t_B=0.6, g=0.1),
        dict(H=T(k_herm), rho1=T(k_herm), t_A=k_prob, t_B=k_prob, g=k_real))

    # --- tripartite ----------------------------------------------------------
    Tp = "qrmlib.tripartite."
    TQ = Tp + "TripartiteQRM"
    H8 = MODEL.H
    tA, tB = MODEL.tau_A, MODEL.tau_B
    mk = dict(H=H8, tau_A=tA, tau_B=tB, gamma_A=0.7, gamma_B=0.6, dims=(2, 2, 2))
    # parameters may be stacked (issue 10): the rates are k_rate (a shape-(2,) rate is a valid stack)
    mkk = dict(H=T(k_herm), tau_A=T(k_state), tau_B=T(k_state), gamma_A=k_rate, gamma_B=k_rate, dims=k_dims)
    mv = dict(H="herm", tau_A="fstate", tau_B="fstate", gamma_A="rate", gamma_B="rate")
    add(TQ, tripartite.TripartiteQRM, dict(mk), dict(mkk), vary=mv)
    add(TQ, tripartite.TripartiteQRM, dict(mk, tau_B=np.stack([tB, tB])), dict(mkk), vary=mv)
    STACKED = tripartite.TripartiteQRM(H8, tA, np.stack([tB, models.reset_state(0.3)]), 0.7, 0.6, (2, 2, 2))
    for n in ("steady_state", "steady_state_A", "steady_state_B"):
        add(f"{TQ}.{n}", getattr(STACKED, n), dict(g=0.3, method="auto"), dict(g=k_g_nz, method=k_option))
    for n in ("partial_steady_states", "entropy_production", "entropy_fluxes"):
        add(f"{TQ}.{n}", getattr(STACKED, n), dict(g=0.3, lam=0.4), dict(g=k_g_nz, lam=k_lam))
    X8 = rand_herm(rng, 8) + 0.2j * np.eye(8)
    for n in ("tr_A", "tr_B", "tr_AB", "D_A", "D_B", "L0", "L1"):
        add(f"{TQ}.{n}", getattr(MODEL, n), dict(rho=X8), dict(rho=T(k_matrix)))
    X2, X4 = rand_herm(rng, 2), rand_herm(rng, 4)
    add(f"{TQ}.embed_C", MODEL.embed_C, dict(r_C=X2), dict(r_C=T(k_matrix)))
    add(f"{TQ}.embed_CB", MODEL.embed_CB, dict(x_CB=X4), dict(x_CB=T(k_matrix)))
    add(f"{TQ}.embed_AC", MODEL.embed_AC, dict(x_AC=X4), dict(x_AC=T(k_matrix)))
    add(f"{TQ}.L", MODEL.L, dict(rho=X8, g=0.3), dict(rho=T(k_matrix), g=k_real))
    for n in ("L_A", "L_B"):
        add(f"{TQ}.{n}", getattr(MODEL, n), dict(rho=X8, g=0.3, lam=0.4), dict(rho=T(k_matrix), g=k_real, lam=k_real))
    add(f"{TQ}.L_superop", MODEL.L_superop, dict(g=0.3), dict(g=k_real))
    for n in ("L_A_superop", "L_B_superop"):
        add(f"{TQ}.{n}", getattr(MODEL, n), dict(g=0.3, lam=0.4), dict(g=k_real, lam=k_real))
    RT = X8 - MODEL.embed_C(MODEL.tr_AB(X8))
    for n in ("L0_inv", "L0_inv_solve"):
        add(f"{TQ}.{n}", getattr(MODEL, n), dict(rho_tilde=RT), dict(rho_tilde=T(k_matrix)),
            extra=[("rho_tilde", "tr_AB(rho_tilde) != 0", dict(rho_tilde=np.eye(8, dtype=complex)))])
    for n in ("steady_state", "steady_state_A", "steady_state_B"):
        add(f"{TQ}.{n}", getattr(MODEL, n), dict(g=0.3, method="auto"), dict(g=k_g_nz, method=k_option))
    for n in ("partial_steady_states", "entropy_production", "entropy_fluxes"):
        add(f"{TQ}.{n}", getattr(MODEL, n), dict(g=0.3, lam=0.4), dict(g=k_g_nz, lam=k_lam))
    add(f"{TQ}.perturbative", MODEL.perturbative, dict(strict=True), dict(strict=k_bool))
    add(f"{TQ}.steady_state_rational", MODEL.steady_state_rational, dict(g=0.3 + 0.1j, which="full"),
        dict(g=k_cplx, which=k_option))
    add(f"{TQ}.taylor_coefficients", MODEL.taylor_coefficients, dict(order=4, which="full"),
        dict(order=k_count0, which=k_option))
    mkk_stack = dict(mkk, gamma_A=k_rate, gamma_B=k_rate)
    add(Tp + "steady_state_pencil", tripartite.steady_state_pencil, dict(mk, which="full"),
        dict(mkk_stack, which=k_option), vary=mv)
    add(Tp + "steady_state_batch", tripartite.steady_state_batch, dict(mk, g=np.array([0.1, 0.5]), which="full", method="auto"),
        dict(mkk_stack, g=k_g_nz, which=k_option, method=k_option), vary=mv)
    H256 = np.diag(np.arange(256.0)).astype(complex)
    add(Tp + "steady_state_batch", tripartite.steady_state_batch, dict(mk, g=np.array([0.1, 0.5]), which="full", method="auto"),
        {}, extra=[("steady_state_matrix_free", "dense solve beyond memory: dims (2, 64, 2)",
                    dict(H=H256, dims=(2, 64, 2)))])
    add(Tp + "steady_state_matrix_free", tripartite.steady_state_matrix_free,
        dict(model=MODEL, g=0.3, method="auto", rtol=1e-12, maxiter=40, restart=60, return_info=False),
        dict(model=k_model, g=k_g_nz, method=k_option, rtol=k_tol, maxiter=k_count, restart=k_count, return_info=k_bool))

    # --- perturbation --------------------------------------------------------
    Pt = "qrmlib.perturbation."
    PERT = MODEL.perturbative()
    RE = PERT.full
    for obj in (PERT, RE, PERT.part_A, PERT.part_B):  # warm the cached properties once, in the parent
        for k, v in vars(type(obj)).items():
            if isinstance(v, property) or type(v).__name__ == "cached_property":
                try:
                    getattr(obj, k)
                except Exception:  # noqa: BLE001
                    pass
    add(Pt + "HypothesisCheck", perturbation.HypothesisCheck, dict(name="Coup", holds=True, detail="ok", margin=0.5),
        dict(name=k_text, holds=k_bool, detail=k_text, margin=k_margin))
    add(Pt + "ResetExpansion", perturbation.ResetExpansion,
        dict(H=H8, embed=MODEL.embed_C, trace_env=MODEL.tr_AB, L0_inv=MODEL.L0_inv, n_S=2, label="C",
             phi_scale=float(np.linalg.norm(H8, 2)) ** 2 / 0.6, env=(tA, tB)),
        dict(H=T(k_herm), embed=k_callable, trace_env=k_callable, L0_inv=k_callable, n_S=k_count, label=k_text,
             phi_scale=k_real, env=k_env),
        extra=[("n_S", "n_S mismatching embed", dict(n_S=3))])
    RX = "qrmlib.perturbation.ResetExpansion."
    for n, a in (("to_eig", "X"), ("from_eig", "Y"), ("diag", "X"), ("offdiag", "X"), ("Phi_apply", "X")):
        add(RX + n, getattr(RE, n), {a: X2}, {a: T(k_matrix)})
    for n in ("check_spec", "check_bohr", "check_coup"):
        add(RX + n, getattr(RE, n), dict(tol=1e-9), dict(tol=k_tol))
    add(RX + "series", RE.series, dict(n=2), dict(n=k_count0))
    add(RX + "rho1_as_printed", RE.rho1_as_printed, {}, {})
    PX = "qrmlib.perturbation.Perturbative"
    add(PX, perturbation.Perturbative, dict(model=MODEL, strict=True), dict(model=k_model, strict=k_bool))
    PX += "."
    for n in ("hypotheses", "hypotheses_report"):
        add(PX + n, getattr(PERT, n), dict(tol=1e-9), dict(tol=k_tol))
    add(PX + "diag_tau", PERT.diag_tau, dict(X=X2), dict(X=T(k_matrix)))
    for n in ("rho1_as_printed", "remark_7_8", "c_total_forms"):
        add(PX + n, getattr(PERT, n), {}, {})
    for n in ("series", "series_A", "series_B"):
        add(PX + n, getattr(PERT, n), dict(n=2), dict(n=k_count0))
    add(PX + "steady_state_series", PERT.steady_state_series, dict(g=0.1, order=2), dict(g=k_real, order=k_count0))
    add(PX + "coefficients", PERT.coefficients, dict(imag=False), dict(imag=k_bool))
    for n in ("sigma2_A", "sigma2_B", "sigma2", "sigma1_A", "sigma1_B"):
        add(PX + n, getattr(PERT, n), dict(lam=0.4), dict(lam=k_real))
    for n in ("double_commutator_trace", "double_commutator_trace_spectral"):
        add(Pt + n, getattr(perturbation, n), dict(H=H2, K=R2, f=np.log), dict(H=T(k_matrix), K=T(k_pd), f=k_callable),
            extra=[("K", "non-normal", dict(K=np.array([[1.0, 1.0], [0.0, 1.0]], complex)))],
            vary=dict(H="herm", K="fstate"))

    # --- series --------------------------------------------------------------
    Se = "qrmlib.series."
    add(Se + "model_args", series.model_args, dict(model=MODEL), dict(model=k_model))
    add(Se + "circle", series.circle, dict(radius=1.0, nodes=8), dict(radius=k_posreal, nodes=k_count))
    VALS = np.exp(series.circle(0.5, 8))
    add(Se + "taylor_coefficients", series.taylor_coefficients, dict(values=VALS, radius=0.5, order=3),
        dict(values=k_numeric, radius=k_posreal, order=k_count0), extra=[("order", "order >= N", dict(order=8))])
    add(Se + "cauchy_remainder", series.cauchy_remainder, dict(values=VALS, radius=0.5, g=np.array([0.1, 0.2j]), order=2),
        dict(values=k_numeric, radius=k_posreal, g=k_cplx, order=k_count0), extra=[("g", "|g| >= radius", dict(g=1.0))])
    add(Se + "analyticity_radius", series.analyticity_radius, dict(mk, which="full"), dict(mkk_stack, which=k_option), vary=mv)
    add(Se + "steady_state_analytic", series.steady_state_analytic, dict(mk, z=np.array([0.1, 0.2j]), which="full"),
        dict(mkk_stack, z=k_cplx, which=k_option), vary=mv)
    LOGA = rand_faithful(rng, 3) + 0.05 * rand_herm(rng, 3) * 1j
    add(Se + "logm_eig", series.logm_eig, dict(A=LOGA, cut_tol=1e-8, cond_max=1e8),
        dict(A=k_matrix, cut_tol=k_tol, cond_max=k_posreal),
        extra=[("A", "eigenvalue on the cut", dict(A=np.diag([1.0, -1.0]).astype(complex)))])
    for n in ("entropy_production_analytic", "entropy_fluxes_analytic"):
        add(Se + n, getattr(series, n), dict(mk, z=np.array([0.1, 0.1 + 0.05j]), lam=0.4),
            dict(mkk_stack, z=k_cplx, lam=k_lam), vary=mv)
    # mp_*: scalars only, and a d = 4 model (dims (2, 1, 2)) so that an mpmath solve takes milliseconds
    mks = dict(mkk)
    mk4 = dict(H=rand_herm(rng, 4), tau_A=tA, tau_B=tB, gamma_A=0.7, gamma_B=0.6, dims=(2, 1, 2))
    add(Se + "mp_steady_state", series.mp_steady_state, dict(mk4, g=0.3, which="full", dps=20),
        dict(mks, g=k_g_nz_s, which=k_option, dps=k_dps))
    for n in ("mp_entropy_production", "mp_entropy_fluxes"):
        add(Se + n, getattr(series, n), dict(mk4, g=0.3, lam=0.4, dps=20), dict(mks, g=k_g_nz_s, lam=k_lam_s, dps=k_dps))

    # --- sweep ---------------------------------------------------------------
    Sw = "qrmlib.sweep."
    f_xy = lambda x, y: x * y  # noqa: E731
    AX = {"x": np.linspace(0.0, 1.0, 3), "y": np.arange(2.0)}
    add(Sw + "grid_sweep", sweep.grid_sweep,
        dict(func=f_xy, axes=AX, fixed=None, budget_bytes=1 << 20, bytes_per_point=None, chunk_points=4,
             backend="numpy", workers=1, progress=False, dtype=float, out_shape=(), broadcast=False),
        dict(func=k_callable, axes=k_axes, fixed=k_dict_opt, budget_bytes=k_count, bytes_per_point=k_posreal_opt,
             chunk_points=k_count_opt, backend=k_option, workers=k_count, progress=k_bool, dtype=k_dtype,
             out_shape=k_out_shape, broadcast=k_bool),
        extra=[("client", "not a dask client", dict(client="abc"))])
    add(Sw + "estimate_bytes_per_point", sweep.estimate_bytes_per_point, dict(func=f_xy, axes=AX, fixed=None, probe=4),
        dict(func=k_callable, axes=k_axes, fixed=k_dict_opt, probe=k_count))
    add(Sw + "chunk_slices", sweep.chunk_slices, dict(n_points=10, chunk=3), dict(n_points=k_count0, chunk=k_count))
    add(Sw + "has_dask", sweep.has_dask, {}, {})

    # --- figures -------------------------------------------------------------
    Fg = "qrmlib.figures."
    d1 = lambda **kw: {}  # noqa: E731
    add(Fg + "FigureSpec", figures.FigureSpec, dict(number=5, data=d1, draw=d1, caption="c"),
        dict(number=k_figno, data=k_callable, draw=k_callable, caption=k_text))
    add(Fg + "register", figures.register, dict(number=5, data=d1, draw=d1, caption="c"),
        dict(number=k_figno, data=k_callable, draw=k_callable, caption=k_text))
    add(Fg + "fig1_data", figures.fig1_data,
        dict(delta=0.7, gammas=(1.0, 0.5, 1 / 3), eps=1.0, t_C=0.8, t_equal=0.9, n=3, t_range=(0.01, 0.99),
             t_zoom_halfwidth=0.05, lam_range=(-2.0, 2.0), lam_zoom_halfwidth=0.05),
        dict(delta=k_real_s, gammas=k_rates, eps=k_real_s, t_C=k_prob_s, t_equal=k_prob_s, n=k_count,
             t_range=k_range01, t_zoom_halfwidth=k_posreal, lam_range=k_range, lam_zoom_halfwidth=k_posreal))
    add(Fg + "fig2_data", figures.fig2_data, dict(delta=0.7, gamma_A=1.0, t_A=0.9, eps=1.0, n=3, lam_range=(-4.0, 4.0)),
        dict(delta=k_real_s, gamma_A=k_rate_s, t_A=k_prob_s, eps=k_real_s, n=k_count, lam_range=k_range))
    chain_extra = [("e_A", "chain e_A = nan", dict(e_A=NAN)), ("bogus", "unknown chain key", dict(bogus=1.0))]
    add(Fg + "fig3_data", figures.fig3_data,
        dict(t_A=0.95, t_B=(0.6,), g_range=(1e-3, 1.0), n=3, radius=1.0, nodes=16),
        dict(t_A=k_prob_s, t_B=k_probs_seq, g_range=k_range_pos, n=k_count, radius=k_posreal, nodes=k_count),
        extra=chain_extra)
    add(Fg + "fig4_data", figures.fig4_data,
        dict(t_A=0.95, t_B=(0.6,), g_range=(1e-3, 1.0), n=3, lam=0.5, radius=1.0, nodes=16, g_switch=0.5),
        dict(t_A=k_prob_s, t_B=k_probs_seq, g_range=k_range_pos, n=k_count, lam=k_lam_s, radius=k_posreal,
             nodes=k_count, g_switch=k_posreal), extra=chain_extra)
    add(Fg + "fig5_data", figures.fig5_data,
        dict(t_A_a=0.6, g_range_a=(1e-2, 10.0), n_g=3, n_t=3, t_B_b=0.95, t_A_b=(0.6,), g_range_b=(1e-3, 1.0),
             n_b=3, lam=0.5, radius=1.0, nodes=16, g_switch=0.5, n=None),
        dict(t_A_a=k_prob_s, g_range_a=k_range_pos, n_g=k_count, n_t=k_count, t_B_b=k_prob_s, t_A_b=k_probs_seq,
             g_range_b=k_range_pos, n_b=k_count, lam=k_lam_s, radius=k_posreal, nodes=k_count, g_switch=k_posreal,
             n=k_count_opt), extra=chain_extra)
    tmp = tmpdir()
    D2 = figures.fig2_data(n=3)
    add(Fg + "save_npz", figures.save_npz, dict(path=os.path.join(tmp, "a.npz"), data=D2), dict(path=k_path, data=k_data))
    npz = os.path.join(tmp, "base.npz")
    figures.save_npz(npz, D2)
    add(Fg + "load_npz", figures.load_npz, dict(path=npz), dict(path=k_path))
    FIG = plt.figure(figsize=(1, 1))
    try:  # warm Matplotlib's font cache and style once, in the parent
        figures.png_bytes(FIG, dpi=10)
        figures.fig2_draw(D2)
    except Exception:  # noqa: BLE001
        pass
    add(Fg + "save_figure", figures.save_figure, dict(fig=FIG, path=os.path.join(tmp, "f.png"), dpi=20),
        dict(fig=k_figure, path=k_path, dpi=k_count_opt),
        extra=[("path", "unknown suffix", dict(path=os.path.join(tmp, "f.xyz")))])
    add(Fg + "png_bytes", figures.png_bytes, dict(fig=FIG, dpi=20), dict(fig=k_figure, dpi=k_count_opt))
    add(Fg + "write_figure", figures.write_figure, dict(number=2, outdir=os.path.join(tmp, "out"), data=D2, progress=None),
        dict(number=k_figno, outdir=k_path, data=k_data_opt, progress=k_callable_opt),
        extra=[("number", "unregistered figure 99", dict(number=99))])
    add(Fg + "parse_only", figures.parse_only, dict(text="1,2"), dict(text=k_text_figs))

    # --- checks --------------------------------------------------------------
    Ck = "qrmlib.checks."
    A_ok = dict(unnamed_ok=(AssertionError,), allow=(AssertionError,))
    meta = dict(status="holds", ref="") if "status" in inspect.signature(checks.check_small).parameters else {}
    metak = dict(status=k_option, ref=k_text) if meta else {}
    add(Ck + "LedgerTable", checks.LedgerTable, dict(rows=[("claim", True, "ok")]), dict(rows=k_rows))
    add(Ck + "ledger_table", checks.ledger_table, {}, {})
    LT = checks.LedgerTable([("claim", True, "ok")])
    if hasattr(LT, "counts"):
        add(Ck + "LedgerTable.counts", LT.counts, {}, {})
    if hasattr(checks, "not_checkable"):
        add(Ck + "not_checkable", checks.not_checkable, dict(claim="c", why="no computation", ref=""),
            dict(claim=k_text, why=k_text, ref=k_text))
    add(Ck + "reset_ledger", checks.reset_ledger, {}, {})
    add(Ck + "magnitude", checks.magnitude, dict(x=1e-13), dict(x=k_real_s))
    if hasattr(checks, "sci"):  # formats +-inf as such by design: only NaN and non-reals are invalid
        add(Ck + "sci", checks.sci, dict(x=1e-12),
            dict(x=lambda v: [m for m in k_real_s(v) if m[0] not in ("inf", "-inf")]))
    add(Ck + "check_small", checks.check_small, dict(claim="c", value=np.array([1e-14, -2e-14]), tol=1e-12, what="r", **meta),
        dict(claim=k_text, value=k_numeric, tol=k_tol, what=k_text, **metak), **A_ok)
    add(Ck + "check_close", checks.check_close,
        dict(claim="c", value=1.0, expected=1.0, rtol=1e-9, atol=0.0, digits=3, what="v", **meta),
        dict(claim=k_text, value=k_numeric, expected=k_numeric, rtol=k_tol, atol=k_tol, digits=k_count, what=k_text,
             **metak),
        **A_ok)
    add(Ck + "check_true", checks.check_true, dict(claim="c", condition=np.array([True, True]), what="h", detail="", **meta),
        dict(claim=k_text, condition=k_condition, what=k_text, detail=k_text, **metak), **A_ok)
    add(Ck + "check_range", checks.check_range, dict(claim="c", value=0.5, lo=0.0, hi=1.0, digits=3, what="v", **meta),
        dict(claim=k_text, value=k_real_s, lo=k_bound, hi=k_bound, digits=k_count0, what=k_text, **metak), **A_ok)

    # --- testing (issue 11 item 7; registered once it exists) -----------------
    testing = _import_public("qrmlib.testing")
    if testing is not None:
        from _fuzz_testing import register_testing  # noqa: PLC0415

        register_testing(add, testing, dict(H2=H2, R2=R2, TAUS=TAUS, G=G, MODEL=MODEL))

    # --- theorem72 (issue 14; registered once it exists) ------------------------
    t72 = _import_public("qrmlib.theorem72")
    if t72 is not None:
        from _fuzz_theorem72 import register_theorem72  # noqa: PLC0415

        register_theorem72(add, t72, dict(MODEL=MODEL))

    assert qrmlib  # imported for enumerate_public
    return E


def k_posreal_opt(v):
    """Optional strictly positive real (None is the valid default)."""
    return [("nan", NAN), ("inf", INF), ("-1", -1.0), ("0", 0.0), ("str", "abc")]
