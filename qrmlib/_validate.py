"""Input checks shared by the modules.  Each raises ``ValueError`` naming the argument."""

from __future__ import annotations

import numpy as np

from .linalg import _eigvalsh, dagger

HERM_TOL = 1e-10
TRACE_TOL = 1e-10
PSD_TOL = 1e-12


def as_square(a, name: str, d: int | None = None) -> np.ndarray:
    """Array of shape ``(..., d, d)`` as complex128, else ``ValueError``."""
    arr = np.asarray(a)
    if arr.ndim < 2 or arr.shape[-1] != arr.shape[-2]:
        raise ValueError(f"{name} must be a square matrix of shape (..., d, d), got shape {arr.shape}")
    if d is not None and arr.shape[-1] != d:
        raise ValueError(f"{name} must be {d}x{d} (matching the other arguments), got {arr.shape[-2:]}")
    arr = arr.astype(complex)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must have finite entries")
    return arr


def hermitian(a, name: str, d: int | None = None) -> np.ndarray:
    """Square Hermitian array (relative tolerance ``HERM_TOL``)."""
    arr = as_square(a, name, d)
    arr_h = dagger(arr)
    err = float(np.max(np.abs(arr - arr_h))) if arr.size else 0.0
    # scale >= 1, so err <= HERM_TOL passes without computing it (the common case)
    if err > HERM_TOL and err > HERM_TOL * max(1.0, float(np.max(np.abs(arr)))):
        raise ValueError(f"{name} must be Hermitian: max|{name} - {name}^*| = {err:.3e}")
    return 0.5 * (arr + arr_h)


def density(a, name: str, d: int | None = None, *, strict: bool = False) -> np.ndarray:
    """Density matrix: Hermitian, trace one, eigenvalues >= 0 (> 0 if ``strict``)."""
    arr = hermitian(a, name, d)
    tr = np.real(np.trace(arr, axis1=-2, axis2=-1))
    if np.any(np.abs(tr - 1) > TRACE_TOL):
        bad = tr.flat[int(np.argmax(np.abs(tr - 1)))]
        raise ValueError(f"{name} must have trace 1, got trace {bad:.12g}")
    w = _eigvalsh(arr)  # closed form for 2x2 (qubits), LAPACK otherwise
    wmin = float(np.min(w))
    if wmin < -PSD_TOL:
        raise ValueError(f"{name} must be positive semidefinite: eigenvalue {wmin:.3e} < 0")
    if strict and wmin <= PSD_TOL:
        raise ValueError(f"{name} must be positive definite (faithful): smallest eigenvalue {wmin:.3e}")
    return arr


def rates(g, name: str) -> np.ndarray:
    """Strictly positive finite rates."""
    arr = np.asarray(g, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be > 0 (hypothesis Diss), got min {np.min(arr):.6g}")
    return arr


def finite_real(x, name: str) -> np.ndarray:
    """Finite real numbers."""
    arr = np.asarray(x)
    if np.iscomplexobj(arr):
        if np.any(np.imag(arr) != 0):
            raise ValueError(f"{name} must be real")
        arr = np.real(arr)
    arr = arr.astype(float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def affine_weights(lam, name: str, J: int) -> np.ndarray:
    """Real weights of shape ``(..., J)`` summing to one (eq. (4.1))."""
    arr = finite_real(lam, name)
    if arr.ndim < 1 or arr.shape[-1] != J:
        raise ValueError(f"{name} must have shape (..., {J}) (one weight per reservoir), got {arr.shape}")
    s = np.sum(arr, axis=-1)
    if np.any(np.abs(s - 1) > 1e-10):
        bad = s.flat[int(np.argmax(np.abs(s - 1)))]
        raise ValueError(f"{name} must sum to 1 over reservoirs (eq. 4.1), got sum {bad:.12g}")
    return arr
