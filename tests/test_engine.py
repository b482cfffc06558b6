"""The per-model engine of qrmlib.tripartite (issue 10): the real, sector-reduced pencil and its
pole-residue form, against today's dense solvers, the dense null vector, QuTiP, the analytic
continuation of qrmlib.series and its contour Taylor coefficients."""

import numpy as np
import pytest
import scipy.linalg

from qrmlib import models as M
from qrmlib import series
from qrmlib.testing import random_tripartite
from qrmlib.tripartite import TripartiteQRM

DIMS = [(2, 2, 2), (2, 3, 2), (3, 2, 2)]
G = np.logspace(-6, 3, 37)


def random_model(seed, dims, real):
    m = random_tripartite(seed, dims, real=real, hnorm=None, hscale=0.1, rate_range=(0.5, 1.5))
    m.perturbative()  # strict: Spec and Coup hold
    return m


def chain():
    return M.three_qubit_qrm(0.6, 0.3, **{k: v for k, v in M.FIG_PARAMS.items() if k != "t_A"})


def reference(m, g, which="full"):
    """Today's dense solvers (complex, unreduced): scaled where |g| ||H|| <= s, bordered beyond."""
    s = {"full": m.gamma_A + m.gamma_B, "A": m.gamma_A, "B": m.gamma_B}[which]
    small = np.abs(g) * np.linalg.norm(m.H, 2) <= s
    out = np.empty(g.shape + (m.d, m.d), complex)
    out[small] = m._solve(which, g[small], "scaled")
    out[~small] = m._solve(which, g[~small], "bordered")
    return out


def null_vector(m, g):
    ns = scipy.linalg.null_space(m.L_superop(g))
    assert ns.shape[1] == 1
    rho = ns[:, 0].reshape(m.d, m.d)
    rho = rho / np.trace(rho)
    return 0.5 * (rho + rho.conj().T)


@pytest.mark.parametrize("dims", DIMS)
@pytest.mark.parametrize("real", [True, False])
@pytest.mark.parametrize("which", ["full", "A", "B"])
def test_pole_residue_matches_todays_solver_over_g(dims, real, which):
    m = random_model(3 + sum(dims) + 7 * real, dims, real)
    eng = m._engine(which)
    assert eng is not None and eng.pr.ok
    got = m.steady_state_rational(G, which=which)
    assert np.max(np.abs(got - reference(m, G, which))) <= 1e-13
    meth = {"full": m.steady_state, "A": m.steady_state_A, "B": m.steady_state_B}[which]
    assert np.max(np.abs(meth(G) - got)) <= 1e-13


def test_pole_residue_on_the_chain_including_small_g():
    m = chain()
    g = np.concatenate([np.logspace(-6, 3, 91), -np.logspace(-6, 3, 7)])
    for which in ("full", "A", "B"):
        assert np.max(np.abs(m.steady_state_rational(g, which=which) - reference(m, g, which))) <= 1e-13


@pytest.mark.parametrize("dims", DIMS)
def test_against_dense_null_vector(dims):
    m = random_model(11 + sum(dims), dims, False)
    for g in (0.05, 0.7, 3.0):
        assert np.max(np.abs(m.steady_state(g) - null_vector(m, g))) <= 1e-10


@pytest.mark.parametrize("dims", DIMS)
def test_against_qutip(dims):
    qt = pytest.importorskip("qutip")
    m = random_model(21 + sum(dims), dims, False)
    d = m.d
    perm = np.arange(d * d).reshape(d, d).T.reshape(-1)       # row-major vec -> column-stacking
    for g in (0.1, 2.0):
        S = m.L_superop(g)[np.ix_(perm, perm)]
        L = qt.Qobj(S, dims=[[[d], [d]], [[d], [d]]], superrep="super")
        rho_q = qt.steadystate(L, method="svd").full()
        assert np.max(np.abs(m.steady_state(g) - rho_q)) <= 1e-10


@pytest.mark.parametrize("dims", DIMS)
def test_complex_g_is_the_analytic_continuation(dims):
    m = random_model(31 + sum(dims), dims, False)
    z = np.array([0.3 + 0.2j, -0.1 + 0.05j, 2j, 1e-4 * (1 + 1j)])
    args = (m.H, m.tau_A, m.tau_B, m.gamma_A, m.gamma_B, m.dims)
    for which in ("full", "A", "B"):
        ref = series.steady_state_analytic(*args, z, which=which)
        assert np.max(np.abs(m.steady_state_rational(z, which=which) - ref)) <= 1e-12
    # g = 0 is rho_0 of (7.12)
    assert np.max(np.abs(m.steady_state_rational(0.0) - m.perturbative().rho0)) <= 1e-13


