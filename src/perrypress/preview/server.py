"""The preview's HTTP server: the page, its server-sent events, and the build folder (nothing outside it)."""

from __future__ import annotations

import http.server
import json
import logging
import mimetypes
import threading
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .page import EVENTS, inject, pdf_page, snippet

log = logging.getLogger(__name__)

# A comment sent this often on an idle event stream finds closed connections.
KEEPALIVE_SECONDS = 10.0


class Status:
    """What the open pages need to know: the served edition's version and the last build's error."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.version = 0
        self.error: str | None = None
        self.closed = False

    def update(self, *, changed: bool, error: str | None) -> None:
        """Record a build's outcome and wake every page waiting for news."""
        with self._changed:
            self.version += int(changed)
            self.error = error
            self._changed.notify_all()

    def wait(self, seen: tuple[int, str | None], timeout: float) -> tuple[int, str | None]:
        """Return ``(version, error)`` once it differs from ``seen``, or after ``timeout`` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self.closed or (self.version, self.error) != seen, timeout)
            return self.version, self.error

    def close(self) -> None:
        """Release every waiting page: the server is stopping."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()


def resolve(build: Path, request_path: str) -> Path | None:
    """The file under ``build`` that a request names, or None if it points outside ``build``.

    Refused: ``..`` in any form (``/../``, ``%2e%2e``, ``..%2f``), absolute paths (``//etc``), backslashes.
    """
    path = unquote(request_path.split("?", 1)[0].split("#", 1)[0])
    if not path.startswith("/") or "\\" in path or "\0" in path:
        return None
    relative = PurePosixPath(path[1:])
    if relative.is_absolute() or ".." in relative.parts:
        return None
    root = build.resolve()
    target = (root / relative).resolve()  # a symbolic link out of the folder is refused too
    return target if target.is_relative_to(root) else None


class Handler(http.server.BaseHTTPRequestHandler):
    """Serve the preview page, its event stream, and the files of the build folder."""

    server: PreviewServer

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        """Answer one GET request."""
        if not self.server.own_host(self.headers.get("Host")):
            # DNS rebinding: a page of another site, its name pointed at 127.0.0.1, must not read the preview.
            self._send(403, b"Forbidden: the preview answers only to its own address.\n", "text/plain; charset=utf-8")
            return
        if self.path.split("?", 1)[0] == EVENTS:
            self._events()
            return
        served = self.server.edition
        target = resolve(served.parent, self.path)
        if target is None:
            self._send(403, b"Forbidden: only the build folder is served.\n", "text/plain; charset=utf-8")
            return
        relative = target.relative_to(served.parent.resolve())
        if served.suffix == ".html" and str(relative) in (".", served.name):
            self._page(served.read_bytes() if served.is_file() else None)
        elif str(relative) == ".":
            self._page(pdf_page(served.name, version=self.server.status.version).encode("utf-8"))
        elif any(part.startswith(".") for part in relative.parts) or not target.is_file():
            self._send(404, b"Not found.\n", "text/plain; charset=utf-8")
        else:
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            self._send(200, target.read_bytes(), kind)

    def _page(self, page: bytes | None) -> None:
        """Serve a page with the overlay and live-reload snippet added (to the response only)."""
        page = page or b'<!DOCTYPE html><html lang="en"><title>No edition yet</title><body></body></html>'
        status = self.server.status
        self._send(200, inject(page, snippet(version=status.version, error=status.error)),
                   "text/html; charset=utf-8")

    def _events(self) -> None:
        """Stream server-sent events: ``reload`` when the edition changes, ``error`` / ``ok`` after builds."""
        status = self.server.status
        # The page says which version it shows, so a build that ended before it connected still reloads it.
        query = parse_qs(urlsplit(self.path).query)
        try:
            seen_version = int(query["v"][0])
        except (KeyError, ValueError):
            seen_version = status.version
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen: tuple[int, str | None] = (seen_version, "\0unknown")  # sends the current state first
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while not status.closed:
                version, error = status.wait(seen, KEEPALIVE_SECONDS)
                if status.closed:
                    break
                if version != seen[0]:
                    self.wfile.write(f"event: reload\ndata: {version}\n\n".encode())
                if error != seen[1]:
                    message = f"event: error\ndata: {json.dumps(error)}\n\n" if error else "event: ok\ndata: \n\n"
                    self.wfile.write(message.encode("utf-8"))
                if (version, error) == seen:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
                seen = (version, error)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(self, code: int, body: bytes, kind: str) -> None:
        """Send a complete response that no browser caches."""
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's signature)
        """Log requests at debug level only: the terminal is for builds."""
        log.debug("%s " + format, self.address_string(), *args)


class PreviewServer(http.server.ThreadingHTTPServer):
    """The HTTP server on 127.0.0.1: the folder of ``edition``, and ``status`` for the open pages."""

    daemon_threads = True

    def __init__(self, port: int, *, edition: Path, status: Status) -> None:
        self.edition = edition
        self.status = status
        super().__init__(("127.0.0.1", port), Handler)

    def own_host(self, host: str | None) -> bool:
        """Whether a request's Host header names this server: 127.0.0.1 or localhost, at its port."""
        port = self.server_address[1]
        return (host or "").strip().lower() in {f"127.0.0.1:{port}", f"localhost:{port}"}
