r"""Quantum reset models on one Hilbert space (paper, Sections 3 and 4).

The QRM Lindbladian with reservoirs :math:`j=1..J` is, eq. (3.2),

.. math::

    \mathcal L(\rho) = -i[H,\rho] + \sum_j \gamma_j(\tau_j\operatorname{tr}\rho - \rho)
                     = -i[H,\rho] + \Gamma(T\operatorname{tr}\rho - \rho),

with :math:`\Gamma=\sum_j\gamma_j` and :math:`T=\sum_j\gamma_j\tau_j/\Gamma`, eq. (3.4).

Shapes: ``H`` is ``(..., d, d)``, ``taus`` is ``(..., J, d, d)``, ``gammas`` and
``lambdas`` are ``(..., J)``; leading axes broadcast, so a parameter grid is
one call.  Everything is computed from closed forms in the eigenbasis of
:math:`H` (eqs. (3.6)-(3.10)); no :math:`d^2\times d^2` superoperator is built
except by :func:`lindbladian`, which exists to provide an independent check.

Every public function validates its arguments once, at the boundary (see
:mod:`qrmlib._validate`): ``H`` Hermitian, ``taus`` density matrices (projected
exactly onto Hermitian trace-one matrices before use), ``gammas > 0``,
matching ``d`` and ``J``, leading axes that broadcast.  The helpers with a
leading underscore trust their inputs.
"""

from __future__ import annotations

import math

import numpy as np

from . import _validate as _v
from .lindblad import EntropyProductionSum
from .linalg import _bloch2, _dagger as dagger, _eigvalsh2, _from_bloch2, _log_bloch2, _logm_pd as logm_pd
from .linalg import _superop_commutator as superop_commutator, _vec as vec

__all__ = [
    "EntropyProductionSum",
    "combine_resets",
    "rho_H",
    "steady_state",
    "lindbladian",
    "lindbladian_apply",
    "lindbladian_adjoint_apply",
    "spectrum",
    "evolve",
    "partial_steady_states",
    "partial_lindbladians_apply",
    "entropy_production",
    "entropy_fluxes",
    "flux_observables",
]


# --- input handling -----------------------------------------------------------

def _check_model(H, taus, gammas, *, strict_tau: bool = False, bloch: bool = False):
    """Validated ``(H, taus, gammas)``.

    With ``bloch`` and ``d == 2`` the reset states are checked and returned in Bloch
    coordinates (:func:`qrmlib._validate.bloch2`: the same checks and messages, one pass,
    no complex copy) as ``((t0, t1, t2, t3), taus_shape)`` in place of ``taus``."""
    H = _v.hermitian(H, "H")
    d = H.shape[-1]
    _v.same_dim(taus, "taus", d, "H")
    if bloch and d == 2:
        arr = _v._square_shape(_v._numeric(taus, "taus"), "taus", d)
        if arr.ndim < 3:
            raise ValueError(f"taus must have shape (..., J, {d}, {d}) (one reset state per reservoir), got {arr.shape}")
        tb = _v.bloch2(arr, "taus", state=True, strict=strict_tau)[:4]
        taus_shape = arr.shape
    else:
        taus = _v.as_square(taus, "taus", d)
        if taus.ndim < 3:
            raise ValueError(f"taus must have shape (..., J, {d}, {d}) (one reset state per reservoir), got {taus.shape}")
        taus = _v.density(taus, "taus", d, strict=strict_tau)
        taus_shape = taus.shape
    gammas = _v.rates(gammas, "gammas")
    J = taus_shape[-3]
    if gammas.ndim < 1 or gammas.shape[-1] != J:
        raise ValueError(f"gammas must have shape (..., {J}) to match taus with J={J} reservoirs, got {gammas.shape}")
    _v.leading_axes(H=H.shape[:-2], taus=taus_shape[:-3], gammas=gammas.shape[:-1])
    if bloch and d == 2:
        return H, (tb, taus_shape), gammas
    return H, taus, gammas


