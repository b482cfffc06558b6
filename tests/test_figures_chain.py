"""Figures 3-5 (the chain of Section 8): data vs per-point qrmlib, batched steady states, determinism."""

import json

import numpy as np
import pytest

from qrmlib import figures, linalg, series, tripartite
from qrmlib import models as M
from qrmlib.tripartite import TripartiteQRM

from qrmlib.testing import random_density, random_hermitian

P = dict(figures.CHAIN_PARAMS)
H = M.three_qubit_hamiltonian(P["e_A"], P["e_B"], P["e_C"], P["U"], P["J_alpha"], P["J_beta"])


def chain(t_A, t_B):
    return M.three_qubit_qrm(t_A, t_B, **P)


def closed(t_A, t_B):
    return P["J_alpha"], P["J_beta"], P["gamma_A"], P["gamma_B"], t_A, t_B


# --- tripartite.steady_state_batch ------------------------------------------------------------


def test_chain_params_are_the_captions():
    assert {**P, "t_A": 0.95} == M.FIG_PARAMS


@pytest.mark.parametrize("which", ["full", "A", "B"])
def test_steady_state_batch_matches_per_point_chain(which):
    tB = np.array([0.05, 0.6, 0.93])
    g = np.array([-2.0, 1e-5, 0.01, 0.7, 5.0, 300.0])  # scaled and bordered paths
    out = tripartite.steady_state_batch(
        H, M.reset_state(0.95), M.reset_state(tB)[:, None], P["gamma_A"], P["gamma_B"], (2, 2, 2), g, which=which
    )
    assert out.shape == (3, 6, 8, 8)
    for i, t in enumerate(tB):
        m = chain(0.95, t)
        ref = {"full": m.steady_state, "A": m.steady_state_A, "B": m.steady_state_B}[which](g)
        assert np.max(np.abs(out[i] - ref)) < 1e-12


@pytest.mark.parametrize("which", ["full", "A", "B"])
def test_steady_state_batch_matches_per_point_random(which):
    rng = np.random.default_rng(31)
    dims = (2, 3, 2)
    Hr = random_hermitian(rng, 12)
    tA = np.stack([random_density(rng, 2) for _ in range(2)])
    tB = np.stack([random_density(rng, 2) for _ in range(3)])
    gA = np.array([0.6, 1.4])
    g = np.array([0.01, 0.4, 7.0])
    out = tripartite.steady_state_batch(
        Hr, tA[:, None, None], tB[None, :, None], gA[:, None, None], 0.9, dims, g, which=which
    )
    assert out.shape == (2, 3, 3, 12, 12)
    for i in range(2):
        for j in range(3):
            m = TripartiteQRM(Hr, tA[i], tB[j], gA[i], 0.9, dims)
            ref = {"full": m.steady_state, "A": m.steady_state_A, "B": m.steady_state_B}[which](g)
            assert np.max(np.abs(out[i, j] - ref)) < 1e-12


def test_steady_state_batch_methods_agree_and_validate():
    tB = M.reset_state(np.array([0.3, 0.8]))[:, None]
    g = np.array([0.05, 1.0])
    args = (H, M.reset_state(0.95), tB, P["gamma_A"], P["gamma_B"], (2, 2, 2), g)
    a = tripartite.steady_state_batch(*args, method="scaled")
    b = tripartite.steady_state_batch(*args, method="bordered")
    c = tripartite.steady_state_batch(*args)
    assert np.max(np.abs(a - b)) < 1e-12 and np.max(np.abs(a - c)) < 1e-15  # bordered: condition ~ g^-2
    assert np.max(np.abs(np.trace(a, axis1=-2, axis2=-1) - 1)) < 1e-15
    assert np.max(np.abs(a - linalg.dagger(a))) == 0
    with pytest.raises(ValueError, match="nonzero"):
        tripartite.steady_state_batch(*args[:-1], np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="method"):
        tripartite.steady_state_batch(*args, method="lu")
    with pytest.raises(ValueError, match="which"):
        tripartite.steady_state_batch(*args, which="C")
    with pytest.raises(ValueError, match="tau_B"):
        tripartite.steady_state_batch(H, M.reset_state(0.95), 2 * M.reset_state(0.5), 0.7, 0.6, (2, 2, 2), g)
    with pytest.raises(ValueError, match="dims"):
        tripartite.steady_state_batch(H, M.reset_state(0.95), M.reset_state(0.5), 0.7, 0.6, (2, 2), g)


