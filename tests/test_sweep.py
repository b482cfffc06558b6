"""qrmlib.sweep: chunked evaluation of vectorised functions on parameter grids.

The NumPy and Dask backends must give identical results (bit for bit) on a small grid, and
both must equal one unchunked vectorised call.  The Dask part is skipped if Dask is missing.
"""

import numpy as np
import pytest

from qrmlib import models, reset
from qrmlib.sweep import chunk_slices, estimate_bytes_per_point, grid_sweep, has_dask

GAMMAS = np.array([1.0, 0.5])


def sigma(t_A, t_B, lam_A, delta):
    """Total EP of the qubit (5.1) with two reservoirs over (t_A, t_B, lam_A, delta)."""
    taus = models.qubit_reset_state(np.stack([t_A, t_B], axis=-1))
    lam = np.stack([lam_A, 1.0 - lam_A], axis=-1)
    return reset.entropy_production(models.qubit_hamiltonian(delta), taus, GAMMAS, lam)[0]


AXES = {"t_A": np.linspace(0.05, 0.95, 9), "t_B": np.linspace(0.1, 0.9, 7),
        "lam_A": np.linspace(-1.5, 2.0, 5), "delta": np.array([0.3, 0.7, 1.4])}
SHAPE = (9, 7, 5, 3)


@pytest.fixture(scope="module")
def reference():
    grids = np.meshgrid(*AXES.values(), indexing="ij")
    return sigma(*(g.ravel() for g in grids)).reshape(SHAPE)


def test_numpy_backend_equals_one_call(reference):
    # 945 points in chunks of 100: 10 chunks, the last one short
    out = grid_sweep(sigma, AXES, chunk_points=100, progress=False)
    assert out.shape == SHAPE and out.dtype == float
    assert np.array_equal(out, reference)
    # threads give the same numbers
    assert np.array_equal(grid_sweep(sigma, AXES, chunk_points=64, workers=2, progress=False), reference)


def test_dask_backend_identical_to_numpy(reference):
    pytest.importorskip("dask.array")
    assert has_dask()
    a = grid_sweep(sigma, AXES, chunk_points=100, backend="numpy", progress=False)
    b = grid_sweep(sigma, AXES, chunk_points=100, backend="dask", progress=False)
    c = grid_sweep(sigma, AXES, chunk_points=100, backend="dask", workers=2, progress=False)
    assert np.array_equal(a, b) and np.array_equal(a, c) and np.array_equal(a, reference)


def test_memory_budget_sets_chunk_size(reference):
    bpp = estimate_bytes_per_point(sigma, AXES, probe=200)
    assert 100 < bpp < 1e5  # a few kB per qubit point (Bloch arrays, validation copies)
    # a budget of ~50 points gives ~19 chunks, and the same result
    out = grid_sweep(sigma, AXES, budget_bytes=int(50 * bpp), progress=False)
    assert np.array_equal(out, reference)


def test_out_shape_and_fixed():
    f = lambda x, y, scale: scale * np.stack([x, y, x * y], axis=-1)  # noqa: E731
    axes = {"x": np.arange(3.0), "y": np.arange(4.0)}
    out = grid_sweep(f, axes, fixed={"scale": 2.0}, out_shape=(3,), chunk_points=5, progress=False)
    assert out.shape == (3, 4, 3)
    assert np.array_equal(out[2, 3], [4.0, 6.0, 12.0])
    if has_dask():
        assert np.array_equal(grid_sweep(f, axes, fixed={"scale": 2.0}, out_shape=(3,), chunk_points=5,
                                         backend="dask", progress=False), out)


