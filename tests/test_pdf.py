"""The PDF of the whole companion (issue 13), as ``make pdf`` writes it.

`make test` runs this file right after ``tests/test_site.py`` has built the site:
the fixture prints that site with ``tools/pdf.py`` (headless Chromium, print
media, the pages of ``_toc.yml`` in order, merged with pypdf) and the tests read
the result back with pypdf's text extraction:

* one page or more per page of ``_toc.yml``, in order, the PDF's page count equal
  to the sum, within sane bounds, and one bookmark per page;
* the captions "Figure 1." ... "Figure 5." of the paper's five figures;
* for every chapter, at least one of its display equations whole in its pages'
  text (MathJax's MathML copy of the formula, compared after NFKC normalisation),
  and no display equation clipped by the page width;
* collapsed code stays collapsed: a line of a collapsed cell is not printed.

Without a built site (``_build/html/index.html``) the tests skip, except where
``CI`` is set.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "tools"))
import pdf as pdf_tool  # noqa: E402

pytestmark = pytest.mark.pdf
CHAPTERS = [d for d in pdf_tool.toc_docnames() if re.fullmatch(r"book/(0\d_\w+|appendix)", d)]


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def printed():
    if not (HTML / "index.html").is_file():
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(f"{HTML}/index.html is missing: run tests/test_site.py first (make test does)")
        pytest.skip(f"{HTML}/index.html is missing: build the site first (make book, or make test)")
    if not Path(pdf_tool.CHROMIUM).exists():
        pytest.skip(f"no Chromium at {pdf_tool.CHROMIUM}")
    from pypdf import PdfReader

    # a subprocess: the site tests' Playwright (sync API) may still be running in this one
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "pdf.py"), "--html", str(HTML), "--out", str(pdf_tool.OUT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    sidecar = pdf_tool.OUT.with_suffix(".json")
    if not sidecar.is_file():
        pytest.fail(f"tools/pdf.py wrote no {sidecar}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    report = json.loads(sidecar.read_text(encoding="utf8"))
    if proc.returncode != 0 and not any(p["clipped"] for p in report["pages"]):
        pytest.fail(f"tools/pdf.py failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    reader = PdfReader(str(pdf_tool.OUT))
    texts = [page.extract_text() or "" for page in reader.pages]
    return report, reader, texts


def _pages_of(report, texts, docname) -> str:
    (entry,) = [p for p in report["pages"] if p["docname"] == docname]
    return "\n".join(texts[entry["first"] : entry["first"] + entry["count"]])


def test_page_count_and_order(printed):
    report, reader, _ = printed
    docs = [p["docname"] for p in report["pages"]]
    assert docs == pdf_tool.toc_docnames(), "every page of _toc.yml, in its order"
    assert all(p["count"] >= 1 for p in report["pages"])
    assert len(reader.pages) == report["total_pages"] == sum(p["count"] for p in report["pages"])
    assert len(docs) <= len(reader.pages) <= 800, f"{len(reader.pages)} pages"
    firsts = [p["first"] for p in report["pages"]]
    assert firsts == sorted(firsts) and firsts[0] == 0
    assert len(reader.outline) == len(docs), "one bookmark per page"
    assert (HTML / "_downloads" / pdf_tool.OUT.name).is_file(), "the PDF is also placed in the site"


def test_the_five_figure_captions(printed):
    _, _, texts = printed
    full = "\n".join(texts)
    missing = [k for k in range(1, 6) if not re.search(rf"Figure {k}\.\s", full)]
    assert not missing, f"captions 'Figure N.' missing from the PDF for N in {missing}"


@pytest.mark.parametrize("docname", CHAPTERS)
def test_a_display_equation_of_each_chapter_is_in_its_text(printed, docname):
    report, _, texts = printed
    (entry,) = [p for p in report["pages"] if p["docname"] == docname]
    assert entry["displays"] > 0 and entry["equations"], f"{docname}: no display equation printed"
    assert not entry["clipped"], f"{docname}: display equations clipped: {entry['clipped']}"
    text = _norm(_pages_of(report, texts, docname))
    found = [eq for eq in entry["equations"] if len(_norm(eq)) >= 8 and _norm(eq) in text]
    assert found, f"{docname}: none of its {len(entry['equations'])} display equations is in the PDF's text"


def test_collapsed_code_is_not_printed(printed):
    report, _, texts = printed
    checked = 0
    for entry in report["pages"]:
        line = entry.get("hidden_line", "")
        if entry["docname"] in CHAPTERS and len(line) >= 20:
            assert _norm(line) not in _norm(_pages_of(report, texts, entry["docname"])), (
                f"{entry['docname']}: collapsed code printed: {line!r}"
            )
            checked += 1
    assert checked >= 3, f"only {checked} chapters have collapsed code cells to check"


def test_the_papers_figures_are_printed_as_vector_graphics(printed):
    """Figures 1-5 are printed from book/figures/figN.svg (text and lines vector; dense
    contour fills rasterised inside the SVG as in the PDF files), not from the site's PNG."""
    report, _, _ = printed
    assert sum(p.get("vector_figures", 0) for p in report["pages"]) == 5, [
        (p["docname"], p.get("vector_figures")) for p in report["pages"] if p.get("vector_figures")
    ]
