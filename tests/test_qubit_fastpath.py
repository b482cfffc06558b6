"""The qubit path of qrmlib.reset (issue 10 item 5): validation in Bloch coordinates, once per
call and in cache-sized blocks, and the blocked EP arithmetic give the results and the errors of
the generic path."""

import numpy as np
import pytest

from qrmlib import _validate as V
from qrmlib import reset
from qrmlib.linalg import _bloch2


def _states(rng, shape):
    a = rng.normal(size=shape + (2, 2)) + 1j * rng.normal(size=shape + (2, 2))
    r = a @ np.conj(np.swapaxes(a, -1, -2)) + 0.05 * np.eye(2)
    return r / np.trace(r, axis1=-2, axis2=-1)[..., None, None]


def _model(rng, lead=(70, 90)):
    h = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
    H = h + h.conj().T
    taus = _states(rng, lead + (3,))
    gammas = rng.uniform(0.2, 2.0, 3)
    lam = np.array([0.7, -0.4, 0.7])
    return H, taus, gammas, lam


def test_blocked_grid_equals_pointwise():
    rng = np.random.default_rng(5)
    H, taus, gammas, lam = _model(rng)
    sigma, sj = reset.entropy_production(H, taus, gammas, lam)  # many blocks
    phi = reset.entropy_fluxes(H, taus, gammas, lam)
    for i, j in [(0, 0), (13, 77), (69, 89), (35, 1)]:
        s1, sj1 = reset.entropy_production(H, taus[i, j], gammas, lam)  # one block
        assert sigma[i, j] == pytest.approx(float(s1), abs=1e-14)
        np.testing.assert_allclose(sj[i, j], sj1, atol=1e-14, rtol=0)
        np.testing.assert_allclose(phi[i, j], reset.entropy_fluxes(H, taus[i, j], gammas, lam), atol=1e-14)
    # the generic (eigenbasis) formulas on the same points
    rho, rj, Lj = reset._ep_parts(H, V.density(taus[5, 6], "taus"), gammas, lam, None)
    diff = reset.logm_pd(rj) - reset.logm_pd(rho)[..., None, :, :]
    np.testing.assert_allclose(sj[5, 6], reset._tr_prod(Lj, diff), atol=1e-13)


def test_bloch2_matches_density():
    rng = np.random.default_rng(6)
    x = _states(rng, (60, 80))
    x = x * (1 + 1e-12 * rng.normal(size=(60, 80)))[..., None, None]  # traces off by ~1e-12
    got = V.bloch2(x, "x", state=True)
    want = _bloch2(V.density(x, "x"))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    "spoil, match",
    [
        (lambda t: t.__setitem__((40, 50, 1, 0, 1), t[40, 50, 1, 0, 1] + 1e-3), "taus must be Hermitian"),
        (lambda t: t.__setitem__((40, 50, 1), 1.01 * t[40, 50, 1]), "taus must have trace 1"),
        (lambda t: t.__setitem__((40, 50, 1), np.diag([1.0, 0.0])), "taus must be positive definite"),
        (lambda t: t.__setitem__((40, 50, 1), np.diag([1.1, -0.1])), "taus must be positive semidefinite"),
        (lambda t: t.__setitem__((69, 89, 2, 0, 0), np.nan), "taus must have finite entries"),
    ],
)
def test_errors_on_a_blocked_grid(spoil, match):
    rng = np.random.default_rng(7)
    H, taus, gammas, lam = _model(rng)
    spoil(taus)
    for f in (reset.entropy_production, reset.entropy_fluxes):
        with pytest.raises(ValueError, match=match):
            f(H, taus, gammas, lam)
    with pytest.raises(ValueError, match=match):  # the same message as the generic check
        V.density(taus, "taus", strict=True)


def test_rho_argument_checked_in_bloch_form():
    rng = np.random.default_rng(8)
    H, taus, gammas, lam = _model(rng, (3,))
    rho = _states(rng, (3,))
    s, _ = reset.entropy_production(H, taus, gammas, lam, rho)
    assert s.shape == (3,)
    bad = rho.copy()
    bad[1] = np.diag([1.0, 0.0])
    with pytest.raises(ValueError, match="rho must be positive definite"):
        reset.entropy_production(H, taus, gammas, lam, bad)
    with pytest.raises(ValueError, match="rho must be 2x2"):
        reset.entropy_production(H, taus, gammas, lam, np.eye(3) / 3)
