r"""The paper's figures: one function computes the data, one draws it.

Every figure ``N`` has

- ``figN_data(**params) -> dict``: the arrays behind the figure, computed with
  *one* vectorised :mod:`qrmlib` call over the whole parameter grid (no Python
  loop over grid points), plus a JSON-serialisable ``"params"`` dict recording
  every parameter, the grid and the caption;
- ``figN_draw(data) -> matplotlib.figure.Figure``: the figure, with the paper's
  panel letters;
- ``FIGN_CAPTION``: the paper's caption (corrected only where ``book/errata.ipynb``
  says so);

and is registered in :data:`FIGURES` with :func:`register`.  Adding a figure
(Figures 3-5 of Section 8) means writing ``figN_data``/``figN_draw`` in the
same pattern and one ``register(N, ...)`` line at the bottom of this module.

Command line (writes ``figN.pdf``, ``figN.png`` and ``figN.npz``)::

    python -m qrmlib.figures [--only 1,2] [--outdir book/figures]

The output is deterministic: two runs give byte-identical files (no
timestamps or software versions in the PDF/PNG metadata; the ``.npz`` zip is
written with fixed dates).  :func:`load_npz` reads a data file back, with its
parameters.

Matplotlib is imported lazily inside the drawing functions, so the data
functions (and the rest of :mod:`qrmlib`) do not need it.

Grid convention: a density ``Z`` on axes ``x`` (horizontal) and ``y``
(vertical) is stored as ``Z[i, j] = Z(x[j], y[i])`` (image convention, rows
are ``y``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from . import _ep_terms as _ept
from . import _validate as _v
from . import linalg, reset
from ._models_qubit import qubit_hamiltonian, qubit_reset_state

__all__ = [
    "FIGURES",
    "PAPER_FIGURES",
    "FigureSpec",
    "register",
    "FIG1_CAPTION",
    "FIG2_CAPTION",
    "fig1_data",
    "fig1_draw",
    "fig2_data",
    "fig2_draw",
    "CHAIN_PARAMS",
    "FIG3_CAPTION",
    "FIG4_CAPTION",
    "FIG5_CAPTION",
    "fig3_data",
    "fig3_draw",
    "fig4_data",
    "fig4_draw",
    "fig5_data",
    "fig5_draw",
    "save_npz",
    "load_npz",
    "save_figure",
    "png_bytes",
    "write_figure",
    "parse_only",
    "main",
]

#: The figures of the paper (Figures 1-2: Section 5; Figures 3-5: Section 8).
PAPER_FIGURES = (1, 2, 3, 4, 5)

#: Resolution of the PNG files (keeps each file well below 2 MB).
PNG_DPI = 150
#: Resolution of the rasterised density/contour layers inside the PDF files.
PDF_DPI = 200

_PDF_METADATA = {"CreationDate": None, "ModDate": None, "Producer": None}
_PNG_METADATA = {"Software": None}
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

# rcParams on top of Matplotlib's default style, so a user's matplotlibrc does
# not change the files.
#: Fonts are >= 8 pt at the displayed size: the book's text column is about 690 CSS px
#: wide, so a font of f pt in a figure W inches wide is shown at 690 f / (72 W) px, and
#: 8 pt (10.7 px) needs f >= 1.12 W, i.e. 10 pt for the 8-8.6 inch figures below.
_FONT_PT = 10
_RC = {
    "font.size": _FONT_PT,
    "axes.titlesize": _FONT_PT,
    "axes.labelsize": _FONT_PT,
    "xtick.labelsize": _FONT_PT,
    "ytick.labelsize": _FONT_PT,
    "legend.fontsize": _FONT_PT,
    "legend.title_fontsize": _FONT_PT,
    "image.cmap": "viridis",
    "svg.hashsalt": "qrmlib",
    "pdf.compression": 6,
}


# --- registry -------------------------------------------------------------------

@dataclass(frozen=True)
class FigureSpec:
    """A figure of the paper: its number, data and drawing functions, caption."""

    number: int
    data: Callable[..., dict]
    draw: Callable[[dict], object]
    caption: str

    def __post_init__(self):
        _v.integer(self.number, "number")
        if self.number not in PAPER_FIGURES:
            raise ValueError(f"number: the paper has Figures {PAPER_FIGURES[0]}-{PAPER_FIGURES[-1]}, "
                             f"not {self.number}")
        _v.callable_checked(self.data, "data")
        _v.callable_checked(self.draw, "draw")
        if not isinstance(self.caption, str):
            raise TypeError(f"caption must be a str, got {type(self.caption).__name__}")


#: Registered figures, by number.
FIGURES: dict[int, FigureSpec] = {}


def register(number: int, data: Callable[..., dict], draw: Callable[[dict], object], caption: str) -> FigureSpec:
    """Register Figure ``number`` (used by :func:`write_figure` and the command line)."""
    number = _v.integer(number, "number")
    _v.callable_checked(data, "data")
    _v.callable_checked(draw, "draw")
    if not isinstance(caption, str):
        raise TypeError(f"caption must be a str, got {type(caption).__name__}")
    if number not in PAPER_FIGURES:
        raise ValueError(f"number: the paper has Figures {PAPER_FIGURES[0]}-{PAPER_FIGURES[-1]}, not {number}")
    spec = FigureSpec(int(number), data, draw, caption)
    FIGURES[spec.number] = spec
    return spec


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


def _style():
    """Matplotlib default style plus :data:`_RC` (a context manager)."""
    import matplotlib as mpl
    import matplotlib.style

    stack = contextlib.ExitStack()
    stack.enter_context(matplotlib.style.context("default"))
    stack.enter_context(mpl.rc_context(_RC))
    return stack


def _panel_letter(ax, letter: str, *, color: str = "black") -> None:
    ax.text(0.02, 0.98, f"{letter})", transform=ax.transAxes, ha="left", va="top",
            fontsize=11, fontweight="bold", color=color)


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


def fig1_data(*, delta: float = 0.7, gammas=(1.0, 0.5, 1.0 / 3.0), eps: float = 1.0,
              t_C: float = 0.8, t_equal: float = 0.9, n: int = 201,
              t_range=(0.01, 0.99), t_zoom_halfwidth: float = 0.05,
              lam_range=(-2.0, 2.0), lam_zoom_halfwidth: float = 0.05) -> dict:
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
    xs = np.stack([ta, tb])                                   # (2, n): x axes of a, b
    tA = np.broadcast_to(xs[:, None, :], (2, n, n))           # [panel, i(y), j(x)]
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
        "delta": delta, "eps": eps,
        "gamma_A": g[0], "gamma_B": g[1], "gamma_C": g[2], "Gamma": Gamma,
        "t_C_ab": t_C, "lambdas_ab": lam_eq, "t_cd": t_equal, "n": n,
        "t_range": t_range, "t_zoom_halfwidth": t_zoom_halfwidth,
        "lam_range": lam_range, "lam_zoom_halfwidth": lam_zoom_halfwidth,
        "zero_ab": [t_C, t_C], "zero_cd": [lam_eq[0], lam_eq[1]],
        "axes": {"a": ["t_A", "t_B"], "b": ["t_A", "t_B"], "c": ["lambda_A", "lambda_B"],
                 "d": ["lambda_A", "lambda_B"]},
        "layout": "Z[i, j] = Z(x[j], y[i])",
        "caption": FIG1_CAPTION,
    }
    return {
        "a_x": ta, "a_y": ta.copy(), "a_sigma": sig_ab[0],
        "b_x": tb, "b_y": tb.copy(), "b_sigma": sig_ab[1],
        "c_x": lc, "c_y": lc.copy(), "c_sigma": sig_cd[0],
        "d_x": ld_x, "d_y": ld_y, "d_sigma": sig_cd[1],
        "params": _jsonable(params),
    }


def _contour_panel(fig, ax, x, y, z, letter, xlabel, ylabel, levels=20):
    cs = ax.contourf(x, y, z, levels=levels, cmap="viridis")
    cs.set_rasterized(True)
    lines = ax.contour(x, y, z, levels=cs.levels, colors="k", linewidths=0.3, alpha=0.5)
    lines.set_rasterized(True)
    cb = fig.colorbar(cs, ax=ax)
    cb.set_label(r"$\sigma(\rho^+)$")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_aspect("equal")
    _panel_letter(ax, letter, color="white")
    return cs


def fig1_draw(data: dict):
    """Draw Figure 1 (four contour panels a-d) from :func:`fig1_data`; returns a Matplotlib ``Figure``."""
    _data(data)
    from matplotlib.figure import Figure

    p = data["params"]
    with _style():
        fig = Figure(figsize=(8.0, 7.0), layout="constrained")
        axs = fig.subplots(2, 2)
        labels = {"a": (r"$t_A$", r"$t_B$"), "b": (r"$t_A$", r"$t_B$"),
                  "c": (r"$\lambda_A$", r"$\lambda_B$"), "d": (r"$\lambda_A$", r"$\lambda_B$")}
        for ax, letter in zip(axs.flat, "abcd"):
            _contour_panel(fig, ax, data[f"{letter}_x"], data[f"{letter}_y"], data[f"{letter}_sigma"],
                           letter, *labels[letter])
        lam_a, lam_b = p["zero_cd"]
        for ax in axs[1]:
            ax.axvline(lam_a, color="white", ls="--", lw=1.0)
            ax.axhline(lam_b, color="white", ls="--", lw=1.0)
        axs[0, 0].set_title(rf"$\lambda_j=\gamma_j/\Gamma$, $t_C={p['t_C_ab']:g}$")
        axs[0, 1].set_title(r"zoom near $t_A=t_B=t_C$")
        axs[1, 0].set_title(rf"$\tau_A=\tau_B=\tau_C$, $t={p['t_cd']:g}$, $\lambda_C=1-\lambda_A-\lambda_B$")
        axs[1, 1].set_title(r"zoom near $(\lambda_A,\lambda_B)=(6/11,3/11)$")
    return fig


# --- Figure 2 ---------------------------------------------------------------------

FIG2_CAPTION = (
    "Role of affine parameters for Lemma 4.6. Numerical values of the parameters in units of ε: "
    "δ = 0.7, γ_A = 1, t_A = 0.9. Panel a): Density plot of the function S(ρ(µ)) + S(ρ(µ)|ρ(λ)) − S(ρ(λ)) "
    "as a function of λ, µ in the range [−4, 4]. Panel b): Illustration of Eq. (4.24), showing positivity of "
    "(1 − λ/µ)(S(ρ(µ)) + S(ρ(µ)|ρ(λ)) − S(ρ(λ))) for all λ, µ. Dashed white line corresponds to µ = λ, "
    "values for which this quantity vanishes."
)


def fig2_data(*, delta: float = 0.7, gamma_A: float = 1.0, t_A: float = 0.9, eps: float = 1.0,
              n: int = 201, lam_range=(-4.0, 4.0)) -> dict:
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
    rho = reset.rho_H(lam[:, None, None] * H / gamma_A, T)           # rho(lam_k), (n, 2, 2)
    S = linalg.entropy(rho)
    rel = linalg.relative_entropy(rho[:, None], rho[None, :])         # S(rho(mu_i) | rho(lam_j))
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
        "delta": delta, "eps": eps, "gamma_A": gamma_A, "t_A": t_A, "n": n, "lam_range": lam_range,
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


def fig2_draw(data: dict):
    """Draw Figure 2 (density panels a, b) from :func:`fig2_data`; returns a Matplotlib ``Figure``.

    Panel a): :math:`F` with the negative region (``F < -FIG2_NEG_TOL``)
    white, and the white dashed lines :math:`\\mu=\\lambda` and
    :math:`\\lambda=0` bounding the two regions :math:`0<\\lambda/\\mu<1` of
    (4.25).  Panel b): :math:`(1-\\lambda/\\mu)F` with the white dashed line
    :math:`\\mu=\\lambda`.
    """
    _data(data)
    import matplotlib as mpl
    from matplotlib.figure import Figure

    lam, mu = data["lam"], data["mu"]
    extent = (lam[0] - (lam[1] - lam[0]) / 2, lam[-1] + (lam[1] - lam[0]) / 2,
              mu[0] - (mu[1] - mu[0]) / 2, mu[-1] + (mu[1] - mu[0]) / 2)
    with _style():
        fig = Figure(figsize=(8.0, 3.6), layout="constrained")
        ax_a, ax_b = fig.subplots(1, 2)
        cmap = mpl.colormaps["viridis"].with_extremes(bad="white", under="white")
        F = data["F"]
        Fm = np.ma.masked_where(F < -FIG2_NEG_TOL, np.maximum(F, 0.0))
        im = ax_a.imshow(Fm, origin="lower", extent=extent, cmap=cmap, vmin=0.0, aspect="equal",
                         interpolation="nearest")
        cb = fig.colorbar(im, ax=ax_a)
        cb.set_label(r"$S(\rho(\mu))+S(\rho(\mu)|\rho(\lambda))-S(\rho(\lambda))$")
        ax_a.plot([lam[0], lam[-1]], [lam[0], lam[-1]], "w--", lw=1.0)
        ax_a.axvline(0.0, color="white", ls="--", lw=1.0)
        im_b = ax_b.imshow(data["G"], origin="lower", extent=extent, cmap="viridis", aspect="equal",
                           interpolation="nearest")
        cb_b = fig.colorbar(im_b, ax=ax_b)
        cb_b.set_label(r"$(1-\lambda/\mu)\,(S(\rho(\mu))+S(\rho(\mu)|\rho(\lambda))-S(\rho(\lambda)))$")
        ax_b.plot([lam[0], lam[-1]], [lam[0], lam[-1]], "w--", lw=1.0)
        for ax, letter in ((ax_a, "a"), (ax_b, "b")):
            ax.set_xlim(extent[:2])
            ax.set_ylim(extent[2:])
            ax.set_xlabel(r"$\lambda$")
            ax.set_ylabel(r"$\mu$")
            _panel_letter(ax, letter, color="black")
        for im_ in (im, im_b):
            im_.set_rasterized(True)
    return fig


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
        p[k] = (float(_v.scalar_real(_v.rates(v, k), k)) if k.startswith("gamma") else _real(v, k))
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
    from .tripartite import _steady_state_batch

    def steady_state_batch(*args, which="full"):   # one direct solve per point: independent round-off
        return _steady_state_batch(*args, which, "auto", False)

    dims = (2, 2, 2)
    g = np.asarray(g, dtype=float)
    rho = steady_state_batch(H, tau_A, tau_B, gamma_A, gamma_B, dims, g)
    rA = steady_state_batch(H, tau_A, tau_B, gamma_A, gamma_B, dims, lam * g, which="A")
    rB = steady_state_batch(H, tau_A, tau_B, gamma_A, gamma_B, dims, (1 - lam) * g, which="B")
    tA = np.asarray(tau_A)
    tB = np.asarray(tau_B)
    trA = linalg.partial_trace(rho, dims, (1, 2))
    trB = linalg.partial_trace(rho, dims, (0, 1))
    DA = gamma_A * (linalg._kron(tA, trA) - rho)
    DB = gamma_B * (linalg._kron(trB, tB) - rho)
    comm = -1j * (H @ rho - rho @ H)
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

def fig3_data(*, t_A: float = 0.95, t_B=(0.6, 0.7, 0.8, 0.9), g_range=(1e-3, 3.0), n: int = 121,
              radius: float = 1.0, nodes: int = 64, **chain) -> dict:
    r"""Data of Figure 3: trace distance :math:`T(\rho^+_g,\rho_0+g\rho_1)`, eq. (8.19), and :math:`T/g^2`.

    :math:`\rho^+_g` for all ``(t_B, g)`` in one call of
    :func:`qrmlib.tripartite.steady_state_batch`; :math:`\rho_0`, :math:`\rho_1`
    from the paper's closed forms (8.16)-(8.18).  The limit
    :math:`\lim_{g\to0}T/g^2=\frac12\|\rho_2\|_1` is computed from the Taylor
    coefficient :math:`\rho_2` of the analytic continuation of
    :math:`\rho^+_z` (``qrmlib.series``, circle of radius ``radius``,
    ``nodes`` nodes).

    ``g`` is log-spaced over ``g_range`` (``n`` points); ``chain`` overrides
    :data:`CHAIN_PARAMS`.

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
    rho = steady_state_batch(H, tau_A, tau_B[:, None], gA, gB, (2, 2, 2), g)             # (k, n, 8, 8)
    args = (p["J_alpha"], p["J_beta"], gA, gB, t_A, t_B)
    approx = mc.rho0_chain(*args)[:, None] + g[:, None, None] * mc.rho1(*args)[:, None]  # (8.16), (8.18)
    T = linalg.trace_distance(rho, approx)
    z = circle(radius, nodes)
    rz = steady_state_analytic(H, tau_A, tau_B[:, None], gA, gB, (2, 2, 2), z)          # (k, N, 8, 8)
    rho2 = taylor_coefficients(np.moveaxis(rz, 1, 0), radius, 2)[2]
    rho2 = linalg.hermitian_part(rho2)
    limit = 0.5 * np.sum(np.abs(np.linalg.eigvalsh(rho2)), axis=-1)
    params = {
        "figure": 3, **p, "t_A": t_A, "t_B": t_B, "g_range": g_range, "n": n, "g_grid": "log-spaced",
        "radius": radius, "nodes": nodes,
        "T": "trace distance (8.19) between rho+_g (exact) and rho0 + g rho1 of (8.16)-(8.18)",
        "limit": "0.5 ||rho_2||_1, rho_2 the g^2 Taylor coefficient of rho+_g (contour integral)",
        "caption": FIG3_CAPTION,
    }
    return {"g": g, "t_B": t_B, "T": T, "T_over_g2": T / g**2, "limit": limit, "rho2": rho2,
            "params": _jsonable(params)}


