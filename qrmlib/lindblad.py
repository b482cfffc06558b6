r"""Generic Lindbladians (paper, Section 2): an independent path for checks.

A Lindbladian of the form (2.2),

.. math::

    \mathcal L(\rho) = -i[H,\rho] + \sum_l\Big(\Gamma_l\rho\Gamma_l^* - \tfrac12\{\Gamma_l^*\Gamma_l,\rho\}\Big),

is represented by its :math:`d^2\times d^2` superoperator matrix (row-major
vectorisation, see :mod:`qrmlib.linalg`).  Its steady state is computed as the
trace-one null vector of that matrix: the "generic solver" against which the
closed forms of :mod:`qrmlib.reset` and ``qrmlib.tripartite`` are tested.

Every public function validates its arguments once (see :mod:`qrmlib._validate`);
states are projected exactly onto Hermitian trace-one matrices before use.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from . import _validate as _v
from .linalg import _dagger, _hermitian_part, _logm_pd, _spost, _spre, _sprepost, _superop_commutator, _unvec, _vec

__all__ = ["NULL_TOL", "EntropyProductionSum", "lindblad_superop", "apply_superop", "null_steady_state",
           "entropy_production_sum"]

#: Default relative threshold of :func:`null_steady_state` for "zero" singular
#: values: :math:`s \le` ``NULL_TOL`` :math:`\cdot s_{\max}`.  The kernel must be
#: one-dimensional: :math:`s_{\min}\le` ``tol`` :math:`\cdot s_{\max} <`
#: :math:`s_{\min-1}` (the second smallest singular value).  Round-off puts the
#: null singular value of a double-precision superoperator near
#: :math:`10^{-16}\,s_{\max}`; a genuine gap (e.g. :math:`O(g^2)` for the tri-partite
#: :math:`\mathcal L_g` at small :math:`g`) must stay above ``tol``.
NULL_TOL = 1e-10


class EntropyProductionSum(NamedTuple):
    r"""Entropy production :math:`\sigma=\sum_j\sigma_j` and its parts, eqs. (2.10), (4.5).

    Unpacks as ``sigma, sigma_j = ...`` (and indexes as ``[0]``, ``[1]``).
    """

    #: total entropy production, shape ``(...)``
    sigma: np.ndarray
    #: one term per reservoir, shape ``(..., J)``
    sigma_j: np.ndarray


def _superops(S, name: str, *, stack: bool = False) -> np.ndarray:
    """Square arrays ``(..., n, n)`` with ``n = d²`` (``(..., J, n, n)`` if ``stack``)."""
    S = _v.as_square(S, name)
    if stack and S.ndim < 3:
        raise ValueError(f"{name} must have shape (..., J, d², d²) (one superoperator per reservoir), "
                         f"got shape {S.shape}")
    n = S.shape[-1]
    if math.isqrt(n) ** 2 != n:
        raise ValueError(f"{name} must have shape (..., d², d²) with d² a perfect square, got {S.shape[-2:]}")
    return S


def lindblad_superop(H, jumps=()):
    r"""Superoperator matrix of eq. (2.2), shape ``(..., d², d²)``.

    Parameters
    ----------
    H : array_like, shape ``(..., d, d)``, Hermitian
    jumps : array_like, shape ``(..., L, d, d)`` or sequence of ``(d, d)``
        The jump operators :math:`\Gamma_l` (finite; ``()`` for none).
    """
    H = _v.hermitian(H, "H")
    d = H.shape[-1]
    jumps = _v._numeric(jumps, "jumps")
    out = _superop_commutator(H)
    if jumps.size:
        if jumps.ndim < 3 or jumps.shape[-2:] != H.shape[-2:]:
            raise ValueError(f"jumps must have shape (..., L, {d}, {d}) to match H ({d}x{d}), got {jumps.shape}")
        jumps = jumps.astype(complex)
        if not np.all(np.isfinite(jumps)):
            raise ValueError("jumps must have finite entries")
        _v.leading_axes(H=H.shape[:-2], jumps=jumps.shape[:-3])
        gg = _dagger(jumps) @ jumps
        diss = _sprepost(jumps, _dagger(jumps)) - 0.5 * (_spre(gg) + _spost(gg))
        out = out + np.sum(diss, axis=-3)
    elif jumps.ndim >= 2 and jumps.shape[-2:] != H.shape[-2:]:
        raise ValueError(f"jumps must have shape (..., L, {d}, {d}) to match H ({d}x{d}), got {jumps.shape}")
    return out


def apply_superop(S, rho):
    """Action of a superoperator matrix ``S`` ``(..., d², d²)`` on any matrix ``rho`` ``(..., d, d)``."""
    S = _superops(S, "S")
    d = math.isqrt(S.shape[-1])
    rho = _v.as_square(rho, "rho")
    if rho.shape[-1] != d:  # names S and rho
        raise ValueError(f"rho must be {d}x{d} to match S of shape {S.shape[-2:]} (d² = {d * d}), "
                         f"got {rho.shape[-2:]}")
    _v.leading_axes(S=S.shape[:-2], rho=rho.shape[:-2])
    return _apply_superop(S, rho)


def _apply_superop(S, rho):
    """:func:`apply_superop` without input checks."""
    return _unvec(np.einsum("...ij,...j->...i", S, _vec(rho)), rho.shape[-1])


def null_steady_state(S, *, tol=NULL_TOL):
    r"""Trace-one null vector of a superoperator matrix, shape ``(..., d², d²) -> (..., d, d)``.

    Computed from the right singular vector of the smallest singular value
    (a generic, structure-blind solver), normalised to trace one and
    Hermitianised.

    Parameters
    ----------
    S : array_like, shape ``(..., d², d²)``, finite
    tol : float, keyword-only
        Relative threshold for zero singular values (default :data:`NULL_TOL`).

    Raises
    ------
    ValueError
        If ``S`` has non-finite entries (checked before any LAPACK call), is
        not ``(..., d², d²)``, or if its kernel is not one-dimensional: with
        singular values :math:`s_1\ge\dots\ge s_n`, the kernel dimension is
        the number of :math:`s_k\le` ``tol`` :math:`\cdot s_1` and must be 1
        (no unique steady state otherwise); or if the null vector is traceless.
    """
    S = _superops(S, "S")
    tol = _v.tolerance(tol, "tol", maximum=1e-3)
    n = S.shape[-1]
    d = math.isqrt(n)
    _v.memory_guard(4.0 * S.size * 16, f"null_steady_state: the dense SVD of S {S.shape}")
    # scale each matrix to max|S| = 1 (same singular vectors; no overflow inside LAPACK)
    scale = np.max(np.abs(S), axis=(-1, -2), keepdims=True)
    S = S / np.where(scale > 0, scale, 1.0)
    _, s, vh = np.linalg.svd(S)
    kdim = np.sum(s <= tol * s[..., :1], axis=-1)
    if np.any(kdim != 1):
        idx = np.unravel_index(int(np.argmax(kdim != 1)), kdim.shape) if kdim.ndim else ()
        k = int(kdim[idx])
        where = f" at index {tuple(int(i) for i in idx)}" if idx else ""
        raise ValueError(
            f"S must have a one-dimensional kernel (a unique steady state): measured kernel dimension "
            f"{k}{where} (number of singular values <= tol * s_max, tol = {tol:g})")
    x = np.conj(vh[..., -1, :])
    rho = _unvec(x, d)
    tr = np.trace(rho, axis1=-2, axis2=-1)
    if np.any(np.abs(tr) <= 1e-8):
        raise ValueError("S must have a null vector of nonzero trace (a state): the kernel of S is traceless "
                         f"(|tr| = {float(np.min(np.abs(tr))):.3e}); S is not the generator of a trace-preserving "
                         "evolution")
    return _hermitian_part(rho / tr[..., None, None])


def entropy_production_sum(superops, steady_states, rho):
    r"""EP of a state for a sum of Lindbladians, eq. (2.10).

    .. math:: \sigma(\rho)=\sum_j\operatorname{tr}\big(\mathcal L_j(\rho)(\ln\rho_j^+-\ln\rho)\big).

    Parameters
    ----------
    superops : array_like, shape ``(..., J, d², d²)``
    steady_states : array_like, shape ``(..., J, d, d)``, faithful states
    rho : array_like, shape ``(..., d, d)``, a faithful state

    The reservoir axis ``J`` must agree exactly (it does not broadcast); the
    leading axes ``...`` of the three arguments broadcast.  States are
    projected exactly onto Hermitian trace-one matrices before use.

    Returns
    -------
    EntropyProductionSum
        ``(sigma, sigma_j)``: ndarrays ``(...)`` and ``(..., J)``.
    """
    S = _superops(superops, "superops", stack=True)
    d = math.isqrt(S.shape[-1])
    _v.same_dim(steady_states, "steady_states", d, f"superops ({S.shape[-1]}x{S.shape[-1]} = d²xd²)")
    rj = _v.as_square(steady_states, "steady_states", d)
    if rj.ndim < 3:
        raise ValueError(f"steady_states must have shape (..., J, {d}, {d}) (one state per reservoir), "
                         f"got shape {rj.shape}")
    if rj.shape[-3] != S.shape[-3]:
        raise ValueError(f"steady_states must have J = {S.shape[-3]} states (one per superoperator in superops, "
                         f"axis -3), got J = {rj.shape[-3]}")
    rj = _v.density(rj, "steady_states", d, strict=True)
    _v.same_dim(rho, "rho", d, "superops and steady_states")
    rho = _v.density(rho, "rho", d, strict=True)
    _v.leading_axes(superops=S.shape[:-3], steady_states=rj.shape[:-3], rho=rho.shape[:-2])
    Lr = _apply_superop(S, rho[..., None, :, :])
    diff = _logm_pd(rj) - _logm_pd(rho)[..., None, :, :]
    sj = np.real(np.einsum("...ij,...ji->...", Lr, diff))
    return EntropyProductionSum(sj.sum(axis=-1), sj)
