"""Write the review: SUMMARY.md (short, for CI and pull requests) and index.html (one self-contained page)."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from .compare import Review
from .textdiff import Piece

NO_CHANGES = "No changes in any edition"
MAX_LINES = 60
MAX_ITEMS = 8  # per kind of change in SUMMARY.md; index.html lists them all


def _side(side) -> str:
    return f"{side.label} ({side.revision})"


def counts(review: Review) -> list[str]:
    """One phrase per kind of change, e.g. "2 paragraphs"."""
    cells = sum(len(t.cells) for t in review.tables.values())
    rows = sum(len(t.added) + len(t.removed) for t in review.tables.values())
    parts = [(len(review.prose), "paragraph"), (len(review.notes), "note"), (len(review.bibliography),
             "bibliography entry"), (cells, "table cell"), (rows, "table row"), (len(review.variables),
             "number in the prose"), (len(review.figures), "figure"), (len(review.changed_pages), "PDF page"),
             (len(review.metadata), "metadata field")]
    return [f"{n} {name if n == 1 else name.replace('entry', 'entrie') + 's'} changed" for n, name in parts if n]


def markdown_pieces(pieces: list[Piece]) -> str:
    """A word diff in Markdown: ~~deleted~~ and **inserted**."""
    def escape(text: str) -> str:
        return re.sub(r"([\\`*_~\[\]<>|])", r"\\\1", text)

    marks = {" ": "{}", "-": "~~{}~~", "+": "**{}**"}
    return " ".join(marks[p.kind].format(escape(p.text)) for p in pieces if p.text)


def summary_lines(review: Review) -> list[str]:
    """SUMMARY.md, as lines."""
    lines = [f"# Review of the editions: {_side(review.base)} → {_side(review.head)}", ""]
    if review.failed:
        for side in review.failed:
            lines += [f"**Failed build: {_side(side)}**", "", "```", *side.error.splitlines()[:10], "```", ""]
        return lines
    if not review.changed:
        return [*lines, NO_CHANGES]
    lines += ["; ".join(counts(review)) + ".", ""]
    sections: list[tuple[str, list[str]]] = [
        ("Prose", [f"- {c.section} ({c.kind}{': ' + c.detail if c.detail else ''}): {markdown_pieces(c.pieces)}"
                   for c in review.prose]),
        ("Notes", [f"- note {_note_numbers(c)} {c.kind}{' in ' + c.section if c.section else ''}: "
                   f"{markdown_pieces(c.pieces)}" for c in review.notes] + [f"- {r}" for r in review.renumbering]),
        ("Bibliography", [f"- `{c.key}` {c.kind}" + "".join(f"; {name}: “{old}” → “{new}”" for name, old, new in c.fields)
                          for c in review.bibliography]),
        ("Tables", [f"- {label}: row “{row}”, column `{column}`: {old} → {new}"
                    for label, diff in review.tables.items() for row, column, old, new in diff.cells]
         + [f"- {label}: row “{row}” added" for label, diff in review.tables.items() for row in diff.added]
         + [f"- {label}: row “{row}” removed" for label, diff in review.tables.items() for row in diff.removed]),
        ("Numbers in the prose", [f"- `{key}`: {old} → {new}" + (f" (printed at {', '.join(where)})" if where else "")
                                  for key, old, new, where in review.variables]),
        ("Figures", [f"- {f.slug}: {f.share:.3%} of pixels changed" for f in review.figures]
         + ([f"- unchanged: {', '.join(review.unchanged_figures)}"] if review.figures and review.unchanged_figures else [])),
        ("PDF pages", [f"- pages changed: {', '.join(str(n) for n, _, _ in review.changed_pages)}; "
                       f"{review.pages[0]} pages before, {review.pages[1]} after"]
         if review.changed_pages or review.pages[0] != review.pages[1] else []),
        ("Metadata and front/back matter", [f"- {name}: {markdown_pieces(_words(old, new))}" for name, old, new in review.metadata]),
    ]
    for title, items in sections:
        if items:
            shown = items[:MAX_ITEMS]
            more = [f"- … and {len(items) - MAX_ITEMS} more (see index.html)"] if len(items) > MAX_ITEMS else []
            lines += [f"## {title}", "", *shown, *more, ""]
    if review.docx:
        lines.append(f"review.docx: HEAD's DOCX edition with {review.docx_changes[0]} insertion(s) and "
                     f"{review.docx_changes[1]} deletion(s) as Word tracked changes.")
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES - 1], "… (cut; the full review is in index.html)"]
    return lines


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
        for side in review.failed:
            out.append(f"<h2>Failed build: {html.escape(_side(side))}</h2>\n"
                       f"<pre class=\"failed\">{html.escape(side.error)}</pre>\n")
    elif not review.changed:
        out.append(f"<p class=\"summary\">{NO_CHANGES}</p>\n")
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
            out.append(f"<h3>{html.escape(c.section)}</h3><p class=\"kind\">{c.kind}{detail}</p>"
                       f"<p>{html_pieces(c.pieces)}</p>\n")
    if review.notes or review.renumbering:
        out.append("<h2>Notes</h2>\n<ul>\n")
        out += [f"<li><span class=\"kind\">note {_note_numbers(c)} {c.kind}</span> "
                f"{html.escape(c.section)}: {html_pieces(c.pieces)}</li>\n" for c in review.notes]
        out += [f"<li>{html.escape(r)}</li>\n" for r in review.renumbering]
        out.append("</ul>\n")
    if review.bibliography:
        out.append("<h2>Bibliography</h2>\n<table><tr><th>entry</th><th>change</th><th>field</th><th>before</th>"
                   "<th>after</th></tr>\n")
        for c in review.bibliography:
            for name, old, new in c.fields or [("", "", "")]:
                out.append(f"<tr><td>{html.escape(c.key)}</td><td>{c.kind}</td><td>{html.escape(name)}</td>"
                           f"<td><del>{html.escape(old)}</del></td><td><ins>{html.escape(new)}</ins></td></tr>\n")
        out.append("</table>\n")
    for label, diff in review.tables.items():
        out.append(f"<h2>{html.escape(label)}</h2>\n{diff.html}\n")
    if review.variables:
        out.append("<h2>Numbers in the prose</h2>\n<table><tr><th>variable</th><th>before</th><th>after</th>"
                   "<th>printed at</th></tr>\n")
        out += [f"<tr><td><code>{html.escape(k)}</code></td><td><del>{html.escape(o)}</del></td>"
                f"<td><ins>{html.escape(n)}</ins></td><td>{html.escape(', '.join(w))}</td></tr>\n"
                for k, o, n, w in review.variables]
        out.append("</table>\n")
    if review.figures:
        out.append("<h2>Figures</h2>\n")
        for f in review.figures:
            out.append(f"<h3>{html.escape(f.slug)}: {f.share:.3%} of pixels changed</h3><div class=\"images\">"
                       + "".join(_img(f.images.get(k), k) for k in ("before", "after", "difference") if k in f.images)
                       + "</div>\n")
        if review.unchanged_figures:
            out.append(f"<p>Unchanged: {html.escape(', '.join(review.unchanged_figures))}</p>\n")
    if review.changed_pages or review.pages[0] != review.pages[1]:
        out.append(f"<h2>PDF pages</h2>\n<p>{review.pages[0]} pages before, {review.pages[1]} after.</p>\n")
        for number, before, after in review.changed_pages:
            out.append(f"<h3>Page {number}</h3><div class=\"images\">{_img(before, f'page {number} before')}"
                       f"{_img(after, f'page {number} after')}</div>\n")
    if review.metadata:
        out.append("<h2>Metadata and front/back matter</h2>\n<ul>\n")
        out += [f"<li><span class=\"kind\">{html.escape(name)}</span> {html_pieces(_words(old, new))}</li>\n"
                for name, old, new in review.metadata]
        out.append("</ul>\n")
    if review.docx:
        out.append(f"<h2>For Word</h2>\n<p><a href=\"review.docx\">review.docx</a>: HEAD's DOCX edition with "
                   f"{review.docx_changes[0]} insertion(s) and {review.docx_changes[1]} deletion(s) as tracked "
                   "changes.</p>\n")
    return out


def write_index(review: Review, summary: str, out: Path) -> None:
    """Write index.html."""
    _write(out, index_html(review, summary))