def _check_lambdas(lambdas, H, taus, gammas, *, affine: bool, taus_shape=None):
    """Weights ``(..., J)`` matching ``taus`` (summing to one if ``affine``), leading axes broadcasting.

    ``taus_shape`` replaces ``taus.shape`` when the reset states were validated in Bloch form."""
    tshape = taus.shape if taus_shape is None else taus_shape
    J = tshape[-3]
    if affine:
        lambdas = _v.affine_weights(lambdas, "lambdas", J)
    else:
        lambdas = _v.finite_real(lambdas, "lambdas")
        if lambdas.ndim < 1 or lambdas.shape[-1] != J:
            raise ValueError(f"lambdas must have shape (..., {J}) (one weight per reservoir), got {lambdas.shape}")
    _v.leading_axes(H=H.shape[:-2], taus=tshape[:-3], gammas=gammas.shape[:-1], lambdas=lambdas.shape[:-1])
    return lambdas


def _check_matrix(x, name, H, taus, gammas, *, state: bool = False):
    """A ``d x d`` matrix argument (a faithful state if ``state``) broadcasting with the model."""
    d = H.shape[-1]
    _v.same_dim(x, name, d, "H")
    x = _v.density(x, name, d, strict=True) if state else _v.as_square(x, name, d)
    _v.leading_axes(**{"H": H.shape[:-2], "taus": taus.shape[:-3], "gammas": gammas.shape[:-1],
                       name: x.shape[:-2]})
    return x


def _eig(H):
    return np.linalg.eigh(H)


def _rho_from_eig(w, v, T):
    r"""``(i[H,.] + 1)^{-1}(T)`` given ``H = v diag(w) v^*``, eq. (3.9)."""
    tt = dagger(v) @ T @ v
    denom = 1.0 + 1j * (w[..., :, None] - w[..., None, :])
    return v @ (tt / denom) @ dagger(v)


# --- qubits (d == 2): the same closed forms in Bloch coordinates --------------------------
#
# For d == 2 write H = h0 I + h.sigma and X = x0 I + x.sigma.  Then i[H, X] = -2 (h x x).sigma,
# so (i[sH, .] + 1)(X) = T reads x0 = t0, (1 - a[h]_x) x = t with a = 2s, whose inverse is
#     x = (t + a h x t + a^2 (h.t) h) / (1 + a^2 |h|^2)      (eq. (3.9) in Bloch form).
# Everything below is elementwise real arithmetic on arrays of Bloch coefficients: the same
# numbers as the eigenbasis formulas, to round-off, without batched 2x2 LAPACK calls.

def _bloch_any(T):
    """Complex Bloch coefficients ``(t0, t1, t2, t3)`` of any (not necessarily Hermitian) 2x2 ``T``."""
    t00, t01, t10, t11 = T[..., 0, 0], T[..., 0, 1], T[..., 1, 0], T[..., 1, 1]
    return 0.5 * (t00 + t11), 0.5 * (t01 + t10), 0.5j * (t01 - t10), 0.5 * (t00 - t11)


def _rho_H_bloch(hx, hy, hz, t1, t2, t3):
    """Bloch vector of ``(i[H,.] + 1)^{-1}(T)`` from ``a h`` (``hx, hy, hz``) and the Bloch vector of ``T``."""
    dot = hx * t1 + hy * t2 + hz * t3
    den = 1.0 + (hx * hx + hy * hy + hz * hz)
    return ((t1 + (hy * t3 - hz * t2) + dot * hx) / den,
            (t2 + (hz * t1 - hx * t3) + dot * hy) / den,
            (t3 + (hx * t2 - hy * t1) + dot * hz) / den)


def _rho_scaled(H, T, scale):
    r""":math:`\rho_{sH}(T)` on validated arrays, ``scale`` (:math:`s`) broadcasting with the leading axes.

    The one dispatch between the Bloch-coordinate form (``d == 2``) and the
    eigenbasis form (3.9).
    """
    if H.shape[-1] == 2:
        return _rho_H_2(H, T, scale)
    w, v = _eig(H)
    return _rho_from_eig(w * np.asarray(scale, dtype=float)[..., None], v, T)


