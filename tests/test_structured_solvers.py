"""qrmlib.tripartite.steady_state_matrix_free: the GMRES solver agrees with the dense one.

Both formulations (scaled, for small g; resolvent, for large g) are compared with
``TripartiteQRM.steady_state`` on small dims, where the dense superoperator is cheap.
"""

import numpy as np
import pytest

from qrmlib import models
from qrmlib.tripartite import TripartiteQRM, steady_state_matrix_free


def random_model(rng, dims):
    d = int(np.prod(dims))
    x = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    H = (x + x.conj().T) / 4
    def state(n):
        y = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
        r = y @ y.conj().T + 0.2 * np.eye(n)
        return r / np.trace(r)
    return TripartiteQRM(H, state(dims[0]), state(dims[2]), 0.7, 0.6, dims)


@pytest.mark.parametrize("dims", [(2, 2, 2), (2, 3, 2), (3, 2, 2)])
def test_matrix_free_matches_dense(rng, dims):
    m = random_model(rng, dims)
    g = np.array([1e-4, 1e-2, 0.3, 4.0 / m._H_norm])
    rho, info = steady_state_matrix_free(m, g, return_info=True)
    ref = m.steady_state(g)
    assert rho.shape == g.shape + (m.d, m.d)
    assert [i["method"] for i in info] == ["scaled", "scaled", "scaled", "resolvent"]
    # GMRES to a 1e-12 relative residual; the systems are well conditioned (scaled at small g)
    assert np.max(np.abs(rho - ref)) < 1e-10
    assert np.allclose(np.trace(rho, axis1=-2, axis2=-1), 1, atol=1e-14)
    assert np.allclose(rho, np.conj(np.swapaxes(rho, -1, -2)), atol=0)


def test_matrix_free_resolvent_at_moderate_g_and_the_chain():
    m = models.three_qubit_qrm(0.95, 0.7)
    g = np.array([0.5, 2.0])
    for method in ("scaled", "resolvent"):
        rho = steady_state_matrix_free(m, g, method=method)
        assert np.max(np.abs(rho - m.steady_state(g))) < 1e-10, method


def test_matrix_free_bad_method():
    m = models.three_qubit_qrm(0.95, 0.7)
    with pytest.raises(ValueError, match="method must be"):
        steady_state_matrix_free(m, 0.1, method="dense")
    with pytest.raises(ValueError, match="g must be nonzero"):
        steady_state_matrix_free(m, 0.0)


# --- structural block reduction (_active_block) --------------------------------------------------------

def test_active_block_finds_the_charge_sector_of_the_chain():
    """The §8 chain conserves the excitation number (diagonal resets): the bordered real
    64x64 systems split into sectors; only the charge-0 sector (20 unknowns) is reached by
    the trace condition, and solving it alone gives the full solution."""
    from qrmlib import tripartite as tp

    m = models.three_qubit_qrm(0.95, 0.7)
    d, d2 = m.d, m.d * m.d
    one = np.eye(d).reshape(-1)
    w = (m.gamma_A + m.gamma_B) / d * one
    perm = tp._herm_perm((d,))
    L0 = tp._real_form(m.L0_superop - w[:, None] * one, perm, perm)
    L1 = tp._real_form(m.L1_superop, perm, perm)
    rhs = -tp._real_vec(w, perm)
    rows, cols = tp._active_block(rhs != 0, (L0 != 0) | (L1 != 0))
    assert rows.size == cols.size == 20          # 1 + 3^2 + 3^2 + 1 populations/coherences with equal charge
    for g in (0.05, 3.0):
        M = L0 + g * L1
        full = np.linalg.solve(M, rhs)
        red = np.zeros(d2)
        red[cols] = np.linalg.solve(M[np.ix_(rows, cols)], rhs[rows])
        assert np.max(np.abs(red - full)) < 1e-13
    # a generic (dense) problem is not reduced
    rng = np.random.default_rng(0)
    assert tp._active_block(np.ones(6, bool), rng.normal(size=(6, 6)) != 0) is None
    # a non-square block (structurally singular family): nothing is dropped
    pat = np.zeros((3, 3), bool)
    pat[0, 0] = pat[1, 1] = pat[1, 2] = True
    assert tp._active_block(np.array([True, False, False]), pat) is None


# --- Phi_D in O(n_S d^2) (ResetExpansion with env) -------------------------------------------------------

@pytest.mark.parametrize("dims", [(2, 3, 2), (3, 2, 4), (2, 2, 3)])
def test_structured_phi_D_equals_generic(rng, dims):
    """The structured Phi_D (frame I ⊗ V ⊗ I, diagonals only) equals the generic n_S double
    commutators, for non-diagonal reset states and unequal factor sizes."""
    m = random_model(rng, dims)
    P = m.perturbative(strict=False)
    for ex in (P.full, P.part_A, P.part_B):
        fast = ex.Phi_D
        env, ex._env = ex._env, None
        try:
            slow = type(ex).Phi_D.func(ex)
        finally:
            ex._env = env
        assert np.max(np.abs(fast - slow)) < 1e-13 * max(1.0, np.max(np.abs(slow)))


@pytest.mark.parametrize("dims", [(2, 2, 2), (2, 3, 2), (3, 2, 2), (2, 4, 3)])
def test_closed_form_phi_D_equals_the_stacked_path(rng, dims):
    """Phi_D in O(d^2) (closed form of L0^{-1}, diagonal from the zero column sums) equals the
    stacked structured path and the generic one."""
    m = random_model(rng, dims)
    P = m.perturbative(strict=False)
    for ex in (P.full, P.part_A, P.part_B):
        closed, stacked = ex._phi_D_closed(), ex._phi_D_structured()
        assert np.max(np.abs(closed - stacked)) < 1e-14 * max(1.0, np.max(np.abs(stacked)))
        assert np.max(np.abs(closed.sum(axis=0))) < 1e-14 * max(1.0, np.max(np.abs(stacked)))
