"""Unit tests for :mod:`qrmlib.reset` (paper, Sections 3-4) against independent paths.

Independent references used here, none of which goes through the closed forms
(3.6)-(3.10) of the library:

- the d²×d² superoperator matrix, built either by :func:`qrmlib.lindbladian` or,
  fully independently of :mod:`qrmlib.reset`, from the QRM written in Lindblad
  form (2.2) with jump operators Γ_{kl} = sqrt(γ p_k) |e_k><l| (see
  :func:`reset_jumps`), and its trace-one null vector / eigenvalues / ``expm``;
- finite differences of the defining time derivatives (2.4), (2.8).

Tolerances: O(1) matrices of size <= 6 (superoperators <= 36×36) in double
precision; 1e-12 allows ~1000 ulps for closed-form vs closed-form comparisons.
Comparisons against SVD null vectors / non-Hermitian eigenvalues / expm use
1e-10: their backward error is ~1e-15 ||S|| with ||S|| <= ~30 here, amplified by
the conditioning (the spectral gap Γ >= 0.2 of the Lindbladian, or the
eigenvector condition number), which stays far below 1e3 for these instances.
"""

import itertools

import numpy as np
import pytest
import scipy.linalg as sla
from scipy.optimize import linear_sum_assignment

import qrmlib
from qrmlib import lindblad as lb
from qrmlib import reset as rs
from qrmlib.linalg import dagger, logm_pd, unvec, vec
from qrmlib.testing import random_density, random_hermitian, reset_jumps
from qrmlib.testing import random_faithful as faithful
from qrmlib.testing import random_qrm as instance

EXACT = 1e-12  # closed form vs closed form (module docstring)
GENERIC = 1e-10  # closed form vs SVD / eig / expm of the superoperator (module docstring)




def qrm_superop_lindblad_form(H, taus, gammas, lambdas=None):
    """Superoperator of Σ_j [−iλ_j[H,·] + γ_j(τ_j tr − id)] via qrmlib.lindblad only."""
    if lambdas is None:
        return lb.lindblad_superop(H, np.concatenate([reset_jumps(t, g) for t, g in zip(taus, gammas)]))
    return np.array([lb.lindblad_superop(l * H, reset_jumps(t, g)) for t, g, l in zip(taus, gammas, lambdas)])


def deriv5(f, h):
    """Five-point central difference f'(0) = [f(-2h) - 8f(-h) + 8f(h) - f(2h)]/(12h) + O(h^4 f^(5)/30)."""
    return (f(-2 * h) - 8 * f(-h) + 8 * f(h) - f(2 * h)) / (12 * h)


def apply(S, X):
    return unvec(S @ vec(X), X.shape[-1])


# --- combine_resets, eq. (3.4) --------------------------------------------------

def test_combine_resets(rng):
    H, taus, gammas = instance(rng, 4, 3)
    T, G = rs.combine_resets(taus, gammas)
    assert abs(G - gammas.sum()) < EXACT
    assert np.allclose(T, sum(g * t for g, t in zip(gammas, taus)) / gammas.sum(), atol=EXACT, rtol=0)
    assert abs(np.trace(T) - 1) < EXACT
    # broadcast: (2, 3, J, d, d) and (3, J)
    taus_b = np.stack([np.stack([faithful(rng, 3) for _ in range(2)]) for _ in range(6)]).reshape(2, 3, 2, 3, 3)
    gam_b = rng.uniform(0.2, 2, size=(3, 2))
    T, G = rs.combine_resets(taus_b, gam_b)
    assert T.shape == (2, 3, 3, 3) and G.shape == (3,)
    for i, j in itertools.product(range(2), range(3)):
        Tij, Gij = rs.combine_resets(taus_b[i, j], gam_b[j])
        assert np.allclose(T[i, j], Tij, atol=EXACT, rtol=0) and abs(G[j] - Gij) < EXACT


# --- lindbladian: the superoperator itself --------------------------------------

