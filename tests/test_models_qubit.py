"""The single qubit of Section 5: every printed closed form against the generic solver.

Printed formulas that the numerics refute are kept as ``*_printed`` in
:mod:`qrmlib.models`; for each we assert that the printed form FAILS where it
should (documenting the erratum) and that the corrected form holds.

Tolerance ``CLOSED = 1e-12``: both sides are closed forms in double precision
on O(1) numbers (a 2×2 eigendecomposition and logs of eigenvalues in
[0.02, 0.98] on the generic side); 1e-12 is ~1000 ulps.  "Fails" means a
discrepancy larger than ``REFUTED = 1e-6``, i.e. > 1e6 × the tolerance.
"""

import itertools

import numpy as np
import pytest

import qrmlib
from qrmlib import models as m
from qrmlib import reset as rs
from qrmlib.testing import random_density

CLOSED = 1e-12
REFUTED = 1e-6

EPS_VALUES = [1.0, 0.6, 2.3]  # energies in units of ε, but the functions accept any ε


def params(rng, n=1):
    """δ, γ's and t's away from the trivial values δ = 0, t = 1/2 (5.2)."""
    delta = rng.uniform(0.2, 2.0)
    gammas = rng.uniform(0.2, 3.0, size=n)
    ts = rng.choice([-1, 1], size=n) * rng.uniform(0.08, 0.45, size=n) + 0.5  # t ∈ [0.05,0.42]∪[0.58,0.95]
    return delta, gammas, ts


def sigma_L(H, tau, gamma, rho):
    """σ_L(ρ) (2.11) of the one-reservoir QRM, generic solver."""
    return qrmlib.entropy_production(H, tau[None], np.array([gamma]), np.array([1.0]), rho=rho)[0]


# --- (5.1)-(5.4) -------------------------------------------------------------------

def test_hamiltonian_and_reset_states_5_1_5_2(rng):
    for eps in EPS_VALUES:
        delta = rng.uniform(0.1, 2)
        H = m.qubit_hamiltonian(delta, eps)
        assert np.array_equal(H, np.array([[0, delta / 2], [delta / 2, eps]], dtype=complex))
        # The operator form ε(1+σz)/2 + δσx/2 printed above (5.1) equals this matrix only with
        # σz = diag(−1, 1) (|1> the excited state); with σz = diag(1, −1) it is [[ε, δ/2], [δ/2, 0]].
        sx = np.array([[0, 1], [1, 0]])
        sz_std = np.diag([1.0, -1.0])
        assert np.allclose(H, eps * (np.eye(2) - sz_std) / 2 + delta * sx / 2, atol=0)
        assert not np.allclose(H, eps * (np.eye(2) + sz_std) / 2 + delta * sx / 2, atol=1e-3)
    # broadcasting over δ and ε
    Hs = m.qubit_hamiltonian(np.array([0.1, 0.2, 0.3])[:, None], np.array([1.0, 2.0]))
    assert Hs.shape == (3, 2, 2, 2) and Hs[2, 1, 1, 1] == 2.0 and Hs[2, 1, 0, 1] == 0.15
    t = np.array([0.2, 0.7])
    taus = m.qubit_reset_state(t)
    assert taus.shape == (2, 2, 2)
    assert np.allclose(taus[1], np.diag([0.7, 0.3]), atol=CLOSED, rtol=0)  # 1 - 0.7 is not exactly 0.3


def test_commutation_5_3_and_gibbs_5_4(rng):
    for t in (0.1, 0.3, 0.8):
        tau = m.qubit_reset_state(t)
        assert np.abs(qrmlib.commutator(m.qubit_hamiltonian(0.0), tau)).max() == 0
        assert np.abs(qrmlib.commutator(m.qubit_hamiltonian(0.3), tau)).max() > 0.01  # δ ≠ 0, t ≠ 1/2
    # δ = 0: τ = e^{−βH}/Z with β = ln(t/(1−t))/ε (t > 1/2 ⇔ β > 0)
    for eps, t in itertools.product(EPS_VALUES, (0.6, 0.9)):
        beta = np.log(t / (1 - t)) / eps
        H = m.qubit_hamiltonian(0.0, eps).real
        gibbs = np.diag(np.exp(-beta * np.diag(H)))
        gibbs /= np.trace(gibbs)
        assert np.allclose(m.qubit_reset_state(t), gibbs, atol=CLOSED)


# --- (5.6): one reservoir, steady state ----------------------------------------------

