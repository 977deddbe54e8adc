"""The published entry in a real theme (Debian's Twenty Twenty-Three), opened in headless Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from perrypress.screenshots import chromium, chromium_available

from conftest import build_env

from .bundles import bundle_of, record, with_slug
from .test_wordpress import entries

pytestmark = pytest.mark.skipif(
    not chromium_available(),
    reason="Chromium is not installed: `apt-get install -y chromium` (Debian) and the playwright package; "
           "never `playwright install`")

# Every image eager, then wait until each has loaded or failed; the result: [src, naturalWidth] per image.
LOAD_IMAGES = """async () => {
  const images = [...document.images];
  images.forEach(i => { i.loading = 'eager'; });
  await Promise.all(images.map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; })));
  return images.map(i => [i.currentSrc || i.src, i.naturalWidth]);
}"""


@pytest.fixture(scope="module")
def published(wordpress: Any, released: Any, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The paper published (status publish) on the session's WordPress; its entry as the REST API shows it."""
    if wordpress.theme != "twentytwentythree":
        pytest.skip("Twenty Twenty-Three is not installed: apt-get install wordpress-theme-twentytwentythree")
    destination = tmp_path_factory.mktemp("theme") / "project"
    shutil.copytree(released.root, destination)
    project = type(released)(destination)
    with_slug(project, "in-a-real-theme")
    result = subprocess.run([sys.executable, "-m", "perrypress.cli", "publish", "wordpress", "--url", wordpress.url,
                             "--status", "publish"], cwd=project.root, capture_output=True, text=True,
                            env={**build_env(), **wordpress.env()})
    assert result.returncode == 0, result.stdout + result.stderr
    [entry] = entries(wordpress, "in-a-real-theme")
    entry["bundle"] = str(bundle_of(project))
    return entry


@pytest.mark.parametrize("width", [1280, 390])
def test_entry_reads_well_in_twenty_twenty_three(published: dict, width: int) -> None:
    """No sideways scroll, one H1 (the theme's), no <br> in the article, every image loads."""
    with chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(published["link"], wait_until="load")
        sizes = page.evaluate(LOAD_IMAGES)
        assert sizes and all(natural > 0 for _, natural in sizes), [s for s in sizes if not s[1]]
        scroll = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll[0] <= scroll[1], f"the page scrolls sideways at {width} px: {scroll}"
        wide = page.evaluate("""() => [...document.querySelectorAll('.perrypress-paper *')]
            .filter(e => !e.closest('.table-scroll') && e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName).slice(0, 5)""")
        assert not wide, f"wider than the window at {width} px (a wide table scrolls in its own box): {wide}"
        assert page.locator("h1").count() == 1
        assert page.locator(".perrypress-paper").count() == 1
        assert page.locator(".perrypress-paper br").count() == 0
        # The styles are the article's own, scoped: the theme's body keeps its font.
        assert page.evaluate("getComputedStyle(document.querySelector('.perrypress-paper img')).maxWidth") == "100%"


def test_every_article_link_answers(published: dict) -> None:
    """Each link in the article: an anchor that exists on the page, or an address on the site that answers 200.

    Links to other sites (the bibliography's) cannot be followed here (no network but 127.0.0.1); they are
    counted and must be http(s) addresses.
    """
    site = urlsplit(published["link"]).netloc
    with chromium() as browser:
        page = browser.new_page()
        page.goto(published["link"], wait_until="load")
        links = page.evaluate("[...document.querySelectorAll('.perrypress-paper a[href]')].map(a => a.href)")
        ids = set(page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)"))
    local = [u for u in links if urlsplit(u).netloc == site]
    assert len(local) > 10
    for url in sorted(set(local)):
        parts = urlsplit(url)
        if parts.fragment and url.split("#")[0] == published["link"].split("#")[0]:
            assert parts.fragment in ids, f"#{parts.fragment} has no target"
        else:
            assert requests.get(url, timeout=30).status_code == 200, url
    data = [u for u in local if u.endswith(".csv")]
    assert data, "no link to a data file"
    assert all(requests.get(u, timeout=30).headers["Content-Type"].startswith("text/csv") for u in data)
    external = [u for u in links if urlsplit(u).netloc != site]
    assert all(u.startswith(("http://", "https://", "mailto:")) for u in external)


