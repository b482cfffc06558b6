"""Input validation, bounded solvers and the memory guard of the tri-partite modules (issue 11).

Each public callable of ``qrmlib.tripartite``, ``perturbation``, ``series``, ``sweep`` and
``figures`` refuses bad input with a ``ValueError``/``TypeError`` naming the argument.
"""

import numpy as np
import pytest

import qrmlib._validate as V
from qrmlib import figures, perturbation, series, sweep, tripartite
from qrmlib._models_chain import reset_state, three_qubit_qrm
from qrmlib.perturbation import HypothesisCheck, Perturbative, ResetExpansion
from qrmlib.tripartite import EntropyFluxes, EntropyProduction, TripartiteQRM


@pytest.fixture(scope="module")
def m():
    return three_qubit_qrm(0.95, 0.6)


@pytest.fixture(scope="module")
def args(m):
    return series.model_args(m)


BAD_REAL = [(np.nan, ValueError, "finite"), (np.inf, ValueError, "finite"), (1j, ValueError, "real"),
            ("a", TypeError, "numeric"), (None, TypeError, "numeric"), ([], ValueError, "empty")]


# --- TripartiteQRM ------------------------------------------------------------------------------

def test_constructor_arguments(m):
    H, tA, tB = m.H, m.tau_A, m.tau_B
    good = dict(H=H, tau_A=tA, tau_B=tB, gamma_A=0.7, gamma_B=0.6, dims=(2, 2, 2))
    cases = [
        (dict(dims=(2.0, 2, 2)), TypeError, "dims"), (dict(dims="abc"), TypeError, "dims"),
        (dict(dims=None), TypeError, "dims"), (dict(dims=(2, 2, -2)), ValueError, "dims"),
        (dict(dims=(2, 2)), ValueError, "dims"), (dict(dims=(2, 2, 3)), ValueError, "dims"),
        (dict(H=H + 1j * np.triu(np.ones((8, 8)))), ValueError, "H must be Hermitian"),
        (dict(H=np.where(np.eye(8) > 0, np.nan, H)), ValueError, "H must have finite"),
        (dict(tau_A=2 * tA), ValueError, "tau_A must have trace 1"),
        (dict(tau_B=np.diag([1.5, -0.5])), ValueError, "tau_B must be positive"),
        (dict(tau_B=np.eye(3) / 3), ValueError, "tau_B"),
        (dict(gamma_A=1j), ValueError, "gamma_A must be real"),
        (dict(gamma_B=0.0), ValueError, "gamma_B must be > 0"),
        (dict(gamma_A=np.nan), ValueError, "gamma_A"),
        (dict(gamma_B="x"), TypeError, "gamma_B"),
    ]
    for change, exc, msg in cases:
        kw = dict(good, **change)
        with pytest.raises(exc, match=msg):
            TripartiteQRM(**kw)


def test_reset_state_inside_tolerance_is_projected(m):
    tA = m.tau_A * (1 + 5e-11)
    mm = TripartiteQRM(m.H, tA, m.tau_B, m.gamma_A, m.gamma_B, m.dims)
    assert abs(np.trace(mm.tau_A) - 1) < 1e-16


@pytest.mark.parametrize("bad, exc, msg", BAD_REAL)
def test_g_and_lam(m, bad, exc, msg):
    for f in (m.steady_state, m.steady_state_A, m.steady_state_B):
        with pytest.raises(exc, match=rf"g must.*{msg}|g must"):
            f(bad)
    with pytest.raises(exc, match="g"):
        m.entropy_production(bad, 0.3)
    with pytest.raises(exc, match="lam"):
        m.entropy_fluxes(0.1, bad)
    with pytest.raises(exc, match="lam"):
        m.partial_steady_states(0.1, bad)
    with pytest.raises(exc, match="lam"):
        m.L_A_superop(0.1, bad)
    with pytest.raises(exc, match="g"):
        m.L_superop(bad)


