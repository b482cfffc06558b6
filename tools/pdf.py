"""One PDF of the whole companion, printed from the built site (``make pdf``).

    python tools/pdf.py [--html _build/html] [--out _build/pdf/qrm-companion.pdf]

Every page of ``_toc.yml``, in its order, is opened from a server on 127.0.0.1
in headless Chromium (the browser of the site tests, through Playwright), with
MathJax typeset and the print media of the site's CSS (``_static/print.css``:
no chrome, collapsed code stays collapsed, equations unclipped); any display
equation still wider than the column is shrunk to fit.  Each page is printed
with ``page.pdf()`` and the pages are merged with pypdf, one bookmark per page.
The PDF is also copied into the site as ``_downloads/qrm-companion.pdf``;
``_build/pdf/qrm-companion.json`` records the page ranges and the equations
shrunk, for ``tests/test_pdf.py``.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
OUT = ROOT / "_build" / "pdf" / "qrm-companion.pdf"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A4 with 12 mm margins, printed at 80 %: the layout is as wide as a 880 px window.
PAPER = "A4"
MARGIN_MM = 12
SCALE = 0.8
LAYOUT_WIDTH = round((210 - 2 * MARGIN_MM) / 25.4 * 96 / SCALE)

_JS_TYPESET = """
async () => {
  if (document.querySelector('.math')) {
    const t0 = Date.now();
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
      if (Date.now() - t0 > 30000) return 'MathJax did not start';
      await new Promise(r => setTimeout(r, 50));
    }
    await MathJax.startup.promise;
  }
  for (const img of [...document.images]) { img.loading = 'eager'; try { await img.decode(); } catch (e) {} }
  return 'ok';
}
"""

# Shrink each display equation wider than its block (print layout) to fit; report.
_JS_FIT = r"""
() => {
  let displays = 0, shrunk = 0, clipped = [];
  for (const d of document.querySelectorAll('div.math')) {
    const c = d.querySelector('mjx-container[display="true"]');
    if (!c) continue;
    displays++;
    const eqno = d.querySelector('span.eqno');
    const room = d.clientWidth - (eqno ? eqno.getBoundingClientRect().width + 8 : 0);
    const m = c.querySelector('mjx-math') || c;
    const need = m.getBoundingClientRect().width;
    if (need > room && room > 0) {
      const size = parseFloat(getComputedStyle(c).fontSize);
      c.style.fontSize = (size * room / need * 0.98) + 'px';
      shrunk++;
    }
    const dr = d.getBoundingClientRect(), mr = m.getBoundingClientRect();
    if (mr.left < dr.left - 1 || mr.right > dr.right + 1)
      clipped.push((d.textContent || '').trim().slice(0, 60));
  }
  // the text of the display equations (MathJax's MathML copy), for tests/test_pdf.py
  const equations = [...document.querySelectorAll('div.math mjx-container[display="true"] mjx-assistive-mml')]
      .map(a => a.textContent.replace(/\s+/g, ''));
  // collapsed code (hide-input): the longest line of the first such cell, which must not be printed
  const hidden = document.querySelector('details.hide:not([open]) div.highlight pre');
  const hiddenLine = hidden ? hidden.textContent.split("\n").reduce((a, b) => b.trim().length > a.length ? b.trim() : a, '') : '';
  const collapsed = document.querySelectorAll('details.hide:not([open])').length;
  return {displays, shrunk, clipped, equations, hiddenLine, collapsed, title: document.title};
}
"""


def toc_docnames(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """The pages of ``_toc.yml`` in reading order."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf8"))
    out = [toc["root"]]

    def walk(entries):
        for e in entries or []:
            if "file" in e:
                out.append(e["file"])
            walk(e.get("sections"))
            walk(e.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [str(Path(d).with_suffix("")) if Path(d).suffix in (".md", ".ipynb") else d for d in out]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


# The paper's Figures 1-5 are printed from their vector files (book/figures/figN.svg,
# written by `python -m qrmlib.figures`) instead of the PNG the site shows.
_JS_VECTOR_FIGURES = """
async (svgs) => {
  let n = 0;
  for (const fig of document.querySelectorAll('figure')) {
    const cap = fig.querySelector('figcaption');
    const m = cap && cap.textContent.trim().match(/^Figure ([1-5])\\.(?![A-Z0-9])/);
    const img = fig.querySelector('img');
    if (!m || !img || !svgs[m[1]]) continue;
    img.src = svgs[m[1]];
    try { await img.decode(); } catch (e) {}
    n++;
  }
  return n;
}
"""


def _vector_figures() -> dict:
    import base64

    out = {}
    for k in range(1, 6):
        svg = ROOT / "book" / "figures" / f"fig{k}.svg"
        if svg.is_file():
            out[str(k)] = "data:image/svg+xml;base64," + base64.b64encode(svg.read_bytes()).decode()
    return out


def build_pdf(html: Path = HTML, out: Path = OUT, *, log=print) -> dict:
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader, PdfWriter

    if not (html / "index.html").is_file():
        raise SystemExit(f"{html}/index.html is missing: build the site first (make book)")
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM}: apt-get install chromium, or set CHROMIUM")
    docnames = toc_docnames()
    svgs = _vector_figures()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(html)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    report = {"pages": [], "layout_width": LAYOUT_WIDTH, "scale": SCALE, "paper": PAPER}
    writer = PdfWriter()
    try:
        with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": LAYOUT_WIDTH, "height": 1200})
            page.route(
                "**/*", lambda r: r.continue_() if r.request.url.startswith((base, "data:", "blob:")) else r.abort()
            )
            for i, doc in enumerate(docnames):
                response = page.goto(f"{base}/{doc}.html", wait_until="load", timeout=60_000)
                if response is None or not response.ok:
                    raise SystemExit(f"{doc}.html is missing from {html}: rebuild the site (make book)")
                page.emulate_media(media="print")
                state = page.evaluate(_JS_TYPESET)
                if state != "ok":
                    raise RuntimeError(f"{doc}: {state}")
                vector = page.evaluate(_JS_VECTOR_FIGURES, svgs)
                fit = page.evaluate(_JS_FIT)
                part = Path(tmp) / f"{i:03d}.pdf"
                page.pdf(
                    path=str(part),
                    format=PAPER,
                    scale=SCALE,
                    print_background=False,
                    margin={k: f"{MARGIN_MM}mm" for k in ("top", "bottom", "left", "right")},
                )
                first = len(writer.pages)
                reader = PdfReader(str(part))
                for pg in reader.pages:
                    writer.add_page(pg)
                title = fit["title"].split(" — ")[0].split(" | ")[0].strip() or doc
                writer.add_outline_item(title=title, page_number=first)
                entry = {
                    "vector_figures": vector,
                    "docname": doc,
                    "title": title,
                    "first": first,
                    "count": len(reader.pages),
                    "displays": fit["displays"],
                    "shrunk": fit["shrunk"],
                    "clipped": fit["clipped"],
                    "equations": fit["equations"],
                    "collapsed": fit["collapsed"],
                    "hidden_line": fit["hiddenLine"],
                }
                report["pages"].append(entry)
                log(f"{doc}: {entry['count']} pages, {fit['displays']} display equations ({fit['shrunk']} shrunk)")
            browser.close()
    finally:
        httpd.shutdown()
    writer.add_metadata(
        {
            "/Title": "Entropy Production of Quantum Reset Models: an executable companion",
            "/Author": "The qrmlib companion authors",
        }
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as fh:
        writer.write(fh)
    report["total_pages"] = len(writer.pages)
    out.with_suffix(".json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf8")
    downloads = html / "_downloads"
    downloads.mkdir(exist_ok=True)
    shutil.copy(out, downloads / out.name)
    log(f"wrote {out} ({report['total_pages']} pages) and {downloads / out.name}")
    return report


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--html", type=Path, default=HTML)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    report = build_pdf(args.html, args.out)
    clipped = [(p["docname"], c) for p in report["pages"] for c in p["clipped"]]
    for doc, c in clipped:
        print(f"clipped display equation in {doc}: {c}", file=sys.stderr)
    return 1 if clipped else 0


if __name__ == "__main__":
    sys.exit(main())
