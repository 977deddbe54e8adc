"""Keep the build inside the project: the one gate that decides whether a path or URL written in a source may be read.

Three kinds of target, as the sources write them:

- ``source``: a file a step reads, as the paper's text names it (an image, a photo, an include):
  a leading ``/`` is the project root (Quarto's convention), anything else is relative to ``base``;
- ``option``: a file an option in report.qmd's metadata names (bibliography, csl, css, template, …):
  read as written, so an absolute path is refused as well;
- ``link``: a link target, which no step reads: only a ``file:`` URL (a file on the build machine) is refused.

The rules are lexical (percent-escapes and backslashes included), identical to
``project.refusal`` in editions/pandoc/filters/lib/project.lua, which the Lua filters
apply to the whole document before any edition picks its content; :func:`gate` then
also resolves symlinks. Remote files (``http:``, ``https:``) are refused too: a build
is offline, and --embed-resources would fetch them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

from ..errors import DocumentError, SourceError, line_of

FIX = "keep every source inside the project folder: copy the file in and refer to it there"
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
KINDS = ("source", "option", "link")

# Every option pandoc, Quarto or Typst reads a file (or fetches a URL) from when report.qmd's metadata
# names it, at any depth (Quarto's `format: {html: {css: …}}`); the same list is in lib/project.lua.
OPTION_KEYS = frozenset({
    "abbreviations", "bibliography", "brand", "citation-abbreviations", "cover-image", "csl", "css",
    "data-dir", "dialect", "epub-cover-image", "epub-fonts", "epub-metadata", "extract-media", "favicon",
    "filters", "font-paths", "format-resources", "header-includes-file", "highlight-style", "html-math-method",
    "image", "include-after-body", "include-before-body", "include-in-header", "katex", "logo", "lua-filter",
    "mathjax", "metadata-file", "metadata-files", "pdf-engine", "reference-doc", "resource-path", "resources",
    "revealjs-url", "shortcodes", "syntax-definition", "syntax-definitions", "template", "template-partials",
    "webtex",
})


def _decoded(target: str) -> str:
    """``target`` with its percent-escapes decoded, as pandoc decodes a local path before reading it."""
    return unquote_to_bytes(target).decode("utf-8", "surrogateescape")


def _refusal(text: str, kind: str, base: str) -> str | None:
    text = text.replace("\\", "/")
    if "\0" in text:
        return "contains a NUL character"
    scheme = SCHEME.match(text)
    if scheme:
        name = scheme.group(1).lower()
        if name == "file":
            return "is a file: URL, a file on the build machine"
        if kind == "link" or name == "data":
            return None
        if len(name) == 1:
            return "is an absolute (Windows drive) path outside the project folder"
        if name in ("http", "https"):
            return "is a remote file: a build is offline and reads only the project's files"
        return f"is a {name}: URL, not a file in the project"
    if kind == "link":
        return None
    if text.startswith("~"):
        return "names a home folder outside the project folder"
    if text.startswith("/"):
        if kind == "option":
            return "is an absolute path: name it relative to the project folder"
        text = text.lstrip("/")
    else:
        text = f"{base}/{text}"
    depth = 0
    for part in text.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return "resolves outside the project folder"
        elif part not in ("", "."):
            depth += 1
    return None


def refusal(target: str, kind: str = "source", base: str = "") -> str | None:
    """Why ``target`` (of ``kind``, written in a file in project folder ``base``) may not be read, or None.

    Checked as written and with its percent-escapes decoded: either refusing refuses.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    target = target.strip()
    for text in dict.fromkeys((target, _decoded(target))):
        reason = _refusal(text, kind, base)
        if reason:
            return reason
    return None


def inside_root(path: Path, root: Path, *, source: Path, target: str, line: int | None = None,
                error: type[SourceError] = DocumentError) -> Path:
    """Return ``path`` if it resolves (after ``..`` and symlinks) inside ``root``; else raise ``error`` at source:line."""
    if not path.resolve().is_relative_to(root.resolve()):
        raise error(source, f"{target!r} resolves outside the project folder ({path.resolve()})", FIX,
                    line=line if line is not None else line_of(source, target))
    return path


def gate(target: str, *, root: Path, source: Path, line: int | None, kind: str = "source",
         from_file: bool = False, error: type[SourceError] = DocumentError) -> Path | None:
    """Raise ``error`` at source:line unless ``target`` may be read; return the file it names (None: not a file).

    ``source`` is the file the target is written in (absolute, or relative to ``root``). A relative
    ``source`` target is read from that file's folder only when ``from_file`` (an include); else from
    the project root (what pandoc and Typst read) and from the file's folder (Quarto's reading) both.
    The lexical rules of :func:`refusal`, then every file the target can mean, as written and
    decoded, must resolve inside the root, symlinks followed.
    """
    path = source if source.is_absolute() else root / source
    shown = path.relative_to(root) if path.is_relative_to(root) else source
    folder = shown.parent.as_posix().strip(".") if not shown.is_absolute() else ""
    bases = [folder] if from_file else list(dict.fromkeys(["", folder])) if kind == "source" else [""]
    for base in bases:
        reason = refusal(target, kind, base)
        if reason:
            raise error(shown, f"{target!r} {reason}", FIX, line=line)
    written = target.strip()
    if kind == "link" or SCHEME.match(written.replace("\\", "/")):
        return None
    found = None
    for text in dict.fromkeys((written, _decoded(written))):
        text = text.replace("\\", "/")
        if text.startswith("/"):
            candidates = [root / text.lstrip("/")]
        else:
            candidates = [root / base / text for base in bases]
        for candidate in candidates:
            inside_root(candidate, root, source=shown, target=target, line=line, error=error)
        found = found or candidates[-1]
    return found


def metadata_targets(data: Any, keys: tuple[Any, ...] = (), option: bool = False
                     ) -> Iterator[tuple[tuple[Any, ...], str, str]]:
    """Yield (keys, text, kind) for every string in metadata: ``option`` under an option key, else ``link``.

    Outside option keys only one-word strings are links (prose may begin "File: …"), as in inside-project.lua.
    """
    if isinstance(data, dict):
        for key, value in data.items():
            yield from metadata_targets(value, (*keys, key), option or str(key) in OPTION_KEYS)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from metadata_targets(value, (*keys, index), option)
    elif isinstance(data, (str, int, float)) and not isinstance(data, bool):
        text = str(data)
        if option or not re.search(r"\s", text.strip()):
            yield keys, text, "option" if option else "link"
