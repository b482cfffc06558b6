r"""The three-qubit chain A–C–B of Section 8, and the paper's printed closed forms.

Basis and conventions (eqs. (8.8)-(8.9))
----------------------------------------
:math:`\mathcal H=\mathbb C^2_A\otimes\mathbb C^2_C\otimes\mathbb C^2_B`, tensor order A ⊗ C ⊗ B,
basis :math:`|a\,c\,b\rangle` in the order
:math:`|000\rangle,|001\rangle,\dots,|111\rangle` (index :math:`4a+2c+b`).  On each
qubit :math:`|0\rangle` is the ground state and :math:`|1\rangle\langle1|` the excited
one (energies :math:`e_\#`), and the reset states are
:math:`\tau_\#=\operatorname{diag}(t_\#,1-t_\#)` (eq. (8.4)), so :math:`t_\#` is the
ground-state population.  Energies in units of :math:`\varepsilon`.

Every closed form takes its parameters as arrays that broadcast together;
matrices come out with shape ``broadcast(...) + (n, n)``.  Parameters must be
finite reals (complex is a ``ValueError``) that broadcast; rates ``gamma_*``
are ``> 0``; populations ``t_*`` lie in ``[0, 1]`` (in ``(0, 1)`` where
:math:`\ln\tau_\#` is taken); states are validated and projected exactly
(see :mod:`qrmlib._validate`).

The generic machinery (:class:`qrmlib.tripartite.TripartiteQRM`,
:mod:`qrmlib.perturbation`) is compared with each printed form in
``tests/test_models_chain.py``.  Findings (see the function docstrings):

* hold as printed (to round-off, at the Fig. 3-5 parameters and at random
  parameters): (8.10)/(8.14), (8.11), (8.12), (8.13), (8.16)-(8.17), (8.18),
  (8.20)-(8.23) (with :math:`a_\#=b_\#=0`, :math:`Q^\#_1=0`), (8.24), (8.27),
  (8.28), (8.29), and the orders claimed for Figs. 3-5
  (:math:`T(\rho^+_g,\rho_0+g\rho_1)=O(g^2)`; :math:`\sigma-g^2\sigma^{(2)}` and the flux
  remainders :math:`O(g^4)`, :math:`\sigma-g^2\sigma^{(2)}<0`);
* conventions: "(8.12) with A and B exchanged" for :math:`\bar H^{\tau_B}` holds in
  the basis :math:`|c\,a\rangle` (see :func:`hbar_tau_B`); the "16×4 matrix"
  :math:`\Phi^A_D` of §8.2 is :math:`\Phi^A` restricted to the 4 diagonal
  matrices (:attr:`Perturbative.Phi_D_A` is the 4×4 matrix after the
  projection :math:`\operatorname{Diag}^{\tau_A}`);
* prose, not a formula: "entropy fluxes vanish only for :math:`t_B=t_A`" (§8.4)
  has the exception :math:`t_\#=1/2`, where :math:`\ln\tau_\#\propto I` and
  :math:`\phi_\#\equiv0` for all :math:`g` (by (8.27)); and at the Fig. 3-4 value
  :math:`t_B=0.7` the Bohr frequencies of :math:`\bar H^{\tau_B}` coincide
  (:math:`0.29-0.16=0.16-0.03`), so Spec(:math:`\bar H^{\tau_B}`) fails there as
  stated, although the expansion (which needs only a simple spectrum) holds.
"""

from __future__ import annotations

import numpy as np

from . import _validate as _v
from ._models_qubit import _args
from .linalg import _dlog, _partial_trace

__all__ = [
    "FIG_PARAMS",
    "three_qubit_hamiltonian",
    "reset_state",
    "three_qubit_qrm",
    "hbar_tau",
    "hbar_tau_A",
    "hbar_tau_B",
    "hbar_tau_A_spectrum",
    "partial_steady_state_chain",
    "rho0_C",
    "rho0_chain",
    "rho1",
    "commutator_H_rho0",
    "sigma2_chain",
    "entropy_fluxes_chain",
    "entropy_fluxes_g2_chain",
]

#: Parameters of Figs. 3-5 of the paper (t_B is varied in the figures).
FIG_PARAMS = dict(e_A=0.08, e_B=0.1, e_C=0.05, U=0.1, J_alpha=0.05, J_beta=0.1,
                  gamma_A=0.7, gamma_B=0.6, t_A=0.95)


