"""Bad input raises ``ValueError`` whose message names the argument and the violated condition.

Every model-level public function of :mod:`qrmlib.reset` is exercised with every
model-level defect (H, taus, gammas, shapes), plus the function-specific
arguments (lambdas, rho, T, t, ...) and the checks in :mod:`qrmlib.linalg`
and :mod:`qrmlib.lindblad`.  The regexes require both the argument's name and
the condition (not just "ValueError").
"""

import numpy as np
import pytest

import qrmlib
from qrmlib import lindblad as lb
from qrmlib import linalg as la

H0 = np.array([[0.0, 0.35], [0.35, 1.0]])
TAUS0 = np.stack([np.diag([0.9, 0.1]), np.diag([0.3, 0.7])]).astype(complex)
G0 = np.array([1.0, 0.5])
LAM0 = np.array([0.4, 0.6])
RHO0 = np.diag([0.6, 0.4]).astype(complex)

# every function whose first three arguments are (H, taus, gammas), with good remaining args
MODEL_FUNCS = {
    "steady_state": lambda H, t, g: qrmlib.steady_state(H, t, g),
    "lindbladian": lambda H, t, g: qrmlib.lindbladian(H, t, g),
    "lindbladian_apply": lambda H, t, g: qrmlib.lindbladian_apply(H, t, g, RHO0),
    "lindbladian_adjoint_apply": lambda H, t, g: qrmlib.lindbladian_adjoint_apply(H, t, g, RHO0),
    "evolve": lambda H, t, g: qrmlib.evolve(H, t, g, RHO0, np.array([0.0, 1.0])),
    "partial_steady_states": lambda H, t, g: qrmlib.partial_steady_states(H, t, g, LAM0),
    "partial_lindbladians_apply": lambda H, t, g: qrmlib.partial_lindbladians_apply(H, t, g, LAM0, RHO0),
    "entropy_production": lambda H, t, g: qrmlib.entropy_production(H, t, g, LAM0),
    "entropy_fluxes": lambda H, t, g: qrmlib.entropy_fluxes(H, t, g, LAM0),
    "flux_observables": lambda H, t, g: qrmlib.flux_observables(H, t, g, LAM0),
}

non_herm = H0 + np.array([[0, 0.1], [0, 0]])
bad_tau_herm = TAUS0.copy()
bad_tau_herm[1, 0, 1] = 0.2  # not Hermitian
bad_tau_trace = TAUS0.copy()
bad_tau_trace[0] = np.diag([0.9, 0.2])  # trace 1.1
bad_tau_neg = TAUS0.copy()
bad_tau_neg[1] = np.diag([1.2, -0.2])  # Hermitian, trace 1, eigenvalue -0.2
bad_tau_nan = TAUS0.copy()
bad_tau_nan[0, 0, 0] = np.nan

MODEL_DEFECTS = [
    # (id, H, taus, gammas, regex naming argument + condition)
    ("H-nonsquare", np.zeros((2, 3)), TAUS0, G0, r"H must be a square matrix"),
    ("H-vector", np.zeros(2), TAUS0, G0, r"H must be a square matrix"),
    ("H-nonhermitian", non_herm, TAUS0, G0, r"H must be Hermitian"),
    ("H-nonfinite", np.array([[0.0, np.inf], [np.inf, 1.0]]), TAUS0, G0, r"H must have finite entries"),
    ("taus-nonhermitian", H0, bad_tau_herm, G0, r"taus must be Hermitian"),
    ("taus-trace", H0, bad_tau_trace, G0, r"taus must have trace 1"),
    ("taus-negative", H0, bad_tau_neg, G0, r"taus must be positive semidefinite"),
    ("taus-nonfinite", H0, bad_tau_nan, G0, r"taus must have finite entries"),
    ("taus-dim-mismatch", H0, np.stack([np.eye(3) / 3] * 2), G0, r"taus must be 2x2"),
    ("taus-no-J-axis", H0, TAUS0[0], G0, r"taus must have shape \(\.\.\., J, 2, 2\)"),
    ("gammas-zero", H0, TAUS0, np.array([1.0, 0.0]), r"gammas must be > 0"),
    ("gammas-negative", H0, TAUS0, np.array([-1.0, 0.5]), r"gammas must be > 0"),
    ("gammas-nonfinite", H0, TAUS0, np.array([np.nan, 0.5]), r"gammas must be finite"),
    ("gammas-wrong-J", H0, TAUS0, np.array([1.0, 0.5, 0.2]), r"gammas must have shape \(\.\.\., 2\)"),
    ("gammas-scalar", H0, TAUS0, 1.0, r"gammas must have shape \(\.\.\., 2\)"),
    ("batch-mismatch", np.stack([H0] * 3), np.stack([TAUS0] * 4), G0, r"leading axes of H .* do not broadcast"),
]