@pytest.mark.parametrize("d,J", [(2, 1), (3, 2), (4, 3), (5, 4)])
def test_lindbladian_equals_lindblad_form(rng, d, J):
    """The QRM (3.2) written in Lindblad form (2.2) is the same superoperator."""
    H, taus, gammas = instance(rng, d, J)
    S = qrmlib.lindbladian(H, taus, gammas)
    S_ref = qrm_superop_lindblad_form(H, taus, gammas)
    # both are sums of O(d^2) Kronecker products of O(1) entries
    assert np.allclose(S, S_ref, atol=EXACT, rtol=0)
    # and it acts as lindbladian_apply on arbitrary (non-Hermitian, non-unit-trace) matrices
    X = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    assert np.allclose(apply(S, X), rs.lindbladian_apply(H, taus, gammas, X), atol=EXACT, rtol=0)
    # trace preserving: vec(I)^t S = 0
    assert np.allclose(vec(np.eye(d)) @ S, 0, atol=EXACT)


def test_lindbladian_apply_matches_definition(rng):
    H, taus, gammas = instance(rng, 3, 2)
    rho = random_density(rng, 3)
    ref = -1j * (H @ rho - rho @ H) + sum(g * (t - rho) for g, t in zip(gammas, taus))
    assert np.allclose(rs.lindbladian_apply(H, taus, gammas, rho), ref, atol=EXACT, rtol=0)


# --- steady state (3.8)-(3.10) vs the generic null vector ------------------------

@pytest.mark.parametrize("d", range(2, 7))
@pytest.mark.parametrize("J", range(1, 5))
def test_steady_state_vs_generic_null_vector(rng, d, J):
    for hscale in (0.3, 1.0, 3.0):
        H, taus, gammas = instance(rng, d, J, hscale=hscale)
        rp = qrmlib.steady_state(H, taus, gammas)
        # path 1: null vector of qrmlib.lindbladian
        ref1 = lb.null_steady_state(qrmlib.lindbladian(H, taus, gammas))
        # path 2: null vector of the Lindblad form, no qrmlib.reset code involved
        ref2 = lb.null_steady_state(qrm_superop_lindblad_form(H, taus, gammas))
        assert np.allclose(rp, ref1, atol=GENERIC, rtol=0)
        assert np.allclose(rp, ref2, atol=GENERIC, rtol=0)
        # it is a state in ker L
        assert abs(np.trace(rp) - 1) < EXACT
        assert np.allclose(rp, rp.conj().T, atol=EXACT, rtol=0)
        assert np.linalg.eigvalsh(rp).min() > 0
        assert np.allclose(rs.lindbladian_apply(H, taus, gammas, rp), 0, atol=1e-11)


def test_steady_state_degenerate_H_and_commuting(rng):
    """(3.10) with spectral projectors, degenerate H; [T,H] = 0 ⇒ ρ+ = T."""
    d = 5
    u = np.linalg.qr(rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d)))[0]
    e = np.array([-1.0, -1.0, 0.5, 2.0, 2.0])
    H = u @ np.diag(e) @ u.conj().T
    taus, gammas = np.stack([faithful(rng, d) for _ in range(3)]), np.array([0.5, 1.0, 2.0])
    T, G = rs.combine_resets(taus, gammas)
    levels = np.unique(e)
    P = [u[:, e == x] @ u[:, e == x].conj().T for x in levels]
    ref = sum(P[a] @ T @ P[b] / (1j * (levels[a] - levels[b]) / G + 1)
              for a in range(len(levels)) for b in range(len(levels)))
    rp = qrmlib.steady_state(H, taus, gammas)
    assert np.allclose(rp, ref, atol=EXACT, rtol=0)
    assert np.allclose(rp, lb.null_steady_state(qrmlib.lindbladian(H, taus, gammas)), atol=GENERIC, rtol=0)
    # commuting resets: rho+ = T
    taus_c = np.stack([u @ np.diag(random_density(rng, d).diagonal().real) @ u.conj().T for _ in range(3)])
    assert np.allclose(qrmlib.steady_state(H, taus_c, gammas), rs.combine_resets(taus_c, gammas)[0],
                       atol=EXACT, rtol=0)


