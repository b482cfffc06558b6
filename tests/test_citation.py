"""Archive-ready citation (issue 13): one version, written once, and every citation agrees.

* the version is written once, ``__version__`` in ``qrmlib/__init__.py``;
  ``pyproject.toml`` declares it ``dynamic`` and reads that attribute, and the
  installed metadata (``importlib.metadata``) reports the same;
* ``CHANGELOG.md`` follows Keep a Changelog: an ``[Unreleased]`` section, then the
  releases newest first as ``## [X.Y.Z] - YYYY-MM-DD``, each with a link; the
  newest is the package version, on the date ``CITATION.cff`` gives as
  ``date-released``;
* ``CITATION.cff`` names ``repository-code`` (``repository.url`` of ``_config.yml``)
  and the paper's arXiv DOI; ``.zenodo.json`` has the fields Zenodo needs, the same
  version, date, title, creators and license, and is a supplement to the paper's DOI;
* the companion's BibTeX (README and landing page) carries the version and the
  repository URL, the paper's the DOI; every entry of ``references.bib`` that has a
  DOI or an arXiv identifier carries a ``url``, and an arXiv DOI matches its eprint.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_packaging import _bibtex_blocks, _plain, _version  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PAPER_DOI = "10.48550/arXiv.2401.10022"
SEMVER = r"\d+\.\d+\.\d+(?:[-.]?(?:a|b|rc|dev|post)\d+)?"


@pytest.fixture(scope="module")
def cff():
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf8"))


@pytest.fixture(scope="module")
def zenodo():
    return json.loads((ROOT / ".zenodo.json").read_text(encoding="utf8"))


@pytest.fixture(scope="module")
def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf8"))


def _repository_url() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf8"))
    return config["repository"]["url"]


def _releases() -> list[tuple[str, str]]:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf8")
    return re.findall(rf"^## \[({SEMVER})\] - (\d{{4}}-\d{{2}}-\d{{2}})\s*$", text, flags=re.M)


# --------------------------------------------------------------------------
# One version
# --------------------------------------------------------------------------


def test_the_version_is_written_once(pyproject):
    project = pyproject["project"]
    assert "version" not in project and "version" in project.get("dynamic", []), (
        "pyproject.toml declares the version dynamic instead of writing it"
    )
    attr = pyproject["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "qrmlib.__version__"
    assert re.fullmatch(SEMVER, _version()), f"qrmlib.__version__ = {_version()!r} is not X.Y.Z"
    init = (ROOT / "qrmlib" / "__init__.py").read_text(encoding="utf8")
    assert len(re.findall(r"^__version__\s*=", init, flags=re.M)) == 1


def test_the_imported_and_installed_versions_agree():
    import qrmlib

    assert qrmlib.__version__ == _version()
    try:
        installed = importlib.metadata.version("qrmlib")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        pytest.skip("qrmlib is not installed (only importable from the checkout)")
    assert installed == _version(), (
        f"the installed metadata says {installed}, qrmlib.__version__ {_version()}: reinstall (`make venv`)"
    )


def test_no_stale_version_string_in_the_citation_files():
    """Only the files that must carry the version number do, and they carry this one."""
    for name in ("CITATION.cff", ".zenodo.json", "README.md", "book/intro.md"):
        text = re.sub(r"^cff-version:.*$", "", (ROOT / name).read_text(encoding="utf8"), flags=re.M)
        versions = set(re.findall(r"(?<![\w.])(\d+\.\d+\.\d+)(?![\w.])", text))
        assert versions <= {_version()}, f"{name} mentions version(s) {sorted(versions - {_version()})}"


# --------------------------------------------------------------------------
# CHANGELOG.md
# --------------------------------------------------------------------------


def test_changelog_follows_keep_a_changelog(cff):
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf8")
    assert text.startswith("# Changelog\n")
    assert "keepachangelog.com" in text
    headings = re.findall(r"^## (.*)$", text, flags=re.M)
    assert headings and headings[0] == "[Unreleased]", "the first section is [Unreleased]"
    releases = _releases()
    assert len(releases) == len(headings) - 1, f"every other heading is '[X.Y.Z] - YYYY-MM-DD': {headings}"
    assert releases[0][0] == _version(), f"the newest release {releases[0][0]} is not {_version()}"
    assert releases[0][1] == str(cff["date-released"]), "CITATION.cff date-released is the release date"
    dates = [d for _, d in releases]
    assert dates == sorted(dates, reverse=True), "releases newest first"
    for label in ["Unreleased"] + [v for v, _ in releases]:
        assert re.search(rf"^\[{re.escape(label)}\]: \S+", text, flags=re.M), f"no link for [{label}]"
    sections = set(re.findall(r"^### (.*)$", text, flags=re.M))
    allowed = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
    assert sections <= allowed, f"non-standard sections {sections - allowed}"


# --------------------------------------------------------------------------
# CITATION.cff and .zenodo.json
# --------------------------------------------------------------------------


def test_citation_cff_is_archive_ready(cff):
    assert str(cff["version"]) == _version()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(cff["date-released"]))
    assert cff["repository-code"] == _repository_url()
    paper = cff["preferred-citation"]
    assert paper["doi"] == PAPER_DOI
    assert {"type": "doi", "value": PAPER_DOI} in [{k: i[k] for k in ("type", "value")} for i in paper["identifiers"]]


def test_zenodo_metadata(zenodo, cff, pyproject):
    for key in ("title", "description", "upload_type", "creators", "license", "version", "publication_date"):
        assert zenodo.get(key), f".zenodo.json lacks {key}"
    assert zenodo["upload_type"] == "software"
    assert zenodo["version"] == _version()
    assert zenodo["publication_date"] == str(cff["date-released"])
    assert zenodo["title"] == cff["title"]
    assert zenodo["license"] == pyproject["project"]["license"] == cff["license"]
    assert [c["name"] for c in zenodo["creators"]] == [a["name"] for a in cff["authors"]]
    related = [(r["identifier"], r["relation"], r.get("scheme")) for r in zenodo["related_identifiers"]]
    assert (PAPER_DOI, "isSupplementTo", "doi") in related


# --------------------------------------------------------------------------
# BibTeX
# --------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["README.md", "book/intro.md"])
def test_bibtex_carries_url_and_doi(where):
    entries = {k: _plain(e) for k, e in _bibtex_blocks(ROOT / where).items()}
    (companion,) = [e for e in entries.values() if e["type"] == "software"]
    assert companion["version"] == _version()
    assert companion["url"] == _repository_url()
    (paper,) = [e for e in entries.values() if e.get("eprint") == "2401.10022"]
    assert paper["doi"] == PAPER_DOI
    assert paper["url"] == "https://arxiv.org/abs/2401.10022"


def test_references_bib_links():
    from pybtex.database import parse_file

    for key, entry in parse_file(str(ROOT / "references.bib")).entries.items():
        fields = {k.lower(): str(v) for k, v in entry.fields.items()}
        doi, eprint = fields.get("doi"), fields.get("eprint")
        if doi or eprint:
            assert "url" in fields, f"{key} has a DOI or an arXiv identifier but no url"
        if doi:
            assert re.fullmatch(r"10\.\d{4,9}/\S+", doi), f"{key}: {doi!r} is not a DOI"
            if doi.startswith("10.48550/"):
                assert doi == f"10.48550/arXiv.{eprint}", f"{key}: arXiv DOI {doi} and eprint {eprint} differ"
            else:
                assert fields["url"] == f"https://doi.org/{doi}", f"{key}: url is not the DOI's address"
        elif eprint:
            assert fields["url"] == f"https://arxiv.org/abs/{eprint}"