@pytest.mark.parametrize("fname", sorted(MODEL_FUNCS))
@pytest.mark.parametrize("case", MODEL_DEFECTS, ids=[c[0] for c in MODEL_DEFECTS])
def test_model_inputs_rejected(fname, case):
    _, H, taus, gammas, msg = case
    with pytest.raises(ValueError, match=msg):
        MODEL_FUNCS[fname](H, taus, gammas)


@pytest.mark.parametrize("fname", sorted(MODEL_FUNCS))
def test_good_inputs_accepted(fname):
    """Sanity: the fixtures above are valid, so each rejection is due to its one defect."""
    MODEL_FUNCS[fname](H0, TAUS0, G0)


# --- affine weights (eq. 4.1) ------------------------------------------------------

LAMBDA_FUNCS = {
    "entropy_production": lambda lam: qrmlib.entropy_production(H0, TAUS0, G0, lam),
    "entropy_fluxes": lambda lam: qrmlib.entropy_fluxes(H0, TAUS0, G0, lam),
    "flux_observables": lambda lam: qrmlib.flux_observables(H0, TAUS0, G0, lam),
}


@pytest.mark.parametrize("fname", sorted(LAMBDA_FUNCS))
@pytest.mark.parametrize("lam,msg", [
    (np.array([0.5, 0.6]), r"lambdas must sum to 1 .*got sum 1\.1"),
    (np.array([0.0, 0.0]), r"lambdas must sum to 1"),
    (np.array([1.0, 0.0, 0.0]), r"lambdas must have shape \(\.\.\., 2\)"),
    (np.array([0.5 + 0.1j, 0.5]), r"lambdas must be real"),
    (np.array([np.nan, 1.0]), r"lambdas must be finite"),
], ids=["sum", "sum-zero", "shape", "complex", "nan"])
def test_lambdas_rejected(fname, lam, msg):
    with pytest.raises(ValueError, match=msg):
        LAMBDA_FUNCS[fname](lam)


def test_lambdas_sum_tolerance():
    # a 1e-6 violation is an error; a round-off-sized 1e-13 deviation is accepted
    with pytest.raises(ValueError, match=r"lambdas must sum to 1"):
        qrmlib.entropy_production(H0, TAUS0, G0, np.array([0.4, 0.6 + 1e-6]))
    qrmlib.entropy_production(H0, TAUS0, G0, np.array([0.4, 0.6 + 1e-13]))


def test_lambdas_sum_checked_per_grid_point():
    lam = np.array([[0.4, 0.6], [0.4, 0.7]])  # second grid point sums to 1.1
    with pytest.raises(ValueError, match=r"lambdas must sum to 1"):
        qrmlib.entropy_production(H0, TAUS0, G0, lam)


def test_partial_functions_reject_nonfinite_lambdas():
    with pytest.raises(ValueError, match=r"lambdas must be finite"):
        qrmlib.partial_steady_states(H0, TAUS0, G0, np.array([np.inf, 0.0]))
    with pytest.raises(ValueError, match=r"lambdas must be finite"):
        qrmlib.partial_lindbladians_apply(H0, TAUS0, G0, np.array([np.nan, 0.0]), RHO0)


# --- EP needs faithful states ---------------------------------------------------------

@pytest.mark.parametrize("fname", ["entropy_production", "entropy_fluxes", "flux_observables"])
def test_ep_requires_faithful_taus(fname):
    taus = TAUS0.copy()
    taus[0] = np.diag([1.0, 0.0])
    f = {"entropy_production": qrmlib.entropy_production, "entropy_fluxes": qrmlib.entropy_fluxes,
         "flux_observables": qrmlib.flux_observables}[fname]
    with pytest.raises(ValueError, match=r"taus must be positive definite \(faithful\)"):
        f(H0, taus, G0, LAM0)


