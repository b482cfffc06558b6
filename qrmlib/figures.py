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

and is registered in :data:`FIGURES` with :func:`register`.  The module is split along
its seams: the data functions and captions live in ``qrmlib._figures_data``, the
drawing in ``qrmlib._figures_draw``, the registry, file writing and command line
here; every name is importable from :mod:`qrmlib.figures`.  Adding a figure means
writing ``figN_data``/``figN_draw`` in the same pattern (one in each of those
modules) and one ``register(N, ...)`` line at the bottom of this module.

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
import io
import json
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from . import _validate as _v
from ._models_qubit import qubit_hamiltonian, qubit_reset_state  # noqa: F401 (re-exported)

# the data (qrmlib._figures_data) and the drawing (qrmlib._figures_draw) live in their own
# modules; every name stays importable from here
from ._figures_data import (  # noqa: F401
    _real, _pos, _t, _t1, _pair, _count, _data, _grid, _jsonable, FIG1_CAPTION, fig1_data,
    FIG2_CAPTION, fig2_data, FIG2_NEG_TOL, CHAIN_PARAMS, FIG3_CAPTION, FIG4_CAPTION, FIG5_CAPTION,
    BREAKDOWN_FRACTION, _chain_setup, _log_grid, _DOUBLE, _ep_double, _exact_remainder, _breakdown,
    fig3_data, fig4_data, fig5_data, FIG5_LINTHRESH,
)
from ._figures_draw import (  # noqa: F401
    _FONT_PT, _RC, _style, _panel_letter, _contour_panel, fig1_draw, fig2_draw, fig3_draw,
    _CURVE_COLORS, _red_to_blue, _remainder_panel, fig4_draw, fig5_draw,
)

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
_SVG_METADATA = {"Date": None, "Creator": None}
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


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
    """Save a figure as PDF, SVG or PNG (by suffix) without timestamps or version metadata."""
    _fig(fig, dpi)
    path = _path(path)
    suffix = path.suffix.lower()
    with _style():
        if suffix == ".pdf":
            fig.savefig(path, format="pdf", dpi=dpi or PDF_DPI, metadata=_PDF_METADATA)
        elif suffix == ".png":
            fig.savefig(path, format="png", dpi=dpi or PNG_DPI, metadata=_PNG_METADATA)
        elif suffix == ".svg":
            fig.savefig(path, format="svg", dpi=dpi or PDF_DPI, metadata=_SVG_METADATA)
        else:
            raise ValueError(f"path: unsupported figure format {suffix!r} (use .pdf, .svg or .png)")
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
    """Compute (unless ``data`` is given), draw and write ``figN.pdf``, ``figN.png``, ``figN.svg``, ``figN.npz``.

    ``params`` are passed to ``figN_data``.  ``progress`` is an optional
    callable invoked with a short description after each step (used for the
    progress bar).  Returns the four paths.
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
    paths.append(save_figure(fig, stem.with_suffix(".svg")))  # vector version for the PDF (tools/pdf.py)
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
    try:
        import matplotlib  # noqa: F401  (drawing needs it; the data functions do not)
    except ImportError:
        parser.exit(1, "python -m qrmlib.figures draws with matplotlib, which is not installed: "
                       "pip install 'qrmlib[figures]' (or the 'qrmlib[notebook]' extra of the chapters)\n")
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


for _f in (fig1_data, fig2_data, fig3_data, fig4_data, fig5_data,
           fig1_draw, fig2_draw, fig3_draw, fig4_draw, fig5_draw):
    _f.__module__ = __name__          # documented and shown as qrmlib.figures.<name>
del _f


if __name__ == "__main__":  # pragma: no cover
    main()
