r"""The data of the paper's figures: ``figN_data(**params) -> dict`` and the captions.

Each function computes its arrays with *one* vectorised :mod:`qrmlib` call over the whole
parameter grid and records every parameter in ``"params"``; see :mod:`qrmlib.figures`, which
re-exports everything public here (import from there).  No Matplotlib.
"""

from __future__ import annotations

import numpy as np

from . import _ep_terms as _ept
from . import _validate as _v
from . import linalg, reset
from ._models_qubit import qubit_hamiltonian, qubit_reset_state


# --- shared helpers ---------------------------------------------------------------


def _real(x, name):
    return _v.scalar_real(x, name)


def _pos(x, name):
    x = _real(x, name)
    if not x > 0:
        raise ValueError(f"{name} must be > 0, got {x!r}")
    return x


def _t(x, name):
    """Ground-state populations of reset states used in ln: inside (0, 1)."""
    arr = _v.finite_real(x, name)
    _v.nonempty(arr, name)
    if np.any(arr <= 0) or np.any(arr >= 1):
        raise ValueError(f"{name} must lie in (0, 1) (faithful reset states), got {arr}")
    return arr


def _t1(x, name):
    x = _t(x, name)
    if x.ndim:
        raise ValueError(f"{name} must be a scalar, got shape {x.shape}")
    return float(x)


def _pair(r, name, *, lo=None, hi=None, positive=False):
    arr = _v.finite_real(r, name)
    if arr.shape != (2,) or not arr[0] < arr[1]:
        raise ValueError(f"{name} must be a pair (lo, hi) with lo < hi, got {r!r}")
    if (positive and arr[0] <= 0) or (lo is not None and arr[0] <= lo) or (hi is not None and arr[1] >= hi):
        bounds = "0 < lo" if positive else f"{lo} < lo < hi < {hi}"
        raise ValueError(f"{name} must satisfy {bounds}, got {r!r}")
    return arr


def _count(n, name, minimum=2):
    return _v.integer(n, name, minimum=minimum, maximum=1_000_000)


def _data(data, name="data"):
    if not isinstance(data, dict):
        raise TypeError(f"{name} must be the dict returned by a figN_data function, got {type(data).__name__}")
    if not isinstance(data.get("params"), dict):
        raise ValueError(f"{name} must be the dict returned by a figN_data function (with a 'params' dict)")
    return data


def _grid(lo: float, hi: float, n: int) -> np.ndarray:
    if n < 2:
        raise ValueError(f"a grid needs at least 2 points, got n={n}")
    return np.linspace(float(lo), float(hi), int(n))


def _jsonable(x):
    """Plain Python types for ``json.dumps`` (tuples -> lists, NumPy scalars -> float/int)."""
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x)
    return x


# --- Figure 1 ---------------------------------------------------------------------

FIG1_CAPTION = (
    "Illustration of Propositions 4.3 and 4.5. Panels a) and b): Contour plots of the total EP "
    "σ(ρ+) as a function of t_A, t_B, with λ_j = γ_j/Γ. Numerical values for the different parameters "
    "in units of ε are fixed: δ = 0.7, γ_A = 1, γ_B = 1/2, γ_C = 1/3, t_C = 0.8. Panels c) and d): "
    "Contour plots of the total EP σ(ρ+) as a function of λ_A, λ_B, with τ_A = τ_B = τ_C. The total EP "
    "vanishes only when λ_j = γ_j/Γ, explicitly when λ_A = 6/11, λ_B = 3/11 (marked by the two "
    "intersecting dashed lines). σ(ρ+) ≥ 0 in the whole range for affine parameters, including "
    "λ_A, λ_B < 0, a case which could not be addressed analytically. Numerical values for the different "
    "parameters in units of ε are fixed: δ = 0.7, γ_A = 1, γ_B = 1/2, γ_C = 1/3, t_A = t_B = t_C = 0.9."
)


