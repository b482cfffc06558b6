"""Stacked parameters on TripartiteQRM (issue 10, item 1): one model for a stack of parameter sets.

Every stacked result is compared with the single-set models, built and solved one by one
(independent paths: the per-model engine, and the SVD null vector of the dense superoperator),
on random instances of dims (2,2,2), (2,3,2), (3,2,2), real and complex H."""

import numpy as np
import pytest

from qrmlib import models as M
from qrmlib.testing import dense_superop_steady_state, random_tripartite
from qrmlib.tripartite import TripartiteQRM, steady_state_batch, steady_state_matrix_free

DIMS = [(2, 2, 2), (2, 3, 2), (3, 2, 2)]
G = np.array([1e-5, 3e-3, 0.2, 4.0, 300.0])


def stack_of(seed, dims, real, k=3):
    """``k`` random single models and the one stacked model of their parameters."""
    ms = [
        random_tripartite(seed + j, dims, real=real, mix=0.2, hnorm=None, hscale=0.1, rate_range=(0.5, 1.5))
        for j in range(k)
    ]
    st = TripartiteQRM(
        np.stack([m.H for m in ms]),
        np.stack([m.tau_A for m in ms]),
        np.stack([m.tau_B for m in ms]),
        np.array([m.gamma_A for m in ms]),
        np.array([m.gamma_B for m in ms]),
        dims,
    )
    return ms, st


@pytest.mark.parametrize("dims", DIMS)
@pytest.mark.parametrize("real", [True, False])
def test_stacked_steady_states_equal_the_single_models(dims, real):
    ms, st = stack_of(11 + sum(dims) + 5 * real, dims, real)
    assert st.batch_shape == (3,)
    g = G[:, None]  # (5, 1) against the stack (3,) -> (5, 3)
    for meth in ("steady_state", "steady_state_A", "steady_state_B"):
        got = getattr(st, meth)(g)
        assert got.shape == (5, 3, st.d, st.d)
        ref = np.stack([getattr(m, meth)(G) for m in ms], axis=1)
        assert np.max(np.abs(got - ref)) <= 1e-13, meth


@pytest.mark.parametrize("dims", DIMS)
def test_stacked_steady_state_against_the_dense_null_vector(dims):
    ms, st = stack_of(40 + sum(dims), dims, False)
    got = st.steady_state(0.3)
    for j, m in enumerate(ms):
        assert np.max(np.abs(got[j] - dense_superop_steady_state(m.L_superop(0.3)))) <= 1e-11


@pytest.mark.parametrize("dims", DIMS)
def test_stacked_entropy_production_and_fluxes(dims):
    ms, st = stack_of(60 + sum(dims), dims, False)
    g = np.array([2e-3, 0.1, 2.0])[:, None, None]  # (3, 1, 1)
    lam = np.array([0.3, 0.7])[:, None]  # (2, 1)   -> with the stack (3,): (3, 2, 3)
    ep = st.entropy_production(g, lam)
    fl = st.entropy_fluxes(g, lam)
    assert ep.sigma.shape == (3, 2, 3)
    for j, m in enumerate(ms):
        ref = m.entropy_production(g[..., 0], lam[:, 0])  # (3, 2)
        ref_f = m.entropy_fluxes(g[..., 0], lam[:, 0])
        scale = np.max(np.abs(ref.sigma))
        for a, b in (
            (ep.sigma, ref.sigma),
            (ep.sigma_A, ref.sigma_A),
            (ep.sigma_B, ref.sigma_B),
            (fl.phi_A, ref_f.phi_A),
            (fl.phi_B, ref_f.phi_B),
        ):
            assert np.max(np.abs(a[..., j] - b)) <= 1e-12 * scale
    rA, rB = st.partial_steady_states(g, lam)
    assert rA.shape == (3, 2, 3, st.d, st.d)
    assert np.max(np.abs(rA[..., 1, :, :] - ms[1].partial_steady_states(g[..., 0], lam[:, 0])[0])) <= 1e-13


def test_stacked_actions_and_L0_inv_broadcast():
    ms, st = stack_of(80, (2, 3, 2), False)
    rho = st.steady_state(0.2)  # (3, d, d)
    for j, m in enumerate(ms):
        for name in ("D_A", "D_B", "L0", "L1"):
            assert np.max(np.abs(getattr(st, name)(rho)[j] - getattr(m, name)(rho[j]))) <= 1e-15
        assert np.max(np.abs(st.L(rho, 0.2)[j])) <= 1e-13  # L_g rho_g = 0, set by set
        X = rho[j] - m.embed_C(m.tr_AB(rho[j]))
        Xs = rho - st.embed_C(st.tr_AB(rho))
        assert np.max(np.abs(st.L0_inv(Xs)[j] - m.L0_inv(X))) <= 1e-14


