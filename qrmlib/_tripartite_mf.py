"""Matrix-free exact steady state of the tri-partite model for large :math:`n_C`
(:func:`qrmlib.tripartite.steady_state_matrix_free`).  Re-exported by :mod:`qrmlib.tripartite`,
which is where to import it from."""

from __future__ import annotations


import numpy as np

from . import _validate as _v
from .linalg import dagger
from ._tripartite_base import _finish
from ._tripartite_dense import _complex_vec, _herm_perm


# --- matrix-free exact steady state (large n_C; issue 7) ----------------------------------------


class _MatrixFree:
    r"""Closed-form actions of :math:`\mathcal L_0`, :math:`\mathcal L_0^{-1}` (7.10), :math:`\mathcal L_1`,
    :math:`\operatorname{tr}_{AB}`, :math:`E` on single Hermitian ``(d, d)`` matrices: :math:`O(d^3)` per
    call (one product with :math:`H`), never a :math:`d^2\times d^2` matrix."""

    def __init__(self, model):
        self.m = model
        self.H = np.ascontiguousarray(model.H)
        self.nA, self.nC, self.nB = model.dims
        self.d = model.d
        self.gA, self.gB = model.gamma_A, model.gamma_B
        self.s = self.gA + self.gB
        self.tA, self.tB = model.tau_A, model.tau_B
        # partial traces, embeddings and L0^{-1} (7.10): the model's unchecked cores (one copy; hot path)
        self.tr_A, self.tr_B, self.tr_AB = model._tr_A, model._tr_B, model._tr_AB
        self.emb_CB, self.emb_AC, self.E = model._embed_CB, model._embed_AC, model._embed_C
        self.L0_inv = model._L0_inv_formula

    def L1(self, X):
        """:math:`-i[H,X]` for Hermitian ``X`` (every argument in this module is), where
        :math:`XH=(HX)^*`: one product with :math:`H` instead of two."""
        HX = self.H @ X
        return -1j * (HX - HX.conj().T)

    def L1E(self, r):
        """:math:`-i[H,E(r)]` for Hermitian ``r``, with :math:`HE(r)` from :meth:`HE`."""
        HX = self.HE(r)
        return -1j * (HX - HX.conj().T)

    @property
    def _G(self):
        r""":math:`G_{x,A,c,B}=\sum_{a,b}H_{x,(acb)}(\tau_A)_{aA}(\tau_B)_{bB}`, axes ``(x, A, B, c)``, cached."""
        G = self.__dict__.get("_G_cache")
        if G is None:
            nA, nC, nB, d = self.nA, self.nC, self.nB, self.d
            G = np.einsum("xacb,aA,bB->xABc", self.H.reshape(d, nA, nC, nB), self.tA, self.tB)
            G = self.__dict__["_G_cache"] = np.ascontiguousarray(G).reshape(d * nA * nB, nC)
        return G

    def HE(self, r):
        r""":math:`H\,E(r)=H(\tau_A\otimes r\otimes\tau_B)` as one ``(d n_A n_B, n_C) @ (n_C, n_C)`` product
        (:math:`d^2n_C` operations instead of :math:`d^3`)."""
        nA, nC, nB, d = self.nA, self.nC, self.nB, self.d
        X = (self._G @ r).reshape(d, nA, nB, nC)
        return X.transpose(0, 1, 3, 2).reshape(d, d)

    def L0(self, X):
        return self.m._D_A(X) + self.m._D_B(X)

    def Q(self, X):
        """:math:`(1-P_0)X = X - E(\\operatorname{tr}_{AB}X)`."""
        return X - self.E(self.tr_AB(X))


def _gmres(apply, b, *, rtol, maxiter, restart):
    """GMRES on the operator ``apply`` (vectors of ``b``'s dtype); returns (x, iterations, relative residual)."""
    from scipy.sparse.linalg import LinearOperator, gmres

    n = b.size
    op = LinearOperator((n, n), matvec=apply, dtype=b.dtype)
    count = [0]

    def cb(_):
        count[0] += 1

    x, info = gmres(
        op, b, rtol=rtol, atol=0.0, restart=min(restart, n), maxiter=maxiter, callback=cb, callback_type="pr_norm"
    )
    res = float(np.linalg.norm(apply(x) - b) / np.linalg.norm(b))
    return x, count[0], res


