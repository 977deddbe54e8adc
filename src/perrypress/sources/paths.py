"""Keep the build inside the project: the one gate that decides whether a path or URL written in a source may be read.

Three kinds of target, as the sources write them:

- ``source``: a file a step reads, as the paper's text names it (an image, a photo, an include):
  a leading ``/`` is the project root (Quarto's convention), anything else is relative to ``base``;
- ``option``: a file an option in report.qmd's metadata names (bibliography, csl, css, template, …):
  read as written, so an absolute path is refused as well;
- ``link``: a link target, which no step reads: only a ``file:`` URL (a file on the build machine) is refused.

Whatever the kind, a target may not run script in a reader's browser: a ``javascript:`` or
``vbscript:`` URL, or a ``data:`` URL that is not an image, is refused, its scheme read as a browser
reads it (whitespace and control characters dropped, any case, entity and percent escapes
decoded). :func:`attribute_refusal` is the same gate for the attributes a source writes on an
element: no event handler (``on…``), no ``style``, no script URL in ``href``, ``src`` and the like.

The rules are lexical (percent and entity escapes and backslashes included), identical to
``project.refusal`` in editions/pandoc/filters/lib/project.lua, which the Lua filters
apply to the whole document before any edition picks its content; :func:`gate` then
also resolves symlinks. Remote files (``http:``, ``https:``) are refused too: a build
is offline, and --embed-resources would fetch them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

from ..errors import DocumentError, SourceError, line_of

FIX = "keep every source inside the project folder: copy the file in and refer to it there"
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
KINDS = ("source", "option", "link")

# Script and styling. A browser drops tabs and newlines anywhere in a URL, and spaces and control characters
# around it, before it reads the scheme: all of them are dropped here, so "java script:" is refused too.
IGNORED = re.compile(r"[\x00-\x20\x7f]")
SCRIPT_SCHEMES = ("javascript", "vbscript")
RUNS_SCRIPT = "runs script in the reader's browser"
HANDLER = f"is an event handler, which {RUNS_SCRIPT}"
SRCDOC = f"is a page of its own, which {RUNS_SCRIPT}"
DATA_URL = "is a data: URL that is neither an image nor a plain-text download"
# What a data: URL may hold: what a browser shows as an image or saves as a file, never runs as a page (the
# HTML edition's "Cite this paper" downloads are BibTeX and RIS data: URLs). The same list in lib/project.lua.
DATA_KINDS = ("image/", "text/plain", "text/csv", "application/x-bibtex", "application/x-research-info-systems")
STYLE = "sets the page's look from the text"
HANDLER_FIX = "remove the attribute: a source carries no script"
SCRIPT_FIX = "link to a web page (https://…) or to a part of the paper (#id) instead: a source carries no script"
DATA_FIX = ("link to a web page (https://…) instead: only an image (data:image/…) or a plain-text download "
            "(text/plain, text/csv, BibTeX, RIS) may be written as a data: URL")
STYLE_FIX = ("use a class the house stylesheet defines (src/perrypress/editions/pandoc/html/perry.css), "
             "or ask for one: the editions' look lives in the templates")
ELEMENT = "can run script or change the page around the text"
ELEMENT_FIX = "remove it: write the paper in Markdown; the editions' layout and script live in the templates"
# Raw HTML elements that run script, hold another document, or restyle or redirect the whole page
# (SVG's animation elements can set an event handler or a link's href).
ELEMENTS = frozenset({
    "animate", "animatemotion", "animatetransform", "applet", "base", "embed", "fencedframe", "frame", "frameset",
    "handler", "iframe", "link", "listener", "meta", "object", "portal", "script", "set", "style",
})
# Attributes whose value a browser (or pandoc's --embed-resources) loads, checked as images are; and those it
# follows, checked as links are (HTML, SVG, MathML; any `…:href` too).
LOADED_ATTRIBUTES = frozenset({"background", "data", "dynsrc", "lowsrc", "poster", "src", "srcset"})
FOLLOWED_ATTRIBUTES = frozenset({"action", "archive", "cite", "classid", "codebase", "formaction", "href", "icon",
                                 "longdesc", "manifest", "ping", "profile", "usemap"})

# A metadata key whose value is an address (`url`, `canonical-url`, `href`, `homepage`…); the same in lib/project.lua.
URL_KEY = re.compile(r"(url|uri|href|link|src|homepage|website)s?$", re.IGNORECASE)

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


def _spellings(target: str) -> list[str]:
    """``target`` as written, percent-decoded, entity-decoded (as pandoc and a browser read it), and both."""
    entities = html.unescape(target)
    return list(dict.fromkeys((target, _decoded(target), entities, _decoded(entities))))


def _scheme(text: str) -> str:
    """The scheme of URL ``text`` in lower case as a browser reads it ('' for none)."""
    scheme = SCHEME.match(IGNORED.sub("", text))
    return scheme.group(1).lower() if scheme else ""


def runs_script(url: str) -> bool:
    """Whether a browser runs ``url`` as script (javascript:, vbscript:), in any spelling (percent or entity escapes)."""
    return any(_scheme(text) in SCRIPT_SCHEMES for text in _spellings(url))


def data_kind_allowed(rest: str) -> bool:
    """Whether a data: URL's media type (``rest``: what follows ``data:``) is one of :data:`DATA_KINDS`."""
    kind = re.split(r"[;,]", rest.lower(), maxsplit=1)[0]
    return kind.startswith("image/") or kind in DATA_KINDS