def _rho_H_2(H, T, scale):
    r""":math:`\rho_{sH}(T)` for ``d == 2`` (``H`` Hermitian, ``T`` any, ``scale`` broadcasting with the leading axes)."""
    _, h1, h2, h3, _ = _bloch2(H)
    a = 2.0 * np.asarray(scale, dtype=float)
    t0, t1, t2, t3 = _bloch_any(T)
    x1, x2, x3 = _rho_H_bloch(a * h1, a * h2, a * h3, t1, t2, t3)
    return _from_bloch2(t0, x1, x2, x3)


def _log2_checked(c0, c1, c2, c3):
    """Bloch coefficients of ``ln X`` for Hermitian ``X`` given by real Bloch coefficients; raises like :func:`logm_pd`."""
    det = (c0 + c3) * (c0 - c3) - (c1 * c1 + c2 * c2)
    lo, hi, r = _eigvalsh2(c0, c1, c2, c3, det)
    if np.any(lo <= 0):
        raise ValueError(
            f"rho must be positive definite for its logarithm: smallest eigenvalue "
            f"{np.min(lo):.3e} <= 0"
        )
    return _log_bloch2(c0, c1, c2, c3, lo, hi, r)


def _log2_coef(c0, c1, c2, c3):
    r"""``(l0, c)`` with :math:`\ln X = l_0 I + c\,\vec c\cdot\vec\sigma` for positive definite Hermitian
    ``X`` given by real Bloch coefficients; raises like :func:`logm_pd`.

    Fast path: with :math:`r = |\vec c|`, :math:`\lambda_+ = c_0 + r`, :math:`\lambda_- = \det X/\lambda_+`
    (relative accuracy kept, as in :func:`qrmlib.linalg._eigvalsh2`),
    :math:`l_0 = \tfrac12\ln\det X` and :math:`c = \operatorname{log1p}(2r/\lambda_-)/(2r)`.
    Positive definiteness is exactly ``all(lambda_- > 0)`` here (``c0 <= 0`` gives
    ``lambda_- <= 0`` or NaN); anything else, and ``r == 0``, takes :func:`_log2_checked`.
    """
    det = (c0 + c3) * (c0 - c3) - (c1 * c1 + c2 * c2)
    r = np.sqrt(c1 * c1 + c2 * c2 + c3 * c3)
    with np.errstate(divide="ignore", invalid="ignore"):
        two_r = r + r
        lo = det / (c0 + r)
        ok = np.all(lo > 0) and np.all(r > 0)
        if ok:
            return 0.5 * np.log(det), np.log1p(two_r / lo) / two_r
    l0, l1, _, _ = _log2_checked(c0, c1, c2, c3)      # raises, or handles r == 0
    zero = r == 0
    return l0, np.where(zero, 1.0 / c0, np.log1p(2.0 * np.where(zero, 1.0, r) / lo) / (2.0 * np.where(zero, 1.0, r)))


#: points x reservoirs per block of the qubit EP (tuned on the 201 x 201 x 3 grid of Figure 1)
_QUBIT_BLOCK = 16384


def _ep_qubit(H, tb, gammas, lambdas, rb, *, fluxes=False):
    """:func:`_ep_qubit_block` over cache-sized blocks of the broadcast leading axes."""
    _, h1, h2, h3, _ = _bloch2(H)
    J = tb[0].shape[-1]
    pointwise = [h1, h2, h3] + ([] if rb is None else list(rb))
    per_res = list(tb) + [gammas, lambdas]
    lead = np.broadcast_shapes(*(x.shape for x in pointwise), *(x.shape[:-1] for x in per_res))
    if math.prod(lead) * J <= 2 * _QUBIT_BLOCK:
        return _ep_qubit_block((h1, h2, h3), tb, gammas, lambdas, rb, fluxes)
    # blocks of ~_QUBIT_BLOCK points x reservoirs: the ~20 temporaries stay in the L2 cache
    pw = [np.broadcast_to(x, lead) for x in pointwise]
    pr = [np.broadcast_to(x, lead + (J,)) for x in per_res]
    out = np.empty(lead + (J,))
    for idx in _v.blocks(lead, J, _QUBIT_BLOCK):
        p = [x[idx] for x in pw]
        q = [x[idx] for x in pr]
        out[idx] = _ep_qubit_block(p[:3], q[:4], q[4], q[5], p[3:] or None, fluxes)
    return out