def test_steady_state_broadcast_grid(rng):
    d, J = 3, 2
    Hs = np.stack([random_hermitian(rng, d) for _ in range(3)])[:, None]  # (3, 1, d, d)
    taus = np.stack([np.stack([faithful(rng, d) for _ in range(J)]) for _ in range(4)])  # (4, J, d, d)
    gammas = rng.uniform(0.2, 2, size=(4, J))
    rp = qrmlib.steady_state(Hs, taus, gammas)
    assert rp.shape == (3, 4, d, d)
    S = qrmlib.lindbladian(Hs, taus, gammas)
    assert S.shape == (3, 4, d * d, d * d)
    ref = lb.null_steady_state(S)
    assert ref.shape == (3, 4, d, d)
    for i, j in itertools.product(range(3), range(4)):
        assert np.allclose(rp[i, j], qrmlib.steady_state(Hs[i, 0], taus[j], gammas[j]), atol=EXACT, rtol=0)
        assert np.allclose(S[i, j], qrmlib.lindbladian(Hs[i, 0], taus[j], gammas[j]), atol=EXACT, rtol=0)
    assert np.allclose(rp, ref, atol=GENERIC, rtol=0)
    # one H, a grid of gammas only (taus shared)
    g2 = rng.uniform(0.2, 2, size=(5, J))
    rp2 = qrmlib.steady_state(Hs[0, 0], taus[0], g2)
    assert rp2.shape == (5, d, d)
    for k in range(5):
        assert np.allclose(rp2[k], qrmlib.steady_state(Hs[0, 0], taus[0], g2[k]), atol=EXACT, rtol=0)


# --- rho_H (Lemma 3.1) ---------------------------------------------------------

def test_rho_H_solves_defining_equation_and_broadcasts(rng):
    d = 4
    H = random_hermitian(rng, d)
    T = rng.normal(size=(3, 4, d, d)) + 1j * rng.normal(size=(3, 4, d, d))  # any matrices: linear map
    R = qrmlib.rho_H(H, T)
    assert R.shape == (3, 4, d, d)
    # (3.15): rho_H(T) + i[H, rho_H(T)] = T
    assert np.allclose(R + 1j * (H @ R - R @ H), T, atol=EXACT, rtol=0)
    # steady state = rho_{H/Γ}(T)
    Hs, taus, gammas = instance(rng, d, 3)
    T0, G = rs.combine_resets(taus, gammas)
    assert np.allclose(qrmlib.rho_H(Hs / G, T0), qrmlib.steady_state(Hs, taus, gammas), atol=EXACT, rtol=0)
    # batch of H against one T
    Hb = np.stack([random_hermitian(rng, d) for _ in range(5)])
    Rb = qrmlib.rho_H(Hb, T[0, 0])
    for k in range(5):
        assert np.allclose(Rb[k], qrmlib.rho_H(Hb[k], T[0, 0]), atol=EXACT, rtol=0)


# --- spectrum (3.6) vs eigenvalues of the superoperator ---------------------------

def _match_distance(a, b):
    """Max distance under the optimal one-to-one matching of two multisets of complex numbers
    (an order-independent 'sorted comparison', robust to ties in the real parts)."""
    cost = np.abs(a[:, None] - b[None, :])
    r, c = linear_sum_assignment(cost)
    return cost[r, c].max()


@pytest.mark.parametrize("d", range(2, 7))
def test_spectrum_vs_superop_eigenvalues(rng, d):
    for J in (1, 3):
        H, taus, gammas = instance(rng, d, J)
        spec = qrmlib.spectrum(H, gammas)
        assert spec.shape == (d * d,)
        assert spec[0] == 0
        ev = np.linalg.eigvals(qrmlib.lindbladian(H, taus, gammas))
        # L is diagonalisable with well-separated eigenvalues here: eig error ~1e-14 * ||S||
        assert _match_distance(spec, ev) < GENERIC
        # the same with an np.sort (real, then imag) comparison after rounding the real parts
        key = lambda z: np.lexsort((np.round(z.imag, 8), np.round(z.real, 8)))  # noqa: E731
        assert np.allclose(spec[key(spec)], ev[key(ev)], atol=GENERIC, rtol=0)
    # degenerate H: -Γ has multiplicity d - 1 + (number of ordered pairs j != k with e_j = e_k)
    e = np.array([0.0, 0.0, 1.0])
    u = np.linalg.qr(rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3)))[0]
    Hd = u @ np.diag(e) @ u.conj().T
    taus, gammas = np.stack([faithful(rng, 3)]), np.array([0.7])
    spec = qrmlib.spectrum(Hd, gammas)
    assert np.sum(np.abs(spec + 0.7) < 1e-12) == 2 + 2
    # L is diagonalisable even here (the −Γ eigenvectors are traceless diagonal / off-diagonal
    # matrices in the H eigenbasis), so the degenerate eigenvalues are not sqrt(eps)-sensitive;
    # 1e-8 still leaves room for a mildly ill-conditioned eigenbasis
    assert _match_distance(spec, np.linalg.eigvals(qrmlib.lindbladian(Hd, taus, gammas))) < 1e-8


