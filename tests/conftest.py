"""Shared fixtures: seeded random instances and single-threaded BLAS.

The random helpers live in the public :mod:`qrmlib.testing` (also used by the
book's chapters); the names below are kept for the test modules that import
them from here.
"""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from qrmlib.testing import random_density, random_hermitian  # noqa: F401  (re-exported)
from qrmlib.testing import random_faithful as faithful  # noqa: F401  (re-exported)
from qrmlib.testing import random_qrm


@pytest.fixture(autouse=True, scope="session")
def _single_thread_blas():
    with threadpool_limits(limits=1):
        yield


@pytest.fixture
def rng():
    return np.random.default_rng(20240119)


def instance(rng, d, J, hscale=1.0):
    """Random QRM instance ``(H, taus, gammas)`` with faithful reset states, rates in [0.2, 3]
    (:func:`qrmlib.testing.random_qrm`)."""
    return random_qrm(rng, d, J, hscale=hscale)
