"""Quality gates on the built website (issue 6): build, self-containment, links, browser.

The site is built once per session, exactly as `make book` builds it
(``jupyter-book build . -W -n --keep-going``, warnings are errors, nitpicky
references), executing the MyST Markdown chapters of ``book/``.  `make test`
runs this file after nbval has re-executed the generated ``notebooks/`` and
compared them with their stored outputs.

Gates, each a test below:

* the build emits zero warnings;
* self-contained: no page under ``_build/html`` references an external
  ``http(s)`` script, stylesheet, font, image or frame, and no CSS file imports
  or loads one (the site must read with the network off);
* every internal ``href``/``src`` (and CSS ``url()``) resolves to a file, and
  every ``#fragment`` into another page names an id that exists there;
  external links are listed in ``_build/external-links.txt``, never fetched;
* every page of ``_toc.yml`` links its source for download, every notebook
  chapter also its executed ``.ipynb``, and Binder and Colab launch links built
  from ``repository.url`` / ``repository.branch`` in ``_config.yml`` that open
  the executed notebook in ``notebooks/``;
* a real browser (headless Debian Chromium driven by Playwright) opens every
  page of ``_toc.yml`` from a server on 127.0.0.1 and finds no console error,
  no request leaving 127.0.0.1, no failed local request, MathJax output for
  every math element and no MathJax error, every ``<img>`` decoded
  (naturalWidth > 0), and every cross-reference to a numbered statement
  (``{prf:ref}``) landing on that statement;
* what a reader sees, at 1280 px and at a 390 px phone width (full-page
  screenshots of every page at both widths under ``_build/screenshots/``, the
  measurements in ``_build/site-metrics.json``): no display equation clipped
  (whole, or scrolling from its left edge); no page wider than 390 px; the
  visible phone toggle opens the chapter list; every caption carries one
  number, the paper's "Figure 1."–"Figure 5." or a companion "Figure N.A.";
  no raw ``LedgerTable(``/``object at 0x`` text; visible code at most 25 % of a
  chapter's height; at most 5 % of output blocks overflowing at 1280 px;
  equation references that are links.

Without Chromium the browser test skips and says how to install it, except
where the environment variable ``CI`` is set: there it fails.

``QRMLIB_SITE_PREBUILT=1`` reuses an existing ``_build/html`` (e.g. right after
`make book`) instead of building; the build test is then skipped.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import os
import json
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
SCREENSHOTS = BUILD / "screenshots"
BUILD_LOG = BUILD / "site-build.log"
EXTERNAL_LINKS = BUILD / "external-links.txt"

# one copy of the Chromium binary and flags (plus QUIC off here), the page list and the quiet HTTP
# handler: those of tools/pdf.py (the PDF export)
sys.path.insert(0, str(ROOT / "tools"))
from pdf import CHROMIUM, CHROMIUM_ARGS as _PDF_CHROMIUM_ARGS, _Quiet, toc_docnames  # noqa: E402

CHROMIUM_ARGS = [*_PDF_CHROMIUM_ARGS, "--disable-quic"]
INSTALL_HINT = (
    "install it with `sudo apt-get install chromium` (Debian/Ubuntu; `.ci/run` "
    "does this), or point the CHROMIUM environment variable at a Chromium binary"
)

# jupyter-book's own `build` command, exactly as `make book` runs it: the
# chapters (MyST Markdown notebooks in book/) are executed during the build.
_BUILD_SCRIPT = r"""
import sys
from jupyter_book.cli.main import main