def test_spectrum_broadcast(rng):
    Hs = np.stack([random_hermitian(rng, 3) for _ in range(12)]).reshape(3, 4, 3, 3)
    gammas = rng.uniform(0.2, 2, size=(4, 2))
    spec = qrmlib.spectrum(Hs, gammas)
    assert spec.shape == (3, 4, 9)
    for i, j in itertools.product(range(3), range(4)):
        assert np.allclose(spec[i, j], qrmlib.spectrum(Hs[i, j], gammas[j]), atol=EXACT, rtol=0)


# --- evolve (3.7) vs expm of the superoperator -----------------------------------

@pytest.mark.parametrize("d,J", [(2, 1), (3, 2), (4, 4), (6, 3)])
def test_evolve_vs_expm(rng, d, J):
    H, taus, gammas = instance(rng, d, J)
    S = qrmlib.lindbladian(H, taus, gammas)
    ts = np.array([0.0, 0.05, 0.3, 1.0, 2.5, 10.0])
    for rho0 in (random_density(rng, d), rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))):
        out = qrmlib.evolve(H, taus, gammas, rho0, ts)
        assert out.shape == (len(ts), d, d)
        for k, t in enumerate(ts):
            ref = unvec(sla.expm(t * S) @ vec(rho0), d)
            # expm (scaling & squaring) relative error ~1e-14 * ||tS||; ||rho0|| = O(1..5)
            assert np.allclose(out[k], ref, atol=GENERIC, rtol=0), t
    # t grid of shape (2, 3); rho(0) = rho0; rho(inf) -> rho+
    rho0 = random_density(rng, d)
    tg = np.array([[0.0, 0.1, 0.2], [1.0, 5.0, 60.0]])
    out = qrmlib.evolve(H, taus, gammas, rho0, tg)
    assert out.shape == (2, 3, d, d)
    assert np.allclose(out[0, 0], rho0, atol=EXACT, rtol=0)
    # ρ(t) − ρ+ = e^{−Γt} e^{−iHt}(ρ0 − ρ+)e^{iHt} (3.7): entries bounded by 2 e^{−Γt}
    G = gammas.sum()
    assert np.max(np.abs(out[1, 2] - qrmlib.steady_state(H, taus, gammas))) < 2 * np.exp(-60 * G) + EXACT


# --- adjoint, eq. (3.18) ---------------------------------------------------------

@pytest.mark.parametrize("d,J", [(2, 2), (3, 1), (5, 3)])
def test_lindbladian_adjoint_vs_hilbert_schmidt_adjoint(rng, d, J):
    H, taus, gammas = instance(rng, d, J)
    S = qrmlib.lindbladian(H, taus, gammas)
    # row-major vec: <A, B>_HS = tr(A^* B) = vec(A)^† vec(B), so the HS adjoint is S^†
    Sdag = S.conj().T
    for _ in range(3):
        X = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
        assert np.allclose(rs.lindbladian_adjoint_apply(H, taus, gammas, X), apply(Sdag, X), atol=EXACT, rtol=0)
    # L^†(I) = 0 (trace preservation), and the Lindblad-form decomposition (3.18)-(3.19)
    assert np.allclose(rs.lindbladian_adjoint_apply(H, taus, gammas, np.eye(d)), 0, atol=EXACT)
    T, G = rs.combine_resets(taus, gammas)
    X = random_hermitian(rng, d)
    Phi = lambda Y: G * np.eye(d) * np.trace(T @ Y)  # noqa: E731
    ref = 1j * (H @ X - X @ H) - 0.5 * (Phi(np.eye(d)) @ X + X @ Phi(np.eye(d))) + Phi(X)
    assert np.allclose(rs.lindbladian_adjoint_apply(H, taus, gammas, X), ref, atol=EXACT, rtol=0)
    # broadcast over X
    Xs = rng.normal(size=(3, 4, d, d)) + 0j
    out = rs.lindbladian_adjoint_apply(H, taus, gammas, Xs)
    assert out.shape == (3, 4, d, d)
    assert np.allclose(out[2, 1], rs.lindbladian_adjoint_apply(H, taus, gammas, Xs[2, 1]), atol=EXACT, rtol=0)