def _f(**spec):
    """Validated ``name=(value, kind)`` parameters (see ``_models_qubit._args``), broadcast together."""
    return np.broadcast_arrays(*_args(**spec))


def _couplings(J_alpha, J_beta, gamma_A, gamma_B, t_A, t_B, *, open_=False):
    """Parameters of eqs. (8.16)-(8.24); ``J_alpha**2 gamma_B + J_beta**2 gamma_A`` must be > 0."""
    pop = "pop_open" if open_ else "pop"
    out = _f(J_alpha=(J_alpha, "real"), J_beta=(J_beta, "real"), gamma_A=(gamma_A, "rate"),
             gamma_B=(gamma_B, "rate"), t_A=(t_A, pop), t_B=(t_B, pop))
    Ja, Jb, gA, gB = out[:4]
    if np.any(Ja**2 * gB + Jb**2 * gA == 0):
        raise ValueError("J_alpha and J_beta must not both vanish (eq. (8.17) divides by "
                         "J_alpha**2 gamma_B + J_beta**2 gamma_A)")
    return out


def _ket(a, c, b):
    return 4 * a + 2 * c + b


def three_qubit_hamiltonian(e_A, e_B, e_C, U, J_alpha, J_beta):
    r"""Chain Hamiltonian :math:`H=H_0+H_I`, eqs. (8.1)-(8.3), in the basis (8.8).

    .. math::

        H_0 = e_A|1\rangle\langle1|_A + e_C|1\rangle\langle1|_C + e_B|1\rangle\langle1|_B,\\
        H_I = U\big(|11\rangle_{AC}\langle11| + |11\rangle_{CB}\langle11|\big)
             + J_\alpha\big(|01\rangle_{AC}\langle10|+|10\rangle_{AC}\langle01|\big)
             + J_\beta\big(|01\rangle_{CB}\langle10|+|10\rangle_{CB}\langle01|\big).

    Parameters
    ----------
    e_A, e_B, e_C, U, J_alpha, J_beta : array_like (broadcast together), real

    Returns
    -------
    ndarray, shape ``broadcast(...) + (8, 8)``, real symmetric (complex dtype)
    """
    e_A, e_B, e_C, U, Ja, Jb = _f(e_A=(e_A, "real"), e_B=(e_B, "real"), e_C=(e_C, "real"), U=(U, "real"),
                                  J_alpha=(J_alpha, "real"), J_beta=(J_beta, "real"))
    H = np.zeros(e_A.shape + (8, 8), dtype=complex)
    for a in (0, 1):
        for c in (0, 1):
            for b in (0, 1):
                k = _ket(a, c, b)
                H[..., k, k] = e_A * a + e_C * c + e_B * b + U * (a * c + c * b)
    for b in (0, 1):  # A-C hopping |01><10|_AC + h.c.
        i, j = _ket(0, 1, b), _ket(1, 0, b)
        H[..., i, j] = H[..., j, i] = Ja
    for a in (0, 1):  # C-B hopping
        i, j = _ket(a, 0, 1), _ket(a, 1, 0)
        H[..., i, j] = H[..., j, i] = Jb
    return H


def reset_state(t):
    r"""Reset state :math:`\tau=\operatorname{diag}(t,1-t)`, eq. (8.4); shape ``t.shape + (2, 2)``."""
    t = _v.unit_interval(t, "t")
    out = np.zeros(t.shape + (2, 2), dtype=complex)
    out[..., 0, 0] = t
    out[..., 1, 1] = 1 - t
    return out


def three_qubit_qrm(t_A, t_B, e_A=0.08, e_B=0.1, e_C=0.05, U=0.1, J_alpha=0.05, J_beta=0.1,
                    gamma_A=0.7, gamma_B=0.6):
    r"""The chain of Section 8 as a :class:`~qrmlib.tripartite.TripartiteQRM` (eqs. (8.5)-(8.6)).

    Scalars only; defaults are the parameters of Figs. 3-5 (``FIG_PARAMS``).
    """
    from .tripartite import TripartiteQRM

    for name, val in dict(e_A=e_A, e_B=e_B, e_C=e_C, U=U, J_alpha=J_alpha, J_beta=J_beta).items():
        _v.scalar_real(val, name)
    for name, val in dict(gamma_A=gamma_A, gamma_B=gamma_B).items():
        if _v.scalar_real(val, name) <= 0:
            raise ValueError(f"{name} must be > 0 (hypothesis Diss), got {float(val)!r}")
    for name, val in dict(t_A=t_A, t_B=t_B).items():
        _v.scalar_real(val, name)
        _v.unit_interval(val, name)

    H = three_qubit_hamiltonian(e_A, e_B, e_C, U, J_alpha, J_beta)
    return TripartiteQRM(H, reset_state(t_A), reset_state(t_B), gamma_A, gamma_B, dims=(2, 2, 2))


