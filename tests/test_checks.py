"""qrmlib.checks: every verdict helper can fail; valid calls print exactly the lines they always printed.

The PASS lines are compared with the format strings of the previous implementation
(reproduced below), because nbval compares the chapters' stored outputs strictly.
"""

import math

import mpmath
import numpy as np
import pytest

from qrmlib import checks
from qrmlib.checks import check_close, check_range, check_small, check_true, magnitude


@pytest.fixture(autouse=True)
def _fresh_ledger():
    checks.reset_ledger()
    yield
    checks.reset_ledger()


# --- the PASS lines for valid input (the earlier format, with tolerances and round-off
# magnitudes written in Unicode, "10⁻¹²", since the reader's-book issue) ---------------------

def old_small_line(claim, value, tol, what="max residual"):
    v = float(np.max(np.abs(np.asarray(value))))
    return f"PASS  {claim}: {what} ≲\u00a0{magnitude(v)}  (tolerance {checks.sci(tol)})"


def old_close_line(claim, value, expected, rtol=0.0, atol=0.0, digits=3, what="value"):
    value = np.asarray(value, dtype=float)
    expected = np.asarray(expected, dtype=float)
    shown = np.format_float_positional(float(np.max(value)) if value.size > 1 else float(value.reshape(-1)[0]),
                                       precision=digits, unique=False, fractional=False, trim="-")
    exp_shown = np.format_float_positional(float(np.max(expected)) if expected.size > 1 else float(expected),
                                           precision=digits, unique=False, fractional=False, trim="-")
    return f"PASS  {claim}: {what} = {shown} vs expected {exp_shown}  (atol {checks.sci(atol)}, rtol {checks.sci(rtol)})"


def old_true_line(claim, condition, what="holds"):
    n = np.asarray(condition).size
    return f"PASS  {claim}: {what if n <= 1 else f'{what} ({n} of {n} cases)'}"


def old_range_line(claim, value, lo, hi, digits=3, what="value"):
    return f"PASS  {claim}: {what} = {float(value):.{digits}f} in [{checks.sci(lo)}, {checks.sci(hi)}]"


SMALL_OK = [
    ("scalar", 3e-16, 1e-15, {}),
    ("exact zero", 0.0, 1e-12, {}),
    ("array", np.array([1e-13, -2e-14]), 1e-12, {"what": "max|difference|"}),
    ("complex", np.array([[1e-16 + 2e-16j, 0], [0, 0]]), 1e-15, {}),
    ("list of arrays", [np.zeros(3), np.full(3, 1e-9)], 1e-8, {}),
    ("numpy scalar tol", np.float64(4e-11), np.float64(1e-10), {}),
    ("integer zero", 0, 1e-16, {}),
    ("tolerance zero", np.zeros(4), 0.0, {}),
    ("loose", 0.004, 0.01, {"what": "deviation"}),
]


@pytest.mark.parametrize("claim,value,tol,kw", SMALL_OK)
def test_check_small_valid_lines_unchanged(capsys, claim, value, tol, kw):
    v = check_small(claim, value, tol, **kw)
    assert capsys.readouterr().out == old_small_line(claim, value, tol, **kw) + "\n"
    assert v == float(np.max(np.abs(np.asarray(value))))
    assert checks.LEDGER[-1][:2] == (claim, True)


CLOSE_OK = [
    ("slopes", np.array([1.995, 2.004, 2.001]), 2.0, {"atol": 0.02, "digits": 3, "what": "exponent"}),
    ("negative", np.array([-1.0004, -0.9998]), -1.0, {"atol": 0.001, "digits": 4, "what": "fitted exponent"}),
    ("ratio", np.array([0.25, 4.0, 1.5]), np.array([0.25, 4.0, 1.5]) * (1 + 1e-12), {"rtol": 1e-10}),
    ("populations", np.full(3, 1 / 3) + 1e-14, np.full(3, 1 / 3), {"atol": 1e-12, "digits": 4, "what": "populations"}),
    ("scalar", 0.1234567, 0.1234566, {"atol": 1e-6}),
    ("size-one array", np.array([2.0]), 2.0, {"atol": 0.0}),
    ("complex, zero imaginary part", np.array([1.0 + 0j, 2.0 + 0j]), np.array([1.0, 2.0]), {}),
]


