r"""The single qubit of Section 5: Hamiltonian (5.1), reset states (5.2), printed closed forms.

Conventions as in the paper: computational basis :math:`\{|0\rangle,|1\rangle\}`,
matrix element ``rho[0, 1]`` is :math:`\rho_{01}=\langle0|\rho|1\rangle`,
energies in units of :math:`\varepsilon` (``eps=1`` by default).

Every closed form is a function citing its equation.  Where the printed
formula disagrees with the generic solver, the function ``*_printed`` keeps
the formula exactly as printed and the unsuffixed function is the form that
holds; the discrepancy is documented in ``book/errata.ipynb``.  All functions
broadcast over their parameters.

Input checks: every parameter must be a finite real number (a complex value
is a ``ValueError``) and the parameters must broadcast together; rates
(``gamma_*``, ``Gamma``) are ``> 0``, populations (``t*``, ``p00``) lie in
``[0, 1]`` (in ``(0, 1)`` where a logarithm of them is taken), times are
``>= 0``.
"""

from __future__ import annotations

import numpy as np

from . import _validate as _v

__all__ = [
    "qubit_hamiltonian",
    "qubit_reset_state",
    "qubit_steady_state_one_printed",
    "qubit_steady_state_one",
    "qubit_evolution_commuting",
    "qubit_ep_commuting_printed",
    "qubit_ep_commuting",
    "qubit_steady_state",
    "qubit_partial_steady_state",
    "qubit_kappa",
    "qubit_ep_same_reset_printed",
    "qubit_ep_same_reset",
    "qubit_ep_case_ii_same_reset",
    "qubit_ep_commuting_multi",
]


_CHECK = {
    "real": _v.finite_real,
    "rate": _v.positive_real,
    "time": lambda x, n: _v.positive_real(x, n, allow_zero=True),
    "pop": _v.unit_interval,
    "pop_open": lambda x, n: _v.unit_interval(x, n, open_=True),
}


def _args(**spec):
    """Validate ``name=(value, kind)`` parameters (kinds of ``_CHECK``) and that they broadcast together."""
    out = [_CHECK[kind](val, name) for name, (val, kind) in spec.items()]
    _v.leading_axes(**{name: a.shape for name, a in zip(spec, out)})
    return out


def _mat(a00, a01, a10, a11):
    a00, a01, a10, a11 = np.broadcast_arrays(*(np.asarray(x, dtype=complex) for x in (a00, a01, a10, a11)))
    return np.stack([np.stack([a00, a01], -1), np.stack([a10, a11], -1)], -2)


def qubit_hamiltonian(delta, eps=1.0):
    r"""Qubit Hamiltonian (5.1), :math:`H=\varepsilon(1+\sigma_z)/2+\delta\sigma_x/2`
    written as ``[[0, δ/2], [δ/2, ε]]`` in the computational basis, as printed.

    Parameters
    ----------
    delta, eps : array_like, broadcast

    Returns
    -------
    ndarray, shape ``broadcast(delta, eps).shape + (2, 2)``
    """
    delta, eps = _args(delta=(delta, "real"), eps=(eps, "real"))
    return _mat(0 * delta * eps, delta / 2 + 0 * eps, delta / 2 + 0 * eps, eps + 0 * delta)


def qubit_reset_state(t):
    r"""Diagonal reset state :math:`\tau=\operatorname{diag}(t, 1-t)`, eq. (5.2); shape ``t.shape + (2, 2)``."""
    (t,) = _args(t=(t, "pop"))
    return _mat(t, 0 * t, 0 * t, 1 - t)


