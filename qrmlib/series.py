r"""Taylor coefficients in the coupling :math:`g` of exact quantities, by contour integration.

Why
---
Near :math:`g=0` the exact steady state :math:`\rho^+_g` deviates from
:math:`\rho_0` by :math:`O(g)`, the entropy production :math:`\sigma(\rho^+_g)`
and the fluxes are :math:`O(g^2)`, and the remainders of Figures 4-5,
:math:`(\sigma-g^2\sigma^{(2)})/g^4`, are carried by the :math:`O(g^4)` part of
:math:`O(1)` matrix entries.  Computed in double precision, the absolute error
:math:`\approx\varepsilon_{mach}` of those entries becomes a relative error
:math:`\approx\varepsilon_{mach}/(g^4|\sigma^{(4)}|)` of the remainder: noise
below :math:`g\approx3\times10^{-3}` for the chain of Section 8
(absolute error of :math:`\sigma` :math:`\approx10^{-16}`, :math:`|\sigma^{(4)}|\sim10^{-4}`).

How
---
:math:`\rho^+_g` is a rational function of :math:`g`: it solves the linear system
:math:`(A_0+gA_1)x=b` of :func:`qrmlib.tripartite.steady_state_pencil`, which
stays invertible at :math:`g=0` under Spec and Coup.  It therefore continues
analytically to complex :math:`z` in the disc :math:`|z|<R`, :math:`R` the
modulus of the nearest singular point of the pencil
(:func:`analyticity_radius`).  So do the partial steady states, and the
entropy production and fluxes (7.5)-(7.6) as long as the logarithms are
taken by the analytic (primary) functional calculus, :func:`logm_eig`, with
spectra off the cut :math:`(-\infty,0]`.  For an analytic
:math:`f(z)=\sum_kc_kz^k` sampled at the :math:`N` nodes
:math:`z_j=re^{2\pi ij/N}` of a circle inside the disc, the trapezoid rule
for Cauchy's integrals

.. math::

    c_k=\frac1{2\pi i}\oint\frac{f(z)}{z^{k+1}}dz\approx\frac1{Nr^k}\sum_jf(z_j)e^{-2\pi ijk/N}
    \quad\text{(an FFT)},

.. math::

    \frac{f(g)-\sum_{k<m}c_kg^k}{g^m}=\frac1{2\pi i}\oint\frac{f(z)\,dz}{z^m(z-g)}
    \approx\frac1N\sum_j\frac{f(z_j)\,z_j^{1-m}}{z_j-g}\quad(|g|<r)

(:func:`taylor_coefficients`, :func:`cauchy_remainder`) converges geometrically, with errors :math:`O((r/R)^N)` and :math:`O((|g|/r)^N)`,
and involves no cancellation: its rounding error is
:math:`\approx\varepsilon_{mach}\max_{|z|=r}|f|/r^m`, independent of :math:`g`.

Reference values in high precision (``mpmath``): :func:`mp_steady_state`,
:func:`mp_entropy_production`, :func:`mp_entropy_fluxes` solve the bordered
:math:`d^2\times d^2` system of :math:`\mathcal L_g` with the generator built in
multiple-precision arithmetic from the (exact binary) double inputs, so that
trace preservation holds to the working precision.

All functions take the model as the stack arguments of
:func:`qrmlib.tripartite.steady_state_batch` (``H, tau_A, tau_B, gamma_A,
gamma_B, dims``; :func:`model_args` extracts them from a
:class:`~qrmlib.tripartite.TripartiteQRM`) and broadcast over their leading
axes and those of ``z``.
"""

from __future__ import annotations

import numpy as np

from . import _ep_terms as _ept
from . import _validate as _v

from .tripartite import (_WHICH, MATRIX_FREE_HINT, EntropyFluxes, EntropyProduction, TripartiteQRM, _model_checked,
                         _pencil, _stack_args)

