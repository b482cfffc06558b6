"""The executed notebooks in ``notebooks/`` are generated from the MyST Markdown
chapters in ``book/`` (``make notebooks``): their code must be the sources' code."""

import importlib.util
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("_nbtools", ROOT / "tools" / "notebooks.py")
nbtools = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nbtools)


def test_every_chapter_has_a_source_and_a_notebook():
    stems = [p.stem for p in nbtools.chapter_sources()]
    assert len(stems) >= 9, stems
    assert not list((ROOT / "book").glob("*.ipynb")), "chapters are edited as book/*.md, not .ipynb"


def test_notebook_code_matches_its_source():
    problems = nbtools.mismatches()
    assert not problems, "\n".join(problems)


def test_notebooks_carry_no_volatile_metadata():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert set(nb.metadata) <= {"kernelspec", "language_info"}, (path.name, sorted(nb.metadata))
        for i, cell in enumerate(nb.cells):
            assert cell.get("id") == f"cell-{i}", (path.name, i, cell.get("id"))
            assert set(cell.metadata) <= {"tags"}, (path.name, i, sorted(cell.metadata))
            for out in cell.get("outputs", []):
                assert "execution" not in out.get("metadata", {}), (path.name, i)
