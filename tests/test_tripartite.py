"""Tri-partite QRMs (paper, Sections 6-7): generators, L0^{-1} (7.10), exact steady states, EP (7.5)-(7.6)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qrmlib.testing import random_density, random_hermitian, random_tripartite, tripartite_jumps
from qrmlib.lindblad import entropy_production_sum, lindblad_superop, null_steady_state
from qrmlib.linalg import logm_pd, partial_trace
from qrmlib.tripartite import TripartiteQRM

DIMS = [(2, 2, 2), (2, 3, 2), (3, 2, 2), (2, 2, 3)]


def make_model(seed, dims, h_scale=1.0):
    """Random model: ||H|| = h_scale, Ginibre tau_A, tau_B, rates in [0.3, 1.5) (qrmlib.testing)."""
    return random_tripartite(seed, dims, hnorm=h_scale)


def jump_operators(m):
    """Lindblad jump operators of D_A, D_B: sqrt(gamma p_i)|psi_i><j| on the reset factor."""
    return tripartite_jumps(m)


# --- generators -----------------------------------------------------------------

@pytest.mark.parametrize("dims", DIMS)
def test_superoperators_match_actions_and_broadcast(dims):
    m = make_model(1, dims)
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3, 2, m.d, m.d)) + 1j * rng.normal(size=(3, 2, m.d, m.d))
    vX = X.reshape(3, 2, -1)
    for S, f in ((m.D_A_superop, m.D_A), (m.D_B_superop, m.D_B), (m.L0_superop, m.L0), (m.L1_superop, m.L1)):
        assert np.max(np.abs(np.einsum("ij,...j->...i", S, vX).reshape(X.shape) - f(X))) < 1e-13
    g = np.array([0.3, -1.2])
    assert np.max(np.abs(np.einsum("...ij,...j->...i", m.L_superop(g), vX).reshape(X.shape) - m.L(X, g))) < 1e-13
    # D_A, D_B are the Lindblad dissipators with jumps sqrt(gamma p_i)|psi_i><j| (independent path)
    S = lindblad_superop(0.7 * m.H, jump_operators(m))
    assert np.max(np.abs(S - m.L_superop(0.7))) < 1e-13


@pytest.mark.parametrize("dims", DIMS)
def test_L0_kernel_and_trace_preservation(dims):
    m = make_model(3, dims)
    rng = np.random.default_rng(4)
    r = rng.normal(size=(m.n_C, m.n_C)) + 1j * rng.normal(size=(m.n_C, m.n_C))
    assert np.max(np.abs(m.D_A(m.embed_C(r)))) < 1e-14
    assert np.max(np.abs(m.D_B(m.embed_C(r)))) < 1e-14
    X = random_hermitian(rng, m.d)
    for f in (m.D_A, m.D_B, m.L1):
        assert abs(np.trace(f(X))) < 1e-13
    # tr_AB L0 = 0 (Ran L0 = ker tr_AB) and dim ker L0 = n_C^2
    assert np.max(np.abs(m.tr_AB(m.L0(X)))) < 1e-14
    s = np.linalg.svd(m.L0_superop, compute_uv=False)
    assert np.sum(s < 1e-12 * s[0]) == m.n_C**2


@pytest.mark.parametrize("dims", DIMS)
def test_L0_inv_closed_form_vs_linear_solve(dims):
    m = make_model(5, dims)
    rng = np.random.default_rng(6)
    X = rng.normal(size=(4, m.d, m.d)) + 1j * rng.normal(size=(4, m.d, m.d))
    X = X - m.embed_C(m.tr_AB(X))  # now tr_AB X = 0
    Y = m.L0_inv(X)
    assert np.max(np.abs(m.L0(Y) - X)) < 1e-13
    assert np.max(np.abs(m.tr_AB(Y))) < 1e-13
    assert np.max(np.abs(Y - m.L0_inv_solve(X))) < 1e-12


def test_L0_inv_rejects_argument_outside_range():
    m = make_model(7, (2, 3, 2))
    with pytest.raises(ValueError, match="rho_tilde"):
        m.L0_inv(np.eye(m.d))


# --- steady states --------------------------------------------------------------------

@pytest.mark.parametrize("dims", DIMS)
def test_steady_state_vectorised_and_shapes(dims):
    m = make_model(8, dims)
    g = np.array([[1e-3, 0.05, -0.3], [1.0, 7.0, 50.0]])
    rho = m.steady_state(g)
    assert rho.shape == (2, 3, m.d, m.d)
    assert m.steady_state(0.05).shape == (m.d, m.d)
    one_by_one = np.array([[m.steady_state(x) for x in row] for row in g])
    assert np.max(np.abs(rho - one_by_one)) < 1e-14
    assert np.max(np.abs(m.L(rho, g))) < 1e-13
    assert np.max(np.abs(np.trace(rho, axis1=-2, axis2=-1) - 1)) < 1e-14
    assert np.min(np.linalg.eigvalsh(rho)) > 0


@pytest.mark.parametrize("dims", DIMS)
def test_steady_state_methods_agree_and_generic_solver(dims):
    m = make_model(9, dims)
    g = np.array([0.02, 0.2, 1.0, 3.0])
    a = m.steady_state(g, method="scaled")
    b = m.steady_state(g, method="bordered")
    c = null_steady_state(m.L_superop(g))  # SVD null vector, structure-blind
    assert np.max(np.abs(a - b)) < 1e-12
    assert np.max(np.abs(a - c)) < 1e-12


@pytest.mark.parametrize("dims", [(2, 2, 2), (2, 3, 2), (3, 2, 2)])
def test_steady_state_vs_qutip(dims):
    qutip = pytest.importorskip("qutip")
    m = make_model(10, dims)
    qd = [list(dims), list(dims)]
    c_ops = [qutip.Qobj(k, dims=qd) for k in jump_operators(m)]
    for g in (0.01, 0.1, 0.5, 2.0):
        L = qutip.liouvillian(qutip.Qobj(g * m.H, dims=qd), c_ops)
        rho_q = qutip.steadystate(L).full()
        assert np.max(np.abs(m.steady_state(g) - rho_q)) < 1e-10


@pytest.mark.parametrize("dims", [(2, 2, 2), (2, 3, 2)])
def test_partial_steady_states(dims):
    m = make_model(11, dims)
    g = np.array([0.05, 0.5, 2.0])
    lam = np.array([[-0.5], [0.3], [1.7]])
    rA, rB = m.partial_steady_states(g, lam)
    assert rA.shape == rB.shape == (3, 3, m.d, m.d)
    assert np.max(np.abs(m.L_A(rA, g, lam))) < 1e-13
    assert np.max(np.abs(m.L_B(rB, g, lam))) < 1e-13
    gl = np.broadcast_to(g * lam, (3, 3))
    assert np.max(np.abs(null_steady_state(m.L_A_superop(g, lam)) - rA)) < 1e-11
    assert np.max(np.abs(m.steady_state_A(gl, method="bordered") - rA)) < 1e-11
    assert np.max(np.abs(np.trace(rB, axis1=-2, axis2=-1) - 1)) < 1e-14


@pytest.mark.parametrize("dims", [(2, 2, 2), (2, 3, 2)])
def test_scaled_solver_accurate_at_tiny_g(dims):
    """Module docstring claim: the rescaled system stays accurate as g -> 0 (vs the order-8 series)."""
    m = make_model(12, dims)
    P = m.perturbative()
    g = np.array([1e-6, 1e-5, 1e-4, 1e-3])
    exact = m.steady_state(g)
    assert np.max(np.abs(exact - P.steady_state_series(g, 8))) < 1e-14
    assert np.max(np.abs(m.L(exact, g))) < 10 * np.finfo(float).eps * (m.gamma_A + m.gamma_B)


# --- entropy production (7.5)-(7.6) -------------------------------------------------------

@pytest.mark.parametrize("dims", [(2, 2, 2), (2, 3, 2), (2, 2, 3)])
def test_entropy_production_and_fluxes(dims):
    m = make_model(13, dims)
    g = np.array([0.05, 0.4, 1.5])
    lam = np.array([[0.3], [-1.0], [2.5]])
    s, sA, sB = m.entropy_production(g, lam)
    fA, fB = m.entropy_fluxes(g, lam)
    assert s.shape == (3, 3)
    assert np.min(sA) >= -1e-15 and np.min(sB) >= -1e-15  # each part >= 0 (middle line of (7.5))
    assert np.max(np.abs(s - sA - sB)) < 1e-15
    assert np.max(np.abs(fA + fB - s)) < 1e-13 * max(1.0, np.max(s))  # (7.6)
    # independent path: lindblad.entropy_production_sum with the superoperators
    G, Lam = np.broadcast_arrays(g, lam)
    ops = np.stack([m.L_A_superop(G, Lam), m.L_B_superop(G, Lam)], axis=-3)
    rA, rB = m.partial_steady_states(G, Lam)
    ref, ref_j = entropy_production_sum(ops, np.stack([rA, rB], axis=-3), m.steady_state(G))
    assert np.max(np.abs(ref - s)) < 1e-13
    assert np.max(np.abs(ref_j[..., 0] - sA)) < 1e-13


def test_tensor_order_A_C_B():
    """embed / partial traces follow the order A ⊗ C ⊗ B with n_A != n_B."""
    m = make_model(14, (3, 2, 2))
    rng = np.random.default_rng(15)
    rC = random_density(rng, 2)
    full = np.kron(np.kron(m.tau_A, rC), m.tau_B)
    assert np.max(np.abs(m.embed_C(rC) - full)) < 1e-15
    assert np.max(np.abs(m.tr_AB(full) - rC)) < 1e-15
    assert np.max(np.abs(m.tr_A(full) - np.kron(rC, m.tau_B))) < 1e-15
    assert np.max(np.abs(partial_trace(m.tr_B(full), (3, 2), 0) - m.tau_A)) < 1e-15


# --- bad input --------------------------------------------------------------------------------

def _args(rng=None):
    rng = rng or np.random.default_rng(0)
    return dict(H=random_hermitian(rng, 12), tau_A=random_density(rng, 2), tau_B=random_density(rng, 2),
                gamma_A=0.5, gamma_B=0.7, dims=(2, 3, 2))


@pytest.mark.parametrize("change, name", [
    (dict(dims=(2, 2, 2)), "dims"),
    (dict(dims=(2, 3)), "dims"),
    (dict(dims=(2, 0, 6)), "dims"),
    (dict(tau_A=np.eye(3) / 3), "tau_A"),
    (dict(tau_B=np.eye(2)), "tau_B"),
    (dict(tau_A=np.diag([1.2, -0.2])), "tau_A"),
    (dict(tau_B=np.array([[0.5, 0.5j], [0.1, 0.5]])), "tau_B"),
    (dict(gamma_A=0.0), "gamma_A"),
    (dict(gamma_B=-1.0), "gamma_B"),
    (dict(gamma_A=np.inf), "gamma_A"),
    (dict(H=np.ones((12, 12)) + 1j * np.triu(np.ones((12, 12)))), "H"),
])
def test_bad_construction(change, name):
    kw = _args()
    kw.update(change)
    with pytest.raises(ValueError, match=name):
        TripartiteQRM(**kw)


def test_bad_g_and_lam():
    m = TripartiteQRM(**_args())
    for bad in (np.inf, np.nan, [0.1, np.nan]):
        with pytest.raises(ValueError, match="g must be finite"):
            m.steady_state(bad)
    with pytest.raises(ValueError, match="g must be nonzero"):
        m.steady_state([0.1, 0.0])
    for lam in (0, 1, [0.5, 1.0]):
        with pytest.raises(ValueError, match="lam must not be 0 or 1"):
            m.entropy_production(0.1, lam)
        with pytest.raises(ValueError, match="lam"):
            m.partial_steady_states(0.1, lam)
    with pytest.raises(ValueError, match="lam must be finite"):
        m.entropy_fluxes(0.1, np.nan)
    with pytest.raises(ValueError, match="method"):
        m.steady_state(0.1, method="qr")


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), dims=st.sampled_from(DIMS), g=st.floats(1e-3, 5.0))
def test_steady_state_property(seed, dims, g):
    m = make_model(seed, dims)
    rho = m.steady_state(g)
    assert np.max(np.abs(m.L(rho, g))) < 1e-13
    assert abs(np.trace(rho) - 1) < 1e-13
    assert np.min(np.linalg.eigvalsh(rho)) > -1e-14
    # a faithful state: log exists (Pos generically)
    assert np.all(np.isfinite(logm_pd(rho)))
