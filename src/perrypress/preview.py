"""``perrypress preview``: build, serve ``_build/`` on 127.0.0.1, rebuild on every save and reload the page."""

from __future__ import annotations

import hashlib
import html
import http.server
import json
import logging
import mimetypes
import os
import signal
import subprocess
import sys
import threading
import time
import webbrowser
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger(__name__)

# The sources a person edits; a change to any of them rebuilds through the workflow.
WATCHED = ["sections", "report.qmd", "data", "references.bib", "config", "pandoc", "images"]
BUILD = "_build"
EVENTS = "/__preview/events"
# The injected snippet is delimited so that a test (or a curious reader) can find and remove it.
SNIPPET_START, SNIPPET_END = "<!-- perrypress preview -->", "<!-- /perrypress preview -->"
OVERLAY_ID = "perrypress-preview-error"
KEEPALIVE_SECONDS = 10.0
# After Ctrl-C, how long a running build may take to stop before its process group is killed.
STOP_GRACE_SECONDS = 10.0

_SCRIPT = """<script>
(() => {
  const overlay = document.getElementById("%(overlay)s");
  const key = "perrypress-preview-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) { sessionStorage.removeItem(key); window.scrollTo(0, Number(saved)); }
  let version = %(version)d;
  const events = new EventSource("%(events)s?v=" + version);
  events.addEventListener("reload", (event) => {
    version = Number(event.data);
    const frame = document.getElementById("perrypress-preview-pdf");
    if (frame) { frame.src = frame.dataset.src + "?v=" + version; overlay.hidden = true; return; }
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  });
  events.addEventListener("error", (event) => {
    if (!event.data) return;  // a dropped connection, not a build error: EventSource reconnects
    overlay.querySelector("pre").textContent = JSON.parse(event.data);
    overlay.hidden = false;
  });
  events.addEventListener("ok", () => { overlay.hidden = true; });
})();
</script>"""

_OVERLAY = (
    '<div id="%(overlay)s" role="alert"%(hidden)s style="position:fixed;inset:auto 0 0 0;z-index:2147483647;'
    "max-height:50vh;overflow:auto;margin:0;padding:1em 1.5em;background:#fff4f4;color:#5c0000;"
    'border-top:4px solid #b00020;font:14px/1.5 system-ui,sans-serif;box-shadow:0 -2px 12px #0003">'
    "<strong>The build failed; this is the last good edition.</strong>"
    '<pre style="white-space:pre-wrap;font:13px/1.5 ui-monospace,monospace;margin:.5em 0 0">%(message)s</pre></div>'
)

_PDF_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Preview: %(name)s</title>
<style>html,body{margin:0;height:100%%}iframe{display:block;border:0;width:100%%;height:100%%}</style></head>
<body><iframe id="perrypress-preview-pdf" title="PDF edition" data-src="/%(name)s" src="/%(name)s?v=%(version)d"></iframe>
</body></html>
"""


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


def snippet(status: Status) -> str:
    """The overlay and live-reload script added to a served page (never to the edition file)."""
    error = status.error
    overlay = _OVERLAY % {"overlay": OVERLAY_ID, "hidden": "" if error else " hidden",
                          "message": html.escape(error or "")}
    script = _SCRIPT % {"overlay": OVERLAY_ID, "version": status.version, "events": EVENTS}
    return f"{SNIPPET_START}{overlay}{script}{SNIPPET_END}"


def inject(page: bytes, addition: str) -> bytes:
    """Insert ``addition`` before the page's last ``</body>`` (or at its end)."""
    at = page.lower().rfind(b"</body>")
    at = len(page) if at < 0 else at
    return page[:at] + addition.encode("utf-8") + page[at:]


def resolve(build: Path, request_path: str) -> Path | None:
    """The file under ``build`` that a request names, or None if it points outside ``build``.

    Refused: ``..`` in any form (``/../``, ``%2e%2e``, ``..%2f``), absolute paths (``//etc``), backslashes.
    """
    path = unquote(request_path.split("?", 1)[0].split("#", 1)[0])
    if not path.startswith("/") or "\\" in path or "\0" in path:
        return None
    relative = PurePosixPath(path[1:])
    if relative.is_absolute() or ".." in relative.parts or path[1:].startswith("/"):
        return None
    root = build.resolve()
    target = (root / relative).resolve()
    return target if target.is_relative_to(root) else None