def qubit_steady_state_one_printed(delta, gamma_A, t_A, eps=1.0):
    r"""Eq. (5.6) **as printed** (one reservoir).

    .. math::

        \rho^+_{00} = \frac{\delta^2/2+(\varepsilon^2+\gamma_A^2)t_A}{\varepsilon^2+\delta^2+\gamma_A^2},\qquad
        \rho^+_{01} = \frac{\delta}{2}\frac{(\varepsilon+i\gamma_A)(1-2t_A)}{\varepsilon^2+\delta^2+\gamma_A^2}.

    Refuted: the off-diagonal elements are complex conjugated; see
    :func:`qubit_steady_state_one` and the errata.
    """
    delta, gamma_A, t_A, eps = _args(delta=(delta, "real"), gamma_A=(gamma_A, "rate"), t_A=(t_A, "pop"),
                                     eps=(eps, "real"))
    D = eps**2 + delta**2 + gamma_A**2
    p00 = (delta**2 / 2 + (eps**2 + gamma_A**2) * t_A) / D
    p01 = delta / 2 * (eps + 1j * gamma_A) * (1 - 2 * t_A) / D
    return _mat(p00, p01, np.conj(p01), 1 - p00)


def qubit_steady_state_one(delta, gamma_A, t_A, eps=1.0):
    r"""Steady state for one reservoir: eq. (5.6) corrected (= eq. (5.11) with :math:`\Gamma=\gamma_A`).

    .. math:: \rho^+_{01} = \frac{\delta}{2}\frac{(\varepsilon-i\gamma_A)(1-2t_A)}{\varepsilon^2+\delta^2+\gamma_A^2}.
    """
    delta, gamma_A, t_A, eps = _args(delta=(delta, "real"), gamma_A=(gamma_A, "rate"), t_A=(t_A, "pop"),
                                     eps=(eps, "real"))
    return _steady_state(delta, gamma_A, t_A, eps)


def qubit_evolution_commuting(p0, gamma_A, t_A, t, eps=1.0):
    r"""Exact evolution for :math:`\delta=0` (:math:`[H,\tau_A]=0`), eq. (5.7).

    .. math::

        \rho(t)=\begin{pmatrix} e^{-\gamma_At}p_{00}+t_A(1-e^{-\gamma_At}) & p_{01}e^{(i\varepsilon-\gamma_A)t}\\
        p_{10}e^{(-i\varepsilon-\gamma_A)t} & e^{-\gamma_At}p_{11}+(1-t_A)(1-e^{-\gamma_At})\end{pmatrix}.

    Parameters
    ----------
    p0 : array_like, shape ``(2, 2)``, the initial state
    t : array_like, times ``>= 0`` (output shape ``t.shape + (2, 2)``)
    """
    p0 = _v.density(p0, "p0", 2)
    if p0.ndim != 2:
        raise ValueError(f"p0 must be one 2x2 state, got shape {p0.shape}")
    gamma_A, t_A, t, eps = _args(gamma_A=(gamma_A, "rate"), t_A=(t_A, "pop"), t=(t, "time"), eps=(eps, "real"))
    E = np.exp(-gamma_A * t)
    return _mat(E * p0[0, 0] + t_A * (1 - E), p0[0, 1] * np.exp((1j * eps - gamma_A) * t),
                p0[1, 0] * np.exp((-1j * eps - gamma_A) * t), E * p0[1, 1] + (1 - t_A) * (1 - E))


def qubit_ep_commuting_printed(p00, gamma_A, t_A, t):
    r"""Eq. (5.9) **as printed**: EP :math:`\sigma_{\mathcal L}(\rho(t))` for :math:`\delta=0`.

    .. math::

        \gamma_Ae^{-\gamma_At}(p_{00}-t_A)\Big(\log\frac{p_{00}e^{-\gamma_At}-t_A(1-e^{-\gamma_At})}
        {1-p_{00}e^{-\gamma_At}-t_A(1-e^{-\gamma_At})}-\log\frac{t_A}{1-t_A}\Big).

    Refuted: the sign in the numerator must be ``+``; the formula also only
    holds for an initial state without coherence (:math:`p_{01}=0`).
    Returns complex values where the printed logarithm's argument is negative.
    """
    p00, gamma_A, t_A, t = _args(p00=(p00, "pop"), gamma_A=(gamma_A, "rate"), t_A=(t_A, "pop_open"),
                                 t=(t, "time"))
    E = np.exp(-gamma_A * t)
    num = p00 * E - t_A * (1 - E)
    den = 1 - p00 * E - t_A * (1 - E)
    return gamma_A * E * (p00 - t_A) * (np.log(np.asarray(num / den, dtype=complex)) - np.log(t_A / (1 - t_A)))


