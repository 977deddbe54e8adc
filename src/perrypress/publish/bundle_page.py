"""The bundle's index.html: after each table and figure, a link to the CSV it is made from, its source and pages."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from ..errors import BuildError
from ..sources.data_tables import cited_pages, load_table
from ..sources.datapackage import resource_of
from ..sources.labels import report_labels
from .scholarly import json_ld_script


def data_note(csv_path: Path, *, folder: str, labels: dict[str, Any]) -> str:
    """The line under a table or figure: 'Data: <a>name.csv</a>. Source: …; pages cited: …', in the paper's language."""
    resource = resource_of(csv_path)
    frame = load_table(csv_path)
    has_pages = any(str(v).strip() for c in frame.columns if c.endswith("_page") for v in frame[c].dropna())
    source = "; ".join(" ".join(str(s.get("title", "")).split()) for s in resource.get("sources", []))
    esc = html.escape
    text = f'{esc(labels["data"])}: <a href="{folder}/{esc(csv_path.name)}">{esc(csv_path.name)}</a>'
    text += f" ({esc(labels['data-described'])} {folder}/datapackage.json)."
    if source:
        text += f" {esc(labels['source'])}: {esc(source)}"
        text += f"; {esc(labels['pages-cited'])}: {esc(cited_pages(frame))}." if has_pages else "."
    return f'<p class="data-note">{text}</p>'


def _after(page: str, start: str, end: str, insert: str) -> str:
    """Insert ``insert`` after the first ``end`` that follows ``start`` in ``page``."""
    at = page.find(start)
    close = page.find(end, at) if at >= 0 else -1
    if close < 0:
        raise BuildError(f"index.html: no {start}…{end} in the HTML edition — rebuild the editions")
    close += len(end)
    return page[:close] + "\n" + insert + page[close:]


def link_data(page: str, config: dict[str, Any], *, root: Path, folder: str = "data") -> str:
    """``page`` with a data note after every numbered table (``id="tbl-<slug>"``) and figure (``id="fig-<slug>"``)."""
    labels = report_labels(root / config["report"])
    for slug, spec in config["tables"].items():
        if spec.get("label", True):
            page = _after(page, f'id="tbl-{slug}"', "</table>", data_note(root / spec["data"], folder=folder, labels=labels))
    for slug, spec in config["figures"].items():
        page = _after(page, f'<figure id="fig-{slug}"', "</figure>", data_note(root / spec["data"], folder=folder, labels=labels))
    return page


def with_json_ld(page: str, article: dict[str, Any]) -> str:
    """``page`` with the paper's ScholarlyArticle JSON-LD at the end of its head, beside the citation_* tags."""
    if "</head>" not in page:
        raise BuildError("index.html: no </head> in the HTML edition — rebuild the editions")
    return page.replace("</head>", json_ld_script(article) + "\n</head>", 1)
