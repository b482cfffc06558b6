"""Sphinx extension: sphinx-proof statements carry the paper's own numbers.

A statement is written as an unnumbered sphinx-proof directive whose title
starts with the paper's number, e.g. ``{prf:lemma} 3.1`` with ``:nonumber:``;
with ``proof_title_format = "%t"`` it renders as "Lemma 3.1".  This extension
makes a bare cross-reference ``{prf:ref}`lemma-3-1``` render as "Lemma 3.1"
too (sphinx-proof alone would print just "Lemma").
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


def setup(app):
    ProofDomain.resolve_xref = _resolve_xref
    app.connect("doctree-read", _record_numbers)
    return {"parallel_read_safe": False, "parallel_write_safe": True, "version": "0.1"}