def test_chunk_slices_cover():
    assert chunk_slices(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert chunk_slices(3, 10) == [(0, 3)]


@pytest.mark.parametrize("kwargs,msg", [
    ({"axes": {}}, "non-empty mapping"),
    ({"axes": {"x": np.zeros((2, 2))}}, "1-D array"),
    ({"axes": {"x": np.arange(3.0)}, "backend": "spark"}, "backend must be"),
    ({"axes": {"x": np.arange(3.0)}, "backend": "numpy", "client": object()}, "needs backend='dask'"),
])
def test_bad_arguments(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        grid_sweep(lambda x: x, chunk_points=2, progress=False, **kwargs)


def test_wrong_output_shape_is_reported():
    with pytest.raises(ValueError, match="func returned shape"):
        grid_sweep(lambda x: x[:1], {"x": np.arange(5.0)}, chunk_points=2, progress=False)


@pytest.fixture
def local_cluster():
    """A real dask.distributed LocalCluster: 2 worker processes on 127.0.0.1, closed in teardown."""
    pytest.importorskip("dask.array")
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def test_dask_distributed_cluster_identical_to_numpy(reference, local_cluster):
    """A real sweep on a 2-worker LocalCluster: bit-identical to the NumPy backend."""
    assert len(local_cluster.scheduler_info()["workers"]) == 2
    a = grid_sweep(sigma, AXES, chunk_points=100, backend="numpy", progress=False)
    b = grid_sweep(sigma, AXES, chunk_points=100, client=local_cluster, progress=False)
    assert b.dtype == a.dtype and np.array_equal(a, b) and np.array_equal(a, reference)


# --- broadcast=True: sub-grid chunks, axes as an open mesh (issue 10, item 4) -----------------------

def _outer(x, y, z):
    return np.sin(x) * y + z ** 2


@pytest.mark.parametrize("chunk", [1, 5, 7, 12, 60, 1000])
def test_broadcast_chunks_are_bit_identical_to_the_flat_sweep(chunk):
    axes = {"x": np.linspace(0, 1, 5), "y": np.arange(3.0), "z": np.linspace(-1, 1, 4)}
    flat = grid_sweep(_outer, axes, chunk_points=chunk, progress=False)
    bc = grid_sweep(_outer, axes, chunk_points=chunk, progress=False, broadcast=True)
    assert bc.shape == (5, 3, 4) and np.array_equal(bc, flat)


def test_broadcast_keeps_the_grid_structure_of_steady_state_batch():
    from qrmlib import models as M
    from qrmlib.tripartite import steady_state_batch

    P = M.FIG_PARAMS
    H = M.three_qubit_hamiltonian(P["e_A"], P["e_B"], P["e_C"], P["U"], P["J_alpha"], P["J_beta"])
    seen = []

    def pop(t_B, g):
        seen.append((t_B.shape, g.shape))
        rho = steady_state_batch(H, M.reset_state(0.6), M.reset_state(t_B), P["gamma_A"], P["gamma_B"],
                                 (2, 2, 2), g)
        return np.real(rho[..., 0, 0])

    axes = {"t_B": np.linspace(0.1, 0.9, 6), "g": np.logspace(-2, 1, 40)}
    out = grid_sweep(pop, axes, chunk_points=80, progress=False, broadcast=True)
    assert all(s == ((2, 1), (1, 40)) for s in seen)                 # 2 rows of 40 g per chunk
    ref = np.real(steady_state_batch(H, M.reset_state(0.6), M.reset_state(axes["t_B"])[:, None],
                                     P["gamma_A"], P["gamma_B"], (2, 2, 2), axes["g"])[..., 0, 0])
    assert np.array_equal(out, ref)


def test_broadcast_dask_threads_bit_identical():
    pytest.importorskip("dask")
    axes = {"x": np.linspace(0, 1, 5), "y": np.arange(3.0), "z": np.linspace(-1, 1, 4)}
    a = grid_sweep(_outer, axes, chunk_points=7, progress=False, broadcast=True)
    b = grid_sweep(_outer, axes, chunk_points=7, progress=False, broadcast=True, backend="dask")
    assert np.array_equal(a, b)


def test_broadcast_wrong_shape_is_refused():
    with pytest.raises(ValueError, match="sub-grid"):
        grid_sweep(lambda x, y: np.zeros(3), {"x": np.arange(2.0), "y": np.arange(3.0)},
                   chunk_points=3, progress=False, broadcast=True)
    with pytest.raises(TypeError, match="broadcast"):
        grid_sweep(_outer, {"x": np.arange(2.0), "y": np.arange(3.0), "z": np.arange(1.0)}, broadcast="yes")