sys.argv = ["jupyter-book", "build", ".", "-W", "-n", "--keep-going", "--all"]
main()
"""

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Printed by each executing kernel (ipykernel >= 7) on its own stderr, not by Sphinx: it
# listens on 127.0.0.1 only, and the build runs no untrusted code.
_BENIGN = re.compile(r"^\[IPKernelApp\] WARNING \| Kernel is running over TCP without encryption")
_PROBLEM = re.compile(r"\b(WARNING|ERROR|CRITICAL|SEVERE)\b")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


# --------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------


@dataclass
class SiteBuild:
    returncode: int | None
    log: str = field(repr=False)
    problems: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def site() -> SiteBuild:
    if os.environ.get("QRMLIB_SITE_PREBUILT"):
        if not (HTML / "index.html").is_file():
            pytest.fail(f"QRMLIB_SITE_PREBUILT is set but {HTML}/index.html is missing")
        return SiteBuild(None, "", [])
    BUILD.mkdir(exist_ok=True)
    shutil.rmtree(HTML, ignore_errors=True)  # never test a stale page
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    env = dict(os.environ, NO_COLOR="1", MPLBACKEND="Agg", PYTHONHASHSEED="0")
    proc = subprocess.run(
        [sys.executable, "-c", _BUILD_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    log = _ANSI.sub("", proc.stdout + "\n" + proc.stderr)
    BUILD_LOG.write_text(log, encoding="utf8")
    problems = [line for line in log.splitlines() if _PROBLEM.search(line) and not _BENIGN.search(line)]
    if not (HTML / "index.html").is_file():
        pytest.fail(f"the site build produced no {HTML}/index.html; see {BUILD_LOG}:\n" + log[-3000:])
    return SiteBuild(proc.returncode, log, problems)


def test_book_builds_with_zero_warnings(site):
    """`jupyter-book build . -W -n --keep-going` (stored outputs): no warning at all."""
    if site.returncode is None:
        pytest.skip("QRMLIB_SITE_PREBUILT: the site was not built by this run")
    if site.problems or site.returncode != 0:
        detail = site.problems or site.log.strip().splitlines()[-30:]
        pytest.fail(
            f"the book build reported {len(site.problems)} problem(s) "
            f"(exit code {site.returncode}; full log in {BUILD_LOG}):\n" + "\n".join(detail),
            pytrace=False,
        )


# --------------------------------------------------------------------------
# The pages, parsed
# --------------------------------------------------------------------------

# Attributes that make the browser fetch something when the page loads.
_LOADING_ATTRS = {
    ("script", "src"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("iframe", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("input", "src"),
}
# <link rel=...> values that make the browser fetch (or pre-connect to) the href.
_LOADING_RELS = {
    "stylesheet",
    "preload",
    "prefetch",
    "modulepreload",
    "preconnect",
    "dns-prefetch",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "manifest",
    "font",
}
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)""", re.IGNORECASE)
# A resource URL written into inline JavaScript (e.g. a lazy script loader).
_JS_RESOURCE_URL = re.compile(
    r"""(?:https?:)?//[^\s'"`<>]+?\.(?:m?js|css|woff2?|ttf|otf|eot)\b""", re.IGNORECASE
)


def _is_external(url: str) -> bool:
    return url.lower().startswith(("http://", "https://", "//"))


def _skip_link(url: str) -> bool:
    return not url or url.lower().startswith(("mailto:", "javascript:", "data:", "tel:", "about:"))


@dataclass
class Page:
    path: Path
    # (tag, attribute, value, rel) of every URL-valued attribute
    urls: list[tuple[str, str, str, str]] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    inline_scripts: list[str] = field(default_factory=list)
    inline_css: list[str] = field(default_factory=list)


class _PageParser(html.parser.HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self._in: str | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key) and (key == "id" or tag == "a"):
                self.page.ids.add(attrs[key])
        rel = (attrs.get("rel") or "").lower()
        for attr in ("href", "src", "srcset", "data", "poster"):
            value = attrs.get(attr)
            if value is None:
                continue
            if attr == "srcset":
                for part in value.split(","):
                    if part.strip():
                        self.page.urls.append((tag, attr, part.strip().split()[0], rel))
            else:
                self.page.urls.append((tag, attr, value.strip(), rel))
        if attrs.get("style"):
            self.page.inline_css.append(attrs["style"])
        if tag in ("script", "style"):
            self._in, self._buf = tag, []

    def handle_data(self, data):
        if self._in:
            self._buf.append(data)

    def handle_endtag(self, tag):
        if tag == self._in:
            text = "".join(self._buf)
            (self.page.inline_scripts if tag == "script" else self.page.inline_css).append(text)
            self._in = None


def _parse(path: Path) -> Page:
    page = Page(path)
    parser = _PageParser(page)
    parser.feed(path.read_text(encoding="utf8", errors="replace"))
    parser.close()
    return page


@pytest.fixture(scope="session")
def pages(site) -> dict[Path, Page]:
    # _static/ holds the theme's Jinja macro files (*.html), not pages.
    found = {
        p.resolve(): _parse(p)
        for p in sorted(HTML.rglob("*.html"))
        if "_static" not in p.relative_to(HTML).parts
    }
    assert found, f"no HTML pages under {HTML}"
    return found


