"""The bundle's index.html served over HTTP on 127.0.0.1 and loaded in headless Chromium."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from perrypress.screenshots import chromium, chromium_available

pytestmark = pytest.mark.skipif(
    not chromium_available(),
    reason="Chromium is not installed: `apt-get install -y chromium` (Debian) and the playwright package; "
           "never `playwright install`")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(bundle: Path) -> Iterator[str]:
    """The bundle on http://127.0.0.1:PORT/ for the module's tests."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(bundle)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_page_loads_with_no_failed_or_foreign_request(served: str) -> None:
    """Every request succeeds and stays on the bundle's own host; every download link resolves."""
    seen, failed, statuses = [], [], {}
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda request: seen.append(request.url))
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.on("response", lambda response: statuses.__setitem__(response.url, response.status))
        page.goto(served + "index.html", wait_until="networkidle")
        links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert seen and not failed, failed
    host = urlsplit(served).netloc
    assert not [u for u in seen if not u.startswith("data:") and urlsplit(u).netloc != host]
    assert all(status < 400 for status in statuses.values()), statuses
    local = sorted({h.split("#")[0] for h in links if not urlsplit(h).scheme and not h.startswith("#")})
    assert local, "the page links to no file of the bundle (PDF, DOCX)"
    for href in local:
        assert requests.get(urljoin(served + "index.html", href), timeout=10).status_code == 200, href


def test_axe_finds_no_violation(served: str) -> None:
    """axe-core (offline, from its wheel) finds no accessibility violation on the served page."""
    from axe_playwright_python.sync_playwright import Axe

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(served + "index.html", wait_until="load")
        violations = Axe().run(page).response["violations"]
    assert not violations, [(v["id"], v["help"]) for v in violations]
