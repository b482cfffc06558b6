"""Test models for the scaling benchmark (case 4): dims (2, n_C, 2)."""

from __future__ import annotations

import numpy as np

from qrmlib.tripartite import TripartiteQRM

SIGMA_X = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=complex)
NUM = np.array([[0.0, 0.0], [0.0, 1.0]], dtype=complex)


def _rand_herm(rng, n):
    x = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    x = 0.5 * (x + x.conj().T)
    return x / np.linalg.norm(x, 2)


def scaling_model(n_C: int, seed: int = 7, *, J_alpha=0.1, J_beta=0.1, e_A=0.08, e_B=0.1,
                  gamma_A=0.7, gamma_B=0.6, t_A=0.95, t_B=0.6) -> TripartiteQRM:
    r"""Chain A–C–B with an ``n_C``-level middle system, dims ``(2, n_C, 2)``.

    .. math::

        H = e_A n_A + H_C + e_B n_B + J_\alpha\,\sigma^x_A\otimes X_C + J_\beta\,X'_C\otimes\sigma^x_B,

    with :math:`H_C` diagonal, levels ``linspace(0, 1, n_C)`` jittered by 10% of the spacing
    (simple spectrum, distinct Bohr frequencies), and :math:`X_C, X'_C` random Hermitian of
    unit norm (fixed ``seed``).  Reset states :math:`\tau_\#=\mathrm{diag}(t_\#,1-t_\#)` and rates as in the
    paper's Section 8, so that Spec, Coup, Coup# and Pos hold generically.
    """
    rng = np.random.default_rng(seed + 1000 * n_C)
    lev = np.linspace(0.0, 1.0, n_C)
    sp = 1.0 / max(n_C - 1, 1)
    lev = lev + 0.1 * sp * rng.uniform(-1, 1, n_C)
    H_C = np.diag(lev).astype(complex)
    X1 = _rand_herm(rng, n_C)
    X2 = _rand_herm(rng, n_C)
    I2, IC = np.eye(2), np.eye(n_C)
    k3 = lambda a, b, c: np.kron(np.kron(a, b), c)  # noqa: E731
    H = (e_A * k3(NUM, IC, I2) + k3(I2, H_C, I2) + e_B * k3(I2, IC, NUM)
         + J_alpha * k3(SIGMA_X, X1, I2) + J_beta * k3(I2, X2, SIGMA_X))
    tau_A = np.diag([t_A, 1 - t_A]).astype(complex)
    tau_B = np.diag([t_B, 1 - t_B]).astype(complex)
    return TripartiteQRM(H, tau_A, tau_B, gamma_A, gamma_B, dims=(2, n_C, 2))