# --- Section 8.2 ---------------------------------------------------------------------

def hbar_tau(e_A, e_B, e_C, U, t_A, t_B):
    r""":math:`\bar H^\tau` of the chain, eq. (8.11), in the basis :math:`\{|0\rangle_C,|1\rangle_C\}`.

    .. math::

        \bar H^\tau=\operatorname{diag}\big(e_A(1-t_A)+e_B(1-t_B),\;
        (e_A+U)(1-t_A)+(e_B+U)(1-t_B)+e_C\big).

    Holds as printed.  Shape ``broadcast(...) + (2, 2)``.
    """
    e_A, e_B, e_C, U, t_A, t_B = _f(e_A=(e_A, "real"), e_B=(e_B, "real"), e_C=(e_C, "real"), U=(U, "real"),
                                    t_A=(t_A, "pop"), t_B=(t_B, "pop"))
    out = np.zeros(e_A.shape + (2, 2), dtype=complex)
    out[..., 0, 0] = e_A * (1 - t_A) + e_B * (1 - t_B)
    out[..., 1, 1] = (e_A + U) * (1 - t_A) + (e_B + U) * (1 - t_B) + e_C
    return out


def hbar_tau_A(e_A, e_B, e_C, U, J_beta, t_A):
    r""":math:`\bar H^{\tau_A}=\operatorname{tr}_A((\tau_A\otimes I)H)`, eq. (8.12), basis :math:`\{|00\rangle,|01\rangle,|10\rangle,|11\rangle\}_{CB}`.

    .. math::

        \begin{pmatrix}e_A(1-t_A)&0&0&0\\ 0&e_A(1-t_A)+e_B&J_\beta&0\\
        0&J_\beta&(e_A+U)(1-t_A)+e_C&0\\ 0&0&0&(e_A+U)(1-t_A)+e_B+e_C+U\end{pmatrix}.

    Holds as printed.  Shape ``broadcast(...) + (4, 4)``.
    """
    e_A, e_B, e_C, U, Jb, t_A = _f(e_A=(e_A, "real"), e_B=(e_B, "real"), e_C=(e_C, "real"), U=(U, "real"),
                                   J_beta=(J_beta, "real"), t_A=(t_A, "pop"))
    s = 1 - t_A
    out = np.zeros(e_A.shape + (4, 4), dtype=complex)
    out[..., 0, 0] = e_A * s
    out[..., 1, 1] = e_A * s + e_B
    out[..., 2, 2] = (e_A + U) * s + e_C
    out[..., 3, 3] = (e_A + U) * s + e_B + e_C + U
    out[..., 1, 2] = out[..., 2, 1] = Jb
    return out


def hbar_tau_B(e_A, e_B, e_C, U, J_alpha, t_B, *, order="AC"):
    r""":math:`\bar H^{\tau_B}=\operatorname{tr}_B((I\otimes\tau_B)H)`: "(8.12) with A and B exchanged".

    The paper's phrase holds in the basis :math:`\{|00\rangle,|01\rangle,|10\rangle,|11\rangle\}_{CA}`
    (C first, the mirror image of (8.12)'s :math:`|cb\rangle`): there the matrix is
    (8.12) with :math:`e_A\leftrightarrow e_B`, :math:`t_A\to t_B`, :math:`J_\beta\to J_\alpha`.
    In the library's basis :math:`|ac\rangle` of :math:`\mathcal H_A\otimes\mathcal H_C`
    (``order="AC"``, the default, what :class:`TripartiteQRM` uses) the middle
    two basis vectors are swapped.

    Parameters
    ----------
    order : {"AC", "CA"}

    Returns
    -------
    ndarray, shape ``broadcast(...) + (4, 4)``
    """
    if order not in ("AC", "CA"):
        raise ValueError(f"order must be 'AC' or 'CA', got {order!r}")
    e_B, e_A, e_C, U, J_alpha, t_B = _f(e_B=(e_B, "real"), e_A=(e_A, "real"), e_C=(e_C, "real"), U=(U, "real"),
                                        J_alpha=(J_alpha, "real"), t_B=(t_B, "pop"))
    m = hbar_tau_A(e_B, e_A, e_C, U, J_alpha, t_B)
    if order == "CA":
        return m
    p = [0, 2, 1, 3]
    return m[..., p, :][..., :, p]


