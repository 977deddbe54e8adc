"""Check the paper's text before rendering: includes, variables, cross-references, citations, assets."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import DocumentError, SourceError, did_you_mean, raise_all
from .bibliography import check_citations, check_known, citations_in, parse
from .config import yaml_line
from .metadata import read_metadata
from .glyphs import check_glyphs
from .markup import markup_errors
from .paths import gate, metadata_targets
from .utf8 import read_source

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
# What a raster image's extension says it is (Pillow's names for the formats).
SUFFIX_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP"}
# An identifier in an attribute block ({#sec-x}, {#tbl-y .class}), and where an image's attributes start.
IDENTIFIER = re.compile(r"\{#([A-Za-z][\w:.-]*)")


def _unbracket(target: str) -> str:
    """A Markdown link target without its optional angle brackets."""
    return target[1:-1] if target.startswith("<") and target.endswith(">") else target


TABLE_INCLUDE = re.compile(r"^/?_build/tables/([^/]+)\.md$")


def missing_include(target: str, *, report: Path, line: int, tables: list[str] | None = None) -> DocumentError:
    """The error for an include whose file is missing: a table not declared, or a file not written."""
    table = TABLE_INCLUDE.match(target)
    if table and tables is not None and table.group(1) not in tables:
        slug = table.group(1)
        return DocumentError(report, f"table {slug!r} is not declared",
                             f"{did_you_mean(slug, tables)}declare it under `tables:` in config/config.yaml "
                             f"(perrypress add table data/{slug}.csv), or correct the name", line=line)
    if table:
        return DocumentError(report, f"included table {target!r} is not written yet",
                             "build with `perrypress build`, which writes it from its declaration", line=line)
    return DocumentError(report, f"included file {target!r} not found", "create it, or correct the path", line=line)


def source_files(report: Path, root: Path, _depth: int = 0, *, tables: list[str] | None = None,
                 errors: list[SourceError] | None = None) -> Iterator[Path]:
    """Yield ``report`` and every file it includes, depth first, in order.

    A missing file is raised at once, or added to ``errors`` (and skipped) when a list is given.
    """
    yield report
    for number, line in enumerate(read_source(report).splitlines(), start=1):
        for target in INCLUDE.findall(line):
            path = gate(target, root=root, source=report, line=number, from_file=True)
            if path is None or not path.exists():
                error = missing_include(target, report=report, line=number, tables=tables)
                if errors is None:
                    raise error
                errors.append(error)
                continue
            if _depth > 16:
                raise DocumentError(report, "includes nest too deep", "look for a file that includes itself",
                                    line=number)
            yield from source_files(path, root, _depth + 1, tables=tables, errors=errors)


def _lookup(variables: dict[str, Any], key: str) -> Any:
    node: Any = variables
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return None if isinstance(node, dict) else node


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    yield from enumerate(read_source(path).splitlines(), start=1)


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
    """Raise DocumentError (SourceErrors when several) for every path or URL, in the text or report.qmd's metadata,
    that leaves the project or runs script, and every attribute or raw HTML element that carries script or styling.

    The text's links, reference definitions (as images when an image uses them), autolinks, images and
    photos, every string of the metadata (options that name files as files, the rest as links), and the
    attributes and raw HTML of :mod:`.markup`.
    """
    errors: list[SourceError] = list(markup_errors(files, root))

    def check(target: str, source: Path, line: int | None, kind: str) -> None:
        try:
            gate(target, root=root, source=source, line=line, kind=kind)
        except SourceError as error:
            errors.append(error)

    image_labels = {(second or first).strip().lower() for path in files for _, line in _lines(path)
                    for first, second in IMAGE_REFERENCE.findall(line)}
    for path in files:
        for number, line in _lines(path):
            for target in LINK.findall(line):
                check(_unbracket(target), path, number, "link")
            for target in AUTOLINK.findall(line):
                check(target, path, number, "link")
            for label, target in REFERENCE.findall(line):
                kind = "source" if label.strip().lower() in image_labels else "link"
                check(_unbracket(target), path, number, kind)
            for target in [_unbracket(t) for t in IMAGE.findall(line)] + PHOTO.findall(line):
                check(target, path, number, "source")
    report = files[0]
    metadata, text = read_metadata(report)
    for keys, value, kind in metadata_targets(metadata):
        line = yaml_line(text, list(keys))
        check(value, report, line + 1 if line else None, kind)
    raise_all(sorted(errors, key=lambda error: (str(error.path), error.line or 0)))


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
            kind = picture.format
            picture.verify()  # the header and, for PNG, the chunks' checksums
        with Image.open(image) as picture:
            # Decoded in full: a file cut short (a JPEG with a third of its bytes) has a sound header
            # and would print blank where its missing rows are.
            picture.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        return str(exc).replace(str(image), image.name) or type(exc).__name__
    expected = SUFFIX_FORMATS.get(image.suffix.lower())
    if expected and kind != expected:  # Typst reads a file by its name's extension
        return f"it is a {kind} file named {image.suffix}"
    return None


def check_images(files: list[Path], root: Path) -> list[SourceError]:
    """An error for each image file that exists but cannot be decoded, or whose name says another format."""
    errors: list[SourceError] = []
    for path, number, target, found in _assets(files, root):
        for image in found:
            problem = image_problem(image)
            if problem:
                fix = (f"rename it to match (and the reference), or save it again as {image.suffix}"
                       if problem.startswith("it is a ") else
                       f"save {image.relative_to(root)} again as a JPEG, PNG or SVG file")
                errors.append(DocumentError(path.relative_to(root), f"image {target} cannot be read: {problem}",
                                            fix, line=number))
    return errors


def _attributes(line: str, end: int) -> str:
    """The attribute block ``{…}`` that follows an image's ``(target)`` ending at or after ``end`` (or "")."""
    close = line.find(")", end)
    if close < 0 or not line.startswith("{", close + 1):
        return ""
    depth = 0
    for at in range(close + 1, len(line)):  # shortcodes ({{< var … >}}) nest braces
        depth += {"{": 1, "}": -1}.get(line[at], 0)
        if depth == 0:
            return line[close + 1:at + 1]
    return line[close + 1:]


