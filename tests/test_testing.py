"""qrmlib.testing: seeded random instances, reset jumps in Lindblad form, dense references, slope fits."""

import numpy as np
import pytest

import qrmlib
from qrmlib import lindblad as lb
from qrmlib import reset as rs
from qrmlib import testing as qt
from qrmlib.tripartite import TripartiteQRM

EXACT = 1e-12  # same formula, different arithmetic order
GENERIC = 1e-10  # SVD null vector of a <= 16x16 superoperator with a gap >= 0.2 (as in test_reset)


def _herm_err(a):
    return np.max(np.abs(a - np.swapaxes(a, -1, -2).conj()))


def test_public():
    assert qrmlib.testing is qt
    for name in qt.__all__:
        assert hasattr(qt, name)


# --- determinism and the documented draws ------------------------------------------------------

def test_same_seed_same_draws():
    for f, args in ((qt.random_hermitian, (3,)), (qt.random_density, (3,)), (qt.random_faithful, (3,)),
                    (qt.random_unitary, (3,)), (qt.random_affine, (4,))):
        a = f(np.random.default_rng(5), *args)
        b = f(5, *args)  # an int seed is default_rng(seed)
        assert np.array_equal(a, b)
        assert not np.array_equal(a, f(6, *args))
    m1, m2 = qt.random_qrm(9, 3, 2), qt.random_qrm(np.random.default_rng(9), 3, 2)
    assert all(np.array_equal(x, y) for x, y in zip(m1, m2))
    t1, t2 = qt.random_tripartite(4, (2, 3, 2)), qt.random_tripartite(4, (2, 3, 2))
    assert np.array_equal(t1.H, t2.H) and np.array_equal(t1.tau_A, t2.tau_A) and t1.gamma_B == t2.gamma_B


def test_draws_are_the_documented_ones():
    """The helpers the tests and chapters used before, written out: same numbers, bit for bit."""
    rng = np.random.default_rng(20240119)
    a = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
    H = 0.3 * (a + a.conj().T) / 2
    x = rng.normal(size=(4, 2)) + 1j * rng.normal(size=(4, 2))
    r = x @ x.conj().T
    rho = r / np.trace(r).real
    rng = np.random.default_rng(20240119)
    assert np.array_equal(qt.random_hermitian(rng, 4, scale=0.3), H)
    assert np.array_equal(qt.random_density(rng, 4, rank=2), rho)

    # conftest.instance of the earlier tests: H, then faithful taus one by one, then rates in [0.2, 3)
    rng = np.random.default_rng(3)
    a = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    H = (a + a.conj().T) / 2
    taus = []
    for _ in range(2):
        x = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
        r = x @ x.conj().T
        taus.append(0.95 * (r / np.trace(r).real) + 0.05 * np.eye(3) / 3)
    gammas = rng.uniform(0.2, 3.0, size=2)
    m = qt.random_qrm(3, 3, 2)
    assert isinstance(m, qt.QRMInstance)
    assert np.array_equal(m.H, H) and np.array_equal(m.taus, np.stack(taus)) and np.array_equal(m.gammas, gammas)

    # chapters 06-07 / tests' make_model: ||H|| = 1, then tau_A, tau_B, then two rates in [0.3, 1.5)
    rng = np.random.default_rng(11)
    a = rng.normal(size=(8, 8)) + 1j * rng.normal(size=(8, 8))
    H = (a + a.conj().T) / 2
    H = H / np.linalg.norm(H, 2)
    m = qt.random_tripartite(11, (2, 2, 2))
    assert np.array_equal(m.H, H)


def test_batched_draws_match_the_chapters_shape_argument():
    """Chapters 02-04 drew ``normal(size=shape + (d, d))`` twice: ``size=shape`` does the same."""
    rng = np.random.default_rng(1)
    a = rng.normal(size=(2, 3, 4, 4)) + 1j * rng.normal(size=(2, 3, 4, 4))
    ref = (a + np.swapaxes(a, -1, -2).conj()) / 2
    assert np.array_equal(qt.random_hermitian(1, 4, size=(2, 3)), ref)