def hbar_tau_A_spectrum(e_A, e_B, e_C, U, J_beta, t_A):
    r"""Spectrum of :math:`\bar H^{\tau_A}`, eq. (8.13), shape ``broadcast(...) + (4,)`` (in the printed order).

    .. math::

        \Big\{e_A(1-t_A),\ (e_A+U)(1-t_A)+e_B+e_C+U,\
        (e_A+\tfrac U2)(1-t_A)+\tfrac{e_B+e_C}2\pm\sqrt{J_\beta^2+(e_B-e_C-U(1-t_A))^2/4}\Big\}.

    Holds as printed.
    """
    e_A, e_B, e_C, U, Jb, t_A = _f(e_A=(e_A, "real"), e_B=(e_B, "real"), e_C=(e_C, "real"), U=(U, "real"),
                                   J_beta=(J_beta, "real"), t_A=(t_A, "pop"))
    s = 1 - t_A
    mid = (e_A + U / 2) * s + (e_B + e_C) / 2
    rad = np.sqrt(Jb**2 + (e_B - e_C - U * s) ** 2 / 4)
    return np.stack([e_A * s, (e_A + U) * s + e_B + e_C + U, mid + rad, mid - rad], axis=-1)


def partial_steady_state_chain(t):
    r""":math:`\rho^\#_g=\tau_\#\otimes\tau_\#\otimes\tau_\#` for all :math:`g`, eqs. (8.10), (8.14).

    ``t`` is :math:`t_A` (for :math:`\rho^A`) or :math:`t_B`.  Holds (exactly, any :math:`g`):
    :math:`H` conserves the number of excitations and :math:`\tau^{\otimes3}` is a
    function of it.  Shape ``t.shape + (8, 8)``.
    """
    tau = reset_state(t)
    k = np.einsum("...ij,...kl->...ikjl", tau, tau).reshape(tau.shape[:-2] + (4, 4))
    return np.einsum("...ij,...kl->...ikjl", k, tau).reshape(tau.shape[:-2] + (8, 8))


# --- Section 8.3 ---------------------------------------------------------------------------

def rho0_C(J_alpha, J_beta, gamma_A, gamma_B, t_A, t_B):
    r""":math:`\rho^C_0`, eq. (8.17), basis :math:`\{|0\rangle_C,|1\rangle_C\}`; holds as printed.

    .. math::

        \rho^C_0=\frac{1}{J_\alpha^2\gamma_B+J_\beta^2\gamma_A}
        \operatorname{diag}\big(J_\alpha^2t_A\gamma_B+J_\beta^2t_B\gamma_A,\;
        J_\alpha^2(1-t_A)\gamma_B+J_\beta^2(1-t_B)\gamma_A\big).
    """
    Ja, Jb, gA, gB, tA, tB = _couplings(J_alpha, J_beta, gamma_A, gamma_B, t_A, t_B)
    N = Ja**2 * gB + Jb**2 * gA
    out = np.zeros(Ja.shape + (2, 2), dtype=complex)
    out[..., 0, 0] = (Ja**2 * tA * gB + Jb**2 * tB * gA) / N
    out[..., 1, 1] = (Ja**2 * (1 - tA) * gB + Jb**2 * (1 - tB) * gA) / N
    return out


