"""Unit tests for :mod:`qrmlib.linalg`: every public function, broadcasting included.

Independent references: ``scipy.linalg.logm`` / ``expm_frechet`` (never used by
the library), explicit Kronecker constructions, hand-computed values.

Tolerances: double precision round-off on the O(1)-sized matrices used here
is ~1e-15 per operation; a 1e-12 tolerance therefore allows ~1000 ulps of
accumulated error (eigh of a d <= 6 matrix, a few products) and is the
default "exact" tolerance below.  Looser ones are justified where they appear.
"""

import itertools

import numpy as np
import pytest
import scipy.linalg as sla

import qrmlib
from qrmlib import linalg as la
from qrmlib.testing import random_density, random_hermitian
from qrmlib.testing import random_faithful as faithful  # full rank, all eigenvalues >= floor/d

EXACT = 1e-12  # see module docstring


def random_complex(rng, *shape):
    return rng.normal(size=shape) + 1j * rng.normal(size=shape)


# --- public surface -------------------------------------------------------------

def test_public_names_exported():
    for name in la.__all__:
        assert hasattr(la, name)
    for name in ("commutator", "dlog", "entropy", "logm_pd", "partial_trace",
                 "relative_entropy", "trace_distance"):
        assert getattr(qrmlib, name) is getattr(la, name)
    assert 0 < la.EIG_TOL < 1e-8


# --- elementary helpers ---------------------------------------------------------

def test_dagger_hermitian_part_commutators_broadcast(rng):
    a = random_complex(rng, 3, 4, 5, 5)
    b = random_complex(rng, 4, 5, 5)  # broadcasts against a
    assert la.dagger(a).shape == (3, 4, 5, 5)
    assert np.array_equal(la.dagger(a)[1, 2], a[1, 2].conj().T)
    # non-square dagger swaps the last two axes
    assert la.dagger(random_complex(rng, 2, 3, 4)).shape == (2, 4, 3)
    hp = la.hermitian_part(a)
    assert np.allclose(hp, la.dagger(hp), atol=0, rtol=0)  # exactly Hermitian by construction
    assert np.allclose(hp[0, 0], (a[0, 0] + a[0, 0].conj().T) / 2, atol=EXACT)
    c = la.commutator(a, b)
    ac = la.anticommutator(a, b)
    assert c.shape == ac.shape == (3, 4, 5, 5)
    for i, j in itertools.product(range(3), range(4)):
        x, y = a[i, j], b[j]
        assert np.allclose(c[i, j], x @ y - y @ x, atol=EXACT, rtol=0)
        assert np.allclose(ac[i, j], x @ y + y @ x, atol=EXACT, rtol=0)
    # antisymmetry / symmetry, exact in floating point up to rounding of sums
    assert np.allclose(la.commutator(b, a), -c, atol=EXACT, rtol=0)
    assert np.allclose(la.anticommutator(b, a), ac, atol=EXACT, rtol=0)


def test_is_hermitian(rng):
    h = np.stack([random_hermitian(rng, 4) for _ in range(6)]).reshape(2, 3, 4, 4)
    assert la.is_hermitian(h).shape == (2, 3)
    assert np.all(la.is_hermitian(h))
    bad = h.copy()
    bad[1, 2, 0, 1] += 1e-3
    res = la.is_hermitian(bad)
    assert not res[1, 2] and res.sum() == 5
    # relative tolerance: a perturbation below atol * max(1, max|a|) passes
    big = 1e6 * h[0, 0]
    big[0, 1] += 1e-6  # 1e-6 / 1e6 = 1e-12 relative < 1e-10
    assert la.is_hermitian(big)
    assert not la.is_hermitian(big, atol=1e-14)


def test_funm_herm_and_logm_pd(rng):
    rho = np.stack([faithful(rng, 4) for _ in range(12)]).reshape(3, 4, 4, 4)
    L = la.logm_pd(rho)
    assert L.shape == (3, 4, 4, 4)
    for i, j in itertools.product(range(3), range(4)):
        # scipy's Schur-Pade logm: relative accuracy ~1e-14 * cond; 1e-11 is generous
        assert np.allclose(L[i, j], sla.logm(rho[i, j]), atol=1e-11, rtol=0)
    # exp(log rho) = rho, via funm_herm with f = exp
    assert np.allclose(la.funm_herm(L, np.exp), rho, atol=EXACT, rtol=0)
    # funm_herm with f = x -> x**2 equals the matrix square (Hermitian input)
    h = random_hermitian(rng, 5)
    assert np.allclose(la.funm_herm(h, lambda w: w**2), h @ h, atol=EXACT * 10, rtol=0)
    # log of a commuting product is the sum of logs
    a = np.diag([0.1, 0.3, 0.6])
    assert np.allclose(la.logm_pd(a), np.diag(np.log([0.1, 0.3, 0.6])), atol=EXACT, rtol=0)