def _ep_qubit_block(hb, tb, gammas, lambdas, rb, fluxes):
    r"""Entropy production (or fluxes) of a qubit QRM in Bloch coordinates; inputs validated.

    ``tb = (t0, t1, t2, t3)``, each ``(..., J)``, are the Bloch coefficients of the reset
    states, ``rb`` those of the state (``None``: the steady state).
    Returns ``sigma_j`` (or ``phi_j``), shape ``(..., J)``.

    With :math:`\ln\rho_j^+ = k_j I + c_j\vec q_j\cdot\vec\sigma`, :math:`\ln\rho = k I + c\,\vec r\cdot\vec\sigma`
    and :math:`\mathcal L_j(\rho) = \ell_0 I + \vec\ell\cdot\vec\sigma` (real Bloch coefficients),
    :math:`\sigma_j = 2(\ell_0(k_j - k) + c_j\,\vec\ell\cdot\vec q_j - c\,\vec\ell\cdot\vec r)`
    and :math:`\phi_j = 2(\ell_0k_j + c_j\,\vec\ell\cdot\vec q_j)`.
    """
    h1, h2, h3 = hb
    t0, t1, t2, t3 = tb                                                 # (..., J)
    if rb is None:
        Gamma = np.sum(gammas, axis=-1)
        wgt = gammas / Gamma[..., None]
        T0, T1, T2, T3 = (np.sum(wgt * t, axis=-1) for t in (t0, t1, t2, t3))
        a = (2.0 / Gamma)
        r1, r2, r3 = _rho_H_bloch(a * h1, a * h2, a * h3, T1, T2, T3)
        r0 = T0
    else:
        r0, r1, r2, r3 = rb
    h1, h2, h3 = h1[..., None], h2[..., None], h3[..., None]           # (..., 1): broadcast over J
    r0, r1, r2, r3 = (x[..., None] for x in (r0, r1, r2, r3))
    # partial steady states rho_j^+ = rho_{lambda_j H / gamma_j}(tau_j), eq. (4.2)
    a = 2.0 * lambdas / gammas
    q1, q2, q3 = _rho_H_bloch(a * h1, a * h2, a * h3, t1, t2, t3)
    kj, cj = _log2_coef(t0, q1, q2, q3)
    # L_j(rho) = -i lambda_j [H, rho] + gamma_j (tau_j tr rho - rho), eq. (4.1); -i[H, X] = 2 (h x x).sigma
    # (the cross products and 2 lambda_j are formed on the smaller operands before broadcasting)
    tr = 2.0 * r0
    two_l = 2.0 * lambdas
    l0 = gammas * (t0 * tr - r0)
    l1 = two_l * (h2 * r3 - h3 * r2) + gammas * (t1 * tr - r1)
    l2 = two_l * (h3 * r1 - h1 * r3) + gammas * (t2 * tr - r2)
    l3 = two_l * (h1 * r2 - h2 * r1) + gammas * (t3 * tr - r3)
    lq = l1 * q1 + l2 * q2 + l3 * q3
    if fluxes:
        return 2.0 * (l0 * kj + cj * lq)
    k, c = _log2_coef(r0, r1, r2, r3)
    lr = l1 * r1 + l2 * r2 + l3 * r3
    # Re tr(A B) = 2 (a0 b0 + a.b) for real Bloch coefficients
    return 2.0 * (l0 * (kj - k) + cj * lq - c * lr)


def _tr(a):
    return np.trace(a, axis1=-2, axis2=-1)


def _tr_prod(a, b):
    """Real part of tr(a b) over the last two axes."""
    return np.real(np.einsum("...ij,...ji->...", a, b))


# --- Section 3 ------------------------------------------------------------------

