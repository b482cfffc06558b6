r"""Parameter sweeps larger than one batch: chunked NumPy, or Dask (threads or a cluster).

Every :mod:`qrmlib` function broadcasts over leading axes, so a grid is one call
-- until the grid no longer fits in memory.  :func:`grid_sweep` evaluates a
vectorised function on the Cartesian product of 1-D parameter axes (e.g.
:math:`10^8` qubit points over :math:`(t_A, t_B, \lambda_A, \delta)`) in chunks
whose working memory stays below a budget, with a progress bar (tqdm):

* ``backend="numpy"``: plain chunked NumPy in this process (optionally spread
  over ``workers`` threads; NumPy releases the GIL in its kernels);
* ``backend="dask"``: the chunks become the blocks of a ``dask.array``
  computed with the threaded scheduler, or on a ``dask.distributed`` cluster
  when a ``client`` is passed;
* ``backend="auto"`` (default): Dask if a ``client`` is given, else NumPy.

Both backends cut the grid into the same chunks and call the function on the
same arrays, so they return identical results (bit for bit).

Chunks are contiguous runs of the C-ordered (row-major) flattened grid; the
function receives, for each axis name, a 1-D array with the parameter values
of the chunk's points (plus the ``fixed`` keyword arguments unchanged) and
must return an array of shape ``(n_points,) + out_shape``.

Example: the qubit EP of Section 5 on a :math:`100^4=10^8`-point grid
(two reservoirs, :math:`\gamma=(1, 1/2)`, :math:`\lambda_B=1-\lambda_A`)::

    import numpy as np
    from qrmlib import reset, models
    from qrmlib.sweep import grid_sweep

    def sigma(t_A, t_B, lam_A, delta):
        taus = models.qubit_reset_state(np.stack([t_A, t_B], axis=-1))   # (n, 2, 2, 2)
        lam = np.stack([lam_A, 1.0 - lam_A], axis=-1)                     # (n, 2)
        return reset.entropy_production(models.qubit_hamiltonian(delta), taus,
                                        np.array([1.0, 0.5]), lam)[0]

    axes = {"t_A": np.linspace(0.01, 0.99, 100), "t_B": np.linspace(0.01, 0.99, 100),
            "lam_A": np.linspace(-2, 2, 100), "delta": np.linspace(0.1, 2, 100)}
    s = grid_sweep(sigma, axes, budget_bytes=512 * 2**20)   # shape (100, 100, 100, 100)

On a laptop, with Dask's threads (both cores)::

    s = grid_sweep(sigma, axes, backend="dask")

On a cluster (``pip install "dask[distributed]"``; e.g. ``dask-jobqueue`` on SLURM)::

    from dask.distributed import Client
    client = Client("tcp://scheduler:8786")      # or Client(SLURMCluster(...))
    s = grid_sweep(sigma, axes, client=client)  # chunks run on the workers

The function must then be importable or picklable by the workers (a
module-level function, as above); the result (8 bytes per point) is gathered
into the calling process.
"""

from __future__ import annotations

import math
import sys
import tracemalloc
from typing import Callable, Mapping

import numpy as np

from . import _validate as _v

__all__ = ["grid_sweep", "estimate_bytes_per_point", "chunk_slices", "has_dask"]

#: default working-memory budget of one chunk (bytes)
DEFAULT_BUDGET = 256 * 2**20


def has_dask() -> bool:
    """Whether ``dask.array`` can be imported."""
    try:
        import dask.array  # noqa: F401
    except ImportError:
        return False
    return True


