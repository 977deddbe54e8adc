"""A fault-injecting HTTP proxy on 127.0.0.1 in front of the test WordPress.

It forwards every request to the site and counts the writes (any method but
GET, HEAD and OPTIONS). When the site has handled write number ``fault_at``,
the proxy loses the answer the way a real network does: it drops the
connection (``drop``), answers 500 in place of the site's answer (``500``), or
says nothing until the client's timeout has passed (``stall``). With
``down=True`` every request after the fault fails the same way (the site went
away); otherwise only that one answer is lost.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

READS = {"GET", "HEAD", "OPTIONS"}
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length", "host"}


@dataclass
class Faults:
    """What the proxy does, and what it saw."""

    upstream: str
    fault_at: int | None = None
    kind: str = "drop"  # drop | 500 | stall
    down: bool = False
    stall: float = 3.0
    writes: list[str] = field(default_factory=list)  # "METHOD /path" of every write the site handled
    lost: list[str] = field(default_factory=list)  # the answers the proxy lost
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self, *, fault_at: int | None = None, kind: str = "drop", down: bool = False) -> None:
        """Forget what was seen; inject ``kind`` after write number ``fault_at`` (1-based), or nothing."""
        with self.lock:
            self.fault_at, self.kind, self.down = fault_at, kind, down
            self.writes.clear()
            self.lost.clear()


def _handler(faults: Faults) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, *args: object) -> None:
            pass

        def _lose(self, kind: str) -> None:
            faults.lost.append(f"{kind} {self.command} {self.path.split('?')[0]}")
            if kind == "500":
                body = b"<html><body><h1>500 Internal Server Error</h1></body></html>"
                self.send_response(500)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if kind == "stall":
                time.sleep(faults.stall)
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            with faults.lock:
                already_down = faults.down and faults.fault_at is not None and len(faults.writes) >= faults.fault_at
            if already_down:
                self._lose(faults.kind)
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
            answer = requests.request(self.command, faults.upstream + self.path, headers=headers, data=body,
                                      allow_redirects=False, timeout=120)
            lose = False
            if self.command not in READS:
                with faults.lock:
                    faults.writes.append(f"{self.command} {self.path.split('?')[0]}")
                    lose = faults.fault_at == len(faults.writes)
            if lose:
                self._lose(faults.kind)
                return
            self.send_response(answer.status_code)
            for key, value in answer.headers.items():
                if key.lower() not in HOP_HEADERS:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            try:
                self.wfile.write(answer.content)
            except OSError:  # the client gave up (its own timeout): nothing to answer
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _forward

    return Handler


@contextmanager
def proxy(upstream: str, *, stall: float = 3.0) -> Iterator[tuple[str, Faults]]:
    """A proxy to ``upstream`` on a free port of 127.0.0.1: its URL and its Faults."""
    faults = Faults(upstream=upstream.rstrip("/"), stall=stall)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(faults))
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # a client that hung up is no error here
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", faults
    finally:
        server.shutdown()
        server.server_close()