@pytest.mark.parametrize("eps", EPS_VALUES)
def test_steady_state_one_reservoir_5_6(rng, eps):
    for _ in range(10):
        delta, (g,), (t,) = params(rng)
        H = m.qubit_hamiltonian(delta, eps)
        gen = qrmlib.steady_state(H, m.qubit_reset_state([t]), [g])
        printed = m.qubit_steady_state_one_printed(delta, g, t, eps)
        corrected = m.qubit_steady_state_one(delta, g, t, eps)
        assert np.allclose(corrected, gen, atol=CLOSED, rtol=0)
        # ERRATUM (5.6): the printed off-diagonal entries are complex conjugated ...
        assert np.abs(printed - gen).max() > REFUTED
        assert np.allclose(printed.conj(), gen, atol=CLOSED, rtol=0)
        # ... i.e. printed ρ01 has ε + iγ_A, the true one ε − iγ_A; the diagonal is right
        assert np.allclose(np.diag(printed), np.diag(gen), atol=CLOSED, rtol=0)
        # the printed one is not even in Ker L (it solves the equation with H → −H)
        assert np.abs(qrmlib.lindbladian_apply(H, m.qubit_reset_state([t]), [g], printed)).max() > REFUTED
    # "ρ+ = τ_A when [H, τ_A] = 0": both forms agree at δ = 0
    assert np.allclose(m.qubit_steady_state_one_printed(0.0, 0.7, 0.8, eps), m.qubit_reset_state(0.8), atol=CLOSED)
    assert np.allclose(m.qubit_steady_state_one(0.0, 0.7, 0.8, eps), m.qubit_reset_state(0.8), atol=CLOSED)


# --- (5.7): exact evolution for δ = 0 ------------------------------------------------------

@pytest.mark.parametrize("eps", EPS_VALUES)
def test_evolution_commuting_5_7(rng, eps):
    ts = np.array([0.0, 0.1, 0.7, 2.0, 9.0])
    for _ in range(5):
        _, (g,), (t,) = params(rng)
        rho0 = random_density(rng, 2)  # with coherences
        gen = qrmlib.evolve(m.qubit_hamiltonian(0.0, eps), m.qubit_reset_state([t]), [g], rho0, ts)
        assert np.allclose(m.qubit_evolution_commuting(rho0, g, t, ts, eps), gen, atol=CLOSED, rtol=0)


# --- (5.9): EP along the δ = 0 evolution -----------------------------------------------------

@pytest.mark.parametrize("eps", EPS_VALUES)
def test_ep_commuting_5_9(rng, eps):
    ts = np.array([0.0, 0.05, 0.4, 1.5, 5.0])
    H = m.qubit_hamiltonian(0.0, eps)
    for _ in range(6):
        _, (g,), (t,) = params(rng)
        p00 = rng.uniform(0.05, 0.95)
        tau = m.qubit_reset_state(t)
        rho0 = np.diag([p00, 1 - p00]).astype(complex)  # diagonal initial state
        rt = qrmlib.evolve(H, tau[None], [g], rho0, ts)
        gen = np.array([sigma_L(H, tau, g, r) for r in rt])
        corrected = m.qubit_ep_commuting(p00, g, t, ts)
        # generic: 2x2 logs of eigenvalues >= min(p00, t, 1−p00, 1−t) >= 0.05: CLOSED
        assert np.allclose(corrected, gen, atol=CLOSED, rtol=0)
        # corrected = γ(S(τ|ρ(t)) + S(ρ(t)|τ))  (Lemma 3.3, (3.21))
        rel = np.array([g * (qrmlib.relative_entropy(tau, r) + qrmlib.relative_entropy(r, tau)) for r in rt])
        assert np.allclose(corrected, rel, atol=CLOSED, rtol=0)
        # ERRATUM (5.9): printed "p00 e^{−γt} − t_A(1 − e^{−γt})" must read "+": agrees at t = 0 only
        printed = m.qubit_ep_commuting_printed(p00, g, t, ts)
        assert abs(printed[0] - gen[0]) < CLOSED
        assert np.all(np.abs(printed[1:] - gen[1:]) > REFUTED)
    # (5.8): σ_L(ρ(t)) = −d/dt S(ρ(t)|ρ+), five-point stencil at t0 = 0.7
    h, t0 = 1e-4, 0.7
    f = lambda s: qrmlib.relative_entropy(qrmlib.evolve(H, tau[None], [g], rho0, s), tau)  # noqa: E731
    fd = -(f(t0 - 2 * h) - 8 * f(t0 - h) + 8 * f(t0 + h) - f(t0 + 2 * h)) / (12 * h)
    # truncation h^4/30 |f^(5)| ~ 1e-16 γ^5; round-off ~ eps|f|/h ~ 1e-12: 1e-9 is a 1000x margin
    assert abs(m.qubit_ep_commuting(p00, g, t, t0) - fd) < 1e-9


