"""Property tests (hypothesis) for the statements of Sections 2-4 of the paper.

Hypothesis draws seeds, dimensions, number of reservoirs and scalar
parameters; each example builds its random instance from ``np.random.default_rng(seed)``.
``derandomize=True`` makes every run draw the same examples (reproducible CI).

Numerical conventions.  Every quantity here is a trace of products of O(1)
matrices (d <= 6) and their logarithms; states are kept faithful with a floor
λ_min >= 0.05/d so that ||ln ρ|| <= ~5.  Double-precision round-off on such
expressions is ~1e-14; we use

- ``ZERO = 1e-11`` for "= 0" and for the slack of "≥ 0" (≈ 1000× round-off),
- explicit quantitative lower bounds (Pinsker's inequality
  S(μ|ν) >= 2 T(μ,ν)², T the trace distance) for every strict inequality,
  so that "> 0" is never decided against a bare round-off threshold.
"""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.linalg import block_diag

import qrmlib
from qrmlib import reset as rs
from qrmlib.linalg import commutator, dagger, entropy, logm_pd, relative_entropy, spost, spre, trace_distance, unvec, vec
from qrmlib.testing import random_hermitian, random_qrm
from qrmlib.testing import random_faithful as faithful

ZERO = 1e-11  # see module docstring

PROPS = settings(max_examples=50, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow])

seeds = st.integers(0, 2**32 - 1)
dims = st.integers(2, 5)
nres = st.integers(1, 4)
hscales = st.sampled_from([0.3, 1.0, 3.0])


def instance(seed, d, J, hscale=1.0):
    """The generator (for further draws) and a random QRM (qrmlib.testing.random_qrm)."""
    rng = np.random.default_rng(seed)
    H, taus, gammas = random_qrm(rng, d, J, hscale=hscale)
    return rng, H, taus, gammas


def affine(rng, J, spread):
    lam = rng.uniform(-spread, spread, size=J)
    lam[-1] = 1 - lam[:-1].sum()
    return lam


def commuting_states(rng, H, n):
    """n faithful states diagonal in an eigenbasis of H (so [τ, H] = 0)."""
    _, V = np.linalg.eigh(H)
    d = H.shape[-1]
    return np.stack([V @ np.diag(0.9 * rng.dirichlet(np.ones(d)) + 0.1 / d) @ V.conj().T for _ in range(n)])


def pinsker(mu, nu):
    """Pinsker lower bound 2 T(μ,ν)² <= S(μ|ν)."""
    return 2 * trace_distance(mu, nu) ** 2


def sigma_L(H, T, G, rho):
    """σ_L(ρ) of (2.11) for the single-reservoir QRM −i[H,·] + Γ(T tr − id)."""
    return qrmlib.entropy_production(H, T[None], np.array([G]), np.array([1.0]), rho=rho)[0]


def rho_H_superop(H):
    """d²×d² matrix of T ↦ ρ_H(T) = (i[H,·] + 1)^{-1}(T), built by a dense inverse (independent path)."""
    d = H.shape[-1]
    return np.linalg.inv(np.eye(d * d) + 1j * (spre(H) - spost(H)))


# --- (2.6): σ_j ≥ 0, σ ≥ 0 ------------------------------------------------------

@PROPS
@given(seed=seeds, d=dims, J=nres, hscale=hscales, spread=st.floats(0.0, 3.0))
def test_sigma_nonnegative_2_6(seed, d, J, hscale, spread):
    rng, H, taus, gammas = instance(seed, d, J, hscale)
    lam = affine(rng, J, spread)  # includes negative weights
    sig, sj = qrmlib.entropy_production(H, taus, gammas, lam)
    assert np.all(sj >= -ZERO) and sig >= -ZERO
    # σ_j(ρ) ≥ 0 at any faithful state (Spohn), not only at ρ+
    sig_r, sj_r = qrmlib.entropy_production(H, taus, gammas, lam, rho=faithful(rng, d))
    assert np.all(sj_r >= -ZERO) and sig_r >= -ZERO
    # J = 1: σ_L(ρ+) = 0 (end of Section 2)
    if J == 1:
        assert abs(sig) < ZERO