def test_one_lam_and_one_g_message(m, args):
    """The same check (qrmlib._validate.lam_checked / g_checked) everywhere."""
    for f in (lambda: m.entropy_production(0.1, 1.0), lambda: m.partial_steady_states(0.1, 0.0),
              lambda: series.entropy_production_analytic(*args, 0.1, 1.0),
              lambda: series.mp_entropy_production(*args, 0.1, 0.0, dps=15)):
        with pytest.raises(ValueError, match=r"lam must not be 0 or 1 \(paper, after eq. \(7.4\)\)"):
            f()
    for f in (lambda: m.steady_state(0.0), lambda: tripartite.steady_state_batch(*args, 0.0),
              lambda: tripartite.steady_state_matrix_free(m, 0.0),
              lambda: series.mp_steady_state(*args, 0.0)):
        with pytest.raises(ValueError, match="g must be nonzero: at g = 0"):
            f()
    with pytest.raises(ValueError, match="g and lam must broadcast"):
        m.entropy_production([0.1, 0.2], [0.3, 0.4, 0.5])


def test_methods_and_rho_arguments(m):
    with pytest.raises(ValueError, match="method must be one of"):
        m.steady_state(0.1, method="qr")
    with pytest.raises(TypeError):
        m.steady_state(0.1, "bordered")             # options are keyword-only
    for f in (m.D_A, m.D_B, m.L0, m.L1, m.tr_A, m.tr_B, m.tr_AB, m.L0_inv, m.L0_inv_solve):
        with pytest.raises(ValueError, match="must be 8x8|must be a square"):
            f(np.eye(4))
        with pytest.raises(ValueError, match="finite"):
            f(np.full((8, 8), np.nan))
        with pytest.raises(TypeError, match="numeric"):
            f("rho")
    for f, n in ((m.embed_C, 2), (m.embed_CB, 4), (m.embed_AC, 4)):
        with pytest.raises(ValueError, match=f"must be {n}x{n}"):
            f(np.eye(3))
    with pytest.raises(ValueError, match="g must be finite"):
        m.L(np.eye(8), np.nan)
    with pytest.raises(TypeError, match="strict must be a bool"):
        m.perturbative(strict="yes")


def test_named_tuples_unpack_as_before(m):
    ep = m.entropy_production(np.array([0.1, 0.2]), 0.3)
    assert isinstance(ep, EntropyProduction) and isinstance(ep, tuple) and len(ep) == 3
    s, sA, sB = ep
    assert np.array_equal(ep.sigma, s) and np.array_equal(ep.sigma_A, sA) and np.array_equal(ep[2], sB)
    assert np.allclose(s, sA + sB, rtol=0, atol=1e-18)
    fl = m.entropy_fluxes(0.1, 0.3)
    assert isinstance(fl, EntropyFluxes)
    fA, fB = fl
    assert fl.phi_A == fA and fl.phi_B == fB
    assert np.stack(m.entropy_production(np.array([0.1, 0.2]), 0.3)).shape == (3, 2)


# --- stacks, matrix-free, memory guard ------------------------------------------------------------

def test_stack_functions(m, args):
    with pytest.raises(ValueError, match="which must be one of"):
        tripartite.steady_state_pencil(*args, "C")
    with pytest.raises(ValueError, match="dims=.* has product 12"):
        tripartite.steady_state_pencil(args[0], args[1], args[2], 0.7, 0.6, (2, 3, 2))
    with pytest.raises(ValueError, match="must broadcast together"):
        tripartite.steady_state_pencil(args[0], reset_state([0.9, 0.8]), reset_state([0.9, 0.8, 0.7]),
                                       0.7, 0.6, (2, 2, 2))
    with pytest.raises(ValueError, match="g of shape"):
        tripartite.steady_state_batch(args[0], args[1], reset_state([0.9, 0.8]), 0.7, 0.6, (2, 2, 2),
                                      np.array([0.1, 0.2, 0.3]))
    with pytest.raises(ValueError, match="gamma_A must be > 0"):
        tripartite.steady_state_batch(args[0], args[1], args[2], -0.7, 0.6, (2, 2, 2), 0.1)
    with pytest.raises(TypeError):
        tripartite.steady_state_batch(*args, 0.1, "A")   # which, method keyword-only


