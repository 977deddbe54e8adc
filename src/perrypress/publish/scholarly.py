"""The paper as schema.org ``ScholarlyArticle`` JSON-LD, for the bundle's page and the WordPress entry."""

from __future__ import annotations

import json
from typing import Any

from ..editions.citation import Work

MIME = {"html": "text/html", "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def scholarly_article(work: Work, library: dict[str, Any], editions: dict[str, str], *,
                      url: str | None = None) -> dict[str, Any]:
    """ScholarlyArticle: title, authors, date, publisher, series, language, keywords, and ``editions`` as encodings."""
    keywords = list(dict.fromkeys([*work.keywords, *library.get("topics", [])]))
    article: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "ScholarlyArticle",
        "headline": work.full_title[:110], "name": work.full_title,
        "author": [{"@type": "Person", "name": a.name, "givenName": a.given, "familyName": a.family}
                   for a in work.authors],
        "datePublished": f"{work.year:04d}-{work.month:02d}" if work.month else f"{work.year:04d}",
        "publisher": {"@type": "Organization", "name": work.publisher},
        "isPartOf": {"@type": "CreativeWorkSeries", "name": work.series},
        "inLanguage": work.language or library.get("language", ""),
        "keywords": keywords,
        "abstract": " ".join(str(library.get("summary", "")).split()),
        "encoding": [{"@type": "MediaObject", "encodingFormat": MIME[kind], "contentUrl": link}
                     for kind, link in editions.items()],
    }
    if work.number:
        article["position"] = work.number
    if url or work.url:
        article["url"] = url or work.url
    return article


def json_ld_script(article: dict[str, Any]) -> str:
    """The ``<script type="application/ld+json">`` element (``</`` escaped so it cannot close the script)."""
    text = json.dumps(article, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'
