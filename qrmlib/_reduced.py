r"""The real, symmetry-reduced steady-state systems of the tri-partite model, built directly (issue 10).

:func:`qrmlib.tripartite.steady_state_pencil` builds the rescaled pencil :math:`A_0+gA_1`
as complex :math:`(d^2+n^2)`-square matrices; the engine then passes to real coordinates
(``_real_form``) and keeps the active block (``_active_block``; for the §8 chain the
charge-0 sector, 22 of 68 unknowns).  This module builds that reduced real system
*directly*: each kept column is the action of the closed-form operators
(:math:`\mathcal L_1=-i[H,\cdot]`, :math:`E`, :math:`\operatorname{tr}_{env}`, :math:`\mathcal L_0`,
Diag/Offdiag in the eigenbasis of :math:`\bar H^\tau`) on one Hermitian basis matrix,
read off in the real coordinates :math:`v=\operatorname{Re}x+\operatorname{Im}x` of its
vectorisation, at the kept rows only -- :math:`O(m\,d^3)` for :math:`m` kept columns instead
of the :math:`O(d^6)` products of the full pencil, and vectorised over a stack of parameter
sets.

Which rows and columns are kept (the *structure*) depends only on ``dims``, ``which`` and
the zero patterns of :math:`H`, :math:`\tau_A`, :math:`\tau_B` and of the eigenvectors
:math:`V` of :math:`\bar H^\tau`.  It is computed once per such key (module-level cache)
from a *generic* instance -- random values on those patterns -- so that its zero pattern
contains every instance's: a block decomposition found there holds for every parameter set
with the same key (exact zeros only; a round-off entry changes the key and merely merges
blocks).  The entries are the same as those of the pencil up to rounding (tested against
it to 1e-13).
"""

from __future__ import annotations

import numpy as np



_BASIS: dict = {}


def _herm_basis(m, idx):
    """Hermitian matrices :math:`((1+i)E_{ij}+(1-i)E_{ji})/2` of the row-major indices ``idx`` (``(k, m, m)``), cached."""
    idx = np.asarray(idx)
    key = (m, idx.tobytes())
    B = _BASIS.get(key)
    if B is None:
        if len(_BASIS) >= 512:
            _BASIS.clear()
        B = _BASIS[key] = _herm_basis_new(m, idx)
        B.flags.writeable = False
    return B


def _herm_basis_new(m, idx):
    i, j = np.divmod(np.asarray(idx), m)
    B = np.zeros((len(idx), m, m), complex)
    k = np.arange(len(idx))
    B[k, i, j] += 0.5 + 0.5j
    B[k, j, i] += 0.5 - 0.5j
    return B


def _coords(X, rows):
    """Real coordinates ``Re x + Im x`` of the vec of Hermitian ``X`` ``(..., m, m)`` at ``rows``."""
    x = X.reshape(X.shape[:-2] + (-1,))[..., rows]
    return x.real + x.imag


class _Ops:
    """Closed-form actions for a stack of parameter sets (leading axis ``p``, then the column axis):
    those of :class:`qrmlib.tripartite.TripartiteQRM` (one copy), on the stacked model of the ``p``
    sets (stack shape ``(p, 1)``), plus Diag in the eigenbasis ``V``."""

    def __init__(self, H, tA, tB, gA, gB, V, dims, which):
        from .tripartite import TripartiteQRM  # the model module imports this one

        self.dims, self.which = dims, which
        nA, nC, nB = dims
        self.d = nA * nC * nB
        self.n = {"full": nC, "A": nC * nB, "B": nA * nC}[which]
        gA = np.asarray(gA, float).reshape(-1, 1)
        gB = np.asarray(gB, float).reshape(-1, 1)
        # trusted values (also the generic instances of _Structure, which are not states): no validation
        self.m = m = TripartiteQRM._from_checked(H[:, None], tA[:, None], tB[:, None], gA, gB, dims,
                                                 (H.shape[0], 1))
        self.s = {"full": m._gA + m._gB, "A": m._gA, "B": m._gB}[which]
        self.E = {"full": m._embed_C, "A": m._embed_CB, "B": m._embed_AC}[which]
        self.T = {"full": m._tr_AB, "A": m._tr_A, "B": m._tr_B}[which]
        self.L1, self.DA, self.DB = m._L1, m._D_A, m._D_B
        self.V = V[:, None]
        self.Vh = np.conj(np.swapaxes(self.V, -1, -2))

    def L0(self, X):
        if self.which == "full":
            return self.DA(X) + self.DB(X)
        return self.DA(X) if self.which == "A" else self.DB(X)

    def Dg(self, x):
        y = self.Vh @ x @ self.V
        dg = np.diagonal(y, axis1=-2, axis2=-1)
        return (self.V * dg[..., None, :]) @ self.Vh