def qubit_ep_commuting(p00, gamma_A, t_A, t):
    r"""EP at time t for :math:`\delta=0` and a diagonal initial state: eq. (5.9) corrected.

    With :math:`p_{00}(t)=p_{00}e^{-\gamma_At}+t_A(1-e^{-\gamma_At})`,

    .. math::

        \sigma_{\mathcal L}(\rho(t)) = \gamma_A e^{-\gamma_At}(p_{00}-t_A)
        \Big(\log\frac{p_{00}(t)}{1-p_{00}(t)}-\log\frac{t_A}{1-t_A}\Big)
        = \gamma_A\big(S(\tau_A|\rho(t))+S(\rho(t)|\tau_A)\big).

    Requires :math:`0<t_A<1` and :math:`0\le p_{00}\le1` (a diagonal state).
    """
    p00, gamma_A, t_A, t = _args(p00=(p00, "pop"), gamma_A=(gamma_A, "rate"), t_A=(t_A, "pop_open"),
                                 t=(t, "time"))
    E = np.exp(-gamma_A * t)
    pt = p00 * E + t_A * (1 - E)
    return gamma_A * E * (p00 - t_A) * (np.log(pt / (1 - pt)) - np.log(t_A / (1 - t_A)))


def qubit_steady_state(delta, Gamma, tbar, eps=1.0):
    r"""Steady state with several reservoirs, eqs. (5.11)-(5.12).

    .. math::

        \rho^+_{00}=\frac{(\varepsilon^2+\Gamma^2)\bar t+\delta^2/2}{\varepsilon^2+\delta^2+\Gamma^2},\qquad
        \rho^+_{01}=\frac\delta2\frac{(\varepsilon-i\Gamma)(1-2\bar t)}{\varepsilon^2+\delta^2+\Gamma^2},

    with :math:`\Gamma=\sum_j\gamma_j` and :math:`\bar t=\sum_j\gamma_jt_j/\Gamma` (5.12).
    """
    delta, Gamma, tbar, eps = _args(delta=(delta, "real"), Gamma=(Gamma, "rate"), tbar=(tbar, "pop"),
                                    eps=(eps, "real"))
    return _steady_state(delta, Gamma, tbar, eps)


def _steady_state(delta, Gamma, tbar, eps):
    """:func:`qubit_steady_state` on validated parameters."""
    D = eps**2 + delta**2 + Gamma**2
    p00 = ((eps**2 + Gamma**2) * tbar + delta**2 / 2) / D
    p01 = delta / 2 * (eps - 1j * Gamma) * (1 - 2 * tbar) / D
    return _mat(p00, p01, np.conj(p01), 1 - p00)


def qubit_partial_steady_state(delta, gamma_j, t_j, lam_j, eps=1.0):
    r"""Individual steady state :math:`\rho_j^+(\lambda_j)`, eq. (5.14).

    .. math::

        (\rho_j^+)_{00}=\frac{\gamma_j^2t_j+\lambda_j^2(\varepsilon^2t_j+\delta^2/2)}{\gamma_j^2+\lambda_j^2(\varepsilon^2+\delta^2)},\qquad
        (\rho_j^+)_{01}=\frac{\lambda_j\delta}{2}\frac{(\varepsilon\lambda_j-i\gamma_j)(1-2t_j)}{\gamma_j^2+\lambda_j^2(\varepsilon^2+\delta^2)}.

    The printed off-diagonal denominators read :math:`\Gamma_j^2+\dots`, an
    undefined symbol; with :math:`\Gamma_j=\gamma_j` (as in the diagonal) the
    formula holds (typo listed in the errata).
    """
    delta, gamma_j, t_j, lam_j, eps = _args(delta=(delta, "real"), gamma_j=(gamma_j, "rate"), t_j=(t_j, "pop"),
                                            lam_j=(lam_j, "real"), eps=(eps, "real"))
    D = gamma_j**2 + lam_j**2 * (eps**2 + delta**2)
    p00 = (gamma_j**2 * t_j + lam_j**2 * (eps**2 * t_j + delta**2 / 2)) / D
    p01 = lam_j * delta / 2 * (eps * lam_j - 1j * gamma_j) * (1 - 2 * t_j) / D
    return _mat(p00, p01, np.conj(p01), 1 - p00)


