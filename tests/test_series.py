"""qrmlib.series: Taylor coefficients by contour integration, analytic continuation, mpmath references."""

import math

import mpmath
import numpy as np
import pytest
import scipy.linalg

from qrmlib import linalg, series
from qrmlib import models as M
from qrmlib.tripartite import steady_state_pencil

from qrmlib.testing import random_density, random_tripartite

P = {k: v for k, v in M.FIG_PARAMS.items() if k != "t_A"}


def chain(t_A, t_B):
    return M.three_qubit_qrm(t_A, t_B, **P)


def random_model(seed, dims=(2, 2, 2)):
    """A random tri-partite QRM whose hypotheses hold (checked), with nontrivial partial steady states."""
    m = random_tripartite(seed, dims, hnorm=None, hscale=0.1, rate_range=(0.5, 1.5))
    m.perturbative()  # strict: raises if a hypothesis fails
    return m


# --- the trapezoid rule -------------------------------------------------------------------------

def test_circle():
    z = series.circle(0.7, 16)
    assert z.shape == (16,) and z[0] == 0.7
    assert np.allclose(np.abs(z), 0.7, rtol=0, atol=1e-15)
    for bad in [(0.0, 8), (-1.0, 8), (np.inf, 8), (1.0, 1)]:
        with pytest.raises(ValueError):
            series.circle(*bad)


def test_taylor_coefficients_of_known_functions():
    r, N = 0.8, 64
    z = series.circle(r, N)
    vals = np.stack([np.exp(z), 1 / (1 - z / 3)], axis=-1)          # (N, 2)
    c = series.taylor_coefficients(vals, r, 20)
    k = np.arange(21)
    exact = np.stack([1 / np.array([math.factorial(j) for j in k], float), 3.0 ** -k], axis=-1)
    assert c.shape == (21, 2)
    assert np.max(np.abs(c - exact) * r ** k[:, None]) < 1e-15      # rounding error eps max|f| / r^k
    with pytest.raises(ValueError, match="order"):
        series.taylor_coefficients(vals, r, N)
    with pytest.raises(ValueError, match="radius"):
        series.taylor_coefficients(vals, -1.0, 3)


def test_cauchy_remainder_of_exp_against_mpmath():
    r, N, m = 1.0, 64, 4
    vals = np.exp(series.circle(r, N))
    g = np.array([1e-8, 1e-5, 1e-2, 0.3, 0.5, -0.4])
    R = series.cauchy_remainder(vals, r, g, m)
    with mpmath.workdps(80):
        ref = [float((mpmath.exp(mpmath.mpf(x)) - sum(mpmath.mpf(x) ** k / mpmath.factorial(k) for k in range(m)))
                     / mpmath.mpf(x) ** m) for x in g]
    assert np.max(np.abs(R.real / ref - 1)) < 1e-14 and np.max(np.abs(R.imag)) < 1e-15
    # g = 0 gives c_m; the naive subtraction fails where Cauchy does not
    assert abs(series.cauchy_remainder(vals, r, np.array([0.0]), m)[0] - 1 / 24) < 1e-15
    naive = (np.exp(1e-5) - 1 - 1e-5 - 1e-10 / 2 - 1e-15 / 6) / 1e-20
    assert abs(naive - ref[1]) > 1e3 * abs(ref[1])
    with pytest.raises(ValueError, match="radius"):
        series.cauchy_remainder(vals, r, np.array([1.0]), m)


# --- analytic continuation -------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["full", "A", "B"])
def test_steady_state_analytic_on_the_real_axis(which):
    g = np.array([-0.3, 1e-4, 0.05, 0.8])
    for m in (chain(0.95, 0.7), random_model(3), random_model(4, (2, 3, 2))):
        ref = {"full": m.steady_state, "A": m.steady_state_A, "B": m.steady_state_B}[which](g)
        out = series.steady_state_analytic(*series.model_args(m), g, which)
        assert np.max(np.abs(out - ref)) < 1e-13


def test_steady_state_analytic_at_zero_and_complex_symmetry():
    m = random_model(5)
    Pt = m.perturbative()
    args = series.model_args(m)
    assert np.max(np.abs(series.steady_state_analytic(*args, 0.0) - Pt.rho0)) < 1e-14
    assert np.max(np.abs(series.steady_state_analytic(*args, 0.0, "A") - Pt.rho0_A)) < 1e-14
    z = series.circle(0.5, 12)
    rz = series.steady_state_analytic(*args, z)
    rzc = series.steady_state_analytic(*args, np.conj(z))
    assert np.max(np.abs(rzc - linalg.dagger(rz))) < 1e-14          # rho(conj z) = rho(z)^*
    assert np.max(np.abs(np.trace(rz, axis1=-2, axis2=-1) - 1)) < 1e-14
    # L_z rho(z) = 0 for complex z
    S = m.L0_superop + z[:, None, None] * m.L1_superop
    assert np.max(np.abs(np.einsum("kij,kj->ki", S, rz.reshape(len(z), -1)))) < 1e-14


