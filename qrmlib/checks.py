r"""Verdict lines for the book: every check is a comparison that can fail.

Each function compares a computed quantity with a tolerance, raises
``AssertionError`` (with the exact numbers) when the comparison fails, and
otherwise prints one verdict line that is *stable across machines*: measured
residuals are printed as an order of magnitude (``≲ 1e-15``), physical numbers
rounded to the requested digits, so that nbval can compare the stored output
of a notebook with a fresh execution.

Every verdict is also recorded in :data:`LEDGER` (claim, verdict, measured
value), from which a chapter can build its claims table.

No vacuous verdicts
-------------------
A check that cannot fail verifies nothing, so every helper refuses the inputs
that would make it pass regardless of the data.  There are two kinds of
refusal; both record the claim in :data:`LEDGER` as **failed** before raising,
so a claims table never shows a check that did not run as verified.

*Failed check* (``AssertionError``, as for a comparison that fails) — the
*data* make the claim unverifiable:

- an empty value, selection or condition (``check_small(c, [], tol)``,
  ``check_true(c, np.array([], bool))``): "all of nothing" is not evidence;
- a non-finite (NaN, ±inf) value, or a non-finite ``expected`` in
  :func:`check_close` (an infinite reference makes ``rtol*|expected|`` infinite);
- a value with a non-zero imaginary part where a real number is compared
  (:func:`check_close`, :func:`check_range`).

*Malformed call* (``TypeError`` for a wrong type, ``ValueError`` for a wrong
value; the message names the argument) — the *call* cannot express a claim:

- ``claim`` not a string;
- a tolerance (``tol``, ``rtol``, ``atol``) that is not one finite real number
  ``>= 0`` (``tol=np.inf`` accepts everything);
- ``lo``/``hi`` of :func:`check_range` not real numbers, NaN, ``lo > hi``,
  ``lo = +inf``, ``hi = -inf``, or both infinite (``[-inf, inf]`` holds every
  finite value); *one* infinite end is a one-sided bound and is allowed;
- ``expected`` whose shape does not broadcast to the shape of ``value``
  (``value`` of shape ``(3,)`` against ``expected`` of shape ``(3, 1)`` would
  compare 9 pairs, most of them meaningless);
- a condition of :func:`check_true` that is not boolean (a string such as
  ``"False"``, a number, an object array): only Python/NumPy bools and arrays
  of dtype ``bool`` are conditions;
- a value that is not numeric (strings, booleans in :func:`check_small`);
- ``digits`` not an integer ``>= 0``.

For valid input the printed line is unchanged from earlier versions (nbval
compares the stored chapter outputs with fresh executions).
"""

from __future__ import annotations

import math
import numbers
import re
from typing import NamedTuple

import numpy as np

__all__ = ["LEDGER", "Verdict", "STATUSES", "LedgerTable", "ledger_table", "magnitude", "sci", "check_small",
           "check_close", "check_true", "check_range", "not_checkable", "reset_ledger"]

#: What a ledger row can say about a claim of the paper.
STATUSES = {
    "holds": "holds",
    "refuted": "refuted as printed — corrected form holds",
    "not checkable": "not checkable",
}


class Verdict(NamedTuple):
    """One row of the claims ledger.

    ``claim``, ``passed`` and ``detail`` (the exact numbers) are what earlier
    versions recorded as a 3-tuple; ``measured`` and ``tolerance`` are the
    machine-stable strings of the verdict line; ``status`` is a key of
    :data:`STATUSES`; ``ref`` names the paper's statement or equation checked
    (``"lemma-3-1"``, ``"eq-3-8"``; empty: taken from the start of the claim).
    """

    claim: str
    passed: bool
    detail: str
    measured: str = ""
    tolerance: str = ""
    status: str = "holds"
    ref: str = ""


#: Records a :class:`Verdict` for every check run in this process.
LEDGER: list[Verdict] = []


def reset_ledger() -> None:
    """Empty :data:`LEDGER`."""
    LEDGER.clear()


