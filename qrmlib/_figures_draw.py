r"""Drawing the paper's figures: ``figN_draw(data) -> matplotlib.figure.Figure``.

Matplotlib is imported lazily inside the functions.  Re-exported by :mod:`qrmlib.figures`
(import from there).
"""

from __future__ import annotations

import contextlib

import numpy as np
from ._figures_data import (
    FIG2_NEG_TOL,
    FIG5_LINTHRESH,
    _data,
)


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


def _style():
    """Matplotlib default style plus :data:`_RC` (a context manager)."""
    import matplotlib as mpl
    import matplotlib.style

    stack = contextlib.ExitStack()
    stack.enter_context(matplotlib.style.context("default"))
    stack.enter_context(mpl.rc_context(_RC))
    return stack


def _panel_letter(ax, letter: str, *, color: str = "black") -> None:
    ax.text(
        0.02,
        0.98,
        f"{letter})",
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=11,
        fontweight="bold",
        color=color,
    )


def _rasterize(artist) -> None:
    """Rasterize a dense artist in the vector (PDF) output, where the artist supports it
    (Matplotlib < 3.11 warns for contour sets, whose draw does not)."""
    if getattr(artist.draw, "_supports_rasterization", False):
        artist.set_rasterized(True)


def _contour_panel(fig, ax, x, y, z, letter, xlabel, ylabel, levels=20):
    cs = ax.contourf(x, y, z, levels=levels, cmap="viridis")
    _rasterize(cs)
    lines = ax.contour(x, y, z, levels=cs.levels, colors="k", linewidths=0.3, alpha=0.5)
    _rasterize(lines)
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
        labels = {
            "a": (r"$t_A$", r"$t_B$"),
            "b": (r"$t_A$", r"$t_B$"),
            "c": (r"$\lambda_A$", r"$\lambda_B$"),
            "d": (r"$\lambda_A$", r"$\lambda_B$"),
        }
        for ax, letter in zip(axs.flat, "abcd"):
            _contour_panel(
                fig, ax, data[f"{letter}_x"], data[f"{letter}_y"], data[f"{letter}_sigma"], letter, *labels[letter]
            )
        lam_a, lam_b = p["zero_cd"]
        for ax in axs[1]:
            ax.axvline(lam_a, color="white", ls="--", lw=1.0)
            ax.axhline(lam_b, color="white", ls="--", lw=1.0)
        axs[0, 0].set_title(rf"$\lambda_j=\gamma_j/\Gamma$, $t_C={p['t_C_ab']:g}$")
        axs[0, 1].set_title(r"zoom near $t_A=t_B=t_C$")
        axs[1, 0].set_title(rf"$\tau_A=\tau_B=\tau_C$, $t={p['t_cd']:g}$, $\lambda_C=1-\lambda_A-\lambda_B$")
        axs[1, 1].set_title(r"zoom near $(\lambda_A,\lambda_B)=(6/11,3/11)$")
    return fig


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
    extent = (
        lam[0] - (lam[1] - lam[0]) / 2,
        lam[-1] + (lam[1] - lam[0]) / 2,
        mu[0] - (mu[1] - mu[0]) / 2,
        mu[-1] + (mu[1] - mu[0]) / 2,
    )
    with _style():
        fig = Figure(figsize=(8.0, 3.6), layout="constrained")
        ax_a, ax_b = fig.subplots(1, 2)
        cmap = mpl.colormaps["viridis"].with_extremes(bad="white", under="white")
        F = data["F"]
        Fm = np.ma.masked_where(F < -FIG2_NEG_TOL, np.maximum(F, 0.0))
        im = ax_a.imshow(
            Fm, origin="lower", extent=extent, cmap=cmap, vmin=0.0, aspect="equal", interpolation="nearest"
        )
        cb = fig.colorbar(im, ax=ax_a)
        cb.set_label(r"$S(\rho(\mu))+S(\rho(\mu)|\rho(\lambda))-S(\rho(\lambda))$")
        ax_a.plot([lam[0], lam[-1]], [lam[0], lam[-1]], "w--", lw=1.0)
        ax_a.axvline(0.0, color="white", ls="--", lw=1.0)
        im_b = ax_b.imshow(
            data["G"], origin="lower", extent=extent, cmap="viridis", aspect="equal", interpolation="nearest"
        )
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
        # above the curves: extend the y range upwards, so the legend hides none of them
        ax_b.set_ylim(0.0, 1.5 * ax_b.get_ylim()[1])
        ax_b.legend(
            loc="upper center",
            fontsize=_FONT_PT,
            title=r"dotted: $\frac{1}{2}\Vert\rho_2\Vert_1$",
            title_fontsize=_FONT_PT,
            ncol=2,
        )
    return fig


