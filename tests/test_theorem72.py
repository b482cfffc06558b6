"""Tests of qrmlib.theorem72: the search for the exceptional case of Theorem 7.2 (issue 14)."""

import json
import os

import numpy as np
import pytest

from qrmlib import TripartiteQRM, theorem72 as t72
from qrmlib.testing import random_tripartite

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "book", "data", "theorem72_search.json")
KEYS = {
    "dims",
    "H_re",
    "H_im",
    "tau_A_re",
    "tau_A_im",
    "tau_B_re",
    "tau_B_im",
    "gamma_A",
    "gamma_B",
    "sigma2_coeffs",
    "lam_star",
    "sigma2_min",
    "c_sum",
}


@pytest.fixture(scope="module")
def model():
    return random_tripartite(11, (2, 3, 2), mix=0.2)


def test_quadratic_is_sigma2(model):
    p = model.perturbative()
    A, B, C = t72.quadratic(p.coefficients())
    lam = np.array([-2.0, -0.3, 0.25, 0.7, 1.9])
    np.testing.assert_allclose(A * lam**2 + B * lam + C, p.sigma2(lam), rtol=1e-13, atol=1e-15)


def test_evaluate_objectives_against_a_grid(model):
    ev = t72.evaluate(model)
    p = model.perturbative()
    c = p.coefficients()
    lam = np.linspace(-3, 4, 700001)
    s = p.sigma2(lam)
    csum = c["c_A"] + c["c_B"]
    assert ev.feasible and ev.violation == 0.0
    assert ev.c_sum == pytest.approx(csum, rel=1e-14)
    assert ev.lam_star == pytest.approx(lam[np.argmin(s)], abs=2e-5)
    assert ev.ratio == pytest.approx(s.min() / csum, rel=1e-9)
    assert ev.kappa == pytest.approx(ev.ratio / abs(ev.lam_star * (1 - ev.lam_star)), rel=1e-14)
    inner = lam[(lam > 0) & (lam < 1)]
    klin = np.min(p.sigma2(inner) / (inner * (1 - inner) * csum))
    assert ev.k_lin == pytest.approx(klin, rel=1e-8)  # the closed form of the module docstring


def test_objectives_are_scale_free(model):
    """r and kappa are unchanged under H -> sH and (gamma_A, gamma_B) -> s (gamma_A, gamma_B)."""
    ev = t72.evaluate(model)
    m1 = TripartiteQRM(3.7 * model.H, model.tau_A, model.tau_B, model.gamma_A, model.gamma_B, model.dims)
    m2 = TripartiteQRM(model.H, model.tau_A, model.tau_B, 0.2 * model.gamma_A, 0.2 * model.gamma_B, model.dims)
    for m in (m1, m2):
        e = t72.evaluate(m)
        assert e.ratio == pytest.approx(ev.ratio, rel=1e-9)
        assert e.kappa == pytest.approx(ev.kappa, rel=1e-9)
        assert e.lam_star == pytest.approx(ev.lam_star, rel=1e-9)


@pytest.mark.parametrize("dims", t72.DIMS)
def test_parametrisation(dims):
    P = t72.Parametrisation(dims, rank=10, seed=3)
    th = P.draw(np.random.default_rng(1))
    H, tA, tB, gA, gB = P.arrays(th)
    assert th.shape == (P.size,) and P.size == 10 + dims[0] ** 2 + dims[2] ** 2 + 1
    assert np.linalg.norm(H) == pytest.approx(1.0) and np.allclose(H, H.conj().T)
    for t in (tA, tB):
        assert np.trace(t).real == pytest.approx(1.0) and np.linalg.eigvalsh(t).min() > 0
    assert gA * gB == pytest.approx(1.0)
    assert P.model(th).dims == tuple(dims)


def test_parametrisation_base_reproduces_the_instance(model):
    P = t72.Parametrisation(model.dims, rank=5, seed=0, base=model)
    e0, e1 = t72.evaluate(model), t72.evaluate(P.model(np.zeros(P.size)))
    assert e1.ratio == pytest.approx(e0.ratio, rel=1e-8) and e1.kappa == pytest.approx(e0.kappa, rel=1e-8)


def test_full_rank_basis_is_orthonormal():
    P = t72.Parametrisation((2, 2, 2))
    G = np.einsum("iab,jab->ij", P.basis.conj(), P.basis)
    np.testing.assert_allclose(G, np.eye(64), atol=1e-14)


def test_objective_penalises_margins(model):
    P = t72.Parametrisation(model.dims, rank=5, seed=0, base=model)
    th = np.zeros(P.size)
    v, ev = P.objective(th, objective="ratio")
    assert v == pytest.approx(ev.ratio)
    v_strict, ev_strict = P.objective(th, objective="ratio", margin=0.49)
    assert not ev_strict.feasible and v_strict > v + 1.0