def fig1_data(
    *,
    delta: float = 0.7,
    gammas=(1.0, 0.5, 1.0 / 3.0),
    eps: float = 1.0,
    t_C: float = 0.8,
    t_equal: float = 0.9,
    n: int = 201,
    t_range=(0.01, 0.99),
    t_zoom_halfwidth: float = 0.05,
    lam_range=(-2.0, 2.0),
    lam_zoom_halfwidth: float = 0.05,
) -> dict:
    r"""Data of Figure 1: total EP :math:`\sigma(\rho^+)` of the qubit (5.1) with three reservoirs.

    Panels a)-b): :math:`\sigma(\rho^+)` against :math:`(t_A, t_B)` with
    :math:`t_C` fixed and the affine weights :math:`\lambda_j=\gamma_j/\Gamma`
    (Proposition 4.3 i)); panel b) zooms on the zero, which is at
    :math:`t_A=t_B=t_C` (all reset states equal).  Panels c)-d):
    :math:`\sigma(\rho^+)` against :math:`(\lambda_A,\lambda_B)` with
    :math:`\lambda_C=1-\lambda_A-\lambda_B` and
    :math:`t_A=t_B=t_C=` ``t_equal`` (Proposition 4.5); panel d) zooms on the
    zero :math:`(\gamma_A/\Gamma, \gamma_B/\Gamma)=(6/11, 3/11)`.

    Each pair of panels is one call of :func:`qrmlib.reset.entropy_production` on the
    stacked grids.

    Parameters
    ----------
    delta, eps : float
        Hamiltonian (5.1).
    gammas : sequence of 3 floats
        :math:`(\gamma_A,\gamma_B,\gamma_C)`.
    t_C : float
        Ground-state population of :math:`\tau_C` in panels a)-b).
    t_equal : float
        Common :math:`t_A=t_B=t_C` in panels c)-d).
    n : int
        Points per axis of every panel (``n x n`` grids).
    t_range : (float, float)
        Range of :math:`t_A` and :math:`t_B` in panel a) (inside ``(0, 1)``).
    t_zoom_halfwidth, lam_zoom_halfwidth : float
        Half widths of the zooms b) and d) around their zeros.
    lam_range : (float, float)
        Range of :math:`\lambda_A` and :math:`\lambda_B` in panel c).

    Returns
    -------
    dict
        ``"{p}_x"``, ``"{p}_y"`` (1-D axes) and ``"{p}_sigma"`` (``(n, n)``,
        rows along ``y``) for each panel ``p`` in ``a, b, c, d``; ``"params"``.
    """
    g = _v.rates(gammas, "gammas")
    if g.shape != (3,):
        raise ValueError(f"gammas must be (gamma_A, gamma_B, gamma_C), got shape {g.shape}")
    delta, eps = _real(delta, "delta"), _real(eps, "eps")
    t_C, t_equal = _t1(t_C, "t_C"), _t1(t_equal, "t_equal")
    n = _count(n, "n")
    t_range = tuple(_pair(t_range, "t_range", lo=0.0, hi=1.0))
    t_zoom_halfwidth = _pos(t_zoom_halfwidth, "t_zoom_halfwidth")
    _t([t_C - t_zoom_halfwidth, t_C + t_zoom_halfwidth], "t_C ± t_zoom_halfwidth")
    lam_range = tuple(_pair(lam_range, "lam_range"))
    lam_zoom_halfwidth = _pos(lam_zoom_halfwidth, "lam_zoom_halfwidth")
    Gamma = float(g.sum())
    lam_eq = g / Gamma
    H = qubit_hamiltonian(delta, eps)

    # panels a, b: sigma against (t_A, t_B)
    ta = _grid(*t_range, n)
    tb = _grid(t_C - t_zoom_halfwidth, t_C + t_zoom_halfwidth, n)
    xs = np.stack([ta, tb])  # (2, n): x axes of a, b
    tA = np.broadcast_to(xs[:, None, :], (2, n, n))  # [panel, i(y), j(x)]
    tB = np.broadcast_to(xs[:, :, None], (2, n, n))
    t = np.stack([tA, tB, np.full((2, n, n), float(t_C))], axis=-1)
    sig_ab, _ = reset.entropy_production(H, qubit_reset_state(t), g, lam_eq)

    # panels c, d: sigma against (lambda_A, lambda_B), lambda_C = 1 - lambda_A - lambda_B
    lc = _grid(*lam_range, n)
    ld_x = _grid(lam_eq[0] - lam_zoom_halfwidth, lam_eq[0] + lam_zoom_halfwidth, n)
    ld_y = _grid(lam_eq[1] - lam_zoom_halfwidth, lam_eq[1] + lam_zoom_halfwidth, n)
    lx = np.stack([lc, ld_x])
    ly = np.stack([lc, ld_y])
    lA = np.broadcast_to(lx[:, None, :], (2, n, n))
    lB = np.broadcast_to(ly[:, :, None], (2, n, n))
    lam = np.stack([lA, lB, 1.0 - lA - lB], axis=-1)
    taus_eq = qubit_reset_state(np.full(3, float(t_equal)))
    sig_cd, _ = reset.entropy_production(H, taus_eq, g, lam)

    params = {
        "figure": 1,
        "delta": delta,
        "eps": eps,
        "gamma_A": g[0],
        "gamma_B": g[1],
        "gamma_C": g[2],
        "Gamma": Gamma,
        "t_C_ab": t_C,
        "lambdas_ab": lam_eq,
        "t_cd": t_equal,
        "n": n,
        "t_range": t_range,
        "t_zoom_halfwidth": t_zoom_halfwidth,
        "lam_range": lam_range,
        "lam_zoom_halfwidth": lam_zoom_halfwidth,
        "zero_ab": [t_C, t_C],
        "zero_cd": [lam_eq[0], lam_eq[1]],
        "axes": {
            "a": ["t_A", "t_B"],
            "b": ["t_A", "t_B"],
            "c": ["lambda_A", "lambda_B"],
            "d": ["lambda_A", "lambda_B"],
        },
        "layout": "Z[i, j] = Z(x[j], y[i])",
        "caption": FIG1_CAPTION,
    }
    return {
        "a_x": ta,
        "a_y": ta.copy(),
        "a_sigma": sig_ab[0],
        "b_x": tb,
        "b_y": tb.copy(),
        "b_sigma": sig_ab[1],
        "c_x": lc,
        "c_y": lc.copy(),
        "c_sigma": sig_cd[0],
        "d_x": ld_x,
        "d_y": ld_y,
        "d_sigma": sig_cd[1],
        "params": _jsonable(params),
    }


