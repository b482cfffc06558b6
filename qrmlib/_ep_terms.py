r"""The entropy-production and flux terms of eqs. (7.5)-(7.6), written once.

Given the steady state :math:`\rho=\rho^+_g`, the partial steady states
:math:`\rho^A=\rho^A_{\lambda g}`, :math:`\rho^B=\rho^B_{(1-\lambda)g}`, the commutator
:math:`c=-i[H,\rho]` and the reset parts :math:`\mathcal D_A(\rho)`, :math:`\mathcal D_B(\rho)`,

.. math::

    \mathcal L^A_{\lambda g}(\rho) = \lambda g\,c + \mathcal D_A(\rho),\qquad
    \mathcal L^B_{(1-\lambda)g}(\rho) = (1-\lambda) g\,c + \mathcal D_B(\rho),

    \sigma_A = \operatorname{tr}\big(\mathcal L^A(\rho)(\ln\rho^A - \ln\rho)\big),\quad
    \sigma_B = \operatorname{tr}\big(\mathcal L^B(\rho)(\ln\rho^B - \ln\rho)\big),\quad
    \phi_A = \operatorname{tr}\big(\mathcal L^A(\rho)\ln\rho^A\big),\quad
    \phi_B = \operatorname{tr}\big(\mathcal L^B(\rho)\ln\rho^B\big).

The number system is pluggable: a :class:`Backend` supplies the logarithm and the
trace pairing.  The double-precision model (:class:`qrmlib.tripartite.TripartiteQRM`,
``figures._ep_double``: ``logm_pd`` and ``Re tr``), the analytic continuation of
:mod:`qrmlib.series` (principal ``log`` of a diagonalisable matrix, complex ``tr``) and
the mpmath references (``mpmath.eighe``, ``mpf`` arithmetic on object arrays) all call
:func:`ep_terms`; none has a copy of the formulas.  Scalars ``g``, ``lam`` broadcast over
the stack axes of NumPy arrays (``[..., None, None]``); for object arrays of ``mpc`` they
are ``mpf`` and multiply elementwise.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np


class Backend(NamedTuple):
    """Number system of :func:`ep_terms`: ``log(X)`` (matrix logarithm of a stack or of one
    matrix) and ``tr(A, B)`` (the pairing :math:`\\operatorname{tr}(AB)`, or its real part)."""

    log: Callable
    tr: Callable


def _scal(z):
    """A stack of scalars as ``(..., 1, 1)`` against ``(..., d, d)`` (an ``mpf`` stays as is)."""
    if isinstance(z, np.ndarray) or isinstance(z, (int, float, complex, np.number)):
        return np.asarray(z)[..., None, None]
    return z


def generator_A(comm, D_A, g, lam):
    r""":math:`\mathcal L^A_{\lambda g}(\rho)=\lambda g\,c+\mathcal D_A(\rho)`, eq. (7.4)."""
    return _scal(g * lam) * comm + D_A


def generator_B(comm, D_B, g, lam):
    r""":math:`\mathcal L^B_{(1-\lambda)g}(\rho)=(1-\lambda) g\,c+\mathcal D_B(\rho)`, eq. (7.4)."""
    return _scal(g * (1 - lam)) * comm + D_B


def generators(comm, D_A, D_B, g, lam):
    r""":math:`(\mathcal L^A_{\lambda g}(\rho), \mathcal L^B_{(1-\lambda)g}(\rho))` from
    :math:`c=-i[H,\rho]` and :math:`\mathcal D_{A,B}(\rho)`, eqs. (6.3), (7.4)."""
    return generator_A(comm, D_A, g, lam), generator_B(comm, D_B, g, lam)


def ep_terms(backend: Backend, rho, rho_A, rho_B, L_A, L_B, *, fluxes: bool = False, log_rho=None):
    r"""``(sigma_A, sigma_B)`` of eq. (7.5), or ``(phi_A, phi_B)`` of eq. (7.6) if ``fluxes``.

    ``L_A``, ``L_B`` from :func:`generators`; ``log_rho`` a precomputed :math:`\ln\rho`
    (e.g. one logarithm broadcast over ``lam``), else ``backend.log(rho)``.
    """
    out = all_terms(backend, rho, rho_A, rho_B, L_A, L_B, ep=not fluxes, fluxes=fluxes, log_rho=log_rho)
    return out[2:] if fluxes else out[:2]


def all_terms(backend: Backend, rho, rho_A, rho_B, L_A, L_B, *, ep: bool = True, fluxes: bool = True, log_rho=None):
    """``(sigma_A, sigma_B, phi_A, phi_B)`` with one logarithm per state (``None`` for the
    terms not asked for)."""
    lA, lB = backend.log(rho_A), backend.log(rho_B)
    sA = sB = pA = pB = None
    if ep:
        lr = backend.log(rho) if log_rho is None else log_rho
        sA, sB = backend.tr(L_A, lA - lr), backend.tr(L_B, lB - lr)
    if fluxes:
        pA, pB = backend.tr(L_A, lA), backend.tr(L_B, lB)
    return sA, sB, pA, pB


def tr_real(a, b):
    """Real part of tr(a b) over the last two axes (the double-precision pairing)."""
    return np.real(np.einsum("...ij,...ji->...", a, b))


def tr_complex(a, b):
    """tr(a b) over the last two axes (the analytic continuation: no real part)."""
    return np.einsum("...ij,...ji->...", a, b)