_SUP = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _pow10(k: int) -> str:
    return "10" + str(int(k)).translate(_SUP)


def sci(x: float) -> str:
    """A tolerance or bound as a reader writes it: ``1e-12`` → ``"10⁻¹²"``, ``2e-9`` → ``"2·10⁻⁹"``,
    ``1.5e-5`` → ``"1.5·10⁻⁵"``, ``0`` → ``"0"``, ``0.05`` → ``"0.05"`` (up to three significant
    digits, Unicode, no ``e`` notation);
    ``±inf`` → ``"∞"``/``"−∞"`` (a one-sided bound)."""
    if isinstance(x, (bool, np.bool_, str, bytes)) or not isinstance(x, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"x must be a real number, got {type(x).__name__}")
    x = float(x)
    if math.isnan(x):
        raise ValueError("x must not be NaN")
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return "∞" if x > 0 else "−∞"
    if 1e-3 <= abs(x) < 1e4:
        return f"{x:g}"
    mant, exp = f"{abs(x):.2e}".split("e")
    mant = mant.rstrip("0").rstrip(".")
    body = _pow10(int(exp)) if mant == "1" else f"{mant}·{_pow10(int(exp))}"
    return ("−" if x < 0 else "") + body


def magnitude(x: float) -> str:
    """Order-of-magnitude bucket of ``abs(x)``: the smallest power of ten >= it, written
    ``"10⁻¹⁵"`` (floor ``10⁻¹⁷``): how a round-off residual is printed, stable across machines."""
    if isinstance(x, (bool, np.bool_, str, bytes)) or not isinstance(x, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"x must be a real number, got {type(x).__name__}")
    x = abs(float(x))
    if not math.isfinite(x):
        raise ValueError(f"x must be finite, got {x!r}")
    if x <= 1e-17:
        return _pow10(-17)
    return _pow10(math.ceil(math.log10(x)))


def _meta(status, ref, what="", detail=""):
    for name, text in (("what", what), ("detail", detail)):
        if not isinstance(text, str):
            raise TypeError(f"{name} must be a str, got {type(text).__name__}")
    if status not in STATUSES or status == "not checkable":
        raise TypeError(f"status must be 'holds' or 'refuted', got {status!r}")
    if not isinstance(ref, str):
        raise TypeError(f"ref must be a str (a label such as 'eq-3-8'), got {type(ref).__name__}")


def _emit(claim: str, passed: bool, line: str, detail: str, measured: str = "", tolerance: str = "",
          status: str = "holds", ref: str = "") -> None:
    LEDGER.append(Verdict(claim, passed, detail, measured, tolerance, status, ref))
    if not passed:
        raise AssertionError(f"FAILED {claim}: {detail}")
    print(f"PASS  {claim}: {line}")


class _Refused(Exception):
    """Internal: a check refused before comparing (carries the exception to raise)."""

    def __init__(self, exc: Exception):
        super().__init__(str(exc))
        self.exc = exc


def _vacuous(detail: str) -> _Refused:
    """A failed check: the data cannot verify the claim (empty, non-finite, ...)."""
    return _Refused(AssertionError(detail))


def _malformed(exc_type, detail: str) -> _Refused:
    return _Refused(exc_type(detail))


def _guard(claim, body):
    """Run ``body()``; on a refusal, record ``claim`` as failed in LEDGER and raise."""
    if not isinstance(claim, str):
        LEDGER.append(Verdict(str(claim), False, f"claim must be a str, got {type(claim).__name__}"))
        raise TypeError(f"claim must be a str, got {type(claim).__name__}")
    try:
        return body()
    except _Refused as r:
        exc = r.exc
        LEDGER.append(Verdict(claim, False, str(exc)))
        if isinstance(exc, AssertionError):
            raise AssertionError(f"FAILED {claim}: {exc}") from None
        raise exc from None