def test_matrix_free_arguments(m):
    mf = tripartite.steady_state_matrix_free
    with pytest.raises(ValueError, match="maxiter must be >= 1"):          # scipy: UnboundLocalError
        mf(m, 0.1, maxiter=0)
    with pytest.raises(TypeError, match="maxiter must be an integer"):
        mf(m, 0.1, maxiter=2.5)
    with pytest.raises(ValueError, match="restart must be >= 1"):
        mf(m, 0.1, restart=0)
    with pytest.raises(ValueError, match="rtol must be >= 0"):
        mf(m, 0.1, rtol=-1.0)
    with pytest.raises(ValueError, match="rtol must be finite"):
        mf(m, 0.1, rtol=np.nan)
    with pytest.raises(TypeError, match="return_info must be a bool"):
        mf(m, 0.1, return_info=1)
    with pytest.raises(TypeError, match="model must be a qrmlib.tripartite.TripartiteQRM"):
        mf(3.0, 0.1)
    # bounded: an unreachable tolerance raises after maxiter restarts instead of looping
    with pytest.raises(ValueError, match="GMRES .* reached residual"):
        mf(m, 2.0, method="resolvent", rtol=0.0, maxiter=1, restart=2)


def test_memory_guard_dense_solvers(monkeypatch):
    mm = three_qubit_qrm(0.95, 0.6)
    monkeypatch.setattr(V, "available_bytes", lambda: 10_000)
    for f in (lambda: mm.steady_state(0.1), lambda: mm.steady_state_A(0.1, method="bordered"),
              lambda: mm.entropy_production(0.1, 0.3), lambda: mm.L_superop(0.1),
              lambda: tripartite.steady_state_pencil(*series.model_args(mm)),
              lambda: series.steady_state_analytic(*series.model_args(mm), 0.1),
              lambda: series.mp_steady_state(*series.model_args(mm), 0.1, dps=15),
              lambda: mm.perturbative(strict=False).Phi):
        with pytest.raises(ValueError, match=r"needs about .* of memory.*steady_state_matrix_free|needs about"):
            f()
    with pytest.raises(ValueError, match="steady_state_matrix_free"):
        mm.steady_state(0.1)


def test_memory_guard_names_the_size(monkeypatch):
    """dims (2, 512, 2): the d² x d² superoperator would take 256 TiB; refused by name."""
    monkeypatch.setattr(V, "available_bytes", lambda: 8 << 30)
    with pytest.raises(ValueError, match=r"[TP]iB of memory.*steady_state_matrix_free"):
        tripartite._guard_dense(2048 ** 2, 1, "the superoperator")


# --- perturbation ------------------------------------------------------------------------------

def test_perturbative_arguments(m):
    with pytest.raises(TypeError, match="model must be a qrmlib.tripartite.TripartiteQRM, got float"):
        Perturbative(3.0)
    with pytest.raises(TypeError, match="strict must be a bool"):
        Perturbative(m, strict=None)
    P = m.perturbative()
    for f in (P.series, P.series_A, P.series_B):
        with pytest.raises(ValueError, match="n must be >= 0"):
            f(-1)
        with pytest.raises(TypeError, match="n must be an integer"):
            f(2.0)
        with pytest.raises(ValueError, match="n must be <= "):
            f(10 ** 9)                                   # the recursion loop is bounded
    with pytest.raises(ValueError, match="order must be >= 0"):
        P.steady_state_series(0.1, -1)
    with pytest.raises(ValueError, match="g must be finite"):
        P.steady_state_series(np.nan)
    assert np.allclose(P.steady_state_series(0.0, 2), P.rho0)
    for f in (P.sigma2, P.sigma2_A, P.sigma2_B, P.sigma1_A, P.sigma1_B):
        with pytest.raises(ValueError, match="lam must be finite"):
            f(np.inf)
        with pytest.raises(ValueError, match="lam must be real"):
            f(0.5j)
    assert np.isfinite(P.sigma2(0.0))                     # endpoints fine for the polynomial
    for tol in (-1.0, np.nan, "a"):
        with pytest.raises((ValueError, TypeError), match="tol"):
            P.hypotheses(tol)
        with pytest.raises((ValueError, TypeError), match="tol"):
            P.full.check_coup(tol)
    with pytest.raises(TypeError, match="imag must be a bool"):
        P.coefficients(imag="yes")
    with pytest.raises(ValueError, match="X must be 2x2"):
        P.diag_tau(np.eye(3))
    for f in (P.full.to_eig, P.full.diag, P.full.offdiag, P.full.Phi_apply):
        with pytest.raises(ValueError, match="must be 2x2"):
            f(np.eye(3))