# --- Lemma 3.1 ------------------------------------------------------------------

@PROPS
@given(seed=seeds, d=dims, hscale=hscales)
def test_lemma_3_1_cptp_via_choi(seed, d, hscale):
    rng = np.random.default_rng(seed)
    H = random_hermitian(rng, d, scale=hscale)
    E = np.eye(d * d).reshape(d, d, d, d)  # E[i, j] = |i><j|
    R = qrmlib.rho_H(H, E)  # broadcast over the (d, d) grid of matrix units
    choi = R.transpose(0, 2, 1, 3).reshape(d * d, d * d)  # Σ_ij |i><j| ⊗ ρ_H(|i><j|)
    assert np.allclose(choi, dagger(choi), atol=ZERO)
    # completely positive: Choi matrix PSD (its eigenvalues are O(1); slack ZERO)
    assert np.linalg.eigvalsh(choi).min() >= -ZERO
    # trace preserving: tr_out Choi = I, i.e. tr ρ_H(|i><j|) = δ_ij
    assert np.allclose(np.trace(R, axis1=-2, axis2=-1), np.eye(d), atol=ZERO)
    # unital: ρ_H(I) = I (used in the proof of (3.11))
    assert np.allclose(qrmlib.rho_H(H, np.eye(d)), np.eye(d), atol=ZERO)
    # the Choi matrix agrees with the dense inverse of i[H,·] + 1
    S = rho_H_superop(H)
    X = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    assert np.allclose(qrmlib.rho_H(H, X), unvec(S @ vec(X), d), atol=ZERO)


@PROPS
@given(seed=seeds, d=dims, hscale=hscales, floor=st.sampled_from([1e-6, 1e-3, 0.05, 0.5]))
def test_lemma_3_1_positivity_and_3_12(seed, d, hscale, floor):
    rng = np.random.default_rng(seed)
    H = random_hermitian(rng, d, scale=hscale)
    T = faithful(rng, d, floor=floor)
    R = qrmlib.rho_H(H, T)
    w = np.linalg.eigvalsh(R)
    # (3.11), quantitatively: ρ_H is positive and unital, so ρ_H(T) ≥ ρ_H(λ_min(T) I) = λ_min(T) I
    assert w.min() > 0
    assert w.min() >= np.linalg.eigvalsh(T).min() * (1 - 1e-9) - 1e-15
    assert abs(np.trace(R) - 1) < ZERO
    # (3.12), first identity: tr(T ln ρ_H(T)) = tr(ρ_H(T) ln ρ_H(T))   [(3.16)]
    lnR = logm_pd(R)
    scale = max(1.0, np.abs(np.log(w)).max())  # ||ln ρ_H(T)|| can reach ~14 for floor = 1e-6
    assert abs(np.trace(T @ lnR) - np.trace(R @ lnR)) < ZERO * scale
    # (3.12), second identity: S(ρ_H(T)) = S(T) + S(T|ρ_H(T))
    assert abs(entropy(R) - entropy(T) - relative_entropy(T, R)) < ZERO * scale