def combine_resets(taus, gammas):
    r"""Total rate and reset state, eq. (3.4).

    .. math:: \Gamma=\sum_j\gamma_j,\qquad T=\frac1\Gamma\sum_j\gamma_j\tau_j.

    Parameters
    ----------
    taus : array_like, shape ``(..., J, d, d)``, density matrices
    gammas : array_like, shape ``(..., J)``, positive rates

    Returns
    -------
    T : ndarray, shape ``(..., d, d)``
    Gamma : ndarray, shape ``(...)``
    """
    taus = _v.as_square(taus, "taus")
    gammas = _v.rates(gammas, "gammas")
    if taus.ndim < 3 or gammas.ndim < 1 or gammas.shape[-1] != taus.shape[-3]:
        raise ValueError(f"gammas shape {gammas.shape} must end with J = taus.shape[-3] for taus {taus.shape}")
    taus = _v.density(taus, "taus")
    _v.leading_axes(taus=taus.shape[:-3], gammas=gammas.shape[:-1])
    return _combine(taus, gammas)


def _combine(taus, gammas):
    """:func:`combine_resets` on validated arrays."""
    Gamma = np.sum(gammas, axis=-1)
    T = np.einsum("...j,...jkl->...kl", gammas / Gamma[..., None], taus)
    return T, Gamma


def rho_H(H, T):
    r"""The map :math:`\rho_H(T) = (i[H,\cdot]+1)^{-1}(T)` of Lemma 3.1, closed form (3.9)-(3.10).

    In the eigenbasis :math:`H\varphi_m=e_m\varphi_m`,

    .. math:: \rho_H(T)_{mn} = \frac{T_{mn}}{1 + i(e_m-e_n)} ,

    which equals :math:`\sum_{j,k}P_jTP_k/(1+i(e_j-e_k))` (eq. (3.10)) for
    any choice of eigenbasis, degenerate spectra included.

    Parameters
    ----------
    H : array_like, shape ``(..., d, d)``, Hermitian
    T : array_like, shape ``(..., d, d)``, any matrix (the map is linear)

    Returns
    -------
    ndarray, shape ``(..., d, d)``
    """
    H = _v.hermitian(H, "H")
    _v.same_dim(T, "T", H.shape[-1], "H")
    T = _v.as_square(T, "T", H.shape[-1])
    _v.leading_axes(H=H.shape[:-2], T=T.shape[:-2])
    return _rho_scaled(H, T, 1.0)


def steady_state(H, taus, gammas):
    r"""Steady state :math:`\rho^+=\rho_{H/\Gamma}(T)` of the QRM (3.2), eq. (3.8).

    Parameters
    ----------
    H : array_like, shape ``(..., d, d)``, Hermitian
    taus : array_like, shape ``(..., J, d, d)``, density matrices
    gammas : array_like, shape ``(..., J)``, positive rates

    Returns
    -------
    ndarray, shape ``(..., d, d)``
        The unique state in :math:`\ker\mathcal L`.
    """
    H, taus, gammas = _check_model(H, taus, gammas)
    T, Gamma = _combine(taus, gammas)
    return _rho_scaled(H, T, 1.0 / Gamma)


def lindbladian(H, taus, gammas):
    r"""Superoperator matrix of :math:`\mathcal L`, eq. (3.2), shape ``(..., d², d²)``.

    Row-major vectorisation (see :mod:`qrmlib.linalg`):
    :math:`-i(H\otimes I - I\otimes H^t) + \Gamma(\operatorname{vec}T\,\operatorname{vec}I^t - I)`.
    Provided as an independent path (null vector, ``expm``); the library's
    results never go through it.
    """
    H, taus, gammas = _check_model(H, taus, gammas)
    T, Gamma = _combine(taus, gammas)
    d = H.shape[-1]
    eye = np.eye(d)
    comm = superop_commutator(H)
    vT = vec(T)
    reset = vT[..., :, None] * vec(eye)[None, :] - np.eye(d * d)
    return comm + Gamma[..., None, None] * reset


def lindbladian_apply(H, taus, gammas, rho):
    r""":math:`\mathcal L(\rho)` of eq. (3.2) for any matrix ``rho`` (shape ``(..., d, d)``)."""
    H, taus, gammas = _check_model(H, taus, gammas)
    rho = _check_matrix(rho, "rho", H, taus, gammas)
    T, Gamma = _combine(taus, gammas)
    G = Gamma[..., None, None]
    return -1j * (H @ rho - rho @ H) + G * (T * _tr(rho)[..., None, None] - rho)