def test_reset_expansion_and_helpers(m):
    ok = (m.H, m.embed_C, m.tr_AB, m.L0_inv, 2, "C")
    ResetExpansion(*ok)
    with pytest.raises(TypeError, match="embed must be callable"):
        ResetExpansion(m.H, None, *ok[2:])
    with pytest.raises(ValueError, match="label must be one of"):
        ResetExpansion(*ok[:5], "D")
    with pytest.raises(ValueError, match="n_S must be >= 1"):
        ResetExpansion(*ok[:4], 0, "C")
    with pytest.raises(ValueError, match="embed must map"):
        ResetExpansion(m.H, m._embed_C, m._tr_AB, m.L0_inv, 3, "C")
    with pytest.raises(ValueError, match="phi_scale must be >= 0"):
        ResetExpansion(*ok, -1.0)
    with pytest.raises(ValueError, match="env"):
        ResetExpansion(*ok, 0.0, env=(m.tau_A,))
    H = np.diag([1.0, 2.0])
    with pytest.raises(ValueError, match="K must be positive definite for the default f = np.log"):
        perturbation.double_commutator_trace(H, np.diag([1.0, -1.0]))
    with pytest.raises(ValueError, match="K must be positive definite"):
        perturbation.double_commutator_trace_spectral(H, np.diag([0.0, 1.0]))
    with pytest.raises(ValueError, match="f must return finite numbers"):
        perturbation.double_commutator_trace(H, np.diag([0.0, 1.0]), f=lambda x: 1 / x)
    with pytest.raises(ValueError, match="H and K must have the same size"):
        perturbation.double_commutator_trace(H, np.eye(3))
    with pytest.raises(TypeError, match="f must be callable"):
        perturbation.double_commutator_trace(H, np.eye(2), f=3)
    with pytest.raises(TypeError, match="holds must be a bool"):
        HypothesisCheck("Spec", "yes", "", 1.0)
    with pytest.raises(ValueError, match="margin"):
        HypothesisCheck("Spec", True, "", float("nan"))


# --- series ---------------------------------------------------------------------------------------

def test_series_contour_arguments():
    v = np.ones((8, 3))
    for bad, exc, msg in [(0, ValueError, "nodes must be >= 2"), (2.5, TypeError, "nodes must be an integer"),
                          (1 << 40, ValueError, "nodes must be <=")]:
        with pytest.raises(exc, match=msg):
            series.circle(1.0, bad)
    for bad, exc in [(0.0, ValueError), (np.inf, ValueError), (1j, ValueError), ("r", TypeError)]:
        with pytest.raises(exc, match="radius"):
            series.circle(bad, 8)
        with pytest.raises(exc, match="radius"):
            series.taylor_coefficients(v, bad, 2)
    with pytest.raises(ValueError, match="values must be finite"):
        series.taylor_coefficients(np.full((8, 2), np.nan), 1.0, 2)
    with pytest.raises(TypeError, match="order must be an integer"):
        series.taylor_coefficients(v, 1.0, 2.0)
    with pytest.raises(ValueError, match="order must be >= 0"):
        series.cauchy_remainder(v, 1.0, 0.1, -1)
    with pytest.raises(ValueError, match="g must be finite"):
        series.cauchy_remainder(v, 1.0, np.nan, 2)
    with pytest.raises(ValueError, match="A must have finite"):
        series.logm_eig(np.full((2, 2), np.inf))
    with pytest.raises(ValueError, match="cut_tol must be >= 0"):
        series.logm_eig(np.eye(2), cut_tol=-1.0)
    with pytest.raises(ValueError, match="A must have no eigenvalue on the branch cut"):
        series.logm_eig(np.diag([1.0, -1.0]))