@pytest.fixture(scope="session")
def stylesheets(site) -> list[Path]:
    return sorted(HTML.rglob("*.css"))


# --------------------------------------------------------------------------
# Self-contained
# --------------------------------------------------------------------------


def _css_violations(text: str) -> list[str]:
    urls = set(_CSS_IMPORT.findall(text)) | {u for _, u in _CSS_URL.findall(text)}
    return sorted(u for u in urls if _is_external(u))


def test_no_page_loads_anything_from_the_network(pages, stylesheets):
    """No external script, stylesheet, font, image or frame, in any page or CSS file."""
    problems = []
    for page in pages.values():
        rel = page.path.relative_to(HTML)
        for tag, attr, value, rels in page.urls:
            if not _is_external(value):
                continue
            loads = (tag, attr) in _LOADING_ATTRS or (
                tag == "link" and attr == "href" and set(rels.split()) & _LOADING_RELS
            )
            if loads:
                problems.append(f"{rel}: <{tag} {attr}={value!r}>")
        for script in page.inline_scripts:
            for url in _JS_RESOURCE_URL.findall(script):
                problems.append(f"{rel}: inline <script> loads {url!r}")
        for css in page.inline_css:
            for url in _css_violations(css):
                problems.append(f"{rel}: inline style loads {url!r}")
    for css_file in stylesheets:
        for url in _css_violations(css_file.read_text(encoding="utf8", errors="replace")):
            problems.append(f"{css_file.relative_to(HTML)}: CSS loads {url!r}")
    if problems:
        pytest.fail("the site must read offline; external resources:\n" + "\n".join(problems), pytrace=False)


# --------------------------------------------------------------------------
# Internal links
# --------------------------------------------------------------------------


def _resolve(base: Path, url: str) -> tuple[Path, str]:
    parts = urlsplit(url)
    target = base.parent / unquote(parts.path) if parts.path else base
    target = Path(os.path.normpath(target))
    if parts.path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def test_internal_links_resolve(pages, stylesheets):
    """Every internal href/src and CSS url() is a file; #fragments into other pages exist."""
    problems, external = [], set()
    for page in pages.values():
        rel = page.path.relative_to(HTML)
        for tag, attr, value, _ in page.urls:
            if _skip_link(value):
                continue
            if _is_external(value):
                external.add(value)
                continue
            if value.startswith("#"):
                continue  # same page: the browser test checks the cross-references
            target, fragment = _resolve(page.path, value)
            if not target.is_file():
                problems.append(f"{rel}: <{tag} {attr}={value!r}>: no file {target}")
                continue
            if fragment and target.suffix == ".html" and target.resolve() != page.path:
                if fragment not in pages[target.resolve()].ids:
                    problems.append(f"{rel}: <{tag} {attr}={value!r}>: no id {fragment!r} there")
    for css_file in stylesheets:
        for _, url in _CSS_URL.findall(css_file.read_text(encoding="utf8", errors="replace")):
            if _skip_link(url) or _is_external(url) or url.startswith("#"):
                continue
            target, _ = _resolve(css_file, url)
            if not target.is_file():
                problems.append(f"{css_file.relative_to(HTML)}: url({url}): no file {target}")
    EXTERNAL_LINKS.write_text("".join(f"{u}\n" for u in sorted(external)), encoding="utf8")
    if problems:
        pytest.fail(f"{len(problems)} broken internal link(s):\n" + "\n".join(problems), pytrace=False)


# --------------------------------------------------------------------------
# Download and launch buttons
# --------------------------------------------------------------------------


def _is_notebook_source(path) -> bool:
    if path is None:
        return False
    if path.suffix == ".ipynb":
        return True
    head = path.read_text(encoding="utf8")[:600]
    return path.suffix == ".md" and head.startswith("---") and "kernelspec:" in head


