"""QuTiP 5 as an independent peer for the QRM of Sections 2-4.

The QRM dissipator γ(τ tr ρ − ρ) is handed to QuTiP in Lindblad form (2.2) with
jump operators Γ_{kl} = sqrt(γ p_k)|e_k><l| (τ = Σ_k p_k |e_k><e_k|), so that
nothing of qrmlib (closed forms, vectorisation convention) enters the
reference values; QuTiP uses column-stacking vectorisation, qrmlib row-major.

QuTiP's entropy functions use the natural logarithm by default (``base=e``),
the paper's convention (2.5), (2.7); we pass ``base=np.e`` explicitly.
"""

import itertools

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

qutip = pytest.importorskip("qutip")

import qrmlib  # noqa: E402
from qrmlib import reset as rs  # noqa: E402
from qrmlib.testing import random_density, random_hermitian  # noqa: E402
from qrmlib.testing import random_faithful as faithful  # noqa: E402
from qrmlib.testing import random_qrm as instance  # noqa: E402

# qrmlib closed form vs qutip's sparse LU steady state: both backward stable, the
# Liouvillian's gap is Γ >= 0.2 and ||L|| <~ 30, so agreement to ~1e-13 is expected;
# the requirement is 1e-10.
STEADY_TOL = 1e-10




def random_affine(rng, J, spread=1.5):
    lam = rng.uniform(-spread, spread, size=J)
    lam[-1] = 1 - lam[:-1].sum()
    return lam


def q_jumps(tau, gamma):
    """QuTiP jump operators sqrt(γ p_k)|e_k><l| reproducing γ(τ tr ρ − ρ)."""
    p, e = np.linalg.eigh(tau)
    d = tau.shape[-1]
    return [qutip.Qobj(np.sqrt(gamma * max(p[k], 0.0)) * np.outer(e[:, k], np.eye(d)[l]))
            for k in range(d) for l in range(d)]


def q_all_jumps(taus, gammas):
    return [c for t, g in zip(taus, gammas) for c in q_jumps(t, g)]


def q_liouvillian_spre_spost(H, c_ops):
    """The Liouvillian (2.2) assembled by hand from qutip.spre / spost / sprepost."""
    Hq = qutip.Qobj(H)
    L = -1j * (qutip.spre(Hq) - qutip.spost(Hq))
    for c in c_ops:
        cdc = c.dag() * c
        L = L + qutip.sprepost(c, c.dag()) - 0.5 * qutip.spre(cdc) - 0.5 * qutip.spost(cdc)
    return L


def q_apply(L, rho):
    return qutip.vector_to_operator(L * qutip.operator_to_vector(rho))


@pytest.mark.parametrize("d", range(2, 7))
@pytest.mark.parametrize("J", range(1, 5))
def test_steadystate_agrees_with_qutip(rng, d, J):
    H, taus, gammas = instance(rng, d, J)
    rp = qrmlib.steady_state(H, taus, gammas)
    c_ops = q_all_jumps(taus, gammas)
    ref = qutip.steadystate(qutip.Qobj(H), c_ops).full()
    assert np.allclose(rp, ref, atol=STEADY_TOL, rtol=0)
    # same on the Liouvillian assembled from spre/spost (steadystate accepts a superoperator)
    ref2 = qutip.steadystate(q_liouvillian_spre_spost(H, c_ops)).full()
    assert np.allclose(rp, ref2, atol=STEADY_TOL, rtol=0)


def test_steadystate_other_qutip_methods(rng):
    for d, J in [(3, 2), (5, 3)]:
        H, taus, gammas = instance(rng, d, J, hscale=2.0)
        rp = qrmlib.steady_state(H, taus, gammas)
        L = qutip.liouvillian(qutip.Qobj(H), q_all_jumps(taus, gammas))
        for method in ("direct", "eigen", "svd"):
            assert np.allclose(rp, qutip.steadystate(L, method=method).full(), atol=STEADY_TOL, rtol=0), method