@pytest.mark.parametrize("claim,value,expected,kw", CLOSE_OK)
def test_check_close_valid_lines_unchanged(capsys, claim, value, expected, kw):
    err = check_close(claim, value, expected, **kw)
    assert capsys.readouterr().out == old_close_line(claim, np.real(value), expected, **kw) + "\n"
    assert err == pytest.approx(float(np.max(np.abs(np.real(value) - expected))), abs=0)
    assert checks.LEDGER[-1][:2] == (claim, True)


TRUE_OK = [
    ("python bool", True, {}),
    ("numpy bool", np.True_, {"what": "min over g of σ = 2.4e-07"}),
    ("comparison", np.float64(0.3) > 0.1, {}),
    ("array", np.array([True, True, True]), {}),
    ("list of bools", [True, np.True_], {}),
    ("2-d array", np.ones((5, 4), bool), {"what": "sign holds"}),
    ("size-one array", np.array([True]), {}),
]


@pytest.mark.parametrize("claim,cond,kw", TRUE_OK)
def test_check_true_valid_lines_unchanged(capsys, claim, cond, kw):
    assert check_true(claim, cond, **kw) is True
    assert capsys.readouterr().out == old_true_line(claim, cond, **kw) + "\n"
    assert checks.LEDGER[-1][:2] == (claim, True)


RANGE_OK = [
    ("one-sided", 0.017, 0.0, np.inf, {"what": "min σ_L(ρ)"}),
    ("one-sided below", 0.3, -np.inf, 1.0, {}),
    ("negative floor", 2.8e-5, -1e-15, np.inf, {"digits": 6, "what": "min σ"}),
    ("two-sided", 0.99995, 0.99, 1.01, {"digits": 4, "what": "ratio"}),
    ("integer bounds", np.float64(0.5), 0, 1, {}),
    ("at the bound", 0.0, 0.0, 0.02, {}),
    ("size-one array", np.array([1.95]), 1.9, 2.1, {"digits": 3, "what": "slope"}),
]


@pytest.mark.parametrize("claim,value,lo,hi,kw", RANGE_OK)
def test_check_range_valid_lines_unchanged(capsys, claim, value, lo, hi, kw):
    v = check_range(claim, value, lo, hi, **kw)
    assert capsys.readouterr().out == old_range_line(claim, np.asarray(value).reshape(-1)[0], lo, hi, **kw) + "\n"
    assert v == float(np.asarray(value).reshape(-1)[0])
    assert checks.LEDGER[-1][:2] == (claim, True)


def test_mpmath_values_are_accepted(capsys):
    check_small("mp residual", [mpmath.mpf("1e-30"), mpmath.mpf("-2e-31")], 1e-15)
    assert capsys.readouterr().out == "PASS  mp residual: max residual ≲\u00a010⁻¹⁷  (tolerance 10⁻¹⁵)\n"


# --- genuine failures still fail ------------------------------------------------------------------

def test_failing_comparisons_raise_and_are_recorded():
    with pytest.raises(AssertionError, match="FAILED too big"):
        check_small("too big", [1e-10, 2e-9], 1e-9)
    with pytest.raises(AssertionError, match="FAILED off"):
        check_close("off", 1.1, 1.0, atol=0.05)
    with pytest.raises(AssertionError, match="1 of 3 cases fail"):
        check_true("one false", np.array([True, False, True]))
    with pytest.raises(AssertionError, match="not in"):
        check_range("outside", 1.5, 0.0, 1.0)
    assert [v.passed for v in checks.LEDGER] == [False] * 4


# --- vacuous checks: each failure mode --------------------------------------------------------------

def _refused(exc, fn, *args, match=None, **kw):
    """``fn`` raises ``exc``, prints nothing, and records its claim as failed."""
    n = len(checks.LEDGER)
    with pytest.raises(exc, match=match):
        fn("the claim", *args, **kw)
    assert len(checks.LEDGER) == n + 1
    assert checks.LEDGER[-1][0] == "the claim" and checks.LEDGER[-1][1] is False