class Handler(http.server.BaseHTTPRequestHandler):
    """Serve the preview page, its event stream, and the files of the build folder."""

    server: PreviewServer

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        """Answer one GET request."""
        if self.path.split("?", 1)[0] == EVENTS:
            self._events()
            return
        preview = self.server.preview
        target = resolve(preview.build, self.path)
        if target is None:
            self._send(403, b"Forbidden: only the build folder is served.\n", "text/plain; charset=utf-8")
            return
        relative = target.relative_to(preview.build.resolve())
        if str(relative) in (".", preview.edition.name) and preview.fmt == "html":
            self._page(preview.edition)
        elif str(relative) == ".":
            self._send(200, inject(preview.pdf_page().encode("utf-8"), snippet(preview.status)),
                       "text/html; charset=utf-8")
        elif any(part.startswith(".") for part in relative.parts) or not target.is_file():
            self._send(404, b"Not found.\n", "text/plain; charset=utf-8")
        else:
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            self._send(200, target.read_bytes(), kind)

    def _page(self, edition: Path) -> None:
        """Serve the HTML edition with the preview snippet added to the response."""
        if not edition.is_file():
            page = b"<!DOCTYPE html><html lang=\"en\"><title>No edition yet</title><body></body></html>"
        else:
            page = edition.read_bytes()
        self._send(200, inject(page, snippet(self.server.preview.status)), "text/html; charset=utf-8")

    def _events(self) -> None:
        """Stream server-sent events: ``reload`` when the edition changes, ``error`` / ``ok`` after builds."""
        status = self.server.preview.status
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
    """The HTTP server, bound to 127.0.0.1, knowing the preview it serves."""

    daemon_threads = True

    def __init__(self, port: int, preview: Preview) -> None:
        self.preview = preview
        super().__init__(("127.0.0.1", port), Handler)


class Preview:
    """One project being previewed: its build folder, its builds and what the pages have been told."""

    def __init__(self, root: Path, *, edition: Path, fmt: str) -> None:
        self.root = root
        self.build = root / BUILD
        self.edition = edition
        self.fmt = fmt
        self.status = Status()
        self._digest = self._served_digest()
        self._process: subprocess.Popen[str] | None = None

    def served(self) -> Path:
        """The edition the page shows."""
        return self.edition if self.fmt == "html" else self.edition.with_suffix(".pdf")

    def pdf_page(self) -> str:
        """The page that shows the PDF edition (reloaded through a cache-busting query)."""
        return _PDF_PAGE % {"name": html.escape(self.served().name), "version": self.status.version}

    def _served_digest(self) -> str | None:
        """A digest of the served edition, to tell whether a build changed it."""
        path = self.served()
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None

    def rebuild(self, reason: str) -> None:
        """Run ``perrypress build`` and tell the open pages what came of it."""
        log.info("Building (%s)…", reason)
        started = time.monotonic()
        # The build is the `perrypress build` command itself, in its own process group, so that
        # stopping the preview can stop it and every job it started.
        self._process = subprocess.Popen(
            [sys.executable, "-m", "perrypress.cli", "--root", str(self.root), "build"], cwd=self.root,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        output, _ = self._process.communicate()
        failed, self._process = self._process.returncode != 0, None
        output = output.strip()
        if output:
            (log.error if failed else log.info)("%s", output)
        if failed:
            log.error("Build failed in %.1f s; still serving the last good edition.", time.monotonic() - started)
            self.status.update(changed=False, error=output or "the build failed (no message)")
            return
        digest = self._served_digest()
        changed, self._digest = digest != self._digest, digest
        log.info("Built in %.1f s%s.", time.monotonic() - started, "; reloading the page" if changed else "")
        self.status.update(changed=changed, error=None)

    def stop_build(self) -> None:
        """Stop a running build and every process it started (SIGTERM, then SIGKILL after a grace period).

        SIGTERM, not SIGINT: Snakemake then stops its jobs and releases its lock on the folder.
        """
        process = self._process
        if process is None or process.poll() is not None:
            return
        for sig, grace in ((signal.SIGTERM, STOP_GRACE_SECONDS), (signal.SIGKILL, STOP_GRACE_SECONDS)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(grace)
                break
            except subprocess.TimeoutExpired:
                continue
        _wait_group_gone(process.pid, STOP_GRACE_SECONDS)


def _wait_group_gone(pgid: int, timeout: float) -> None:
    """Wait until no process of group ``pgid`` is left (its jobs may outlive Snakemake briefly)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _interrupt(signum: int, frame: object) -> None:
    """Stop cleanly on SIGINT or SIGTERM (Python leaves SIGINT ignored if its parent ignored it)."""
    raise KeyboardInterrupt


def preview(root: Path, *, edition: Path, port: int = 0, fmt: str = "html", browser: bool = True) -> int:
    """Build, serve the build folder, and rebuild and reload on every change until Ctrl-C."""
    from watchfiles import watch

    root = root.resolve()
    site = Preview(root, edition=edition.resolve(), fmt=fmt)
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    logging.getLogger("watchfiles").setLevel(logging.WARNING)  # it logs every change it sees
    server: PreviewServer | None = None
    stop = threading.Event()
    try:
        site.rebuild("start")
        server = PreviewServer(port, site)
        threading.Thread(target=server.serve_forever, name="preview-server", daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        log.info("Serving %s (%s edition) — Ctrl-C to stop", url, fmt.upper())
        if browser:
            webbrowser.open(url)
        paths = [root / name for name in WATCHED if (root / name).exists()]
        for changes in watch(*paths, stop_event=stop, raise_interrupt=True):
            changed = sorted({os.path.relpath(path, root) for _, path in changes})
            site.rebuild(", ".join(changed[:3]) + (" …" if len(changed) > 3 else "") + " changed")
    except KeyboardInterrupt:
        log.info("Stopping.")
    finally:
        stop.set()
        site.stop_build()
        site.status.close()
        if server is not None:
            server.shutdown()
            server.server_close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
