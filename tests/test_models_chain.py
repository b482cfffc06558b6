"""The three-qubit chain of Section 8: printed closed forms (8.10)-(8.29) vs the generic machinery."""

import numpy as np
import pytest

from qrmlib import _models_chain as mc
from qrmlib.linalg import logm_pd, partial_trace, trace_distance

P_FIG = dict(mc.FIG_PARAMS)
T_B_FIG = [0.6, 0.7, 0.8, 0.9]  # Figs. 3-4


def random_params(seed):
    rng = np.random.default_rng(seed)
    return dict(e_A=rng.uniform(-1, 1), e_B=rng.uniform(-1, 1), e_C=rng.uniform(-1, 1), U=rng.uniform(-1, 1),
                J_alpha=rng.uniform(0.2, 1), J_beta=rng.uniform(0.2, 1), gamma_A=rng.uniform(0.3, 2),
                gamma_B=rng.uniform(0.3, 2), t_A=rng.uniform(0.1, 0.9)), rng.uniform(0.1, 0.9)


CASES = [("fig", dict(P_FIG), t) for t in T_B_FIG] + [
    (f"random{s}",) + random_params(s) for s in (1, 2, 3)]
IDS = [f"{c[0]}-tB{c[2]:.2f}" for c in CASES]


def model(p, t_B):
    kw = {k: v for k, v in p.items() if k != "t_A"}
    return mc.three_qubit_qrm(p["t_A"], t_B, **kw)


def closed_args(p, t_B):
    return (p["J_alpha"], p["J_beta"], p["gamma_A"], p["gamma_B"], p["t_A"], t_B)


def slope(x, y):
    return np.polyfit(np.log(x), np.log(y), 1)[0]


# --- (8.1)-(8.4), (8.8) ---------------------------------------------------------------------

def test_hamiltonian_matrix_elements():
    e_A, e_B, e_C, U, Ja, Jb = 0.3, 0.5, 0.7, 0.11, 0.13, 0.17
    H = mc.three_qubit_hamiltonian(e_A, e_B, e_C, U, Ja, Jb)
    k = {s: int(s, 2) for s in ("000", "001", "010", "011", "100", "101", "110", "111")}  # |a c b>
    assert H.shape == (8, 8) and np.max(np.abs(H - H.conj().T)) == 0
    diag = {"000": 0, "001": e_B, "010": e_C, "100": e_A, "011": e_C + e_B + U, "110": e_A + e_C + U,
            "101": e_A + e_B, "111": e_A + e_B + e_C + 2 * U}
    for s, v in diag.items():
        assert abs(H[k[s], k[s]] - v) < 1e-15
    assert H[k["010"], k["100"]] == Ja and H[k["011"], k["101"]] == Ja  # A-C hopping, b = 0, 1
    assert H[k["001"], k["010"]] == Jb and H[k["101"], k["110"]] == Jb  # C-B hopping, a = 0, 1
    assert np.count_nonzero(H - np.diag(np.diag(H))) == 8
    # conserves the number of excitations
    N = np.diag([bin(i).count("1") for i in range(8)])
    assert np.max(np.abs(H @ N - N @ H)) == 0
    # tensor structure of (8.1)-(8.2)
    n1, I2 = np.diag([0.0, 1.0]), np.eye(2)
    kr = lambda *a: a[0] if len(a) == 1 else np.kron(a[0], kr(*a[1:]))  # noqa: E731
    hop = np.array([[0, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0]])
    H_ref = (e_A * kr(n1, I2, I2) + e_C * kr(I2, n1, I2) + e_B * kr(I2, I2, n1)
             + U * (kr(n1, n1, I2) + kr(I2, n1, n1)) + Ja * np.kron(hop, I2) + Jb * np.kron(I2, hop))
    assert np.max(np.abs(H - H_ref)) < 1e-15


def test_hamiltonian_and_closed_forms_broadcast():
    t_B = np.array([0.6, 0.7, 0.8])
    H = mc.three_qubit_hamiltonian(np.array([0.1, 0.2])[:, None], 0.1, 0.05, 0.1, 0.05, t_B)
    assert H.shape == (2, 3, 8, 8)
    assert np.max(np.abs(H[1, 2] - mc.three_qubit_hamiltonian(0.2, 0.1, 0.05, 0.1, 0.05, 0.8))) == 0
    args = closed_args(P_FIG, t_B)
    for f in (mc.rho1, mc.commutator_H_rho0, mc.rho0_chain):
        out = f(*args)
        assert out.shape == (3, 8, 8)
        assert np.max(np.abs(out[1] - f(*closed_args(P_FIG, 0.7)))) == 0
    assert mc.sigma2_chain(*args).shape == (3,)
    assert mc.reset_state(t_B).shape == (3, 2, 2)
    assert mc.partial_steady_state_chain(t_B).shape == (3, 8, 8)