def rho0_chain(J_alpha, J_beta, gamma_A, gamma_B, t_A, t_B):
    r""":math:`\rho_0=\tau_A\otimes\rho^C_0\otimes\tau_B`, eq. (8.16) with (8.17); shape ``(..., 8, 8)``."""
    rc = rho0_C(J_alpha, J_beta, gamma_A, gamma_B, t_A, t_B)   # validates the parameters
    tA, tB = reset_state(t_A), reset_state(t_B)
    tA, rc, tB = np.broadcast_arrays(tA, rc, tB)
    k = np.einsum("...ij,...kl->...ikjl", tA, rc).reshape(rc.shape[:-2] + (4, 4))
    return np.einsum("...ij,...kl->...ikjl", k, tB).reshape(rc.shape[:-2] + (8, 8))


def _pref(Ja, Jb, gA, gB, tA, tB):
    return Ja * Jb * (tA - tB) / (Ja**2 * gB + Jb**2 * gA)


def rho1(J_alpha, J_beta, gamma_A, gamma_B, t_A, t_B):
    r""":math:`\rho_1` of the chain, eq. (8.18); holds as printed.

    With :math:`p=J_\alpha J_\beta(t_A-t_B)/(J_\alpha^2\gamma_B+J_\beta^2\gamma_A)`,
    :math:`\rho_1=p\,M` where :math:`M` is the Hermitian matrix with (0-based
    indices in the basis (8.8)) :math:`M_{1,2}=iJ_\alpha t_A`, :math:`M_{2,4}=iJ_\beta t_B`,
    :math:`M_{3,5}=iJ_\beta(1-t_B)`, :math:`M_{5,6}=iJ_\alpha(1-t_A)` (and
    :math:`M_{j,i}=\overline{M_{i,j}}`), all other entries 0.  It does not depend on
    :math:`e_A,e_B,e_C,U`.  Shape ``broadcast(...) + (8, 8)``.
    """
    Ja, Jb, gA, gB, tA, tB = _couplings(J_alpha, J_beta, gamma_A, gamma_B, t_A, t_B)
    p = _pref(Ja, Jb, gA, gB, tA, tB)
    out = np.zeros(Ja.shape + (8, 8), dtype=complex)
    for (i, j), v in {(1, 2): Ja * tA, (2, 4): Jb * tB, (3, 5): Jb * (1 - tB), (5, 6): Ja * (1 - tA)}.items():
        out[..., i, j] = 1j * p * v
        out[..., j, i] = -1j * p * v
    return out


def commutator_H_rho0(J_alpha, J_beta, gamma_A, gamma_B, t_A, t_B):
    r""":math:`[H,\rho_0]` of the chain, eq. (8.24); holds as printed.

    :math:`p` times the real antisymmetric matrix with (0-based)
    :math:`(1,2)=-J_\alpha t_A\gamma_B`, :math:`(2,4)=-J_\beta t_B\gamma_A`,
    :math:`(3,5)=-J_\beta(1-t_B)\gamma_A`, :math:`(5,6)=-J_\alpha(1-t_A)\gamma_B`
    (:math:`p` as in :func:`rho1`).  It vanishes iff :math:`t_A=t_B` (for
    :math:`J_\alpha J_\beta\neq0`).  Independent of :math:`e_\#` and :math:`U`.
    Shape ``broadcast(...) + (8, 8)``.
    """
    Ja, Jb, gA, gB, tA, tB = _couplings(J_alpha, J_beta, gamma_A, gamma_B, t_A, t_B)
    p = _pref(Ja, Jb, gA, gB, tA, tB)
    out = np.zeros(Ja.shape + (8, 8), dtype=complex)
    for (i, j), v in {(1, 2): Ja * tA * gB, (2, 4): Jb * tB * gA, (3, 5): Jb * (1 - tB) * gA,
                      (5, 6): Ja * (1 - tA) * gB}.items():
        out[..., i, j] = -p * v
        out[..., j, i] = p * v
    return out


def sigma2_chain(J_alpha, J_beta, gamma_A, gamma_B, t_A, t_B):
    r""":math:`\sigma^{(2)}` of the chain via eq. (8.23), from the closed forms (8.16)-(8.18), (8.24):

    .. math:: \sigma^{(2)}=-i\operatorname{tr}\big([H,\rho_0]\,Q_1\big),\qquad Q_1=D\ln_{\rho_0}[\rho_1]\ \text{(7.22)}.

    Independent of :math:`\lambda` and of :math:`e_\#, U`.  Requires
    :math:`0<t_A,t_B<1`.  Shape ``broadcast(...)``.
    """
    _couplings(J_alpha, J_beta, gamma_A, gamma_B, t_A, t_B, open_=True)
    r0 = rho0_chain(J_alpha, J_beta, gamma_A, gamma_B, t_A, t_B)
    r1 = rho1(J_alpha, J_beta, gamma_A, gamma_B, t_A, t_B)
    c = commutator_H_rho0(J_alpha, J_beta, gamma_A, gamma_B, t_A, t_B)
    Q1 = _dlog(r0, r1)
    return np.real(-1j * np.einsum("...ij,...ji->...", c, Q1))


