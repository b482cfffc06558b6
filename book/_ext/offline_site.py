"""Sphinx extension: keep the built site free of CDN references.

The book is an archived supplement: it must read with the network off.  MathJax
is bundled by ``sphinx-mathjax-offline`` and the theme ships its own fonts; the
only remaining CDN reference is sphinx-thebe's loader, which every page carries
(an inline ``THEBE_JS_URL = "https://unpkg.com/..."`` plus ``sphinx-thebe.js``)
even though it is used only by the "Live code" (thebe) launch button.  That
button is not enabled here (``launch_buttons.thebe`` is unset in
``_config.yml``), so this extension drops both scripts from every page.  If
``launch_buttons.thebe: true`` is ever set, the scripts are kept (and the
self-containment test in ``tests/test_site.py`` will then say so).
"""


def _thebe_enabled(app):
    options = getattr(app.config, "html_theme_options", None) or {}
    launch = options.get("launch_buttons") or {}
    return bool(launch.get("thebe"))


def _is_thebe_script(script):
    filename = str(getattr(script, "filename", "") or "")
    body = (getattr(script, "attributes", None) or {}).get("body") or ""
    return filename.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in body


def _drop_thebe_loader(app, pagename, templatename, context, doctree):
    if _thebe_enabled(app):
        return
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [s for s in scripts if not _is_thebe_script(s)]


def setup(app):
    # Run after sphinx-thebe and the theme have filled in the page's scripts.
    app.connect("html-page-context", _drop_thebe_loader, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "0.1"}
