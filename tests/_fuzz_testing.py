"""Fuzz-registry entries of :mod:`qrmlib.testing` (issue 11, item 7)."""

import numpy as np

import _fuzz_registry as R


def k_rng(v):
    """A Generator or an int seed (None = fresh entropy is valid, so not a mutation)."""
    return [("str", "abc"), ("float", 2.5), ("negative seed", -1)]


def k_size(v):
    """Optional batch shape (None is the valid default)."""
    return [("negative", -1), ("float", 2.5), ("str", "abc")]


def k_pos_array(v):
    v = np.asarray(v, float)
    return [("nan", R._r(v, R.NAN)), ("inf", R._r(v, R.INF)), ("negative", R._r(v, -1.0)), ("zero", R._r(v, 0.0)),
            ("length mismatch", v[:-1]), ("complex", v + 1j)] + R.COMMON


def k_nonzero_array(v):
    v = np.asarray(v, float)
    return [("nan", R._r(v, R.NAN)), ("inf", R._r(v, R.INF)), ("zero", R._r(v, 0.0)),
            ("length mismatch", v[:-1])] + R.COMMON


def k_nonneg_real(v):
    return R.k_real(v) + [("-1", -1.0)]


def register_testing(add, testing, fx):
    """Register the public functions of ``qrmlib.testing``."""
    Ts = "qrmlib.testing."
    H2, TAUS, G, MODEL = fx["H2"], fx["TAUS"], fx["G"], fx["MODEL"]
    have = set(getattr(testing, "__all__", []))

    def reg(name, kwargs, kinds, **kw):
        if name in have:
            add(Ts + name, getattr(testing, name), kwargs, kinds, **kw)

    reg("random_hermitian", dict(rng=1, d=2, scale=1.0, real=False, size=None),
        dict(rng=k_rng, d=R.k_count, scale=R.k_real_s, real=R.k_bool, size=k_size))
    reg("random_unitary", dict(rng=1, d=2, size=None), dict(rng=k_rng, d=R.k_count, size=k_size))
    reg("random_density", dict(rng=1, d=2, rank=None, real=False, mix=0.0, size=None),
        dict(rng=k_rng, d=R.k_count, rank=R.k_count_opt, real=R.k_bool, mix=R.k_prob_s, size=k_size),
        extra=[("rank", "rank > d", dict(rank=3))])
    reg("random_faithful", dict(rng=1, d=2, floor=0.05, real=False, size=None),
        dict(rng=k_rng, d=R.k_count, floor=R.k_prob_s, real=R.k_bool, size=k_size),
        extra=[("floor", "0 (not faithful)", dict(floor=0.0))])
    reg("random_affine", dict(rng=1, J=3, scale=1.5, size=None),
        dict(rng=k_rng, J=R.k_count, scale=k_nonneg_real, size=k_size))
    reg("random_qrm", dict(rng=1, d=2, J=2, hscale=1.0, rate_range=(0.2, 3.0), floor=0.05),
        dict(rng=k_rng, d=R.k_count, J=R.k_count, hscale=R.k_real_s, rate_range=R.k_range_pos, floor=R.k_prob_s),
        extra=[("floor", "0 (not faithful)", dict(floor=0.0))])
    reg("random_tripartite", dict(rng=1, dims=(2, 2, 2), real=False, mix=0.0, hnorm=1.0, hscale=1.0,
                                  rate_range=(0.3, 1.5)),
        dict(rng=k_rng, dims=R.k_dims3, real=R.k_bool, mix=R.k_prob_s, hnorm=R.k_posreal_opt, hscale=R.k_real_s,
             rate_range=R.k_range_pos))
    reg("reset_jumps", dict(tau=TAUS[0], gamma=0.7, reservoirs=False, dims=None, site=None),
        dict(tau=R.k_state, gamma=R.k_rate, reservoirs=R.k_bool))
    reg("reset_jumps", dict(tau=TAUS[0], gamma=0.7, reservoirs=False, dims=(2, 2, 2), site=0),
        dict(dims=lambda v: [m for m in R.k_dims_any(v) if m[0] != "product mismatch"], site=R.k_keep),
        extra=[("dims", "dims[site] != size of tau", dict(dims=(3, 2, 2)))])
    reg("tripartite_jumps", dict(model=MODEL), dict(model=R.k_model))
    reg("reset_superop", dict(H=H2, taus=TAUS, gammas=G), dict(H=R.T(R.k_herm), taus=R.k_states, gammas=R.k_rates),
        vary=dict(H="herm", taus="fstates", gammas="rates"))
    J = testing.reset_jumps(TAUS[0], 0.7) if "reset_jumps" in have else np.zeros((1, 2, 2))
    reg("dense_steady_state", dict(H=H2, jumps=J), dict(H=R.T(R.k_herm), jumps=R.k_jumps), vary=dict(H="herm"))
    from qrmlib import reset

    S = reset.lindbladian(H2, TAUS, G)
    reg("dense_superop_steady_state", dict(S=S), dict(S=R.k_superop),
        extra=[("S", "no kernel (identity)", dict(S=np.eye(4))), ("S", "4-dim kernel (zero)", dict(S=np.zeros((4, 4))))])
    g = np.logspace(-3, -1, 5)
    reg("loglog_slope", dict(x=g, y=3 * g**2), dict(x=k_pos_array, y=k_nonzero_array),
        extra=[("x", "one distinct value", dict(x=np.full(5, 0.1)))])
