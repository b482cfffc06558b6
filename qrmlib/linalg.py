r"""Linear algebra on density matrices, broadcast over leading axes.

Every function here takes matrices of shape ``(..., d, d)`` and maps over the
leading axes ``...`` with NumPy broadcasting, so that a whole parameter grid
is a single call.

Vectorisation convention
------------------------
Superoperators (linear maps on :math:`B(\mathcal H)`) are represented as
:math:`d^2\times d^2` matrices acting on **row-major** vectorised matrices,
``vec(X) = X.reshape(-1)``.  With this convention

.. math::

    \operatorname{vec}(A X B) = (A \otimes B^{t})\,\operatorname{vec}(X),
    \qquad \operatorname{tr} X = \operatorname{vec}(I)^{t}\operatorname{vec}(X).

Hermitian matrices are diagonalised with :func:`numpy.linalg.eigh` (never
``scipy.linalg.logm``), which is exact to machine precision for the
positive definite matrices met in the paper.

Qubits (``d == 2``) take a closed form instead, chosen automatically: with
:math:`A = a_0 I + \vec a\cdot\vec\sigma` (Bloch coefficients, real for
Hermitian :math:`A`) the eigenvalues are :math:`a_0\pm|\vec a|` and
:math:`f(A) = \tfrac12(f(\lambda_+)+f(\lambda_-))I
+ \tfrac{f(\lambda_+)-f(\lambda_-)}{2|\vec a|}\,\vec a\cdot\vec\sigma`.
This is elementwise real arithmetic, about ten times faster than a batched
LAPACK call on ``(N, 2, 2)`` stacks, and agrees with it to round-off.

**Input checks.** Every public function validates its arguments once (finite entries, shapes,
Hermiticity, trace and positivity of states; see :mod:`qrmlib._validate`,
where the tolerances are defined) and raises ``ValueError``/``TypeError``
naming the argument.  States (arguments of :func:`entropy`,
:func:`relative_entropy`) are projected exactly onto Hermitian trace-one
matrices before use.  Each public function has a private unchecked core of
the same name with a leading underscore (``_dagger``, ``_logm_pd``, ...),
which the library calls internally on validated arrays.
"""

from __future__ import annotations

import numbers
from typing import Sequence

import math

import numpy as np

from . import _validate as _v

__all__ = [
    "EIG_TOL",
    "dagger",
    "hermitian_part",
    "commutator",
    "anticommutator",
    "is_hermitian",
    "logm_pd",
    "funm_herm",
    "entropy",
    "relative_entropy",
    "trace_distance",
    "partial_trace",
    "dlog",
    "spre",
    "spost",
    "sprepost",
    "superop_commutator",
    "linear_map_matrix",
    "vec",
    "unvec",
]

#: Relative tolerance used to decide that an eigenvalue of a density matrix is
#: zero (``|w| <= EIG_TOL * max(1, max|w|)``): the kernel test of eq. (2.5)
#: and the ``0 log 0 = 0`` convention of eq. (2.7).
EIG_TOL = 1e-12


def dagger(a: np.ndarray) -> np.ndarray:
    """Conjugate transpose over the last two axes, shape ``(..., m, n) -> (..., n, m)``."""
    return _dagger(_v.finite_matrix(a, "a"))


def _dagger(a: np.ndarray) -> np.ndarray:
    """:func:`dagger` without input checks."""
    a = np.asarray(a)
    m, n = a.shape[-2:] if a.ndim >= 2 else (0, 0)
    if a.ndim > 2 and m * n <= 16 and a.dtype.kind in "fc":
        # stacks of tiny matrices: m*n strided copies with long inner loops are several
        # times faster than conj() of the swapped view (whose inner loops have length m)
        out = np.empty(a.shape[:-2] + (n, m), dtype=a.dtype)
        for i in range(m):
            for j in range(n):
                np.conjugate(a[..., i, j], out=out[..., j, i])
        return out
    return np.conj(np.swapaxes(a, -1, -2))