# --- Figure 2 ---------------------------------------------------------------------

FIG2_CAPTION = (
    "Role of affine parameters for Lemma 4.6. Numerical values of the parameters in units of ε: "
    "δ = 0.7, γ_A = 1, t_A = 0.9. Panel a): Density plot of the function S(ρ(µ)) + S(ρ(µ)|ρ(λ)) − S(ρ(λ)) "
    "as a function of λ, µ in the range [−4, 4]. Panel b): Illustration of Eq. (4.24), showing positivity of "
    "(1 − λ/µ)(S(ρ(µ)) + S(ρ(µ)|ρ(λ)) − S(ρ(λ))) for all λ, µ. Dashed white line corresponds to µ = λ, "
    "values for which this quantity vanishes."
)


def fig2_data(
    *, delta: float = 0.7, gamma_A: float = 1.0, t_A: float = 0.9, eps: float = 1.0, n: int = 201, lam_range=(-4.0, 4.0)
) -> dict:
    r"""Data of Figure 2 (Lemma 4.6): :math:`F(\lambda,\mu)` and :math:`(1-\lambda/\mu)F(\lambda,\mu)`.

    .. math::

        \rho(\lambda) = (\lambda i[H,\cdot]/\gamma_A + 1)^{-1}(\tau_A),\qquad
        F(\lambda,\mu) = S(\rho(\mu)) + S(\rho(\mu)|\rho(\lambda)) - S(\rho(\lambda)),

    i.e. :math:`\rho(\lambda)=\rho_A^+(\lambda)` of (4.2), which for the
    caption's :math:`\gamma_A=1` is exactly (4.23) with :math:`T=\tau_A`.
    :math:`F` is computed from its definition: one :func:`qrmlib.linalg.relative_entropy`
    call on the ``(n, n)`` grid of pairs.

    ``G`` is :math:`(1-\lambda/\mu)F(\lambda,\mu)` of (4.24).  On the row
    :math:`\mu=0`, excluded in (4.24), it is filled with its continuous
    extension :math:`-\lambda\operatorname{tr}(i[H,T]\ln\rho(\lambda))/\gamma_A`, from
    :math:`F(\lambda,\mu)=\operatorname{tr}((T-\rho(\mu))\ln\rho(\lambda))`
    and :math:`T-\rho(\mu)=\mu\, i[H,\rho(\mu)]/\gamma_A` (proof of Lemma 4.6,
    (4.28)-(4.29)).

    Returns
    -------
    dict
        ``"lam"`` (x axis), ``"mu"`` (y axis), ``"F"`` and ``"G"`` of shape
        ``(n, n)`` with ``F[i, j] = F(lam[j], mu[i])``; ``"params"``.
    """
    delta, eps = _real(delta, "delta"), _real(eps, "eps")
    gamma_A = float(_v.scalar_real(_v.rates(gamma_A, "gamma_A"), "gamma_A"))
    t_A = _t1(t_A, "t_A")
    n = _count(n, "n")
    lam_range = tuple(_pair(lam_range, "lam_range"))
    H = qubit_hamiltonian(delta, eps)
    T = qubit_reset_state(t_A)
    lam = _grid(*lam_range, n)
    mu = lam.copy()
    rho = reset.rho_H(lam[:, None, None] * H / gamma_A, T)  # rho(lam_k), (n, 2, 2)
    S = linalg.entropy(rho)
    rel = linalg.relative_entropy(rho[:, None], rho[None, :])  # S(rho(mu_i) | rho(lam_j))
    F = S[:, None] + rel - S[None, :]
    Lg, Mg = np.meshgrid(lam, mu)
    zero = Mg == 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        G = (1.0 - Lg / Mg) * F
    if np.any(zero):
        comm = 1j * (H @ T - T @ H) / gamma_A
        lim = -lam * np.real(np.einsum("ij,kji->k", comm, linalg.logm_pd(rho)))
        G = np.where(zero, lim[None, :], G)
    params = {
        "figure": 2,
        "delta": delta,
        "eps": eps,
        "gamma_A": gamma_A,
        "t_A": t_A,
        "n": n,
        "lam_range": lam_range,
        "rho": "rho(lam) = (lam i[H,.]/gamma_A + 1)^{-1}(tau_A), eq. (4.23) with T = tau_A",
        "F": "S(rho(mu)) + S(rho(mu)|rho(lam)) - S(rho(lam))",
        "G": "(1 - lam/mu) F; row mu = 0 by continuity: -lam tr(i[H,T] ln rho(lam))/gamma_A",
        "layout": "F[i, j] = F(lam[j], mu[i])",
        "caption": FIG2_CAPTION,
    }
    return {"lam": lam, "mu": mu, "F": F, "G": G, "params": _jsonable(params)}