# --- (8.10)-(8.14) ------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_eq_8_10_8_14_partial_steady_states_exact(case):
    _, p, t_B = case
    m = model(p, t_B)
    P = m.perturbative()
    g = np.array([1e-3, 0.1, 1.0, 10.0])
    for t, f, L in ((p["t_A"], m.steady_state_A, m.L_A), (t_B, m.steady_state_B, m.L_B)):
        tau3 = mc.partial_steady_state_chain(t)
        # (8.10): L^#_g(tau ⊗ tau ⊗ tau) = 0 for all g, lam
        assert np.max(np.abs(L(tau3, g[:, None], np.array([-1.0, 0.4, 2.0])))) < 1e-15
        # (8.14): it is the unique steady state
        assert np.max(np.abs(f(g) - tau3)) < 1e-13
    assert np.max(np.abs(P.rho0_A - mc.partial_steady_state_chain(p["t_A"]))) < 1e-14
    assert np.max(np.abs(P.rho0_B - mc.partial_steady_state_chain(t_B))) < 1e-14
    for X in (P.rho1_A, P.rho1_B, P.Q1_A, P.Q1_B):  # "rho#_1 = 0, Q#_1 = 0"
        assert np.max(np.abs(X)) < 1e-14


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_eq_8_11_8_12_8_13(case):
    _, p, t_B = case
    m = model(p, t_B)
    P = m.perturbative()
    e = (p["e_A"], p["e_B"], p["e_C"], p["U"])
    assert np.max(np.abs(P.H_tau - mc.hbar_tau(*e, p["t_A"], t_B))) < 1e-15  # (8.11)
    assert np.max(np.abs(P.H_tau_A - mc.hbar_tau_A(*e, p["J_beta"], p["t_A"]))) < 1e-15  # (8.12)
    assert np.max(np.abs(P.H_tau_B - mc.hbar_tau_B(*e, p["J_alpha"], t_B))) < 1e-15
    # "identical matrix with A and B exchanged": literally true in the |c a> basis
    swap = [0, 2, 1, 3]
    assert np.max(np.abs(P.H_tau_B[np.ix_(swap, swap)] - mc.hbar_tau_B(*e, p["J_alpha"], t_B, order="CA"))) < 1e-15
    spec = np.sort(mc.hbar_tau_A_spectrum(*e, p["J_beta"], p["t_A"]))  # (8.13)
    assert np.max(np.abs(spec - np.linalg.eigvalsh(P.H_tau_A))) < 1e-14
    # simple spectrum of (8.11) iff U((1 - t_A) + (1 - t_B)) + e_C != 0
    gap = np.diff(np.linalg.eigvalsh(P.H_tau))[0]
    assert abs(gap - abs(p["U"] * ((1 - p["t_A"]) + (1 - t_B)) + p["e_C"])) < 1e-15


def test_Phi_A_is_16x4_on_diagonals():
    """§8.2: Phi^A_D 'is a 16x4 matrix' with a one-dimensional kernel (Coup^A)."""
    P = model(P_FIG, 0.6).perturbative()
    M = P.part_A.Phi_on_diag
    assert M.shape == (16, 4)
    s = np.linalg.svd(M, compute_uv=False)
    assert s[-1] < 1e-15 * s[0] and s[-2] > 1e-3 * s[0]
    assert P.hypotheses()["Coup^A"].holds and P.hypotheses()["Coup^B"].holds


# --- (8.15)-(8.19), Fig. 3 ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_eq_8_16_8_17_8_18_8_24(case):
    _, p, t_B = case
    m = model(p, t_B)
    P = m.perturbative()
    a = closed_args(p, t_B)
    assert np.max(np.abs(P.rho0_C - mc.rho0_C(*a))) < 1e-14  # (8.17)
    assert np.max(np.abs(P.rho0 - mc.rho0_chain(*a))) < 1e-14  # (8.16)
    assert np.max(np.abs(P.rho1 - mc.rho1(*a))) < 1e-14  # (8.18)
    assert np.max(np.abs(m.H @ P.rho0 - P.rho0 @ m.H - mc.commutator_H_rho0(*a))) < 1e-14  # (8.24)