def test_superoperator_matches_qutip_liouvillian(rng):
    """Same map, different vectorisation: compare the action on random matrices."""
    d, J = 4, 3
    H, taus, gammas = instance(rng, d, J)
    L = qutip.liouvillian(qutip.Qobj(H), q_all_jumps(taus, gammas))
    for _ in range(3):
        X = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
        # sums of O(d^2) products of O(1) entries: 1e-12
        assert np.allclose(rs.lindbladian_apply(H, taus, gammas, X), q_apply(L, qutip.Qobj(X)).full(),
                           atol=1e-12, rtol=0)
    # spectrum (3.6) vs qutip's eigenvalues of the Liouvillian (order-independent comparison)
    ev = L.eigenenergies()
    spec = qrmlib.spectrum(H, gammas)
    cost = np.abs(spec[:, None] - ev[None, :])
    r, c = linear_sum_assignment(cost)
    assert cost[r, c].max() < 1e-10  # diagonalisable, well separated: eig error ~1e-14 ||L||


def test_evolve_vs_mesolve(rng):
    d, J = 3, 2
    H, taus, gammas = instance(rng, d, J)
    rho0 = random_density(rng, d)
    ts = np.linspace(0, 3, 7)
    res = qutip.mesolve(qutip.Qobj(H), qutip.Qobj(rho0), ts, q_all_jumps(taus, gammas),
                        options={"atol": 1e-13, "rtol": 1e-11})
    ours = qrmlib.evolve(H, taus, gammas, rho0, ts)
    for k in range(len(ts)):
        # adaptive ODE integration with rtol 1e-11 over ~50 steps: global error ~1e-9
        assert np.allclose(ours[k], res.states[k].full(), atol=1e-8, rtol=0)


@pytest.mark.parametrize("d,J", [(2, 3), (3, 2), (4, 4), (5, 3)])
def test_entropy_production_with_qutip_objects(rng, d, J):
    """σ_j(ρ+) of (2.12)/(4.5) with every ingredient computed by QuTiP: partial Liouvillians
    L_j = −iλ_j[H,·] + γ_j(τ_j tr − id), their steady states, Qobj.logm (scipy.linalg.logm)."""
    H, taus, gammas = instance(rng, d, J)
    lam = random_affine(rng, J)
    rp = qutip.steadystate(qutip.Qobj(H), q_all_jumps(taus, gammas))
    sj_q = []
    for j in range(J):
        Hj = qutip.Qobj(lam[j] * H)
        cj = q_jumps(taus[j], gammas[j])
        rj = qutip.steadystate(Hj, cj)
        Lr = q_apply(qutip.liouvillian(Hj, cj), rp)
        sj_q.append(np.real((Lr * (rj.logm() - rp.logm())).tr()))
    sig, sj = qrmlib.entropy_production(H, taus, gammas, lam)
    # logm of states with λ_min >~ 1e-2: 1e-10 state error becomes <~ 1e-8 in the logs
    assert np.allclose(sj, sj_q, atol=1e-8, rtol=0)
    assert abs(sig - sum(sj_q)) < 1e-8


def test_entropy_production_definition_2_4_with_qutip(rng):
    """σ_j(ρ) = −d/dt S(e^{tL_j}ρ | ρ_j+)|_{t=0}, with QuTiP's propagator and entropy_relative."""
    d, J = 3, 3
    H, taus, gammas = instance(rng, d, J)
    lam = random_affine(rng, J)
    rho = faithful(rng, d, floor=0.3)
    rq = qutip.Qobj(rho)
    h = 1e-4
    fd = []
    for j in range(J):
        Hj = qutip.Qobj(lam[j] * H)
        cj = q_jumps(taus[j], gammas[j])
        Lj = qutip.liouvillian(Hj, cj)
        rj = qutip.steadystate(Hj, cj)

        def f(t):
            return qutip.entropy_relative(q_apply((t * Lj).expm(), rq), rj, base=np.e)

        fd.append(-(f(-2 * h) - 8 * f(-h) + 8 * f(h) - f(2 * h)) / (12 * h))
    _, sj = qrmlib.entropy_production(H, taus, gammas, lam, rho=rho)
    # five-point stencil, h = 1e-4: truncation ~1e-12, round-off ~1e-11 (see test_reset); margin 100x
    assert np.allclose(sj, fd, atol=1e-8, rtol=0)