def check_alt_text(files: list[Path]) -> list[SourceError]:
    """An error for each image without alt text (``fig-alt`` or ``alt``): PDF/UA requires it, and screen readers
    read it in every edition. Photo blocks need their ``alt``."""
    errors: list[SourceError] = []
    for path in files:
        for number, line in _lines(path):
            for match in IMAGE.finditer(line):
                if not re.search(r'\b(?:fig-)?alt="[^"]*\S', _attributes(line, match.end())):
                    errors.append(DocumentError(path, f"image {_unbracket(match.group(1))} has no alt text",
                                                'add {fig-alt="…"} after it, saying what it shows', line=number))
            if PHOTO.search(line) and not re.search(r'\balt="[^"]*\S', line):
                errors.append(DocumentError(path, f"photo {PHOTO.search(line).group(1)} has no alt text",
                                            'add alt="…" to its block, saying what it shows', line=number))
    return errors


def check_identifiers(files: list[Path], root: Path) -> list[SourceError]:
    """An error for each identifier ({#…}) given twice: a link, a cross-reference or the contents would
    go to either. A table's generated include (_build/tables/) is named by its table."""
    seen: dict[str, list[tuple[Path, int]]] = {}
    for path in files:
        for number, line in _lines(path):
            for name in IDENTIFIER.findall(line):
                seen.setdefault(name, []).append((path, number))

    def where(path: Path, number: int) -> str:
        table = TABLE_INCLUDE.match(path.relative_to(root).as_posix()) if path.is_relative_to(root) else None
        shown = path.relative_to(root) if path.is_relative_to(root) else path
        return f"table {table.group(1)} (config/config.yaml)" if table else f"{shown}:{number}"

    errors: list[SourceError] = []
    for name, places in seen.items():
        if len(places) < 2:
            continue
        authored = [p for p in places if not where(*p).startswith("table ")] or places
        path, number = authored[-1]
        others = ", ".join(where(*p) for p in places if p != (path, number))
        errors.append(DocumentError(path, f"identifier #{name} is already used at {others}",
                                    "give one of them another name (and update its cross-references)",
                                    line=number))
    return errors


