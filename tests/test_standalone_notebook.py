"""A downloaded chapter runs on its own (issue 13).

Every notebook in ``notebooks/`` opens with an install cell
(``tools/notebooks.py``, ``install_cell``): when qrmlib is not importable it
pip-installs ``qrmlib[notebook]`` from ``QRMLIB_PIP_SPEC`` (else from the
repository); when qrmlib is importable it does nothing and prints nothing.

* in this environment (qrmlib importable) the install cell prints nothing, and no
  stored notebook carries an output for it;
* ``test_chapter_runs_in_a_bare_venv`` copies ``notebooks/02_ep_lindblad.ipynb``
  into an empty directory, creates a venv with only a Jupyter kernel (ipykernel)
  and nbclient, points ``QRMLIB_PIP_SPEC`` at this checkout with the ``[notebook]``
  extra and executes the notebook there: the install cell installs qrmlib into
  that venv and every cell runs without error.  It installs from PyPI (pip's
  cache is reused, ``--prefer-binary``), a minute or two; ``-m "not network"``
  deselects it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CHAPTER = "02_ep_lindblad.ipynb"
INSTALL_TAG = "install-qrmlib"


def _install_cell(nb) -> nbformat.NotebookNode:
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and INSTALL_TAG in code[0].metadata.get("tags", []), "the first code cell is the install cell"
    return code[0]


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_stored_install_cell_has_no_output(path):
    cell = _install_cell(nbformat.read(path, as_version=4))
    assert cell.outputs == [], f"{path.name}: the install cell printed {cell.outputs}"


def test_install_cell_is_silent_where_qrmlib_is_importable(tmp_path):
    source = _install_cell(nbformat.read(NOTEBOOKS / CHAPTER, as_version=4)).source
    env = dict(os.environ, QRMLIB_PIP_SPEC="qrmlib-does-not-exist-so-pip-would-fail")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-c", source], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == "", f"the install cell printed {proc.stdout!r} {proc.stderr!r}"


_EXECUTE = textwrap.dedent(
    """
    import json, sys
    import nbformat
    from nbclient import NotebookClient

    path = sys.argv[1]
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": "."}}).execute()
    nbformat.write(nb, path)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    print(json.dumps({"errors": len(errors), "cells": sum(c.cell_type == "code" for c in nb.cells)}))
    """
)


@pytest.mark.network
def test_chapter_runs_in_a_bare_venv(tmp_path):
    work = tmp_path / "download"
    work.mkdir()
    shutil.copy(NOTEBOOKS / CHAPTER, work / CHAPTER)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    py = env_dir / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER", "IPYTHON"))}
    env.update(
        PATH=f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(env_dir),
        # only the venv's own kernel spec: no user-wide kernels, config or history
        JUPYTER_DATA_DIR=str(tmp_path / "jupyter-data"),
        JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"),
        IPYTHONDIR=str(tmp_path / "ipython"),
        MPLBACKEND="Agg",
        PIP_PREFER_BINARY="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        QRMLIB_PIP_SPEC=f"qrmlib[notebook] @ {ROOT.as_uri()}",
    )

    def run(*args, timeout=900):
        proc = subprocess.run(args, cwd=work, env=env, capture_output=True, text=True, timeout=timeout)
        assert proc.returncode == 0, f"{' '.join(map(str, args))} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        return proc.stdout

    run(py, "-m", "pip", "install", "--quiet", "--prefer-binary", "ipykernel", "nbclient")
    bare = run(py, "-c", "import importlib.util as u; print(u.find_spec('qrmlib'), u.find_spec('numpy'))")
    assert bare.split() == ["None", "None"], "the venv starts without qrmlib and numpy"

    report = json.loads(run(py, "-c", _EXECUTE, CHAPTER).strip().splitlines()[-1])
    assert report["errors"] == 0 and report["cells"] > 1, report

    where = run(py, "-c", "import qrmlib; print(qrmlib.__file__)").strip()
    assert Path(where).is_relative_to(env_dir), f"qrmlib was imported from {where}, not installed into the venv"
    executed = nbformat.read(work / CHAPTER, as_version=4)
    assert all(o.output_type != "error" for c in executed.cells if c.cell_type == "code" for o in c.outputs)