def _scaled_blocks(ops, iR, iY, rT, rB):
    r"""Real reduced :math:`A_0`, the Y columns of :math:`A_1`, :math:`b` and :math:`E` (real), stacked.

    ``iR``/``iY``: kept unknowns (real coordinates in :math:`n^2` / :math:`d^2`), ``rT``/``rB``:
    kept equations (top :math:`d^2` rows / bottom :math:`n^2` rows) -- see ``_ScaledSystem``.
    """
    d, n = ops.d, ops.n
    s = ops.s
    BR = _herm_basis(n, iR)
    BY = _herm_basis(d, iY)
    ER = ops.E(BR)                                    # (p, nR, d, d)
    L1ER = ops.L1(ER)
    TL1ER = ops.T(L1ER)
    L1BY = ops.L1(BY)                                 # (p, nY, d, d)
    TL1BY = ops.T(L1BY)
    DgL1ER = ops.Dg(TL1ER)
    DgL1BY = ops.Dg(TL1BY)
    trR = np.real(np.trace(BR, axis1=-2, axis2=-1))   # (nR,)
    one_n = _coords(np.eye(n), rB)                    # (kB,)
    # columns r: top Q L1 E, bottom Of T L1 E + (s/n) tr(.) I
    cRt = _coords(L1ER - ops.E(TL1ER), rT)
    cRb = _coords(TL1ER - DgL1ER, rB) + (s[..., 0] / n) * trR[:, None] * one_n
    # columns Y: A0 top L0 + s E T, bottom Dg T L1; A1 top Q L1, bottom Of T L1
    cYt0 = _coords(ops.L0(BY) + s * ops.E(ops.T(BY)), rT)
    cYb0 = _coords(DgL1BY, rB)
    cYt1 = _coords(L1BY - ops.E(TL1BY), rT)
    cYb1 = _coords(TL1BY - DgL1BY, rB)
    colR = np.concatenate([cRt, cRb], axis=-1)        # (p, nR, m)
    colY0 = np.concatenate([cYt0, cYb0], axis=-1)
    colY1 = np.concatenate([cYt1, cYb1], axis=-1)
    A0 = np.swapaxes(np.concatenate([colR, colY0], axis=-2), -1, -2)
    A1Y = np.swapaxes(colY1, -1, -2)
    b = np.zeros(A0.shape[:-1])
    b[:, len(rT):] = (s[:, 0, 0] / n) * one_n
    Er = np.swapaxes(_coords(ER, np.arange(d * d)), -1, -2)   # (p, d², nR)
    return A0, A1Y, b, Er


def _bordered_blocks(ops, iX, rX):
    r"""Real reduced bordered system :math:`(\mathcal L_0-w\mathbf 1^t+g\mathcal L_1)x=-w`, :math:`w=sI/d`."""
    d = ops.d
    BX = _herm_basis(d, iX)
    tr = np.real(np.trace(BX, axis1=-2, axis2=-1))
    one_d = _coords(np.eye(d), rX)
    w = ops.s[:, 0, 0] / d                            # (p, 1)... shape (p, 1)
    c0 = _coords(ops.L0(BX), rX) - w[..., None] * tr[:, None] * one_d
    c1 = _coords(ops.L1(BX), rX)
    L0 = np.swapaxes(c0, -1, -2)
    L1 = np.swapaxes(c1, -1, -2)
    b = -w * one_d
    return L0, L1, b