def test_relative_entropy_and_entropy_agree_with_qutip(rng):
    for d in range(2, 7):
        mu, nu = faithful(rng, d), faithful(rng, d)
        # both via eigendecompositions: 1e-12
        assert abs(qrmlib.relative_entropy(mu, nu)
                   - qutip.entropy_relative(qutip.Qobj(mu), qutip.Qobj(nu), base=np.e)) < 1e-12
        assert abs(qrmlib.entropy(mu) - qutip.entropy_vn(qutip.Qobj(mu), base=np.e)) < 1e-12
    # a pure state against a singular nu with ker nu ⊄ ker mu: both +inf
    mu = np.diag([0.5, 0.5, 0.0])
    nu = np.diag([1.0, 0.0, 0.0])
    assert qrmlib.relative_entropy(mu, nu) == np.inf
    assert qutip.entropy_relative(qutip.Qobj(mu), qutip.Qobj(nu), base=np.e) == np.inf


@pytest.mark.parametrize("d,J", [(2, 3), (4, 3), (5, 4)])
def test_dissipative_reservoirs_eq_4_6_with_qutip(rng, d, J):
    """λ_j = 0 ⇒ σ_j(ρ+) = γ_j(S(τ_j|ρ+) + S(ρ+|τ_j)) (4.6), (4.20), relative entropies from QuTiP."""
    H, taus, gammas = instance(rng, d, J)
    lam = np.zeros(J)
    lam[0] = 1.0  # case ii) of Proposition 4.3
    _, sj = qrmlib.entropy_production(H, taus, gammas, lam)
    rp = qutip.steadystate(qutip.Qobj(H), q_all_jumps(taus, gammas))
    for j in range(1, J):
        tq = qutip.Qobj(taus[j])
        ref = gammas[j] * (qutip.entropy_relative(tq, rp, base=np.e) + qutip.entropy_relative(rp, tq, base=np.e))
        # closed form vs qutip steady state (1e-10) propagated through logs (x1e2)
        assert abs(sj[j] - ref) < 1e-8


def test_commuting_case_and_lemma_3_12_with_qutip(rng):
    d, J = 4, 3
    H = random_hermitian(rng, d)
    e, V = np.linalg.eigh(H)
    taus = np.stack([V @ np.diag(rng.dirichlet(np.ones(d)) * 0.9 + 0.1 / d) @ V.conj().T for _ in range(J)])
    gammas = rng.uniform(0.2, 3, size=J)
    T, G = rs.combine_resets(taus, gammas)
    Tq = qutip.Qobj(T)
    for lam in (np.array([1.0, 0, 0]), random_affine(rng, J), gammas / gammas.sum()):
        _, sj = qrmlib.entropy_production(H, taus, gammas, lam)
        for j in range(J):
            tq = qutip.Qobj(taus[j])
            ref = gammas[j] * (qutip.entropy_relative(tq, Tq, base=np.e) + qutip.entropy_relative(Tq, tq, base=np.e))
            # Proposition 4.3 iii): both sides from eigendecompositions, 1e-11
            assert abs(sj[j] - ref) < 1e-11
    # (3.12): S(ρ_H(T)) = S(T) + S(T|ρ_H(T)) for a non-commuting T, QuTiP entropies
    Tn = faithful(rng, d)
    R = qutip.Qobj(qrmlib.rho_H(H, Tn))
    lhs = qutip.entropy_vn(R, base=np.e)
    rhs = qutip.entropy_vn(qutip.Qobj(Tn), base=np.e) + qutip.entropy_relative(qutip.Qobj(Tn), R, base=np.e)
    assert abs(lhs - rhs) < 1e-11 and lhs - qutip.entropy_vn(qutip.Qobj(Tn)) > 1e-6


def test_broadcast_grid_against_qutip(rng):
    """One vectorised qrmlib call over a (2, 3) grid vs a loop of qutip.steadystate."""
    d, J = 3, 2
    Hs = np.stack([random_hermitian(rng, d) for _ in range(2)])[:, None]
    taus = np.stack([faithful(rng, d) for _ in range(J)])
    gammas = rng.uniform(0.2, 3, size=(3, J))
    rp = qrmlib.steady_state(Hs, taus, gammas)
    for i, k in itertools.product(range(2), range(3)):
        ref = qutip.steadystate(qutip.Qobj(Hs[i, 0]), q_all_jumps(taus, gammas[k])).full()
        assert np.allclose(rp[i, k], ref, atol=STEADY_TOL, rtol=0)
