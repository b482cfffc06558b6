"""Tests of the chapter-02 helpers of qrmlib.testing: choi_matrix, central_derivative."""

import numpy as np
import pytest
import scipy.linalg as sla

from qrmlib import lindblad as lb, linalg as la
from qrmlib.testing import central_derivative, choi_matrix, random_density, random_hermitian


def test_choi_matrix_entries_and_cp():
    rng = np.random.default_rng(1)
    d = 3
    K = rng.normal(size=(2, d, d)) + 1j * rng.normal(size=(2, d, d))     # a CP map Σ K ρ K*
    S = la.linear_map_matrix(lambda X: np.einsum("kij,...jl,kml->...im", K, X, K.conj()), d)
    C = choi_matrix(S)
    for a in range(d):
        for b in range(d):
            E = np.zeros((d, d)); E[a, b] = 1
            img = sum(k @ E @ k.conj().T for k in K)
            assert np.allclose(C[a * d:(a + 1) * d, b * d:(b + 1) * d], img, atol=1e-13)
    assert np.linalg.eigvalsh(la.hermitian_part(C)).min() > -1e-12
    # the transpose map is positive but not CP: its Choi matrix (the swap) has eigenvalue −1
    T = la.linear_map_matrix(lambda X: np.swapaxes(X, -1, -2), 2)
    assert np.isclose(np.linalg.eigvalsh(choi_matrix(T)).min(), -1.0)
    # batches, and e^{tL} of a Lindbladian is CP
    L = lb.lindblad_superop(random_hermitian(2, d), rng.normal(size=(2, d, d)) + 0j)
    E = sla.expm(L)
    assert np.linalg.eigvalsh(la.hermitian_part(choi_matrix(np.stack([E, E])))).min() > -1e-12


@pytest.mark.parametrize("bad, exc", [(np.ones((3, 3)), ValueError), (np.ones((4, 5)), ValueError),
                                      (np.full((4, 4), np.nan), ValueError), ("x", TypeError)])
def test_choi_matrix_rejects(bad, exc):
    with pytest.raises(exc, match="S"):
        choi_matrix(bad)


def test_central_derivative_order_four():
    errs = [abs(central_derivative(np.sin, h) - 1.0) for h in (1e-1, 5e-2)]
    assert 12 < errs[0] / errs[1] < 20                                   # O(h⁴): ratio ≈ 16
    rho = random_density(3, 2)
    out = central_derivative(lambda t: t[:, None, None] ** 2 * rho + t[:, None, None] * rho, 1e-2)
    assert out.shape == (2, 2) and np.allclose(out, rho, atol=1e-12)


@pytest.mark.parametrize("f, h, exc, word", [(np.sin, 0.0, ValueError, "h"), (np.sin, -1e-3, ValueError, "h"),
                                             (np.sin, np.nan, ValueError, "h"), ("sin", 1e-3, TypeError, "f"),
                                             (lambda t: t[:2], 1e-3, ValueError, "shape"),
                                             (lambda t: t / 0, 1e-3, ValueError, "finite")])
def test_central_derivative_rejects(f, h, exc, word):
    with pytest.raises(exc, match=word):
        with np.errstate(divide="ignore", invalid="ignore"):
            central_derivative(f, h)
