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
    return random_density(rng, d, real=real, mix=floor, size=size)


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
    hscale = _v.scalar_real(hscale, "hscale")
    if hscale <= 0:
        raise ValueError(f"hscale must be > 0, got {hscale!r}")
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
    from .tripartite import _model_checked

    model = _model_checked(model)       # one parameter set (a stacked model is refused, naming model[i])
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
    gammas = _v.rates(gammas, "gammas")
    if gammas.ndim < 1 or gammas.shape[-1] != taus.shape[-3]:
        raise ValueError(f"gammas must have shape (..., {taus.shape[-3]}) to match taus, got {gammas.shape}")
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


# --- helpers for chapter 02 ------------------------------------------------------------

def choi_matrix(S):
    r"""Choi matrix :math:`\sum_{a,b}|a\rangle\langle b|\otimes\Phi(|a\rangle\langle b|)` of a superoperator matrix.

    ``Φ`` is completely positive if and only if its Choi matrix is positive
    semidefinite (Choi's theorem); used for the CP checks of (2.2), Lemma 3.1
    and (3.19).

    Parameters
    ----------
    S : array_like, shape ``(..., d², d²)``
        Finite matrix of ``Φ`` acting on row-major vectorised matrices (the
        convention of :mod:`qrmlib.linalg`).

    Returns
    -------
    ndarray, shape ``(..., d², d²)``
        Entry ``[a d + i, b d + j]`` is :math:`\Phi(|a\rangle\langle b|)_{ij}`.

    Examples
    --------
    >>> C = choi_matrix(np.eye(4))            # the identity map on 2x2 matrices
    >>> bool(np.allclose(C, np.outer([1, 0, 0, 1], [1, 0, 0, 1])))
    True
    """
    S = _v.finite_array(S, "S")
    if S.ndim < 2 or S.shape[-1] != S.shape[-2]:
        raise ValueError(f"S must be a square superoperator matrix of shape (..., d², d²), got {S.shape}")
    d = int(round(np.sqrt(S.shape[-1])))
    if d < 1 or d * d != S.shape[-1]:
        raise ValueError(f"S must be d² x d² for an integer d >= 1, got {S.shape[-2:]}")
    t = S.reshape(S.shape[:-2] + (d, d, d, d))                 # [i, j, a, b] = Φ(|a><b|)_ij
    return np.moveaxis(t, (-4, -3, -2, -1), (-3, -1, -4, -2)).reshape(S.shape).astype(complex)


def central_derivative(f, h):
    r"""Five-point central difference of ``t -> f(t)`` at ``t = 0`` (truncation error :math:`O(h^4)`).

    :math:`f'(0)\approx\big(f(-2h)-8f(-h)+8f(h)-f(2h)\big)/(12h)`; used for the
    time derivatives of (2.4) and (2.8).

    Parameters
    ----------
    f : callable
        Receives the four times ``h * (-2, -1, 1, 2)`` as an array of shape
        ``(4,)`` and returns the values, an array of shape ``(4, ...)``.
    h : float
        Step, finite and ``> 0``.

    Returns
    -------
    ndarray, shape ``(...)``

    Examples
    --------
    >>> round(float(central_derivative(np.exp, 1e-3)), 12)
    1.0
    """
    _v.callable_checked(f, "f")
    h = _v.scalar_real(h, "h")
    if h <= 0:
        raise ValueError(f"h must be > 0, got {h!r}")
    ts = h * np.array([-2.0, -1.0, 1.0, 2.0])
    vals = _v._numeric(f(ts), "f(t)")                          # real stays real
    if not np.all(np.isfinite(vals)):
        raise ValueError("f(t) must have finite entries")
    if vals.ndim < 1 or vals.shape[0] != 4:
        raise ValueError(f"f must return an array of shape (4, ...) for the 4 times, got shape {vals.shape}")
    return np.tensordot(np.array([1.0, -8.0, 8.0, -1.0]) / (12 * h), vals, axes=1)


# --- helpers for chapter 03 ------------------------------------------------------------

def matching_distance(a, b):
    r"""Distance between two multisets of complex numbers after an optimal one-to-one matching.

    The pairing minimises :math:`\sum_i|a_i-b_{\pi(i)}|` over permutations
    :math:`\pi` (``scipy.optimize.linear_sum_assignment``); the result is the
    largest :math:`|a_i-b_{\pi(i)}|` of that pairing, so multiplicities must
    agree for it to be small (used for the spectrum (3.6)).

    Parameters
    ----------
    a, b : array_like, shape ``(n,)``
        Finite, same length ``n >= 1`` (real or complex).

    Returns
    -------
    float

    Examples
    --------
    >>> matching_distance([1, 2, 2], [2, 1, 2])
    0.0
    >>> round(matching_distance([1, 1, 2], [1, 2, 2]), 12)
    1.0
    """
    from scipy.optimize import linear_sum_assignment

    a = _v.finite_complex(a, "a")
    b = _v.finite_complex(b, "b")
    if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape or a.size == 0:
        raise ValueError(f"a and b must be one-dimensional of the same length >= 1, got shapes "
                         f"{a.shape} and {b.shape}")
    cost = np.abs(a[:, None] - b[None, :])
    r, c = linear_sum_assignment(cost)
    return float(cost[r, c].max())


