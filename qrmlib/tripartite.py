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

import numpy as np

from . import _validate as _v
from . import _ep_terms as _ept
from .linalg import _logm_pd, hermitian_part, linear_map_matrix, superop_commutator

__all__ = ["TripartiteQRM", "EntropyProduction", "EntropyFluxes",
           "steady_state_pencil", "steady_state_batch", "steady_state_matrix_free"]

#: relative tolerance for the hypothesis tr_AB(rho_tilde) = 0 of eq. (7.10)
L0_INV_TOL = 1e-10

# the helpers, the dense stacked solvers and the matrix-free solver live in their own modules
# (qrmlib._tripartite_base, _tripartite_dense, _tripartite_mf); their names stay importable from here
from ._tripartite_base import (  # noqa: F401, E402
    _SOLVE_BYTES, EntropyFluxes, EntropyProduction, MATRIX_FREE_HINT, _DOUBLE, _METHODS, _PTR,
    _ScaledSystem, _WHICH, _batched_solve, _bordered_solve, _comm, _finish, _guard_dense, _kron,
    _ptr, _tr,
)
from ._tripartite_dense import (  # noqa: F401, E402
    _BLOCK_CACHE, _CHUNK_BYTES, _active_block, _active_block_cached, _batched_solve_rhs, _chunks,
    _complex_vec, _flat_index, _herm_perm, _pencil, _pencil_bytes, _real_form, _real_vec,
    _batch_core, _stack_args, _steady_state_batch, steady_state_batch, steady_state_pencil,
)
from ._tripartite_mf import (  # noqa: F401, E402
    _MatrixFree, _gmres, _mf_resolvent, _mf_scaled, steady_state_matrix_free,
)

for _f in (EntropyProduction, EntropyFluxes, steady_state_pencil, steady_state_batch, steady_state_matrix_free):
    _f.__module__ = __name__          # documented, pickled and shown as qrmlib.tripartite.<name>
del _f


def _model_checked(model, name="model"):
    if not isinstance(model, TripartiteQRM):
        raise TypeError(f"{name} must be a qrmlib.tripartite.TripartiteQRM, got {type(model).__name__}")
    if model.batch_shape:
        raise ValueError(f"{name} must be a single parameter set, got a stacked TripartiteQRM with batch_shape "
                         f"{model.batch_shape}: pass {name}[i]")
    return model


# --- the model ------------------------------------------------------------------

