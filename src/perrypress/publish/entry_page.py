"""The WordPress entry's content: the HTML edition's article as one Custom HTML block that reads well in any theme.

One ``<!-- wp:html -->`` block (WordPress does not re-paragraph it: pandoc's
line wraps stay spaces, not ``<br />``), the article's own styles scoped to
``.perrypress-paper``, no H1 (the theme prints the entry's title), every
``data:`` image and citation download replaced by an uploaded file, links to
the editions and the data files pointing at the uploads, the words it adds in
the paper's language (its label table), the paper's JSON-LD, and a
``perrypress-files`` comment naming the current files and the previous
releases' addresses (for the perrypress-editions mu-plugin's redirects).
No script of the article's own: its ``<script>`` and ``<style>`` elements go,
and so does any event handler or script URL that slipped past the document
check (publish/sanitize.py).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from ..errors import PublishError
from .sanitize import without_script

MARKER = re.compile(r"<!-- perrypress (?P<fields>[^>]*?) -->")
_DATA_IMG = re.compile(r'<img\b(?P<attrs>[^>]*?)\ssrc="(?P<uri>data:[^"]*)"(?P<rest>[^>]*)>', re.S)
_CITE_LINK = re.compile(r'<a class="cite-download" href="(?P<uri>data:[^"]*)" download="(?P<name>[^"]*)"')
FILES = re.compile(r"<!-- perrypress-files (?P<json>\{.*?\}) -->", re.S)
_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}

# The article's styles, scoped to the entry's wrapper: nothing leaks into the theme, and nothing is wider than
# the theme's column.
STYLE = """<style>
.perrypress-paper { overflow-wrap: break-word; }
.perrypress-paper img { max-width: 100%; height: auto; }
.perrypress-paper figure { margin: 1.5em 0; max-width: 100%; }
.perrypress-paper figcaption { font-size: 0.9em; }
.perrypress-paper .photo-credit, .perrypress-paper .data-note { font-size: 0.85em; }
.perrypress-paper .table-scroll { overflow-x: auto; max-width: 100%; }
.perrypress-paper table { border-collapse: collapse; width: 100%; }
.perrypress-paper th, .perrypress-paper td { border-bottom: 1px solid currentColor; padding: 0.3em 0.5em;
  text-align: left; vertical-align: top; }
.perrypress-paper pre { white-space: pre-wrap; overflow-x: auto; }
.perrypress-paper .actions { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5em 1.5em; }
.perrypress-paper .series-line span, .perrypress-paper .series-line time { margin-right: 0.5em; }
.perrypress-paper .footnotes { font-size: 0.9em; }
</style>"""


@dataclass(frozen=True)
class Image:
    """An image inlined in the HTML edition (a ``data:`` URI), to be uploaded: its bytes, name and alt text."""

    key: str  # "photo:<sha256[:12]>" or "figure:<slug>"
    name: str
    data: bytes
    alt: str


@dataclass(frozen=True)
class Citation:
    """A citation download of the HTML edition (BibTeX, RIS): the name it saves as and its bytes."""

    key: str  # "cite:bib", "cite:ris"
    name: str  # the download name, e.g. key.bib
    data: bytes


def citations(body: str) -> list[Citation]:
    """The article's citation downloads (``data:`` links with a ``download`` name), to be uploaded."""
    found = []
    for match in _CITE_LINK.finditer(body):
        name = html.unescape(match.group("name"))
        _, data = _decode(html.unescape(match.group("uri")))
        found.append(Citation(key=f"cite:{name.rpartition('.')[2]}", name=name, data=data))
    return found


def article_of(page: str) -> str:
    """The ``<article>`` of the HTML edition."""
    match = re.search(r"<article\b.*?</article>", page, flags=re.S)
    if not match:
        raise PublishError("index.html: no <article> in the HTML edition — rebuild the bundle")
    return match.group(0)


def _attr(attrs: str, name: str) -> str:
    match = re.search(rf'\s{name}="([^"]*)"', " " + attrs)
    return html.unescape(match.group(1)) if match else ""


def _decode(uri: str) -> tuple[str, bytes]:
    """The media type and bytes of a ``data:`` URI."""
    head, _, payload = uri.partition(",")
    kind = head[5:].split(";")[0] or "text/plain"
    data = base64.b64decode(payload) if head.endswith(";base64") else unquote_to_bytes(payload)
    return kind, data


def inline_images(body: str, figures: list[str]) -> list[Image]:
    """The article's ``data:`` images: Figure N's (by its ``fig-<slug>`` id) and the photographs, in order."""
    found: list[Image] = []
    for match in _DATA_IMG.finditer(body):
        attrs = match.group("attrs") + match.group("rest")
        alt = _attr(attrs, "alt") or _attr(attrs, "aria-label")
        opened = body.rfind("<figure", 0, match.start())
        own = re.match(r'<figure id="fig-([^"]+)"', body[opened:]) if opened >= 0 else None
        closed = body.find("</figure>", opened) if opened >= 0 else -1
        slug = own.group(1) if own and closed > match.start() else None
        if slug in figures:
            found.append(Image(key=f"figure:{slug}", name="", data=b"", alt=alt))
            continue
        kind, data = _decode(match.group("uri"))
        digest = hashlib.sha256(data).hexdigest()
        found.append(Image(key=f"photo:{digest[:12]}", name=f"photograph{_TYPES.get(kind, '.bin')}",
                           data=data, alt=alt))
    return found