@PROPS
@given(seed=seeds, d=dims, hscale=hscales)
def test_lemma_3_1_symmetries_3_13(seed, d, hscale):
    """(3.13) in the forms that hold (the dump lost the bars; see the module docstring of the report):

    conj(ρ_H(T)) = ρ_{−conj H}(conj T),  ρ_H(T)^t = ρ_{−H^t}(T^t),  ρ_H(T)^* = ρ_H(T^*);
    for real (symmetric) H, or entrywise in an eigenbasis of H, −conj H = −H^t = −H, which is
    the printed form ρ̄_H(T) = ρ_{−H}(T̄), ρ_H(T)^t = ρ_{−H}(T^t).
    """
    rng = np.random.default_rng(seed)
    H = random_hermitian(rng, d, scale=hscale)
    T = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))  # any matrix: ρ_H is linear
    R = qrmlib.rho_H(H, T)
    assert np.allclose(R.conj(), qrmlib.rho_H(-H.conj(), T.conj()), atol=ZERO)
    assert np.allclose(R.T, qrmlib.rho_H(-H.T, T.T), atol=ZERO)
    assert np.allclose(dagger(R), qrmlib.rho_H(H, dagger(T)), atol=ZERO)  # adjoint-preserving
    # real symmetric H: the printed form
    Hr = H.real
    Rr = qrmlib.rho_H(Hr, T)
    assert np.allclose(Rr.conj(), qrmlib.rho_H(-Hr, T.conj()), atol=ZERO)
    assert np.allclose(Rr.T, qrmlib.rho_H(-Hr, T.T), atol=ZERO)
    # entrywise in the eigenbasis of H (there H = diag(e) is real)
    e, V = np.linalg.eigh(H)
    D = np.diag(e)
    Th = dagger(V) @ T @ V
    Rh = dagger(V) @ R @ V
    assert np.allclose(Rh.conj(), qrmlib.rho_H(-D, Th.conj()), atol=ZERO)
    assert np.allclose(Rh.T, qrmlib.rho_H(-D, Th.T), atol=ZERO)
    # whereas for a genuinely complex H the literal basis-free reading ρ_H(T)^t = ρ_{−H}(T^t) fails
    if np.abs(H.imag).max() > 0.1 * hscale:
        assert np.abs(R.T - qrmlib.rho_H(-H, T.T)).max() > 1e-6


# --- Remark 3.2 -----------------------------------------------------------------

multiplicities = st.lists(st.integers(1, 3), min_size=1, max_size=4).filter(lambda m: 2 <= sum(m) <= 6)


@PROPS
@given(seed=seeds, mult=multiplicities)
def test_remark_3_2_commutant_equals_fixed_points(seed, mult):
    rng = np.random.default_rng(seed)
    d = sum(mult)
    levels = np.cumsum(rng.uniform(0.3, 2.0, size=len(mult)))  # distinct, gaps >= 0.3
    e = np.repeat(levels, mult)
    V = np.linalg.qr(rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d)))[0]
    H = V @ np.diag(e) @ dagger(V)
    # Ker(ρ_H − I) has dimension dim H' = Σ m_k² ...
    S = rho_H_superop(H)
    sv = np.linalg.svd(S - np.eye(d * d), compute_uv=False)
    # non-zero singular values are >= min |iω/(1+iω)| over gaps ω >= 0.3, i.e. >= 0.28
    assert np.sum(sv < 1e-8) == sum(m * m for m in mult)
    if len(mult) > 1:  # otherwise H ∝ I and ρ_H = id
        assert sv[sv >= 1e-8].min() > 0.25
    # ... and its elements commute with H: every X with [X, H] = 0 is fixed ...
    blocks = [rng.normal(size=(m, m)) + 1j * rng.normal(size=(m, m)) for m in mult]
    X = V @ block_diag(*blocks) @ dagger(V)
    assert np.abs(commutator(X, H)).max() < ZERO * 10
    assert np.allclose(qrmlib.rho_H(H, X), X, atol=ZERO)
    # ... and fixed points commute: null vectors of S − I commute with H
    _, _, vh = np.linalg.svd(S - np.eye(d * d))
    for k in range(1, sum(m * m for m in mult) + 1):
        Y = unvec(vh[-k].conj(), d)
        assert np.abs(commutator(Y, H)).max() < 1e-8  # null vectors accurate to ~eps / 0.28
    # not positivity improving: a spectral projector (rank m < d) is mapped to itself
    P = V[:, : mult[0]] @ dagger(V[:, : mult[0]])
    if mult[0] < d:
        assert np.allclose(qrmlib.rho_H(H, P), P, atol=ZERO)
        assert np.linalg.matrix_rank(qrmlib.rho_H(H, P), tol=1e-8) == mult[0]