def spectral_projectors(H, *, tol=1e-9):
    r"""Distinct eigenvalues and spectral projectors :math:`P_j` of one Hermitian matrix, as in (3.10).

    Eigenvalues closer than ``tol`` (consecutive, ascending) form one cluster;
    its energy is their mean and its projector the sum of the eigenvector
    projectors.

    Parameters
    ----------
    H : array_like, shape ``(d, d)``
        Hermitian.
    tol : float, optional
        Cluster width, ``> 0``.

    Returns
    -------
    energies : ndarray, shape ``(k,)``
        Distinct eigenvalues, ascending.
    projectors : ndarray, shape ``(k, d, d)``
        Orthogonal projectors with :math:`\sum_jP_j=I` and
        :math:`H=\sum_je_jP_j` (up to ``tol``).

    Examples
    --------
    >>> e, P = spectral_projectors(np.diag([0.0, 1.0, 1.0]))
    >>> e.tolist(), [round(float(np.trace(p).real)) for p in P]
    ([0.0, 1.0], [1, 2])
    """
    H = _v.hermitian(H, "H")
    if H.ndim != 2:
        raise ValueError(f"H must be a single matrix of shape (d, d), got {H.shape}")
    tol = _v.scalar_real(tol, "tol")
    if tol <= 0:
        raise ValueError(f"tol must be > 0, got {tol!r}")
    e, V = np.linalg.eigh(H)
    labels = np.concatenate([[0], np.cumsum(np.diff(e) > tol)])
    k = int(labels[-1]) + 1
    energies = np.array([e[labels == c].mean() for c in range(k)])
    projectors = np.stack([V[:, labels == c] @ V[:, labels == c].conj().T for c in range(k)])
    return energies, projectors


def composite_gauss_legendre(a, b, *, panels, order):
    r"""Nodes and weights of composite Gauss–Legendre quadrature on ``[a, b]``.

    ``panels`` equal sub-intervals with ``order`` nodes each: exact for
    piecewise polynomials of degree ``2 order - 1`` on the panels (used for the
    integral (3.14)).

    Parameters
    ----------
    a, b : float
        Finite, ``a < b``.
    panels, order : int
        ``>= 1``.

    Returns
    -------
    nodes, weights : ndarray, shape ``(panels * order,)``

    Examples
    --------
    >>> t, w = composite_gauss_legendre(0.0, 2.0, panels=3, order=4)
    >>> round(float(w @ t**3), 12)
    4.0
    """
    a, b = _v.scalar_real(a, "a"), _v.scalar_real(b, "b")
    if not a < b:
        raise ValueError(f"a must be < b, got a = {a!r}, b = {b!r}")
    panels = _v.integer(panels, "panels", minimum=1)
    order = _v.integer(order, "order", minimum=1)
    x, w = np.polynomial.legendre.leggauss(order)
    edges = np.linspace(a, b, panels + 1)
    lo, hi = edges[:-1, None], edges[1:, None]
    return ((hi - lo) / 2 * x + (lo + hi) / 2).ravel(), ((hi - lo) / 2 * w).ravel()


def rho_adjoint(S, rho):
    r"""Adjoint :math:`\Psi^\rho` of a superoperator for the scalar product :math:`(A,B)_\rho=\operatorname{tr}(\rho A^*B)` (3.20).

    With row-major vectorisation, :math:`(A,B)_\rho=\operatorname{vec}(A)^*G\operatorname{vec}(B)`
    where :math:`G` is the matrix of :math:`B\mapsto B\rho`, so
    :math:`\Psi^\rho=G^{-1}\Psi^*G` (used for detailed balance, Lemma 3.3).

    Parameters
    ----------
    S : array_like, shape ``(..., d², d²)``
        Finite matrix of :math:`\Psi`.
    rho : array_like, shape ``(..., d, d)``
        Faithful density matrices (``rho > 0``), broadcasting with ``S``.

    Returns
    -------
    ndarray, shape ``(..., d², d²)``

    Examples
    --------
    >>> rho = np.diag([0.25, 0.75])
    >>> S = np.eye(4)                          # the identity is self-adjoint for every rho
    >>> bool(np.allclose(rho_adjoint(S, rho), S))
    True
    """
    from .linalg import spost

    rho = _v.density(rho, "rho", strict=True)
    S = _v.finite_array(S, "S")
    d = rho.shape[-1]
    if S.ndim < 2 or S.shape[-2:] != (d * d, d * d):
        raise ValueError(f"S must have shape (..., {d * d}, {d * d}) for rho of size {d}, got {S.shape}")
    G = spost(rho)
    return np.linalg.solve(G, np.swapaxes(S, -1, -2).conj() @ G)