@pytest.mark.parametrize("fname", ["entropy_production", "entropy_fluxes"])
@pytest.mark.parametrize("rho,msg", [
    (np.diag([1.0, 0.0]), r"rho must be positive definite"),
    (np.diag([0.7, 0.7]), r"rho must have trace 1"),
    (np.array([[0.5, 0.3], [0.1, 0.5]]), r"rho must be Hermitian"),
    (np.diag([1.1, -0.1]), r"rho must be positive semidefinite"),
    (np.eye(3) / 3, r"rho must be 2x2"),
], ids=["singular", "trace", "nonhermitian", "negative", "size"])
def test_ep_rho_rejected(fname, rho, msg):
    f = {"entropy_production": qrmlib.entropy_production, "entropy_fluxes": qrmlib.entropy_fluxes}[fname]
    with pytest.raises(ValueError, match=msg):
        f(H0, TAUS0, G0, LAM0, rho=rho)


# --- other per-function arguments --------------------------------------------------------

def test_rho_H_arguments():
    with pytest.raises(ValueError, match=r"T must be 2x2"):
        qrmlib.rho_H(H0, np.eye(3))
    with pytest.raises(ValueError, match=r"H must be Hermitian"):
        qrmlib.rho_H(non_herm, np.eye(2))
    with pytest.raises(ValueError, match=r"T must be a square matrix"):
        qrmlib.rho_H(H0, np.ones((2, 3)))


def test_apply_and_evolve_arguments():
    with pytest.raises(ValueError, match=r"rho must be 2x2"):
        qrmlib.lindbladian_apply(H0, TAUS0, G0, np.eye(3))
    with pytest.raises(ValueError, match=r"X must be 2x2"):
        qrmlib.lindbladian_adjoint_apply(H0, TAUS0, G0, np.eye(3))
    with pytest.raises(ValueError, match=r"rho0 must be 2x2"):
        qrmlib.evolve(H0, TAUS0, G0, np.eye(3), 1.0)
    with pytest.raises(ValueError, match=r"t must be finite"):
        qrmlib.evolve(H0, TAUS0, G0, RHO0, np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match=r"t must be real"):
        qrmlib.evolve(H0, TAUS0, G0, RHO0, 1.0 + 1j)


def test_spectrum_and_combine_resets_arguments():
    with pytest.raises(ValueError, match=r"gammas must be > 0"):
        qrmlib.spectrum(H0, np.array([1.0, -0.5]))
    with pytest.raises(ValueError, match=r"H must be Hermitian"):
        qrmlib.spectrum(non_herm, G0)
    with pytest.raises(ValueError, match=r"gammas shape .* must end with J"):
        qrmlib.combine_resets(TAUS0, np.array([1.0, 0.5, 0.2]))
    with pytest.raises(ValueError, match=r"gammas must be > 0"):
        qrmlib.combine_resets(TAUS0, np.array([1.0, 0.0]))


# --- linalg -------------------------------------------------------------------------

def test_linalg_arguments():
    with pytest.raises(ValueError, match=r"rho must be positive definite"):
        la.logm_pd(np.diag([1.0, 0.0]))
    with pytest.raises(ValueError, match=r"rho must be positive definite"):
        la.dlog(np.diag([1.0, -0.1]), np.eye(2))
    with pytest.raises(ValueError, match=r"rho must be positive semidefinite"):
        la.entropy(np.diag([1.1, -0.1]))
    rho = np.eye(6) / 6
    with pytest.raises(ValueError, match=r"rho must have shape \(\.\.\., 12, 12\) for dims"):
        la.partial_trace(rho, (2, 3, 2), 0)
    with pytest.raises(ValueError, match=r"keep must be distinct factor indices in 0\.\.1"):
        la.partial_trace(rho, (2, 3), 2)
    with pytest.raises(ValueError, match=r"keep must be distinct factor indices"):
        la.partial_trace(rho, (2, 3), (0, 0))
    with pytest.raises(ValueError, match=r"dims must be positive integers"):
        la.partial_trace(rho, (6, 0), 0)


def test_lindblad_arguments():
    with pytest.raises(ValueError, match=r"jumps must have shape \(\.\.\., L, 2, 2\)"):
        lb.lindblad_superop(H0, np.zeros((1, 3, 3)))
    with pytest.raises(ValueError, match=r"H must be Hermitian"):
        lb.lindblad_superop(non_herm, np.zeros((1, 2, 2)))