@pytest.mark.parametrize("seed", [6, 7])
def test_taylor_coefficients_match_the_perturbation_recursion(seed):
    m = random_model(seed)
    r = 0.5 * float(series.analyticity_radius(*series.model_args(m)))
    c = series.taylor_coefficients(series.steady_state_analytic(*series.model_args(m), series.circle(r, 64)), r, 5)
    assert np.max(np.abs(c - m.perturbative().series(5))) < 1e-11


def test_logm_eig():
    rng = np.random.default_rng(11)
    rho = random_density(rng, 6)
    assert np.max(np.abs(series.logm_eig(rho) - linalg.logm_pd(rho))) < 1e-13
    # a non-normal matrix with positive spectrum: the principal log of scipy
    A = rho + 0.02 * (rng.normal(size=(6, 6)) + 1j * rng.normal(size=(6, 6)))
    assert np.min(np.linalg.eigvals(A).real) > 0
    assert np.max(np.abs(series.logm_eig(A) - scipy.linalg.logm(A))) < 1e-11
    with pytest.raises(ValueError, match="branch cut"):
        series.logm_eig(np.diag([1.0, -0.5]))
    with pytest.raises(ValueError, match="defective"):
        series.logm_eig(np.array([[1.0, 1.0], [0.0, 1.0 + 1e-12]]))


def test_entropy_production_and_fluxes_analytic_on_the_real_axis():
    g = np.array([0.02, 0.3])
    for m in (random_model(8), chain(0.95, 0.6)):
        s, sA, sB = series.entropy_production_analytic(*series.model_args(m), g, 0.3)
        ref = m.entropy_production(g, 0.3)
        for a, b in zip((s, sA, sB), ref):
            assert np.max(np.abs(a - b)) < 1e-13 * max(1.0, np.max(np.abs(b)) * 1e3)
        fA, fB = series.entropy_fluxes_analytic(*series.model_args(m), g, 0.3)
        rA, rB = m.entropy_fluxes(g, 0.3)
        assert np.max(np.abs(fA - rA)) < 1e-13 and np.max(np.abs(fB - rB)) < 1e-13
    with pytest.raises(ValueError, match="lam"):
        series.entropy_production_analytic(*series.model_args(m), g, 1.0)


def test_sigma_coefficients_theorem_7_2_on_a_random_model():
    """c_2 of the exact sigma(g) is sigma^(2)(lam) of Proposition 7.7, a genuine quadratic in lam; c_0 = c_1 = 0."""
    m = random_model(9)
    Pt = m.perturbative()
    lam = np.array([-1.0, 0.3, 0.5, 2.0])
    args = series.model_args(m)
    # rho^A is evaluated at lam z, rho^B at (1 - lam) z: stay inside all three discs
    r = 0.3 * min(float(series.analyticity_radius(*args)), float(series.analyticity_radius(*args, which="A")) / 2,
                  float(series.analyticity_radius(*args, which="B")) / 2)
    s = series.entropy_production_analytic(*series.model_args(m), series.circle(r, 64)[:, None], lam)[0]
    c = series.taylor_coefficients(s, r, 3)
    assert np.max(np.abs(c[2] - Pt.sigma2(lam))) < 1e-11
    assert np.max(np.abs(c[:2])) < 1e-13
    assert np.ptp(Pt.sigma2(lam)) > 1e-3 * np.max(Pt.sigma2(lam))   # depends on lam here (unlike the chain)


def test_chain_sigma_coefficients_vs_finite_differences():
    """Contour coefficients of sigma(g) (chain) against a polynomial fit in g^2 of double-precision values."""
    m = chain(0.95, 0.6)
    args = series.model_args(m)
    s = series.entropy_production_analytic(*args, series.circle(1.0, 128), 0.5)[0]
    c = series.taylor_coefficients(s, 1.0, 12).real
    h = np.array([0.1, 0.15, 0.2, 0.25, 0.3, 0.35])
    sig = m.entropy_production(h, 0.5)[0]
    fit = np.polynomial.polynomial.polyfit(h**2, sig / h**2, 4)      # c2, c4, c6, c8, c10
    assert abs(fit[0] / c[2] - 1) < 1e-9
    assert abs(fit[1] / c[4] - 1) < 1e-5
    assert np.max(np.abs(c[1::2])) < 1e-17                          # sigma is even in g
    # the partial sums converge to the double-precision values at moderate g
    partial = np.polynomial.polynomial.polyval(h, c)
    assert np.max(np.abs(partial / sig - 1)) < 1e-11