def fig3_draw(data: dict):
    """Draw Figure 3 (panels a: T against g, log-log; b: T/g² against g) from :func:`fig3_data`."""
    _data(data)
    from matplotlib.figure import Figure

    g, tB = data["g"], data["t_B"]
    with _style():
        fig = Figure(figsize=(8.0, 3.4), layout="constrained")
        ax_a, ax_b = fig.subplots(1, 2)
        colors = _red_to_blue(len(tB))
        for k, t in enumerate(tB):
            ax_a.loglog(g, data["T"][k], color=colors[k], lw=1.3, label=rf"$t_B={t:g}$")
            ax_b.semilogx(g, data["T_over_g2"][k], color=colors[k], lw=1.3, label=rf"$t_B={t:g}$")
            ax_b.axhline(data["limit"][k], color=colors[k], lw=0.6, ls=":")
        ref = data["limit"][0] * g**2
        ax_a.loglog(g, ref, color="0.5", lw=0.8, ls="--", label=r"$\propto g^2$")
        ax_a.set_ylabel(r"$T(\rho^+_g,\rho_0+g\rho_1)$")
        ax_b.set_ylabel(r"$T(\rho^+_g,\rho_0+g\rho_1)/g^2$")
        ax_b.set_ylim(bottom=0.0)
        for ax, letter in ((ax_a, "a"), (ax_b, "b")):
            ax.set_xlabel(r"$g$")
            ax.set_xlim(g[0], g[-1])
            _panel_letter(ax, letter)
        ax_a.legend(loc="lower right", fontsize=_FONT_PT)
        ax_b.legend(loc="lower left", fontsize=_FONT_PT, title=r"dotted: $\frac{1}{2}\Vert\rho_2\Vert_1$", title_fontsize=_FONT_PT)
    return fig