def _script_refusal(text: str) -> str | None:
    """Why a browser would run ``text`` as script (or read it as a non-image data: URL), or None."""
    name = _scheme(text)
    if name in SCRIPT_SCHEMES:
        return f"is a {name}: URL, which {RUNS_SCRIPT}"
    if name == "data" and not data_kind_allowed(IGNORED.sub("", text)[5:]):
        return DATA_URL
    return None


def fix_of(reason: str) -> str:
    """How to fix what :func:`refusal` or :func:`attribute_refusal` refused, given its reason."""
    if reason.endswith(ELEMENT):
        return ELEMENT_FIX
    if reason.endswith((HANDLER, SRCDOC)):
        return HANDLER_FIX
    if reason.endswith(RUNS_SCRIPT):
        return SCRIPT_FIX
    if reason.endswith(DATA_URL):
        return DATA_FIX
    if reason.endswith(STYLE):
        return STYLE_FIX
    return FIX


def _refusal(text: str, kind: str, base: str) -> str | None:
    text = text.replace("\\", "/")
    if "\0" in text:
        return "contains a NUL character"
    script = _script_refusal(text)
    if script:
        return script
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

    Checked as written, with its percent-escapes decoded, with its entity escapes decoded (as pandoc reads a
    Markdown link and a browser an attribute) and with both: any refusing refuses.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    for text in _spellings(target.strip()):
        reason = _refusal(text, kind, base)
        if reason:
            return reason
    return None


def url_attribute(name: str) -> str | None:
    """The kind of target attribute ``name`` holds ('source': loaded; 'link': followed), or None: not a URL."""
    key = name.lower()
    return "source" if key in LOADED_ATTRIBUTES else "link" if key in FOLLOWED_ATTRIBUTES or key.endswith(":href") \
        else None


def attribute_refusal(name: str, value: str, base: str = "") -> str | None:
    """Why attribute ``name`` with ``value`` may not be written on a source's element (a Quarto ``{…}`` or raw HTML).

    Refused: an event handler (``on…``, any case), ``style`` (the house styles live in the templates:
    a source could cover the page), ``srcdoc`` (a document of its own), and in an attribute a browser
    loads (``src``, ``poster``, …) or follows (``href``, ``action``, ``xlink:href``, …) what :func:`refusal`
    refuses in an image or a link: a script or non-image ``data:`` URL, a ``file:`` URL, a loaded file
    outside the project. ``base`` is the folder of the file it is written in.
    """
    key = name.lower()
    if key.startswith("on"):
        return f"attribute {name} {HANDLER}"
    if key == "style":
        return f"attribute {name} {STYLE}"
    if key == "srcdoc":
        return f"attribute {name} {SRCDOC}"
    kind = url_attribute(key)
    if kind:
        urls = [(part.split() or [""])[0] for part in value.split(",")] if key == "srcset" else [value]
        for url in urls:
            reason = refusal(url, kind, base)
            if reason:
                return f"attribute {name} {reason}"
    return None


def element_refusal(tag: str) -> str | None:
    """Why a raw HTML element ``tag`` may not be written in a source (``<script>``, ``<style>``, ``<iframe>``, …)."""
    return f"raw HTML element <{tag}> {ELEMENT}" if tag.lower() in ELEMENTS else None


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
            raise error(shown, f"{target!r} {reason}", fix_of(reason), line=line)
    written = target.strip()
    if kind == "link" or SCHEME.match(written.replace("\\", "/")):
        return None
    found = None
    for text in _spellings(written):
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

    Outside option keys only one-word strings are links (prose may begin "File: …" or "Data: …"), as in
    inside-project.lua, and every string under a key that names an address (``url``, ``canonical-url``,
    ``href``, …: :data:`URL_KEY`), which a template may put in an ``href`` whatever its spaces.
    """
    if isinstance(data, dict):
        for key, value in data.items():
            yield from metadata_targets(value, (*keys, key), option or str(key) in OPTION_KEYS)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from metadata_targets(value, (*keys, index), option)
    elif isinstance(data, (str, int, float)) and not isinstance(data, bool):
        text = str(data)
        named = next((str(key) for key in reversed(keys) if isinstance(key, str)), "")
        if option or not re.search(r"\s", text.strip()) or URL_KEY.search(named):
            yield keys, text, "option" if option else "link"