def test_taylor_coefficients_against_the_contour_method():
    m = chain()
    args = (m.H, m.tau_A, m.tau_B, m.gamma_A, m.gamma_B, m.dims)
    R = series.analyticity_radius(*args)
    r, N, order = 0.5 * R, 128, 8
    vals = series.steady_state_analytic(*args, series.circle(r, N))
    ref = series.taylor_coefficients(vals, r, order)
    got = m.taylor_coefficients(order)
    k = np.arange(order + 1)[:, None, None]
    assert np.max(np.abs(got - ref) * r ** k) <= 1e-13
    assert np.max(np.abs(got[0] - m.perturbative().rho0)) <= 1e-13
    assert np.max(np.abs(got[1] - m.perturbative().rho1)) <= 1e-12


def test_scalar_fast_path_equals_the_array_path():
    m = chain()
    for g in (1e-5, 0.05, 40.0, -3.0):
        assert np.array_equal(m.steady_state(g), m.steady_state(np.array([g]))[0]) or \
            np.max(np.abs(m.steady_state(g) - m.steady_state(np.array([g]))[0])) <= 1e-15


def test_entropy_production_on_the_engine_matches_the_dense_path():
    m = chain()
    g = np.logspace(-2, 2, 9)
    lam = np.array([0.3, 0.5])[:, None]
    ep = m.entropy_production(g, lam)
    rho = reference(m, g)
    from qrmlib.linalg import logm_pd
    for i, l in enumerate((0.3, 0.5)):
        rA = reference(m, l * g, "A")
        rB = reference(m, (1 - l) * g, "B")
        lr = logm_pd(rho)
        sA = np.real(np.einsum("...ij,...ji->...", m.L_A(rho, g, l), logm_pd(rA) - lr))
        sB = np.real(np.einsum("...ij,...ji->...", m.L_B(rho, g, l), logm_pd(rB) - lr))
        assert np.max(np.abs(ep.sigma_A[i] - sA)) <= 1e-12
        assert np.max(np.abs(ep.sigma_B[i] - sB)) <= 1e-12


@pytest.mark.parametrize("bad, name", [
    (dict(g=np.nan), "g"), (dict(g=np.inf), "g"), (dict(g="x"), "g"), (dict(g=[]), "g"),
    (dict(g=0.1, which="C"), "which"),
])
def test_bad_input_to_steady_state_rational(bad, name):
    m = chain()
    with pytest.raises((ValueError, TypeError), match=name):
        m.steady_state_rational(**bad)


@pytest.mark.parametrize("bad, name", [(dict(order=-1), "order"), (dict(order=1.5), "order"),
                                       (dict(order=2, which=3), "which")])
def test_bad_input_to_taylor_coefficients(bad, name):
    m = chain()
    with pytest.raises((ValueError, TypeError), match=name):
        m.taylor_coefficients(**bad)


def test_degenerate_kernel_refused_by_the_rational_form():
    # H = 0: L_g = L_0 has the n_C^2-dimensional kernel at every g
    m = TripartiteQRM(np.zeros((8, 8)), np.eye(2) / 2, np.eye(2) / 2, 1.0, 1.0, (2, 2, 2))
    with pytest.raises(ValueError, match="self-check"):
        m.steady_state_rational(0.3)
    with pytest.raises(ValueError):
        m.steady_state(0.3)


@pytest.mark.parametrize("n", [0, 1, 2, 5, 20])
def test_eig_lr_is_scipys_left_and_right_eig(n):
    from qrmlib._reduced import _eig_lr

    K = np.random.default_rng(n).normal(size=(n, n))
    mu, wl, wr = _eig_lr(K)
    assert mu.shape == (n,) and wl.shape == wr.shape == (n, n)
    if n:
        ref = scipy.linalg.eig(K, left=True, right=True)
        assert np.array_equal(mu, ref[0])
        assert np.max(np.abs(K @ wr - wr * mu)) <= 1e-13
        assert np.max(np.abs(wl.conj().T @ K - mu[:, None] * wl.conj().T)) <= 1e-13