#: curve colours of Figures 3-5, from red (first curve) to blue/purple, as in the paper's "0.6 (red curve)"
_CURVE_COLORS = ("#c0392b", "#e67e22", "#27ae60", "#2e86c1", "#7d3c98", "#7f8c8d")


def _red_to_blue(k: int):
    """``k`` distinct colours, the first red."""
    if k > len(_CURVE_COLORS):
        raise ValueError(f"at most {len(_CURVE_COLORS)} curves per panel, got {k}")
    return list(_CURVE_COLORS[:k])


# --- Figure 4 ---------------------------------------------------------------------------------

def fig4_data(*, t_A: float = 0.95, t_B=(0.6, 0.7, 0.8, 0.9, 0.95), g_range=(1e-4, 2.0), n: int = 161,
              lam: float = 0.5, radius: float = 1.0, nodes: int = 128, g_switch: float = 0.5,
              **chain) -> dict:
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
    sigma2 = mc.sigma2_chain(p["J_alpha"], p["J_beta"], gA, gB, t_A, t_B)               # (8.23)
    sig_d, _, _ = _ep_double(H, tau_A, tau_B[:, None], gA, gB, g, lam)                 # (k, n)
    R2_d = (sig_d - g**2 * sigma2[:, None]) / g**2
    R4_d = R2_d / g**2
    z = circle(radius, nodes)
    sig_z, _, _ = entropy_production_analytic(H, tau_A, tau_B[:, None], gA, gB, (2, 2, 2), z, lam)  # (k, N)
    taylor = np.real(taylor_coefficients(sig_z.T, radius, 8)).T                        # (k, 9)
    R4, inside, err = _exact_remainder(sig_z.T, radius, g, 4, R4_d, g_switch)
    # below g_switch, R2 = g^2 R4 exactly; above, the direct values
    R2 = np.where(inside, g**2 * R4, R2_d)
    sigma4 = taylor[:, 4]
    eq = np.isclose(t_B, t_A, rtol=0, atol=1e-15)
    g_break = _breakdown(g, R4_d, R4, np.where(eq, 0.0, sigma4))
    params = {
        "figure": 4, **p, "t_A": t_A, "t_B": t_B, "lam": lam, "g_range": g_range, "n": n,
        "g_grid": "log-spaced", "radius": radius, "nodes": nodes, "g_switch": g_switch,
        "breakdown_fraction": BREAKDOWN_FRACTION,
        "R2": "(sigma - g^2 sigma2)/g^2, exact", "R4": "(sigma - g^2 sigma2)/g^4, exact",
        "exact": "g < g_switch: Cauchy integral of sigma(z) on |z| = radius (qrmlib.series); "
                 "g >= g_switch: double precision (accurate there)",
        "sigma2": "closed form (8.23)",
        "caption": FIG4_CAPTION,
    }
    return {"g": g, "t_B": t_B, "R2": R2, "R4": R4, "R2_double": R2_d, "R4_double": R4_d,
            "sigma2": sigma2, "taylor": taylor, "sigma4": sigma4, "from_contour": inside,
            "g_break": g_break, "contour_error": np.array(err), "params": _jsonable(params)}


