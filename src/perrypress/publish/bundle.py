"""Assemble the release bundle ``_build/site/<slug>/``: editions, data package, citations, record and manifest."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ..editions.citation import Work, bibtex, ris, work_from_metadata
from ..errors import BuildError, DocumentError
from ..sources.config import data_files
from ..sources.labels import labels_for
from ..sources.metadata import read_metadata
from ..toolchain import pandoc_path, source_date_epoch
from .bundle_data import write_package
from .bundle_page import link_data, with_json_ld
from .freshness import provenance
from .sanitize import without_script
from .scholarly import scholarly_article

log = logging.getLogger(__name__)

SITE = Path("_build/site")
RECORD = "record.json"
MANIFEST = "manifest.json"
DATA = "data"
CITE = "cite"
# report.qmd's `library:` keys the document-library entry needs.
LIBRARY_KEYS = ("slug", "summary", "category", "topics", "countries", "language")


def dump_json(value: Any) -> str:
    """JSON as the bundle writes it: stable key order, UTF-8, two-space indent, final newline."""
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def sha256(path: Path) -> str:
    """The SHA-256 of a file, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def library_metadata(report: Path) -> tuple[dict[str, Any], Work]:
    """report.qmd's ``library:`` block (checked) and the paper as a bibliographic work."""
    meta, text = read_metadata(report)
    work = work_from_metadata(meta, path=report, text=text)
    library = meta.get("library") if isinstance(meta.get("library"), dict) else {}
    for key in LIBRARY_KEYS:
        if not library.get(key):
            raise DocumentError(report, f"metadata: 'library.{key}' is missing",
                                "add it to the YAML block at the top (the document-library entry needs it)")
    return library, work


def csl_json(work: Work) -> list[dict[str, Any]]:
    """The paper as CSL-JSON (one item)."""
    issued = [work.year, work.month] if work.month else [work.year]
    item: dict[str, Any] = {"id": work.key, "type": "report", "title": work.full_title,
                            "author": [{"family": a.family, "given": a.given} for a in work.authors],
                            "issued": {"date-parts": [issued]}, "collection-title": work.series,
                            "number": work.number, "publisher": work.publisher}
    if work.place:
        item["publisher-place"] = work.place
    if work.url:
        item["URL"] = work.url
    if work.language:
        item["language"] = work.language
    return [item]


def record(library: dict[str, Any], work: Work, files: dict[str, str]) -> dict[str, Any]:
    """The document-library entry: what the Center's site lists for the publication."""
    return {"slug": library["slug"], "title": work.title, "subtitle": work.subtitle,
            "summary": " ".join(str(library["summary"]).split()),
            "authors": [a.name for a in work.authors], "year": work.year, "category": library["category"],
            "topics": list(library["topics"]), "countries": list(library["countries"]),
            "language": library["language"], "files": files}


def _versions() -> dict[str, str]:
    """The versions that decide the editions' bytes: pandoc, Typst (typst-py) and perrypress."""
    pandoc = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    found = {"pandoc": pandoc.removeprefix("pandoc ").strip()}
    for name, package in (("typst", "typst"), ("perrypress", "perrypress")):
        try:
            found[name] = version(package)
        except PackageNotFoundError:
            found[name] = "unknown"
    return found


def source_commit(root: Path) -> str | None:
    """The commit the sources are at, or None outside a git checkout."""
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=20)
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 and (root / ".git").exists() else None


def manifest(bundle: Path, *, root: Path, slug: str, commit: str | None, epoch: int) -> dict[str, Any]:
    """Every file of ``bundle`` (but the manifest) with its size and SHA-256, and what built them from what.

    ``sources`` (every source file's SHA-256) and ``uncommitted`` (git's list) let `publish wordpress` refuse a
    bundle older than the sources or built from uncommitted edits.
    """
    files = sorted(p for p in bundle.rglob("*") if p.is_file() and p.name != MANIFEST)
    return {"slug": slug, "source_commit": commit, **provenance(root), "source_date_epoch": epoch,
            "versions": _versions(), "files": [{"path": p.relative_to(bundle).as_posix(), "bytes": p.stat().st_size, "sha256": sha256(p)}
                      for p in files]}