def test_logm_pd_rejects_singular():
    # documented contract: raises iff some eigenvalue is <= 0 (exact zero / negative here;
    # a numerically singular matrix with eigenvalue +1e-17 is formally PD and is not rejected)
    with pytest.raises(ValueError, match="positive definite"):
        la.logm_pd(np.diag([0.5, 0.5, 0.0]))
    with pytest.raises(ValueError, match="positive definite"):
        la.logm_pd(np.diag([1.1, -0.1]))


# --- entropy --------------------------------------------------------------------

def test_entropy_known_values(rng):
    for d in (2, 3, 5):
        # maximally mixed: ln d
        assert abs(la.entropy(np.eye(d) / d) - np.log(d)) < EXACT
    p = np.array([0.5, 0.25, 0.125, 0.125])
    shannon = -np.sum(p * np.log(p))
    u = np.linalg.qr(random_complex(rng, 4, 4))[0]
    rho = u @ np.diag(p) @ u.conj().T
    assert abs(la.entropy(rho) - shannon) < EXACT
    # 0 log 0 = 0: pure states (rank one, numerically tiny eigenvalues) give 0
    for d in (2, 4, 6):
        pure = random_density(rng, d, rank=1)
        assert abs(la.entropy(pure)) < EXACT
    # rank 2 in d = 5 with exact zeros: S = Shannon of the two weights
    r = np.diag([0.3, 0.7, 0.0, 0.0, 0.0])
    assert abs(la.entropy(r) - (-0.3 * np.log(0.3) - 0.7 * np.log(0.7))) < EXACT


def test_entropy_broadcast(rng):
    rhos = np.stack([random_density(rng, 3, rank=1 + k % 3) for k in range(12)]).reshape(3, 4, 3, 3)
    S = la.entropy(rhos)
    assert S.shape == (3, 4)
    for i, j in itertools.product(range(3), range(4)):
        w = np.linalg.eigvalsh(rhos[i, j])
        w = w[w > 1e-12]
        assert abs(S[i, j] + np.sum(w * np.log(w))) < EXACT
    assert np.all(S >= -EXACT) and np.all(S <= np.log(3) + EXACT)


def test_entropy_rejects_negative():
    with pytest.raises(ValueError, match="rho must be positive semidefinite"):
        la.entropy(np.diag([1.2, -0.2]))


# --- relative entropy, eq. (2.5) ------------------------------------------------

def test_relative_entropy_known_values(rng):
    # commuting (diagonal): classical Kullback-Leibler divergence
    p = np.array([0.2, 0.3, 0.5])
    q = np.array([0.4, 0.4, 0.2])
    kl = np.sum(p * np.log(p / q))
    assert abs(la.relative_entropy(np.diag(p), np.diag(q)) - kl) < EXACT
    # S(rho|rho) = 0
    rho = faithful(rng, 4)
    assert abs(la.relative_entropy(rho, rho)) < EXACT
    # pure vs maximally mixed: ln d (0 log 0 in the first term)
    for d in (2, 3, 6):
        assert abs(la.relative_entropy(random_density(rng, d, rank=1), np.eye(d) / d) - np.log(d)) < EXACT
    # faithful nu with a tiny (but resolved) eigenvalue: finite, classical value
    eps_ = 1e-8
    ref = 0.5 * np.log(0.5 / (1 - eps_)) + 0.5 * np.log(0.5 / eps_)
    assert abs(la.relative_entropy(np.eye(2) / 2, np.diag([1 - eps_, eps_])) - ref) < EXACT * 10
    # ... and +inf once the documented kernel tolerance exceeds that eigenvalue
    assert la.relative_entropy(np.eye(2) / 2, np.diag([1 - eps_, eps_]), tol=1e-6) == np.inf
    # qubit: S(|0><0| | diag(q, 1-q)) = -ln q
    assert abs(la.relative_entropy(np.diag([1.0, 0.0]), np.diag([0.25, 0.75])) + np.log(0.25)) < EXACT