def _remainder_panel(ax, g, exact, double, labels, colors, styles, g_break, const, ylabel):
    """Remainder curves on a log-g axis: exact (solid/dashed) and plain double (thin dashed); returns nothing.

    The values are scaled by a power of ten shown in the y label (no offset text), the y range is
    set by the exact curves (the double-precision noise leaves it), and the g range where the double
    curves are broken down (``g_break``) is shaded.
    """
    top = float(np.max(np.abs(exact)))
    e = int(np.floor(np.log10(top))) if top > 0 else 0
    s = 10.0 ** -e
    for k in range(exact.shape[0]):
        ax.semilogx(g, s * double[k], color=colors[k], lw=0.7, ls=(0, (2, 2)), alpha=0.55)
        ax.semilogx(g, s * exact[k], color=colors[k], lw=1.4, ls=styles[k], label=labels[k])
    lo = min(float(np.min(s * exact)), 0.0)
    hi = max(float(np.max(s * exact)), 0.0)
    pad = 0.12 * (hi - lo if hi > lo else 1.0)
    gb = np.nanmax(g_break) if np.any(np.isfinite(g_break)) else np.nan
    # room below the curves for the label of the shaded band
    ax.set_ylim(lo - (3.2 * pad if np.isfinite(gb) else pad), hi + pad)
    if np.isfinite(gb):
        ax.axvspan(g[0], gb, color="0.88", zorder=0, lw=0)
        ax.text(np.sqrt(g[0] * gb), lo - 2.0 * pad, "double\nprecision:\nnoise", ha="center", va="center",
                fontsize=_FONT_PT, color="0.3", linespacing=1.0,
                bbox=dict(facecolor="0.88", edgecolor="none", pad=1.5), zorder=5)
    for c, col in zip(const, colors):
        if np.isfinite(c):
            ax.plot([g[0]], [s * c], marker="<", ms=4, color=col, clip_on=False)
    ax.set_xlim(g[0], g[-1])
    ax.set_xlabel(r"$g$")
    ax.set_ylabel(ylabel + (rf"  $[\times 10^{{{e}}}]$" if e else ""))