@PROPS
@given(seed=seeds, d=dims, hscale=hscales)
def test_remark_3_2_entropy_strictly_increases(seed, d, hscale):
    rng = np.random.default_rng(seed)
    H = random_hermitian(rng, d, scale=hscale)
    T = faithful(rng, d)
    R = qrmlib.rho_H(H, T)
    # strict increase, quantitatively: S(ρ_H(T)) − S(T) = S(T|ρ_H(T)) >= 2 T(T, ρ_H(T))² > 0
    gain = entropy(R) - entropy(T)
    assert gain >= pinsker(T, R) - ZERO
    assert pinsker(T, R) > 0  # ρ_H(T) ≠ T since [T, H] ≠ 0 for a generic T
    assert np.abs(commutator(T, H)).max() > 1e-6
    # ... unless [T, H] = 0, where ρ_H(T) = T and the entropy is unchanged
    Tc = commuting_states(rng, H, 1)[0]
    assert np.allclose(qrmlib.rho_H(H, Tc), Tc, atol=ZERO)
    assert abs(entropy(qrmlib.rho_H(H, Tc)) - entropy(Tc)) < ZERO


# --- Lemma 3.3 ------------------------------------------------------------------

def rho_adjoint(M, rho):
    """ρ-adjoint of a superoperator matrix M for (A, B)_ρ = tr(ρ A^* B) (3.20).

    Row-major vec: tr(ρ A^* B) = tr(A^* B ρ) = vec(A)^† G vec(B) with G = spost(ρ) > 0,
    so M^ρ = G^{-1} M^† G.
    """
    G = spost(rho)
    return np.linalg.solve(G, M.conj().T @ G)


@PROPS
@given(seed=seeds, d=dims, J=nres, hscale=hscales)
def test_lemma_3_3_detailed_balance(seed, d, J, hscale):
    rng, H, taus, gammas = instance(seed, d, J, hscale)
    for commuting in (False, True):
        if commuting:
            taus = commuting_states(rng, H, J)
        T, G = rs.combine_resets(taus, gammas)
        rp = qrmlib.steady_state(H, taus, gammas)
        # Φ(X) = Γ I tr(TX) (3.19) as a superoperator: vec(Φ(X)) = Γ vec(I) vec(T^t)^t vec(X)
        Phi = G * np.outer(vec(np.eye(d)), vec(T.T))
        # (3.22): Φ^{ρ+}(X) = Γ T tr(X ρ+) [ρ+]^{-1}
        Phi_rho = G * np.outer(vec(T @ np.linalg.inv(rp)), vec(rp.T))
        assert np.allclose(rho_adjoint(Phi, rp), Phi_rho, atol=1e-9)  # solve with cond(G) <= 1e2 d
        # and the defining relation (A, Φ(B))_ρ = (Φ^ρ(A), B)_ρ on random A, B
        A, B = (rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d)) for _ in range(2))
        lhs = np.trace(rp @ dagger(A) @ unvec(Phi @ vec(B), d))
        rhs = np.trace(rp @ dagger(unvec(Phi_rho @ vec(A), d)) @ B)
        assert abs(lhs - rhs) < 1e-9 * max(1.0, abs(lhs))
        # DB ⇔ [T, H] = 0, quantitatively: ||Φ^ρ(I) − Φ(I)|| = Γ||(T − ρ+)ρ+^{-1}|| >= ||[H, ρ+]||
        # (Γ(T − ρ+) = i[H, ρ+] by (3.15), ||ρ+|| <= 1), and |[H,ρ+]_mn| = |[H,T]_mn| / |1 + iω_mn/Γ|
        gap = np.linalg.norm(unvec((Phi_rho - Phi) @ vec(np.eye(d)), d), 2)
        c_rho = np.linalg.norm(commutator(H, rp), 2)
        e = np.linalg.eigvalsh(H)
        c_T = np.linalg.norm(commutator(H, T), "fro") / np.sqrt(1 + ((e.max() - e.min()) / G) ** 2)
        assert gap >= c_rho - 1e-9
        assert np.linalg.norm(commutator(H, rp), "fro") >= c_T - 1e-9
        if commuting:
            assert np.abs(Phi_rho - Phi).max() < 1e-9  # DB holds
        else:
            assert c_T > 1e-4 and np.abs(Phi_rho - Phi).max() > 1e-6  # DB fails


