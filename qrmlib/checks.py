r"""Verdict lines for the book: every check is a comparison that can fail.

Each function compares a computed quantity with a tolerance, raises
``AssertionError`` (with the exact numbers) when the comparison fails, and
otherwise prints one verdict line that is *stable across machines*: measured
residuals are printed as an order of magnitude (``≲ 1e-15``), physical numbers
rounded to the requested digits, so that nbval can compare the stored output
of a notebook with a fresh execution.

Every verdict is also recorded in :data:`LEDGER` (claim, verdict, measured
value), from which a chapter can build its claims table.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["LEDGER", "LedgerTable", "ledger_table", "magnitude", "check_small", "check_close", "check_true", "check_range", "reset_ledger"]

#: Records ``(claim, passed, detail)`` of every check run in this process.
LEDGER: list[tuple[str, bool, str]] = []


def reset_ledger() -> None:
    """Empty :data:`LEDGER`."""
    LEDGER.clear()


def magnitude(x: float) -> str:
    """Order-of-magnitude bucket of ``abs(x)``: the smallest power of ten >= it, e.g. ``"1e-15"`` (floor ``1e-17``)."""
    x = abs(float(x))
    if not math.isfinite(x):
        return str(x)
    if x <= 1e-17:
        return "1e-17"
    return f"1e{math.ceil(math.log10(x)):d}"


def _emit(claim: str, passed: bool, line: str, detail: str) -> None:
    LEDGER.append((claim, passed, detail))
    if not passed:
        raise AssertionError(f"FAILED {claim}: {detail}")
    print(f"PASS  {claim}: {line}")


def check_small(claim: str, value, tol: float, *, what: str = "max residual") -> float:
    """Assert ``max|value| <= tol``; print ``PASS  claim: what ≲ 1e-k  (tol)``.

    Returns the measured maximum (a float) for further use (e.g. ``glue``).
    """
    v = float(np.max(np.abs(np.asarray(value)))) if np.size(value) else 0.0
    passed = bool(v <= tol)
    _emit(claim, passed, f"{what} ≲ {magnitude(v)}  (tolerance {tol:.0e})",
          f"{what} = {v:.3e}, tolerance {tol:.1e}")
    return v


def check_close(claim: str, value, expected, *, rtol: float = 0.0, atol: float = 0.0,
                digits: int = 3, what: str = "value") -> float:
    """Assert ``|value - expected| <= atol + rtol*|expected|`` (scalars or arrays).

    Prints the value rounded to ``digits`` significant digits.
    """
    value = np.asarray(value, dtype=float)
    expected = np.asarray(expected, dtype=float)
    err = np.abs(value - expected)
    bound = atol + rtol * np.abs(expected)
    passed = bool(np.all(err <= bound))
    shown = np.format_float_positional(float(np.max(value)) if value.size > 1 else float(value),
                                       precision=digits, unique=False, fractional=False, trim="-")
    exp_shown = np.format_float_positional(float(np.max(expected)) if expected.size > 1 else float(expected),
                                           precision=digits, unique=False, fractional=False, trim="-")
    _emit(claim, passed, f"{what} = {shown} vs expected {exp_shown}  (atol {atol:.0e}, rtol {rtol:.0e})",
          f"{what} = {value!r}, expected {expected!r}, max error {float(np.max(err)):.3e}")
    return float(np.max(err)) if err.size else 0.0


def check_true(claim: str, condition, *, what: str = "holds", detail: str = "") -> bool:
    """Assert a boolean (all entries true for arrays); print ``PASS  claim: what``."""
    cond = np.asarray(condition)
    passed = bool(np.all(cond))
    n = cond.size
    msg = what if n <= 1 else f"{what} ({n} of {n} cases)"
    _emit(claim, passed, msg, detail or f"{int(np.sum(~cond.astype(bool)))} of {n} cases fail")
    return passed


def check_range(claim: str, value, lo: float, hi: float, *, digits: int = 3, what: str = "value") -> float:
    """Assert ``lo <= value <= hi`` for a scalar; print the value rounded to ``digits`` decimals."""
    v = float(value)
    passed = bool(lo <= v <= hi)
    _emit(claim, passed, f"{what} = {v:.{digits}f} in [{lo:g}, {hi:g}]", f"{what} = {v!r} not in [{lo}, {hi}]")
    return v


class LedgerTable:
    """The checks of :data:`LEDGER` as a table that renders in HTML and Markdown.

    Glue it at the end of a chapter (``glue("ledger", ledger_table(), display=False)``)
    so that the claims page of the book can paste it.
    """

    def __init__(self, rows):
        self.rows = [(str(c), bool(p)) for c, p, _ in rows]

    def _repr_markdown_(self) -> str:
        lines = ["| claim | status |", "|---|---|"]
        lines += [f"| {c.replace('|', '&#124;')} | {'verified' if p else 'FAILED'} |" for c, p in self.rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        body = "".join(
            f"<tr><td>{html.escape(c)}</td><td>{'verified' if p else 'FAILED'}</td></tr>" for c, p in self.rows
        )
        return f'<table class="table claims-ledger"><thead><tr><th>claim</th><th>status</th></tr></thead><tbody>{body}</tbody></table>'

    def __repr__(self) -> str:
        n = len(self.rows)
        return f"LedgerTable({n} checks, {sum(p for _, p in self.rows)} verified)"


def ledger_table() -> LedgerTable:
    """Snapshot of :data:`LEDGER` as a :class:`LedgerTable`."""
    return LedgerTable(LEDGER)