def test_relative_entropy_infinite_when_kernel_not_contained(rng):
    # ker nu ⊄ ker mu: mu full rank, nu singular
    mu = faithful(rng, 3)
    nu = random_density(rng, 3, rank=2)
    assert la.relative_entropy(mu, nu) == np.inf
    # classical: nu = diag(1, 0), mu = diag(1/2, 1/2)
    assert la.relative_entropy(np.diag([0.5, 0.5]), np.diag([1.0, 0.0])) == np.inf
    # but S(nu|mu) is finite (ker mu = {0})
    assert np.isfinite(la.relative_entropy(nu, mu))


def test_relative_entropy_finite_when_kernel_contained(rng):
    """nu singular but ker nu ⊂ ker mu: value is the relative entropy on the support."""
    d, k = 5, 3
    u = np.linalg.qr(random_complex(rng, d, d))[0]
    V = u[:, :k]  # isometry onto a k-dim subspace
    m, n = faithful(rng, k), faithful(rng, k)
    mu = V @ m @ V.conj().T
    nu = V @ n @ V.conj().T
    val = la.relative_entropy(mu, nu)
    ref = np.real(np.trace(m @ (sla.logm(m) - sla.logm(n))))
    # logm reference accurate to ~1e-13 for these well-conditioned k x k blocks
    assert np.isfinite(val) and abs(val - ref) < 1e-11
    # mu with a strictly smaller support than nu's (also ker nu ⊂ ker mu)
    mu2 = V[:, :1] @ V[:, :1].conj().T
    # S(|v><v| | nu) = -<v|ln nu|v>, with ln nu = V ln(n) V^* on the support and V^* v = e_0
    ln_n = sla.logm(n)
    ref2 = -np.real(ln_n[0, 0])
    assert abs(la.relative_entropy(mu2, nu) - ref2) < 1e-11


def test_relative_entropy_vs_scipy_logm(rng):
    for d in range(2, 7):
        for _ in range(5):
            mu, nu = faithful(rng, d), faithful(rng, d)
            ref = np.real(np.trace(mu @ (sla.logm(mu) - sla.logm(nu))))
            # logm: ~1e-14 relative per entry, times ||mu||_1 = 1 and cond(nu) <= d/0.05 -> 1e-11
            assert abs(la.relative_entropy(mu, nu) - ref) < 1e-11
            assert la.relative_entropy(mu, nu) >= 0  # Klein's inequality


def test_relative_entropy_broadcast(rng):
    mus = np.stack([faithful(rng, 3) for _ in range(3)])[:, None]  # (3, 1, 3, 3)
    nus = np.stack([faithful(rng, 3) for _ in range(4)])  # (4, 3, 3)
    R = la.relative_entropy(mus, nus)
    assert R.shape == (3, 4)
    for i, j in itertools.product(range(3), range(4)):
        assert abs(R[i, j] - la.relative_entropy(mus[i, 0], nus[j])) < EXACT
    # mixed finite / infinite entries in one batch
    nus2 = np.stack([faithful(rng, 3), random_density(rng, 3, rank=1)])
    R2 = la.relative_entropy(faithful(rng, 3), nus2)
    assert np.isfinite(R2[0]) and R2[1] == np.inf


# --- trace distance, eq. (8.19) -------------------------------------------------

def test_trace_distance_hand_values(rng):
    z0 = np.diag([1.0, 0.0])
    z1 = np.diag([0.0, 1.0])
    plus = np.full((2, 2), 0.5)
    assert abs(la.trace_distance(z0, z1) - 1.0) < EXACT
    # pure states: sqrt(1 - |<a|b>|^2) = 1/sqrt(2)
    assert abs(la.trace_distance(z0, plus) - 1 / np.sqrt(2)) < EXACT
    # qubits: half the Euclidean distance of Bloch vectors
    sx = np.array([[0, 1], [1, 0]])
    sy = np.array([[0, -1j], [1j, 0]])
    sz = np.diag([1.0, -1.0])
    for _ in range(5):
        r1, r2 = rng.uniform(-0.5, 0.5, 3), rng.uniform(-0.5, 0.5, 3)
        a = 0.5 * (np.eye(2) + r1[0] * sx + r1[1] * sy + r1[2] * sz)
        b = 0.5 * (np.eye(2) + r2[0] * sx + r2[1] * sy + r2[2] * sz)
        assert abs(la.trace_distance(a, b) - np.linalg.norm(r1 - r2) / 2) < EXACT
    # commuting: half the l1 distance
    p, q = np.array([0.1, 0.2, 0.7]), np.array([0.3, 0.3, 0.4])
    assert abs(la.trace_distance(np.diag(p), np.diag(q)) - 0.5 * np.abs(p - q).sum()) < EXACT
    # symmetric, zero on the diagonal, unitarily invariant
    a, b = random_density(rng, 4), random_density(rng, 4)
    u = np.linalg.qr(random_complex(rng, 4, 4))[0]
    t = la.trace_distance(a, b)
    assert abs(t - la.trace_distance(b, a)) < EXACT and la.trace_distance(a, a) < EXACT
    assert abs(t - la.trace_distance(u @ a @ u.conj().T, u @ b @ u.conj().T)) < EXACT
    assert 0 <= t <= 1 + EXACT


