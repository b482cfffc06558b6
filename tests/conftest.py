"""Shared fixtures: seeded random instances and single-threaded BLAS."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _single_thread_blas():
    with threadpool_limits(limits=1):
        yield


def random_hermitian(rng, d, scale=1.0):
    a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    return scale * (a + a.conj().T) / 2


def random_density(rng, d, rank=None):
    rank = d if rank is None else rank
    x = rng.normal(size=(d, rank)) + 1j * rng.normal(size=(d, rank))
    r = x @ x.conj().T
    return r / np.trace(r).real


@pytest.fixture
def rng():
    return np.random.default_rng(20240119)


def faithful(rng, d, floor=0.05):
    """Random faithful state: a random density matrix mixed with ``floor`` of the identity."""
    return (1 - floor) * random_density(rng, d) + floor * np.eye(d) / d


def instance(rng, d, J, hscale=1.0):
    """Random QRM instance ``(H, taus, gammas)`` with faithful reset states, rates in [0.2, 3]."""
    H = random_hermitian(rng, d, scale=hscale)
    taus = np.stack([faithful(rng, d) for _ in range(J)])
    gammas = rng.uniform(0.2, 3.0, size=J)
    return H, taus, gammas
