"""Helpers shared by the tri-partite model and its solvers (:mod:`qrmlib.tripartite`):
small tensor helpers, the bordered and scaled dense solves, the result records,
the real/complex re-ordering of the Hermitian unknowns.  No public API of its own."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validate as _v
from . import _ep_terms as _ept
from .linalg import _kron  # noqa: F401  (re-exported: the batched Kronecker product, one copy)
from .linalg import _logm_pd, dagger, hermitian_part

#: memory budget (bytes) of one batched solve; larger batches are split into chunks
_SOLVE_BYTES = 1 << 28


# --- small helpers ------------------------------------------------------------


def _tr(a):
    return np.trace(a, axis1=-2, axis2=-1)


#: the double-precision number system of the (7.5)-(7.6) terms (qrmlib._ep_terms)
_DOUBLE = _ept.Backend(log=_logm_pd, tr=_ept.tr_real)


def _comm(a, b):
    return a @ b - b @ a


# The checks of lam and g are defined once, in qrmlib._validate (lam_checked, g_checked).

_PTR = {"A": "...abcaef->...bcef", "B": "...abcdec->...abde", "AB": "...abcaec->...be"}


def _ptr(x, dims, which):
    """Partial trace over A, B or AB of ``x`` ``(..., d, d)`` (the einsum of ``linalg.partial_trace``, unchecked)."""
    nA, nC, nB = dims
    lead = x.shape[:-2]
    out = np.einsum(_PTR[which], x.reshape(lead + (nA, nC, nB, nA, nC, nB)))
    k = {"A": nC * nB, "B": nA * nC, "AB": nC}[which]
    return out.reshape(lead + (k, k))


#: where to go when a dense solve does not fit
MATRIX_FREE_HINT = (
    "use qrmlib.tripartite.steady_state_matrix_free (matrix-free GMRES, memory O(d²)) for the steady state instead"
)


def _guard_dense(N, count, what):
    """``memory_guard`` for ``count`` dense complex ``N x N`` matrices (plus a few of working space)."""
    _v.memory_guard(
        16.0 * float(N) ** 2 * (count + 3), f"{what} ({count} dense {N}x{N} complex matrices)", hint=MATRIX_FREE_HINT
    )


def _batched_solve(M, rhs):
    """``np.linalg.solve`` over the leading axes of ``M`` ``(..., n, n)``, ``rhs`` ``(n,)``.

    One call; split into chunks only when the batch exceeds 256 MB.
    Singular matrices raise ``ValueError`` (degenerate kernel).
    """
    n = M.shape[-1]
    lead = M.shape[:-2]
    M = M.reshape((-1, n, n))
    b = np.broadcast_to(rhs, (M.shape[0], n))[..., None]
    nchunk = max(1, int(np.ceil(M.shape[0] * n * n * 16 * 3 / _SOLVE_BYTES)))
    try:
        if nchunk == 1:
            x = np.linalg.solve(M, b)[..., 0]
        else:
            x = np.concatenate(
                [np.linalg.solve(m, r)[..., 0] for m, r in zip(np.array_split(M, nchunk), np.array_split(b, nchunk))]
            )
    except np.linalg.LinAlgError as exc:
        raise ValueError(
            "the steady state is not unique (singular linear system): the kernel of the generator "
            "is degenerate for these parameters"
        ) from exc
    return x.reshape(lead + (n,))


def _finish(rho):
    rho = hermitian_part(rho)
    return rho / np.real(_tr(rho))[..., None, None]


def _bordered_solve(S, scale):
    r"""Trace-one null vectors of superoperators ``S`` of shape ``(..., d², d²)``.

    Solves :math:`(S - w\,\mathbf 1^t)x = -w` with :math:`\mathbf 1=\operatorname{vec}(I)`
    and :math:`w=\mathrm{scale}\,\mathbf 1/d`.  Since :math:`\mathbf 1^tS=0`
    (trace preservation), any solution has :math:`\mathbf 1^tx=1` and
    :math:`Sx=0`; the bordered matrix is invertible iff :math:`\ker S` is
    one-dimensional.
    """
    S = np.asarray(S, dtype=complex)
    n2 = S.shape[-1]
    d = int(round(np.sqrt(n2)))
    one = np.eye(d, dtype=complex).reshape(-1)
    w = (scale / d) * one
    x = _batched_solve(S - w[:, None] * one[None, :], -w)
    return _finish(x.reshape(S.shape[:-2] + (d, d)))


class _ScaledSystem:
    r"""The steady-state equations of :math:`\mathcal L_0+g\mathcal L_1` rescaled to be well conditioned as :math:`g\to0`.

    :math:`\mathcal L_0` is a reset dissipator with kernel :math:`\{E(r)\}` and
    :math:`\operatorname{tr}_{env}\mathcal L_0=0` (:math:`E`, :math:`\operatorname{tr}_{env}`
    given as matrices ``Emb`` ``(d², n²)`` and ``T`` ``(n², d²)``).  For
    :math:`g\neq0` write :math:`\rho=E(r)+gY` with :math:`\operatorname{tr}_{env}Y=0`;
    with :math:`P_0=E\operatorname{tr}_{env}`, :math:`Q=1-P_0`, and Diag/Offdiag
    in the eigenbasis of :math:`\bar H^\tau=\operatorname{tr}_{env}(H E(I))`,
    :math:`\mathcal L_g\rho=0`, :math:`\operatorname{tr}\rho=1` is equivalent to

    .. math::

        Q\mathcal L_1E(r) + (\mathcal L_0 + gQ\mathcal L_1 + sP_0)Y = 0,\\
        \operatorname{Offdiag}\operatorname{tr}_{env}\mathcal L_1(E(r)+gY)
          + \operatorname{Diag}\operatorname{tr}_{env}\mathcal L_1Y + w(\operatorname{tr}r-1) = 0,

    (the :math:`P_0` part of :math:`\mathcal L_g\rho=0` divided by :math:`g`, its
    Diag part once more, using :math:`\operatorname{Diag}[\bar H^\tau,r]=0`;
    :math:`w=sI/n`).  At :math:`g=0` this is the perturbative system of
    :mod:`qrmlib.perturbation`, invertible under Spec and Coup, so the
    condition number stays bounded as :math:`g\to0` instead of growing like
    :math:`g^{-2}`.  The matrix is :math:`A_0+gA_1`, of size :math:`d^2+n^2`.
    """

    def __init__(self, L0, L1, T, Emb, H_eff, s):
        n2, d2 = T.shape
        n = int(round(np.sqrt(n2)))
        _, V = np.linalg.eigh(H_eff)
        # Diag in the eigenbasis of H_eff, as a matrix on row-major vec
        basis = np.eye(n2, dtype=complex).reshape(n2, n, n)
        Vh = dagger(V)
        Dg = (V @ (np.eye(n) * (Vh @ basis @ V)) @ Vh).reshape(n2, n2).T
        Of = np.eye(n2) - Dg
        P0 = Emb @ T
        Q = np.eye(d2) - P0
        TL1 = T @ L1
        one = np.eye(n, dtype=complex).reshape(-1)
        w = (s / n) * one
        A0 = np.zeros((d2 + n2, d2 + n2), complex)
        A1 = np.zeros_like(A0)
        A0[:d2, :n2] = Q @ L1 @ Emb
        A0[:d2, n2:] = L0 + s * P0
        A1[:d2, n2:] = Q @ L1
        A0[d2:, :n2] = Of @ TL1 @ Emb + w[:, None] * one[None, :]
        A0[d2:, n2:] = Dg @ TL1
        A1[d2:, n2:] = Of @ TL1
        self.A0, self.A1, self.Emb = A0, A1, Emb
        self.rhs = np.concatenate([np.zeros(d2, complex), w])
        self.n2, self.d = n2, int(round(np.sqrt(d2)))

    def solve(self, g):
        z = _batched_solve(self.A0 + g[..., None, None] * self.A1, self.rhs)
        r, Y = z[..., : self.n2], z[..., self.n2 :]
        x = np.einsum("ij,...j->...i", self.Emb, r) + g[..., None] * Y
        return _finish(x.reshape(g.shape + (self.d, self.d)))


# --- results ----------------------------------------------------------------------


class EntropyProduction(NamedTuple):
    r"""Entropy production of eqs. (7.5)-(7.6): :math:`\sigma=\sigma_A+\sigma_B` and its two parts."""

    sigma: np.ndarray
    sigma_A: np.ndarray
    sigma_B: np.ndarray


class EntropyFluxes(NamedTuple):
    r"""Entropy fluxes :math:`\phi_A,\phi_B` of eqs. (7.6), (8.26)."""

    phi_A: np.ndarray
    phi_B: np.ndarray


_METHODS = ("auto", "scaled", "bordered")
_WHICH = ("full", "A", "B")
