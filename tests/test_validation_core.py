"""Input validation of the "one Hilbert space" modules (issue 11):
:mod:`qrmlib.linalg`, :mod:`qrmlib.lindblad`, :mod:`qrmlib.reset`, :mod:`qrmlib.models`.

For every public callable, at least one bad input per argument kind (non-finite,
wrong shape / dimension, complex where real is required, non-Hermitian, trace
!= 1, not positive, empty, wrong type), each asserting the exception type *and*
a regex naming the argument.  Plus: the LAPACK hang of ``null_steady_state`` on
an ``inf`` entry (run in a subprocess under a timeout), the kernel-dimension
check, the exact projection of states inside the tolerance, and the named
results.
"""

import subprocess
import sys

import numpy as np
import pytest

import qrmlib
from qrmlib import _validate as V
from qrmlib import lindblad as lb
from qrmlib import linalg as la
from qrmlib import models as M
from qrmlib import reset as rs

# --- valid fixtures (each case below changes ONE argument) --------------------------------

H2 = np.array([[0.0, 0.35], [0.35, 1.0]], dtype=complex)
RHO2 = np.array([[0.6, 0.1 - 0.05j], [0.1 + 0.05j, 0.4]])
SIG2 = np.diag([0.3, 0.7]).astype(complex)
TAUS = np.stack([np.diag([0.9, 0.1]), np.diag([0.3, 0.7])]).astype(complex)
GAM = np.array([1.0, 0.5])
LAM = np.array([0.4, 0.6])
H3 = np.diag([0.0, 0.5, 1.3]).astype(complex) + 0.2 * (np.eye(3, k=1) + np.eye(3, k=-1))
RHO3 = np.diag([0.5, 0.3, 0.2]).astype(complex)
S4 = qrmlib.lindbladian(H2, TAUS, GAM)               # a QRM superoperator, 4 x 4
# the partial QRMs L_j = -i lam_j [H, .] + gamma_j (tau_j tr - id) of eq. (4.1), (2, 4, 4)
SJ = np.stack([qrmlib.lindbladian(LAM[j] * H2, TAUS[j:j + 1], GAM[j:j + 1]) for j in range(2)])
RJ = np.stack([lb.null_steady_state(s) for s in SJ])
RHO8 = np.kron(np.kron(np.diag([0.9, 0.1]), np.diag([0.5, 0.5])), np.diag([0.4, 0.6])).astype(complex)
CH = dict(J_alpha=0.05, J_beta=0.1, gamma_A=0.7, gamma_B=0.6, t_A=0.95, t_B=0.6)

NAN2 = np.array([[np.nan, 0.0], [0.0, 1.0]])
INF2 = np.array([[np.inf, 0.0], [0.0, 1.0]])
NONHERM2 = np.array([[0.5, 0.3], [0.0, 0.5]])
TRACE2 = np.diag([0.7, 0.7])
NEG2 = np.diag([1.2, -0.2])
EMPTY = np.zeros((0, 2, 2))


def _mod(d, **kw):
    out = dict(d)
    out.update(kw)
    return out