@PROPS
@given(seed=seeds, d=dims, J=nres, hscale=hscales)
def test_lemma_3_3_ep_formula_3_21(seed, d, J, hscale):
    rng, H, _, gammas = instance(seed, d, J, hscale)
    taus = commuting_states(rng, H, J)
    T, G = rs.combine_resets(taus, gammas)
    rho = faithful(rng, d)
    # (3.21): σ_L(ρ) = Γ(S(T|ρ) + S(ρ|T)) for every faithful ρ
    s = sigma_L(H, T, G, rho)
    ref = G * (relative_entropy(T, rho) + relative_entropy(rho, T))
    assert abs(s - ref) < ZERO * G
    # σ_L(ρ) = 0 iff ρ = T (Pinsker on both terms for the strict part)
    assert abs(sigma_L(H, T, G, T)) < ZERO
    assert s >= 2 * G * pinsker(rho, T) - ZERO and pinsker(rho, T) > 0


# --- Proposition 4.3 ----------------------------------------------------------------

@PROPS
@given(seed=seeds, d=dims, J=st.integers(2, 4), hscale=hscales)
def test_prop_4_3_i(seed, d, J, hscale):
    rng, H, taus, gammas = instance(seed, d, J, hscale)
    G = gammas.sum()
    p = gammas / G
    T, _ = rs.combine_resets(taus, gammas)
    rp = qrmlib.steady_state(H, taus, gammas)
    sig, sj = qrmlib.entropy_production(H, taus, gammas, p)
    rj = rs.partial_steady_states(H, taus, gammas, p)
    lnr = logm_pd(rp)
    lnj = logm_pd(rj)
    # (4.9) ρ_j+ = Γ(i[H,·] + Γ)^{-1}(τ_j) and (4.10) ρ+ = Σ_j (γ_j/Γ) ρ_j+
    assert np.allclose(rj, qrmlib.rho_H(H / G, taus), atol=ZERO)
    assert np.allclose(np.einsum("j,jab->ab", p, rj), rp, atol=ZERO)
    # (4.8): with λ_j = γ_j/Γ, (4.4) gives L_j(ρ+) = γ_j(ρ+ − T) + γ_j(τ_j − ρ+) = γ_j(τ_j − T).
    # ERRATUM: the paper prints γ_j(τ_j − ρ+); (4.11) then correctly uses τ_j − T.
    Lj = rs.partial_lindbladians_apply(H, taus, gammas, p, rp)
    assert np.allclose(Lj, gammas[:, None, None] * (taus - T), atol=ZERO * G)
    # the printed form is off by γ_j(T − ρ+) = γ_j i[H/Γ, ρ+] (3.15), non-zero since [H, T] ≠ 0
    assert np.abs(T - rp).max() > 1e-6
    assert not np.allclose(Lj, gammas[:, None, None] * (taus - rp), atol=1e-8)
    # (4.11), (4.12)
    s11 = np.array([gammas[j] * np.trace((taus[j] - T) @ (lnj[j] - lnr)).real for j in range(J)])
    assert np.allclose(sj, s11, atol=ZERO * G)
    assert abs(sig - sum(gammas[j] * np.trace((taus[j] - T) @ lnj[j]).real for j in range(J))) < ZERO * G
    # (4.13) operator concavity of ln: ln ρ+ − Σ (γ_j/Γ) ln ρ_j+ >= 0
    assert np.linalg.eigvalsh(lnr - np.einsum("j,jab->ab", p, lnj)).min() >= -ZERO
    # (4.14) and (4.15)
    b14 = sum(gammas[j] * (np.trace(taus[j] @ lnj[j]).real - np.trace(T @ lnr).real) for j in range(J))
    b15 = G * (entropy(rp) - np.dot(p, entropy(rj)))
    assert abs(b14 - b15) < ZERO * G  # equal by (3.12) (second point of Lemma 3.1)
    assert sig >= b15 - ZERO * G
    # strictness (4.16), quantitatively: b15 = Γ Σ p_j S(ρ_j+|ρ+) >= Γ Σ p_j 2 T(ρ_j+, ρ+)² > 0
    holevo = G * sum(p[j] * relative_entropy(rj[j], rp) for j in range(J))
    assert abs(b15 - holevo) < ZERO * G
    lower = G * sum(p[j] * pinsker(rj[j], rp) for j in range(J))
    assert lower > 0 and sig >= lower - ZERO * G
    # equality case: all τ_j equal ⇒ σ(ρ+) = 0 and every σ_j = 0
    taus_eq = np.broadcast_to(taus[0], taus.shape)
    sig_eq, sj_eq = qrmlib.entropy_production(H, taus_eq, gammas, p)
    assert abs(sig_eq) < ZERO and np.all(np.abs(sj_eq) < ZERO)


