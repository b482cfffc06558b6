r"""Input checks shared by every public function of :mod:`qrmlib`.

Each checker takes the value and the *argument's name* and returns the value
converted to the working dtype, or raises ``ValueError`` (a bad value) or
``TypeError`` (a bad type) whose message names the argument and the violated
condition.  Public functions call them once, at the boundary; internal helpers
trust their inputs.

Tolerances (the one place they are defined)
-------------------------------------------
``HERM_TOL``
    A matrix counts as Hermitian when ``max|A - A^*| <= HERM_TOL * max(1, max|A|)``.
``TRACE_TOL``
    A state counts as trace one when ``|tr rho - 1| <= TRACE_TOL``.
``PSD_TOL``
    A state counts as positive semidefinite when its smallest eigenvalue is
    ``>= -PSD_TOL``; faithful (``strict``) when it is ``> PSD_TOL``.

A state accepted inside these tolerances is **projected exactly** before use:
its Hermitian part is taken and it is divided by its trace, so that a result
is the one of the exact state nearest to the input (the Hermitian, trace-one
matrix), not of the input's round-off.  (The small-g entropy production is
sensitive to ``tr tau - 1`` at the level of the trace tolerance.)  A trace already equal
to one within a few ulps is left as is, so that the projection is idempotent.

The kernel threshold of the null-vector solver is :data:`qrmlib.lindblad.NULL_TOL`.
"""

from __future__ import annotations

import numbers
import os

import numpy as np

from . import linalg as _la  # module reference: linalg imports this module too

HERM_TOL = 1e-10
TRACE_TOL = 1e-10
PSD_TOL = 1e-12
#: smallest mpmath precision (decimal digits) accepted: below double precision
#: a "reference" value would be less accurate than the value it checks
MIN_DPS = 15


def _numeric(a, name: str) -> np.ndarray:
    """``np.asarray(a)`` of a numeric (bool excluded) dtype, else ``TypeError``."""
    if isinstance(a, (str, bytes)) or a is None:
        raise TypeError(f"{name} must be a numeric array, got {type(a).__name__}")
    try:
        arr = np.asarray(a)
    except (ValueError, TypeError) as exc:  # ragged nested sequences
        raise ValueError(f"{name} must be a rectangular numeric array ({exc})") from None
    if arr.dtype.kind not in "iufc":
        raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    return arr


def finite_array(a, name: str, *, complex_ok: bool = True) -> np.ndarray:
    """Numeric array with finite entries, as complex128 (or float64 if not ``complex_ok``)."""
    arr = _numeric(a, name)
    if not complex_ok:
        return finite_real(arr, name)
    arr = arr.astype(complex)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must have finite entries")
    return arr


def nonempty(arr: np.ndarray, name: str) -> np.ndarray:
    """Refuse an array with no entries (e.g. an empty stack of reset states)."""
    if np.asarray(arr).size == 0:
        raise ValueError(f"{name} must not be empty, got shape {np.shape(arr)}")
    return arr


def _square_shape(arr: np.ndarray, name: str, d: int | None) -> np.ndarray:
    """Refuse a numeric array that is not a non-empty stack ``(..., d, d)``."""
    if arr.ndim < 2 or arr.shape[-1] != arr.shape[-2]:
        raise ValueError(f"{name} must be a square matrix of shape (..., d, d), got shape {arr.shape}")
    if arr.shape[-1] == 0:
        raise ValueError(f"{name} must have dimension d >= 1, got shape {arr.shape}")
    if d is not None and arr.shape[-1] != d:
        raise ValueError(f"{name} must be {d}x{d} (matching the other arguments), got {arr.shape[-2:]}")
    return nonempty(arr, name)


def as_square(a, name: str, d: int | None = None) -> np.ndarray:
    """Array of shape ``(..., d, d)`` as complex128 with finite entries, non-empty, else ``ValueError``."""
    arr = _square_shape(_numeric(a, name), name, d)
    arr = arr.astype(complex)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must have finite entries")
    return arr


def hermitian(a, name: str, d: int | None = None) -> np.ndarray:
    """Square Hermitian array (relative tolerance ``HERM_TOL``); returns its exact Hermitian part."""
    arr = as_square(a, name, d)
    arr_h = _la._dagger(arr)
    err = float(np.max(np.abs(arr - arr_h))) if arr.size else 0.0
    # scale >= 1, so err <= HERM_TOL passes without computing it (the common case)
    if err > HERM_TOL and err > HERM_TOL * max(1.0, float(np.max(np.abs(arr)))):
        raise ValueError(f"{name} must be Hermitian: max|{name} - {name}^*| = {err:.3e}")
    return 0.5 * (arr + arr_h)