def test_steady_state_pencil_reproduces_the_class_system():
    m = chain(0.95, 0.7)
    Pn = tripartite.steady_state_pencil(m.H, m.tau_A, m.tau_B, m.gamma_A, m.gamma_B, m.dims)
    S = m._scaled["full"]
    assert np.max(np.abs(Pn["A0"] - S.A0)) < 1e-15 and np.max(np.abs(Pn["A1"] - S.A1)) < 1e-15
    assert np.max(np.abs(Pn["L0"] - m.L0_superop)) < 1e-15 and np.max(np.abs(Pn["L1"] - m.L1_superop)) == 0


def test_real_form_is_exact():
    """The real coordinates Re x + Im x of Hermitian unknowns: C^-1 M C real for a Hermiticity-preserving M."""
    m = chain(0.95, 0.7)
    S = m.L_superop(0.3)
    perm = tripartite._herm_perm((8,))
    R = tripartite._real_form(S, perm, perm)
    rng = np.random.default_rng(2)
    X = random_hermitian(rng, 8)
    v = tripartite._real_vec(X.reshape(-1), perm)
    assert np.max(np.abs(tripartite._complex_vec(v, perm) - X.reshape(-1))) < 1e-15
    assert np.max(np.abs(tripartite._complex_vec(R @ v, perm) - S @ X.reshape(-1))) < 1e-15


# --- Figure 3 ------------------------------------------------------------------------------------


def test_fig3_data_matches_per_point():
    data = figures.fig3_data(n=4)
    g, tB = data["g"], data["t_B"]
    assert data["T"].shape == (4, 4) and np.allclose(g[[0, -1]], [1e-3, 3.0])
    for i, t in enumerate(tB):
        m = chain(0.95, t)
        approx = M.rho0_chain(*closed(0.95, t)) + g[:, None, None] * M.rho1(*closed(0.95, t))
        ref = linalg.trace_distance(m.steady_state(g), approx)
        assert np.max(np.abs(data["T"][i] - ref)) < 8 * np.finfo(float).eps  # a few ulps of O(1) entries
        rho2 = m.perturbative().series(2)[2]
        assert np.max(np.abs(data["rho2"][i] - rho2)) < 1e-15
        assert data["limit"][i] == pytest.approx(0.5 * np.abs(np.linalg.eigvalsh(rho2)).sum(), rel=1e-13)
    np.testing.assert_allclose(data["T_over_g2"], data["T"] / g**2, rtol=1e-15)


# --- Figure 4 ------------------------------------------------------------------------------------


def test_fig4_data_matches_per_point_and_recursion():
    data = figures.fig4_data(n=5, g_range=(3e-2, 2.0))
    g, tB = data["g"], data["t_B"]
    assert data["R4"].shape == (5, 5) and data["from_contour"].tolist() == list(g < 0.5)
    for i, t in enumerate(tB):
        m = chain(0.95, t)
        s2 = M.sigma2_chain(*closed(0.95, t))
        assert data["sigma2"][i] == s2
        s = m.entropy_production(g, 0.5)[0]
        # the same sigma up to round-off (the remainders amplify it by 1/g^4)
        np.testing.assert_allclose(data["R4_double"][i] * g**4, s - g**2 * s2, rtol=0, atol=1e-15)
        np.testing.assert_allclose(data["R2_double"][i] * g**2, s - g**2 * s2, rtol=0, atol=1e-15)
        # exact and double agree where double precision is accurate (g >= 3e-2)
        if s2 > 0:
            assert np.max(np.abs(data["R4"][i] / data["R4_double"][i] - 1)) < 1e-3
            rho4 = m.perturbative().series(4)[4]
            rec = (
                -P["gamma_A"] * np.trace(linalg.partial_trace(rho4, (2, 2, 2), 0) @ linalg.logm_pd(m.tau_A))
                - P["gamma_B"] * np.trace(linalg.partial_trace(rho4, (2, 2, 2), 2) @ linalg.logm_pd(m.tau_B))
            ).real
            assert data["sigma4"][i] == pytest.approx(rec, rel=1e-10)
        else:
            assert np.max(np.abs(data["R4"][i])) < 1e-15 and np.isnan(data["g_break"][i])
    np.testing.assert_allclose(data["taylor"][:, 2], data["sigma2"], rtol=0, atol=1e-16)
    assert np.all(data["R4"][:-1] < 0)


