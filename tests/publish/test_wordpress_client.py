"""The WordPress client's own rules: HTTPS only, credentials from the environment, retries on 5xx, refused uploads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from perrypress.errors import PublishError
from perrypress.publish.wordpress import Client, File, Publisher, Site, credentials


CONFIG = {"publish": {"wordpress": {"url": "https://www.example.org", "rest_base": "publications",
                                    "taxonomies": {}, "meta": {}, "retries": 2, "timeout": 5}}}


@pytest.mark.parametrize("url", ["http://www.example.org", "http://10.0.0.5:8080"])
def test_plain_http_is_refused(url: str) -> None:
    """The Application Password never crosses the network unencrypted: http:// is refused but for localhost."""
    with pytest.raises(PublishError, match="refusing plain http://"):
        Site.from_config(CONFIG, url=url)


@pytest.mark.parametrize("url", ["https://www.example.org", "http://127.0.0.1:8080", "http://localhost"])
def test_https_and_localhost_are_accepted(url: str) -> None:
    """https:// anywhere, and http:// on this machine (the tests' WordPress)."""
    assert Site.from_config(CONFIG, url=url).url == url


def test_credentials_come_from_the_environment() -> None:
    """Missing credentials name the two environment variables; the values are returned as given."""
    with pytest.raises(PublishError, match="PERRYPRESS_WP_USER and PERRYPRESS_WP_APP_PASSWORD"):
        credentials({"PERRYPRESS_WP_USER": "editor"})
    assert credentials({"PERRYPRESS_WP_USER": "e", "PERRYPRESS_WP_APP_PASSWORD": "p"}) == ("e", "p")


class _Flaky(BaseHTTPRequestHandler):
    """Answers 503 to the first ``failures`` requests, then 200 with an empty JSON list."""

    failures = 0
    count = 0

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).count += 1
        ok = type(self).count > type(self).failures
        body = b"[]" if ok else b"<h1>Service Unavailable</h1>"
        self.send_response(200 if ok else 503)
        self.send_header("Content-Type", "application/json" if ok else "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def flaky() -> Iterator[Any]:
    """A local server that fails a given number of times before it answers."""
    handler = type("Handler", (_Flaky,), {"failures": 0, "count": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield handler
    server.shutdown()
    server.server_close()


def client_for(url: str, sleeps: list[float]) -> Client:
    return Client(Site.from_config(CONFIG, url=url), user="u", password="p", sleep=sleeps.append)


def test_server_errors_are_retried_with_backoff(flaky: Any) -> None:
    """Two 503s, then an answer: the call succeeds after waiting 1 s, then 2 s."""
    flaky.failures = 2
    sleeps: list[float] = []
    assert client_for(flaky.url, sleeps).call("GET", "media", what="look up") == []
    assert sleeps == [1.0, 2.0] and flaky.count == 3


def test_persistent_server_errors_stop(flaky: Any) -> None:
    """After the configured retries the client stops with the status and the number of tries."""
    flaky.failures = 99
    sleeps: list[float] = []
    with pytest.raises(PublishError, match=r"server error \(HTTP 503\) after 3 tries"):
        client_for(flaky.url, sleeps).call("GET", "media", what="look up")
    assert flaky.count == 3


def test_refused_upload_is_explained(bundle: Path, wordpress: Any, tmp_path: Path) -> None:
    """A file type the site does not allow is reported as a refused upload, not as a server failure."""
    site = Site.from_config(CONFIG, url=wordpress.url)
    publisher = Publisher(bundle, Client(site, user=wordpress.user, password=wordpress.app_password))
    with pytest.raises(PublishError, match="refused the upload"):
        publisher.upload(File("tool", "tool.php", b"<?php echo 1;\n"), entry_id=None)


def test_files_comment_round_trips_and_cannot_end_early() -> None:
    """The entry's perrypress-files comment holds any address (even one with "-->") and reads back the same."""
    from perrypress.publish.entry_page import files_comment, files_of

    files = {"current": {"pdf": "https://s.example/a-->b.pdf", "data:x.csv": "https://s.example/x.csv"},
             "previous": {"https://s.example/old-0123456789.pdf": "pdf"}}
    comment = files_comment(files)
    assert comment.count("-->") == 1 and comment.endswith("-->")
    assert files_of(f"<p>before</p>\n{comment}\n<p>after -- </p>") == files
    assert files_of("<p>no comment</p>") == {"current": {}, "previous": {}}


def test_missing_publish_block_is_one_clear_message() -> None:
    """A paper whose config has no publish.wordpress (a fresh scaffold) is told what to add."""
    with pytest.raises(PublishError, match=r"publish\.wordpress: not set — add publish: wordpress:"):
        Site.from_config({})