def steady_state_matrix_free(model, g, *, method="auto", rtol=1e-12, maxiter=40, restart=60, return_info=False):
    r"""Exact steady state :math:`\rho^+_g` by preconditioned GMRES, for :math:`n_C` beyond dense reach.

    The same solution as :meth:`TripartiteQRM.steady_state` (to the GMRES tolerance), but
    matrix-free: every operator is applied in closed form to ``(d, d)`` matrices
    (:math:`O(d^3)` per iteration, memory :math:`O(d^2)` per Krylov vector), so that
    dims ``(2, 64, 2)`` (:math:`d=256`, :math:`d^2=65536`) take seconds, where the dense
    superoperator alone would need 69 GB.

    Two formulations, chosen like :meth:`TripartiteQRM.steady_state`'s ``"auto"``:

    ``"scaled"`` (:math:`|g|\,\|H\|\le\gamma_A+\gamma_B`)
        The rescaled system of ``_ScaledSystem`` in the unknowns :math:`(r, Y)`,
        :math:`\rho=E(r)+gY`, right-preconditioned by the exact inverse of its
        :math:`g=0` part :math:`A_0`, which is block triangular: :math:`\mathcal L_0^{-1}`
        of (7.10) on :math:`\ker\operatorname{tr}_{AB}`, :math:`[\bar H^\tau,\cdot]^{-1}` on
        :math:`\operatorname{Offdiag}^\tau` and :math:`\Phi_D` (7.9) plus the trace on
        :math:`\operatorname{Diag}^\tau` -- the same steps as the perturbative solution
        (7.12)-(7.14).  The preconditioned operator is :math:`1+O(g)`, so GMRES needs a few
        iterations at small :math:`g`, where the plain problem has :math:`n_C^2` eigenvalues
        :math:`O(g)`-:math:`O(g^2)` near 0.  GMRES runs in real arithmetic on the coordinates
        :math:`\operatorname{Re}x+\operatorname{Im}x` of the Hermitian unknowns (the operator maps
        Hermitian to Hermitian for real :math:`g`), so that each :math:`-i[H,X]` is one product
        with :math:`H` (:math:`XH=(HX)^*`), and :math:`HE(r)` one product of size
        :math:`dn_An_B\times n_C` by :math:`n_C\times n_C`: per iteration two products of
        :math:`d\times d` matrices and two of the smaller size.
    ``"resolvent"`` (larger :math:`g`)
        :math:`\rho - \mathcal R(\mathcal D(\rho)) + \tfrac{I}{d}\operatorname{tr}\rho = \tfrac{I}{d}`
        with :math:`\mathcal D(\rho)=\gamma_A\tau_A\otimes\operatorname{tr}_A\rho+\gamma_B\operatorname{tr}_B\rho\otimes\tau_B`
        and :math:`\mathcal R=(\gamma_A+\gamma_B+ig[H,\cdot])^{-1}`, diagonal in the
        eigenbasis of :math:`H` (as in (3.9)); its solution is the trace-one fixed point
        of :math:`\mathcal L_g`.

    Parameters
    ----------
    model : TripartiteQRM
    g : float or array_like of float
        Nonzero couplings (a Python loop over ``g``: each solve is already :math:`O(d^3)`).
    method : {"auto", "scaled", "resolvent"}
    rtol : float
        Relative residual of the GMRES solve (true residual, right preconditioning).
    maxiter, restart : int
        GMRES restarts and Krylov dimension (integers >= 1): at most ``maxiter * restart``
        iterations per ``g``, then ``ValueError``.
    return_info : bool
        Also return a list of dicts (``method``, ``iterations``, ``residual``) per ``g``.

    Returns
    -------
    ndarray, shape ``g.shape + (d, d)`` (and the info list)

    Raises
    ------
    ValueError
        If GMRES does not reach ``100 * rtol``, or if the scaled preconditioner is singular
        (Coup fails: the steady state is then ill-conditioned at small ``g``).
    """
    from .tripartite import _model_checked  # the model module imports this one

    model = _model_checked(model)
    g = _v.g_checked(g)
    method = _v.choice(method, "method", ("auto", "scaled", "resolvent"))
    rtol = _v.tolerance(rtol, "rtol")
    maxiter = _v.integer(maxiter, "maxiter", minimum=1, maximum=100_000)
    restart = _v.integer(restart, "restart", minimum=1, maximum=100_000)
    return_info = _v.boolean(return_info, "return_info")
    krylov = min(restart, model.d * model.d + model.n_C**2) + 4
    _v.memory_guard(
        16.0 * krylov * (model.d * model.d + model.n_C**2),
        f"steady_state_matrix_free ({krylov} Krylov vectors of size d² = {model.d**2})",
        hint="reduce restart",
    )
    mf = _MatrixFree(model)
    out = np.empty(g.shape + (model.d, model.d), complex)
    infos = []
    h_norm = model._H_norm
    for idx in np.ndindex(g.shape):
        gi = float(g[idx])
        meth = method
        if meth == "auto":
            meth = "scaled" if abs(gi) * h_norm <= mf.s else "resolvent"
        if meth == "scaled":
            rho, it, res = _mf_scaled(mf, model, gi, rtol, maxiter, restart)
        else:
            rho, it, res = _mf_resolvent(mf, model, gi, rtol, maxiter, restart)
        if not res <= 100 * rtol:
            raise ValueError(
                f"steady_state_matrix_free: GMRES ({meth}) reached residual {res:.2e} "
                f"> {100 * rtol:.1e} at g={gi:g} after {it} iterations"
            )
        out[idx] = rho
        infos.append({"g": gi, "method": meth, "iterations": it, "residual": res})
    return (out, infos) if return_info else out


