"""Tooling and environments (issue 13): lint, pre-commit, the lock, Binder, the figures CLI.

* ``ruff check`` and ``ruff format --check`` are clean under the configuration in
  ``pyproject.toml`` (``make lint``); the list of files not yet formatted only
  names files that exist and are still unformatted, so it can only shrink;
* ``.pre-commit-config.yaml`` runs ruff (at the locked version), the end-of-file and
  trailing-whitespace fixers and the book/notebooks sync check;
* ``requirements/lock.txt`` is up to date with ``pyproject.toml``: written by uv for
  exactly the extras the Makefile installs, universal from the Python floor, and
  every dependency of the core and of those extras is pinned there to a version in
  its declared range (checked offline, without resolving anything);
* ``binder/`` installs the ``[notebook]`` extra only, on an exact Python;
* the supported Pythons are the same in the README, the classifiers and the lock;
* without matplotlib, ``python -m qrmlib.figures`` names the extra to install.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_packaging import _make_extras  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")


@pytest.fixture(scope="module")
def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf8"))


def _ruff() -> str:
    exe = Path(sys.executable).parent / "ruff"
    found = str(exe) if exe.exists() else shutil.which("ruff")
    if not found:
        pytest.skip("ruff is not installed (it is in the [test] extra)")
    return found


# --------------------------------------------------------------------------
# ruff
# --------------------------------------------------------------------------


def test_ruff_check_is_clean():
    proc = subprocess.run([_ruff(), "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_is_clean():
    proc = subprocess.run([_ruff(), "format", "--check", "."], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_not_yet_formatted_list_only_shrinks(pyproject):
    listed = pyproject["tool"]["ruff"]["format"].get("exclude", [])
    missing = [f for f in listed if not (ROOT / f).is_file()]
    assert not missing, f"[tool.ruff.format] exclude names files that do not exist: {missing}"
    if not listed:
        return
    # explicit paths are checked even when excluded (no --force-exclude)
    proc = subprocess.run(
        [_ruff(), "format", "--check", "--output-format", "concise", *listed],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    unformatted = set(re.findall(r"^(\S+?\.py):", proc.stdout, flags=re.M))
    done = sorted(set(listed) - unformatted)
    assert not done, f"already formatted, remove from [tool.ruff.format] exclude: {done}"


def test_make_lint_runs_ruff():
    text = (ROOT / "Makefile").read_text(encoding="utf8")
    block = re.search(r"^lint:.*?(?=^\S|\Z)", text, flags=re.M | re.S).group(0)
    assert "ruff check" in block and "ruff format --check" in block


# --------------------------------------------------------------------------
# pre-commit
# --------------------------------------------------------------------------


def _locked() -> dict[str, list[tuple[Version, str]]]:
    """name -> [(version, marker)] of every pinned line of the lock."""
    out: dict[str, list[tuple[Version, str]]] = {}
    for line in LOCK.read_text(encoding="utf8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)\s*(?:;\s*(.*))?$", line)
        if m:
            out.setdefault(canonicalize_name(m.group(1)), []).append((Version(m.group(2)), m.group(3) or ""))
    return out


def test_pre_commit_config():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf8"))
    hooks = {h["id"]: (repo["repo"], repo.get("rev"), h) for repo in config["repos"] for h in repo["hooks"]}
    for hook in ("ruff-check", "ruff-format", "end-of-file-fixer", "trailing-whitespace"):
        assert hook in hooks, f"pre-commit runs {hook}"
    repo, rev, _ = hooks["ruff-check"]
    assert repo.endswith("/ruff-pre-commit")
    (locked, _), *_ = _locked()["ruff"]
    assert rev == f"v{locked}", f"pre-commit's ruff {rev} differs from the locked ruff {locked}"
    sync = [h for _, _, h in hooks.values() if "tools/notebooks.py check" in h.get("entry", "")]
    assert len(sync) == 1, "pre-commit runs `tools/notebooks.py check` (book/ vs notebooks/)"
    assert sync[0].get("pass_filenames") is False


# --------------------------------------------------------------------------
# The lock
# --------------------------------------------------------------------------


def _header_command() -> str:
    head = LOCK.read_text(encoding="utf8").splitlines()[:3]
    assert "autogenerated by uv" in head[0], "requirements/lock.txt is written by `uv pip compile`"
    return head[1].lstrip("# ").strip()


def test_lock_covers_the_make_extras(pyproject):
    cmd = _header_command()
    assert cmd.startswith("uv pip compile pyproject.toml")
    extras = set(re.findall(r"--extra\s+(\S+)", cmd))
    assert extras == _make_extras(), f"the lock covers {sorted(extras)}, make installs {sorted(_make_extras())}"
    assert "--universal" in cmd, "one lock for every supported Python (uv's --universal)"
    floor = re.search(r">=\s*(\d+\.\d+)", pyproject["project"]["requires-python"]).group(1)
    assert re.search(rf"--python-version\s+{re.escape(floor)}\b", cmd), f"the lock starts at Python {floor}"


def test_lock_pins_every_declared_dependency_in_its_range(pyproject):
    """Offline: each requirement of the core and the make extras is pinned, inside its range."""
    locked = _locked()
    assert "qrmlib" not in locked, "the lock pins dependencies, not the package itself"
    project = pyproject["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in sorted(_make_extras()):
        reqs += [Requirement(r) for r in project["optional-dependencies"][extra]]
    problems = []
    for req in reqs:
        name = canonicalize_name(req.name)
        if name == "qrmlib":
            continue
        pins = locked.get(name)
        if not pins:
            problems.append(f"{req} is not in the lock: run `make lock`")
            continue
        for python in SUPPORTED:
            env = {"python_version": python, "python_full_version": f"{python}.0"}
            if req.marker and not req.marker.evaluate(env):
                continue
            here = [v for v, m in pins if not m or Marker(m).evaluate(env)]
            if not here:
                problems.append(f"{req}: no pin for Python {python}")
            problems += [f"{req}: locked {v} on Python {python}" for v in here if v not in req.specifier]
    assert not problems, "\n".join(problems)


def test_make_installs_from_the_lock():
    text = (ROOT / "Makefile").read_text(encoding="utf8")
    assert re.search(r"^LOCK\s*:=\s*requirements/lock\.txt\s*$", text, flags=re.M)
    assert re.search(r"pip install[^\n]*-r \$\(LOCK\)", text), "make installs the lock"
    assert re.search(r"pip install[^\n]*--no-deps -e \.\s*$", text, flags=re.M), "then qrmlib, without deps"
    assert re.search(r"^\$\(STAMP\):[^\n]*\$\(LOCK\)[^\n]*\$\(VENV_PY\)", text, flags=re.M), (
        "a new lock or Python reinstalls"
    )
    assert re.search(r"^PYTHON \?= ", text, flags=re.M), "make takes PYTHON=..."


def test_supported_pythons_agree(pyproject):
    classifiers = {
        c.rsplit(" :: ", 1)[1]
        for c in pyproject["project"]["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    }
    assert classifiers == set(SUPPORTED)
    readme = (ROOT / "README.md").read_text(encoding="utf8")
    stated = ", ".join(SUPPORTED[:-1]) + " and " + SUPPORTED[-1]
    assert f"Python {stated}" in readme, f"the README states the supported Pythons ({stated})"


# --------------------------------------------------------------------------
# Binder, .gitignore
# --------------------------------------------------------------------------


def test_binder_is_light_and_pinned(pyproject):
    lines = [
        line.strip()
        for line in (ROOT / "binder" / "requirements.txt").read_text(encoding="utf8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines == [".[notebook]"], f"binder/ installs the repository with the [notebook] extra only: {lines}"
    assert "notebook" in pyproject["project"]["optional-dependencies"]
    runtime = (ROOT / "binder" / "runtime.txt").read_text(encoding="utf8").strip()
    m = re.fullmatch(r"python-(3\.\d+)", runtime)
    assert m, f"binder/runtime.txt pins one Python as python-3.X, got {runtime!r}"
    assert m.group(1) in SUPPORTED


def test_build_artifacts_are_ignored():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf8").split()
    for entry in ("build/", "dist/", "*.egg-info/", ".venv/", "_build/"):
        assert entry in ignored, f".gitignore lacks {entry}"


# --------------------------------------------------------------------------
# python -m qrmlib.figures without matplotlib
# --------------------------------------------------------------------------

_NO_MATPLOTLIB = """
import runpy, sys
sys.modules["matplotlib"] = None  # `import matplotlib` now raises ImportError
sys.argv = ["python -m qrmlib.figures", "--only", "1", "--quiet", "--outdir", sys.argv[1]]
runpy.run_module("qrmlib.figures", run_name="__main__")
"""


def test_figures_cli_names_the_extra_without_matplotlib(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-c", _NO_MATPLOTLIB, str(tmp_path)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "matplotlib" in proc.stderr and "qrmlib[figures]" in proc.stderr and "[notebook]" in proc.stderr
    assert not any(tmp_path.iterdir()), "nothing written"