def _active(rhs_nonzero, pattern):
    from .tripartite import _active_block  # the connected-components analysis (one copy)

    blk = _active_block(rhs_nonzero, pattern)
    n = pattern.shape[0]
    return blk if blk is not None else (np.arange(n), np.arange(n))


class _Structure:
    """Kept rows and columns of the scaled and bordered systems for one key (see the module docstring)."""

    def __init__(self, dims, which, pH, pA, pB, pV):
        rng = np.random.default_rng(12345)
        nA, nC, nB = dims
        d = nA * nC * nB
        n = {"full": nC, "A": nC * nB, "B": nA * nC}[which]
        self.d, self.n = d, n

        def generic(pat):
            m = pat.shape[0]
            R = (rng.uniform(0.5, 1.5, (m, m)) + 1j * rng.uniform(0.5, 1.5, (m, m))) * pat
            return (R + np.conj(R.T))[None]

        V = (rng.uniform(0.5, 1.5, pV.shape) + 1j * rng.uniform(0.5, 1.5, pV.shape)) * pV
        ops = _Ops(generic(pH), generic(pA), generic(pB), rng.uniform(0.5, 1.5, 1), rng.uniform(0.5, 1.5, 1),
                   V[None], dims, which)
        n2, d2 = n * n, d * d
        allR, allY = np.arange(n2), np.arange(d2)
        A0, A1Y, b, _ = _scaled_blocks(ops, allR, allY, allY, allR)
        # equations [top d², bottom n²], unknowns [r n², Y d²] as in steady_state_pencil
        pat = A0[0] != 0
        pat[:, n2:] |= A1Y[0] != 0
        rr, cc = _active(b[0] != 0, pat)
        self.rT, self.rB = rr[rr < d2], rr[rr >= d2] - d2
        self.iR, self.iY = cc[cc < n2], cc[cc >= n2] - n2
        self.m = rr.size
        L0, L1, bb = _bordered_blocks(ops, allY, allY)
        rr, cc = _active(bb[0] != 0, (L0[0] != 0) | (L1[0] != 0))
        self.bX, self.bR = cc, rr
        # positions of the kept r and Y unknowns within the reduced vector
        self.kr = np.arange(self.iR.size)
        self.ky = np.arange(self.iR.size, self.m)


_STRUCT: dict = {}


def structure(dims, which, H, tA, tB, V):
    """The cached :class:`_Structure` for the zero patterns of the stacks ``H``, ``tA``, ``tB``, ``V`` (``(p, ., .)``)."""
    pats = [np.any(x != 0, axis=0) for x in (H, tA, tB, V)]
    pats[0] = pats[0] | pats[0].T
    pats[1] = pats[1] | pats[1].T
    pats[2] = pats[2] | pats[2].T
    key = (dims, which) + tuple(np.packbits(p).tobytes() for p in pats)
    st = _STRUCT.get(key)
    if st is None:
        if len(_STRUCT) >= 256:
            _STRUCT.clear()
        st = _STRUCT[key] = _Structure(dims, which, *pats)
    return st


def h_eff_eigvecs(H, tA, tB, dims, which):
    r"""Eigenvectors of :math:`\bar H^\tau=\operatorname{tr}_{env}(H\,E(I))` for the stack (as in the pencil)."""
    ops = _Ops(H, tA, tB, np.ones(H.shape[0]), np.ones(H.shape[0]), np.zeros((H.shape[0], 1, 1)), dims, which)
    EI = ops.E(np.eye(ops.n)[None, None])[:, 0]
    He = ops.T((H @ EI)[:, None])[:, 0]
    He = 0.5 * (He + np.conj(np.swapaxes(He, -1, -2)))
    return np.linalg.eigh(He)[1]