def content(page: str, *, links: dict[str, str], images: dict[str, str], figures: list[str],
            json_ld: str, marker: str, labels: dict[str, Any], data: dict[str, str] | None = None,
            cites: dict[str, str] | None = None, files: dict[str, Any] | None = None) -> str:
    """The entry's content: one Custom HTML block with ``marker``, the styles, the article and the JSON-LD.

    ``links`` maps the bundle's relative links (editions, data files) to their uploads; ``images`` maps the
    image keys of :func:`inline_images` to their uploads; ``data`` the data files (name → upload), listed at the
    end under the paper's ``labels``; ``cites`` the citation downloads (name → upload); ``files`` the
    ``perrypress-files`` record (current files by key, previous addresses → key).
    """
    body = article_of(page)
    body = re.sub(r"<(script|style)\b.*?</\1>", "", body, flags=re.S | re.I)
    # One H1 on the page, the theme's: the article starts below the title (and the subtitle the title carries).
    body = re.sub(r"<h1\b[^>]*>.*?</h1>\s*", "", body, count=1, flags=re.S)
    body = re.sub(r'<p class="subtitle">.*?</p>\s*', "", body, count=1, flags=re.S)
    body = re.sub(r"^<article\b[^>]*>", '<div class="paper">', body).removesuffix("</article>") + "</div>"
    # The citation's downloads are data: URIs, which a site may rewrite: they point at uploads (a text file the
    # site accepts; the link's download attribute keeps the .bib/.ris name), or go (the text is shown above them).
    def cite(match: re.Match[str]) -> str:
        name = html.unescape(match.group("name"))
        if name not in (cites or {}):
            raise PublishError(f"index.html: the citation download {name} has no upload — this is a perrypress bug")
        return f'<a class="cite-download" href="{html.escape((cites or {})[name])}" download="{match.group("name")}"'

    if cites is None:
        body = re.sub(r'<p><a class="cite-download" href="data:[^"]*"[^>]*>.*?</a></p>\s*', "", body, flags=re.S)
    body = _CITE_LINK.sub(cite, body)
    keys = iter(inline_images(body, figures))

    def swap(match: re.Match[str]) -> str:
        image = next(keys)
        attrs = re.sub(r'\s(alt|aria-label)="[^"]*"', "", match.group("attrs") + match.group("rest"))
        attrs = attrs.rstrip().removesuffix("/").rstrip()
        return f'<img{attrs} src="{html.escape(images[image.key])}" alt="{html.escape(image.alt)}">'

    body = _DATA_IMG.sub(swap, body)
    for name, url in links.items():
        body = body.replace(f'href="{name}"', f'href="{html.escape(url)}"')
    body = re.sub(r"(<table\b.*?</table>)", r'<div class="table-scroll">\1</div>', body, flags=re.S)
    if data:
        items = "\n".join(f'<li><a href="{html.escape(url)}">{html.escape(name)}</a></li>' for name, url in data.items())
        body += (f'\n<section class="data-files" aria-labelledby="data-files-title">\n<h2 id="data-files-title">'
                 f'{html.escape(labels["data"])}</h2>\n<p>{html.escape(labels["data-files"])}</p>\n<ul>\n{items}\n'
                 "</ul>\n</section>")
    # The uploads' addresses are the site's answers: the article is read once more as it will be published.
    body = without_script(body, where="the entry's article")
    left = re.findall(r'(?:src|href)="(data:[^"]{0,40})', body)
    if left:
        raise PublishError(f"index.html: {len(left)} data: links left in the article ({left[0]}…) — "
                           "this is a perrypress bug")
    parts = ["<!-- wp:html -->", f"<!-- perrypress {marker} -->"]
    if files is not None:
        parts.append(files_comment(files))
    return "\n".join([*parts, STYLE, json_ld, f'<div class="perrypress-paper">\n{body}\n</div>', "<!-- /wp:html -->"])


def files_comment(files: dict[str, Any]) -> str:
    """The ``perrypress-files`` comment: JSON with no ``>`` in it, so the comment cannot end early."""
    text = json.dumps(files, sort_keys=True, ensure_ascii=True, separators=(",", ":")).replace(">", "\\u003e")
    return f"<!-- perrypress-files {text} -->"


def files_of(text: str) -> dict[str, Any]:
    """The ``perrypress-files`` record of an entry's content ({"current": {}, "previous": {}} when there is none)."""
    match = FILES.search(text or "")
    found = json.loads(match.group("json")) if match else {}
    return {"current": dict(found.get("current") or {}), "previous": dict(found.get("previous") or {})}


def marker_fields(text: str) -> dict[str, str]:
    """The ``key=value`` pairs of the perrypress marker in an entry's content ({} when there is none)."""
    match = MARKER.search(text or "")
    return dict(p.split("=", 1) for p in match.group("fields").split() if "=" in p) if match else {}


def without_marker(text: str) -> str:
    """The content without its perrypress marker (what the marker's digest is taken of)."""
    return MARKER.sub("<!-- perrypress -->", text or "", count=1)
