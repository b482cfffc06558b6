r"""The paper's figures: one function computes the data, one draws it.

Every figure ``N`` has

- ``figN_data(**params) -> dict``: the arrays behind the figure, computed with
  *one* vectorised :mod:`qrmlib` call over the whole parameter grid (no Python
  loop over grid points), plus a JSON-serialisable ``"params"`` dict recording
  every parameter, the grid and the caption;
- ``figN_draw(data) -> matplotlib.figure.Figure``: the figure, with the paper's
  panel letters;
- ``FIGN_CAPTION``: the paper's caption (corrected only where ``book/errata.md``
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
_RC = {
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
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


#: Registered figures, by number.
FIGURES: dict[int, FigureSpec] = {}


def register(number: int, data: Callable[..., dict], draw: Callable[[dict], object], caption: str) -> FigureSpec:
    """Register Figure ``number`` (used by :func:`write_figure` and the command line)."""
    if number not in PAPER_FIGURES:
        raise ValueError(f"the paper has Figures {PAPER_FIGURES[0]}-{PAPER_FIGURES[-1]}, not {number}")
    spec = FigureSpec(int(number), data, draw, caption)
    FIGURES[spec.number] = spec
    return spec


# --- shared helpers ---------------------------------------------------------------

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

    Each pair of panels is one call of :func:`qrmlib.entropy_production` on the
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
    g = np.asarray(gammas, dtype=float)
    if g.shape != (3,):
        raise ValueError(f"gammas must be (gamma_A, gamma_B, gamma_C), got shape {g.shape}")
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


# --- writing files -------------------------------------------------------------------

def save_npz(path, data: dict) -> Path:
    """Write the arrays of ``data`` and its ``"params"`` (as a JSON string array) to ``path``.

    Equivalent to :func:`numpy.savez_compressed`, but the zip entries carry a
    fixed date, so that equal data give byte-identical files.  Read back with
    :func:`load_npz` (or :func:`numpy.load`; ``params`` is a 0-d string array
    holding JSON).
    """
    path = Path(path)
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
    with np.load(path, allow_pickle=False) as z:
        out = {k: z[k] for k in z.files if k != "params"}
        out["params"] = json.loads(str(z["params"])) if "params" in z.files else {}
    return out


def save_figure(fig, path, *, dpi: int | None = None) -> Path:
    """Save a figure as PDF or PNG (by suffix) without timestamps or version metadata."""
    path = Path(path)
    suffix = path.suffix.lower()
    with _style():
        if suffix == ".pdf":
            fig.savefig(path, format="pdf", dpi=dpi or PDF_DPI, metadata=_PDF_METADATA)
        elif suffix == ".png":
            fig.savefig(path, format="png", dpi=dpi or PNG_DPI, metadata=_PNG_METADATA)
        else:
            raise ValueError(f"unsupported figure format {suffix!r} (use .pdf or .png)")
    return path


def png_bytes(fig, *, dpi: int | None = None) -> bytes:
    """The figure as PNG bytes (for display in a notebook without writing a file)."""
    buf = io.BytesIO()
    with _style():
        fig.savefig(buf, format="png", dpi=dpi or PNG_DPI, metadata=_PNG_METADATA)
    return buf.getvalue()


def _spec(number: int) -> FigureSpec:
    if number in FIGURES:
        return FIGURES[number]
    if number in PAPER_FIGURES:
        raise NotImplementedError(
            f"Figure {number} is not implemented yet in qrmlib.figures "
            f"(available: {', '.join(map(str, sorted(FIGURES)))})")
    raise ValueError(f"the paper has Figures {PAPER_FIGURES[0]}-{PAPER_FIGURES[-1]}, not {number}")


def write_figure(number: int, outdir="book/figures", *, data: dict | None = None,
                 progress=None, **params) -> list[Path]:
    """Compute (unless ``data`` is given), draw and write ``figN.pdf``, ``figN.png``, ``figN.npz``.

    ``params`` are passed to ``figN_data``.  ``progress`` is an optional
    callable invoked with a short description after each step (used for the
    progress bar).  Returns the three paths.
    """
    spec = _spec(number)
    outdir = Path(outdir)
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
    items = [s.strip() for s in str(text).split(",")]
    if not items or any(s == "" for s in items):
        raise ValueError(f"--only expects comma-separated figure numbers such as '1,2', got {text!r}")
    nums = []
    for s in items:
        try:
            nums.append(int(s))
        except ValueError:
            raise ValueError(f"--only expects figure numbers, got {s!r} in {text!r}") from None
    for k in nums:
        if k not in PAPER_FIGURES:
            raise ValueError(f"the paper has Figures {PAPER_FIGURES[0]}-{PAPER_FIGURES[-1]}, not {k}")
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


if __name__ == "__main__":  # pragma: no cover
    main()