class ReducedStack:
    r"""The real, sector-reduced scaled (and, lazily, bordered) systems of a stack of ``p`` parameter sets.

    ``A0`` ``(p, m, m)``, ``A1`` ``(p, m, m)`` (zero outside the Y columns), ``b`` ``(p, m)``,
    ``Er`` ``(p, d², n_r)``; the reduced unknowns are ``[r (kr), Y (ky)]``, and
    :math:`\rho=E(r)+gY` in real coordinates is :meth:`rho_coords`.
    """

    def __init__(self, H, tA, tB, gA, gB, dims, which):
        p = H.shape[0]
        self.dims, self.which = dims, which
        V = h_eff_eigvecs(H, tA, tB, dims, which)
        st = self.st = structure(dims, which, H, tA, tB, V)
        self.ops = _Ops(H, tA, tB, np.broadcast_to(gA, (p,)), np.broadcast_to(gB, (p,)), V, dims, which)
        self.d, self.n, self.p = st.d, st.n, p
        A0, A1Y, self.b, self.Er = _scaled_blocks(self.ops, st.iR, st.iY, st.rT, st.rB)
        self.A0 = A0
        self.A1Y = A1Y
        self.kr, self.ky = st.kr, st.ky
        self.Yc = st.iY
        self.s = self.ops.s.reshape(p)
        self.H_norm = np.max(np.abs(np.linalg.eigvalsh(H)), axis=-1)
        self._bord = None

    @property
    def A1(self):
        A1 = np.zeros_like(self.A0)
        A1[..., self.ky] = self.A1Y
        return A1

    def rho_coords(self, v, g, j):
        """Real (or complex) coordinates ``(k, d²)`` of rho = E(r) + gY from reduced solutions ``v`` ``(k, m)``
        of the parameter sets ``j`` ``(k,)``."""
        out = np.einsum("kij,kj->ki", self.Er[j], v[:, self.kr])
        out[:, self.Yc] += g[:, None] * v[:, self.ky]
        return out

    def solve_scaled(self, g, j):
        """Reduced scaled solves at couplings ``g`` ``(k,)`` of the parameter sets ``j`` ``(k,)``; ``(k, d²)``."""
        M = self.A0[j].astype(np.result_type(g, float))
        M[:, :, self.ky] += g[:, None, None] * self.A1Y[j]
        v = _solve(M, self.b[j])
        return self.rho_coords(v, g, j)

    def bordered(self):
        if self._bord is None:
            self._bord = _bordered_blocks(self.ops, self.st.bX, self.st.bR)
        return self._bord

    def solve_bordered(self, g, j):
        L0, L1, b = self.bordered()
        v = _solve(L0[j] + g[:, None, None] * L1[j], b[j])
        out = np.zeros((g.size, self.d * self.d), v.dtype)
        out[:, self.st.bX] = v
        return out

    def solve(self, g, j, method="auto"):
        """Coordinates ``(k, d²)`` (not normalised) at ``g`` ``(k,)`` for the sets ``j``; ``"auto"`` as the model."""
        if method == "scaled":
            return self.solve_scaled(g, j)
        if method == "bordered":
            return self.solve_bordered(g, j)
        small = np.abs(g) * self.H_norm[j] <= self.s[j]
        if np.all(small):
            return self.solve_scaled(g, j)
        if not np.any(small):
            return self.solve_bordered(g, j)
        out = np.empty((g.size, self.d * self.d), np.result_type(g, float))
        out[small] = self.solve_scaled(g[small], j[small])
        out[~small] = self.solve_bordered(g[~small], j[~small])
        return out


def _solve(M, b):
    """``np.linalg.solve`` for stacks ``M`` ``(k, n, n)``, ``b`` ``(k, n)``; singular -> ``ValueError``."""
    try:
        return np.linalg.solve(M, b[..., None])[..., 0]
    except np.linalg.LinAlgError as exc:
        raise ValueError(
            "the steady state is not unique (singular linear system): the kernel of the generator "
            "is degenerate for these parameters"
        ) from exc