# --- shapes and properties ---------------------------------------------------------------------

@pytest.mark.parametrize("d", [1, 2, 3, 5])
def test_shapes_hermiticity_trace_positivity(d):
    rng = np.random.default_rng(d)
    H = qt.random_hermitian(rng, d, size=(2, 3))
    assert H.shape == (2, 3, d, d) and H.dtype == complex and _herm_err(H) == 0
    Hr = qt.random_hermitian(rng, d, real=True, size=4)
    assert Hr.shape == (4, d, d) and np.all(Hr.imag == 0) and _herm_err(Hr) == 0
    for kw in ({}, {"rank": 1}, {"real": True}, {"mix": 0.3}, {"size": (3,)}):
        rho = qt.random_density(rng, d, **kw)
        assert rho.shape == kw.get("size", ()) + (d, d)
        assert _herm_err(rho) < EXACT
        assert np.all(np.abs(np.trace(rho, axis1=-2, axis2=-1) - 1) < EXACT)
        w = np.linalg.eigvalsh(rho)
        assert np.all(w > -EXACT)
        if "mix" in kw:
            assert np.all(w >= kw["mix"] / d - EXACT)
    pure = qt.random_density(rng, d, rank=1)
    assert abs(np.trace(pure @ pure) - 1) < EXACT
    f = qt.random_faithful(rng, d, floor=0.2)
    assert np.linalg.eigvalsh(f).min() >= 0.2 / d - EXACT
    U = qt.random_unitary(rng, d, size=2)
    assert np.max(np.abs(U @ np.swapaxes(U, -1, -2).conj() - np.eye(d))) < EXACT
    lam = qt.random_affine(rng, 3, size=(5,))
    assert lam.shape == (5, 3) and np.max(np.abs(lam.sum(-1) - 1)) < EXACT


def test_random_qrm_and_tripartite():
    m = qt.random_qrm(2, 4, 3, hscale=2.0, rate_range=(0.5, 0.7))
    assert m.H.shape == (4, 4) and m.taus.shape == (3, 4, 4) and m.gammas.shape == (3,)
    assert np.all((0.5 <= m.gammas) & (m.gammas < 0.7))
    assert np.all(np.linalg.eigvalsh(m.taus) > 0)
    H, taus, gammas = m  # unpackable as the tuples of earlier tests
    for dims in ((2, 2, 2), (2, 3, 2), (3, 1, 2)):
        t = qt.random_tripartite(7, dims, mix=0.2)
        assert isinstance(t, TripartiteQRM) and t.dims == dims
        assert abs(np.linalg.norm(t.H, 2) - 1) < EXACT
        assert np.linalg.eigvalsh(t.tau_A).min() >= 0.2 / dims[0] - EXACT
        assert 0.3 <= t.gamma_A < 1.5 and 0.3 <= t.gamma_B < 1.5
    tr = qt.random_tripartite(7, real=True)
    assert np.all(tr.H.imag == 0) and np.all(tr.tau_A.imag == 0) and np.all(tr.tau_B.imag == 0)
    raw = qt.random_tripartite(7, hnorm=None, hscale=0.1)
    assert np.array_equal(raw.H, qt.random_hermitian(7, 8, scale=0.1))
    assert abs(np.linalg.norm(qt.random_tripartite(7, hnorm=2.5).H, 2) - 2.5) < EXACT


# --- reset jumps, dense references ------------------------------------------------------------

