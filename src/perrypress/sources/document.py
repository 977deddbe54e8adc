"""Check the paper's text before rendering: includes, variables, cross-references, citations, assets."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import DocumentError
from .bibliography import check_citations, citations_in, parse
from .config import yaml_line
from .metadata import read_metadata
from .paths import gate, metadata_targets

log = logging.getLogger(__name__)

INCLUDE = re.compile(r"\{\{<\s*include\s+(\S+)\s*>\}\}")
VAR = re.compile(r"\{\{<\s*var\s+(\S+?)\s*>\}\}")
CROSSREF = re.compile(r"(?<![\w\\])@((?:fig|tbl)-[A-Za-z0-9_-]*[A-Za-z0-9_])")
LABEL = re.compile(r"\{#((?:fig|tbl)-[A-Za-z0-9_-]+)")
IMAGE = re.compile(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>\n]*>|[^)\s]+)")
PHOTO = re.compile(r'\bimage="([^"]+)"')
# Link targets (never read, but a file: URL names the build machine's files), reference
# definitions ([label]: target), the labels images use, and autolinks (<scheme:…>).
LINK = re.compile(r"(?<!!)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>\n]*>|[^)\s]+)")
REFERENCE = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*(<[^>\n]*>|\S+)")
IMAGE_REFERENCE = re.compile(r"!\[((?:[^\[\]]|\[[^\]]*\])*)\](?:\[([^\]]*)\])?(?!\()")
AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]*:[^>\s]*)>")
IMAGE_EXTENSIONS = (".svg", ".png", ".pdf", ".jpg", ".jpeg")


def _unbracket(target: str) -> str:
    """A Markdown link target without its optional angle brackets."""
    return target[1:-1] if target.startswith("<") and target.endswith(">") else target


def source_files(report: Path, root: Path, _depth: int = 0) -> Iterator[Path]:
    """Yield ``report`` and every file it includes, depth first, in order."""
    yield report
    for number, line in enumerate(report.read_text(encoding="utf-8").splitlines(), start=1):
        for target in INCLUDE.findall(line):
            path = gate(target, root=root, source=report, line=number, from_file=True)
            if path is None or not path.exists():
                raise DocumentError(report, f"included file {target!r} not found",
                                    "create it, correct the path, or run the rule that writes it", line=number)
            if _depth > 16:
                raise DocumentError(report, "includes nest too deep", "look for a file that includes itself",
                                    line=number)
            yield from source_files(path, root, _depth + 1)


def _lookup(variables: dict[str, Any], key: str) -> Any:
    node: Any = variables
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return None if isinstance(node, dict) else node


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    yield from enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)


def _assets(files: list[Path], root: Path) -> Iterator[tuple[Path, int, str, list[Path]]]:
    """Yield (file, line, path as written, files on disk) for every image or photo the sources refer to."""
    for path in files:
        for number, line in _lines(path):
            for target in [_unbracket(t) for t in IMAGE.findall(line)] + PHOTO.findall(line):
                candidate = gate(target, root=root, source=path, line=number)
                if candidate is None:  # data: — the bytes are in the source
                    continue
                found = [candidate] if candidate.exists() else [] if candidate.suffix else [
                    candidate.with_suffix(ext) for ext in IMAGE_EXTENSIONS if candidate.with_suffix(ext).exists()]
                yield path, number, target, found


def check_targets(files: list[Path], root: Path) -> None:
    """Raise DocumentError at the first path or URL, in the text or report.qmd's metadata, that leaves the project.

    Images and photos are checked where they are read (:func:`_assets`); this checks what else
    the text can name: links, reference definitions (as images when an image uses them), autolinks,
    and every string of the metadata (options that name files as files, the rest as links).
    """
    image_labels = {(second or first).strip().lower() for path in files for _, line in _lines(path)
                    for first, second in IMAGE_REFERENCE.findall(line)}
    for path in files:
        for number, line in _lines(path):
            for target in LINK.findall(line):
                gate(_unbracket(target), root=root, source=path, line=number, kind="link")
            for target in AUTOLINK.findall(line):
                gate(target, root=root, source=path, line=number, kind="link")
            for label, target in REFERENCE.findall(line):
                kind = "source" if label.strip().lower() in image_labels else "link"
                gate(_unbracket(target), root=root, source=path, line=number, kind=kind)
    report = files[0]
    metadata, text = read_metadata(report)
    for keys, value, kind in metadata_targets(metadata):
        line = yaml_line(text, list(keys))
        gate(value, root=root, source=report, line=line + 1 if line else None, kind=kind)


def missing_assets(files: list[Path], root: Path) -> list[tuple[Path, int, str]]:
    """Return (file, line, path) for every image or photo a source refers to that does not exist."""
    return [(path, number, target) for path, number, target, found in _assets(files, root) if not found]


def image_problem(image: Path) -> str | None:
    """Return why ``image`` cannot be read as an image, or None if it can."""
    head = image.read_bytes()[:512]
    if image.suffix.lower() == ".svg":
        return None if b"<svg" in image.read_bytes() else "no <svg> element"
    if image.suffix.lower() == ".pdf":
        return None if head.startswith(b"%PDF-") else "not a PDF file"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(image) as picture:
            picture.verify()  # the header and, for PNG, the chunks' checksums
        with Image.open(image) as picture:
            # Decoded in full: a file cut short (a JPEG with a third of its bytes) has a sound header
            # and would print blank where its missing rows are.
            picture.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        return str(exc).replace(str(image), image.name) or type(exc).__name__
    return None


def check_images(files: list[Path], root: Path) -> None:
    """Raise DocumentError for the first image file that exists but cannot be decoded."""
    for path, number, target, found in _assets(files, root):
        for image in found:
            problem = image_problem(image)
            if problem:
                raise DocumentError(path.relative_to(root), f"image {target} cannot be read: {problem}",
                                    f"save {image.relative_to(root)} again as a JPEG, PNG or SVG file",
                                    line=number)


def check_document(config: dict[str, Any], *, root: Path, keys: set[str] | None = None) -> None:
    """Raise DocumentError at the first broken reference; warn (draft) or fail (release) on missing assets.

    ``keys`` are the bibliography's keys when the bibliography check has already
    parsed it (the workflow's check_bibliography rule); otherwise it is parsed here.
    """
    report = root / config["report"]
    files = list(source_files(report, root))
    check_targets(files, root)
    check_images(files, root)
    variables_file = root / "_variables.yml"
    variables = json.loads(variables_file.read_text(encoding="utf-8")) if variables_file.exists() else {}
    labels = {label for path in files for _, line in _lines(path) for label in LABEL.findall(line)}
    if keys is None:
        keys = set(parse(root / config["bibliography"]).entries)
    for path in files:
        for number, line in _lines(path):
            for key in VAR.findall(line):
                if _lookup(variables, key) is None:
                    raise DocumentError(path, f"{{{{< var {key} >}}}}: no such variable",
                                        "use a key from _variables.yml (written from data/ by the workflow)",
                                        line=number)
            for ref in CROSSREF.findall(line):
                if ref not in labels:
                    raise DocumentError(path, f"cross-reference @{ref} has no target",
                                        f"label a figure or table {{#{ref}}}, or correct the reference",
                                        line=number)
    check_citations(citations_in(files), keys, root / config["bibliography"])
    missing = missing_assets(files, root)
    if missing and config["mode"] == "release":
        listing = "; ".join(f"{p.relative_to(root)}:{n}: {t}" for p, n, t in missing)
        raise DocumentError(report, f"release build: {len(missing)} missing asset(s): {listing}",
                            "add the files, or build in draft mode (placeholders)")
    for path, number, target in missing:
        log.warning("%s:%d: warning: asset %s not found — a placeholder is used (draft build)",
                    path.relative_to(root), number, target)
