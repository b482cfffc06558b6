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


def _code_cells(src):
    import jupytext

    return [c for c in jupytext.read(src).cells if c.cell_type == "code"]


def test_chapter_cells_are_short_and_out_of_the_way():
    """Reader's layout: code cells short (median <= 10 lines, none over 30) and every one
    tagged (setup `remove-input`, verification `hide-input`), so prose and verdicts lead."""
    import statistics

    problems = []
    for src in nbtools.chapter_sources():
        cells = _code_cells(src)
        lengths = [len(c.source.splitlines()) for c in cells]
        if statistics.median(lengths) > 10:
            problems.append(f"{src.name}: median code cell {statistics.median(lengths)} lines > 10")
        problems += [f"{src.name}: code cell {i} has {n} lines > 30" for i, n in enumerate(lengths) if n > 30]
        untagged = [
            i
            for i, c in enumerate(cells)
            if not set(c.metadata.get("tags", ())) & {"remove-input", "hide-input", "remove-cell", "hide-cell"}
        ]
        if untagged:
            problems.append(f"{src.name}: code cells {untagged} are neither removed nor collapsed")
    assert not problems, "\n".join(problems)


def test_verdict_claims_write_math_in_unicode():
    """Claims passed to qrmlib.checks contain no raw TeX (no backslash, `_{`, `^{` or `$`)."""
    import re

    bad = []
    for src in nbtools.chapter_sources():
        for c in _code_cells(src):
            for m in re.finditer(r'check_(?:small|close|true|range)\(\s*(f?)"([^"]*)"', c.source):
                if re.search(r"\\|_\{|\^\{|\$", m.group(2)):
                    bad.append(f"{src.name}: {m.group(2)[:70]!r}")
    assert not bad, "\n".join(bad)


def test_statement_boxes_carry_their_own_numbers():
    """Every prf box is `:nonumber:` with the paper's (or the companion's) number in its
    title: Sphinx numbering is off (numfig), and a numbered box would crash sphinx-proof."""
    import re

    problems = []
    for src in sorted((ROOT / "book").glob("*.md")):
        text = src.read_text(encoding="utf8")
        for m in re.finditer(r"^```\{prf:(?!ref)[a-z]+\}(.*)\n((?::[a-z-]+:.*\n)*)", text, flags=re.M):
            if ":nonumber:" not in m.group(2):
                problems.append(f"{src.name}: {m.group(0).splitlines()[0][:70]} lacks :nonumber:")
    assert not problems, "\n".join(problems)