__all__ = [
    "model_args",
    "circle",
    "taylor_coefficients",
    "cauchy_remainder",
    "analyticity_radius",
    "steady_state_analytic",
    "logm_eig",
    "entropy_production_analytic",
    "entropy_fluxes_analytic",
    "mp_steady_state",
    "mp_entropy_production",
    "mp_entropy_fluxes",
]

#: smallest admissible distance of an eigenvalue from the cut (-inf, 0], relative to the largest modulus
LOG_CUT_TOL = 1e-8
#: largest admissible condition number of the eigenvector matrix in :func:`logm_eig`
LOG_COND_MAX = 1e8
#: most nodes of a contour (:func:`circle`) and highest order of a coefficient or remainder
MAX_NODES = 1 << 22
MAX_ORDER = 10_000
#: rough bytes of one mpmath number with its Python object (for the memory guard of the mp solvers)
_MP_BYTES = 400


def model_args(model):
    """The stack arguments ``(H, tau_A, tau_B, gamma_A, gamma_B, dims)`` of a :class:`~qrmlib.tripartite.TripartiteQRM`."""
    model = _model_checked(model)
    return model.H, model.tau_A, model.tau_B, model.gamma_A, model.gamma_B, model.dims


# --- the trapezoid rule on a circle ----------------------------------------------------------

def circle(radius, nodes):
    r"""Nodes :math:`z_j=re^{2\pi ij/N}`, :math:`j=0,\dots,N-1`, shape ``(nodes,)``.

    The angles are exact multiples of :math:`2\pi/N` evaluated with
    ``np.exp(2j*np.pi*j/N)``; the node :math:`j=0` is the real point :math:`r`.
    """
    nodes = _v.integer(nodes, "nodes", minimum=2, maximum=MAX_NODES)
    return _circle(_radius(radius), nodes)


def _circle(radius, nodes):
    return radius * np.exp(2j * np.pi * np.arange(nodes) / nodes)


def _radius(radius):
    radius = _v.scalar_real(radius, "radius")
    if not radius > 0:
        raise ValueError(f"radius must be positive and finite, got {radius}")
    return radius


def _check_values(values, radius):
    values = _v.finite_complex(values, "values")
    if values.ndim < 1 or values.shape[0] < 2:
        raise ValueError(f"values must have the nodes along the first axis (at least 2 nodes), "
                         f"got shape {values.shape}")
    _v.nonempty(values, "values")
    return values, _radius(radius)


def taylor_coefficients(values, radius, order):
    r"""Taylor coefficients :math:`c_0,\dots,c_{order}` from samples on a circle (trapezoid rule = FFT).

    Parameters
    ----------
    values : array_like, shape ``(N, ...)``
        :math:`f(z_j)` at the nodes :func:`circle` ``(radius, N)``.
    radius : float
    order : int, ``< N``

    Returns
    -------
    ndarray, shape ``(order + 1, ...)``, complex
        :math:`c_k\approx\frac1{Nr^k}\sum_jf(z_j)e^{-2\pi ijk/N}`; aliasing error
        :math:`\sum_{m\ge1}c_{k+mN}r^{mN}`, i.e. :math:`O((r/R)^N)` inside the
        disc of analyticity of radius :math:`R`.
    """
    values, radius = _check_values(values, radius)
    N = values.shape[0]
    order = _v.integer(order, "order", minimum=0)
    if not 0 <= order < N:
        raise ValueError(f"order must be in [0, N) = [0, {N}), got {order}")
    c = np.fft.fft(values, axis=0)[: order + 1] / N
    scale = radius ** -np.arange(order + 1, dtype=float)
    return c * scale.reshape((-1,) + (1,) * (values.ndim - 1))


