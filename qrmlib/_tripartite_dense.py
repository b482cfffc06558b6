"""Dense solvers on stacks of tri-partite parameters (:func:`qrmlib.tripartite.steady_state_pencil`,
:func:`qrmlib.tripartite.steady_state_batch`) and the structural block reduction of batched
linear systems.  Re-exported by :mod:`qrmlib.tripartite`, which is where to import them from."""

from __future__ import annotations


import functools
import math

import numpy as np

from . import _validate as _v
from .linalg import hermitian_part, linear_map_matrix, superop_commutator
from ._reduced import PoleResidueStack, ReducedStack, _solve
from ._tripartite_base import MATRIX_FREE_HINT, _METHODS, _WHICH, _guard_dense, _kron, _ptr


# --- stacks of parameters (Figure 5a: a whole (g, tau_B) grid in one call) --------------------


def _stack_args(H, tau_A, tau_B, gamma_A, gamma_B, dims):
    """Validated stack arguments; returns arrays and the broadcast parameter shape."""
    dims_t = _v.dims_checked(dims)
    n_A, n_C, n_B = dims_t
    d = n_A * n_C * n_B
    H = _v.hermitian(H, "H")
    if H.shape[-1] != d:
        raise ValueError(
            f"dims={dims_t} has product {d} but H is {H.shape[-1]}x{H.shape[-1]}: "
            "the product n_A*n_C*n_B must equal the size of H"
        )
    tau_A = _v.density(tau_A, "tau_A", n_A)
    tau_B = _v.density(tau_B, "tau_B", n_B)
    gA = _v.rates(gamma_A, "gamma_A")
    gB = _v.rates(gamma_B, "gamma_B")
    try:
        shape = np.broadcast_shapes(H.shape[:-2], tau_A.shape[:-2], tau_B.shape[:-2], gA.shape, gB.shape)
    except ValueError:
        raise ValueError(
            "the stack axes of H, tau_A, tau_B, gamma_A, gamma_B must broadcast together, got "
            f"{H.shape[:-2]}, {tau_A.shape[:-2]}, {tau_B.shape[:-2]}, {gA.shape}, {gB.shape}"
        ) from None
    return H, tau_A, tau_B, gA, gB, dims_t, shape


def _pencil_bytes(dims, which, count):
    """Bytes of the pencil of :func:`steady_state_pencil` for ``count`` parameter sets (about 8 d⁴-matrices)."""
    n_A, n_C, n_B = dims
    d = n_A * n_C * n_B
    n = {"full": n_C, "A": n_C * n_B, "B": n_A * n_C}[which]
    return d * d + n * n, 8 * max(int(count), 1)


def steady_state_pencil(H, tau_A, tau_B, gamma_A, gamma_B, dims, which="full"):
    r"""The rescaled steady-state equations of ``_ScaledSystem`` for stacks of parameters.

    For every element of the broadcast stack of ``H`` ``(..., d, d)``, ``tau_A``
    ``(..., n_A, n_A)``, ``tau_B`` ``(..., n_B, n_B)``, ``gamma_A``, ``gamma_B``
    ``(...)`` this builds the matrices :math:`A_0, A_1` of size
    :math:`N=d^2+n^2` such that, for every :math:`g` at which :math:`A_0+gA_1`
    is invertible, the solution :math:`(r, Y)` of
    :math:`(A_0+gA_1)(r,Y)=b` gives the steady state
    :math:`\rho=E(r)+gY` (see ``_ScaledSystem``; at :math:`g=0`,
    :math:`\rho=\rho_0` of eq. (7.12)).

    ``which`` selects the generator: ``"full"`` (:math:`\mathcal L_g`,
    :math:`E(r)=\tau_A\otimes r\otimes\tau_B`, :math:`n=n_C`), ``"A"``
    (:math:`\mathcal L^A_g=\mathcal D_A+g\mathcal L_1`, :math:`E(x)=\tau_A\otimes x`,
    :math:`n=n_Cn_B`) or ``"B"`` (:math:`E(x)=x\otimes\tau_B`, :math:`n=n_An_C`).

    The solution :math:`\rho(g)` is a rational function of :math:`g`; it is
    the analytic continuation of :math:`\rho^+_g` to complex :math:`g`
    (used by ``qrmlib.series``).

    Returns
    -------
    dict
        ``"A0"``, ``"A1"`` ``(..., N, N)``; ``"rhs"`` ``(..., N)``;
        ``"Emb"`` ``(..., d², n²)`` (matrix of :math:`E`); ``"n"``, ``"d"``
        (ints); ``"scale"`` ``(...)`` (:math:`\gamma_A+\gamma_B`, :math:`\gamma_A` or
        :math:`\gamma_B`); ``"L0"``, ``"L1"`` ``(..., d², d²)`` (the
        superoperators of the unscaled problem); ``"H_norm"`` ``(...)``
        (:math:`\|H\|_2`).
    """
    which = _v.choice(which, "which", _WHICH)
    return _pencil(*_stack_args(H, tau_A, tau_B, gamma_A, gamma_B, dims), which)


