"""Sphinx extension: sphinx-proof statements carry the paper's own numbers.

A statement is written as an unnumbered sphinx-proof directive whose title
starts with the paper's number, e.g. ``{prf:lemma} 3.1`` with ``:nonumber:``;
with ``proof_title_format = "%t"`` it renders as "Lemma 3.1".  This extension
makes a bare cross-reference ``{prf:ref}`lemma-3-1``` render as "Lemma 3.1"
too (sphinx-proof alone would print just "Lemma").

Three more pieces of the paper's numbering:

* **Claims.** The claims ledger of :mod:`qrmlib.checks` names each claim's
  equation or statement as ``<a class="paperref" data-ref="eq-3-8">``; this
  extension links it to equation (3.8) (or the statement ``lemma-3-1``)
  wherever the book displays it, and leaves the plain number where it does not
  (no dangling link).

* **Equations.** A labelled display equation that carries the paper's number as
  ``\tag{3.8}`` (MyST: ``$$ ... \tag{3.8} $$ (eq-3-8)``) is numbered "(3.8)":
  the tag becomes the equation's Sphinx number (shown by the theme next to the
  equation, with a permalink) and ``{eq}`eq-3-8``` renders as a link "(3.8)".
* **Figures.** sphinx-proof sets ``numfig = True`` when the configuration is
  read (``config-inited``), which silently overrode ``numfig: false`` and made
  Sphinx prefix "Fig. 4" to the caption of the paper's Figure 1.  A later
  ``config-inited`` handler sets it back to ``False``, so captions carry only
  the numbers they write themselves ("Figure 1.").
"""

import re

from docutils import nodes
from sphinx_proof.domain import ProofDomain
from sphinx_proof.nodes import unenumerable_node

_NUMBER = re.compile(r"\s*\(?\s*([A-Z]?\d+(?:\.\d+)*)")
_orig_resolve = ProofDomain.resolve_xref


def _record_numbers(app, doctree):
    env = app.builder.env
    for node in doctree.findall(unenumerable_node):
        label = node.get("label", "")
        m = _NUMBER.match(node.get("title", ""))
        if label in env.proof_list and m:
            env.proof_list[label]["paper_number"] = m.group(1)


def _resolve_xref(self, env, fromdocname, builder, typ, target, node, contnode):
    res = _orig_resolve(self, env, fromdocname, builder, typ, target, node, contnode)
    entry = getattr(env, "proof_list", {}).get(target, {})
    number = entry.get("paper_number")
    if res is not None and number and target in contnode.astext():
        text = f"{entry['realtype'].title()} {number}"
        for child in list(res.children):
            res.remove(child)
        res += nodes.Text(text)
    return res


_TAG = re.compile(r"\\tag\{([^{}]*)\}")


def _paper_equation_numbers(app, doctree):
    domain = app.env.get_domain("math")
    docname = app.env.docname
    for node in doctree.findall(nodes.math_block):
        label = node.get("label")
        if not label:
            continue
        text = node.astext()
        tags = _TAG.findall(text)
        if len(tags) != 1:
            continue
        node["number"] = tags[0]
        domain.data["objects"][label] = (docname, tags[0])
        node.children = []
        node += nodes.Text(_TAG.sub("", text).strip())


def _no_numfig(app, config):
    """The companion numbers figures and equations itself (the paper's numbers)."""
    config.numfig = False


_PAPERREF = re.compile(r'<a class="paperref" data-ref="([A-Za-z0-9-]+)">([^<]*)</a>')


def _target(app, docname, label):
    """(text, uri) of a paper label displayed in the book, or None."""
    env = app.env
    eqs = env.get_domain("math").data.get("objects", {})
    proofs = getattr(env, "proof_list", {})
    if label in eqs:
        tdoc, number = eqs[label]
        text, anchor = f"({number})", f"equation-{label}"
    elif label in proofs:
        entry = proofs[label]
        tdoc, anchor = entry["docname"], label
        number = entry.get("paper_number")
        text = f"{entry['realtype'].title()} {number}" if number else None
    else:
        return None
    try:
        return text, app.builder.get_relative_uri(docname, tdoc) + "#" + anchor
    except Exception:  # builders without URIs
        return None


def _resolve_paperrefs(app, doctree, docname):
    """Ledger tables (qrmlib.checks.LedgerTable, raw HTML in a chapter or pasted into the
    claims page) name the paper's statement or equation as ``<a class="paperref"
    data-ref="eq-3-8">(3.8)</a>``: a link to it where the book displays it, plain text
    (the paper's number) where it does not."""
    if app.builder.format != "html":
        return
    import html

    def sub(m):
        found = _target(app, docname, m.group(1))
        if not found:
            return f'<span class="paperref">{m.group(2)}</span>'
        text, uri = found
        return f'<a class="reference internal paperref" href="{html.escape(uri)}">{html.escape(text or m.group(2))}</a>'

    for node in list(doctree.findall(nodes.raw)):
        if node.get("format") == "html" and 'class="paperref"' in node.astext():
            new = _PAPERREF.sub(sub, node.astext())
            node.replace_self(nodes.raw("", new, format="html"))


def setup(app):
    app.connect("doctree-resolved", _resolve_paperrefs)
    ProofDomain.resolve_xref = _resolve_xref
    app.connect("doctree-read", _record_numbers)
    app.connect("doctree-read", _paper_equation_numbers)
    # after sphinx-proof's own config-inited handler (default priority 500)
    app.connect("config-inited", _no_numfig, priority=900)
    return {"parallel_read_safe": False, "parallel_write_safe": True, "version": "0.1"}