def test_figure5_grid_as_one_stacked_model():
    p = dict(M.FIG_PARAMS)
    H = M.three_qubit_hamiltonian(p["e_A"], p["e_B"], p["e_C"], p["U"], p["J_alpha"], p["J_beta"])
    tB = M.reset_state(np.linspace(0.05, 0.95, 4))[:, None]  # (4, 1, 2, 2)
    g = np.logspace(-2, 2, 9)
    st = TripartiteQRM(H, M.reset_state(0.6), tB, p["gamma_A"], p["gamma_B"], (2, 2, 2))
    assert st.batch_shape == (4, 1)
    got = st.steady_state(g)
    ref = steady_state_batch(H, M.reset_state(0.6), tB, p["gamma_A"], p["gamma_B"], (2, 2, 2), g)
    assert np.array_equal(got, ref)  # the same engine
    one = TripartiteQRM(H, M.reset_state(0.6), tB[2, 0], p["gamma_A"], p["gamma_B"], (2, 2, 2))
    assert np.max(np.abs(got[2] - one.steady_state(g))) <= 1e-13
    assert np.max(np.abs(st[2, 0].steady_state(g) - one.steady_state(g))) == 0


def test_single_model_is_unchanged():
    m = M.three_qubit_qrm(0.6, 0.3)
    assert m.batch_shape == ()
    assert isinstance(m.gamma_A, float) and isinstance(m.gamma_B, float)
    with pytest.raises(TypeError, match="cannot be indexed"):
        m[0]


@pytest.mark.parametrize(
    "call",
    [
        lambda st: st.L_superop(0.1),
        lambda st: st.L_A_superop(0.1, 0.5),
        lambda st: st.D_A_superop,
        lambda st: st.perturbative(),
        lambda st: st.steady_state_rational(0.1),
        lambda st: st.taylor_coefficients(3),
        lambda st: st.L0_inv_solve(np.eye(st.d)),
    ],
)
def test_single_set_methods_refuse_a_stack_clearly(call):
    _, st = stack_of(90, (2, 2, 2), True)
    with pytest.raises(ValueError, match=r"needs a single parameter set.*batch_shape \(3,\).*model\[i\]"):
        call(st)


def test_functions_taking_a_model_refuse_a_stack():
    _, st = stack_of(91, (2, 2, 2), True)
    with pytest.raises(ValueError, match=r"model must be a single parameter set.*model\[i\]"):
        steady_state_matrix_free(st, 0.1)


def test_stacked_shapes_that_do_not_broadcast():
    _, st = stack_of(92, (2, 2, 2), True)
    with pytest.raises(ValueError, match="must broadcast with the parameter stack"):
        st.steady_state(np.ones(4) * 0.1)
    with pytest.raises(ValueError, match="must broadcast with the parameter stack"):
        st.entropy_production(np.ones(4) * 0.1, 0.5)
    with pytest.raises(ValueError, match="stack axes of H, tau_A, tau_B, gamma_A, gamma_B must broadcast"):
        TripartiteQRM(st.H, st.tau_A, st.tau_B[:2], 1.0, 1.0, (2, 2, 2))
    with pytest.raises(IndexError, match="out of range for batch_shape"):
        st[5]


def test_indexing_acts_on_the_batch_axes_only():
    ms, st = stack_of(93, (2, 3, 2), True)
    for idx in (1, (1,), (Ellipsis, 1), np.int64(1)):
        one = st[idx]
        assert one.batch_shape == ()
        assert np.array_equal(one.H, ms[1].H) and one.gamma_A == ms[1].gamma_A
    assert st[1:].batch_shape == (2,)
    with pytest.raises(IndexError, match="too many indices"):
        st[0, 1]


def test_actions_refuse_an_argument_that_does_not_broadcast_with_the_stack():
    _, st = stack_of(94, (2, 2, 2), True)
    rho2 = np.broadcast_to(np.eye(8) / 8, (2, 8, 8))
    with pytest.raises(ValueError, match=r"rho of leading shape \(2,\) must broadcast.*batch_shape \(3,\)"):
        st.D_A(rho2)
    with pytest.raises(ValueError, match=r"rho_tilde of leading shape"):
        st.L0_inv(np.zeros((2, 8, 8)))
    rho3 = st.steady_state(0.1)
    with pytest.raises(ValueError, match=r"g and rho of leading shape"):
        st.L(rho3, [0.1, 0.2])
    with pytest.raises(ValueError, match=r"g, lam and rho of leading shape"):
        st.L_A(rho3, [0.1, 0.2], 0.5)


def test_testing_jumps_refuse_a_stack():
    from qrmlib.testing import tripartite_jumps

    _, st = stack_of(95, (2, 2, 2), True)
    with pytest.raises(ValueError, match=r"model must be a single parameter set"):
        tripartite_jumps(st)
