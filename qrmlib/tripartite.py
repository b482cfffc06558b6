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

from functools import cached_property

import numpy as np

from . import _validate as _v
from .linalg import dagger, hermitian_part, logm_pd, partial_trace, superop_commutator

__all__ = ["TripartiteQRM"]

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


def _tr_prod(a, b):
    """Real part of tr(a b), shapes ``(..., d, d)`` -> ``(...)``."""
    return np.real(np.einsum("...ij,...ji->...", a, b))


def _comm(a, b):
    return a @ b - b @ a


def _superop_of(action, d):
    """d²×d² matrix of a linear map given by its (broadcasting) action."""
    basis = np.eye(d * d, dtype=complex).reshape(d * d, d, d)
    out = action(basis)  # (d², d, d): out[k] = action(E_k)
    return np.ascontiguousarray(out.reshape(d * d, d * d).T)


def _check_lam(lam):
    lam = _v.finite_real(lam, "lam")
    if np.any(lam == 0) or np.any(lam == 1):
        raise ValueError(
            "lam must not be 0 or 1 (paper, after eq. (7.4)): for lam in {0, 1} one of the partial "
            "Lindbladians L^A_{lam g}, L^B_{(1-lam) g} is a pure reset dissipator D_A or D_B, whose "
            "kernel {tau_A ⊗ X_CB} resp. {X_AC ⊗ tau_B} is degenerate, so its steady state is not unique"
        )
    return lam