CASES = [
    # ------------------------------------------------------------------ linalg
    ("dagger-nan", lambda: la.dagger(NAN2), ValueError, r"a must have finite entries"),
    ("dagger-vector", lambda: la.dagger(np.ones(3)), ValueError, r"a must be an array of shape"),
    ("dagger-none", lambda: la.dagger(None), TypeError, r"a must be a numeric array"),
    ("dagger-str", lambda: la.dagger("ab"), TypeError, r"a must be a numeric array"),
    ("dagger-empty", lambda: la.dagger(np.zeros((2, 0))), ValueError, r"a must not be empty"),
    ("hermitian_part-inf", lambda: la.hermitian_part(INF2), ValueError, r"a must have finite entries"),
    ("hermitian_part-nonsquare", lambda: la.hermitian_part(np.ones((2, 3))), ValueError, r"a must be a square"),
    ("commutator-a-nan", lambda: la.commutator(NAN2, H2), ValueError, r"a must have finite entries"),
    ("commutator-b-size", lambda: la.commutator(H2, H3), ValueError, r"b must be 2x2"),
    ("commutator-broadcast", lambda: la.commutator(np.stack([H2] * 3), np.stack([H2] * 2)), ValueError,
     r"leading axes of a \(3,\) and b \(2,\) do not broadcast"),
    ("anticommutator-b-none", lambda: la.anticommutator(H2, None), TypeError, r"b must be a numeric array"),
    ("is_hermitian-a-nan", lambda: la.is_hermitian(NAN2), ValueError, r"a must have finite entries"),
    ("is_hermitian-atol-neg", lambda: la.is_hermitian(H2, atol=-1.0), ValueError, r"atol must be >= 0"),
    ("is_hermitian-atol-str", lambda: la.is_hermitian(H2, atol="x"), TypeError, r"atol must be a numeric"),
    ("logm_pd-nonherm", lambda: la.logm_pd(NONHERM2), ValueError, r"rho must be Hermitian"),
    ("logm_pd-singular", lambda: la.logm_pd(np.diag([1.0, 0.0])), ValueError, r"rho must be positive definite"),
    ("logm_pd-nan", lambda: la.logm_pd(NAN2), ValueError, r"rho must have finite entries"),
    ("funm_herm-a-nonherm", lambda: la.funm_herm(NONHERM2, np.exp), ValueError, r"a must be Hermitian"),
    ("funm_herm-f-notcallable", lambda: la.funm_herm(H2, 3.0), TypeError, r"f must be callable"),
    ("funm_herm-f-notelementwise", lambda: la.funm_herm(H3, np.sum), ValueError, r"f must map"),
    ("entropy-nonherm", lambda: la.entropy(NONHERM2), ValueError, r"rho must be Hermitian"),
    ("entropy-trace", lambda: la.entropy(TRACE2), ValueError, r"rho must have trace 1"),
    ("entropy-negative", lambda: la.entropy(NEG2), ValueError, r"rho must be positive semidefinite"),
    ("entropy-nan", lambda: la.entropy(NAN2), ValueError, r"rho must have finite entries"),
    ("entropy-empty", lambda: la.entropy(np.zeros((0, 0))), ValueError, r"rho must have dimension d >= 1"),
    ("relative_entropy-tol-inf", lambda: la.relative_entropy(RHO2, SIG2, tol=np.inf), ValueError, r"tol must be finite"),
    ("relative_entropy-tol-big", lambda: la.relative_entropy(RHO2, SIG2, tol=0.5), ValueError,
     r"tol must be a small tolerance <= 0\.001"),
    ("relative_entropy-tol-neg", lambda: la.relative_entropy(RHO2, SIG2, tol=-1e-12), ValueError, r"tol must be >= 0"),
    ("relative_entropy-tol-complex", lambda: la.relative_entropy(RHO2, SIG2, tol=1e-12j), ValueError, r"tol must be real"),
    ("relative_entropy-mu-trace", lambda: la.relative_entropy(TRACE2, SIG2), ValueError, r"mu must have trace 1"),
    ("relative_entropy-nu-nonherm", lambda: la.relative_entropy(RHO2, NONHERM2), ValueError, r"nu must be Hermitian"),
    ("relative_entropy-nu-size", lambda: la.relative_entropy(RHO2, RHO3), ValueError, r"nu must be 2x2"),
    ("relative_entropy-broadcast", lambda: la.relative_entropy(np.stack([RHO2] * 3), np.stack([SIG2] * 2)),
     ValueError, r"leading axes of mu \(3,\) and nu \(2,\)"),
    ("trace_distance-a-nan", lambda: la.trace_distance(NAN2, SIG2), ValueError, r"a must have finite entries"),
    ("trace_distance-b-size", lambda: la.trace_distance(RHO2, RHO3), ValueError, r"b must be 2x2"),
    ("partial_trace-rho-nan", lambda: la.partial_trace(np.full((4, 4), np.nan), (2, 2), 0), ValueError,
     r"rho must have finite entries"),
    ("partial_trace-dims-float", lambda: la.partial_trace(np.eye(4) / 4, (2.0, 2.0), 0), TypeError,
     r"dims must be a sequence of positive integers"),
    ("partial_trace-dims-none", lambda: la.partial_trace(np.eye(4) / 4, None, 0), TypeError, r"dims must be a sequence"),
    ("partial_trace-dims-empty", lambda: la.partial_trace(np.eye(4) / 4, (), 0), ValueError, r"dims must be a non-empty"),
    ("partial_trace-dims-zero", lambda: la.partial_trace(np.eye(4) / 4, (4, 0), 0), ValueError,
     r"dims must be positive integers"),
    ("partial_trace-keep-float", lambda: la.partial_trace(np.eye(4) / 4, (2, 2), 0.0), TypeError, r"keep must be an integer"),
    ("partial_trace-keep-range", lambda: la.partial_trace(np.eye(4) / 4, (2, 2), 5), ValueError,
     r"keep must be distinct factor indices"),
    ("dlog-rho-nonherm", lambda: la.dlog(NONHERM2, H2), ValueError, r"rho must be Hermitian"),
    ("dlog-rho-singular", lambda: la.dlog(np.diag([1.0, 0.0]), H2), ValueError, r"rho must be positive definite"),
    ("dlog-delta-nan", lambda: la.dlog(RHO2, NAN2), ValueError, r"delta must have finite entries"),
    ("dlog-delta-size", lambda: la.dlog(RHO2, H3), ValueError, r"delta must be 2x2"),
    ("spre-nan", lambda: la.spre(NAN2), ValueError, r"a must have finite entries"),
    ("spost-nonsquare", lambda: la.spost(np.ones((2, 3))), ValueError, r"b must be a square"),
    ("sprepost-b-size", lambda: la.sprepost(H2, H3), ValueError, r"b must be 2x2"),
    ("superop_commutator-str", lambda: la.superop_commutator("H"), TypeError, r"h must be a numeric array"),
    ("superop_commutator-inf", lambda: la.superop_commutator(INF2), ValueError, r"h must have finite entries"),
    ("linear_map_matrix-f", lambda: la.linear_map_matrix(None, 2), TypeError, r"f must be callable"),
    ("linear_map_matrix-n_in-float", lambda: la.linear_map_matrix(lambda x: x, 2.0), TypeError,
     r"n_in must be an integer"),
    ("linear_map_matrix-n_in-zero", lambda: la.linear_map_matrix(lambda x: x, 0), ValueError, r"n_in must be >= 1"),
    ("linear_map_matrix-f-shape", lambda: la.linear_map_matrix(lambda x: x[0], 2), ValueError, r"f must return"),
    ("linear_map_matrix-f-nan", lambda: la.linear_map_matrix(lambda x: x * np.nan, 2), ValueError,
     r"f must return finite"),
    ("vec-nan", lambda: la.vec(NAN2), ValueError, r"x must have finite entries"),
    ("vec-vector", lambda: la.vec(np.ones(4)), ValueError, r"x must be a square matrix"),
    ("vec-nonsquare", lambda: la.vec(np.ones((2, 3))), ValueError, r"x must be a square matrix"),
    ("unvec-v-notsquare", lambda: la.unvec(np.ones(5)), ValueError, r"v must have a last axis of length d²"),
    ("unvec-d-mismatch", lambda: la.unvec(np.ones(4), 3), ValueError, r"v must have a last axis of length d² = 9"),
    ("unvec-d-float", lambda: la.unvec(np.ones(4), 2.0), TypeError, r"d must be an integer"),
    ("unvec-v-nan", lambda: la.unvec(np.full(4, np.nan)), ValueError, r"v must have finite entries"),
    # ---------------------------------------------------------------- lindblad
    ("lindblad_superop-H-nonherm", lambda: lb.lindblad_superop(NONHERM2), ValueError, r"H must be Hermitian"),
    ("lindblad_superop-jumps-nan", lambda: lb.lindblad_superop(H2, np.full((1, 2, 2), np.nan)), ValueError,
     r"jumps must have finite entries"),
    ("lindblad_superop-jumps-shape", lambda: lb.lindblad_superop(H2, np.zeros((1, 3, 3))), ValueError,
     r"jumps must have shape \(\.\.\., L, 2, 2\)"),
    ("lindblad_superop-jumps-none", lambda: lb.lindblad_superop(H2, None), TypeError, r"jumps must be a numeric"),
    ("lindblad_superop-jumps-str", lambda: lb.lindblad_superop(H2, "abc"), TypeError, r"jumps must be a numeric"),
    ("apply_superop-S-notsquare-d", lambda: lb.apply_superop(np.eye(5), RHO2), ValueError, r"S must have shape .*perfect square"),
    ("apply_superop-rho-size", lambda: lb.apply_superop(S4, RHO3), ValueError, r"rho must be 2x2"),
    ("apply_superop-S-nan", lambda: lb.apply_superop(np.full((4, 4), np.nan), RHO2), ValueError, r"S must have finite"),
    ("null_steady_state-identity", lambda: lb.null_steady_state(np.eye(4)), ValueError,
     r"S must have a one-dimensional kernel.*measured kernel dimension 0"),
    ("null_steady_state-zero", lambda: lb.null_steady_state(np.zeros((4, 4))), ValueError,
     r"S must have a one-dimensional kernel.*measured kernel dimension 4"),
    ("null_steady_state-nan", lambda: lb.null_steady_state(np.full((4, 4), np.nan)), ValueError,
     r"S must have finite entries"),
    ("null_steady_state-d2", lambda: lb.null_steady_state(np.eye(3)), ValueError, r"S must have shape \(\.\.\., d², d²\)"),
    ("null_steady_state-vector", lambda: lb.null_steady_state(np.ones(4)), ValueError, r"S must be a square matrix"),
    ("null_steady_state-tol", lambda: lb.null_steady_state(S4, tol=np.nan), ValueError, r"tol must be finite"),
    ("null_steady_state-traceless", lambda: lb.null_steady_state(np.eye(4) - np.outer([1, 0, 0, -1], [1, 0, 0, -1]) / 2),
     ValueError, r"S must have a null vector of nonzero trace"),
    ("entropy_production_sum-J-mismatch", lambda: lb.entropy_production_sum(SJ[:1], RJ, RHO2), ValueError,
     r"steady_states must have J = 1 states"),
    ("entropy_production_sum-no-J-axis", lambda: lb.entropy_production_sum(S4, RJ, RHO2), ValueError,
     r"superops must have shape \(\.\.\., J, d², d²\)"),
    ("entropy_production_sum-states-no-J", lambda: lb.entropy_production_sum(SJ[:1], RJ[0], RHO2), ValueError,
     r"steady_states must have shape \(\.\.\., J, 2, 2\)"),
    ("entropy_production_sum-rho-trace", lambda: lb.entropy_production_sum(SJ, RJ, TRACE2), ValueError,
     r"rho must have trace 1"),
    ("entropy_production_sum-rho-singular", lambda: lb.entropy_production_sum(SJ, RJ, np.diag([1.0, 0.0])),
     ValueError, r"rho must be positive definite"),
    ("entropy_production_sum-states-nonherm", lambda: lb.entropy_production_sum(SJ, np.stack([RHO2, NONHERM2]), RHO2),
     ValueError, r"steady_states must be Hermitian"),
    ("entropy_production_sum-superops-size", lambda: lb.entropy_production_sum(np.zeros((2, 9, 9)), RJ, RHO2),
     ValueError, r"steady_states must be 3x3"),
    ("entropy_production_sum-broadcast", lambda: lb.entropy_production_sum(np.stack([SJ] * 3), RJ,
                                                                           np.stack([RHO2] * 2)),
     ValueError, r"leading axes of superops \(3,\), steady_states \(\) and rho \(2,\) do not broadcast"),
    ("entropy_production_sum-superops-none", lambda: lb.entropy_production_sum(None, RJ, RHO2), TypeError,
     r"superops must be a numeric"),
    # ------------------------------------------------------------------- reset
    ("combine_resets-taus-trace", lambda: rs.combine_resets(np.stack([TRACE2, SIG2]), GAM), ValueError,
     r"taus must have trace 1"),
    ("combine_resets-gammas-complex", lambda: rs.combine_resets(TAUS, GAM + 1j), ValueError, r"gammas must be real"),
    ("combine_resets-taus-empty", lambda: rs.combine_resets(EMPTY, np.zeros(0)), ValueError, r"taus must not be empty"),
    ("rho_H-H-nan", lambda: rs.rho_H(NAN2, SIG2), ValueError, r"H must have finite entries"),
    ("rho_H-T-size", lambda: rs.rho_H(H2, RHO3), ValueError, r"T must be 2x2"),
    ("rho_H-T-none", lambda: rs.rho_H(H2, None), TypeError, r"T must be a numeric"),
    ("rho_H-broadcast", lambda: rs.rho_H(np.stack([H2] * 3), np.stack([SIG2] * 2)), ValueError,
     r"leading axes of H \(3,\) and T \(2,\)"),
    ("steady_state-taus-empty", lambda: rs.steady_state(H2, EMPTY, np.zeros(0)), ValueError, r"taus must not be empty"),
    ("steady_state-gammas-complex", lambda: rs.steady_state(H2, TAUS, np.array([1.0, 0.5 + 0.1j])), ValueError,
     r"gammas must be real"),
    ("steady_state-gammas-str", lambda: rs.steady_state(H2, TAUS, "1"), TypeError, r"gammas must be a numeric"),
    ("lindbladian-taus-negative", lambda: rs.lindbladian(H2, np.stack([NEG2, SIG2]), GAM), ValueError,
     r"taus must be positive semidefinite"),
    ("lindbladian_apply-rho-nan", lambda: rs.lindbladian_apply(H2, TAUS, GAM, NAN2), ValueError,
     r"rho must have finite entries"),
    ("lindbladian_apply-rho-broadcast", lambda: rs.lindbladian_apply(np.stack([H2] * 3), TAUS, GAM,
                                                                      np.stack([RHO2] * 2)),
     ValueError, r"leading axes of H \(3,\), taus \(\), gammas \(\) and rho \(2,\)"),
    ("lindbladian_adjoint_apply-X-none", lambda: rs.lindbladian_adjoint_apply(H2, TAUS, GAM, None), TypeError,
     r"X must be a numeric"),
    ("spectrum-gammas-nan", lambda: rs.spectrum(H2, np.array([np.nan, 1.0])), ValueError, r"gammas must be finite"),
    ("spectrum-gammas-empty", lambda: rs.spectrum(H2, np.zeros(0)), ValueError, r"gammas must not be empty"),
    ("spectrum-broadcast", lambda: rs.spectrum(np.stack([H2] * 3), np.ones((2, 2))), ValueError,
     r"leading axes of H \(3,\) and gammas \(2,\)"),
    ("evolve-rho0-nan", lambda: rs.evolve(H2, TAUS, GAM, NAN2, 1.0), ValueError, r"rho0 must have finite entries"),
    ("evolve-t-complex", lambda: rs.evolve(H2, TAUS, GAM, RHO2, 1j), ValueError, r"t must be real"),
    ("evolve-t-str", lambda: rs.evolve(H2, TAUS, GAM, RHO2, "1"), TypeError, r"t must be a numeric"),
    ("evolve-broadcast", lambda: rs.evolve(np.stack([H2] * 2), TAUS, GAM, RHO2, np.zeros(3)), ValueError,
     r"leading axes of H \(2,\), taus \(\), gammas \(\), rho0 \(\) and t \(3,\) do not broadcast"),
    ("partial_steady_states-lambdas-shape", lambda: rs.partial_steady_states(H2, TAUS, GAM, np.ones(3)), ValueError,
     r"lambdas must have shape \(\.\.\., 2\)"),
    ("partial_steady_states-lambdas-complex", lambda: rs.partial_steady_states(H2, TAUS, GAM, LAM + 1j), ValueError,
     r"lambdas must be real"),
    ("partial_lindbladians_apply-rho-size", lambda: rs.partial_lindbladians_apply(H2, TAUS, GAM, LAM, RHO3),
     ValueError, r"rho must be 2x2"),
    ("partial_lindbladians_apply-lambdas-scalar", lambda: rs.partial_lindbladians_apply(H2, TAUS, GAM, 0.5, RHO2),
     ValueError, r"lambdas must have shape \(\.\.\., 2\)"),
    ("entropy_production-rho-nonherm", lambda: rs.entropy_production(H2, TAUS, GAM, LAM, NONHERM2), ValueError,
     r"rho must be Hermitian"),
    ("entropy_production-rho-trace", lambda: rs.entropy_production(H2, TAUS, GAM, LAM, rho=TRACE2), ValueError,
     r"rho must have trace 1"),
    ("entropy_production-rho-broadcast", lambda: rs.entropy_production(H2, TAUS, GAM, np.stack([LAM] * 3),
                                                                        np.stack([RHO2] * 2)),
     ValueError, r"leading axes of lambdas \(3,\) and rho \(2,\)"),
    ("entropy_production-lambdas-str", lambda: rs.entropy_production(H2, TAUS, GAM, "0.5"), TypeError,
     r"lambdas must be a numeric"),
    ("entropy_production-H-none", lambda: rs.entropy_production(None, TAUS, GAM, LAM), TypeError,
     r"H must be a numeric"),
    ("entropy_fluxes-taus-singular", lambda: rs.entropy_fluxes(H2, np.stack([np.diag([1.0, 0.0]), SIG2]), GAM, LAM),
     ValueError, r"taus must be positive definite"),
    ("entropy_fluxes-lambdas-sum", lambda: rs.entropy_fluxes(H2, TAUS, GAM, np.array([0.5, 0.6])), ValueError,
     r"lambdas must sum to 1"),
    ("flux_observables-lambdas-nan", lambda: rs.flux_observables(H2, TAUS, GAM, np.array([np.nan, 1.0])), ValueError,
     r"lambdas must be finite"),
    # ------------------------------------------------------------------ models (qubit)
    ("qubit_hamiltonian-delta-complex", lambda: M.qubit_hamiltonian(1j), ValueError, r"delta must be real"),
    ("qubit_hamiltonian-eps-nan", lambda: M.qubit_hamiltonian(0.5, np.nan), ValueError, r"eps must be finite"),
    ("qubit_hamiltonian-delta-none", lambda: M.qubit_hamiltonian(None), TypeError, r"delta must be a numeric"),
    ("qubit_hamiltonian-broadcast", lambda: M.qubit_hamiltonian(np.ones(3), np.ones(2)), ValueError,
     r"leading axes of delta \(3,\) and eps \(2,\)"),
    ("qubit_reset_state-t-range", lambda: M.qubit_reset_state(1.5), ValueError, r"t must lie in \[0, 1\]"),
    ("qubit_steady_state_one_printed-gamma_A", lambda: M.qubit_steady_state_one_printed(0.5, 0.0, 0.3), ValueError,
     r"gamma_A must be > 0"),
    ("qubit_steady_state_one-t_A", lambda: M.qubit_steady_state_one(0.5, 1.0, -0.1), ValueError, r"t_A must lie in"),
    ("qubit_evolution_commuting-p0-trace", lambda: M.qubit_evolution_commuting(TRACE2, 1.0, 0.3, 1.0), ValueError,
     r"p0 must have trace 1"),
    ("qubit_evolution_commuting-t-neg", lambda: M.qubit_evolution_commuting(RHO2, 1.0, 0.3, -1.0), ValueError,
     r"t must be >= 0"),
    ("qubit_ep_commuting_printed-t_A-open", lambda: M.qubit_ep_commuting_printed(0.5, 1.0, 1.0, 1.0), ValueError,
     r"t_A must lie in the open interval"),
    ("qubit_ep_commuting-p00", lambda: M.qubit_ep_commuting(np.nan, 1.0, 0.3, 1.0), ValueError, r"p00 must be finite"),
    ("qubit_steady_state-Gamma", lambda: M.qubit_steady_state(0.5, -1.0, 0.3), ValueError, r"Gamma must be > 0"),
    ("qubit_steady_state-tbar-complex", lambda: M.qubit_steady_state(0.5, 1.0, 0.3j), ValueError, r"tbar must be real"),
    ("qubit_partial_steady_state-lam_j", lambda: M.qubit_partial_steady_state(0.5, 1.0, 0.3, np.inf), ValueError,
     r"lam_j must be finite"),
    ("qubit_kappa-gamma_j", lambda: M.qubit_kappa(0.5, 0.0, 0.3, 1.0), ValueError, r"gamma_j must be > 0"),
    ("qubit_ep_same_reset_printed-t", lambda: M.qubit_ep_same_reset_printed(0.5, 1.0, 2.0, 0.0, 0.3), ValueError,
     r"t must lie in the open interval"),
    ("qubit_ep_same_reset-Gamma", lambda: M.qubit_ep_same_reset(0.5, 1.0, np.nan, 0.3, 0.3), ValueError,
     r"Gamma must be finite"),
    ("qubit_ep_case_ii_same_reset-gamma_BC", lambda: M.qubit_ep_case_ii_same_reset(0.5, 1.0, 0.0, 0.3), ValueError,
     r"gamma_BC must be > 0"),
    ("qubit_ep_commuting_multi-tbar", lambda: M.qubit_ep_commuting_multi(1.0, 0.3, 1.0), ValueError,
     r"tbar must lie in the open interval"),
    # ------------------------------------------------------------------ models (chain)
    ("three_qubit_hamiltonian-U-complex", lambda: M.three_qubit_hamiltonian(0.1, 0.1, 0.1, 1j, 0.1, 0.1), ValueError,
     r"U must be real"),
    ("three_qubit_hamiltonian-J_beta-str", lambda: M.three_qubit_hamiltonian(0.1, 0.1, 0.1, 0.1, 0.1, "x"), TypeError,
     r"J_beta must be a numeric"),
    ("reset_state-t-nan", lambda: M.reset_state(np.nan), ValueError, r"t must be finite"),
    ("three_qubit_qrm-t_B", lambda: M.three_qubit_qrm(0.95, 1.2), ValueError, r"t_B must lie in \[0, 1\]"),
    ("three_qubit_qrm-gamma_A", lambda: M.three_qubit_qrm(0.95, 0.6, gamma_A=-1.0), ValueError, r"gamma_A must be > 0"),
    ("three_qubit_qrm-t_A-array", lambda: M.three_qubit_qrm(np.array([0.9, 0.95]), 0.6), ValueError,
     r"t_A must be a scalar"),
    ("hbar_tau-t_B", lambda: M.hbar_tau(0.08, 0.1, 0.05, 0.1, 0.95, 2.0), ValueError, r"t_B must lie in"),
    ("hbar_tau_A-J_beta", lambda: M.hbar_tau_A(0.08, 0.1, 0.05, 0.1, np.inf, 0.95), ValueError,
     r"J_beta must be finite"),
    ("hbar_tau_B-order", lambda: M.hbar_tau_B(0.08, 0.1, 0.05, 0.1, 0.05, 0.6, order="BA"), ValueError,
     r"order must be 'AC' or 'CA'"),
    ("hbar_tau_B-t_B", lambda: M.hbar_tau_B(0.08, 0.1, 0.05, 0.1, 0.05, -0.6), ValueError, r"t_B must lie in"),
    ("hbar_tau_A_spectrum-e_C", lambda: M.hbar_tau_A_spectrum(0.08, 0.1, 0.05j, 0.1, 0.1, 0.95), ValueError,
     r"e_C must be real"),
    ("partial_steady_state_chain-t", lambda: M.partial_steady_state_chain(1.5), ValueError, r"t must lie in"),
    ("rho0_C-J-both-zero", lambda: M.rho0_C(**_mod(CH, J_alpha=0.0, J_beta=0.0)), ValueError,
     r"J_alpha and J_beta must not both vanish"),
    ("rho0_chain-gamma_B", lambda: M.rho0_chain(**_mod(CH, gamma_B=0.0)), ValueError, r"gamma_B must be > 0"),
    ("rho1-t_A", lambda: M.rho1(**_mod(CH, t_A=np.nan)), ValueError, r"t_A must be finite"),
    ("commutator_H_rho0-broadcast", lambda: M.commutator_H_rho0(**_mod(CH, t_A=np.full(3, 0.9), t_B=np.full(2, 0.6))),
     ValueError, r"leading axes of .*t_A \(3,\) and t_B \(2,\)"),
    ("sigma2_chain-t_B-open", lambda: M.sigma2_chain(**_mod(CH, t_B=0.0)), ValueError,
     r"t_B must lie in the open interval"),
    ("entropy_fluxes_chain-rho-trace", lambda: M.entropy_fluxes_chain(2 * RHO8, 0.95, 0.6, 0.7, 0.6), ValueError,
     r"rho must have trace 1"),
    ("entropy_fluxes_chain-rho-size", lambda: M.entropy_fluxes_chain(RHO2, 0.95, 0.6, 0.7, 0.6), ValueError,
     r"rho must be 8x8"),
    ("entropy_fluxes_chain-t_A", lambda: M.entropy_fluxes_chain(RHO8, 1.0, 0.6, 0.7, 0.6), ValueError,
     r"t_A must lie in the open interval"),
    ("entropy_fluxes_chain-broadcast", lambda: M.entropy_fluxes_chain(np.stack([RHO8] * 2), np.full(3, 0.9),
                                                                       0.6, 0.7, 0.6),
     ValueError, r"leading axes of rho \(2,\), t_A \(3,\)"),
    ("entropy_fluxes_g2_chain-H-nonherm", lambda: M.entropy_fluxes_g2_chain(np.triu(np.ones((8, 8))), RHO8, 0.95,
                                                                            0.6, 0.1),
     ValueError, r"H must be Hermitian"),
    ("entropy_fluxes_g2_chain-rho1-nan", lambda: M.entropy_fluxes_g2_chain(np.eye(8), np.full((8, 8), np.nan), 0.95,
                                                                           0.6, 0.1),
     ValueError, r"rho1 must have finite entries"),
    ("entropy_fluxes_g2_chain-g-complex", lambda: M.entropy_fluxes_g2_chain(np.eye(8), RHO8, 0.95, 0.6, 0.1j),
     ValueError, r"g must be real"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_rejected(case):
    _, call, exc, regex = case
    with pytest.raises(exc, match=regex):
        call()


def test_every_public_callable_has_a_bad_input_case():
    """Each public callable of the four modules appears in at least one case id above."""
    covered = {c[0].split("-")[0] for c in CASES}
    names = set()
    for mod in (la, lb, rs, M):
        names |= {n for n in mod.__all__ if callable(getattr(mod, n)) and not isinstance(getattr(mod, n), type)}
    missing = sorted(names - covered)
    assert not missing, f"no bad-input case for {missing}"


# --- valid inputs give finite results ------------------------------------------------------

def test_valid_inputs_finite():
    out = [
        la.entropy(RHO2), la.relative_entropy(RHO2, SIG2), la.logm_pd(RHO3), la.dlog(RHO3, H3),
        lb.null_steady_state(S4), lb.entropy_production_sum(SJ, RJ, RHO2).sigma,
        rs.entropy_production(H2, TAUS, GAM, LAM).sigma, rs.entropy_fluxes(H2, TAUS, GAM, LAM),
        M.qubit_ep_case_ii_same_reset(0.5, 1.0, 0.5, 0.5),     # t_A = 1/2: was 0/0 = nan
        M.sigma2_chain(**CH), M.entropy_fluxes_chain(RHO8, 0.95, 0.6, 0.7, 0.6)[0],
    ]
    for x in out:
        assert np.all(np.isfinite(x))
    assert M.qubit_ep_case_ii_same_reset(0.5, 1.0, 0.5, 0.5) == 0.0


# --- null_steady_state: the hang, the kernel dimension -------------------------------------

def test_null_steady_state_inf_does_not_hang():
    """An ``inf`` entry used to hang inside LAPACK's SVD: run it in a subprocess with a timeout."""
    code = (
        "import numpy as np\n"
        "from qrmlib import lindblad as lb\n"
        "S = np.zeros((4, 4)); S[0, 0] = np.inf\n"
        "try:\n"
        "    lb.null_steady_state(S)\n"
        "except ValueError as e:\n"
        "    print('ValueError:', e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={"OPENBLAS_NUM_THREADS": "1", "PATH": ""})
    assert out.returncode == 0, out.stderr
    assert "ValueError: S must have finite entries" in out.stdout


def test_null_steady_state_huge_entries_scaled():
    """Entries near the overflow limit are scaled before the SVD (no inf inside LAPACK)."""
    rho = lb.null_steady_state(1e300 * S4)
    assert np.allclose(rho, qrmlib.steady_state(H2, TAUS, GAM), atol=1e-12)


def test_null_steady_state_kernel_dimension_per_stack_element():
    S = np.stack([S4, np.zeros((4, 4)), S4])
    with pytest.raises(ValueError, match=r"measured kernel dimension 4 at index \(1,\)"):
        lb.null_steady_state(S)


def test_null_steady_state_threshold_is_relative():
    # the same superoperator in other units has the same kernel
    for scale in (1e-8, 1.0, 1e8):
        assert np.allclose(lb.null_steady_state(scale * S4), lb.null_steady_state(S4), atol=1e-12)
    # a gap below tol * s_max counts as a second kernel direction
    U = np.linalg.qr(np.random.default_rng(0).normal(size=(4, 4)))[0]
    S = U @ np.diag([1.0, 0.5, 1e-12, 0.0]) @ U.T
    with pytest.raises(ValueError, match=r"measured kernel dimension 2"):
        lb.null_steady_state(S)
    assert lb.NULL_TOL == 1e-10


# --- projection of states inside the tolerance ----------------------------------------------

def test_states_inside_tolerance_are_projected():
    """A state with tr - 1 = 9e-11 and a 5e-11 anti-Hermitian part gives the result of its projection."""
    d_tr, d_ah = 9e-11, 5e-11j
    rho = RHO2 + np.diag([d_tr, 0.0])
    rho[0, 1] += d_ah
    proj = 0.5 * (rho + rho.conj().T)
    proj = proj / np.trace(proj).real
    taus = TAUS.copy()
    taus[0, 0, 0] += d_tr
    taus_p = taus / np.trace(taus, axis1=-2, axis2=-1).real[:, None, None]
    pairs = [
        (la.entropy(rho), la.entropy(proj)),
        (la.relative_entropy(rho, SIG2), la.relative_entropy(proj, SIG2)),
        (rs.entropy_production(H2, TAUS, GAM, LAM, rho).sigma, rs.entropy_production(H2, TAUS, GAM, LAM, proj).sigma),
        (rs.entropy_fluxes(H2, TAUS, GAM, LAM, rho), rs.entropy_fluxes(H2, TAUS, GAM, LAM, proj)),
        (rs.steady_state(H2, taus, GAM), rs.steady_state(H2, taus_p, GAM)),
        (rs.combine_resets(taus, GAM)[0], rs.combine_resets(taus_p, GAM)[0]),
        (lb.entropy_production_sum(SJ, RJ, rho).sigma, lb.entropy_production_sum(SJ, RJ, proj).sigma),
        (M.entropy_fluxes_chain(RHO8 + np.diag([d_tr] + [0.0] * 7), 0.95, 0.6, 0.7, 0.6)[0],
         M.entropy_fluxes_chain((RHO8 + np.diag([d_tr] + [0.0] * 7)) / (1 + d_tr), 0.95, 0.6, 0.7, 0.6)[0]),
    ]
    for got, want in pairs:
        assert np.allclose(got, want, rtol=1e-13, atol=1e-15)
    # and the unprojected input would differ (the test is not vacuous)
    assert abs(np.trace(rho).real - 1) > 1e-11


def _chain_sigma(tau_A, g=1e-4, lam=0.5):
    P = M.FIG_PARAMS
    H = M.three_qubit_hamiltonian(P["e_A"], P["e_B"], P["e_C"], P["U"], P["J_alpha"], P["J_beta"])
    m = qrmlib.TripartiteQRM(H, tau_A, M.reset_state(0.6), 1.0, 1.0, dims=(2, 2, 2))
    return float(m.entropy_production(g, lam)[0])


def test_chain_small_g_projection_tripartite_routes_through_density():
    """Issue 11: chain of Section 8 (FIG_PARAMS, t_A = 0.95, t_B = 0.6, gamma_A = gamma_B = 1, g = 1e-4).

    ``tr tau_A - 1 = 9e-11`` used to give sigma = -4.9e-11 instead of +3.6e-11.  The model
    projects ``tau_A`` (``_validate.density``): the result is the one of the projected input,
    to round-off, and has the sign and size of the exact value.
    """
    tau = np.diag([0.95 + 9e-11, 0.05]).astype(complex)
    exact = _chain_sigma(np.diag([0.95, 0.05]).astype(complex))
    got = _chain_sigma(tau)
    projected = V.density(tau, "tau_A")
    assert np.all(V.density(projected, "tau_A") == projected)      # the projection is idempotent
    assert got == _chain_sigma(projected)
    assert exact > 3.5e-11
    assert abs(got - exact) <= 1e-4 * abs(exact)


def test_chain_small_g_projection_to_1e6():
    """Issue 11, item 2: the example gives the exact input's value to 1e-6 relative.

    The double-precision ``TripartiteQRM.entropy_production`` cannot resolve 1e-6 of
    sigma = 3.6e-11 at g = 1e-4 (it moves by ~3e-6 relative when tau_A moves by one
    ulp: cancellation, not physics), so the comparison is made where the arithmetic can
    resolve it: the 30-digit mpmath reference of qrmlib.series, which validates (and
    so projects) its inputs like every public function.  Unprojected, the trace
    defect 9e-11 is a physical change of the reset channel (not trace preserving) of
    the same order as sigma itself.
    """
    from qrmlib import series

    P = M.FIG_PARAMS
    H = M.three_qubit_hamiltonian(P["e_A"], P["e_B"], P["e_C"], P["U"], P["J_alpha"], P["J_beta"])
    tau_B = M.reset_state(0.6)
    exact_tau = np.diag([0.95, 0.05]).astype(complex)
    bad_tau = np.diag([0.95 + 9e-11, 0.05]).astype(complex)
    args = (tau_B, 1.0, 1.0, (2, 2, 2), 1e-4, 0.5)
    exact = float(series.mp_entropy_production(H, exact_tau, *args, dps=30).sigma)
    got = float(series.mp_entropy_production(H, bad_tau, *args, dps=30).sigma)
    assert exact > 3.5e-11
    assert abs(got - exact) <= 1e-6 * exact
    # the double-precision path has the right sign and size (within its round-off floor)
    assert abs(_chain_sigma(bad_tau) - exact) <= 1e-4 * exact


# --- named results ---------------------------------------------------------------------------

def test_entropy_production_named_tuple():
    res = rs.entropy_production(H2, TAUS, GAM, LAM)
    assert isinstance(res, qrmlib.EntropyProductionSum) and isinstance(res, tuple)
    sigma, sigma_j = res                                  # unpacks as before
    assert res.sigma is sigma and res.sigma_j is sigma_j and res[0] is sigma and res[1] is sigma_j
    assert np.isclose(sigma, sigma_j.sum())
    # positional and keyword rho, as before
    a = rs.entropy_production(H2, TAUS, GAM, LAM, RHO2)
    b = rs.entropy_production(H2, TAUS, GAM, LAM, rho=RHO2)
    assert np.array_equal(a.sigma, b.sigma)
    # d > 2 path
    taus3 = np.stack([RHO3, np.diag([0.2, 0.3, 0.5]).astype(complex)])
    r3 = rs.entropy_production(H3, taus3, GAM, LAM)
    assert r3._fields == ("sigma", "sigma_j") and r3.sigma_j.shape == (2,)


def test_entropy_production_sum_named_tuple():
    res = lb.entropy_production_sum(SJ, RJ, RHO2)
    sigma, sigma_j = res
    assert isinstance(res, lb.EntropyProductionSum) and res.sigma is sigma and res.sigma_j is sigma_j
    ref = rs.entropy_production(H2, TAUS, GAM, LAM, RHO2)
    assert np.allclose(sigma_j, ref.sigma_j, atol=1e-12)


def test_entropy_fluxes_still_an_array():
    phi = rs.entropy_fluxes(H2, TAUS, GAM, LAM)
    assert isinstance(phi, np.ndarray) and phi.shape == (2,)
    assert np.isclose(phi.sum(), rs.entropy_production(H2, TAUS, GAM, LAM).sigma)


def test_exports_and_units_docstring():
    assert qrmlib.EntropyProductionSum is lb.EntropyProductionSum is rs.EntropyProductionSum
    doc = qrmlib.__doc__
    assert "hbar = 1" in doc.replace("\\", "") and "units of" in doc and "varepsilon" in doc


def test_validate_tolerance_maximum():
    assert V.tolerance(1e-4, "tol", maximum=1e-3) == 1e-4
    with pytest.raises(ValueError, match=r"tol must be a small tolerance"):
        V.tolerance(1.0, "tol", maximum=1e-3)
