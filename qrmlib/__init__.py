r"""qrmlib: quantum reset models, their steady states and entropy production.

Executable companion to G. Haack and A. Joye, *Entropy Production of Quantum
Reset Models*, arXiv:2401.10022.  The public functions are re-exported here
from the private-by-convention modules:

- :mod:`qrmlib.linalg`: matrix log, entropies, trace distance, partial traces;
- :mod:`qrmlib.reset`: QRMs on one Hilbert space (Sections 3-4);
- :mod:`qrmlib.lindblad`: generic Lindbladians (Section 2), independent solver;
- :mod:`qrmlib.tripartite`: the tri-partite A-C-B setup (Sections 6-7), exact in g;
- :mod:`qrmlib.perturbation`: its perturbation theory in g (Section 7);
- :mod:`qrmlib.models`: the paper's models and printed closed forms.

Units
-----
:math:`\hbar = 1`; energies (Hamiltonians, :math:`e_\#`, :math:`U`, :math:`J_\#`,
:math:`\delta`) are in units of :math:`\varepsilon`, the paper's energy scale, and
rates (:math:`\gamma_j`, :math:`\Gamma`) in the same units, so that times are in
units of :math:`1/\varepsilon`.  Entropies are in nats.

Input checks
------------
Every public function validates its arguments once, at the boundary, and raises
``ValueError`` (bad value) or ``TypeError`` (bad type) naming the argument and
the violated condition; states inside the tolerances of :mod:`qrmlib._validate`
are projected exactly (Hermitian part, trace one) before use.  Results with
several parts are named tuples (e.g. :class:`EntropyProductionSum`) that unpack as
plain tuples.
"""

from threadpoolctl import threadpool_limits as _threadpool_limits

from . import checks, linalg, lindblad, models, perturbation, reset, testing, tripartite
from .linalg import (
    commutator,
    dlog,
    entropy,
    logm_pd,
    partial_trace,
    relative_entropy,
    trace_distance,
)
from .lindblad import EntropyProductionSum, entropy_production_sum, lindblad_superop, null_steady_state
from .perturbation import (
    HypothesisCheck,
    Perturbative,
    ResetExpansion,
    double_commutator_trace,
    double_commutator_trace_spectral,
)
from .reset import (
    combine_resets,
    entropy_fluxes,
    entropy_production,
    evolve,
    flux_observables,
    lindbladian,
    lindbladian_adjoint_apply,
    lindbladian_apply,
    partial_lindbladians_apply,
    partial_steady_states,
    rho_H,
    spectrum,
    steady_state,
)
from .tripartite import TripartiteQRM

#: The one place the version is written (pyproject.toml reads it; see CHANGELOG.md).
__version__ = "0.1.0"


def single_thread_blas():
    """Context manager limiting BLAS/LAPACK to one thread.

    The matrices here are tiny (2x2 to 64x64); multi-threaded OpenBLAS on such
    sizes was measured up to 50x slower on 2-core machines.  Use as
    ``with qrmlib.single_thread_blas(): ...``.
    """
    return _threadpool_limits(limits=1)


__all__ = [
    "checks", "linalg", "lindblad", "models", "perturbation", "reset", "testing", "tripartite",
    "commutator", "dlog", "entropy", "logm_pd", "partial_trace", "relative_entropy", "trace_distance",
    "EntropyProductionSum", "entropy_production_sum", "lindblad_superop", "null_steady_state",
    "combine_resets", "entropy_fluxes", "entropy_production", "evolve", "flux_observables",
    "lindbladian", "lindbladian_adjoint_apply", "lindbladian_apply", "partial_lindbladians_apply",
    "partial_steady_states", "rho_H", "spectrum", "steady_state", "single_thread_blas",
    "TripartiteQRM", "Perturbative", "ResetExpansion", "HypothesisCheck",
    "double_commutator_trace", "double_commutator_trace_spectral",
]