def test_chapters_have_download_and_launch_buttons(pages):
    """Every page offers its source; every notebook chapter also its executed .ipynb, and
    Binder and Colab links (from repository.url) that open the executed notebook in notebooks/."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf8"))
    repo = config["repository"]["url"].rstrip("/")
    branch = config["repository"].get("branch", "main")
    launch = config.get("launch_buttons") or {}
    org_repo = urlsplit(repo).path.strip("/")
    problems, notebooks = [], 0
    for docname in CHAPTERS:
        page = pages.get((HTML / f"{docname}.html").resolve())
        if page is None:
            problems.append(f"{docname}.html was not built")
            continue
        source = next(ROOT.glob(f"{docname}.*"), None)
        hrefs = {value for tag, attr, value, _ in page.urls if tag == "a" and attr == "href"}
        suffix = source.suffix if source else ".md"
        if not any(h.endswith(f"_sources/{docname}{suffix}") for h in hrefs):
            problems.append(f"{docname}: no download link to its source _sources/{docname}{suffix}")
        if not _is_notebook_source(source):
            continue
        notebooks += 1
        if not any(h.endswith(f"_sources/{docname}.ipynb") for h in hrefs):
            problems.append(f"{docname}: no download link to its executed notebook _sources/{docname}.ipynb")
        target = f"notebooks/{Path(docname).name}.ipynb"
        if not (ROOT / target).is_file():
            problems.append(f"{docname}: {target} is missing (make notebooks)")
        expected = []
        if launch.get("binderhub_url"):
            expected.append((f"{launch['binderhub_url'].rstrip('/')}/v2/gh/{org_repo}/{branch}?", target))
        if launch.get("colab_url"):
            expected.append((f"{launch['colab_url'].rstrip('/')}/github/{org_repo}/blob/{branch}/{target}", ""))
        for prefix, must_contain in expected:
            if not any(h.startswith(prefix) and must_contain in h for h in hrefs):
                problems.append(f"{docname}: no launch link starting {prefix} and opening {target}")
    if notebooks < 9:
        problems.append(f"only {notebooks} notebook chapters found")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


# --------------------------------------------------------------------------
# A real browser
# --------------------------------------------------------------------------


CHAPTERS = toc_docnames()  # the pages of _toc.yml in reading order (tools/pdf.py)


@pytest.fixture(scope="session")
def server(site):
    handler = functools.partial(_Quiet, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _no_browser(reason: str):
    message = f"{reason}: {INSTALL_HINT}"
    if _in_ci():
        pytest.fail(f"{message}. CI is set, so a missing browser is a failure, not a skip.")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser(site):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("Playwright is not installed (pip install -e '.[test]')")
    executable = CHROMIUM if os.path.isfile(CHROMIUM) else shutil.which("chromium")
    if not executable or not os.access(executable, os.X_OK):
        _no_browser(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


_JS_WAIT_MATHJAX = """
async () => {
  if (!document.querySelector('.math')) return 'no math';
  const t0 = Date.now();
  while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
    if (Date.now() - t0 > 30000) return 'MathJax did not start';
    await new Promise(r => setTimeout(r, 50));
  }
  await MathJax.startup.promise;
  return 'typeset';
}
"""

_JS_MATH_REPORT = """
() => {
  const math = [...document.querySelectorAll('.math')];
  const untypeset = math.filter(el => !el.querySelector('mjx-container'))
                        .map(el => el.textContent.trim().slice(0, 80));
  const errors = [...document.querySelectorAll('mjx-merror')]
      .map(el => el.getAttribute('data-mjx-error') || 'TeX error');
  // MathJax's `noundefined` shows an unknown macro as red text instead of an
  // error; its MathML copy (for screen readers) says which: <mtext mathcolor="red">\\foo</mtext>.
  const undefinedMacros = [...document.querySelectorAll('mjx-container mtext[mathcolor="red"]')]
      .map(el => el.textContent.trim())
      .filter(text => text.startsWith('\\\\'));
  return {math: math.length,
          containers: document.querySelectorAll('mjx-container').length,
          untypeset, errors, undefinedMacros};
}
"""

_JS_IMAGES = """
async () => {
  const imgs = [...document.images];
  for (const img of imgs) {
    img.loading = 'eager';
    try { await img.decode(); } catch (e) {}
  }
  return imgs.map(img => ({src: img.currentSrc || img.src, w: img.naturalWidth}));
}
"""

_JS_PRF_REFS = """
async ([textPattern, idPattern]) => {
  const textRe = new RegExp(textPattern), idRe = new RegExp(idPattern);
  const links = [...document.querySelectorAll('a.reference.internal[href*="#"]')]
      .filter(a => textRe.test(a.textContent.trim())
                   || idRe.test(decodeURIComponent(new URL(a.href).hash.slice(1))));
  const cache = {};
  const broken = [];
  for (const a of links) {
    const url = new URL(a.href);
    const id = decodeURIComponent(url.hash.slice(1));
    let doc = document;
    if (url.pathname !== location.pathname) {
      if (!(url.pathname in cache)) {
        const resp = await fetch(url.pathname);
        cache[url.pathname] = resp.ok
            ? new DOMParser().parseFromString(await resp.text(), 'text/html') : null;
      }
      doc = cache[url.pathname];
    }
    const target = doc && doc.getElementById(id);
    if (!target || !(target.closest('.proof') || target.querySelector('.proof'))) {
      broken.push(a.textContent.trim() + ' -> ' + a.getAttribute('href'));
    }
  }
  return {count: links.length, broken};
}
"""

# A {prf:ref} link: its text is the statement type and the paper's number
# ("Lemma 3.1", book/_ext/paper_numbers.py), or its target is a statement label
# in the house convention ("lemma-3-1").
_PRF_TYPES = (
    "Lemma|Proposition|Theorem|Corollary|Remark|Definition|Conjecture|Example|"
    "Property|Observation|Assumption|Axiom|Criterion|Algorithm"
)
_PRF_REF_TEXT = rf"^({_PRF_TYPES})\s+[A-Z]?\d+(\.\d+)*$"
_PRF_REF_ID = rf"^({_PRF_TYPES.lower()})-[a-z]?\d+(-\d+)*$"


@pytest.mark.parametrize("docname", CHAPTERS)
def test_chapter_in_browser(docname, browser, server):
    """Open one page of the book in headless Chromium and check what a reader sees."""
    assert (HTML / f"{docname}.html").is_file(), f"{docname}.html was not built"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    console_errors, page_errors, outside, failed = [], [], [], []

    def route(r):
        host = urlsplit(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url} (HTTP {r.status})"))
    try:
        page.goto(f"{server}/{docname}.html", wait_until="load", timeout=60_000)
        mathjax = page.evaluate(_JS_WAIT_MATHJAX)
        math = page.evaluate(_JS_MATH_REPORT)
        images = page.evaluate(_JS_IMAGES)
        prf = page.evaluate(_JS_PRF_REFS, [_PRF_REF_TEXT, _PRF_REF_ID])
    finally:
        page.close()

    problems = []
    problems += [f"console error: {m}" for m in console_errors]
    problems += [f"page error: {m}" for m in page_errors]
    problems += [f"request leaving 127.0.0.1 (blocked): {u}" for u in outside]
    problems += [f"failed request: {u}" for u in failed if "127.0.0.1" in u]
    if math["math"]:
        if mathjax != "typeset":
            problems.append(f"MathJax: {mathjax}")
        problems += [f"math not typeset: {t!r}" for t in math["untypeset"]]
        problems += [f"MathJax error: {t!r}" for t in math["errors"]]
        problems += [f"undefined TeX macro: {t!r}" for t in math["undefinedMacros"]]
    problems += [f"image not rendered (naturalWidth 0): {i['src']}" for i in images if not i["w"]]
    problems += [f"cross-reference to a missing statement: {b}" for b in prf["broken"]]
    if problems:
        pytest.fail(
            f"{docname} ({math['containers']} formulas, {len(images)} images, "
            f"{prf['count']} statement references):\n" + "\n".join(problems),
            pytrace=False,
        )


# --------------------------------------------------------------------------
# What a reader sees, at a desktop and at a phone width
# --------------------------------------------------------------------------

WIDTHS = (1280, 390)
METRICS = BUILD / "site-metrics.json"

_JS_READER_REPORT = r"""
() => {
  const W = document.documentElement.clientWidth;
  // checkVisibility: false inside a closed <details> (Chromium lays its content out
  // but does not render it) and under display:none / visibility:hidden
  const visible = el => el.checkVisibility({visibilityProperty: true, opacityProperty: true});
  // display equations: the rendered formula must lie inside its block, or the
  // block must scroll horizontally (from its left edge)
  const clipped = [], scrolling = [];
  let displays = 0;
  for (const d of document.querySelectorAll('div.math')) {
    const m = d.querySelector('mjx-container mjx-math');
    if (!m || !visible(d)) continue;
    displays++;
    const dr = d.getBoundingClientRect(), mr = m.getBoundingClientRect();
    const sx = getComputedStyle(d).overflowX;
    const scrolls = (sx === 'auto' || sx === 'scroll');
    const label = (d.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 60);
    if (mr.left < dr.left - 1 || (mr.right > dr.right + 1 && !scrolls)) clipped.push(label);
    else if (mr.right > dr.right + 1) scrolling.push(label);
  }
  // code cells: visible source vs the article's height
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const articleHeight = article ? article.getBoundingClientRect().height : 1;
  let codeHeight = 0, codeCells = 0;
  for (const c of document.querySelectorAll('div.cell div.cell_input')) {
    codeCells++;
    if (visible(c)) codeHeight += c.getBoundingClientRect().height;
  }
  // output blocks that overflow horizontally
  const outs = [...document.querySelectorAll('div.cell_output div.output pre, div.cell_output pre')];
  const overflowing = outs.filter(p => visible(p) && p.scrollWidth > p.clientWidth + 1)
                          .map(p => p.textContent.trim().split('\n')[0].slice(0, 60));
  // captions
  const captions = [...document.querySelectorAll('figcaption')].map(f => f.textContent.trim().replace(/\s+/g, ' '));
  const text = document.body.innerText;
  return {
    width: W, pageWidth: document.documentElement.scrollWidth,
    displays, clipped, scrolling, codeHeight, articleHeight, codeCells,
    outputs: outs.length, overflowing, captions,
    reprs: (text.match(/LedgerTable\(\d+ checks|object at 0x[0-9a-fA-F]+/g) || []),
    eqLinks: document.querySelectorAll('a.reference.internal[href*="#equation-"]').length,
    // equation numbers written as plain text in the prose (outside links, code, math, outputs)
    plainEqRefs: (() => {
      const out = [], main = document.querySelector('article.bd-article');
      if (!main) return out;
      const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
      const skip = 'a, code, pre, .math, mjx-container, .cell_output, .cell_input, h1, h2, h3, h4, summary, .proof .admonition-title, figcaption, table';
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (n.parentElement.closest(skip)) continue;
        for (const m of n.textContent.matchAll(/(?<![\w.(])\((\d\.\d+)\)/g)) out.push(m[1]);
      }
      return out;
    })(),
  };
}
"""


def _reader_report(browser, server, docname, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(f"{server}/{docname}.html", wait_until="load", timeout=60_000)
        page.evaluate(_JS_WAIT_MATHJAX)
        page.wait_for_timeout(150)
        report = page.evaluate(_JS_READER_REPORT)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{docname.replace('/', '__')}__{width}.png"), full_page=True)
    finally:
        page.close()
    return report


@pytest.fixture(scope="session")
def reader(browser, server):
    """Per page and width, what the reader sees (also written to _build/site-metrics.json)."""
    out = {(d, w): _reader_report(browser, server, d, w) for d in CHAPTERS for w in WIDTHS}
    METRICS.write_text(json.dumps({f"{d}@{w}": r for (d, w), r in out.items()}, indent=1, ensure_ascii=False),
                       encoding="utf8")
    return out


@pytest.mark.parametrize("width", WIDTHS)
def test_no_display_equation_is_clipped(reader, width):
    """Every display equation is whole, or scrolls horizontally from its left edge (with a
    visible scroll bar, _static/companion.css); how many scroll is in _build/site-metrics.json."""
    problems = [f"{d}: clipped: {c}" for (d, w), r in reader.items() if w == width for c in r["clipped"]]
    total = sum(r["displays"] for (d, w), r in reader.items() if w == width)
    assert total > 50, f"only {total} display equations found: is MathJax running?"
    if problems:
        pytest.fail(f"{len(problems)} of {total} display equations clipped at {width} px:\n" + "\n".join(problems),
                    pytrace=False)


def test_no_page_is_wider_than_a_phone(reader):
    wide = [f"{d}: {r['pageWidth']} px" for (d, w), r in reader.items() if w == 390 and r["pageWidth"] > 390]
    if wide:
        pytest.fail("pages wider than the 390 px viewport:\n" + "\n".join(wide), pytrace=False)


def test_no_raw_repr_on_any_page(reader):
    bad = [f"{d}: {r['reprs'][:3]}" for (d, w), r in reader.items() if w == 1280 and r["reprs"]]
    if bad:
        pytest.fail("raw Python reprs on pages:\n" + "\n".join(bad), pytrace=False)


_PAPER_CAPTION = re.compile(r"^Figure [1-5]\.(?![A-Z0-9])")
_COMPANION_CAPTION = re.compile(r"^Figure \d+\.[A-Z]\.")


def test_captions_carry_one_number_the_papers(reader):
    """A caption starts with the paper's number ("Figure 1.") or a companion number
    that cannot collide with it ("Figure 5.A."), and Sphinx adds no "Fig. N" of its own."""
    problems, seen = [], set()
    for (d, w), r in reader.items():
        if w != 1280:
            continue
        for cap in r["captions"]:
            if re.match(r"^Fig\. \d+", cap):
                problems.append(f"{d}: Sphinx number in caption: {cap[:60]!r}")
            elif _PAPER_CAPTION.match(cap):
                seen.add(cap[:9])
            elif not _COMPANION_CAPTION.match(cap):
                problems.append(f"{d}: caption without a paper or companion number: {cap[:60]!r}")
    missing = {f"Figure {k}." for k in range(1, 6)} - seen
    if missing:
        problems.append(f"no caption for the paper's {sorted(missing)}")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_phone_toggle_opens_the_chapter_list(browser, server):
    """At 390 px the visible hamburger button opens the list of chapters."""
    page = browser.new_page(viewport={"width": 390, "height": 900})
    try:
        page.goto(f"{server}/{CHAPTERS[1]}.html", wait_until="load", timeout=60_000)
        toggles = [t for t in page.query_selector_all(".primary-toggle") if t.is_visible()]
        assert toggles, "no visible primary (chapter list) toggle at 390 px"
        toggles[0].click()
        page.wait_for_timeout(600)
        links = [a for a in page.query_selector_all("nav.bd-docs-nav a.reference") if a.is_visible()]
        page.screenshot(path=str(SCREENSHOTS / "phone-menu-open__390.png"))
    finally:
        page.close()
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf8"))
    top_level = 1 + sum(len(part["chapters"]) for part in toc["parts"])
    assert len(links) >= top_level, f"after a tap, {len(links)} of the {top_level} chapter links are visible"


def _is_chapter(docname: str) -> bool:
    source = next(ROOT.glob(f"{docname}.*"), None)
    return _is_notebook_source(source)


def test_code_is_out_of_the_way(reader):
    """At 1280 px, the code visible by default is at most 25 % of a chapter's height
    (setup cells removed, verification cells collapsed under their verdicts)."""
    problems = []
    for (d, w), r in reader.items():
        if w == 1280 and _is_chapter(d):
            share = r["codeHeight"] / max(r["articleHeight"], 1.0)
            if share > 0.25:
                problems.append(f"{d}: visible code is {share:.0%} of the page ({r['codeCells']} code cells)")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_output_blocks_fit_at_desktop_width(reader):
    """At most 5 % of the output blocks of the book overflow horizontally at 1280 px."""
    total = sum(r["outputs"] for (d, w), r in reader.items() if w == 1280)
    over = [f"{d}: {o}" for (d, w), r in reader.items() if w == 1280 for o in r["overflowing"]]
    assert total > 100, f"only {total} output blocks found"
    if len(over) > 0.05 * total:
        pytest.fail(f"{len(over)} of {total} output blocks overflow at 1280 px:\n" + "\n".join(over[:40]),
                    pytrace=False)


def test_equation_references_are_links(reader):
    """Every prose reference "(3.8)" to an equation the book displays with a label is a
    link to it ({eq}), on every page; and there are such links."""
    labelled = set()
    for src in (ROOT / "book").rglob("*.md"):
        labelled |= {m.replace("-", ".") for m in re.findall(r"\$\$ \(eq-(\d+-\d+)\)", src.read_text(encoding="utf8"))}
    assert len(labelled) > 50, f"only {len(labelled)} labelled equations"
    links = sum(r["eqLinks"] for (d, w), r in reader.items() if w == 1280)
    assert links >= 100, f"only {links} equation links in the book"
    # chapters and reference pages written in MyST; the API pages render docstrings,
    # which cite equations as plain "eq. (3.8)" (they are read in help() too)
    plain = {d: sorted(set(r["plainEqRefs"]) & labelled) for (d, w), r in reader.items()
             if w == 1280 and not d.startswith("book/api/")}
    plain = {d: v for d, v in plain.items() if v}
    if plain:
        pytest.fail("references to labelled equations written as plain text (use {eq}):\n"
                    + "\n".join(f"{d}: {', '.join(v)}" for d, v in plain.items()), pytrace=False)
