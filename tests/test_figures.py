"""qrmlib.figures: data vs per-point evaluation, deterministic files, command line."""

import json
import subprocess
import sys

import numpy as np
import pytest

import qrmlib
from qrmlib import figures, linalg
from qrmlib import models as M

pytest.importorskip("matplotlib")


# --- data functions vs direct per-point evaluation -------------------------------------


def test_fig1_data_matches_pointwise():
    data = figures.fig1_data(n=5)
    p = data["params"]
    g = np.array([p["gamma_A"], p["gamma_B"], p["gamma_C"]])
    H = M.qubit_hamiltonian(p["delta"], p["eps"])
    lam_eq = g / g.sum()
    for panel in "ab":
        x, y, s = data[f"{panel}_x"], data[f"{panel}_y"], data[f"{panel}_sigma"]
        assert s.shape == (y.size, x.size)
        for i, tB in enumerate(y):
            for j, tA in enumerate(x):
                taus = np.stack([M.qubit_reset_state(tA), M.qubit_reset_state(tB), M.qubit_reset_state(p["t_C_ab"])])
                ref, _ = qrmlib.entropy_production(H, taus, g, lam_eq)
                assert s[i, j] == pytest.approx(float(ref), abs=1e-13)
    taus = np.stack([M.qubit_reset_state(p["t_cd"])] * 3)
    for panel in "cd":
        x, y, s = data[f"{panel}_x"], data[f"{panel}_y"], data[f"{panel}_sigma"]
        for i, lB in enumerate(y):
            for j, lA in enumerate(x):
                ref, _ = qrmlib.entropy_production(H, taus, g, [lA, lB, 1 - lA - lB])
                assert s[i, j] == pytest.approx(float(ref), abs=1e-13)
                # and the closed form (5.17), corrected, summed over j
                closed = sum(
                    M.qubit_ep_same_reset(p["delta"], g[k], g.sum(), p["t_cd"], lk)
                    for k, lk in enumerate([lA, lB, 1 - lA - lB])
                )
                assert s[i, j] == pytest.approx(float(closed), abs=1e-12)


def test_fig1_zoom_panels_centred_on_zeros():
    data = figures.fig1_data(n=5)
    p = data["params"]
    assert data["b_x"][2] == pytest.approx(p["t_C_ab"])
    assert data["d_x"][2] == pytest.approx(6 / 11)
    assert data["d_y"][2] == pytest.approx(3 / 11)
    assert p["zero_cd"] == pytest.approx([6 / 11, 3 / 11])
    assert data["b_sigma"][2, 2] < 1e-14 and data["d_sigma"][2, 2] < 1e-14


def test_fig2_data_matches_pointwise():
    data = figures.fig2_data(n=7)  # odd: the grid contains mu = 0 and lambda = mu
    p = data["params"]
    H = M.qubit_hamiltonian(p["delta"], p["eps"])
    T = M.qubit_reset_state(p["t_A"])
    lam, mu, F, G = data["lam"], data["mu"], data["F"], data["G"]

    def rho(x):
        return qrmlib.rho_H(x * H / p["gamma_A"], T)

    for i, m in enumerate(mu):
        for j, l in enumerate(lam):
            ref = linalg.entropy(rho(m)) + linalg.relative_entropy(rho(m), rho(l)) - linalg.entropy(rho(l))
            assert F[i, j] == pytest.approx(float(ref), abs=1e-13)
            if m != 0:
                assert G[i, j] == pytest.approx((1 - l / m) * float(ref), abs=1e-13)
            else:  # continuity at mu = 0
                h = 1e-6
                Fh = linalg.entropy(rho(h)) + linalg.relative_entropy(rho(h), rho(l)) - linalg.entropy(rho(l))
                assert G[i, j] == pytest.approx((1 - l / h) * float(Fh), abs=1e-5)
    assert np.all(np.abs(np.diag(F)) < 1e-13)  # F(lambda, lambda) = 0
    assert np.all(np.abs(F[mu == 0]) < 1e-13)  # F(lambda, 0) = 0 (Remark 4.7)
    assert np.min(G) > -1e-13  # (4.24)


def test_data_params_are_json():
    for k in figures.FIGURES:
        data = figures.FIGURES[k].data(n=3)
        s = json.dumps(data["params"])
        assert json.loads(s)["figure"] == k
        assert data["params"]["caption"] == figures.FIGURES[k].caption


# --- files --------------------------------------------------------------------------------


@pytest.mark.parametrize("number, n", [(1, 9), (2, 9), (3, 6), (4, 6), (5, 6)])
def test_write_figure_is_deterministic(tmp_path, number, n):
    out1 = figures.write_figure(number, tmp_path / "run1", n=n)
    out2 = figures.write_figure(number, tmp_path / "run2", n=n)
    assert [p.name for p in out1] == [f"fig{number}.pdf", f"fig{number}.png", f"fig{number}.npz", f"fig{number}.svg"]
    for a, b in zip(out1, out2):
        assert a.read_bytes() == b.read_bytes(), a.name
    pdf = out1[0].read_bytes()
    assert b"CreationDate" not in pdf and b"ModDate" not in pdf and b"Producer" not in pdf
    assert b"Software" not in out1[1].read_bytes()
    assert b"<dc:date>" not in out1[3].read_bytes()
    assert figures.load_npz(out1[2])["params"]["figure"] == number


def test_npz_roundtrip(tmp_path):
    data = figures.fig2_data(n=5)
    path = figures.save_npz(tmp_path / "d.npz", data)
    back = figures.load_npz(path)
    assert back["params"] == data["params"]
    for k in ("lam", "mu", "F", "G"):
        np.testing.assert_array_equal(back[k], data[k])
    with np.load(path) as z:  # readable without pickle, params a JSON string
        assert json.loads(str(z["params"]))["figure"] == 2


# --- command line -------------------------------------------------------------------------


def test_parse_only():
    assert figures.parse_only("1,2") == [1, 2]
    assert figures.parse_only(" 2, 1 ,2") == [1, 2]
    for bad, msg in [
        ("6", "Figures 1-5"),
        ("0", "Figures 1-5"),
        ("1,-1", "Figures 1-5"),
        ("a", "figure numbers"),
        ("1.5", "figure numbers"),
        ("", "comma-separated"),
        ("1,,2", "comma-separated"),
    ]:
        with pytest.raises(ValueError, match=msg):
            figures.parse_only(bad)
    # figures of the paper not yet implemented (3-5 until Section 8 lands): a clear error
    for k in sorted(set(figures.PAPER_FIGURES) - set(figures.FIGURES)):
        with pytest.raises(ValueError, match=f"Figure {k} is not implemented yet"):
            figures.parse_only(f"1,{k}")


def test_cli_unknown_figure_is_a_clear_error(tmp_path, capsys):
    for arg, msg in [("7", "the paper has Figures 1-5"), ("x", "figure numbers")] + [
        (str(k), f"Figure {k} is not implemented yet")
        for k in sorted(set(figures.PAPER_FIGURES) - set(figures.FIGURES))
    ]:
        with pytest.raises(SystemExit) as exc:
            figures.main(["--only", arg, "--outdir", str(tmp_path)])
        assert exc.value.code == 2
        assert msg in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_cli_writes_files(tmp_path):
    written = figures.main(["--only", "2", "--outdir", str(tmp_path), "--quiet"])
    assert sorted(p.name for p in written) == ["fig2.npz", "fig2.pdf", "fig2.png", "fig2.svg"]
    for p in written:
        assert 0 < p.stat().st_size < 2_000_000


def test_import_does_not_need_matplotlib():
    code = "import sys, qrmlib.figures; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