def _axes(axes) -> tuple[list[str], list[np.ndarray]]:
    if not isinstance(axes, Mapping):
        raise TypeError(f"axes must be a mapping {{name: 1-D array of values}}, got {type(axes).__name__}")
    if not axes:
        raise ValueError("axes must be a non-empty mapping {name: 1-D array of values}")
    names, values = [], []
    for k, v in axes.items():
        if not isinstance(k, str) or not k.isidentifier():
            raise ValueError(f"axes keys must be argument names of func (identifiers), got {k!r}")
        a = _v._numeric(v, f"axes[{k!r}]")
        if a.ndim != 1 or a.size == 0:
            raise ValueError(f"axes[{k!r}] must be a non-empty 1-D array, got shape {a.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"axes[{k!r}] must have finite entries")
        names.append(k)
        values.append(a)
    return names, values


def _fixed(fixed, names):
    if fixed is None:
        return {}
    if not isinstance(fixed, Mapping):
        raise TypeError(f"fixed must be a dict of keyword arguments or None, got {type(fixed).__name__}")
    fixed = dict(fixed)
    clash = [k for k in fixed if k in names]
    if clash:
        raise ValueError(f"fixed must not repeat an axis name, got {clash}")
    return fixed


def _points(names, values, shape, start, stop):
    """Parameter values of the flat grid points ``start:stop`` (C order), as 1-D arrays."""
    idx = np.unravel_index(np.arange(start, stop), shape)
    return {n: v[i] for n, v, i in zip(names, values, idx)}


def _block_axis(shape, chunk):
    """The axis ``a`` along which broadcast blocks are cut: the first with ``prod(shape[a+1:]) <= chunk``."""
    for a in range(len(shape)):
        if math.prod(shape[a + 1:]) <= chunk:
            return a
    return len(shape) - 1  # pragma: no cover - the last axis always qualifies


def _block_slices(shape, chunk):
    """Flat ``(start, stop)`` runs that are sub-grids: one index on the axes before ``a``, a run of
    ``max(1, chunk // inner)`` indices on axis ``a``, all of the axes after it (``inner`` points)."""
    a = _block_axis(shape, chunk)
    inner = math.prod(shape[a + 1:])
    L = max(1, chunk // inner)
    out = []
    for i in range(math.prod(shape[:a])):
        base = i * shape[a] * inner
        for j in range(0, shape[a], L):
            out.append((base + j * inner, base + min(j + L, shape[a]) * inner))
    return out, a


def _block(names, values, shape, start, stop, a):
    """Parameter values of the sub-grid ``start:stop`` as broadcastable arrays (open mesh, ``ndim = len(shape)``)."""
    inner = math.prod(shape[a + 1:])
    lead = np.unravel_index(start // (shape[a] * inner), shape[:a]) if a else ()
    j0 = (start // inner) % shape[a]
    L = (stop - start) // inner
    bshape = (1,) * a + (L,) + tuple(shape[a + 1:])
    out = {}
    for k, (n, v) in enumerate(zip(names, values)):
        sh = [1] * len(shape)
        if k < a:
            x = v[int(lead[k]):int(lead[k]) + 1]
        elif k == a:
            x = v[j0:j0 + L]
            sh[k] = L
        else:
            x = v
            sh[k] = v.size
        out[n] = x.reshape(sh)
    return out, bshape


def estimate_bytes_per_point(func: Callable, axes, *, fixed=None, probe: int = 2048) -> float:
    """Peak working memory per grid point of ``func``, measured with ``tracemalloc`` on a probe chunk.

    NumPy reports its array allocations to ``tracemalloc``, so the peak
    over one call on ``probe`` points (the first points of the grid) divided
    by ``probe`` is the memory a chunk costs per point.  LAPACK workspaces
    are not counted; they are small for the batched small matrices of
    :mod:`qrmlib`.
    """
    _v.callable_checked(func, "func")
    names, values = _axes(axes)
    fixed = _fixed(fixed, names)
    probe = _v.integer(probe, "probe", minimum=1)
    return _estimate(func, names, values, fixed, probe)


def _estimate(func, names, values, fixed, probe, broadcast=False):
    shape = tuple(v.size for v in values)
    n = min(probe, math.prod(shape))
    if broadcast:       # the first sub-grid of at most `probe` points
        slices, a = _block_slices(shape, n)
        n = slices[0][1]
        args, _ = _block(names, values, shape, 0, n, a)
    else:
        args = _points(names, values, shape, 0, n)
    was = tracemalloc.is_tracing()
    if not was:
        tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        func(**args, **fixed)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        if not was:
            tracemalloc.stop()
    return max(float(peak), 1.0) / n


def chunk_slices(n_points: int, chunk: int) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` covering ``range(n_points)`` in runs of at most ``chunk`` (integers >= 1)."""
    n_points = _v.integer(n_points, "n_points", minimum=1)
    chunk = _v.integer(chunk, "chunk", minimum=1)
    return _chunk_slices(n_points, chunk)


def _chunk_slices(n_points, chunk):
    return [(i, min(i + chunk, n_points)) for i in range(0, n_points, chunk)]


def _bar(total, disable, desc):
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is in the [book], [test] and [bench] extras
        class _Null:
            def update(self, *_):
                pass

            def close(self):
                pass

        return _Null()
    return tqdm(total=total, desc=desc, unit="chunk", disable=disable, file=sys.stderr)


def grid_sweep(func: Callable, axes, *, fixed: dict | None = None, budget_bytes: int = DEFAULT_BUDGET,
               bytes_per_point: float | None = None, chunk_points: int | None = None,
               backend: str = "auto", client=None, workers: int = 1, progress: bool = True,
               dtype=float, out_shape: tuple = (), broadcast: bool = False) -> np.ndarray:
    r"""Evaluate a vectorised function on the Cartesian product of parameter axes, in chunks.

    Parameters
    ----------
    func : callable
        ``func(**{name: values}, **fixed)``: each ``values`` is a 1-D array of
        length ``n`` (the parameter at the chunk's ``n`` points); returns an
        array of shape ``(n,) + out_shape``.  Any vectorised :mod:`qrmlib`
        call, wrapped to build its arguments from the parameters (see the
        module docstring).
    axes : mapping ``{name: 1-D array}``
        The grid axes, in order: the result has shape
        ``tuple(len(a) for a in axes.values()) + out_shape``.
    fixed : dict, optional
        Keyword arguments passed unchanged to every call.
    budget_bytes : int
        Working-memory budget of one chunk (default 256 MiB).  With Dask's
        threads, each running chunk has its own budget.
    bytes_per_point : float, optional
        Working memory of one point; measured with
        :func:`estimate_bytes_per_point` if omitted.  The chunk size is
        ``budget_bytes // bytes_per_point`` points.
    chunk_points : int, optional
        Chunk size in points, overriding the budget.
    backend : {"auto", "numpy", "dask"}
        ``"auto"``: Dask when ``client`` is given, NumPy otherwise.
    client : dask.distributed.Client, optional
        Run the chunks on this cluster (implies ``backend="dask"``).
    workers : int
        NumPy backend: number of threads (1 = in order, in this thread).
        Dask backend without a client: threads of the local scheduler
        (default: one per core when ``workers == 1``).
    progress : bool
        Show a tqdm progress bar (one step per chunk).
    dtype : numpy dtype
        Of the result.
    out_shape : tuple
        Trailing shape of ``func``'s output per point.
    broadcast : bool
        ``False`` (default): every axis is flattened to per-point parameters (1-D arrays of the
        chunk's points).  ``True``: each chunk is a sub-grid -- one index on the leading axes,
        a run on one axis, all of the trailing axes -- and ``func`` receives the axes as an
        open mesh (``ndim = len(axes)``, size 1 except along its own axis, like ``np.ix_``),
        so that broadcasting functions keep the grid structure (e.g.
        :func:`qrmlib.tripartite.steady_state_batch` builds one system per parameter set instead
        of one per point); ``func`` returns the sub-grid's shape + ``out_shape``.  The same
        chunks on both backends: bit-identical results.

    Returns
    -------
    ndarray, shape ``grid shape + out_shape``

    Raises
    ------
    ValueError
        Bad ``axes``/``backend``, or ``func`` returning the wrong shape.
    ImportError
        ``backend="dask"`` (or a ``client``) without Dask installed.

    Examples
    --------
    Identical results from both backends on a small grid:

    >>> import numpy as np
    >>> f = lambda x, y: np.sin(x) * y
    >>> axes = {"x": np.linspace(0, 1, 30), "y": np.arange(7.0)}
    >>> a = grid_sweep(f, axes, chunk_points=50, progress=False)
    >>> a.shape
    (30, 7)
    >>> bool(np.array_equal(a, np.sin(axes["x"])[:, None] * axes["y"]))
    True
    """
    _v.callable_checked(func, "func")
    names, values = _axes(axes)
    fixed = _fixed(fixed, names)
    shape = tuple(v.size for v in values)
    n_points = math.prod(shape)
    if isinstance(out_shape, (str, bytes)) or not hasattr(out_shape, "__iter__"):
        raise TypeError(f"out_shape must be a tuple of integers, got {type(out_shape).__name__}")
    out_shape = tuple(_v.integer(k, "out_shape", minimum=0) for k in out_shape)
    budget_bytes = _v.integer(budget_bytes, "budget_bytes", minimum=1)
    if bytes_per_point is not None:
        bytes_per_point = _v.scalar_real(_v.positive_real(bytes_per_point, "bytes_per_point"), "bytes_per_point")
    if chunk_points is not None:
        chunk_points = _v.integer(chunk_points, "chunk_points", minimum=1)
    backend = _v.choice(backend, "backend", ("auto", "numpy", "dask"))
    workers = _v.integer(workers, "workers", minimum=1)
    progress = _v.boolean(progress, "progress")
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a NumPy dtype, got {dtype!r}") from None
    if backend == "auto":
        backend = "dask" if client is not None else "numpy"
    if client is not None and backend != "dask":
        raise ValueError("a dask client needs backend='dask' (or 'auto')")
    broadcast = _v.boolean(broadcast, "broadcast")
    if chunk_points is None:
        if bytes_per_point is None:
            bytes_per_point = _estimate(func, names, values, fixed, 2048, broadcast)
        chunk_points = max(1, int(budget_bytes // max(float(bytes_per_point), 1.0)))
    if broadcast:
        chunks, axis = _block_slices(shape, min(int(chunk_points), n_points))
    else:
        chunks = _chunk_slices(n_points, min(int(chunk_points), n_points))

    def run(start, stop):
        if broadcast:
            args, bshape = _block(names, values, shape, start, stop, axis)
            out = np.asarray(func(**args, **fixed))
            if out.shape != bshape + out_shape:
                raise ValueError(f"func returned shape {out.shape} for the sub-grid {bshape}, "
                                 f"expected {bshape + out_shape}")
            return out.reshape((stop - start,) + out_shape).astype(dtype, copy=False)
        out = np.asarray(func(**_points(names, values, shape, start, stop), **fixed))
        if out.shape != (stop - start,) + out_shape:
            raise ValueError(f"func returned shape {out.shape} for {stop - start} points, "
                             f"expected {(stop - start,) + out_shape}")
        return out.astype(dtype, copy=False)

    if backend == "numpy":
        result = _run_numpy(run, chunks, n_points, out_shape, dtype, workers, progress)
    else:
        result = _run_dask(run, chunks, n_points, out_shape, dtype, workers, progress, client)
    return result.reshape(shape + out_shape)


def _run_numpy(run, chunks, n_points, out_shape, dtype, workers, progress):
    result = np.empty((n_points,) + out_shape, dtype=dtype)
    bar = _bar(len(chunks), not progress, "qrmlib.sweep")
    try:
        if workers <= 1:
            for a, b in chunks:
                result[a:b] = run(a, b)
                bar.update(1)
        else:
            from concurrent.futures import ThreadPoolExecutor, as_completed

            with ThreadPoolExecutor(max_workers=int(workers)) as ex:
                futs = {ex.submit(run, a, b): (a, b) for a, b in chunks}
                for f in as_completed(futs):
                    a, b = futs[f]
                    result[a:b] = f.result()
                    bar.update(1)
    finally:
        bar.close()
    return result


def _run_dask(run, chunks, n_points, out_shape, dtype, workers, progress, client):
    try:
        import dask
        import dask.array as da
    except ImportError as exc:
        raise ImportError("backend='dask' needs Dask: pip install 'dask[array]'") from exc

    sizes = tuple(b - a for a, b in chunks)
    starts = np.cumsum((0,) + sizes[:-1])
    idx = da.from_array(np.arange(len(chunks)), chunks=1)  # block k <-> chunk k

    def block(k):
        k = int(k[0])
        a = int(starts[k])
        return run(a, a + sizes[k])

    arr = da.map_blocks(block, idx, dtype=dtype,
                        chunks=(sizes,) + tuple((s,) for s in out_shape),
                        new_axis=list(range(1, 1 + len(out_shape))) or None,
                        meta=np.empty((0,) + out_shape, dtype=dtype))
    bar = _bar(len(chunks), not progress, "qrmlib.sweep[dask]")
    try:
        if client is not None:
            from dask.distributed import as_completed

            parts = arr.to_delayed().ravel().tolist()
            futs = client.compute(parts)
            pos = {f.key: i for i, f in enumerate(futs)}
            result = np.empty((n_points,) + out_shape, dtype=dtype)
            for f in as_completed(futs):
                i = pos[f.key]
                result[int(starts[i]):int(starts[i]) + sizes[i]] = f.result()
                bar.update(1)
            return result
        from dask.callbacks import Callback

        class _Tqdm(Callback):
            def _posttask(self, key, res, dsk, state, worker_id):
                if isinstance(key, tuple) and key and key[0] == arr.name:
                    bar.update(1)

        n_threads = None if workers <= 1 else int(workers)
        with _Tqdm():
            return np.asarray(dask.compute(arr, scheduler="threads", num_workers=n_threads)[0])
    finally:
        bar.close()