def hermitian_part(a: np.ndarray) -> np.ndarray:
    r""":math:`(A + A^*)/2`, shape ``(..., d, d)``."""
    return _hermitian_part(_v.as_square(a, "a"))


def _hermitian_part(a: np.ndarray) -> np.ndarray:
    """:func:`hermitian_part` without input checks."""
    return 0.5 * (a + _dagger(a))


def _pair(a, b, names=("a", "b")):
    """Two square arrays of the same size whose leading axes broadcast."""
    a = _v.as_square(a, names[0])
    _v.same_dim(b, names[1], a.shape[-1], names[0])
    b = _v.as_square(b, names[1], a.shape[-1])
    _v.leading_axes(**{names[0]: a.shape[:-2], names[1]: b.shape[:-2]})
    return a, b


def commutator(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``[a, b] = a b - b a``, broadcast over leading axes."""
    a, b = _pair(a, b)
    return a @ b - b @ a


def anticommutator(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``{a, b} = a b + b a``, broadcast over leading axes."""
    a, b = _pair(a, b)
    return a @ b + b @ a


def is_hermitian(a: np.ndarray, *, atol: float = 1e-10) -> np.ndarray:
    """Boolean array ``(...)``: whether ``max|a - a^*| <= atol * max(1, max|a|)``."""
    a = _v.as_square(a, "a")
    atol = _v.tolerance(atol, "atol")
    scale = np.maximum(1.0, np.max(np.abs(a), axis=(-1, -2)))
    return np.max(np.abs(a - _dagger(a)), axis=(-1, -2)) <= atol * scale


def _eigh(a: np.ndarray):
    """``eigh`` of the Hermitian part (guards against round-off asymmetry)."""
    return np.linalg.eigh(_hermitian_part(np.asarray(a, dtype=complex)))


# --- closed forms for qubits (d == 2) -------------------------------------------------

def _bloch2(a: np.ndarray):
    r"""Bloch coefficients of the Hermitian part of ``a`` ``(..., 2, 2)``.

    Returns real arrays ``(a0, a1, a2, a3, det)`` with
    :math:`\tfrac12(A+A^*) = a_0I + a_1\sigma_x + a_2\sigma_y + a_3\sigma_z` and
    ``det`` its determinant, computed from the entries (not from the Bloch
    coefficients, which would lose the relative accuracy of a small eigenvalue).
    """
    a = np.asarray(a)
    a00 = a[..., 0, 0].real
    a11 = a[..., 1, 1].real
    b = 0.5 * (a[..., 1, 0] + np.conj(a[..., 0, 1]))  # (A + A^*)_{10} / 2 = a1 + i a2
    b1, b2 = b.real, b.imag
    return 0.5 * (a00 + a11), b1, b2, 0.5 * (a00 - a11), a00 * a11 - (b1 * b1 + b2 * b2)


def _from_bloch2(c0, c1, c2, c3) -> np.ndarray:
    r""":math:`c_0I + c_1\sigma_x + c_2\sigma_y + c_3\sigma_z` as ``(..., 2, 2)`` complex matrices."""
    c0, c1, c2, c3 = np.broadcast_arrays(c0, c1, c2, c3)
    out = np.empty(c0.shape + (2, 2), dtype=complex)
    out[..., 0, 0] = c0 + c3
    out[..., 1, 1] = c0 - c3
    out[..., 1, 0] = c1 + 1j * c2
    out[..., 0, 1] = c1 - 1j * c2
    return out


def _eigvalsh2(a0, a1, a2, a3, det):
    r"""Ascending eigenvalues ``(lo, hi)`` and the Bloch radius ``r`` from Bloch coefficients.

    The eigenvalue of larger modulus is :math:`a_0\pm r` (no cancellation); the
    other is :math:`\det A` divided by it, so that a small eigenvalue keeps its
    relative accuracy (e.g. exact for diagonal matrices, like LAPACK).
    """
    r = np.sqrt(a1 * a1 + a2 * a2 + a3 * a3)
    big = a0 + np.copysign(r, a0)
    nz = big != 0
    small = np.where(nz, det / np.where(nz, big, 1.0), 0.0)
    pos = a0 >= 0
    return np.where(pos, small, big), np.where(pos, big, small), r


def _eigvalsh(a: np.ndarray) -> np.ndarray:
    """``eigvalsh`` of the Hermitian part of ``a`` ``(..., d, d)``; closed form for ``d == 2``."""
    a = np.asarray(a)
    if a.shape[-1] == 2 and a.shape[-2] == 2:
        lo, hi, _ = _eigvalsh2(*_bloch2(a))
        return np.stack([lo, hi], axis=-1)
    return np.linalg.eigvalsh(_hermitian_part(np.asarray(a, dtype=complex)))


def _log_bloch2(a0, a1, a2, a3, lo, hi, r):
    r"""Bloch coefficients of :math:`\ln A` for positive definite :math:`A` (eigenvalues ``lo <= hi``).

    :math:`\ln A = \tfrac12(\ln\lambda_++\ln\lambda_-)I + c\,\vec a\cdot\vec\sigma` with
    :math:`c = (\ln\lambda_+-\ln\lambda_-)/(2r) = \operatorname{log1p}(2r/\lambda_-)/(2r)`,
    and :math:`c = 1/a_0` at :math:`r = 0`.
    """
    zero = r == 0
    rs = np.where(zero, 1.0, r)
    c = np.where(zero, 1.0 / a0, np.log1p(2.0 * rs / lo) / (2.0 * rs))
    return 0.5 * (np.log(lo) + np.log(hi)), c * a1, c * a2, c * a3


def _apply_f(f, w: np.ndarray) -> np.ndarray:
    """``f(w)`` for the eigenvalues ``w``; it must act elementwise (same shape)."""
    fw = np.asarray(f(w))
    if fw.shape != w.shape or fw.dtype.kind not in "iufc":
        raise ValueError(f"f must map an array of eigenvalues elementwise to numbers of the same shape "
                         f"{w.shape}, got {fw.dtype} of shape {fw.shape}")
    return fw


def _funm2(a: np.ndarray, f) -> np.ndarray:
    """:func:`funm_herm` for ``d == 2`` (closed form, no eigenvectors)."""
    a0, a1, a2, a3, det = _bloch2(a)
    lo, hi, r = _eigvalsh2(a0, a1, a2, a3, det)
    fw = _apply_f(f, np.stack([lo, hi], axis=-1))
    flo, fhi = fw[..., 0], fw[..., 1]
    zero = r == 0
    c = np.where(zero, 0.0, (fhi - flo) / np.where(zero, 1.0, 2.0 * r))
    return _from_bloch2(0.5 * (flo + fhi), c * a1, c * a2, c * a3)


def funm_herm(a: np.ndarray, f) -> np.ndarray:
    r"""Matrix function :math:`f(A) = V f(w) V^*` of Hermitian ``a`` (shape ``(..., d, d)``).

    For ``d == 2`` the closed form of the module docstring is used.

    Parameters
    ----------
    a : array_like, shape ``(..., d, d)``, Hermitian
    f : callable
        Applied elementwise to the array of eigenvalues (shape ``(..., d)``).
    """
    a = _v.hermitian(a, "a")
    _v.callable_checked(f, "f")
    return _funm_herm(a, f)


def _funm_herm(a: np.ndarray, f) -> np.ndarray:
    """:func:`funm_herm` without input checks."""
    if a.shape[-2:] == (2, 2):
        return _funm2(a, f)
    w, v = _eigh(a)
    return (v * _apply_f(f, w)[..., None, :]) @ _dagger(v)


def logm_pd(rho: np.ndarray) -> np.ndarray:
    r"""Natural logarithm of a positive definite matrix, shape ``(..., d, d)``.

    Computed as :math:`V \ln(w) V^*` from ``eigh``.

    Raises
    ------
    ValueError
        If some eigenvalue is :math:`\le 0` (the logarithm is then not a
        bounded operator; use :func:`relative_entropy` or :func:`entropy`,
        which handle kernels as in eqs. (2.5) and (2.7)).
    """
    return _logm_pd(_v.hermitian(rho, "rho"))


def _eigh_pd(rho: np.ndarray, what: str = "for its logarithm"):
    """Eigenpairs ``(w, v)`` of a positive definite Hermitian ``rho`` (``eigh`` of its Hermitian
    part), else ``ValueError``: the one decomposition behind :func:`logm_pd` and :func:`dlog`,
    so that a caller needing both (the perturbative EP, eqs. (7.22)-(7.24)) computes it once."""
    w, v = _eigh(rho)
    if np.any(w <= 0):
        raise ValueError(
            f"rho must be positive definite{' ' + what if what else ''}: smallest eigenvalue "
            f"{np.min(w):.3e} <= 0"
        )
    return w, v


def _logm_eig(w: np.ndarray, v: np.ndarray) -> np.ndarray:
    r""":math:`\ln\rho = V\ln(w)V^*` from the eigenpairs of :func:`_eigh_pd`."""
    return (v * np.log(w)[..., None, :]) @ _dagger(v)


def _dlog_eig(w: np.ndarray, v: np.ndarray, delta: np.ndarray) -> np.ndarray:
    r""":math:`D\ln_\rho[\Delta]`, eq. (7.22), from the eigenpairs of :func:`_eigh_pd`."""
    ri = w[..., :, None]
    rj = w[..., None, :]
    # (ln ri - ln rj)/(ri - rj) = log1p(x)/(x rj), x = (ri - rj)/rj
    x = (ri - rj) / rj
    close = np.abs(x) <= 1e-10
    xs = np.where(close, 1.0, x)
    dd = np.where(close, 1.0 / np.sqrt(ri * rj), np.log1p(xs) / (xs * rj))
    dt = _dagger(v) @ np.asarray(delta, dtype=complex) @ v
    return v @ (dd * dt) @ _dagger(v)


def _logm_pd(rho: np.ndarray) -> np.ndarray:
    """:func:`logm_pd` without input checks (the positivity test is part of the computation)."""
    rho = np.asarray(rho)
    if rho.shape[-2:] == (2, 2):
        b = _bloch2(rho)
        lo, hi, r = _eigvalsh2(*b)
        if np.any(lo <= 0):
            raise ValueError(
                f"rho must be positive definite for its logarithm: smallest eigenvalue "
                f"{np.min(lo):.3e} <= 0"
            )
        return _from_bloch2(*_log_bloch2(*b[:4], lo, hi, r))
    return _logm_eig(*_eigh_pd(rho))


def _xlogx(w: np.ndarray) -> np.ndarray:
    """``w log w`` with ``0 log 0 = 0`` for eigenvalues ``|w| <= EIG_TOL``."""
    scale = np.maximum(1.0, np.max(np.abs(w), axis=-1, keepdims=True))
    small = np.abs(w) <= EIG_TOL * scale
    safe = np.where(small, 1.0, w)
    return np.where(small, 0.0, w * np.log(np.abs(safe)))


def entropy(rho: np.ndarray) -> np.ndarray:
    r"""Von Neumann entropy :math:`S(\rho) = -\operatorname{tr}\rho\ln\rho`, eq. (2.7).

    Parameters
    ----------
    rho : array_like, shape ``(..., d, d)``
        Density matrices (Hermitian, trace one, positive semidefinite within
        the tolerances of :mod:`qrmlib._validate`; projected exactly).

    Returns
    -------
    ndarray, shape ``(...)``
        Entropies, with the convention :math:`0\ln 0 = 0` (eigenvalues with
        ``|w| <= EIG_TOL`` count as zero).
    """
    return _entropy(_v.density(rho, "rho"))


def _entropy(rho: np.ndarray) -> np.ndarray:
    """:func:`entropy` without input checks."""
    return -np.sum(_xlogx(_eigvalsh(rho)), axis=-1)


def relative_entropy(mu: np.ndarray, nu: np.ndarray, *, tol: float = EIG_TOL) -> np.ndarray:
    r"""Relative entropy :math:`S(\mu|\nu)`, exactly as in eq. (2.5).

    .. math::

        S(\mu|\nu) = \begin{cases}
            \operatorname{tr}\big(\mu(\ln\mu - \ln\nu)\big) & \ker\nu\subset\ker\mu,\\
            +\infty & \text{otherwise.}\end{cases}

    With :math:`\mu=\sum_i p_i|a_i\rangle\langle a_i|` and
    :math:`\nu=\sum_j q_j|b_j\rangle\langle b_j|`,
    :math:`\operatorname{tr}\mu\ln\nu=\sum_{ij}p_i|\langle a_i|b_j\rangle|^2\ln q_j`.

    Parameters
    ----------
    mu, nu : array_like, shape ``(..., d, d)``
        Density matrices (broadcast against each other; projected exactly,
        see :mod:`qrmlib._validate`).
    tol : float, keyword-only
        Kernel tolerance, a finite number in ``[0, 1e-3]``: an eigenvalue :math:`q_j \le` ``tol`` of ``nu``
        counts as zero, and its eigenvector :math:`b_j` lies in
        :math:`\ker\mu` when :math:`\langle b_j|\mu|b_j\rangle \le` ``tol``.
        If some :math:`b_j` with :math:`q_j\approx 0` is not in
        :math:`\ker\mu`, the result is ``+inf``.

    Returns
    -------
    ndarray, shape ``(...)``
    """
    mu = _v.density(mu, "mu")
    _v.same_dim(nu, "nu", mu.shape[-1], "mu")
    nu = _v.density(nu, "nu", mu.shape[-1])
    _v.leading_axes(mu=mu.shape[:-2], nu=nu.shape[:-2])
    tol = _v.tolerance(tol, "tol", maximum=1e-3)
    return _relative_entropy(mu, nu, tol)


def _relative_entropy(mu: np.ndarray, nu: np.ndarray, tol: float = EIG_TOL) -> np.ndarray:
    """:func:`relative_entropy` without input checks (Hermitian arrays)."""
    if mu.shape[-2:] == (2, 2) and nu.shape[-2:] == (2, 2):
        return _relative_entropy2(mu, nu, tol)
    mu, nu = np.broadcast_arrays(mu, nu)
    p, a = np.linalg.eigh(mu)
    q, b = np.linalg.eigh(nu)
    # weights <b_j| mu |b_j>
    mu_in_b = np.real(np.einsum("...ij,...ik,...kj->...j", np.conj(b), mu, b))
    null = q <= tol
    infinite = np.any(null & (mu_in_b > tol), axis=-1)
    logq = np.log(np.where(null, 1.0, q))
    tr_mu_log_nu = np.sum(mu_in_b * logq, axis=-1)
    out = np.sum(_xlogx(p), axis=-1) - tr_mu_log_nu
    return np.where(infinite, np.inf, out)


def _relative_entropy2(mu, nu, tol):
    r""":func:`relative_entropy` for ``d == 2``: eigenvalues and the weights
    :math:`\langle b_\pm|\mu|b_\pm\rangle = m_0\pm\vec m\cdot\hat n` in closed form."""
    m0, m1, m2, m3, mdet = _bloch2(mu)
    n0, n1, n2, n3, ndet = _bloch2(nu)
    plo, phi, _ = _eigvalsh2(m0, m1, m2, m3, mdet)
    qlo, qhi, rn = _eigvalsh2(n0, n1, n2, n3, ndet)
    zero = rn == 0
    proj = np.where(zero, 0.0, (m1 * n1 + m2 * n2 + m3 * n3) / np.where(zero, 1.0, rn))
    w_lo, w_hi = m0 - proj, m0 + proj          # weights <b_j|mu|b_j>, ascending q
    null_lo, null_hi = qlo <= tol, qhi <= tol
    infinite = (null_lo & (w_lo > tol)) | (null_hi & (w_hi > tol))
    tr_mu_log_nu = (w_lo * np.log(np.where(null_lo, 1.0, qlo))
                    + w_hi * np.log(np.where(null_hi, 1.0, qhi)))
    p = np.stack(np.broadcast_arrays(plo, phi), axis=-1)
    out = np.sum(_xlogx(p), axis=-1) - tr_mu_log_nu
    return np.where(infinite, np.inf, out)


def trace_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    r"""Trace distance :math:`T(a,b)=\tfrac12\operatorname{tr}\sqrt{(a-b)^*(a-b)}`, eq. (8.19).

    Shapes ``(..., d, d)`` broadcast; returns shape ``(...)``.  Uses the
    singular values of :math:`a-b`, so non-Hermitian arguments are allowed.
    """
    a, b = _pair(a, b)
    return _trace_distance(a, b)


def _trace_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """:func:`trace_distance` without input checks."""
    diff = a - b
    return 0.5 * np.sum(np.linalg.svd(diff, compute_uv=False), axis=-1)


def partial_trace(rho: np.ndarray, dims: Sequence[int], keep) -> np.ndarray:
    r"""Partial trace over the factors of :math:`\mathcal H_1\otimes\cdots\otimes\mathcal H_n`.

    Parameters
    ----------
    rho : array_like, shape ``(..., D, D)`` with ``D = prod(dims)``
    dims : sequence of int
        Dimensions of the tensor factors, in the order of the tensor product
        (for the tri-partite setup: ``(n_A, n_C, n_B)``).
    keep : int or sequence of int
        Indices of the factors to keep, e.g. ``keep=1`` gives
        :math:`\operatorname{tr}_{AB}` of eq. (6.2) when ``dims=(n_A, n_C, n_B)``.
        Kept factors stay in their original order.

    Returns
    -------
    ndarray, shape ``(..., D_keep, D_keep)``
    """
    rho = _v.as_square(rho, "rho")
    if isinstance(dims, (str, bytes)) or not hasattr(dims, "__iter__"):
        raise TypeError(f"dims must be a sequence of positive integers, got {type(dims).__name__}")
    dims = tuple(dims)
    if not dims:
        raise ValueError("dims must be a non-empty sequence of positive integers, got ()")
    for n in dims:
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral):
            raise TypeError(f"dims must be a sequence of positive integers, got {dims!r}")
    dims = tuple(int(n) for n in dims)
    if any(n < 1 for n in dims):
        raise ValueError(f"dims must be positive integers, got {dims}")
    D = math.prod(dims)
    if rho.shape[-1] != D:
        raise ValueError(f"rho must have shape (..., {D}, {D}) for dims={dims}, got {rho.shape}")
    if isinstance(keep, (str, bytes)) or keep is None:
        raise TypeError(f"keep must be an integer or a sequence of integers, got {type(keep).__name__}")
    keep = (keep,) if np.ndim(keep) == 0 else tuple(keep)
    for k in keep:
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Integral):
            raise TypeError(f"keep must be an integer or a sequence of integers, got {keep!r}")
    keep = tuple(sorted(int(k) for k in keep))
    n = len(dims)
    if any(k < 0 or k >= n for k in keep) or len(set(keep)) != len(keep):
        raise ValueError(f"keep must be distinct factor indices in 0..{n - 1}, got {keep}")
    return _partial_trace(rho, dims, keep)