def test_ep_commuting_5_9_needs_diagonal_initial_state(rng):
    """(5.9) depends only on p00(0): with coherences p01(0) ≠ 0 it is not σ_L(ρ(t)) (the paper's
    stated condition p11 = 1 − p00 is not sufficient; the initial state must be diagonal)."""
    eps, g, t = 1.0, 0.8, 0.85
    H = m.qubit_hamiltonian(0.0, eps)
    tau = m.qubit_reset_state(t)
    rho0 = 0.8 * random_density(rng, 2) + 0.1 * np.eye(2)
    assert abs(rho0[0, 1]) > 0.01
    ts = np.array([0.3, 1.0])
    rt = qrmlib.evolve(H, tau[None], [g], rho0, ts)
    gen = np.array([sigma_L(H, tau, g, r) for r in rt])
    assert np.all(np.abs(m.qubit_ep_commuting(rho0[0, 0].real, g, t, ts) - gen) > REFUTED)
    # Lemma 3.3's (3.21) does hold for the coherent state
    rel = np.array([g * (qrmlib.relative_entropy(tau, r) + qrmlib.relative_entropy(r, tau)) for r in rt])
    assert np.allclose(gen, rel, atol=CLOSED, rtol=0)


# --- (5.11)-(5.12): several reservoirs --------------------------------------------------------

@pytest.mark.parametrize("eps", EPS_VALUES)
@pytest.mark.parametrize("J", [1, 2, 3])
def test_steady_state_multi_5_11_5_12(rng, eps, J):
    for _ in range(8):
        delta, gammas, ts = params(rng, J)
        G = gammas.sum()
        tbar = np.dot(gammas, ts) / G  # (5.12)
        T, G2 = rs.combine_resets(m.qubit_reset_state(ts), gammas)
        assert abs(G - G2) < CLOSED and np.allclose(T, m.qubit_reset_state(tbar), atol=CLOSED)
        gen = qrmlib.steady_state(m.qubit_hamiltonian(delta, eps), m.qubit_reset_state(ts), gammas)
        assert np.allclose(m.qubit_steady_state(delta, G, tbar, eps), gen, atol=CLOSED, rtol=0)
    # δ = 0: ρ+ = T
    assert np.allclose(m.qubit_steady_state(0.0, 1.3, 0.7, eps), m.qubit_reset_state(0.7), atol=CLOSED)
    # broadcasting over a (δ, Γ) grid
    d_grid, G_grid = np.array([0.3, 0.9])[:, None], np.array([0.5, 1.0, 2.0])
    out = m.qubit_steady_state(d_grid, G_grid, 0.8, eps)
    assert out.shape == (2, 3, 2, 2)
    assert np.allclose(out[1, 2], m.qubit_steady_state(0.9, 2.0, 0.8, eps), atol=0)


# --- (5.14), (5.18): individual steady states and κ_j ------------------------------------------

@pytest.mark.parametrize("eps", EPS_VALUES)
def test_partial_steady_state_5_14_and_kappa_5_18(rng, eps):
    for _ in range(10):
        delta, gammas, ts = params(rng, 3)
        lam = rng.uniform(-2, 2, size=3)
        lam[-1] = 1 - lam[:2].sum()
        gen = rs.partial_steady_states(m.qubit_hamiltonian(delta, eps), m.qubit_reset_state(ts), gammas, lam)
        ours = m.qubit_partial_steady_state(delta, gammas, ts, lam, eps)
        assert np.allclose(ours, gen, atol=CLOSED, rtol=0)
        # the printed off-diagonal denominator "Γ_j² + ..." is undefined; reading Γ_j as the total
        # rate Γ = Σγ_j (3.4) is refuted, reading Γ_j = γ_j (as in the diagonal) is what holds
        G = gammas.sum()
        p01_Gamma = lam * delta / 2 * (eps * lam - 1j * gammas) * (1 - 2 * ts) / (G**2 + lam**2 * (eps**2 + delta**2))
        assert np.all(np.abs(p01_Gamma - gen[:, 0, 1]) > REFUTED)
        # (5.18): κ_j is the Bloch length of ρ_j+, eigenvalues (1 ± κ_j)/2
        k = m.qubit_kappa(delta, gammas, ts, lam, eps)
        w = np.linalg.eigvalsh(gen)
        assert np.allclose(w, np.stack([(1 - k) / 2, (1 + k) / 2], -1), atol=CLOSED, rtol=0)
    # λ_j = 0: ρ_j+ = τ_j, κ_j = |1 − 2t_j|
    assert np.allclose(m.qubit_partial_steady_state(0.7, 1.1, 0.2, 0.0, eps), m.qubit_reset_state(0.2), atol=CLOSED)
    assert abs(m.qubit_kappa(0.7, 1.1, 0.2, 0.0, eps) - 0.6) < CLOSED


# --- (5.17): equal reset states ----------------------------------------------------------------

