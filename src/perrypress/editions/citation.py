"""How to cite the paper: Chicago, BibTeX and RIS forms from report.qmd's metadata, as an HTML block.

Metadata values are read as plain text (a title's Markdown is not rendered):
every value is escaped for its target, HTML, LaTeX or RIS, so it prints as written.
"""

from __future__ import annotations

import datetime
import html
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from ..errors import DocumentError
from ..sources.config import yaml_line
from ..sources.labels import labels_for, table
from ..sources.metadata import read_metadata

log = logging.getLogger(__name__)

REQUIRED = [("title",), ("author",), ("date",), ("series", "name"), ("series", "number"), ("publisher", "name")]
# What pybtex's writer (latexcodec) leaves as is; it escapes & % # _ ~ itself.
_LATEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "^": r"\textasciicircum{}"}
VERBATIM_FIELDS = {"url", "doi"}


def _bibtex_writer() -> Any:
    """pybtex's BibTeX writer, except that URLs are written verbatim, as biblatex and the url package read them.

    pybtex is imported here, not at the top: the editions read this module's
    metadata functions and have no use for pybtex.
    """
    from pybtex.database.output import bibtex as bibtex_output

    class BibTeXWriter(bibtex_output.Writer):
        def _write_field(self, stream: Any, type: str, value: str) -> None:  # noqa: A002 (pybtex's name)
            if type.lower() in VERBATIM_FIELDS:
                stream.write(f",\n    {type} = {self.quote(value)}")
            else:
                super()._write_field(stream, type, value)

    return BibTeXWriter()


@dataclass(frozen=True)
class Author:
    """One author's name, split the way bibliographies need it."""

    given: str
    family: str
    # The name as report.qmd writes it (``name:``), when it gives one; not part of equality.
    written: str = field(default="", compare=False)

    @property
    def name(self) -> str:
        """The name as written: report.qmd's ``name:``, else given name first."""
        return self.written or f"{self.given} {self.family}".strip()

    @property
    def inverted(self) -> str:
        """The name family name first: 'Pérez, Ana'."""
        return f"{self.family}, {self.given}" if self.given else self.family


@dataclass(frozen=True)
class Work:
    """The paper as a bibliographic item."""

    title: str
    subtitle: str
    authors: list[Author]
    year: int
    month: int | None
    series: str
    number: str
    publisher: str
    place: str = ""
    url: str = ""
    language: str = ""
    keywords: list[str] = field(default_factory=list)

    @property
    def full_title(self) -> str:
        """Title and subtitle joined by a colon (no colon after a title ending in ? or !)."""
        if not self.subtitle:
            return self.title
        return f"{self.title} {self.subtitle}" if self.title.endswith(("?", "!")) else f"{self.title}: {self.subtitle}"

    @property
    def key(self) -> str:
        """A citation key: family name, year, first title word, ASCII only ('perez2025redes')."""
        words = [w for w in re.findall(r"[a-z0-9]+", _ascii(self.title).lower()) if w not in {"a", "an", "the"}]
        family = re.sub(r"[^a-z0-9]", "", _ascii(self.authors[0].family).lower()) if self.authors else "anon"
        return f"{family}{self.year}{words[0] if words else ''}"


def _ascii(text: str) -> str:
    """Return ``text`` with accents removed and anything else non-ASCII dropped."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _plain(value: Any) -> str:
    """Return a metadata value as one line of text."""
    return " ".join(str(value).split()) if value is not None else ""


def _lookup(meta: dict[str, Any], keys: tuple[str, ...]) -> Any:
    """Return the value at ``keys`` in nested metadata, or None."""
    node: Any = meta
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _author(entry: Any) -> Author:
    """Split one metadata author into given and family names.

    ``{name: …, family: …, given: …}``: the family and given names as report.qmd gives them
    ("Lucía Fernández O'Brien" with ``family: Fernández O'Brien``), ``name`` as written for
    display. ``{name: …}`` or a plain string: split by pybtex, the family name being the last
    word (with its particles: "Ana de la Fuente" → "de la Fuente"), so a double surname needs
    ``family:``. ValueError when ``given`` comes without ``family``.
    """
    if isinstance(entry, dict) and (entry.get("family") or entry.get("given")):
        if not entry.get("family"):
            raise ValueError("given")
        given, family = _plain(entry.get("given")), _plain(entry["family"])
        return Author(given, family, written=_plain(entry.get("name")) or f"{given} {family}".strip())
    from pybtex.database import Person

    name = _plain(entry.get("name") if isinstance(entry, dict) else entry)
    person = Person(name)
    given = " ".join(person.first_names + person.middle_names)
    family = " ".join(person.prelast_names + person.last_names + person.lineage_names)
    return Author(given, family or name, written=name)


def _authors(meta: dict[str, Any], *, path: Path, text: str) -> list[Author]:
    """Every author of the metadata, split; DocumentError for a ``given:`` with no ``family:``."""
    entries = meta["author"] if isinstance(meta["author"], list) else [meta["author"]]
    authors = []
    for index, entry in enumerate(entries):
        try:
            authors.append(_author(entry))
        except ValueError:
            line = yaml_line(text, ["author", index, "given"]) if text else None
            raise DocumentError(path, f"metadata: author {index + 1} has 'given:' but no 'family:'",
                                "give both (family: Fernández O'Brien, given: Lucía), or neither: the name is "
                                "then split at its last space", line=line + 1 if line else None) from None
    return authors


def _date(value: Any) -> tuple[int, int | None]:
    """Return (year, month) from a metadata date: 2024, 2024-01 or 2024-01-15."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.year, value.month
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-\d{1,2})?", _plain(value))
    if not match or (match.group(2) and not 1 <= int(match.group(2)) <= 12):
        raise ValueError(value)
    return int(match.group(1)), int(match.group(2)) if match.group(2) else None