def cauchy_remainder(values, radius, g, order):
    r"""Remainder :math:`R_m(g)=(f(g)-\sum_{k<m}c_kg^k)/g^m` by Cauchy's formula on the circle.

    .. math:: R_m(g)=\frac1{2\pi i}\oint_{|z|=r}\frac{f(z)\,dz}{z^m(z-g)}
              \approx\frac1N\sum_j\frac{f(z_j)\,z_j^{1-m}}{z_j-g},

    exact in exact arithmetic for the trapezoid rule up to
    :math:`O((|g|/r)^N)+O((r/R)^N)`; no cancellation (the rounding error is
    :math:`\approx\varepsilon_{mach}\max|f|/r^m` whatever :math:`g`).  At
    :math:`g=0` it gives :math:`c_m`.

    Parameters
    ----------
    values : array_like, shape ``(N, ...)``
        :math:`f(z_j)` at the nodes :func:`circle` ``(radius, N)``.
    radius : float
    g : array_like, shape ``G``
        Points with :math:`|g|<r` (real or complex).
    order : int
        :math:`m\ge0`.

    Returns
    -------
    ndarray, shape ``G + values.shape[1:]``, complex
    """
    values, radius = _check_values(values, radius)
    N = values.shape[0]
    g = _v.g_checked(g, nonzero=False, complex_ok=True)
    order = _v.integer(order, "order", minimum=0, maximum=MAX_ORDER)
    if np.any(np.abs(g) >= radius):
        raise ValueError(f"|g| must be < radius = {radius} (the circle of the contour integral)")
    _v.memory_guard(16.0 * 2 * N * g.size, f"cauchy_remainder ({g.size} points x {N} nodes)")
    z = _circle(radius, N)
    W = z ** (1 - order) / (z - g[..., None]) / N          # G + (N,)
    return np.tensordot(W, values, axes=([-1], [0]))


# --- analytic continuation of the tri-partite steady states -----------------------------------

def analyticity_radius(H, tau_A, tau_B, gamma_A, gamma_B, dims, which="full"):
    r"""Modulus of the nearest singular point of the pencil :math:`A_0+zA_1` (:func:`~qrmlib.tripartite.steady_state_pencil`).

    The steady state :math:`\rho(z)` (and everything built from it) is
    analytic in :math:`|z|<R`, so :math:`R` is a lower bound of the radius of
    convergence of its Taylor series.  It need not be sharp: when
    :math:`\mathcal L_z` leaves invariant a subspace that does not contain the
    solution (for the chain of Section 8: the coherences between different
    numbers of excitations), a singular point of that block makes the system
    singular without affecting :math:`\rho(z)`.  For the chain at the Figure 4
    parameters :math:`R\approx2.14`, while :math:`\rho^+_z` is analytic up to
    :math:`|z|\approx4.85` (see the Section 8 chapter).  Computed as
    :math:`\min|{-1/\mu}|` over the nonzero eigenvalues :math:`\mu` of
    :math:`A_0^{-1}A_1`.

    Returns
    -------
    ndarray, shape: the stack shape
    """
    which = _v.choice(which, "which", _WHICH)
    P = _pencil(*_stack_args(H, tau_A, tau_B, gamma_A, gamma_B, dims), which)
    try:
        mu = np.linalg.eigvals(np.linalg.solve(P["A0"], P["A1"]))
    except np.linalg.LinAlgError as exc:
        raise ValueError("the pencil A_0 + z A_1 is singular at z = 0 (Spec or Coup fails): "
                         "no disc of analyticity around 0") from exc
    big = np.abs(mu) > 1e-12 * np.max(np.abs(mu), axis=-1, keepdims=True)
    with np.errstate(divide="ignore"):
        return np.min(np.where(big, 1.0 / np.abs(np.where(big, mu, 1.0)), np.inf), axis=-1)


