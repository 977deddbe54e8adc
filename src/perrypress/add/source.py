"""`perrypress add source KEY`: a bibliography entry, listed in report.qmd's nocite until the text cites it."""

from __future__ import annotations

import csv
import io
import logging
import re
from pathlib import Path
from typing import Any

from ..sources.bibliography import parse, source_row
from ..sources.config import data_package
from ..sources.datapackage import SOURCES, resource_path
from .edits import AddError, front_matter_end
from .words import paper_language, words

log = logging.getLogger(__name__)

KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_:-]*$")


def _braced(text: str) -> str:
    return "{" + text.replace("{", "").replace("}", "") + "}"


def add_source(root: Path, config: dict[str, Any], key: str, *, author: str = "", title: str = "",
               year: str = "", publisher: str = "", url: str = "") -> list[str]:
    """Add ``@book{key, …}`` to the bibliography and ``@key`` to nocite; return what to fill in."""
    bib = root / config["bibliography"]
    if not KEY.match(key):
        raise AddError(bib, f"{key!r} is not a citation key", "use letters, digits, _ : or -, starting with a letter")
    entries = set(parse(bib).entries) | set(parse(root / config["provenance_bibliography"]).entries)
    if key in entries:
        raise AddError(bib, f"the entry {key!r} exists already", "cite it as [@" + key + ", page], or pick a new key")
    said = words(paper_language(root, config))
    fields = {"author": _braced(author or said["author"]), "title": _braced(title or said["title"]),
              "publisher": _braced(publisher or said["publisher"]), "year": _braced(year or "2025")}
    if url:
        fields["url"] = _braced(url)
    width = max(map(len, fields))
    entry = f"@book{{{key},\n" + "".join(f"  {name:<{width}} = {value},\n" for name, value in fields.items()) + "}\n"
    text = bib.read_text(encoding="utf-8")
    bib.write_text(text.rstrip("\n") + "\n\n" + entry, encoding="utf-8")
    _nocite(root / config["report"], key)
    todo = [f"{config['bibliography']}: complete the entry {key} (type, author, title, publisher, year; "
            "@article, @report… as the work is)",
            f"cite it in the text as [@{key}, page], then remove @{key} from nocite in {config['report']}"]
    todo.append(f"when a data file's rows come from it, add it to that table: "
                f"perrypress add table data/FILE.csv --source {key} (writes its row of data/sources.csv)")
    return todo


def _nocite(report: Path, key: str) -> None:
    """List ``@key`` in report.qmd's ``nocite`` (made if absent), so the bibliography shows an uncited entry."""
    text = report.read_text(encoding="utf-8")
    end = front_matter_end(text)
    head = text[:end]
    match = re.search(r"^nocite:[ \t]*\|[ \t]*\n((?:[ \t]+.*\n)*)", head, re.M)
    if match:
        head = head[:match.end()] + f"  @{key}\n" + head[match.end():]
    elif re.search(r"^nocite:", head, re.M):
        raise AddError(report, "nocite is not a block (nocite: |)", f"add @{key} to it by hand")
    else:
        head += f"# Works listed in the bibliography but not (yet) cited in the text.\nnocite: |\n  @{key}\n"
    report.write_text(head + text[end:], encoding="utf-8")


def ensure_source_row(root: Path, config: dict[str, Any], key: str) -> bool:
    """Give ``key`` its row in data/sources.csv, as its bibliography entry says; True when a row was added."""
    table = resource_path(root / data_package(config), SOURCES)
    if table is None:
        raise AddError(root / data_package(config), "the data package has no 'sources' resource",
                       "describe data/sources.csv as the resource 'sources' (see a new paper's)")
    text = table.read_text(encoding="utf-8")
    with io.StringIO(text, newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        if any(row.get("key") == key for row in reader):
            return False
    entries = dict(parse(root / config["bibliography"]).entries) | \
        dict(parse(root / config["provenance_bibliography"]).entries)
    if key not in entries:
        import difflib

        near = difflib.get_close_matches(key, list(entries), n=1)
        raise AddError(root / config["bibliography"], f"no entry {key!r} in the bibliographies",
                       f"did you mean {near[0]!r}?" if near else f"add it first: perrypress add source {key}")
    row = {"key": key, **source_row(entries[key])}
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=header, lineterminator="\n", extrasaction="ignore").writerow(row)
    table.write_text(text.rstrip("\n") + "\n" + buffer.getvalue(), encoding="utf-8")
    return True