@pytest.mark.parametrize("d", [2, 3, 4])
def test_reset_jumps_give_the_reset_lindbladian(d):
    """lindblad_superop(H, reset_jumps(tau, gamma)) = the QRM (3.2) of qrmlib.reset, one and J reservoirs."""
    H, taus, gammas = qt.random_qrm(d, d, 3)
    for j in range(3):
        S = lb.lindblad_superop(H, qt.reset_jumps(taus[j], gammas[j]))
        assert np.max(np.abs(S - rs.lindbladian(H, taus[j:j + 1], gammas[j:j + 1]))) < EXACT
    J = qt.reset_jumps(taus, gammas, reservoirs=True)
    assert J.shape == (3 * d * d, d, d)
    S = lb.lindblad_superop(H, J)
    assert np.max(np.abs(S - rs.lindbladian(H, taus, gammas))) < EXACT
    assert np.max(np.abs(qt.reset_superop(H, taus, gammas) - S)) == 0
    # the dissipator on a random matrix, directly: γ(τ tr X − X)
    X = np.random.default_rng(0).normal(size=(d, d)) + 0j
    jumps = qt.reset_jumps(taus[0], gammas[0])
    diss = sum(L @ X @ L.conj().T - 0.5 * (L.conj().T @ L @ X + X @ L.conj().T @ L) for L in jumps)
    assert np.max(np.abs(diss - gammas[0] * (taus[0] * np.trace(X) - X))) < EXACT


def test_reset_jumps_broadcast_and_embedding():
    taus = qt.random_faithful(1, 2, size=(4, 3))                  # (4, 3, 2, 2)
    gammas = np.linspace(0.5, 1.5, 3)                              # broadcasts over the batch
    J = qt.reset_jumps(taus, gammas)
    assert J.shape == (4, 3, 4, 2, 2)
    assert np.array_equal(J[2, 1], qt.reset_jumps(taus[2, 1], gammas[1]))
    assert qt.reset_jumps(taus, gammas, reservoirs=True).shape == (4, 12, 2, 2)
    # embedded on factor B of A ⊗ C ⊗ B: I ⊗ I ⊗ Γ
    emb = qt.reset_jumps(taus[0, 0], 1.0, dims=(2, 3, 2), site=2)
    loc = qt.reset_jumps(taus[0, 0], 1.0)
    assert emb.shape == (4, 12, 12)
    assert np.array_equal(emb, np.array([np.kron(np.eye(6), L) for L in loc]))
    # tri-partite: D_A + D_B of the model (6.3)
    m = qt.random_tripartite(3, (2, 2, 2))
    S = lb.lindblad_superop(0.7 * m.H, qt.tripartite_jumps(m))
    assert np.max(np.abs(S - m.L_superop(0.7))) < EXACT


@pytest.mark.parametrize("d", [2, 3, 4])
def test_dense_steady_state_matches_the_closed_form(d):
    H, taus, gammas = qt.random_qrm(10 + d, d, 2)
    ref = rs.steady_state(H, taus, gammas)
    rho = qt.dense_steady_state(H, qt.reset_jumps(taus, gammas, reservoirs=True))
    assert np.max(np.abs(rho - ref)) < GENERIC
    rho2 = qt.dense_superop_steady_state(rs.lindbladian(H, taus, gammas))
    assert np.max(np.abs(rho2 - ref)) < GENERIC


# --- slope fits ----------------------------------------------------------------------------------

def test_loglog_slope_exact_power_laws():
    x = np.logspace(-3, -1, 9)
    for p, c in ((2.0, 3.0), (-1.0, 0.5), (4.0, -7.0), (0.5, 1e-8)):
        assert abs(qt.loglog_slope(x, c * x**p) - p) < 1e-12
    assert abs(qt.loglog_slope(x, (1 + 1j) * x**3) - 3) < 1e-12     # complex: the modulus is fitted
    assert isinstance(qt.loglog_slope([1.0, 2.0], [1.0, 4.0]), float)


@pytest.mark.parametrize("x,y", [([], []), ([1.0], [1.0]), ([1.0, 2.0], [1.0]), ([0.0, 1.0], [1.0, 2.0]),
                                 ([-1.0, 1.0], [1.0, 2.0]), ([1.0, np.inf], [1.0, 2.0]),
                                 ([1.0, 2.0], [1.0, np.nan]), ([1.0, 2.0], [0.0, 1.0]),
                                 ([2.0, 2.0], [1.0, 3.0]), (np.ones((2, 2)), np.ones((2, 2)))])