@pytest.mark.parametrize("dims", [(2, 2, 2), (2, 3, 2)])
def test_coincidence_instance(dims):
    """Chapter 7's family: both sigma2_A and sigma2_B minimal at gamma_A/(gamma_A + gamma_B)."""
    m = t72.coincidence_instance(5, dims)
    c = m.perturbative().coefficients()
    lam0 = m.gamma_A / (m.gamma_A + m.gamma_B)
    assert -c["b_A"] / (2 * c["a_A"]) == pytest.approx(lam0, abs=1e-10)
    assert 1 + c["b_B"] / (2 * c["a_B"]) == pytest.approx(lam0, abs=1e-10)
    assert t72.evaluate(m).lam_star == pytest.approx(lam0, abs=1e-10)


@pytest.mark.parametrize("method", ["Nelder-Mead", "Powell", "L-BFGS-B"])
def test_local_search_decreases_and_keeps_feasible_points(method):
    P = t72.Parametrisation((2, 2, 2), rank=8, seed=2)
    th = P.draw(np.random.default_rng(4))
    v0, _ = P.objective(th, objective="kappa")
    res = t72.local_search(P, th, objective="kappa", method=method, maxfev=120)
    assert res.nfev <= 120 and res.trace.shape == (res.nfev,)
    assert np.all(np.diff(res.trace[np.isfinite(res.trace)]) <= 0)
    assert res.value <= v0 and res.evaluation.feasible
    assert t72.evaluate(P.model(res.theta)).kappa == pytest.approx(res.value, rel=1e-12)


def test_run_search_schema_and_roundtrip(tmp_path):
    doc, log = t72.run_search(dims_list=((2, 2, 2),), screen=6, starts=2, maxfev=20, rank=6, seed=1)
    assert set(doc) == {"method", "instances_searched", "counterexample", "best"}
    assert doc["instances_searched"] == 6 + 1 + sum(r["nfev"] for r in log["runs"])
    assert len(log["runs"]) == 2 * 2 * 2 and 1 <= len(doc["best"]) <= 5
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc))
    rec = json.loads(path.read_text())["best"][0]
    assert set(rec) == KEYS
    m = t72.model_from_record(rec)
    ev = t72.evaluate(m)
    assert ev.ratio * ev.c_sum == pytest.approx(rec["sigma2_min"], rel=1e-9)
    assert min(r["value"] for r in log["runs"] if r["value"] is not None) == pytest.approx(
        min(min(r["ratio"], r["kappa"]) for r in log["runs"] if r["value"] is not None)
    )


def test_verify_record_exact_ep_matches_the_quadratic(model):
    rec = t72.instance_record(model)
    v = t72.verify_record(rec, g=(1e-3, 2e-3))
    assert v.lam == rec["lam_star"]
    np.testing.assert_allclose(v.exact_over_g2, v.sigma2, rtol=2e-2)
    np.testing.assert_allclose(v.recomputed, rec["sigma2_coeffs"], rtol=1e-12)


def test_run_search_is_seeded():
    kw = dict(dims_list=((2, 2, 2),), screen=3, starts=1, maxfev=10, methods=("Powell",), rank=4, seed=7)
    assert t72.run_search(**kw)[0] == t72.run_search(**kw)[0]


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: t72.quadratic({"a_A": 1.0}), "coefficients"),
        (lambda: t72.evaluate("x"), "model"),
        (lambda: t72.evaluate(random_tripartite(1), margin=-1.0), "margin"),
        (lambda: t72.Parametrisation((2, 2)), "dims"),
        (lambda: t72.Parametrisation((2, 2, 2), rank=0), "rank"),
        (lambda: t72.Parametrisation((2, 2, 2)).arrays(np.zeros(3)), "theta"),
        (lambda: t72.local_search(t72.Parametrisation((2, 2, 2)), np.zeros(73), method="bogus"), "method"),
        (lambda: t72.run_search(dims_list=[]), "dims_list"),
        (lambda: t72.model_from_record({}), "record"),
        (lambda: t72.verify_record(t72.instance_record(random_tripartite(1)), g=(0.5,)), "g"),
    ],
)
def test_invalid_input_names_the_argument(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


@pytest.mark.skipif(not os.path.exists(DATA), reason="book/data/theorem72_search.json not written (make search)")
def test_stored_search_result():
    """The stored result of `make search`: the schema of issue 14, and its best instances reproduce."""
    doc = json.loads(open(DATA).read())
    assert set(doc) == {"method", "instances_searched", "counterexample", "best"}
    assert doc["counterexample"] is False and 1 <= len(doc["best"]) <= 5
    for rec in doc["best"]:
        assert set(rec) == KEYS
        ev = t72.evaluate(t72.model_from_record(rec))
        assert ev.feasible
        np.testing.assert_allclose(
            [*ev.quadratic, ev.lam_star, ev.c_sum],
            [*rec["sigma2_coeffs"], rec["lam_star"], rec["c_sum"]],
            rtol=1e-9,
            atol=1e-14,
        )