def density(a, name: str, d: int | None = None, *, strict: bool = False) -> np.ndarray:
    """Density matrix: Hermitian, trace one, eigenvalues >= 0 (> 0 if ``strict``).

    Returns the exact projection of the input (Hermitian part divided by its
    trace): see the module docstring.
    """
    arr = hermitian(a, name, d)
    tr = np.real(np.trace(arr, axis1=-2, axis2=-1))
    if np.any(np.abs(tr - 1) > TRACE_TOL):
        bad = tr.flat[int(np.argmax(np.abs(tr - 1)))]
        raise ValueError(f"{name} must have trace 1, got trace {bad:.12g}")
    # divide unless the trace is 1 to round-off (a few ulps), so that the projection is
    # idempotent: density(density(x)) == density(x) bit for bit
    if np.any(np.abs(tr - 1) > 4 * np.finfo(float).eps * arr.shape[-1]):
        arr = arr / tr[..., None, None]
    w = _la._eigvalsh(arr)  # closed form for 2x2 (qubits), LAPACK otherwise
    wmin = float(np.min(w))
    if wmin < -PSD_TOL:
        raise ValueError(f"{name} must be positive semidefinite: eigenvalue {wmin:.3e} < 0")
    if strict and wmin <= PSD_TOL:
        raise ValueError(f"{name} must be positive definite (faithful): smallest eigenvalue {wmin:.3e}")
    return arr


#: points per block of the blocked elementwise passes (:func:`blocks`): their temporaries stay
#: in the L2 cache (passes over grid-sized arrays are memory bound, several times slower)
BLOCK = 4096


