"""Packaging and citation metadata (issue 6): what pip, conda/Binder and citers get.

* ``environment.yml`` (conda, Binder) installs exactly what ``make`` installs
  with pip: the package with its ``[book,test,dask]`` extras, on the same Python floor,
  and pins nothing of its own that could drift from ``pyproject.toml``;
* ``CITATION.cff`` is valid CFF 1.2.0 (cffconvert's validator), cites the
  companion at the package's version and license, and its ``preferred-citation``
  is the paper (Haack & Joye, arXiv:2401.10022);
* the README and the intro page show the same BibTeX entries: the paper's, equal
  to the one in ``references.bib``, and the companion's, at the package version;
* ``LICENSE`` exists and is the license the package declares; the README states
  the license of the book's text.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PAPER_ARXIV = "2401.10022"
PAPER_TITLE = "Entropy Production of Quantum Reset Models"


@pytest.fixture(scope="module")
def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf8"))


@pytest.fixture(scope="module")
def environment():
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf8"))


@pytest.fixture(scope="module")
def cff():
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf8"))


def _version() -> str:
    """``qrmlib.__version__``, the one place the version is written (read without importing)."""
    import ast

    tree = ast.parse((ROOT / "qrmlib" / "__init__.py").read_text(encoding="utf8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["__version__"]:
            return ast.literal_eval(node.value)
    raise AssertionError("qrmlib/__init__.py assigns no __version__")


def _make_extras() -> set[str]:
    """The extras that `make` installs: its ``EXTRAS :=`` line (the lock covers exactly these)."""
    text = (ROOT / "Makefile").read_text(encoding="utf8")
    found = re.findall(r"^EXTRAS\s*:=\s*(\S+)\s*$", text, flags=re.M)
    assert len(found) == 1, "the Makefile names the extras it installs once, as `EXTRAS := a,b`"
    return {e.strip() for e in found[0].split(",")}


def _env_parts(environment):
    conda, pip = [], []
    for dep in environment["dependencies"]:
        if isinstance(dep, dict):
            pip += dep.get("pip", [])
        else:
            conda.append(str(dep))
    return conda, pip


# --------------------------------------------------------------------------
# environment.yml <-> pyproject.toml
# --------------------------------------------------------------------------


def test_environment_pip_section_is_the_package_with_the_make_extras(environment, pyproject):
    conda, pip = _env_parts(environment)
    assert "pip" in [re.split(r"[<>=!~ ]", c)[0] for c in conda], "environment.yml must install pip"
    editable = [p for p in pip if re.match(r"^-e\s+\.", p)]
    assert len(editable) == 1, f"environment.yml's pip section installs the package once: {pip}"
    extras = set(Requirement("qrmlib" + editable[0].split(None, 1)[1][1:]).extras)
    declared = set(pyproject["project"]["optional-dependencies"])
    assert extras <= declared, f"environment.yml asks for undeclared extras {extras - declared}"
    assert extras == _make_extras(), (
        f"environment.yml installs .[{','.join(sorted(extras))}] but `make` installs "
        f".[{','.join(sorted(_make_extras()))}]: conda/Binder users must get what pip users get"
    )
    others = [p for p in pip if p not in editable]
    assert not others, f"environment.yml's pip section pins packages of its own: {others}"


def test_environment_python_floor_matches_requires_python(environment, pyproject):
    conda, _ = _env_parts(environment)
    pythons = [c for c in conda if re.match(r"^python\b", c)]
    assert len(pythons) == 1, f"environment.yml names python once: {conda}"
    env_spec = SpecifierSet(pythons[0][len("python") :].replace(" ", ""))
    project_spec = SpecifierSet(pyproject["project"]["requires-python"])
    assert env_spec == project_spec, (
        f"environment.yml has python{env_spec}, pyproject.toml requires-python {project_spec}"
    )
    floor = re.search(r">=\s*(\d+\.\d+)", str(project_spec)).group(1)
    readme = (ROOT / "README.md").read_text(encoding="utf8")
    assert f"Python ≥ {floor}" in readme, f"the README states the Python floor ({floor})"


def test_environment_conda_packages_are_declared_identically(environment, pyproject):
    """Any conda package besides python/pip carries the same pin as in pyproject.toml."""
    conda, _ = _env_parts(environment)
    project = pyproject["project"]
    declared = {}
    for req in project["dependencies"] + [
        r for extra in _make_extras() for r in project["optional-dependencies"][extra]
    ]:
        r = Requirement(req)
        declared.setdefault(r.name.lower(), set()).add(str(r.specifier))
    for dep in conda:
        name = re.split(r"[<>=!~ ]", dep, maxsplit=1)[0].lower()
        if name in ("python", "pip"):
            continue
        spec = str(SpecifierSet(dep[len(name) :].replace(" ", "")))
        assert name in declared, f"environment.yml installs {name}, which pyproject.toml lacks"
        assert spec in declared[name], f"environment.yml pins {name}{spec}, pyproject.toml {sorted(declared[name])}"


# --------------------------------------------------------------------------
# CITATION.cff
# --------------------------------------------------------------------------


def test_citation_cff_is_valid():
    from cffconvert.citation import Citation

    text = (ROOT / "CITATION.cff").read_text(encoding="utf8")
    Citation(text).validate()  # raises on any schema violation


def test_citation_cff_validator_catches_an_invalid_file():
    """The check above is not vacuous: a file without authors is rejected."""
    import jsonschema
    from cffconvert.citation import Citation

    data = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf8"))
    del data["authors"]
    with pytest.raises(jsonschema.exceptions.ValidationError):
        Citation(yaml.safe_dump(data, allow_unicode=True, sort_keys=False)).validate()


def test_citation_cff_cites_the_companion(cff, pyproject):
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] == "software"
    assert str(cff["version"]) == _version()
    assert cff["license"] == pyproject["project"]["license"]
    assert PAPER_TITLE in cff["title"]


def test_citation_cff_prefers_the_paper(cff):
    paper = cff["preferred-citation"]
    assert paper["type"] == "article"
    assert paper["title"] == PAPER_TITLE
    names = [(a.get("family-names"), a.get("given-names")) for a in paper["authors"]]
    assert names == [("Haack", "Géraldine"), ("Joye", "Alain")]
    assert int(paper["year"]) == 2024
    ids = [str(i.get("value", "")) for i in paper.get("identifiers", [])] + [str(paper.get("url", ""))]
    assert any(PAPER_ARXIV in i for i in ids), f"preferred-citation names arXiv:{PAPER_ARXIV}"


# --------------------------------------------------------------------------
# BibTeX in the README and on the intro page
# --------------------------------------------------------------------------


def _bibtex_blocks(path: Path):
    from pybtex.database import parse_string

    text = path.read_text(encoding="utf8")
    blocks = re.findall(r"```bibtex\n(.*?)```", text, flags=re.S)
    entries = {}
    for block in blocks:
        entries.update(parse_string(block, "bibtex").entries)
    return entries


def _plain(entry) -> dict:
    fields = {k.lower(): " ".join(str(v).split()) for k, v in entry.fields.items()}
    fields["type"] = entry.type.lower()
    fields["author"] = [str(p) for p in entry.persons.get("author", [])]
    return fields


@pytest.mark.parametrize("where", ["README.md", "book/intro.md"])
def test_bibtex_for_the_paper_and_the_companion(where, pyproject):
    from pybtex.database import parse_file

    entries = {k: _plain(e) for k, e in _bibtex_blocks(ROOT / where).items()}
    papers = [k for k, e in entries.items() if e.get("eprint") == PAPER_ARXIV]
    assert len(papers) == 1, f"{where} shows one BibTeX entry for arXiv:{PAPER_ARXIV}"
    paper = entries[papers[0]]
    assert paper["title"] == PAPER_TITLE
    bib = parse_file(str(ROOT / "references.bib")).entries
    assert papers[0] in bib, f"{where}'s paper key {papers[0]} is the one in references.bib"
    assert paper == _plain(bib[papers[0]]), f"{where}'s paper entry differs from references.bib"

    software = [k for k, e in entries.items() if e["type"] == "software"]
    assert len(software) == 1, f"{where} shows one @software entry for the companion"
    companion = entries[software[0]]
    assert companion["version"] == _version()
    assert PAPER_TITLE in companion["title"].replace("``", "").replace("''", "")


def test_readme_and_intro_show_the_same_entries():
    assert _bibtex_blocks(ROOT / "README.md").keys() == _bibtex_blocks(ROOT / "book/intro.md").keys()
    readme = {k: _plain(e) for k, e in _bibtex_blocks(ROOT / "README.md").items()}
    intro = {k: _plain(e) for k, e in _bibtex_blocks(ROOT / "book/intro.md").items()}
    assert readme == intro


# --------------------------------------------------------------------------
# Licenses
# --------------------------------------------------------------------------


def test_license_file_matches_the_declared_license(pyproject):
    license_text = (ROOT / "LICENSE").read_text(encoding="utf8")
    declared = pyproject["project"]["license"]
    assert license_text.splitlines()[0].strip() == f"{declared} License"


def test_readme_states_the_licenses_of_code_and_text(pyproject):
    readme = (ROOT / "README.md").read_text(encoding="utf8")
    section = readme.split("## License", 1)
    assert len(section) == 2, "the README has a License section"
    body = section[1]
    assert pyproject["project"]["license"] in body and "LICENSE" in body
    assert re.search(r"(book )?text:\s*CC[ -]BY(-SA)? \d\.\d", body, flags=re.I), (
        "the README states the license of the book's text (e.g. 'Book text: CC BY 4.0')"
    )