def _complex_eigvecs(v, wi):
    """Complex eigenvectors from LAPACK's real storage (a conjugate pair in two real columns)."""
    out = v.astype(complex)
    first = wi > 0
    first[:-1] |= wi[1:] < 0          # as scipy.linalg.eig: a pair is (+, -) even if LAPACK's sign is off
    j = np.flatnonzero(first)
    out[:, j] = v[:, j] + 1j * v[:, j + 1]
    out[:, j + 1] = v[:, j] - 1j * v[:, j + 1]
    return out


def _eig_lr(K):
    r"""Eigenvalues and left and right eigenvectors of a real square ``K`` (``u_k^* K = \mu_k u_k^*``,
    ``K w_k = \mu_k w_k``): LAPACK ``dgeev`` as in ``scipy.linalg.eig(K, left=True, right=True)``,
    without its per-call wrapper overhead (half of the cost at 20x20)."""
    from scipy.linalg import lapack

    if K.shape[0] == 0:
        return np.zeros(0, complex), np.zeros((0, 0), complex), np.zeros((0, 0), complex)
    wr, wi, vl, vr, info = lapack.dgeev(K, compute_vl=1, compute_vr=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"dgeev failed (info={info}: " + ("did not converge)" if info > 0
                                                                      else "illegal argument)"))
    return wr + 1j * wi, _complex_eigvecs(vl, wi), _complex_eigvecs(vr, wi)


#: agreement required between the pole-residue form and the direct reduced solves at the self-check points
PR_CHECK_TOL = 1e-12


