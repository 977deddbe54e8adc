"""Write the review: SUMMARY.md (short, for CI and pull requests) and index.html (one self-contained page)."""

from __future__ import annotations

import base64
import html
import re
import textwrap
from pathlib import Path

from .compare import Review
from .links import shown_target
from .textdiff import Piece, word_diff

NO_CHANGES = "No changes in any edition"
FAILED = "Review failed"
MAX_LINES = 60
MAX_ITEMS = 8  # per kind of change in SUMMARY.md; index.html lists them all
WIDTH = 100  # SUMMARY.md's lines are wrapped here
MAX_TEXT = 600  # characters of one inserted or deleted paragraph in SUMMARY.md; index.html has it whole
LONG_VALUE = 8  # words: a longer value (a figure's alt text) is shown as a word diff
LINKS = "Links and alt text"


def _side(side) -> str:
    return f"{side.label} ({side.revision})"


def _escape(text: str) -> str:
    return re.sub(r"([\\`*_~\[\]<>|])", r"\\\1", text)


def markdown_pieces(pieces: list[Piece]) -> str:
    """A word diff in Markdown: ~~deleted~~ and **inserted**; unchanged text too long is shortened away from the
    changes (a paragraph's start before its first change, its end after its last)."""
    marks = {" ": "{}", "-": "~~{}~~", "+": "**{}**"}
    shown = [p for p in pieces if p.text]
    return " ".join(marks[p.kind].format(_escape(_cut(p.text) if p.kind != " " else
                                                 _cut_context(p.text, index > 0, index < len(shown) - 1)))
                    for index, p in enumerate(shown))


def plural(count: int, one: str, many: str) -> str:
    """One count and its noun: "1 note", "3 notes"."""
    return f"{count} {one if count == 1 else many}"


def counts(review: Review) -> list[str]:
    """One phrase per kind of change, e.g. "2 paragraphs changed"."""
    cells = sum(len(t.cells.cells) for t in review.tables if t.cells)
    rows = sum(len(t.cells.added) + len(t.cells.removed) for t in review.tables if t.cells)
    other = sum(t.count for t in review.tables) - cells - rows
    parts = [(len(review.prose), "paragraph", "paragraphs"), (len(review.links), "link", "links"),
             (len(review.alt_texts), "alt text", "alt texts"), (len(review.notes), "note", "notes"),
             (len(review.bibliography), "bibliography entry", "bibliography entries"),
             (cells, "table cell", "table cells"), (rows, "table row", "table rows"),
             (other, "table caption, header, note or source", "table captions, headers, notes or sources"),
             (len(review.variables), "number in the prose", "numbers in the prose"),
             (len(review.figures), "figure", "figures"), (len(review.changed_pages), "PDF page", "PDF pages"),
             (len(review.metadata), "metadata field", "metadata fields"),
             ]
    found = [f"{plural(n, one, many)} changed" for n, one, many in parts if n]
    if review.only:
        found.append(plural(len(review.only), "change", "changes") + " shown only in the DOCX or the PDF")
    editions = ", ".join(review.files)
    return found or [f"the files of the {editions} edition(s) differ, with no difference in their text, tables or pages"]


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT].rsplit(" ", 1)[0] + " …"


def _cut_context(text: str, after_change: bool, before_change: bool) -> str:
    """Unchanged text shortened to MAX_TEXT characters, keeping the words next to the changes around it."""
    if len(text) <= MAX_TEXT or not before_change:
        return _cut(text)
    if not after_change:
        return "… " + text[-MAX_TEXT:].split(" ", 1)[-1]
    half = MAX_TEXT // 2
    return text[:half].rsplit(" ", 1)[0] + " … " + text[-half:].split(" ", 1)[-1]


def wrap(item: str) -> list[str]:
    """One list item as lines of at most WIDTH characters (continuations indented, so Markdown keeps the item)."""
    return textwrap.wrap(item, WIDTH, initial_indent="- ", subsequent_indent="  ", break_long_words=False,
                         break_on_hyphens=False) or ["-"]


def _value(key: str, old: str, new: str, where: list[str]) -> str:
    at = f" (printed at {', '.join(where)})" if where else ""
    if max(len(old.split()), len(new.split())) >= LONG_VALUE:
        return f"`{key}`{at}: {markdown_pieces(_words(old, new))}"
    return f"`{key}`: {old} → {new}{at}"


def _editions(names: list[str]) -> str:
    return " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]