def check_manifest(bundle: Path) -> dict[str, Any]:
    """Read ``bundle``'s manifest and check that it lists exactly its files with their hashes; return it."""
    path = bundle / MANIFEST
    if not path.exists():
        raise BuildError(f"{bundle}: no {MANIFEST} — run `perrypress publish` first to make the bundle")
    listed = json.loads(path.read_text(encoding="utf-8"))
    on_disk = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file() and p.name != MANIFEST}
    named = {f["path"] for f in listed["files"]}
    if on_disk != named:
        raise BuildError(f"{path}: the bundle's files differ from its manifest ({sorted(on_disk ^ named)}) — "
                         "rebuild it with `perrypress publish`")
    for entry in listed["files"]:
        if sha256(bundle / entry["path"]) != entry["sha256"]:
            raise BuildError(f"{path}: {entry['path']} does not match its SHA-256 — rebuild it with `perrypress publish`")
    return listed


def _copy(source: Path, target: Path) -> None:
    if not source.exists():
        raise BuildError(f"{source}: not built — run `perrypress build --release` first")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def assemble(config: dict[str, Any], *, root: Path) -> Path:
    """Write ``_build/site/<slug>/`` from the built editions and the sources; return its path.

    The bundle is written to a staging folder and moved into place only when complete.
    """
    report = root / config["report"]
    library, work = library_metadata(report)
    slug, name = library["slug"], config["output_name"]
    site = root / SITE
    staging = site / f".tmp-{slug}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        editions = {"html": "index.html", "pdf": f"{name}.pdf", "docx": f"{name}.docx"}
        for ext, target in editions.items():
            _copy(root / "_build" / f"{name}.{ext}", staging / target)
        index = staging / editions["html"]
        page = link_data(without_script(index.read_text(encoding="utf-8"), where="index.html"), config, root=root,
                         folder=DATA)
        links = {"html": editions["html"], "pdf": editions["pdf"], "docx": editions["docx"]}
        index.write_text(with_json_ld(page, scholarly_article(work, library, links)), encoding="utf-8")
        data_dir = staging / DATA
        write_package([root / p for p in data_files(config)], out_dir=data_dir, name=slug, title=work.full_title)
        figures = {}
        for figure in config["figures"]:
            for fmt in ("svg", "png"):
                _copy(root / "figures" / f"{figure}.{fmt}", data_dir / f"{figure}.{fmt}")
            figures[figure] = f"{DATA}/{figure}.png"
        cite = staging / CITE
        cite.mkdir()
        meta, text = read_metadata(report)  # the month in the paper's language, as in its "Cite this paper"
        (cite / f"{work.key}.bib").write_text(bibtex(work, labels=labels_for(meta, path=report, text=text)),
                                              encoding="utf-8")
        (cite / f"{work.key}.ris").write_bytes(ris(work).encode("utf-8"))
        (cite / f"{work.key}.json").write_text(dump_json(csl_json(work)), encoding="utf-8")
        files = {**editions, "data": f"{DATA}/datapackage.json", "figures": figures,
                 "bibtex": f"{CITE}/{work.key}.bib", "ris": f"{CITE}/{work.key}.ris", "csl_json": f"{CITE}/{work.key}.json"}
        (staging / RECORD).write_text(dump_json(record(library, work, files)), encoding="utf-8")
        listed = manifest(staging, root=root, slug=slug, commit=source_commit(root), epoch=source_date_epoch(root))
        (staging / MANIFEST).write_text(dump_json(listed), encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    bundle = site / slug
    old = site / f".old-{slug}"
    shutil.rmtree(old, ignore_errors=True)
    if bundle.exists():
        bundle.rename(old)
    staging.rename(bundle)
    shutil.rmtree(old, ignore_errors=True)
    log.info("wrote %s (%d files)", bundle, len(listed["files"]) + 1)
    return bundle