@pytest.mark.parametrize("eps", EPS_VALUES)
def test_ep_same_reset_5_17(rng, eps):
    for _ in range(10):
        delta, gammas, ts = params(rng, 3)
        t = ts[0]  # one common reset state τ_j = τ
        lam = rng.uniform(-2, 2, size=3)
        lam[-1] = 1 - lam[:2].sum()
        G = gammas.sum()
        taus = m.qubit_reset_state(np.full(3, t))
        _, gen = qrmlib.entropy_production(m.qubit_hamiltonian(delta, eps), taus, gammas, lam)
        corrected = m.qubit_ep_same_reset(delta, gammas, G, t, lam, eps)
        printed = m.qubit_ep_same_reset_printed(delta, gammas, G, t, lam, eps)
        assert np.allclose(corrected, gen, atol=CLOSED, rtol=0)
        # ERRATUM (5.17): the factor (−1 + λ_jΓ)² must read (γ_j − λ_jΓ)²; they agree iff γ_j = 1
        # (or at λ_jΓ = (1 + γ_j)/2, where both squares coincide)
        generic_pts = np.abs(gammas - 1) > 0.05
        generic_pts &= np.abs(lam * G - (1 + gammas) / 2) > 0.05
        assert np.all(np.abs(printed - gen)[generic_pts] > REFUTED)
        # with γ_j = 1 the printed formula holds
        g1 = gammas.copy()
        g1[0] = 1.0
        _, gen1 = qrmlib.entropy_production(m.qubit_hamiltonian(delta, eps), taus, g1, lam)
        p1 = m.qubit_ep_same_reset_printed(delta, g1, g1.sum(), t, lam, eps)
        assert abs(p1[0] - gen1[0]) < CLOSED
        # zero iff λ_j = γ_j/Γ (Proposition 4.5), and zero at δ = 0
        assert np.allclose(m.qubit_ep_same_reset(delta, gammas, G, t, gammas / G, eps), 0, atol=CLOSED)
        assert np.allclose(m.qubit_ep_same_reset(0.0, gammas, G, t, lam, eps), 0, atol=CLOSED)


# --- (5.19): case ii) with equal reset states ----------------------------------------------------

@pytest.mark.parametrize("eps", EPS_VALUES)
@pytest.mark.parametrize("J", [2, 3])
def test_ep_case_ii_same_reset_5_19(rng, eps, J):
    for _ in range(10):
        delta, gammas, ts = params(rng, J)
        t = ts[0]  # one common reset state τ_j = τ
        lam = np.zeros(J)
        lam[0] = 1.0
        taus = m.qubit_reset_state(np.full(J, t))
        sig, _ = qrmlib.entropy_production(m.qubit_hamiltonian(delta, eps), taus, gammas, lam)
        ours = m.qubit_ep_case_ii_same_reset(delta, gammas[0], gammas[1:].sum(), t, eps)
        assert abs(ours - sig) < CLOSED
        assert sig > 0  # Proposition 4.3 ii) / (4.7): τ_j ≠ ρ+ for j ≠ A when δ ≠ 0
    # vanishes at δ = 0
    assert abs(m.qubit_ep_case_ii_same_reset(0.0, 1.0, 0.8, 0.9, eps)) < CLOSED


# --- (5.20): δ = 0, several reservoirs -------------------------------------------------------------

@pytest.mark.parametrize("eps", EPS_VALUES)
def test_ep_commuting_multi_5_20(rng, eps):
    H = m.qubit_hamiltonian(0.0, eps)
    for _ in range(8):
        _, gammas, ts = params(rng, 3)
        G = gammas.sum()
        tbar = np.dot(gammas, ts) / G
        taus = m.qubit_reset_state(ts)
        T = m.qubit_reset_state(tbar)
        ours = m.qubit_ep_commuting_multi(gammas, ts, tbar)
        rel = np.array([gammas[j] * (qrmlib.relative_entropy(taus[j], T) + qrmlib.relative_entropy(T, taus[j]))
                        for j in range(3)])
        assert np.allclose(ours, rel, atol=CLOSED, rtol=0)
        # λ-independence at δ = 0: the same σ_j for several affine weight vectors (incl. negative)
        for lam in (np.array([1.0, 0, 0]), gammas / G, np.array([-1.5, 2.0, 0.5]), np.array([0.2, 0.3, 0.5])):
            _, gen = qrmlib.entropy_production(H, taus, gammas, lam)
            assert np.allclose(gen, ours, atol=CLOSED, rtol=0)
    # zero iff t_j = t̄ for all j
    assert np.allclose(m.qubit_ep_commuting_multi(np.array([1.0, 2.0]), np.array([0.7, 0.7]), 0.7), 0, atol=CLOSED)
    # NB: the text after (5.20) says "the total EP vanishes if λ_j = t̄"; this must read t_j = t̄
    # (the EP does not depend on λ at all when δ = 0, as checked above).
