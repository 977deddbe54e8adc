"""The release bundle: `perrypress publish` assembles _build/site/<slug>/ from a release build."""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from pybtex.database import parse_file

from perrypress.editions.citation import read_metadata
from perrypress.sources.config import data_files, load_config
from perrypress.sources.datapackage import resource_of
from perrypress.errors import BuildError, DocumentError
from perrypress.publish.bundle import assemble, check_manifest

from .bundles import bundle_of, publish, record

ROOT = Path(__file__).resolve().parents[2]


def files_of(bundle: Path) -> dict[str, str]:
    """Every file of a bundle (relative path) with its SHA-256."""
    return {p.relative_to(bundle).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(bundle.rglob("*")) if p.is_file()}


def config_of(project: Any) -> dict[str, Any]:
    return load_config(project.root / "config/config.yaml", root=project.root)


def test_slug_comes_from_the_metadata(released: Any, bundle: Path) -> None:
    """The bundle's folder is report.qmd's library slug, and record.json carries the library fields."""
    library = read_metadata(released.root / "report.qmd")[0]["library"]
    assert bundle.name == library["slug"]
    entry = record(bundle)
    for key in ("category", "topics", "countries", "language"):
        assert entry[key] == library[key]
    assert entry["summary"] == " ".join(library["summary"].split())
    assert entry["authors"] and entry["year"]


def test_manifest_hashes_hold(bundle: Path) -> None:
    """manifest.json lists every other file with its size and SHA-256, the build date and the tool versions."""
    manifest = check_manifest(bundle)
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert listed == {k: v for k, v in files_of(bundle).items() if k != "manifest.json"}
    assert all(f["bytes"] == (bundle / f["path"]).stat().st_size for f in manifest["files"])
    assert set(manifest["versions"]) == {"pandoc", "typst", "perrypress"}
    assert manifest["source_date_epoch"] == 1704067200  # tests/conftest.py build_env()


def test_a_changed_file_breaks_the_manifest_check(project_copy: Any) -> None:
    """A bundle whose file was changed after assembly is refused before anything is published."""
    bundle = bundle_of(project_copy)
    (bundle / record(bundle)["files"]["pdf"]).write_bytes(b"%PDF-1.7 tampered")
    with pytest.raises(BuildError, match="does not match its SHA-256"):
        check_manifest(bundle)


def test_no_stray_files(released: Any, bundle: Path) -> None:
    """The bundle holds the editions, the data package, the figures, the citations, record and manifest; nothing else."""
    files = record(bundle)["files"]
    wanted = {files["html"], files["pdf"], files["docx"], files["data"], files["bibtex"], files["ris"],
              files["csl_json"], "record.json", "manifest.json", "data/sources.csv"}
    wanted |= {f"data/{Path(p).name}" for p in data_files(config_of(released))}
    for png in files["figures"].values():
        wanted |= {png, png.replace(".png", ".svg")}
    assert set(files_of(bundle)) == wanted
    assert not [p for p in bundle.rglob(".*")]


def test_two_runs_are_byte_identical(bundle: Path, project_copy: Any) -> None:
    """`perrypress publish` again, in another folder, writes the same bytes."""
    again = publish(project_copy)
    assert files_of(again) == files_of(bundle)


def test_citations_agree(bundle: Path) -> None:
    """BibTeX parses with pybtex; RIS and CSL-JSON carry the same title, author and date."""
    files = record(bundle)["files"]
    [(key, entry)] = parse_file(str(bundle / files["bibtex"]), bib_format="bibtex").entries.items()
    title = entry.fields["title"].strip("{}")
    ris = (bundle / files["ris"]).read_bytes().decode("utf-8")
    assert "\r\n" in ris
    tags = dict(re.findall(r"^([A-Z][A-Z0-9])  - (.*?)\r$", ris, flags=re.M))
    [csl] = json.loads((bundle / files["csl_json"]).read_text(encoding="utf-8"))
    assert csl["id"] == key
    assert tags["TI"] == csl["title"] == title
    family = str(entry.persons["author"][0].last_names[0]).strip("{}")
    assert tags["AU"].startswith(family + ",") and csl["author"][0]["family"] == family
    assert tags["PY"] == entry.fields["year"] == str(csl["issued"]["date-parts"][0][0])