@PROPS
@given(seed=seeds, d=dims, J=st.integers(2, 4), hscale=hscales)
def test_prop_4_3_ii(seed, d, J, hscale):
    rng, H, taus, gammas = instance(seed, d, J, hscale)
    lam = np.zeros(J)
    lam[0] = 1.0
    G = gammas.sum()
    T, _ = rs.combine_resets(taus, gammas)
    rp = qrmlib.steady_state(H, taus, gammas)
    sig, sj = qrmlib.entropy_production(H, taus, gammas, lam)
    rj = rs.partial_steady_states(H, taus, gammas, lam)
    # (4.19)
    assert np.allclose(rj[0], qrmlib.rho_H(H / gammas[0], taus[0]), atol=ZERO)
    L1 = rs.partial_lindbladians_apply(H, taus, gammas, lam, rp)[0]
    assert np.allclose(L1, G * (rp - T) + gammas[0] * (taus[0] - rp), atol=ZERO * G)
    # (4.20) / (4.6): σ_j = γ_j(S(τ_j|ρ+) + S(ρ+|τ_j)) for j ≠ 1, and ρ_j+ = τ_j
    assert np.allclose(rj[1:], taus[1:], atol=ZERO)
    ref = np.array([gammas[j] * (relative_entropy(taus[j], rp) + relative_entropy(rp, taus[j]))
                    for j in range(1, J)])
    assert np.allclose(sj[1:], ref, atol=ZERO * G)
    # bound (4.7)
    assert sig >= ref.sum() - ZERO * G
    # strict positivity when two of the τ_j, j ≠ 1, differ: with Pinsker on each relative entropy
    # and T(τ_j,ρ)² + T(τ_k,ρ)² >= T(τ_j,τ_k)²/2,  σ >= 2 min(γ_j, γ_k) T(τ_j, τ_k)² > 0
    if J >= 3:
        lower = 2 * min(gammas[1], gammas[2]) * trace_distance(taus[1], taus[2]) ** 2
        assert lower > 0 and sig >= lower - ZERO * G


@PROPS
@given(seed=seeds, d=dims, J=nres, hscale=hscales, spread=st.floats(0.0, 3.0))
def test_prop_4_3_iii(seed, d, J, hscale, spread):
    rng, H, _, gammas = instance(seed, d, J, hscale)
    taus = commuting_states(rng, H, J)
    T, G = rs.combine_resets(taus, gammas)
    lam = affine(rng, J, spread)
    assert np.allclose(qrmlib.steady_state(H, taus, gammas), T, atol=ZERO)  # ρ+ = T
    # ρ_j+ = τ_j for any real λ_j, even when Σ λ_j ≠ 1
    assert np.allclose(rs.partial_steady_states(H, taus, gammas, rng.normal(size=J) * 3), taus, atol=ZERO)
    sig, sj = qrmlib.entropy_production(H, taus, gammas, lam)
    ref = np.array([gammas[j] * (relative_entropy(taus[j], T) + relative_entropy(T, taus[j])) for j in range(J)])
    assert np.allclose(sj, ref, atol=ZERO * G)
    # The discussion after Remark 4.4 prints σ_j(ρ+) = γ_j(S(T|τ_j) + S(T|τ_j)) (typo: the
    # relative entropy is not symmetric).  It differs from the statement iii) in general:
    doubled = np.array([2 * gammas[j] * relative_entropy(T, taus[j]) for j in range(J)])
    asym = np.array([abs(relative_entropy(T, taus[j]) - relative_entropy(taus[j], T)) for j in range(J)])
    assert np.allclose(np.abs(doubled - sj), gammas * asym, atol=ZERO * G)
    # σ ≥ 0 with equality iff τ_j = T for all j
    lower = 4 * sum(gammas[j] * trace_distance(taus[j], T) ** 2 for j in range(J))
    assert sig >= lower - ZERO * G
    if J >= 2:
        assert lower > 0
    taus_eq = np.broadcast_to(taus[0], taus.shape)
    assert abs(qrmlib.entropy_production(H, taus_eq, gammas, lam)[0]) < ZERO