def _table_items(change) -> list[str]:
    if change.kind != "changed":
        return [f"{change.label}: table {change.kind}"]
    items = [f"{change.label}: caption: {markdown_pieces(change.caption)}"] if change.caption else []
    items += [f"{change.label}: header of column {column!r}: {old or '—'} → {new or '—'}"
              for column, old, new in change.header]
    if change.cells:
        items += [f"{change.label}: row “{row}”, column `{column}`: {old} → {new}"
                  for row, column, old, new in change.cells.cells]
        items += [f"{change.label}: row “{row}” added" for row in change.cells.added]
        items += [f"{change.label}: row “{row}” removed" for row in change.cells.removed]
    items += [f"{change.label}: table note {kind}: {markdown_pieces(pieces)}" for kind, pieces in change.notes]
    if change.source:
        items.append(f"{change.label}: source line: {markdown_pieces(change.source)}")
    return items


def _page_items(review: Review) -> list[str]:
    pages = review.pages
    shifted = f" ({'; '.join(pages.shifted)})" if pages.shifted else ""
    items = [f"{pages.count[0]} pages before, {pages.count[1]} after; {pages.unchanged} unchanged{shifted}"]
    for change in pages.changes:
        if change.kind == "inserted":
            items.append(f"page {change.new} inserted")
        elif change.kind == "deleted":
            items.append(f"page {change.old} deleted")
        else:
            where = f"page {change.old}" + (f" (now {change.new})" if change.old != change.new else "")
            words = ([f"~~{_cut(run)}~~" for run in change.deleted[:3]]
                     + [f"**{_cut(run)}**" for run in change.inserted[:3]])
            regions = [f"{plural(change.regions, 'region', 'regions')} of the drawing"] if change.regions else []
            items.append(f"{where} changed: " + "; ".join(words + regions))
    return items


def summary_lines(review: Review) -> list[str]:
    """SUMMARY.md, as lines."""
    lines = [f"# Review of the editions: {_side(review.base)} → {_side(review.head)}", ""]
    if review.failed:
        lines += [f"**{FAILED}**: {' and '.join(_side(side) for side in review.failed)} did not build, so the "
                  "editions were not compared (exit 2).", ""]
        for side in review.failed:
            lines += [f"**Failed build: {_side(side)}**", "", "```", *side.error.splitlines()[:10], "```", ""]
        return lines
    sources = textwrap.wrap("Source files changed (information; the review compares the editions): "
                            + ", ".join(review.sources), WIDTH) if review.sources else []
    if not review.changed:
        return [*lines, *sources, *([""] if sources else []), NO_CHANGES]
    lines += ["; ".join(counts(review)) + ".", ""]
    only_groups = list(dict.fromkeys(tuple(c.editions) for c in review.only))
    sections: list[tuple[str, list[str]]] = [
        ("Prose", [f"{c.section} ({c.kind}{': ' + c.detail if c.detail else ''}"
                   f"{'; only in the ' + _editions(c.editions) + ' editions' if len(c.editions) == 2 else ''}): "
                   f"{markdown_pieces(c.pieces)}" for c in review.prose if len(c.editions) > 1]),
        ("Only in the HTML edition", [f"{c.section} ({c.kind}): {markdown_pieces(c.pieces)}"
                                      for c in review.prose if c.editions == ["HTML"]]),
        *[(f"Only in the {_editions(list(names))} edition{'s' if len(names) > 1 else ''}",
           [_only_item(c) for c in review.only if tuple(c.editions) == names]) for names in only_groups],
        (LINKS, [_link_item(c) for c in review.links] + [_alt_item(c) for c in review.alt_texts]),
        ("Notes", [f"note {_note_numbers(c)} {c.kind}{' in ' + c.section if c.section else ''}: "
                   f"{markdown_pieces(c.pieces)}" for c in review.notes] + list(review.renumbering)),
        ("Bibliography", [f"`{c.key}` {c.kind}: {markdown_pieces(c.pieces)}" for c in review.bibliography]),
        ("Tables", [item for change in review.tables for item in _table_items(change)]),
        ("Numbers in the prose", [_value(*v) for v in review.variables]),
        ("Figures", [f"{f.slug}: {f.share:.3%} of pixels changed" for f in review.figures]
         + ([f"unchanged: {', '.join(review.unchanged_figures)}"] if review.figures and review.unchanged_figures else [])),
        ("PDF pages", _page_items(review) if review.changed_pages or review.pages.count[0] != review.pages.count[1]
         else []),
        ("Metadata and front/back matter", [f"{name}: {markdown_pieces(_words(old, new))}"
                                            for name, old, new in review.metadata]),
        ("Edition files", [f"{', '.join(review.files)}: the files differ"]),
    ]
    for title, items in sections:
        if items:
            shown = [line for item in items[:MAX_ITEMS] for line in wrap(item)]
            more = [f"- … and {len(items) - MAX_ITEMS} more (see index.html)"] if len(items) > MAX_ITEMS else []
            lines += [f"## {title}", "", *shown, *more, ""]
    if review.docx:
        lines.append(f"review.docx: HEAD's DOCX edition with {review.docx_changes[0]} insertion(s) and "
                     f"{review.docx_changes[1]} deletion(s) as Word tracked changes.")
    if sources:
        lines += ["", *sources]
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES - 1], "… (cut; the full review is in index.html)"]
    return lines