def fig4_draw(data: dict):
    """Draw Figure 4 from :func:`fig4_data`.

    Panel a): :math:`(\\sigma-g^2\\sigma^{(2)})/g^2`; panel b): :math:`/g^4`.  Solid:
    exact; thin dashed: plain double precision (noise where the grey band is);
    the equilibrium :math:`t_B=t_A` dashed black.
    """
    _data(data)
    from matplotlib.figure import Figure

    g, tB = data["g"], data["t_B"]
    t_A = data["params"]["t_A"]
    eq = np.isclose(tB, t_A, rtol=0, atol=1e-15)
    colors = _red_to_blue(int(np.sum(~eq)))
    colors = [("black" if e else colors[int(np.sum(~eq[:k]))]) for k, e in enumerate(eq)]
    styles = ["--" if e else "-" for e in eq]
    labels = [rf"$t_B={t:g}$" + (r" $=t_A$" if e else "") for t, e in zip(tB, eq)]
    with _style():
        fig = Figure(figsize=(8.0, 3.4), layout="constrained")
        ax_a, ax_b = fig.subplots(1, 2)
        _remainder_panel(ax_a, g, data["R2"], data["R2_double"], labels, colors, styles,
                         data["g_break"] * np.nan, [np.nan] * len(tB),
                         r"$(\sigma(\rho^+_g)-g^2\sigma^{(2)})/g^2$")
        _remainder_panel(ax_b, g, data["R4"], data["R4_double"], labels, colors, styles,
                         data["g_break"], data["sigma4"], r"$(\sigma(\rho^+_g)-g^2\sigma^{(2)})/g^4$")
        ax_a.legend(loc="lower left", fontsize=_FONT_PT)
        _panel_letter(ax_a, "a")
        _panel_letter(ax_b, "b")
    return fig