#: Values of F above ``-FIG2_NEG_TOL`` are drawn as zero, not as negative:
#: F vanishes exactly on the lines mu = lam and mu = 0, where the computed
#: value is round-off (|F| ~ 1e-16).
FIG2_NEG_TOL = 1e-12


# --- Figures 3-5: the three-qubit chain of Section 8 ---------------------------------------------

#: Parameters of Figures 3-5 (captions): energies and rates in units of ε; t_B, t_A as stated per figure.
CHAIN_PARAMS = dict(e_A=0.08, e_B=0.1, e_C=0.05, U=0.1, J_alpha=0.05, J_beta=0.1, gamma_A=0.7, gamma_B=0.6)

FIG3_CAPTION = (
    "Trace distance T(ρ+_g, ρ0 + gρ1). a) For small g, the approximate solution converges to the exact "
    "solution, shown through T(ρ+_g, ρ0 + gρ1) = O(g²), as g → 0, independently of the reset state "
    "characterized by t_B = {0.6, 0.7, 0.8, 0.9}, from top to bottom. b) Quadratic dependence on g is "
    "demonstrated by plotting T(ρ+_g, ρ0 + gρ1)/g², which becomes constant as a function of g. Other "
    "parameters are fixed: e_A = 0.08, e_B = 0.1, e_C = 0.05, U = 0.1, J_α = 0.05, J_β = 0.1, γ_A = 0.7, "
    "γ_B = 0.6, t_A = 0.95."
)

FIG4_CAPTION = (
    "Theorem 7.2 for entropy production. a) We plot the difference between exact entropy production "
    "σ(ρ+_g) and first-order approximation g²σ^(2), see (8.23), divided by g², as a function of g. We fix "
    "t_A = 0.95, and vary t_B from 0.6 (red curve) to the equilibrium situation t_B = 0.95 (dashed black "
    "curve), t_B = 0.6, 0.7, 0.8, 0.9, 0.95. We observe that the approximate solution is larger than the "
    "exact solution, hence negative values for the difference. b) Plot of (σ(ρ+_g) − g²σ^(2))/g⁴ to "
    "demonstrate that the next order correction term in the EP is O(g⁴). Other parameters are fixed: "
    "e_A = 0.08, e_B = 0.1, e_C = 0.05, U = 0.1, J_α = 0.05, J_β = 0.1, γ_A = 0.7, γ_B = 0.6, t_A = 0.95."
)

FIG5_CAPTION = (
    "a) Density plot of entropy flux φ_A as a function of coupling parameter g and reset ground-state "
    "population t_B, defined in (7.6). Entropy flux changes sign with t_A − t_B, appearing in the "
    "commutator [H, ρ1]. b) Quartic behavior of entropy flux. The difference of the exact solution with the "
    "approximate one, divided by g⁴, yields a constant value with g, but depends on the value of t_A. Other "
    "parameters are fixed: e_A = 0.08, e_B = 0.1, e_C = 0.05, U = 0.1, J_α = 0.05, J_β = 0.1, γ_A = 0.7, "
    "γ_B = 0.6. For Panel a), t_A = 0.6. For Panel b), t_B = 0.95."
)

#: A plain double-precision remainder is called broken down where it is off the exact one by more
#: than this fraction of the limiting constant (sigma^(4) or phi_A^(4)).
BREAKDOWN_FRACTION = 0.01


def _chain_setup(params: dict, t_A, t_B):
    """H (8, 8), tau_A, tau_B (broadcast stacks), gammas of the chain with ``params`` (CHAIN_PARAMS keys)."""
    from . import _models_chain as mc

    p = dict(CHAIN_PARAMS)
    unknown = set(params) - set(p)
    if unknown:
        raise ValueError(f"unknown chain parameters {sorted(unknown)}; expected {sorted(p)}")
    for k, v in params.items():
        p[k] = float(_v.scalar_real(_v.rates(v, k), k)) if k.startswith("gamma") else _real(v, k)
    H = mc.three_qubit_hamiltonian(p["e_A"], p["e_B"], p["e_C"], p["U"], p["J_alpha"], p["J_beta"])
    return p, H, mc.reset_state(t_A), mc.reset_state(t_B), p["gamma_A"], p["gamma_B"]


def _log_grid(lo: float, hi: float, n: int) -> np.ndarray:
    if not (0 < lo < hi):
        raise ValueError(f"a logarithmic grid needs 0 < lo < hi, got ({lo}, {hi})")
    return np.logspace(np.log10(lo), np.log10(hi), int(n))


#: the (7.5)-(7.6) terms in double precision through the public, checked logarithm
_DOUBLE = _ept.Backend(log=linalg.logm_pd, tr=_ept.tr_real)


