"""Sphinx extension: a paper-numbered multi-line equation renders in MathJax.

Chapters number key equations as the paper does, with ``\\tag{2.5}`` inside a
``$$ ... $$`` block.  Sphinx's HTML writer wraps every display block that
contains a line break (``\\\\``, e.g. in ``cases``) in ``\\begin{split} ...
\\end{split}``, and MathJax refuses a ``\\tag`` there ("\\tag not allowed in
split environment"): the reader sees a red error instead of the equation.  For
such a block (one equation, one ``\\tag``, no Sphinx label), this extension
writes the display itself, with the tag outside the ``split``:
``\\[\\begin{split} ... \\end{split}\\tag{2.5}\\]``.  HTML builders only.
"""

import re

from docutils import nodes

_TAG = re.compile(r"\\tag\*?\{[^{}]*\}")


def _lift_tags(app, doctree, docname):
    if app.builder.format != "html":
        return
    left, right = getattr(app.config, "mathjax_display", None) or (r"\[", r"\]")
    for node in doctree.findall(nodes.math_block):
        if node.get("nowrap") or node.get("label") or node.get("number"):
            continue
        text = node.astext()
        tags = _TAG.findall(text)
        parts = [p for p in text.split("\n\n") if p.strip()]
        if len(tags) != 1 or len(parts) != 1 or "\\\\" not in text:
            continue
        body = _TAG.sub("", text).strip()
        node.children = []
        node += nodes.Text(f"{left}\\begin{{split}}{body}\\end{{split}}{tags[0]}{right}")
        node["nowrap"] = True


def setup(app):
    app.connect("doctree-resolved", _lift_tags)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "0.1"}