def qubit_kappa(delta, gamma_j, t_j, lam_j, eps=1.0):
    r""":math:`\kappa_j(\lambda_j)=\sqrt{(\varepsilon^2\lambda_j^2+\gamma_j^2)(1-2t_j)^2/(\varepsilon^2\lambda_j^2+\gamma_j^2+\lambda_j^2\delta^2)}`, eq. (5.18).

    :math:`\kappa_j` is the Bloch-vector length of :math:`\rho_j^+(\lambda_j)`,
    whose eigenvalues are :math:`(1\pm\kappa_j)/2`.
    """
    delta, gamma_j, t_j, lam_j, eps = _args(delta=(delta, "real"), gamma_j=(gamma_j, "rate"), t_j=(t_j, "pop"),
                                            lam_j=(lam_j, "real"), eps=(eps, "real"))
    return _kappa(delta, gamma_j, t_j, lam_j, eps)


def _kappa(delta, gamma_j, t_j, lam_j, eps):
    """:func:`qubit_kappa` on validated parameters."""
    a = eps**2 * lam_j**2 + gamma_j**2
    return np.sqrt(a * (1 - 2 * t_j) ** 2 / (a + lam_j**2 * delta**2))


def _same_reset_args(delta, gamma_j, Gamma, t, lam_j, eps):
    return _args(delta=(delta, "real"), gamma_j=(gamma_j, "rate"), Gamma=(Gamma, "rate"), t=(t, "pop_open"),
                 lam_j=(lam_j, "real"), eps=(eps, "real"))


def qubit_ep_same_reset_printed(delta, gamma_j, Gamma, t, lam_j, eps=1.0):
    r"""Eq. (5.17) **as printed**: :math:`\sigma_j(\rho^+)` when all :math:`\tau_j=\tau`.

    .. math::

        \sigma_j=\frac{\gamma_j(-1+\lambda_j\Gamma)^2\kappa_j\,\delta^2/2\,
        (\log(1+\kappa_j)-\log(1-\kappa_j))}{(\varepsilon^2\lambda_j^2+\gamma_j^2)(\varepsilon^2+\Gamma^2+\delta^2)}.

    Refuted unless :math:`\gamma_j=1`: the factor :math:`(-1+\lambda_j\Gamma)^2`
    must read :math:`(\gamma_j-\lambda_j\Gamma)^2` (:func:`qubit_ep_same_reset`).
    """
    delta, gamma_j, Gamma, t, lam_j, eps = _same_reset_args(delta, gamma_j, Gamma, t, lam_j, eps)
    k = _kappa(delta, gamma_j, t, lam_j, eps)
    return (gamma_j * (-1 + lam_j * Gamma) ** 2 * k * delta**2 / 2 * (np.log(1 + k) - np.log(1 - k))
            / ((eps**2 * lam_j**2 + gamma_j**2) * (eps**2 + Gamma**2 + delta**2)))


def qubit_ep_same_reset(delta, gamma_j, Gamma, t, lam_j, eps=1.0):
    r""":math:`\sigma_j(\rho^+)` when all :math:`\tau_j=\tau`: eq. (5.17) corrected.

    .. math::

        \sigma_j=\frac{\gamma_j(\gamma_j-\lambda_j\Gamma)^2\kappa_j\,\delta^2/2\,
        (\log(1+\kappa_j)-\log(1-\kappa_j))}{(\varepsilon^2\lambda_j^2+\gamma_j^2)(\varepsilon^2+\Gamma^2+\delta^2)},

    which vanishes exactly at :math:`\lambda_j=\gamma_j/\Gamma` (Proposition 4.5).
    Requires :math:`0<t<1` (faithful states).
    """
    delta, gamma_j, Gamma, t, lam_j, eps = _same_reset_args(delta, gamma_j, Gamma, t, lam_j, eps)
    k = _kappa(delta, gamma_j, t, lam_j, eps)
    return (gamma_j * (gamma_j - lam_j * Gamma) ** 2 * k * delta**2 / 2 * (np.log(1 + k) - np.log(1 - k))
            / ((eps**2 * lam_j**2 + gamma_j**2) * (eps**2 + Gamma**2 + delta**2)))