# --- Figure 5 ---------------------------------------------------------------------------------

def fig5_data(*, t_A_a: float = 0.6, g_range_a=(1e-2, 1e2), n_g: int = 200, n_t: int = 200,
              t_B_b: float = 0.95, t_A_b=(0.6, 0.7, 0.8, 0.9), g_range_b=(1e-4, 2.0), n_b: int = 161,
              lam: float = 0.5, radius: float = 1.0, nodes: int = 128, g_switch: float = 0.5,
              n: int | None = None, **chain) -> dict:
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
    rho = steady_state_batch(H, tau_A, tau_B[:, None], gA, gB, (2, 2, 2), g_a)          # (n_t, n_g, 8, 8)
    phi_a, _ = mc.entropy_fluxes_chain(rho, t_A_a, t_a[:, None], gA, gB)               # (8.27)
    rho0 = steady_state_batch(H, tau_A, mc.reset_state(t_A_a), gA, gB, (2, 2, 2), g_a)
    zero, _ = mc.entropy_fluxes_chain(rho0, t_A_a, t_A_a, gA, gB)

    # panel b
    t_A_b = np.asarray(t_A_b, dtype=float)
    _, H, tau_Ab, tau_Bb, gA, gB = _chain_setup(chain, t_A_b, t_B_b)
    g_b = _log_grid(*g_range_b, n_b)
    r1 = mc.rho1(p["J_alpha"], p["J_beta"], gA, gB, t_A_b, t_B_b)
    phi2, _ = mc.entropy_fluxes_g2_chain(H, r1, t_A_b, t_B_b, 1.0)                     # (8.29)
    _, fA_d, _ = _ep_double(H, tau_Ab[:, None], tau_Bb, gA, gB, g_b, lam)              # (k, n_b)
    R4_d = (fA_d - g_b**2 * phi2[:, None]) / g_b**4
    z = circle(radius, nodes)
    fA_z, _ = entropy_fluxes_analytic(H, tau_Ab[:, None], tau_Bb, gA, gB, (2, 2, 2), z, lam)     # (k, N)
    taylor = np.real(taylor_coefficients(fA_z.T, radius, 8)).T
    R4, inside, err = _exact_remainder(fA_z.T, radius, g_b, 4, R4_d, g_switch)
    phi4 = taylor[:, 4]
    g_break = _breakdown(g_b, R4_d, R4, phi4)
    params = {
        "figure": 5, **p, "lam": lam,
        "a": {"t_A": t_A_a, "g_range": g_range_a, "n_g": n_g, "n_t": n_t,
              "g_grid": "cell centres of log-equal bins", "t_B_grid": "cell centres of equal bins of (0, 1)",
              "phi_A": "exact identity (8.27) from rho+_g", "layout": "phi_A[i, j] = phi_A(g[j], t_B[i])"},
        "b": {"t_B": t_B_b, "t_A": t_A_b, "g_range": g_range_b, "n": n_b, "radius": radius, "nodes": nodes,
              "g_switch": g_switch, "breakdown_fraction": BREAKDOWN_FRACTION,
              "R4": "(phi_A - g^2 phi_A^(2))/g^4 with phi_A^(2) of (8.29), exact",
              "exact": "g < g_switch: Cauchy integral of phi_A(z) on |z| = radius; above: double precision"},
        "caption": FIG5_CAPTION,
    }
    return {"a_g": g_a, "a_t_B": t_a, "a_phi_A": phi_a, "a_zero": zero,
            "b_g": g_b, "b_t_A": t_A_b, "b_R4": R4, "b_R4_double": R4_d, "b_phi2": phi2,
            "b_taylor": taylor, "b_phi4": phi4, "b_from_contour": inside, "b_g_break": g_break,
            "b_contour_error": np.array(err), "params": _jsonable(params)}


#: linear range of the symmetric-log colour scale of Figure 5a (|phi_A| below it is drawn linearly)
FIG5_LINTHRESH = 1e-8