@pytest.mark.parametrize("value", [[], np.array([]), np.zeros((0, 3)), np.zeros((4, 0, 2), complex)])
def test_check_small_empty_fails(capsys, value):
    _refused(AssertionError, check_small, value, 1e-12, match="empty")
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, [1e-16, np.nan], np.array([0, complex(np.inf, 0)])])
def test_check_small_non_finite_value_fails(value):
    _refused(AssertionError, check_small, value, 1e-12, match="non-finite")


@pytest.mark.parametrize("tol,exc", [(np.inf, ValueError), (np.nan, ValueError), (-1e-12, ValueError),
                                     ("1e-12", TypeError), (None, TypeError), (True, TypeError),
                                     (np.array([1e-12, 1e-12]), TypeError), (1e-12 + 0j, TypeError)])
def test_check_small_bad_tolerance_refused(tol, exc):
    _refused(exc, check_small, 1e-20, tol, match="tol")


@pytest.mark.parametrize("value", ["0.0", None, np.array([True, False]), np.array(["a"]), [[1.0], [1.0, 2.0]]])
def test_check_small_non_numeric_refused(value):
    _refused((TypeError, ValueError), check_small, value, 1e-12, match="value")


def test_check_close_issue_example_infinite_expected_fails():
    # rtol * |inf| = inf made every value pass
    _refused(AssertionError, check_close, 1.0, float("inf"), rtol=1e-9, match="expected .*non-finite")


@pytest.mark.parametrize("value,expected", [(np.nan, 1.0), (np.inf, np.inf), ([1.0, np.nan], 1.0),
                                            (1.0, np.nan), ([1.0, 2.0], [1.0, -np.inf])])
def test_check_close_non_finite_fails(value, expected):
    _refused(AssertionError, check_close, value, expected, atol=1.0, match="non-finite")


@pytest.mark.parametrize("value", [[], np.zeros((2, 0))])
def test_check_close_empty_fails(value):
    _refused(AssertionError, check_close, value, 1.0, atol=1.0, match="empty")


@pytest.mark.parametrize("value,expected", [(np.zeros(3), np.zeros((3, 1))), (0.0, np.zeros(4)),
                                            (np.zeros(3), np.zeros(4)), (np.zeros((2, 1)), np.zeros((2, 5)))])
def test_check_close_shape_mismatch_refused(value, expected):
    # expected must broadcast to value's shape: (3,) vs (3, 1) would compare 9 pairs
    _refused(ValueError, check_close, value, expected, atol=1.0, match="broadcast")


@pytest.mark.parametrize("kw,exc", [({"rtol": np.inf}, ValueError), ({"atol": np.inf}, ValueError),
                                    ({"atol": np.nan}, ValueError), ({"rtol": -1e-3}, ValueError),
                                    ({"atol": "0.1"}, TypeError), ({"digits": 2.0}, TypeError),
                                    ({"digits": -1}, ValueError)])
def test_check_close_bad_options_refused(kw, exc):
    _refused(exc, check_close, 1.0, 1.0, **kw)


def test_check_close_complex_value_fails():
    # a complex value used to be truncated to its real part (with only a ComplexWarning)
    _refused(AssertionError, check_close, 1.0 + 0.5j, 1.0, atol=0.1, match="complex")
    _refused(AssertionError, check_close, np.array([1.0]), np.array([1.0 + 1e-3j]), atol=0.1, match="complex")


@pytest.mark.parametrize("cond", ["False", "True", b"", 0.0, 1.0, 1, 0, np.int64(1), np.float64(1.0),
                                  np.array([1, 1]), [1.0, 2.0], np.array([True, None]), None])
def test_check_true_non_boolean_refused(cond):
    _refused(TypeError, check_true, cond, match="condition must be a bool")


@pytest.mark.parametrize("cond", [np.array([], bool), [], np.zeros((3, 0), bool)])
def test_check_true_empty_fails(capsys, cond):
    _refused(AssertionError, check_true, cond, match="empty")
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("lo,hi,exc", [(-np.inf, np.inf, ValueError), (np.nan, 1.0, ValueError),
                                       (0.0, np.nan, ValueError), (1.0, 0.0, ValueError),
                                       (np.inf, np.inf, ValueError), (-np.inf, -np.inf, ValueError),
                                       ("0", 1.0, TypeError), (0.0, None, TypeError), (False, 1.0, TypeError),
                                       (np.array([0.0, 1.0]), 2.0, TypeError)])