def test_loglog_slope_bad_input(x, y):
    with pytest.raises(ValueError, match="x|y"):
        qt.loglog_slope(x, y)


# --- bad input ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("call,exc,match", [
    (lambda: qt.random_hermitian("seed", 2), TypeError, "rng"),
    (lambda: qt.random_hermitian(1.5, 2), TypeError, "rng"),
    (lambda: qt.random_hermitian(True, 2), TypeError, "rng"),
    (lambda: qt.random_hermitian(-1, 2), ValueError, "rng"),
    (lambda: qt.random_hermitian(1, 0), ValueError, "d"),
    (lambda: qt.random_hermitian(1, 2.0), TypeError, "d"),
    (lambda: qt.random_hermitian(1, 2, scale=np.nan), ValueError, "scale"),
    (lambda: qt.random_hermitian(1, 2, real=1), TypeError, "real"),
    (lambda: qt.random_hermitian(1, 2, size=(-1,)), ValueError, "size"),
    (lambda: qt.random_hermitian(1, 2, size="3"), TypeError, "size"),
    (lambda: qt.random_density(1, 3, rank=4), ValueError, "rank"),
    (lambda: qt.random_density(1, 3, rank=0), ValueError, "rank"),
    (lambda: qt.random_density(1, 3, mix=1.5), ValueError, "mix"),
    (lambda: qt.random_faithful(1, 3, floor=0.0), ValueError, "floor"),
    (lambda: qt.random_faithful(1, 3, floor=-0.1), ValueError, "floor"),
    (lambda: qt.random_affine(1, 0), ValueError, "J"),
    (lambda: qt.random_qrm(1, 2, 0), ValueError, "J"),
    (lambda: qt.random_qrm(1, 2, 2, rate_range=(0.0, 1.0)), ValueError, "rate_range"),
    (lambda: qt.random_qrm(1, 2, 2, rate_range=(2.0, 1.0)), ValueError, "rate_range"),
    (lambda: qt.random_qrm(1, 2, 2, rate_range=(1.0, np.inf)), ValueError, "rate_range"),
    (lambda: qt.random_tripartite(1, (2, 2)), ValueError, "dims"),
    (lambda: qt.random_tripartite(1, (2, 0, 2)), ValueError, "dims"),
    (lambda: qt.random_tripartite(1, hnorm=0.0), ValueError, "hnorm"),
    (lambda: qt.random_tripartite(1, hscale=0.1), ValueError, "hscale"),
    (lambda: qt.reset_jumps(np.eye(2), 1.0), ValueError, "tau"),
    (lambda: qt.reset_jumps(np.eye(2) / 2, 0.0), ValueError, "gamma"),
    (lambda: qt.reset_jumps(np.stack([np.eye(2) / 2] * 2), np.ones(3)), ValueError, "gamma"),
    (lambda: qt.reset_jumps(np.eye(2) / 2, 1.0, reservoirs=True), ValueError, "reservoir"),
    (lambda: qt.reset_jumps(np.eye(2) / 2, 1.0, dims=(2, 2)), ValueError, "site"),
    (lambda: qt.reset_jumps(np.eye(2) / 2, 1.0, dims=(2, 3), site=1), ValueError, "dims"),
    (lambda: qt.reset_jumps(np.eye(2) / 2, 1.0, dims=(2, 3), site=2), ValueError, "site"),
    (lambda: qt.tripartite_jumps("model"), TypeError, "model"),
    (lambda: qt.dense_steady_state(np.eye(2), np.full((1, 2, 2), np.nan)), ValueError, "jumps"),
    (lambda: qt.dense_steady_state(np.array([[0, 1], [0, 0]]), []), ValueError, "H"),
    (lambda: qt.dense_superop_steady_state(np.eye(3)), ValueError, "S"),
    (lambda: qt.dense_superop_steady_state(np.full((4, 4), np.inf)), ValueError, "S"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