def _pencil_solve(P, z):
    """Analytic solution rho(z) = E(r) + z Y of the pencil dict ``P`` for complex ``z`` (broadcast)."""
    d, n = P["d"], P["n"]
    n2 = n * n
    z = np.asarray(z, dtype=complex)
    M = P["A0"] + z[..., None, None] * P["A1"]
    rhs = np.broadcast_to(P["rhs"], M.shape[:-1])
    try:
        x = np.linalg.solve(M, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError as exc:
        raise ValueError("singular pencil: z is a singular point of the steady-state system") from exc
    rho = np.einsum("...ij,...j->...i", P["Emb"], x[..., :n2]) + z[..., None] * x[..., n2:]
    return rho.reshape(rho.shape[:-1] + (d, d))


def steady_state_analytic(H, tau_A, tau_B, gamma_A, gamma_B, dims, z, which="full"):
    r"""Analytic continuation :math:`\rho(z)` of the steady state to complex couplings :math:`z`.

    ``which="full"``: :math:`\rho^+_z` (:math:`\mathcal L_z\rho=0`); ``"A"``, ``"B"``:
    the steady states of :math:`\mathcal D_\#+z\mathcal L_1`.  For real
    :math:`z\neq0` this is :math:`\rho^+_z` of :meth:`qrmlib.tripartite.TripartiteQRM.steady_state`
    (to round-off); at :math:`z=0` it is :math:`\rho_0` (eq. (7.12)).  No
    Hermitian part is taken: for complex :math:`z`,
    :math:`\rho(\bar z)=\rho(z)^*`, not :math:`\rho(z)`.  Trace one exactly
    (the system enforces it).

    Returns
    -------
    ndarray, shape ``broadcast(stack shape, z.shape) + (d, d)``, complex
    """
    which = _v.choice(which, "which", _WHICH)
    z = _v.g_checked(z, "z", nonzero=False, complex_ok=True)
    args = _stack_args(H, tau_A, tau_B, gamma_A, gamma_B, dims)
    _guard_solve(args, z)
    return _pencil_solve(_pencil(*args, which), z)


def _guard_solve(args, *zs):
    """Memory guard of the batched pencil solves: one (N, N) matrix per output point."""
    dims, shape = args[5], args[6]
    n_A, n_C, n_B = dims
    d = n_A * n_C * n_B
    N = d * d + max(n_C, n_A * n_C, n_C * n_B) ** 2
    try:
        count = max(int(np.prod(np.broadcast_shapes(shape, *(np.shape(z) for z in zs)), dtype=int)), 1)
    except ValueError:
        raise ValueError("z (and lam) must broadcast with the stack axes of the model parameters, got "
                         f"{[np.shape(z) for z in zs]} and {shape}") from None
    _v.memory_guard(16.0 * N * N * (2 * count + 8), f"the pencil solve ({count} dense {N}x{N} systems)",
                    hint=MATRIX_FREE_HINT)


def logm_eig(A, *, cut_tol=LOG_CUT_TOL, cond_max=LOG_COND_MAX):
    r"""Principal logarithm :math:`V\operatorname{diag}(\ln w)V^{-1}` of diagonalisable matrices, stacks ``(..., d, d)``.

    The primary matrix function of :math:`\ln` (principal branch): analytic
    in :math:`A` as long as the spectrum stays off the cut :math:`(-\infty,0]`,
    so it continues :func:`qrmlib.linalg.logm_pd` analytically to the
    non-Hermitian :math:`\rho(z)`, :math:`z\in\mathbb C`.

    Raises
    ------
    ValueError
        If an eigenvalue lies within ``cut_tol`` (relative to the largest
        modulus) of the cut, or the eigenvector matrix has condition number
        above ``cond_max`` (nearly defective: the eig-based formula would lose
        accuracy).
    """
    A = _v.as_square(A, "A")
    cut_tol = _v.tolerance(cut_tol, "cut_tol")
    cond_max = _v.scalar_real(_v.positive_real(cond_max, "cond_max"), "cond_max")
    return _logm_eig(A, cut_tol, cond_max)


def _logm_eig(A, cut_tol=LOG_CUT_TOL, cond_max=LOG_COND_MAX):
    try:
        w, V = np.linalg.eig(A)
    except np.linalg.LinAlgError as exc:
        raise ValueError(f"A: eigendecomposition failed ({exc})") from exc
    scale = np.max(np.abs(w), axis=-1, keepdims=True)
    dist = np.where(np.real(w) > 0, np.abs(w), np.abs(np.imag(w)))  # distance to (-inf, 0]
    if np.any(dist <= cut_tol * scale):
        raise ValueError("A must have no eigenvalue on the branch cut: an eigenvalue lies on (or too close to) "
                         "the branch cut (-inf, 0] of the principal log")
    cond = np.linalg.cond(V)
    if np.any(cond > cond_max):
        raise ValueError(f"A must be diagonalisable: nearly defective matrix, eigenvector condition number "
                         f"{np.max(cond):.3e} > cond_max")
    return (V * np.log(w)[..., None, :]) @ np.linalg.inv(V)


def _ep_parts(H, tau_A, tau_B, gamma_A, gamma_B, dims, z, lam):
    args = _stack_args(H, tau_A, tau_B, gamma_A, gamma_B, dims)
    z = _v.g_checked(z, "z", nonzero=False, complex_ok=True)
    lam = _v.lam_checked(lam)
    _guard_solve(args, z, lam)
    PF, PA, PB = (_pencil(*args, w) for w in _WHICH)
    rho = _pencil_solve(PF, z)
    rA = _pencil_solve(PA, lam * z)
    rB = _pencil_solve(PB, (1 - lam) * z)
    # the generator actions of the model (one copy: TripartiteQRM's, on the stacked parameters)
    m = TripartiteQRM._from_checked(*args)
    DA, DB, comm = m._D_A(rho), m._D_B(rho), m._L1(rho)
    LA, LB = _ept.generators(comm, DA, DB, z, lam)
    return rho, rA, rB, LA, LB


def _tr(a, b):
    return np.einsum("...ij,...ji->...", a, b)


#: the analytic continuation's number system of the (7.5)-(7.6) terms (qrmlib._ep_terms):
#: principal logarithm of a diagonalisable matrix, complex trace pairing
_ANALYTIC = _ept.Backend(log=lambda a: _logm_eig(a), tr=_ept.tr_complex)


def _mp_backend(mp):
    """The mpmath number system: ``ln`` by ``mpmath.eighe``, ``Re tr`` in ``mpf``."""
    return _ept.Backend(log=lambda X: _mp_logm_herm(X, mp), tr=lambda a, b: mp.re(_mp_tr(a, b)))


def entropy_production_analytic(H, tau_A, tau_B, gamma_A, gamma_B, dims, z, lam):
    r"""Analytic continuation of :math:`\sigma(\rho^+_z)`, :math:`\sigma_A`, :math:`\sigma_B` of eqs. (7.5)-(7.6).

    .. math::

        \sigma_A(z)=\operatorname{tr}\big(\mathcal L^A_{\lambda z}(\rho(z))
          (\ln\rho^A(\lambda z)-\ln\rho(z))\big),\quad
        \sigma_B(z)=\operatorname{tr}\big(\mathcal L^B_{(1-\lambda)z}(\rho(z))
          (\ln\rho^B((1-\lambda)z)-\ln\rho(z))\big),

    with the analytic steady states of :func:`steady_state_analytic` and the
    principal logarithm :func:`logm_eig`; no real part is taken.  For real
    :math:`z` it equals :meth:`qrmlib.tripartite.TripartiteQRM.entropy_production` (to round-off).
    The :math:`\ln\rho(z)` terms of :math:`\sigma=\sigma_A+\sigma_B` add up to
    :math:`-\operatorname{tr}(\mathcal L_z(\rho(z))\ln\rho(z))=0`.

    Returns
    -------
    EntropyProduction
        NamedTuple ``(sigma, sigma_A, sigma_B)`` of complex ndarrays, shape ``broadcast(stack, z, lam)``.
    """
    rho, rA, rB, LA, LB = _ep_parts(H, tau_A, tau_B, gamma_A, gamma_B, dims, z, lam)
    sA, sB = _ept.ep_terms(_ANALYTIC, rho, rA, rB, LA, LB)
    return EntropyProduction(sA + sB, sA, sB)


def entropy_fluxes_analytic(H, tau_A, tau_B, gamma_A, gamma_B, dims, z, lam):
    r"""Analytic continuation of the fluxes :math:`\phi_A=\operatorname{tr}(\mathcal L^A_{\lambda z}(\rho)\ln\rho^A_{\lambda z})`, :math:`\phi_B`, eq. (7.6).

    Returns
    -------
    EntropyFluxes
        NamedTuple ``(phi_A, phi_B)`` of complex ndarrays, shape ``broadcast(stack, z, lam)``.
    """
    rho, rA, rB, LA, LB = _ep_parts(H, tau_A, tau_B, gamma_A, gamma_B, dims, z, lam)
    return EntropyFluxes(*_ept.ep_terms(_ANALYTIC, rho, rA, rB, LA, LB, fluxes=True))


# --- mpmath references ------------------------------------------------------------------------

def _mp():
    import mpmath

    return mpmath


def _to_mp(a, mp):
    """Object array of ``mpc`` with the exact binary values of a complex array."""
    a = np.asarray(a, dtype=complex)
    out = np.empty(a.shape, dtype=object)
    for idx, v in np.ndenumerate(a):
        out[idx] = mp.mpc(float(v.real), float(v.imag))
    return out


def _mp_generator(H, tau_A, tau_B, gamma_A, gamma_B, dims, which, mp):
    """Actions of D (reset part) and of -i[H, .] on object arrays, in mp arithmetic.

    The reset states are projected to trace one *in mp arithmetic* (their double
    entries, e.g. 0.95 and 0.05, need not sum to exactly 1): a trace defect makes
    the reset channel non-trace-preserving, which changes the small-g entropy
    production at first order in the defect.
    """
    Hm, tA, tB = _to_mp(H, mp), _to_mp(tau_A, mp), _to_mp(tau_B, mp)
    tA = tA / sum(tA[i, i] for i in range(tA.shape[0]))
    tB = tB / sum(tB[i, i] for i in range(tB.shape[0]))
    gA, gB = mp.mpf(float(gamma_A)), mp.mpf(float(gamma_B))
    # the model's actions (one copy), on object arrays of mpc: products and sums in mp arithmetic
    m = TripartiteQRM._from_checked(Hm, tA, tB, float(gamma_A), float(gamma_B), tuple(dims), ())
    D_A, D_B, L1 = m._D_A, m._D_B, m._L1

    if which == "full":
        def D(X):
            return D_A(X) + D_B(X)
        s = gA + gB
    elif which == "A":
        D, s = D_A, gA
    elif which == "B":
        D, s = D_B, gB
    else:
        raise ValueError(f"which must be 'full', 'A' or 'B', got {which!r}")

    return D, L1, s, Hm, tA, tB


def _herm_basis(d, mp):
    """Real basis of Hermitian d×d matrices (object arrays) and the coordinate map X -> Re vec X + Im vec X."""
    basis = []
    half = mp.mpf(1) / 2
    for i in range(d):
        for j in range(d):
            X = np.full((d, d), mp.mpc(0), dtype=object)
            # x = C e_k with C = ((1+i) I + (1-i) Pi)/2: entries (i,j) and (j,i)
            X[i, j] = X[i, j] + mp.mpc(half, half)
            X[j, i] = X[j, i] + mp.mpc(half, -half)
            basis.append(X)
    return basis


def _mp_args(H, tau_A, tau_B, gamma_A, gamma_B, dims, g, dps):
    """The one check of the mp references: single (unstacked) model, real scalar g != 0, dps >= 15."""
    args = _stack_args(H, tau_A, tau_B, gamma_A, gamma_B, dims)
    if args[6] != ():
        names = ("H", "tau_A", "tau_B", "gamma_A", "gamma_B")
        bad = [n for n, a, k in zip(names, args[:5], (2, 2, 2, 0, 0)) if np.ndim(a) > k]
        raise ValueError(f"{', '.join(bad)} must have no stack axes: the mp references take a single model, "
                         f"got stack shape {args[6]}")
    g = _v.g_checked(g)
    if g.ndim:
        raise ValueError(f"g must be a scalar for the mp references, got shape {g.shape}")
    dps = _v.dps(dps)
    d = args[0].shape[-1]
    _v.memory_guard(_MP_BYTES * 3.0 * d ** 4, f"the mpmath bordered solve ({d * d}x{d * d} mp numbers)",
                    hint="use the double-precision qrmlib.series / qrmlib.tripartite solvers")
    return args[:6], float(g), dps


def mp_steady_state(H, tau_A, tau_B, gamma_A, gamma_B, dims, g, *, which="full", dps=50):
    r"""Steady state in multiple precision: the bordered system of :math:`\mathcal D+g\mathcal L_1` solved with ``mpmath``.

    The generator is built in ``mpmath`` arithmetic (working precision ``dps``
    digits) from the exact binary values of the double inputs ``H``,
    ``tau_A``, ``tau_B``, ``gamma_A``, ``gamma_B``, ``g`` (scalars, no stacks),
    in the real coordinates :math:`\operatorname{Re}x+\operatorname{Im}x` of the
    Hermitian unknown, and the :math:`d^2\times d^2` system
    :math:`(S-w\mathbf 1^t)x=-w` (as in :meth:`qrmlib.tripartite.TripartiteQRM.steady_state`,
    ``method="bordered"``) is solved by ``mpmath.lu_solve``.  Its condition
    number grows like :math:`g^{-2}`, so about :math:`2\log_{10}(1/g)` digits
    are lost: keep ``dps`` well above that.

    ``which``: ``"full"`` (:math:`\rho^+_g`), ``"A"`` or ``"B"`` (:math:`\rho^\#_g`).

    Returns
    -------
    numpy object array ``(d, d)`` of ``mpmath.mpc``

    Raises
    ------
    ValueError
        Bad input (naming it; ``dps`` must be an integer >= 15), a singular system
        (degenerate kernel), or a system too large for the memory.
    """
    which = _v.choice(which, "which", _WHICH)
    args, g, dps = _mp_args(H, tau_A, tau_B, gamma_A, gamma_B, dims, g, dps)
    return _mp_steady(*args, g, which, dps)


def _mp_steady(H, tau_A, tau_B, gamma_A, gamma_B, dims, g, which, dps):
    mp = _mp()
    d = int(np.prod(dims))
    with mp.workdps(dps):
        D, L1, s, *_ = _mp_generator(H, tau_A, tau_B, gamma_A, gamma_B, dims, which, mp)
        gm = mp.mpf(float(g))
        basis = _herm_basis(d, mp)
        eye = np.array([[mp.mpc(1) if i == j else mp.mpc(0) for j in range(d)] for i in range(d)], dtype=object)
        w = (s / d) * eye
        n2 = d * d
        S = mp.matrix(n2, n2)
        for k, X in enumerate(basis):
            Y = D(X) + gm * L1(X) - w * mp.re(np.trace(X))
            y = Y.reshape(-1)
            for i in range(n2):
                S[i, k] = mp.re(y[i]) + mp.im(y[i])
        wv = (-w).reshape(-1)
        b = mp.matrix([mp.re(v) + mp.im(v) for v in wv])
        try:
            v = mp.lu_solve(S, b)
        except ZeroDivisionError as exc:
            raise ValueError("the steady state is not unique (singular bordered system in mpmath)") from exc
        X = np.full((d, d), mp.mpc(0), dtype=object)
        for k, Bk in enumerate(basis):
            X = X + v[k] * Bk
        X = (X + np.conj(X.T)) / 2
        return X


def _mp_logm_herm(X, mp):
    """ln of a Hermitian positive definite object matrix, by its eigendecomposition (``mpmath.eighe``).

    ``mpmath.eighe`` is a bounded QL iteration (``mpmath.logm`` would take square roots
    until the matrix is near the identity, a loop without a bound that never ends for a
    singular matrix, and costs 20 times more).  A matrix that is not positive definite
    (eigenvalue below ``10^{5-dps}`` times the largest) raises ``ValueError``.
    """
    d = X.shape[0]
    M = mp.matrix(d, d)
    for i in range(d):
        for j in range(d):
            M[i, j] = X[i, j]
    try:
        w, Q = mp.eighe(M)
    except RuntimeError as exc:  # pragma: no cover - bounded QL iteration ran out
        raise ValueError(f"eigenvalues of a steady state did not converge in mpmath ({exc})") from exc
    w = [mp.re(x) for x in w]
    wmin, wmax = min(w), max(abs(x) for x in w)
    if not wmin > mp.mpf(10) ** (-(mp.mp.dps - 5)) * wmax:
        raise ValueError(f"the steady state must be positive definite (faithful) for ln: smallest eigenvalue "
                         f"{mp.nstr(wmin, 5)} (are tau_A, tau_B faithful?)")
    lw = [mp.log(x) for x in w]
    return np.array([[mp.fsum(Q[i, k] * lw[k] * mp.conj(Q[j, k]) for k in range(d)) for j in range(d)]
                     for i in range(d)], dtype=object)


def _mp_tr(a, b):
    return sum(a[i, j] * b[j, i] for i in range(a.shape[0]) for j in range(a.shape[0]))


def _mp_parts(H, tau_A, tau_B, gamma_A, gamma_B, dims, g, lam, dps):
    mp = _mp()
    (H, tau_A, tau_B, gamma_A, gamma_B, dims), g, dps = _mp_args(H, tau_A, tau_B, gamma_A, gamma_B, dims, g, dps)
    lam = _v.lam_checked(lam)
    if lam.ndim:
        raise ValueError(f"lam must be a scalar for the mp references, got shape {lam.shape}")
    lam = float(lam)
    rho = _mp_steady(H, tau_A, tau_B, gamma_A, gamma_B, dims, g, "full", dps)
    rA = _mp_steady(H, tau_A, tau_B, gamma_A, gamma_B, dims, lam * g, "A", dps)
    rB = _mp_steady(H, tau_A, tau_B, gamma_A, gamma_B, dims, (1 - lam) * g, "B", dps)
    with mp.workdps(dps):
        D_A, L1, *_ = _mp_generator(H, tau_A, tau_B, gamma_A, gamma_B, dims, "A", mp)
        D_B, *_ = _mp_generator(H, tau_A, tau_B, gamma_A, gamma_B, dims, "B", mp)
        gm, lm = mp.mpf(float(g)), mp.mpf(lam)
        LA, LB = _ept.generators(L1(rho), D_A(rho), D_B(rho), gm, lm)
    return mp, rho, rA, rB, LA, LB


def mp_entropy_production(H, tau_A, tau_B, gamma_A, gamma_B, dims, g, lam, *, dps=50):
    r""":math:`(\sigma,\sigma_A,\sigma_B)` of eqs. (7.5)-(7.6) in multiple precision (``mpmath.mpf``), real scalar ``g``, ``lam``.

    Steady states from :func:`mp_steady_state`, logarithms by ``mpmath.eighe``; ``dps`` an
    integer >= 15.  Returns an :class:`~qrmlib.tripartite.EntropyProduction` NamedTuple of ``mpf``.
    """
    mp, rho, rA, rB, LA, LB = _mp_parts(H, tau_A, tau_B, gamma_A, gamma_B, dims, g, lam, dps)
    with mp.workdps(dps):
        sA, sB = _ept.ep_terms(_mp_backend(mp), rho, rA, rB, LA, LB)
        return EntropyProduction(sA + sB, sA, sB)


def mp_entropy_fluxes(H, tau_A, tau_B, gamma_A, gamma_B, dims, g, lam, *, dps=50):
    r""":math:`(\phi_A,\phi_B)` of eq. (7.6) in multiple precision (``mpmath.mpf``), real scalar ``g``, ``lam``.

    Returns an :class:`~qrmlib.tripartite.EntropyFluxes` NamedTuple of ``mpf``.
    """
    mp, rho, rA, rB, LA, LB = _mp_parts(H, tau_A, tau_B, gamma_A, gamma_B, dims, g, lam, dps)
    with mp.workdps(dps):
        return EntropyFluxes(*_ept.ep_terms(_mp_backend(mp), rho, rA, rB, LA, LB, fluxes=True))