def test_trace_distance_broadcast_and_nonhermitian(rng):
    a = np.stack([random_density(rng, 3) for _ in range(12)]).reshape(3, 4, 3, 3)
    b = random_density(rng, 3)
    T = la.trace_distance(a, b)
    assert T.shape == (3, 4)
    for i, j in itertools.product(range(3), range(4)):
        ev = np.linalg.eigvalsh(a[i, j] - b)
        assert abs(T[i, j] - 0.5 * np.abs(ev).sum()) < EXACT
    # non-Hermitian difference: half the nuclear norm
    x, y = random_complex(rng, 3, 3), random_complex(rng, 3, 3)
    assert abs(la.trace_distance(x, y) - 0.5 * np.linalg.norm(x - y, "nuc")) < 1e-11


# --- partial trace --------------------------------------------------------------

def _ptrace_explicit(rho, dims, keep):
    """Sum over basis vectors of the traced factors: (I ⊗ <k| ⊗ I) rho (I ⊗ |k> ⊗ I)."""
    keep = sorted(keep)
    traced = [k for k in range(len(dims)) if k not in keep]
    out = 0
    for idx in itertools.product(*(range(dims[k]) for k in traced)):
        ops = []
        for k, n in enumerate(dims):
            if k in keep:
                ops.append(np.eye(n))
            else:
                e = np.zeros((1, n))
                e[0, idx[traced.index(k)]] = 1
                ops.append(e)
        P = ops[0]
        for o in ops[1:]:
            P = np.kron(P, o)
        out = out + P @ rho @ P.T
    return out


@pytest.mark.parametrize("dims", [(2, 3, 2), (3, 2)])
def test_partial_trace_vs_explicit(rng, dims):
    D = int(np.prod(dims))
    n = len(dims)
    rho = random_density(rng, D)
    for r in range(0, n + 1):
        for keep in itertools.combinations(range(n), r):
            got = la.partial_trace(rho, dims, keep)
            ref = _ptrace_explicit(rho, dims, keep)
            assert got.shape == ref.shape
            assert np.allclose(got, ref, atol=EXACT, rtol=0)
            # trace preserved
            assert abs(np.trace(got) - 1) < EXACT
    # int keep == one-element tuple; keep order is irrelevant (factors stay in order)
    assert np.array_equal(la.partial_trace(rho, dims, 1), la.partial_trace(rho, dims, (1,)))
    if n == 3:
        assert np.array_equal(la.partial_trace(rho, dims, (2, 0)), la.partial_trace(rho, dims, (0, 2)))


def test_partial_trace_product_states(rng):
    a, c, b = random_density(rng, 2), random_density(rng, 3), random_density(rng, 2)
    rho = np.kron(np.kron(a, c), b)
    dims = (2, 3, 2)
    assert np.allclose(la.partial_trace(rho, dims, 1), c, atol=EXACT, rtol=0)
    assert np.allclose(la.partial_trace(rho, dims, (0, 2)), np.kron(a, b), atol=EXACT, rtol=0)
    assert np.allclose(la.partial_trace(rho, dims, (0, 1)), np.kron(a, c), atol=EXACT, rtol=0)
    assert np.allclose(la.partial_trace(rho, dims, (1, 2)), np.kron(c, b), atol=EXACT, rtol=0)


