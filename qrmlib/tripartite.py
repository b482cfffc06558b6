r"""Quantum reset models on a tri-partite Hilbert space (paper, Sections 6-7).

The Hilbert space is :math:`\mathcal H=\mathcal H_A\otimes\mathcal H_C\otimes\mathcal H_B`
(tensor order A ⊗ C ⊗ B, dimensions ``dims = (n_A, n_C, n_B)``, any sizes).
The two ends A and B are reset, eq. (6.3),

.. math::

    \mathcal D_A(\rho) = \gamma_A(\tau_A\otimes\operatorname{tr}_A\rho - \rho),\qquad
    \mathcal D_B(\rho) = \gamma_B(\operatorname{tr}_B\rho\otimes\tau_B - \rho),

and, in the small-drive regime of Section 7 (:math:`H_\#=0`, eq. (7.1)), the
Hamiltonian :math:`H` on :math:`\mathcal H` is switched on with strength
:math:`g`, eq. (7.2):

.. math::

    \mathcal L_g = \mathcal L_0 + g\,\mathcal L_1,\qquad
    \mathcal L_0=\mathcal D_A+\mathcal D_B,\qquad \mathcal L_1=-i[H,\cdot\,].

The partial Lindbladians of eqs. (7.3)-(7.4) are
:math:`\mathcal L^A_{\lambda g}=-ig\lambda[H,\cdot]+\mathcal D_A` and
:math:`\mathcal L^B_{(1-\lambda)g}=-ig(1-\lambda)[H,\cdot]+\mathcal D_B`.

Conventions
-----------
* Matrices are complex128 arrays of shape ``(..., d, d)``, ``d = n_A n_C n_B``;
  every action broadcasts over the leading axes ``...``.
* Superoperators are :math:`d^2\times d^2` matrices acting on row-major
  vectorised matrices ``vec(X) = X.reshape(-1)`` (see :mod:`qrmlib.linalg`).
* Energies (the entries of ``H``) and rates are in units of :math:`\varepsilon`.

Numerical conditioning at small :math:`g`
-----------------------------------------
:math:`\ker\mathcal L_0=\{\tau_A\otimes r_C\otimes\tau_B\}` has dimension
:math:`n_C^2`.  For small :math:`g\neq 0` the :math:`n_C^2-1` eigenvalues of
:math:`\mathcal L_g` that leave 0 split off only as :math:`O(g)` (coherences
in the eigenbasis of :math:`\bar H^\tau`) and :math:`O(g^2)` (populations,
governed by :math:`\Phi_D` of eq. (7.9)).  The plain null-vector problem for
:math:`\mathcal L_g` (``method="bordered"``) is therefore ill-conditioned,
with condition number :math:`\propto g^{-2}`: measured absolute errors
:math:`\sim10^{-10}` at :math:`g=10^{-3}` and up to :math:`10^{-5}`-:math:`10^{-3}` at
:math:`g=10^{-6}` (paper's model, whose energies are :math:`\sim0.1`), all
along :math:`\tau_A\otimes\mathrm{diag}\otimes\tau_B`.  The default
``method="auto"`` solves, for :math:`|g|\,\|H\|\le\gamma_A+\gamma_B`, the same
equations with the slow block divided by :math:`g` and :math:`g^2`
(``_ScaledSystem``, an exact reformulation for :math:`g\neq0`), whose
condition number stays bounded as :math:`g\to0` under Spec and Coup: errors
:math:`\lesssim10^{-15}` for :math:`10^{-6}\le g\le10^{-2}` (checked against the
order-8 series of :mod:`qrmlib.perturbation`).  The same holds for
:math:`\rho^A_g`, :math:`\rho^B_g`, whose slow blocks are
:math:`\{\tau_A\otimes X_{CB}\}` and :math:`\{X_{AC}\otimes\tau_B\}`.  If Spec or
Coup fail, the scaled system is singular at :math:`g=0` and the small-:math:`g`
steady state is intrinsically ill-conditioned.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import NamedTuple

import numpy as np

from . import _validate as _v
from . import _ep_terms as _ept
from .linalg import _logm_pd, dagger, hermitian_part, linear_map_matrix, logm_pd, superop_commutator

__all__ = ["TripartiteQRM", "EntropyProduction", "EntropyFluxes"]

#: relative tolerance for the hypothesis tr_AB(rho_tilde) = 0 of eq. (7.10)
L0_INV_TOL = 1e-10
#: memory budget (bytes) of one batched solve; larger batches are split into chunks
_SOLVE_BYTES = 1 << 28


# --- small helpers ------------------------------------------------------------

def _kron(a, b):
    """Kronecker product over the last two axes, broadcast over leading axes."""
    a = np.asarray(a)
    b = np.asarray(b)
    out = a[..., :, None, :, None] * b[..., None, :, None, :]
    s = out.shape
    return out.reshape(s[:-4] + (s[-4] * s[-3], s[-2] * s[-1]))


def _tr(a):
    return np.trace(a, axis1=-2, axis2=-1)


#: the double-precision number system of the (7.5)-(7.6) terms (qrmlib._ep_terms)
_DOUBLE = _ept.Backend(log=_logm_pd, tr=_ept.tr_real)


def _tr_prod(a, b):
    """Real part of tr(a b), shapes ``(..., d, d)`` -> ``(...)``."""
    return np.real(np.einsum("...ij,...ji->...", a, b))


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
MATRIX_FREE_HINT = ("use qrmlib.tripartite.steady_state_matrix_free (matrix-free GMRES, memory O(d²)) "
                    "for the steady state instead")


def _guard_dense(N, count, what):
    """``memory_guard`` for ``count`` dense complex ``N x N`` matrices (plus a few of working space)."""
    _v.memory_guard(16.0 * float(N) ** 2 * (count + 3), f"{what} ({count} dense {N}x{N} complex matrices)",
                    hint=MATRIX_FREE_HINT)


def _model_checked(model, name="model"):
    if not isinstance(model, TripartiteQRM):
        raise TypeError(f"{name} must be a qrmlib.tripartite.TripartiteQRM, got {type(model).__name__}")
    return model


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
            x = np.concatenate([np.linalg.solve(m, r)[..., 0]
                                for m, r in zip(np.array_split(M, nchunk), np.array_split(b, nchunk))])
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
        r, Y = z[..., : self.n2], z[..., self.n2:]
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


# --- the model ------------------------------------------------------------------

class TripartiteQRM:
    r"""Tri-partite QRM :math:`\mathcal L_g=\mathcal D_A+\mathcal D_B-ig[H,\cdot]`, eqs. (6.3), (7.2).

    Parameters
    ----------
    H : array_like, shape ``(d, d)``
        Hermitian coupling Hamiltonian on :math:`\mathcal H_A\otimes\mathcal H_C\otimes\mathcal H_B`
        (tensor order A ⊗ C ⊗ B), ``d = n_A * n_C * n_B``.
    tau_A : array_like, shape ``(n_A, n_A)``
        Reset state of A (a density matrix; faithful for the entropy production).
    tau_B : array_like, shape ``(n_B, n_B)``
        Reset state of B.
    gamma_A, gamma_B : float
        Reset rates, :math:`>0`.
    dims : tuple of 3 int
        ``(n_A, n_C, n_B)``.

    Raises
    ------
    ValueError
        Naming the argument: ``dims`` not three positive integers or with a
        product different from the size of ``H``; ``H`` not Hermitian;
        ``tau_A``/``tau_B`` of the wrong size or not density matrices;
        ``gamma_A``/``gamma_B`` not finite or :math:`\le 0`.

    Notes
    -----
    Methods taking ``g`` (and ``lam``) broadcast over their shapes: a whole
    grid of couplings is one batched linear solve, no Python loop.
    """

    def __init__(self, H, tau_A, tau_B, gamma_A, gamma_B, dims):
        dims_t = _v.dims_checked(dims)
        H = _v.hermitian(H, "H")
        if H.ndim != 2:
            raise ValueError(f"H must be a single (d, d) matrix, got shape {H.shape}")
        d = int(np.prod(dims_t))
        if H.shape[-1] != d:
            raise ValueError(
                f"dims={dims_t} has product {d} but H is {H.shape[-1]}x{H.shape[-1]}: "
                "the product n_A*n_C*n_B must equal the size of H"
            )
        n_A, n_C, n_B = dims_t
        tau_A = _v.density(tau_A, "tau_A", n_A)
        tau_B = _v.density(tau_B, "tau_B", n_B)
        if tau_A.ndim != 2 or tau_B.ndim != 2:
            raise ValueError("tau_A and tau_B must be single density matrices (no leading axes)")
        gA = _v.rates(gamma_A, "gamma_A")
        gB = _v.rates(gamma_B, "gamma_B")
        if gA.ndim or gB.ndim:
            raise ValueError("gamma_A and gamma_B must be scalars")
        self.H = H
        self.tau_A = tau_A
        self.tau_B = tau_B
        self.gamma_A = float(gA)
        self.gamma_B = float(gB)
        self.dims = dims_t
        self.n_A, self.n_C, self.n_B = dims_t
        self.d = d

    def __repr__(self):
        return (f"TripartiteQRM(dims={self.dims}, gamma_A={self.gamma_A:g}, gamma_B={self.gamma_B:g})")

    # --- partial traces and embeddings (eq. (6.2)) -----------------------------

    def _rho(self, rho, name="rho"):
        return _v.as_square(rho, name, self.d)

    # Public methods validate their argument once; the private cores (``_tr_A``, ``_D_A``, ...)
    # trust it and are what the solvers and qrmlib.perturbation call.

    def _tr_A(self, rho):
        return _ptr(rho, self.dims, "A")

    def _tr_B(self, rho):
        return _ptr(rho, self.dims, "B")

    def _tr_AB(self, rho):
        return _ptr(rho, self.dims, "AB")

    def _embed_C(self, r_C):
        return _kron(_kron(self.tau_A, r_C), self.tau_B)

    def _embed_CB(self, x_CB):
        return _kron(self.tau_A, x_CB)

    def _embed_AC(self, x_AC):
        return _kron(x_AC, self.tau_B)

    def tr_A(self, rho):
        r""":math:`\operatorname{tr}_A`, shape ``(..., d, d) -> (..., n_C n_B, n_C n_B)``, eq. (6.2)."""
        return self._tr_A(self._rho(rho))

    def tr_B(self, rho):
        r""":math:`\operatorname{tr}_B`, shape ``(..., d, d) -> (..., n_A n_C, n_A n_C)``."""
        return self._tr_B(self._rho(rho))

    def tr_AB(self, rho):
        r""":math:`\operatorname{tr}_{AB}`, shape ``(..., d, d) -> (..., n_C, n_C)``, eq. (6.2)."""
        return self._tr_AB(self._rho(rho))

    def embed_C(self, r_C):
        r""":math:`\tau_A\otimes r_C\otimes\tau_B`, shape ``(..., n_C, n_C) -> (..., d, d)``."""
        return self._embed_C(_v.as_square(r_C, "r_C", self.n_C))

    def embed_CB(self, x_CB):
        r""":math:`\tau_A\otimes X_{CB}`, shape ``(..., n_C n_B, n_C n_B) -> (..., d, d)``."""
        return self._embed_CB(_v.as_square(x_CB, "x_CB", self.n_C * self.n_B))

    def embed_AC(self, x_AC):
        r""":math:`X_{AC}\otimes\tau_B`, shape ``(..., n_A n_C, n_A n_C) -> (..., d, d)``."""
        return self._embed_AC(_v.as_square(x_AC, "x_AC", self.n_A * self.n_C))

    # --- generators as actions (broadcast over leading axes) --------------------

    def _D_A(self, rho):
        return self.gamma_A * (self._embed_CB(self._tr_A(rho)) - rho)

    def _D_B(self, rho):
        return self.gamma_B * (self._embed_AC(self._tr_B(rho)) - rho)

    def _L1(self, rho):
        return -1j * _comm(self.H, rho)

    def _L_A(self, rho, g, lam):
        return _ept.generator_A(self._L1(rho), self._D_A(rho), g, lam)

    def _L_B(self, rho, g, lam):
        return _ept.generator_B(self._L1(rho), self._D_B(rho), g, lam)

    def D_A(self, rho):
        r""":math:`\mathcal D_A(\rho)=\gamma_A(\tau_A\otimes\operatorname{tr}_A\rho-\rho)`, eq. (6.3); ``(..., d, d)``."""
        return self._D_A(self._rho(rho))

    def D_B(self, rho):
        r""":math:`\mathcal D_B(\rho)=\gamma_B(\operatorname{tr}_B\rho\otimes\tau_B-\rho)`, eq. (6.3); ``(..., d, d)``."""
        return self._D_B(self._rho(rho))

    def L0(self, rho):
        r""":math:`\mathcal L_0=\mathcal D_A+\mathcal D_B`, eq. (7.2)."""
        rho = self._rho(rho)
        return self._D_A(rho) + self._D_B(rho)

    def L1(self, rho):
        r""":math:`\mathcal L_1(\rho)=-i[H,\rho]`, eq. (7.2)."""
        return self._L1(self._rho(rho))

    def L(self, rho, g):
        r""":math:`\mathcal L_g(\rho)=\mathcal L_0(\rho)+g\mathcal L_1(\rho)`, eq. (7.2).

        ``g`` (real, shape ``(...)``, zero allowed) broadcasts against the leading axes of ``rho``.
        """
        rho = self._rho(rho)
        g = _v.g_checked(g, nonzero=False)
        return self._D_A(rho) + self._D_B(rho) + g[..., None, None] * self._L1(rho)

    def L_A(self, rho, g, lam):
        r""":math:`\mathcal L^A_{\lambda g}(\rho)=-ig\lambda[H,\rho]+\mathcal D_A(\rho)`, eq. (7.4) (any real ``g``, ``lam``)."""
        rho = self._rho(rho)
        g = _v.g_checked(g, nonzero=False)
        lam = _v.lam_checked(lam, endpoints=True)
        return self._L_A(rho, g, lam)

    def L_B(self, rho, g, lam):
        r""":math:`\mathcal L^B_{(1-\lambda)g}(\rho)=-ig(1-\lambda)[H,\rho]+\mathcal D_B(\rho)`, eq. (7.4) (any real ``g``, ``lam``)."""
        rho = self._rho(rho)
        g = _v.g_checked(g, nonzero=False)
        lam = _v.lam_checked(lam, endpoints=True)
        return self._L_B(rho, g, lam)

    # --- superoperator matrices ---------------------------------------------------

    def _guard(self, count, what, extra=0):
        """Memory guard for ``count`` dense matrices of size ``d² + extra``."""
        _guard_dense(self.d * self.d + extra, count, what)

    @cached_property
    def D_A_superop(self):
        r"""Matrix of :math:`\mathcal D_A`, shape ``(d², d²)`` (row-major vectorisation)."""
        self._guard(2, "the superoperator D_A")
        return linear_map_matrix(self._D_A, self.d)

    @cached_property
    def D_B_superop(self):
        r"""Matrix of :math:`\mathcal D_B`, shape ``(d², d²)``."""
        self._guard(2, "the superoperator D_B")
        return linear_map_matrix(self._D_B, self.d)

    @cached_property
    def L0_superop(self):
        r"""Matrix of :math:`\mathcal L_0`, shape ``(d², d²)``."""
        return self.D_A_superop + self.D_B_superop

    @cached_property
    def L1_superop(self):
        r"""Matrix of :math:`\mathcal L_1=-i[H,\cdot]`, :math:`-i(H\otimes I-I\otimes H^t)`, shape ``(d², d²)``."""
        self._guard(1, "the superoperator L_1")
        return superop_commutator(self.H)

    def L_superop(self, g):
        r"""Matrix of :math:`\mathcal L_g`, shape ``g.shape + (d², d²)`` (real ``g``, zero allowed)."""
        g = _v.g_checked(g, nonzero=False)
        self._guard(g.size + 3, "L_superop(g)")
        return self.L0_superop + g[..., None, None] * self.L1_superop

    def L_A_superop(self, g, lam):
        r"""Matrix of :math:`\mathcal L^A_{\lambda g}`, shape ``broadcast(g, lam).shape + (d², d²)``."""
        g = _v.g_checked(g, nonzero=False)
        lam = _v.lam_checked(lam, endpoints=True)
        self._guard(np.broadcast(g, lam).size + 3, "L_A_superop(g, lam)")
        return self.D_A_superop + (g * lam)[..., None, None] * self.L1_superop

    def L_B_superop(self, g, lam):
        r"""Matrix of :math:`\mathcal L^B_{(1-\lambda)g}`, shape ``broadcast(g, lam).shape + (d², d²)``."""
        g = _v.g_checked(g, nonzero=False)
        lam = _v.lam_checked(lam, endpoints=True)
        self._guard(np.broadcast(g, lam).size + 3, "L_B_superop(g, lam)")
        return self.D_B_superop + (g * (1 - lam))[..., None, None] * self.L1_superop

    # --- L0^{-1}, eq. (7.10) --------------------------------------------------------

    def L0_inv(self, rho_tilde):
        r"""Inverse of :math:`\mathcal L_0` on :math:`\{\operatorname{tr}_{AB}\tilde\rho=0\}`, closed form (7.10).

        .. math::

            \mathcal L_0^{-1}(\tilde\rho) = \frac{-1}{\gamma_A+\gamma_B}\Big\{\tilde\rho
              + \frac{\gamma_A}{\gamma_B}\,\tau_A\otimes\operatorname{tr}_A(\tilde\rho)
              + \frac{\gamma_B}{\gamma_A}\,\operatorname{tr}_B(\tilde\rho)\otimes\tau_B\Big\}.

        The result again satisfies :math:`\operatorname{tr}_{AB}=0`: it is the
        unique preimage in the complement :math:`\{\operatorname{tr}_{AB}=0\}`
        of :math:`\ker\mathcal L_0=\{\tau_A\otimes r_C\otimes\tau_B\}`.

        Parameters
        ----------
        rho_tilde : array_like, shape ``(..., d, d)``

        Raises
        ------
        ValueError
            If :math:`\|\operatorname{tr}_{AB}\tilde\rho\|_{\max} > 10^{-10}\max(1,\|\tilde\rho\|_{\max})`
            (then :math:`\tilde\rho\notin\operatorname{Ran}\mathcal L_0`).
        """
        return self._L0_inv(self._rho(rho_tilde, "rho_tilde"))

    def _L0_inv(self, x):
        """(7.10) on an unchecked ``(..., d, d)`` array, with the range check ``tr_AB(x) = 0``."""
        self._L0_range(x)
        gA, gB = self.gamma_A, self.gamma_B
        return (-1.0 / (gA + gB)) * (x + (gA / gB) * self._embed_CB(self._tr_A(x))
                                     + (gB / gA) * self._embed_AC(self._tr_B(x)))

    def _L0_range(self, x):
        red = self._tr_AB(x)
        scale = max(1.0, float(np.max(np.abs(x)))) if x.size else 1.0
        err = float(np.max(np.abs(red))) if red.size else 0.0
        if err > L0_INV_TOL * scale:
            raise ValueError(
                f"rho_tilde must satisfy tr_AB(rho_tilde) = 0 for L0^{{-1}} of eq. (7.10) "
                f"(Ran L0 = ker tr_AB): max|tr_AB(rho_tilde)| = {err:.3e}"
            )

    def L0_inv_solve(self, rho_tilde):
        r"""Reference for :meth:`L0_inv`: least-squares solve of
        :math:`\mathcal L_0X=\tilde\rho`, :math:`\operatorname{tr}_{AB}X=0` with the
        superoperator matrix (an independent path, used by the tests).

        Parameters
        ----------
        rho_tilde : array_like, shape ``(..., d, d)``
        """
        x = self._rho(rho_tilde, "rho_tilde")
        self._L0_range(x)
        d, n_C = self.d, self.n_C
        self._guard(4, "L0_inv_solve (least squares)", n_C * n_C)
        basis = np.eye(d * d, dtype=complex).reshape(d * d, d, d)
        T_AB = self._tr_AB(basis).reshape(d * d, n_C * n_C).T
        A = np.concatenate([self.L0_superop, T_AB], axis=0)
        lead = x.shape[:-2]
        b = np.concatenate([x.reshape(lead + (d * d,)), np.zeros(lead + (n_C * n_C,), complex)], axis=-1)
        sol = np.linalg.lstsq(A, b.reshape(-1, A.shape[0]).T, rcond=None)[0].T
        return sol.reshape(lead + (d, d))

    # --- steady states ------------------------------------------------------------

    @cached_property
    def _scaled(self):
        """The three rescaled steady-state systems (full, A, B), see ``_ScaledSystem``."""
        d, n_A, n_C, n_B = self.d, self.n_A, self.n_C, self.n_B
        self._guard(12, "the rescaled steady-state systems", max(n_C, n_A * n_C, n_C * n_B) ** 2)
        out = {}
        for key, L0, T, E, n, s in (
            ("full", self.L0_superop, self._tr_AB, self._embed_C, n_C, self.gamma_A + self.gamma_B),
            ("A", self.D_A_superop, self._tr_A, self._embed_CB, n_C * n_B, self.gamma_A),
            ("B", self.D_B_superop, self._tr_B, self._embed_AC, n_A * n_C, self.gamma_B),
        ):
            Tm = linear_map_matrix(T, d)
            Em = linear_map_matrix(E, n)
            H_eff = T(self.H @ E(np.eye(n, dtype=complex)))
            out[key] = _ScaledSystem(L0, self.L1_superop, Tm, Em, hermitian_part(H_eff), s)
        return out

    @cached_property
    def _H_norm(self):
        return float(np.linalg.norm(self.H, 2))

    def _engine(self, key):
        """The cached :class:`_Engine` of ``key`` ("full", "A", "B"), or None if it cannot be built."""
        cache = self.__dict__.setdefault("_engines", {})
        if key not in cache:
            d2 = self.d * self.d
            try:
                _guard_dense(d2 + d2, 10, "the steady-state engine")
                cache[key] = _Engine(self.H, self.tau_A, self.tau_B, self.gamma_A, self.gamma_B,
                                     self.dims, key)
            except MemoryError:
                raise
            except (ValueError, np.linalg.LinAlgError):
                cache[key] = None
        return cache[key]

    def _solve(self, key, g, method):
        """Unchecked core of the steady-state solvers (``g`` validated, ``method`` one of ``_METHODS``)."""
        if method != "auto":
            n = {"full": self.n_C, "A": self.n_C * self.n_B, "B": self.n_A * self.n_C}[key]
            self._guard(2 * g.size, f"the dense steady-state solve ({method})", n * n if method == "scaled" else 0)
        if method == "auto":
            eng = self._engine(key)
            if eng is not None:
                try:
                    return eng.rho(g)
                except ValueError:      # singular reduced system: the dense path reports it
                    pass
            s = {"full": self.gamma_A + self.gamma_B, "A": self.gamma_A, "B": self.gamma_B}[key]
            small = np.abs(g) * self._H_norm <= s
            if np.all(small):
                return self._solve(key, g, "scaled")
            if not np.any(small):
                return self._solve(key, g, "bordered")
            out = np.empty(g.shape + (self.d, self.d), complex)
            out[small] = self._solve(key, g[small], "scaled")
            out[~small] = self._solve(key, g[~small], "bordered")
            return out
        if method == "scaled":
            return self._scaled[key].solve(g)
        if method == "bordered":
            L0 = {"full": self.L0_superop, "A": self.D_A_superop, "B": self.D_B_superop}[key]
            s = {"full": self.gamma_A + self.gamma_B, "A": self.gamma_A, "B": self.gamma_B}[key]
            return _bordered_solve(L0 + g[..., None, None] * self.L1_superop, s)
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")

    def steady_state(self, g, *, method="auto"):
        r"""Exact steady state :math:`\rho^+_g`: :math:`\mathcal L_g(\rho^+_g)=0`, :math:`\operatorname{tr}\rho^+_g=1`.

        Parameters
        ----------
        g : float or array_like, shape ``(...)``
            Nonzero finite couplings, all solved in one batched call.
        method : {"auto", "scaled", "bordered"}
            ``"auto"`` (default): ``"scaled"`` where :math:`|g|\,\|H\|\le\gamma_A+\gamma_B`,
            ``"bordered"`` elsewhere (measured: at :math:`g\|H\|\sim10^3` the
            bordered residual is :math:`10^{-15}`, the scaled one :math:`10^{-11}`).
            ``"bordered"``: the :math:`d^2\times d^2` system
            :math:`\mathcal L_g x=0` bordered by the trace constraint
            (``_bordered_solve``); its condition number grows like :math:`g^{-2}`
            (slow modes, see the module docstring): absolute error
            :math:`\approx10^{-16}/g^2` along :math:`\tau_A\otimes\mathrm{diag}\otimes\tau_B`.
            ``"scaled"``: the same equations with the slow block
            divided by :math:`g` and :math:`g^2` (``_ScaledSystem``, size
            :math:`d^2+n_C^2`), exact for every :math:`g\neq0` and with a condition
            number bounded as :math:`g\to0` under Spec and Coup.

        Returns
        -------
        ndarray, shape ``g.shape + (d, d)``

        Raises
        ------
        ValueError
            ``g`` not finite, not real or zero; ``method`` unknown; the dense system larger than
            the available memory (then use :func:`steady_state_matrix_free`); a singular system.
        """
        if method == "auto" and type(g) is float and g != 0.0 and math.isfinite(g):
            eng = self._engine("full")     # fast path of one Python float (the same checks hold)
            if eng is not None:
                try:
                    return eng.rho_scalar(g)
                except ValueError:
                    pass
        g = _v.g_checked(g)
        return self._solve("full", g, _v.choice(method, "method", _METHODS))

    def steady_state_rational(self, g, *, which="full"):
        r"""The steady state as a rational function of a real or complex coupling, from the pole-residue form.

        After one setup per model and ``which`` (cached), :math:`\rho(g)=a+\sum_k\beta_k\,g/(1+g\mu_k)`
        (``_PoleResidue``) costs one small matrix-vector product per :math:`g`.  For real
        :math:`g` it is :meth:`steady_state` (``"full"``), :meth:`steady_state_A` (``"A"``) or
        :meth:`steady_state_B` (``"B"``); for complex :math:`g` it is their analytic continuation
        (the solution of the complex system :math:`\mathcal L_g\rho=0`, :math:`\operatorname{tr}\rho=1`,
        as in :mod:`qrmlib.series`).

        Accuracy: agrees with the dense solvers of :meth:`steady_state` to :math:`\le10^{-13}`
        (absolute, entries of :math:`\rho`) for :math:`|g|\in[10^{-6},10^3]` (tests/test_engine.py;
        measured :math:`\lesssim5\cdot10^{-15}` on the §8 chain), including small :math:`g`.

        Parameters
        ----------
        g : array_like, real or complex, finite (``g = 0`` gives :math:`\rho_0` of (7.12))
        which : {"full", "A", "B"}

        Returns
        -------
        ndarray, ``g.shape + (d, d)`` complex

        Raises
        ------
        ValueError
            ``g`` not finite; ``which`` unknown; the pole-residue form failed its
            self-check (degenerate or ill-conditioned kernel: use :meth:`steady_state`).
        """
        which = _v.choice(which, "which", _WHICH)
        g = _v.g_checked(g, nonzero=False, complex_ok=True)
        eng = self._engine_ok(which)
        if not np.any(np.imag(g)):
            g = np.real(g)
        return eng.rho(g).astype(complex, copy=False)

    def taylor_coefficients(self, order, *, which="full"):
        r"""Exact Taylor coefficients :math:`\rho_g=\sum_{j\le\mathrm{order}}g^j\rho^{(j)}` from the pole-residue form.

        :math:`\rho^{(0)}=a` (:math:`=\rho_0` of (7.12)) and
        :math:`\rho^{(j+1)}=\sum_k\beta_k(-\mu_k)^j` (``_PoleResidue``): all orders in one
        product, no contour; the radius of convergence is :math:`1/\max_k|\mu_k|`.
        Cross-checked against :func:`qrmlib.series.taylor_coefficients` (contour method) in
        tests/test_engine.py.

        Parameters
        ----------
        order : int >= 0
        which : {"full", "A", "B"}

        Returns
        -------
        ndarray, shape ``(order + 1, d, d)`` complex (Hermitian coefficients)
        """
        order = _v.integer(order, "order", minimum=0, maximum=10_000)
        which = _v.choice(which, "which", _WHICH)
        eng = self._engine_ok(which)
        pr = eng.pr
        j = np.arange(order)
        coef = np.empty((order + 1, self.d * self.d))
        coef[0] = pr.a
        if order:
            coef[1:] = np.real((-pr.mu[None, :]) ** j[:, None] @ pr.beta.T)
        return _complex_vec(coef, eng.perm).reshape(order + 1, self.d, self.d)

    def _engine_ok(self, which):
        eng = self._engine(which)
        if eng is None or not eng.pr.ok:
            raise ValueError(f"the pole-residue form of the steady state ({which!r}) failed its self-check "
                             "(degenerate or ill-conditioned kernel at small g); use steady_state")
        return eng

    def steady_state_A(self, g, *, method="auto"):
        r"""Steady state :math:`\rho^A_g` of :math:`\mathcal L^A_g=-ig[H,\cdot]+\mathcal D_A` (coupling ``g``, i.e. :math:`\lambda=1` in (7.4)).

        ``g`` nonzero, shape ``(...)``; returns ``(..., d, d)``.  Unique under
        Spec(:math:`\bar H^{\tau_A}`) and Coup\ :sup:`A` for small :math:`g`;
        ``method`` as in :meth:`steady_state` (slow block in
        :math:`\ker\mathcal D_A=\{\tau_A\otimes X_{CB}\}`).
        """
        g = _v.g_checked(g)
        return self._solve("A", g, _v.choice(method, "method", _METHODS))

    def steady_state_B(self, g, *, method="auto"):
        r"""Steady state :math:`\rho^B_g` of :math:`\mathcal L^B_g=-ig[H,\cdot]+\mathcal D_B`; as :meth:`steady_state_A`."""
        g = _v.g_checked(g)
        return self._solve("B", g, _v.choice(method, "method", _METHODS))

    def partial_steady_states(self, g, lam):
        r"""Steady states :math:`\rho^A_{\lambda g}` and :math:`\rho^B_{(1-\lambda)g}` of (7.4).

        Parameters
        ----------
        g : array_like, shape broadcasting with ``lam``; nonzero
        lam : array_like; real, :math:`\lambda\notin\{0,1\}`

        Returns
        -------
        rho_A, rho_B : ndarray, shape ``broadcast(g, lam).shape + (d, d)``

        Raises
        ------
        ValueError
            If ``lam`` is 0 or 1: the corresponding partial Lindbladian is a
            pure reset dissipator with a degenerate kernel.
        """
        g, lam = self._g_lam(g, lam)
        return self._partial(g, lam)

    def _g_lam(self, g, lam):
        """The one check of ``(g, lam)`` of the methods of eqs. (7.4)-(7.6); broadcast arrays."""
        g = _v.g_checked(g)
        lam = _v.lam_checked(lam)
        try:
            return np.broadcast_arrays(g, lam)
        except ValueError:
            raise ValueError(f"g and lam must broadcast together, got shapes {g.shape} and {lam.shape}") from None

    def _partial(self, g, lam):
        return self._solve("A", g * lam, "auto"), self._solve("B", g * (1 - lam), "auto")

    # --- entropy production and fluxes, eqs. (7.5)-(7.6), (8.26) ---------------------

    def _ep_parts(self, g, lam):
        g0 = _v.g_checked(g)
        g, lam = self._g_lam(g0, lam)
        for name, tau in (("tau_A", self.tau_A), ("tau_B", self.tau_B)):
            if float(np.min(np.linalg.eigvalsh(tau))) <= _v.PSD_TOL:
                raise ValueError(f"{name} must be positive definite (faithful) for the entropy production "
                                 f"(eqs. (7.5)-(7.6) take ln of the steady states)")
        g0 = np.asarray(g0)
        rho0 = self._solve("full", g0, "auto")      # on the shape of g alone; lam only enters below
        rho = np.broadcast_to(rho0, g.shape + rho0.shape[-2:])
        rA, rB = self._partial(g, lam)
        LA, LB = _ept.generators(self._L1(rho), self._D_A(rho), self._D_B(rho), g, lam)
        return rho, rA, rB, LA, LB, rho0

    def entropy_production(self, g, lam):
        r"""Entropy production of the steady state and its two parts, eqs. (7.5)-(7.6).

        .. math::

            \sigma(\rho^+_g)=\sigma_A+\sigma_B,\qquad
            \sigma_A=\operatorname{tr}\big(\mathcal L^A_{\lambda g}(\rho^+_g)
                (\ln\rho^A_{\lambda g}-\ln\rho^+_g)\big),\quad
            \sigma_B=\operatorname{tr}\big(\mathcal L^B_{(1-\lambda)g}(\rho^+_g)
                (\ln\rho^B_{(1-\lambda)g}-\ln\rho^+_g)\big).

        Parameters
        ----------
        g : array_like, nonzero, broadcasting with ``lam``
        lam : array_like, real, :math:`\lambda\notin\{0,1\}`

        Returns
        -------
        EntropyProduction
            NamedTuple ``(sigma, sigma_A, sigma_B)`` of ndarrays of shape
            ``broadcast(g, lam).shape`` (unpacks as a 3-tuple).

        Notes
        -----
        Needs faithful :math:`\tau_A,\tau_B` and faithful steady states (Pos).
        """
        rho, rA, rB, LA, LB, rho0 = self._ep_parts(g, lam)
        lr = np.broadcast_to(_logm_pd(rho0), rho.shape)
        sA, sB = _ept.ep_terms(_DOUBLE, rho, rA, rB, LA, LB, log_rho=lr)
        return EntropyProduction(sA + sB, sA, sB)

    def entropy_fluxes(self, g, lam):
        r"""Entropy fluxes :math:`\phi_A,\phi_B` of eqs. (7.6), (8.26).

        .. math::

            \phi_A=\operatorname{tr}\big(\mathcal L^A_{\lambda g}(\rho^+_g)\ln\rho^A_{\lambda g}\big),\qquad
            \phi_B=\operatorname{tr}\big(\mathcal L^B_{(1-\lambda)g}(\rho^+_g)\ln\rho^B_{(1-\lambda)g}\big),

        with :math:`\phi_A+\phi_B=\sigma(\rho^+_g)` (since
        :math:`\operatorname{tr}\mathcal L_g(\rho^+_g)\ln\rho^+_g=0`).

        Returns
        -------
        EntropyFluxes
            NamedTuple ``(phi_A, phi_B)`` of ndarrays of shape ``broadcast(g, lam).shape``.
        """
        rho, rA, rB, LA, LB, _ = self._ep_parts(g, lam)
        return EntropyFluxes(*_ept.ep_terms(_DOUBLE, rho, rA, rB, LA, LB, fluxes=True))

    # --- perturbation theory ----------------------------------------------------------

    def perturbative(self, *, strict=True):
        r"""Perturbative data of Section 7 (eqs. (7.7)-(7.38)), see :class:`qrmlib.perturbation.Perturbative`.

        Parameters
        ----------
        strict : bool
            Raise ``ValueError`` with a report if a hypothesis (Spec, Coup,
            Coup#, Pos) fails.
        """
        from .perturbation import Perturbative

        strict = _v.boolean(strict, "strict")
        key = "_perturbative_strict" if strict else "_perturbative_loose"
        if key not in self.__dict__:
            self.__dict__[key] = Perturbative(self, strict=strict)
        return self.__dict__[key]


# --- stacks of parameters (Figure 5a: a whole (g, tau_B) grid in one call) --------------------

__all__ += ["steady_state_pencil", "steady_state_batch"]



def _stack_args(H, tau_A, tau_B, gamma_A, gamma_B, dims):
    """Validated stack arguments; returns arrays and the broadcast parameter shape."""
    dims_t = _v.dims_checked(dims)
    n_A, n_C, n_B = dims_t
    d = n_A * n_C * n_B
    H = _v.hermitian(H, "H")
    if H.shape[-1] != d:
        raise ValueError(f"dims={dims_t} has product {d} but H is {H.shape[-1]}x{H.shape[-1]}: "
                         "the product n_A*n_C*n_B must equal the size of H")
    tau_A = _v.density(tau_A, "tau_A", n_A)
    tau_B = _v.density(tau_B, "tau_B", n_B)
    gA = _v.rates(gamma_A, "gamma_A")
    gB = _v.rates(gamma_B, "gamma_B")
    try:
        shape = np.broadcast_shapes(H.shape[:-2], tau_A.shape[:-2], tau_B.shape[:-2], gA.shape, gB.shape)
    except ValueError:
        raise ValueError(
            "the stack axes of H, tau_A, tau_B, gamma_A, gamma_B must broadcast together, got "
            f"{H.shape[:-2]}, {tau_A.shape[:-2]}, {tau_B.shape[:-2]}, {gA.shape}, {gB.shape}") from None
    return H, tau_A, tau_B, gA, gB, dims_t, shape


def _pencil_bytes(dims, which, count):
    """Bytes of the pencil of :func:`steady_state_pencil` for ``count`` parameter sets (about 8 d⁴-matrices)."""
    n_A, n_C, n_B = dims
    d = n_A * n_C * n_B
    n = {"full": n_C, "A": n_C * n_B, "B": n_A * n_C}[which]
    return d * d + n * n, 8 * max(int(count), 1)


def steady_state_pencil(H, tau_A, tau_B, gamma_A, gamma_B, dims, which="full"):
    r"""The rescaled steady-state equations of ``_ScaledSystem`` for stacks of parameters.

    For every element of the broadcast stack of ``H`` ``(..., d, d)``, ``tau_A``
    ``(..., n_A, n_A)``, ``tau_B`` ``(..., n_B, n_B)``, ``gamma_A``, ``gamma_B``
    ``(...)`` this builds the matrices :math:`A_0, A_1` of size
    :math:`N=d^2+n^2` such that, for every :math:`g` at which :math:`A_0+gA_1`
    is invertible, the solution :math:`(r, Y)` of
    :math:`(A_0+gA_1)(r,Y)=b` gives the steady state
    :math:`\rho=E(r)+gY` (see ``_ScaledSystem``; at :math:`g=0`,
    :math:`\rho=\rho_0` of eq. (7.12)).

    ``which`` selects the generator: ``"full"`` (:math:`\mathcal L_g`,
    :math:`E(r)=\tau_A\otimes r\otimes\tau_B`, :math:`n=n_C`), ``"A"``
    (:math:`\mathcal L^A_g=\mathcal D_A+g\mathcal L_1`, :math:`E(x)=\tau_A\otimes x`,
    :math:`n=n_Cn_B`) or ``"B"`` (:math:`E(x)=x\otimes\tau_B`, :math:`n=n_An_C`).

    The solution :math:`\rho(g)` is a rational function of :math:`g`; it is
    the analytic continuation of :math:`\rho^+_g` to complex :math:`g`
    (used by ``qrmlib.series``).

    Returns
    -------
    dict
        ``"A0"``, ``"A1"`` ``(..., N, N)``; ``"rhs"`` ``(..., N)``;
        ``"Emb"`` ``(..., d², n²)`` (matrix of :math:`E`); ``"n"``, ``"d"``
        (ints); ``"scale"`` ``(...)`` (:math:`\gamma_A+\gamma_B`, :math:`\gamma_A` or
        :math:`\gamma_B`); ``"L0"``, ``"L1"`` ``(..., d², d²)`` (the
        superoperators of the unscaled problem); ``"H_norm"`` ``(...)``
        (:math:`\|H\|_2`).
    """
    which = _v.choice(which, "which", _WHICH)
    return _pencil(*_stack_args(H, tau_A, tau_B, gamma_A, gamma_B, dims), which)


def _pencil(H, tau_A, tau_B, gA, gB, dims, shape, which):
    """Unchecked core of :func:`steady_state_pencil` (arguments as returned by ``_stack_args``)."""
    N, count = _pencil_bytes(dims, which, int(np.prod(shape, dtype=int)))
    _guard_dense(N, count, "the steady-state pencil")
    n_A, n_C, n_B = dims
    d = n_A * n_C * n_B
    tA = tau_A[..., None, :, :]  # room for the basis axis of linear_map_matrix
    tB = tau_B[..., None, :, :]
    T_A = linear_map_matrix(lambda x: _ptr(x, dims, "A"), d)                  # (n_C n_B)², d²
    T_B = linear_map_matrix(lambda x: _ptr(x, dims, "B"), d)                  # (n_A n_C)², d²
    E_A = linear_map_matrix(lambda x: _kron(tA, x), n_C * n_B)               # (..., d², (n_C n_B)²)
    E_B = linear_map_matrix(lambda x: _kron(x, tB), n_A * n_C)               # (..., d², (n_A n_C)²)
    I_d2 = np.eye(d * d)
    D_A = gA[..., None, None] * (E_A @ T_A - I_d2)
    D_B = gB[..., None, None] * (E_B @ T_B - I_d2)
    L1 = superop_commutator(H)
    if which == "full":
        n = n_C
        T = linear_map_matrix(lambda x: _ptr(x, dims, "AB"), d)
        Emb = linear_map_matrix(lambda x: _kron(_kron(tA, x), tB), n_C)
        L0 = D_A + D_B
        s = gA + gB
    elif which == "A":
        n, T, Emb, L0, s = n_C * n_B, T_A, E_A, D_A, gA
    else:
        n, T, Emb, L0, s = n_A * n_C, T_B, E_B, D_B, gB
    n2, d2 = n * n, d * d
    lead = np.broadcast_shapes(shape, L0.shape[:-2], L1.shape[:-2])
    L0 = np.broadcast_to(L0, lead + (d2, d2))
    L1 = np.broadcast_to(L1, lead + (d2, d2))
    Emb = np.broadcast_to(Emb, lead + (d2, n2))
    s = np.broadcast_to(s, lead)
    # H_eff = tr_env(H E(I)) and the projection Diag onto its eigenbasis, (..., n², n²)
    HE = H @ (Emb @ np.eye(n, dtype=complex).reshape(-1)).reshape(lead + (d, d))
    H_eff = hermitian_part((HE.reshape(lead + (d2,)) @ T.T).reshape(lead + (n, n)))
    _, V = np.linalg.eigh(H_eff)
    Vc = np.conj(V)
    Dg = np.einsum("...im,...km,...lm,...jm->...ijkl", V, Vc, V, Vc).reshape(lead + (n2, n2))
    Of = np.eye(n2) - Dg
    P0 = Emb @ T
    Q = np.eye(d2) - P0
    TL1 = T @ L1
    one = np.eye(n, dtype=complex).reshape(-1)
    w = (s / n)[..., None] * one
    QL1 = Q @ L1
    OfTL1 = Of @ TL1
    top0 = np.concatenate([QL1 @ Emb, L0 + s[..., None, None] * P0], axis=-1)
    bot0 = np.concatenate([OfTL1 @ Emb + w[..., :, None] * one, Dg @ TL1], axis=-1)
    A0 = np.concatenate([top0, bot0], axis=-2)
    A1 = np.zeros_like(A0)
    A1[..., :d2, n2:] = QL1
    A1[..., d2:, n2:] = OfTL1
    rhs = np.concatenate([np.zeros(lead + (d2,), complex), w], axis=-1)
    H_norm = np.broadcast_to(np.linalg.norm(H, 2, axis=(-2, -1)), lead)
    return {"A0": A0, "A1": A1, "rhs": rhs, "Emb": Emb, "n": n, "d": d, "scale": s,
            "L0": L0, "L1": L1, "H_norm": H_norm}


def _flat_index(shape, out_shape):
    """Flat indices of an array of ``shape`` broadcast to ``out_shape``, raveled."""
    size = int(np.prod(shape, dtype=int))
    return np.broadcast_to(np.arange(size).reshape(shape), out_shape).ravel()


#: bytes of one chunk of systems in :func:`steady_state_batch` (cache-sized chunks: measured CPU time
#: 2.1-2.5 s for the 200×200 grid of Fig. 5a, against 2.5-4 s for 256 MB chunks)
_CHUNK_BYTES = 1 << 18


def _chunks(count, per_item_bytes):
    step = max(1, int(_CHUNK_BYTES // per_item_bytes))
    return [slice(i, min(i + step, count)) for i in range(0, count, step)]


def _herm_perm(sizes):
    r"""Index permutation :math:`\Pi` of the transposition on blocks of row-major vec's of sizes ``sizes``."""
    out, off = [], 0
    for n in sizes:
        out.append(off + np.arange(n * n).reshape(n, n).T.reshape(-1))
        off += n * n
    return np.concatenate(out)


def _real_form(M, row_perm, col_perm):
    r"""Real matrix of a Hermiticity-preserving map in the real coordinates :math:`v=\operatorname{Re}x+\operatorname{Im}x`.

    For a Hermitian matrix :math:`X` (or a tuple of them), :math:`x=\operatorname{vec}X`
    and :math:`v=\operatorname{Re}x+\operatorname{Im}x\in\mathbb R^{n^2}` are related by
    :math:`x=Cv`, :math:`C=((1+i)I+(1-i)\Pi)/2`, :math:`C^{-1}=((1-i)I+(1+i)\Pi)/2`
    (:math:`\Pi` the transposition, ``_herm_perm``).  ``M`` ``(..., m, m')`` maps
    Hermitian unknowns (column blocks, ``col_perm``) to Hermitian values (row
    blocks, ``row_perm``), so :math:`C_{rows}^{-1}MC_{cols}` is real; returns it.
    """
    MC = 0.5 * ((1 + 1j) * M + (1 - 1j) * M[..., :, col_perm])
    return np.real(0.5 * ((1 - 1j) * MC + (1 + 1j) * MC[..., row_perm, :]))


def _real_vec(x, perm):
    """:math:`C^{-1}x` (real) for the vec ``x`` ``(..., m)`` of Hermitian matrices."""
    return np.real(0.5 * ((1 - 1j) * x + (1 + 1j) * x[..., perm]))


def _complex_vec(v, perm):
    """:math:`x=Cv` for real coordinates ``v`` ``(..., m)``."""
    if np.iscomplexobj(v):
        return 0.5 * ((1 + 1j) * v + (1 - 1j) * v[..., perm])
    vp = v[..., perm]
    x = np.empty(v.shape, complex)
    x.real = v + vp
    x.imag = v - vp
    x *= 0.5
    return x


def steady_state_batch(H, tau_A, tau_B, gamma_A, gamma_B, dims, g, *, which="full", method="auto"):
    r"""Steady states for stacks of parameters and couplings in one vectorised call.

    The same solution as :meth:`TripartiteQRM.steady_state` (``which="full"``),
    :meth:`TripartiteQRM.steady_state_A` (``"A"``) and
    :meth:`TripartiteQRM.steady_state_B` (``"B"``), but with the model
    parameters as stacks: ``H`` ``(..., d, d)``, ``tau_A`` ``(..., n_A, n_A)``,
    ``tau_B`` ``(..., n_B, n_B)``, ``gamma_A``, ``gamma_B`` ``(...)`` and the
    couplings ``g`` all broadcast together (NumPy rules), e.g.
    ``tau_B`` of shape ``(n_t, 1, 2, 2)`` and ``g`` of shape ``(n_g,)`` give the
    ``(n_t, n_g)`` grid of Figure 5a.  The linear systems are built once per
    parameter set (:func:`steady_state_pencil`) and solved in batched chunks
    of at most 256 MB, with ``method`` as in :meth:`TripartiteQRM.steady_state`
    (``"auto"``: the rescaled system where :math:`|g|\,\|H\|\le s`,
    :math:`s=\gamma_A+\gamma_B`, :math:`\gamma_A` or :math:`\gamma_B`, the bordered
    one elsewhere).

    For real :math:`g` both systems map Hermitian unknowns to Hermitian
    equations, so they are solved in real arithmetic, in the coordinates
    :math:`\operatorname{Re}x+\operatorname{Im}x` of the vectorised Hermitian
    unknowns (``_real_form``): the same solution, at about a third of the cost
    of the complex solve (measured: 200×200 grid of the §8 chain, 68×68
    systems).

    Parameters
    ----------
    H, tau_A, tau_B, gamma_A, gamma_B, dims
        As for :class:`TripartiteQRM`, with leading stack axes.
    g : array_like
        Nonzero finite real couplings.
    which : {"full", "A", "B"}
    method : {"auto", "scaled", "bordered"}

    Returns
    -------
    ndarray, shape ``broadcast(stack shape, g.shape) + (d, d)``
    """
    return _steady_state_batch(H, tau_A, tau_B, gamma_A, gamma_B, dims, g, which, method, True)


def _steady_state_batch(H, tau_A, tau_B, gamma_A, gamma_B, dims, g, which, method, pole_residue):
    """:func:`steady_state_batch`; ``pole_residue=False``: one reduced direct solve per point (the
    round-off of independent solves, which ``figures._ep_double`` shows as the double-precision curve)."""
    g = _v.g_checked(g)
    method = _v.choice(method, "method", _METHODS)
    which = _v.choice(which, "which", _WHICH)
    H, tau_A, tau_B, gA, gB, dims_t, pshape = _stack_args(H, tau_A, tau_B, gamma_A, gamma_B, dims)
    n_A, n_C, n_B = dims_t
    d = n_A * n_C * n_B
    n = {"full": n_C, "A": n_C * n_B, "B": n_A * n_C}[which]
    d2, n2 = d * d, n * n
    try:
        out_shape = np.broadcast_shapes(pshape, g.shape)
    except ValueError:
        raise ValueError(f"g of shape {g.shape} must broadcast with the parameter stack {pshape}") from None
    N = int(np.prod(out_shape, dtype=int))
    p = int(np.prod(pshape, dtype=int))
    _v.memory_guard(16.0 * (d2 + n2) * (N + (d2 + n2)) + 16.0 * p * (d2 + n2) * (d2 + 2 * n2),
                    f"steady_state_batch ({N} systems)", hint=MATRIX_FREE_HINT)

    def flat(x, tail):
        return np.broadcast_to(x, pshape + tail).reshape((p,) + tail)

    Hf, tAf, tBf = flat(H, (d, d)), flat(tau_A, (n_A, n_A)), flat(tau_B, (n_B, n_B))
    gAf, gBf = flat(gA, ()), flat(gB, ()),
    ip = _flat_index(pshape, out_shape)
    order = np.argsort(ip, kind="stable")         # the points grouped by parameter set, N // p each
    reps = N // p
    gs = np.broadcast_to(g, out_shape).ravel()[order].reshape(p, reps)
    out = np.empty((p, reps, d2))
    # parameter sets in chunks of ~64 MB of working space (the columns of the reduced systems)
    step = max(1, int((1 << 26) // (16 * 8 * (d2 + n2) * d2)))
    for a in range(0, p, step):
        sl = slice(a, min(a + step, p))
        R = ReducedStack(Hf[sl], tAf[sl], tBf[sl], gAf[sl], gBf[sl], dims_t, which)
        gc = gs[sl]
        todo = np.ones(gc.shape, bool)
        if method == "auto" and reps >= 8 and pole_residue:
            # many couplings per parameter set: its pole-residue form (one eig), then one product per set
            pr = PoleResidueStack(R)
            out[sl] = pr.eval_grid(gc)
            todo[pr.ok] = False
        jj, kk = np.nonzero(todo)
        for c in _chunks(jj.size, R.A0.shape[-1] ** 2 * 8):
            out[sl][jj[c], kk[c]] = R.solve(gc[jj[c], kk[c]], jj[c], method)
    out = out.reshape(N, d2)
    if np.any(order != np.arange(N)):
        res = np.empty((N, d2))
        res[order] = out
        out = res
    out /= out[:, np.arange(d) * (d + 1)].sum(-1, keepdims=True)
    return _complex_vec(out, _herm_perm((d,))).reshape(out_shape + (d, d))


def _batched_solve_rhs(M, b):
    """``np.linalg.solve`` for stacks ``M`` ``(k, n, n)``, ``b`` ``(k, n)``; singular -> ``ValueError``."""
    try:
        return np.linalg.solve(M, b[..., None])[..., 0]
    except np.linalg.LinAlgError as exc:
        raise ValueError(
            "the steady state is not unique (singular linear system): the kernel of the generator "
            "is degenerate for these parameters"
        ) from exc


# --- matrix-free exact steady state (large n_C; issue 7) ----------------------------------------

__all__ += ["steady_state_matrix_free"]

class _MatrixFree:
    r"""Closed-form actions of :math:`\mathcal L_0`, :math:`\mathcal L_0^{-1}` (7.10), :math:`\mathcal L_1`,
    :math:`\operatorname{tr}_{AB}`, :math:`E` on single ``(d, d)`` matrices: :math:`O(d^3)` per call
    (two products with :math:`H`), never a :math:`d^2\times d^2` matrix."""

    def __init__(self, model):
        self.m = model
        self.H = np.ascontiguousarray(model.H)
        self.nA, self.nC, self.nB = model.dims
        self.d = model.d
        self.gA, self.gB = model.gamma_A, model.gamma_B
        self.s = self.gA + self.gB
        self.tA, self.tB = model.tau_A, model.tau_B

    # partial traces / embeddings of one matrix (no validation: hot path)
    def _t6(self, X):
        nA, nC, nB = self.nA, self.nC, self.nB
        return X.reshape(nA, nC, nB, nA, nC, nB)

    def tr_A(self, X):
        nA, nC, nB = self.nA, self.nC, self.nB
        return np.einsum("acbaCB->cbCB", self._t6(X)).reshape(nC * nB, nC * nB)

    def tr_B(self, X):
        nA, nC, nB = self.nA, self.nC, self.nB
        return np.einsum("acbACb->acAC", self._t6(X)).reshape(nA * nC, nA * nC)

    def tr_AB(self, X):
        return np.einsum("acbaCb->cC", self._t6(X))

    def emb_CB(self, Y):
        return np.kron(self.tA, Y)

    def emb_AC(self, Y):
        return np.kron(Y, self.tB)

    def E(self, r):
        return np.kron(np.kron(self.tA, r), self.tB)

    def L1(self, X):
        return -1j * (self.H @ X - X @ self.H)

    def L0(self, X):
        return (self.gA * (self.emb_CB(self.tr_A(X)) - X)
                + self.gB * (self.emb_AC(self.tr_B(X)) - X))

    def L0_inv(self, X):
        """(7.10) on ker tr_AB (not checked)."""
        gA, gB = self.gA, self.gB
        return (-1.0 / (gA + gB)) * (X + (gA / gB) * self.emb_CB(self.tr_A(X))
                                     + (gB / gA) * self.emb_AC(self.tr_B(X)))

    def Q(self, X):
        """:math:`(1-P_0)X = X - E(\\operatorname{tr}_{AB}X)`."""
        return X - self.E(self.tr_AB(X))


def _gmres(apply, b, *, rtol, maxiter, restart):
    """GMRES on the operator ``apply`` (complex vectors); returns (x, iterations, relative residual)."""
    from scipy.sparse.linalg import LinearOperator, gmres

    n = b.size
    op = LinearOperator((n, n), matvec=apply, dtype=complex)
    count = [0]

    def cb(_):
        count[0] += 1

    x, info = gmres(op, b, rtol=rtol, atol=0.0, restart=min(restart, n), maxiter=maxiter,
                    callback=cb, callback_type="pr_norm")
    res = float(np.linalg.norm(apply(x) - b) / np.linalg.norm(b))
    return x, count[0], res


def steady_state_matrix_free(model, g, *, method="auto", rtol=1e-12, maxiter=40, restart=60,
                             return_info=False):
    r"""Exact steady state :math:`\rho^+_g` by preconditioned GMRES, for :math:`n_C` beyond dense reach.

    The same solution as :meth:`TripartiteQRM.steady_state` (to the GMRES tolerance), but
    matrix-free: every operator is applied in closed form to ``(d, d)`` matrices
    (:math:`O(d^3)` per iteration, memory :math:`O(d^2)` per Krylov vector), so that
    dims ``(2, 64, 2)`` (:math:`d=256`, :math:`d^2=65536`) take seconds, where the dense
    superoperator alone would need 69 GB.

    Two formulations, chosen like :meth:`TripartiteQRM.steady_state`'s ``"auto"``:

    ``"scaled"`` (:math:`|g|\,\|H\|\le\gamma_A+\gamma_B`)
        The rescaled system of ``_ScaledSystem`` in the unknowns :math:`(r, Y)`,
        :math:`\rho=E(r)+gY`, right-preconditioned by the exact inverse of its
        :math:`g=0` part :math:`A_0`, which is block triangular: :math:`\mathcal L_0^{-1}`
        of (7.10) on :math:`\ker\operatorname{tr}_{AB}`, :math:`[\bar H^\tau,\cdot]^{-1}` on
        :math:`\operatorname{Offdiag}^\tau` and :math:`\Phi_D` (7.9) plus the trace on
        :math:`\operatorname{Diag}^\tau` -- the same steps as the perturbative solution
        (7.12)-(7.14).  The preconditioned operator is :math:`1+O(g)`, so GMRES needs a few
        iterations at small :math:`g`, where the plain problem has :math:`n_C^2` eigenvalues
        :math:`O(g)`-:math:`O(g^2)` near 0.
    ``"resolvent"`` (larger :math:`g`)
        :math:`\rho - \mathcal R(\mathcal D(\rho)) + \tfrac{I}{d}\operatorname{tr}\rho = \tfrac{I}{d}`
        with :math:`\mathcal D(\rho)=\gamma_A\tau_A\otimes\operatorname{tr}_A\rho+\gamma_B\operatorname{tr}_B\rho\otimes\tau_B`
        and :math:`\mathcal R=(\gamma_A+\gamma_B+ig[H,\cdot])^{-1}`, diagonal in the
        eigenbasis of :math:`H` (as in (3.9)); its solution is the trace-one fixed point
        of :math:`\mathcal L_g`.

    Parameters
    ----------
    model : TripartiteQRM
    g : float or array_like of float
        Nonzero couplings (a Python loop over ``g``: each solve is already :math:`O(d^3)`).
    method : {"auto", "scaled", "resolvent"}
    rtol : float
        Relative residual of the GMRES solve (true residual, right preconditioning).
    maxiter, restart : int
        GMRES restarts and Krylov dimension (integers >= 1): at most ``maxiter * restart``
        iterations per ``g``, then ``ValueError``.
    return_info : bool
        Also return a list of dicts (``method``, ``iterations``, ``residual``) per ``g``.

    Returns
    -------
    ndarray, shape ``g.shape + (d, d)`` (and the info list)

    Raises
    ------
    ValueError
        If GMRES does not reach ``100 * rtol``, or if the scaled preconditioner is singular
        (Coup fails: the steady state is then ill-conditioned at small ``g``).
    """
    model = _model_checked(model)
    g = _v.g_checked(g)
    method = _v.choice(method, "method", ("auto", "scaled", "resolvent"))
    rtol = _v.tolerance(rtol, "rtol")
    maxiter = _v.integer(maxiter, "maxiter", minimum=1, maximum=100_000)
    restart = _v.integer(restart, "restart", minimum=1, maximum=100_000)
    return_info = _v.boolean(return_info, "return_info")
    krylov = min(restart, model.d * model.d + model.n_C ** 2) + 4
    _v.memory_guard(16.0 * krylov * (model.d * model.d + model.n_C ** 2),
                    f"steady_state_matrix_free ({krylov} Krylov vectors of size d² = {model.d ** 2})",
                    hint="reduce restart")
    mf = _MatrixFree(model)
    out = np.empty(g.shape + (model.d, model.d), complex)
    infos = []
    h_norm = model._H_norm
    for idx in np.ndindex(g.shape):
        gi = float(g[idx])
        meth = method
        if meth == "auto":
            meth = "scaled" if abs(gi) * h_norm <= mf.s else "resolvent"
        if meth == "scaled":
            rho, it, res = _mf_scaled(mf, model, gi, rtol, maxiter, restart)
        else:
            rho, it, res = _mf_resolvent(mf, model, gi, rtol, maxiter, restart)
        if not res <= 100 * rtol:
            raise ValueError(f"steady_state_matrix_free: GMRES ({meth}) reached residual {res:.2e} "
                             f"> {100 * rtol:.1e} at g={gi:g} after {it} iterations")
        out[idx] = rho
        infos.append({"g": gi, "method": meth, "iterations": it, "residual": res})
    return (out, infos) if return_info else out


def _mf_scaled(mf, model, g, rtol, maxiter, restart):
    d, n = mf.d, mf.nC
    n2, d2 = n * n, d * d
    s = mf.s
    ex = model.perturbative(strict=False).full
    e, V = ex.e_tau, ex.V_tau
    Vh = dagger(V)
    de = e[:, None] - e[None, :]
    off = ~np.eye(n, dtype=bool)
    inv_de = np.zeros((n, n))
    inv_de[off] = 1.0 / de[off]
    K = ex.Phi_D + (s / n) * np.ones((n, n))
    try:
        from scipy.linalg import lu_factor, lu_solve

        with np.errstate(all="raise"):
            lu = lu_factor(K.astype(complex), check_finite=True)
        if np.min(np.abs(np.diag(lu[0]))) <= 1e-13 * np.max(np.abs(K)):
            raise np.linalg.LinAlgError
    except (np.linalg.LinAlgError, FloatingPointError, ValueError):
        raise ValueError("steady_state_matrix_free: Phi_D + trace is singular (Coup fails); "
                         "use method='resolvent'") from None
    w = (s / n) * np.eye(n)

    def diag_of(X):  # V diag(diag(V^* X V)) V^*
        return V @ (np.diag(np.diag(Vh @ X @ V))) @ Vh

    def A(z):
        r = z[:n2].reshape(n, n)
        Y = z[n2:].reshape(d, d)
        L1Er = mf.L1(mf.E(r))
        L1Y = mf.L1(Y)
        F1 = mf.Q(L1Er + g * L1Y) + mf.L0(Y) + s * mf.E(mf.tr_AB(Y))
        T1 = mf.tr_AB(L1Er + g * L1Y)
        TY = mf.tr_AB(L1Y)
        F2 = (T1 - diag_of(T1)) + diag_of(TY) + w * np.trace(r)
        return np.concatenate([F2.reshape(-1), F1.reshape(-1)])

    def M(bz):
        b2 = bz[:n2].reshape(n, n)
        b1 = bz[n2:].reshape(d, d)
        B2 = Vh @ b2 @ V
        r_off = V @ (1j * B2 * inv_de) @ Vh
        Qb1 = mf.Q(b1)
        c = mf.tr_AB(mf.L1(mf.L0_inv(Qb1 - mf.Q(mf.L1(mf.E(r_off))))))
        q = lu_solve(lu, np.diag(B2) - np.diag(Vh @ c @ V))
        r = r_off + (V * q[None, :]) @ Vh
        Y = mf.L0_inv(Qb1 - mf.Q(mf.L1(mf.E(r)))) + mf.E(mf.tr_AB(b1)) / s
        return np.concatenate([r.reshape(-1), Y.reshape(-1)])

    rhs = np.concatenate([w.reshape(-1), np.zeros(d2, complex)])
    u, it, res = _gmres(lambda v: A(M(v)), rhs, rtol=rtol, maxiter=maxiter, restart=restart)
    z = M(u)
    rho = mf.E(z[:n2].reshape(n, n)) + g * z[n2:].reshape(d, d)
    return _finish(rho), it, res


def _mf_resolvent(mf, model, g, rtol, maxiter, restart):
    d = mf.d
    s = mf.s
    om, U = np.linalg.eigh(model.H)
    Uh = dagger(U)
    den = s + 1j * g * (om[:, None] - om[None, :])
    eye = np.eye(d) / d

    def K(v):
        X = v.reshape(d, d)
        D = mf.gA * mf.emb_CB(mf.tr_A(X)) + mf.gB * mf.emb_AC(mf.tr_B(X))
        RD = U @ ((Uh @ D @ U) / den) @ Uh
        return (X - RD + eye * np.trace(X)).reshape(-1)

    x, it, res = _gmres(K, eye.reshape(-1).astype(complex), rtol=rtol, maxiter=maxiter, restart=restart)
    return _finish(x.reshape(d, d)), it, res


# --- structural block reduction of batched linear systems (issue 7) ---------------------------------

_BLOCK_CACHE: dict = {}


def _active_block_cached(rhs_nonzero, pattern):
    """:func:`_active_block`, memoised on the exact zero pattern (shared by models of one structure)."""
    key = (pattern.shape, np.packbits(pattern).tobytes(), np.packbits(rhs_nonzero).tobytes())
    if key not in _BLOCK_CACHE:
        if len(_BLOCK_CACHE) >= 256:
            _BLOCK_CACHE.clear()
        _BLOCK_CACHE[key] = _active_block(rhs_nonzero, pattern)
    return _BLOCK_CACHE[key]


def _active_block(rhs_nonzero, pattern):
    r"""Rows and columns of the part of a family of linear systems that carries the solution.

    ``pattern`` ``(n, n)`` bool is the union of the nonzero entries of all the matrices of
    the family (a stack, and every :math:`A_0+gA_1`), ``rhs_nonzero`` ``(n,)`` bool that of
    the right-hand sides.  If the bipartite graph rows--columns of ``pattern`` has several
    connected components, the systems are block diagonal up to permutations of rows and
    columns.  A block whose rows carry no right-hand side has the zero solution (each
    diagonal block of an invertible matrix is invertible), so only the blocks reached by
    the right-hand side need solving.  Symmetries produce such blocks: the three-qubit chain
    of Section 8 conserves the number of excitations and its reset states are diagonal, so
    :math:`\mathcal L_g` commutes with :math:`\rho\mapsto e^{i\theta N}\rho e^{-i\theta N}`
    and the 68 (scaled) or 64 (bordered) unknowns split into blocks of 22, 32, 12, 2 (resp.
    20, ...), of which only the first, the charge-0 sector, is nonzero.  Exact zeros only:
    a round-off entry merely merges blocks (no reduction), never drops a coupling.

    Returns
    -------
    (rows, cols) : index arrays of the active blocks, or ``None`` when nothing can be dropped
    (one component, or a non-square block: then the family is singular anyway).
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = pattern.shape[0]
    r, c = np.nonzero(pattern)
    graph = coo_matrix((np.ones(r.size), (r, c + n)), shape=(2 * n, 2 * n))
    k, lab = connected_components(graph, directed=False)
    if k == 1:
        return None
    rl, cl = lab[:n], lab[n:]
    if np.any(np.bincount(rl, minlength=k) != np.bincount(cl, minlength=k)):
        return None
    active = np.zeros(k, dtype=bool)
    active[np.unique(rl[np.asarray(rhs_nonzero, dtype=bool)])] = True
    rows, cols = np.flatnonzero(active[rl]), np.flatnonzero(active[cl])
    if rows.size == n:
        return None
    return rows, cols


# --- the per-model engine: real, sector-reduced system and its pole-residue form (issue 10) ----------

from ._reduced import PR_CHECK_TOL as _PR_CHECK_TOL  # noqa: E402
from ._reduced import PoleResidueStack, ReducedStack  # noqa: E402

#: at most this many couplings per call are solved directly (one reduced solve each); more build the
#: pole-residue form once (cached) and evaluate it
_DIRECT_MAX = 4
#: calls on one engine solved directly before the pole-residue form is built
_DIRECT_CALLS = 4


class _PoleResidue:
    r"""Closed rational form of the steady state of one parameter set: :math:`\rho(g)=a+\sum_k\beta_k\,\frac{g}{1+g\mu_k}`.

    With :math:`K=A_0^{-1}A_1` (real reduced pencil of :class:`_Reduced`), only the :math:`Y`
    columns of :math:`A_1` are nonzero, so :math:`K=\begin{pmatrix}0&K_{rY}\\0&K_{YY}\end{pmatrix}`
    and :math:`(A_0+gA_1)v=b` gives :math:`v_Y=(1+gK_{YY})^{-1}z_Y`, :math:`v_r=z_r-gK_{rY}v_Y`
    (:math:`z=A_0^{-1}b`), hence :math:`\rho(g)=E z_r+g\,B(1+gK_{YY})^{-1}z_Y` with
    :math:`B=\iota_Y-EK_{rY}`.  :math:`K_{YY}` has a (defective) zero block; its contribution
    :math:`g\,B\sum_j(-g)^jN^jP_0z_Y` is a polynomial in :math:`g`, which vanishes identically
    because :math:`\rho(g)` is bounded as :math:`g\to\infty` (a density matrix for every real
    :math:`g`).  So only the nonzero eigenvalues :math:`\mu_k` enter, through their right and left
    eigenvectors (well conditioned: simple, away from 0), and the components of :math:`z_Y` along
    them, :math:`c=(W_l^*W_r)^{-1}W_l^*z_Y` (exact also for a repeated nonzero eigenvalue with a
    full eigenspace).  Then :math:`\beta_k=Bw_kc_k`, and each :math:`g` costs
    :math:`\#\mu` divisions and one product with the :math:`d^2\times\#\mu` matrix
    :math:`\beta` -- real or complex :math:`g`; :math:`g/(1+g\mu)` is evaluated in that form,
    without cancellation at small :math:`g`.

    Accuracy: checked at construction against the direct reduced solves at
    :math:`|g|\,\|H\|/s\in\{10^{-6},10^{-3},10^{-1},1,10,10^3\}` (scaled system up to 1, bordered
    beyond); the form is used only if they agree to ``_PR_CHECK_TOL`` = 1e-12 (measured:
    :math:`\le 2\cdot10^{-15}` on the §8 chain and random dims (2,2,2), (2,3,2), (3,2,2)
    for :math:`g\in[10^{-6},10^3]`, tests/test_engine.py).  Otherwise ``ok`` is False and
    the caller solves per :math:`g`.
    """

    def __init__(self, R):
        prs = PoleResidueStack(R)
        self.ok = bool(prs.ok[0])
        self.mu, self.beta, self.a = prs.mu[0], prs.beta[0], prs.a[0]

    def __call__(self, g):
        """Real coordinates ``g.shape + (d²,)`` of :math:`\\rho(g)` (real part for real ``g``)."""
        g = np.asarray(g)
        q = g[..., None] / (1.0 + g[..., None] * self.mu)
        out = self.a + q @ self.beta.T
        return out.real if not np.iscomplexobj(g) else out


class _Engine:
    r"""Everything one steady state (``"full"``, ``"A"`` or ``"B"``) of one parameter set needs, built once.

    The real sector-reduced scaled system (:class:`qrmlib._reduced.ReducedStack`, built directly from
    the closed-form operators, its structure cached per ``dims`` and zero pattern), the reduced
    bordered system (lazily, for :math:`|g|\,\|H\|>s`) and, lazily, the pole-residue form
    (:class:`_PoleResidue`), which, once it passed its self-check, gives :math:`\rho(g)` for any
    number of real or complex :math:`g` at the cost of one small matrix-vector product each.
    A call with at most ``_DIRECT_MAX`` couplings does not build it: one reduced solve each.
    """

    def __init__(self, H, tau_A, tau_B, gA, gB, dims, which):
        self.R = ReducedStack(H[None], tau_A[None], tau_B[None], gA, gB, dims, which)
        self.d = d = self.R.d
        self.s, self.H_norm = float(self.R.s[0]), float(self.R.H_norm[0])
        self.perm = _herm_perm((d,))
        self.diag = np.arange(d) * (d + 1)

    @cached_property
    def red(self):
        """The reduced scaled pencil of this parameter set: ``A0``, ``A1`` ``(m, m)``, ``b`` ``(m,)``."""
        from types import SimpleNamespace

        return SimpleNamespace(A0=self.R.A0[0], A1=self.R.A1[0], b=self.R.b[0])

    @cached_property
    def pr(self):
        return _PoleResidue(self.R)

    def direct(self, g):
        """Real coordinates of rho(g) from the reduced direct solves (scaled / bordered as ``"auto"``)."""
        g = np.asarray(g)
        gf = g.reshape(-1)
        return self.R.solve(gf, np.zeros(gf.size, int)).reshape(g.shape + (self.d * self.d,))

    def _use_pr(self, size):
        """Whether to evaluate the pole-residue form: a call with more than ``_DIRECT_MAX`` couplings,
        or the ``_DIRECT_CALLS + 1``-th call on this engine (repeated calls amortise its build)."""
        if "pr" not in self.__dict__:
            self._calls = getattr(self, "_calls", 0) + 1
            if size <= _DIRECT_MAX and self._calls <= _DIRECT_CALLS:
                return False
        return self.pr.ok

    def coords(self, g):
        if self._use_pr(np.size(g)):
            return self.pr(g)
        return self.direct(g)

    def rho_scalar(self, g):
        """:meth:`rho` for one Python float."""
        if self._use_pr(1):
            pr = self.pr
            v = pr.a + (pr.beta @ (g / (1.0 + g * pr.mu))).real
        else:
            v = self.R.solve(np.array([g]), np.zeros(1, int))[0]
        v /= v[self.diag].sum()
        return ((0.5 + 0.5j) * v + (0.5 - 0.5j) * v[self.perm]).reshape(self.d, self.d)

    def rho(self, g):
        """``g.shape + (d, d)`` steady states (trace one; exactly Hermitian for real ``g``)."""
        v = self.coords(g)
        v = v / v[..., self.diag].sum(-1, keepdims=True)
        return _complex_vec(v, self.perm).reshape(np.shape(g) + (self.d, self.d))