# --- Proposition 4.5 -------------------------------------------------------------

@PROPS
@given(seed=seeds, d=dims, J=st.integers(2, 4), hscale=st.sampled_from([1.0, 3.0]))
def test_prop_4_5(seed, d, J, hscale):
    rng, H, taus, gammas = instance(seed, d, J, hscale)
    tau = taus[0]
    taus = np.broadcast_to(tau, (J, d, d))
    G = gammas.sum()
    assert np.abs(commutator(H, tau)).max() > 1e-3
    rp = qrmlib.steady_state(H, taus, gammas)
    # σ = 0 at λ_j = γ_j / Γ ...
    sig0, sj0 = qrmlib.entropy_production(H, taus, gammas, gammas / G)
    assert abs(sig0) < ZERO and np.all(np.abs(sj0) < ZERO)
    # ... and > 0 at every other convex combination
    for _ in range(5):
        lam = rng.dirichlet(np.ones(J))
        if np.abs(lam - gammas / G).max() < 0.05:
            continue
        sig, sj = qrmlib.entropy_production(H, taus, gammas, lam)
        # (4.18): L_j(ρ+) = (γ_j − Γλ_j)(τ − ρ+)
        Lj = rs.partial_lindbladians_apply(H, taus, gammas, lam, rp)
        assert np.allclose(Lj, (gammas - G * lam)[:, None, None] * (tau - rp), atol=ZERO * G)
        assert np.all(sj >= -ZERO)
        # σ is quadratic near its zero; with |Δλ| >= 0.05 and ||[H,τ]|| >= 1e-3 it is far above 1e-10
        assert sig > 1e-10, (sig, lam, gammas / G)


# --- Lemma 4.6 and (4.22) ------------------------------------------------------------

def F(H, T, lam, mu):
    """S(ρ(μ)) + S(ρ(μ)|ρ(λ)) − S(ρ(λ)), ρ(x) = (x i[H,·] + 1)^{-1}(T)  (4.23)-(4.25)."""
    rl, rm = qrmlib.rho_H(lam * H, T), qrmlib.rho_H(mu * H, T)
    return entropy(rm) + relative_entropy(rm, rl) - entropy(rl)


@PROPS
@given(seed=seeds, d=dims, lam=st.floats(-4, 4), mu=st.floats(-4, 4).filter(lambda x: abs(x) > 1e-3))
def test_lemma_4_6_inequality_4_24(seed, d, lam, mu):
    rng = np.random.default_rng(seed)
    H = random_hermitian(rng, d)
    T = faithful(rng, d)
    val = (1 - lam / mu) * F(H, T, lam, mu)
    assert val >= -ZERO * max(1.0, abs(lam / mu))
    # (4.27)-(4.29): the same number is the EP of L_λ = −λi[H,·] + (T tr − id) at ρ(μ)
    rm = qrmlib.rho_H(mu * H, T)
    s = qrmlib.entropy_production(lam * H, T[None], np.array([1.0]), np.array([1.0]), rho=rm)[0]
    assert abs(s - val) < ZERO * max(1.0, abs(lam / mu))


@PROPS
@given(seed=seeds, d=dims, mu=st.floats(0.2, 3.0), ratio=st.floats(0.05, 0.95), sign=st.sampled_from([1, -1]))
def test_lemma_4_6_strict_4_25_and_injectivity(seed, d, mu, ratio, sign):
    rng = np.random.default_rng(seed)
    H = random_hermitian(rng, d)
    T = faithful(rng, d)
    mu = sign * mu
    lam = ratio * mu  # 0 < λ/μ < 1, both signs of μ
    assert np.abs(commutator(H, T)).max() > 1e-3
    assert F(H, T, lam, mu) > 1e-10
    # injectivity: ρ(λ) ≠ ρ(μ) for λ ≠ μ
    assert trace_distance(qrmlib.rho_H(lam * H, T), qrmlib.rho_H(mu * H, T)) > 1e-8