# --- Section 8.4: fluxes --------------------------------------------------------------------

def entropy_fluxes_chain(rho, t_A, t_B, gamma_A, gamma_B):
    r"""Entropy fluxes of the chain for all :math:`g`, eq. (8.27):

    .. math::

        \phi_A=\gamma_A\operatorname{tr}\big((\tau_A-\operatorname{tr}_{CB}\rho^+_g)\ln\tau_A\big),\qquad
        \phi_B=\gamma_B\operatorname{tr}\big((\tau_B-\operatorname{tr}_{AC}\rho^+_g)\ln\tau_B\big).

    Parameters
    ----------
    rho : array_like, shape ``(..., 8, 8)``
        The steady state :math:`\rho^+_g` (a state; projected exactly).
    t_A, t_B : array_like in ``(0, 1)``, broadcasting with ``rho.shape[:-2]``
    gamma_A, gamma_B : array_like ``> 0``, broadcasting with ``rho.shape[:-2]``

    Returns
    -------
    phi_A, phi_B : ndarray
    """
    rho = _v.density(rho, "rho", 8)
    tA, tB, gA, gB = _args(t_A=(t_A, "pop_open"), t_B=(t_B, "pop_open"), gamma_A=(gamma_A, "rate"),
                           gamma_B=(gamma_B, "rate"))
    _v.leading_axes(rho=rho.shape[:-2], t_A=tA.shape, t_B=tB.shape, gamma_A=gA.shape, gamma_B=gB.shape)
    pA = np.real(_partial_trace(rho, (2, 2, 2), 0)[..., 0, 0])  # ground population of A
    pB = np.real(_partial_trace(rho, (2, 2, 2), 2)[..., 0, 0])
    lA0, lA1 = np.log(tA), np.log(1 - tA)
    lB0, lB1 = np.log(tB), np.log(1 - tB)
    phi_A = gA * ((tA - pA) * lA0 + ((1 - tA) - (1 - pA)) * lA1)
    phi_B = gB * ((tB - pB) * lB0 + ((1 - tB) - (1 - pB)) * lB1)
    return phi_A, phi_B


def entropy_fluxes_g2_chain(H, rho1, t_A, t_B, g):
    r"""Order-:math:`g^2` fluxes, eq. (8.29):

    .. math::

        \phi_A\simeq g^2\operatorname{tr}\big(i[H,\rho_1](\ln\tau_A\otimes I_{CB})\big),\qquad
        \phi_B\simeq g^2\operatorname{tr}\big(i[H,\rho_1](I_{AC}\otimes\ln\tau_B)\big).

    Parameters
    ----------
    H, rho1 : array_like, shape ``(..., 8, 8)``, Hermitian
    t_A, t_B : array_like in ``(0, 1)``; g : array_like, real; all broadcasting

    Returns
    -------
    phi_A, phi_B : ndarray
    """
    H = _v.hermitian(H, "H", 8)
    rho1 = _v.hermitian(rho1, "rho1", 8)
    tA, tB, g = _args(t_A=(t_A, "pop_open"), t_B=(t_B, "pop_open"), g=(g, "real"))
    _v.leading_axes(H=H.shape[:-2], rho1=rho1.shape[:-2], t_A=tA.shape, t_B=tB.shape, g=g.shape)
    X = 1j * (H @ rho1 - rho1 @ H)
    xA = _partial_trace(X, (2, 2, 2), 0)
    xB = _partial_trace(X, (2, 2, 2), 2)
    fA = np.real(xA[..., 0, 0] * np.log(tA) + xA[..., 1, 1] * np.log(1 - tA))
    fB = np.real(xB[..., 0, 0] * np.log(tB) + xB[..., 1, 1] * np.log(1 - tB))
    return g**2 * fA, g**2 * fB
