r"""Seeded random instances and dense reference solvers, for tests and chapters.

Everything a check needs besides the library itself: random Hermitian
matrices, states, quantum reset models (QRMs, eq. (3.2)) and tri-partite models
(eq. (6.3)) drawn from a seeded generator; the reset dissipator in Lindblad form
(2.2); steady states by the generic null-vector solver of :mod:`qrmlib.lindblad`;
log-log slope fits.

Every random function takes a ``numpy.random.Generator`` first, or an integer
seed (turned into ``numpy.random.default_rng(seed)``).  The draws are
documented, so a seed gives the same instance on every machine and in every
release: a chapter's stored output does not change when a helper moves here.

Draws
-----
:func:`random_hermitian`
    ``A = X + iY`` with ``X`` then ``Y`` standard normal of shape ``(*size, d, d)``;
    returns ``scale * (A + A^*)/2`` (``real=True``: only ``X`` is drawn).
:func:`random_density`
    ``X + iY`` of shape ``(*size, d, rank)``; ``r = X X^*/tr(X X^*)`` (Ginibre);
    returns ``(1 - mix) r + mix I/d``.
:func:`random_faithful`
    ``random_density`` mixed with ``floor`` of ``I/d``.
:func:`random_qrm`
    ``H``, then the ``J`` reset states one after the other, then the ``J`` rates.
:func:`random_tripartite`
    ``H`` (normalised to spectral norm ``hnorm``), ``tau_A``, ``tau_B``,
    ``gamma_A``, ``gamma_B``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validate as _v
from .lindblad import lindblad_superop, null_steady_state

__all__ = [
    "QRMInstance",
    "random_hermitian",
    "random_unitary",
    "random_density",
    "random_faithful",
    "random_affine",
    "random_qrm",
    "random_tripartite",
    "reset_jumps",
    "tripartite_jumps",
    "reset_superop",
    "dense_steady_state",
    "dense_superop_steady_state",
    "loglog_slope",
]


class QRMInstance(NamedTuple):
    """A random QRM (3.2): ``H`` ``(d, d)``, reset states ``taus`` ``(J, d, d)``, rates ``gammas`` ``(J,)``."""

    H: np.ndarray
    taus: np.ndarray
    gammas: np.ndarray


# --- argument checks ----------------------------------------------------------------

def _dim(d, name: str = "d") -> int:
    return _v.integer(d, name, minimum=1)


def _bool(b, name: str) -> bool:
    return _v.boolean(b, name)


def _fraction(x, name: str, *, closed_top: bool = False) -> float:
    v = _v.scalar_real(x, name)
    if v < 0 or v > 1 or (v == 1 and not closed_top):
        raise ValueError(f"{name} must lie in [0, 1{']' if closed_top else ')'}, got {v!r}")
    return v


def _rate_range(r, name: str = "rate_range") -> tuple[float, float]:
    arr = _v.finite_real(r, name)
    if arr.shape != (2,):
        raise ValueError(f"{name} must be a pair (low, high), got shape {arr.shape}")
    lo, hi = float(arr[0]), float(arr[1])
    if not 0 < lo <= hi:
        raise ValueError(f"{name} must satisfy 0 < low <= high (hypothesis Diss), got ({lo!r}, {hi!r})")
    return lo, hi


def _dims3(dims, name: str = "dims") -> tuple[int, int, int]:
    if not isinstance(dims, (tuple, list, np.ndarray)) or len(dims) != 3:
        raise ValueError(f"{name} must be a tuple (n_A, n_C, n_B) of three integers >= 1, got {dims!r}")
    return tuple(_v.integer(n if not isinstance(n, np.generic) else n.item(), f"{name}[{k}]", minimum=1)
                 for k, n in enumerate(dims))


# --- random matrices and states --------------------------------------------------

def random_hermitian(rng, d, *, scale=1.0, real=False, size=None):
    r"""Random Hermitian matrix (GUE-like; real symmetric with ``real=True``).

    Parameters
    ----------
    rng : numpy.random.Generator or int
        Generator, or a seed for ``numpy.random.default_rng``.
    d : int
        Dimension, ``>= 1``.
    scale : float, optional
        Multiplies the result (finite real).
    real : bool, optional
        Real symmetric (only the real part is drawn).
    size : None, int or tuple of int, optional
        Leading batch shape.

    Returns
    -------
    ndarray, shape ``(d, d)`` or ``(*size, d, d)``, complex128
        ``scale * (A + A^*)/2`` with ``A = X + iY``, ``X`` then ``Y`` standard
        normal of shape ``(*size, d, d)``.

    Examples
    --------
    >>> H = random_hermitian(7, 3)
    >>> bool(np.allclose(H, H.conj().T))
    True
    """
    rng = _v.generator(rng)
    d = _dim(d)
    scale = _v.scalar_real(scale, "scale")
    real = _bool(real, "real")
    shape = _v.shape_tuple(size) + (d, d)
    if real:
        a = rng.normal(size=shape).astype(complex)
    else:
        a = rng.normal(size=shape) + 1j * rng.normal(size=shape)
    return scale * (a + np.swapaxes(a, -1, -2).conj()) / 2


def random_unitary(rng, d, *, size=None):
    r"""Haar-random unitary: QR of a complex Ginibre matrix with the phases of ``diag R`` removed.

    Parameters
    ----------
    rng : numpy.random.Generator or int
    d : int
        Dimension, ``>= 1``.
    size : None, int or tuple of int, optional
        Leading batch shape.

    Returns
    -------
    ndarray, shape ``(*size, d, d)``, complex128
    """
    rng = _v.generator(rng)
    d = _dim(d)
    shape = _v.shape_tuple(size) + (d, d)
    q, r = np.linalg.qr(rng.normal(size=shape) + 1j * rng.normal(size=shape))
    diag = np.diagonal(r, axis1=-2, axis2=-1)
    return q * (diag / np.abs(diag))[..., None, :]


def random_density(rng, d, *, rank=None, real=False, mix=0.0, size=None):
    r"""Random density matrix: normalised Wishart (Ginibre) state, optionally mixed with :math:`I/d`.

    Parameters
    ----------
    rng : numpy.random.Generator or int
    d : int
        Dimension, ``>= 1``.
    rank : int, optional
        Rank of the Wishart part, ``1 <= rank <= d`` (default ``d``: faithful
        almost surely; ``rank=1`` gives a pure state when ``mix = 0``).
    real : bool, optional
        Real symmetric state (only the real part of ``X`` is drawn).
    mix : float, optional
        Weight of :math:`I/d`, in ``[0, 1]``; ``mix > 0`` makes the state
        faithful with smallest eigenvalue ``>= mix/d``.
    size : None, int or tuple of int, optional
        Leading batch shape.

    Returns
    -------
    ndarray, shape ``(*size, d, d)``, complex128
        ``(1 - mix) X X^*/tr(X X^*) + mix I/d`` with ``X`` of shape
        ``(*size, d, rank)`` (real part drawn first, then imaginary part).
    """
    rng = _v.generator(rng)
    d = _dim(d)
    rank = d if rank is None else _v.integer(rank, "rank", minimum=1, maximum=d)
    real = _bool(real, "real")
    mix = _fraction(mix, "mix", closed_top=True)
    shape = _v.shape_tuple(size) + (d, rank)
    if real:
        x = rng.normal(size=shape).astype(complex)
    else:
        x = rng.normal(size=shape) + 1j * rng.normal(size=shape)
    r = x @ np.swapaxes(x, -1, -2).conj()
    r = r / np.trace(r, axis1=-2, axis2=-1).real[..., None, None]
    if mix == 0:
        return r
    return (1 - mix) * r + mix * np.eye(d) / d


def random_faithful(rng, d, *, floor=0.05, real=False, size=None):
    r"""Random faithful state ``(1 - floor) ρ + floor I/d``, ``ρ`` from :func:`random_density`.

    Parameters
    ----------
    rng : numpy.random.Generator or int
    d : int
        Dimension, ``>= 1``.
    floor : float, optional
        Weight of :math:`I/d`, in ``(0, 1]``: the smallest eigenvalue is ``>= floor/d``.
    real : bool, optional
    size : None, int or tuple of int, optional

    Returns
    -------
    ndarray, shape ``(*size, d, d)``, complex128
    """
    floor = _fraction(floor, "floor", closed_top=True)
    if floor == 0:
        raise ValueError("floor must be > 0 (a faithful state), got 0.0")
    rng = _v.generator(rng)
    d = _dim(d)
    return (1 - floor) * random_density(rng, d, real=real, size=size) + floor * np.eye(d) / d


def random_affine(rng, J, *, scale=1.5, size=None):
    r"""Random real affine weights :math:`\lambda_j` (both signs) with :math:`\sum_j\lambda_j=1`, eq. (4.1).

    Parameters
    ----------
    rng : numpy.random.Generator or int
    J : int
        Number of reservoirs, ``>= 1``.
    scale : float, optional
        Standard deviation of the draw, finite ``>= 0``.
    size : None, int or tuple of int, optional
        Leading batch shape.

    Returns
    -------
    ndarray, shape ``(*size, J)``
        ``l - (sum(l) - 1)/J`` with ``l = scale * N(0, 1)``.
    """
    rng = _v.generator(rng)
    J = _v.integer(J, "J", minimum=1)
    scale = float(_v.positive_real(scale, "scale", allow_zero=True))
    lam = scale * rng.normal(size=_v.shape_tuple(size) + (J,))
    return lam - (lam.sum(-1, keepdims=True) - 1) / J


# --- random models -------------------------------------------------------------------

def random_qrm(rng, d, J, *, hscale=1.0, rate_range=(0.2, 3.0), floor=0.05):
    r"""Random QRM (3.2) with faithful reset states: :class:`QRMInstance` ``(H, taus, gammas)``.

    Parameters
    ----------
    rng : numpy.random.Generator or int
    d : int
        Dimension of the system, ``>= 1``.
    J : int
        Number of reservoirs, ``>= 1``.
    hscale : float, optional
        Scale of ``H`` (:func:`random_hermitian`).
    rate_range : (float, float), optional
        The rates :math:`\gamma_j` are uniform in ``[low, high)``, ``0 < low <= high``.
    floor : float, optional
        The reset states are :func:`random_faithful` with this ``floor``.

    Returns
    -------
    QRMInstance
        ``H`` ``(d, d)``, ``taus`` ``(J, d, d)``, ``gammas`` ``(J,)``; drawn
        in this order (``H``, then each :math:`\tau_j`, then the rates).
    """
    rng = _v.generator(rng)
    d = _dim(d)
    J = _v.integer(J, "J", minimum=1)
    lo, hi = _rate_range(rate_range)
    H = random_hermitian(rng, d, scale=hscale)
    taus = np.stack([random_faithful(rng, d, floor=floor) for _ in range(J)])
    gammas = rng.uniform(lo, hi, size=J)
    return QRMInstance(H, taus, gammas)


def random_tripartite(rng, dims=(2, 2, 2), *, real=False, mix=0.0, hnorm=1.0, hscale=1.0,
                      rate_range=(0.3, 1.5)):
    r"""Random tri-partite QRM (6.3), a :class:`qrmlib.TripartiteQRM`.

    Parameters
    ----------
    rng : numpy.random.Generator or int
    dims : (int, int, int), optional
        ``(n_A, n_C, n_B)``, each ``>= 1``.
    real : bool, optional
        Real symmetric ``H`` and real reset states (then complex conjugation
        maps :math:`\mathcal L_g` to :math:`\mathcal L_{-g}`).
    mix : float, optional
        ``tau_A``, ``tau_B`` are :func:`random_density` with this ``mix``
        (``mix > 0``: faithful with a margin).
    hnorm : float or None, optional
        Spectral norm of ``H`` (``H`` is rescaled to it); ``None`` keeps the
        draw ``random_hermitian(rng, d, scale=hscale)``.
    hscale : float, optional
        Scale of the raw draw; only with ``hnorm=None``.
    rate_range : (float, float), optional
        :math:`\gamma_A`, :math:`\gamma_B` uniform in ``[low, high)``.

    Returns
    -------
    qrmlib.TripartiteQRM
        Drawn in the order ``H``, ``tau_A``, ``tau_B``, ``gamma_A``, ``gamma_B``.
    """
    from .tripartite import TripartiteQRM

    rng = _v.generator(rng)
    dims = _dims3(dims)
    real = _bool(real, "real")
    lo, hi = _rate_range(rate_range)
    if hnorm is not None:
        hnorm = float(_v.positive_real(hnorm, "hnorm"))
        if _v.scalar_real(hscale, "hscale") != 1.0:
            raise ValueError("hscale must be 1.0 when hnorm is given (H is rescaled to norm hnorm); "
                             "pass hnorm=None to use hscale")
    d = int(np.prod(dims))
    H = random_hermitian(rng, d, scale=hscale, real=real)
    if hnorm is not None:
        H = hnorm * H / np.linalg.norm(H, 2)
    tau_A = random_density(rng, dims[0], real=real, mix=mix)
    tau_B = random_density(rng, dims[2], real=real, mix=mix)
    return TripartiteQRM(H, tau_A, tau_B, rng.uniform(lo, hi), rng.uniform(lo, hi), dims)


# --- the reset dissipator in Lindblad form ---------------------------------------------

def _embed(ops, dims, site):
    """``I ⊗ .. ⊗ op ⊗ .. ⊗ I`` with ``op`` on factor ``site`` of ``dims``, shape ``(..., D, D)``."""
    left = int(np.prod(dims[:site]))
    right = int(np.prod(dims[site + 1:]))
    n = dims[site]
    out = np.einsum("ab,...ij,cd->...aicbjd", np.eye(left), ops, np.eye(right))
    D = left * n * right
    return out.reshape(ops.shape[:-2] + (D, D))


def reset_jumps(tau, gamma, *, reservoirs=False, dims=None, site=None):
    r"""Jump operators of the reset dissipator :math:`\gamma(\tau\operatorname{tr}\rho-\rho)` (3.2) in Lindblad form (2.2).

    With :math:`\tau=\sum_k p_k|e_k\rangle\langle e_k|` and
    :math:`\Gamma_{kl}=\sqrt{\gamma p_k}\,|e_k\rangle\langle l|` (``l`` over the
    standard basis): :math:`\sum_{kl}\Gamma_{kl}\rho\Gamma_{kl}^*=\gamma\tau\operatorname{tr}\rho`
    and :math:`\sum_{kl}\Gamma_{kl}^*\Gamma_{kl}=\gamma I`, so the dissipator of
    (2.2) is :math:`\gamma(\tau\operatorname{tr}\rho-\rho)`.

    Parameters
    ----------
    tau : array_like, shape ``(..., d, d)``
        Reset state(s), density matrices.
    gamma : array_like, shape broadcastable with ``tau.shape[:-2]``
        Rates, ``> 0``.
    reservoirs : bool, optional
        The last batch axis indexes reservoirs ``j``: their jumps are
        concatenated, ``(..., J, d, d)`` -> ``(..., J d², d, d)``, so that
        ``lindblad_superop(H, reset_jumps(taus, gammas, reservoirs=True))`` is
        the QRM (3.2) with ``J`` reservoirs.
    dims, site : tuple of int, int, optional
        Embed the jumps on factor ``site`` of a tensor product with factor
        dimensions ``dims`` (identity elsewhere; e.g. ``dims=(n_A, n_C, n_B)``,
        ``site=0`` for :math:`\mathcal D_A`, ``site=2`` for :math:`\mathcal D_B`).

    Returns
    -------
    ndarray, shape ``(..., d², d, d)`` (``(..., d², D, D)`` embedded)
        Index ``k d + l`` is :math:`\Gamma_{kl}`, ``p_k`` ascending.

    See Also
    --------
    qrmlib.lindblad.lindblad_superop, qrmlib.reset.lindbladian
    """
    reservoirs = _bool(reservoirs, "reservoirs")
    tau = _v.density(tau, "tau")
    gamma = _v.rates(gamma, "gamma")
    batch = tau.shape[:-2]
    try:
        shape = np.broadcast_shapes(batch, gamma.shape)
    except ValueError:
        raise ValueError(f"gamma of shape {gamma.shape} does not broadcast with the batch shape {batch} "
                         "of tau") from None
    d = tau.shape[-1]
    tau = np.broadcast_to(tau, shape + (d, d))
    gamma = np.broadcast_to(gamma, shape)
    if reservoirs and len(shape) == 0:
        raise ValueError("reservoirs=True needs a reservoir axis: tau of shape (..., J, d, d)")
    p, e = np.linalg.eigh(tau)
    amp = np.sqrt(gamma[..., None] * np.clip(p, 0.0, None))           # (..., k)
    cols = e * amp[..., None, :]                                         # column k: sqrt(γ p_k) e_k
    ops = np.einsum("...ik,jl->...klij", cols, np.eye(d)).reshape(shape + (d * d, d, d))
    if dims is not None or site is not None:
        if dims is None or site is None:
            raise ValueError("dims and site must be given together")
        if not isinstance(dims, (tuple, list)) or len(dims) < 1:
            raise ValueError(f"dims must be a tuple of integers >= 1, got {dims!r}")
        dims = tuple(_v.integer(n, f"dims[{k}]", minimum=1) for k, n in enumerate(dims))
        site = _v.integer(site, "site", minimum=0, maximum=len(dims) - 1)
        if dims[site] != d:
            raise ValueError(f"dims[site] = dims[{site}] = {dims[site]} must equal the size {d} of tau")
        ops = _embed(ops, dims, site)
    if reservoirs:
        ops = ops.reshape(ops.shape[:-4] + (-1,) + ops.shape[-2:])
    return ops


def tripartite_jumps(model):
    r"""Jump operators of :math:`\mathcal D_A+\mathcal D_B` (6.3) of a :class:`qrmlib.TripartiteQRM`.

    Returns
    -------
    ndarray, shape ``(n_A² + n_B², d, d)``
        :func:`reset_jumps` of ``tau_A`` on factor A, then of ``tau_B`` on factor B.
    """
    from .tripartite import TripartiteQRM

    if not isinstance(model, TripartiteQRM):
        raise TypeError(f"model must be a qrmlib.TripartiteQRM, got {type(model).__name__}")
    jA = reset_jumps(model.tau_A, model.gamma_A, dims=model.dims, site=0)
    jB = reset_jumps(model.tau_B, model.gamma_B, dims=model.dims, site=2)
    return np.concatenate([jA, jB])


def reset_superop(H, taus, gammas):
    r"""Superoperator of the QRM (3.2) built in Lindblad form: ``lindblad_superop(H, reset_jumps(...))``.

    An independent path to :func:`qrmlib.reset.lindbladian` (through the
    generic (2.2) and :func:`reset_jumps`, not through ``T`` and ``Γ``).

    Parameters
    ----------
    H : array_like, shape ``(..., d, d)``, Hermitian
    taus : array_like, shape ``(..., J, d, d)``, density matrices
    gammas : array_like, shape ``(..., J)``, rates ``> 0``

    Returns
    -------
    ndarray, shape ``(..., d², d²)``
    """
    taus = _v.density(taus, "taus")
    if taus.ndim < 3:
        raise ValueError(f"taus must have shape (..., J, d, d), got {taus.shape}")
    return lindblad_superop(H, reset_jumps(taus, gammas, reservoirs=True))


# --- dense reference solvers ---------------------------------------------------------

def dense_superop_steady_state(S):
    r"""Trace-one null vector of a superoperator matrix (generic SVD solver), ``(..., d², d²) -> (..., d, d)``.

    A validated front end to :func:`qrmlib.lindblad.null_steady_state`.

    Parameters
    ----------
    S : array_like, shape ``(..., d², d²)``
        Finite; its kernel should be one-dimensional.

    Returns
    -------
    ndarray, shape ``(..., d, d)``
    """
    S = _v.finite_array(S, "S")
    if S.ndim < 2 or S.shape[-1] != S.shape[-2]:
        raise ValueError(f"S must be a square superoperator matrix of shape (..., d², d²), got {S.shape}")
    d = int(round(np.sqrt(S.shape[-1])))
    if d < 1 or d * d != S.shape[-1]:
        raise ValueError(f"S must be d² x d² for an integer d >= 1, got {S.shape[-2:]}")
    _v.nonempty(S, "S")
    return null_steady_state(S)


def dense_steady_state(H, jumps=()):
    r"""Steady state of the Lindbladian (2.2) of ``H`` and ``jumps``: the null vector of its matrix.

    The generic reference of the tests: :func:`qrmlib.lindblad.lindblad_superop`
    then :func:`qrmlib.lindblad.null_steady_state`, structure-blind.

    Parameters
    ----------
    H : array_like, shape ``(..., d, d)``, Hermitian
    jumps : array_like, shape ``(..., L, d, d)``
        Jump operators, finite (e.g. :func:`reset_jumps`).

    Returns
    -------
    ndarray, shape ``(..., d, d)``

    Examples
    --------
    >>> m = random_qrm(1, 3, 2)
    >>> rho = dense_steady_state(m.H, reset_jumps(m.taus, m.gammas, reservoirs=True))
    """
    H = _v.hermitian(H, "H")
    jumps = _v.finite_array(jumps, "jumps")
    return dense_superop_steady_state(lindblad_superop(H, jumps))


# --- fits ---------------------------------------------------------------------------------

def loglog_slope(x, y):
    r"""Least-squares slope of :math:`\ln|y|` against :math:`\ln x`: the exponent ``p`` of ``|y| ~ c x^p``.

    Parameters
    ----------
    x : array_like, shape ``(n,)``
        Finite, ``> 0``, at least two distinct values.
    y : array_like, shape ``(n,)``
        Finite, non-zero (real or complex; its modulus is fitted).

    Returns
    -------
    float

    Examples
    --------
    >>> g = np.logspace(-3, -1, 5)
    >>> round(loglog_slope(g, 3 * g**2), 12)
    2.0
    """
    x = _v.finite_real(x, "x")
    y = _v.finite_complex(y, "y")
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError(f"x and y must be one-dimensional, got shapes {x.shape} and {y.shape}")
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same length, got {x.size} and {y.size}")
    if x.size < 2:
        raise ValueError(f"x must have at least 2 points for a slope, got {x.size}")
    if np.any(x <= 0):
        raise ValueError(f"x must be > 0 (its logarithm is fitted), got min {np.min(x):.6g}")
    ay = np.abs(y)
    if np.any(ay == 0):
        raise ValueError("y must be non-zero (its log-modulus is fitted), got a zero entry")
    lx = np.log(x)
    if np.ptp(lx) == 0:
        raise ValueError("x must have at least two distinct values")
    return float(np.polyfit(lx, np.log(ay), 1)[0])