# --- Section 4: partial steady states and partial Lindbladians --------------------

def random_affine(rng, J, spread=1.5):
    lam = rng.uniform(-spread, spread, size=J)
    lam[-1] = 1 - lam[:-1].sum()
    return lam


@pytest.mark.parametrize("d,J", [(2, 3), (3, 2), (4, 4), (6, 1)])
def test_partial_steady_states_vs_null_vectors(rng, d, J):
    H, taus, gammas = instance(rng, d, J)
    lam = random_affine(rng, J)
    rj = rs.partial_steady_states(H, taus, gammas, lam)
    assert rj.shape == (J, d, d)
    Sj = qrm_superop_lindblad_form(H, taus, gammas, lam)
    for j in range(J):
        assert np.allclose(rj[j], lb.null_steady_state(Sj[j]), atol=GENERIC, rtol=0)
        # (4.2): rho_j = rho_{λ_j H / γ_j}(τ_j)
        assert np.allclose(rj[j], qrmlib.rho_H(lam[j] * H / gammas[j], taus[j]), atol=EXACT, rtol=0)
    # λ_j = 0 gives τ_j (4.6); weights need not sum to one here
    assert np.allclose(rs.partial_steady_states(H, taus, gammas, np.zeros(J)), taus, atol=EXACT, rtol=0)


def test_partial_lindbladians_apply(rng):
    d, J = 4, 3
    H, taus, gammas = instance(rng, d, J)
    lam = random_affine(rng, J)
    rho = random_density(rng, d)
    Lj = rs.partial_lindbladians_apply(H, taus, gammas, lam, rho)
    assert Lj.shape == (J, d, d)
    Sj = qrm_superop_lindblad_form(H, taus, gammas, lam)
    for j in range(J):
        assert np.allclose(Lj[j], apply(Sj[j], rho), atol=EXACT, rtol=0)
    # Σ λ_j = 1 ⇒ Σ_j L_j = L  (2.3)
    assert np.allclose(Lj.sum(0), rs.lindbladian_apply(H, taus, gammas, rho), atol=EXACT, rtol=0)
    # (4.4): L_j(ρ+) = λ_j Γ (ρ+ − T) + γ_j (τ_j − ρ+)
    rp = qrmlib.steady_state(H, taus, gammas)
    T, G = rs.combine_resets(taus, gammas)
    Ljp = rs.partial_lindbladians_apply(H, taus, gammas, lam, rp)
    for j in range(J):
        assert np.allclose(Ljp[j], lam[j] * G * (rp - T) + gammas[j] * (taus[j] - rp), atol=EXACT, rtol=0)
    # each L_j annihilates its own steady state
    rj = rs.partial_steady_states(H, taus, gammas, lam)
    Lrj = rs.partial_lindbladians_apply(H, taus, gammas, lam, rj)  # (J, J, d, d): row k = L_j(rho_k)
    for j in range(J):
        assert np.allclose(Lrj[j, j], 0, atol=EXACT)


# --- entropy production, fluxes: (2.4), (2.8)-(2.13), (4.5) -----------------------