# A series number's own label, in any language the tables know: "No. 1", "n.º 1", "núm. 1", "Nº 1".
_NUMBER_LABEL = re.compile(r"^(?:no|n\.?\s*[º°o]|núm|num)\.?\s*(?=\d)", re.IGNORECASE)


def series_number(text: str) -> str:
    """The series number without its label ('No. 1', 'n.º 1' → '1'): the citation prints the language's own."""
    return _NUMBER_LABEL.sub("", text, count=1)


def work_from_metadata(meta: dict[str, Any], *, path: Path, text: str = "") -> Work:
    """Return the paper described by report.qmd's metadata; DocumentError names a missing or bad key."""
    for keys in REQUIRED:
        if not _lookup(meta, keys):
            raise DocumentError(path, f"metadata: '{'.'.join(keys)}' is missing",
                                "add it to the YAML block at the top (the citation block needs it)")
    try:
        year, month = _date(meta["date"])
    except ValueError:
        line = yaml_line(text, ["date"]) if text else None
        raise DocumentError(path, f"metadata: date {meta['date']!r} is not a date",
                            "write it as YYYY, YYYY-MM or YYYY-MM-DD", line=line + 1 if line else None) from None
    authors = _authors(meta, path=path, text=text)
    number = _plain(meta["series"]["number"])
    return Work(
        title=_plain(meta["title"]),
        subtitle=_plain(meta.get("subtitle")),
        authors=authors,
        year=year,
        month=month,
        series=_plain(meta["series"]["name"]),
        number=series_number(number),
        publisher=_plain(meta["publisher"]["name"]),
        place=_plain(_lookup(meta, ("publisher", "place"))),
        url=_plain(_lookup(meta, ("site", "canonical-url"))),
        language=_plain(meta.get("lang")),
        keywords=[_plain(k) for k in meta.get("keywords") or []],
    )


def _sentence(text: str) -> str:
    """End ``text`` with a period unless it already ends with . ? or !."""
    return text if text.endswith((".", "?", "!")) else text + "."


def _english() -> dict[str, Any]:
    """The labels the functions below use when given none: English."""
    return table("en")


def _chicago_authors(authors: list[Author], *, labels: dict[str, Any]) -> str:
    """Authors as a Chicago bibliography lists them: the first inverted, 'and' before the last."""
    names = [authors[0].inverted] + [a.name for a in authors[1:]]
    conjunction = labels["and"]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]}, {conjunction} {names[1]}"
    return ", ".join(names[:-1]) + f", {conjunction} {names[-1]}"


def chicago_html(work: Work, *, labels: dict[str, Any] | None = None) -> str:
    """The Chicago notes-bibliography bibliography entry, as escaped HTML (title in italics, URL linked).

    ``labels`` (src/perrypress/sources/languages/) give its words: "and", "no.", the months; English by default.
    """
    labels = labels or _english()
    esc = html.escape
    parts = [esc(_sentence(_chicago_authors(work.authors, labels=labels))),
             f"<em>{esc(work.full_title)}</em>.",
             esc(_sentence(f"{work.series}, {labels['number']} {work.number}"))]
    date = f"{labels['months'][work.month - 1]} {work.year}" if work.month else str(work.year)
    imprint = ", ".join(p for p in [f"{work.place}: {work.publisher}" if work.place else work.publisher, date])
    parts.append(esc(_sentence(imprint)))
    if work.url:
        parts.append(f'<a href="{esc(work.url)}">{esc(work.url)}</a>.')
    return " ".join(parts)


def chicago_text(work: Work, *, labels: dict[str, Any] | None = None) -> str:
    """The Chicago entry as plain text (no markup)."""
    return html.unescape(re.sub(r"<[^>]+>", "", chicago_html(work, labels=labels)))