def test_axe_finds_no_violation(published: dict) -> None:
    """axe-core finds no accessibility violation on the entry's page."""
    from axe_playwright_python.sync_playwright import Axe

    with chromium() as browser:
        page = browser.new_page()
        page.goto(published["link"], wait_until="load")
        violations = Axe().run(page).response["violations"]
    assert not violations, [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


def test_entry_and_bundle_page_carry_scholarly_article(published: dict) -> None:
    """The entry's page and the bundle's page carry ScholarlyArticle JSON-LD beside the citation_* tags."""
    import html5lib

    bundle = Path(published["bundle"])
    wanted = record(bundle)
    pages = {"entry": requests.get(published["link"], timeout=30).text,
             "bundle": (bundle / "index.html").read_text(encoding="utf-8")}
    for where, text in pages.items():
        tree = html5lib.parse(text, namespaceHTMLElements=False)
        scripts = [s.text for s in tree.iter("script") if s.get("type") == "application/ld+json"]
        articles = [a for a in map(json.loads, scripts) if a.get("@type") == "ScholarlyArticle"]
        assert len(articles) == 1, where
        [article] = articles
        assert article["@context"] == "https://schema.org"
        assert article["name"].startswith(wanted["title"])
        assert [a["name"] for a in article["author"]] == wanted["authors"]
        assert article["datePublished"].startswith(str(wanted["year"]))
        assert article["publisher"]["name"] and article["isPartOf"]["@type"] == "CreativeWorkSeries"
        assert article["inLanguage"] and article["keywords"]
        formats = {e["encodingFormat"]: e["contentUrl"] for e in article["encoding"]}
        assert "application/pdf" in formats
        if where == "entry":
            assert formats["application/pdf"] == published["meta"]["publication_pdf"]
            assert requests.get(formats["application/pdf"], timeout=30).status_code == 200
        else:
            assert (bundle / formats["application/pdf"]).exists()
            metas = {m.get("name") for m in tree.iter("meta")}
            assert {"citation_title", "citation_author", "citation_pdf_url"} <= metas


def test_citation_blocks_and_downloads_work(published: dict) -> None:
    """BibTeX and RIS in the entry: each collapsed block opens to the citation; its link saves the same citation
    under the .bib/.ris name (an upload WordPress accepts as .txt; the link's download attribute names it)."""
    bundle = Path(published["bundle"])
    with chromium() as browser:
        page = browser.new_page(accept_downloads=True)
        page.goto(published["link"], wait_until="load")
        for form, ext in (("bibtex", "bib"), ("ris", "ris")):
            [expected] = sorted((bundle / "cite").glob(f"*.{ext}"))
            block = page.locator(f".perrypress-paper details.cite-{form}")
            assert block.count() == 1, form
            code = block.locator("pre")
            assert not code.is_visible(), f"the {form} block is not collapsed"
            block.locator("summary").click()
            assert code.is_visible(), f"the {form} block does not open"
            shown = code.inner_text()
            with page.expect_download() as info:
                block.locator("a.cite-download").click()
            download = info.value
            assert download.suggested_filename == expected.name
            saved = Path(download.path()).read_bytes().decode("utf-8")
            if ext == "bib":  # the upload opens with a BibTeX comment line naming the file
                first, saved = saved.split("\n", 1)
                assert first == f"% {expected.name}"
            assert saved == expected.read_bytes().decode("utf-8"), f"{expected.name}: not the bundle's citation"
            assert " ".join(shown.split()) == " ".join(saved.split()), f"the {form} block shows another text"