def test_partial_trace_broadcast(rng):
    dims = (2, 3, 2)
    rhos = np.stack([random_density(rng, 12) for _ in range(12)]).reshape(3, 4, 12, 12)
    out = la.partial_trace(rhos, dims, (0, 2))
    assert out.shape == (3, 4, 4, 4)
    for i, j in itertools.product(range(3), range(4)):
        assert np.allclose(out[i, j], _ptrace_explicit(rhos[i, j], dims, (0, 2)), atol=EXACT, rtol=0)


# --- dlog, Lemma 7.6 / eq. (7.22) -----------------------------------------------

def _herm_dir(rng, d):
    x = random_hermitian(rng, d)
    return x / np.linalg.norm(x, 2)  # unit spectral norm


def test_dlog_vs_central_difference(rng):
    h = 1e-5
    for d in range(2, 7):
        rho = faithful(rng, d, floor=0.3)
        rmin = np.linalg.eigvalsh(rho).min()
        delta = _herm_dir(rng, d)
        fd = (la.logm_pd(rho + h * delta) - la.logm_pd(rho - h * delta)) / (2 * h)
        # central difference: truncation <= h^2/6 * sup||D^3 log|| <= h^2/6 * 2/rmin^3 (||delta|| = 1);
        # round-off <= ~10 eps ||ln rho|| / h.  Their sum bounds the error.
        ln_norm = np.linalg.norm(la.logm_pd(rho), 2)
        tol = h**2 / 3 / rmin**3 + 10 * np.finfo(float).eps * ln_norm / h
        assert np.max(np.abs(la.dlog(rho, delta) - fd)) < tol, (d, tol)


def test_dlog_inverts_frechet_derivative_of_exp(rng):
    """D exp_{ln rho}[D ln_rho[Δ]] = Δ (chain rule on exp∘ln = id), via scipy.expm_frechet."""
    for d in range(2, 7):
        rho = faithful(rng, d)
        delta = random_complex(rng, d, d)  # the map is linear: non-Hermitian Δ allowed
        dl = la.dlog(rho, delta)
        back = sla.expm_frechet(la.logm_pd(rho), dl, compute_expm=False)
        # expm_frechet backward error ~1e-15 relative; amplified by ||dlog|| <= ||Δ||/rmin ~ 1e2
        assert np.allclose(back, delta, atol=1e-11, rtol=0)


def test_dlog_vs_block_logm(rng):
    """Higham: log [[ρ, Δ], [0, ρ]] = [[ln ρ, D ln_ρ[Δ]], [0, ln ρ]]."""
    for d in (2, 3, 5):
        rho = faithful(rng, d, floor=0.3)
        delta = _herm_dir(rng, d)
        big = np.block([[rho, delta], [np.zeros((d, d)), rho]])
        ref = sla.logm(big)[:d, d:]
        # scipy logm of a non-normal 2d x 2d matrix: ~1e-12 observed; 1e-9 is a safe bound
        assert np.allclose(la.dlog(rho, delta), ref, atol=1e-9, rtol=0)


def test_dlog_special_cases_and_broadcast(rng):
    # rho = I/d (fully degenerate): D ln[Δ] = d Δ
    d = 4
    delta = random_complex(rng, d, d)
    assert np.allclose(la.dlog(np.eye(d) / d, delta), d * delta, atol=EXACT, rtol=0)
    # [rho, Δ] = 0: D ln_rho[Δ] = rho^{-1} Δ
    rho = faithful(rng, d)
    delta = la.funm_herm(rho, lambda w: np.sin(7 * w))
    assert np.allclose(la.dlog(rho, delta), np.linalg.solve(rho, delta), atol=1e-10, rtol=0)
    # nearly degenerate spectrum (gap 1e-12 relative, inside the divided-difference switch):
    w = np.array([0.2, 0.2 * (1 + 1e-12), 0.6 - 0.2 * 1e-12])
    u = np.linalg.qr(random_complex(rng, 3, 3))[0]
    rho = u @ np.diag(w) @ u.conj().T
    delta = _herm_dir(rng, 3)
    h = 1e-5
    fd = (la.logm_pd(rho + h * delta) - la.logm_pd(rho - h * delta)) / (2 * h)
    # same bound as in the central-difference test with rmin = 0.2
    assert np.allclose(la.dlog(rho, delta), fd, atol=h**2 / 3 / 0.2**3 + 1e-9, rtol=0)
    # broadcast: (3, 4, d, d) states against one direction
    rhos = np.stack([faithful(rng, 3) for _ in range(12)]).reshape(3, 4, 3, 3)
    out = la.dlog(rhos, delta)
    assert out.shape == (3, 4, 3, 3)
    for i, j in itertools.product(range(3), range(4)):
        assert np.allclose(out[i, j], la.dlog(rhos[i, j], delta), atol=EXACT, rtol=0)
    with pytest.raises(ValueError, match="positive definite"):
        la.dlog(np.diag([1.0, 0.0]), delta[:2, :2])