def _code(text: str) -> str:
    """``text`` as a Markdown code span: printed as it is, and never made a live link by the page showing it."""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}" if "`" in text else f"{fence}{text}{fence}"


def _shown_in(editions: list[str]) -> str:
    """"" when all three editions show a change, else "; only in the … edition(s)"."""
    if len(editions) >= 3:
        return ""
    return f"; only in the {_editions(editions)} edition{'s' if len(editions) > 1 else ''}"


def _link_item(change) -> str:
    """A link retargeted, added or removed: where, its text, and its old and new target whole."""
    text = f" “{_escape(_cut(change.text))}”" if change.text else ""
    kind = "target changed" if change.kind == "changed" else change.kind
    targets = {"changed": f"{_code(shown_target(change.old))} → {_code(shown_target(change.new))}",
               "added": _code(shown_target(change.new)), "removed": _code(shown_target(change.old))}[change.kind]
    return f"{_escape(change.where)}: link{text} ({kind}{_shown_in(change.editions)}): {targets}"


def _alt_pieces(change) -> list[Piece]:
    if change.kind == "changed":
        return word_diff(change.old, change.new)
    return [Piece("+", change.new)] if change.kind == "added" else [Piece("-", change.old)]


def _alt_item(change) -> str:
    """An image's alt text changed (a word diff), or an image with alt text added or removed."""
    kind = "changed" if change.kind == "changed" else f"image {change.kind}"
    return (f"{_escape(change.where)}: {_escape(change.what)}, alt text ({kind}{_shown_in(change.editions)}): "
            f"{markdown_pieces(_alt_pieces(change))}")


def _only_item(change) -> str:
    """A DOCX block where it is, with its own changes marked ("Introduction: … ~~venues~~ **channels** …"),
    or the PDF's lines as printed."""
    return f"{_escape(change.where)}: {markdown_pieces(change.pieces)}" if change.where else markdown_pieces(change.pieces)


def _words(old: str, new: str) -> list[Piece]:
    from .textdiff import word_diff

    return word_diff(old, new)


def _note_numbers(change) -> str:
    if change.kind == "changed" and change.old != change.new:
        return f"{change.old} (now {change.new})"
    return str(change.new or change.old)


def write_summary(review: Review, out: Path) -> str:
    """Write SUMMARY.md; return its text."""
    text = "\n".join(summary_lines(review)).rstrip() + "\n"
    _write(out, text)
    return text


def _write(path: Path, text: str) -> None:
    """Write a file through a temporary name, so a report is never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(path.name + ".part")
    staged.write_text(text, encoding="utf-8")
    staged.replace(path)


def _data_uri(path: Path, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _fonts_css(fonts_dir: Path) -> str:
    """The HTML edition's @font-face rules with the WOFF2 files inlined."""
    css_file = fonts_dir / "fonts.css"
    if not css_file.exists():
        return ""
    return re.sub(r'url\("([^"]+\.woff2)"\)',
                  lambda m: f'url("{_data_uri(fonts_dir / m.group(1), "font/woff2")}")',
                  css_file.read_text(encoding="utf-8"))


def html_pieces(pieces: list[Piece]) -> str:
    """A word diff in HTML: <del> and <ins>."""
    tags = {" ": "{}", "-": "<del>{}</del>", "+": "<ins>{}</ins>"}
    return " ".join(tags[p.kind].format(html.escape(p.text)) for p in pieces if p.text)


STYLE = """
body{font-family:"Source Serif 4",serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}
h1,h2,h3,th{font-family:"Source Sans 3",sans-serif}h1{color:#0b2545;font-size:1.6rem}h2{color:#0b2545;border-bottom:2px solid #0b2545}
del{background:#fde0e0;color:#8a1010}ins{background:#dff5e1;color:#0f5a1c;text-decoration:none;border-bottom:2px solid #0f5a1c}
.summary{font-size:1.1rem}.failed{background:#fde0e0;padding:1rem;white-space:pre-wrap}
.kind{font-family:"Source Sans 3",sans-serif;font-size:.85rem;color:#555;text-transform:uppercase;letter-spacing:.05em}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;vertical-align:top}
tr.modify td.modify{background:#fff3c4}tr.add{background:#dff5e1}tr.remove{background:#fde0e0}
.images{display:flex;gap:1rem;flex-wrap:wrap}.images figure{margin:0}.images img{max-width:22rem;border:1px solid #ccc}
"""


def index_html(review: Review, summary: str) -> str:
    """The review as one self-contained page: the HTML edition's fonts and every image inlined."""
    fonts = _fonts_css(review.head.project / "_build" / "fonts") if not review.head.failed else ""
    out = [f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           f"<title>Review: {html.escape(_side(review.base))} → {html.escape(_side(review.head))}</title>\n"
           f"<style>{fonts}{STYLE}</style>\n</head>\n<body>\n<main>\n"
           f"<h1>What changed in the editions</h1>\n<p>{html.escape(_side(review.base))} → "
           f"{html.escape(_side(review.head))}</p>\n"]
    if review.failed:
        out.append(f"<p class=\"summary failed\">{FAILED}: the editions were not compared.</p>\n")
        for side in review.failed:
            out.append(f"<h2>Failed build: {html.escape(_side(side))}</h2>\n"
                       f"<pre class=\"failed\">{html.escape(side.error)}</pre>\n")
    elif not review.changed:
        out.append(f"<p class=\"summary\">{NO_CHANGES}</p>\n")
        if review.sources:
            out.append(f"<p>Source files changed (information): {html.escape(', '.join(review.sources))}</p>\n")
    else:
        out.append(f"<p class=\"summary\">{html.escape('; '.join(counts(review)))}.</p>\n")
        out += _html_sections(review)
    out.append("</main>\n</body>\n</html>\n")
    return "".join(out)


def _img(path: Path | None, alt: str) -> str:
    if path is None:
        return f"<figure><figcaption>{html.escape(alt)}: none</figcaption></figure>"
    return (f"<figure><img src=\"{_data_uri(path, 'image/png')}\" alt=\"{html.escape(alt)}\">"
            f"<figcaption>{html.escape(alt)}</figcaption></figure>")


def _html_sections(review: Review) -> list[str]:
    out = []
    if review.prose:
        out.append("<h2>Prose</h2>\n")
        for c in review.prose:
            detail = f" — {html.escape(c.detail)}" if c.detail else ""
            where = "" if len(c.editions) == 3 else f" — only in the {_editions(c.editions)} edition(s)"
            out.append(f"<h3>{html.escape(c.section)}</h3><p class=\"kind\">{c.kind}{detail}{where}</p>"
                       f"<p>{html_pieces(c.pieces)}</p>\n")
    if review.only:
        out.append("<h2>Only in the DOCX or the PDF edition</h2>\n<ul>\n")
        out += [f"<li><span class=\"kind\">{_editions(c.editions)}</span> "
                f"{html.escape(c.where) + ': ' if c.where else ''}{html_pieces(c.pieces)}</li>\n" for c in review.only]
        out.append("</ul>\n")
    if review.links or review.alt_texts:
        out.append(f"<h2>{LINKS}</h2>\n<ul>\n")
        out += [_link_li(c) for c in review.links] + [_alt_li(c) for c in review.alt_texts]
        out.append("</ul>\n")
    if review.notes or review.renumbering:
        out.append("<h2>Notes</h2>\n<ul>\n")
        out += [f"<li><span class=\"kind\">note {_note_numbers(c)} {c.kind}</span> "
                f"{html.escape(c.section)}: {html_pieces(c.pieces)}</li>\n" for c in review.notes]
        out += [f"<li>{html.escape(r)}</li>\n" for r in review.renumbering]
        out.append("</ul>\n")
    if review.bibliography:
        out.append("<h2>Bibliography</h2>\n<ul>\n")
        out += [f"<li><span class=\"kind\">{html.escape(c.key)} {c.kind}</span> {html_pieces(c.pieces)}</li>\n"
                for c in review.bibliography]
        out.append("</ul>\n")
    for change in review.tables:
        out.append(f"<h2>{html.escape(change.label)}</h2>\n<ul>\n")
        out += [f"<li>{html.escape(item.split(': ', 1)[1])}</li>\n" for item in _table_items(change)
                if not item.split(": ", 1)[1].startswith("row ")]
        out.append("</ul>\n")
        if change.cells and change.cells.changed:
            out.append(f"{change.cells.html}\n")
    if review.variables:
        out.append("<h2>Numbers in the prose</h2>\n<table><tr><th>variable</th><th>before → after</th>"
                   "<th>printed at</th></tr>\n")
        out += [f"<tr><td><code>{html.escape(k)}</code></td><td>{html_pieces(_words(o, n))}</td>"
                f"<td>{html.escape(', '.join(w))}</td></tr>\n" for k, o, n, w in review.variables]
        out.append("</table>\n")
    if review.figures:
        out.append("<h2>Figures</h2>\n")
        for f in review.figures:
            out.append(f"<h3>{html.escape(f.slug)}: {f.share:.3%} of pixels changed</h3><div class=\"images\">"
                       + "".join(_img(f.images.get(k), k) for k in ("before", "after", "difference") if k in f.images)
                       + "</div>\n")
        if review.unchanged_figures:
            out.append(f"<p>Unchanged: {html.escape(', '.join(review.unchanged_figures))}</p>\n")
    if review.changed_pages or review.pages.count[0] != review.pages.count[1]:
        out.append("<h2>PDF pages</h2>\n<p>" + html.escape(_page_items(review)[0]) + ". Changed words and regions "
                   "are boxed: red before, green after.</p>\n")
        for change in review.changed_pages:
            title = {"inserted": f"Page {change.new} inserted", "deleted": f"Page {change.old} deleted",
                     "changed": f"Page {change.old}" + (f" (now {change.new})" if change.new != change.old else "")}
            out.append(f"<h3>{title[change.kind]}</h3><div class=\"images\">"
                       + (_img(change.before, f"page {change.old} before") if change.before else "")
                       + (_img(change.after, f"page {change.new} after") if change.after else "") + "</div>\n")
    if review.metadata:
        out.append("<h2>Metadata and front/back matter</h2>\n<ul>\n")
        out += [f"<li><span class=\"kind\">{html.escape(name)}</span> {html_pieces(_words(old, new))}</li>\n"
                for name, old, new in review.metadata]
        out.append("</ul>\n")
    out.append(f"<h2>Edition files</h2>\n<p>{html.escape(', '.join(review.files))}: the files differ.</p>\n")
    if review.docx:
        out.append(f"<h2>For Word</h2>\n<p><a href=\"review.docx\">review.docx</a>: HEAD's DOCX edition with "
                   f"{review.docx_changes[0]} insertion(s) and {review.docx_changes[1]} deletion(s) as tracked "
                   "changes.</p>\n")
    if review.sources:
        out.append(f"<p>Source files changed (information): {html.escape(', '.join(review.sources))}</p>\n")
    return out


def _link_li(change) -> str:
    """A link's change in index.html: its targets as text (<code>), never as live links."""
    code = lambda target: f"<code>{html.escape(shown_target(target))}</code>"  # noqa: E731
    targets = {"changed": f"{code(change.old)} → {code(change.new)}", "added": code(change.new),
               "removed": code(change.old)}[change.kind]
    text = f" “{html.escape(change.text)}”" if change.text else ""
    kind = "target changed" if change.kind == "changed" else change.kind
    return (f"<li><span class=\"kind\">link {kind}{html.escape(_shown_in(change.editions))}</span> "
            f"{html.escape(change.where)}{',' if text else ''}{text}: {targets}</li>\n")


def _alt_li(change) -> str:
    kind = "alt text changed" if change.kind == "changed" else f"image {change.kind}"
    return (f"<li><span class=\"kind\">{kind}{html.escape(_shown_in(change.editions))}</span> "
            f"{html.escape(change.where)}, {html.escape(change.what)}: {html_pieces(_alt_pieces(change))}</li>\n")


def write_index(review: Review, summary: str, out: Path) -> None:
    """Write index.html."""
    _write(out, index_html(review, summary))