def test_series_model_arguments(m, args):
    with pytest.raises(TypeError, match="model must be a qrmlib.tripartite.TripartiteQRM"):
        series.model_args("m")
    with pytest.raises(ValueError, match="z must be finite"):
        series.steady_state_analytic(*args, np.nan)
    with pytest.raises(ValueError, match="which must be one of"):
        series.steady_state_analytic(*args, 0.1, "C")
    with pytest.raises(ValueError, match="which must be one of"):
        series.analyticity_radius(*args, which="AB")
    with pytest.raises(ValueError, match="dims=.* has product"):
        series.entropy_fluxes_analytic(args[0], args[1], args[2], 0.7, 0.6, (2, 3, 2), 0.1, 0.5)
    ep = series.entropy_production_analytic(*args, np.array([0.1, 0.2]), 0.3)
    assert isinstance(ep, EntropyProduction)
    s, sA, sB = ep
    assert np.allclose(np.real(s), m.entropy_production(np.array([0.1, 0.2]), 0.3).sigma, rtol=1e-10, atol=0)
    fA, fB = series.entropy_fluxes_analytic(*args, 0.1, 0.3)
    assert np.isfinite(fA) and np.isfinite(fB)


def test_mp_references_arguments(m, args):
    # issue 11: dps=-1 returned sigma = -0.125
    for bad, exc, msg in [(-1, ValueError, "dps must be >= 15"), (5, ValueError, "dps must be >= 15"),
                          (20.5, TypeError, "dps must be an integer"), ("x", TypeError, "dps must be an integer")]:
        with pytest.raises(exc, match=msg):
            series.mp_entropy_production(*args, 0.1, 0.3, dps=bad)
        with pytest.raises(exc, match=msg):
            series.mp_entropy_fluxes(*args, 0.1, 0.3, dps=bad)
        with pytest.raises(exc, match=msg):
            series.mp_steady_state(*args, 0.1, dps=bad)
    with pytest.raises(ValueError, match="g must be a scalar"):
        series.mp_steady_state(*args, np.array([0.1, 0.2]))
    with pytest.raises(ValueError, match="g must be real"):
        series.mp_steady_state(*args, 0.1j)
    with pytest.raises(ValueError, match="no stack axes"):
        series.mp_steady_state(args[0], args[1], reset_state([0.5, 0.6]), 0.7, 0.6, (2, 2, 2), 0.1)
    with pytest.raises(ValueError, match="which must be one of"):
        series.mp_steady_state(*args, 0.1, which="C")
    with pytest.raises(TypeError):
        series.mp_entropy_production(*args, 0.1, 0.3, 30)   # dps keyword-only
    ep = series.mp_entropy_production(*args, 0.1, 0.3, dps=20)
    assert isinstance(ep, EntropyProduction)
    s, sA, sB = ep
    assert abs(float(s) - float(m.entropy_production(0.1, 0.3).sigma)) < 1e-14
    assert isinstance(series.mp_entropy_fluxes(*args, 0.1, 0.3, dps=20), EntropyFluxes)


def test_mp_log_refuses_singular_states_instead_of_looping():
    import mpmath

    X = np.array([[mpmath.mpc(1), mpmath.mpc(0)], [mpmath.mpc(0), mpmath.mpc(0)]], dtype=object)
    with mpmath.workdps(20), pytest.raises(ValueError, match="positive definite"):
        series._mp_logm_herm(X, mpmath)


# --- sweep ----------------------------------------------------------------------------------------