def blocks(lead: tuple, width: int = 1, budget: int | None = None):
    """Index tuples partitioning the leading shape ``lead`` into C-ordered blocks of at most
    ``budget`` elements (``width`` trailing elements per point; default :data:`BLOCK`),
    slicing one axis and fixing the axes before it.  One block, ``()``, if all fits."""
    budget = BLOCK if budget is None else budget
    inner, k = 1, len(lead)
    while k > 0 and inner * lead[k - 1] * width <= budget:
        inner *= lead[k - 1]
        k -= 1
    if k == 0:
        yield ()
        return
    step = max(1, budget // (inner * width))
    for idx in np.ndindex(*lead[:k - 1]):
        for s in range(0, lead[k - 1], step):
            yield idx + (slice(s, s + step),)


def _bloch2_block(arr, state):
    """Bloch coefficients of one block and its statistics ``(herm_err, (max |tr-1|, that tr), min eig)``."""
    a00, a01, a10, a11 = arr[..., 0, 0], arr[..., 0, 1], arr[..., 1, 0], arr[..., 1, 1]
    if arr.dtype.kind == "c":
        off = np.abs(a01 - np.conj(a10))
        err = max(float(np.max(off)), 2.0 * float(np.max(np.abs(a00.imag))), 2.0 * float(np.max(np.abs(a11.imag))))
        h10 = 0.5 * (a10 + np.conj(a01))
        b1, b2 = h10.real, h10.imag
        h00, h11 = a00.real, a11.real
    else:
        a01, a10 = a01.astype(float), a10.astype(float)
        err = float(np.max(np.abs(a01 - a10)))
        b1, b2 = 0.5 * (a10 + a01), np.zeros(a10.shape)
        h00, h11 = a00.astype(float), a11.astype(float)
    trstat, wmin = None, None
    if state:
        tr = h00 + h11
        dev = np.abs(tr - 1)
        at = int(np.argmax(dev))
        trstat = (float(dev.flat[at]), float(tr.flat[at]))
        # as in density(): divide unless the trace is 1 to a few ulps (elementwise, so idempotent)
        off1 = dev > 8 * np.finfo(float).eps
        if np.any(off1):
            tr = np.where(off1, tr, 1.0)
            h00, h11, b1, b2 = h00 / tr, h11 / tr, b1 / tr, b2 / tr
    out = (0.5 * (h00 + h11), b1, b2, 0.5 * (h00 - h11), h00 * h11 - (b1 * b1 + b2 * b2))
    if state:
        wmin = float(np.min(_la._eigvalsh2(*out)[0]))
    return out, err, trstat, wmin


def bloch2(a, name: str, *, state: bool = False, strict: bool = False):
    r"""The checks of :func:`hermitian` (``d = 2``), or of :func:`density` if ``state``, done
    directly in Bloch coordinates, in cache-sized blocks, without a complex copy.

    Returns real arrays ``(a0, a1, a2, a3, det)`` of the exact projection (Hermitian part,
    divided by its trace if ``state``), equal to ``linalg._bloch2(hermitian(a))`` (resp.
    ``linalg._bloch2(density(a))``) to round-off, and raises the same errors with the same
    messages (the statistics are gathered over all blocks before any is raised, in the
    order of :func:`density`).  The qubit path of :mod:`qrmlib.reset` validates through
    this, once per call.
    """
    arr = _square_shape(_numeric(a, name), name, 2)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must have finite entries")
    lead = arr.shape[:-2]
    parts = [(idx,) + _bloch2_block(arr[idx], state) for idx in blocks(lead)]
    err = max(p[2] for p in parts)
    if err > HERM_TOL and err > HERM_TOL * max(1.0, float(np.max(np.abs(arr)))):
        raise ValueError(f"{name} must be Hermitian: max|{name} - {name}^*| = {err:.3e}")
    if state:
        dev, bad = max((p[3] for p in parts), key=lambda x: x[0])     # first of the largest, C order
        if dev > TRACE_TOL:
            raise ValueError(f"{name} must have trace 1, got trace {bad:.12g}")
        wmin = min(p[4] for p in parts)
        if wmin < -PSD_TOL:
            raise ValueError(f"{name} must be positive semidefinite: eigenvalue {wmin:.3e} < 0")
        if strict and wmin <= PSD_TOL:
            raise ValueError(f"{name} must be positive definite (faithful): smallest eigenvalue {wmin:.3e}")
    if len(parts) == 1:
        return parts[0][1]
    out = tuple(np.empty(lead) for _ in range(5))
    for idx, c, *_ in parts:
        for o, x in zip(out, c):
            o[idx] = x
    return out


def finite_real(x, name: str) -> np.ndarray:
    """Finite real numbers as float64.  A complex value (even with zero imaginary part
    stored as complex) with a nonzero imaginary part is a ``ValueError``, never a truncation."""
    arr = _numeric(x, name)
    if np.iscomplexobj(arr):
        if np.any(np.imag(arr) != 0):
            raise ValueError(f"{name} must be real, got a complex value")
        arr = np.real(arr)
    arr = arr.astype(float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def finite_complex(x, name: str) -> np.ndarray:
    """Finite real or complex numbers as complex128."""
    arr = _numeric(x, name).astype(complex)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def rates(g, name: str) -> np.ndarray:
    """Strictly positive finite real rates (hypothesis Diss)."""
    arr = finite_real(g, name)
    nonempty(arr, name)
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be > 0 (hypothesis Diss), got min {np.min(arr):.6g}")
    return arr


def positive_real(x, name: str, *, allow_zero: bool = False) -> np.ndarray:
    """Finite real numbers ``> 0`` (``>= 0`` with ``allow_zero``)."""
    arr = finite_real(x, name)
    if np.any(arr < 0) or (not allow_zero and np.any(arr == 0)):
        cond = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {cond}, got min {np.min(arr):.6g}")
    return arr


def scalar_real(x, name: str) -> float:
    """One finite real number."""
    arr = finite_real(x, name)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a scalar, got shape {arr.shape}")
    return float(arr)


def tolerance(tol, name: str = "tol", *, maximum: float | None = None) -> float:
    """A tolerance: one finite real number ``>= 0`` (and ``<= maximum`` if given)."""
    t = scalar_real(tol, name)
    if t < 0:
        raise ValueError(f"{name} must be >= 0, got {t!r}")
    if maximum is not None and t > maximum:
        raise ValueError(f"{name} must be a small tolerance <= {maximum:g}, got {t!r}")
    return t


def integer(n, name: str, *, minimum: int | None = 1, maximum: int | None = None) -> int:
    """An integer (Python or NumPy, not bool, not float) in ``[minimum, maximum]``."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(n).__name__}")
    n = int(n)
    if minimum is not None and n < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {n}")
    if maximum is not None and n > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {n}")
    return n


def boolean(b, name: str) -> bool:
    """A Python or NumPy bool (not a string, not an int)."""
    if not isinstance(b, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {type(b).__name__}")
    return bool(b)


def dps(n, name: str = "dps") -> int:
    """mpmath working precision in decimal digits, ``>= MIN_DPS``."""
    return integer(n, name, minimum=MIN_DPS, maximum=10_000)


def choice(x, name: str, options) -> str:
    """One of a fixed set of strings."""
    if not isinstance(x, str) or x not in options:
        raise ValueError(f"{name} must be one of {tuple(options)}, got {x!r}")
    return x


def affine_weights(lam, name: str, J: int) -> np.ndarray:
    """Real weights of shape ``(..., J)`` summing to one (eq. (4.1))."""
    arr = finite_real(lam, name)
    if arr.ndim < 1 or arr.shape[-1] != J:
        raise ValueError(f"{name} must have shape (..., {J}) (one weight per reservoir), got {arr.shape}")
    s = np.sum(arr, axis=-1)
    if np.any(np.abs(s - 1) > 1e-10):
        bad = s.flat[int(np.argmax(np.abs(s - 1)))]
        raise ValueError(f"{name} must sum to 1 over reservoirs (eq. 4.1), got sum {bad:.12g}")
    return arr


# --- memory guard ----------------------------------------------------------------

_AVAIL = [-1.0, 0]   # (monotonic time, bytes) of the last reading of available_bytes


def available_bytes() -> int:
    """Memory this process may still use: ``MemAvailable`` of ``/proc/meminfo``
    (else the physical memory), capped by ``RLIMIT_AS`` when one is set.

    Read at most every 0.2 s (the guard runs on every solver call; reading ``/proc`` costs
    ~50 µs, more than a small solve)."""
    import time

    now = time.monotonic()
    if 0.0 <= now - _AVAIL[0] < 0.2:
        return _AVAIL[1]
    _AVAIL[1] = _available_bytes()
    _AVAIL[0] = now
    return _AVAIL[1]


def _available_bytes() -> int:
    avail = None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    if avail is None:
        try:
            avail = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            avail = 1 << 40
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            avail = min(avail, soft)
    except (ImportError, ValueError, OSError):
        pass
    return int(avail)


def _human(nbytes: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if nbytes < 1024 or unit == "PiB":
            return f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.1f} PiB"  # pragma: no cover


def memory_guard(nbytes: float, what: str, *, hint: str = "", fraction: float = 0.8) -> None:
    """Refuse (``ValueError``) a dense computation that needs more than ``fraction``
    of the available memory; the message names the size and ``hint`` (e.g. the
    matrix-free solver)."""
    avail = available_bytes()
    if nbytes > fraction * avail:
        msg = (f"{what} needs about {_human(nbytes)} of memory, more than this machine can hold "
               f"({_human(avail)} available)")
        raise ValueError(msg + (f"; {hint}" if hint else ""))


# --- tri-partite checkers ----------------------------------------------------------
# (qrmlib.tripartite, perturbation, series: the one check of lam and of g, and of dims)

#: why lam in {0, 1} is refused (paper, after eq. (7.4))
_LAM_ENDPOINTS = (
    "lam must not be 0 or 1 (paper, after eq. (7.4)): for lam in {0, 1} one of the partial "
    "Lindbladians L^A_{lam g}, L^B_{(1-lam) g} is a pure reset dissipator D_A or D_B, whose "
    "kernel {tau_A ⊗ X_CB} resp. {X_AC ⊗ tau_B} is degenerate, so its steady state is not unique"
)
#: why g = 0 is refused by the steady-state solvers
_G_ZERO = (
    "must be nonzero: at g = 0 the generator L_0 = D_A + D_B has the n_C²-dimensional kernel "
    "{tau_A ⊗ r_C ⊗ tau_B}, so the steady state is not unique (its g -> 0 limit is "
    "TripartiteQRM.perturbative().rho0, eq. (7.12))"
)


def lam_checked(lam, name: str = "lam", *, endpoints: bool = False) -> np.ndarray:
    """The splitting parameter lambda of eq. (7.4): finite real, and (unless ``endpoints``) not 0 or 1."""
    arr = finite_real(lam, name)
    nonempty(arr, name)
    if not endpoints and (np.any(arr == 0) or np.any(arr == 1)):
        raise ValueError(_LAM_ENDPOINTS.replace("lam must", f"{name} must", 1))
    return arr


def g_checked(g, name: str = "g", *, nonzero: bool = True, complex_ok: bool = False) -> np.ndarray:
    """Couplings g of eq. (7.2): finite real (finite complex with ``complex_ok``), nonzero unless told."""
    arr = finite_complex(g, name) if complex_ok else finite_real(g, name)
    nonempty(arr, name)
    if nonzero and np.any(arr == 0):
        raise ValueError(f"{name} {_G_ZERO}")
    return arr


def dims_checked(dims, name: str = "dims") -> tuple:
    """``(n_A, n_C, n_B)``: a sequence of three integers >= 1."""
    if isinstance(dims, (str, bytes)) or not hasattr(dims, "__len__"):
        raise TypeError(f"{name} must be a tuple (n_A, n_C, n_B) of positive integers, got {type(dims).__name__}")
    if len(dims) != 3:
        raise ValueError(f"{name} must be a tuple (n_A, n_C, n_B) of positive integers, got {dims!r}")
    out = []
    for n in dims:
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral):
            raise TypeError(f"{name} must be a tuple (n_A, n_C, n_B) of positive integers, got {dims!r}")
        if int(n) < 1:
            raise ValueError(f"{name} must be a tuple (n_A, n_C, n_B) of positive integers, got {dims!r}")
        out.append(int(n))
    return tuple(out)


def callable_checked(f, name: str):
    """A callable, else ``TypeError``."""
    if not callable(f):
        raise TypeError(f"{name} must be callable, got {type(f).__name__}")
    return f


# --- one-Hilbert-space checkers (qrmlib.linalg, lindblad, reset, models) ---------------

def finite_matrix(a, name: str, *, min_ndim: int = 2) -> np.ndarray:
    """Numeric array with ``ndim >= min_ndim``, no empty axis, finite entries (not necessarily
    square); float64 if real, complex128 if complex."""
    arr = _numeric(a, name)
    if arr.ndim < min_ndim:
        shape = "(..., m, n)" if min_ndim == 2 else f"at least {min_ndim} axes"
        raise ValueError(f"{name} must be an array of shape {shape}, got shape {arr.shape}")
    nonempty(arr, name)
    arr = arr.astype(complex if arr.dtype.kind == "c" else float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must have finite entries")
    return arr


def leading_axes(**shapes) -> tuple:
    """Broadcast shape of the leading axes ``name=shape`` of several arguments, else a
    ``ValueError`` naming them (``leading axes of H (3,) and taus (4,) do not broadcast``)."""
    try:
        return np.broadcast_shapes(*shapes.values())
    except ValueError:
        parts = [f"{k} {tuple(v)}" for k, v in shapes.items()]
        raise ValueError(
            f"leading axes of {', '.join(parts[:-1])} and {parts[-1]} do not broadcast"
        ) from None


def unit_interval(x, name: str, *, open_: bool = False) -> np.ndarray:
    """Finite reals in ``[0, 1]`` (``(0, 1)`` with ``open_``), e.g. a ground-state population
    ``t`` of a reset state ``diag(t, 1 - t)``."""
    arr = finite_real(x, name)
    if open_:
        if np.any(arr <= 0) or np.any(arr >= 1):
            raise ValueError(f"{name} must lie in the open interval (0, 1) (a faithful state), "
                             f"got values in [{np.min(arr):.6g}, {np.max(arr):.6g}]")
    elif np.any(arr < 0) or np.any(arr > 1):
        raise ValueError(f"{name} must lie in [0, 1] (a population), "
                         f"got values in [{np.min(arr):.6g}, {np.max(arr):.6g}]")
    return arr


# --- testing checkers --------------------------------------------------------------

def generator(rng, name: str = "rng") -> np.random.Generator:
    """A ``numpy.random.Generator``, or an integer seed (not bool) turned into ``default_rng(seed)``."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (bool, np.bool_)) or not isinstance(rng, numbers.Integral):
        raise TypeError(f"{name} must be a numpy.random.Generator or an integer seed, got {type(rng).__name__}")
    if rng < 0:
        raise ValueError(f"{name} must be a non-negative integer seed, got {rng}")
    return np.random.default_rng(int(rng))


def shape_tuple(size, name: str = "size") -> tuple:
    """``None`` -> ``()``; an integer ``>= 0`` or a tuple of them -> a tuple (a batch shape)."""
    if size is None:
        return ()
    if isinstance(size, numbers.Integral) and not isinstance(size, (bool, np.bool_)):
        size = (size,)
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"{name} must be None, an integer or a tuple of integers, got {type(size).__name__}")
    return tuple(integer(n, f"{name}[{k}]", minimum=0) for k, n in enumerate(size))


def same_dim(a, name: str, d: int, other: str) -> None:
    """Refuse a square ``a`` whose size is not ``d``, naming both arguments (call before the
    full check, e.g. :func:`as_square` with ``d``)."""
    try:
        shp = np.shape(a)
    except (ValueError, TypeError):  # ragged: the full check reports it
        return
    if len(shp) >= 2 and shp[-1] == shp[-2] and shp[-1] != d:
        raise ValueError(f"{name} must be {d}x{d} to match {other}, got {tuple(shp[-2:])}; "
                         f"{name} and {other} must have the same dimension d")