def _real_number(x, name: str) -> float:
    """One real number (Python or NumPy, not bool, not an array of several); else a malformed call."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (numbers.Real, np.ndarray, np.generic)):
        raise _malformed(TypeError, f"{name} must be a real number, got {type(x).__name__}")
    arr = np.asarray(x)
    if arr.ndim != 0 or arr.dtype.kind not in "iuf":
        raise _malformed(TypeError, f"{name} must be one real number, got {arr.dtype} array of shape {arr.shape}")
    return float(arr)


def _tolerance(t, name: str) -> float:
    """One finite real number >= 0 (a tolerance); else a malformed call."""
    v = _real_number(t, name)
    if not math.isfinite(v):
        raise _malformed(ValueError, f"{name} must be finite, got {v!r} (a non-finite tolerance accepts everything)")
    if v < 0:
        raise _malformed(ValueError, f"{name} must be >= 0, got {v!r}")
    return v


def _digits(n, name: str = "digits", minimum: int = 0) -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral):
        raise _malformed(TypeError, f"{name} must be an integer, got {type(n).__name__}")
    if n < minimum:
        raise _malformed(ValueError, f"{name} must be >= {minimum}, got {n}")
    return int(n)


def _numeric(value, name: str, *, allow_bool: bool = False) -> np.ndarray:
    """``value`` as a numeric ndarray (objects such as mpmath numbers converted to complex)."""
    if isinstance(value, (str, bytes)) or value is None:
        raise _malformed(TypeError, f"{name} must be numeric, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nested sequences
        raise _malformed(ValueError, f"{name} must be a rectangular numeric array ({exc})") from None
    if arr.dtype == object:
        try:
            arr = arr.astype(complex)
        except (TypeError, ValueError):
            raise _malformed(TypeError, f"{name} must be numeric, got an object array") from None
    kinds = "iufc" + ("b" if allow_bool else "")
    if arr.dtype.kind not in kinds:
        raise _malformed(TypeError, f"{name} must be numeric, got dtype {arr.dtype}")
    return arr


def _nonempty_finite(arr: np.ndarray, name: str) -> None:
    if arr.size == 0:
        raise _vacuous(f"{name} is empty (shape {arr.shape}): an empty selection verifies nothing")
    if not np.all(np.isfinite(arr)):
        bad = int(np.sum(~np.isfinite(arr)))
        raise _vacuous(f"{name} has {bad} non-finite entr{'y' if bad == 1 else 'ies'} (NaN or inf)")


def _real(arr: np.ndarray, name: str) -> np.ndarray:
    """Real part of a complex array whose imaginary part is exactly zero; else a failed check."""
    if np.iscomplexobj(arr):
        if np.any(np.imag(arr) != 0):
            raise _vacuous(f"{name} is complex (max |imaginary part| {float(np.max(np.abs(np.imag(arr)))):.3e}); "
                           "a real number was compared")
        arr = np.real(arr)
    return arr.astype(float)


def check_small(claim: str, value, tol: float, *, what: str = "max residual", status: str = "holds",
                ref: str = "") -> float:
    """Assert ``max|value| <= tol``; print ``PASS  claim: what ≲ 1e-k  (tol)``.

    Parameters
    ----------
    claim : str
        The statement checked (printed, and recorded in :data:`LEDGER`).
    value : array_like
        Residuals (real or complex), non-empty and finite.
    tol : float
        Finite, ``>= 0``.
    what : str
        Name of the measured quantity in the verdict line.

    Returns
    -------
    float
        The measured maximum ``max|value|`` (e.g. for ``glue``).

    Raises
    ------
    AssertionError
        ``max|value| > tol``, or ``value`` empty or not finite.
    TypeError, ValueError
        A malformed call (see the module docstring).
    """

    def body():
        tol_ = _tolerance(tol, "tol")
        arr = _numeric(value, "value")
        _nonempty_finite(arr, "value")
        v = float(np.max(np.abs(arr)))
        return v, bool(v <= tol_)

    _meta(status, ref, what)
    v, passed = _guard(claim, body)
    _emit(claim, passed, f"{what} ≲\u00a0{magnitude(v)}  (tolerance {sci(tol)})",
          f"{what} = {v:.3e}, tolerance {tol:.1e}", f"{what} ≲\u00a0{magnitude(v)}", sci(tol), status, ref)
    return v


def check_close(claim: str, value, expected, *, rtol: float = 0.0, atol: float = 0.0,
                digits: int = 3, what: str = "value", status: str = "holds", ref: str = "") -> float:
    """Assert ``|value - expected| <= atol + rtol*|expected|`` (scalars or arrays).

    Prints the value rounded to ``digits`` significant digits.

    Parameters
    ----------
    claim : str
    value : array_like
        Real (a complex value must have zero imaginary part), non-empty, finite.
    expected : array_like
        Real and finite, of a shape that broadcasts *to the shape of* ``value``
        (a scalar, or the same shape).
    rtol, atol : float
        Finite, ``>= 0``.
    digits : int
        Significant digits of the printed value, ``>= 1``.
    what : str

    Returns
    -------
    float
        The largest absolute error.

    Raises
    ------
    AssertionError
        The comparison fails; ``value`` empty; ``value`` or ``expected`` not
        finite or not real.
    TypeError, ValueError
        A malformed call (see the module docstring).
    """

    def body():
        rtol_ = _tolerance(rtol, "rtol")
        atol_ = _tolerance(atol, "atol")
        _digits(digits, minimum=1)
        v = _numeric(value, "value")
        e = _numeric(expected, "expected")
        try:
            shape = np.broadcast_shapes(v.shape, e.shape)
        except ValueError:
            shape = None
        if shape != v.shape:
            raise _malformed(ValueError, f"expected of shape {e.shape} does not broadcast to the shape {v.shape} "
                                         "of value")
        _nonempty_finite(v, "value")
        _nonempty_finite(e, "expected")
        v = _real(v, "value")
        e = _real(e, "expected")
        err = np.abs(v - e)
        bound = atol_ + rtol_ * np.abs(e)
        return v, e, err, bool(np.all(err <= bound))

    _meta(status, ref, what)
    v, e, err, passed = _guard(claim, body)
    shown = np.format_float_positional(float(np.max(v)) if v.size > 1 else float(v.reshape(-1)[0]),
                                       precision=digits, unique=False, fractional=False, trim="-")
    exp_shown = np.format_float_positional(float(np.max(e)) if e.size > 1 else float(e.reshape(-1)[0]),
                                           precision=digits, unique=False, fractional=False, trim="-")
    _emit(claim, passed, f"{what} = {shown} vs expected {exp_shown}  (atol {sci(atol)}, rtol {sci(rtol)})",
          f"{what} = {v!r}, expected {e!r}, max error {float(np.max(err)):.3e}",
          f"{what} = {shown} vs {exp_shown}", f"atol {sci(atol)}, rtol {sci(rtol)}", status, ref)
    return float(np.max(err))


def check_true(claim: str, condition, *, what: str = "holds", detail: str = "", status: str = "holds",
               ref: str = "") -> bool:
    """Assert a boolean (all entries true for arrays); print ``PASS  claim: what``.

    Parameters
    ----------
    claim : str
    condition : bool or array_like of bool
        A Python or NumPy bool, or a non-empty array (or list) of dtype
        ``bool``.  Strings, numbers and objects are refused (``TypeError``):
        ``"False"`` is truthy, and ``np.all`` of an empty array is ``True``.
    what : str
        Printed after the claim; for arrays ``(n of n cases)`` is appended.
    detail : str
        Message of the ``AssertionError`` when the condition fails.

    Returns
    -------
    bool
        ``True`` (a failing condition raises).

    Raises
    ------
    AssertionError
        An entry is false, or the condition is empty.
    TypeError
        A non-boolean condition.
    """

    def body():
        if isinstance(condition, (str, bytes)) or condition is None:
            raise _malformed(TypeError, f"condition must be a bool or an array of bools, got {type(condition).__name__}")
        try:
            cond = np.asarray(condition)
        except (ValueError, TypeError) as exc:
            raise _malformed(ValueError, f"condition must be a rectangular array of bools ({exc})") from None
        if cond.size == 0:
            raise _vacuous(f"condition is empty (shape {cond.shape}): 'all of no cases' verifies nothing")
        if cond.dtype != np.bool_:
            raise _malformed(TypeError, f"condition must be a bool or an array of bools, got dtype {cond.dtype} "
                                        f"({type(condition).__name__})")
        return cond

    _meta(status, ref, what, detail)
    cond = _guard(claim, body)
    passed = bool(np.all(cond))
    n = cond.size
    msg = what if n <= 1 else f"{what} ({n} of {n} cases)"
    _emit(claim, passed, msg, detail or f"{int(np.sum(~cond))} of {n} cases fail",
          f"{int(np.sum(cond))} of {n} cases" if n > 1 else what, "exact", status, ref)
    return passed


def _bound(x, name: str) -> float:
    v = _real_number(x, name)
    if math.isnan(v):
        raise _malformed(ValueError, f"{name} must not be NaN")
    return v


def check_range(claim: str, value, lo: float, hi: float, *, digits: int = 3, what: str = "value",
                status: str = "holds", ref: str = "") -> float:
    """Assert ``lo <= value <= hi`` for a scalar; print the value rounded to ``digits`` decimals.

    Parameters
    ----------
    claim : str
    value : scalar
        One finite real number (an array of size one is accepted).
    lo, hi : float
        Real, not NaN, ``lo <= hi``.  One end may be infinite (a one-sided
        bound such as ``[0, inf]``), not both, and ``lo < inf``, ``hi > -inf``.
    digits : int
        Decimals of the printed value, ``>= 0``.
    what : str

    Returns
    -------
    float
        The value.

    Raises
    ------
    AssertionError
        ``value`` outside ``[lo, hi]``, empty, not finite or not real.
    TypeError, ValueError
        A malformed call (see the module docstring).
    """

    def body():
        lo_ = _bound(lo, "lo")
        hi_ = _bound(hi, "hi")
        if lo_ > hi_:
            raise _malformed(ValueError, f"lo must be <= hi, got lo = {lo_!r} > hi = {hi_!r}")
        if lo_ == math.inf or hi_ == -math.inf:
            raise _malformed(ValueError, f"[lo, hi] = [{lo_!r}, {hi_!r}] contains no finite number")
        if math.isinf(lo_) and math.isinf(hi_):
            raise _malformed(ValueError, "lo and hi are both infinite: [-inf, inf] holds for every finite value")
        _digits(digits)
        arr = _numeric(value, "value")
        if arr.size > 1:
            raise _malformed(ValueError, f"value must be a scalar, got shape {arr.shape}")
        _nonempty_finite(arr, "value")
        v = float(_real(arr, "value").reshape(-1)[0])
        return v, bool(lo_ <= v <= hi_)

    _meta(status, ref, what)
    v, passed = _guard(claim, body)
    _emit(claim, passed, f"{what} = {v:.{digits}f} in [{sci(lo)}, {sci(hi)}]", f"{what} = {v!r} not in [{lo}, {hi}]",
          f"{what} = {v:.{digits}f}", f"in [{sci(lo)}, {sci(hi)}]", status, ref)
    return v


def not_checkable(claim: str, why: str, *, ref: str = "") -> None:
    """Record a claim that no computation can check, with the reason, as a ledger row.

    Prints nothing and asserts nothing: the row says "not checkable" and why.
    """
    if not isinstance(claim, str) or not claim:
        raise TypeError("claim must be a non-empty str")
    if not isinstance(why, str) or not why:
        raise TypeError("why must be a non-empty str: the reason the claim cannot be checked")
    if not isinstance(ref, str):
        raise TypeError(f"ref must be a str, got {type(ref).__name__}")
    LEDGER.append(Verdict(claim, True, why, "—", "—", "not checkable", ref))


_STATEMENT = re.compile(r"^\s*(Lemma|Proposition|Prop\.|Theorem|Thm|Corollary|Remark|Definition)\s+([0-9]+(?:\.[0-9]+)*)")
_EQUATION = re.compile(r"^\s*(?:eqs?\.\s*)?\(([0-9A-Z]+\.[0-9]+)\)")
_KIND = {"Prop.": "proposition", "Thm": "theorem"}


def claim_ref(claim: str) -> str:
    """The label of the statement or equation a claim starts with: ``"Lemma 3.1: ..."`` →
    ``"lemma-3-1"``, ``"(3.8) ..."`` → ``"eq-3-8"``; ``""`` if it starts with neither."""
    m = _STATEMENT.match(claim)
    if m:
        kind = _KIND.get(m.group(1), m.group(1).lower())
        return f"{kind}-{m.group(2).replace('.', '-')}"
    m = _EQUATION.match(claim)
    if m:
        return f"eq-{m.group(1).replace('.', '-')}"
    return ""


def _plain_ref(label: str) -> str:
    """``eq-3-8`` -> ``(3.8)``; ``lemma-3-1`` -> ``Lemma 3.1`` (the text of a ledger link)."""
    kind, _, num = label.partition("-")
    num = num.replace("-", ".")
    return f"({num})" if kind == "eq" else f"{kind.title()} {num}"


class LedgerTable:
    """The verdicts of one chapter as a table: claim, measured value, tolerance,
    status and a link to the statement or equation of the paper.

    It renders as an HTML table (``_repr_html_``) whose last column names the
    paper's statement or equation as ``<a class="paperref" data-ref="eq-3-8">``;
    the book's ``paper_numbers`` extension turns that into a link to the
    equation or statement box wherever the book displays it, and into plain
    text where it does not (so the table also pastes into another page, the
    claims ledger, which MyST-NB allows for HTML but not Markdown).  Glue it at
    the end of a chapter (``glue("ledger", ledger_table(), display=False)``) so
    that the claims page can paste it, and display it there.
    """

    def __init__(self, rows):
        if isinstance(rows, (str, bytes)) or not hasattr(rows, "__iter__"):
            raise TypeError(f"rows must be an iterable of Verdict tuples, got {type(rows).__name__}")
        try:
            self.rows = [Verdict(*r) for r in rows]
        except TypeError as exc:
            raise TypeError(f"rows must hold (claim, passed, detail, ...) tuples ({exc})") from None

    def counts(self) -> dict:
        """Number of rows per status (``"FAILED"`` for failed checks)."""
        out: dict = {}
        for r in self.rows:
            key = r.status if r.passed else "FAILED"
            out[key] = out.get(key, 0) + 1
        return out

    def _repr_html_(self) -> str:
        import html

        head = "".join(f"<th>{h}</th>" for h in ("claim", "measured", "tolerance", "status", "paper"))
        body = []
        for r in self.rows:
            ref = r.ref or claim_ref(r.claim)
            link = (f'<a class="paperref" data-ref="{html.escape(ref)}">{html.escape(_plain_ref(ref))}</a>'
                    if ref else "")
            status = html.escape(STATUSES.get(r.status, r.status)) if r.passed else "<strong>FAILED</strong>"
            cells = [html.escape(r.claim), html.escape(r.measured), html.escape(r.tolerance), status, link]
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        return (f'<table class="table claims-ledger"><thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(body)}</tbody></table>')

    def __repr__(self) -> str:
        parts = ", ".join(f"{n} {STATUSES.get(k, k)}" for k, n in sorted(self.counts().items()))
        return f"Claims ledger: {len(self.rows)} checks ({parts})"


def ledger_table() -> LedgerTable:
    """Snapshot of :data:`LEDGER` as a :class:`LedgerTable`."""
    return LedgerTable(LEDGER)