#: curve colours of Figures 3-5, from red (first curve) to blue/purple, as in the paper's "0.6 (red curve)"
_CURVE_COLORS = ("#c0392b", "#e67e22", "#27ae60", "#2e86c1", "#7d3c98", "#7f8c8d")


def _red_to_blue(k: int):
    """``k`` distinct colours, the first red."""
    if k > len(_CURVE_COLORS):
        raise ValueError(f"at most {len(_CURVE_COLORS)} curves per panel, got {k}")
    return list(_CURVE_COLORS[:k])


def _remainder_panel(ax, g, exact, double, labels, colors, styles, g_break, const, ylabel):
    """Remainder curves on a log-g axis: exact (solid/dashed) and plain double (thin dashed); returns nothing.

    The values are scaled by a power of ten shown in the y label (no offset text), the y range is
    set by the exact curves (the double-precision noise leaves it), and the g range where the double
    curves are broken down (``g_break``) is shaded.
    """
    top = float(np.max(np.abs(exact)))
    e = int(np.floor(np.log10(top))) if top > 0 else 0
    s = 10.0**-e
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
        ax.text(
            np.sqrt(g[0] * gb),
            lo - 2.0 * pad,
            "double\nprecision:\nnoise",
            ha="center",
            va="center",
            fontsize=_FONT_PT,
            color="0.3",
            linespacing=1.0,
            bbox=dict(facecolor="0.88", edgecolor="none", pad=1.5),
            zorder=5,
        )
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
        _remainder_panel(
            ax_a,
            g,
            data["R2"],
            data["R2_double"],
            labels,
            colors,
            styles,
            data["g_break"] * np.nan,
            [np.nan] * len(tB),
            r"$(\sigma(\rho^+_g)-g^2\sigma^{(2)})/g^2$",
        )
        _remainder_panel(
            ax_b,
            g,
            data["R4"],
            data["R4_double"],
            labels,
            colors,
            styles,
            data["g_break"],
            data["sigma4"],
            r"$(\sigma(\rho^+_g)-g^2\sigma^{(2)})/g^4$",
        )
        ax_a.legend(loc="lower left", fontsize=_FONT_PT)
        _panel_letter(ax_a, "a")
        _panel_letter(ax_b, "b")
    return fig


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
    extent = (
        10 ** (lg[0] - dl / 2),
        10 ** (lg[-1] + dl / 2),
        tB[0] - (tB[1] - tB[0]) / 2,
        tB[-1] + (tB[1] - tB[0]) / 2,
    )
    vmax = float(np.max(np.abs(phi)))
    with _style():
        fig = Figure(figsize=(8.6, 3.6), layout="constrained")
        ax_a, ax_b = fig.subplots(1, 2)
        norm = mpl.colors.SymLogNorm(linthresh=FIG5_LINTHRESH, linscale=0.5, vmin=-vmax, vmax=vmax, base=10)
        X, Y = np.meshgrid(
            np.concatenate([[extent[0]], np.sqrt(g[1:] * g[:-1]), [extent[1]]]),
            np.concatenate([[extent[2]], (tB[1:] + tB[:-1]) / 2, [extent[3]]]),
        )
        mesh = ax_a.pcolormesh(X, Y, phi, norm=norm, cmap="RdBu_r", shading="flat")
        mesh.set_rasterized(True)
        ax_a.set_xscale("log")
        cb = fig.colorbar(mesh, ax=ax_a, pad=0.02)
        cb.set_label(r"$\phi_A$ (symmetric log scale)", labelpad=2)
        # every other decade, and no "0" squeezed between -10^-8 and 10^-8
        ticks = [t for t in cb.get_ticks() if t != 0 and abs(np.log10(abs(t))) % 2 == 0 and -vmax <= t <= vmax]
        if ticks:
            cb.set_ticks(ticks)
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
        _remainder_panel(
            ax_b,
            data["b_g"],
            data["b_R4"],
            data["b_R4_double"],
            labels,
            colors,
            ["-"] * len(tA_b),
            data["b_g_break"],
            data["b_phi4"],
            r"$(\phi_A-g^2\phi_A^{(2)})/g^4$",
        )
        ax_b.legend(
            loc="best", fontsize=_FONT_PT, title=rf"$t_B={data['params']['b']['t_B']:g}$", title_fontsize=_FONT_PT
        )
        _panel_letter(ax_b, "b")
    return fig