def _ep_double(H, tau_A, tau_B, gamma_A, gamma_B, g, lam):
    r"""Entropy production and fluxes of eqs. (7.5)-(7.6) in plain double precision, for stacks.

    The computation of :meth:`qrmlib.tripartite.TripartiteQRM.entropy_production` and
    :meth:`qrmlib.tripartite.TripartiteQRM.entropy_fluxes` (steady states by the default
    ``method="auto"``, logarithms by :func:`qrmlib.linalg.logm_pd`), batched
    over the stack axes of ``tau_A``, ``tau_B`` and ``g`` with
    :func:`qrmlib.tripartite.steady_state_batch`.  Returns
    ``sigma, phi_A, phi_B``.
    """
    from .tripartite import TripartiteQRM, _batch_core, _stack_args

    # the parameters checked once; one direct solve per point (independent round-off), no pole-residue form
    args = _stack_args(H, tau_A, tau_B, gamma_A, gamma_B, (2, 2, 2))
    g = np.asarray(g, dtype=float)
    rho = _batch_core(*args, _v.g_checked(g), "full", "auto", False)
    rA = _batch_core(*args, _v.g_checked(lam * g), "A", "auto", False)
    rB = _batch_core(*args, _v.g_checked((1 - lam) * g), "B", "auto", False)
    m = TripartiteQRM._from_checked(*args)  # the model's actions (one copy)
    DA, DB, comm = m._D_A(rho), m._D_B(rho), m._L1(rho)
    LA, LB = _ept.generators(comm, DA, DB, g, lam)
    sA, sB, pA, pB = _ept.all_terms(_DOUBLE, rho, rA, rB, LA, LB)
    return sA + sB, pA, pB


def _exact_remainder(values, radius, g, order, direct, g_switch):
    """Cauchy remainder for g < g_switch (exact), ``direct`` (double) above; plus an error estimate.

    ``values`` ``(N, k)`` on the circle; ``g`` ``(n,)``; ``direct`` ``(k, n)``.  Returns
    ``(R (k, n), from_contour (n,) bool, err)`` with ``err`` the largest difference between the
    N-node and the N/2-node (every other node) trapezoid rules.
    """
    from .series import cauchy_remainder

    inside = g < g_switch
    R = np.array(direct, dtype=float, copy=True)
    full = cauchy_remainder(values, radius, g[inside], order)
    half = cauchy_remainder(values[::2], radius, g[inside], order)
    R[:, inside] = np.real(full).T
    err = float(np.max(np.abs(full - half))) if full.size else 0.0
    return R, inside, err


def _breakdown(g, approx, exact, const):
    """Largest g where |approx - exact| > BREAKDOWN_FRACTION * |const| (NaN if nowhere or const = 0)."""
    out = np.full(exact.shape[0], np.nan)
    for k in range(exact.shape[0]):  # a handful of curves
        if const[k] == 0:
            continue
        bad = np.abs(approx[k] - exact[k]) > BREAKDOWN_FRACTION * abs(const[k])
        if np.any(bad):
            out[k] = float(g[bad].max())
    return out


# --- Figure 3 ---------------------------------------------------------------------------------


def fig3_data(
    *,
    t_A: float = 0.95,
    t_B=(0.6, 0.7, 0.8, 0.9),
    g_range=(1e-3, 3.0),
    n: int = 121,
    radius: float = 1.0,
    nodes: int = 64,
    **chain,
) -> dict:
    r"""Data of Figure 3: trace distance :math:`T(\rho^+_g,\rho_0+g\rho_1)`, eq. (8.19), and :math:`T/g^2`.

    :math:`\rho^+_g` for all ``(t_B, g)`` in one call of
    :func:`qrmlib.tripartite.steady_state_batch`; :math:`\rho_0`, :math:`\rho_1`
    from the paper's closed forms (8.16)-(8.18).  The limit
    :math:`\lim_{g\to0}T/g^2=\frac12\|\rho_2\|_1` is computed from the Taylor
    coefficient :math:`\rho_2` of the analytic continuation of
    :math:`\rho^+_z` (``qrmlib.series``, circle of radius ``radius``,
    ``nodes`` nodes).

    ``g`` is log-spaced over ``g_range`` (``n`` points); ``chain`` overrides
    ``qrmlib.figures.CHAIN_PARAMS``.

    Returns
    -------
    dict
        ``"g"`` ``(n,)``, ``"t_B"`` ``(k,)``, ``"T"`` and ``"T_over_g2"`` ``(k, n)``,
        ``"limit"`` ``(k,)`` (:math:`\frac12\|\rho_2\|_1`), ``"rho2"`` ``(k, 8, 8)``, ``"params"``.
    """
    from . import _models_chain as mc
    from .series import circle, steady_state_analytic, taylor_coefficients
    from .tripartite import steady_state_batch

    t_A, t_B = _t1(t_A, "t_A"), _t(t_B, "t_B")
    if t_B.ndim != 1:
        raise ValueError(f"t_B must be a 1-D sequence, got shape {t_B.shape}")
    g_range = tuple(_pair(g_range, "g_range", positive=True))
    n, nodes = _count(n, "n"), _count(nodes, "nodes")
    radius = _pos(radius, "radius")
    p, H, tau_A, tau_B, gA, gB = _chain_setup(chain, t_A, t_B)
    g = _log_grid(*g_range, n)
    rho = steady_state_batch(H, tau_A, tau_B[:, None], gA, gB, (2, 2, 2), g)  # (k, n, 8, 8)
    args = (p["J_alpha"], p["J_beta"], gA, gB, t_A, t_B)
    approx = mc.rho0_chain(*args)[:, None] + g[:, None, None] * mc.rho1(*args)[:, None]  # (8.16), (8.18)
    T = linalg.trace_distance(rho, approx)
    z = circle(radius, nodes)
    rz = steady_state_analytic(H, tau_A, tau_B[:, None], gA, gB, (2, 2, 2), z)  # (k, N, 8, 8)
    rho2 = taylor_coefficients(np.moveaxis(rz, 1, 0), radius, 2)[2]
    rho2 = linalg.hermitian_part(rho2)
    limit = 0.5 * np.sum(np.abs(np.linalg.eigvalsh(rho2)), axis=-1)
    params = {
        "figure": 3,
        **p,
        "t_A": t_A,
        "t_B": t_B,
        "g_range": g_range,
        "n": n,
        "g_grid": "log-spaced",
        "radius": radius,
        "nodes": nodes,
        "T": "trace distance (8.19) between rho+_g (exact) and rho0 + g rho1 of (8.16)-(8.18)",
        "limit": "0.5 ||rho_2||_1, rho_2 the g^2 Taylor coefficient of rho+_g (contour integral)",
        "caption": FIG3_CAPTION,
    }
    return {
        "g": g,
        "t_B": t_B,
        "T": T,
        "T_over_g2": T / g**2,
        "limit": limit,
        "rho2": rho2,
        "params": _jsonable(params),
    }


