"""Tests of the chapter-03 helpers of qrmlib.testing."""

import numpy as np
import pytest

from qrmlib import linalg as la
from qrmlib.testing import (composite_gauss_legendre, matching_distance, random_density, random_hermitian,
                            random_unitary, rho_adjoint, spectral_projectors)


def test_matching_distance():
    a = np.array([1 + 1j, 1 - 1j, 0.5, 0.5])
    assert matching_distance(a, a[::-1]) == 0.0
    assert matching_distance(a, np.conj(a)) == 0.0
    assert np.isclose(matching_distance([0.5, 0.5, 1.0], [0.5, 1.0, 1.0]), 0.5)   # multiplicities differ


@pytest.mark.parametrize("a, b, exc", [([1, 2], [1], ValueError), ([], [], ValueError),
                                       ([1, np.nan], [1, 2], ValueError), ("ab", [1, 2], TypeError)])
def test_matching_distance_rejects(a, b, exc):
    with pytest.raises(exc):
        matching_distance(a, b)


def test_spectral_projectors_degenerate():
    U = random_unitary(4, 4)
    e = np.array([0.0, 0.0, 1.0, 1.0 + 1e-12])
    H = (U * e) @ U.conj().T
    E, P = spectral_projectors(H)
    assert np.allclose(E, [0.0, 1.0], atol=1e-9) and P.shape == (2, 4, 4)
    assert np.allclose(P.sum(0), np.eye(4), atol=1e-12)
    assert np.allclose(np.einsum("k,kij->ij", E, P), H, atol=1e-9)
    assert np.allclose(P[0] @ P[1], 0, atol=1e-12) and np.allclose(P[0] @ P[0], P[0], atol=1e-12)
    assert len(spectral_projectors(random_hermitian(5, 3))[0]) == 3


@pytest.mark.parametrize("H, tol, exc", [(np.ones((2, 3)), 1e-9, ValueError), (np.eye(2), 0.0, ValueError),
                                         (np.eye(2)[None], 1e-9, ValueError), (np.array([[0, 1], [0, 0]]), 1e-9, ValueError)])
def test_spectral_projectors_rejects(H, tol, exc):
    with pytest.raises(exc):
        spectral_projectors(H, tol=tol)


def test_composite_gauss_legendre():
    t, w = composite_gauss_legendre(0.0, 60.0, panels=200, order=20)
    assert t.shape == w.shape == (4000,) and np.all(np.diff(t) > 0)
    assert abs(w @ np.exp(-t) - (1 - np.exp(-60))) < 1e-13
    assert abs(w.sum() - 60.0) < 1e-12


@pytest.mark.parametrize("a, b, kw", [(1.0, 1.0, dict(panels=1, order=1)), (0.0, 1.0, dict(panels=0, order=1)),
                                      (0.0, np.inf, dict(panels=1, order=1)), (0.0, 1.0, dict(panels=1, order=0))])
def test_composite_gauss_legendre_rejects(a, b, kw):
    with pytest.raises(ValueError):
        composite_gauss_legendre(a, b, **kw)


def test_rho_adjoint_defining_identity():
    rng = np.random.default_rng(3)
    d = 3
    rho = random_density(rng, d, mix=0.1)
    S = rng.normal(size=(d * d, d * d)) + 1j * rng.normal(size=(d * d, d * d))
    Sr = rho_adjoint(S, rho)
    A, B = (rng.normal(size=(2, d, d)) + 1j * rng.normal(size=(2, d, d)))
    ip = lambda X, Y: np.trace(rho @ X.conj().T @ Y)                     # (X, Y)_ρ of (3.20)
    app = lambda M, X: la.unvec(M @ la.vec(X), d)
    assert np.isclose(ip(A, app(S, B)), ip(app(Sr, A), B), atol=1e-12)
    assert np.allclose(rho_adjoint(Sr, rho), S, atol=1e-10)              # an involution


@pytest.mark.parametrize("S, rho", [(np.eye(4), np.diag([1.0, 0.0])), (np.eye(9), np.eye(2) / 2),
                                    (np.full((4, 4), np.nan), np.eye(2) / 2)])
def test_rho_adjoint_rejects(S, rho):
    with pytest.raises(ValueError):
        rho_adjoint(S, rho)