def test_fig4_exact_remainder_below_the_double_precision_breakdown():
    data = figures.fig4_data(n=9, g_range=(1e-4, 1e-2), t_B=(0.6,))
    R, Rd = data["R4"][0], data["R4_double"][0]
    assert np.max(np.abs(R / data["sigma4"][0] - 1)) < 1e-5  # flat: the O(g^4) constant
    assert np.abs(Rd[0] / R[0] - 1) > 1  # plain double at g = 1e-4: noise (>100% off)
    assert 1e-3 < data["g_break"][0] < 1e-2
    assert data["contour_error"] < 1e-15


# --- Figure 5 ------------------------------------------------------------------------------------


def test_fig5_data_matches_per_point():
    data = figures.fig5_data(n=5)
    g, tB, phi = data["a_g"], data["a_t_B"], data["a_phi_A"]
    assert phi.shape == (5, 5) and np.allclose(tB, [0.1, 0.3, 0.5, 0.7, 0.9])
    for i, t in enumerate(tB):
        fA, _ = chain(0.6, t).entropy_fluxes(g, 0.3)  # definition (7.6)
        assert np.max(np.abs(phi[i] - fA)) < 1e-14
    assert np.all(np.sign(phi) == np.sign(0.6 - tB)[:, None])
    assert np.max(np.abs(data["a_zero"])) < 1e-15
    gb, tA = data["b_g"], data["b_t_A"]
    for i, t in enumerate(tA):
        m = chain(t, 0.95)
        phi2 = M.entropy_fluxes_g2_chain(H, M.rho1(*closed(t, 0.95)), t, 0.95, 1.0)[0]
        assert data["b_phi2"][i] == pytest.approx(phi2, rel=1e-15)
        fA = m.entropy_fluxes(gb, 0.5)[0]
        np.testing.assert_allclose(data["b_R4_double"][i] * gb**4, fA - gb**2 * phi2, rtol=0, atol=1e-15)
        rho4 = m.perturbative().series(4)[4]
        rec = -P["gamma_A"] * np.trace(linalg.partial_trace(rho4, (2, 2, 2), 0) @ linalg.logm_pd(m.tau_A)).real
        assert data["b_phi4"][i] == pytest.approx(rec, rel=1e-10)
    np.testing.assert_allclose(data["b_taylor"][:, 2], data["b_phi2"], rtol=0, atol=1e-16)


def test_fig5_exact_remainder_against_cauchy_directly():
    data = figures.fig5_data(n=4, g_range_b=(1e-4, 0.3))
    m = chain(0.6, 0.95)
    fz = series.entropy_fluxes_analytic(*series.model_args(m), series.circle(1.5, 128), 0.5)[0]
    R = series.cauchy_remainder(fz, 1.5, data["b_g"], 4).real
    assert np.max(np.abs(data["b_R4"][0] / R - 1)) < 1e-10


# --- registry, files ------------------------------------------------------------------------------


def test_registered_with_captions_and_json_params():
    for k, cap in ((3, figures.FIG3_CAPTION), (4, figures.FIG4_CAPTION), (5, figures.FIG5_CAPTION)):
        spec = figures.FIGURES[k]
        assert spec.caption == cap
        data = spec.data(n=3)
        params = json.loads(json.dumps(data["params"]))
        assert params["figure"] == k and params["caption"] == cap
    assert "t_A = 0.95" in figures.FIG3_CAPTION and "t_B = 0.6, 0.7, 0.8, 0.9, 0.95" in figures.FIG4_CAPTION
    with pytest.raises(ValueError, match="unknown chain parameters"):
        figures.fig3_data(n=3, J_gamma=0.1)


# Determinism of the written files (Figures 1-5): tests/test_figures.py.


def test_cli_default_figures_3_to_5_small_files(tmp_path):
    written = figures.main(["--only", "3,4,5", "--outdir", str(tmp_path), "--quiet"])
    assert sorted(p.name for p in written) == sorted(
        f"fig{k}.{e}" for k in (3, 4, 5) for e in ("pdf", "png", "npz", "svg")
    )
    for p in written:
        assert 0 < p.stat().st_size < 2_000_000, p.name
    data = figures.load_npz(tmp_path / "fig5.npz")
    assert data["a_phi_A"].shape == (200, 200)