def _partial_trace(rho: np.ndarray, dims: tuple, keep) -> np.ndarray:
    """:func:`partial_trace` without input checks (``dims`` a tuple of ints, ``keep`` an int or a tuple)."""
    keep = (keep,) if np.ndim(keep) == 0 else tuple(keep)
    keep = tuple(sorted(keep))
    n = len(dims)
    lead = rho.shape[:-2]
    t = rho.reshape(lead + dims + dims)
    letters = "abcdefghijklmnopqrstuvwxyz"
    row = list(letters[:n])
    col = list(letters[n : 2 * n])
    for k in range(n):
        if k not in keep:
            col[k] = row[k]
    sub_in = "..." + "".join(row) + "".join(col)
    sub_out = "..." + "".join(row[k] for k in keep) + "".join(col[k] for k in keep)
    out = np.einsum(f"{sub_in}->{sub_out}", t)
    dk = int(np.prod([dims[k] for k in keep])) if keep else 1
    return out.reshape(lead + (dk, dk))


def dlog(rho: np.ndarray, delta: np.ndarray) -> np.ndarray:
    r"""First-order term of :math:`\ln(\rho+\Delta)`, Lemma 7.6, eq. (7.22).

    .. math::

        D\ln_\rho[\Delta] = \sum_j \frac{P_j\Delta P_j}{r_j}
          + \sum_{i<j}(P_i\Delta P_j + P_j\Delta P_i)\,
            \frac{\ln r_i - \ln r_j}{r_i - r_j},

    computed in the eigenbasis of :math:`\rho` with the divided differences
    :math:`\ln^{[1]}(r_i,r_j)` (equal to :math:`1/r_i` when
    :math:`|r_i-r_j|\le 10^{-10}\,r_i`, evaluated stably with ``log1p``).

    Parameters
    ----------
    rho : array_like, shape ``(..., d, d)``, Hermitian positive definite
    delta : array_like, shape ``(..., d, d)``, any matrix (the map is linear)

    Returns
    -------
    ndarray, shape ``(..., d, d)``
    """
    rho = _v.hermitian(rho, "rho")
    _v.same_dim(delta, "delta", rho.shape[-1], "rho")
    delta = _v.as_square(delta, "delta", rho.shape[-1])
    _v.leading_axes(rho=rho.shape[:-2], delta=delta.shape[:-2])
    return _dlog(rho, delta)