def qubit_ep_case_ii_same_reset(delta, gamma_A, gamma_BC, t_A, eps=1.0):
    r"""Total EP for :math:`\lambda_A=1,\ \lambda_B=\lambda_C=0` and equal reset states, eq. (5.19).

    .. math::

        \sigma(\rho^+)=\frac{(\gamma_B+\gamma_C)\delta^2/2\,(1-2t_A)}{(\varepsilon^2+\gamma_A^2+\delta^2)(\varepsilon^2+\Gamma^2+\delta^2)\kappa_A(1)}
        \Big[\gamma_A(\gamma_B+\gamma_C)(1-2t_A)\Big(\log\big(\tfrac12+\tfrac{\kappa_A(1)}2\big)-\log\big(\tfrac12-\tfrac{\kappa_A(1)}2\big)\Big)
        +(\varepsilon^2+\gamma_A^2+\delta^2)\kappa_A(1)\log\frac{1-t_A}{t_A}\Big].

    ``gamma_BC`` is :math:`\gamma_B+\gamma_C`; :math:`\Gamma=\gamma_A+\gamma_B+\gamma_C`.
    Requires :math:`0<t_A<1`.  The ratio :math:`(1-2t_A)/\kappa_A(1)` is evaluated as
    :math:`\operatorname{sign}(1-2t_A)\sqrt{(\varepsilon^2+\gamma_A^2+\delta^2)/(\varepsilon^2+\gamma_A^2)}`
    (eq. (5.18)), so that :math:`t_A=1/2` gives :math:`\sigma=0` instead of 0/0.
    """
    delta, gamma_A, gamma_BC, t_A, eps = _args(delta=(delta, "real"), gamma_A=(gamma_A, "rate"),
                                               gamma_BC=(gamma_BC, "rate"), t_A=(t_A, "pop_open"),
                                               eps=(eps, "real"))
    Gamma = gamma_A + gamma_BC
    k = _kappa(delta, gamma_A, t_A, 1.0, eps)
    D1 = eps**2 + gamma_A**2 + delta**2
    ratio = np.sign(1 - 2 * t_A) * np.sqrt(D1 / (eps**2 + gamma_A**2))   # (1 - 2 t_A) / kappa_A(1)
    pref = gamma_BC * delta**2 / 2 * ratio / (D1 * (eps**2 + Gamma**2 + delta**2))
    return pref * (gamma_A * gamma_BC * (1 - 2 * t_A) * (np.log(0.5 + k / 2) - np.log(0.5 - k / 2))
                   + D1 * k * np.log((1 - t_A) / t_A))


def qubit_ep_commuting_multi(gamma_j, t_j, tbar):
    r"""Individual EP for :math:`\delta=0` (all :math:`[H,\tau_j]=0`), eq. (5.20).

    .. math::

        \sigma_j=\gamma_j(\bar t-t_j)[\log(1-t_j)-\log(1-\bar t)]+\gamma_j(t_j-\bar t)[\log t_j-\log\bar t]
        =\gamma_j\big(S(\tau_j|T)+S(T|\tau_j)\big),

    independent of the affine weights :math:`\lambda_j`.  Requires :math:`0<t_j,\bar t<1`.
    """
    gamma_j, t_j, tbar = _args(gamma_j=(gamma_j, "rate"), t_j=(t_j, "pop_open"), tbar=(tbar, "pop_open"))
    return (gamma_j * (tbar - t_j) * (np.log(1 - t_j) - np.log(1 - tbar))
            + gamma_j * (t_j - tbar) * (np.log(t_j) - np.log(tbar)))