def _mf_scaled(mf, model, g, rtol, maxiter, restart):
    d, n = mf.d, mf.nC
    n2, d2 = n * n, d * d
    s = mf.s
    ex = model.perturbative(strict=False).full
    e, V = ex.e_tau, ex.V_tau
    Vh = dagger(V)
    de = e[:, None] - e[None, :]
    off = ~np.eye(n, dtype=bool)
    inv_de = np.zeros((n, n))
    inv_de[off] = 1.0 / de[off]
    K = ex.Phi_D + (s / n) * np.ones((n, n))
    try:
        from scipy.linalg import lu_factor, lu_solve

        with np.errstate(all="raise"):
            lu = lu_factor(K.astype(complex), check_finite=True)
        if np.min(np.abs(np.diag(lu[0]))) <= 1e-13 * np.max(np.abs(K)):
            raise np.linalg.LinAlgError
    except (np.linalg.LinAlgError, FloatingPointError, ValueError):
        raise ValueError(
            "steady_state_matrix_free: Phi_D + trace is singular (Coup fails); use method='resolvent'"
        ) from None
    w = (s / n) * np.eye(n)
    L1, L1E = mf.L1, mf.L1E  # the GMRES vectors are real coordinates of Hermitian matrices (below)

    def diag_of(X):  # V diag(diag(V^* X V)) V^*
        return V @ (np.diag(np.diag(Vh @ X @ V))) @ Vh

    def A(z, L1Er):
        # L1Er = L1(E(r)) of z = (r, Y), which M has already computed
        r = z[:n2].reshape(n, n)
        Y = z[n2:].reshape(d, d)
        L1Y = L1(Y)
        F1 = mf.Q(L1Er + g * L1Y) + mf.L0(Y) + s * mf.E(mf.tr_AB(Y))
        T1 = mf.tr_AB(L1Er + g * L1Y)
        TY = mf.tr_AB(L1Y)
        F2 = (T1 - diag_of(T1)) + diag_of(TY) + w * np.trace(r)
        return np.concatenate([F2.reshape(-1), F1.reshape(-1)])

    def M(bz):
        b2 = bz[:n2].reshape(n, n)
        b1 = bz[n2:].reshape(d, d)
        B2 = Vh @ b2 @ V
        r_off = V @ (1j * B2 * inv_de) @ Vh
        Qb1 = mf.Q(b1)
        c = mf.tr_AB(L1(mf.L0_inv(Qb1 - mf.Q(L1E(r_off)))))
        q = lu_solve(lu, np.diag(B2) - np.diag(Vh @ c @ V))
        if not np.iscomplexobj(K):
            q = q.real  # populations: real (diagonals of Hermitian matrices), so r below is exactly Hermitian
        r = r_off + (V * q[None, :]) @ Vh
        L1Er = L1E(r)
        Y = mf.L0_inv(Qb1 - mf.Q(L1Er)) + mf.E(mf.tr_AB(b1)) / s
        return np.concatenate([r.reshape(-1), Y.reshape(-1)]), L1Er

    # GMRES in real arithmetic, on the coordinates v = Re x + Im x of the Hermitian blocks (r, Y):
    # A and M map Hermitian to Hermitian (real g), and the Frobenius norm is the Euclidean norm of v
    perm = _herm_perm((n, d))

    def herm(v):
        return _complex_vec(v, perm)

    def coords(z):
        return z.real + z.imag

    rhs = np.concatenate([w.reshape(-1), np.zeros(d2)])
    u, it, res = _gmres(lambda v: coords(A(*M(herm(v)))), rhs, rtol=rtol, maxiter=maxiter, restart=restart)
    z = M(herm(u))[0]
    rho = mf.E(z[:n2].reshape(n, n)) + g * z[n2:].reshape(d, d)
    return _finish(rho), it, res


def _mf_resolvent(mf, model, g, rtol, maxiter, restart):
    d = mf.d
    s = mf.s
    om, U = np.linalg.eigh(model.H)
    Uh = dagger(U)
    den = s + 1j * g * (om[:, None] - om[None, :])
    eye = np.eye(d) / d

    def K(v):
        X = v.reshape(d, d)
        D = mf.gA * mf.emb_CB(mf.tr_A(X)) + mf.gB * mf.emb_AC(mf.tr_B(X))
        RD = U @ ((Uh @ D @ U) / den) @ Uh
        return (X - RD + eye * np.trace(X)).reshape(-1)

    x, it, res = _gmres(K, eye.reshape(-1).astype(complex), rtol=rtol, maxiter=maxiter, restart=restart)
    return _finish(x.reshape(d, d)), it, res
