r"""Perturbation theory in the coupling :math:`g` (paper, Section 7; Theorem 5.2 of [13]).

For a :class:`~qrmlib.tripartite.TripartiteQRM`,
:math:`\mathcal L_g=\mathcal L_0+g\mathcal L_1` with
:math:`\mathcal L_0=\mathcal D_A+\mathcal D_B` and :math:`\mathcal L_1=-i[H,\cdot]`,
the steady state is analytic, :math:`\rho^+_g=\sum_{n\ge0}g^n\rho_n`, and the
same holds for the partial Lindbladians :math:`\mathcal L^A_g=\mathcal D_A+g\mathcal L_1`,
:math:`\mathcal L^B_g=\mathcal D_B+g\mathcal L_1`.  All three are instances of
one structure, implemented once in :class:`ResetExpansion`: a reset
dissipator :math:`\mathcal L_0` on an "environment" factor whose kernel is
:math:`\{E(r)\}` with :math:`E` the embedding of the "system" factor:

* full problem: system C, :math:`E(r)=\tau_A\otimes r\otimes\tau_B`,
  :math:`\operatorname{tr}_{env}=\operatorname{tr}_{AB}`, :math:`\mathcal L_0^{-1}` of eq. (7.10);
* partial problem A: system CB, :math:`E(r)=\tau_A\otimes r`,
  :math:`\operatorname{tr}_{env}=\operatorname{tr}_A`, :math:`\mathcal D_A^{-1}(X)=-X/\gamma_A`
  on :math:`\ker\operatorname{tr}_A`;
* partial problem B: system AC, :math:`E(r)=r\otimes\tau_B`,
  :math:`\operatorname{tr}_{env}=\operatorname{tr}_B`, :math:`\mathcal D_B^{-1}(X)=-X/\gamma_B`.

Derivation of the series (what (7.11)-(7.14) state, order by order)
-------------------------------------------------------------------
Insert :math:`\rho^+_g=\sum_n g^n\rho_n` into :math:`\mathcal L_g\rho^+_g=0`:

.. math::

    \mathcal L_0\rho_0=0,\qquad \mathcal L_0\rho_n=-\mathcal L_1\rho_{n-1}=i[H,\rho_{n-1}]\quad(n\ge1),
    \qquad \operatorname{tr}\rho_0=1,\ \operatorname{tr}\rho_{n\ge1}=0 .

:math:`P_0=E\circ\operatorname{tr}_{env}` is the projector onto
:math:`\ker\mathcal L_0` along :math:`\operatorname{Ran}\mathcal L_0=\ker\operatorname{tr}_{env}`
(:math:`\operatorname{tr}_{env}\mathcal L_0=0`).  So :math:`\rho_n=R_n+E(r_n)` with
:math:`R_n=i\mathcal L_0^{-1}([H,\rho_{n-1}])` (:math:`\operatorname{tr}_{env}R_n=0`), and the
equation of order :math:`n+1` is solvable iff
:math:`\operatorname{tr}_{env}[H,\rho_n]=0`, i.e. with
:math:`\bar H^\tau=\operatorname{tr}_{env}(H\,E(I))` (eq. (7.7); (7.15)-(7.16)),

.. math:: [\bar H^\tau, r_n] = -\operatorname{tr}_{env}[H,R_n]. \tag{S1}

Under Spec(:math:`\bar H^\tau`), (S1) fixes :math:`\operatorname{Offdiag}^\tau r_n`; its
diagonal part is the condition :math:`\operatorname{Diag}^\tau\operatorname{tr}_{env}[H,R_n]=0`,
which, written with :math:`R_n=i\mathcal L_0^{-1}[H,\rho_{n-1}]`, is a condition on
:math:`\operatorname{Diag}^\tau r_{n-1}`:

.. math::

    \Phi_D(\operatorname{Diag}^\tau r_{n-1})
      = -\operatorname{Diag}^\tau\operatorname{tr}_{env}\big[H,\mathcal L_0^{-1}
        \big([H, R_{n-1}+E(\operatorname{Offdiag}^\tau r_{n-1})]\big)\big], \tag{S2}

with :math:`\Phi(X)=\operatorname{tr}_{env}[H,\mathcal L_0^{-1}([H,E(\operatorname{Diag}^\tau X)])]`
(eq. (7.8)) and :math:`\Phi_D=\operatorname{Diag}^\tau\Phi|_{\operatorname{Diag}^\tau}` (eq. (7.9)).
Under Coup, (S2) with :math:`\operatorname{tr}r_n=-\operatorname{tr}R_n` (:math:`=0`) fixes
:math:`\operatorname{Diag}^\tau r_n`.  For :math:`n=0` (S2) reads
:math:`\Phi_D(\rho^C_0)=0`.  For :math:`n=1` this gives exactly

.. math::

    \rho_1=R_1+\tau_A\otimes r^{(1)}_C\otimes\tau_B,\quad R_1=i\mathcal L_0^{-1}([H,\rho_0]),\\
    \operatorname{Offdiag}^\tau r^{(1)}_C=-i\,[\bar H^\tau,\cdot]^{-1}\big(\operatorname{Offdiag}^\tau
      \operatorname{tr}_{AB}[H,\mathcal L_0^{-1}([H,\rho_0])]\big),\\
    \operatorname{Diag}^\tau r^{(1)}_C=-\Phi_D^{-1}\big(\operatorname{Diag}^\tau\operatorname{tr}_{AB}
      [H,\mathcal L_0^{-1}([H,R_1+\tau_A\otimes\operatorname{Offdiag}^\tau r^{(1)}_C\otimes\tau_B])]\big).

Interpretation of the printed (7.14)
^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
* First line: ":math:`-i[\bar H^\tau,\cdot]^{-1}`" is read as :math:`-i` times the
  inverse of :math:`[\bar H^\tau,\cdot]` (not the inverse of :math:`-i[\bar H^\tau,\cdot]`,
  which has the opposite sign); this is what (S1) gives, and what matches the
  exact :math:`d\rho^+_g/dg|_0` (tests).
* Second line: as printed, the argument of :math:`\mathcal L_0^{-1}` is
  :math:`i[H,R_1+\dots]`, with :math:`\Phi` of (7.8) carrying no :math:`i`.
  Read literally this multiplies :math:`\operatorname{Diag}^\tau r^{(1)}_C` by :math:`i`
  (a non-Hermitian :math:`\rho_1`).  (S2) holds without the :math:`i` (equivalently:
  with an :math:`i` in both (7.8) and (7.14)).  :meth:`Perturbative.rho1_as_printed`
  keeps the literal reading for comparison.

Evidence (``tests/test_perturbation.py``, instance ``random222``, dims (2,2,2)):
the central difference :math:`(\rho^+_h-\rho^+_{-h})/2h`, :math:`h=10^{-4}`, agrees with
:math:`\rho_1` to :math:`1.7\times10^{-9}` (max-abs; :math:`O(h^2)`), while the literal
(7.14) is off by :math:`1.6\times10^{-2}` and non-Hermitian by :math:`2.2\times10^{-2}`, and
the other sign of the Offdiag line is off by :math:`9.2\times10^{-2}`
(:math:`\max|\rho_1|=7.6\times10^{-2}`).  The recursion to order 3 leaves remainders
with log-log slopes 1.00, 2.00, 3.00, 4.00 (±0.02) in :math:`g\in[10^{-3},10^{-2}]`.

Entropy production to order :math:`g^2` (Proposition 7.7)
----------------------------------------------------------
With :math:`Q_1=D\ln_{\rho_0}[\rho_1]`, :math:`Q^\#_1=D\ln_{\rho^\#_0}[\rho^\#_1]` (eqs. (7.22)-(7.24)),

.. math::

    \sigma^{(2)}_A(\lambda) = a_A\lambda^2+b_A\lambda+c_A,\quad
    a_A=-\operatorname{tr}(i[H,\rho_0]Q^A_1),\\
    b_A=\operatorname{tr}\big(\mathcal D_A(\rho_1)Q^A_1+i[H,\rho_0]Q_1
          -i[H,\rho_1](\ln\rho^A_0-\ln\rho_0)\big),\quad
    c_A=-\operatorname{tr}(\mathcal D_A(\rho_1)Q_1),

and the same for B with :math:`1-\lambda` in place of :math:`\lambda`, eqs. (7.25)-(7.26), (7.34).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numbers

import numpy as np

from . import _validate as _v
from ._validate import as_square as _as_square, hermitian as _hermitian
from .linalg import _dlog_eig, _eigh_pd, _logm_eig, dagger, linear_map_matrix

__all__ = [
    "HypothesisCheck",
    "ResetExpansion",
    "Perturbative",
    "double_commutator_trace",
    "double_commutator_trace_spectral",
]

#: relative tolerance for eigenvalue / Bohr-frequency gaps (Spec) and for the kernel of Phi_D (Coup)
HYP_TOL = 1e-9
#: largest order of the recursion (S1)-(S2) (:meth:`ResetExpansion.series`): a bound on its loop;
#: beyond the radius of convergence the coefficients grow geometrically anyway
MAX_ORDER = 1000
_LABELS = ("C", "CB", "AC")


def _order(n, name="n"):
    return _v.integer(n, name, minimum=0, maximum=MAX_ORDER)


def _guard(nbytes, what):
    from .tripartite import MATRIX_FREE_HINT

    _v.memory_guard(nbytes, what, hint=MATRIX_FREE_HINT)


def _comm(a, b):
    return a @ b - b @ a


def _tr_prod(a, b):
    """tr(a b) (complex), shapes ``(..., d, d)``."""
    return np.einsum("...ij,...ji->...", a, b)


@dataclass(frozen=True)
class HypothesisCheck:
    """Outcome of one hypothesis check: its name, whether it holds, a one-line detail, and the margin."""

    name: str
    holds: bool
    detail: str
    margin: float

    def __post_init__(self):
        for field in ("name", "detail"):
            if not isinstance(getattr(self, field), str):
                raise TypeError(f"{field} must be a str, got {type(getattr(self, field)).__name__}")
        _v.boolean(self.holds, "holds")
        if isinstance(self.margin, (bool, np.bool_)) or not isinstance(self.margin, numbers.Real):
            raise TypeError(f"margin must be a real number, got {type(self.margin).__name__}")
        if np.isnan(self.margin) or self.margin == -np.inf:
            raise ValueError(f"margin must be a number or +inf (nothing to separate), got {self.margin}")

    def __bool__(self):
        return bool(self.holds)

    def __str__(self):
        return f"{self.name}: {'holds' if self.holds else 'FAILS'} ({self.detail})"


class ResetExpansion:
    r"""Series :math:`\rho_g=\sum_n g^n\rho_n` for :math:`(\mathcal L_0+g\mathcal L_1)\rho_g=0`, :math:`\mathcal L_1=-i[H,\cdot]`.

    :math:`\mathcal L_0` is a reset dissipator with
    :math:`\ker\mathcal L_0=\{E(r)\}` and :math:`\operatorname{Ran}\mathcal L_0=\ker\operatorname{tr}_{env}`
    (see the module docstring for the derivation, steps (S1)-(S2)).

    Parameters
    ----------
    H : ndarray, shape ``(d, d)``
    embed : callable ``(..., n_S, n_S) -> (..., d, d)``
        :math:`E`, e.g. :math:`r\mapsto\tau_A\otimes r\otimes\tau_B`.
    trace_env : callable ``(..., d, d) -> (..., n_S, n_S)``
        :math:`\operatorname{tr}_{env}`, with :math:`\operatorname{tr}_{env}\circ E=\mathrm{id}`.
    L0_inv : callable ``(..., d, d) -> (..., d, d)``
        :math:`\mathcal L_0^{-1}` on :math:`\ker\operatorname{tr}_{env}`.
    n_S : int
        Dimension of the system factor.
    label : str
        Name of the system factor ("C", "CB", "AC"), for messages.
    phi_scale : float
        Natural size of :math:`\Phi` (:math:`\|H\|^2/\gamma`), the scale of the Coup test.
    env : tuple ``(tau_left, tau_right)`` of arrays, optional
        The reset states around the system factor when :math:`E(r)=\tau_l\otimes r\otimes\tau_r`
        (``np.eye(1)`` for an absent side; :class:`Perturbative` passes them).  Then
        :attr:`Phi_D` is computed in :math:`O(n_Sd^2)` operations instead of
        :math:`O(n_Sd^3)` (see ``_phi_D_structured``); ``L0_inv`` must commute with
        :math:`X\mapsto WXW^*` for :math:`W=I\otimes V\otimes I` (true of (7.10) and of
        :math:`-X/\gamma_\#`).

    Attributes
    ----------
    H_tau : ndarray ``(n_S, n_S)``
        :math:`\bar H^\tau=\operatorname{tr}_{env}(H\,E(I))`, eqs. (7.7), (7.15), (7.16).
    e_tau : ndarray ``(n_S,)``; V_tau : ndarray ``(n_S, n_S)``
        Its eigenvalues (ascending) and orthonormal eigenvectors :math:`\varphi^\tau_j` (columns).
    """

    def __init__(self, H, embed, trace_env, L0_inv, n_S, label, phi_scale=0.0, env=None, *, _trusted=False,
                 _l0_coef=None):
        if not _trusted:
            H = _v.hermitian(H, "H")
            if H.ndim != 2:
                raise ValueError(f"H must be a single (d, d) matrix, got shape {H.shape}")
            for f, name in ((embed, "embed"), (trace_env, "trace_env"), (L0_inv, "L0_inv")):
                _v.callable_checked(f, name)
            n_S = _v.integer(n_S, "n_S", minimum=1)
            label = _v.choice(label, "label", _LABELS)
            phi_scale = _v.positive_real(phi_scale, "phi_scale", allow_zero=True)
            if phi_scale.ndim:
                raise ValueError(f"phi_scale must be a scalar, got shape {phi_scale.shape}")
            if env is not None:
                if not isinstance(env, (tuple, list)) or len(env) != 2:
                    raise ValueError("env must be a pair (tau_left, tau_right) of density matrices")
                env = (_v.density(env[0], "env[0]"), _v.density(env[1], "env[1]"))
                if any(t.ndim != 2 for t in env):
                    raise ValueError("env must be a pair of single density matrices (no leading axes)")
                if env[0].shape[0] * n_S * env[1].shape[0] != H.shape[0]:
                    raise ValueError(f"env dimensions {env[0].shape[0]} x n_S={n_S} x {env[1].shape[0]} "
                                     f"must multiply to the size {H.shape[0]} of H")
        self.H = H
        self._env = None if env is None else tuple(np.asarray(t, dtype=complex) for t in env)
        # (c, a, b) with L0_inv(X) = c (X + a tau_l ⊗ tr_l X + b tr_r X ⊗ tau_r) (internal callers only)
        self._l0_coef = None if (_l0_coef is None or env is None) else tuple(float(v) for v in _l0_coef)
        self.phi_scale = float(phi_scale)
        self.embed = embed
        self.trace_env = trace_env
        self.L0_inv = L0_inv
        self.n_S = int(n_S)
        self.label = label
        E1 = embed(np.eye(self.n_S, dtype=complex))
        if not _trusted:
            if np.shape(E1) != H.shape:
                raise ValueError(f"embed must map (n_S, n_S) = {(self.n_S,) * 2} matrices to the {H.shape} "
                                 f"matrices of H, got shape {np.shape(E1)}")
            if np.shape(trace_env(E1)) != (self.n_S, self.n_S):
                raise ValueError(f"trace_env must map {H.shape} matrices to (n_S, n_S) = {(self.n_S,) * 2}, "
                                 f"got shape {np.shape(trace_env(E1))}")
        self.H_tau = trace_env(H @ E1)
        self.H_tau = 0.5 * (self.H_tau + dagger(self.H_tau))
        if not np.all(np.isfinite(self.H_tau)):
            raise ValueError("H_tau = trace_env(H embed(I)) must be finite (check embed and trace_env)")
        self.e_tau, self.V_tau = np.linalg.eigh(self.H_tau)
        self._series = None

    def _sq(self, X, name):
        return _v.as_square(X, name, self.n_S)

    # --- Diag^tau ----------------------------------------------------------------

    def _to_eig(self, X):
        return dagger(self.V_tau) @ X @ self.V_tau

    def _from_eig(self, Y):
        return self.V_tau @ Y @ dagger(self.V_tau)

    def _diag(self, X):
        return self._from_eig(np.eye(self.n_S) * self._to_eig(X))

    def to_eig(self, X):
        """Matrix elements in the eigenbasis of H_tau, ``(..., n_S, n_S)``."""
        return self._to_eig(self._sq(X, "X"))

    def from_eig(self, Y):
        """Inverse of :meth:`to_eig`."""
        return self._from_eig(self._sq(Y, "Y"))

    def diag(self, X):
        r""":math:`\operatorname{Diag}^\tau X`: diagonal part in the eigenbasis :math:`\{\varphi^\tau_j\}`, shape ``(..., n_S, n_S)``."""
        return self._diag(self._sq(X, "X"))

    def offdiag(self, X):
        r""":math:`\operatorname{Offdiag}^\tau X = X-\operatorname{Diag}^\tau X`."""
        X = self._sq(X, "X")
        return X - self._diag(X)

    @cached_property
    def diag_superop(self):
        r"""Matrix of :math:`\operatorname{Diag}^\tau` on :math:`B(\mathcal H_S)`, shape ``(n_S², n_S²)`` (row-major vec)."""
        _guard(16.0 * 3 * self.n_S ** 4, f"the matrix of Diag^tau ({self.n_S ** 2}x{self.n_S ** 2})")
        return linear_map_matrix(self._diag, self.n_S)

    # --- Phi, Phi_D ----------------------------------------------------------------

    def _double(self, X):
        r""":math:`\operatorname{tr}_{env}[H,\mathcal L_0^{-1}([H,X])]` for ``X`` of shape ``(..., d, d)``."""
        return self.trace_env(_comm(self.H, self.L0_inv(_comm(self.H, X))))

    def Phi_apply(self, X):
        r""":math:`\Phi(X)=\operatorname{tr}_{env}[H,\mathcal L_0^{-1}([H,E(\operatorname{Diag}^\tau X)])]`, eqs. (7.8), (7.17)."""
        return self._phi(self._sq(X, "X"))

    def _phi(self, X):
        return self._double(self.embed(self._diag(X)))

    @cached_property
    def Phi(self):
        r""":math:`\Phi` as an explicit matrix on :math:`B(\mathcal H_S)`, shape ``(n_S², n_S²)`` (row-major vec, canonical basis)."""
        d = self.H.shape[-1]
        _guard(16.0 * 4 * self.n_S ** 2 * d * d, f"the matrix of Phi ({self.n_S ** 2} images of {d}x{d} matrices)")
        return linear_map_matrix(self._phi, self.n_S)

    @cached_property
    def Phi_on_diag(self):
        r""":math:`\Phi` restricted to diagonal matrices, shape ``(n_S², n_S)``.

        Column :math:`k` is :math:`\operatorname{vec}\Phi(|\varphi^\tau_k\rangle\langle\varphi^\tau_k|)`
        (canonical basis, row-major): for the §8 chain and :math:`\#=A` this is the
        "16×4 matrix" of §8.2; :attr:`Phi_D` is its Diag part.
        """
        d = self.H.shape[-1]
        _guard(16.0 * 4 * self.n_S * d * d, f"Phi on diagonal matrices ({self.n_S} images of {d}x{d} matrices)")
        P = self.V_tau.T[:, :, None] * np.conj(self.V_tau.T)[:, None, :]
        out = self._double(self.embed(P))
        return np.ascontiguousarray(out.reshape(self.n_S, -1).T)

    @cached_property
    def Phi_D(self):
        r""":math:`\Phi_D` of eqs. (7.9), (7.18), shape ``(n_S, n_S)``, real.

        :math:`(\Phi_D)_{jk}=\langle\varphi^\tau_j|\Phi(|\varphi^\tau_k\rangle\langle\varphi^\tau_k|)|\varphi^\tau_j\rangle`:
        the matrix of :math:`\operatorname{Diag}^\tau\Phi` on diagonal matrices,
        acting on the vector of their eigenbasis entries.  Its columns sum to 0
        (:math:`\operatorname{Ran}\Phi\subset\{\operatorname{tr}=0\}`).
        """
        d = self.H.shape[-1]
        if self._l0_coef is not None and self._env is not None:
            _guard(16.0 * 6 * d * d, f"Phi_D (six {d}x{d} arrays)")
            return self._phi_D_closed()
        _guard(16.0 * 5 * self.n_S * d * d, f"Phi_D ({self.n_S} images of {d}x{d} matrices)")
        if self._env is not None:
            return self._phi_D_structured()
        n = self.n_S
        P = self.V_tau.T[:, :, None] * np.conj(self.V_tau.T)[:, None, :]  # P[k] = |phi_k><phi_k|
        out = self._to_eig(self._double(self.embed(P)))  # (n, n, n)
        return np.real(np.diagonal(out, axis1=-2, axis2=-1).T).copy()

    def _phi_D_structured(self):
        r""":math:`\Phi_D` for :math:`E(r)=\tau_l\otimes r\otimes\tau_r`, without products of :math:`d\times d` matrices.

        In the frame :math:`W=I\otimes V^\tau\otimes I` (system factor in the eigenbasis of
        :math:`\bar H^\tau`; ``L0_inv`` commutes with it), with :math:`\tilde H=W^*HW` and
        :math:`E_k=\tau_l\otimes|k\rangle\langle k|\otimes\tau_r`:

        * :math:`\tilde HE_k` is nonzero only in the columns :math:`(l',k,r')`, with entries
          :math:`\sum_{l'',r''}\tilde H_{x,(l''kr'')}(\tau_l)_{l''l'}(\tau_r)_{r''r'}`: all
          :math:`k` together cost :math:`O(d^2n_ln_r)`; :math:`[\tilde H,E_k]=\tilde HE_k-(\tilde HE_k)^*`;
        * :math:`Y_k=\mathcal L_0^{-1}([\tilde H,E_k])` (closed form, :math:`O(d^2)` each);
        * :math:`(\Phi_D)_{jk}=\sum_{x=(l,j,r)}[\tilde H,Y_k]_{xx}` needs only diagonals:
          :math:`[\tilde H,Y]_{xx}=\sum_y\tilde H_{xy}Y_{yx}-Y_{xy}\tilde H_{yx}`, :math:`O(d^2)`.

        Total :math:`O(n_Sd^2)` time and memory (the generic path: :math:`4n_S` products of
        :math:`d\times d` matrices); the same numbers to round-off.
        """
        tl, tr = self._env
        nl, nr, n = tl.shape[0], tr.shape[0], self.n_S
        d = nl * n * nr
        V = self.V_tau
        h = np.asarray(self.H, dtype=complex).reshape(nl, n, nr, nl, n, nr)
        h = np.tensordot(np.conj(V), h, axes=([0], [1]))            # (j, a, b, c, y, d)
        h = np.tensordot(h, V, axes=([4], [0]))                      # (j, a, b, c, d, k)
        h = np.ascontiguousarray(h.transpose(1, 0, 2, 3, 5, 4))      # H~[(a j b), (c k d)]
        # B[k, x, l', r'] = sum_{l'', r''} H~[x, (l'' k r'')] tau_l[l'', l'] tau_r[r'', r']
        B = np.einsum("ajbLkR,Lc,Rd->kajbcd", h, tl, tr, optimize=True)
        X = np.zeros((n, nl, n, nr, nl, n, nr), dtype=complex)
        k = np.arange(n)
        X[k, :, :, :, :, k, :] = B                                   # H~ E_k
        X = X.reshape(n, d, d)
        X = X - dagger(X)                                            # [H~, E_k]
        Y = self.L0_inv(X)
        hd = h.reshape(d, d)
        T = np.einsum("xy,kyx->kx", hd, Y) - np.einsum("kxy,yx->kx", Y, hd)
        return np.real(T.reshape(n, nl, n, nr).sum(axis=(1, 3)).T).copy()

    def _phi_D_closed(self):
        r""":math:`\Phi_D` in :math:`O(d^2)` memory (:math:`O(d^2(n_S+n_ln_r))` time), no stack of images.

        With :math:`\mathcal L_0^{-1}X=c\,(X+a\,\tau_l\otimes\operatorname{tr}_lX+b\,\operatorname{tr}_rX\otimes\tau_r)`
        (``_l0_coef``; (7.10) for the full expansion, :math:`-X/\gamma_\#` for the partial ones),
        :math:`P_j=I\otimes|j\rangle\langle j|\otimes I`, :math:`E_k=\tau_l\otimes|k\rangle\langle k|\otimes\tau_r`
        in the frame of :math:`\bar H^\tau` (:math:`\tilde H`), for :math:`j\neq k`

        .. math::

            (\Phi_D)_{jk}=\operatorname{tr}\big([P_j,\tilde H]\,\mathcal L_0^{-1}[\tilde H,E_k]\big)
            =-2c\,\operatorname{Re}\big(\operatorname{tr}P_j\tilde HE_k\tilde H
              +a\operatorname{tr}p_jh_lq_kh_l+b\operatorname{tr}p'_jh_rq'_kh_r\big),

        with :math:`h_l=\operatorname{tr}_l((\tau_l\otimes I)\tilde H)`, :math:`q_k=|k\rangle\langle k|\otimes\tau_r`
        (and mirrored for :math:`r`), using :math:`P_jE_k=0` and the cyclicity of the partial traces;
        the diagonal follows from the zero column sums (:math:`\operatorname{Ran}\Phi\subset\{\operatorname{tr}=0\}`).
        The same numbers as the stacked path (``_phi_D_structured``) to round-off.
        """
        tl, tr = self._env
        c, a, b = self._l0_coef
        nl, nr, n = tl.shape[0], tr.shape[0], self.n_S
        V = self.V_tau
        h = np.asarray(self.H, dtype=complex).reshape(nl, n, nr, nl, n, nr)
        h = np.tensordot(np.conj(V), h, axes=([0], [1]))            # (j, a, b, c, y, d)
        h = np.tensordot(h, V, axes=([4], [0]))                      # (j, a, b, c, d, k)
        h = np.ascontiguousarray(h.transpose(1, 0, 2, 3, 5, 4))      # H~[a j b, c k d]
        F = np.einsum("ajbckd,cC,dD->ajbCkD", h, tl, tr, optimize=True)
        hT = h.reshape(nl * n * nr, -1).T.reshape(h.shape)           # H~[c k d, a j b] at [a j b c k d]
        T = np.einsum("ajbckd,ajbckd->jk", F, hT)
        del F, hT
        if a:
            h2 = np.einsum("ca,ajbckd->jbkd", tl, h)                 # tr_l((tau_l ⊗ I) H~)
            T = T + a * np.einsum("jbkd,dD,kDjb->jk", h2, tr, h2, optimize=True)
        if b:
            h3 = np.einsum("db,ajbckd->ajck", tr, h)                 # tr_r(H~ (I ⊗ tau_r))
            T = T + b * np.einsum("ajck,cC,Ckaj->jk", h3, tl, h3, optimize=True)
        out = -2.0 * c * np.real(T)
        np.fill_diagonal(out, 0.0)
        np.fill_diagonal(out, -out.sum(axis=0))
        return out

    def _phi_D_solve(self, rhs, trace):
        """Diagonal entries q with Phi_D q = rhs and sum(q) = trace (rhs real, shape (n_S,))."""
        A = np.vstack([self.Phi_D, np.ones((1, self.n_S))])
        b = np.concatenate([rhs, [trace]])
        q, *_ = np.linalg.lstsq(A.astype(complex), b.astype(complex), rcond=None)
        return q

    # --- hypotheses -------------------------------------------------------------------

    def _name(self, kind):
        suffix = {"C": "", "CB": "_A", "AC": "_B"}[self.label]
        if kind == "Coup":
            return "Coup" + {"C": "", "CB": "^A", "AC": "^B"}[self.label]
        return f"{kind}(H^tau{suffix})"

    def check_spec(self, tol=HYP_TOL):
        r"""Spec(:math:`\bar H^\tau`), first half: the spectrum is simple (relative tolerance ``tol``).

        This is the part the expansion uses: :math:`\ker[\bar H^\tau,\cdot]` is then
        :math:`\operatorname{Diag}^\tau B(\mathcal H_S)` and (S1) divides by :math:`e_j-e_k`.
        """
        tol = _v.tolerance(tol)
        e = self.e_tau
        scale = max(1.0, float(np.max(np.abs(e)))) if e.size else 1.0
        gap = float(np.min(np.diff(e))) if e.size > 1 else np.inf
        holds = gap / scale > tol
        detail = (f"min eigenvalue gap {gap:.3e}" if holds
                  else f"degenerate eigenvalues (min gap {gap:.3e}): Offdiag part of (7.14) undefined")
        return HypothesisCheck(self._name("Spec"), bool(holds), detail, gap / scale)

    def check_bohr(self, tol=HYP_TOL):
        r"""Spec(:math:`\bar H^\tau`), second half: the Bohr frequencies :math:`e_j-e_k`, :math:`j\neq k`, are distinct.

        Part of the paper's hypothesis, but not used by the expansion
        (:class:`Perturbative` with ``strict=True`` does not raise on it).
        """
        tol = _v.tolerance(tol)
        e = self.e_tau
        n = e.size
        scale = max(1.0, float(np.max(np.abs(e)))) if n else 1.0
        bohr = (e[:, None] - e[None, :])[~np.eye(n, dtype=bool)]
        bgap = float(np.min(np.diff(np.sort(bohr)))) if bohr.size > 1 else np.inf
        holds = bgap / scale > tol
        detail = (f"min gap between Bohr frequencies {bgap:.3e}" if holds
                  else f"coinciding Bohr frequencies (min gap {bgap:.3e}); not needed by the expansion")
        return HypothesisCheck(self._name("Bohr"), bool(holds), detail, bgap / scale)

    def check_coup(self, tol=HYP_TOL):
        r"""Coup: :math:`\dim\ker\Phi_D=1`.

        Singular values of :math:`\Phi_D` below ``tol`` times
        ``max(largest singular value, phi_scale)`` count as zero, where
        ``phi_scale`` :math:`=\|H\|^2/\gamma` is the natural size of :math:`\Phi`.
        """
        tol = _v.tolerance(tol)
        s = np.linalg.svd(self.Phi_D, compute_uv=False)
        scale = max(float(s[0]) if s.size else 0.0, self.phi_scale)
        name = self._name("Coup")
        if scale == 0.0:
            return HypothesisCheck(name, False, f"Phi_D = 0: dim ker Phi_D = {self.n_S}", 0.0)
        null = int(np.sum(s <= tol * scale))
        margin = float(s[-2] / scale) if s.size > 1 else np.inf
        holds = null == 1
        detail = (f"dim ker Phi_D = {null}, smallest singular values / scale = "
                  + ", ".join(f"{x / scale:.3e}" for x in s[-min(3, s.size):]))
        return HypothesisCheck(name, bool(holds), detail, margin)

    # --- the series ---------------------------------------------------------------------

    @cached_property
    def r0(self):
        r"""Leading state of the system factor, :math:`\ker\Phi_D\cap DM`, shape ``(n_S, n_S)``."""
        _, s, vh = np.linalg.svd(self.Phi_D)
        p = np.real(vh[-1])
        p = p / np.sum(p)
        return self._from_eig(np.diag(p.astype(complex)))

    def _next(self, rho_prev):
        """(R_n, r_n, rho_n) from rho_{n-1}, steps (S1)-(S2)."""
        H = self.H
        R = 1j * self.L0_inv(_comm(H, rho_prev))
        Y = self._to_eig(-self.trace_env(_comm(H, R)))  # = [H_tau, r_n] in the eigenbasis
        de = self.e_tau[:, None] - self.e_tau[None, :]
        off = ~np.eye(self.n_S, dtype=bool)
        r_off_e = np.zeros_like(Y)
        r_off_e[off] = Y[off] / de[off]
        r_off = self._from_eig(r_off_e)
        Z = self._to_eig(self._double(R + self.embed(r_off)))
        q = self._phi_D_solve(-np.real(np.diagonal(Z)), -np.real(np.trace(R)))
        r = r_off + self._from_eig(np.diag(q))
        return R, r, R + self.embed(r)

    def series(self, n):
        r"""Coefficients :math:`\rho_0,\dots,\rho_n` (full matrices), shape ``(n+1, d, d)``.

        Computed by the recursion (S1)-(S2) of the module docstring; ``n`` an integer in
        ``[0, MAX_ORDER]`` (the bound of the loop).
        """
        return self._series_core(_order(n))

    def _series_core(self, n):
        if self._series is None:
            self._series = {"rho": [self.embed(self.r0)], "R": [None], "r": [self.r0]}
        s = self._series
        while len(s["rho"]) <= n:
            R, r, rho = self._next(s["rho"][-1])
            s["rho"].append(rho)
            s["R"].append(R)
            s["r"].append(r)
        return np.stack(s["rho"][: n + 1])

    @property
    def rho0(self):
        """:math:`\\rho_0=E(r_0)`, shape ``(d, d)``."""
        return self._series_core(0)[0]

    @property
    def rho1(self):
        """:math:`\\rho_1`, shape ``(d, d)``."""
        return self._series_core(1)[1]

    @property
    def R1(self):
        """:math:`R_1=i\\mathcal L_0^{-1}([H,\\rho_0])`, eq. (7.13), shape ``(d, d)``."""
        self._series_core(1)
        return self._series["R"][1]

    @property
    def r1(self):
        """System part :math:`r^{(1)}` of :math:`\\rho_1`, eq. (7.14), shape ``(n_S, n_S)``."""
        self._series_core(1)
        return self._series["r"][1]

    def rho1_as_printed(self):
        r""":math:`\rho_1` with (7.14) read literally (an :math:`i` inside :math:`\mathcal L_0^{-1}` of the Diag line).

        Kept to document the interpretation; not used elsewhere.  Equals
        :math:`R_1+E(\operatorname{Offdiag}r^{(1)}+i\operatorname{Diag}r^{(1)})`.
        """
        self._series_core(1)
        R, r = self._series["R"][1], self._series["r"][1]
        r_off = r - self._diag(r)
        Z = self._to_eig(self.trace_env(_comm(self.H, self.L0_inv(1j * _comm(self.H, R + self.embed(r_off))))))
        q = self._phi_D_solve(-np.diagonal(Z), 0.0)
        return R + self.embed(r_off + self._from_eig(np.diag(q)))


# --- Lemma 7.11 ------------------------------------------------------------------------

def _lemma_args(H, K, f):
    H = _v.as_square(H, "H")
    if H.ndim != 2:
        raise ValueError(f"H must be a single (d, d) matrix, got shape {H.shape}")
    K = _v.as_square(K, "K")
    if K.shape != H.shape:
        raise ValueError(f"H and K must have the same size, got H {H.shape} and K {K.shape}")
    if K.ndim != 2:
        raise ValueError(f"K must be a single (d, d) matrix, got shape {K.shape}")
    return H, K, _v.callable_checked(f, "f")


def _f_of(f, lam):
    if f is np.log and (np.any(np.abs(np.imag(lam)) > 1e-12 * max(1.0, float(np.max(np.abs(lam)))))
                        or np.any(np.real(lam) <= 0)):
        raise ValueError("K must be positive definite for the default f = np.log (Remark 7.12: K > 0), "
                         f"got eigenvalues {np.round(lam, 6)}")
    with np.errstate(all="ignore"):
        fl = np.asarray(f(lam))
    if fl.shape != lam.shape or fl.dtype.kind not in "iufc" or not np.all(np.isfinite(fl)):
        raise ValueError("f must return finite numbers on the spectrum of K (for the default f = np.log: "
                         "K must be positive definite)")
    return fl


def _normal_eig(K):
    K = np.asarray(K, dtype=complex)
    if np.allclose(K, dagger(K), atol=1e-13 * max(1.0, float(np.max(np.abs(K))))):
        w, v = np.linalg.eigh(0.5 * (K + dagger(K)))
        return w.astype(complex), v.astype(complex)
    from scipy.linalg import schur

    T, Z = schur(K, output="complex")
    off = T - np.diag(np.diag(T))
    if np.max(np.abs(off)) > 1e-10 * max(1.0, float(np.max(np.abs(T)))):
        raise ValueError("K must be normal (its Schur form is not diagonal)")
    return np.diag(T).copy(), Z


def double_commutator_trace(H, K, f=np.log):
    r""":math:`\operatorname{tr}\big([[H,K],f(K)]H\big)`, left side of eqs. (7.51)-(7.52).

    Parameters
    ----------
    H : array_like, shape ``(d, d)``
    K : array_like, shape ``(d, d)``, normal
    f : callable on the eigenvalues of ``K`` (default ``np.log``, for :math:`K>0`)

    Returns
    -------
    complex
    """
    H, K, f = _lemma_args(H, K, f)
    lam, V = _normal_eig(K)
    fK = (V * _f_of(f, lam)[None, :]) @ dagger(V)
    return complex(np.trace(_comm(_comm(H, K), fK) @ H))


def double_commutator_trace_spectral(H, K, f=np.log):
    r"""Right side of eq. (7.51):

    .. math:: \sum_{j,k}\langle\varphi_j|H\varphi_k\rangle\langle\varphi_k|H\varphi_j\rangle
              (\lambda_j-\lambda_k)(f(\lambda_j)-f(\lambda_k)),

    with :math:`K=\sum_i\lambda_i|\varphi_i\rangle\langle\varphi_i|` normal.  For
    :math:`H=H^*`, :math:`K>0`, :math:`f=\ln` every term is :math:`\ge0` (Remark 7.12).
    """
    H, K, f = _lemma_args(H, K, f)
    lam, V = _normal_eig(K)
    h = dagger(V) @ H @ V
    fl = _f_of(f, lam)
    return complex(np.sum(h * h.T * (lam[:, None] - lam[None, :]) * (fl[:, None] - fl[None, :])))


# --- the tri-partite perturbative data ----------------------------------------------------

class Perturbative:
    r"""Perturbative data of a tri-partite QRM (Section 7), from :meth:`qrmlib.tripartite.TripartiteQRM.perturbative`.

    Parameters
    ----------
    model : TripartiteQRM
    strict : bool
        If True, raise ``ValueError`` listing the failing hypotheses
        (Spec(:math:`\bar H^\tau`), Spec(:math:`\bar H^{\tau_\#}`) as simple spectra, Coup,
        Coup#, Pos).  Coinciding Bohr frequencies are reported by
        :meth:`hypotheses` but do not raise: the expansion does not use them
        (the paper's Fig. 3-4 point :math:`t_B=0.7` has coinciding Bohr
        frequencies of :math:`\bar H^{\tau_B}`, :math:`0.29-0.16=0.16-0.03`).

    Attributes
    ----------
    H_tau : ``(n_C, n_C)``
        :math:`\bar H^\tau`, eq. (7.7).
    H_tau_A : ``(n_C n_B, n_C n_B)``; H_tau_B : ``(n_A n_C, n_A n_C)``
        :math:`\bar H^{\tau_A}`, :math:`\bar H^{\tau_B}`, eqs. (7.15)-(7.16).
    Phi : ``(n_C², n_C²)``; Phi_D : ``(n_C, n_C)``
        eqs. (7.8)-(7.9) (:math:`\Phi_D` acts on diagonal entries in the eigenbasis of :math:`\bar H^\tau`).
    Phi_A, Phi_D_A, Phi_B, Phi_D_B
        eqs. (7.17)-(7.18) and their B analogues.
    rho0_C ``(n_C, n_C)``, rho0 ``(d, d)``, R1 ``(d, d)``, r1_C ``(n_C, n_C)``, rho1 ``(d, d)``
        eqs. (7.11)-(7.14).
    rho0_CB, rho0_AC; rho0_A, rho0_B, rho1_A, rho1_B ``(d, d)``
        eqs. (7.19)-(7.20) (:math:`\rho^A_0=\tau_A\otimes\rho^{CB}_0`, :math:`\rho^B_0=\rho^{AC}_0\otimes\tau_B`).
    Q1, Q1_A, Q1_B ``(d, d)``
        eqs. (7.23)-(7.24), via :func:`qrmlib.linalg.dlog`.
    a_A, b_A, c_A, a_B, b_B, c_B : float
        Coefficients of Proposition 7.7 / eq. (7.34).
    """

    def __init__(self, model, *, strict=True):
        from .tripartite import _model_checked

        self.model = m = _model_checked(model)
        strict = _v.boolean(strict, "strict")
        gA, gB = m.gamma_A, m.gamma_B

        def inv_A(X):
            _check_range(m._tr_A(X), X, "tr_A", "D_A^{-1}")
            return -X / gA

        def inv_B(X):
            _check_range(m._tr_B(X), X, "tr_B", "D_B^{-1}")
            return -X / gB

        h2 = float(np.linalg.norm(m.H, 2)) ** 2
        one = np.eye(1, dtype=complex)
        self.full = ResetExpansion(m.H, m._embed_C, m._tr_AB, m._L0_inv, m.n_C, "C", h2 / min(gA, gB),
                                   env=(m.tau_A, m.tau_B), _trusted=True,
                                   _l0_coef=(-1.0 / (gA + gB), gA / gB, gB / gA))
        self.part_A = ResetExpansion(m.H, m._embed_CB, m._tr_A, inv_A, m.n_C * m.n_B, "CB", h2 / gA,
                                     env=(m.tau_A, one), _trusted=True, _l0_coef=(-1.0 / gA, 0.0, 0.0))
        self.part_B = ResetExpansion(m.H, m._embed_AC, m._tr_B, inv_B, m.n_A * m.n_C, "AC", h2 / gB,
                                     env=(one, m.tau_B), _trusted=True, _l0_coef=(-1.0 / gB, 0.0, 0.0))
        if strict:
            bad = [c for k, c in self.hypotheses().items() if not c.holds and not k.startswith("Bohr")]
            if bad:
                raise ValueError("hypotheses of Theorem 7.2 fail: " + "; ".join(str(c) for c in bad))

    # --- hypotheses ---------------------------------------------------------------

    def hypotheses(self, tol=HYP_TOL):
        r"""Checks of Spec(:math:`\bar H^\tau`), Spec(:math:`\bar H^{\tau_\#}`), Coup, Coup#, Pos.

        Returns
        -------
        dict[str, HypothesisCheck]
            Keys ``"Spec(H^tau)"``, ``"Bohr(H^tau)"`` (and ``_A``, ``_B``),
            ``"Coup"``, ``"Coup^A"``, ``"Coup^B"``, ``"Pos"``.  Each entry says
            whether the hypothesis holds and, if not, what fails (degenerate
            eigenvalue, coinciding Bohr frequencies, dimension of
            :math:`\ker\Phi_D`, smallest eigenvalue of the offending state).
            The paper's Spec is ``Spec`` and ``Bohr`` together; only ``Spec``
            (simple spectrum) is needed by the expansion.
        """
        tol = _v.tolerance(tol)
        out = {}
        for ex in (self.full, self.part_A, self.part_B):
            for c in (ex.check_spec(tol), ex.check_bohr(tol)):
                out[c.name] = c
        coup = {}
        for ex in (self.full, self.part_A, self.part_B):
            c = ex.check_coup(tol)
            out[c.name] = coup[ex.label] = c
        m = self.model
        mins = {"tau_A": np.linalg.eigvalsh(m.tau_A)[0], "tau_B": np.linalg.eigvalsh(m.tau_B)[0]}
        for label, name, ex in (("C", "rho0_C", self.full), ("CB", "rho0_CB", self.part_A),
                                ("AC", "rho0_AC", self.part_B)):
            mins[name] = np.linalg.eigvalsh(ex.r0)[0] if coup[label].holds else np.nan
        fails = [f"{k} has smallest eigenvalue {v:.3e}" if np.isfinite(v) else f"{k} undefined (Coup fails)"
                 for k, v in mins.items() if not (np.isfinite(v) and v > tol)]
        margin = float(np.nanmin(list(mins.values())))
        detail = "; ".join(fails) if fails else "smallest eigenvalues " + ", ".join(
            f"{k} {v:.3e}" for k, v in mins.items())
        out["Pos"] = HypothesisCheck("Pos", not fails, detail, margin)
        return out

    def hypotheses_report(self, tol=HYP_TOL):
        """One line per hypothesis, as a string."""
        return "\n".join(str(c) for c in self.hypotheses(tol).values())

    # --- (7.7)-(7.14) ------------------------------------------------------------

    @property
    def H_tau(self):
        return self.full.H_tau

    @property
    def H_tau_A(self):
        return self.part_A.H_tau

    @property
    def H_tau_B(self):
        return self.part_B.H_tau

    def diag_tau(self, X):
        r""":math:`\operatorname{Diag}^\tau` on :math:`B(\mathcal H_C)`, shape ``(..., n_C, n_C)``."""
        return self.full._diag(_v.as_square(X, "X", self.model.n_C))

    @property
    def Phi(self):
        return self.full.Phi

    @property
    def Phi_D(self):
        return self.full.Phi_D

    @property
    def Phi_A(self):
        return self.part_A.Phi

    @property
    def Phi_D_A(self):
        return self.part_A.Phi_D

    @property
    def Phi_B(self):
        return self.part_B.Phi

    @property
    def Phi_D_B(self):
        return self.part_B.Phi_D

    @property
    def rho0_C(self):
        return self.full.r0

    @property
    def rho0(self):
        return self.full.rho0

    @property
    def R1(self):
        return self.full.R1

    @property
    def r1_C(self):
        return self.full.r1

    @property
    def rho1(self):
        return self.full.rho1

    def rho1_as_printed(self):
        """:math:`\\rho_1` from (7.14) read literally; see the module docstring."""
        return self.full.rho1_as_printed()

    def series(self, n):
        r""":math:`\rho_0,\dots,\rho_n` of :math:`\rho^+_g=\sum g^k\rho_k`, shape ``(n+1, d, d)``."""
        return self.full.series(n)

    def series_A(self, n):
        r"""Coefficients of :math:`\rho^A_g` (coupling :math:`g`), shape ``(n+1, d, d)``."""
        return self.part_A.series(n)

    def series_B(self, n):
        r"""Coefficients of :math:`\rho^B_g` (coupling :math:`g`), shape ``(n+1, d, d)``."""
        return self.part_B.series(n)

    def steady_state_series(self, g, order=2):
        r""":math:`\sum_{k\le n}g^k\rho_k`, shape ``g.shape + (d, d)`` (real ``g``, zero allowed; ``order`` in ``[0, MAX_ORDER]``)."""
        g = _v.g_checked(g, nonzero=False)
        order = _order(order, "order")
        c = self.full._series_core(order)
        return np.einsum("...k,kij->...ij", g[..., None] ** np.arange(order + 1), c)

    # --- (7.15)-(7.20) ----------------------------------------------------------------

    @property
    def rho0_CB(self):
        return self.part_A.r0

    @property
    def rho0_AC(self):
        return self.part_B.r0

    @property
    def rho0_A(self):
        return self.part_A.rho0

    @property
    def rho0_B(self):
        return self.part_B.rho0

    @property
    def rho1_A(self):
        return self.part_A.rho1

    @property
    def rho1_B(self):
        return self.part_B.rho1

    # --- (7.22)-(7.24) ------------------------------------------------------------------

    @cached_property
    def _eigs(self):
        r"""Eigenpairs of ``rho0``, ``rho0_A``, ``rho0_B`` (validated positive definite), shared by
        the logarithms and the derivatives :math:`D\ln` below: one ``eigh`` per state."""
        return tuple(_eigh_pd(_hermitian(r, "rho")) for r in (self.rho0, self.rho0_A, self.rho0_B))

    @cached_property
    def Q1(self):
        r""":math:`Q_1=D\ln_{\rho_0}[\rho_1]`, eq. (7.23), shape ``(d, d)``."""
        return _dlog_eig(*self._eigs[0], _as_square(self.rho1, "delta", self.rho0.shape[-1]))

    @cached_property
    def Q1_A(self):
        r""":math:`Q^A_1=D\ln_{\rho^A_0}[\rho^A_1]`, eq. (7.24)."""
        return _dlog_eig(*self._eigs[1], _as_square(self.rho1_A, "delta", self.rho0_A.shape[-1]))

    @cached_property
    def Q1_B(self):
        r""":math:`Q^B_1=D\ln_{\rho^B_0}[\rho^B_1]`, eq. (7.24)."""
        return _dlog_eig(*self._eigs[2], _as_square(self.rho1_B, "delta", self.rho0_B.shape[-1]))

    @cached_property
    def _logs(self):
        return tuple(_logm_eig(w, v) for w, v in self._eigs)

    # --- Proposition 7.7 -------------------------------------------------------------------

    @cached_property
    def _coefficients(self):
        m = self.model
        H, r0, r1, Q1 = m.H, self.rho0, self.rho1, self.Q1
        l0, lA, lB = self._logs
        iH0 = 1j * _comm(H, r0)
        iH1 = 1j * _comm(H, r1)
        out = {}
        for k, D, QX, lX in (("A", m._D_A, self.Q1_A, lA), ("B", m._D_B, self.Q1_B, lB)):
            Dr1 = D(r1)
            out["a_" + k] = -_tr_prod(iH0, QX)
            out["b_" + k] = _tr_prod(Dr1, QX) + _tr_prod(iH0, Q1) - _tr_prod(iH1, lX - l0)
            out["c_" + k] = -_tr_prod(Dr1, Q1)
        return out

    def coefficients(self, *, imag=False):
        r"""The six coefficients of eqs. (7.25)-(7.26), (7.34) as a dict.

        With ``imag=True`` the (complex) traces are returned unchanged, so that
        the vanishing of their imaginary parts can be checked.
        """
        imag = _v.boolean(imag, "imag")
        c = self._coefficients
        return dict(c) if imag else {k: float(np.real(v)) for k, v in c.items()}

    a_A = property(lambda self: self.coefficients()["a_A"], doc="a_A = -tr(i[H, rho0] Q^A_1), eq. (7.25)")
    b_A = property(lambda self: self.coefficients()["b_A"], doc="b_A of eq. (7.25)")
    c_A = property(lambda self: self.coefficients()["c_A"], doc="c_A = -tr(D_A(rho1) Q1), eq. (7.25)")
    a_B = property(lambda self: self.coefficients()["a_B"], doc="a_B = -tr(i[H, rho0] Q^B_1), eq. (7.26)")
    b_B = property(lambda self: self.coefficients()["b_B"], doc="b_B of eq. (7.26)")
    c_B = property(lambda self: self.coefficients()["c_B"], doc="c_B = -tr(D_B(rho1) Q1), eq. (7.26)")

    def _sigma2_A(self, lam):
        c = self.coefficients()
        return c["a_A"] * lam**2 + c["b_A"] * lam + c["c_A"]

    def _sigma2_B(self, lam):
        c = self.coefficients()
        mu = 1.0 - lam
        return c["a_B"] * mu**2 + c["b_B"] * mu + c["c_B"]

    def sigma2_A(self, lam):
        r""":math:`\sigma^{(2)}_A(\lambda)=a_A\lambda^2+b_A\lambda+c_A`, eq. (7.25); ``lam`` real, any shape."""
        return self._sigma2_A(_v.lam_checked(lam, endpoints=True))

    def sigma2_B(self, lam):
        r""":math:`\sigma^{(2)}_B(\lambda)=a_B(1-\lambda)^2+b_B(1-\lambda)+c_B`, eq. (7.26)."""
        return self._sigma2_B(_v.lam_checked(lam, endpoints=True))

    def sigma2(self, lam):
        r""":math:`\sigma^{(2)}(\lambda)=\sigma^{(2)}_A(\lambda)+\sigma^{(2)}_B(\lambda)`, eq. (7.34); ``lam`` real, any shape.

        Theorem 7.2: :math:`\sigma(\rho^+_g)=g^2\sigma^{(2)}(\lambda)+O_\lambda(g^3)`.
        """
        lam = _v.lam_checked(lam, endpoints=True)
        return self._sigma2_A(lam) + self._sigma2_B(lam)

    def sigma1_A(self, lam):
        r"""Order-:math:`g` coefficient of :math:`\sigma_A`, first line of (7.29):
        :math:`\operatorname{tr}((-i\lambda[H,\rho_0]+\mathcal D_A(\rho_1))(\ln\rho^A_0-\ln\rho_0))`
        (it vanishes; the paper infers this from positivity)."""
        lam = _v.lam_checked(lam, endpoints=True)
        l0, lA, _ = self._logs
        H = self.model.H
        t1 = np.real(_tr_prod(-1j * _comm(H, self.rho0), lA - l0))
        t2 = np.real(_tr_prod(self.model._D_A(self.rho1), lA - l0))
        return lam * t1 + t2

    def sigma1_B(self, lam):
        r"""Order-:math:`g` coefficient of :math:`\sigma_B` (vanishes), B analogue of :meth:`sigma1_A`."""
        mu = 1.0 - _v.lam_checked(lam, endpoints=True)
        l0, _, lB = self._logs
        H = self.model.H
        t1 = np.real(_tr_prod(-1j * _comm(H, self.rho0), lB - l0))
        t2 = np.real(_tr_prod(self.model._D_B(self.rho1), lB - l0))
        return mu * t1 + t2

    # --- Remark 7.8 and the proof of Proposition 7.4 ----------------------------------------

    def remark_7_8(self):
        r"""Both sides of (7.27): :math:`i[H,\rho_0]` and :math:`\mathcal D_A(\rho_1)+\mathcal D_B(\rho_1)`, each ``(d, d)``."""
        m = self.model
        return 1j * _comm(m.H, self.rho0), m._D_A(self.rho1) + m._D_B(self.rho1)

    def c_total_forms(self):
        r""":math:`c_A+c_B` in the forms of (7.38), (7.39) and (7.46).

        Returns
        -------
        dict with keys
            ``"c_A+c_B"``; ``"7.38"``: :math:`-i\operatorname{tr}([H,\rho_0]Q_1)`;
            ``"7.39"``: :math:`-i\operatorname{tr}([\ln\rho_0,\rho_1]H)`;
            ``"7.46"``: :math:`\frac{1}{\gamma_A+\gamma_B}\big(T(H,\rho_0)+\frac{\gamma_A}{\gamma_B}
            T(\bar H^{\tau_A},\operatorname{tr}_A\rho_0)+\frac{\gamma_B}{\gamma_A}T(\bar H^{\tau_B},
            \operatorname{tr}_B\rho_0)\big)` with :math:`T(H,K)=\operatorname{tr}([[H,K],\ln K]H)`
            (Lemmas 7.9-7.11); all complex.
        """
        m = self.model
        H, r0 = m.H, self.rho0
        l0 = self._logs[0]
        gA, gB = m.gamma_A, m.gamma_B
        c = self.coefficients(imag=True)
        T0 = double_commutator_trace(H, r0)
        TA = double_commutator_trace(self.H_tau_A, m._tr_A(r0))
        TB = double_commutator_trace(self.H_tau_B, m._tr_B(r0))
        return {
            "c_A+c_B": complex(c["c_A"] + c["c_B"]),
            "7.38": complex(-1j * _tr_prod(_comm(H, r0), self.Q1)),
            "7.39": complex(-1j * _tr_prod(_comm(l0, self.rho1), H)),
            "7.46": complex((T0 + gA / gB * TA + gB / gA * TB) / (gA + gB)),
        }


def _check_range(red, X, trname, opname, tol=1e-10):
    scale = max(1.0, float(np.max(np.abs(X)))) if X.size else 1.0
    err = float(np.max(np.abs(red))) if red.size else 0.0
    if err > tol * scale:
        raise ValueError(f"argument of {opname} must satisfy {trname}(X) = 0: max|{trname}(X)| = {err:.3e}")