# --- Figure 4 ---------------------------------------------------------------------------------


def fig4_data(
    *,
    t_A: float = 0.95,
    t_B=(0.6, 0.7, 0.8, 0.9, 0.95),
    g_range=(1e-4, 2.0),
    n: int = 161,
    lam: float = 0.5,
    radius: float = 1.0,
    nodes: int = 128,
    g_switch: float = 0.5,
    **chain,
) -> dict:
    r"""Data of Figure 4: :math:`(\sigma(\rho^+_g)-g^2\sigma^{(2)})/g^2` and :math:`/g^4` against :math:`g`.

    :math:`\sigma^{(2)}` is the paper's (8.23) (closed forms (8.16)-(8.18), (8.24)).
    Two evaluations of :math:`\sigma(\rho^+_g)`, eq. (7.5), at affine parameter ``lam``:

    - ``"*_double"``: plain double precision, the computation of
      :meth:`qrmlib.tripartite.TripartiteQRM.entropy_production`, batched (``_ep_double``);
      its remainder turns to noise below :math:`g\approx3\times10^{-3}`
      (absolute error :math:`\sim10^{-16}` of :math:`\sigma`, divided by :math:`g^4`);
    - ``"R2"``, ``"R4"``: exact: for :math:`g<` ``g_switch`` the Cauchy integral
      of ``qrmlib.series.cauchy_remainder`` of the analytic continuation
      :math:`\sigma(z)` (``qrmlib.series.entropy_production_analytic``) on
      the circle :math:`|z|=` ``radius`` (``nodes`` nodes), which has no
      cancellation; above ``g_switch`` the double-precision values, accurate
      there.  The Taylor coefficients :math:`c_k` of :math:`\sigma(z)` are
      returned too: :math:`c_2=\sigma^{(2)}` and :math:`c_4=\sigma^{(4)}=\lim R_4`.

    Returns
    -------
    dict
        ``"g"`` ``(n,)``, ``"t_B"`` ``(k,)``, ``"R2"``, ``"R4"``, ``"R2_double"``,
        ``"R4_double"`` ``(k, n)``, ``"sigma2"`` ``(k,)`` ((8.23)), ``"taylor"``
        ``(k, 9)`` (:math:`c_0..c_8`, real parts), ``"sigma4"`` ``(k,)``,
        ``"from_contour"`` ``(n,)``, ``"g_break"`` ``(k,)`` (largest :math:`g` where the
        double remainder is off by more than ``BREAKDOWN_FRACTION`` :math:`|\sigma^{(4)}|`;
        NaN at equilibrium), ``"contour_error"`` (N vs N/2 nodes), ``"params"``.
    """
    from . import _models_chain as mc
    from .series import circle, entropy_production_analytic, taylor_coefficients

    t_A, t_B = _t1(t_A, "t_A"), _t(t_B, "t_B")
    if t_B.ndim != 1:
        raise ValueError(f"t_B must be a 1-D sequence, got shape {t_B.shape}")
    g_range = tuple(_pair(g_range, "g_range", positive=True))
    n, nodes = _count(n, "n"), _count(nodes, "nodes")
    radius, g_switch = _pos(radius, "radius"), _pos(g_switch, "g_switch")
    lam = _v.scalar_real(_v.lam_checked(lam), "lam")
    p, H, tau_A, tau_B, gA, gB = _chain_setup(chain, t_A, t_B)
    g = _log_grid(*g_range, n)
    sigma2 = mc.sigma2_chain(p["J_alpha"], p["J_beta"], gA, gB, t_A, t_B)  # (8.23)
    sig_d, _, _ = _ep_double(H, tau_A, tau_B[:, None], gA, gB, g, lam)  # (k, n)
    R2_d = (sig_d - g**2 * sigma2[:, None]) / g**2
    R4_d = R2_d / g**2
    z = circle(radius, nodes)
    sig_z, _, _ = entropy_production_analytic(H, tau_A, tau_B[:, None], gA, gB, (2, 2, 2), z, lam)  # (k, N)
    taylor = np.real(taylor_coefficients(sig_z.T, radius, 8)).T  # (k, 9)
    R4, inside, err = _exact_remainder(sig_z.T, radius, g, 4, R4_d, g_switch)
    # below g_switch, R2 = g^2 R4 exactly; above, the direct values
    R2 = np.where(inside, g**2 * R4, R2_d)
    sigma4 = taylor[:, 4]
    eq = np.isclose(t_B, t_A, rtol=0, atol=1e-15)
    g_break = _breakdown(g, R4_d, R4, np.where(eq, 0.0, sigma4))
    params = {
        "figure": 4,
        **p,
        "t_A": t_A,
        "t_B": t_B,
        "lam": lam,
        "g_range": g_range,
        "n": n,
        "g_grid": "log-spaced",
        "radius": radius,
        "nodes": nodes,
        "g_switch": g_switch,
        "breakdown_fraction": BREAKDOWN_FRACTION,
        "R2": "(sigma - g^2 sigma2)/g^2, exact",
        "R4": "(sigma - g^2 sigma2)/g^4, exact",
        "exact": "g < g_switch: Cauchy integral of sigma(z) on |z| = radius (qrmlib.series); "
        "g >= g_switch: double precision (accurate there)",
        "sigma2": "closed form (8.23)",
        "caption": FIG4_CAPTION,
    }
    return {
        "g": g,
        "t_B": t_B,
        "R2": R2,
        "R4": R4,
        "R2_double": R2_d,
        "R4_double": R4_d,
        "sigma2": sigma2,
        "taylor": taylor,
        "sigma4": sigma4,
        "from_contour": inside,
        "g_break": g_break,
        "contour_error": np.array(err),
        "params": _jsonable(params),
    }