# --- superoperator helpers (row-major vectorisation) ---------------------------

def test_vec_unvec(rng):
    x = random_complex(rng, 3, 4, 5, 5)
    v = la.vec(x)
    assert v.shape == (3, 4, 25)
    assert np.array_equal(v[1, 2], x[1, 2].reshape(-1))  # row-major
    assert np.array_equal(la.unvec(v), x)
    assert np.array_equal(la.unvec(v, 5), x)
    # tr X = vec(I)^t vec(X)
    assert abs(la.vec(np.eye(5)) @ la.vec(x[0, 0]) - np.trace(x[0, 0])) < EXACT


def test_sprepost_spre_spost_superop_commutator(rng):
    d = 4
    A, B, X = (random_complex(rng, d, d) for _ in range(3))
    # vec(A X B) = sprepost(A, B) vec(X)
    assert np.allclose(la.sprepost(A, B) @ la.vec(X), la.vec(A @ X @ B), atol=EXACT, rtol=0)
    assert np.allclose(la.spre(A) @ la.vec(X), la.vec(A @ X), atol=EXACT, rtol=0)
    assert np.allclose(la.spost(B) @ la.vec(X), la.vec(X @ B), atol=EXACT, rtol=0)
    H = random_hermitian(rng, d)
    assert np.allclose(la.superop_commutator(H) @ la.vec(X), la.vec(-1j * (H @ X - X @ H)), atol=EXACT, rtol=0)
    # composition: sprepost(A,B) sprepost(C,D) = sprepost(AC, DB)
    C, D = random_complex(rng, d, d), random_complex(rng, d, d)
    assert np.allclose(la.sprepost(A, B) @ la.sprepost(C, D), la.sprepost(A @ C, D @ B), atol=1e-11, rtol=0)
    # -i[H,.] is anti-Hermitian on Hilbert-Schmidt space
    S = la.superop_commutator(H)
    assert np.allclose(S.conj().T, -S, atol=EXACT, rtol=0)


def test_superop_helpers_broadcast(rng):
    A = random_complex(rng, 3, 4, 3, 3)
    B = random_complex(rng, 4, 3, 3)
    X = random_complex(rng, 3, 3)
    S = la.sprepost(A, B)
    assert S.shape == (3, 4, 9, 9)
    assert la.spre(A).shape == (3, 4, 9, 9) and la.spost(B).shape == (4, 9, 9)
    assert la.superop_commutator(A).shape == (3, 4, 9, 9)
    for i, j in itertools.product(range(3), range(4)):
        assert np.allclose(S[i, j] @ la.vec(X), la.vec(A[i, j] @ X @ B[j]), atol=EXACT, rtol=0)
        assert np.allclose(la.spre(A)[i, j], np.kron(A[i, j], np.eye(3)), atol=0, rtol=0)
    assert np.allclose(la.spost(B)[1], np.kron(np.eye(3), B[1].T), atol=0, rtol=0)


def test_linear_map_matrix_matches_sprepost_and_stacks(rng):
    from qrmlib.linalg import linear_map_matrix, sprepost
    A = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    B = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    # exact: both are the same products of the same entries
    np.testing.assert_allclose(linear_map_matrix(lambda X: A @ X @ B, 3), sprepost(A, B), rtol=0, atol=1e-14)
    # a stack of maps (leading axis on the images) and a map to a smaller space (partial trace)
    As = rng.normal(size=(2, 1, 3, 3))
    M = linear_map_matrix(lambda X: As @ X, 3)
    assert M.shape == (2, 9, 9) and M.flags.c_contiguous
    np.testing.assert_allclose(M[1], linear_map_matrix(lambda X: As[1, 0] @ X, 3), rtol=0, atol=0)
    T = linear_map_matrix(lambda X: np.trace(X, axis1=-2, axis2=-1)[..., None, None], 2)
    np.testing.assert_allclose(T, np.eye(2).reshape(1, 4), rtol=0, atol=0)