def test_data_package_is_valid(bundle: Path) -> None:
    """frictionless validates data/datapackage.json: types, constraints, primary keys, provenance foreign keys."""
    from frictionless import Package

    descriptor = json.loads((bundle / "data/datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["licenses"] and all(r.get("licenses") and r.get("sources") for r in descriptor["resources"])
    with_keys = [r for r in descriptor["resources"] if r["schema"].get("foreignKeys")]
    assert with_keys and all(r["schema"].get("primaryKey") for r in descriptor["resources"])
    report = Package(str(bundle / "data/datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])


def test_data_package_catches_a_broken_key(project_copy: Any) -> None:
    """A provenance key with no source and a duplicated primary key are both reported by frictionless."""
    from frictionless import Package

    data = bundle_of(project_copy) / "data"
    csv = data / "regions.csv"
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    csv.write_text("".join(lines + [lines[1]]).replace("unodc2022", "nosuchwork2099", 1), encoding="utf-8")
    report = Package(str(data / "datapackage.json")).validate()
    errors = {e[0] for e in report.flatten(["type"])}
    assert {"primary-key", "foreign-key"} <= errors, errors


def test_record_follows_the_metadata(project_copy: Any) -> None:
    """record.json is the metadata's: a changed summary is the record's; a missing one is a clear error."""
    report = project_copy.root / "report.qmd"
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("  summary: >-\n", "  summary: >-\n    A changed summary.\n", 1), encoding="utf-8")
    bundle = assemble(config_of(project_copy), root=project_copy.root)
    assert record(bundle)["summary"].startswith("A changed summary.")
    report.write_text(text.replace("  summary: >-\n", "  abstract: >-\n", 1), encoding="utf-8")
    with pytest.raises(DocumentError, match=r"report\.qmd: metadata: 'library\.summary' is missing — "):
        assemble(config_of(project_copy), root=project_copy.root)
    assert files_of(bundle_of(project_copy)) == files_of(bundle), "a failed assembly changed the last bundle"


def test_failed_release_build_writes_no_bundle(built_copy: Any) -> None:
    """Without the photographs the release build fails, naming them, and no bundle is written."""
    result = built_copy.perrypress("publish")
    assert result.returncode == 1
    assert "missing asset" in result.stderr and "Traceback" not in result.stderr
    assert not (built_copy.root / "_build/site").exists()


def test_each_table_and_figure_links_to_its_data(released: Any, bundle: Path) -> None:
    """In index.html every numbered table and every figure is followed by a link to its CSV, its source and pages."""
    page = (bundle / "index.html").read_text(encoding="utf-8")
    config = config_of(released)
    placed = [(f'id="tbl-{s}"', spec) for s, spec in config["tables"].items() if spec.get("label", True)]
    placed += [(f'<figure id="fig-{s}"', spec) for s, spec in config["figures"].items()]
    assert placed
    for anchor, spec in placed:
        name = Path(spec["data"]).name
        after = page[page.index(anchor):]
        note = re.search(r'<p class="data-note">(.*?)</p>', after, flags=re.S)
        assert note and f'href="data/{name}"' in note.group(1), anchor
        assert (bundle / "data" / name).exists()
        source = " ".join(resource_of(released.root / spec["data"])["sources"][0]["title"].split())
        assert html.unescape(note.group(1)).count(source) == 1, (anchor, note.group(1))


def test_bundle_package_is_cut_from_the_repository_package(tmp_path: Path) -> None:
    """The bundle's package is data/datapackage.json's resources for the given files plus sources, renamed, valid."""
    from frictionless import Package

    from perrypress.sources.datapackage import load_descriptor
    from perrypress.publish.bundle_data import write_package

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("geometry"))
    # As a spreadsheet saves it: byte-order mark, CRLF, a trailing blank row.
    regions = data / "regions.csv"
    regions.write_bytes(b"\xef\xbb\xbf" + (regions.read_text(encoding="utf-8") + ",,,,,,\n").replace("\n", "\r\n").encode())
    runs = []
    for out in (tmp_path / "one", tmp_path / "two"):
        package = write_package([regions, data / "statistics.csv"], out_dir=out, name="slug", title="Title")
        runs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert runs[0] == runs[1], "two runs differ"
    assert [r["name"] for r in package["resources"]] == ["regions", "statistics", "sources"]
    assert (package["name"], package["title"]) == ("slug", "Title")
    source = {r["name"]: r for r in load_descriptor(data / "datapackage.json")["resources"]}
    assert package["resources"][0]["schema"] == source["regions"]["schema"]
    assert package["licenses"] == load_descriptor(data / "datapackage.json")["licenses"]
    assert not runs[0]["regions.csv"].startswith(b"\xef\xbb\xbf") and b",,,," not in runs[0]["regions.csv"]
    report = Package(str(tmp_path / "one" / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "type", "note"])