def _pencil(H, tau_A, tau_B, gA, gB, dims, shape, which):
    """Unchecked core of :func:`steady_state_pencil` (arguments as returned by ``_stack_args``)."""
    N, count = _pencil_bytes(dims, which, int(np.prod(shape, dtype=int)))
    _guard_dense(N, count, "the steady-state pencil")
    n_A, n_C, n_B = dims
    d = n_A * n_C * n_B
    tA = tau_A[..., None, :, :]  # room for the basis axis of linear_map_matrix
    tB = tau_B[..., None, :, :]
    T_A = linear_map_matrix(lambda x: _ptr(x, dims, "A"), d)  # (n_C n_B)², d²
    T_B = linear_map_matrix(lambda x: _ptr(x, dims, "B"), d)  # (n_A n_C)², d²
    E_A = linear_map_matrix(lambda x: _kron(tA, x), n_C * n_B)  # (..., d², (n_C n_B)²)
    E_B = linear_map_matrix(lambda x: _kron(x, tB), n_A * n_C)  # (..., d², (n_A n_C)²)
    I_d2 = np.eye(d * d)
    D_A = gA[..., None, None] * (E_A @ T_A - I_d2)
    D_B = gB[..., None, None] * (E_B @ T_B - I_d2)
    L1 = superop_commutator(H)
    if which == "full":
        n = n_C
        T = linear_map_matrix(lambda x: _ptr(x, dims, "AB"), d)
        Emb = linear_map_matrix(lambda x: _kron(_kron(tA, x), tB), n_C)
        L0 = D_A + D_B
        s = gA + gB
    elif which == "A":
        n, T, Emb, L0, s = n_C * n_B, T_A, E_A, D_A, gA
    else:
        n, T, Emb, L0, s = n_A * n_C, T_B, E_B, D_B, gB
    n2, d2 = n * n, d * d
    lead = np.broadcast_shapes(shape, L0.shape[:-2], L1.shape[:-2])
    L0 = np.broadcast_to(L0, lead + (d2, d2))
    L1 = np.broadcast_to(L1, lead + (d2, d2))
    Emb = np.broadcast_to(Emb, lead + (d2, n2))
    s = np.broadcast_to(s, lead)
    # H_eff = tr_env(H E(I)) and the projection Diag onto its eigenbasis, (..., n², n²)
    HE = H @ (Emb @ np.eye(n, dtype=complex).reshape(-1)).reshape(lead + (d, d))
    H_eff = hermitian_part((HE.reshape(lead + (d2,)) @ T.T).reshape(lead + (n, n)))
    _, V = np.linalg.eigh(H_eff)
    Vc = np.conj(V)
    Dg = np.einsum("...im,...km,...lm,...jm->...ijkl", V, Vc, V, Vc).reshape(lead + (n2, n2))
    Of = np.eye(n2) - Dg
    P0 = Emb @ T
    Q = np.eye(d2) - P0
    TL1 = T @ L1
    one = np.eye(n, dtype=complex).reshape(-1)
    w = (s / n)[..., None] * one
    QL1 = Q @ L1
    OfTL1 = Of @ TL1
    top0 = np.concatenate([QL1 @ Emb, L0 + s[..., None, None] * P0], axis=-1)
    bot0 = np.concatenate([OfTL1 @ Emb + w[..., :, None] * one, Dg @ TL1], axis=-1)
    A0 = np.concatenate([top0, bot0], axis=-2)
    A1 = np.zeros_like(A0)
    A1[..., :d2, n2:] = QL1
    A1[..., d2:, n2:] = OfTL1
    rhs = np.concatenate([np.zeros(lead + (d2,), complex), w], axis=-1)
    H_norm = np.broadcast_to(np.linalg.norm(H, 2, axis=(-2, -1)), lead)
    return {
        "A0": A0,
        "A1": A1,
        "rhs": rhs,
        "Emb": Emb,
        "n": n,
        "d": d,
        "scale": s,
        "L0": L0,
        "L1": L1,
        "H_norm": H_norm,
    }