def lindbladian_adjoint_apply(H, taus, gammas, X):
    r"""Heisenberg-picture generator :math:`\mathcal L^\dagger(X)`, eq. (3.18).

    .. math:: \mathcal L^\dagger(X) = i[H,X] + \Gamma(I\operatorname{tr}(TX) - X)
              = i[H,X] - \tfrac12\{\Phi(I),X\} + \Phi(X),\quad \Phi(X)=\Gamma I\operatorname{tr}(TX)\ (3.19).
    """
    H, taus, gammas = _check_model(H, taus, gammas)
    X = _check_matrix(X, "X", H, taus, gammas)
    T, Gamma = _combine(taus, gammas)
    d = H.shape[-1]
    trTX = np.einsum("...ij,...ji->...", T, X)
    return 1j * (H @ X - X @ H) + Gamma[..., None, None] * (np.eye(d) * trTX[..., None, None] - X)


def spectrum(H, gammas):
    r"""Spectrum of :math:`\mathcal L` as a linear map on :math:`B(\mathcal H)`, eq. (3.6).

    .. math:: \operatorname{spec}\mathcal L = \{0\}\cup\{-\Gamma\}^{(d-1)}
              \cup\{-\Gamma - i(e_j-e_k)\}_{j\ne k},

    returned with multiplicity (``d**2`` values, shape ``(..., d²)``), the
    first entry being the simple eigenvalue 0.  It does not depend on the
    reset states.
    """
    H = _v.hermitian(H, "H")
    gammas = _v.rates(gammas, "gammas")
    _v.leading_axes(H=H.shape[:-2], gammas=gammas.shape[:-1] if gammas.ndim else ())
    Gamma = np.sum(gammas, axis=-1) if gammas.ndim else gammas
    e = np.linalg.eigvalsh(H)
    d = e.shape[-1]
    diff = e[..., :, None] - e[..., None, :]
    iu = ~np.eye(d, dtype=bool)
    off = -Gamma[..., None] - 1j * diff[..., iu]
    lead = off.shape[:-1]
    zero = np.zeros(lead + (1,), complex)
    minus = np.broadcast_to(-Gamma[..., None], lead + (d - 1,)).astype(complex)
    return np.concatenate([zero, minus, off], axis=-1)


def evolve(H, taus, gammas, rho0, t):
    r"""Exact solution :math:`\rho(t)=e^{t\mathcal L}\rho_0`, eq. (3.7).

    .. math::

        \rho(t) = e^{-\Gamma t}e^{-iHt}\big(\rho_0-\operatorname{tr}(\rho_0)\rho^+\big)e^{iHt}
                  + \operatorname{tr}(\rho_0)\rho^+ .

    Parameters
    ----------
    H, taus, gammas : as in :func:`steady_state`
    rho0 : array_like, shape ``(..., d, d)``, any matrix
    t : array_like of float, shape ``(...)``
        Times.  The leading axes of ``H``, ``taus``, ``gammas``,
        ``rho0`` and the shape of ``t`` broadcast together (e.g. ``t[:, None]``
        against a stack of models).

    Returns
    -------
    ndarray
        The states at the times ``t``: the broadcast leading shape, then ``(d, d)``.
    """
    H, taus, gammas = _check_model(H, taus, gammas)
    rho0 = _check_matrix(rho0, "rho0", H, taus, gammas)
    t = _v.finite_real(t, "t")
    _v.leading_axes(H=H.shape[:-2], taus=taus.shape[:-3], gammas=gammas.shape[:-1], rho0=rho0.shape[:-2],
                    t=t.shape)
    T, Gamma = _combine(taus, gammas)
    w, v = _eig(H)
    rp = _rho_from_eig(w / Gamma[..., None], v, T)
    tr0 = _tr(rho0)[..., None, None]
    X = dagger(v) @ (rho0 - tr0 * rp) @ v  # in eigenbasis
    tt = t[..., None, None]
    phase = np.exp(-1j * (w[..., :, None] - w[..., None, :]) * tt - Gamma[..., None, None] * tt)
    return v @ (phase * X) @ dagger(v) + tr0 * rp