def _latex(text: str) -> str:
    """Escape the LaTeX specials pybtex's writer does not, so the text prints literally."""
    return "".join(_LATEX_SPECIALS.get(ch, ch) for ch in text)


def bibtex(work: Work, *, labels: dict[str, Any] | None = None) -> str:
    """The paper as a BibTeX @techreport entry (written by pybtex); the month in the paper's language."""
    from pybtex.database import BibliographyData, Entry, Person

    fields = [
        ("title", "{" + _latex(work.full_title) + "}"),  # inner braces keep the title's capitals
        ("institution", _latex(work.publisher)),
        ("type", _latex(work.series)),
        ("number", _latex(work.number)),
        ("year", str(work.year)),
    ]
    if work.month:
        fields.append(("month", (labels or _english())["months"][work.month - 1]))
    if work.place:
        fields.append(("address", _latex(work.place)))
    if work.url:
        fields.append(("url", work.url.replace("{", "%7B").replace("}", "%7D").replace('"', "%22")))
    if work.language:
        fields.append(("langid", _latex(work.language)))
    if work.keywords:
        fields.append(("keywords", _latex(", ".join(work.keywords))))
    persons = {"author": [Person(first=_latex(a.given), last="{" + _latex(a.family) + "}" if " " in a.family
                                 else _latex(a.family)) for a in work.authors]}
    entry = Entry("techreport", fields=fields, persons=persons)
    return _bibtex_writer().to_string(BibliographyData(entries={work.key: entry}))


def ris(work: Work) -> str:
    """The paper as an RIS record (type RPRT), lines ending in CRLF as the format asks."""
    def line(tag: str, value: str) -> str:
        """One tagged line; RIS has no escaping, so the value is only folded onto one line."""
        return f"{tag}  - {_plain(value)}"

    lines = [line("TY", "RPRT")]
    lines += [line("AU", a.inverted) for a in work.authors]
    lines += [line("TI", work.full_title), line("T3", work.series), line("SN", work.number),
              line("PY", str(work.year))]
    if work.month:
        lines.append(line("DA", f"{work.year}/{work.month:02d}"))
    lines.append(line("PB", work.publisher))
    if work.place:
        lines.append(line("CY", work.place))
    if work.url:
        lines.append(line("UR", work.url))
    if work.language:
        lines.append(line("LA", work.language))
    lines += [line("KW", k) for k in work.keywords]
    lines.append("ER  - ")
    return "\r\n".join(lines) + "\r\n"


def _download(text: str, *, name: str, media_type: str, verb: str) -> str:
    """A link that saves ``text`` as the file ``name`` (a data: URI: nothing is fetched)."""
    href = f"data:{media_type};charset=utf-8,{quote(text, safe='')}"
    return (f'<a class="cite-download" href="{html.escape(href)}" download="{html.escape(name)}">'
            f'{html.escape(verb)} {html.escape(name)}</a>')


def cite_block(work: Work, *, labels: dict[str, Any] | None = None) -> str:
    """The "Cite this paper" section for the HTML page: Chicago, BibTeX and RIS, every value escaped."""
    labels = labels or _english()
    esc = html.escape
    bib, ris_text = bibtex(work, labels=labels), ris(work)
    return "\n".join([
        '<section id="cite-this-paper" class="cite" aria-labelledby="cite-this-paper-title">',
        f'<h2 id="cite-this-paper-title">{esc(labels["cite-this-paper"])}</h2>',
        '<div class="cite-form cite-chicago">',
        f'<h3 id="cite-chicago">{esc(labels["chicago"])} <span class="cite-style">{esc(labels["chicago-form"])}</span></h3>',
        f'<p class="cite-entry">{chicago_html(work, labels=labels)}</p>',
        "</div>",
        '<details class="cite-form cite-bibtex">',
        "<summary><h3>BibTeX</h3></summary>",
        f'<pre><code class="language-bibtex">{html.escape(bib.strip())}</code></pre>',
        f"<p>{_download(bib, name=f'{work.key}.bib', media_type='application/x-bibtex', verb=labels['download'])}</p>",
        "</details>",
        '<details class="cite-form cite-ris">',
        "<summary><h3>RIS</h3></summary>",
        f'<pre><code class="language-ris">{html.escape(ris_text.replace(chr(13), "").strip())}</code></pre>',
        f"<p>{_download(ris_text, name=f'{work.key}.ris', media_type='application/x-research-info-systems', verb=labels['download'])}</p>",
        "</details>",
        "</section>",
        "",
    ])


def write_cite_block(report: Path, output: Path) -> Work:
    """Read ``report``'s metadata and write its "Cite this paper" block to ``output``; return the work."""
    meta, text = read_metadata(report)
    work = work_from_metadata(meta, path=report, text=text)
    labels = labels_for(meta, path=report, text=text)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(cite_block(work, labels=labels), encoding="utf-8")
    log.info("wrote %s", output)
    return work
