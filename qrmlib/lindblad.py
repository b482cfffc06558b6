r"""Generic Lindbladians (paper, Section 2): an independent path for checks.

A Lindbladian of the form (2.2),

.. math::

    \mathcal L(\rho) = -i[H,\rho] + \sum_l\Big(\Gamma_l\rho\Gamma_l^* - \tfrac12\{\Gamma_l^*\Gamma_l,\rho\}\Big),

is represented by its :math:`d^2\times d^2` superoperator matrix (row-major
vectorisation, see :mod:`qrmlib.linalg`).  Its steady state is computed as the
trace-one null vector of that matrix: the "generic solver" against which the
closed forms of :mod:`qrmlib.reset` and ``qrmlib.tripartite`` are tested.
"""

from __future__ import annotations

import numpy as np

from . import _validate as _v
from .linalg import dagger, hermitian_part, logm_pd, spost, spre, sprepost, superop_commutator, unvec, vec

__all__ = ["lindblad_superop", "apply_superop", "null_steady_state", "entropy_production_sum"]


def lindblad_superop(H, jumps=()):
    r"""Superoperator matrix of eq. (2.2), shape ``(..., d², d²)``.

    Parameters
    ----------
    H : array_like, shape ``(..., d, d)``, Hermitian
    jumps : array_like, shape ``(..., L, d, d)`` or sequence of ``(d, d)``
        The jump operators :math:`\Gamma_l`.
    """
    H = _v.hermitian(H, "H")
    out = superop_commutator(H)
    jumps = np.asarray(jumps, dtype=complex)
    if jumps.size:
        if jumps.ndim < 3 or jumps.shape[-2:] != H.shape[-2:]:
            raise ValueError(f"jumps must have shape (..., L, {H.shape[-1]}, {H.shape[-1]}), got {jumps.shape}")
        gg = dagger(jumps) @ jumps
        diss = sprepost(jumps, dagger(jumps)) - 0.5 * (spre(gg) + spost(gg))
        out = out + np.sum(diss, axis=-3)
    return out


def apply_superop(S, rho):
    """Action of a superoperator matrix ``S`` ``(..., d², d²)`` on ``rho`` ``(..., d, d)``."""
    rho = np.asarray(rho)
    return unvec(np.einsum("...ij,...j->...i", S, vec(rho)), rho.shape[-1])


def null_steady_state(S):
    r"""Trace-one null vector of a superoperator matrix, shape ``(..., d², d²) -> (..., d, d)``.

    Computed from the right singular vector of the smallest singular value
    (a generic, structure-blind solver), normalised to trace one and
    Hermitianised.  Assumes a one-dimensional kernel.
    """
    S = np.asarray(S, dtype=complex)
    d = int(round(np.sqrt(S.shape[-1])))
    _, _, vh = np.linalg.svd(S)
    x = np.conj(vh[..., -1, :])
    rho = unvec(x, d)
    rho = rho / np.trace(rho, axis1=-2, axis2=-1)[..., None, None]
    return hermitian_part(rho)


def entropy_production_sum(superops, steady_states, rho):
    r"""EP of a state for a sum of Lindbladians, eq. (2.10).

    .. math:: \sigma(\rho)=\sum_j\operatorname{tr}\big(\mathcal L_j(\rho)(\ln\rho_j^+-\ln\rho)\big).

    Parameters
    ----------
    superops : array_like, shape ``(..., J, d², d²)``
    steady_states : array_like, shape ``(..., J, d, d)``, faithful
    rho : array_like, shape ``(..., d, d)``, faithful

    Returns
    -------
    sigma : ndarray ``(...)``; sigma_j : ndarray ``(..., J)``
    """
    rho = np.asarray(rho, dtype=complex)
    Lr = apply_superop(np.asarray(superops), rho[..., None, :, :])
    diff = logm_pd(steady_states) - logm_pd(rho)[..., None, :, :]
    sj = np.real(np.einsum("...ij,...ji->...", Lr, diff))
    return sj.sum(axis=-1), sj