def test_rho0_rho1_independent_of_energies():
    """§8.3: rho0, rho1 do not depend on e_A, e_B, e_C, U."""
    p = dict(P_FIG)
    ref = model(p, 0.7).perturbative()
    q = dict(p, e_A=-0.3, e_B=0.4, e_C=0.2, U=-0.25)
    other = model(q, 0.7).perturbative()
    assert np.max(np.abs(ref.rho0 - other.rho0)) < 1e-14
    assert np.max(np.abs(ref.rho1 - other.rho1)) < 1e-14


@pytest.mark.parametrize("t_B", T_B_FIG)
def test_fig3_trace_distance_order_g2(t_B):
    """Fig. 3: T(rho+_g, rho0 + g rho1) = O(g^2) (slope 2 +- 0.1 over g in [1e-3, 1e-1]), with closed forms."""
    m = model(P_FIG, t_B)
    g = np.logspace(-3, -1, 9)
    a = closed_args(P_FIG, t_B)
    approx = mc.rho0_chain(*a) + g[:, None, None] * mc.rho1(*a)
    exact = m.steady_state(g)
    assert abs(slope(g, trace_distance(exact, approx)) - 2) < 0.1
    assert abs(slope(g, np.linalg.norm(exact - approx, axis=(-1, -2))) - 2) < 0.1


# --- (8.20)-(8.23), Fig. 4 -------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_eq_8_20_to_8_23(case):
    _, p, t_B = case
    m = model(p, t_B)
    P = m.perturbative()
    c = P.coefficients()
    scale = c["c_A"] + c["c_B"]
    for k in ("a_A", "b_A", "a_B", "b_B"):  # (8.22): a# = 0 forces b# = 0
        assert abs(c[k]) < 1e-12 * scale
    assert c["c_A"] > 0 and c["c_B"] > 0
    s2 = mc.sigma2_chain(*closed_args(p, t_B))  # (8.23) from the closed forms
    lam = np.array([-3.0, 0.2, 0.5, 4.0])
    # sigma2 ~ 5e-3 is assembled from traces of O(1) matrices: its round-off floor is a few
    # ulps absolute (8.4e-16 measured with OpenBLAS' Haswell kernels), so the relative
    # tolerance carries an explicit floor of 16 eps.
    assert np.max(np.abs(P.sigma2(lam) - s2)) < 1e-13 * s2 + 16 * np.finfo(float).eps
    g = 1e-2
    s, sA, sB = m.entropy_production(g, lam)
    assert np.max(np.abs(s / g**2 - s2)) < 1e-3 * s2
    assert np.max(np.abs(sA / g**2 - c["c_A"])) < 1e-3 * s2  # (8.20)
    assert np.max(np.abs(sB / g**2 - c["c_B"])) < 1e-3 * s2  # (8.21)
    # sigma independent of lam (absolute round-off of sigma: ~eps * g * |ln rho|)
    assert np.max(np.abs(s - s[0])) < 1e-15 * g


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_fig4_sigma_remainder_order_g4_and_negative(case):
    """Fig. 4: sigma - g^2 sigma2 = O(g^4) (slope 4 +- 0.1 over g in [1e-2, 1e-1]) and < 0."""
    _, p, t_B = case
    m = model(p, t_B)
    g = np.logspace(-2, -1, 6)
    s, _, _ = m.entropy_production(g, 0.3)
    res = s - g**2 * mc.sigma2_chain(*closed_args(p, t_B))
    assert np.all(res < 0)
    assert abs(slope(g, -res) - 4) < 0.1