def _dlog(rho: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """:func:`dlog` without input checks (the positivity test is part of the computation)."""
    return _dlog_eig(*_eigh_pd(rho, ""), delta)


# --- superoperators (row-major vectorisation) ---------------------------------

def vec(x: np.ndarray) -> np.ndarray:
    """Row-major vectorisation ``(..., d, d) -> (..., d*d)`` (the convention of the module docstring)."""
    return _vec(_v.as_square(x, "x"))


def _vec(x: np.ndarray) -> np.ndarray:
    """:func:`vec` without input checks."""
    x = np.asarray(x)
    return x.reshape(x.shape[:-2] + (x.shape[-1] * x.shape[-2],))


def unvec(v: np.ndarray, d: int | None = None) -> np.ndarray:
    """Inverse of :func:`vec`: ``(..., d*d) -> (..., d, d)``.

    ``d`` defaults to the square root of ``v.shape[-1]``, which must then be
    a perfect square.
    """
    v = _v.finite_matrix(v, "v", min_ndim=1)
    n = v.shape[-1]
    if d is None:
        d = math.isqrt(n)
        if d * d != n:
            raise ValueError(f"v must have a last axis of length d² (a perfect square), got {n}")
    else:
        d = _v.integer(d, "d", minimum=1)
        if d * d != n:
            raise ValueError(f"v must have a last axis of length d² = {d * d} for d={d}, got {n}")
    return _unvec(v, d)


def _unvec(v: np.ndarray, d: int | None = None) -> np.ndarray:
    """:func:`unvec` without input checks."""
    v = np.asarray(v)
    if d is None:
        d = math.isqrt(v.shape[-1])
    return v.reshape(v.shape[:-1] + (d, d))


def _kron(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Batched Kronecker product over the last two axes."""
    a = np.asarray(a)
    b = np.asarray(b)
    out = a[..., :, None, :, None] * b[..., None, :, None, :]
    s = out.shape
    return out.reshape(s[:-4] + (s[-4] * s[-3], s[-2] * s[-1]))


def spre(a: np.ndarray) -> np.ndarray:
    """Superoperator of ``X -> a X``: ``a ⊗ I``, shape ``(..., d², d²)``."""
    return _spre(_v.as_square(a, "a"))


def _spre(a: np.ndarray) -> np.ndarray:
    """:func:`spre` without input checks."""
    a = np.asarray(a)
    return _kron(a, np.eye(a.shape[-1]))


def spost(b: np.ndarray) -> np.ndarray:
    """Superoperator of ``X -> X b``: ``I ⊗ b^t``, shape ``(..., d², d²)``."""
    return _spost(_v.as_square(b, "b"))


def _spost(b: np.ndarray) -> np.ndarray:
    """:func:`spost` without input checks."""
    b = np.asarray(b)
    return _kron(np.eye(b.shape[-1]), np.swapaxes(b, -1, -2))


def sprepost(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Superoperator of ``X -> a X b``: ``a ⊗ b^t``, shape ``(..., d², d²)``."""
    a, b = _pair(a, b)
    return _sprepost(a, b)


def _sprepost(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """:func:`sprepost` without input checks."""
    return _kron(np.asarray(a), np.swapaxes(np.asarray(b), -1, -2))


def superop_commutator(h: np.ndarray) -> np.ndarray:
    """Superoperator of ``X -> -i[h, X]``, shape ``(..., d², d²)``."""
    return _superop_commutator(_v.as_square(h, "h"))


def _superop_commutator(h: np.ndarray) -> np.ndarray:
    """:func:`superop_commutator` without input checks."""
    return -1j * (_spre(h) - _spost(h))


def linear_map_matrix(f, n_in: int) -> np.ndarray:
    """Matrix of a linear map on matrices, from its (broadcasting) action.

    ``f`` receives the canonical basis, shape ``(n_in², n_in, n_in)``, and
    returns its images, shape ``(..., n_in², n_out, n_out)`` (leading axes
    allowed, e.g. for a stack of maps).  The result acts on row-major
    vectorised matrices (see the module docstring), shape ``(..., n_out², n_in²)``.
    """
    _v.callable_checked(f, "f")
    n_in = _v.integer(n_in, "n_in", minimum=1)
    basis = np.eye(n_in * n_in, dtype=complex).reshape(n_in * n_in, n_in, n_in)
    out = _v._numeric(f(basis), "f(basis)")
    if out.ndim < 3 or out.shape[-3] != n_in * n_in or out.shape[-1] != out.shape[-2] or out.shape[-1] == 0:
        raise ValueError(f"f must return the images of the {n_in * n_in} basis matrices, shape "
                         f"(..., {n_in * n_in}, n_out, n_out), got shape {out.shape}")
    if not np.all(np.isfinite(out)):
        raise ValueError("f must return finite images (f(basis) has non-finite entries)")
    return _linear_map_matrix_of(out)


def _linear_map_matrix(f, n_in: int) -> np.ndarray:
    """:func:`linear_map_matrix` without input checks."""
    basis = np.eye(n_in * n_in, dtype=complex).reshape(n_in * n_in, n_in, n_in)
    return _linear_map_matrix_of(np.asarray(f(basis)))


def _linear_map_matrix_of(out: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.swapaxes(out.reshape(out.shape[:-2] + (-1,)), -1, -2))