def test_check_range_bad_bounds_refused(lo, hi, exc):
    _refused(exc, check_range, 0.5, lo, hi)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_check_range_non_finite_value_fails(value):
    # inf in [0, inf] used to pass
    _refused(AssertionError, check_range, value, 0.0, np.inf, match="non-finite")


def test_check_range_other_bad_values():
    _refused(AssertionError, check_range, np.array([]), 0.0, 1.0, match="empty")
    _refused(ValueError, check_range, np.array([0.1, 0.2]), 0.0, 1.0, match="scalar")
    _refused(AssertionError, check_range, 0.5 + 0.1j, 0.0, 1.0, match="complex")
    _refused(TypeError, check_range, "0.5", 0.0, 1.0)
    _refused(TypeError, check_range, 0.5, 0.0, 1.0, digits=3.0)


def test_claim_must_be_a_string():
    with pytest.raises(TypeError, match="claim must be a str"):
        check_true(3, True)
    assert checks.LEDGER[-1][1] is False


def test_failed_checks_show_as_failed_in_the_ledger_table():
    check_true("ok", True)
    with pytest.raises(AssertionError):
        check_small("empty", [], 1e-12)
    table = checks.ledger_table()
    assert [(r.claim, r.passed) for r in table.rows] == [("ok", True), ("empty", False)]
    assert "<strong>FAILED</strong>" in table._repr_html_()
    assert repr(table) == "Claims ledger: 2 checks (1 FAILED, 1 holds)"


def test_ledger_rows_carry_measured_tolerance_status_and_link():
    check_small("(3.8) rho+ = null vector", 3e-16, 1e-12)
    check_close("Lemma 3.1: trace", 1.0, 1.0, atol=1e-12)
    check_true("(5.6) as printed misses the null vector", np.array([True, True]), status="refuted")
    checks.not_checkable("Remark 4.4", "a statement about all QRMs", ref="remark-4-4")
    rows = checks.ledger_table()._repr_html_().split("<tr>")[1:]
    assert rows[0] == "<th>claim</th><th>measured</th><th>tolerance</th><th>status</th><th>paper</th></tr></thead><tbody>"
    assert "<td>max residual ≲\u00a010⁻¹⁵</td><td>10⁻¹²</td><td>holds</td>" in rows[1]
    assert '<a class="paperref" data-ref="eq-3-8">(3.8)</a>' in rows[1]
    assert 'data-ref="lemma-3-1">Lemma 3.1</a>' in rows[2]
    assert "refuted as printed — corrected form holds" in rows[3] and "2 of 2 cases" in rows[3]
    assert "not checkable" in rows[4] and 'data-ref="remark-4-4"' in rows[4]
    assert "LedgerTable(" not in repr(checks.ledger_table())


@pytest.mark.parametrize("claim, ref", [("Lemma 3.1: x", "lemma-3-1"), ("Prop. 4.3 ii)", "proposition-4-3"),
                                        ("(2.10) sum", "eq-2-10"), ("eq. (8.12) sym", "eq-8-12"),
                                        ("(A.3) x", "eq-A-3"), ("Beyond: x", "")])
def test_claim_ref(claim, ref):
    assert checks.claim_ref(claim) == ref


def test_status_and_ref_are_checked():
    with pytest.raises(TypeError, match="status"):
        check_true("x", True, status="verified")
    with pytest.raises(TypeError, match="why"):
        checks.not_checkable("x", "")


def test_sci():
    assert [checks.sci(x) for x in (1e-12, 2e-9, 0, 0.05, -1e-12, 1e5)] == \
        ["10⁻¹²", "2·10⁻⁹", "0", "0.05", "−10⁻¹²", "10⁵"]


def test_magnitude_unchanged():
    assert magnitude(0.0) == "10⁻¹⁷" and magnitude(3e-16) == "10⁻¹⁵" and magnitude(-0.02) == "10⁻¹"
    with pytest.raises(ValueError, match="x must be finite"):
        magnitude(math.inf)
    with pytest.raises(TypeError, match="x must be a real number"):
        magnitude("1e-3")