# --- (8.26)-(8.29), Fig. 5 ---------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_eq_8_27_fluxes_exact_all_g(case):
    _, p, t_B = case
    m = model(p, t_B)
    g = np.array([1e-2, 0.1, 1.0, 5.0])
    rho = m.steady_state(g)
    fA_c, fB_c = mc.entropy_fluxes_chain(rho, p["t_A"], t_B, p["gamma_A"], p["gamma_B"])
    s, _, _ = m.entropy_production(g, 0.5)
    for lam in (-1.0, 0.3, 2.0):
        fA, fB = m.entropy_fluxes(g, lam)
        assert np.max(np.abs(fA - fA_c)) < 1e-13 * np.max(np.abs(fA_c))
        assert np.max(np.abs(fB - fB_c)) < 1e-13 * np.max(np.abs(fB_c))
        assert np.max(np.abs(fA + fB - s)) < 1e-13 * np.max(s)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_eq_8_28_8_29_g2_fluxes(case):
    """(8.28): tr_CB rho1 = tr_AC rho1 = 0 and phi = g^2 tr(D(rho2) ln tau) + ...; (8.29) with remainder O(g^4)
    (Fig. 5b: slope 4 +- 0.1 over g in [1e-2, 1e-1])."""
    _, p, t_B = case
    m = model(p, t_B)
    P = m.perturbative()
    a = closed_args(p, t_B)
    r1 = mc.rho1(*a)
    assert np.max(np.abs(partial_trace(r1, (2, 2, 2), 0))) < 1e-15
    assert np.max(np.abs(partial_trace(r1, (2, 2, 2), 2))) < 1e-15
    lnA = np.kron(logm_pd(mc.reset_state(p["t_A"])), np.eye(4))
    lnB = np.kron(np.eye(4), logm_pd(mc.reset_state(t_B)))
    rho2 = P.series(2)[2]
    fA2, fB2 = mc.entropy_fluxes_g2_chain(m.H, r1, p["t_A"], t_B, 1.0)
    # (8.28) = (8.29) at order g^2
    assert abs(np.trace(m.D_A(rho2) @ lnA) - fA2) < 1e-13 * abs(fA2)
    assert abs(np.trace(m.D_B(rho2) @ lnB) - fB2) < 1e-13 * abs(fB2)
    assert abs(-p["gamma_A"] * np.trace(partial_trace(rho2, (2, 2, 2), 0) @ logm_pd(mc.reset_state(p["t_A"])))
               - fA2) < 1e-13 * abs(fA2)
    g = np.logspace(-2, -1, 6)
    fA, fB = m.entropy_fluxes(g, 0.4)
    gA, gB = mc.entropy_fluxes_g2_chain(m.H, r1, p["t_A"], t_B, g)
    assert abs(slope(g, np.abs(fA - gA)) - 4) < 0.1
    assert abs(slope(g, np.abs(fB - gB)) - 4) < 0.1


def test_fluxes_sign_and_the_t_half_exception():
    """§8.4/Fig. 5: phi_A changes sign with t_A - t_B and vanishes at t_B = t_A.  The claim
    'fluxes vanish only for t_B = t_A' has the exception t_B = 1/2, where phi_B = 0 for all g."""
    p = dict(P_FIG, t_A=0.6)
    g = np.array([0.01, 0.1, 1.0])
    signs = []
    for t_B in (0.3, 0.59, 0.61, 0.9):
        fA, _ = model(p, t_B).entropy_fluxes(g, 0.4)
        signs.append(np.sign(fA))
    assert np.all(signs[0] > 0) and np.all(signs[1] > 0) and np.all(signs[2] < 0) and np.all(signs[3] < 0)
    fA, fB = model(p, 0.6).entropy_fluxes(g, 0.4)
    assert np.max(np.abs(fA)) < 1e-15 and np.max(np.abs(fB)) < 1e-15
    m = model(p, 0.5)
    fA, fB = m.entropy_fluxes(g, 0.4)
    s, _, _ = m.entropy_production(g, 0.4)
    assert np.max(np.abs(fB)) < 1e-15 and np.all(fA > 1e-8) and np.max(np.abs(fA - s)) < 1e-15


# --- Proposition 7.4 on the chain: t_A = t_B -------------------------------------------------------------

@pytest.mark.parametrize("t", [0.6, 0.95])
def test_equilibrium_t_A_equals_t_B(t):
    p = dict(P_FIG, t_A=t)
    m = model(p, t)
    P = m.perturbative()
    tau3 = mc.partial_steady_state_chain(t)
    a = closed_args(p, t)
    assert np.max(np.abs(mc.commutator_H_rho0(*a))) == 0 and np.max(np.abs(mc.rho1(*a))) == 0
    assert np.max(np.abs(P.rho0 - tau3)) < 1e-14
    assert np.max(np.abs(m.H @ P.rho0 - P.rho0 @ m.H)) < 1e-15
    assert np.max(np.abs(P.sigma2(np.array([-1.0, 0.5, 3.0])))) < 1e-15
    assert abs(mc.sigma2_chain(*a)) < 1e-15
    g = np.array([0.01, 0.5, 3.0])
    assert np.max(np.abs(m.steady_state(g) - tau3)) < 1e-13
    s, _, _ = m.entropy_production(g, 0.3)
    assert np.max(np.abs(s)) < 1e-14