def fig5_draw(data: dict):
    """Draw Figure 5 from :func:`fig5_data`.

    Panel a): density of :math:`\\phi_A` over :math:`(g, t_B)` (logarithmic
    :math:`g`; symmetric-log colour scale, so that the sign is visible at all
    :math:`g`), with the zero line :math:`t_B=t_A` (dashed).  Panel b): the
    remainders, exact (solid) and plain double precision (thin dashed).
    """
    _data(data)
    import matplotlib as mpl
    from matplotlib.figure import Figure

    g, tB, phi = data["a_g"], data["a_t_B"], data["a_phi_A"]
    t_A = data["params"]["a"]["t_A"]
    lg = np.log10(g)
    dl = lg[1] - lg[0]
    extent = (10 ** (lg[0] - dl / 2), 10 ** (lg[-1] + dl / 2), tB[0] - (tB[1] - tB[0]) / 2,
              tB[-1] + (tB[1] - tB[0]) / 2)
    vmax = float(np.max(np.abs(phi)))
    with _style():
        fig = Figure(figsize=(8.6, 3.6), layout="constrained")
        ax_a, ax_b = fig.subplots(1, 2)
        norm = mpl.colors.SymLogNorm(linthresh=FIG5_LINTHRESH, linscale=0.5, vmin=-vmax, vmax=vmax, base=10)
        X, Y = np.meshgrid(np.concatenate([[extent[0]], np.sqrt(g[1:] * g[:-1]), [extent[1]]]),
                           np.concatenate([[extent[2]], (tB[1:] + tB[:-1]) / 2, [extent[3]]]))
        mesh = ax_a.pcolormesh(X, Y, phi, norm=norm, cmap="RdBu_r", shading="flat")
        mesh.set_rasterized(True)
        ax_a.set_xscale("log")
        cb = fig.colorbar(mesh, ax=ax_a)
        cb.set_label(r"$\phi_A$ (symmetric log scale)")
        ax_a.axhline(t_A, color="black", ls="--", lw=1.0)
        ax_a.text(extent[0] * 1.3, t_A + 0.015, rf"$t_B=t_A={t_A:g}$: $\phi_A=0$", fontsize=_FONT_PT, va="bottom")
        ax_a.set_xlim(extent[:2])
        ax_a.set_ylim(extent[2:])
        ax_a.set_xlabel(r"$g$")
        ax_a.set_ylabel(r"$t_B$")
        _panel_letter(ax_a, "a")

        tA_b = data["b_t_A"]
        colors = _red_to_blue(len(tA_b))
        labels = [rf"$t_A={t:g}$" for t in tA_b]
        _remainder_panel(ax_b, data["b_g"], data["b_R4"], data["b_R4_double"], labels, colors,
                         ["-"] * len(tA_b), data["b_g_break"], data["b_phi4"],
                         r"$(\phi_A-g^2\phi_A^{(2)})/g^4$")
        ax_b.legend(loc="best", fontsize=_FONT_PT, title=rf"$t_B={data['params']['b']['t_B']:g}$", title_fontsize=_FONT_PT)
        _panel_letter(ax_b, "b")
    return fig


# --- writing files -------------------------------------------------------------------

def save_npz(path, data: dict) -> Path:
    """Write the arrays of ``data`` and its ``"params"`` (as a JSON string array) to ``path``.

    Equivalent to :func:`numpy.savez_compressed`, but the zip entries carry a
    fixed date, so that equal data give byte-identical files.  Read back with
    :func:`load_npz` (or :func:`numpy.load`; ``params`` is a 0-d string array
    holding JSON).
    """
    path = _path(path)
    if not isinstance(data, dict):
        raise TypeError(f"data must be a dict of arrays, got {type(data).__name__}")
    entries = {k: np.asarray(v) for k, v in data.items() if k != "params"}
    entries["params"] = np.array(json.dumps(_jsonable(data.get("params", {})), sort_keys=True,
                                            ensure_ascii=False))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key, arr in entries.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asarray(arr, order="C"), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue())
    return path


def load_npz(path) -> dict:
    """Read a file written by :func:`save_npz`: the arrays and the ``params`` dict."""
    path = _path(path)
    with np.load(path, allow_pickle=False) as z:
        out = {k: z[k] for k in z.files if k != "params"}
        out["params"] = json.loads(str(z["params"])) if "params" in z.files else {}
    return out


def save_figure(fig, path, *, dpi: int | None = None) -> Path:
    """Save a figure as PDF or PNG (by suffix) without timestamps or version metadata."""
    _fig(fig, dpi)
    path = _path(path)
    suffix = path.suffix.lower()
    with _style():
        if suffix == ".pdf":
            fig.savefig(path, format="pdf", dpi=dpi or PDF_DPI, metadata=_PDF_METADATA)
        elif suffix == ".png":
            fig.savefig(path, format="png", dpi=dpi or PNG_DPI, metadata=_PNG_METADATA)
        else:
            raise ValueError(f"path: unsupported figure format {suffix!r} (use .pdf or .png)")
    return path


def png_bytes(fig, *, dpi: int | None = None) -> bytes:
    """The figure as PNG bytes (for display in a notebook without writing a file)."""
    _fig(fig, dpi)
    buf = io.BytesIO()
    with _style():
        fig.savefig(buf, format="png", dpi=dpi or PNG_DPI, metadata=_PNG_METADATA)
    return buf.getvalue()