def _check_g(g, *, nonzero=True):
    g = _v.finite_real(g, "g")
    if nonzero and np.any(g == 0):
        raise ValueError(
            "g must be nonzero: at g = 0 the generator L_0 = D_A + D_B has the n_C²-dimensional kernel "
            "{tau_A ⊗ r_C ⊗ tau_B}, so the steady state is not unique (its g -> 0 limit is "
            "TripartiteQRM.perturbative().rho0, eq. (7.12))"
        )
    return g


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
        try:
            dims_t = tuple(int(n) for n in dims)
        except TypeError:
            raise ValueError(f"dims must be a tuple (n_A, n_C, n_B) of positive integers, got {dims!r}") from None
        if len(dims_t) != 3 or any(n < 1 for n in dims_t) or any(
                float(n) != float(m) for n, m in zip(dims_t, dims)):
            raise ValueError(f"dims must be a tuple (n_A, n_C, n_B) of positive integers, got {dims!r}")
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

    def tr_A(self, rho):
        r""":math:`\operatorname{tr}_A`, shape ``(..., d, d) -> (..., n_C n_B, n_C n_B)``, eq. (6.2)."""
        return partial_trace(rho, self.dims, (1, 2))

    def tr_B(self, rho):
        r""":math:`\operatorname{tr}_B`, shape ``(..., d, d) -> (..., n_A n_C, n_A n_C)``."""
        return partial_trace(rho, self.dims, (0, 1))

    def tr_AB(self, rho):
        r""":math:`\operatorname{tr}_{AB}`, shape ``(..., d, d) -> (..., n_C, n_C)``, eq. (6.2)."""
        return partial_trace(rho, self.dims, 1)

    def embed_C(self, r_C):
        r""":math:`\tau_A\otimes r_C\otimes\tau_B`, shape ``(..., n_C, n_C) -> (..., d, d)``."""
        return _kron(_kron(self.tau_A, r_C), self.tau_B)

    def embed_CB(self, x_CB):
        r""":math:`\tau_A\otimes X_{CB}`, shape ``(..., n_C n_B, n_C n_B) -> (..., d, d)``."""
        return _kron(self.tau_A, x_CB)

    def embed_AC(self, x_AC):
        r""":math:`X_{AC}\otimes\tau_B`, shape ``(..., n_A n_C, n_A n_C) -> (..., d, d)``."""
        return _kron(x_AC, self.tau_B)

    # --- generators as actions (broadcast over leading axes) --------------------

    def D_A(self, rho):
        r""":math:`\mathcal D_A(\rho)=\gamma_A(\tau_A\otimes\operatorname{tr}_A\rho-\rho)`, eq. (6.3); ``(..., d, d)``."""
        rho = self._rho(rho)
        return self.gamma_A * (self.embed_CB(self.tr_A(rho)) - rho)

    def D_B(self, rho):
        r""":math:`\mathcal D_B(\rho)=\gamma_B(\operatorname{tr}_B\rho\otimes\tau_B-\rho)`, eq. (6.3); ``(..., d, d)``."""
        rho = self._rho(rho)
        return self.gamma_B * (self.embed_AC(self.tr_B(rho)) - rho)

    def L0(self, rho):
        r""":math:`\mathcal L_0=\mathcal D_A+\mathcal D_B`, eq. (7.2)."""
        return self.D_A(rho) + self.D_B(rho)

    def L1(self, rho):
        r""":math:`\mathcal L_1(\rho)=-i[H,\rho]`, eq. (7.2)."""
        rho = self._rho(rho)
        return -1j * _comm(self.H, rho)

    def L(self, rho, g):
        r""":math:`\mathcal L_g(\rho)=\mathcal L_0(\rho)+g\mathcal L_1(\rho)`, eq. (7.2).

        ``g`` (shape ``(...)``) broadcasts against the leading axes of ``rho``.
        """
        g = _check_g(g, nonzero=False)
        return self.L0(rho) + g[..., None, None] * self.L1(rho)

    def L_A(self, rho, g, lam):
        r""":math:`\mathcal L^A_{\lambda g}(\rho)=-ig\lambda[H,\rho]+\mathcal D_A(\rho)`, eq. (7.4)."""
        g = _check_g(g, nonzero=False)
        lam = _v.finite_real(lam, "lam")
        return (g * lam)[..., None, None] * self.L1(rho) + self.D_A(rho)

    def L_B(self, rho, g, lam):
        r""":math:`\mathcal L^B_{(1-\lambda)g}(\rho)=-ig(1-\lambda)[H,\rho]+\mathcal D_B(\rho)`, eq. (7.4)."""
        g = _check_g(g, nonzero=False)
        lam = _v.finite_real(lam, "lam")
        return (g * (1 - lam))[..., None, None] * self.L1(rho) + self.D_B(rho)

    # --- superoperator matrices ---------------------------------------------------

    @cached_property
    def D_A_superop(self):
        r"""Matrix of :math:`\mathcal D_A`, shape ``(d², d²)`` (row-major vectorisation)."""
        return _superop_of(self.D_A, self.d)

    @cached_property
    def D_B_superop(self):
        r"""Matrix of :math:`\mathcal D_B`, shape ``(d², d²)``."""
        return _superop_of(self.D_B, self.d)

    @cached_property
    def L0_superop(self):
        r"""Matrix of :math:`\mathcal L_0`, shape ``(d², d²)``."""
        return self.D_A_superop + self.D_B_superop

    @cached_property
    def L1_superop(self):
        r"""Matrix of :math:`\mathcal L_1=-i[H,\cdot]`, :math:`-i(H\otimes I-I\otimes H^t)`, shape ``(d², d²)``."""
        return superop_commutator(self.H)

    def L_superop(self, g):
        r"""Matrix of :math:`\mathcal L_g`, shape ``g.shape + (d², d²)``."""
        g = _check_g(g, nonzero=False)
        return self.L0_superop + g[..., None, None] * self.L1_superop

    def L_A_superop(self, g, lam):
        r"""Matrix of :math:`\mathcal L^A_{\lambda g}`, shape ``broadcast(g, lam).shape + (d², d²)``."""
        g = _check_g(g, nonzero=False)
        lam = _v.finite_real(lam, "lam")
        return self.D_A_superop + (g * lam)[..., None, None] * self.L1_superop

    def L_B_superop(self, g, lam):
        r"""Matrix of :math:`\mathcal L^B_{(1-\lambda)g}`, shape ``broadcast(g, lam).shape + (d², d²)``."""
        g = _check_g(g, nonzero=False)
        lam = _v.finite_real(lam, "lam")
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
        x = self._rho(rho_tilde, "rho_tilde")
        red = self.tr_AB(x)
        scale = max(1.0, float(np.max(np.abs(x)))) if x.size else 1.0
        err = float(np.max(np.abs(red))) if red.size else 0.0
        if err > L0_INV_TOL * scale:
            raise ValueError(
                f"rho_tilde must satisfy tr_AB(rho_tilde) = 0 for L0^{{-1}} of eq. (7.10) "
                f"(Ran L0 = ker tr_AB): max|tr_AB(rho_tilde)| = {err:.3e}"
            )
        gA, gB = self.gamma_A, self.gamma_B
        return (-1.0 / (gA + gB)) * (x + (gA / gB) * self.embed_CB(self.tr_A(x))
                                     + (gB / gA) * self.embed_AC(self.tr_B(x)))

    def L0_inv_solve(self, rho_tilde):
        r"""Reference for :meth:`L0_inv`: least-squares solve of
        :math:`\mathcal L_0X=\tilde\rho`, :math:`\operatorname{tr}_{AB}X=0` with the
        superoperator matrix (an independent path, used by the tests).

        Parameters
        ----------
        rho_tilde : array_like, shape ``(..., d, d)``
        """
        x = self._rho(rho_tilde, "rho_tilde")
        d, n_C = self.d, self.n_C
        basis = np.eye(d * d, dtype=complex).reshape(d * d, d, d)
        T_AB = self.tr_AB(basis).reshape(d * d, n_C * n_C).T
        A = np.concatenate([self.L0_superop, T_AB], axis=0)
        lead = x.shape[:-2]
        b = np.concatenate([x.reshape(lead + (d * d,)), np.zeros(lead + (n_C * n_C,), complex)], axis=-1)
        sol = np.linalg.lstsq(A, b.reshape(-1, A.shape[0]).T, rcond=None)[0].T
        return sol.reshape(lead + (d, d))

    # --- steady states ------------------------------------------------------------

    def _map_matrix(self, f, n_in):
        """Matrix ``(n_out², n_in²)`` of a linear map ``f`` from ``(n_in, n_in)`` matrices (row-major vec)."""
        basis = np.eye(n_in * n_in, dtype=complex).reshape(n_in * n_in, n_in, n_in)
        out = f(basis)
        return np.ascontiguousarray(out.reshape(n_in * n_in, -1).T)

    @cached_property
    def _scaled(self):
        """The three rescaled steady-state systems (full, A, B), see ``_ScaledSystem``."""
        d, n_A, n_C, n_B = self.d, self.n_A, self.n_C, self.n_B
        out = {}
        for key, L0, T, E, n, s in (
            ("full", self.L0_superop, self.tr_AB, self.embed_C, n_C, self.gamma_A + self.gamma_B),
            ("A", self.D_A_superop, self.tr_A, self.embed_CB, n_C * n_B, self.gamma_A),
            ("B", self.D_B_superop, self.tr_B, self.embed_AC, n_A * n_C, self.gamma_B),
        ):
            Tm = self._map_matrix(T, d)
            Em = self._map_matrix(E, n)
            H_eff = T(self.H @ E(np.eye(n, dtype=complex)))
            out[key] = _ScaledSystem(L0, self.L1_superop, Tm, Em, hermitian_part(H_eff), s)
        return out

    @cached_property
    def _H_norm(self):
        return float(np.linalg.norm(self.H, 2))

    def _solve(self, key, g, method):
        if method == "auto":
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
        raise ValueError(f"method must be 'auto', 'scaled' or 'bordered', got {method!r}")

    def steady_state(self, g, method="auto"):
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
        """
        g = _check_g(g)
        return self._solve("full", g, method)

    def steady_state_A(self, g, method="auto"):
        r"""Steady state :math:`\rho^A_g` of :math:`\mathcal L^A_g=-ig[H,\cdot]+\mathcal D_A` (coupling ``g``, i.e. :math:`\lambda=1` in (7.4)).

        ``g`` nonzero, shape ``(...)``; returns ``(..., d, d)``.  Unique under
        Spec(:math:`\bar H^{\tau_A}`) and Coup\ :sup:`A` for small :math:`g`;
        ``method`` as in :meth:`steady_state` (slow block in
        :math:`\ker\mathcal D_A=\{\tau_A\otimes X_{CB}\}`).
        """
        g = _check_g(g)
        return self._solve("A", g, method)

    def steady_state_B(self, g, method="auto"):
        r"""Steady state :math:`\rho^B_g` of :math:`\mathcal L^B_g=-ig[H,\cdot]+\mathcal D_B`; as :meth:`steady_state_A`."""
        g = _check_g(g)
        return self._solve("B", g, method)

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
        g = _check_g(g)
        lam = _check_lam(lam)
        g, lam = np.broadcast_arrays(g, lam)
        return self.steady_state_A(g * lam), self.steady_state_B(g * (1 - lam))

    # --- entropy production and fluxes, eqs. (7.5)-(7.6), (8.26) ---------------------

    def _ep_parts(self, g, lam):
        g = _check_g(g)
        lam = _check_lam(lam)
        g, lam = np.broadcast_arrays(g, lam)
        for name, tau in (("tau_A", self.tau_A), ("tau_B", self.tau_B)):
            _v.density(tau, name, strict=True)
        rho = self.steady_state(g)
        rA, rB = self.partial_steady_states(g, lam)
        LA = self.L_A(rho, g, lam)
        LB = self.L_B(rho, g, lam)
        return rho, rA, rB, LA, LB

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
        sigma, sigma_A, sigma_B : ndarray, shape ``broadcast(g, lam).shape``

        Notes
        -----
        Needs faithful :math:`\tau_A,\tau_B` and faithful steady states (Pos).
        """
        rho, rA, rB, LA, LB = self._ep_parts(g, lam)
        lr = logm_pd(rho)
        sA = _tr_prod(LA, logm_pd(rA) - lr)
        sB = _tr_prod(LB, logm_pd(rB) - lr)
        return sA + sB, sA, sB

    def entropy_fluxes(self, g, lam):
        r"""Entropy fluxes :math:`\phi_A,\phi_B` of eqs. (7.6), (8.26).

        .. math::

            \phi_A=\operatorname{tr}\big(\mathcal L^A_{\lambda g}(\rho^+_g)\ln\rho^A_{\lambda g}\big),\qquad
            \phi_B=\operatorname{tr}\big(\mathcal L^B_{(1-\lambda)g}(\rho^+_g)\ln\rho^B_{(1-\lambda)g}\big),

        with :math:`\phi_A+\phi_B=\sigma(\rho^+_g)` (since
        :math:`\operatorname{tr}\mathcal L_g(\rho^+_g)\ln\rho^+_g=0`).

        Returns
        -------
        phi_A, phi_B : ndarray, shape ``broadcast(g, lam).shape``
        """
        rho, rA, rB, LA, LB = self._ep_parts(g, lam)
        return _tr_prod(LA, logm_pd(rA)), _tr_prod(LB, logm_pd(rB))

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

        key = "_perturbative_strict" if strict else "_perturbative_loose"
        if key not in self.__dict__:
            self.__dict__[key] = Perturbative(self, strict=strict)
        return self.__dict__[key]