@pytest.mark.parametrize("d,J", [(2, 2), (3, 3), (4, 2), (5, 4), (6, 3)])
def test_entropy_production_vs_generic(rng, d, J):
    """σ, σ_j from the closed forms vs lindblad.entropy_production_sum on null vectors of the
    Lindblad-form superoperators (no qrmlib.reset code in the reference)."""
    H, taus, gammas = instance(rng, d, J)
    lam = random_affine(rng, J)
    Sj = qrm_superop_lindblad_form(H, taus, gammas, lam)
    rj = lb.null_steady_state(Sj)
    rp = lb.null_steady_state(Sj.sum(0))
    sig_ref, sj_ref = lb.entropy_production_sum(Sj, rj, rp)
    sig, sj = qrmlib.entropy_production(H, taus, gammas, lam)
    # log amplifies the 1e-10 state error by 1/λ_min(state) <= ~1e2
    assert abs(sig - sig_ref) < 1e-8 and np.allclose(sj, sj_ref, atol=1e-8, rtol=0)
    assert sj.shape == (J,) and np.all(sj >= -EXACT)
    # and at a generic faithful state rho
    rho = faithful(rng, d)
    sig_r, sj_r = qrmlib.entropy_production(H, taus, gammas, lam, rho=rho)
    sig_r_ref, sj_r_ref = lb.entropy_production_sum(Sj, rj, rho)
    assert abs(sig_r - sig_r_ref) < 1e-8 and np.allclose(sj_r, sj_r_ref, atol=1e-8, rtol=0)


def test_entropy_production_is_minus_derivative_of_relative_entropies(rng):
    """Definition (2.4): σ(ρ) = −d/dt Σ_j S(e^{tL_j}ρ | ρ_j+) at t = 0 (central difference)."""
    d, J = 3, 3
    H, taus, gammas = instance(rng, d, J)
    lam = random_affine(rng, J)
    rho = faithful(rng, d, floor=0.3)
    Sj = qrmlib.lindbladian(H[None] * lam[:, None, None], taus[:, None], gammas[:, None])
    rj = rs.partial_steady_states(H, taus, gammas, lam)
    h = 1e-4
    f = lambda t: np.array([qrmlib.relative_entropy(unvec(sla.expm(t * Sj[j]) @ vec(rho), d), rj[j])  # noqa: E731
                            for j in range(J)])
    fd = -deriv5(f, h)
    sig, sj = qrmlib.entropy_production(H, taus, gammas, lam, rho=rho)
    # 5-point stencil, h = 1e-4: truncation h^4/30 |f^(5)| <~ 1e-16 * ||L||^5 / 30 ~ 1e-12 (||L|| <~ 10);
    # round-off ~ 1.5 eps |f| / h ~ 1e-11 (observed max 5e-11 over 20 random instances).  1e-8: 100x margin.
    assert np.allclose(sj, fd, atol=1e-8, rtol=0)


def test_entropy_balance_2_8(rng):
    """d/dt S(e^{tL}ρ)|_0 = σ(ρ) − Σ_j tr(L_j(ρ) ln ρ_j+)   (2.8)."""
    d, J = 4, 3
    H, taus, gammas = instance(rng, d, J)
    lam = random_affine(rng, J)
    rho = faithful(rng, d, floor=0.3)
    h = 1e-4
    dS = deriv5(lambda t: qrmlib.entropy(qrmlib.evolve(H, taus, gammas, rho, t)), h)
    sig, _ = qrmlib.entropy_production(H, taus, gammas, lam, rho=rho)
    phi = qrmlib.entropy_fluxes(H, taus, gammas, lam, rho=rho)
    # 5-point stencil: error bound as in the previous test
    assert abs(dS - (sig - phi.sum())) < 1e-8