def _flat_index(shape, out_shape):
    """Flat indices of an array of ``shape`` broadcast to ``out_shape``, raveled."""
    size = int(np.prod(shape, dtype=int))
    return np.broadcast_to(np.arange(size).reshape(shape), out_shape).ravel()


#: bytes of one chunk of systems in :func:`steady_state_batch` (cache-sized chunks: measured CPU time
#: 2.1-2.5 s for the 200×200 grid of Fig. 5a, against 2.5-4 s for 256 MB chunks)
_CHUNK_BYTES = 1 << 18


def _chunks(count, per_item_bytes):
    step = max(1, int(_CHUNK_BYTES // per_item_bytes))
    return [slice(i, min(i + step, count)) for i in range(0, count, step)]


@functools.lru_cache(maxsize=64)
def _herm_perm(sizes):
    r"""Index permutation :math:`\Pi` of the transposition on blocks of row-major vec's of sizes ``sizes``
    (a tuple; memoised, read-only)."""
    out, off = [], 0
    for n in sizes:
        out.append(off + np.arange(n * n).reshape(n, n).T.reshape(-1))
        off += n * n
    out = np.concatenate(out)
    out.flags.writeable = False
    return out


def _real_form(M, row_perm, col_perm):
    r"""Real matrix of a Hermiticity-preserving map in the real coordinates :math:`v=\operatorname{Re}x+\operatorname{Im}x`.

    For a Hermitian matrix :math:`X` (or a tuple of them), :math:`x=\operatorname{vec}X`
    and :math:`v=\operatorname{Re}x+\operatorname{Im}x\in\mathbb R^{n^2}` are related by
    :math:`x=Cv`, :math:`C=((1+i)I+(1-i)\Pi)/2`, :math:`C^{-1}=((1-i)I+(1+i)\Pi)/2`
    (:math:`\Pi` the transposition, ``_herm_perm``).  ``M`` ``(..., m, m')`` maps
    Hermitian unknowns (column blocks, ``col_perm``) to Hermitian values (row
    blocks, ``row_perm``), so :math:`C_{rows}^{-1}MC_{cols}` is real; returns it.
    """
    MC = 0.5 * ((1 + 1j) * M + (1 - 1j) * M[..., :, col_perm])
    return np.real(0.5 * ((1 - 1j) * MC + (1 + 1j) * MC[..., row_perm, :]))


def _real_vec(x, perm):
    """:math:`C^{-1}x` (real) for the vec ``x`` ``(..., m)`` of Hermitian matrices."""
    return np.real(0.5 * ((1 - 1j) * x + (1 + 1j) * x[..., perm]))


def _complex_vec(v, perm):
    """:math:`x=Cv` for real coordinates ``v`` ``(..., m)``."""
    if np.iscomplexobj(v):
        return 0.5 * ((1 + 1j) * v + (1 - 1j) * v[..., perm])
    m = v.shape[-1]
    d = math.isqrt(m)
    if d * d == m and perm.size == m and np.array_equal(perm, _herm_perm((d,))):
        # one d x d block: the permutation is the transposition, a strided view (no gather)
        vm = v.reshape(v.shape[:-1] + (d, d))
        x = np.empty(vm.shape, complex)
        vp = np.swapaxes(vm, -1, -2)
        np.add(vm, vp, out=x.real)
        np.subtract(vm, vp, out=x.imag)
        x *= 0.5
        return x.reshape(v.shape)
    vp = v[..., perm]
    x = np.empty(v.shape, complex)
    x.real = v + vp
    x.imag = v - vp
    x *= 0.5
    return x


def steady_state_batch(H, tau_A, tau_B, gamma_A, gamma_B, dims, g, *, which="full", method="auto"):
    r"""Steady states for stacks of parameters and couplings in one vectorised call.

    The same solution as :meth:`TripartiteQRM.steady_state` (``which="full"``),
    :meth:`TripartiteQRM.steady_state_A` (``"A"``) and
    :meth:`TripartiteQRM.steady_state_B` (``"B"``), but with the model
    parameters as stacks: ``H`` ``(..., d, d)``, ``tau_A`` ``(..., n_A, n_A)``,
    ``tau_B`` ``(..., n_B, n_B)``, ``gamma_A``, ``gamma_B`` ``(...)`` and the
    couplings ``g`` all broadcast together (NumPy rules), e.g.
    ``tau_B`` of shape ``(n_t, 1, 2, 2)`` and ``g`` of shape ``(n_g,)`` give the
    ``(n_t, n_g)`` grid of Figure 5a.  The linear systems are built once per
    parameter set (:func:`steady_state_pencil`) and solved in batched chunks
    of at most 256 MB, with ``method`` as in :meth:`TripartiteQRM.steady_state`
    (``"auto"``: the rescaled system where :math:`|g|\,\|H\|\le s`,
    :math:`s=\gamma_A+\gamma_B`, :math:`\gamma_A` or :math:`\gamma_B`, the bordered
    one elsewhere).

    For real :math:`g` both systems map Hermitian unknowns to Hermitian
    equations, so they are solved in real arithmetic, in the coordinates
    :math:`\operatorname{Re}x+\operatorname{Im}x` of the vectorised Hermitian
    unknowns (``_real_form``): the same solution, at about a third of the cost
    of the complex solve (measured: 200×200 grid of the §8 chain, 68×68
    systems).

    Parameters
    ----------
    H, tau_A, tau_B, gamma_A, gamma_B, dims
        As for :class:`TripartiteQRM`, with leading stack axes.
    g : array_like
        Nonzero finite real couplings.
    which : {"full", "A", "B"}
    method : {"auto", "scaled", "bordered"}

    Returns
    -------
    ndarray, shape ``broadcast(stack shape, g.shape) + (d, d)``
    """
    return _steady_state_batch(H, tau_A, tau_B, gamma_A, gamma_B, dims, g, which, method, True)


def _steady_state_batch(H, tau_A, tau_B, gamma_A, gamma_B, dims, g, which, method, pole_residue):
    """:func:`steady_state_batch`; ``pole_residue=False``: one reduced direct solve per point (the
    round-off of independent solves, which ``figures._ep_double`` shows as the double-precision curve)."""
    g = _v.g_checked(g)
    method = _v.choice(method, "method", _METHODS)
    which = _v.choice(which, "which", _WHICH)
    return _batch_core(*_stack_args(H, tau_A, tau_B, gamma_A, gamma_B, dims), g, which, method, pole_residue)


def _batch_core(H, tau_A, tau_B, gA, gB, dims_t, pshape, g, which, method, pole_residue):
    """:func:`_steady_state_batch` on validated arguments (those of ``_stack_args``, a checked ``g``,
    ``which`` and ``method``): what a stacked :class:`TripartiteQRM` calls, its parameters checked once."""
    n_A, n_C, n_B = dims_t
    d = n_A * n_C * n_B
    n = {"full": n_C, "A": n_C * n_B, "B": n_A * n_C}[which]
    d2, n2 = d * d, n * n
    try:
        out_shape = np.broadcast_shapes(pshape, g.shape)
    except ValueError:
        raise ValueError(f"g of shape {g.shape} must broadcast with the parameter stack {pshape}") from None
    N = int(np.prod(out_shape, dtype=int))
    p = int(np.prod(pshape, dtype=int))
    _v.memory_guard(
        16.0 * (d2 + n2) * (N + (d2 + n2)) + 16.0 * p * (d2 + n2) * (d2 + 2 * n2),
        f"steady_state_batch ({N} systems)",
        hint=MATRIX_FREE_HINT,
    )

    def flat(x, tail):
        return np.broadcast_to(x, pshape + tail).reshape((p,) + tail)

    Hf, tAf, tBf = flat(H, (d, d)), flat(tau_A, (n_A, n_A)), flat(tau_B, (n_B, n_B))
    gAf, gBf = (
        flat(gA, ()),
        flat(gB, ()),
    )
    ip = _flat_index(pshape, out_shape)
    order = np.argsort(ip, kind="stable")  # the points grouped by parameter set, N // p each
    reps = N // p
    gs = np.broadcast_to(g, out_shape).ravel()[order].reshape(p, reps)
    out = np.empty((p, reps, d2))
    # parameter sets in chunks of ~64 MB of working space (the columns of the reduced systems)
    step = max(1, int((1 << 26) // (16 * 8 * (d2 + n2) * d2)))
    for a in range(0, p, step):
        sl = slice(a, min(a + step, p))
        R = ReducedStack(Hf[sl], tAf[sl], tBf[sl], gAf[sl], gBf[sl], dims_t, which)
        gc = gs[sl]
        todo = np.ones(gc.shape, bool)
        if method == "auto" and reps >= 8 and pole_residue:
            # many couplings per parameter set: its pole-residue form (one eig), then one product per set
            pr = PoleResidueStack(R)
            out[sl] = pr.eval_grid(gc)
            todo[pr.ok] = False
        jj, kk = np.nonzero(todo)
        for c in _chunks(jj.size, R.A0.shape[-1] ** 2 * 8):
            out[sl][jj[c], kk[c]] = R.solve(gc[jj[c], kk[c]], jj[c], method)
    out = out.reshape(N, d2)
    if np.any(order != np.arange(N)):
        res = np.empty((N, d2))
        res[order] = out
        out = res
    out /= out[:, np.arange(d) * (d + 1)].sum(-1, keepdims=True)
    return _complex_vec(out, _herm_perm((d,))).reshape(out_shape + (d, d))


_batched_solve_rhs = _solve  # one copy, in qrmlib._reduced


# --- structural block reduction of batched linear systems (issue 7) ---------------------------------

_BLOCK_CACHE: dict = {}


def _active_block_cached(rhs_nonzero, pattern):
    """:func:`_active_block`, memoised on the exact zero pattern (shared by models of one structure)."""
    key = (pattern.shape, np.packbits(pattern).tobytes(), np.packbits(rhs_nonzero).tobytes())
    if key not in _BLOCK_CACHE:
        if len(_BLOCK_CACHE) >= 256:
            _BLOCK_CACHE.clear()
        _BLOCK_CACHE[key] = _active_block(rhs_nonzero, pattern)
    return _BLOCK_CACHE[key]


def _active_block(rhs_nonzero, pattern):
    r"""Rows and columns of the part of a family of linear systems that carries the solution.

    ``pattern`` ``(n, n)`` bool is the union of the nonzero entries of all the matrices of
    the family (a stack, and every :math:`A_0+gA_1`), ``rhs_nonzero`` ``(n,)`` bool that of
    the right-hand sides.  If the bipartite graph rows--columns of ``pattern`` has several
    connected components, the systems are block diagonal up to permutations of rows and
    columns.  A block whose rows carry no right-hand side has the zero solution (each
    diagonal block of an invertible matrix is invertible), so only the blocks reached by
    the right-hand side need solving.  Symmetries produce such blocks: the three-qubit chain
    of Section 8 conserves the number of excitations and its reset states are diagonal, so
    :math:`\mathcal L_g` commutes with :math:`\rho\mapsto e^{i\theta N}\rho e^{-i\theta N}`
    and the 68 (scaled) or 64 (bordered) unknowns split into blocks of 22, 32, 12, 2 (resp.
    20, ...), of which only the first, the charge-0 sector, is nonzero.  Exact zeros only:
    a round-off entry merely merges blocks (no reduction), never drops a coupling.

    Returns
    -------
    (rows, cols) : index arrays of the active blocks, or ``None`` when nothing can be dropped
    (one component, or a non-square block: then the family is singular anyway).
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = pattern.shape[0]
    r, c = np.nonzero(pattern)
    graph = coo_matrix((np.ones(r.size), (r, c + n)), shape=(2 * n, 2 * n))
    k, lab = connected_components(graph, directed=False)
    if k == 1:
        return None
    rl, cl = lab[:n], lab[n:]
    if np.any(np.bincount(rl, minlength=k) != np.bincount(cl, minlength=k)):
        return None
    active = np.zeros(k, dtype=bool)
    active[np.unique(rl[np.asarray(rhs_nonzero, dtype=bool)])] = True
    rows, cols = np.flatnonzero(active[rl]), np.flatnonzero(active[cl])
    if rows.size == n:
        return None
    return rows, cols