class PoleResidueStack:
    r"""Pole-residue forms :math:`\rho(g)=a+\sum_k\beta_k\,g/(1+g\mu_k)` of a :class:`ReducedStack`.

    The algebra is that of ``qrmlib.tripartite._PoleResidue`` (one batched LU solve
    :math:`A_0^{-1}[b, A_1]` for the stack, then per parameter set the eigenvalues and left and right
    eigenvectors of :math:`K_{YY}`, the zero block dropped exactly), padded to a common number of poles
    (padding poles have :math:`\mu=0`, :math:`\beta=0`).  ``ok`` ``(p,)`` says which sets passed the
    self-check (reduced direct solves at :math:`|g|\,\|H\|/s\in\{10^{-6},10^{-3},10^{-1},1\}`, residual
    :math:`\|\mathcal L_g\rho\|` at :math:`10, 10^3`); the others must be solved directly.
    """

    def __init__(self, R):
        p, m = R.A0.shape[:2]
        ky, kr = R.ky, R.kr
        d2 = R.d * R.d
        self.ok = np.zeros(p, bool)
        rhs = np.concatenate([R.b[..., None], R.A1Y], axis=-1)
        with np.errstate(all="ignore"):
            try:
                Z = np.linalg.solve(R.A0, rhs)
                good = np.all(np.isfinite(Z), axis=(-2, -1))
            except np.linalg.LinAlgError:
                Z = np.zeros_like(rhs)
                good = np.zeros(p, bool)
                for j in range(p):       # rare: some set singular; find which
                    try:
                        Z[j] = np.linalg.solve(R.A0[j], rhs[j])
                        good[j] = np.all(np.isfinite(Z[j]))
                    except np.linalg.LinAlgError:
                        pass
        z, K = Z[..., 0], Z[..., 1:]
        KYY, KrY = K[:, ky], K[:, kr]
        mus, betas = [], []
        for j in range(p):
            if not good[j]:
                mus.append(np.zeros(0, complex))
                betas.append(np.zeros((d2, 0), complex))
                continue
            try:
                mu, wl, wr = _eig_lr(KYY[j])
                scale = max(float(np.max(np.abs(mu))), np.finfo(float).tiny) if mu.size else 1.0
                nz = np.abs(mu) > 1e-7 * scale
                mu, wl, wr = mu[nz], wl[:, nz], wr[:, nz]
                wlh = np.conj(wl.T)
                c = np.linalg.solve(wlh @ wr, wlh @ z[j, ky])
                Bw = -(R.Er[j] @ (KrY[j] @ wr))
                Bw[R.Yc] += wr
                beta = Bw * c[None, :]
                if not np.all(np.isfinite(beta)):
                    raise ValueError
            except (np.linalg.LinAlgError, ValueError, FloatingPointError):
                good[j] = False
                mu, beta = np.zeros(0, complex), np.zeros((d2, 0), complex)
            mus.append(mu)
            betas.append(beta)
        k = max([x.size for x in mus] + [0])
        self.mu = np.zeros((p, k), complex)
        self.beta = np.zeros((p, d2, k), complex)
        for j in range(p):
            self.mu[j, :mus[j].size] = mus[j]
            self.beta[j, :, :mus[j].size] = betas[j]
        self.a = np.einsum("pij,pj->pi", R.Er, z[:, kr])
        # [Re beta^T; Im beta^T] contiguous, for real matrix products in eval_grid
        bt = np.swapaxes(self.beta, -1, -2)
        self._bt2 = np.ascontiguousarray(np.concatenate([bt.real, bt.imag], axis=-2))
        self.ok = good & self._check(R)

    def eval(self, g, j):
        """Coordinates ``(k, d²)`` at couplings ``g`` ``(k,)`` for the sets ``j`` (real part for real ``g``)."""
        q = g[:, None] / (1.0 + g[:, None] * self.mu[j])
        out = self.a[j] + np.einsum("kn,kin->ki", q, self.beta[j])
        return out.real if not np.iscomplexobj(g) else out

    def eval_grid(self, g):
        """Coordinates ``(p, k, d²)`` at the couplings ``g`` ``(p, k)`` (one batched product per set)."""
        q = g[..., None] / (1.0 + g[..., None] * self.mu[:, None, :])
        if np.iscomplexobj(g):
            return self.a[:, None, :] + q @ np.swapaxes(self.beta, -1, -2)
        q2 = np.concatenate([q.real, -q.imag], axis=-1)
        out = q2 @ self._bt2
        out += self.a[:, None, :]
        return out

    def _check(self, R):
        p = R.p
        d = R.d
        diag = np.arange(d) * (d + 1)
        u = R.s / np.maximum(R.H_norm, 1e-300)
        t = (np.array([1e-6, 1e-3, 1e-1, 1.0])[None, :] * u[:, None])      # (p, 4)
        ok = np.ones(p, bool)
        with np.errstate(all="ignore"):
            try:
                jj = np.repeat(np.arange(p), 4)
                ref = R.solve_scaled(t.ravel(), jj)
            except ValueError:
                return np.zeros(p, bool)
            got = self.eval(t.ravel(), jj)
            ref = ref / ref[:, diag].sum(-1, keepdims=True)
            got = got / got[:, diag].sum(-1, keepdims=True)
            err = np.max(np.abs(got - ref), axis=-1).reshape(p, 4).max(-1)
            ok &= err <= PR_CHECK_TOL
            t2 = np.array([10.0, 1e3])[None, :] * u[:, None]
            j2 = np.repeat(np.arange(p), 2)
            x = self.eval(t2.ravel(), j2)
            x = x / x[:, diag].sum(-1, keepdims=True)
            X = (0.5 * ((1 + 1j) * x + (1 - 1j) * x.reshape(-1, d, d).transpose(0, 2, 1).reshape(-1, d * d)))
            X = X.reshape(p, 2, d, d)
            ops = R.ops
            res = ops.L0(X) + t2[:, :, None, None] * ops.L1(X)
            res = np.max(np.abs(res), axis=(-2, -1)).max(-1)
            ok &= res <= 0.1 * PR_CHECK_TOL * (R.s + t2[:, -1] * R.H_norm)
        return ok & np.isfinite(err) & np.isfinite(res)
