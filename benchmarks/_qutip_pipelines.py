"""Per-point QuTiP pipelines, the competitors of cases 1 and 2 of ``benchmarks/run.py``.

Each evaluates one grid point the way a QuTiP user would: build the Liouvillian
(superoperator ``Qobj``) of the point, ``qutip.steadystate`` for every state the
definition needs, matrix logarithms (from ``Qobj.eigenstates``) and the trace.  Objects that
do not depend on the point (the Hamiltonian and its commutator superoperator,
reset maps of fixed reset states) are built once, outside the timing.
"""

from __future__ import annotations

import warnings

import numpy as np
import qutip as qt

from qrmlib import models


def _opts(method):
    """``qutip.steadystate`` keyword arguments of a named option."""
    return {"default": {}, "svd": {"method": "svd"}, "eigen": {"method": "eigen"},
            "direct-dense": {"method": "direct", "sparse": False},
            "power": {"method": "power"}}[method]


CANDIDATES = ("svd", "eigen", "direct-dense")


def logm(q):
    """Matrix log of a positive definite ``Qobj`` from ``Qobj.eigenstates`` (several times faster
    than ``Qobj.logm()``, which calls ``scipy.linalg.logm``; same values to ~1e-15)."""
    w, v = q.eigenstates()
    out = np.log(w[0]) * v[0].proj()
    for wk, vk in zip(w[1:], v[1:]):
        out = out + np.log(wk) * vk.proj()
    return out


class QubitEP:
    r"""Case 1: total EP of the qubit (5.1) with three reservoirs at one point :math:`(t_A, t_B)`.

    :math:`\mathcal L_j = -i\lambda_j[H,\cdot] + \gamma_j(\tau_j\operatorname{tr}-1)`,
    :math:`\rho^+` = steadystate(:math:`\sum_j\mathcal L_j`), :math:`\rho^+_j` =
    steadystate(:math:`\mathcal L_j`), :math:`\sigma=\sum_j\operatorname{tr}(\mathcal L_j(\rho^+)
    (\ln\rho^+_j-\ln\rho^+))` (eqs. (2.10), (4.1)-(4.5)).
    """

    def __init__(self, delta, gammas, t_C, method="default"):
        self.gammas = np.asarray(gammas, float)
        self.lam = self.gammas / self.gammas.sum()
        self.t_C = float(t_C)
        H = qt.Qobj(models.qubit_hamiltonian(delta))
        self.comm = -1j * (qt.spre(H) - qt.spost(H))
        self.one = qt.spre(qt.qeye(2))
        self.trI = qt.operator_to_vector(qt.qeye(2)).dag()
        self.opts = _opts(method)

    def point(self, t_A, t_B):
        Lj = []
        for t, g, lam in zip((t_A, t_B, self.t_C), self.gammas, self.lam):
            tau = qt.Qobj(models.qubit_reset_state(t))
            Lj.append(lam * self.comm + g * (qt.operator_to_vector(tau) * self.trI - self.one))
        L = Lj[0] + Lj[1] + Lj[2]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rho = qt.steadystate(L, **self.opts)
            lr = logm(rho)
            vrho = qt.operator_to_vector(rho)
            sigma = 0.0
            for L_ in Lj:
                rj = qt.steadystate(L_, **self.opts)
                sigma += ((qt.vector_to_operator(L_ * vrho) * (logm(rj) - lr)).tr()).real
        return sigma


class ChainFlux:
    r"""Case 2: entropy flux :math:`\phi_A` of the three-qubit chain (Section 8) at one point :math:`(g, t_B)`.

    :math:`\phi_A=\operatorname{tr}(\mathcal L^A_{\lambda g}(\rho^+_g)\ln\rho^A_{\lambda g})`, eq. (7.6),
    with :math:`\rho^+_g` = steadystate(:math:`\mathcal D_A+\mathcal D_B-ig[H,\cdot]`) and
    :math:`\rho^A_{\lambda g}` = steadystate(:math:`\mathcal D_A-i\lambda g[H,\cdot]`).
    """

    def __init__(self, params, t_A, lam=0.5, method="default"):
        p = dict(params)
        H = qt.Qobj(models.three_qubit_hamiltonian(p["e_A"], p["e_B"], p["e_C"], p["U"],
                                                   p["J_alpha"], p["J_beta"]), dims=[[2, 2, 2], [2, 2, 2]])
        self.L1 = -1j * (qt.spre(H) - qt.spost(H))
        self.one = qt.spre(qt.qeye([2, 2, 2]))
        self.gA, self.gB = p["gamma_A"], p["gamma_B"]
        self.lam = float(lam)
        self.DA = self.gA * (self._reset(t_A, "A") - self.one)
        self.opts = _opts(method)

    @staticmethod
    def _reset(t, which):
        r""":math:`\rho\mapsto\tau\otimes\operatorname{tr}_A\rho` (or :math:`\operatorname{tr}_B\rho\otimes\tau`), Kraus form."""
        I4 = qt.qeye([2, 2])
        S = 0
        for k, p in enumerate((t, 1.0 - t)):
            for ell in range(2):
                K = qt.Qobj(np.sqrt(p) * np.outer(np.eye(2)[k], np.eye(2)[ell]))
                op = qt.tensor(K, I4) if which == "A" else qt.tensor(I4, K)
                S = S + qt.sprepost(op, op.dag())
        return S

    def point(self, g, t_B):
        DB = self.gB * (self._reset(t_B, "B") - self.one)
        L = self.DA + DB + g * self.L1
        LA = self.DA + (self.lam * g) * self.L1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rho = qt.steadystate(L, **self.opts)
            rA = qt.steadystate(LA, **self.opts)
            return ((qt.vector_to_operator(LA * qt.operator_to_vector(rho)) * logm(rA)).tr()).real