def _path(path, name="path"):
    if not isinstance(path, (str, Path)) or str(path) == "":
        raise TypeError(f"{name} must be a non-empty str or pathlib.Path, got {path!r}")
    return Path(path)


def _fig(fig, dpi):
    if not hasattr(fig, "savefig"):
        raise TypeError(f"fig must be a Matplotlib Figure, got {type(fig).__name__}")
    if dpi is not None:
        _v.integer(dpi, "dpi", minimum=1, maximum=10_000)


def _spec(number: int) -> FigureSpec:
    number = _v.integer(number, "number")
    if number in FIGURES:
        return FIGURES[number]
    if number in PAPER_FIGURES:
        raise NotImplementedError(
            f"Figure {number} is not implemented yet in qrmlib.figures "
            f"(available: {', '.join(map(str, sorted(FIGURES)))})")
    raise ValueError(f"number: the paper has Figures {PAPER_FIGURES[0]}-{PAPER_FIGURES[-1]}, not {number}")


def write_figure(number: int, outdir="book/figures", *, data: dict | None = None,
                 progress=None, **params) -> list[Path]:
    """Compute (unless ``data`` is given), draw and write ``figN.pdf``, ``figN.png``, ``figN.npz``.

    ``params`` are passed to ``figN_data``.  ``progress`` is an optional
    callable invoked with a short description after each step (used for the
    progress bar).  Returns the three paths.
    """
    spec = _spec(number)
    outdir = _path(outdir, "outdir")
    if data is not None:
        _data(data)
    if progress is not None:
        _v.callable_checked(progress, "progress")
    outdir.mkdir(parents=True, exist_ok=True)
    step = progress or (lambda _msg: None)
    if data is None:
        data = spec.data(**params)
    step(f"fig{number}: data")
    fig = spec.draw(data)
    stem = outdir / f"fig{number}"
    paths = [save_figure(fig, stem.with_suffix(".pdf")), save_figure(fig, stem.with_suffix(".png"))]
    step(f"fig{number}: pdf, png")
    paths.append(save_npz(stem.with_suffix(".npz"), data))
    step(f"fig{number}: npz")
    return paths


# --- command line ------------------------------------------------------------------------

def parse_only(text: str) -> list[int]:
    """Parse ``--only`` (``"1,2"``) into sorted figure numbers; ``ValueError`` with a clear message."""
    if not isinstance(text, str):
        raise TypeError(f"text (--only) must be a str such as '1,2', got {type(text).__name__}")
    items = [s.strip() for s in text.split(",")]
    if not items or any(s == "" for s in items):
        raise ValueError(f"text (--only) expects comma-separated figure numbers such as '1,2', got {text!r}")
    nums = []
    for s in items:
        try:
            nums.append(int(s))
        except ValueError:
            raise ValueError(f"text (--only) expects figure numbers, got {s!r} in {text!r}") from None
    for k in nums:
        if k not in PAPER_FIGURES:
            raise ValueError(f"text (--only): the paper has Figures {PAPER_FIGURES[0]}-{PAPER_FIGURES[-1]}, not {k}")
        if k not in FIGURES:
            raise ValueError(f"Figure {k} is not implemented yet in qrmlib.figures "
                             f"(available: {', '.join(map(str, sorted(FIGURES)))})")
    return sorted(set(nums))


def _progress_bar(total: int, disable: bool):
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is in the [book] and [test] extras
        class _Null:
            def update(self, *_):
                pass

            def set_postfix_str(self, *_):
                pass

            def close(self):
                pass

        return _Null()
    return tqdm(total=total, desc="qrmlib.figures", unit="step", disable=disable, file=sys.stderr)


def main(argv: Iterable[str] | None = None) -> list[Path]:
    """Entry point of ``python -m qrmlib.figures``; returns the written paths."""
    parser = argparse.ArgumentParser(
        prog="python -m qrmlib.figures",
        description="Write the paper's figures (figN.pdf, figN.png, figN.npz), deterministically.")
    parser.add_argument("--only", default=None,
                        help="comma-separated figure numbers, e.g. '1,2' (default: all implemented: "
                             + ",".join(map(str, sorted(FIGURES))) + ")")
    parser.add_argument("--outdir", default="book/figures", help="output directory (default: book/figures)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(None if argv is None else list(argv))
    if args.only is None:
        numbers = sorted(FIGURES)
    else:
        try:
            numbers = parse_only(args.only)
        except ValueError as exc:
            parser.error(str(exc))
    from . import single_thread_blas

    bar = _progress_bar(3 * len(numbers), args.quiet)
    written: list[Path] = []

    def step(msg):
        bar.set_postfix_str(msg)
        bar.update(1)

    try:
        with single_thread_blas():
            for k in numbers:
                written += write_figure(k, args.outdir, progress=step)
    finally:
        bar.close()
    for p in written:
        print(p)
    return written


register(1, fig1_data, fig1_draw, FIG1_CAPTION)
register(2, fig2_data, fig2_draw, FIG2_CAPTION)
register(3, fig3_data, fig3_draw, FIG3_CAPTION)
register(4, fig4_data, fig4_draw, FIG4_CAPTION)
register(5, fig5_data, fig5_draw, FIG5_CAPTION)


if __name__ == "__main__":  # pragma: no cover
    main()