def _variable_keys(variables: dict[str, Any], prefix: str = "") -> list[str]:
    """Every key of the variables tree, dotted ('stats.sa_women.pct')."""
    keys = []
    for name, value in variables.items():
        key = f"{prefix}{name}"
        keys += _variable_keys(value, key + ".") if isinstance(value, dict) else [key]
    return keys


def check_document(config: dict[str, Any], *, root: Path, keys: set[str] | None = None,
                   variables: bool = True) -> None:
    """Raise DocumentError for every broken reference (all of them, SourceErrors when several); warn (draft) or
    fail (release) on missing assets.

    ``keys`` are the bibliography's keys when the bibliography check has already
    parsed it (the workflow's check_bibliography rule); otherwise it is parsed here.
    ``variables``: False skips the ``{{< var >}}`` check (when _variables.yml may be stale).
    """
    report = root / config["report"]
    errors: list[SourceError] = []
    files = list(source_files(report, root, tables=list(config.get("tables") or {}), errors=errors))
    try:
        check_targets(files, root)
    except SourceError as refused:  # every refusal, before anything reads what a refused target names
        raise_all([*errors, refused])
    errors += check_images(files, root) + check_alt_text(files) + check_identifiers(files, root)
    errors += check_glyphs([*files, root / config["bibliography"]], config)
    variables_file = root / "_variables.yml"
    values = json.loads(variables_file.read_text(encoding="utf-8")) if variables_file.exists() else {}
    labels = {label for path in files for _, line in _lines(path) for label in LABEL.findall(line)}
    declared = [f"tbl-{slug}" for slug in config.get("tables") or {} if (config["tables"][slug] or {}).get(
        "label", True)] + [f"fig-{slug}" for slug in config.get("figures") or {}]
    if keys is None:
        keys = set(parse(root / config["bibliography"]).entries)
    for path in files:
        for number, line in _lines(path):
            for key in VAR.findall(line) if variables else []:
                if _lookup(values, key) is None:
                    errors.append(DocumentError(
                        path, f"{{{{< var {key} >}}}}: no such variable",
                        f"{did_you_mean(key, _variable_keys(values))}use a key of _variables.yml (the numbers "
                        "declared under `variables:` in config/config.yaml)", line=number))
            for ref in CROSSREF.findall(line):
                if ref not in labels and ref not in declared:  # a declared table or figure is its step's to report
                    errors.append(DocumentError(path, f"cross-reference @{ref} has no target",
                                                f"{did_you_mean(ref, sorted(labels | set(declared)))}label a figure "
                                                f"or table {{#{ref}}}, or correct the reference", line=number))
    for citation in citations_in(files):
        try:
            check_known(citation, keys, Path(config["bibliography"]).name)
        except SourceError as error:
            errors.append(error)
    raise_all(errors)
    check_citations(citations_in(files), keys, root / config["bibliography"])
    missing = missing_assets(files, root)
    if missing and config["mode"] == "release":
        listing = "; ".join(f"{p.relative_to(root)}:{n}: {t}" for p, n, t in missing)
        raise DocumentError(report, f"release build: {len(missing)} missing asset(s): {listing}",
                            "add the files, or build in draft mode (placeholders)")
    for path, number, target in missing:
        log.warning("%s:%d: warning: asset %s not found — a placeholder is used (draft build)",
                    path.relative_to(root), number, target)
