"""Fuzz-registry entries of :mod:`qrmlib.theorem72` (issue 14)."""

import numpy as np

import _fuzz_registry as R
from _fuzz_testing import k_rng


def k_theta(v):
    v = np.asarray(v, float)
    nan, inf = v.copy(), v.copy()
    nan[0], inf[-1] = R.NAN, R.INF
    return [
        ("nan entry", nan),
        ("inf entry", inf),
        ("length mismatch", v[:-1]),
        ("complex", v + 1j),
        ("2-d", v[None, :]),
    ] + R.COMMON


def k_param(v):
    return [("float", 3.0), ("None", None), ("str", "abc"), ("ndarray", np.zeros(3))]


def k_coeffs(v):
    bad_nan, bad_c = dict(v), dict(v)
    bad_nan["a_A"], bad_c["b_B"] = R.NAN, 1.0 + 1.0j
    return [
        ("str", "abc"),
        ("None", None),
        ("empty dict", {}),
        ("nan entry", bad_nan),
        ("complex entry", bad_c),
        ("list", [1.0] * 6),
    ]


def k_record(v):
    nan = dict(v, H_re=(np.asarray(v["H_re"]) * R.NAN).tolist())
    nonh = dict(v, H_im=(np.asarray(v["H_im"]) + np.triu(np.ones_like(np.asarray(v["H_im"])))).tolist())
    return [
        ("str", "abc"),
        ("None", None),
        ("empty dict", {}),
        ("nan H", nan),
        ("non-Hermitian H", nonh),
        ("gamma_A = -1", dict(v, gamma_A=-1.0)),
        ("dims mismatch", dict(v, dims=[2, 2, 3])),
    ]


def k_dims_list(v):
    return [("empty", []), ("str", "abc"), ("None", None), ("zero factor", [(2, 0, 2)]), ("int", 3)]


def k_methods(v):
    return [("empty", []), ("unknown", ["bogus"]), ("None", None), ("int", 3)]


def k_base(v):
    from qrmlib.testing import random_tripartite

    return [
        ("float", 3.0),
        ("str", "abc"),
        ("ndarray", np.eye(8)),
        ("dims mismatch", random_tripartite(1, (2, 3, 2), mix=0.2)),
    ]


def k_g_small(v):
    return R.k_g_nz(v) + [("|g| > 0.1", np.array([0.5])), ("empty", np.array([]))]


def register_theorem72(add, t72, fx):
    """Register the public callables of ``qrmlib.theorem72``."""
    Tn = "qrmlib.theorem72."
    model = t72.coincidence_instance(3, (2, 2, 2))
    coeffs = model.perturbative().coefficients()
    rec = t72.instance_record(model)
    tol = dict(margin=R.k_tol, bohr_margin=R.k_tol)
    add(Tn + "quadratic", t72.quadratic, dict(coefficients=coeffs), dict(coefficients=k_coeffs))
    add(
        Tn + "evaluate",
        t72.evaluate,
        dict(model=model, margin=1e-3, bohr_margin=1e-6),
        dict(model=R.k_model, **tol),
        extra=[("margin", "0.9 (> 0.5)", dict(margin=0.9))],
    )
    add(
        Tn + "coincidence_instance",
        t72.coincidence_instance,
        dict(rng=1, dims=(2, 2, 2), n_terms=2, gamma_A=0.7, gamma_B=0.4),
        dict(rng=k_rng, dims=R.k_dims3, n_terms=R.k_count, gamma_A=R.k_rate, gamma_B=R.k_rate),
    )
    add(
        Tn + "Parametrisation",
        t72.Parametrisation,
        dict(dims=(2, 2, 2), rank=6, seed=0, base=None),
        dict(dims=R.k_dims3, rank=R.k_count_opt, seed=R.k_count0, base=k_base),
        extra=[("dims", "d = 81 > 64", dict(dims=(3, 9, 3)))],
    )
    P = t72.Parametrisation((2, 2, 2), rank=6, seed=0)
    th = P.draw(np.random.default_rng(0))
    P_ = Tn + "Parametrisation."
    add(
        P_ + "arrays",
        P.arrays,
        dict(theta=th),
        dict(theta=k_theta),
        extra=[("theta", "H = 0", dict(theta=np.zeros(P.size)))],
    )
    add(P_ + "model", P.model, dict(theta=th), dict(theta=k_theta))
    add(P_ + "draw", P.draw, dict(rng=np.random.default_rng(0)), dict(rng=k_rng))
    add(
        P_ + "objective",
        P.objective,
        dict(theta=th, objective="ratio", margin=1e-3, bohr_margin=1e-6),
        dict(theta=k_theta, objective=R.k_option, **tol),
    )
    add(
        Tn + "local_search",
        t72.local_search,
        dict(param=P, theta0=th, objective="kappa", method="Powell", maxfev=8, margin=1e-3, bohr_margin=1e-6),
        dict(param=k_param, theta0=k_theta, objective=R.k_option, method=R.k_option, maxfev=R.k_count, **tol),
    )
    add(
        Tn + "run_search",
        t72.run_search,
        dict(
            dims_list=((2, 2, 2),),
            screen=2,
            starts=1,
            maxfev=4,
            methods=("Powell",),
            rank=4,
            seed=0,
            margin=1e-3,
            bohr_margin=1e-6,
            n_best=1,
            progress=None,
        ),
        dict(
            dims_list=k_dims_list,
            screen=R.k_count,
            starts=R.k_count,
            maxfev=R.k_count,
            methods=k_methods,
            rank=R.k_count_opt,
            seed=R.k_count0,
            n_best=R.k_count,
            progress=R.k_callable_opt,
            **tol,
        ),
        extra=[("starts", "starts > screen + 1", dict(starts=5))],
    )
    add(
        Tn + "instance_record",
        t72.instance_record,
        dict(model=model, margin=1e-3, bohr_margin=1e-6),
        dict(model=R.k_model, **tol),
    )
    add(Tn + "model_from_record", t72.model_from_record, dict(record=rec), dict(record=k_record))
    add(Tn + "verify_record", t72.verify_record, dict(record=rec, g=(1e-3, 2e-3)), dict(record=k_record, g=k_g_small))