# --- Section 4: affine decompositions -----------------------------------------

def partial_steady_states(H, taus, gammas, lambdas):
    r"""Steady states :math:`\rho_j^+(\lambda_j)=\gamma_j(i\lambda_j[H,\cdot]+\gamma_j)^{-1}(\tau_j)`, eq. (4.2).

    Equivalently :math:`\rho_j^+=\rho_{\lambda_jH/\gamma_j}(\tau_j)`.  The
    weights ``lambdas`` need not sum to one here (each :math:`\mathcal L_j` is
    a QRM on its own).

    Returns
    -------
    ndarray, shape ``(..., J, d, d)``
    """
    H, taus, gammas = _check_model(H, taus, gammas)
    lambdas = _check_lambdas(lambdas, H, taus, gammas, affine=False)
    return _rho_scaled(H[..., None, :, :], taus, lambdas / gammas)


def partial_lindbladians_apply(H, taus, gammas, lambdas, rho):
    r""":math:`\mathcal L_j(\rho)=-i\lambda_j[H,\rho]+\gamma_j(\tau_j\operatorname{tr}\rho-\rho)`, eq. (4.1).

    Returns
    -------
    ndarray, shape ``(..., J, d, d)``
    """
    H, taus, gammas = _check_model(H, taus, gammas)
    lambdas = _check_lambdas(lambdas, H, taus, gammas, affine=False)
    rho = _check_matrix(rho, "rho", H, taus, gammas)
    _v.leading_axes(lambdas=lambdas.shape[:-1], rho=rho.shape[:-2])
    return _partial_apply(H, taus, gammas, lambdas, rho)


def _partial_apply(H, taus, gammas, lambdas, rho):
    """:func:`partial_lindbladians_apply` on validated arrays."""
    comm = (H @ rho - rho @ H)[..., None, :, :]
    trr = _tr(rho)[..., None, None, None]
    return (-1j * lambdas[..., None, None] * comm
            + gammas[..., None, None] * (taus * trr - rho[..., None, :, :]))


def _ep_checked(H, taus, gammas, lambdas, rho):
    """Validated arguments of :func:`entropy_production` / :func:`entropy_fluxes`.

    For ``d == 2`` the states come back in Bloch coordinates (``taus`` as
    ``(t0, t1, t2, t3)``, ``rho`` as ``(r0, r1, r2, r3)`` or ``None``), checked in one pass
    each: the qubit path never builds or re-reads a complex copy of its inputs."""
    H, taus, gammas = _check_model(H, taus, gammas, strict_tau=True, bloch=True)
    qubit = H.shape[-1] == 2
    tshape = taus[1] if qubit else None
    lambdas = _check_lambdas(lambdas, H, taus, gammas, affine=True, taus_shape=tshape)
    if qubit:
        taus = taus[0]
    if rho is not None:
        d = H.shape[-1]
        _v.same_dim(rho, "rho", d, "H")
        if qubit:
            rarr = _v._square_shape(_v._numeric(rho, "rho"), "rho", d)
            rho_lead = rarr.shape[:-2]
            rho = _v.bloch2(rarr, "rho", state=True, strict=True)[:4]
        else:
            rho = _v.density(rho, "rho", d, strict=True)
            rho_lead = rho.shape[:-2]
        _v.leading_axes(H=H.shape[:-2], taus=(tshape or taus.shape)[:-3], gammas=gammas.shape[:-1], rho=rho_lead)
        _v.leading_axes(lambdas=lambdas.shape[:-1], rho=rho_lead)
    return H, taus, gammas, lambdas, rho


def _ep_parts(H, taus, gammas, lambdas, rho):
    """(rho, rho_j^+, L_j(rho)) on validated arguments (``rho=None``: the steady state)."""
    w, v = _eig(H)
    if rho is None:
        T, Gamma = _combine(taus, gammas)
        rho = _rho_from_eig(w / Gamma[..., None], v, T)
    rj = _rho_from_eig(w[..., None, :] * (lambdas / gammas)[..., None], v[..., None, :, :], taus)
    Lj = _partial_apply(H, taus, gammas, lambdas, rho)
    return rho, rj, Lj