def test_chain_sigma4_stable_in_radius_and_nodes_and_equal_to_recursion():
    m = chain(0.95, 0.6)
    args = series.model_args(m)
    vals = []
    for r in (0.5, 1.0, 1.5):
        for N in (64, 128):
            s = series.entropy_production_analytic(*args, series.circle(r, N), 0.5)[0]
            vals.append(series.taylor_coefficients(s, r, 4)[4].real)
    vals = np.array(vals)
    assert np.ptp(vals) < 1e-11 * abs(vals[0])
    rho4 = m.perturbative().series(4)[4]
    rec = (-P["gamma_A"] * np.trace(linalg.partial_trace(rho4, (2, 2, 2), 0) @ linalg.logm_pd(m.tau_A))
           - P["gamma_B"] * np.trace(linalg.partial_trace(rho4, (2, 2, 2), 2) @ linalg.logm_pd(m.tau_B))).real
    assert abs(rec / vals[0] - 1) < 1e-11
    assert vals[0] == pytest.approx(-1.3976703687e-4, rel=1e-9)


def test_analyticity_radius_is_a_singular_point():
    m = chain(0.95, 0.6)
    args = series.model_args(m)
    R = float(series.analyticity_radius(*args))
    assert R == pytest.approx(2.1373, abs=1e-4)
    Pn = steady_state_pencil(*args)
    mu = np.linalg.eigvals(np.linalg.solve(Pn["A0"], Pn["A1"]))
    z = -1 / mu[np.argmax(np.abs(mu))]
    assert abs(abs(z) - R) < 1e-12
    s = np.linalg.svd(Pn["A0"] + z * Pn["A1"], compute_uv=False)
    assert s[-1] < 1e-12 * s[0]
    # the bound is not sharp for the chain: the coefficients of rho decay faster than R^-k
    rz = series.steady_state_analytic(*args, series.circle(4.0, 256))
    ck = np.max(np.abs(series.taylor_coefficients(rz, 4.0, 80)), axis=(-1, -2))
    assert ck[80] * R**80 < 1e-10
    # stacks
    assert series.analyticity_radius(m.H, m.tau_A, M.reset_state(np.array([0.6, 0.9])), 0.7, 0.6, (2, 2, 2)).shape == (2,)


# --- mpmath references ---------------------------------------------------------------------------

def test_mp_steady_state_matches_double():
    m = random_model(12)
    x = series.mp_steady_state(*series.model_args(m), 0.07, dps=30)
    assert x.shape == (8, 8)
    assert np.max(np.abs(np.array(x.tolist(), dtype=complex) - m.steady_state(0.07))) < 1e-13
    xa = series.mp_steady_state(*series.model_args(m), 0.07, which="A", dps=30)
    assert np.max(np.abs(np.array(xa.tolist(), dtype=complex) - m.steady_state_A(0.07))) < 1e-13
    with pytest.raises(ValueError, match="which"):
        series.mp_steady_state(*series.model_args(m), 0.07, which="C")


def test_mp_entropy_production_matches_double_on_a_random_model():
    m = random_model(13)
    s, sA, sB = series.mp_entropy_production(*series.model_args(m), 0.1, 0.3, dps=30)
    ref = m.entropy_production(0.1, 0.3)
    assert abs(float(s) - ref[0]) < 1e-14 and abs(float(sA) - ref[1]) < 1e-14 and abs(float(sB) - ref[2]) < 1e-14


def test_mp_remainder_matches_the_contour_where_double_precision_fails():
    """(sigma - g^2 sigma2)/g^4 at g = 1e-3 (chain, t_B = 0.6): contour vs 40-digit mpmath."""
    m = chain(0.95, 0.6)
    args = series.model_args(m)
    g = 1e-3
    with mpmath.workdps(40):
        s_mp = series.mp_entropy_production(*args, g, 0.5, dps=40)[0]
        Ja, Jb, gA, gB = (mpmath.mpf(P[k]) for k in ("J_alpha", "J_beta", "gamma_A", "gamma_B"))
        tA, tB = mpmath.mpf(0.95), mpmath.mpf(0.6)
        s2 = 2 * Ja**2 * Jb**2 * (tA - tB) * (mpmath.log(tA / (1 - tA)) - mpmath.log(tB / (1 - tB))) / (Ja**2 * gB + Jb**2 * gA)
        R_mp = float((s_mp - mpmath.mpf(g) ** 2 * s2) / mpmath.mpf(g) ** 4)
    assert float(s2) == pytest.approx(float(M.sigma2_chain(P["J_alpha"], P["J_beta"], P["gamma_A"], P["gamma_B"], 0.95, 0.6)),
                                      rel=1e-15)
    s = series.entropy_production_analytic(*args, series.circle(1.0, 128), 0.5)[0]
    R = series.cauchy_remainder(s, 1.0, np.array([g]), 4)[0].real
    assert abs(R / R_mp - 1) < 1e-11
    # plain double precision is noise at g <= 1e-3: median relative error over nine points > 10%
    gs = np.logspace(-4, -3, 9)
    R_double = (m.entropy_production(gs, 0.5)[0] - gs**2 * float(s2)) / gs**4
    R_exact = series.cauchy_remainder(s, 1.0, gs, 4).real
    assert np.median(np.abs(R_double / R_exact - 1)) > 0.1
