"""Generate the executed notebooks ``notebooks/*.ipynb`` from the MyST Markdown
chapters ``book/*.md`` (the only files a person edits), or check that they match.

    python tools/notebooks.py build [NAME ...]   # convert (jupytext), execute, strip, write
    python tools/notebooks.py check              # code of every notebook == its book/ source

A generated notebook is deterministic apart from its outputs: cell ids are
``cell-<index>``, execution timestamps and other volatile metadata are removed,
and the JSON is written with sorted keys, so a rerun on the same machine
changes nothing and a prose edit is a one-hunk diff in ``book/`` (the notebook
follows).  ``make notebooks`` calls ``build``; ``tests/test_notebooks.py``
calls :func:`mismatches`.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
OUT = ROOT / "notebooks"
TIMEOUT = 600
#: cell metadata worth keeping (jupytext adds nothing else we need)
KEEP_CELL_METADATA = ("tags",)


def chapter_sources() -> list[Path]:
    """The MyST Markdown notebooks of ``book/`` (files with a ``kernelspec`` header)."""
    out = []
    for p in sorted(BOOK.glob("*.md")):
        head = p.read_text(encoding="utf-8")[:600]
        if head.startswith("---") and "kernelspec:" in head:
            out.append(p)
    return out


def _merge_streams(outputs):
    """Consecutive stream outputs of one name as one output (how many chunks a kernel
    sends is timing-dependent; merged, a rerun stores the same JSON)."""
    merged = []
    for out in outputs:
        if (
            out.get("output_type") == "stream"
            and merged
            and merged[-1].get("output_type") == "stream"
            and merged[-1].get("name") == out.get("name")
        ):
            merged[-1]["text"] = merged[-1]["text"] + out["text"]
        else:
            merged.append(out)
    return merged


def _clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop volatile metadata, number cell ids, keep outputs."""
    nb.metadata = nbformat.from_dict(
        {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        }
    )
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
        cell.metadata = nbformat.from_dict({k: v for k, v in cell.metadata.items() if k in KEEP_CELL_METADATA})
        if cell.cell_type == "code":
            cell["outputs"] = _merge_streams(cell.get("outputs", []))
            for out in cell.get("outputs", []):
                if "metadata" in out:
                    out["metadata"] = nbformat.from_dict(
                        {k: v for k, v in out["metadata"].items() if k not in ("execution",)}
                    )
        cell.pop("attachments", None) if cell.cell_type != "markdown" else None
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def _repository() -> tuple[str, str]:
    """``repository.url`` and ``repository.branch`` of ``_config.yml`` (no YAML parser needed)."""
    text = (ROOT / "_config.yml").read_text(encoding="utf-8")
    block = text[text.index("\nrepository:") :]
    url = re.search(r"^\s+url:\s*(\S+)", block, re.M).group(1)
    branch = re.search(r"^\s+branch:\s*(\S+)", block, re.M)
    return url, branch.group(1) if branch else "main"


#: First cell of every generated notebook: it makes a downloaded notebook run anywhere.
INSTALL_TAG = "install-qrmlib"


def install_cell() -> nbformat.NotebookNode:
    url, branch = _repository()
    source = f"""# Outside the companion's environment (Colab, Binder, a bare venv): install qrmlib first.
import importlib.util, os, subprocess, sys
if importlib.util.find_spec("qrmlib") is None:
    spec = os.environ.get("QRMLIB_PIP_SPEC", "qrmlib[notebook] @ git+{url}@{branch}")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", spec], check=True)"""
    return nbformat.v4.new_code_cell(source, metadata={"tags": [INSTALL_TAG, "remove-cell"]})


def convert(src: Path) -> nbformat.NotebookNode:
    """The notebook of a MyST Markdown chapter, unexecuted, opening with :func:`install_cell`."""
    nb = nbformat.from_dict(jupytext.read(src, fmt="md:myst"))
    nb.cells.insert(0, install_cell())
    return _clean(nb)


def build(names=None) -> list[Path]:
    from nbclient import NotebookClient

    OUT.mkdir(exist_ok=True)
    written = []
    for src in chapter_sources():
        if names and src.stem not in names:
            continue
        nb = convert(src)
        print(f"executing {src.relative_to(ROOT)} ...", flush=True)
        NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(OUT)}}).execute()
        nb = _clean(nb)
        dest = OUT / f"{src.stem}.ipynb"
        nbformat.validate(nb)
        dest.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
        written.append(dest)
        print(f"wrote {dest.relative_to(ROOT)}", flush=True)
    return written


def _code(nb) -> list[tuple[str, tuple]]:
    return [(c.source.strip(), tuple(c.metadata.get("tags", ()))) for c in nb.cells if c.cell_type == "code"]


def _source_code(src: Path) -> list[tuple[str, tuple]]:
    nb = nbformat.from_dict(jupytext.read(src, fmt="md:myst"))
    return _code(nb)


def mismatches() -> list[str]:
    """Chapters whose ``notebooks/`` copy is missing or whose code cells (source, tags) differ."""
    problems = []
    srcs = chapter_sources()
    for src in srcs:
        dest = OUT / f"{src.stem}.ipynb"
        if not dest.exists():
            problems.append(f"{dest.relative_to(ROOT)} is missing: run `make notebooks`")
            continue
        b = _code(nbformat.read(dest, as_version=4))
        if not b or INSTALL_TAG not in b[0][1]:
            problems.append(f"{dest.relative_to(ROOT)} does not open with the install cell: run `make notebooks`")
            continue
        if b[0] != _code(nbformat.from_dict({"cells": [install_cell()]}))[0]:
            problems.append(f"{dest.relative_to(ROOT)}: its install cell is out of date: run `make notebooks`")
        a, b = _source_code(src), b[1:]
        if a != b:
            n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            problems.append(
                f"{dest.relative_to(ROOT)} differs from {src.relative_to(ROOT)} "
                f"(first at code cell {n}; {len(a)} vs {len(b)} code cells): run `make notebooks`"
            )
    stems = {s.stem for s in srcs}
    for extra in sorted(OUT.glob("*.ipynb")):
        if extra.stem not in stems:
            problems.append(f"{extra.relative_to(ROOT)} has no source in book/")
    return problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("names", nargs="*", help="chapter stems, e.g. 03_qrm (default: all)")
    sub.add_parser("check")
    args = ap.parse_args(argv)
    if args.cmd == "build":
        build(args.names)
        return 0
    probs = mismatches()
    print("\n".join(probs) if probs else "notebooks/ matches book/")
    return 1 if probs else 0


if __name__ == "__main__":
    sys.exit(main())