def entropy_production(H, taus, gammas, lambdas, rho=None):
    r"""Entropy production :math:`\sigma(\rho)=\sum_j\sigma_j(\rho)`, eqs. (2.10), (2.12), (4.5).

    .. math::

        \sigma_j(\rho) = \operatorname{tr}\big(\mathcal L_j(\rho)
                         (\ln\rho_j^+(\lambda_j) - \ln\rho)\big) \ge 0 ,

    with :math:`\mathcal L_j` of eq. (4.1) and :math:`\rho_j^+` of eq. (4.2).

    Parameters
    ----------
    H : array_like, shape ``(..., d, d)``
    taus : array_like, shape ``(..., J, d, d)``, faithful (positive definite) states
    gammas : array_like, shape ``(..., J)``, positive
    lambdas : array_like, shape ``(..., J)``, real, summing to one (eq. (4.1))
    rho : array_like, shape ``(..., d, d)``, optional
        Faithful state at which to evaluate (projected exactly onto a
        Hermitian trace-one matrix); default the steady state
        :math:`\rho^+` of eq. (3.8).

    Returns
    -------
    EntropyProductionSum
        Named tuple ``(sigma, sigma_j)`` of ndarrays with shapes ``(...)`` and
        ``(..., J)``; unpacks as ``sigma, sigma_j = entropy_production(...)``.
    """
    H, taus, gammas, lambdas, rho = _ep_checked(H, taus, gammas, lambdas, rho)
    if H.shape[-1] == 2:
        sj = _ep_qubit(H, taus, gammas, lambdas, rho)
        return EntropyProductionSum(np.sum(sj, axis=-1), sj)
    rho, rj, Lj = _ep_parts(H, taus, gammas, lambdas, rho)
    diff = logm_pd(rj) - logm_pd(rho)[..., None, :, :]
    sj = _tr_prod(Lj, diff)
    return EntropyProductionSum(np.sum(sj, axis=-1), sj)


def entropy_fluxes(H, taus, gammas, lambdas, rho=None):
    r"""Entropy fluxes :math:`\phi_j=\operatorname{tr}(\mathcal L_j(\rho)\ln\rho_j^+)`, eq. (2.13).

    :math:`\phi_j=-\operatorname{tr}(\rho I_j^+)` with :math:`I_j^+` of eq. (2.9)
    (see :func:`flux_observables`).  At the steady state
    :math:`\sum_j\phi_j=\sigma(\rho^+)`, eq. (2.12); individual fluxes may be
    negative.  Arguments as in :func:`entropy_production`.

    Returns
    -------
    ndarray, shape ``(..., J)``
        The fluxes :math:`\phi_j` (one array: their sum is the EP at the
        steady state, ``phi.sum(-1)``).
    """
    H, taus, gammas, lambdas, rho = _ep_checked(H, taus, gammas, lambdas, rho)
    if H.shape[-1] == 2:
        return _ep_qubit(H, taus, gammas, lambdas, rho, fluxes=True)
    rho, rj, Lj = _ep_parts(H, taus, gammas, lambdas, rho)
    return _tr_prod(Lj, logm_pd(rj))


def flux_observables(H, taus, gammas, lambdas):
    r"""Entropy-flux observables :math:`I_j^+=\mathcal L_j^\dagger(-\ln\rho_j^+)`, eq. (2.9).

    :math:`\mathcal L_j^\dagger(X)=i\lambda_j[H,X]+\gamma_j(I\operatorname{tr}(\tau_jX)-X)`.

    Returns
    -------
    ndarray, shape ``(..., J, d, d)``
    """
    H, taus, gammas = _check_model(H, taus, gammas, strict_tau=True)
    lambdas = _check_lambdas(lambdas, H, taus, gammas, affine=True)
    X = -logm_pd(_rho_scaled(H[..., None, :, :], taus, lambdas / gammas))
    Hj = H[..., None, :, :]
    d = H.shape[-1]
    trtX = np.einsum("...ij,...ji->...", taus, X)
    return (1j * lambdas[..., None, None] * (Hj @ X - X @ Hj)
            + gammas[..., None, None] * (np.eye(d) * trtX[..., None, None] - X))