class TripartiteQRM:
    r"""Tri-partite QRM :math:`\mathcal L_g=\mathcal D_A+\mathcal D_B-ig[H,\cdot]`, eqs. (6.3), (7.2).

    Parameters
    ----------
    H : array_like, shape ``(..., d, d)``
        Hermitian coupling Hamiltonian on :math:`\mathcal H_A\otimes\mathcal H_C\otimes\mathcal H_B`
        (tensor order A ⊗ C ⊗ B), ``d = n_A * n_C * n_B``.
    tau_A : array_like, shape ``(..., n_A, n_A)``
        Reset state of A (a density matrix; faithful for the entropy production).
    tau_B : array_like, shape ``(..., n_B, n_B)``
        Reset state of B.
    gamma_A, gamma_B : float or array_like, shape ``(...)``
        Reset rates, :math:`>0`.
    dims : tuple of 3 int
        ``(n_A, n_C, n_B)``.

    Raises
    ------
    ValueError
        Naming the argument: ``dims`` not three positive integers or with a
        product different from the size of ``H``; ``H`` not Hermitian;
        ``tau_A``/``tau_B`` of the wrong size or not density matrices;
        ``gamma_A``/``gamma_B`` not finite or :math:`\le 0`; stack axes that do not
        broadcast together.

    Notes
    -----
    Methods taking ``g`` (and ``lam``) broadcast over their shapes: a whole
    grid of couplings is one batched linear solve, no Python loop.

    **Stacked parameters.**  The leading axes ``...`` of ``H``, ``tau_A``, ``tau_B``,
    ``gamma_A``, ``gamma_B`` broadcast together (NumPy rules) to ``batch_shape``; one
    model then stands for that whole stack of parameter sets, e.g. ``tau_B`` of shape
    ``(50, 1, 2, 2)`` for 50 values of :math:`t_B`.  :meth:`steady_state`,
    :meth:`steady_state_A`, :meth:`steady_state_B`, :meth:`partial_steady_states`,
    :meth:`entropy_production` and :meth:`entropy_fluxes` then return
    ``broadcast(batch_shape, g.shape) + (d, d)`` (or ``broadcast(batch_shape, g, lam)``), from the
    batched engine of :func:`steady_state_batch` -- the vectorised form of a Python loop that
    builds one model per parameter set.  The actions (:meth:`L`, :meth:`D_A`, ...) and
    :meth:`L0_inv` apply each parameter set to the matching element of their argument, whose
    leading axes must broadcast with ``batch_shape`` (an action that involves no stacked
    parameter, e.g. :meth:`D_A` when only ``tau_B`` is stacked, keeps its argument's shape).
    The superoperator matrices, :meth:`perturbative`, :meth:`steady_state_rational`,
    :meth:`taylor_coefficients` and the functions taking a ``model`` need one parameter set:
    ``model[i]`` is the model of set ``i``.
    """

    #: shape of the parameter stack (``()`` for one parameter set), see "Stacked parameters"
    batch_shape: tuple = ()

    def __init__(self, H, tau_A, tau_B, gamma_A, gamma_B, dims):
        self._set(*_stack_args(H, tau_A, tau_B, gamma_A, gamma_B, dims))

    @classmethod
    def _from_checked(cls, H, tau_A, tau_B, gA, gB, dims_t, bshape):
        """The model of arguments already validated by ``_stack_args`` (no second check)."""
        model = cls.__new__(cls)
        model._set(H, tau_A, tau_B, gA, gB, dims_t, bshape)
        return model

    def _set(self, H, tau_A, tau_B, gA, gB, dims_t, bshape):
        self.H = H
        self.tau_A = tau_A
        self.tau_B = tau_B
        self.batch_shape = bshape
        if bshape:
            self.gamma_A, self.gamma_B = gA, gB
        else:
            self.gamma_A, self.gamma_B = float(gA), float(gB)
        self._gA = np.asarray(gA)[..., None, None]   # broadcast against (..., d, d)
        self._gB = np.asarray(gB)[..., None, None]
        self.dims = dims_t
        self.n_A, self.n_C, self.n_B = dims_t
        self.d = int(np.prod(dims_t))

    def __repr__(self):
        if self.batch_shape:
            return f"TripartiteQRM(dims={self.dims}, batch_shape={self.batch_shape})"
        return (f"TripartiteQRM(dims={self.dims}, gamma_A={self.gamma_A:g}, gamma_B={self.gamma_B:g})")

    def __getitem__(self, index):
        """The model of one parameter set (or a sub-stack) of a stacked model: ``model[i]``, ``model[i, j]``."""
        if not self.batch_shape:
            raise TypeError("this TripartiteQRM has a single parameter set (batch_shape ()): it cannot be indexed")
        b = self.batch_shape
        idx = np.index_exp[index]
        if sum(1 for i in idx if i is not Ellipsis and i is not None) > len(b):
            raise IndexError(f"too many indices {index!r} for batch_shape {b}")

        def pick(x, tail):
            x = np.broadcast_to(x, b + tail)
            try:   # the index acts on the batch axes only, never on the matrix axes
                return np.array(x[idx + (slice(None),) * len(tail)], copy=True)
            except IndexError as exc:
                raise IndexError(f"index {index!r} out of range for batch_shape {b}") from exc

        # every parameter is picked from its broadcast to the stack, so all share the stack shape of gA
        gA, gB = pick(self.gamma_A, ()), pick(self.gamma_B, ())
        return TripartiteQRM._from_checked(pick(self.H, (self.d, self.d)), pick(self.tau_A, (self.n_A, self.n_A)),
                                           pick(self.tau_B, (self.n_B, self.n_B)), gA, gB, self.dims, gA.shape)

    def _single(self, what):
        """``ValueError`` for a method defined for one parameter set only, called on a stacked model."""
        if self.batch_shape:
            raise ValueError(
                f"{what} needs a single parameter set, but this model has batch_shape {self.batch_shape}: "
                "take one with model[i] (steady states, entropy production and fluxes accept stacked models)"
            )

    # --- partial traces and embeddings (eq. (6.2)) -----------------------------

    def _rho(self, rho, name="rho"):
        rho = _v.as_square(rho, name, self.d)
        if self.batch_shape:
            self._lead(name, rho.shape[:-2])
        return rho

    def _lead(self, name, *shapes):
        """The broadcast of the leading shapes of the arguments with ``batch_shape`` (stacked models)."""
        try:
            return np.broadcast_shapes(self.batch_shape, *shapes)
        except ValueError:
            raise ValueError(f"{name} of leading shape {' and '.join(map(str, shapes))} must broadcast with the "
                             f"parameter stack batch_shape {self.batch_shape}") from None

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
        return self._gA * (self._embed_CB(self._tr_A(rho)) - rho)

    def _D_B(self, rho):
        return self._gB * (self._embed_AC(self._tr_B(rho)) - rho)

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
        self._lead("g and rho", g.shape, rho.shape[:-2])
        return self._D_A(rho) + self._D_B(rho) + g[..., None, None] * self._L1(rho)

    def L_A(self, rho, g, lam):
        r""":math:`\mathcal L^A_{\lambda g}(\rho)=-ig\lambda[H,\rho]+\mathcal D_A(\rho)`, eq. (7.4) (any real ``g``, ``lam``)."""
        rho = self._rho(rho)
        g = _v.g_checked(g, nonzero=False)
        lam = _v.lam_checked(lam, endpoints=True)
        self._lead("g, lam and rho", g.shape, lam.shape, rho.shape[:-2])
        return self._L_A(rho, g, lam)

    def L_B(self, rho, g, lam):
        r""":math:`\mathcal L^B_{(1-\lambda)g}(\rho)=-ig(1-\lambda)[H,\rho]+\mathcal D_B(\rho)`, eq. (7.4) (any real ``g``, ``lam``)."""
        rho = self._rho(rho)
        g = _v.g_checked(g, nonzero=False)
        lam = _v.lam_checked(lam, endpoints=True)
        self._lead("g, lam and rho", g.shape, lam.shape, rho.shape[:-2])
        return self._L_B(rho, g, lam)

    # --- superoperator matrices ---------------------------------------------------

    def _guard(self, count, what, extra=0):
        """Memory guard for ``count`` dense matrices of size ``d² + extra``."""
        _guard_dense(self.d * self.d + extra, count, what)

    @cached_property
    def D_A_superop(self):
        r"""Matrix of :math:`\mathcal D_A`, shape ``(d², d²)`` (row-major vectorisation)."""
        self._single("D_A_superop")
        self._guard(2, "the superoperator D_A")
        return linear_map_matrix(self._D_A, self.d)

    @cached_property
    def D_B_superop(self):
        r"""Matrix of :math:`\mathcal D_B`, shape ``(d², d²)``."""
        self._single("D_B_superop")
        self._guard(2, "the superoperator D_B")
        return linear_map_matrix(self._D_B, self.d)

    @cached_property
    def L0_superop(self):
        r"""Matrix of :math:`\mathcal L_0`, shape ``(d², d²)``."""
        self._single("L0_superop")
        return self.D_A_superop + self.D_B_superop

    @cached_property
    def L1_superop(self):
        r"""Matrix of :math:`\mathcal L_1=-i[H,\cdot]`, :math:`-i(H\otimes I-I\otimes H^t)`, shape ``(d², d²)``."""
        self._single("L1_superop")
        self._guard(1, "the superoperator L_1")
        return superop_commutator(self.H)

    def L_superop(self, g):
        r"""Matrix of :math:`\mathcal L_g`, shape ``g.shape + (d², d²)`` (real ``g``, zero allowed)."""
        self._single("L_superop")
        g = _v.g_checked(g, nonzero=False)
        self._guard(g.size + 3, "L_superop(g)")
        return self.L0_superop + g[..., None, None] * self.L1_superop

    def L_A_superop(self, g, lam):
        r"""Matrix of :math:`\mathcal L^A_{\lambda g}`, shape ``broadcast(g, lam).shape + (d², d²)``."""
        self._single("L_A_superop")
        g = _v.g_checked(g, nonzero=False)
        lam = _v.lam_checked(lam, endpoints=True)
        self._guard(np.broadcast(g, lam).size + 3, "L_A_superop(g, lam)")
        return self.D_A_superop + (g * lam)[..., None, None] * self.L1_superop

    def L_B_superop(self, g, lam):
        r"""Matrix of :math:`\mathcal L^B_{(1-\lambda)g}`, shape ``broadcast(g, lam).shape + (d², d²)``."""
        self._single("L_B_superop")
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
        return self._L0_inv_formula(x)

    def _L0_inv_formula(self, x):
        """The formula (7.10) alone, for arguments in Ran L0 by construction (no range check)."""
        gA, gB = self._gA, self._gB
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
        self._single("L0_inv_solve")
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
        self._single("the dense rescaled systems")
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
        self._single("the norm of H")
        return float(np.linalg.norm(self.H, 2))

    def _engine(self, key):
        """The cached :class:`_Engine` of ``key`` ("full", "A", "B"), or None if it cannot be built."""
        self._single("the per-model engine")
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
        if self.batch_shape:        # stacked parameters: the batched engine of steady_state_batch
            return _batch_core(self.H, self.tau_A, self.tau_B, self.gamma_A, self.gamma_B, self.dims,
                               self.batch_shape, g, key, method, True)
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
        if method == "auto" and type(g) is float and g != 0.0 and math.isfinite(g) and not self.batch_shape:
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
        self._single("steady_state_rational")
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
        self._single("taylor_coefficients")
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
        shape = self._lead("broadcast(g, lam)", g.shape)
        rho0 = self._solve("full", g0, "auto")      # on the shape of g alone; lam only enters below
        rho = np.broadcast_to(rho0, shape + rho0.shape[-2:])
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

        self._single("perturbative")
        strict = _v.boolean(strict, "strict")
        key = "_perturbative_strict" if strict else "_perturbative_loose"
        if key not in self.__dict__:
            self.__dict__[key] = Perturbative(self, strict=strict)
        return self.__dict__[key]


# --- the per-model engine: real, sector-reduced system and its pole-residue form (issue 10) ----------

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