# --- Figure 5 ---------------------------------------------------------------------------------


def fig5_data(
    *,
    t_A_a: float = 0.6,
    g_range_a=(1e-2, 1e2),
    n_g: int = 200,
    n_t: int = 200,
    t_B_b: float = 0.95,
    t_A_b=(0.6, 0.7, 0.8, 0.9),
    g_range_b=(1e-4, 2.0),
    n_b: int = 161,
    lam: float = 0.5,
    radius: float = 1.0,
    nodes: int = 128,
    g_switch: float = 0.5,
    n: int | None = None,
    **chain,
) -> dict:
    r"""Data of Figure 5: the entropy flux :math:`\phi_A`.

    Panel a): :math:`\phi_A(g, t_B)` at :math:`t_A=` ``t_A_a`` on an
    ``n_t`` × ``n_g`` grid: cell centres of ``n_t`` equal bins of
    :math:`t_B\in(0,1)` (rows) and of ``n_g`` log-equal bins of ``g_range_a``
    (columns).  All :math:`\rho^+_g` in one call of
    :func:`qrmlib.tripartite.steady_state_batch` (40 000 systems for the
    default grid, solved in chunks); :math:`\phi_A` from the exact identity
    (8.27), :math:`\phi_A=\gamma_A\operatorname{tr}((\tau_A-\operatorname{tr}_{CB}\rho^+_g)\ln\tau_A)`.
    ``a_zero`` is :math:`\phi_A` on the line :math:`t_B=t_A` (exactly zero).

    Panel b): :math:`(\phi_A-g^2\phi^{(2)}_A)/g^4` at :math:`t_B=` ``t_B_b``,
    one curve per ``t_A_b``, with :math:`g^2\phi^{(2)}_A` of (8.29); exact (Cauchy
    integral of the analytic continuation :math:`\phi_A(z)` of (7.6),
    ``qrmlib.series.entropy_fluxes_analytic``, for :math:`g<` ``g_switch``)
    and plain double precision, as in :func:`fig4_data`.

    ``n``, if given, sets ``n_g = n_t = n_b = n`` (small grids for tests).

    Returns
    -------
    dict
        ``"a_g"`` ``(n_g,)``, ``"a_t_B"`` ``(n_t,)``, ``"a_phi_A"`` ``(n_t, n_g)``
        (rows :math:`t_B`), ``"a_zero"`` ``(n_g,)``; ``"b_g"``, ``"b_t_A"``, ``"b_R4"``,
        ``"b_R4_double"`` ``(k, n_b)``, ``"b_phi2"`` ``(k,)`` (:math:`\phi^{(2)}_A`, (8.29)),
        ``"b_taylor"`` ``(k, 9)``, ``"b_phi4"`` ``(k,)``, ``"b_from_contour"``,
        ``"b_g_break"``, ``"b_contour_error"``; ``"params"``.
    """
    from . import _models_chain as mc
    from .series import circle, entropy_fluxes_analytic, taylor_coefficients
    from .tripartite import steady_state_batch

    if n is not None:
        n_g = n_t = n_b = _count(n, "n")
    n_g, n_t, n_b, nodes = _count(n_g, "n_g"), _count(n_t, "n_t"), _count(n_b, "n_b"), _count(nodes, "nodes")
    t_A_a, t_B_b, t_A_b = _t1(t_A_a, "t_A_a"), _t1(t_B_b, "t_B_b"), _t(t_A_b, "t_A_b")
    if t_A_b.ndim != 1:
        raise ValueError(f"t_A_b must be a 1-D sequence, got shape {t_A_b.shape}")
    g_range_a = tuple(_pair(g_range_a, "g_range_a", positive=True))
    g_range_b = tuple(_pair(g_range_b, "g_range_b", positive=True))
    radius, g_switch = _pos(radius, "radius"), _pos(g_switch, "g_switch")
    lam = _v.scalar_real(_v.lam_checked(lam), "lam")
    # panel a
    lg = np.log10(g_range_a)
    g_a = 10 ** (lg[0] + (lg[1] - lg[0]) * (np.arange(n_g) + 0.5) / n_g)
    t_a = (np.arange(n_t) + 0.5) / n_t
    p, H, tau_A, tau_B, gA, gB = _chain_setup(chain, t_A_a, t_a)
    rho = steady_state_batch(H, tau_A, tau_B[:, None], gA, gB, (2, 2, 2), g_a)  # (n_t, n_g, 8, 8)
    phi_a, _ = mc.entropy_fluxes_chain(rho, t_A_a, t_a[:, None], gA, gB)  # (8.27)
    rho0 = steady_state_batch(H, tau_A, mc.reset_state(t_A_a), gA, gB, (2, 2, 2), g_a)
    zero, _ = mc.entropy_fluxes_chain(rho0, t_A_a, t_A_a, gA, gB)

    # panel b
    t_A_b = np.asarray(t_A_b, dtype=float)
    _, H, tau_Ab, tau_Bb, gA, gB = _chain_setup(chain, t_A_b, t_B_b)
    g_b = _log_grid(*g_range_b, n_b)
    r1 = mc.rho1(p["J_alpha"], p["J_beta"], gA, gB, t_A_b, t_B_b)
    phi2, _ = mc.entropy_fluxes_g2_chain(H, r1, t_A_b, t_B_b, 1.0)  # (8.29)
    _, fA_d, _ = _ep_double(H, tau_Ab[:, None], tau_Bb, gA, gB, g_b, lam)  # (k, n_b)
    R4_d = (fA_d - g_b**2 * phi2[:, None]) / g_b**4
    z = circle(radius, nodes)
    fA_z, _ = entropy_fluxes_analytic(H, tau_Ab[:, None], tau_Bb, gA, gB, (2, 2, 2), z, lam)  # (k, N)
    taylor = np.real(taylor_coefficients(fA_z.T, radius, 8)).T
    R4, inside, err = _exact_remainder(fA_z.T, radius, g_b, 4, R4_d, g_switch)
    phi4 = taylor[:, 4]
    g_break = _breakdown(g_b, R4_d, R4, phi4)
    params = {
        "figure": 5,
        **p,
        "lam": lam,
        "a": {
            "t_A": t_A_a,
            "g_range": g_range_a,
            "n_g": n_g,
            "n_t": n_t,
            "g_grid": "cell centres of log-equal bins",
            "t_B_grid": "cell centres of equal bins of (0, 1)",
            "phi_A": "exact identity (8.27) from rho+_g",
            "layout": "phi_A[i, j] = phi_A(g[j], t_B[i])",
        },
        "b": {
            "t_B": t_B_b,
            "t_A": t_A_b,
            "g_range": g_range_b,
            "n": n_b,
            "radius": radius,
            "nodes": nodes,
            "g_switch": g_switch,
            "breakdown_fraction": BREAKDOWN_FRACTION,
            "R4": "(phi_A - g^2 phi_A^(2))/g^4 with phi_A^(2) of (8.29), exact",
            "exact": "g < g_switch: Cauchy integral of phi_A(z) on |z| = radius; above: double precision",
        },
        "caption": FIG5_CAPTION,
    }
    return {
        "a_g": g_a,
        "a_t_B": t_a,
        "a_phi_A": phi_a,
        "a_zero": zero,
        "b_g": g_b,
        "b_t_A": t_A_b,
        "b_R4": R4,
        "b_R4_double": R4_d,
        "b_phi2": phi2,
        "b_taylor": taylor,
        "b_phi4": phi4,
        "b_from_contour": inside,
        "b_g_break": g_break,
        "b_contour_error": np.array(err),
        "params": _jsonable(params),
    }


#: linear range of the symmetric-log colour scale of Figure 5a (|phi_A| below it is drawn linearly)
FIG5_LINTHRESH = 1e-8