@pytest.mark.parametrize("d,J", [(2, 2), (3, 4), (5, 3)])
def test_entropy_fluxes_sum_to_sigma_and_flux_observables(rng, d, J):
    H, taus, gammas = instance(rng, d, J)
    lam = random_affine(rng, J)
    sig, sj = qrmlib.entropy_production(H, taus, gammas, lam)
    phi = qrmlib.entropy_fluxes(H, taus, gammas, lam)
    # (2.12): Σ φ_j = σ(ρ+) since Σ_j L_j(ρ+) = 0
    assert abs(phi.sum() - sig) < 1e-11
    # (2.13): φ_j = −tr(ρ+ I_j+), I_j+ = L_j^†(−ln ρ_j+) (2.9)
    rp = qrmlib.steady_state(H, taus, gammas)
    Ij = qrmlib.flux_observables(H, taus, gammas, lam)
    assert Ij.shape == (J, d, d)
    assert np.allclose(Ij, dagger(Ij), atol=EXACT, rtol=0)  # observables are Hermitian
    assert np.allclose(-np.real(np.einsum("ij,kji->k", rp, Ij)), phi, atol=1e-11, rtol=0)
    # I_j+ = L_j^†(−ln ρ_j+) with L_j^† the HS adjoint (conjugate transpose) of the superoperator
    Sj = qrm_superop_lindblad_form(H, taus, gammas, lam)
    rj = rs.partial_steady_states(H, taus, gammas, lam)
    for j in range(J):
        assert np.allclose(Ij[j], apply(Sj[j].conj().T, -logm_pd(rj[j])), atol=1e-11, rtol=0)
    # (2.9) at any state: tr(ρ I_j) = −tr(L_j(ρ) ln ρ_j+) = −φ_j(ρ)
    rho = faithful(rng, d)
    phi_r = qrmlib.entropy_fluxes(H, taus, gammas, lam, rho=rho)
    assert np.allclose(np.real(np.einsum("ij,kji->k", rho, Ij)), -phi_r, atol=1e-11, rtol=0)
    # (4.5): σ_j(ρ+) = tr((λ_jΓ(ρ+ − T) + γ_j(τ_j − ρ+))(ln ρ_j+ − ln ρ+))
    T, G = rs.combine_resets(taus, gammas)
    lr = logm_pd(rp)
    for j in range(J):
        ref = np.real(np.trace((lam[j] * G * (rp - T) + gammas[j] * (taus[j] - rp)) @ (logm_pd(rj[j]) - lr)))
        assert abs(sj[j] - ref) < 1e-11


def test_entropy_production_broadcast(rng):
    d, J = 3, 2
    Hs = np.stack([random_hermitian(rng, d) for _ in range(3)])[:, None]  # (3, 1, d, d)
    taus = np.stack([faithful(rng, d) for _ in range(J)])  # shared
    gammas = rng.uniform(0.2, 2, size=(4, J))  # (4, J)
    lam = np.stack([random_affine(rng, J) for _ in range(4)])  # (4, J)
    sig, sj = qrmlib.entropy_production(Hs, taus, gammas, lam)
    phi = qrmlib.entropy_fluxes(Hs, taus, gammas, lam)
    Ij = qrmlib.flux_observables(Hs, taus, gammas, lam)
    rj = rs.partial_steady_states(Hs, taus, gammas, lam)
    assert sig.shape == (3, 4) and sj.shape == (3, 4, J) and phi.shape == (3, 4, J)
    assert Ij.shape == (3, 4, J, d, d) and rj.shape == (3, 4, J, d, d)
    for i, k in itertools.product(range(3), range(4)):
        s1, sj1 = qrmlib.entropy_production(Hs[i, 0], taus, gammas[k], lam[k])
        assert abs(sig[i, k] - s1) < EXACT and np.allclose(sj[i, k], sj1, atol=EXACT, rtol=0)
        assert np.allclose(phi[i, k], qrmlib.entropy_fluxes(Hs[i, 0], taus, gammas[k], lam[k]), atol=EXACT, rtol=0)
        assert np.allclose(Ij[i, k], qrmlib.flux_observables(Hs[i, 0], taus, gammas[k], lam[k]),
                           atol=EXACT, rtol=0)
    # a batch of states rho (5, d, d) for one model
    rhos = np.stack([faithful(rng, d) for _ in range(5)])
    sig_r, sj_r = qrmlib.entropy_production(Hs[0, 0], taus, gammas[0], lam[0], rho=rhos)
    assert sig_r.shape == (5,) and sj_r.shape == (5, J)
    for k in range(5):
        assert abs(sig_r[k] - qrmlib.entropy_production(Hs[0, 0], taus, gammas[0], lam[0], rho=rhos[k])[0]) < EXACT