@PROPS
@given(seed=seeds, d=dims, x=st.floats(-4, 4).filter(lambda x: abs(x) > 1e-2))
def test_remark_4_7(seed, d, x):
    rng = np.random.default_rng(seed)
    H = random_hermitian(rng, d)
    T = faithful(rng, d)
    # μ = 0: ρ(0) = T and the LHS of (4.25) vanishes for all λ, by (3.12)
    assert abs(F(H, T, x, 0.0)) < ZERO
    # λ = μ ≠ 0: vanishes
    assert abs(F(H, T, x, x)) < ZERO
    # λ = 0: equals S(T|ρ(μ)) + S(ρ(μ)|T) > 0
    rm = qrmlib.rho_H(x * H, T)
    assert abs(F(H, T, 0.0, x) - relative_entropy(T, rm) - relative_entropy(rm, T)) < ZERO
    assert F(H, T, 0.0, x) >= 2 * pinsker(T, rm) - ZERO and pinsker(T, rm) > 0
    # lim_{|λ|→∞} ρ(λ) = Σ_j P_j T P_j: off-diagonal entries (eigenbasis) decay as 1/(λ ω)
    e, V = np.linalg.eigh(H)
    Th = dagger(V) @ T @ V
    big = 1e8 * np.sign(x)
    lim = V @ np.diag(np.diag(Th)) @ dagger(V)
    om = np.abs(e[:, None] - e[None, :])[~np.eye(d, dtype=bool)].min()
    assert np.abs(qrmlib.rho_H(big * H, T) - lim).max() <= d * np.abs(Th).max() / (1e8 * om) + ZERO


@PROPS
@given(seed=seeds, d=dims, J=nres, spread=st.floats(0.0, 3.0))
def test_eq_4_22_and_4_28(seed, d, J, spread):
    rng, H, taus, gammas = instance(seed, d, J)
    tau = taus[0]
    taus = np.broadcast_to(tau, (J, d, d))
    lam = affine(rng, J, spread)
    G = gammas.sum()
    rp = qrmlib.steady_state(H, taus, gammas)
    rj = rs.partial_steady_states(H, taus, gammas, lam)
    _, sj = qrmlib.entropy_production(H, taus, gammas, lam)
    for j in range(J):
        # (4.22): σ_j = (γ_j − λ_jΓ)(S(ρ+) − S(ρ_j+) + S(ρ+|ρ_j+))
        ref = (gammas[j] - lam[j] * G) * (entropy(rp) - entropy(rj[j]) + relative_entropy(rp, rj[j]))
        assert abs(sj[j] - ref) < ZERO * max(1.0, G * abs(lam[j]))
        # ... which is γ_j × (4.24) at μ = 1/Γ, λ = λ_j/γ_j (Remark 4.7)
        l4, m4 = lam[j] / gammas[j], 1 / G
        assert abs(sj[j] - gammas[j] * (1 - l4 / m4) * F(H, tau, l4, m4)) < ZERO * max(1.0, G * abs(lam[j]))
    # (4.28): L_λ(ρ(μ)) = (1 − λ/μ)(T − ρ(μ)).  The paper prints (ρ(μ) − T); the proof's (4.29)
    # uses T − ρ(μ).  Check the form that holds, and that the printed sign is off.
    mu, la_ = 0.7, -1.3
    rm = qrmlib.rho_H(mu * H, tau)
    Lrm = rs.lindbladian_apply(la_ * H, tau[None], np.array([1.0]), rm)
    assert np.allclose(Lrm, (1 - la_ / mu) * (tau - rm), atol=ZERO)
    if np.abs(tau - rm).max() > 1e-6:
        assert not np.allclose(Lrm, (1 - la_ / mu) * (rm - tau), atol=1e-8)