def test_sweep_arguments():
    f = lambda x: x  # noqa: E731
    ax = {"x": np.arange(4.0)}
    cases = [
        (dict(func=3), TypeError, "func must be callable"),
        (dict(axes=[1, 2]), TypeError, "axes must be a mapping"),
        (dict(axes={"x": [np.nan, 1.0]}), ValueError, r"axes\['x'\] must have finite"),
        (dict(axes={"x": ["a", "b"]}), TypeError, r"axes\['x'\]"),
        (dict(axes={1: [1.0]}), ValueError, "axes keys"),
        (dict(chunk_points=0), ValueError, "chunk_points must be >= 1"),
        (dict(budget_bytes=-5), ValueError, "budget_bytes must be >= 1"),
        (dict(bytes_per_point=np.nan, chunk_points=None), ValueError, "bytes_per_point"),
        (dict(workers=0), ValueError, "workers must be >= 1"),
        (dict(progress="no"), TypeError, "progress must be a bool"),
        (dict(backend=3), ValueError, "backend must be one of"),
        (dict(fixed=[1]), TypeError, "fixed must be a dict"),
        (dict(fixed={"x": 1}), ValueError, "fixed must not repeat"),
        (dict(out_shape=(-1,)), ValueError, "out_shape must be >= 0"),
        (dict(dtype="notadtype"), TypeError, "dtype"),
    ]
    for change, exc, msg in cases:
        kw = dict(func=f, axes=ax, chunk_points=2, progress=False)
        kw.update(change)
        with pytest.raises(exc, match=msg):
            sweep.grid_sweep(kw.pop("func"), kw.pop("axes"), **kw)
    with pytest.raises(ValueError, match="chunk must be >= 1"):
        sweep.chunk_slices(10, 0)
    with pytest.raises(ValueError, match="n_points must be >= 1"):
        sweep.chunk_slices(-1, 3)
    with pytest.raises(ValueError, match="probe must be >= 1"):
        sweep.estimate_bytes_per_point(f, ax, probe=0)


# --- figures --------------------------------------------------------------------------------------

def test_figure_data_arguments():
    cases = [
        (figures.fig1_data, dict(n=1), ValueError, "n must be >= 2"),
        (figures.fig1_data, dict(n=3.5), TypeError, "n must be an integer"),
        (figures.fig1_data, dict(t_C=1.2), ValueError, r"t_C must lie in \(0, 1\)"),
        (figures.fig1_data, dict(gammas=(1.0, -0.5, 0.3)), ValueError, "gammas must be > 0"),
        (figures.fig1_data, dict(t_range=(0.9, 0.1)), ValueError, "t_range must be a pair"),
        (figures.fig1_data, dict(delta=np.nan), ValueError, "delta must be finite"),
        (figures.fig1_data, dict(lam_zoom_halfwidth=0.0), ValueError, "lam_zoom_halfwidth must be > 0"),
        (figures.fig2_data, dict(gamma_A=0.0), ValueError, "gamma_A must be > 0"),
        (figures.fig2_data, dict(lam_range=(1.0,)), ValueError, "lam_range must be a pair"),
        (figures.fig3_data, dict(g_range=(-1.0, 1.0)), ValueError, "g_range must satisfy 0 < lo"),
        (figures.fig3_data, dict(nodes=1), ValueError, "nodes must be >= 2"),
        (figures.fig3_data, dict(t_B=[]), ValueError, "t_B must not be empty"),
        (figures.fig3_data, dict(J_alpha=np.inf), ValueError, "J_alpha must be finite"),
        (figures.fig4_data, dict(lam=1.0), ValueError, "lam must not be 0 or 1"),
        (figures.fig4_data, dict(radius=-1.0), ValueError, "radius must be > 0"),
        (figures.fig5_data, dict(n=0), ValueError, "n must be >= 2"),
        (figures.fig5_data, dict(g_switch=np.nan), ValueError, "g_switch must be finite"),
        (figures.fig5_data, dict(gamma_A=-1.0), ValueError, "gamma_A must be > 0"),
    ]
    for f, kw, exc, msg in cases:
        with pytest.raises(exc, match=msg):
            f(**kw)


def test_figure_io_arguments(tmp_path):
    with pytest.raises(TypeError, match="data must be the dict"):
        figures.fig1_draw([1, 2])
    with pytest.raises(ValueError, match="params"):
        figures.fig3_draw({"g": 1})
    with pytest.raises(TypeError, match="data must be a dict"):
        figures.save_npz(tmp_path / "x.npz", [1])
    with pytest.raises(TypeError, match="path must be"):
        figures.load_npz(None)
    with pytest.raises(TypeError, match="fig must be a Matplotlib Figure"):
        figures.png_bytes(3)
    with pytest.raises(TypeError, match="number must be an integer"):
        figures.write_figure("1", tmp_path)
    with pytest.raises(ValueError, match="number: the paper has Figures 1-5"):
        figures.write_figure(9, tmp_path)
    with pytest.raises(TypeError, match="draw must be callable"):
        figures.register(1, figures.fig1_data, None, "c")
    with pytest.raises(TypeError, match=r"text \(--only\) must be a str"):
        figures.parse_only(12)
